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
# Environment: BENCH_DIR (default /tmp/bionft-bench), THREADS (default 2): threads in all for every
# tool (`bionft-seq --threads N`, `samtools -@ N-1` extra threads beside the main one), ROUNDS
# (default 2). The "load" column is the 1-minute load average as each measurement starts: wall
# times are only comparable when it stays well below the core count.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
data="$repo/../shared/data"
copies=${1:-1100}
threads=${THREADS:-2}
rounds=${ROUNDS:-2}
work=${BENCH_DIR:-/tmp/bionft-bench}
mkdir -p "$work"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
"$here/build-samtools.sh" "$work/samtools-1.24"
samtools="$work/samtools-1.24/samtools"

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
records=$("$samtools" view -c -@ "$threads" "$bam")
size=$(stat -c %s "$bam")
echo "file: $bam ($size bytes, $records records), threads: $threads, $(nproc) cores" >&2

measure() { # name, command...
    local name=$1; shift
    cat "$bam" > /dev/null # same page-cache state for every tool
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || { cat "$work/err" >&2; return 1; }
    read -r wall rss user sys < "$work/time"
    printf '| %s | %s | %s | %.1f | %s | %s |\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)" "$load" "$*" | sed "s|$work/||g; s|$repo/||g"
}

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
