//! Two SHA-256 digests computed together.
//!
//! One SHA-256 stream on the x86 SHA extensions is bound by the latency of `sha256rnds2`: each
//! pair of rounds waits for the previous one. Two independent messages interleaved round by
//! round keep the unit busy, and per-record digests (the largest cost of a BAM digest) come in
//! any number of independent messages. The result is plain SHA-256, checked against `sha2`;
//! without the extensions both messages are hashed by `sha2` one after the other.

use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// `[SHA-256(a), SHA-256(b)]`.
pub fn digest_pair(a: &[u8], b: &[u8]) -> [Hash; 2] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("sha")
        && std::arch::is_x86_feature_detected!("sse4.1")
        && std::arch::is_x86_feature_detected!("ssse3")
    {
        // SAFETY: the CPU has the features `ni::digest_pair` is compiled for.
        return unsafe { ni::digest_pair(a, b) };
    }
    [Sha256::digest(a).into(), Sha256::digest(b).into()]
}

/// A message's blocks: whole blocks straight from the message, then one or two blocks of
/// tail and padding (`0x80`, zeros, the bit length as a big-endian `u64`).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Blocks<'a> {
    whole: &'a [u8],
    tail: [u8; 128],
    tail_blocks: usize,
}

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
impl<'a> Blocks<'a> {
    fn new(message: &'a [u8]) -> Self {
        let split = message.len() - message.len() % 64;
        let (whole, rest) = message.split_at(split);
        let mut tail = [0; 128];
        tail[..rest.len()].copy_from_slice(rest);
        tail[rest.len()] = 0x80;
        let tail_blocks = if rest.len() < 56 { 1 } else { 2 };
        let bits = (message.len() as u64).wrapping_mul(8);
        tail[64 * tail_blocks - 8..64 * tail_blocks].copy_from_slice(&bits.to_be_bytes());
        Self {
            whole,
            tail,
            tail_blocks,
        }
    }

    fn len(&self) -> usize {
        self.whole.len() / 64 + self.tail_blocks
    }

    fn get(&self, i: usize) -> &[u8; 64] {
        let whole = self.whole.len() / 64;
        let block = if i < whole {
            &self.whole[64 * i..64 * i + 64]
        } else {
            &self.tail[64 * (i - whole)..64 * (i - whole) + 64]
        };
        block.try_into().expect("64 bytes")
    }
}

#[cfg(target_arch = "x86_64")]
mod ni {
    use core::arch::x86_64::*;

    use super::{Blocks, Hash};

    const INITIAL: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// A state in the register layout `sha256rnds2` works on: `(ABEF, CDGH)`.
    #[derive(Clone, Copy)]
    struct State(__m128i, __m128i);

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn load(words: &[u32; 8]) -> State {
        // SAFETY: 32 readable bytes, unaligned loads.
        let (dcba, hgfe) = unsafe {
            let p = words.as_ptr().cast::<__m128i>();
            (_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)))
        };
        let cdab = _mm_shuffle_epi32(dcba, 0xB1);
        let efgh = _mm_shuffle_epi32(hgfe, 0x1B);
        State(
            _mm_alignr_epi8(cdab, efgh, 8),
            _mm_blend_epi16(efgh, cdab, 0xF0),
        )
    }

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn digest(state: State) -> Hash {
        let feba = _mm_shuffle_epi32(state.0, 0x1B);
        let dchg = _mm_shuffle_epi32(state.1, 0xB1);
        // Big-endian words: swap the bytes of each 32-bit lane.
        let swap = _mm_set_epi64x(0x0c0d0e0f_08090a0b, 0x04050607_00010203);
        let dcba = _mm_shuffle_epi8(_mm_blend_epi16(feba, dchg, 0xF0), swap);
        let hgfe = _mm_shuffle_epi8(_mm_alignr_epi8(dchg, feba, 8), swap);
        let mut out = [0; 32];
        // SAFETY: 32 writable bytes, unaligned stores.
        unsafe {
            let p = out.as_mut_ptr().cast::<__m128i>();
            _mm_storeu_si128(p, dcba);
            _mm_storeu_si128(p.add(1), hgfe);
        }
        out
    }

    /// The message words of one block, big-endian, four per register.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn words(block: &[u8; 64]) -> [__m128i; 4] {
        let swap = _mm_set_epi64x(0x0c0d0e0f_08090a0b, 0x04050607_00010203);
        let p = block.as_ptr().cast::<__m128i>();
        // SAFETY: 64 readable bytes, unaligned loads.
        core::array::from_fn(|i| unsafe { _mm_shuffle_epi8(_mm_loadu_si128(p.add(i)), swap) })
    }

    /// Compresses one block into each of two states, their rounds interleaved.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn compress_pair(states: &mut [State; 2], blocks: [&[u8; 64]; 2]) {
        let saved = *states;
        let mut w = [words(blocks[0]), words(blocks[1])];
        for i in 0..16 {
            let k = _mm_set_epi32(
                K[4 * i + 3] as i32,
                K[4 * i + 2] as i32,
                K[4 * i + 1] as i32,
                K[4 * i] as i32,
            );
            for (s, w) in states.iter_mut().zip(&mut w) {
                // Rounds 4i..4i+4 use message words w[i % 4]; from i = 4 on, those are
                // scheduled from the four previous groups.
                if i >= 4 {
                    let t = _mm_add_epi32(
                        _mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]),
                        _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4),
                    );
                    w[i % 4] = _mm_sha256msg2_epu32(t, w[(i + 3) % 4]);
                }
                let t = _mm_add_epi32(w[i % 4], k);
                s.1 = _mm_sha256rnds2_epu32(s.1, s.0, t);
                s.0 = _mm_sha256rnds2_epu32(s.0, s.1, _mm_shuffle_epi32(t, 0x0E));
            }
        }
        for (s, saved) in states.iter_mut().zip(saved) {
            *s = State(_mm_add_epi32(s.0, saved.0), _mm_add_epi32(s.1, saved.1));
        }
    }

    /// # Safety
    /// The CPU must support SHA, SSE2, SSSE3 and SSE4.1.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn digest_pair(a: &[u8], b: &[u8]) -> [Hash; 2] {
        let blocks = [Blocks::new(a), Blocks::new(b)];
        let mut states = [load(&INITIAL); 2];
        let both = blocks[0].len().min(blocks[1].len());
        for i in 0..both {
            compress_pair(&mut states, [blocks[0].get(i), blocks[1].get(i)]);
        }
        // The longer message's remaining blocks. A lone stream is latency-bound, so running
        // it in both lanes costs little more than one lane would.
        let longer = usize::from(blocks[1].len() > blocks[0].len());
        let mut spare = [states[longer], states[longer]];
        let rest = &blocks[longer];
        for i in both..rest.len() {
            compress_pair(&mut spare, [rest.get(i), rest.get(i)]);
        }
        if rest.len() > both {
            states[longer] = spare[0];
        }
        [digest(states[0]), digest(states[1])]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_match_sha2_at_every_padding_boundary() {
        let message: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for a in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            for b in [0, 3, 55, 56, 64, 130, 250] {
                let (a, b) = (&message[..a], &message[message.len() - b..]);
                let expected: [Hash; 2] = [Sha256::digest(a).into(), Sha256::digest(b).into()];
                assert_eq!(
                    digest_pair(a, b),
                    expected,
                    "{} and {} bytes",
                    a.len(),
                    b.len()
                );
            }
        }
    }
}
