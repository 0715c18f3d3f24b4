//! Account ids as the API shows and accepts them.
//!
//! Answers write accounts as `0x` + 64 hex digits, unambiguous on any chain.
//! Requests may also give them in SS58 (what Polkadot.js and subxt print),
//! with any network prefix; the checksum is verified.

use blake2::{Blake2b512, Digest};
use std::fmt;
use std::str::FromStr;

/// A 32-byte account id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Account(pub [u8; 32]);

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Account {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a text is not an account id.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not an account id (0x + 64 hex digits, or SS58)")]
pub struct BadAccount(pub String);

impl FromStr for Account {
    type Err = BadAccount;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadAccount(s.chars().take(80).collect());
        if let Some(h) = s.strip_prefix("0x") {
            let mut out = [0u8; 32];
            hex::decode_to_slice(h, &mut out).map_err(|_| bad())?;
            return Ok(Account(out));
        }
        let raw = bs58::decode(s).into_vec().map_err(|_| bad())?;
        // One prefix byte for networks 0..=63, two above.
        let prefix_len = match raw.first() {
            Some(b) if *b < 64 => 1,
            Some(b) if *b < 128 => 2,
            _ => return Err(bad()),
        };
        if raw.len() != prefix_len + 32 + 2 {
            return Err(bad());
        }
        let (body, checksum) = raw.split_at(prefix_len + 32);
        let hash = Blake2b512::new()
            .chain_update(b"SS58PRE")
            .chain_update(body)
            .finalize();
        if &hash[..2] != checksum {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(&body[prefix_len..]);
        Ok(Account(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alice_in_ss58_and_hex_is_the_same_account() {
        // Substrate's well-known dev account //Alice, generic prefix 42.
        let ss58: Account = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
            .parse()
            .unwrap();
        let hex: Account = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
            .parse()
            .unwrap();
        assert_eq!(ss58, hex);
        assert_eq!(
            hex.to_string(),
            "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
    }

    #[test]
    fn a_mistyped_ss58_fails_its_checksum() {
        assert!("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"
            .parse::<Account>()
            .is_err());
        assert!("0x1234".parse::<Account>().is_err());
        assert!("bob".parse::<Account>().is_err());
    }
}
