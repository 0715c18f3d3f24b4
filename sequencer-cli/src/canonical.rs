//! The canonical content encoding and the digests over it: scheme **`bionft-c1`** (digest
//! algorithm id 1) and scheme **`bionft-c2`** (digest algorithm id 2, the default for new
//! manifests).
//!
//! This is the one place where the encoding is written down. Anything that changes the bytes
//! produced here, or how they are hashed, is a new scheme version (`bionft-c3`, id 3), never an
//! edit of a released one: digests already committed on chain must stay reproducible. Both
//! schemes share the record encodings below; c2 differs in the coordinate-system digest inside
//! the header encoding and in how the records' bytes are hashed (section "bionft-c2").
//!
//! # Primitives
//!
//! All integers are little-endian. `u8`, `u16`, `u32`, `u64`, `i64` are fixed width.
//! `bytes(x)` is `u32(len(x)) ‖ x`. A "list of N items" is `u32(N)` followed by the items.
//! Floats are written as `u32` of their IEEE-754 single-precision bits (SAM `f`, VCF `Float`
//! and BCF all store single precision, so text and binary agree bit for bit).
//!
//! # Kinds
//!
//! Every file is of one kind, written as one byte: `R` reads (FASTQ), `A` alignments
//! (SAM/BAM/CRAM), `V` variants (VCF/BCF).
//!
//! # Alignment record (`A`)
//!
//! 1. `bytes(reference name)`; empty when the record has no reference.
//! 2. `u64` 1-based position; 0 when absent.
//! 3. CIGAR as a list of `u32(length) ‖ u8(op)`, ops written as `MIDNSHP`. Policy:
//!    `=` and `X` are written as `M` (CRAM round trips do not keep them, and they are derivable
//!    from the reference); zero-length ops are dropped; adjacent equal ops are merged.
//!    Unmapped records (flag 0x4) have an empty CIGAR: CRAM does not store one for them.
//! 4. `u16` flags.
//! 5. `u8` mapping quality; 255 when missing, and for unmapped records (CRAM does not store it).
//! 6. `bytes(read name)`; empty when `*`.
//! 7. `bytes(mate reference name)`; empty when absent (SAM `=` is resolved to the name).
//! 8. `u64` 1-based mate position; 0 when absent.
//! 9. `i64` template length; its absolute value when the mate starts at the same position on
//!    the same reference (SAM leaves the sign undefined there, and CRAM decoders differ).
//! 10. `u32(sequence length)` then the bases packed two per byte with the BAM 4-bit code
//!     `=ACMGRSVTWYHKDBN` (high nibble first, a trailing odd nibble is 0). Lower case is
//!     upper-cased; any other symbol is `N`.
//! 11. `u8(1) ‖ phred bytes` (one per base, no +33 offset) when qualities are present;
//!     `u8(0)` when they are absent (SAM `*`, BAM all `0xFF`, or an empty array).
//! 12. Auxiliary fields as a list, sorted by tag bytes, **excluding `MD` and `NM`** (they are
//!     derived from the reference and CRAM may drop or regenerate them) **and `cF`** (CRAM
//!     storage flags that some CRAM writers keep as a tag and htslib hides). Each field is
//!     `tag[2] ‖ u8(type) ‖ value` with types normalised: every integer width is `i` + `i64`;
//!     `A` + `u8`; `f` + float; `Z` + `bytes`; `H` + `bytes`; `B` + `u8(i|f)` + list of
//!     `i64` or float elements (integer array widths normalised the same way).
//!
//! # Variant record (`V`)
//!
//! 1. `bytes(CHROM)`, 2. `u64 POS` (0 when absent), 3. IDs as a list of `bytes`, in file order,
//!    4. `bytes(REF)`, 5. ALT as a list of `bytes`, 6. QUAL as `u8(0)` or `u8(1) ‖ float`,
//!    7. FILTER as `u8(0)` when missing, else `u8(1)` and a list of `bytes`, **sorted**
//!    (`PASS` is written as `PASS`),
//!    8. INFO as a list sorted by key of `bytes(key) ‖ value`,
//!    9. samples: `u32(number of samples)`, the FORMAT keys as a list of `bytes` in file order,
//!    then for each sample and each key a value, with missing values written explicitly.
//!
//! A value is one of: `.` (missing), `F` (flag), `i ‖ i64`, `f ‖ float`, `c ‖ u32(char)`,
//! `Z ‖ bytes`, `G ‖ list of (u8 phased ‖ i64 allele, -1 when missing)` for genotypes, or
//! `a ‖ list of values` for arrays. A one-element array is written as its single value, so that
//! text and binary decoders that disagree on `Number=A` with one ALT still agree. The phasing
//! byte of a genotype's first allele is always 0 (VCF before 4.4 has no prefix phasing and
//! decoders differ on what they report for it).
//!
//! # Read record (`R`)
//!
//! `bytes(name) ‖ bytes(description) ‖ bytes(sequence) ‖ bytes(quality)`, all as in the file
//! (qualities keep their ASCII offset; FASTQ has no binary form that would re-encode them).
//!
//! # Header
//!
//! Only content survives; run-to-run noise is dropped.
//!
//! * Alignments: `bytes(coordinate-system seqcol digest)` (see [`crate::seqcol`], names and
//!   lengths only, so that a CRAM writer adding `M5` does not change the content), then the read
//!   groups as a list sorted by ID of `bytes(ID) ‖ list of (tag[2] ‖ bytes(value))` sorted by tag,
//!   without `DT` (a date). `@HD` (version, sort order), `@PG`, `@CO` and every other `@SQ`
//!   field are dropped.
//! * Variants: `bytes(coordinate-system seqcol digest of the ##contig lines)` (a missing length
//!   is 0), then the sample names as a list of `bytes`, in column order. INFO/FORMAT/FILTER
//!   definitions, `##fileformat`, `##fileDate`, `##source`, tool command lines and every other
//!   meta line are dropped: record values are typed by the decoder, so their bytes do not
//!   depend on the definitions' wording.
//! * Reads: empty.
//!
//! # Digests (all SHA-256 unless noted; the hex is lowercase)
//!
//! * record digest `r = SHA-256(0x00 ‖ kind ‖ record encoding)`;
//! * header digest `h = SHA-256(0x06 ‖ kind ‖ header encoding)`;
//! * records are cut into chunks of [`CHUNK_RECORDS`] in file order; a chunk leaf is
//!   `SHA-256(0x01 ‖ r_1 ‖ … ‖ r_n)`, and the chunk leaves form an RFC 6962 Merkle tree
//!   (see [`crate::merkle`]) with inner nodes `SHA-256(0x02 ‖ left ‖ right)`;
//! * **content digest** `D = SHA3-256("bionft-c1" ‖ 0x00 ‖ kind ‖ h ‖ u64(record count) ‖
//!   u64(CHUNK_RECORDS) ‖ merkle root)`, printed as `bionft-c1:<64 hex>`;
//! * order-independent digest `U = SHA-256(0x05 ‖ h ‖ u64(count) ‖ sorted r_1 … r_n)`, where the
//!   record digests are sorted bytewise with duplicates kept (see [`crate::unordered`]);
//! * per-read-group digest `G = SHA-256(0x04 ‖ bytes(RG) ‖ r_i …)` over the group's records in
//!   file order (records without `RG` form the group with the empty name);
//! * **commitment** `C = SHA3-256(salt ‖ D)`, where `D` is the ASCII digest string exactly as
//!   printed (`bionft-c1:…`, 74 bytes), so the scheme version is bound into the commitment.
//!
//! SHA-256 is used below the top because per-record hashing dominates the cost and SHA-256 runs
//! on the CPU's SHA extensions; SHA3-256 binds the result and the commitment, as the chain does.
//!
//! # bionft-c2
//!
//! c1 hashes every record on its own: 22 M SHA-256 computations over ~300-byte inputs for a
//! 1 GB BAM, which is most of its cost. c2 hashes the same canonical bytes in long runs, one run
//! per read group per chunk, with BLAKE3 (about 10 GB/s on long inputs with AVX-512 on this
//! machine kind, against 2 GB/s for SHA-NI SHA-256; on 300-byte records BLAKE3 is the slower,
//! see `examples/hash-speed.rs`). Everything not listed here is as in c1.
//!
//! * **Records**: the `A`, `V` and `R` encodings above, unchanged.
//! * **Header**: the encoding above with the coordinate-system digest replaced by the GA4GH
//!   seqcol `sorted_name_length_pairs` digest (see [`crate::seqcol`]; order of `@SQ` lines and
//!   their other fields do not count, the records name their references); `h2 = SHA-256(0x16 ‖
//!   kind ‖ header encoding)`.
//! * **Chunks**: [`CHUNK_RECORDS`] records in file order, as in c1. Within a chunk each record
//!   belongs to a group: alignments to their `RG` (records without `RG` to the group with the
//!   empty name), reads and variants all to the empty-named group. Groups are numbered in the
//!   order they first appear in the chunk.
//! * **Run** of a group in a chunk: `0x12 ‖ kind ‖ (u32(len) ‖ encoding)` for each of its records
//!   in file order; `s = BLAKE3(run)` (32 bytes, unkeyed).
//! * **Chunk leaf** `L = SHA-256(0x11 ‖ kind ‖ u32(n records) ‖ u32(m groups) ‖ for each group
//!   in number order: bytes(name) ‖ u32(its records) ‖ s ‖ then, only when m > 1, u32(group
//!   number) of every record in file order)`. The leaf binds every record's bytes and the file
//!   order (the runs keep each group's order, the numbers interleave them).
//! * **Merkle tree** over the leaves exactly as c1 ([`crate::merkle`]).
//! * **Content digest** `D = SHA3-256("bionft-c2" ‖ 0x00 ‖ kind ‖ h2 ‖ u64(record count) ‖
//!   u64(CHUNK_RECORDS) ‖ merkle root)`, printed `bionft-c2:<64 hex>`; **commitment**
//!   `SHA3-256(salt ‖ D string)` as c1.
//! * **Per-read-group digest** `G = SHA-256(0x14 ‖ bytes(RG) ‖ for each chunk holding records of
//!   the group, in order: u32(its records there) ‖ s)`. Unlike c1's, it depends on where chunk
//!   boundaries fall among the group's records: equal for files with the same records in the
//!   same order (SAM, BAM, CRAM of one file), but records added or removed in another group
//!   before it change it. `compare` names differing groups record by record instead.
//! * **Order-independent digest**, only with `--unordered`: c1's definition (SHA-256 over the
//!   sorted record digests `SHA-256(0x00 ‖ kind ‖ encoding)`) with `h2` in place of `h`. It
//!   needs one SHA-256 per record again, which is why it is opt-in.
//! * **Proofs** carry a chunk's every record (the leaf hashes bytes, not record digests); see
//!   [`crate::proof`].

