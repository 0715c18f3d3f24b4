#!/usr/bin/env bash
# The README's first command: set everything up and run the main job on the
# embedded defaults (a local chain and SQLite).
#
#  1. set-up (scripts/setup.sh) and the contract build (cargo xtask contracts);
#  2. a local consortium chain (scripts/devnet.sh: chopsticks serving the
#     committed dev chain spec on loopback), or with --network a real network
#     of bionft-node processes (scripts/network.sh: four biobank validators
#     with Aura and GRANDPA, and an archive node serving RPC);
#  3. the story over JSON-RPC (bionft-story): deploy the contracts (v2);
#     newborn trio sequencing: the biobank mints the newborn's sample (its
#     guardians are the parents' per-sample keys; the claim secret stays with
#     the parents, the biobank sees only its commitment; majority month 18
#     years on) and both parents' self-consenting samples, and assigns the
#     sequencer to all three; real sequencing files from ../shared/data are
#     hashed and registered per sample, then the trio's joint VCF; the
#     newborn's guardian and both parents grant a researcher access; the data
#     host checks it (one grant per sample) and logs it;
#  4. the indexer (bionft-indexer) follows the chain's finalized blocks into
#     SQLite and serves its HTTP API and the web app (/app/), started as soon as the contracts are
#     deployed so it follows the rest of the story live; the lineage and the
#     audit trail it answers are printed;
#  5. the data host's gate (bionft-host, on the devnet): the researcher signs
#     an htsget request for a region of the trio's joint VCF and gets a ticket
#     and the bytes (compared with the file); the receipt the gate logged
#     shows in the indexer; the researcher's GA4GH visas are printed; then the
#     father revokes his grant and the next request is refused with the
#     contract's reason. (With --network the gate is skipped: the consortium
#     chain is Live, where a host needs a real key, not the story's dev names.)
#
# The chain, the indexer and the gate stop at the end; pass --keep to leave them
# running (the script prints how to stop them). Outputs go to target/demo/
# (the network's state to target/demo/network/).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false network=false
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    --network) network=true ;;
    -h | --help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run: unknown argument $arg (--keep, --network)" >&2; exit 2 ;;
  esac
done
OUT=target/demo
PORT=${BIONFT_PORT:-9944}
API=127.0.0.1:${BIONFT_API_PORT:-8080}
export BIONFT_NETWORK_DIR=$OUT/network

step() { printf '\n==> %s\n' "$*" >&2; }
rpc() { # rpc METHOD [PARAMS-JSON] on the chain's RPC port
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":${2:-[]}}" "http://127.0.0.1:$PORT"
}

step "set-up and builds"
scripts/setup.sh
cargo xtask contracts
# Debug builds: they share target/ with scripts/test.sh, and the demo's files are small.
cargo build --quiet -p e2e-tests -p indexer -p bionft-client -p bionft-host
scripts/build-web.sh
$network && cargo build --quiet --locked --manifest-path chain-spec/node/Cargo.toml
BIN=target/debug
mkdir -p "$OUT"
rm -f "$OUT/index.sqlite"* "$OUT/deployment.json"

