#!/usr/bin/env bash
# EfficientNet-Lite0 throughput side by side on this machine: fedtune's CNN (`fedtune bench cnn`,
# release build) against the same network in Flax on XLA's CPU backend
# (benchmarks/flax_efficientnet.py), one after the other, same batch and sizes: forward
# (evaluation mode), last-2 training step and full training step, each the median of the
# repeats after warm-up. Prints both tools' own output, then one table joining their
# `cnn-bench` lines with fedtune's speed-up (Flax ms / fedtune ms) and the issue's target.
# fedtune's `lastn-cached` (frozen layers' output computed once, its real last-n cost without
# augmentation) is set against Flax's `lastn`, which recomputes the whole forward every step.
# Nothing else should run meanwhile: the `others` columns say how many cores other processes took.
# Usage: benchmarks/cnn.sh [SIZES [BATCH [REPEATS]]]   (defaults 224,64 32 7; sets up .venv-flax
#        and fetches efficientnet-lite0 on first use). On a shared machine, hold the build lock:
#        flock /work/build.lock benchmarks/cnn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-224,64}"
batch="${2:-32}"
repeats="${3:-7}"
swift build -c release --product fedtune >/dev/null
model="$(.build/release/fedtune models fetch efficientnet-lite0 | tail -1)"
benchmarks/flax_setup.sh >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== fedtune"
.build/release/fedtune bench cnn --sizes "$sizes" --batch "$batch" --repeats "$repeats" | tee "$out/fedtune"
echo "== Flax EfficientNet-Lite0 (jax/XLA CPU)"
.venv-flax/bin/python benchmarks/flax_efficientnet.py "$model/efficientnet-lite0-57934424.pth" \
    --sizes "$sizes" --batch "$batch" --repeats "$repeats" | tee "$out/flax"
echo "== side by side (batch $batch; speed-up = Flax ms / fedtune ms; others = cores other processes took)"
awk '
    FNR == 1 { file++ }
    $1 != "cnn-bench" { next }
    file == 1 { ms[$3 " " $4] = $6; ips[$3 " " $4] = $7; oth[$3 " " $4] = $9; order[++n] = $3 " " $4 }
    file == 2 { fms[$3 " " $4] = $6; fips[$3 " " $4] = $7; foth[$3 " " $4] = $9 }
    END {
        printf "%-13s %5s %11s %11s %9s %9s %8s %7s %6s %6s\n", "measurement", "size", "fedtune ms", "Flax ms",
            "fed img/s", "Flax img/s", "speed-up", "target", "others", "Flax"
        for (i = 1; i <= n; i++) {
            split(order[i], key, " ")
            m = key[1]; size = key[2]
            if (m == "input") continue
            ref = (m == "lastn-cached") ? "lastn " size : order[i]
            target = (m == "forward") ? "1.0" : "1.2"
            if (!(ref in fms)) { printf "%-13s %5s %11.1f %11s\n", m, size, ms[order[i]], "-"; continue }
            printf "%-13s %5s %11.1f %11.1f %9.1f %10.1f %7.2fx %6sx %6.2f %6.2f\n", m, size, ms[order[i]], fms[ref],
                ips[order[i]], fips[ref], fms[ref] / ms[order[i]], target, oth[order[i]], foth[ref]
        }
    }
' "$out/fedtune" "$out/flax"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