use std::io;

use sha2::{Digest, Sha256};

use crate::merkle::Hash;
use crate::scheme::Scheme;
use crate::seqcol::{self, Seqcol};
use noodles::sam::alignment::record::{
    cigar::{op::Kind as OpKind, Op},
    data::field::{value::Array, Tag, Value as AuxValue},
};
use noodles::vcf::variant::record::samples::series::value::genotype::Phasing;
use noodles::vcf::variant::record_buf::{info::field::Value as InfoValue, samples::sample::Value};

const HEADER_DOMAIN: u8 = 0x06;
const HEADER_DOMAIN_C2: u8 = 0x16;

/// Records per Merkle chunk.
pub const CHUNK_RECORDS: usize = 4096;

/// What a file holds; decides the record encoding and the on-chain record kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Reads,
    Alignment,
    Variants,
}

impl Kind {
    /// The byte that identifies the kind inside every hash.
    pub fn tag(self) -> u8 {
        match self {
            Kind::Reads => b'R',
            Kind::Alignment => b'A',
            Kind::Variants => b'V',
        }
    }

    /// The record kind `register_artifact` expects.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Reads => "reads",
            Kind::Alignment => "alignment",
            Kind::Variants => "variants",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Kind::Reads, Kind::Alignment, Kind::Variants]
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// Appends canonical primitives to a byte buffer.
pub struct Encoder<'a>(pub &'a mut Vec<u8>);

impl Encoder<'_> {
    pub fn u8(&mut self, n: u8) {
        self.0.push(n);
    }

    pub fn u16(&mut self, n: u16) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub fn i64(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub fn f32(&mut self, x: f32) {
        self.u32(x.to_bits());
    }

    pub fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("canonical lengths fit in u32"));
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }

    /// Reserves a list-length slot; [`Encoder::patch_len`] fills it once the items are written.
    fn len_slot(&mut self) -> usize {
        self.u32(0);
        self.0.len() - 4
    }

    fn patch_len(&mut self, slot: usize, n: usize) {
        let n = u32::try_from(n).expect("canonical lengths fit in u32");
        self.0[slot..slot + 4].copy_from_slice(&n.to_le_bytes());
    }
}

/// How the bases of an alignment record are held by its decoder.
pub enum Bases<'a> {
    /// BAM's own packing: `len` bases, two per byte.
    Packed { len: usize, bytes: &'a [u8] },
    /// One ASCII symbol per base (SAM text, CRAM records).
    Ascii(&'a [u8]),
}

/// The fields of one alignment record, borrowed from whichever decoder read it.
pub struct AlignmentFields<'a, C, T> {
    pub reference_name: &'a [u8],
    pub position: u64,
    pub cigar: C,
    pub flags: u16,
    pub mapping_quality: Option<u8>,
    pub name: &'a [u8],
    pub mate_reference_name: &'a [u8],
    pub mate_position: u64,
    pub template_length: i64,
    pub bases: Bases<'a>,
    pub quality_scores: &'a [u8],
    pub data: T,
}

#[cfg(test)]
impl<T> AlignmentFields<'static, std::iter::Empty<io::Result<Op>>, T> {
    /// Test fixture: an unmapped record named `r` with no bases, carrying `data`.
    pub(crate) fn unmapped(data: T) -> Self {
        AlignmentFields {
            reference_name: b"",
            position: 0,
            cigar: std::iter::empty(),
            flags: 0x4,
            mapping_quality: None,
            name: b"r",
            mate_reference_name: b"",
            mate_position: 0,
            template_length: 0,
            bases: Bases::Ascii(b""),
            quality_scores: &[],
            data,
        }
    }
}

/// One auxiliary field of the record being encoded: its tag, and where its encoding lies in
/// [`Scratch`]'s bytes.
struct EncodedField {
    tag: [u8; 2],
    start: u32,
    end: u32,
}

/// Scratch space reused across records so that encoding does not allocate per record.
#[derive(Default)]
pub struct Scratch {
    /// The record's auxiliary fields, each encoded whole (tag first), in the record's order.
    bytes: Vec<u8>,
    /// Each field's tag and where it lies in `bytes`, in the record's order.
    fields: Vec<EncodedField>,
    /// The orders of the last two different tag lists encoded field by field: files often
    /// alternate two, such as unmapped mates (`RG` alone) and mapped reads.
    orders: [FieldOrder; 2],
    /// Which of `orders` is the current record's.
    current: usize,
    read_group: Vec<u8>,
    has_read_group: bool,
    /// The layouts of raw BAM data sections met last (see [`RawLayouts`]).
    raw: RawLayouts,
}

/// The tags and types of the last two different raw BAM data sections that encoded: the records
/// of a file mostly repeat one or two (such as unmapped mates with `RG` alone, and mapped reads),
/// and a section with a known layout is encoded straight into place, in tag order, without
/// sorting its tags or copying its fields through scratch space.
#[derive(Default)]
struct RawLayouts {
    known: [RawLayout; 2],
    /// Which of `known` encoded last.
    last: usize,
    /// Where each field's value lies in the section being encoded by a known layout.
    values: Vec<(u32, u32)>,
    /// While a section is encoded field by field: the index of each field kept (not excluded)
    /// among all of its fields.
    kept: Vec<u32>,
}

/// A data section's layout, learnt from one that encoded.
#[derive(Default)]
struct RawLayout {
    /// False until a section has been encoded by it: a layout is learnt only from one that is
    /// valid.
    valid: bool,
    /// Each field, in the record's order, excluded tags included.
    fields: Vec<KnownField>,
    /// The indices in `fields` of the fields written, in tag order.
    written: Vec<u32>,
    /// The index in `fields` of the `RG` string.
    read_group: Option<u32>,
}

