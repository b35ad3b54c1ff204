"""Writes the shared inputs of the Flower comparison: one digits CSV per partition with a
`site` column, the global test set, and the zero-initialised logistic model both sides
start from.

Data: fedtune's own copy of scikit-learn's digits (`fedtune datasets fetch digits`: 1,797
images, 64 pixels 0–16, `pixel_0…pixel_63,label`), read from the fedtune cache. Rows keep
the file's order, so that fedtune, reading the CSV, numbers them as we do.

Global test set: the 451 rows fedtune itself holds out for `seed: 0, test_fraction: 0.25`
(fedtune_split.stratified_split, seed 0 + 202). They get site `test`. fedtune checks the
agreement for us: were a single `test` row not in its own test set, it would be a fifth
site and the run would stop ("column 'site' has 5 values … but sites is 4").

Sites (the 1,347 other rows, four sites, as Flower Datasets would split them):
  iid        — IidPartitioner after FederatedDataset's shuffle: a seeded permutation
               (numpy default_rng(42)) cut into four contiguous shards.
  dirichlet  — DirichletPartitioner(alpha=0.5, partition_by="label", min_partition_size=10,
               self_balancing=False, shuffle=True, seed=42): per class, proportions drawn
               from Dir(0.5) over the sites, cut with np.split, redrawn until every site
               holds at least 10 rows.
Every row of a site trains (site_test_fraction: 0): there is no client-side evaluation.

Model: `head.weight` [10, 64] and `head.bias` [10], all zeros (as Flower's
sklearn-logreg-mnist example's `set_initial_params`), with a standardizer of mean 0 and
std 16: fedtune scales a pixel by 1/16 = 0.0625, exactly as the Flower side's x / 16.
"""

import argparse
import json
import os
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from fedtune_split import stratified_split

SITES = 4
SEED = 0  # the scenarios' `seed`
FLOWER_SEED = 42  # Flower Datasets' default partitioner / shuffle seed
ALPHA = 0.5
MIN_PARTITION_SIZE = 10
PIXEL_SCALE = 16.0


def default_digits() -> Path:
    cache = os.environ.get("FEDTUNE_CACHE") or os.path.expanduser("~/.cache/fedtune")
    return Path(cache) / "datasets" / "digits" / "digits.csv"


def read_digits(path: Path):
    lines = path.read_text().strip().splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    assert header[-1] == "label" and len(header) == 65, f"{path}: expected pixel_0…pixel_63,label"
    return header, rows


def iid_partition(pool: np.ndarray) -> list:
    rng = np.random.default_rng(FLOWER_SEED)
    shuffled = pool[rng.permutation(len(pool))]
    return [[int(i) for i in part] for part in np.array_split(shuffled, SITES)]


def dirichlet_partition(pool: np.ndarray, labels: np.ndarray) -> list:
    rng = np.random.default_rng(FLOWER_SEED)
    targets = labels[pool]
    for _ in range(11):
        parts = [[] for _ in range(SITES)]
        for k in np.unique(targets):
            members = np.nonzero(targets == k)[0]
            proportions = rng.dirichlet(np.full(SITES, ALPHA))
            cuts = (np.cumsum(proportions) * len(members)).astype(int)[:-1]
            for site, chunk in enumerate(np.split(members, cuts)):
                parts[site].extend(chunk.tolist())
        if min(len(p) for p in parts) >= MIN_PARTITION_SIZE:
            break
    else:
        raise SystemExit("Dirichlet partition: no draw gave every site 10 rows in 11 tries")
    for part in parts:
        rng.shuffle(part)
    return [[int(pool[i]) for i in part] for part in parts]


def write_csv(path: Path, header, rows, site_of) -> None:
    with path.open("w") as f:
        f.write(",".join(header + ["site"]) + "\n")
        for index, row in enumerate(rows):
            f.write(",".join(row + [site_of[index]]) + "\n")


def write_model(folder: Path, feature_names) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    save_file(
        {"head.weight": np.zeros((10, 64), np.float32), "head.bias": np.zeros(10, np.float32)},
        str(folder / "model.safetensors"),
        metadata={"format": "pt", "producer": "benchmarks/flower/prepare.py"},
    )
    description = {
        "format": "fedtune.classifier",
        "version": 1,
        "inputs": 64,
        "hidden": [],
        "classes": 10,
        "activation": "relu",
        "dropout": 0,
        "frozen": [],
        "featureNames": feature_names,
        "classNames": [str(c) for c in range(10)],
        "standardizer": {"mean": [0.0] * 64, "std": [PIXEL_SCALE] * 64},
    }
    (folder / "model.json").write_text(json.dumps(description, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--digits", type=Path, default=default_digits(), help="fedtune's digits.csv")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    if not args.digits.exists():
        raise SystemExit(f"{args.digits} is missing: run `fedtune datasets fetch digits` first")

    header, rows = read_digits(args.digits)
    labels = np.array([int(r[-1]) for r in rows])
    pool, test = stratified_split(labels.tolist(), [0.75, 0.25], SEED + 202)
    pool = np.array(pool)  # fedtune's order: the shuffled first part of its split
    args.out.mkdir(parents=True, exist_ok=True)

    summary = {"rows": len(rows), "test": len(test), "pool_order": pool.tolist(), "test_rows": sorted(test)}
    for name, parts in (("iid", iid_partition(pool)), ("dirichlet", dirichlet_partition(pool, labels))):
        site_of = ["test"] * len(rows)
        for site, part in enumerate(parts):
            for index in part:
                site_of[index] = f"site-{site + 1}"
        assert sum(len(p) for p in parts) == len(pool)
        write_csv(args.out / f"digits-{name}.csv", header, rows, site_of)
        counts = [np.bincount(labels[part], minlength=10).tolist() for part in parts]
        summary[name] = {"sites": parts, "label_counts": counts}
        print(f"{name}: sites of {[len(p) for p in parts]} rows; labels per site:")
        for site, c in enumerate(counts):
            print(f"  site-{site + 1}: {c}")
    write_model(args.out / "init-model", header[:-1])
    (args.out / "split.json").write_text(json.dumps(summary) + "\n")
    print(f"test set: {len(test)} rows; wrote {args.out}")


if __name__ == "__main__":
    main()
