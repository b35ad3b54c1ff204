"""fedtune sweep next to Optuna's TPE on the same in-process federations.

Both search the same space (benchmarks/sweep-space.yaml) for the same number of trials with
successive halving on rounds (η = 3, first rung at rounds / 9): `fedtune sweep` with its own
TPE sampler, and Optuna's TPESampler with its SuccessiveHalvingPruner driving
`fedtune simulate COPY.yaml --inprocess --skip-baselines` once per trial. Optuna's trials
read the validation score from the run folder as the rounds close (metrics.jsonl: each site's
held-out accuracy; run.json: each site's held-out examples) and a pruned trial's process is
stopped. Both score a trial by the same number: the global model's accuracy on all sites'
held-out data pooled. The best settings of each are then run once on the global test set.

Usage (from the repository root, after `swift build`):
    benchmarks/sweep.sh [scenario] [trials] [seeds...]
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import time

import optuna
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEDTUNE = os.environ.get("FEDTUNE", os.path.join(ROOT, ".build", "debug", "fedtune"))
# The space file's key → (scenario section, key), as Sources/FedSweep/SearchSpace.swift maps them.
PATHS = {
    "learning_rate": ("local", "learning_rate"),
    "local_epochs": ("local", "epochs"),
    "batch_size": ("local", "batch_size"),
    "proximal_mu": ("local", "proximal_mu"),
    "server_learning_rate": ("strategy", "server_learning_rate"),
    "clip_norm": ("strategy", "clip_norm"),
}
INTEGERS = {"local_epochs", "batch_size"}


def suggest(trial, space):
    values = {}
    for key, entry in space.items():
        if "choices" in entry:
            values[key] = trial.suggest_categorical(key, entry["choices"])
        elif key in INTEGERS:
            values[key] = trial.suggest_int(key, int(entry["low"]), int(entry["high"]), log=entry.get("log", False))
        else:
            values[key] = trial.suggest_float(key, entry["low"], entry["high"], log=entry.get("log", False))
    return values


def scenario_with(scenario, values):
    copy = json.loads(json.dumps(scenario))
    for key, value in values.items():
        section, name = PATHS[key]
        copy.setdefault(section, {})[name] = value
    return copy


def validation_scores(run):
    """Round → pooled held-out accuracy, from the lines metrics.jsonl holds so far."""
    try:
        with open(os.path.join(run, "run.json")) as file:
            held_out = {site["name"]: site["testExamples"] for site in json.load(file)["sites"]}
        with open(os.path.join(run, "metrics.jsonl")) as file:
            lines = [json.loads(line) for line in file if line.endswith("\n")]
    except (OSError, ValueError, KeyError):
        return {}
    sums = {}
    for line in lines:
        if line["kind"] == "site" and line.get("heldOutAccuracy") is not None:
            correct, total = sums.get(line["round"], (0.0, 0))
            count = held_out[line["site"]]
            sums[line["round"]] = (correct + line["heldOutAccuracy"] * count, total + count)
    return {round_: correct / total for round_, (correct, total) in sums.items() if total > 0}


def run_optuna(scenario_path, space, trials, seed, rounds, work):
    with open(scenario_path) as file:
        scenario = yaml.safe_load(file)
    minimum = max(1, rounds // 9)

    def objective(trial):
        values = suggest(trial, space)
        path = os.path.join(work, f"trial-{trial.number:04d}.yaml")
        with open(path, "w") as file:
            yaml.safe_dump(scenario_with(scenario, values), file, sort_keys=False)
        run = os.path.join(work, f"run-{trial.number:04d}")
        process = subprocess.Popen(
            [FEDTUNE, "simulate", path, "--inprocess", "--skip-baselines", "--out", run],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        reported = set()
        while True:
            done = process.poll() is not None
            scores = validation_scores(run)
            for round_ in sorted(scores):
                if round_ in reported:
                    continue
                reported.add(round_)
                trial.report(scores[round_], round_)
                if trial.should_prune():
                    process.kill()
                    process.wait()
                    raise optuna.TrialPruned()
            if done:
                break
            time.sleep(0.02)
        if process.returncode not in (0, 1) or rounds not in scores:
            raise RuntimeError(f"trial {trial.number}: fedtune simulate exited {process.returncode}")
        return scores[rounds]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=minimum, reduction_factor=3),
    )
    started = time.time()
    study.optimize(objective, n_trials=trials)
    seconds = time.time() - started
    best = scenario_with(scenario, study.best_params)
    path = os.path.join(work, "best.yaml")
    with open(path, "w") as file:
        yaml.safe_dump(best, file, sort_keys=False)
    pruned = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.PRUNED)
    return study.best_value, seconds, path, pruned


def run_fedtune(scenario_path, space_path, trials, seed, work):
    out = os.path.join(work, "sweep")
    started = time.time()
    subprocess.run(
        [FEDTUNE, "sweep", scenario_path, "--space", space_path, "--trials", str(trials), "--seed", str(seed),
         "--out", out, "--parallel", "1", "--skip-final"],
        check=True, stdout=subprocess.DEVNULL)
    seconds = time.time() - started
    records = {}
    with open(os.path.join(out, "trials.jsonl")) as file:
        for line in file:
            record = json.loads(line)
            records[record["number"]] = record
    complete = [r for r in records.values() if r["status"] == "complete"]
    best = max(complete, key=lambda r: (r["scores"][-1]["score"], -r["number"]))
    pruned = sum(1 for r in records.values() if r["status"] == "pruned")
    return best["scores"][-1]["score"], seconds, os.path.join(out, "best.yaml"), pruned


def test_accuracy(scenario_path, work, name):
    out = os.path.join(work, name)
    subprocess.run([FEDTUNE, "simulate", scenario_path, "--inprocess", "--skip-baselines", "--out", out],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as file:
        summary = json.load(file)
    for baseline in summary["baselines"]:
        if baseline.get("kind", baseline.get("name")) in ("federated", "Federated"):
            return baseline["metrics"]["accuracy"]
    return math.nan


def main():
    scenario_path = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "scenarios/digits-label-skew.yaml"))
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    seeds = [int(s) for s in sys.argv[3:]] or [1, 2, 3]
    space_path = os.path.join(ROOT, "benchmarks", "sweep-space.yaml")
    with open(space_path) as file:
        space = yaml.safe_load(file)
    with open(scenario_path) as file:
        rounds = yaml.safe_load(file)["rounds"]
    print(f"{os.path.basename(scenario_path)}: {trials} trials, successive halving η = 3 from round {max(1, rounds // 9)}"
          f" of {rounds}, optuna {optuna.__version__}")
    print(f"{'seed':>4}  {'search':<14} {'best val':>8}  {'test':>6}  {'pruned':>6}  {'wall s':>6}")
    rows = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="fedtune-sweep-bench-") as work:
            for name, run in (
                ("fedtune sweep", lambda: run_fedtune(scenario_path, space_path, trials, seed, work)),
                ("optuna TPE", lambda: run_optuna(scenario_path, space, trials, seed, rounds,
                                                  os.path.join(work, "optuna"))),
            ):
                os.makedirs(os.path.join(work, "optuna"), exist_ok=True)
                best, seconds, best_path, pruned = run()
                test = test_accuracy(best_path, work, f"test-{name.split()[0]}")
                rows.append((seed, name, best, test, pruned, seconds))
                print(f"{seed:>4}  {name:<14} {best:>8.4f}  {test:>6.4f}  {pruned:>6}  {seconds:>6.1f}", flush=True)
    for name in ("fedtune sweep", "optuna TPE"):
        mine = [r for r in rows if r[1] == name]
        mean = lambda i: sum(r[i] for r in mine) / len(mine)
        print(f"mean  {name:<14} {mean(2):>8.4f}  {mean(3):>6.4f}  {mean(4):>6.1f}  {mean(5):>6.1f}")


if __name__ == "__main__":
    main()
