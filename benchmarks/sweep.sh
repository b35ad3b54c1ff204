#!/usr/bin/env bash
# fedtune sweep next to Optuna's TPE (pinned in benchmarks/sweep-requirements.txt) on the same
# in-process federations: best validation score, the best settings' test accuracy, wall time.
#   benchmarks/sweep.sh [scenario.yaml] [trials] [seeds...]    (default: digits-label-skew, 20, seeds 1 2 3)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=benchmarks/.venv-sweep
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r benchmarks/sweep-requirements.txt
fi
swift build -c debug --product fedtune >/dev/null
"$venv/bin/python" benchmarks/sweep_optuna.py "${1:-scenarios/digits-label-skew.yaml}" "${2:-20}" "${@:3}"
