#!/usr/bin/env bash
# Soak test (docs/operations.md, "Robustness"): load, policy edits, callbacks, hostile requests and
# kill -9 every 20 s against a real `callpolicy serve`; see bench/soak.py for
# what it checks. Usage: bench/soak.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${2:-60}
exec python3 bench/soak.py "$build/callpolicy" "$seconds" 20
