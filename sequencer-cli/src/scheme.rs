//! The digest schemes this tool computes and reads: `bionft-c1` (on-chain `digest_alg` 1) and
//! `bionft-c2` (`digest_alg` 2), both written down in [`crate::canonical`].
//!
//! New manifests use [`Scheme::DEFAULT`]; manifests and proofs of either scheme are verified
//! with the scheme they name. A scheme is never edited once released: a change of encoding is a
//! new scheme with the next id.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Per-record SHA-256 digests under the chunk leaves, order-independent digest always.
    C1,
    /// Chunk leaves over long runs of canonical bytes hashed with BLAKE3; the GA4GH seqcol
    /// coordinate system; the order-independent digest only when asked.
    C2,
}

impl Scheme {
    pub const DEFAULT: Scheme = Scheme::C2;
    pub const ALL: [Scheme; 2] = [Scheme::C1, Scheme::C2];

    /// The name printed before a content digest and hashed into it.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::C1 => "bionft-c1",
            Scheme::C2 => "bionft-c2",
        }
    }

    /// The on-chain `digest_alg` id.
    pub fn digest_alg(self) -> u8 {
        match self {
            Scheme::C1 => 1,
            Scheme::C2 => 2,
        }
    }

    /// The scheme of a content digest string `<name>:<hex>`.
    pub fn of_content_digest(digest: &str) -> Option<Scheme> {
        let (name, _) = digest.split_once(':')?;
        name.parse().ok()
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = String;

    /// `bionft-c1`, `bionft-c2`, or the short `c1`, `c2`.
    fn from_str(s: &str) -> Result<Self, String> {
        Scheme::ALL
            .into_iter()
            .find(|scheme| s == scheme.name() || Some(s) == scheme.name().strip_prefix("bionft-"))
            .ok_or_else(|| format!("unknown digest scheme {s:?} (expected c1 or c2)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ids_and_digest_prefixes_round_trip() {
        for scheme in Scheme::ALL {
            assert_eq!(scheme.name().parse::<Scheme>(), Ok(scheme));
            assert_eq!(scheme.to_string(), scheme.name());
            let digest = format!("{scheme}:{}", "0".repeat(64));
            assert_eq!(Scheme::of_content_digest(&digest), Some(scheme));
        }
        assert_eq!("c2".parse::<Scheme>(), Ok(Scheme::C2));
        assert_ne!(Scheme::C1.digest_alg(), Scheme::C2.digest_alg());
        assert!("c3".parse::<Scheme>().is_err());
        assert_eq!(Scheme::of_content_digest("bionft-c3:00"), None);
        assert_eq!(Scheme::of_content_digest("no colon"), None);
    }
}
