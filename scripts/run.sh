#!/usr/bin/env bash
# The README's first command: set everything up and run the main job on the
# embedded defaults. Until the local chain lands (chain-spec, issue 5), the
# main job is: build the contracts to wasm, run the BioNFT story's calls in
# drink's pallet-contracts sandbox and print what each costs, and hash real
# sequencing files with the sequencer CLI (BAM at two compression levels and
# its CRAM: same content digest, different file digests).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=../shared/data

scripts/setup.sh
cargo xtask contracts
echo
echo "== contract calls in the drink sandbox (real wasm) =="
cargo run --quiet -p contract-tests --bin contract-costs
echo
echo "== content digests of real files =="
cargo run --quiet --release -p sequencer-cli -- hash \
  "$DATA/hts-specs/bam_level-1.bam" "$DATA/hts-specs/bam_level-9.bam" \
  "$DATA/hts-specs/cram_3.1_level-4.cram" --reference "$DATA/hts-specs/ce.fa"
