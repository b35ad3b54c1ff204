#!/usr/bin/env bash
# The federation and aggregation benchmarks for two builds, one after the other on this
# machine, so a change can be judged against the commit before it:
#   benchmarks/compare-builds.sh OLD_FEDTUNE NEW_FEDTUNE [RUNS] [OLD_SCENARIO]
# OLD_SCENARIO is the bench-federation.yaml the old build reads (its own checkout's, when
# the scenario format changed between the two).
# Each build runs benchmarks/federation.sh RUNS times (default 3), alternating, then
# `fedtune bench aggregation` for 10 sites × 22M and 100 sites × 1M parameters.
# A previous commit's binary: git worktree add /tmp/old REV && swift build -c release
# --package-path /tmp/old --scratch-path /tmp/old/.build --product fedtune.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1
new=$2
runs=${3:-3}
old_scenario=${4:-scenarios/bench-federation.yaml}
for run in $(seq "$runs"); do
    for side in old new; do
        binary=$old
        scenario=$old_scenario
        [ "$side" = new ] && binary=$new && scenario=scenarios/bench-federation.yaml
        echo "== federation, $side build, run $run"
        FEDTUNE=$binary SCENARIO=$scenario benchmarks/federation.sh | grep -E "wall time|outside local training|peak RSS"
    done
done
for configuration in "10 22000000" "100 1000000"; do
    set -- $configuration
    for side in old new; do
        binary=$old
        [ "$side" = new ] && binary=$new
        echo "== aggregation, $side build, $1 sites × $2 parameters"
        "$binary" bench aggregation --sites "$1" --parameters "$2" | grep -E "add ×|per update|peak RSS" || true
    done
done
