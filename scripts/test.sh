#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it).
# Sets up the toolchain if needed, checks the committed chain specs are
# current, builds the contracts to wasm, then runs formatting and lint checks
# and every test of the workspace (the end-to-end tests start their own local
# chains on free loopback ports and stop them), then fuzzes bionft-seq for a
# bounded time (sequencer-cli/fuzz/run.sh). bionft-node, in its own
# workspace, is checked and built before the tests, which run the story and
# the fault cases on a network of it (scripts/test-network.sh runs only those).
# Last, the web app is built and tested in headless Chromium against a fresh
# devnet and the indexer (web-app/tests/browser.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "set-up"
scripts/setup.sh
step "format check"
cargo fmt --all --check
step "chain specs match their sources (chain-spec/specs/inputs.sha256)"
scripts/build-chain-spec.sh --check ||
  { echo "test: chain-spec/specs are stale; regenerate them with scripts/build-chain-spec.sh" >&2; exit 1; }
step "contracts → wasm (target/ink/)"
cargo xtask contracts
step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
NODE_MANIFEST=chain-spec/node/Cargo.toml
step "bionft-node (chain-spec/node, its own workspace): format, clippy, unit tests, build"
cargo fmt --manifest-path "$NODE_MANIFEST" --check
cargo clippy --manifest-path "$NODE_MANIFEST" --all-targets --locked -- -D warnings
cargo test --manifest-path "$NODE_MANIFEST" --locked
cargo build --manifest-path "$NODE_MANIFEST" --locked
step "tests (tests/network: the story, faults and governance on four biobanks of bionft-node, ~15 min)"
cargo test --workspace --locked
step "fuzzing: each sequencer-cli fuzz target for 60 s from the real files, kept crashes replayed (sequencer-cli/fuzz/run.sh)"
sequencer-cli/fuzz/run.sh
step "web app: type-check and build (web-app/dist), then its browser test (headless Chromium, devnet, indexer; screenshots in target/web-test/)"
cargo build --locked -p e2e-tests -p indexer -p bionft-client
scripts/build-web.sh
node web-app/tests/browser.mjs
