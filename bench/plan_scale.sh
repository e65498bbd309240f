#!/usr/bin/env bash
# `callpolicy plan` over a production-sized set (docs/tooling.md, "plan"): 10,000 generated
# clinics against a copy with 2 % of them edited (a route rule added, or a
# fallback changed), timed whole (both sets read and compiled, then the plan).
# Usage: bench/plan_scale.sh [BUILD_DIR]   (env: CLINICS=10000 RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
clinics=${CLINICS:-10000}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/generate_clinics.py "$clinics" "$work/before"
cp -r "$work/before" "$work/after"
python3 - "$work/after" "$clinics" <<'PY'
import glob, sys
files = sorted(glob.glob(sys.argv[1] + "/c*.policy"))
step = 50  # 2 %
for f in files[::step]:
    s = open(f).read()
    if "  route {\n" in s:
        s = s.replace("  route {\n", '  route {\n    during sat 12:00-13:00 -> ai as "saturday lunch"\n', 1)
    elif "fallback voicemail" in s:
        s = s.replace("fallback voicemail", "fallback busy", 1)
    else:
        s = s.replace("fallback busy", "fallback voicemail", 1).replace("fallback forward", "fallback voicemail", 1)
    open(f, "w").write(s)
PY
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
best=""
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$build/callpolicy" plan --from "$work/before" --to "$work/after" --week 2026-12-21 > "$work/plan.txt"
  end=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
  echo "run: ${t} s"
  best=$(awk -v a="$t" -v b="${best:-999}" 'BEGIN {print (a < b) ? a : b}')
done
echo "plan of $clinics clinics, 2 % edited: best of $runs ${best} s; $(tail -1 "$work/plan.txt")"
