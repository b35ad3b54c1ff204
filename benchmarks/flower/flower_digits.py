"""Flower 1.42's FedAvg and FedAdam on the digits task, in process, on the data and the
initial model that prepare.py wrote for both Flower and fedtune.

The server side is Flower's own: `flwr.serverapp.strategy.FedAvg` / `FedAdam` (the Message
API that Flower's examples use since 1.21) driven by `Strategy.start`, which samples the
nodes, configures each round, aggregates the replies and calls `evaluate_fn` on the global
model after every round. Only the transport is replaced: `LocalGrid` hands each training
message to a numpy client in this process and returns its reply, so a run needs no Ray, no
SuperLink and no network, and it is deterministic.

A client is Flower's sklearn-logreg-mnist client with scikit-learn's one lbfgs iteration
replaced by the comparison's local training: one epoch of plain minibatch SGD (lr 0.1,
batch 32, the last batch smaller, no momentum, no weight decay) on the mean softmax
cross-entropy, in float32, from the global weights. It replies with its weights and
`num-examples`, by which FedAvg weighs it.

Batch order (`--order`):
  numpy    each client reshuffles its rows every epoch with numpy's default_rng seeded by
           (round, site, --order-seed): the two systems share data and initial weights but
           not batches.
  fedtune  each client visits its rows in exactly fedtune's order (fedtune_split): the same
           batches as fedtune, so the two runs differ only by float rounding.

Prints one JSON line per run: settings, accuracy and loss of the global model on the test
set after every round, and the wall time.
"""

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np
from flwr.app import Array, ArrayRecord, ConfigRecord, Message, MetricRecord, RecordDict
from flwr.serverapp import Grid
from flwr.serverapp.strategy import FedAdam, FedAvg
from flwr.supercore.task_identity import TaskIdentity
from safetensors.numpy import load_file

from fedtune_split import SeededGenerator, stratified_split, training_seed

SEED = 0  # the scenarios' `seed` and `local.seed` (fedtune's defaults)
PIXEL_SCALE = np.float32(16)
NAMES = ("head.weight", "head.bias")


class Site:
    """One client: its rows (in the order it visits them) and local SGD."""

    def __init__(self, name, index, x, y, args):
        self.name, self.index, self.x, self.y, self.args = name, index, x, y, args

    def order(self, round_number: int) -> np.ndarray:
        n = len(self.y)
        if self.args.order == "fedtune":
            rows = list(range(n))
            generator = SeededGenerator(training_seed(SEED, round_number, self.name))
            epochs = []
            for _ in range(self.args.epochs):
                generator.shuffle(rows)  # fedtune's Trainer shuffles the previous epoch's order
                epochs.append(np.array(rows))
            return np.concatenate(epochs)
        rng = np.random.default_rng([round_number, self.index, self.args.order_seed])
        return np.concatenate([rng.permutation(n) for _ in range(self.args.epochs)])

    def fit(self, weight: np.ndarray, bias: np.ndarray, round_number: int):
        w, b = weight.astype(np.float32).copy(), bias.astype(np.float32).copy()
        lr, batch, n = np.float32(self.args.lr), self.args.batch_size, len(self.y)
        order = self.order(round_number)
        loss_sum = 0.0
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            if start // n != (start + len(rows) - 1) // n:  # never mix two epochs in one batch
                rows = rows[: n - start % n]
            x, y = self.x[rows], self.y[rows]
            logits = x @ w.T + b
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            loss_sum += float(-np.log(p[np.arange(len(y)), y]).sum())
            p[np.arange(len(y)), y] -= 1
            p /= np.float32(len(y))  # mean cross-entropy over the batch
            w -= lr * (p.T @ x)
            b -= lr * p.sum(axis=0)
        return w, b, loss_sum / len(order)


class LocalGrid(Grid):
    """Flower's Grid, delivering messages to in-process clients instead of a SuperLink."""

    def __init__(self, sites):
        self.sites = {i + 1: site for i, site in enumerate(sites)}

    def set_run(self, run) -> None:
        pass

    @property
    def run(self):
        raise NotImplementedError("LocalGrid has no run")

    def create_message(self, content, message_type, dst_node_id, group_id, ttl=None):
        return Message(content=content, message_type=message_type, dst_node_id=dst_node_id, group_id=group_id)

    def get_node_ids(self):
        return list(self.sites)

    def push_messages(self, messages):
        raise NotImplementedError("LocalGrid answers in send_and_receive")

    def pull_messages(self, message_ids):
        raise NotImplementedError("LocalGrid answers in send_and_receive")

    def send_and_receive(self, messages, *, timeout=None):
        replies = []
        for message in messages:
            site = self.sites[message.metadata.dst_node_id]
            arrays = message.content["arrays"]
            round_number = int(message.content["config"]["server-round"])
            w, b, loss = site.fit(arrays["head.weight"].numpy(), arrays["head.bias"].numpy(), round_number)
            content = RecordDict(
                {
                    "arrays": ArrayRecord({"head.weight": Array(w), "head.bias": Array(b)}),
                    "metrics": MetricRecord({"num-examples": len(site.y), "train_loss": loss}),
                }
            )
            replies.append(Message(content=content, reply_to=message))
        return replies


