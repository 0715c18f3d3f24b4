#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it).
# Sets up the toolchain if needed, checks formatting and that the committed
# chain specs are current, and builds the contracts to wasm. bionft-node, in its
# own workspace, is linted, unit-tested and built next; then every target of the
# main workspace is linted and built (clippy is the compiler of each workspace's
# own crates, see `linted` below). Then two lanes run side by side: the network tests (the
# story, faults and governance on four nodes of bionft-node; alone:
# scripts/test-network.sh) in the background, and in the foreground every other
# test of the workspace (the end-to-end tests start their own local chains on
# free loopback ports and stop them), bounded fuzzing of bionft-seq
# (sequencer-cli/fuzz/run.sh), and the web app's build and its test in headless
# Chromium against a fresh devnet and the indexer (web-app/tests/browser.mjs,
# on the binaries the tests built). Each step's heading shows the time since
# the start; every long step has a time limit.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
# A build run once: incremental caches (about 4 GB of a cold run's target/) only
# pay off for a later build of edited code, which this script never makes.
export CARGO_INCREMENTAL=0
# Free disk and what the build directories hold, at the start and the end:
# BENCHMARKS.md, "Disk", has what a cold run used.
disk() {
  echo "disk: $(df -h --output=avail . | tail -n 1 | tr -d ' ') free; build directories:" \
    "$(du -sh target chain-spec/node/target sequencer-cli/fuzz/target 2>/dev/null | tr '\n\t' '  ')" >&2
}
# Each step is headed with the time since the start, so a CI log says where the time went.
step() { printf '\n==> [%dm%02ds] %s\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*" >&2; }

step "set-up"
disk
scripts/setup.sh
step "format check"
cargo fmt --all --check
cargo fmt --manifest-path chain-spec/node/Cargo.toml --check
step "chain specs match their sources (chain-spec/specs/inputs.sha256)"
scripts/build-chain-spec.sh --check ||
  { echo "test: chain-spec/specs are stale; regenerate them with scripts/build-chain-spec.sh" >&2; exit 1; }
step "contracts → wasm (target/ink/)"
cargo xtask contracts
# Clippy, with warnings denied, as the compiler of each workspace's own crates:
# what `cargo clippy -- -D warnings` sets up (cargo runs clippy-driver as
# RUSTC_WORKSPACE_WRAPPER; CLIPPY_ARGS holds the lint flags), but in a build
# that also compiles, so each dependency is compiled once instead of checked for
# clippy and then built again (about 15 of a cold run's minutes, BENCHMARKS.md).
# A lint fails the build as `cargo clippy` would. Every later cargo command of
# either workspace runs this way, or cargo would rebuild their crates without it.
# (scripts/run.sh builds without it: after this script, its first build
# recompiles the workspace's own crates once, not their dependencies.)
linted() { env CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__ RUSTC_WORKSPACE_WRAPPER=clippy-driver "$@"; }
NODE_MANIFEST=chain-spec/node/Cargo.toml
step "bionft-node (chain-spec/node, its own workspace): clippy, unit tests, build"
linted cargo test --manifest-path "$NODE_MANIFEST" --locked
linted cargo build --manifest-path "$NODE_MANIFEST" --locked
step "clippy and build: every target of the workspace (test binaries included)"
linted cargo build --workspace --all-targets --locked
linted cargo test --workspace --locked --no-run --message-format=json-render-diagnostics >target/test-binaries.json
# The network tests (four nodes each, ~24 min, mostly waiting for blocks and
# finality) run in a lane of their own beside the rest, which need the CPU:
# the other tests, the fuzzing and the browser test. Nothing is compiled while
# both lanes run (the test binaries are built above, the fuzz target has its own
# target directory), and each lane has a time limit so that a hang fails here,
# named, instead of running into the CI's limit. The network lane runs the
# test binaries cargo just built, from their package's directory as cargo
# would; their tests' names start with `network_`, which the other lane skips.
mapfile -t network_tests < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["kind"] == ["test"] \
            and "network-tests" in m["package_id"] and m.get("executable"):
        print(m["executable"])' target/test-binaries.json)
[ ${#network_tests[@]} -eq 3 ] || { echo "test: expected the 3 test binaries of tests/network, found ${#network_tests[@]}" >&2; exit 1; }
NETWORK_LOG=target/network-tests.log
step "tests: tests/network (the story, faults and governance on four biobanks of bionft-node) in the background; log in $NETWORK_LOG"
(
  cd tests/network
  for binary in "${network_tests[@]}"; do
    echo "     Running $binary" && timeout --kill-after=30s 30m "$binary" network_ || exit
  done
) >"$NETWORK_LOG" 2>&1 &
network_lane=$!
stop_network_lane() {
  kill "$network_lane" 2>/dev/null || true
  echo "test: stopped the network lane; its log so far ($NETWORK_LOG):" >&2
  tail -n 40 "$NETWORK_LOG" >&2 || true
}
trap stop_network_lane EXIT
step "tests: every other test of the workspace"
linted timeout --kill-after=30s 40m cargo test --workspace --locked -- --skip network_
step "fuzzing: each sequencer-cli fuzz target for 60 s from the real files, kept crashes replayed (sequencer-cli/fuzz/run.sh)"
timeout --kill-after=30s 20m sequencer-cli/fuzz/run.sh
step "web app: type-check and build (web-app/dist), then its browser test (headless Chromium, devnet, indexer; screenshots in target/web-test/), on the binaries the tests built"
scripts/build-web.sh
timeout --kill-after=30s 15m node web-app/tests/browser.mjs
step "tests: waiting for tests/network"
network_status=0
wait "$network_lane" || network_status=$?
trap - EXIT
cat "$NETWORK_LOG"
if [ "$network_status" -ne 0 ]; then
  echo "test: tests/network failed (exit $network_status$([ "$network_status" -eq 124 ] && echo ': a test binary ran into its 30-minute limit')); its log is above" >&2
  exit 1
fi
disk
step "all passed"
