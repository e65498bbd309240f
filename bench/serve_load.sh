#!/usr/bin/env bash
# Load on `callpolicy serve`: signed voice webhooks across every example
# clinic's numbers, journal on and off, beside nginx returning a fixed TwiML
# body, all on loopback. Usage: bench/serve_load.sh [BUILD_DIR] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
duration=${2:-10s}
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null; break; }
done
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
port=18480
nginx_port=18481
token=bench-token
echo "$token" > "$work/token"
numbers=(+14165551234 +16475559999 +442079460555 +442079460556 +61255501234 +16045550123 +14165552000 +12045550100)
# One signed body per number; wrk's Lua cycles through them.
{
  echo 'local requests = {}'
  i=0
  for n in "${numbers[@]}"; do
    body="CallSid=$(printf 'CA%032x' "$i")&From=%2B14165550100&To=$(printf '%s' "$n" | sed 's/+/%2B/')"
    sig=$("$build/callpolicy" sign --auth-token-file "$work/token" --url "http://127.0.0.1:$port/twilio/voice" --data "$body")
    echo "requests[#requests + 1] = wrk.format('POST', '/twilio/voice', {['Host'] = '127.0.0.1:$port', ['Content-Type'] = 'application/x-www-form-urlencoded', ['X-Twilio-Signature'] = '$sig'}, '$body')"
    i=$((i + 1))
  done
  echo 'local n = 0'
  echo 'request = function() n = n % #requests + 1; return requests[n] end'
} > "$work/voice.lua"

run() {  # label port [script]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c64 -d"$duration" --latency -s "$3" "http://127.0.0.1:$2/twilio/voice")
  else
    out=$(wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$2/twilio/voice")
  fi
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  printf '| %-32s | %10s | %8s | %s |\n' "$1" "$rps" "$p99" "${errors:-none}"
}

serve() {  # journal-arg
  "$build/callpolicy" serve --rules examples --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$((port + 10))" --auth-token-file "$work/token" \
    --threads 2 --journal "$1" 2>/dev/null &
  server_pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}

cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work;
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      default_type text/xml;
      return 200 '<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true"><Sip>sip:smile-dental@sip.vapi.ai?x-clinic=smile-dental&amp;x-reason=after-hours&amp;x-via=ported</Sip></Dial></Response>';
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

echo "| target (wrk -t2 -c64 -d$duration, 2 cores shared) | req/s | p99 | errors |"
echo "|---|---|---|---|"
serve "$work/journal.jsonl"
run "callpolicy serve, journal on" "$port" "$work/voice.lua"
fsyncs_note=$(wc -l < "$work/journal.jsonl")
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
serve ""
run "callpolicy serve, journal off" "$port" "$work/voice.lua"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
run "nginx, fixed TwiML" "$nginx_port" "$work/voice.lua"
echo
echo "journal lines written during the journal-on run: $fsyncs_note"
