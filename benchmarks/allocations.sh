#!/usr/bin/env bash
# Counts heap allocations per training step: valgrind's allocation total for a run of
# 200 steps minus that for 100 steps, divided by 100. The difference cancels start-up,
# data generation and model construction, leaving what each step allocates.
# Usage: benchmarks/allocations.sh   (needs valgrind: apt-get install valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product fedtune | grep -E "error" || true
count() {
    valgrind --tool=memcheck --leak-check=no .build/release/fedtune bench --steps "$1" 2>&1 \
        | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
a=$(count 100)
b=$(count 200)
echo "allocations: $a for 100 steps, $b for 200 steps"
echo "allocations per training step: $(( (b - a) / 100 ))"
