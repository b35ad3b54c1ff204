#!/usr/bin/env bash
# Runs fedtune's benchmarks side by side with their references, on this machine:
#   - sgemm GFLOP/s through fedtune vs OpenBLAS called directly from C
#   - the 64-256-256-10 MLP step through fedtune vs numpy
# Usage: benchmarks/compare.sh            (OpenBLAS's own kernel choice)
#        OPENBLAS_CORETYPE=Cooperlake benchmarks/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="64 256 512 1024"
swift build -c release --product fedtune >/dev/null
cc -O2 -o .build/sgemm-c benchmarks/sgemm.c -lopenblas
echo "== fedtune (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
.build/release/fedtune bench --sizes "${sizes// /,}"
echo "== OpenBLAS from C"
.build/sgemm-c $sizes
echo "== numpy"
scripts/install-deps --python
.venv/bin/python3 benchmarks/numpy_mlp.py
