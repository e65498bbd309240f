#!/usr/bin/env bash
# Edits a policy while wrk loads the server: how long until decisions change,
# and whether any request failed; then a broken edit that must change nothing.
# Usage: bench/reload_under_load.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
command -v wrk >/dev/null || apt-get install -y -qq --no-install-recommends wrk >/dev/null
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=18490
admin_port=18491
mkdir "$work/rules"
policy() {  # mode [fallback]
  printf 'clinic reload-bench {\n  timezone "UTC"\n  numbers { ported +15555550100 }\n  mode %s\n  fallback busy\n}\n' "$1"
}
policy always > "$work/rules/clinic.policy"
"$build/callpolicy" serve --rules "$work/rules" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin_port" \
  --insecure-skip-signature \
  --journal "" --threads 2 2>/dev/null &
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "CallSid=CA00000000000000000000000000000001&To=%2B15555550100"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
wrk -t1 -c32 -d6s -s "$work/post.lua" "http://127.0.0.1:$port/twilio/voice" > "$work/wrk.txt" &
wrk_pid=$!
sleep 2
probe() { curl -s -X POST "http://127.0.0.1:$port/twilio/voice" --data 'CallSid=CA00000000000000000000000000000002&To=%2B15555550100'; }
policy disabled > "$work/rules/.clinic.tmp" && mv "$work/rules/.clinic.tmp" "$work/rules/clinic.policy"
start=$(date +%s%N)
until probe | grep -q '<Hangup/>'; do sleep 0.005; done
echo "decisions changed $(( ($(date +%s%N) - start) / 1000000 )) ms after the edit"
printf 'clinic reload-bench {\n  timezone "Nowhere/Land"\n' > "$work/rules/clinic.policy"
sleep 0.5
probe | grep -q '<Hangup/>' && echo "after a broken edit the last good set still serves"
curl -s "http://127.0.0.1:$admin_port/status" | python3 -c 'import json,sys; r=json.load(sys.stdin)["last_reload"]; print("status: last reload ok =", r["ok"], "-", r["error"], "-", len(r["diagnostics"]), "diagnostic(s)")'
wait "$wrk_pid"
grep -E "Requests/sec|requests in|Non-2xx|Socket errors" "$work/wrk.txt" || true
grep -q "Non-2xx\|Socket errors" "$work/wrk.txt" || echo "failed requests: 0"
