#!/usr/bin/env bash
# The server at production scale beside nginx, in one run (bench/RESULTS.md).
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
nginx_port=18611
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

# One server per row, all pinned to CPU 0 and idle while another is
# measured, so that the rows can be measured in rounds: run 1 of every row,
# then run 2 of every row, and so on. This VM drifts by ±10 % over minutes;
# in rounds the drift falls on every row alike instead of on the ratios.
# Every server has the same --public-url, which the requests are signed for.
# Loading 10,000 clinics takes a server about 7 s of CPU, so the six start
# together on both cores and are pinned to CPU 0 (every thread) once ready,
# before anything is measured.
start_server() {  # name rules port journal [state]
  taskset -c 0,1 "$build/callpolicy" serve --rules "$2" --listen "127.0.0.1:$3" \
    --admin-listen "127.0.0.1:$(($3 + 1))" --public-url "$url" --auth-token-file "$work/token" \
    --threads "$threads" --journal "$4" --call-ttl 1h --state "${5:-memory}" 2>"$work/$1.log" &
  eval "pid_$1=$!"
}
ready_and_pinned() {  # name port
  for _ in $(seq 900); do
    if curl -sf "http://127.0.0.1:$2/readyz" >/dev/null; then
      taskset -a -p -c "$server_cpu" "$(eval "echo \$pid_$1")" >/dev/null
      return
    fi
    sleep 0.1
  done
  echo "server $1 did not start" >&2; exit 1
}
rss_of() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
port_a=$port; port_b=$((port + 2)); port_c=$((port + 4)); port_d=$((port + 6)); port_e=$((port + 8)); port_f=$((port + 12))
# Overrides and counts shared: the same traffic with the counts shared through a local
# redis-server (one round trip of EVALSHA per call, pipelined). Redis is
# pinned beside wrk on CPU 1: in production it has a host of its own, and
# here it may only take from the load generator, not from the server.
redis_port=$((port + 20))
taskset -c "$client_cpu" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --logfile "$work/redis.log" --daemonize yes --pidfile "$work/redis.pid"
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
start_server a "$work/rules" "$port_a" ""
start_server b "$work/rules" "$port_b" ""
start_server c "$work/rules100" "$port_c" ""
start_server d "$work/rules" "$port_d" ""
start_server e "$work/rules" "$port_e" "$work/journal.jsonl"
start_server f "$work/rules" "$port_f" "" "redis://127.0.0.1:$redis_port"
for name in a b c d e f; do ready_and_pinned "$name" "$(eval "echo \$port_$name")"; done
rss_before=$(rss_of "$pid_a")

# Server b holds ~100,000 live calls: RSS before and after they arrive
# (read before /status, whose transient memory for 10,000 clinics is not theirs).
taskset -c "$client_cpu" wrk -t1 -c64 -d2s -s "$work/few.lua" "http://127.0.0.1:$port_b/" >/dev/null
rss_b_before=$(rss_of "$pid_b")
taskset -c "$client_cpu" wrk -t1 -c64 -d4s -s "$work/fill.lua" "http://127.0.0.1:$port_b/" >/dev/null
rss_b_full=$(rss_of "$pid_b")
live=$(curl -s "http://127.0.0.1:$((port_b + 1))/status" | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["active_calls"].values()))')

labels=("nginx, fixed TwiML (1 worker)" "1. $clinics clinics, journal off" "3. status callbacks ending calls, journal off"
        "3. 100 live calls (100 CallSids, To over every number)" "3. $live live calls"
        "3. 100 clinics, journal off" "2. $clinics clinics, journal on (fdatasync, group commit)"
        "13. $clinics clinics, --state redis (ratio: of row 1)")
ports=("$nginx_port" "$port_a" "$port_a" "$port_d" "$port_b" "$port_c" "$port_e" "$port_f")
scripts=(voice voice status few voice voice100 voice voice)
declare -a row_rps row_p99 row_errors
for i in "${!labels[@]}"; do
  taskset -c "$client_cpu" wrk -t1 -c64 -d2s -s "$work/${scripts[$i]}.lua" "http://127.0.0.1:${ports[$i]}/" >/dev/null
done
for _ in $(seq "$runs"); do
  for i in "${!labels[@]}"; do
    out=$(taskset -c "$client_cpu" wrk -t1 -c64 -d"$duration" --latency -s "$work/${scripts[$i]}.lua" "http://127.0.0.1:${ports[$i]}/")
    row_rps[$i]+="$(awk '/Requests\/sec/ {print $2}' <<<"$out") "
    row_p99[$i]+="$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms) "
    row_errors[$i]+=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  done
done
median_of() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
declare -a medians
for i in "${!labels[@]}"; do medians[$i]=$(median_of "${row_rps[$i]}"); done
for i in "${!labels[@]}"; do
  base=${medians[0]}
  [ "$i" = 7 ] && base=${medians[1]}
  ratio=""
  [ "$i" != 0 ] && ratio=$(awk -v a="${medians[$i]}" -v b="$base" 'BEGIN {printf "%.0f %%", 100 * a / b}')
  printf '| %-52s | %10.0f | %6s | %8s ms | %s |\n' "${labels[$i]}" "${medians[$i]}" "$ratio" \
    "$(median_of "${row_p99[$i]}")" "${row_errors[$i]:-none}"
done
fallbacks=$(curl -s "http://127.0.0.1:$((port_f + 1))/metrics" | awk '/^callpolicy_state_fallbacks_total/ {print $2}')
for name in a b c d e f; do eval "kill \$pid_$name"; done
wait 2>/dev/null || true
redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
echo
awk -v a="${medians[4]}" -v b="${medians[3]}" -v c="${medians[1]}" -v d="${medians[5]}" 'BEGIN {
  printf "Flat cost: %d live calls %+.1f %% against 100; %d clinics %+.1f %% against 100 clinics.\n", '"$live"', 100 * (a - b) / b, '"$clinics"', 100 * (c - d) / d }'
echo "With --state redis: $fallbacks calls decided with the server's own count (Redis too slow)."
echo
echo "Memory: RSS $rss_before KiB after loading $clinics clinics ($((rss_before * 1024 / clinics)) bytes per clinic);"
echo "        $rss_b_before KiB with ~100 live calls, $rss_b_full KiB with $live live calls" \
     "($(( (rss_b_full - rss_b_before) * 1024 / (live > 100 ? live - 100 : 1) )) bytes per live call)."

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
