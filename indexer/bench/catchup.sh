#!/usr/bin/env bash
# Indexer catch-up over RPC (not run in CI): a chopsticks devnet with the
# story's contract events, BLOCKS empty blocks, then a few more grants; then
# `bionft-indexer ingest` from block 1 to the head into a fresh SQLite file,
# once per --rpc-window in WINDOWS, and blocks/s for each.
#   indexer/bench/catchup.sh                       # 5,000 blocks (building them takes ~20 min)
#   BLOCKS=500 indexer/bench/catchup.sh            # a quick run
#   BASELINE=/tmp/bionft-indexer-old indexer/bench/catchup.sh   # also time another build
#   CHAIN=ws://127.0.0.1:9962 DEPLOYMENT=deployment.json indexer/bench/catchup.sh
#       # measure on a chain built before (same shape), without building one
# BASELINE is a bionft-indexer binary built from another commit (e.g. `git
# stash -u && cargo build -p indexer --bins && cp target/debug/bionft-indexer
# /tmp/bionft-indexer-old && git stash pop`). It times the debug builds that
# scripts/run.sh uses; build them first:
#   cargo build -p indexer -p e2e-tests -p bionft-client
# Figures go to stdout; BENCHMARKS.md records them.
set -euo pipefail
cd "$(dirname "$0")/../.."
BLOCKS=${BLOCKS:-5000}
PORT=${PORT:-9977}
WINDOWS=${WINDOWS:-"1 8 64"}
BASELINE=${BASELINE:-}
CHAIN=${CHAIN:-}
DEPLOYMENT=${DEPLOYMENT:-}

BIN=$PWD/target/debug
for b in bionft-indexer bionft-story bionft; do
  [ -x "$BIN/$b" ] || { echo "bench: $BIN/$b is missing; cargo build -p indexer -p e2e-tests -p bionft-client" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/bionft-catchup.XXXXXX)
if [ -n "$CHAIN" ]; then
  endpoint=$CHAIN
  PORT=${CHAIN##*:}
  cp "$DEPLOYMENT" "$WORK/deployment.json"
  trap 'rm -rf "$WORK"' EXIT
else
  cleanup() { scripts/devnet.sh stop --port "$PORT" || true; rm -rf "$WORK"; }
  trap cleanup EXIT
fi

rpc() {
  curl -sf -m 3600 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2}" "http://127.0.0.1:$PORT"
}

if [ -z "$CHAIN" ]; then
  # chopsticks forgets blocks beyond its memory window (see chain-spec/devnet/devnet.mjs).
  endpoint=$(BIONFT_DEVNET_MEMORY_BLOCKS=$((BLOCKS + 1000)) scripts/devnet.sh start --port "$PORT")
  "$BIN/bionft-story" --endpoint "$endpoint" --deployment "$WORK/deployment.json" >/dev/null 2>&1
  echo "== building $BLOCKS empty blocks" >&2
  left=$BLOCKS
  while [ "$left" -gt 0 ]; do
    n=$((left < 1000 ? left : 1000))
    rpc dev_newBlock "[{\"count\":$n}]" >/dev/null
    left=$((left - n))
  done
  for _ in 1 2 3 4 5; do
    "$BIN/bionft" --endpoint "$endpoint" --deployment "$WORK/deployment.json" guardian grant \
      --key //Eve --sample 1 --scope 1 --grantee //Ferdie --purpose HMB --days 30 >/dev/null
  done
fi
head=$((16#$(rpc chain_getHeader '[]' | sed -n 's/.*"number":"0x\([0-9a-f]*\)".*/\1/p')))
contracts=$(sed -n 's/.*"address": "\([^"]*\)".*/\1/p' "$WORK/deployment.json" | tr '\n' ' ')
set -- $contracts
echo "== chain head $head; contracts $1 $2" >&2

catch_up() { # label, binary, extra flags…
  local label=$1 bin=$2
  shift 2
  rm -f "$WORK/index.sqlite"*
  local start end
  start=$(date +%s.%N)
  "$bin" ingest --quiet --rpc "$endpoint" --biosample "$B" --consent "$C" --from-block 1 \
    --db "$WORK/index.sqlite" "$@"
  end=$(date +%s.%N)
  "$BIN/bionft-indexer" dump --db "$WORK/index.sqlite" >"$WORK/$label.dump"
  awk -v l="$label" -v h="$head" -v s="$start" -v e="$end" \
    'BEGIN { printf "%-12s %6d blocks in %7.2f s: %7.0f blocks/s\n", l, h, e - s, h / (e - s) }'
}
B=$1 C=$2
if [ -n "$BASELINE" ]; then catch_up baseline "$BASELINE"; fi
for w in $WINDOWS; do catch_up "window-$w" "$BIN/bionft-indexer" --rpc-window "$w"; done
for f in "$WORK"/*.dump; do
  cmp -s "$f" "$WORK/window-${WINDOWS##* }.dump" || { echo "bench: $(basename "$f") differs" >&2; exit 1; }
done
echo "== every run indexed the same rows ($(wc -l <"$WORK/window-${WINDOWS##* }.dump") dump lines)" >&2
