//! Signed requests: a researcher proves they hold their chain account's key.
//!
//! Every ticket request carries five headers:
//!
//! | header | value |
//! |---|---|
//! | `BioNFT-Account` | the researcher's account (SS58 or `0x` + 64 hex) |
//! | `BioNFT-Purpose` | the DUO purpose they state (`HMB`, `DS:4989+IRB`) |
//! | `BioNFT-Timestamp` | milliseconds since the Unix epoch, when signed |
//! | `BioNFT-Nonce` | 8 to 64 characters of `[A-Za-z0-9_-]`, never reused |
//! | `BioNFT-Signature` | `0x` + the 64-byte sr25519 signature (Substrate's signing context) |
//!
//! over the message (lines joined by `\n`, no trailing newline):
//!
//! ```text
//! bionft-host-request/1
//! GET
//! /reads/nb-bam?format=BAM&referenceName=CHROMOSOME_I
//! <the host's account, 0x + 64 hex>
//! <account, 0x + 64 hex>
//! <timestamp>
//! <nonce>
//! <purpose, as sent>
//! ```
//!
//! The path and query are signed exactly as sent. The host's own account is
//! in the message, so a request signed for one data host is useless at
//! another. The host refuses a timestamp more than the allowed skew away
//! from its clock, and a nonce it has seen from the same account within
//! that window (after which the timestamp alone refuses it).

use std::collections::HashMap;

use subxt::utils::AccountId32;
use subxt_signer::sr25519::{self, Keypair, PublicKey, Signature};

pub const ACCOUNT: &str = "bionft-account";
pub const PURPOSE: &str = "bionft-purpose";
pub const TIMESTAMP: &str = "bionft-timestamp";
pub const NONCE: &str = "bionft-nonce";
pub const SIGNATURE: &str = "bionft-signature";

const DOMAIN: &str = "bionft-host-request/1";

/// The signed parts of a request, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: String,
    /// Path and query exactly as sent (`/reads/x?format=BAM`).
    pub target: String,
    pub account: AccountId32,
    pub purpose: String,
    pub timestamp_ms: u64,
    pub nonce: String,
    pub signature: [u8; 64],
}

/// Why a request is not accepted as the account's own; each is an htsget
/// `InvalidAuthentication`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// A header is missing: the request is not signed.
    Unsigned(&'static str),
    Malformed(&'static str),
    /// The timestamp is further than the allowed skew from the host's clock.
    Stale {
        skew_ms: i128,
    },
    /// The account used this nonce already.
    Replayed,
    BadSignature,
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthError::Unsigned(h) => write!(f, "unsigned request: no {h} header"),
            AuthError::Malformed(h) => write!(f, "malformed {h} header"),
            AuthError::Stale { skew_ms } => write!(
                f,
                "stale request: signed {} ms {} the host's clock",
                skew_ms.abs(),
                if *skew_ms < 0 { "behind" } else { "ahead of" }
            ),
            AuthError::Replayed => write!(f, "replayed request: this nonce was used already"),
            AuthError::BadSignature => {
                write!(f, "the signature does not match the account and request")
            }
        }
    }
}

/// The bytes a researcher signs for `host`.
pub fn message(
    host: &AccountId32,
    method: &str,
    target: &str,
    account: &AccountId32,
    timestamp_ms: u64,
    nonce: &str,
    purpose: &str,
) -> Vec<u8> {
    [
        DOMAIN,
        method,
        target,
        &format!("0x{}", hex::encode(host.0)),
        &format!("0x{}", hex::encode(account.0)),
        &timestamp_ms.to_string(),
        nonce,
        purpose,
    ]
    .join("\n")
    .into_bytes()
}

/// The headers (name, value) a researcher sends: signs `method` `target`
/// for `host` with `key`, stating `purpose`.
pub fn sign(
    key: &Keypair,
    host: &AccountId32,
    method: &str,
    target: &str,
    purpose: &str,
    timestamp_ms: u64,
    nonce: &str,
) -> Vec<(&'static str, String)> {
    let account = key.public_key().to_account_id();
    let signature = key.sign(&message(
        host,
        method,
        target,
        &account,
        timestamp_ms,
        nonce,
        purpose,
    ));
    vec![
        (ACCOUNT, format!("0x{}", hex::encode(account.0))),
        (PURPOSE, purpose.to_string()),
        (TIMESTAMP, timestamp_ms.to_string()),
        (NONCE, nonce.to_string()),
        (SIGNATURE, format!("0x{}", hex::encode(signature.0))),
    ]
}

