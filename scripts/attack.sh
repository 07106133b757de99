#!/usr/bin/env bash
# Runs `argo run --demo` with the shipped plugins plus the hostile ones in
# scripts/hostile-plugins/ (docs/security.md), and prints each cycle's duration
# against its deadline, what became of the hostile sources, and the peak RSS.
# Usage: scripts/attack.sh [path/to/argo] [cycles] [deadline]
set -euo pipefail
cd "$(dirname "$0")/.."
ARGO=${1:-.build/release/argo}
CYCLES=${2:-4}
DEADLINE=${3:-8s}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins" "$work/Config"
cp -r plugins/. "$work/plugins/"
cp scripts/hostile-plugins/*.lua "$work/plugins/"
cp Config/consensus.lua "$work/Config/"
cat > "$work/Config/argo.yaml" <<YAML
symbols: [AAPL, MSFT, NVDA, TSLA, AMZN, META]
plugins_dir: $work/plugins
storage:
  path: $work/argo.sqlite
cycle:
  deadline: $DEADLINE
YAML
/usr/bin/time -v "$ARGO" run --demo --cycles "$CYCLES" --interval 0s --config "$work/Config/argo.yaml" 2> "$work/log" || true
grep -E 'msg="?cycle"? |msg=cycle ' "$work/log" | sed -E 's/.*(duration_ms=[0-9.]+).*(source_errors=[0-9]+).*/\1 \2/' || true
grep -E 'Maximum resident set size|Elapsed \(wall' "$work/log"
"$ARGO" history --cycles --config "$work/Config/argo.yaml" | head -n $((CYCLES + 1))
echo "AAPL's sources in the first cycle, then in the last:"
for which in first last; do
"$ARGO" history AAPL --limit "$CYCLES" --format json --config "$work/Config/argo.yaml" \
    | python3 -c 'import json,sys
rows = json.load(sys.stdin)
row = rows[-1] if sys.argv[1] == "first" else rows[0]
for name, s in sorted((row.get("sources") or row.get("signal", {}).get("sources") or {}).items()):
    why = s.get("error") or s.get("reason") or ""
    print("  %-14s %s: %s" % (name, s.get("status"), why[:150]))' "$which" || true
done
grep -iE 'refused|rejected|broken|set aside' "$work/log" | head -20 || true
