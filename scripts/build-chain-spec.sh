#!/usr/bin/env bash
# Rebuilds the consortium runtime (chain-spec/runtime) to wasm and regenerates
# the committed raw chain specs chain-spec/specs/{dev,consortium}.raw.json, and
# chain-spec/specs/upgrade-rehearsal.wasm: the same runtime one spec_version up
# (feature `upgrade-rehearsal`), which the network tests upgrade a running
# chain to through governance.
#
#   scripts/build-chain-spec.sh           build the wasm, write both specs
#   scripts/build-chain-spec.sh --check   exit 0 if the committed files were
#                                         generated from the current inputs
#
# The runtime is compiled with Debian's rustc-web (rust-src for build-std) as a
# plain cdylib for wasm32-unknown-unknown, the way substrate-wasm-builder would
# (--cfg substrate_runtime, exported table and __heap_base, imported memory),
# without substrate-wasm-builder itself, which ignores RUSTC and compiles
# binaryen from C++. Paths are remapped so the wasm does not depend on where
# the repository or the cargo registry live. The specs embed the wasm, so the
# local chain (scripts/devnet.sh) needs no Rust build while they are current.
# chain-spec/specs/inputs.sha256 records what the specs were generated from.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME=chain-spec/runtime
DEVNET_DIR=chain-spec/devnet
SPECS=chain-spec/specs
STAMP=$SPECS/inputs.sha256
WASM=$RUNTIME/target/wasm32-unknown-unknown/release/bionft_runtime.wasm

# Every file the specs depend on, in a stable order.
inputs() {
  {
    find "$RUNTIME/src" -type f -name '*.rs'
    printf '%s\n' "$RUNTIME/Cargo.toml" "$RUNTIME/Cargo.lock" chain-spec/consortium.json \
      "$DEVNET_DIR/gen-spec.mjs" "$DEVNET_DIR/package-lock.json" scripts/build-chain-spec.sh
  } | LC_ALL=C sort
}

stamp() { inputs | xargs sha256sum; }

if [ "${1:-}" = "--check" ]; then
  [ -f "$STAMP" ] && [ -f "$SPECS/dev.raw.json" ] && [ -f "$SPECS/consortium.raw.json" ] &&
    [ -f "$SPECS/upgrade-rehearsal.wasm" ] && diff -q <(stamp) "$STAMP" >/dev/null
  exit
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi

for tool in /usr/bin/cargo /usr/bin/rustc wasm-ld-22 node; do
  command -v "$tool" >/dev/null || { echo "build-chain-spec: $tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
if [ ! -d "$DEVNET_DIR/node_modules/@acala-network/chopsticks-core" ]; then
  echo "build-chain-spec: installing chain-spec/devnet (npm ci --ignore-scripts)" >&2
  (cd "$DEVNET_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi

echo "build-chain-spec: compiling the runtime to wasm (cold: several CPU-minutes)" >&2
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
flags=(
  -Clinker=wasm-ld-22
  -Ctarget-cpu=mvp
  -Clink-arg=--export-table
  -Clink-arg=--export=__heap_base
  -Clink-arg=--import-memory
  --cfg substrate_runtime
  "--remap-path-prefix=$registry=/cargo-registry"
  "--remap-path-prefix=$PWD/$RUNTIME=/bionft-runtime"
)
build_runtime() { # build_runtime [cargo feature flags…]
  (
    cd "$RUNTIME"
    unset RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN
    CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; echo "${flags[*]}")" \
      RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      /usr/bin/cargo rustc --locked --quiet --release --lib --crate-type cdylib \
      --target wasm32-unknown-unknown -Zbuild-std=core,alloc "$@"
  )
  echo "build-chain-spec: runtime${1:+ $*} $(wc -c <"$WASM") bytes, sha256 $(sha256sum "$WASM" | cut -d' ' -f1)" >&2
}

mkdir -p "$SPECS"
# The rehearsal first (only the runtime crate itself recompiles), then the release.
build_runtime --features upgrade-rehearsal
node "$DEVNET_DIR/gen-spec.mjs" "$WASM" --upgrade "$SPECS/upgrade-rehearsal.wasm"
build_runtime
for preset in dev consortium; do
  node "$DEVNET_DIR/gen-spec.mjs" "$WASM" "$preset" "$SPECS/$preset.raw.json"
done
stamp >"$STAMP.tmp" && mv "$STAMP.tmp" "$STAMP"
echo "build-chain-spec: ok" >&2
