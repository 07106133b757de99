#!/usr/bin/env bash
# Client CPU per request through the fetch core, against `argo simulate` in
# its own process on loopback. Usage: scripts/bench-fetch.sh [requests] [concurrency]
set -euo pipefail
argo="${ARGO:-.build/release/argo}"
bench="${BENCH:-.build/release/ArgoFetchBench}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$argo" simulate --host 127.0.0.1 --port "$port" >/dev/null &
sim=$!
trap 'kill $sim 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/__sim/stats" >/dev/null && break; sleep 0.1; done
"$bench" "http://127.0.0.1:$port" "${1:-20000}" "${2:-8}"
echo "simulator: $(curl -s "http://127.0.0.1:$port/__sim/stats" | python3 -c 'import json,sys; r=json.load(sys.stdin)["routes"]["alpaca"]; print(r["requests"], "requests on", r["connections"], "connections")')"
