#!/usr/bin/env bash
# The server at production scale beside nginx, in one run (issue 9).
# Generated clinics of every mode; pre-built, signed, full-size Twilio voice
# webhooks, every request of a run its own CallSid (20,000 per run) and `To`
# cycling over every number and SIP URI of the set (1 % unknown numbers);
# `callpolicy serve --threads 1` pinned to CPU 0 with its JSON request log
# written to a file, wrk -t1 -c64 pinned to CPU 1; nginx answering the same
# POSTs with a fixed TwiML body, pinned the same way. Each figure is the
# median of RUNS runs of DURATION after a warm-up.
# Usage: bench/serve_scale.sh [BUILD_DIR]   (env: CLINICS=10000 DURATION=10s RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
clinics=${CLINICS:-10000}
duration=${DURATION:-10s}
runs=${RUNS:-3}
for tool in wrk nginx redis-server; do
  command -v "$tool" >/dev/null || { apt-get install -y -qq --no-install-recommends wrk nginx-light redis-server >/dev/null; break; }
done
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null; rm -rf "$work"' EXIT
port=18580
nginx_port=18581
url="http://127.0.0.1:$port"
token=bench-token-0123456789
echo "$token" > "$work/token"

python3 bench/generate_clinics.py "$clinics" "$work/rules"
python3 bench/generate_clinics.py 100 "$work/rules100"
requests() {  # targets count first out [mode [distinct-callsids]]
  python3 bench/make_requests.py "$1" "$url" "$token" "$2" "$3" "$4" "${5:-voice}" ${6:+"$6"}
}
requests "$work/rules/targets.txt" 20000 0 "$work/voice.lua"
requests "$work/rules/targets.txt" 20000 0 "$work/status.lua" status
requests "$work/rules100/targets.txt" 20000 0 "$work/voice100.lua"
# The same traffic over every number, but only 100 CallSids: a registry that
# stays at 100 live calls.
requests "$work/rules/targets.txt" 20000 5000000 "$work/few.lua" voice 100
requests "$work/rules/targets.txt" 100000 1000000 "$work/fill.lua"

cat > "$work/nginx.conf" <<NGINX
worker_processes ${NGINX_WORKERS:-1};
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

server_cpu=0
client_cpu=1
threads=1
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f\n", v}'; }
# measure LABEL PORT LUA: a warm-up, then RUNS runs; prints a table row and
# sets $rps for ratios.
measure() {
  taskset -c "$client_cpu" wrk -t1 -c64 -d2s -s "$3" "http://127.0.0.1:$2/" >/dev/null
  local all_rps="" all_p99="" errors=""
  for _ in $(seq "$runs"); do
    local out
    out=$(taskset -c "$client_cpu" wrk -t1 -c64 -d"$duration" --latency -s "$3" "http://127.0.0.1:$2/")
    all_rps+="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"$'\n'
    all_p99+="$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"$'\n'
    errors+=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  done
  rps=$(printf '%s' "$all_rps" | median)
  local p99
  p99=$(printf '%s' "$all_p99" | median)
  local ratio=""
  [ -n "${nginx_rps:-}" ] && ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.0f %%", 100 * a / b}')
  printf '| %-52s | %10.0f | %6s | %8s ms | %s |\n' "$1" "$rps" "$ratio" "$p99" "${errors:-none}"
}
serve() {  # rules journal-arg
  taskset -c "$server_cpu" "$build/callpolicy" serve --rules "$1" --listen "127.0.0.1:$port" \
    --admin-listen "127.0.0.1:$((port + 10))" --auth-token-file "$work/token" --threads "$threads" \
    --journal "$2" --call-ttl 1h 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 600); do curl -sf "$url/readyz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
echo "Clinics: $clinics ($(wc -l < "$work/rules/targets.txt") numbers and SIP URIs); wrk -t1 -c64 -d$duration, median of $runs"
echo
echo "| target | req/s | of nginx | p99 | errors |"
echo "|---|---|---|---|---|"
taskset -c "$server_cpu" nginx -c "$work/nginx.conf" -p "$work"
nginx_rps=""
measure "nginx, fixed TwiML (1 worker)" "$nginx_port" "$work/voice.lua"
nginx_rps=$rps