/// A field of a known layout: its tag and type, and what its type says of its value, so that
/// integers (most fields) are found and written without a jump on their type.
#[derive(Clone, Copy)]
struct KnownField {
    head: [u8; 3],
    /// The value's length when the type fixes it (`AcCsSiIf`); 0 for `Z`, `H` and `B`.
    fixed: u8,
    /// For integers (`cCsSiI`), `64 - 8 × width`: the shift that extends them to 64 bits; 0 for
    /// every other type.
    int_shift: u8,
    signed: bool,
}

impl KnownField {
    fn of(head: [u8; 3]) -> Self {
        let ty = head[2];
        let fixed = match ty {
            b'Z' | b'H' | b'B' => 0,
            b'A' => 1,
            _ => bam_int_width(ty).unwrap_or(0) as u8,
        };
        let int = !matches!(ty, b'A' | b'f') && fixed > 0;
        KnownField {
            head,
            fixed,
            int_shift: if int { 64 - 8 * fixed } else { 0 },
            signed: matches!(ty, b'c' | b's' | b'i'),
        }
    }

    /// The integer whose little-endian bytes start `bytes`' first four (the field's width is
    /// at most four; the bytes after it are shifted out).
    #[inline(always)]
    fn int(self, bytes: [u8; 4]) -> i64 {
        let shifted = u64::from(u32::from_le_bytes(bytes)) << self.int_shift;
        if self.signed {
            (shifted as i64) >> self.int_shift
        } else {
            (shifted >> self.int_shift) as i64
        }
    }
}

impl RawLayout {
    fn clear(&mut self) {
        self.valid = false;
        self.fields.clear();
        self.written.clear();
        self.read_group = None;
    }

    /// Finds each field's value in `data` (into `values`) when its fields have exactly this
    /// layout's tags and types, in the same order, and parse.
    fn locate(&self, data: &[u8], values: &mut Vec<(u32, u32)>) -> bool {
        if !self.valid {
            return false;
        }
        values.clear();
        let mut src = data;
        for field in &self.fields {
            if src.get(..3) != Some(&field.head[..]) {
                return false;
            }
            // The value follows the tag and type. A record is under 4 GiB: offsets fit a u32.
            let start = data.len() - src.len() + 3;
            let len = if field.fixed > 0 {
                let Some(rest) = src.get(3 + usize::from(field.fixed)..) else {
                    return false;
                };
                src = rest;
                usize::from(field.fixed)
            } else {
                let Ok((_, value)) = split_bam_field(&mut src) else {
                    return false;
                };
                value.len()
            };
            values.push((start as u32, (start + len) as u32));
        }
        src.is_empty()
    }
}

/// How the fields of a tag list are ordered.
#[derive(Default)]
struct FieldOrder {
    /// The tags in the record's order.
    tags: Vec<[u8; 2]>,
    /// Their sort keys (see [`sort_key`]) in tag order.
    keys: Vec<u64>,
}

/// A field whose encoding is at most this long is copied as one fixed-size move.
const SHORT_FIELD: usize = 16;

impl Scratch {
    /// Starts a record's auxiliary fields.
    fn clear_fields(&mut self) {
        self.bytes.clear();
        self.fields.clear();
        self.has_read_group = false;
    }

    /// Adds the field with `tag` whose encoding is `bytes[start..]`.
    fn push_field(&mut self, tag: [u8; 2], start: usize) {
        let at = |n: usize| u32::try_from(n).expect("a record's fields are under 4 GiB");
        let (start, end) = (at(start), at(self.bytes.len()));
        self.fields.push(EncodedField { tag, start, end });
    }

    fn set_read_group(&mut self, name: &[u8]) {
        self.read_group.clear();
        self.read_group.extend_from_slice(name);
        self.has_read_group = true;
    }

    /// Appends the fields as a list in tag order, refusing a tag that appears twice.
    fn write_fields(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.order_fields()?;
        Encoder(out).len(self.fields.len());
        out.reserve(self.bytes.len());
        // Slack after the last field, so that every short field has SHORT_FIELD bytes to copy.
        self.bytes.extend_from_slice(&[0; SHORT_FIELD]);
        for &key in &self.orders[self.current].keys {
            let field = &self.fields[key as u32 as usize];
            let (start, end) = (field.start as usize, field.end as usize);
            if end - start <= SHORT_FIELD {
                let bytes: &[u8; SHORT_FIELD] = self.bytes[start..start + SHORT_FIELD]
                    .try_into()
                    .expect("SHORT_FIELD bytes");
                out.extend_from_slice(bytes);
                out.truncate(out.len() - (SHORT_FIELD - (end - start)));
            } else {
                out.extend_from_slice(&self.bytes[start..end]);
            }
        }
        Ok(())
    }

    /// Finds the order of the fields by tag, refusing a tag that appears twice. The records of a
    /// file mostly list the same tags in the same order, so the orders of the last two tag
    /// lists are reused while the tags are the same.
    fn order_fields(&mut self) -> io::Result<()> {
        let tags = self.fields.iter().map(|field| &field.tag);
        if let Some(i) = (0..2).find(|&i| self.orders[i].tags.iter().eq(tags.clone())) {
            self.current = i;
            return Ok(());
        }
        // The order not used last makes way.
        self.current = 1 - self.current;
        let order = &mut self.orders[self.current];
        order.tags.clear();
        order.keys.clear();
        order
            .keys
            .extend(tags.enumerate().map(|(i, &tag)| sort_key(tag, i)));
        if let Err(e) = sort_unique(&mut order.keys) {
            // No order for no tags: the next record's must be found anew.
            order.keys.clear();
            return Err(e);
        }
        order.tags.extend(self.fields.iter().map(|field| field.tag));
        Ok(())
    }

    /// Encodes a raw BAM data section whose layout is one of the two known ones; false, with
    /// nothing written, when it is neither (or does not parse: the field-by-field encoding then
    /// refuses it with the reason).
    fn encode_by_layout(&mut self, data: &[u8], out: &mut Vec<u8>) -> bool {
        let raw = &mut self.raw;
        let Some(i) = [raw.last, 1 - raw.last]
            .into_iter()
            .find(|&i| raw.known[i].locate(data, &mut raw.values))
        else {
            return false;
        };
        raw.last = i;
        let (layout, values) = (&raw.known[i], &raw.values);
        let value = |i: u32| {
            let (start, end) = values[i as usize];
            &data[start as usize..end as usize]
        };
        Encoder(out).len(layout.written.len());
        for &i in &layout.written {
            let field = layout.fields[i as usize];
            let start = values[i as usize].0 as usize;
            // An integer is read as the four bytes where it starts, when the section has them.
            match data.get(start..start + 4) {
                Some(&[a, b, c, d]) if field.int_shift > 0 => {
                    encode_int(field.head, field.int([a, b, c, d]), out)
                }
                _ => encode_bam_field(field.head, value(i), out),
            }
        }
        match layout.read_group {
            Some(i) => {
                let name = value(i);
                self.set_read_group(name);
            }
            None => self.has_read_group = false,
        }
        true
    }

    /// The `RG` of the last alignment record encoded with this scratch space.
    pub fn read_group(&self) -> Option<&[u8]> {
        self.has_read_group.then_some(self.read_group.as_slice())
    }
}

/// The BAM 4-bit code of every byte: a symbol's place in `=ACMGRSVTWYHKDBN` (either case), 15
/// (`N`) for any other byte.
const BASE_CODE: [u8; 256] = {
    const SYMBOLS: &[u8; 16] = b"=ACMGRSVTWYHKDBN";
    let mut codes = [15; 256];
    let mut code = 0;
    while code < SYMBOLS.len() {
        codes[SYMBOLS[code] as usize] = code as u8;
        codes[SYMBOLS[code].to_ascii_lowercase() as usize] = code as u8;
        code += 1;
    }
    codes
};

fn op_symbol(kind: OpKind) -> u8 {
    match kind {
        OpKind::Match | OpKind::SequenceMatch | OpKind::SequenceMismatch => b'M',
        OpKind::Insertion => b'I',
        OpKind::Deletion => b'D',
        OpKind::Skip => b'N',
        OpKind::SoftClip => b'S',
        OpKind::HardClip => b'H',
        OpKind::Pad => b'P',
    }
}

/// Whether a CIGAR symbol consumes reference positions.
pub fn consumes_reference(symbol: u8) -> bool {
    matches!(symbol, b'M' | b'D' | b'N')
}

