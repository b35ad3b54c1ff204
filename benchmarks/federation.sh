#!/usr/bin/env bash
# A whole federation, timed: 4 `fedtune client` processes and a `fedtune coordinator` over
# mutual TLS on 127.0.0.1 (scenarios/bench-federation.yaml: logistic regression, 64 inputs,
# 10 classes, 20 rounds of 1 local epoch on ~360 examples per site). Prints the total
# time of the federation, the time per round outside local training, and each process's
# peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/.."
# FEDTUNE=path runs another build (benchmarks/compare-builds.sh gives it the previous commit's).
if [ -z "${FEDTUNE:-}" ]; then
    swift build -c release --product fedtune | grep -E "error" || true
    FEDTUNE=.build/release/fedtune
fi
out=$(mktemp -d)
start=$(date +%s.%N)
"$FEDTUNE" simulate "${SCENARIO:-scenarios/bench-federation.yaml}" --skip-baselines --out "$out/run" > "$out/simulate.log"
end=$(date +%s.%N)
cat "$out/simulate.log"
fed="$out/run/federation"
python3 - "$fed" "$start" "$end" <<'PY'
import json, pathlib, re, sys
fed = pathlib.Path(sys.argv[1])
rounds = [json.loads(l) for l in (fed / "state" / "rounds.jsonl").read_text().splitlines()]
first = fed / "coordinator.log"
def peak(path):
    m = re.search(r"peak resident memory (\d+) KiB", path.read_text())
    return int(m.group(1)) / 1024 if m else float("nan")
# Per-round seconds are measured by the coordinator from sending the round to closing it;
# each site reports its training time as the metric "seconds", so the overhead is the
# round's seconds minus the sites' (example-weighted) mean training time.
print(f"rounds: {len(rounds)}")
print(f"wall time of the whole simulate command: {float(sys.argv[3]) - float(sys.argv[2]):.2f} s (includes pretraining, PKI, 5 process starts)")
print(f"sum of round seconds (coordinator: send round → close round): {sum(r['seconds'] for r in rounds):.3f} s")
print(f"mean round seconds: {1000 * sum(r['seconds'] for r in rounds) / len(rounds):.1f} ms")
overhead = [r["seconds"] - r["trainMetrics"].get("seconds", 0) for r in rounds]
print(f"mean round seconds outside local training (round − sites' mean training time): {1000 * sum(overhead) / len(overhead):.1f} ms")
print(f"coordinator peak RSS: {peak(first):.1f} MiB")
for site in sorted((fed / "sites").iterdir()):
    print(f"{site.name} peak RSS: {peak(site / 'client.log'):.1f} MiB")
PY
rm -rf "$out"