def load(data: Path, partition: str):
    lines = (data / f"digits-{partition}.csv").read_text().strip().splitlines()
    header = lines[0].split(",")
    assert header[-2:] == ["label", "site"], f"{data}: expected …,label,site"
    rows = [line.split(",") for line in lines[1:]]
    x = (np.array([[float(v) for v in r[:64]] for r in rows], np.float32) / PIXEL_SCALE).astype(np.float32)
    y = np.array([int(r[64]) for r in rows])
    site = np.array([r[65] for r in rows])
    return x, y, site


def site_rows(data: Path, y: np.ndarray, site: np.ndarray, name: str, order: str) -> np.ndarray:
    """A site's rows; for `--order fedtune`, in the order fedtune's site holds them: the
    pool's order (its test split's first part), then its own split with site_test_fraction 0."""
    if order != "fedtune":
        return np.nonzero(site == name)[0]
    pool = json.loads((data / "split.json").read_text())["pool_order"]
    rows = [i for i in pool if site[i] == name]
    kept = stratified_split([int(y[i]) for i in rows], [1.0, 0.0], SEED + 404)[0]
    return np.array([rows[i] for i in kept])


def run(args, partition: str, strategy_name: str) -> dict:
    x, y, site = load(args.data, partition)
    names = sorted(set(site) - {"test"})
    sites = []
    for index, name in enumerate(names):
        rows = site_rows(args.data, y, site, name, args.order)
        sites.append(Site(name, index, x[rows], y[rows], args))
    test_x, test_y = x[site == "test"], y[site == "test"]

    initial = load_file(str(args.data / "init-model" / "model.safetensors"))
    initial_arrays = ArrayRecord({k: Array(initial[k].astype(np.float32)) for k in NAMES})

    curve = []

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        w, b = arrays["head.weight"].numpy(), arrays["head.bias"].numpy()
        logits = test_x @ w.T + b
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        accuracy = float((logits.argmax(axis=1) == test_y).mean())
        loss = float(-log_p[np.arange(len(test_y)), test_y].mean())
        if server_round > 0:
            curve.append({"round": server_round, "accuracy": accuracy, "loss": loss})
        return MetricRecord({"accuracy": accuracy, "loss": loss})

    common = dict(fraction_train=1.0, fraction_evaluate=0.0, min_train_nodes=len(sites),
                  min_available_nodes=len(sites))
    if strategy_name == "fedadam":
        strategy = FedAdam(**common, eta=args.eta, eta_l=args.lr, beta_1=args.beta1, beta_2=args.beta2,
                           tau=args.tau)
    else:
        strategy = FedAvg(**common)
    random.seed(SEED)  # Flower samples nodes with `random.sample`
    started = time.perf_counter()
    strategy.start(grid=LocalGrid(sites), initial_arrays=initial_arrays, num_rounds=args.rounds,
                   train_config=ConfigRecord(), evaluate_fn=evaluate)
    seconds = time.perf_counter() - started
    settings = {"partition": partition, "strategy": strategy_name, "order": args.order,
                "order_seed": args.order_seed if args.order == "numpy" else None, "rounds": args.rounds,
                "sites": [len(s.y) for s in sites], "test": len(test_y), "lr": args.lr,
                "batch_size": args.batch_size, "epochs": args.epochs}
    if strategy_name == "fedadam":
        settings.update(eta=args.eta, beta1=args.beta1, beta2=args.beta2, tau=args.tau)
    return {**settings, "accuracy": curve[-1]["accuracy"], "loss": curve[-1]["loss"], "seconds": seconds,
            "curve": curve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--partition", choices=["iid", "dirichlet"], action="append")
    parser.add_argument("--strategy", choices=["fedavg", "fedadam"], action="append")
    parser.add_argument("--order", choices=["numpy", "fedtune"], default="numpy")
    parser.add_argument("--order-seeds", default="0", help="numpy order: comma-separated seeds, one run each")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    # FedAdam: Flower's defaults (flwr.serverapp.strategy.FedAdam).
    parser.add_argument("--eta", type=float, default=0.1)
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--beta2", type=float, default=0.99)
    parser.add_argument("--tau", type=float, default=1e-3)
    args = parser.parse_args()
    logging.getLogger("flwr").setLevel(logging.ERROR)
    # A ServerApp process gets its identity from the SuperLink; messages need one to be built.
    TaskIdentity.run_id, TaskIdentity.node_id, TaskIdentity.task_id = 1, 0, 1
    for partition in args.partition or ["iid", "dirichlet"]:
        for strategy in args.strategy or ["fedavg", "fedadam"]:
            for seed in [int(v) for v in args.order_seeds.split(",")] if args.order == "numpy" else [None]:
                args.order_seed = seed
                print(json.dumps(run(args, partition, strategy)), flush=True)


if __name__ == "__main__":
    main()
