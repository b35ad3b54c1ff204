#!/usr/bin/env bash
# Side by side with Flower (issue 14, item 6): the digits task of Flower's sklearn-logreg-mnist
# example (4 sites, 20 rounds, logistic regression, local SGD lr 0.1, batch 32, IID and
# Dirichlet 0.5) with FedAvg and FedAdam, run by Flower 1.42 in process and by
# `fedtune simulate --inprocess` from the same data split and the same initial weights, and
# printed as one table (benchmarks/flower/README.md explains the setup).
#
# Creates .venv-flower in the repository root from benchmarks/flower/requirements.txt on first
# use (pip needs PyPI), fetches digits into the fedtune cache if needed, writes
# benchmarks/flower/data/ and benchmarks/flower/runs/ (table.md, results.json, one run folder
# per scenario). fedtune is $FEDTUNE, else .build/release/fedtune, else .build/debug/fedtune.
# Usage: benchmarks/flower.sh          (exit 1 when a setting is more than 1 point from Flower)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-flower
requirements=benchmarks/flower/requirements.txt
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    if ! "$python" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))'; then
        echo "flwr 1.42 needs Python 3.10-3.13; $python is $("$python" --version 2>&1). Set PYTHON=..." >&2
        exit 1
    fi
    [[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
    rm -f "$stamp"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    "$venv/bin/python" -m pip check >&2
    echo "$wanted" > "$stamp"
fi

fedtune="${FEDTUNE:-}"
if [[ -z "$fedtune" ]]; then
    for candidate in .build/release/fedtune .build/debug/fedtune; do
        if [[ -x "$candidate" ]]; then fedtune="$candidate"; break; fi
    done
fi
if [[ -z "$fedtune" || ! -x "$fedtune" ]]; then
    echo "no fedtune binary: run 'swift build -c release' (or set FEDTUNE=...)" >&2
    exit 1
fi
echo "fedtune: $fedtune (built $(date -u -r "$fedtune" '+%Y-%m-%d %H:%M UTC')); $("$venv/bin/python" -c \
    'import flwr, numpy; print("flwr", flwr.__version__, "numpy", numpy.__version__)')" >&2

digits="$("$fedtune" datasets fetch digits | grep 'digits\.csv$' | tail -1)"
"$venv/bin/python" benchmarks/flower/compare.py --fedtune "$fedtune" --digits "$digits"
