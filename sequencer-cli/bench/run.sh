#!/usr/bin/env bash
# Benchmark of `bionft-seq hash` (bionft-c2 by default, with `--unordered`, and bionft-c1) against `samtools checksum` (default fields, and `-a` for every
# field, which is closer to what the content digest covers), `samtools view -c` (samtools' decode
# floor), `sha256sum`, and this crate's `decode-floor` example (BGZF inflate alone, and the least
# work any `bionft-c1` / `bionft-c2` implementation must do, on one thread) on a ~1 GB BAM of real reads, all measured in the same run. Not run in CI.
#
# The peer is samtools 1.24 built by `build-samtools.sh` from the sources in the pysam sdist on
# PyPI, with libdeflate, as samtools' own build makes it (`samtools checksum` appeared in 1.22;
# Debian ships 1.16). Do not use the pysam wheel's samtools for timing: it is linked against
# zlib, whose table-driven `crc32_z` makes `checksum` about 2.3x slower.
#
# Usage: sequencer-cli/bench/run.sh [COPIES]   (default 1100 copies of the 20,000 reads ≈ 1 GB)
#        sequencer-cli/bench/run.sh vcf [RECORDS] (a synthetic bgzipped VCF of 100 samples, default
#        260,000 records ≈ 200 MB, against `bcftools view | sha256sum`; bcftools 1.24 is built from
#        the same sdist)
# Environment: BENCH_DIR (default /tmp/bionft-bench), THREADS (default 2): threads in all for every
# tool (`bionft-seq --threads N`, `samtools -@ N-1` extra threads beside the main one), ROUNDS
# (default 2). The "load" column is the 1-minute load average as each measurement starts: wall
# times are only comparable when it stays well below the core count.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
data="$repo/../shared/data"
mode=bam
[ "${1:-}" = vcf ] && { mode=vcf; shift; }
copies=${1:-1100}
threads=${THREADS:-2}
rounds=${ROUNDS:-2}
work=${BENCH_DIR:-/tmp/bionft-bench}
mkdir -p "$work"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
peers="$work/samtools-1.24"
if [ $mode = vcf ]; then "$here/build-samtools.sh" "$peers" bcftools; else "$here/build-samtools.sh" "$peers"; fi
samtools="$peers/samtools"

measure() { # name, command...  (times one command on $input)
    local name=$1; shift
    cat "$input" > /dev/null # same page-cache state for every tool
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || { cat "$work/err" >&2; return 1; }
    read -r wall rss user sys < "$work/time"
    printf '| %s | %s | %s | %.1f | %s | %s |\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)" "$load" "$*" | sed "s|$work/||g; s|$repo/||g"
}

if [ $mode = vcf ]; then
    records=$copies
    [ "$records" = 1100 ] && records=260000
    input="$work/bench-$records.vcf.gz"
    if [ ! -s "$input" ]; then
        echo "writing $input: $records synthetic records of 100 samples" >&2
        python3 - "$records" <<'PY' | "$peers/bcftools" view -Oz --threads "$threads" -o "$input" -
import random, sys
random.seed(12)
records, samples = int(sys.argv[1]), 100
out = sys.stdout
out.write("##fileformat=VCFv4.2\n")
for c in range(1, 23):
    out.write(f"##contig=<ID={c},length=250000000>\n")
out.write('##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
          '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">\n'
          '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
          '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
          '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">\n'
          '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred likelihoods">\n')
out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t"
          + "\t".join(f"S{i}" for i in range(samples)) + "\n")
r = random.randrange
pool = [f"{g}:{r(1, 80)}:{r(1, 99)}:{r(0, 255)},{r(0, 255)},{r(0, 255)}"
        for g in ("0/0", "0/1", "1/1", "./.") for _ in range(25000)]
per_contig = records // 22 + 1
for i in range(records):
    chrom, pos = i // per_contig + 1, (i % per_contig) * 50 + r(1, 50)
    ref, alt = random.sample("ACGT", 2)
    out.write(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t{r(10, 999)}\tPASS\tDP={r(100, 9000)};AF={r(1, 999) / 1000}\tGT:DP:GQ:PL\t"
              + "\t".join(random.choices(pool, k=samples)) + "\n")
PY
    fi
    (cd "$repo" && cargo build --release -p sequencer-cli -q --bin bionft-seq)
    bin="$repo/target/release/bionft-seq"
    echo "file: $input ($(stat -c %s "$input") bytes, $records records), threads: $threads, $(nproc) cores" >&2
    echo "| tool | wall s | CPU s | peak RSS MiB | load | command |"
    echo "|---|---|---|---|---|---|"
    for _ in $(seq "$rounds"); do
        measure "sha256sum (file bytes)" sha256sum "$input"
        measure "bcftools view | sha256sum" bash -c "'$peers/bcftools' view --threads $((threads - 1)) '$input' | sha256sum"
        measure "bionft-seq hash (c2)" "$bin" hash --threads "$threads" "$input"
        grep 'content digest' "$work/out" >&2
        measure "bionft-seq hash --scheme c1" "$bin" hash --scheme c1 --threads "$threads" "$input"
    done
    exit 0
fi

bam="$work/bench-$copies.bam"
if [ ! -s "$bam" ]; then
    echo "building $bam from $copies copies of hts-specs/bam_level-1.bam" >&2
    src="$data/hts-specs/bam_level-1.bam"
    { "$samtools" view -H "$src"
      "$samtools" view "$src" | awk -v n="$copies" -F'\t' -v OFS='\t' '
        { line[NR] = $0 }
        END { for (c = 1; c <= n; c++) for (i = 1; i <= NR; i++) {
                split(line[i], f, "\t"); f[1] = f[1] "_" c; s = f[1]
                for (k = 2; k <= length(f); k++) s = s OFS f[k]
                print s } }'
    } | "$samtools" view -@ "$threads" -b -o "$bam" -
fi

(cd "$repo" && cargo build --release -p sequencer-cli -q --bin bionft-seq --example decode-floor)
bin="$repo/target/release/bionft-seq"
floor="$repo/target/release/examples/decode-floor"
input=$bam
records=$("$samtools" view -c -@ "$threads" "$bam")
size=$(stat -c %s "$bam")
echo "file: $bam ($size bytes, $records records), threads: $threads, $(nproc) cores" >&2

echo "| tool | wall s | CPU s | peak RSS MiB | load | command |"
echo "|---|---|---|---|---|---|"
for _ in $(seq "$rounds"); do
    measure "sha256sum (file bytes)" sha256sum "$bam"
    measure "samtools view -c" "$samtools" view -c -@ "$((threads - 1))" "$bam"
    measure "BGZF inflate alone, 1 thread" "$floor" inflate "$bam"
    measure "bionft-c1 floor, 1 thread" "$floor" c1-floor "$bam"
    measure "bionft-c2 floor, 1 thread" "$floor" c2-floor "$bam"
    measure "samtools checksum" "$samtools" checksum -@ "$((threads - 1))" "$bam"
    measure "bionft-seq hash (c2)" "$bin" hash --threads "$threads" "$bam"
    grep 'content digest' "$work/out" >&2
    measure "samtools checksum -a" "$samtools" checksum -a -@ "$((threads - 1))" "$bam"
    measure "bionft-seq hash --unordered (c2)" "$bin" hash --unordered --threads "$threads" "$bam"
    measure "bionft-seq hash --scheme c1" "$bin" hash --scheme c1 --threads "$threads" "$bam"
done
