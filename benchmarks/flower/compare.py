"""Runs both sides of the Flower comparison and prints the table (benchmarks/flower.sh).

For each setting (IID or Dirichlet 0.5 × FedAvg or FedAdam): Flower 1.42 in process with
its clients' own batch order (flower_digits.py --order numpy; `--orders` seeds, default 5,
whose mean is the reference), Flower again with fedtune's batch order (--order fedtune), and
`fedtune simulate --inprocess` on the matching scenario. Times are of whole processes, from
start to exit: one Flower run (seed 0, importing flwr included; also `Strategy.start` alone)
and one fedtune run. The accuracy is the global model's
on the 451 test rows after round 20. Writes runs/results.json and runs/table.md; exits 1
when a setting fedtune ran is more than `--tolerance` from Flower.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = [("iid", "fedavg"), ("dirichlet", "fedavg"), ("iid", "fedadam"), ("dirichlet", "fedadam")]
LABELS = {"iid": "IID", "dirichlet": "Dirichlet 0.5", "fedavg": "FedAvg", "fedadam": "FedAdam"}


def timed(command):
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    return done, time.perf_counter() - started


def flower(partition, strategy, order, seeds="0"):
    """One process: a run per seed of the batch order; the time is the whole process's."""
    done, seconds = timed([sys.executable, str(HERE / "flower_digits.py"), "--partition", partition,
                           "--strategy", strategy, "--order", order, "--order-seeds", seeds])
    if done.returncode != 0:
        raise SystemExit(f"flower_digits.py {partition} {strategy} --order {order} failed:\n{done.stderr}")
    results = [json.loads(line) for line in done.stdout.strip().splitlines()]
    results[0]["process_seconds"] = seconds
    return results


def fedtune(binary, partition, strategy, runs):
    scenario = HERE / (f"digits-{partition}.yaml" if strategy == "fedavg" else f"digits-{partition}-fedadam.yaml")
    out = runs / scenario.stem
    shutil.rmtree(out, ignore_errors=True)  # fedtune refuses to write over a run
    done, seconds = timed([binary, "simulate", str(scenario), "--inprocess", "--skip-baselines", "--out", str(out)])
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        return {"error": message[-1] if message else f"exit {done.returncode}", "scenario": scenario.name}
    rounds = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    curve = [{"round": r["round"], "accuracy": r["testAccuracy"], "loss": r["testLoss"]}
             for r in rounds if r["kind"] == "global"]
    return {"scenario": scenario.name, "accuracy": curve[-1]["accuracy"], "loss": curve[-1]["loss"],
            "process_seconds": seconds, "curve": curve}


def largest_gap(a, b, key):
    return max(abs(x[key] - y[key]) for x, y in zip(a["curve"], b["curve"], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fedtune", required=True, help="the fedtune binary")
    parser.add_argument("--digits", type=Path, required=True, help="fedtune's digits.csv")
    parser.add_argument("--tolerance", type=float, default=0.01)
    parser.add_argument("--orders", type=int, default=5, help="Flower runs with their own batch order")
    args = parser.parse_args()
    runs = HERE / "runs"
    runs.mkdir(exist_ok=True)
    prepared = subprocess.run([sys.executable, str(HERE / "prepare.py"), "--digits", str(args.digits)],
                              capture_output=True, text=True)
    if prepared.returncode != 0:
        raise SystemExit(f"prepare.py failed:\n{prepared.stderr}")

    rows, results, failed = [], [], False
    for partition, strategy in SETTINGS:
        timed_run = flower(partition, strategy, "numpy")[0]  # seed 0 alone: the time of one Flower run
        own = [timed_run] + flower(partition, strategy, "numpy", ",".join(map(str, range(1, args.orders))))
        same = flower(partition, strategy, "fedtune")[0]
        ours = fedtune(args.fedtune, partition, strategy, runs)
        results.append({"partition": partition, "strategy": strategy, "flower": own, "flower_fedtune_order": same,
                        "fedtune": ours})
        setting = f"{LABELS[partition]}, {LABELS[strategy]}"
        accuracies = [r["accuracy"] for r in own]
        mean = sum(accuracies) / len(accuracies)
        spread = f"{mean:.4f} ({min(accuracies):.4f}–{max(accuracies):.4f})"
        if "error" in ours:
            rows.append(f"| {setting} | {spread} | not run | | {same['accuracy']:.4f} | | "
                        f"{timed_run['process_seconds']:.2f} / {timed_run['seconds']:.2f} | |")
            print(f"{setting}: fedtune did not run {ours['scenario']}: {ours['error']}", file=sys.stderr)
            continue
        difference = ours["accuracy"] - mean
        failed |= abs(difference) > args.tolerance
        rows.append(
            f"| {setting} | {spread} | {ours['accuracy']:.4f} | {100 * difference:+.2f} | "
            f"{same['accuracy']:.4f} | {100 * largest_gap(same, ours, 'accuracy'):.2f} / "
            f"{largest_gap(same, ours, 'loss'):.1e} | "
            f"{timed_run['process_seconds']:.2f} / {timed_run['seconds']:.2f} | {ours['process_seconds']:.2f} |"
        )
    table = "\n".join([
        f"| setting | Flower 1.42, mean of {args.orders} batch orders (range) | fedtune | difference (points) | "
        "Flower with fedtune's batches | largest gap to fedtune over 20 rounds, same batches "
        "(accuracy points / test loss) | Flower s (process / rounds) | fedtune s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
    ])
    print(table)
    (runs / "table.md").write_text(table + "\n")
    (runs / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    if failed:
        print(f"a setting differs from Flower by more than {100 * args.tolerance:.0f} point(s)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