serve "$work/rules" ""
rss_before=$(rss_kib)
# First, on a registry that holds only these 100 calls.
measure "3. 100 live calls (100 CallSids, To over every number)" "$port" "$work/few.lua"
rss_100=$(rss_kib)
measure "1. $clinics clinics, journal off" "$port" "$work/voice.lua"
rps_row1=$rps
measure "3. status callbacks ending calls, journal off" "$port" "$work/status.lua"
taskset -c "$client_cpu" wrk -t1 -c64 -d8s -s "$work/fill.lua" "$url/" >/dev/null
# RSS first: building /status for 10,000 clinics is transient memory of its
# own, which malloc keeps and which is no cost of the live calls.
rss_full=$(rss_kib)
live=$(curl -s "http://127.0.0.1:$((port + 10))/status" | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["active_calls"].values()))')
measure "3. $live live calls" "$port" "$work/voice.lua"
stop_server

serve "$work/rules" "$work/journal.jsonl"
measure "2. $clinics clinics, journal on (fdatasync, group commit)" "$port" "$work/voice.lua"
stop_server

serve "$work/rules100" ""
measure "3. 100 clinics, journal off" "$port" "$work/voice100.lua"
stop_server

# Issue 13: the same traffic with the counts shared through a local
# redis-server (one round trip of EVALSHA per call, pipelined). Redis is
# pinned beside wrk on CPU 1: in production it has a host of its own, and
# here it may only take from the load generator, not from the server.
memory_rps=$rps_row1
redis_port=$((port + 20))
taskset -c "$client_cpu" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --logfile "$work/redis.log" --daemonize yes --pidfile "$work/redis.pid"
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
serve_state() {  # rules state
  taskset -c "$server_cpu" "$build/callpolicy" serve --rules "$1" --listen "127.0.0.1:$port" \
    --admin-listen "127.0.0.1:$((port + 10))" --auth-token-file "$work/token" --threads "$threads" \
    --journal "" --call-ttl 1h --state "$2" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 600); do curl -sf "$url/readyz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
serve_state "$work/rules" "redis://127.0.0.1:$redis_port"
nginx_saved=$nginx_rps
nginx_rps=$memory_rps
measure "13. $clinics clinics, --state redis (ratio: of row 1)" "$port" "$work/voice.lua"
nginx_rps=$nginx_saved
fallbacks=$(curl -s "http://127.0.0.1:$((port + 10))/metrics" | awk '/^callpolicy_state_fallbacks_total/ {print $2}')
stop_server
redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
echo
echo "With --state redis: $fallbacks calls decided with the server's own count (Redis too slow)."

echo
echo "Memory: RSS $rss_before KiB after loading $clinics clinics ($((rss_before * 1024 / clinics)) bytes per clinic);"
echo "        $rss_100 KiB with ~100 live calls, $rss_full KiB with $live live calls" \
     "($(( (rss_full - rss_100) * 1024 / (live > 100 ? live - 100 : 1) )) bytes per live call)."

kill "$(cat "$work/nginx.pid")"; sleep 0.5
echo
echo "6. --threads 2 on both cores beside nginx with 2 workers (wrk shares the cores; no target):"
echo
echo "| target | req/s | of nginx | p99 | errors |"
echo "|---|---|---|---|---|"
sed -i 's/^worker_processes .*/worker_processes 2;/' "$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work"
server_cpu=0,1; client_cpu=0,1; threads=2
nginx_rps=""
measure "nginx, fixed TwiML (2 workers)" "$nginx_port" "$work/voice.lua"
nginx_rps=$rps
serve "$work/rules" ""
measure "$clinics clinics, journal off, --threads 2" "$port" "$work/voice.lua"
stop_server
