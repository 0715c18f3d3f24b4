#!/usr/bin/env bash
# Indexer benchmark (not run in CI): ingest rate of a synthetic stream of
# RECORDS records and GRANTS grants into SQLite and PostgreSQL, then p50/p99
# latency of a depth-8 lineage query and of time-travel consent queries under
# concurrent load (wrk, from Debian: apt-get install wrk).
#   indexer/bench/run.sh                # 1M records + 1M grants (the issue's size)
#   RECORDS=90000 GRANTS=90000 indexer/bench/run.sh   # a quick run
# Figures go to stdout; BENCHMARKS.md records them.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${RECORDS:-1000000}
GRANTS=${GRANTS:-1000000}
RESEARCHERS=${RESEARCHERS:-10000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
BACKENDS=${BACKENDS:-"sqlite postgres"}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 2; }

cargo build --release -p indexer >&2
BIN=$PWD/target/release/bionft-indexer
WORK=$(mktemp -d /tmp/bionft-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
chmod 755 "$WORK"

echo "== synthetic stream: $RECORDS records, $GRANTS grants, $RESEARCHERS researchers" >&2
"$BIN" synth --records "$RECORDS" --grants "$GRANTS" --researchers "$RESEARCHERS" --out "$WORK/stream" 2>"$WORK/synth.log"
cat "$WORK/synth.log" >&2
CONTRACTS=$(grep -o -- '--biosample [^ ]* --consent [^ ]*' "$WORK/synth.log")
SAMPLES=$(( (RECORDS + 8) / 9 ))

as_pg() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_postgres() {
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$WORK/pg"; [ "$(id -u)" = 0 ] && chown postgres: "$WORK/pg"
  as_pg "$bin/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 >/dev/null
  PGPORT=$(free_port)
  as_pg "$bin/postgres" -D "$WORK/pg/data" -p "$PGPORT" -k "$WORK/pg" -c listen_addresses=127.0.0.1 \
    -c shared_buffers=1GB -c max_connections=200 >"$WORK/pg.log" 2>&1 &
  PIDS+=($!)
  until as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; do sleep 0.2; done
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres bionft
}

latency() { # name, mode: prints p50 and p99 from wrk's latency distribution
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s indexer/bench/load.lua "http://127.0.0.1:$PORT" \
    -- "$2" "$SAMPLES" "$HEAD" "$RESEARCHERS" "$RECEIPTS")
  echo "$out" >&2
  printf '%s: p50 %s, p99 %s, %s req/s\n' "$1" \
    "$(echo "$out" | awk '$1=="50%"{print $2}')" "$(echo "$out" | awk '$1=="99%"{print $2}')" \
    "$(echo "$out" | awk '/Requests\/sec/{print $2}')"
}

for backend in $BACKENDS; do
  case $backend in
    sqlite) DB=$WORK/index.sqlite ;;
    postgres) start_postgres; DB=postgres://postgres@127.0.0.1:$PGPORT/bionft ;;
  esac
  echo "== $backend: ingest" >&2
  # shellcheck disable=SC2086
  "$BIN" ingest --source "$WORK/stream" --db "$DB" $CONTRACTS 2>"$WORK/ingest-$backend.log"
  echo "$backend ingest: $(tail -1 "$WORK/ingest-$backend.log")"
  PORT=$(free_port)
  "$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" 2>/dev/null &
  PIDS+=($!)
  until curl -sf "http://127.0.0.1:$PORT/status" >/dev/null; do sleep 0.2; done
  HEAD=$(curl -s "http://127.0.0.1:$PORT/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["block"])')
  # About a tenth of the synthetic grants are used; a twentieth is safely below their number.
  RECEIPTS=$(( GRANTS / 20 ))
  latency "$backend lineage depth 8" lineage
  latency "$backend time travel /access at a random block" access
  latency "$backend receipt covered? /receipts/{id}" receipt
done
