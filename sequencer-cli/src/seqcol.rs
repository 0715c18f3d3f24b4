//! GA4GH sequence-collection (seqcol) digests of a file's reference sequences.
//!
//! **`bionft-c2`** uses the standard's own digests ([`Ga4gh`]), so they compare equal to what a
//! seqcol server reports for the same collection:
//! * `sorted_name_length_pairs`: each sequence's `{"length": L, "name": N}` as RFC 8785 canonical
//!   JSON, digested with `sha512t24u`; the digests sorted; the array of them canonicalised and
//!   digested. This is the coordinate system: it ignores sequence order and content, and is what
//!   c2's header encoding binds.
//! * the **level-0 digest** of the collection, from its inherent attributes `names` and
//!   `sequences` (refget digests `SQ.<sha512t24u of the upper-cased sequence>`; `lengths` is not
//!   inherent, it follows from the sequences), when every sequence is known (`--reference
//!   FASTA`): each array canonicalised and digested, then the object of the two digests
//!   canonicalised and digested. Reported, not bound into content.
//!
//! Canonical JSON here is `serde_json`'s compact output with object keys in sorted order: for
//! arrays of strings and non-negative integers and for these ASCII keys it is exactly RFC 8785
//! (same escapes, integers as written, no whitespace).
//!
//! **`bionft-c1`** (frozen, [`Seqcol`]) follows the same algorithm with its own attributes: each attribute array is serialised as RFC 8785 canonical JSON
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

/// The GA4GH seqcol digests of a header's sequences (scheme `bionft-c2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ga4gh {
    /// The `sorted_name_length_pairs` attribute digest.
    pub sorted_name_length_pairs: String,
    /// The names and lengths in header order, to compute the level-0 digest from a reference.
    pub names: Vec<String>,
    pub lengths: Vec<u64>,
}

impl Ga4gh {
    pub fn new(sequences: &[Sequence<'_>]) -> Self {
        let names: Vec<String> = sequences.iter().map(|s| s.name.to_owned()).collect();
        let lengths: Vec<u64> = sequences.iter().map(|s| s.length).collect();
        Self {
            sorted_name_length_pairs: sorted_name_length_pairs(&names, &lengths),
            names,
            lengths,
        }
    }

    /// The level-0 digest, given each sequence's refget digest (`SQ.…`) in header order.
    pub fn level0(&self, sequences: &[String]) -> String {
        level0(&self.names, sequences)
    }
}

/// The `sorted_name_length_pairs` attribute digest.
pub fn sorted_name_length_pairs(names: &[String], lengths: &[u64]) -> String {
    let mut pairs: Vec<String> = names
        .iter()
        .zip(lengths)
        .map(|(name, &length)| {
            let pair = serde_json::json!({ "length": length, "name": name });
            sha512t24u(canonical_json(&pair).as_bytes())
        })
        .collect();
    pairs.sort_unstable();
    attribute_digest(&pairs)
}

/// The level-0 digest of a collection from its inherent attributes, `names` and `sequences`.
pub fn level0(names: &[String], sequences: &[String]) -> String {
    let mut level1 = serde_json::Map::new();
    level1.insert("names".into(), attribute_digest(&names).into());
    level1.insert("sequences".into(), attribute_digest(&sequences).into());
    object_digest(&level1)
}

/// The refget digest of a sequence: `SQ.` and the `sha512t24u` of its upper-cased residues.
pub fn refget_digest(residues: &[u8]) -> String {
    format!("SQ.{}", sha512t24u(&residues.to_ascii_uppercase()))
}

fn canonical_json(value: &serde_json::Value) -> String {
    // Every object here is built with its keys in sorted order, so the output is canonical
    // whether or not serde_json's `preserve_order` feature is on.
    serde_json::to_string(value).expect("JSON values serialise")
}

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

    /// The seqcol specification's test collection `base.fa` (refget's
    /// `test_fasta/test_fasta_digests.json`): chrX TTGGGGAA, chr1 GGAA, chr2 GCGC.
    fn base_fa() -> (Vec<String>, Vec<u64>, Vec<String>) {
        let sequences: [(&str, &[u8]); 3] =
            [("chrX", b"TTGGGGAA"), ("chr1", b"GGAA"), ("chr2", b"gcgc")];
        (
            sequences.iter().map(|(n, _)| n.to_string()).collect(),
            sequences.iter().map(|(_, s)| s.len() as u64).collect(),
            sequences.iter().map(|(_, s)| refget_digest(s)).collect(),
        )
    }

    #[test]
    fn the_spec_test_vectors_of_base_fa() {
        let (names, lengths, sequences) = base_fa();
        assert_eq!(
            sequences,
            [
                "SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw",
                "SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj",
                "SQ.AcLxtBuKEPk_7PGE_H4dGElwZHCujwH6"
            ]
        );
        assert_eq!(attribute_digest(&names), "Fw1r9eRxfOZD98KKrhlYQNEdSRHoVxAG");
        assert_eq!(
            attribute_digest(&lengths),
            "cGRMZIb3AVgkcAfNv39RN7hnT5Chk7RX"
        );
        assert_eq!(
            attribute_digest(&sequences),
            "0uDQVLuHaOZi1u76LjV__yrVUIz9Bwhr"
        );
        assert_eq!(
            sorted_name_length_pairs(&names, &lengths),
            "zjM1Ie9m0zFbqsAnZ6jAJSXuFpKTr40J"
        );
        assert_eq!(
            level0(&names, &sequences),
            "XZlrcEGi6mlopZ2uD8ObHkQB1d0oDwKk"
        );
    }

    #[test]
    fn the_spec_test_vectors_of_reordered_and_renamed_collections() {
        let (names, lengths, sequences) = base_fa();
        // different_order.fa: same pairs in another order; same coordinate system.
        let order = [1, 2, 0];
        let pick = |v: &[String]| order.iter().map(|&i| v[i].clone()).collect::<Vec<_>>();
        let (n2, s2) = (pick(&names), pick(&sequences));
        let l2: Vec<u64> = order.iter().map(|&i| lengths[i]).collect();
        assert_eq!(
            sorted_name_length_pairs(&n2, &l2),
            "zjM1Ie9m0zFbqsAnZ6jAJSXuFpKTr40J"
        );
        assert_eq!(level0(&n2, &s2), "Tpdsg75D4GKCGEHtIiDSL9Zx-DSuX5V8");
        // different_names.fa: X, 1, 2.
        let renamed: Vec<String> = ["X", "1", "2"].map(String::from).to_vec();
        assert_eq!(
            sorted_name_length_pairs(&renamed, &lengths),
            "1FQEGOQQ-m0NmZ0R-eeJEfnH1ayqJQ0T"
        );
        assert_eq!(
            level0(&renamed, &sequences),
            "QvT5tAQ0B8Vkxd-qFftlzEk2QyfPtgOv"
        );
        // pair_swap.fa: names chr2, chr1, chrX over the same lengths.
        let swapped: Vec<String> = ["chr2", "chr1", "chrX"].map(String::from).to_vec();
        assert_eq!(
            sorted_name_length_pairs(&swapped, &lengths),
            "rL5OQOnFba8yyz7lS-0-hgZvwcQsiajN"
        );
        // subset.fa: chrX and chr1.
        assert_eq!(
            sorted_name_length_pairs(&names[..2], &lengths[..2]),
            "AvGYsdgtJpTLKYil3eLddJxwrE5OfKhE"
        );
    }

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
