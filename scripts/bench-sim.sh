#!/usr/bin/env bash
# Loopback throughput of `argo simulate` with wrk (Debian's `wrk` package):
# the Alpaca bars route with a 250-bar body and with a one-bar body.
# Usage: scripts/bench-sim.sh [seconds]   (needs a release build of argo)
set -euo pipefail
duration="${1:-5}"
argo="${ARGO:-.build/release/argo}"
command -v wrk >/dev/null || { echo "bench-sim: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$argo" simulate --host 127.0.0.1 --port "$port" >/dev/null &
sim=$!
trap 'kill $sim 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/__sim/stats" >/dev/null && break; sleep 0.1; done
keys=(-H "APCA-API-KEY-ID: bench" -H "APCA-API-SECRET-KEY: bench")
base="http://127.0.0.1:$port/v2/stocks/AAPL/bars?timeframe=1Day"
for body in "limit=250&start=2025-11-01" "limit=1&start=2026-11-20"; do
  bytes=$(curl -s -o /dev/null -w '%{size_download}' "${keys[@]}" "$base&$body")
  for conns in 1 16 64; do
    threads=$(( conns < 2 ? 1 : 2 ))
    rps=$(wrk -t"$threads" -c"$conns" -d"${duration}s" "${keys[@]}" "$base&$body" | awk '/Requests\/sec/ {print $2}')
    printf '%-28s body %6d B  connections %3d  %10s req/s\n' "$body" "$bytes" "$conns" "$rps"
  done
done
echo "connections accepted: $(curl -s "http://127.0.0.1:$port/__sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["routes"]["alpaca"]["connections"])')"
