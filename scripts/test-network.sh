#!/usr/bin/env bash
# Only the network tests (tests/network), which scripts/test.sh also runs among
# all the others: the story on a four-biobank network with the indexer live and
# one validator down (tests/story.rs); and the fault suite (tests/faults.rs):
# two validators down stall finality while the indexer serves exactly the
# finalized state, their restart resumes finality and they catch up, a wiped
# validator resyncs, a node of another genesis gets no peers, and the bionft
# CLI refuses a chain other than its deployment's. About 9.5 minutes of wall
# time after the builds; the last run is in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "set-up and builds"
scripts/setup.sh
cargo xtask contracts
cargo build --locked -p indexer -p bionft-client
cargo build --manifest-path chain-spec/node/Cargo.toml --locked
step "the network tests"
cargo test --locked -p network-tests