impl SignedRequest {
    /// Reads the signed parts from the request's headers (`header` looks one
    /// up by its lower-case name).
    pub fn from_headers<'a>(
        method: &str,
        target: &str,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<SignedRequest, AuthError> {
        let get = |name: &'static str| header(name).ok_or(AuthError::Unsigned(name));
        let signature = get(SIGNATURE)?;
        let account = bionft_client::keys::account(get(ACCOUNT)?.trim())
            .map_err(|_| AuthError::Malformed(ACCOUNT))?;
        let purpose = get(PURPOSE)?.to_string();
        let timestamp_ms = get(TIMESTAMP)?
            .trim()
            .parse()
            .map_err(|_| AuthError::Malformed(TIMESTAMP))?;
        let nonce = get(NONCE)?.to_string();
        if !(8..=64).contains(&nonce.len())
            || !nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(AuthError::Malformed(NONCE));
        }
        let signature = hex::decode(signature.trim().trim_start_matches("0x"))
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(AuthError::Malformed(SIGNATURE))?;
        Ok(SignedRequest {
            method: method.to_string(),
            target: target.to_string(),
            account,
            purpose,
            timestamp_ms,
            nonce,
            signature,
        })
    }
}

/// Checks signatures, clocks and nonces for one data host.
pub struct Verifier {
    host: AccountId32,
    max_skew_ms: u64,
    /// (account, nonce) → when the entry may be forgotten (the timestamp then refuses it).
    seen: HashMap<([u8; 32], String), u64>,
}

impl Verifier {
    pub fn new(host: AccountId32, max_skew_ms: u64) -> Verifier {
        Verifier {
            host,
            max_skew_ms,
            seen: HashMap::new(),
        }
    }