/// Appends the `A` encoding of one alignment record, and keeps its `RG` in `scratch`.
pub fn encode_alignment<C, T>(
    fields: AlignmentFields<'_, C, T>,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> io::Result<()>
where
    C: Iterator<Item = io::Result<Op>>,
    T: AuxFields,
{
    const UNMAPPED: u16 = 0x4;
    let unmapped = fields.flags & UNMAPPED != 0;
    let mut e = Encoder(out);
    e.bytes(fields.reference_name);
    e.u64(fields.position);

    let slot = e.len_slot();
    let mut count = 0;
    let mut pending: Option<(u8, usize)> = None;
    for op in fields.cigar.filter(|_| !unmapped) {
        let op = op?;
        if op.is_empty() {
            continue;
        }
        let symbol = op_symbol(op.kind());
        pending = match pending {
            Some((s, n)) if s == symbol => Some((s, n + op.len())),
            Some((s, n)) => {
                e.len(n);
                e.u8(s);
                count += 1;
                Some((symbol, op.len()))
            }
            None => Some((symbol, op.len())),
        };
    }
    if let Some((s, n)) = pending {
        e.len(n);
        e.u8(s);
        count += 1;
    }
    e.patch_len(slot, count);

    e.u16(fields.flags);
    e.u8(fields.mapping_quality.filter(|_| !unmapped).unwrap_or(255));
    e.bytes(fields.name);
    e.bytes(fields.mate_reference_name);
    e.u64(fields.mate_position);
    let same_start = fields.mate_position == fields.position
        && (fields.mate_reference_name == fields.reference_name);
    e.i64(if same_start {
        fields.template_length.abs()
    } else {
        fields.template_length
    });

    let base_count = match fields.bases {
        Bases::Packed { len, bytes } => {
            let packed = len.div_ceil(2);
            let bytes = bytes.get(..packed).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "sequence shorter than its length",
                )
            })?;
            e.len(len);
            e.0.extend_from_slice(bytes);
            if !len.is_multiple_of(2) {
                *e.0.last_mut().expect("odd length has a byte") &= 0xf0;
            }
            len
        }
        Bases::Ascii(bases) => {
            e.len(bases.len());
            let code = |b: u8| BASE_CODE[usize::from(b)];
            let pairs = bases.chunks_exact(2);
            let odd = pairs.remainder().first().map(|&b| code(b) << 4);
            e.0.extend(pairs.map(|pair| code(pair[0]) << 4 | code(pair[1])));
            e.0.extend(odd);
            bases.len()
        }
    };

    let qualities = fields.quality_scores;
    if qualities.is_empty() || qualities.iter().all(|&q| q == 0xff) {
        e.u8(0);
    } else {
        if qualities.len() != base_count {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} quality scores for {base_count} bases", qualities.len()),
            ));
        }
        e.u8(1);
        e.0.extend_from_slice(qualities);
    }

    fields.data.encode(scratch, out)
}

/// A record's auxiliary fields, as its decoder holds them.
pub trait AuxFields {
    /// Appends them as the list of item 12 (sorted by tag, derived tags dropped) and keeps the
    /// record's `RG` in `scratch`.
    fn encode(self, scratch: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()>;
}

/// Fields decoded by `noodles` (SAM text, CRAM): each is encoded into `scratch`, then they are
/// copied out in tag order.
impl<'d, T> AuxFields for T
where
    T: Iterator<Item = io::Result<(Tag, AuxValue<'d>)>>,
{
    fn encode(self, scratch: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        scratch.clear_fields();
        for field in self {
            let (tag, value) = field?;
            let tag: [u8; 2] = *tag.as_ref();
            if excluded(tag) {
                continue;
            }
            if let (b"RG", AuxValue::String(name)) = (&tag, &value) {
                scratch.set_read_group(name);
            }
            let start = scratch.bytes.len();
            scratch.bytes.extend_from_slice(&tag);
            encode_aux_value(&value, &mut Encoder(&mut scratch.bytes))?;
            scratch.push_field(tag, start);
        }
        scratch.write_fields(out)
    }
}

/// Tags left out of the encoding: `MD` and `NM` are derived from the reference, `cF` holds CRAM
/// storage flags.
fn excluded(tag: [u8; 2]) -> bool {
    // As one integer: three compares instead of three pairs of bytes.
    const EXCLUDED: [u16; 3] = [
        u16::from_le_bytes(*b"MD"),
        u16::from_le_bytes(*b"NM"),
        u16::from_le_bytes(*b"cF"),
    ];
    EXCLUDED.contains(&u16::from_le_bytes(tag))
}

/// A field's sort key: its tag (big-endian, so that integer order is byte order) above
/// `index`, where the field is found.
fn sort_key(tag: [u8; 2], index: usize) -> u64 {
    u64::from(u16::from_be_bytes(tag)) << 32 | index as u64
}

/// Sorts fields' keys by tag, refusing a tag that appears twice.
fn sort_unique(keys: &mut [u64]) -> io::Result<()> {
    let tag = |key: u64| ((key >> 32) as u16).to_be_bytes();
    keys.sort_unstable();
    match keys.windows(2).find(|w| tag(w[0]) == tag(w[1])) {
        Some(pair) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "duplicate auxiliary tag {}",
                String::from_utf8_lossy(&tag(pair[0]))
            ),
        )),
        None => Ok(()),
    }
}

/// The raw data section of a BAM record, encoded without decoding it into `noodles` values
/// (same bytes as going through `noodles`, at a fraction of the cost; the decoder is the hot
/// path of BAM digests). A section with the layout of one of the last two that encoded is
/// written straight into place; any other is encoded field by field into scratch space and
/// copied out in tag order, and its layout is learnt.
pub struct BamAux<'a>(pub &'a [u8]);

impl AuxFields for BamAux<'_> {
    fn encode(self, scratch: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        if scratch.encode_by_layout(self.0, out) {
            return Ok(());
        }
        scratch.clear_fields();
        let slot = 1 - scratch.raw.last;
        scratch.raw.known[slot].clear();
        scratch.raw.kept.clear();
        let mut src = self.0;
        while !src.is_empty() {
            let (head, value) = split_bam_field(&mut src)?;
            let layout = &mut scratch.raw.known[slot];
            // A record is under 4 GiB (its length is a u32), so are its offsets and field count.
            let index = layout.fields.len() as u32;
            layout.fields.push(KnownField::of(head));
            let tag = [head[0], head[1]];
            if excluded(tag) {
                continue;
            }
            if head == *b"RGZ" {
                layout.read_group = Some(index);
                scratch.set_read_group(value);
            }
            scratch.raw.kept.push(index);
            let start = scratch.bytes.len();
            encode_bam_field(head, value, &mut scratch.bytes);
            scratch.push_field(tag, start);
        }
        scratch.write_fields(out)?;
        let raw = &mut scratch.raw;
        let layout = &mut raw.known[slot];
        layout.written.extend(
            scratch.orders[scratch.current]
                .keys
                .iter()
                .map(|&key| raw.kept[key as u32 as usize]),
        );
        layout.valid = true;
        raw.last = slot;
        Ok(())
    }
}

/// Splits the next field off the front of a BAM record's data section, refusing what `noodles`
/// refuses: its tag and type, and its value's bytes (a string without its NUL; an array's
/// subtype, count and elements).
#[inline(always)]
fn split_bam_field<'a>(src: &mut &'a [u8]) -> io::Result<([u8; 3], &'a [u8])> {
    let head = take_array::<3>(src)?;
    let value = match head[2] {
        b'Z' | b'H' => take_string(src)?,
        b'A' | b'c' | b'C' => take(src, 1)?,
        b's' | b'S' => take(src, 2)?,
        b'i' | b'I' | b'f' => take(src, 4)?,
        b'B' => {
            let array = *src;
            let [subtype, count @ ..] = take_array::<5>(src)?;
            let width = bam_int_width(subtype)
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "invalid subtype"))?;
            let len = (u32::from_le_bytes(count) as usize)
                .checked_mul(width)
                .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
            take(src, len)?;
            &array[..5 + len]
        }
        _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "invalid type")),
    };
    Ok((head, value))
}

