//! End-to-end tests of `bionft-seq` on real files from `../shared/data` (see its MANIFEST.tsv),
//! and on variants of them made here: recompressed, reordered, edited, truncated, corrupted.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sha3::{Digest, Sha3_256};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(path)
}

fn bionft_seq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bionft-seq"))
        .args(args)
        .output()
        .expect("run bionft-seq")
}

/// Both digest schemes: everything c1 accepts, refuses or tells apart, c2 does the same way.
const SCHEMES: [&str; 2] = ["c1", "c2"];

/// `bionft_seq` with `--scheme SCHEME` added.
fn bionft_seq_with(scheme: &str, args: &[&str]) -> Output {
    let mut args = args.to_vec();
    args.extend(["--scheme", scheme]);
    bionft_seq(&args)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("bionft-seq-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, contents).unwrap();
        path
    }

    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// `hash --json` of each file, in order; panics unless it succeeds.
fn hash_json(files: &[&Path], extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["hash", "--json"];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(|p| arg(p)));
    let out = bionft_seq(&args);
    assert!(
        out.status.success(),
        "hash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["files"].as_array().unwrap().clone()
}

fn content_digest(file: &Path, extra: &[&str]) -> String {
    hash_json(&[file], extra)[0]["content_digest"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Asserts the shape of a refused input: exit 2, nothing on stdout, one stderr line naming it.
fn assert_refused(out: &Output, file: &Path, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{why}: expected exit 2, stderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "{why}: printed {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "{why}: stderr is not one line: {stderr}"
    );
    assert!(
        stderr.contains(arg(file)),
        "{why}: error does not name the file: {stderr}"
    );
}

fn bgzip(data: &[u8]) -> Vec<u8> {
    let mut writer = noodles::bgzf::io::Writer::new(Vec::new());
    writer.write_all(data).unwrap();
    writer.finish().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(data), &mut out).unwrap();
    out
}

#[test]
fn bam_at_any_level_and_cram_of_any_version_share_one_content_digest() {
    let mut files: Vec<PathBuf> = ["bam_level-1.bam", "bam_level-9.bam"]
        .iter()
        .map(|f| data(&format!("hts-specs/{f}")))
        .collect();
    for cram in [
        "3.0_level-1",
        "3.0_level-2",
        "3.0_level-4",
        "3.1_level-1",
        "3.1_level-2",
        "3.1_level-3",
        "3.1_level-4",
    ] {
        files.push(data(&format!("hts-specs/cram_{cram}.cram")));
    }
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let mut digests = Vec::new();
    for scheme in SCHEMES {
        let reports = hash_json(&paths, &["--scheme", scheme, "--unordered"]);
        let first = &reports[0];
        assert_eq!(first["records"], 20000);
        assert_eq!(first["kind"], "alignment");
        assert!(first["content_digest"]
            .as_str()
            .unwrap()
            .starts_with(&format!("bionft-{scheme}:")));
        assert!(first["order_independent"].is_string());
        for report in &reports {
            assert_eq!(
                report["content_digest"], first["content_digest"],
                "{scheme} {}",
                report["path"]
            );
            assert_eq!(report["order_independent"], first["order_independent"]);
            assert_eq!(report["read_groups"], first["read_groups"]);
        }
        digests.push(first["content_digest"].clone());
    }
    assert_ne!(digests[0], digests[1]);
    let reports = hash_json(&paths, &[]);
    let file_digests: std::collections::HashSet<_> =
        reports.iter().map(|r| r["file_sha256"].clone()).collect();
    assert_eq!(
        file_digests.len(),
        reports.len(),
        "the file digests tell the files apart"
    );
}

#[test]
fn a_reference_based_cram_matches_its_bam_and_needs_the_right_reference() {
    let (bam, cram, fasta) = (
        data("htslib/range.bam"),
        data("htslib/range.cram"),
        data("hts-specs/ce.fa"),
    );
    for scheme in SCHEMES {
        assert_eq!(
            content_digest(&bam, &["--scheme", scheme]),
            content_digest(&cram, &["--scheme", scheme, "--reference", arg(&fasta)])
        );
        let out = bionft_seq(&["hash", "--scheme", scheme, arg(&cram)]);
        assert_refused(&out, &cram, "CRAM without its reference");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--reference"));
    }

    let scratch = Scratch::new("wrong-reference");
    let swapped: Vec<u8> = fs::read_to_string(&fasta)
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with('>') {
                l.to_owned()
            } else {
                l.replace('A', "t").replace('T', "A").to_uppercase()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    let wrong = scratch.write("wrong.fa", &swapped);
    for scheme in SCHEMES {
        let out = bionft_seq(&["hash", "--scheme", scheme, "-r", arg(&wrong), arg(&cram)]);
        assert_refused(&out, &cram, "CRAM against the wrong reference");
        assert!(String::from_utf8_lossy(&out.stderr).contains("does not match"));
    }
}

#[test]
fn vcf_plain_bgzip_gzip_and_bcf_share_one_content_digest() {
    let vcf = data("htslib/tabix_vcf_file.vcf");
    let scratch = Scratch::new("vcf");
    let text = fs::read(&vcf).unwrap();
    let bgz = scratch.write("v.vcf.bgz", &bgzip(&text));
    let gz = scratch.write("v.vcf.gz", &gzip(&text));
    let bcf = data("htslib/tabix_vcf_file.bcf");
    for scheme in SCHEMES {
        let reports = hash_json(&[&vcf, &bgz, &gz, &bcf], &["--scheme", scheme]);
        for report in &reports {
            assert_eq!(report["content_digest"], reports[0]["content_digest"]);
        }
    }
    let reports = hash_json(&[&vcf, &bgz, &gz, &bcf], &[]);
    assert_eq!(reports[0]["records"], 15);
    assert_eq!(reports[0]["kind"], "variants");
    let formats: Vec<_> = reports
        .iter()
        .map(|r| format!("{} {}", r["format"], r["compression"]))
        .collect();
    assert_eq!(
        formats,
        [
            "\"VCF\" \"plain\"",
            "\"VCF\" \"bgzf\"",
            "\"VCF\" \"gzip\"",
            "\"BCF\" \"bgzf\""
        ]
    );
    for report in &reports {
        assert_eq!(
            report["content_digest"], reports[0]["content_digest"],
            "{}",
            report["path"]
        );
    }
}

#[test]
fn fastq_plain_gzip_multi_member_gzip_and_bgzip_share_one_content_digest() {
    let scratch = Scratch::new("fastq");
    for source in ["seqkit/reads_1.fq.gz", "cutadapt/multiblock.fastq.gz"] {
        let gz = data(source);
        let text = gunzip(&fs::read(&gz).unwrap());
        let plain = scratch.write("r.fq", &text);
        let bgz = scratch.write("r.fq.bgz", &bgzip(&text));
        for scheme in SCHEMES {
            let reports = hash_json(&[&gz, &plain, &bgz], &["--scheme", scheme]);
            assert_eq!(reports[0]["kind"], "reads");
            for report in &reports {
                assert_eq!(
                    report["content_digest"], reports[0]["content_digest"],
                    "{scheme} {source}: {}",
                    report["path"]
                );
            }
        }
    }
}

#[test]
fn a_fastq_without_a_final_newline_is_whole_but_a_cut_record_is_refused() {
    let scratch = Scratch::new("fastq-eol");
    // fastp's R1.fq ends without a newline after its last quality line.
    let real = data("fastp/R1.fq");
    let text = fs::read(&real).unwrap();
    assert_ne!(text.last(), Some(&b'\n'));
    let mut terminated = text.clone();
    terminated.push(b'\n');
    let with_newline = scratch.write("terminated.fq", &terminated);
    let reports = hash_json(&[&real, &with_newline], &[]);
    assert_eq!(reports[0]["records"], 9);
    assert_eq!(reports[0]["content_digest"], reports[1]["content_digest"]);
    // Cut inside the last quality line: SEQ and QUAL lengths differ.
    let cut = scratch.write("cut.fq", &text[..text.len() - 5]);
    assert_refused(
        &bionft_seq(&["hash", arg(&cut)]),
        &cut,
        "FASTQ cut inside a record",
    );
    // A SAM without its final newline is still refused: a cut inside its last field can parse.
    let sam = fs::read(data("htslib/ce_1000.sam")).unwrap();
    let unterminated = scratch.write("cut.sam", &sam[..sam.len() - 1]);
    assert_refused(
        &bionft_seq(&["hash", arg(&unterminated)]),
        &unterminated,
        "SAM without a final newline",
    );
}

/// `ce#1000.sam` split into its header lines and records.
fn sam_parts() -> (Vec<String>, Vec<String>) {
    let text = fs::read_to_string(data("htslib/ce_1000.sam")).unwrap();
    text.lines()
        .map(str::to_owned)
        .partition(|l| l.starts_with('@'))
}

fn sam(header: &[String], records: &[String]) -> Vec<u8> {
    let mut text = header.join("\n");
    for record in records {
        text.push('\n');
        text.push_str(record);
    }
    text.push('\n');
    text.into_bytes()
}

#[test]
fn header_noise_does_not_change_the_content_digest_but_read_groups_do() {
    let (header, records) = sam_parts();
    let scratch = Scratch::new("noise");
    let original = scratch.write("a.sam", &sam(&header, &records));

    let mut noisy = vec!["@HD\tVN:1.6\tSO:unsorted".to_owned()];
    noisy.extend(header.iter().cloned());
    noisy.push("@PG\tID:bwa\tPN:bwa\tVN:0.7.17\tCL:bwa mem ref.fa r1.fq".into());
    noisy.push("@CO\tprocessed 2026-11-21T06:00:00Z".into());
    let noisy = scratch.write("b.sam", &sam(&noisy, &records));
    let mut with_group = header.clone();
    with_group.push("@RG\tID:lane1\tSM:child\tDT:2026-01-01".into());
    let grouped = scratch.write("c.sam", &sam(&with_group, &records));
    with_group
        .last_mut()
        .unwrap()
        .replace_range(.., "@RG\tID:lane1\tSM:child\tDT:2027-02-02");
    let redated = scratch.write("d.sam", &sam(&with_group, &records));
    for scheme in SCHEMES {
        let digest = |path: &Path| content_digest(path, &["--scheme", scheme]);
        assert_eq!(digest(&original), digest(&noisy));
        assert_ne!(digest(&original), digest(&grouped));
        assert_eq!(digest(&grouped), digest(&redated), "@RG DT is a date");
    }
}

#[test]
fn reordering_changes_the_ordered_digests_only_and_duplicates_do_not_cancel() {
    let (header, records) = sam_parts();
    let scratch = Scratch::new("order");
    let sorted = scratch.write("sorted.sam", &sam(&header, &records));
    let mut reversed = records.clone();
    reversed.reverse();
    let unsorted = scratch.write("unsorted.sam", &sam(&header, &reversed));
    let mut doubled = records.clone();
    doubled.push(records[0].clone());
    doubled.push(records[0].clone());
    let duplicated = scratch.write("dup.sam", &sam(&header, &doubled));

    for scheme in SCHEMES {
        let reports = hash_json(
            &[&sorted, &unsorted, &duplicated],
            &["--scheme", scheme, "--unordered"],
        );
        assert_ne!(reports[0]["content_digest"], reports[1]["content_digest"]);
        assert_ne!(reports[0]["merkle"]["root"], reports[1]["merkle"]["root"]);
        assert!(reports[0]["order_independent"].is_string());
        assert_eq!(
            reports[0]["order_independent"],
            reports[1]["order_independent"]
        );
        assert_ne!(
            reports[0]["order_independent"],
            reports[2]["order_independent"]
        );
    }
    // c2 computes the order-independent digest only when asked.
    let reports = hash_json(&[&sorted], &[]);
    assert!(reports[0]["content_digest"]
        .as_str()
        .unwrap()
        .starts_with("bionft-c2:"));
    assert!(reports[0].get("order_independent").is_none());
}

#[test]
fn thread_count_does_not_change_any_digest_and_output_is_deterministic() {
    let bam = data("hts-specs/bam_level-9.bam");
    for scheme in SCHEMES {
        let run = |threads: &str| {
            bionft_seq(&[
                "hash",
                "--json",
                "--scheme",
                scheme,
                "--unordered",
                "--threads",
                threads,
                arg(&bam),
            ])
        };
        let (one, three, again) = (run("1"), run("3"), run("3"));
        assert!(one.status.success());
        assert_eq!(one.stdout, three.stdout);
        assert_eq!(three.stdout, again.stdout);
        let text = bionft_seq(&["hash", "--scheme", scheme, arg(&bam)]);
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(
            text.contains(&format!("content digest   bionft-{scheme}:")),
            "{text}"
        );
        assert!(
            text.contains("read group       NA12878: 20000 records"),
            "{text}"
        );
    }
}

#[test]
fn manifest_carries_the_salted_commitment_and_never_the_salt() {
    let scratch = Scratch::new("manifest");
    let salt: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    let salt_file = scratch.write("sample.salt", &salt);
    let manifest = scratch.path("manifest.json");
    let (bam, vcf, fq) = (
        data("hts-specs/bam_level-1.bam"),
        data("htslib/tabix_vcf_file.vcf"),
        data("seqkit/reads_2.fq.gz"),
    );
    for (scheme, alg) in [("c1", 1), ("c2", 2)] {
        let out = bionft_seq(&[
            "manifest",
            "--scheme",
            scheme,
            arg(&bam),
            arg(&vcf),
            arg(&fq),
            "--salt-file",
            arg(&salt_file),
            "-o",
            arg(&manifest),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        let text = fs::read_to_string(&manifest).unwrap();
        let salt_hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!text.contains(&salt_hex));
        let json: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["schema"], "bionft-seq-manifest/1");
        let kinds: Vec<&str> = json["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["alignment", "variants", "reads"]);
        for file in json["files"].as_array().unwrap() {
            assert_eq!(file["digest_alg"], alg);
            assert!(digest_scheme_is(file, scheme));
            let digest = file["content_digest"].as_str().unwrap();
            let mut hasher = Sha3_256::new();
            hasher.update(&salt);
            hasher.update(digest.as_bytes());
            let expected: String = hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(file["commitment"], expected.as_str());
            assert_eq!(
                file["merkle"]["leaves"].as_array().unwrap().len() as u64,
                file["records"].as_u64().unwrap().div_ceil(4096)
            );
        }
        let seqcol = &json["files"][0]["reference_seqcol"];
        assert_eq!(seqcol["coordinate_system"].as_str().unwrap().len(), 32);
        // c1 always has its collection digest; c2's level-0 digest needs the reference's residues.
        assert_eq!(seqcol["collection"].is_string(), scheme == "c1");
        assert!(json["files"][2]["reference_seqcol"].is_null());
    }
}

fn digest_scheme_is(entry: &Value, scheme: &str) -> bool {
    entry["content_digest"]
        .as_str()
        .is_some_and(|d| d.starts_with(&format!("bionft-{scheme}:")))
}

#[test]
fn manifest_refuses_a_short_salt_or_a_bad_file_and_writes_nothing() {
    for scheme in SCHEMES {
        manifest_refuses(scheme);
    }
}

fn manifest_refuses(scheme: &str) {
    let bionft_seq = |args: &[&str]| bionft_seq_with(scheme, args);
    let scratch = Scratch::new(&format!("manifest-refused-{scheme}"));
    let short = scratch.write("short.salt", b"0123456789");
    let good_salt = scratch.write("good.salt", b"0123456789abcdef0123456789abcdef");
    let bam = data("hts-specs/bam_level-1.bam");
    let manifest = scratch.path("manifest.json");

    let out = bionft_seq(&[
        "manifest",
        arg(&bam),
        "--salt-file",
        arg(&short),
        "-o",
        arg(&manifest),
    ]);
    assert_refused(&out, &short, "short salt");

    let bytes = fs::read(data("htslib/range.bam")).unwrap();
    let truncated = scratch.write("cut.bam", &bytes[..bytes.len() / 2]);
    let out = bionft_seq(&[
        "manifest",
        arg(&bam),
        arg(&truncated),
        "--salt-file",
        arg(&good_salt),
        "-o",
        arg(&manifest),
    ]);
    assert_refused(&out, &truncated, "truncated BAM in a manifest");
    assert_eq!(scratch.entries(), ["cut.bam", "good.salt", "short.salt"]);
}

fn write_manifest(scratch: &Scratch, files: &[&Path], extra: &[&str]) -> PathBuf {
    let salt = scratch.write("m.salt", b"fedcba9876543210fedcba9876543210");
    let manifest = scratch.path("manifest.json");
    let mut args = vec!["manifest"];
    args.extend(files.iter().map(|p| arg(p)));
    args.extend_from_slice(&["--salt-file", arg(&salt), "-o", arg(&manifest)]);
    args.extend_from_slice(extra);
    let out = bionft_seq(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    manifest
}

#[test]
fn verify_accepts_the_same_content_in_another_encoding_and_names_what_differs() {
    let scratch = Scratch::new("verify");
    let (header, records) = sam_parts();
    let original = scratch.write("reads.sam", &sam(&header, &records));
    let manifest = write_manifest(&scratch, &[&original], &[]);

    let bgz = scratch.write("reads.sam.bgz", &bgzip(&fs::read(&original).unwrap()));
    let out = bionft_seq(&["verify", arg(&bgz), "--manifest", arg(&manifest)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(": OK\n"));

    let mut edited = records.clone();
    let fields: Vec<&str> = edited[700].split('\t').collect();
    let mut fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    fields[4] = "3".into();
    edited[700] = fields.join("\t");
    let changed = scratch.write("reads.sam", &sam(&header, &edited));
    let out = bionft_seq(&[
        "verify",
        "--json",
        arg(&changed),
        "--manifest",
        arg(&manifest),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let differences = json["results"][0]["differences"].to_string();
    assert!(
        differences.contains("1 of 1 chunks differ: 0 (records 1-4096)"),
        "{differences}"
    );
    assert!(
        differences.contains("read group \\\"\\\" differs"),
        "{differences}"
    );

    let out = bionft_seq(&[
        "verify",
        arg(&scratch.path("missing.sam")),
        "--manifest",
        arg(&manifest),
    ]);
    assert_refused(&out, &scratch.path("missing.sam"), "unreadable path");
}

#[test]
fn verify_c_checks_every_file_of_the_manifest_like_md5sum() {
    let scratch = Scratch::new("verify-c");
    let (bam, vcf) = (
        data("hts-specs/bam_level-9.bam"),
        data("htslib/tabix_vcf_file.bcf"),
    );
    let manifest = write_manifest(&scratch, &[&bam, &vcf], &[]);
    let out = bionft_seq(&["verify", "-c", arg(&manifest)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(": OK")).count(),
        2,
        "{stdout}"
    );

    let text = fs::read_to_string(&manifest)
        .unwrap()
        .replace(arg(&vcf), arg(&scratch.path("gone.bcf")));
    fs::write(&manifest, text).unwrap();
    let out = bionft_seq(&["verify", "-c", arg(&manifest)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains(": OK"));
}

#[test]
fn a_region_proof_verifies_against_the_root_and_tampering_is_caught() {
    for scheme in SCHEMES {
        proves_a_region(scheme);
    }
}

fn proves_a_region(scheme: &str) {
    let scratch = Scratch::new(&format!("prove-{scheme}"));
    let bam = data("htslib/range.bam");
    let proof = scratch.path("proof.json");
    let out = bionft_seq(&[
        "prove",
        "--scheme",
        scheme,
        arg(&bam),
        "--region",
        "CHROMOSOME_I:900-1100",
        "-o",
        arg(&proof),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary["records"].as_u64().unwrap() >= 3);
    let root = hash_json(&[&bam], &["--scheme", scheme])[0]["merkle"]["root"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(summary["merkle_root"], root.as_str());

    let out = bionft_seq(&["verify-proof", arg(&proof), "--root", &root, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let verified: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verified["records"], summary["records"]);

    let wrong_root = "0".repeat(64);
    assert_eq!(
        bionft_seq(&["verify-proof", arg(&proof), "--root", &wrong_root])
            .status
            .code(),
        Some(1)
    );

    let mut json: Value = serde_json::from_str(&fs::read_to_string(&proof).unwrap()).unwrap();
    assert_eq!(json["scheme"], format!("bionft-{scheme}"));
    // A record of the region: c1 lists only those; c2 lists the whole chunk and their offsets.
    let index = json["chunks"][0]["in_region"][0].as_u64().unwrap_or(0) as usize;
    let encoding = json["chunks"][0]["records"][index]["encoding"]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = format!(
        "{}{}",
        &encoding[..encoding.len() - 1],
        if encoding.ends_with('0') { "1" } else { "0" }
    );
    json["chunks"][0]["records"][index]["encoding"] = flipped.into();
    let tampered = scratch.write("tampered.json", json.to_string().as_bytes());
    let out = bionft_seq(&["verify-proof", arg(&tampered), "--root", &root]);
    assert_eq!(out.status.code(), Some(1));
    let why = if scheme == "c1" {
        "does not match its digest"
    } else {
        "do not lead to the trusted root"
    };
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(why),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let mut json: Value = serde_json::from_str(&fs::read_to_string(&proof).unwrap()).unwrap();
    json["region"] = "CHROMOSOME_II:1-100".into();
    let moved = scratch.write("moved.json", json.to_string().as_bytes());
    let out = bionft_seq(&["verify-proof", arg(&moved), "--root", &root]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("outside"));

    // A proof claiming the other scheme does not verify.
    let mut json: Value = serde_json::from_str(&fs::read_to_string(&proof).unwrap()).unwrap();
    let other = if scheme == "c1" {
        "bionft-c2"
    } else {
        "bionft-c1"
    };
    json["scheme"] = other.into();
    let relabelled = scratch.write("relabelled.json", json.to_string().as_bytes());
    let out = bionft_seq(&["verify-proof", arg(&relabelled), "--root", &root]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn prove_reports_an_empty_region_and_refuses_reads() {
    for scheme in SCHEMES {
        prove_refuses(scheme);
    }
}

fn prove_refuses(scheme: &str) {
    let bionft_seq = |args: &[&str]| bionft_seq_with(scheme, args);
    let scratch = Scratch::new(&format!("prove-empty-{scheme}"));
    let proof = scratch.path("proof.json");
    let out = bionft_seq(&[
        "prove",
        arg(&data("htslib/range.bam")),
        "--region",
        "CHROMOSOME_V:1-2",
        "-o",
        arg(&proof),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let fq = data("fastp/R1.fq");
    let out = bionft_seq(&["prove", arg(&fq), "--region", "chr1:1-2", "-o", arg(&proof)]);
    assert_refused(&out, &fq, "region proof of FASTQ");
    assert!(scratch.entries().is_empty());
}

#[test]
fn empty_wrong_format_unequal_fastq_and_missing_files_are_refused() {
    for scheme in SCHEMES {
        refuses_bad_input(scheme);
    }
}

fn refuses_bad_input(scheme: &str) {
    let bionft_seq = |args: &[&str]| bionft_seq_with(scheme, args);
    let scratch = Scratch::new(&format!("bad-input-{scheme}"));
    let empty = scratch.write("empty.bam", b"");
    assert_refused(&bionft_seq(&["hash", arg(&empty)]), &empty, "empty file");
    let fasta = data("hts-specs/ce.fa");
    assert_refused(
        &bionft_seq(&["hash", arg(&fasta)]),
        &fasta,
        "FASTA is not a supported format",
    );
    let unequal = scratch.write("unequal.fq", b"@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nIII\n");
    let out = bionft_seq(&["hash", arg(&unequal)]);
    assert_refused(&out, &unequal, "FASTQ with unequal SEQ/QUAL");
    let missing = scratch.path("missing.vcf");
    assert_refused(
        &bionft_seq(&["hash", arg(&missing)]),
        &missing,
        "unreadable path",
    );
}

/// Truncates `file` at `count` offsets spread over its length (and just before its end).
fn truncations(bytes: &[u8], count: usize) -> Vec<usize> {
    let mut offsets: Vec<usize> = (1..count).map(|i| i * bytes.len() / count).collect();
    offsets.extend([1, bytes.len() - 1, bytes.len() - 28]);
    offsets
}

#[test]
fn truncated_block_compressed_and_cram_files_are_always_refused() {
    for scheme in SCHEMES {
        refuses_truncated_block_compressed(scheme);
    }
}

fn refuses_truncated_block_compressed(scheme: &str) {
    let bionft_seq = |args: &[&str]| bionft_seq_with(scheme, args);
    let scratch = Scratch::new(&format!("truncate-{scheme}"));
    let manifest = scratch.path("never.json");
    let salt = scratch.write("s.salt", b"0123456789abcdef");
    for (source, count) in [
        ("htslib/range.bam", 40),
        ("htslib/range.cram", 30),
        ("htslib/tabix_vcf_file.bcf", 20),
        ("seqkit/reads_2.fq.gz", 20),
    ] {
        let bytes = fs::read(data(source)).unwrap();
        for at in truncations(&bytes, count) {
            let cut = scratch.write("cut", &bytes[..at]);
            let out = bionft_seq(&[
                "hash",
                "--reference",
                arg(&data("hts-specs/ce.fa")),
                arg(&cut),
            ]);
            assert_refused(&out, &cut, &format!("{source} cut at {at}"));
            let out = bionft_seq(&[
                "manifest",
                arg(&cut),
                "--salt-file",
                arg(&salt),
                "-o",
                arg(&manifest),
            ]);
            assert_eq!(out.status.code(), Some(2), "{source} cut at {at}");
            assert!(!manifest.exists());
        }
    }
}

#[test]
fn truncated_text_files_ending_mid_line_are_refused() {
    for scheme in SCHEMES {
        refuses_truncated_text(scheme);
    }
}

fn refuses_truncated_text(scheme: &str) {
    let bionft_seq = |args: &[&str]| bionft_seq_with(scheme, args);
    let scratch = Scratch::new(&format!("truncate-text-{scheme}"));
    for source in [
        "htslib/tabix_vcf_file.vcf",
        "htslib/ce_1000.sam",
        "fastp/R1.fq",
    ] {
        let bytes = fs::read(data(source)).unwrap();
        for at in truncations(&bytes, 25)
            .into_iter()
            .filter(|&at| bytes[at - 1] != b'\n')
        {
            let cut = scratch.write("cut", &bytes[..at]);
            assert_refused(
                &bionft_seq(&["hash", arg(&cut)]),
                &cut,
                &format!("{source} cut at {at}"),
            );
        }
    }
}

/// The offsets of the compressed payload, CRC and size of a file's first BGZF block.
fn first_block_payload(bytes: &[u8]) -> std::ops::Range<usize> {
    let block_size = usize::from(u16::from_le_bytes([bytes[16], bytes[17]])) + 1;
    18..block_size
}

#[test]
fn corrupt_bytes_are_refused_or_yield_a_digest_but_never_crash() {
    for scheme in SCHEMES {
        refuses_corrupt_bytes_or_digests(scheme);
    }
}

fn refuses_corrupt_bytes_or_digests(scheme: &str) {
    let bionft_seq = |args: &[&str]| bionft_seq_with(scheme, args);
    let scratch = Scratch::new(&format!("flip-{scheme}"));
    for source in ["htslib/range.bam", "htslib/tabix_vcf_file.bcf"] {
        let bytes = fs::read(data(source)).unwrap();
        let payload = first_block_payload(&bytes);
        for at in payload.clone().step_by(payload.len() / 25 + 1) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x55;
            let path = scratch.write("flipped", &flipped);
            assert_refused(
                &bionft_seq(&["hash", arg(&path)]),
                &path,
                &format!("{source} flipped at {at}"),
            );
        }
    }
    for source in [
        "htslib/range.cram",
        "htslib/ce_1000.sam",
        "htslib/tabix_vcf_file.vcf",
        "fastp/R2.fq",
    ] {
        let bytes = fs::read(data(source)).unwrap();
        for at in (0..bytes.len()).step_by(bytes.len() / 40 + 1) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x55;
            let path = scratch.write("flipped", &flipped);
            let reference = data("hts-specs/ce.fa");
            let out = bionft_seq(&["hash", "--reference", arg(&reference), arg(&path)]);
            match out.status.code() {
                Some(0) => {
                    let stdout = String::from_utf8(out.stdout).unwrap();
                    assert!(
                        stdout.contains(&format!("content digest   bionft-{scheme}:")),
                        "{source} flipped at {at}"
                    );
                }
                _ => assert_refused(&out, &path, &format!("{source} flipped at {at}")),
            }
        }
    }
}

#[test]
fn a_c2_proof_over_several_read_groups_verifies_and_binds_their_interleaving() {
    let scratch = Scratch::new("prove-groups");
    let bam = data("samtools/checksum_chk1.bam");
    let proof = scratch.path("proof.json");
    let out = bionft_seq(&["prove", arg(&bam), "--region", "17", "-o", arg(&proof)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = hash_json(&[&bam], &[])[0]["merkle"]["root"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = bionft_seq(&["verify-proof", arg(&proof), "--root", &root]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let text = fs::read_to_string(&proof).unwrap();
    let mut json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["schema"], "bionft-seq-proof/2");
    let chunk = &mut json["chunks"][0];
    assert_eq!(chunk["groups"].as_array().unwrap().len(), 3);
    let order = chunk["order"].as_array_mut().unwrap();
    assert_eq!(order.len(), 144);
    // Moving a record to another read group changes the leaf.
    let other = order
        .iter()
        .find(|g| **g != order[0])
        .expect("records of several groups")
        .clone();
    order[0] = other;
    let moved = scratch.write("moved.json", json.to_string().as_bytes());
    let out = bionft_seq(&["verify-proof", arg(&moved), "--root", &root]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn c1_manifests_still_verify_with_c1_and_c2_manifests_with_c2() {
    let scratch = Scratch::new("verify-schemes");
    let (bam, cram, fasta) = (
        data("hts-specs/bam_level-1.bam"),
        data("hts-specs/cram_3.0_level-2.cram"),
        data("hts-specs/ce.fa"),
    );
    for (scheme, alg) in [("c1", 1), ("c2", 2)] {
        let manifest = write_manifest(&scratch, &[&bam], &["--scheme", scheme]);
        let json: Value = serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
        assert_eq!(json["files"][0]["digest_alg"], alg);
        assert!(digest_scheme_is(&json["files"][0], scheme));
        // c1 manifests carry the order-independent digest; c2 ones only with --unordered.
        assert_eq!(
            json["files"][0]["order_independent"].is_string(),
            scheme == "c1"
        );
        // Verified with the manifest's scheme whatever --scheme says (the default is c2).
        for other in SCHEMES {
            let out = bionft_seq(&[
                "verify",
                "--scheme",
                other,
                arg(&cram),
                "-m",
                arg(&manifest),
                "-r",
                arg(&fasta),
            ]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{scheme} manifest, --scheme {other}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let out = bionft_seq(&["verify", "-c", arg(&manifest)]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = bionft_seq(&[
            "verify",
            arg(&data("samtools/checksum_chk1.bam")),
            "-m",
            arg(&manifest),
        ]);
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("144 records (expected 20000)"), "{stdout}");
        assert!(
            stdout.contains("read group \"NA12878\" is missing"),
            "{stdout}"
        );
    }
    // A manifest of an unknown scheme, or whose digest_alg does not match its digest, is refused.
    let manifest = write_manifest(&scratch, &[&bam], &[]);
    let text = fs::read_to_string(&manifest).unwrap();
    for (from, to) in [
        ("bionft-c2:", "bionft-c9:"),
        ("\"digest_alg\": 2", "\"digest_alg\": 1"),
    ] {
        let broken = scratch.write("broken.json", text.replace(from, to).as_bytes());
        let out = bionft_seq(&["verify", "-c", arg(&broken)]);
        assert_refused(&out, &broken, &format!("{from} replaced by {to}"));
    }
}

#[test]
fn unordered_c2_manifests_verify_and_tell_a_reordering() {
    let (header, records) = sam_parts();
    let scratch = Scratch::new("verify-unordered");
    let sorted = scratch.write("a.sam", &sam(&header, &records));
    let manifest = write_manifest(&scratch, &[&sorted], &["--unordered"]);
    let mut reversed = records.clone();
    reversed.reverse();
    let unsorted = scratch.write("a.sam", &sam(&header, &reversed));
    let out = bionft_seq(&["verify", arg(&unsorted), "-m", arg(&manifest)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("same records in a different order"));
}

#[test]
fn compare_says_same_content_across_formats_and_names_what_differs() {
    let (bam, cram, fasta) = (
        data("hts-specs/bam_level-9.bam"),
        data("hts-specs/cram_3.1_level-4.cram"),
        data("hts-specs/ce.fa"),
    );
    let out = bionft_seq(&["compare", arg(&bam), arg(&cram), "-r", arg(&fasta)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\nsame content\n"));

    let scratch = Scratch::new("compare");
    let (header, records) = sam_parts();
    let original = scratch.write("a.sam", &sam(&header, &records));
    // Record 701: mapping quality changed.
    let mut edited = records.clone();
    let mut fields: Vec<String> = edited[700].split('\t').map(str::to_owned).collect();
    fields[4] = if fields[4] == "3" { "4" } else { "3" }.into();
    let position = format!("{}:{}", fields[2], fields[3]);
    edited[700] = fields.join("\t");
    let changed = scratch.write("b.sam", &sam(&header, &edited));
    let out = bionft_seq(&["compare", "--json", arg(&original), arg(&changed)]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["same_content"], false);
    assert_eq!(json["first_difference"]["record"], 701);
    assert_eq!(json["first_difference"]["field"], "mapping quality");
    assert_eq!(json["first_difference"]["position"], position.as_str());
    assert!(json["header"].as_array().unwrap().is_empty());

    // An aux field dropped from record 900, and one record fewer.
    let mut dropped = records.clone();
    let trimmed: Vec<&str> = dropped[899].split('\t').collect();
    let aux = trimmed[11..].to_vec();
    assert!(!aux.is_empty(), "ce#1000 records have aux fields");
    let dropped_tag = aux[0][..2].to_owned();
    dropped[899] = trimmed[..11]
        .iter()
        .chain(&aux[1..])
        .copied()
        .collect::<Vec<_>>()
        .join("\t");
    dropped.pop();
    let mut with_group = header.clone();
    with_group.push("@RG\tID:lane1\tSM:child".into());
    let other = scratch.write("c.sam", &sam(&with_group, &dropped));
    let out = bionft_seq(&["compare", arg(&original), arg(&other)]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("header: read group lane1 only in B"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "records: {} in A, {} in B",
            records.len(),
            records.len() - 1
        )),
        "{text}"
    );
    assert!(text.contains("first differing record: 900 at "), "{text}");
    assert!(
        text.contains(&format!("aux {dropped_tag} only in A")),
        "{text}"
    );

    let missing = scratch.path("missing.bam");
    assert_refused(
        &bionft_seq(&["compare", arg(&original), arg(&missing)]),
        &missing,
        "compare with a missing file",
    );
}

#[test]
fn c2_reports_the_ga4gh_seqcol_digests_of_the_spec_test_collection() {
    // The seqcol specification's base.fa (refget test_fasta/test_fasta_digests.json), as the
    // reference of a SAM whose header declares its three sequences.
    let scratch = Scratch::new("seqcol");
    let fasta = scratch.write("base.fa", b">chrX\nTTGGGGAA\n>chr1\nGGAA\n>chr2\nGCGC\n");
    let sam = scratch.write(
        "base.sam",
        b"@SQ\tSN:chrX\tLN:8\n@SQ\tSN:chr1\tLN:4\n@SQ\tSN:chr2\tLN:4\nr1\t0\tchr1\t1\t60\t4M\t*\t0\t0\tGGAA\tIIII\n",
    );
    let with_reference = &hash_json(&[&sam], &["--reference", arg(&fasta)])[0];
    let seqcol = &with_reference["reference_seqcol"];
    assert_eq!(
        seqcol["coordinate_system"],
        "zjM1Ie9m0zFbqsAnZ6jAJSXuFpKTr40J"
    );
    assert_eq!(seqcol["collection"], "XZlrcEGi6mlopZ2uD8ObHkQB1d0oDwKk");
    // Without the residues the level-0 digest is unknown; the coordinate system is not.
    let without = &hash_json(&[&sam], &[])[0];
    assert_eq!(
        without["reference_seqcol"]["coordinate_system"],
        seqcol["coordinate_system"]
    );
    assert!(without["reference_seqcol"].get("collection").is_none());
    assert_eq!(without["content_digest"], with_reference["content_digest"]);
    // A reference with another length for chr2 gives no level-0 digest.
    let other = scratch.write("other.fa", b">chrX\nTTGGGGAA\n>chr1\nGGAA\n>chr2\nGCGCA\n");
    let mismatched = &hash_json(&[&sam], &["--reference", arg(&other)])[0];
    assert!(mismatched["reference_seqcol"].get("collection").is_none());
}

#[test]
fn c1_is_frozen_its_digests_are_those_published_before_c2() {
    // The digests of bam_level-1.bam that `bionft-seq` printed before c2 existed (this crate's
    // README at the commit before it), i.e. what c1 manifests already on chain hold. A change
    // here means c1 manifests would no longer verify.
    let bam = data("hts-specs/bam_level-1.bam");
    let report = &hash_json(&[&bam], &["--scheme", "c1"])[0];
    assert_eq!(
        report["content_digest"],
        "bionft-c1:3e4906bddf9d9e6625544125aca7fe3a449c366ce6e1aa7730a4f26b6e6fbda6"
    );
    assert_eq!(
        report["header_digest"],
        "c2cec0c78e1050594ed508abec81efd27f13b52ff01a548e0aecf4236f79e4dc"
    );
    assert_eq!(
        report["merkle"]["root"],
        "22946d29469cbb24557f1a5d908cb8b6459776ba09a0ecedb5422a04e6ae7013"
    );
    assert_eq!(
        report["order_independent"],
        "436e61ed59a418fbaaf3ec6be35f103cd883c9e4614b9b7656a4ebf6f35f98d7"
    );
    assert_eq!(
        report["read_groups"][0]["digest"],
        "de9e835e7b6f2a261e7fb3e876b6691303aa37742ddf7dc1ed00121d3419e8df"
    );
    assert_eq!(
        report["reference_seqcol"]["coordinate_system"],
        "ezQgOdUktjiyNbc-3jMKpgTIgvW_3wsY"
    );
    assert_eq!(
        report["reference_seqcol"]["collection"],
        "lFOwpOeFsh1ugou-diOmHQpap8uVPhE6"
    );
}

/// A real file with one thing broken, and what its refusal must say.
struct Mutation {
    name: &'static str,
    file: PathBuf,
    /// Every one of these appears in the error.
    says: Vec<String>,
}

/// The 1-based line of `text` that holds byte `at`.
fn line_at(text: &[u8], at: usize) -> usize {
    text[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

/// `text` with line `line` (1-based, without its newline) passed through `edit`.
fn edit_line(text: &[u8], line: usize, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let mut out = Vec::with_capacity(text.len());
    for (i, l) in lines.into_iter().enumerate() {
        if i + 1 == line {
            let body = std::str::from_utf8(l.strip_suffix(b"\n").unwrap()).unwrap();
            out.extend(edit(body).bytes());
            out.push(b'\n');
        } else {
            out.extend_from_slice(l);
        }
    }
    out
}

/// `line` with its tab-separated field `field` (0-based) replaced by `value`.
fn set_field(line: &str, field: usize, value: &str) -> String {
    let mut fields: Vec<&str> = line.split('\t').collect();
    fields[field] = value;
    fields.join("\t")
}

fn u32_at(bytes: &[u8], at: usize) -> usize {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

/// Where each record starts (after its block size) in an inflated BAM stream.
fn bam_records(raw: &[u8]) -> Vec<usize> {
    let mut at = 8 + u32_at(raw, 4);
    let references = u32_at(raw, at);
    at += 4;
    for _ in 0..references {
        at += 8 + u32_at(raw, at);
    }
    let mut records = Vec::new();
    while at < raw.len() {
        records.push(at + 4);
        at += 4 + u32_at(raw, at);
    }
    records
}

/// Where each record's per-sample data starts in an inflated BCF stream.
fn bcf_sample_data(raw: &[u8]) -> Vec<usize> {
    let mut at = 9 + u32_at(raw, 5);
    let mut records = Vec::new();
    while at < raw.len() {
        let (shared, individual) = (u32_at(raw, at), u32_at(raw, at + 4));
        records.push(at + 8 + shared);
        at += 8 + shared + individual;
    }
    records
}

/// The SAM or VCF text inside an inflated BAM or BCF stream starts here.
const BAM_TEXT: usize = 8;
const BCF_TEXT: usize = 9;

/// Breaks the header and one record of a real file of every format, as a real file can be
/// broken (a space for a tab, a bad value, an index out of range, a wrong type code).
fn mutations(scratch: &Scratch) -> Vec<Mutation> {
    let mut cases = Vec::new();
    let mut case = |name, bytes: &[u8], says: &[String]| {
        cases.push(Mutation {
            name,
            file: scratch.write(name, bytes),
            says: says.to_vec(),
        })
    };

    // SAM: the issue's case, an @SQ field separated by a space; and a record's FLAG.
    let sam = fs::read(data("htslib/ce_1000.sam")).unwrap();
    let header_lines = sam
        .split(|&b| b == b'\n')
        .take_while(|l| l.starts_with(b"@"))
        .count();
    let spaced = edit_line(&sam, 2, |l| l.replacen("\tLN:", " LN:", 1));
    case(
        "sq-space.sam",
        &spaced,
        &["header line 2: ".into(), "reference sequence".into()],
    );
    let flagged = edit_line(&sam, header_lines + 5, |l| set_field(l, 1, "x"));
    case(
        "flag.sam",
        &flagged,
        &[
            format!("record 5 (line {}): ", header_lines + 5),
            "invalid flags".into(),
        ],
    );
    // The same SAM, bgzipped: lines are counted in the decompressed text.
    case(
        "flag.sam.gz",
        &bgzip(&flagged),
        &[
            format!("record 5 (line {}): ", header_lines + 5),
            "invalid flags".into(),
        ],
    );

    // BAM: a space for a tab in the SAM text of the header; record 3 on reference 1000.
    let bam = gunzip(&fs::read(data("htslib/range.bam")).unwrap());
    let mut spaced = bam.clone();
    let sq = BAM_TEXT + find(&bam[BAM_TEXT..], b"\n@SQ\tSN:CHROMOSOME_II\t") + 1;
    spaced[sq + 3] = b' ';
    case(
        "sq-space.bam",
        &bgzip(&spaced),
        &[format!(
            "header line {}: ",
            line_at(&bam[BAM_TEXT..], sq - BAM_TEXT)
        )],
    );
    let mut moved = bam.clone();
    let third = bam_records(&bam)[2];
    moved[third..third + 4].copy_from_slice(&1000u32.to_le_bytes());
    case(
        "reference.bam",
        &bgzip(&moved),
        &["record 3: ".into(), "reference sequence index 1000".into()],
    );

    // CRAM: a byte of the header container flipped; records without their reference.
    let mut cram = fs::read(data("htslib/range.cram")).unwrap();
    let header_block = find(&cram, &[0x1f, 0x8b]);
    assert!(header_block < 200, "the header's gzip block comes first");
    cram[header_block + 20] ^= 0x55;
    case("header.cram", &cram, &["header: ".into()]);
    let cram = fs::read(data("htslib/range.cram")).unwrap();
    case(
        "no-reference.cram",
        &cram,
        &["record 1: ".into(), "--reference".into()],
    );

    // VCF: a FORMAT line's Type misspelt; record 3's POS not a number.
    let vcf = fs::read(data("htslib/tabix_vcf_file.vcf")).unwrap();
    let header_lines = vcf
        .split(|&b| b == b'\n')
        .take_while(|l| l.starts_with(b"#"))
        .count();
    let gt = line_at(&vcf, find(&vcf, b"##FORMAT=<ID=GT,"));
    let typo = |l: &str| l.replacen("Type=String", "Type=Strinx", 1);
    case(
        "format-type.vcf",
        &edit_line(&vcf, gt, typo),
        &[
            format!("header line {gt}: "),
            "FORMAT".into(),
            "type".into(),
        ],
    );
    let position = edit_line(&vcf, header_lines + 3, |l| set_field(l, 1, "3x"));
    case(
        "pos.vcf.gz",
        &gzip(&position),
        &[
            format!("record 3 (line {}): ", header_lines + 3),
            "invalid position".into(),
        ],
    );

    // BCF: the same header typo in its VCF text; record 2's GT of an unknown type code.
    let bcf = gunzip(&fs::read(data("htslib/tabix_vcf_file.bcf")).unwrap());
    let text = &bcf[BCF_TEXT..];
    let at = find(text, b"Type=String");
    let mut typo = bcf.clone();
    typo[BCF_TEXT + at + 10] = b'x';
    case(
        "format-type.bcf",
        &bgzip(&typo),
        &[
            format!("header line {}: ", line_at(text, at)),
            "FORMAT".into(),
        ],
    );
    let mut typed = bcf.clone();
    let second = bcf_sample_data(&bcf)[1];
    assert_eq!(
        typed[second..second + 2],
        [0x11, 4],
        "record 2's first key is GT"
    );
    typed[second + 2] = (typed[second + 2] & 0xf0) | 9;
    case(
        "gt-type.bcf",
        &bgzip(&typed),
        &[
            "record 2: ".into(),
            "FORMAT/GT".into(),
            "value type 9".into(),
        ],
    );

    // FASTQ: record 3's '+' line missing its '+'; a gzipped FASTQ whose record 2 lost a score.
    let fastq = fs::read(data("fastp/R1.fq")).unwrap();
    case(
        "plus.fq",
        &edit_line(&fastq, 11, |l| format!("x{}", &l[1..])),
        &["record 3 (lines 9-12): ".into(), "description".into()],
    );
    let reads = gunzip(&fs::read(data("seqkit/reads_1.fq.gz")).unwrap());
    let short = edit_line(&reads, 8, |l| l[1..].to_string());
    case(
        "short-qual.fq.gz",
        &gzip(&short),
        &["record 2 (lines 5-8): ".into(), "quality".into()],
    );
    cases
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(needle)))
}

#[test]
fn a_refusal_says_where_and_what_for_every_format_and_both_schemes_alike() {
    let scratch = Scratch::new("mutations");
    let salt = scratch.write("s.salt", b"0123456789abcdef");
    let cases = mutations(&scratch);
    let before = scratch.entries();
    let manifest = scratch.path("never.json");
    for case in &cases {
        let mut messages = Vec::new();
        for scheme in SCHEMES {
            let out = bionft_seq_with(scheme, &["hash", arg(&case.file)]);
            assert_refused(&out, &case.file, &format!("{scheme} {}", case.name));
            let stderr = String::from_utf8(out.stderr).unwrap();
            for expected in &case.says {
                assert!(
                    stderr.contains(expected.as_str()),
                    "{scheme} {}: expected {expected:?} in {stderr}",
                    case.name
                );
            }
            messages.push(stderr);

            let out = bionft_seq_with(
                scheme,
                &[
                    "manifest",
                    arg(&case.file),
                    "--salt-file",
                    arg(&salt),
                    "-o",
                    arg(&manifest),
                ],
            );
            assert_eq!(out.status.code(), Some(2), "{scheme} {}", case.name);
            assert!(out.stdout.is_empty(), "{scheme} {}", case.name);
            assert_eq!(
                scratch.entries(),
                before,
                "{scheme} {}: left a file",
                case.name
            );
        }
        assert_eq!(
            messages[0], messages[1],
            "c1 and c2 refuse {} alike",
            case.name
        );
    }
}
