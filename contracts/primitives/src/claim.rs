//! The claim key: the first of the two factors of a majority claim.
//!
//! The guardians' client generates the claim secret (random words) and keeps it; the biobank
//! receives only its commitment. Off chain, the secret determines a secp256k1 key pair:
//! `secret key = PBKDF2-HMAC-SHA256(secret, salt "bionft/claim-key/v3", 600,000 rounds)`, so
//! a commitment seen on chain cannot be brute-forced cheaply even for a weak, hand-chosen
//! secret. The sample stores only
//! `claim_commitment = SHA-256("bionft/claim/v3" ‖ compressed public key)`.
//!
//! To claim, the grown-up subject signs [`claim_message`], which names the `biosample`
//! contract, the sample and the subject's own account, and sends the 65-byte recoverable
//! signature. The contract recovers the public key with the chain's `ecdsa_recover` host
//! function and compares its commitment. The secret never goes on chain, and a signature
//! seen in the transaction pool is worthless to anyone else: it names the account it is for.
//! The second factor is the custodian biobank's attestation of the same account
//! (`biosample::attest_claimant`): neither the secret's holder nor the biobank can claim alone.

use ink::primitives::AccountId;

use crate::{sha256, Commitment, RecordId};

/// A compressed secp256k1 public key.
pub type ClaimPublicKey = [u8; 33];
/// A recoverable ECDSA signature: `r ‖ s ‖ recovery id` (0 or 1; 27 or 28 are also accepted).
pub type ClaimSignature = [u8; 65];

/// Domain separator of [`claim_commitment`].
pub const CLAIM_DOMAIN: &[u8; 15] = b"bionft/claim/v3";
/// Domain separator of [`claim_message`].
pub const CLAIM_MESSAGE_DOMAIN: &[u8; 19] = b"bionft/claim-for/v3";
/// PBKDF2 salt of the secret key derived from a claim secret.
pub const CLAIM_KEY_DOMAIN: &[u8; 19] = b"bionft/claim-key/v3";

/// `SHA-256("bionft/claim/v3" ‖ public key)`: what a sample stores at mint.
pub fn claim_commitment(key: &ClaimPublicKey) -> Commitment {
    let mut input = [0u8; 15 + 33];
    input[..15].copy_from_slice(CLAIM_DOMAIN);
    input[15..].copy_from_slice(key);
    sha256(&input)
}

/// `SHA-256("bionft/claim-for/v3" ‖ contract ‖ sample id LE ‖ claimant)`: what the subject signs.
pub fn claim_message(contract: &AccountId, sample: RecordId, claimant: &AccountId) -> [u8; 32] {
    let mut input = [0u8; 19 + 32 + 16 + 32];
    input[..19].copy_from_slice(CLAIM_MESSAGE_DOMAIN);
    input[19..51].copy_from_slice(contract.as_ref());
    input[51..67].copy_from_slice(&sample.to_le_bytes());
    input[67..].copy_from_slice(claimant.as_ref());
    sha256(&input)
}

/// The public key that made `signature` over `message`, by the chain's `ecdsa_recover`.
pub fn recover_claim_key(signature: &ClaimSignature, message: &[u8; 32]) -> Option<ClaimPublicKey> {
    let mut key = [0u8; 33];
    ink::env::ecdsa_recover(signature, message, &mut key).ok()?;
    Some(key)
}

/// Off chain: the key pair of a claim secret, the commitment a biobank mints with, and the
/// signature a subject claims with.
#[cfg(feature = "std")]
pub mod keys {
    use super::*;
    use secp256k1::{Message, PublicKey, SecretKey, SECP256K1};

    /// PBKDF2 rounds of the claim key (OWASP's figure for PBKDF2-HMAC-SHA256).
    pub const CLAIM_KEY_ROUNDS: u32 = 600_000;

    /// The secret key of a claim secret. Fails only if the derived bytes land outside the
    /// curve order (probability about 2^-128).
    pub fn claim_secret_key(secret: &[u8]) -> Result<SecretKey, secp256k1::Error> {
        let key = pbkdf2::pbkdf2_hmac_array::<sha2::Sha256, 32>(
            secret,
            CLAIM_KEY_DOMAIN,
            CLAIM_KEY_ROUNDS,
        );
        SecretKey::from_slice(&key)
    }

    /// The compressed public key of a claim secret.
    pub fn claim_public_key(secret: &[u8]) -> Result<ClaimPublicKey, secp256k1::Error> {
        let key = claim_secret_key(secret)?;
        Ok(PublicKey::from_secret_key(SECP256K1, &key).serialize())
    }

    /// The commitment a biobank mints with for a claim secret.
    pub fn commitment_for_secret(secret: &[u8]) -> Result<Commitment, secp256k1::Error> {
        Ok(claim_commitment(&claim_public_key(secret)?))
    }

    /// The subject's signature of [`claim_message`] with the claim secret's key.
    pub fn sign_claim(
        secret: &[u8],
        contract: &AccountId,
        sample: RecordId,
        claimant: &AccountId,
    ) -> Result<ClaimSignature, secp256k1::Error> {
        let key = claim_secret_key(secret)?;
        let message = Message::from_digest(claim_message(contract, sample, claimant));
        let (recovery, compact) = SECP256K1
            .sign_ecdsa_recoverable(&message, &key)
            .serialize_compact();
        let mut signature = [0u8; 65];
        signature[..64].copy_from_slice(&compact);
        signature[64] = recovery.to_i32() as u8;
        Ok(signature)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_signature_opens_the_commitment_only_for_the_account_it_names() {
            let [contract, child, thief] = [9, 1, 2].map(|n| AccountId::from([n; 32]));
            let secret = b"sealed envelope";
            let commitment = commitment_for_secret(secret).unwrap();
            let signature = sign_claim(secret, &contract, 7, &child).unwrap();
            let opens = |claimant: &AccountId, sample: RecordId, contract: &AccountId| {
                let message = claim_message(contract, sample, claimant);
                recover_claim_key(&signature, &message).map(|k| claim_commitment(&k))
                    == Some(commitment)
            };
            assert!(opens(&child, 7, &contract));
            assert!(
                !opens(&thief, 7, &contract),
                "front-running with a seen signature"
            );
            assert!(!opens(&child, 8, &contract), "another sample");
            assert!(!opens(&child, 7, &thief), "another deployment");
            let other = sign_claim(b"guess", &contract, 7, &child).unwrap();
            let message = claim_message(&contract, 7, &child);
            assert_ne!(
                recover_claim_key(&other, &message).map(|k| claim_commitment(&k)),
                Some(commitment),
                "a wrong secret"
            );
        }

        #[test]
        fn the_claim_key_is_pbkdf2_hmac_sha256_of_the_secret() {
            // python3: hashlib.pbkdf2_hmac('sha256', b'sealed envelope', b'bionft/claim-key/v3', 600000)
            let key: String = claim_secret_key(b"sealed envelope")
                .unwrap()
                .secret_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                key,
                "a470a211e6957b1f03a37b0b0ff4798566640a76a20bf324f5ae82058f179d64"
            );
        }

        #[test]
        fn the_commitment_is_domain_separated_sha256_of_the_compressed_key() {
            // `printf 'bionft/claim/v3' | cat - key.bin | sha256sum`, key.bin = 0x02 ‖ 32 × 0x11
            let mut key = [0x11; 33];
            key[0] = 0x02;
            let got: String = claim_commitment(&key)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                got,
                "a9e32c7412b0db95ad54e6c9bcbee3920cbaa74605908f1ec2ae6589d873f02f"
            );
        }
    }
}