/// Appends the encoding of a field split off by [`split_bam_field`], tag first.
#[inline(always)]
fn encode_bam_field(head: [u8; 3], value: &[u8], out: &mut Vec<u8>) {
    let [t0, t1, ty] = head;
    match ty {
        b'Z' | b'H' => {
            out.extend_from_slice(&head);
            Encoder(out).bytes(value);
        }
        b'A' => out.extend_from_slice(&[t0, t1, ty, value[0]]),
        b'f' => {
            let mut float = [t0, t1, ty, 0, 0, 0, 0];
            float[3..].copy_from_slice(&four(value));
            out.extend_from_slice(&float);
        }
        b'B' => {
            let (subtype, elements) = (value[0], &value[5..]);
            let element = if subtype == b'f' { b'f' } else { b'i' };
            out.extend_from_slice(&[t0, t1, b'B', element]);
            out.extend_from_slice(&value[1..5]);
            if subtype == b'f' {
                out.extend_from_slice(elements);
            } else {
                let width = bam_int_width(subtype).expect("split_bam_field checked the subtype");
                for element in elements.chunks_exact(width) {
                    Encoder(out).i64(bam_int(subtype, element));
                }
            }
        }
        b'c' | b'C' | b's' | b'S' | b'i' | b'I' => encode_int(head, bam_int(ty, value), out),
        _ => unreachable!("split_bam_field refuses the type {ty}"),
    }
}

/// Appends an integer field of any width as `tag ‖ i ‖ i64`.
#[inline(always)]
fn encode_int(head: [u8; 3], n: i64, out: &mut Vec<u8>) {
    let mut int = [head[0], head[1], b'i', 0, 0, 0, 0, 0, 0, 0, 0];
    int[3..].copy_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&int);
}

/// The first four bytes of a field's value.
#[inline(always)]
fn four(value: &[u8]) -> [u8; 4] {
    value[..4].try_into().expect("4 bytes")
}

/// The elements' bytes of the `B` array field `tag` in a BAM record's data section, when the
/// section holds one and parses up to it.
pub fn bam_array(mut data: &[u8], tag: [u8; 2]) -> Option<&[u8]> {
    while !data.is_empty() {
        let (head, value) = split_bam_field(&mut data).ok()?;
        if head == [tag[0], tag[1], b'B'] {
            return Some(&value[5..]);
        }
    }
    None
}

#[inline]
fn take<'a>(src: &mut &'a [u8], n: usize) -> io::Result<&'a [u8]> {
    if src.len() < n {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
    }
    let (head, rest) = src.split_at(n);
    *src = rest;
    Ok(head)
}

/// The next `N` bytes.
#[inline]
fn take_array<const N: usize>(src: &mut &[u8]) -> io::Result<[u8; N]> {
    Ok(take(src, N)?.try_into().expect("N bytes"))
}

/// A NUL-terminated string, without its NUL.
#[inline]
fn take_string<'a>(src: &mut &'a [u8]) -> io::Result<&'a [u8]> {
    // Aux strings are short (read groups, MD): a plain loop beats memchr's call and set-up.
    let end = src
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "string not NUL terminated"))?;
    let s = take(src, end + 1)?;
    Ok(&s[..end])
}

/// The width of a BAM numeric type (`cCsSiIf`).
#[inline]
fn bam_int_width(ty: u8) -> Option<usize> {
    match ty {
        b'c' | b'C' => Some(1),
        b's' | b'S' => Some(2),
        b'i' | b'I' | b'f' => Some(4),
        _ => None,
    }
}

/// A little-endian BAM integer of type `ty` (`cCsSiI`) at the start of `bytes`.
#[inline(always)]
fn bam_int(ty: u8, bytes: &[u8]) -> i64 {
    match ty {
        b'c' => i64::from(bytes[0] as i8),
        b'C' => i64::from(bytes[0]),
        b's' => i64::from(i16::from_le_bytes([bytes[0], bytes[1]])),
        b'S' => i64::from(u16::from_le_bytes([bytes[0], bytes[1]])),
        b'i' => i64::from(i32::from_le_bytes(four(bytes))),
        _ => i64::from(u32::from_le_bytes(four(bytes))),
    }
}

fn encode_aux_value(value: &AuxValue<'_>, e: &mut Encoder<'_>) -> io::Result<()> {
    match value {
        AuxValue::Character(c) => {
            e.u8(b'A');
            e.u8(*c);
        }
        AuxValue::Float(x) => {
            e.u8(b'f');
            e.f32(*x);
        }
        AuxValue::String(s) => {
            e.u8(b'Z');
            e.bytes(s);
        }
        AuxValue::Hex(s) => {
            e.u8(b'H');
            e.bytes(s);
        }
        AuxValue::Array(array) => encode_aux_array(array, e)?,
        integer => {
            e.u8(b'i');
            e.i64(integer.as_int().expect("remaining aux values are integers"));
        }
    }
    Ok(())
}

fn encode_aux_array(array: &Array<'_>, e: &mut Encoder<'_>) -> io::Result<()> {
    fn ints<T: Into<i64>>(
        values: impl Iterator<Item = io::Result<T>>,
        e: &mut Encoder<'_>,
    ) -> io::Result<()> {
        e.u8(b'i');
        let slot = e.len_slot();
        let mut n = 0;
        for value in values {
            e.i64(value?.into());
            n += 1;
        }
        e.patch_len(slot, n);
        Ok(())
    }
    e.u8(b'B');
    match array {
        Array::Int8(values) => ints(values.iter(), e),
        Array::UInt8(values) => ints(values.iter(), e),
        Array::Int16(values) => ints(values.iter(), e),
        Array::UInt16(values) => ints(values.iter(), e),
        Array::Int32(values) => ints(values.iter(), e),
        Array::UInt32(values) => ints(values.iter(), e),
        Array::Float(values) => {
            e.u8(b'f');
            let slot = e.len_slot();
            let mut n = 0;
            for value in values.iter() {
                e.f32(value?);
                n += 1;
            }
            e.patch_len(slot, n);
            Ok(())
        }
    }
}

/// Appends the `R` encoding of one FASTQ record.
pub fn encode_read(
    name: &[u8],
    description: &[u8],
    sequence: &[u8],
    quality: &[u8],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    if sequence.len() != quality.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "read {}: sequence has {} bases but quality has {} scores",
                String::from_utf8_lossy(name),
                sequence.len(),
                quality.len()
            ),
        ));
    }
    let mut e = Encoder(out);
    e.bytes(name);
    e.bytes(description);
    e.bytes(sequence);
    e.bytes(quality);
    Ok(())
}

/// Appends the `V` encoding of one variant record.
pub fn encode_variant(record: &noodles::vcf::variant::RecordBuf, out: &mut Vec<u8>) {
    let mut e = Encoder(out);
    e.bytes(record.reference_sequence_name().as_bytes());
    e.u64(record.variant_start().map_or(0, |p| p.get() as u64));
    let ids = record.ids().as_ref();
    e.len(ids.len());
    for id in ids {
        e.bytes(id.as_bytes());
    }
    e.bytes(record.reference_bases().as_bytes());
    let alts = record.alternate_bases().as_ref();
    e.len(alts.len());
    for alt in alts {
        e.bytes(alt.as_bytes());
    }
    match record.quality_score() {
        Some(q) => {
            e.u8(1);
            e.f32(q);
        }
        None => e.u8(0),
    }
    let filters = record.filters().as_ref();
    if filters.is_empty() {
        e.u8(0);
    } else {
        e.u8(1);
        let mut sorted: Vec<&String> = filters.iter().collect();
        sorted.sort_unstable();
        e.len(sorted.len());
        for filter in sorted {
            e.bytes(filter.as_bytes());
        }
    }
    let mut info: Vec<(&String, Option<&InfoValue>)> = record
        .info()
        .as_ref()
        .iter()
        .map(|(k, v)| (k, v.as_ref()))
        .collect();
    info.sort_unstable_by(|a, b| a.0.cmp(b.0));
    e.len(info.len());
    for (key, value) in info {
        e.bytes(key.as_bytes());
        encode_info_value(value, &mut e);
    }
    let samples = record.samples();
    let keys = samples.keys().as_ref();
    let values: Vec<_> = samples.values().collect();
    e.len(values.len());
    e.len(keys.len());
    for key in keys {
        e.bytes(key.as_bytes());
    }
    for sample in values {
        let present = sample.values();
        for i in 0..keys.len() {
            encode_sample_value(present.get(i).and_then(Option::as_ref), &mut e);
        }
    }
}