    /// Accepts `request` at `now_ms` and returns the account that signed it,
    /// or says why not. A nonce is spent only by a request whose signature holds.
    pub fn accept(
        &mut self,
        request: &SignedRequest,
        now_ms: u64,
    ) -> Result<AccountId32, AuthError> {
        self.seen.retain(|_, forget_at| *forget_at > now_ms);
        let skew_ms = i128::from(request.timestamp_ms) - i128::from(now_ms);
        if skew_ms.unsigned_abs() > u128::from(self.max_skew_ms) {
            return Err(AuthError::Stale { skew_ms });
        }
        let signed = message(
            &self.host,
            &request.method,
            &request.target,
            &request.account,
            request.timestamp_ms,
            &request.nonce,
            &request.purpose,
        );
        if !sr25519::verify(
            &Signature(request.signature),
            &signed,
            &PublicKey(request.account.0),
        ) {
            return Err(AuthError::BadSignature);
        }
        let key = (request.account.0, request.nonce.clone());
        if self.seen.contains_key(&key) {
            return Err(AuthError::Replayed);
        }
        // Past timestamp + skew the clock check refuses the request by itself.
        self.seen
            .insert(key, request.timestamp_ms + self.max_skew_ms + 1);
        Ok(request.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use subxt_signer::sr25519::dev;

    const NOW: u64 = 1_800_000_000_000;

    fn host() -> AccountId32 {
        dev::dave().public_key().to_account_id()
    }

    fn request(key: &Keypair, target: &str, at: u64, nonce: &str) -> SignedRequest {
        let headers = sign(key, &host(), "GET", target, "HMB", at, nonce);
        SignedRequest::from_headers("GET", target, |name| {
            headers
                .iter()
                .find(|(h, _)| *h == name)
                .map(|(_, v)| v.as_str())
        })
        .unwrap()
    }

    #[test]
    fn a_signed_request_names_its_signer_once() {
        let mut v = Verifier::new(host(), 60_000);
        let r = request(&dev::ferdie(), "/reads/a?format=BAM", NOW, "nonce-0001");
        assert_eq!(
            v.accept(&r, NOW + 1_000),
            Ok(dev::ferdie().public_key().to_account_id())
        );
        assert_eq!(v.accept(&r, NOW + 2_000), Err(AuthError::Replayed));
        // Another account may use the same nonce.
        let other = request(&dev::eve(), "/reads/a?format=BAM", NOW, "nonce-0001");
        assert!(v.accept(&other, NOW + 2_000).is_ok());
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let mut v = Verifier::new(host(), 60_000);
        let old = request(&dev::ferdie(), "/reads/a", NOW - 60_001, "nonce-0002");
        assert_eq!(
            v.accept(&old, NOW),
            Err(AuthError::Stale { skew_ms: -60_001 })
        );
        let future = request(&dev::ferdie(), "/reads/a", NOW + 60_001, "nonce-0003");
        assert!(matches!(
            v.accept(&future, NOW),
            Err(AuthError::Stale { .. })
        ));
        let edge = request(&dev::ferdie(), "/reads/a", NOW - 60_000, "nonce-0004");
        assert!(v.accept(&edge, NOW).is_ok());
    }

    #[test]
    fn a_forgotten_nonce_is_still_refused_by_the_clock() {
        let mut v = Verifier::new(host(), 60_000);
        let r = request(&dev::ferdie(), "/reads/a", NOW, "nonce-0005");
        assert!(v.accept(&r, NOW).is_ok());
        assert!(matches!(
            v.accept(&r, NOW + 60_001),
            Err(AuthError::Stale { .. })
        ));
        assert!(v.seen.is_empty(), "expired nonces are forgotten");
    }

    #[test]
    fn any_change_to_a_signed_part_breaks_the_signature() {
        let mut v = Verifier::new(host(), 60_000);
        let good = request(&dev::ferdie(), "/reads/a?start=0&end=10", NOW, "nonce-0006");
        let tampered = [
            SignedRequest {
                target: "/reads/a?start=0&end=99".into(),
                ..good.clone()
            },
            SignedRequest {
                method: "POST".into(),
                ..good.clone()
            },
            SignedRequest {
                purpose: "GRU".into(),
                ..good.clone()
            },
            SignedRequest {
                account: dev::eve().public_key().to_account_id(),
                ..good.clone()
            },
            SignedRequest {
                timestamp_ms: NOW + 1,
                ..good.clone()
            },
            SignedRequest {
                nonce: "nonce-0007".into(),
                ..good.clone()
            },
        ];
        for t in tampered {
            assert_eq!(v.accept(&t, NOW), Err(AuthError::BadSignature), "{t:?}");
        }
        // A request signed for another host does not verify here.
        let mut elsewhere = Verifier::new(dev::charlie().public_key().to_account_id(), 60_000);
        assert_eq!(elsewhere.accept(&good, NOW), Err(AuthError::BadSignature));
        // A refused request does not spend its nonce.
        assert!(v.accept(&good, NOW).is_ok());
    }

    #[test]
    fn missing_and_malformed_headers_are_named() {
        let headers = sign(
            &dev::ferdie(),
            &host(),
            "GET",
            "/x",
            "HMB",
            NOW,
            "nonce-0008",
        );
        let without = |skip: &str, replace: Option<&'static str>| {
            SignedRequest::from_headers("GET", "/x", |name| {
                if name == skip {
                    return replace;
                }
                headers
                    .iter()
                    .find(|(h, _)| *h == name)
                    .map(|(_, v)| v.as_str())
            })
        };
        assert_eq!(
            without(SIGNATURE, None),
            Err(AuthError::Unsigned(SIGNATURE))
        );
        assert_eq!(without(NONCE, None), Err(AuthError::Unsigned(NONCE)));
        assert_eq!(
            without(NONCE, Some("short")),
            Err(AuthError::Malformed(NONCE))
        );
        assert_eq!(
            without(NONCE, Some("has spaces in it")),
            Err(AuthError::Malformed(NONCE))
        );
        assert_eq!(
            without(SIGNATURE, Some("0x1234")),
            Err(AuthError::Malformed(SIGNATURE))
        );
        assert_eq!(
            without(ACCOUNT, Some("nobody")),
            Err(AuthError::Malformed(ACCOUNT))
        );
        assert_eq!(
            without(TIMESTAMP, Some("yesterday")),
            Err(AuthError::Malformed(TIMESTAMP))
        );
    }
}
