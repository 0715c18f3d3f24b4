#!/usr/bin/env bash
# The consortium as a real network on this machine: N biobank validators
# (Aura authoring, GRANDPA finality) and one archive node serving RPC, all
# bionft-node processes on 127.0.0.1, peering only with each other.
#
#   scripts/network.sh start [--validators N]   create (first time) or resume the network;
#                                               wait until it finalizes; print the archive
#                                               node's ws:// endpoint (only that, on stdout)
#   scripts/network.sh stop                     stop every node (state is kept)
#   scripts/network.sh status                   one line per node: running, best, finalized, peers
#   scripts/network.sh kill I                   SIGKILL node I (a crash; its state is kept)
#   scripts/network.sh restart I                start node I again (after kill, or kill + start)
#   scripts/network.sh wipe I                   kill node I, delete its chain database (keys
#                                               stay), start it: it resyncs from its peers
#   scripts/network.sh clean                    stop everything and delete the state directory
#
# Nodes are numbered 1..N (validators, "biobank-I") and 0 (the archive node).
# N defaults to 4: GRANDPA finalizes while more than 2/3 of the validators vote,
# so four survive one outage. The first start generates, with bionft-node's own
# key subcommands, each biobank's account, Aura (sr25519) and GRANDPA (ed25519)
# keys and a node key; writes them as a consortium.json (chain-spec/consortium.json's
# format; governance is a multisig of more than two thirds of the biobanks,
# //Alice is a (non-biobank) member that deploys the contracts, and the dev
# accounts //Bob..//Ferdie are funded
# so the story can run); and turns it into a raw chain spec with
# `bionft-node consortium-spec` (the released runtime, its genesis patched; no
# runtime rebuild). Ports are free loopback ports chosen then and kept.
#
# State: $BIONFT_NETWORK_DIR (default chain-spec/.network/, gitignored): spec,
# consortium.json, secrets, one base path and log per node. The node binary is
# $BIONFT_NODE (default chain-spec/node/target/debug/bionft-node; build it with
# `cargo build --manifest-path chain-spec/node/Cargo.toml`). Both start and stop
# are safe to run twice. With $BIONFT_OWNER_PID set, the nodes are stopped once
# that process has exited (scripts/watchdog.sh); the test harness sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/watchdog.sh

DIR=${BIONFT_NETWORK_DIR:-chain-spec/.network}
NODE=${BIONFT_NODE:-chain-spec/node/target/debug/bionft-node}
CHAIN_ID=bionft_local
log() { echo "network: $*" >&2; }
die() { log "$*"; exit 1; }

cmd=${1:-start}
[ $# -gt 0 ] && shift
validators=4
index=""
case "$cmd" in
  -h | --help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  start)
    while [ $# -gt 0 ]; do
      case "$1" in
        --validators) validators=${2:?--validators needs a number}; shift ;;
        *) die "unknown argument $1 (see --help)" ;;
      esac
      shift
    done
    [[ "$validators" =~ ^[1-9][0-9]?$ ]] || die "--validators must be a number from 1 to 99" ;;
  kill | restart | wipe)
    index=${1:-}
    [[ "$index" =~ ^[0-9]+$ ]] || die "$cmd needs a node number (0 is the archive node, 1..N the validators)" ;;
  stop | status | clean) ;;
  *) die "unknown command $cmd (see --help)" ;;
esac

# --- the network's layout, written once by `create` -------------------------
# $DIR/nodes: one line per node: "index p2p-port rpc-port peer-id".
node_line() { awk -v i="$1" '$1 == i' "$DIR/nodes"; }
rpc_port() { node_line "$1" | cut -d' ' -f3; }
count() { awk '$1 > 0' "$DIR/nodes" | wc -l; }
base() { if [ "$1" = 0 ]; then echo "$DIR/archive"; else echo "$DIR/biobank-$1"; fi; }