/// The scalar shapes shared by INFO and FORMAT values.
enum Scalar<'a> {
    Missing,
    Integer(i32),
    Float(f32),
    Character(char),
    String(&'a str),
}

impl Scalar<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Scalar::Missing => e.u8(b'.'),
            Scalar::Integer(n) => {
                e.u8(b'i');
                e.i64(i64::from(*n));
            }
            Scalar::Float(x) => {
                e.u8(b'f');
                e.f32(*x);
            }
            Scalar::Character(c) => {
                e.u8(b'c');
                e.u32(u32::from(*c));
            }
            Scalar::String(s) => {
                e.u8(b'Z');
                e.bytes(s.as_bytes());
            }
        }
    }
}

/// Writes an array, or its single element when it has exactly one.
fn encode_array<'a>(items: Vec<Scalar<'a>>, e: &mut Encoder<'_>) {
    if let [single] = items.as_slice() {
        single.encode(e);
        return;
    }
    e.u8(b'a');
    e.len(items.len());
    for item in &items {
        item.encode(e);
    }
}

macro_rules! array_scalars {
    ($array:expr, $Array:path) => {{
        use $Array as A;
        match $array {
            A::Integer(v) => v
                .iter()
                .map(|x| x.map_or(Scalar::Missing, Scalar::Integer))
                .collect(),
            A::Float(v) => v
                .iter()
                .map(|x| x.map_or(Scalar::Missing, Scalar::Float))
                .collect(),
            A::Character(v) => v
                .iter()
                .map(|x| x.map_or(Scalar::Missing, Scalar::Character))
                .collect(),
            A::String(v) => v
                .iter()
                .map(|x| x.as_deref().map_or(Scalar::Missing, Scalar::String))
                .collect(),
        }
    }};
}

fn encode_info_value(value: Option<&InfoValue>, e: &mut Encoder<'_>) {
    match value {
        None => e.u8(b'.'),
        Some(InfoValue::Flag) => e.u8(b'F'),
        Some(InfoValue::Integer(n)) => Scalar::Integer(*n).encode(e),
        Some(InfoValue::Float(x)) => Scalar::Float(*x).encode(e),
        Some(InfoValue::Character(c)) => Scalar::Character(*c).encode(e),
        Some(InfoValue::String(s)) => Scalar::String(s).encode(e),
        Some(InfoValue::Array(array)) => encode_array(
            array_scalars!(
                array,
                noodles::vcf::variant::record_buf::info::field::value::Array
            ),
            e,
        ),
    }
}

fn encode_sample_value(value: Option<&Value>, e: &mut Encoder<'_>) {
    match value {
        None => e.u8(b'.'),
        Some(Value::Integer(n)) => Scalar::Integer(*n).encode(e),
        Some(Value::Float(x)) => Scalar::Float(*x).encode(e),
        Some(Value::Character(c)) => Scalar::Character(*c).encode(e),
        Some(Value::String(s)) => Scalar::String(s).encode(e),
        Some(Value::Genotype(genotype)) => {
            let alleles = genotype.as_ref();
            e.u8(b'G');
            e.len(alleles.len());
            for (i, allele) in alleles.iter().enumerate() {
                e.u8(u8::from(i > 0 && allele.phasing() == Phasing::Phased));
                e.i64(allele.position().map_or(-1, |p| p as i64));
            }
        }
        Some(Value::Array(array)) => encode_array(
            array_scalars!(
                array,
                noodles::vcf::variant::record_buf::samples::sample::value::Array
            ),
            e,
        ),
    }
}

/// A file's canonical header: its encoding's digest under each scheme, and what reports show
/// about it.
#[derive(Clone, Debug)]
pub struct CanonicalHeader {
    pub kind: Kind,
    /// `h` of `bionft-c1`.
    pub digest: Hash,
    /// `h` of `bionft-c2`.
    pub digest_c2: Hash,
    /// `bionft-c1`'s seqcol-style digests of the reference sequences; `None` for reads.
    pub seqcol: Option<Seqcol>,
    /// The GA4GH seqcol digests (`bionft-c2`); `None` for reads.
    pub ga4gh: Option<seqcol::Ga4gh>,
    /// The header content in labelled parts (the coordinate system, each read group, the
    /// sample names), each with the SHA-256 of its encoding: what `compare` names when headers
    /// differ.
    pub parts: Vec<(String, Hash)>,
}

impl CanonicalHeader {
    /// `coordinate_systems` holds the c1 and c2 coordinate-system digests, written first in
    /// the encoding; `rest` is the encoding that follows them.
    fn new(
        kind: Kind,
        coordinate_systems: Option<(&Seqcol, &seqcol::Ga4gh)>,
        rest: &[u8],
        parts: Vec<(String, Hash)>,
    ) -> Self {
        let digest = |domain: u8, coordinate_system: Option<&str>| -> Hash {
            let mut encoding = Vec::new();
            if let Some(cs) = coordinate_system {
                Encoder(&mut encoding).bytes(cs.as_bytes());
            }
            encoding.extend_from_slice(rest);
            let mut hasher = Sha256::new();
            hasher.update([domain, kind.tag()]);
            hasher.update(&encoding);
            hasher.finalize().into()
        };
        Self {
            kind,
            digest: digest(
                HEADER_DOMAIN,
                coordinate_systems.map(|(c1, _)| c1.coordinate_system.as_str()),
            ),
            digest_c2: digest(
                HEADER_DOMAIN_C2,
                coordinate_systems.map(|(_, c2)| c2.sorted_name_length_pairs.as_str()),
            ),
            seqcol: coordinate_systems.map(|(c1, _)| c1.clone()),
            ga4gh: coordinate_systems.map(|(_, c2)| c2.clone()),
            parts,
        }
    }

    /// The header digest `h` of `scheme`.
    pub fn digest(&self, scheme: Scheme) -> Hash {
        match scheme {
            Scheme::C1 => self.digest,
            Scheme::C2 => self.digest_c2,
        }
    }

    /// The header of a FASTQ file, which has none.
    pub fn reads() -> Self {
        Self::new(Kind::Reads, None, &[], Vec::new())
    }

    /// The content of a SAM/BAM/CRAM header: coordinate system and read groups.
    pub fn alignment(header: &noodles::sam::Header) -> Self {
        use noodles::sam::header::record::value::map::reference_sequence::tag::MD5_CHECKSUM;
        const DATE: [u8; 2] = *b"DT";

        let names: Vec<String> = header
            .reference_sequences()
            .keys()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        let sequences: Vec<seqcol::Sequence<'_>> = header
            .reference_sequences()
            .values()
            .zip(&names)
            .map(|(map, name)| seqcol::Sequence {
                name,
                length: map.length().get() as u64,
                md5: map
                    .other_fields()
                    .get(&MD5_CHECKSUM)
                    .and_then(|m5| std::str::from_utf8(m5).ok()),
            })
            .collect();
        let seqcol = Seqcol::new(&sequences);
        let ga4gh = seqcol::Ga4gh::new(&sequences);
        let mut parts = vec![coordinate_system_part(&ga4gh)];

        let mut out = Vec::new();
        let mut e = Encoder(&mut out);
        let mut groups: Vec<_> = header.read_groups().iter().collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(b.0));
        e.len(groups.len());
        for (id, map) in groups {
            let start = e.0.len();
            e.bytes(id);
            let mut fields: Vec<([u8; 2], &[u8])> = map
                .other_fields()
                .iter()
                .map(|(tag, value)| (*tag.as_ref(), value.as_ref()))
                .filter(|(tag, _)| *tag != DATE)
                .collect();
            fields.sort_unstable();
            e.len(fields.len());
            for (tag, value) in fields {
                e.0.extend_from_slice(&tag);
                e.bytes(value);
            }
            parts.push((
                format!("read group {}", String::from_utf8_lossy(id)),
                Sha256::digest(&e.0[start..]).into(),
            ));
        }
        Self::new(Kind::Alignment, Some((&seqcol, &ga4gh)), &out, parts)
    }

    /// The content of a VCF/BCF header: contigs and sample names.
    pub fn variants(header: &noodles::vcf::Header) -> Self {
        let sequences: Vec<seqcol::Sequence<'_>> = header
            .contigs()
            .iter()
            .map(|(name, map)| seqcol::Sequence {
                name,
                length: map.length().map_or(0, |n| n as u64),
                md5: map.md5(),
            })
            .collect();
        let seqcol = Seqcol::new(&sequences);
        let ga4gh = seqcol::Ga4gh::new(&sequences);
        let mut out = Vec::new();
        let mut e = Encoder(&mut out);
        e.len(header.sample_names().len());
        for name in header.sample_names() {
            e.bytes(name.as_bytes());
        }
        let parts = vec![
            coordinate_system_part(&ga4gh),
            ("sample names".into(), Sha256::digest(&out).into()),
        ];
        Self::new(Kind::Variants, Some((&seqcol, &ga4gh)), &out, parts)
    }
}

