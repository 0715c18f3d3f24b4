#!/usr/bin/env bash
# Builds the web app (web-app/) into web-app/dist, which `bionft-indexer run
# --web web-app/dist` serves at /app/: installs its npm packages from the
# lockfile when missing (scripts/setup.sh does too), type-checks (tsc
# --noEmit), bundles with Vite, and copies the contracts' metadata from
# `cargo xtask contracts` (target/ink/<name>/<name>.json) beside it; the app
# refuses metadata whose code hash is not the deployment's.
set -euo pipefail
cd "$(dirname "$0")/.."
for name in biosample consent; do
  [ -f "target/ink/$name/$name.json" ] ||
    { echo "build-web: target/ink/$name/$name.json is missing (run cargo xtask contracts first)" >&2; exit 1; }
done
if [ ! -d web-app/node_modules/@polkadot/api-contract ]; then
  (cd web-app && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi
(cd web-app && npx --no-install tsc --noEmit && npx --no-install vite build --logLevel warn) >&2
mkdir -p web-app/dist/metadata
cp target/ink/biosample/biosample.json target/ink/consent/consent.json web-app/dist/metadata/
echo "build-web: web-app/dist" >&2
