#!/usr/bin/env bash
# Robust aggregation against poisoned sites: scenarios/digits-poisoned.yaml (10 sites, the
# last 2 hostile) run in process under every aggregation rule, for both attacks (updates
# scaled by −10, and flipped labels) and three seeds. Prints one row per rule and attack:
# accuracy per seed and their mean. Usage: benchmarks/robust.sh [path/to/fedtune]
set -euo pipefail
cd "$(dirname "$0")/.."
fedtune="${1:-.build/debug/fedtune}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rules=(
    "aggregation: mean"
    "aggregation: median"
    "aggregation: trimmed_mean, trim_fraction: 0.2"
    "aggregation: krum, byzantine_sites: 2"
    "aggregation: multi_krum, byzantine_sites: 2, krum_selected: 6"
    "aggregation: norm_bounding, norm_bound_multiple: 1.0"
)
printf '| attack | rule | seed 3 | seed 4 | seed 5 | mean |\n| --- | --- | --- | --- | --- | --- |\n'
for attack in scale label_flip none; do
    for rule in "${rules[@]}"; do
        row="| $attack | ${rule#aggregation: } |"
        sum=0
        for seed in 3 4 5; do
            scenario="$work/s.yaml"
            sed -e "/^strategy:/,/^expect:/{/^expect:/!d}" -e "s/^seed: .*/seed: $seed/" -e '/^expect:/,$d' \
                scenarios/digits-poisoned.yaml > "$scenario"
            if [ "$attack" = none ]; then sed -i '/^attack:/,/^  scale:/d' "$scenario"; fi
            if [ "$attack" = label_flip ]; then sed -i 's/^  kind: scale/  kind: label_flip/' "$scenario"; fi
            printf 'strategy: {%s}\n' "$rule" >> "$scenario"
            # A run below its expectations exits 1; its accuracy is what this table is for.
            output=$("$fedtune" simulate "$scenario" --inprocess --skip-baselines --out "$work/run-$RANDOM$RANDOM" 2>&1 || true)
            accuracy=$(awk '/^Federated/ {print $(NF-3)}' <<< "$output")
            row="$row $accuracy |"
            sum=$(python3 -c "print($sum + $accuracy)")
        done
        printf '%s %.4f |\n' "$row" "$(python3 -c "print($sum / 3)")"
    done
done