fn coordinate_system_part(ga4gh: &seqcol::Ga4gh) -> (String, Hash) {
    (
        "reference sequences (names and lengths)".into(),
        Sha256::digest(ga4gh.sorted_name_length_pairs.as_bytes()).into(),
    )
}

/// Where a record lies on its reference: 1-based, inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locus {
    pub reference: Vec<u8>,
    pub start: u64,
    pub end: u64,
}

/// Reads the locus back out of an encoding: alignments span their CIGAR's reference-consuming
/// ops, variants their REF allele. `None` for reads and for records without a position.
pub fn locus(kind: Kind, encoding: &[u8]) -> io::Result<Option<Locus>> {
    let mut d = Decoder(encoding);
    let (reference, start, span) = match kind {
        Kind::Reads => return Ok(None),
        Kind::Alignment => {
            let reference = d.bytes()?;
            let start = d.u64()?;
            let mut span = 0u64;
            for _ in 0..d.u32()? {
                let len = u64::from(d.u32()?);
                if consumes_reference(d.u8()?) {
                    span = span.saturating_add(len);
                }
            }
            (reference, start, span)
        }
        Kind::Variants => {
            let reference = d.bytes()?;
            let start = d.u64()?;
            for _ in 0..d.u32()? {
                d.bytes()?;
            }
            (reference, start, d.bytes()?.len() as u64)
        }
    };
    if reference.is_empty() || start == 0 {
        return Ok(None);
    }
    Ok(Some(Locus {
        reference: reference.to_vec(),
        start,
        end: start.saturating_add(span.max(1) - 1),
    }))
}

/// Splits a record encoding into its named fields, in encoding order, each with its bytes:
/// what `compare` uses to name the first field in which two records differ. Auxiliary fields
/// are named by tag (`aux XS`), INFO fields by key (`INFO/DP`), sample values by key and sample
/// number (`FORMAT/GT of sample 2`).
pub fn fields(kind: Kind, encoding: &[u8]) -> io::Result<Vec<(String, &[u8])>> {
    let mut d = Decoder(encoding);
    let mut out: Vec<(String, &[u8])> = Vec::new();
    // Runs `read` and records the bytes it consumed under `name`.
    fn field<'a>(
        d: &mut Decoder<'a>,
        out: &mut Vec<(String, &'a [u8])>,
        name: impl Into<String>,
        read: impl FnOnce(&mut Decoder<'a>) -> io::Result<()>,
    ) -> io::Result<()> {
        let before = d.0;
        read(d)?;
        out.push((name.into(), &before[..before.len() - d.0.len()]));
        Ok(())
    }
    match kind {
        Kind::Reads => {
            for name in ["read name", "description", "sequence", "quality"] {
                field(&mut d, &mut out, name, |d| d.bytes().map(drop))?;
            }
        }
        Kind::Alignment => {
            field(&mut d, &mut out, "reference name", |d| d.bytes().map(drop))?;
            field(&mut d, &mut out, "position", |d| d.u64().map(drop))?;
            field(&mut d, &mut out, "CIGAR", |d| {
                let n = d.u32()? as usize;
                d.take(n.saturating_mul(5)).map(drop)
            })?;
            field(&mut d, &mut out, "flags", |d| d.take(2).map(drop))?;
            field(&mut d, &mut out, "mapping quality", |d| d.u8().map(drop))?;
            field(&mut d, &mut out, "read name", |d| d.bytes().map(drop))?;
            field(&mut d, &mut out, "mate reference name", |d| {
                d.bytes().map(drop)
            })?;
            field(&mut d, &mut out, "mate position", |d| d.u64().map(drop))?;
            field(&mut d, &mut out, "template length", |d| d.u64().map(drop))?;
            let mut bases = 0;
            field(&mut d, &mut out, "sequence", |d| {
                bases = d.u32()? as usize;
                d.take(bases.div_ceil(2)).map(drop)
            })?;
            field(&mut d, &mut out, "base qualities", |d| {
                if d.u8()? == 1 {
                    d.take(bases)?;
                }
                Ok(())
            })?;
            for _ in 0..d.u32()? {
                let tag = d.take(2)?;
                let name = format!("aux {}", String::from_utf8_lossy(tag));
                field(&mut d, &mut out, name, |d| match d.u8()? {
                    b'i' => d.take(8).map(drop),
                    b'A' => d.take(1).map(drop),
                    b'f' => d.take(4).map(drop),
                    b'Z' | b'H' => d.bytes().map(drop),
                    b'B' => {
                        let width = if d.u8()? == b'f' { 4 } else { 8 };
                        let n = d.u32()? as usize;
                        d.take(n.saturating_mul(width)).map(drop)
                    }
                    _ => Err(truncated()),
                })?;
            }
        }
        Kind::Variants => {
            field(&mut d, &mut out, "CHROM", |d| d.bytes().map(drop))?;
            field(&mut d, &mut out, "POS", |d| d.u64().map(drop))?;
            field(&mut d, &mut out, "ID", |d| d.list(|d| d.bytes().map(drop)))?;
            field(&mut d, &mut out, "REF", |d| d.bytes().map(drop))?;
            field(&mut d, &mut out, "ALT", |d| d.list(|d| d.bytes().map(drop)))?;
            field(&mut d, &mut out, "QUAL", |d| {
                if d.u8()? == 1 {
                    d.take(4)?;
                }
                Ok(())
            })?;
            field(&mut d, &mut out, "FILTER", |d| {
                if d.u8()? == 1 {
                    d.list(|d| d.bytes().map(drop))?;
                }
                Ok(())
            })?;
            for _ in 0..d.u32()? {
                let key = String::from_utf8_lossy(d.bytes()?).into_owned();
                field(&mut d, &mut out, format!("INFO/{key}"), Decoder::value)?;
            }
            let samples = d.u32()?;
            let mut keys = Vec::new();
            for _ in 0..d.u32()? {
                keys.push(String::from_utf8_lossy(d.bytes()?).into_owned());
            }
            for sample in 1..=samples {
                for key in &keys {
                    field(
                        &mut d,
                        &mut out,
                        format!("FORMAT/{key} of sample {sample}"),
                        Decoder::value,
                    )?;
                }
            }
        }
    }
    if !d.0.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "canonical encoding has trailing bytes",
        ));
    }
    Ok(out)
}

fn truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "canonical encoding is truncated",
    )
}

