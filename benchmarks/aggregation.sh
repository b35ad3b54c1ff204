#!/usr/bin/env bash
# Runs `fedtune bench aggregation` side by side with the plain C fold (benchmarks/fold.c),
# for 10 sites × 22M parameters and 100 sites × 1M, on this machine:
#   - fedtune with OpenBLAS's own thread count and with OPENBLAS_NUM_THREADS=1
#   - the C loop (one core) built with cc -O2 -march=native and with cc -O2
# Both time only the aggregation (each update is generated untimed just before it is
# folded) and report the best of three rounds.
# Usage: benchmarks/aggregation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${FEDTUNE:-}" ]; then
    swift build -c release --product fedtune >/dev/null
    FEDTUNE=.build/release/fedtune
fi
cc -O2 -march=native -o .build/fold-native benchmarks/fold.c -lm
cc -O2 -o .build/fold-generic benchmarks/fold.c -lm
for configuration in "10 22000000" "100 1000000"; do
    set -- $configuration
    echo "== $1 sites × $2 parameters"
    echo "-- fedtune (OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset})"
    "$FEDTUNE" bench aggregation --sites "$1" --parameters "$2"
    echo "-- fedtune (OPENBLAS_NUM_THREADS=1)"
    OPENBLAS_NUM_THREADS=1 "$FEDTUNE" bench aggregation --sites "$1" --parameters "$2"
    echo "-- C, cc -O2 -march=native"
    .build/fold-native "$1" "$2" | grep -v check
    echo "-- C, cc -O2"
    .build/fold-generic "$1" "$2" | grep -v check
done
