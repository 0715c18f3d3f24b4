#!/usr/bin/env bash
# Installs what the BioNFT build needs on a fresh Debian machine of this kind.
# Idempotent: running it twice is cheap and changes nothing the second time.
# It never touches the rustup toolchains; the contract build uses Debian's
# rustc-web (which ships rust-src) beside them.
set -euo pipefail
cd "$(dirname "$0")/.."

# postgresql: a real server for the indexer's PostgreSQL tests (started per test run);
# curl: devnet readiness checks; zstd: compressing the runtime into chain specs;
# protobuf-compiler: protoc, which sc-network's build needs (bionft-node);
# tzdata: local times in `bionft` output (and its tests);
# chromium: the web app's browser test (web-app/tests/browser.mjs; playwright-core drives it, no browser download).
APT_PACKAGES=(rustc-web cargo-web rust-web-src lld-22 postgresql curl zstd protobuf-compiler chromium tzdata)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing apt packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# wasm-opt (binaryen) from npm, pinned by tools/package-lock.json.
if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
  echo "setup: installing npm tools (binaryen)" >&2
  (cd tools && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi
# chopsticks and the spec generator, pinned by chain-spec/devnet/package-lock.json.
if [ ! -d chain-spec/devnet/node_modules/@acala-network/chopsticks ]; then
  echo "setup: installing chain-spec/devnet (chopsticks)" >&2
  (cd chain-spec/devnet && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi
# The web app's toolchain (TypeScript, Vite, @polkadot/api-contract, playwright-core, axe-core),
# pinned by web-app/package-lock.json; scripts/build-web.sh builds it.
if [ ! -d web-app/node_modules/@polkadot/api-contract ]; then
  echo "setup: installing web-app (TypeScript, Vite, polkadot.js, playwright-core)" >&2
  (cd web-app && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi
# cargo-fuzz, pinned, for the bounded fuzzing step (sequencer-cli/fuzz/run.sh).
CARGO_FUZZ_VERSION=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "setup: installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet >&2
fi
# The GA4GH htsget client and PyJWT from PyPI (written by others), which data-host's test
# points at the gate (PyJWT verifies its GA4GH visas with its JWKS); pinned, in a virtualenv
# of its own. Wheels only: nothing is compiled.
HOST_VENV=data-host/tests/htsget-client
if ! "$HOST_VENV/bin/python3" -c 'import htsget, jwt, cryptography' 2>/dev/null; then
  echo "setup: installing the htsget client and PyJWT (PyPI htsget 0.2.6, PyJWT 2.15.1)" >&2
  [ -x "$HOST_VENV/bin/pip" ] || python3 -m venv "$HOST_VENV"
  "$HOST_VENV/bin/pip" install -q --disable-pip-version-check --only-binary :all: \
    htsget==0.2.6 'pyjwt[crypto]==2.15.1' cryptography==50.0.2 >&2
fi
echo "setup: ok" >&2