/// Reads canonical primitives; the inverse of [`Encoder`] for the leading fields.
struct Decoder<'a>(&'a [u8]);

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(truncated());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn bytes(&mut self) -> io::Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn list(&mut self, mut item: impl FnMut(&mut Self) -> io::Result<()>) -> io::Result<()> {
        for _ in 0..self.u32()? {
            item(self)?;
        }
        Ok(())
    }

    /// Skips one variant value (see the `V` encoding).
    fn value(&mut self) -> io::Result<()> {
        match self.u8()? {
            b'.' | b'F' => Ok(()),
            b'i' => self.take(8).map(drop),
            b'f' | b'c' => self.take(4).map(drop),
            b'Z' => self.bytes().map(drop),
            b'G' => self.list(|d| d.take(9).map(drop)),
            b'a' => self.list(Self::value),
            _ => Err(truncated()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Aux = Vec<(Tag, AuxValue<'static>)>;

    fn no_aux() -> std::iter::Empty<io::Result<(Tag, AuxValue<'static>)>> {
        std::iter::empty()
    }

    fn alignment(
        cigar: &[(OpKind, usize)],
        flags: u16,
        bases: Bases<'_>,
        qualities: &[u8],
        data: Aux,
        tlen: i64,
    ) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let fields = AlignmentFields {
            reference_name: b"chr1",
            position: 100,
            cigar: cigar.iter().map(|&(kind, len)| Ok(Op::new(kind, len))),
            flags,
            mapping_quality: Some(60),
            name: b"read1",
            mate_reference_name: b"chr1",
            mate_position: 100,
            template_length: tlen,
            bases,
            quality_scores: qualities,
            data: data.into_iter().map(Ok),
        };
        encode_alignment(fields, &mut Scratch::default(), &mut out)?;
        Ok(out)
    }

    fn simple(cigar: &[(OpKind, usize)], flags: u16, data: Aux) -> Vec<u8> {
        alignment(cigar, flags, Bases::Ascii(b"ACG"), &[30, 31, 32], data, 0).unwrap()
    }

    #[test]
    fn sequence_match_and_mismatch_ops_merge_into_m() {
        use OpKind::*;
        let plain = simple(&[(Match, 3)], 0, vec![]);
        assert_eq!(
            plain,
            simple(
                &[
                    (SequenceMatch, 1),
                    (SequenceMismatch, 1),
                    (SequenceMatch, 1)
                ],
                0,
                vec![]
            )
        );
        assert_eq!(
            plain,
            simple(&[(Match, 2), (Deletion, 0), (Match, 1)], 0, vec![])
        );
        assert_ne!(plain, simple(&[(Match, 2), (Insertion, 1)], 0, vec![]));
    }

    #[test]
    fn unmapped_records_drop_cigar_and_mapping_quality() {
        use OpKind::*;
        assert_eq!(simple(&[(Match, 3)], 0x4, vec![]), simple(&[], 0x4, vec![]));
        let mut out = Vec::new();
        let fields = AlignmentFields {
            mapping_quality: Some(0),
            ..AlignmentFields::unmapped(no_aux())
        };
        encode_alignment(fields, &mut Scratch::default(), &mut out).unwrap();
        assert_eq!(
            out[12 + 4 + 2],
            255,
            "mapping quality of an unmapped record"
        );
    }

    #[test]
    fn every_byte_has_its_bam_base_code() {
        let symbols = b"=ACMGRSVTWYHKDBN";
        for byte in 0..=255u8 {
            let upper = byte.to_ascii_uppercase();
            let expected = symbols
                .iter()
                .position(|&s| s == upper)
                .map_or(15, |i| i as u8);
            assert_eq!(BASE_CODE[usize::from(byte)], expected, "byte {byte}");
        }
    }

    #[test]
    fn packed_and_ascii_bases_encode_alike() {
        // "ACGTN" in BAM's 4-bit code is 1 2 4 8 15; the odd trailing nibble may hold junk.
        let packed = [0x12, 0x48, 0xf7];
        let q = [1, 2, 3, 4, 5];
        let a = alignment(
            &[(OpKind::Match, 5)],
            0,
            Bases::Packed {
                len: 5,
                bytes: &packed,
            },
            &q,
            vec![],
            0,
        )
        .unwrap();
        let b = alignment(
            &[(OpKind::Match, 5)],
            0,
            Bases::Ascii(b"acgt."),
            &q,
            vec![],
            0,
        )
        .unwrap();
        assert_eq!(a, b);
        let short = alignment(
            &[],
            0,
            Bases::Packed {
                len: 5,
                bytes: &packed[..2],
            },
            &q,
            vec![],
            0,
        );
        assert!(short.is_err());
    }

    #[test]
    fn missing_qualities_are_one_state_and_a_length_mismatch_is_an_error() {
        let none = alignment(&[], 0, Bases::Ascii(b"AC"), &[], vec![], 0).unwrap();
        assert_eq!(
            none,
            alignment(&[], 0, Bases::Ascii(b"AC"), &[0xff, 0xff], vec![], 0).unwrap()
        );
        assert!(alignment(&[], 0, Bases::Ascii(b"AC"), &[30], vec![], 0).is_err());
    }

    #[test]
    fn aux_fields_are_sorted_widths_normalised_and_derived_tags_dropped() {
        let tag = |t: &[u8; 2]| Tag::from(*t);
        let a = simple(
            &[],
            0,
            vec![
                (tag(b"XS"), AuxValue::UInt8(7)),
                (tag(b"AS"), AuxValue::Int32(-3)),
            ],
        );
        let b = simple(
            &[],
            0,
            vec![
                (tag(b"NM"), AuxValue::Int8(1)),
                (tag(b"AS"), AuxValue::Int8(-3)),
                (tag(b"MD"), AuxValue::String(b"3".as_slice().into())),
                (tag(b"cF"), AuxValue::Int8(3)),
                (tag(b"XS"), AuxValue::Int16(7)),
            ],
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            simple(
                &[],
                0,
                vec![
                    (tag(b"XS"), AuxValue::Float(7.0)),
                    (tag(b"AS"), AuxValue::Int32(-3))
                ]
            )
        );
        let duplicated = vec![
            (tag(b"XS"), AuxValue::Int8(1)),
            (tag(b"XS"), AuxValue::Int8(2)),
        ];
        assert!(alignment(&[], 0, Bases::Ascii(b""), &[], duplicated, 0).is_err());
    }

    #[test]
    fn read_group_is_kept_for_the_per_group_digest() {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        let fields = |data: Aux| AlignmentFields::unmapped(data.into_iter().map(Ok));
        let rg = vec![(
            Tag::from(*b"RG"),
            AuxValue::String(b"lane1".as_slice().into()),
        )];
        encode_alignment(fields(rg), &mut scratch, &mut out).unwrap();
        assert_eq!(scratch.read_group(), Some(&b"lane1"[..]));
        encode_alignment(fields(vec![]), &mut scratch, &mut out).unwrap();
        assert_eq!(scratch.read_group(), None);
    }

    #[test]
    fn template_length_sign_is_ignored_only_when_mates_start_together() {
        let tlen = |t| alignment(&[], 0, Bases::Ascii(b""), &[], vec![], t).unwrap();
        assert_eq!(tlen(-101), tlen(101));
        let mut out = Vec::new();
        let fields = AlignmentFields {
            reference_name: b"chr1",
            position: 100,
            flags: 0,
            mate_reference_name: b"chr1",
            mate_position: 200,
            template_length: -101,
            ..AlignmentFields::unmapped(no_aux())
        };
        encode_alignment(fields, &mut Scratch::default(), &mut out).unwrap();
        assert!(out.windows(8).any(|w| w == (-101i64).to_le_bytes()));
    }

    #[test]
    fn reads_need_one_quality_per_base() {
        let mut out = Vec::new();
        assert!(encode_read(b"r", b"", b"ACGT", b"IIII", &mut out).is_ok());
        assert!(encode_read(b"r", b"", b"ACGT", b"III", &mut out).is_err());
    }

    #[test]
    fn locus_reads_back_alignment_spans() {
        use OpKind::*;
        let enc = simple(
            &[
                (SoftClip, 2),
                (Match, 3),
                (Deletion, 4),
                (Insertion, 1),
                (Skip, 10),
            ],
            0,
            vec![],
        );
        let found = locus(Kind::Alignment, &enc).unwrap().unwrap();
        assert_eq!(
            (found.reference.as_slice(), found.start, found.end),
            (&b"chr1"[..], 100, 116)
        );
        assert_eq!(locus(Kind::Reads, &enc).unwrap(), None);
        assert!(locus(Kind::Alignment, &enc[..10]).is_err());
    }

    #[test]
    fn locus_of_hostile_bytes_never_overflows() {
        // Found by the `proof` fuzz target: a huge position plus a span overflowed u64.
        let crash = crate::digest::parse_hex(concat!(
            "0a0000000000002300ffffffffffffffffffffffffff0500000000000000ffffffffffffffffffffff",
            "ffffffffffffffffffbfffffffffffffffffffffffffffffffffffffffffffffffffffffffffff2300",
            "4444304444444444444400007a002300230044443044444444444444445b44441444444444444444",
            "44444417444400ff443044444444444444445b44444444444444444444445b444414444444444444",
            "44444444174444003044444444444444445b44444444444444444444844444174444",
        ))
        .unwrap();
        for kind in [Kind::Reads, Kind::Alignment, Kind::Variants] {
            let _ = locus(kind, &crash);
        }
        let mut enc = Vec::new();
        let mut e = Encoder(&mut enc);
        e.bytes(b"c");
        e.u64(u64::MAX);
        e.u32(1);
        e.u32(u32::MAX);
        e.u8(b'M');
        assert_eq!(locus(Kind::Alignment, &enc).unwrap().unwrap().end, u64::MAX);
    }
}