indexer_pid="" story_pid="" host_pid=""
if $network; then
  step "a four-biobank network of bionft-node ($BIONFT_NETWORK_DIR)"
  scripts/network.sh clean
  endpoint=$(scripts/network.sh start)
  PORT=${endpoint##*:}
  stop_chain() { scripts/network.sh stop || true; }
  stop_hint="scripts/network.sh stop (BIONFT_NETWORK_DIR=$BIONFT_NETWORK_DIR)"
else
  step "local chain"
  endpoint=$(scripts/devnet.sh start --port "$PORT")
  stop_chain() { scripts/devnet.sh stop --port "$PORT" || true; }
  stop_hint="scripts/devnet.sh stop --port $PORT"
fi
cleanup() {
  [ -n "$story_pid" ] && kill "$story_pid" 2>/dev/null || true
  [ -n "$indexer_pid" ] && kill "$indexer_pid" 2>/dev/null || true
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null || true
  stop_chain
}
if $keep; then trap '[ $? -eq 0 ] || cleanup' EXIT; else trap cleanup EXIT; fi

step "the story over JSON-RPC ($endpoint), the indexer following it (SQLite: $OUT/index.sqlite, API: http://$API)"
"$BIN/bionft-story" --endpoint "$endpoint" --deployment "$OUT/deployment.json" --json >"$OUT/story.json" &
story_pid=$!
# bionft-story writes the deployment file once the contracts exist.
until [ -f "$OUT/deployment.json" ]; do
  kill -0 "$story_pid" 2>/dev/null || { wait "$story_pid"; exit 1; }
  sleep 0.2
done
"$BIN/bionft-indexer" run --quiet --poll-ms 200 --deployment "$OUT/deployment.json" \
  --db "$OUT/index.sqlite" --listen "$API" --web web-app/dist &
indexer_pid=$!
wait "$story_pid"
story_pid=""
vcf=$(sed -n 's/.*"vcf":"\([0-9]*\)".*/\1/p' "$OUT/story.json")
finalized=$(rpc chain_getHeader "[$(rpc chain_getFinalizedHead | sed -n 's/.*"result":\("0x[0-9a-f]*"\).*/\1/p')]" |
  sed -n 's/.*"number":"0x\([0-9a-f]*\)".*/\1/p')
for _ in $(seq 300); do
  indexed=$(curl -sf "http://$API/status" | sed -n 's/.*"block":\([0-9]*\).*/\1/p' || true)
  [ -n "$indexed" ] && [ "$indexed" -ge $((16#$finalized)) ] && break
  kill -0 "$indexer_pid" 2>/dev/null || { echo "run: the indexer exited" >&2; exit 1; }
  sleep 0.2
done
step "lineage of the trio's joint VCF (record $vcf) back to all three samples, as the indexer serves it (Graphviz DOT)"
curl -sf "http://$API/records/$vcf/lineage.dot?depth=8"
step "audit trail: who read record $vcf, under which grant, and was it covered then?"
curl -sf "http://$API/records/$vcf/receipts" | python3 -m json.tool
receipt=$(curl -sf "http://$API/records/$vcf/receipts" | sed -n 's/.*"items":\[{"id":\([0-9]*\).*/\1/p')
curl -sf "http://$API/receipts/$receipt" | python3 -c '
import json, sys
r = json.load(sys.stdin)
# v2: a joint record is served under one grant per contributing sample.
grants = r.get("grants") or [r["grant"]]
print("receipt %s: under grant(s) %s; covered when it happened: %s"
      % (r["receipt"]["id"], ", ".join("%s (%s, %s then)" % (g["id"], g["purpose"], g["state"]) for g in grants),
         r["covered"]))'

if ! $network; then
  HOST=127.0.0.1:${BIONFT_HOST_PORT:-8090}
  step "the data host's gate (bionft-host, http://$HOST): the researcher fetches a region of the joint VCF $vcf"
  json() { # json KEY… < JSON: one field (list indexes as numbers)
    python3 -c $'import json, sys\nv = json.load(sys.stdin)\nfor k in sys.argv[1:]: v = v[int(k)] if isinstance(v, list) else v[k]\nprint(v)' "$@"
  }
  [ -f "$OUT/visa.p8" ] || "$BIN/bionft-host" visa-key "$OUT/visa.p8" >/dev/null
  # Dave is the story's data host; on this development chain his dev name is his key.
  (umask 077 && printf '//Dave\n' >"$OUT/dave.key")
  shared_vcf=$PWD/../shared/data/htslib/tabix_vcf_file.vcf
  printf '{ "endpoint": "%s", "deployment": "deployment.json", "key": "dave.key", "listen": "%s",\n  "visa_key": "visa.p8",\n  "files": [ { "id": "trio-vcf", "record": %s, "path": "%s" } ] }\n' \
    "$endpoint" "$HOST" "$vcf" "$shared_vcf" >"$OUT/host.json"
  "$BIN/bionft-host" serve --config "$OUT/host.json" 2>"$OUT/host.log" &
  host_pid=$!
  until host_account=$(curl -sf "http://$HOST/service-info" | json account 2>/dev/null); do
    kill -0 "$host_pid" 2>/dev/null || { echo "run: bionft-host exited:" >&2; cat "$OUT/host.log" >&2; exit 1; }
    sleep 0.2
  done
  signed() { # signed TARGET: curl's -H arguments for the researcher's (Ferdie's) signed request
    "$BIN/bionft-host" sign --dev --key //Ferdie --host "$host_account" --purpose HMB "$1" |
      while IFS= read -r line; do printf -- '-H\n%s\n' "$line"; done
  }
  target='/variants/trio-vcf?format=VCF&referenceName=1&start=3000000&end=3100000'
  mapfile -t auth < <(signed "$target")
  curl -sf -D "$OUT/ticket.headers" "${auth[@]}" "http://$HOST$target" >"$OUT/ticket.json"
  python3 -m json.tool "$OUT/ticket.json"
  gate_receipt=$(sed -n 's/^bionft-receipt: \([0-9]*\).*/\1/Ip' "$OUT/ticket.headers")
  curl -sf -H "Authorization: $(json htsget urls 0 headers Authorization <"$OUT/ticket.json")" \
    "$(json htsget urls 0 url <"$OUT/ticket.json")" -o "$OUT/served.vcf"
  cmp "$OUT/served.vcf" "$shared_vcf"
  echo "run: the gate served the registered VCF's bytes and logged receipt $gate_receipt" >&2
  for _ in $(seq 300); do
    curl -sf "http://$API/receipts/$gate_receipt" >/dev/null && break
    sleep 0.2
  done
  echo "run: the indexer's audit trail has it:" >&2
  curl -sf "http://$API/receipts/$gate_receipt" | python3 -m json.tool
  ferdie=$("$BIN/bionft" --json guardian account --dev --own-key --key //Ferdie | json account)
  mapfile -t auth < <(signed "/visas/$ferdie")
  echo "run: Ferdie's GA4GH visas (ES256 JWTs; the host's key: http://$HOST/.well-known/jwks.json), claims:" >&2
  curl -sf "${auth[@]}" "http://$HOST/visas/$ferdie" | python3 -c '
import base64, json, sys
for visa in json.load(sys.stdin)["ga4gh_passport_v1"]:
    claims = visa.split(".")[1]
    print(json.dumps(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))), indent=1))'
  father_salt=$OUT/father-salt.bin
  printf '%s' 'father FA-2026-000123: salt kept by biobank and father' >"$father_salt"
  father_grant=$(json grants 2 <"$OUT/story.json")
  "$BIN/bionft" --deployment "$OUT/deployment.json" --endpoint "$endpoint" guardian revoke \
    --key //Father --sample-salt-file "$father_salt" --grant "$father_grant"
  echo "run: the father revoked his grant $father_grant; the researcher's next request:" >&2
  mapfile -t auth < <(signed "$target")
  curl -s -w '\nHTTP %{http_code}\n' "${auth[@]}" "http://$HOST$target"
fi

if $keep; then
  echo >&2
  echo "web app: http://$API/app/ (guardians and researchers; import a polkadot.js keystore or use an extension)" >&2
  echo "chain: $endpoint ($stop_hint); indexer API: http://$API/openapi.json (kill $indexer_pid)" >&2
  [ -n "$host_pid" ] && echo "data host's gate: http://$HOST/service-info (config $OUT/host.json; kill $host_pid)" >&2
  echo "try: target/debug/bionft --deployment $OUT/deployment.json --endpoint $endpoint host check --grantee //Ferdie --record $vcf --purpose HMB" >&2
  echo "     (one grant per sample of the trio; see target/debug/bionft --help for per-sample guardian keys)" >&2
fi
