//! GA4GH sequence-collection (seqcol) style digests of a file's reference sequences.
//!
//! Follows the seqcol algorithm: each attribute array is serialised as RFC 8785 canonical JSON
//! and digested with `sha512t24u` (SHA-512, first 24 bytes, base64url); the level-1 object of
//! attribute digests is canonicalised (keys sorted) and digested the same way.
//!
//! Two digests come out:
//! * the **coordinate system** (`names` and `lengths`), which is what the records refer to and is
//!   part of the content digest;
//! * the **collection** (`names`, `lengths` and, when every sequence has one, `md5_sequences` from
//!   SAM `M5` / VCF `md5`), reported to identify the reference. Seqcol proper uses refget
//!   digests under `sequences`; headers only carry MD5s, hence the separate attribute name.

use sha2::{Digest, Sha512};

/// One reference sequence as a header declares it.
pub struct Sequence<'a> {
    pub name: &'a str,
    pub length: u64,
    pub md5: Option<&'a str>,
}

/// The two seqcol digests of a header's sequence list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seqcol {
    pub coordinate_system: String,
    pub collection: String,
}

impl Seqcol {
    pub fn new(sequences: &[Sequence<'_>]) -> Self {
        let names: Vec<&str> = sequences.iter().map(|s| s.name).collect();
        let lengths: Vec<u64> = sequences.iter().map(|s| s.length).collect();
        let mut attributes = serde_json::Map::new();
        attributes.insert("lengths".into(), attribute_digest(&lengths).into());
        attributes.insert("names".into(), attribute_digest(&names).into());
        let coordinate_system = object_digest(&attributes);

        let md5s: Option<Vec<String>> = sequences
            .iter()
            .map(|s| s.md5.map(str::to_ascii_lowercase))
            .collect();
        let collection = match md5s {
            Some(md5s) if !md5s.is_empty() => {
                attributes.insert("md5_sequences".into(), attribute_digest(&md5s).into());
                object_digest(&attributes)
            }
            _ => coordinate_system.clone(),
        };
        Self {
            coordinate_system,
            collection,
        }
    }
}

fn attribute_digest<T: serde::Serialize>(values: &T) -> String {
    sha512t24u(
        serde_json::to_string(values)
            .expect("arrays of strings and integers serialise")
            .as_bytes(),
    )
}

fn object_digest(attributes: &serde_json::Map<String, serde_json::Value>) -> String {
    // serde_json's map keeps keys sorted, and its compact output is RFC 8785 for these values.
    sha512t24u(
        serde_json::to_string(attributes)
            .expect("a map of strings serialises")
            .as_bytes(),
    )
}

/// `sha512t24u`: base64url (no padding) of the first 24 bytes of SHA-512.
pub fn sha512t24u(data: &[u8]) -> String {
    let digest = Sha512::digest(data);
    base64url(&digest[..24])
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=group.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha512t24u_matches_the_refget_test_vector() {
        // refget's published digest of the empty sequence and of "ACGT".
        assert_eq!(sha512t24u(b""), "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXc");
        assert_eq!(sha512t24u(b"ACGT"), "aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2");
    }

    #[test]
    fn base64url_handles_partial_groups() {
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn md5s_change_the_collection_but_not_the_coordinate_system() {
        let bare = [Sequence {
            name: "chr1",
            length: 10,
            md5: None,
        }];
        let with_md5 = [Sequence {
            name: "chr1",
            length: 10,
            md5: Some("ABCDEF"),
        }];
        let (a, b) = (Seqcol::new(&bare), Seqcol::new(&with_md5));
        assert_eq!(a.coordinate_system, b.coordinate_system);
        assert_eq!(a.collection, a.coordinate_system);
        assert_ne!(b.collection, a.collection);
    }

    #[test]
    fn names_and_lengths_are_both_bound() {
        let base = Seqcol::new(&[Sequence {
            name: "1",
            length: 5,
            md5: None,
        }]);
        let renamed = Seqcol::new(&[Sequence {
            name: "2",
            length: 5,
            md5: None,
        }]);
        let resized = Seqcol::new(&[Sequence {
            name: "1",
            length: 6,
            md5: None,
        }]);
        assert_ne!(base, renamed);
        assert_ne!(base, resized);
    }
}
