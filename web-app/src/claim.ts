// The majority claim's first factor, made in the subject's browser: the claim
// key a claim secret determines, and its signature of the claim message. The
// scheme is `bionft_primitives::claim` (contracts/primitives/src/claim.rs),
// which the CLI's `bionft subject claim` uses too:
//
//   secret key = PBKDF2-HMAC-SHA256(secret, salt "bionft/claim-key/v3", 600,000 rounds)
//   message    = SHA-256("bionft/claim-for/v3" ‖ biosample contract ‖ sample id, u128 LE ‖ claimant)
//   signature  = recoverable secp256k1 ECDSA of the message: r ‖ s ‖ recovery id (65 bytes)
//
// The secret never leaves the page: only the signature goes on chain, and it
// names the claimant's own account, so nobody who sees it can reuse it.

import { secp256k1 } from '@noble/curves/secp256k1';
import { pbkdf2Async } from '@noble/hashes/pbkdf2';
import { sha256 } from '@noble/hashes/sha2';
import { decodeAddress } from '@polkadot/util-crypto';

const CLAIM_KEY_DOMAIN = new TextEncoder().encode('bionft/claim-key/v3');
const CLAIM_MESSAGE_DOMAIN = new TextEncoder().encode('bionft/claim-for/v3');
export const CLAIM_KEY_ROUNDS = 600_000;

/** The secret as `bionft` reads a secret file: its bytes without surrounding ASCII whitespace. */
export function secretBytes(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const blank = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;
  let start = 0;
  let end = bytes.length;
  while (start < end && blank(bytes[start])) start += 1;
  while (end > start && blank(bytes[end - 1])) end -= 1;
  return bytes.slice(start, end);
}

/** PBKDF2-HMAC-SHA256 of the secret: WebCrypto where the page has it (a secure context), else @noble/hashes. */
async function claimSecretKey(secret: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const key = await subtle.importKey('raw', secret as BufferSource, 'PBKDF2', false, ['deriveBits']);
    const bits = await subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: CLAIM_KEY_DOMAIN as BufferSource, iterations: CLAIM_KEY_ROUNDS },
      key,
      256,
    );
    return new Uint8Array(bits);
  }
  return pbkdf2Async(sha256, secret, CLAIM_KEY_DOMAIN, { c: CLAIM_KEY_ROUNDS, dkLen: 32 });
}

/** What the subject signs: it names the contract, the sample and the claimant. */
export function claimMessage(contract: string, sample: bigint, claimant: string): Uint8Array {
  const input = new Uint8Array(19 + 32 + 16 + 32);
  input.set(CLAIM_MESSAGE_DOMAIN, 0);
  input.set(decodeAddress(contract), 19);
  let id = sample;
  for (let i = 0; i < 16; i += 1) {
    input[51 + i] = Number(id & 0xffn);
    id >>= 8n;
  }
  input.set(decodeAddress(claimant), 67);
  return sha256(input);
}

/** The claim's signature by the secret's claim key, for `claimant` to present to `contract`. */
export async function signClaim(secretText: string, contract: string, sample: bigint, claimant: string): Promise<Uint8Array> {
  const secret = secretBytes(secretText);
  if (secret.length === 0) throw new Error('the claim secret is empty');
  const key = await claimSecretKey(secret);
  if (!secp256k1.utils.isValidPrivateKey(key)) throw new Error('this claim secret gives no valid claim key (chance about 2^-128): it cannot be the one your guardians kept');
  const signature = secp256k1.sign(claimMessage(contract, sample, claimant), key, { lowS: true });
  const out = new Uint8Array(65);
  out.set(signature.toCompactRawBytes(), 0);
  out[64] = signature.recovery;
  key.fill(0);
  return out;
}
