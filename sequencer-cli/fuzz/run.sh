#!/usr/bin/env bash
# Bounded fuzzing, as CI runs it (scripts/test.sh): builds the fuzz targets, replays every kept
# crash input (regressions/<target>/), then runs each target for FUZZ_SECONDS (default 60) from
# a corpus seeded with the real files of ../shared/data. A new crash fails the run, and its input
# is copied into regressions/<target>/ to be committed beside the fix, so it is replayed from
# then on.
#
# cargo-fuzz (scripts/setup.sh installs it) passes -Z flags to rustc; our machines have only the
# stable toolchain, so RUSTC_BOOTSTRAP=1 lets it accept them. The targets are built without a
# sanitizer: the code under test is safe Rust, whose memory errors are panics already, and
# AddressSanitizer would halve the executions per second.
#
# Usage: sequencer-cli/fuzz/run.sh [TARGET…]    (default: every target)
# Env: FUZZ_SECONDS (per target), FUZZ_DATA (the real files; default <repo>/../shared/data).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"
seconds=${FUZZ_SECONDS:-60}
data=${FUZZ_DATA:-$repo/../shared/data}
max_len=65536
export RUSTC_BOOTSTRAP=1
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode proof)

# The lock file is committed: fail rather than resolve new dependency versions.
cargo metadata --locked --format-version 1 >/dev/null
cargo fuzz build --sanitizer none >&2

# Seeds: every real file of at most max_len bytes, and the first max_len bytes of the larger
# plain-text ones cut at a line end (a longer input would be cut mid-line by libFuzzer).
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
while IFS= read -r -d '' file; do
    name=$(basename "$file")
    case "$name" in *.expected | *.fai | *.tsv) continue ;; esac
    if [ "$(stat -c %s "$file")" -le $max_len ]; then
        cp "$file" "$seeds/$name"
    elif grep -qI . "$file"; then
        head -c $max_len "$file" | sed '$d' > "$seeds/$name"
    fi
done < <(find "$data" -type f -print0)
export BIONFT_FUZZ_REFERENCE="$data/hts-specs/ce.fa"

status=0
for target in "${targets[@]}"; do
    binary="target/x86_64-unknown-linux-gnu/release/$target"
    rm -rf "artifacts/$target"
    mkdir -p "regressions/$target" "corpus/$target" "artifacts/$target"
    kept=(regressions/"$target"/*)
    if [ -e "${kept[0]}" ]; then
        echo "fuzz: $target: replaying ${#kept[@]} kept inputs" >&2
        "$binary" "${kept[@]}" >&2 || { echo "fuzz: $target: a kept input fails again" >&2; exit 1; }
    fi
    corpora=("corpus/$target")
    [ "$target" = decode ] && corpora+=("$seeds")
    echo "fuzz: $target for ${seconds}s" >&2
    if ! "$binary" "${corpora[@]}" -max_total_time="$seconds" -max_len=$max_len \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="artifacts/$target/" \
        -print_final_stats=1 2>"artifacts/$target.log"; then
        tail -40 "artifacts/$target.log" >&2
        for crash in artifacts/"$target"/*; do
            [ -f "$crash" ] && cp "$crash" "regressions/$target/" &&
                echo "fuzz: $target: new crash kept as regressions/$target/$(basename "$crash"); commit it with the fix" >&2
        done
        status=1
    else
        grep -E '^stat::number_of_executed_units|^Done' "artifacts/$target.log" >&2 || true
    fi
done
exit $status
