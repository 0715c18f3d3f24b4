#!/usr/bin/env bash
# The local consortium chain: chopsticks (npm) serving a committed raw chain
# spec on loopback, with real JSON-RPC (WebSocket and HTTP) and a block built
# for every transaction.
#
#   scripts/devnet.sh [start] [--port N] [--spec dev|consortium]
#       start in the background, wait until RPC answers, print ws://127.0.0.1:N
#   scripts/devnet.sh run     [--port N] [--spec ...]   the same, in the foreground until Ctrl-C
#   scripts/devnet.sh stop    [--port N]                stop the chain on that port
#   scripts/devnet.sh status  [--port N]                print the endpoint if it runs (exit 1 if not)
#
# Default port 9944, default spec dev. It installs chain-spec/devnet's npm
# packages and rebuilds the specs (scripts/build-chain-spec.sh) only when they
# are missing or stale. Only the endpoint goes to stdout, so
# `endpoint=$(scripts/devnet.sh start --port 9955)` works. State is in memory:
# every start is a fresh chain at genesis. Running it twice is safe: `start`
# on a running port prints the endpoint, `stop` on a stopped one does nothing.
# With $BIONFT_OWNER_PID set, the chain is stopped once that process has exited
# (scripts/watchdog.sh); the test harnesses set it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/watchdog.sh

DEVNET_DIR=chain-spec/devnet
RUN_DIR=chain-spec/.devnet
cmd=start port=9944 spec=dev
while [ $# -gt 0 ]; do
  case "$1" in
    start | run | stop | status) cmd=$1 ;;
    --port) port=${2:?--port needs a value}; shift ;;
    --spec) spec=${2:?--spec needs a value}; shift ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "devnet: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$port" =~ ^[0-9]+$ ]] || { echo "devnet: --port must be a number" >&2; exit 2; }
case "$spec" in dev | consortium) ;; *) echo "devnet: --spec must be dev or consortium" >&2; exit 2 ;; esac

PID_FILE=$RUN_DIR/$port.pid
WATCHDOG=$RUN_DIR/$port.watchdog.pid
LOG=$RUN_DIR/$port.log
ENDPOINT=ws://127.0.0.1:$port

running_pid() {
  local pid
  [ -f "$PID_FILE" ] && pid=$(cat "$PID_FILE") && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

rpc_answers() {
  curl -sf -m 2 -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"chain_getFinalizedHead","params":[]}' \
    "http://127.0.0.1:$port" | grep -q '"result":"0x'
}

stop() {
  local pid
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    echo "devnet: stopped the chain on port $port (pid $pid)" >&2
  else
    echo "devnet: no chain running on port $port" >&2
  fi
  rm -f "$PID_FILE"
  watchdog_stop "$WATCHDOG"
}

start() {
  if running_pid >/dev/null; then
    echo "devnet: already running on port $port (scripts/devnet.sh stop --port $port)" >&2
    echo "$ENDPOINT"
    return
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "devnet: port $port is in use by another program; pick one with --port" >&2
    exit 1
  fi
  if [ ! -d "$DEVNET_DIR/node_modules/@acala-network/chopsticks" ]; then
    echo "devnet: installing chain-spec/devnet (npm ci --ignore-scripts)" >&2
    # npm reports on stdout; only the endpoint may go there.
    (cd "$DEVNET_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  fi
  if ! scripts/build-chain-spec.sh --check; then
    echo "devnet: the chain specs are missing or older than their sources; rebuilding" >&2
    scripts/build-chain-spec.sh
  fi
  mkdir -p "$RUN_DIR"
  # Stop what this call started if anything below fails or is interrupted.
  trap 'stop; exit 1' INT TERM
  trap 'if [ $? -ne 0 ]; then stop; fi' EXIT
  # chopsticks, through chain-spec/devnet/devnet.mjs (see there why not its CLI).
  setsid node "$DEVNET_DIR/devnet.mjs" "chain-spec/specs/$spec.raw.json" "$port" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  watchdog_start "$WATCHDOG" scripts/devnet.sh stop --port "$port"
  for _ in $(seq 240); do
    if rpc_answers; then
      trap - INT TERM EXIT
      echo "devnet: $spec chain on $ENDPOINT (pid $(cat "$PID_FILE"), log $LOG)" >&2
      echo "$ENDPOINT"
      return
    fi
    if ! running_pid >/dev/null; then
      echo "devnet: chopsticks exited; the end of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "devnet: no RPC answer on port $port after 120 s; the end of $LOG:" >&2
  tail -n 20 "$LOG" >&2
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status)
    if running_pid >/dev/null && rpc_answers; then echo "$ENDPOINT"; else
      echo "devnet: no chain answering on port $port" >&2; exit 1
    fi ;;
  run)
    start >/dev/null
    echo "devnet: $ENDPOINT; Ctrl-C stops it" >&2
    tail -n +1 -f --pid="$(running_pid)" "$LOG" &
    tail_pid=$!
    trap 'kill "$tail_pid" 2>/dev/null; stop; exit 0' INT TERM
    wait "$tail_pid"
    ;;
esac