pid_of() {
  local pid
  [ -f "$(base "$1")/pid" ] && pid=$(cat "$(base "$1")/pid") && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

rpc() { # rpc INDEX METHOD [PARAMS-JSON]
  curl -sf -m 3 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$(rpc_port "$1")"
}

json_field() { python3 -c $'import json, sys\nv = json.load(sys.stdin)\nfor k in sys.argv[1:]: v = v[k]\nprint(v)' "$@"; }

head_number() { # head_number INDEX chain_getHeader|finalized
  local hash
  if [ "$2" = finalized ]; then
    hash=$(rpc "$1" chain_getFinalizedHead | json_field result) || return 1
    rpc "$1" chain_getHeader "[\"$hash\"]" | json_field result number | python3 -c 'print(int(input(), 16))'
  else
    rpc "$1" chain_getHeader | json_field result number | python3 -c 'print(int(input(), 16))'
  fi
}

free_ports() { # free_ports K: K distinct free loopback ports
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

key() { "$NODE" key "$@"; }
ss58() { key inspect --output-type json "$@" | json_field ss58Address; }

create() {
  local n=$1 i phrase ports
  log "creating a $n-validator consortium in $DIR"
  if [ -d "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then
    [ -f "$DIR/nodes" ] || [ -f "$DIR/nodes.tmp" ] ||
      die "$DIR exists and is not a network's state directory; pick another BIONFT_NETWORK_DIR"
    rm -rf "$DIR" # a half-created network
  fi
  mkdir -p "$DIR/secrets"
  chmod 700 "$DIR/secrets"
  ports=($(free_ports $((2 * (n + 1)))))
  : >"$DIR/nodes.tmp"
  local biobanks=()
  for i in $(seq 0 "$n"); do
    mkdir -p "$(base "$i")"
    key generate-node-key --file "$(base "$i")/node.key" 2>/dev/null
    echo "$i ${ports[$((2 * i))]} ${ports[$((2 * i + 1))]} $(key inspect-node-key --file "$(base "$i")/node.key")" >>"$DIR/nodes.tmp"
    [ "$i" = 0 ] && continue
    phrase=$(key generate --scheme sr25519 --output-type json | json_field secretPhrase)
    echo "$phrase" >"$DIR/secrets/biobank-$i.phrase"
    biobanks+=("$(printf '{"name": "Biobank %s", "account": "%s", "aura": "%s", "grandpa": "%s"}' "$i" \
      "$(ss58 --scheme sr25519 "$phrase")" "$(ss58 --scheme sr25519 "$phrase//aura")" \
      "$(ss58 --scheme ed25519 "$phrase//grandpa")")")
  done
  mv "$DIR/nodes.tmp" "$DIR/nodes"
  # Governance: more than two thirds of the biobanks (3 of 4) must approve.
  printf '{\n  "governance_threshold": %s,\n  "endowment": "1000000000000000000",\n  "biobanks": [\n    %s\n  ]\n}\n' \
    "$((2 * n / 3 + 1))" "$(IFS=,; echo "${biobanks[*]}" | sed 's/},{/},\n    {/g')" >"$DIR/consortium.json"
  local fund=()
  for who in Bob Charlie Dave Eve Ferdie; do fund+=(--fund "$(ss58 --scheme sr25519 "//$who")"); done
  "$NODE" consortium-spec "$DIR/consortium.json" --id "$CHAIN_ID" --name "BioNFT Local Consortium" \
    --member "$(ss58 --scheme sr25519 //Alice)" "${fund[@]}" >"$DIR/spec.raw.json.tmp"
  mv "$DIR/spec.raw.json.tmp" "$DIR/spec.raw.json"
  for i in $(seq 1 "$n"); do
    phrase=$(cat "$DIR/secrets/biobank-$i.phrase")
    key insert --chain "$DIR/spec.raw.json" --base-path "$(base "$i")" --key-type aura --scheme sr25519 --suri "$phrase//aura"
    key insert --chain "$DIR/spec.raw.json" --base-path "$(base "$i")" --key-type gran --scheme ed25519 --suri "$phrase//grandpa"
  done
}

launch() { # launch INDEX: start one node in the background
  local i=$1 line p2p rpcp others role
  [ -n "$(pid_of "$i")" ] && return
  line=$(node_line "$i")
  [ -n "$line" ] || die "there is no node $i (0..$(count))"
  read -r _ p2p rpcp _ <<<"$line"
  others=$(awk -v i="$i" '$1 != i { printf "%s/ip4/127.0.0.1/tcp/%s/p2p/%s", (n++ ? " " : ""), $2, $4 }' "$DIR/nodes")
  if [ "$i" = 0 ]; then
    role=(--name archive --state-pruning archive --blocks-pruning archive-canonical)
  else
    role=(--name "biobank-$i" --validator)
  fi
  # shellcheck disable=SC2086 # $others is a list of multiaddrs
  setsid "$NODE" --chain "$DIR/spec.raw.json" --base-path "$(base "$i")" "${role[@]}" \
    --database paritydb --node-key-file "$(base "$i")/node.key" \
    --listen-addr "/ip4/127.0.0.1/tcp/$p2p" --reserved-only --reserved-nodes $others --no-mdns \
    --rpc-port "$rpcp" --rpc-methods safe --no-prometheus --no-telemetry \
    >>"$(base "$i")/node.log" 2>&1 </dev/null &
  echo $! >"$(base "$i")/pid"
  watchdog_start "$DIR/watchdog.pid" env BIONFT_NETWORK_DIR="$DIR" BIONFT_NODE="$NODE" scripts/network.sh stop
}

halt() { # halt INDEX SIGNAL
  local pid
  pid=$(pid_of "$1") || { rm -f "$(base "$1")/pid"; return 0; }
  kill "-$2" "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$(base "$1")/pid"
  log "node $1 stopped ($2, pid $pid)"
}

wait_rpc() { # wait_rpc INDEX: until its RPC answers (2 minutes)
  for _ in $(seq 240); do
    rpc "$1" system_health >/dev/null && return
    [ -n "$(pid_of "$1")" ] || { tail -n 20 "$(base "$1")/node.log" >&2; die "node $1 exited; its log: $(base "$1")/node.log"; }
    sleep 0.5
  done
  die "node $1 did not answer RPC within 2 minutes; its log: $(base "$1")/node.log"
}

start() {
  command -v curl >/dev/null && command -v python3 >/dev/null || die "curl and python3 are needed"
  [ -x "$NODE" ] || die "$NODE is missing: cargo build --manifest-path chain-spec/node/Cargo.toml"
  if [ -f "$DIR/nodes" ] && [ -f "$DIR/spec.raw.json" ]; then
    [ "$(count)" = "$validators" ] ||
      die "$DIR holds a $(count)-validator network; \`scripts/network.sh clean\` first to make a $validators-validator one"
  else
    create "$validators"
  fi
  trap 'for i in $(seq 0 "$(count)"); do halt "$i" TERM; done; exit 1' INT TERM
  for i in $(seq 0 "$(count)"); do launch "$i"; done
  for i in $(seq 0 "$(count)"); do wait_rpc "$i"; done
  # Ready when the archive node has seen a finalized block (a fresh chain
  # needs its first blocks authored and voted on; the first start also compiles
  # the runtime in every node).
  for _ in $(seq 240); do
    [ "$(head_number 0 finalized 2>/dev/null || echo 0)" -gt 0 ] && break
    sleep 0.5
  done
  trap - INT TERM
  [ "$(head_number 0 finalized)" -gt 0 ] || die "no finalized block within 2 minutes; see scripts/network.sh status"
  log "$(count) validators and the archive node are up; finalized #$(head_number 0 finalized)"
  echo "ws://127.0.0.1:$(rpc_port 0)"
}

status() {
  local i pid
  [ -f "$DIR/nodes" ] || die "no network in $DIR (scripts/network.sh start)"
  for i in $(seq 0 "$(count)"); do
    if pid=$(pid_of "$i"); then
      printf '%s pid %s rpc %s best %s finalized %s peers %s\n' "$i" "$pid" "$(rpc_port "$i")" \
        "$(head_number "$i" best 2>/dev/null || echo '?')" "$(head_number "$i" finalized 2>/dev/null || echo '?')" \
        "$(rpc "$i" system_health 2>/dev/null | json_field result peers 2>/dev/null || echo '?')"
    else
      printf '%s down rpc %s\n' "$i" "$(rpc_port "$i")"
    fi
  done
}

case "$cmd" in
  start) start ;;
  stop)
    [ -f "$DIR/nodes" ] || { log "no network in $DIR"; exit 0; }
    for i in $(seq 0 "$(count)"); do halt "$i" TERM; done
    watchdog_stop "$DIR/watchdog.pid" ;;
  status) status ;;
  kill) [ -f "$DIR/nodes" ] || die "no network in $DIR"; node_line "$index" | grep -q . || die "there is no node $index"; halt "$index" KILL ;;
  restart)
    [ -f "$DIR/nodes" ] || die "no network in $DIR"
    halt "$index" TERM
    launch "$index"
    wait_rpc "$index"
    log "node $index restarted" ;;
  wipe)
    [ -f "$DIR/nodes" ] || die "no network in $DIR"
    node_line "$index" | grep -q . || die "there is no node $index"
    halt "$index" KILL
    "$NODE" purge-chain -y --chain "$DIR/spec.raw.json" --base-path "$(base "$index")" --database paritydb 2>&1 | sed 's/^/network: /' >&2
    launch "$index"
    wait_rpc "$index"
    log "node $index wiped and restarted; it resyncs from its peers" ;;
  clean)
    [ -f "$DIR/nodes" ] || { log "no network in $DIR"; exit 0; }
    for i in $(seq 0 "$(count)"); do halt "$i" TERM; done
    watchdog_stop "$DIR/watchdog.pid"
    rm -rf "$DIR"
    log "removed $DIR" ;;
esac
