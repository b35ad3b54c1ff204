"""Reference timings for fedtune's BERT encoder: Hugging Face's FlaxBertModel on jax's CPU backend.

The model is all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, 12 heads, intermediate 1536,
vocab 30522), loaded with its real weights from the folder that
`fedtune models fetch all-MiniLM-L6-v2` prints (config.json + model.safetensors with
PyTorch-style names). No torch is needed.

Everything runs in float32 through XLA on the CPU, one jit-compiled function per
measurement, default threading (XLA uses every core). Inputs are one fixed batch of
--batch x --length random token ids ([CLS] first, [SEP] last), no padding (attention mask
all ones), token_type_ids all 0, dropout off (deterministic). Each figure is the median of
--repeats timed calls after two warm-up calls (the first compiles; compile time is reported
separately); every call is timed up to jax.block_until_ready on all of its outputs.

  a. forward:  encoder -> mean pooling over the mask -> L2 normalisation; [B, 384] out.
  b. LoRA step: classifier = encoder -> mean pooling (not normalised) -> linear head
     384 -> --classes; LoRA rank 8, alpha 16 on the query and value projections of every
     layer: W' = W + (alpha/r) * B @ A, A [r, in] ~ U(+-1/sqrt(in)), B [out, r] = 0.
     Only A and B (query and value, 6 layers: 73,728 values) and the head train. Softmax cross-entropy (mean over the
     batch), gradients, and an AdamW update, all in one jitted step.
  c. last-n step (n = 2): same classifier; only encoder layers 4 and 5 and the head train
     (the rest is not differentiated, so backpropagation stops at layer 4's input).
  d. full step: same classifier; every encoder parameter (embeddings included) and the head
     train.
  AdamW everywhere: optax.adamw(lr 1e-4, b1 0.9, b2 0.999, eps 1e-8, weight_decay 0.01),
  decay applied to every trainable tensor (as fedtune's AdamW and torch.optim.AdamW).
  Each timed training call continues from the previous call's parameters and optimiser
  state, on the same batch, so the loss should fall; first and last losses are printed.
  The trainable params and optimiser state are donated to the step (updated in place, no
  fresh 270 MB of buffers per full step); the frozen params are an argument, not a constant.

Before timing, the script checks the weights: the parameter tree that transformers builds
must equal a hand-made mapping of the safetensors file, and the mean-pooled, normalised
embedding of "This is an example sentence" (ids from Tests/Fixtures/minilm/sentences.json,
case readme_example_1) must match the reference there: max |diff| <= 1e-5, else the script
stops (~1.4e-7 observed). The 8-sentence padded batch of batch_padding.json is checked too.

Rerun:
  benchmarks/flax_setup.sh && .venv-flax/bin/python benchmarks/flax_bert.py \
      --model "$(.build/debug/fedtune models fetch all-MiniLM-L6-v2 | tail -1)"
Add --json for one JSON object on stdout (the table then goes to stderr), and --only lora,full
(say) to measure a subset, e.g. one at a time on a busy machine. The table's "others" column
shows how many cores other processes took while a figure was timed: rerun figures where it
is not ~0.
"""
import argparse
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
from flax.core import unfreeze  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

import flax  # noqa: E402
import transformers  # noqa: E402
from transformers import FlaxBertModel  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURES = REPO / "Tests" / "Fixtures" / "minilm"
CLS_ID, SEP_ID = 101, 102
LORA_RANK, LORA_ALPHA = 8, 16.0
LAST_N = 2
LEARNING_RATE = 1e-4
EMBEDDING_TOLERANCE = 1e-5  # Tests/Fixtures/minilm/README.md, float32 implementations


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, type=Path, help="folder with config.json and model.safetensors")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--length", type=int, default=64)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--classes", type=int, default=4, help="classifier head outputs")
    p.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="folder with sentences.json")
    p.add_argument("--only", default="forward,lora,lastn,full",
                   help="comma-separated subset of forward,lora,lastn,full to measure (JSON keys of the "
                        "others are left out)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    return p.parse_args()


# ---------------------------------------------------------------------------------------------
# Weights


def params_from_safetensors(folder: Path) -> dict:
    """FlaxBertModel's parameter tree, built by hand from the PyTorch-named safetensors file.

    `a.b.LayerNorm.weight` -> a/b/LayerNorm/scale; `*_embeddings.weight` -> .../embedding;
    any other `.weight` (a Linear, [out, in]) -> .../kernel transposed to [in, out];
    `.bias` -> .../bias. `encoder.layer.N` keeps N as the key. Skips the int64 position_ids
    and the pooler (the model is built without one).
    """
    tree: dict = {}
    for name, value in load_file(str(folder / "model.safetensors")).items():
        if name == "embeddings.position_ids" or name.startswith("pooler."):
            continue
        *path, leaf = name.split(".")
        if leaf == "weight":
            if path[-1] == "LayerNorm":
                leaf = "scale"
            elif path[-1].endswith("_embeddings"):
                leaf = "embedding"
            else:
                leaf, value = "kernel", value.T
        node = tree
        for key in path:
            node = node.setdefault(key, {})
        node[leaf] = np.ascontiguousarray(value, dtype=np.float32)
    return tree


def load_model(folder: Path):
    """FlaxBertModel without pooler, its params as a plain dict, and a note on the check."""
    transformers.logging.set_verbosity_error()  # unused position_ids/pooler warnings
    model = FlaxBertModel.from_pretrained(str(folder), add_pooling_layer=False, dtype=jnp.float32)
    params = unfreeze(model.params)
    manual = params_from_safetensors(folder)
    flat_hf = flax.traverse_util.flatten_dict(params, sep="/")
    flat_manual = flax.traverse_util.flatten_dict(manual, sep="/")
    if flat_hf.keys() != flat_manual.keys():
        raise SystemExit(f"parameter names differ: {sorted(flat_hf.keys() ^ flat_manual.keys())}")
    bad = [k for k in flat_hf if not np.array_equal(np.asarray(flat_hf[k]), flat_manual[k])]
    if bad:
        raise SystemExit(f"transformers' conversion differs from the hand mapping at {bad}")
    params = jax.device_put(jax.tree_util.tree_map(jnp.asarray, params))
    count = sum(x.size for x in jax.tree_util.tree_leaves(params))
    return model, params, f"{len(flat_hf)} tensors, {count:,} parameters, identical to the hand mapping"


# ---------------------------------------------------------------------------------------------
# Model pieces


def encode(model, params, ids, mask):
    """last_hidden_state [B, L, 384]."""
    return model(ids, attention_mask=mask, token_type_ids=jnp.zeros_like(ids), params=params, train=False)[0]


def mean_pool(hidden, mask):
    m = mask.astype(hidden.dtype)[:, :, None]
    return (hidden * m).sum(axis=1) / jnp.maximum(m.sum(axis=1), 1e-9)


def l2_normalise(v):
    return v / jnp.maximum(jnp.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def check_embeddings(model, params, fixtures: Path) -> dict:
    """Max |diff| against the float64 reference embeddings in the fixtures."""
    embed = jax.jit(lambda p, ids, mask: l2_normalise(mean_pool(encode(model, p, ids, mask), mask)))
    result = {}
    sentences = fixtures / "sentences.json"
    if not sentences.exists():
        return {"skipped": f"{sentences} not found"}
    case = next(c for c in json.loads(sentences.read_text())["cases"] if c["id"] == "readme_example_1")
    ids = jnp.asarray([case["input_ids"]], dtype=jnp.int32)
    got = np.asarray(embed(params, ids, jnp.ones_like(ids)))[0]
    result["readme_example_1_max_abs_diff"] = float(np.abs(got - np.asarray(case["embedding"])).max())
    padded = fixtures / "batch_padding.json"
    if padded.exists():  # 8 sentences right-padded to 210 ids: exercises the attention mask
        b = json.loads(padded.read_text())
        ids = jnp.asarray(b["input_ids"], dtype=jnp.int32)
        got = np.asarray(embed(params, ids, jnp.asarray(b["attention_mask"], dtype=jnp.int32)))
        result["batch_padding_max_abs_diff"] = float(np.abs(got - np.asarray(b["embeddings"])).max())
    return result


# ---------------------------------------------------------------------------------------------
# Training variants. Each one splits the encoder params into (trainable, frozen) and says how
# to rebuild the encoder params from them inside the jitted loss.


def split_full(params):
    return {"encoder": params}, {}


def merge_full(trainable, frozen):
    return trainable["encoder"]


def split_last_n(params):
    n_layers = len(params["encoder"]["layer"])
    last = [str(i) for i in range(n_layers - LAST_N, n_layers)]
    frozen = {**params, "encoder": {"layer": {k: v for k, v in params["encoder"]["layer"].items() if k not in last}}}
    return {"layers": {k: params["encoder"]["layer"][k] for k in last}}, frozen


def merge_last_n(trainable, frozen):
    layers = {**frozen["encoder"]["layer"], **trainable["layers"]}
    return {**frozen, "encoder": {"layer": layers}}


def split_lora(params, key):
    """A [r, in] ~ U(+-1/sqrt(in)) (as peft's kaiming_uniform(a=sqrt 5)), B [out, r] = 0."""
    lora = {}
    for layer, p in params["encoder"]["layer"].items():
        lora[layer] = {}
        for proj in ("query", "value"):
            d_in, d_out = p["attention"]["self"][proj]["kernel"].shape
            key, sub = jax.random.split(key)
            bound = 1.0 / np.sqrt(d_in)
            lora[layer][proj] = {
                "A": jax.random.uniform(sub, (LORA_RANK, d_in), jnp.float32, -bound, bound),
                "B": jnp.zeros((d_out, LORA_RANK), jnp.float32),
            }
    return {"lora": lora}, params


def merge_lora(trainable, frozen):
    """Kernel' = W + (alpha/r) * (B @ A)^T, in Flax's [in, out] kernel layout."""
    scale = LORA_ALPHA / LORA_RANK
    layers = {}
    for layer, p in frozen["encoder"]["layer"].items():
        attention_self = dict(p["attention"]["self"])
        for proj, ab in trainable["lora"][layer].items():
            w = attention_self[proj]
            attention_self[proj] = {**w, "kernel": w["kernel"] + scale * (ab["B"] @ ab["A"]).T}
        layers[layer] = {**p, "attention": {**p["attention"], "self": attention_self}}
    return {**frozen, "encoder": {"layer": layers}}


def make_step(model, merge, optimiser):
    def loss_fn(trainable, frozen, ids, mask, labels):
        hidden = encode(model, merge(trainable, frozen), ids, mask)
        logits = mean_pool(hidden, mask) @ trainable["head"]["kernel"] + trainable["head"]["bias"]
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    def step(trainable, opt_state, frozen, ids, mask, labels):
        loss, grads = jax.value_and_grad(loss_fn)(trainable, frozen, ids, mask, labels)
        updates, opt_state = optimiser.update(grads, opt_state, trainable)
        return optax.apply_updates(trainable, updates), opt_state, loss

    return step


# ---------------------------------------------------------------------------------------------
# Timing


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


def time_training(compiled, trainable, opt_state, frozen, batch, repeats):
    """Runs 2 warm-up + repeats steps in sequence; returns (ms per timed step, CoreMeter reading, losses)."""
    times, losses = [], []
    for i in range(2 + repeats):
        if i == 2:
            meter = CoreMeter()
        t0 = time.perf_counter()
        trainable, opt_state, loss = jax.block_until_ready(compiled(trainable, opt_state, frozen, *batch))
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
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print(f"warning: load average {load_before[0]:.2f} before the run; other processes share the "
              f"{os.cpu_count()} cores, so timings will be slower and noisier", file=sys.stderr)

    model, params, load_note = load_model(args.model)
    print(f"weights: {load_note}", file=out)
    check = check_embeddings(model, params, args.fixtures)
    print(f"embedding check: {check}", file=out)
    worst = max((v for k, v in check.items() if k.endswith("max_abs_diff")), default=0.0)
    if worst > EMBEDDING_TOLERANCE:
        raise SystemExit(f"embeddings differ from the fixtures by {worst:.3g} > {EMBEDDING_TOLERANCE}")

    rng = np.random.default_rng(0)
    ids = rng.integers(1000, model.config.vocab_size, (args.batch, args.length), dtype=np.int32)
    ids[:, 0], ids[:, -1] = CLS_ID, SEP_ID
    ids = jnp.asarray(ids)
    mask = jnp.ones_like(ids)
    labels = jnp.asarray(rng.integers(0, args.classes, args.batch, dtype=np.int32))
    hidden_size = model.config.hidden_size

    results = {}

    only = set(args.only.split(","))
    if not only <= {"forward", "lora", "lastn", "full"}:
        raise SystemExit(f"--only: unknown {sorted(only - {'forward', 'lora', 'lastn', 'full'})}")

    # a. forward
    def forward(p, ids, mask):
        return l2_normalise(mean_pool(encode(model, p, ids, mask), mask))

    if "forward" in only:
        compiled, compile_s, flops = compile_fn(forward, params, ids, mask)
        times, cores = time_forward(compiled, (params, ids, mask), args.repeats)
        results["forward"] = {"times_ms": times, **cores, "compile_s": compile_s, "xla_flops": flops}
        print(f"forward: compiled in {compile_s:.1f} s, runs {['%.1f' % t for t in times]} ms", file=out)

    # b-d. training steps
    head_key, lora_key = jax.random.split(jax.random.PRNGKey(0))
    head = {
        "kernel": 0.02 * jax.random.normal(head_key, (hidden_size, args.classes), jnp.float32),
        "bias": jnp.zeros((args.classes,), jnp.float32),
    }
    optimiser = optax.adamw(LEARNING_RATE, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.01)
    variants = {
        "lora": (lambda p: split_lora(p, lora_key), merge_lora),
        "lastn": (split_last_n, merge_last_n),
        "full": (split_full, merge_full),
    }
    for name, (split, merge) in variants.items():
        if name not in only:
            continue
        trainable, frozen = split(params)
        # Own copies: the step donates (updates in place) the trainable params and optimiser state.
        trainable = jax.tree_util.tree_map(jnp.copy, {**trainable, "head": head})
        opt_state = optimiser.init(trainable)
        step = make_step(model, merge, optimiser)
        batch = (ids, mask, labels)
        compiled, compile_s, flops = compile_fn(step, trainable, opt_state, frozen, *batch, donate=(0, 1))
        times, cores, losses = time_training(compiled, trainable, opt_state, frozen, batch, args.repeats)
        results[name] = {
            "times_ms": times, **cores, "compile_s": compile_s, "xla_flops": flops,
            "trainable_params": count(trainable), "losses": losses,
        }
        print(f"{name}: {count(trainable):,} trainable, compiled in {compile_s:.1f} s, "
              f"runs {['%.1f' % t for t in times]} ms, loss {losses[0]:.4f} -> {losses[-1]:.4f}", file=out)

    load_after = os.getloadavg()
    median = {k: statistics.median(v["times_ms"]) for k, v in results.items()}
    per_s = {k: args.batch / (ms / 1e3) for k, ms in median.items()}

    print(f"\nFlaxBertModel (all-MiniLM-L6-v2), jax {jax.__version__} XLA CPU, float32, "
          f"batch {args.batch} x {args.length}, median of {args.repeats}, {os.cpu_count()} cpus, "
          f"load avg {load_before[0]:.2f} -> {load_after[0]:.2f}", file=out)
    labels_ = {"forward": "forward + pool + L2", "lora": f"LoRA r{LORA_RANK} q,v step",
               "lastn": f"last-{LAST_N} step", "full": "full fine-tune step"}
    print(f"{'measurement':<22}{'ms':>9}{'min ms':>9}{'max ms':>9}{'per s':>9}{'GFLOP':>8}{'GFLOP/s':>9}"
          f"{'cores':>7}{'others':>7}", file=out)
    for k in results:
        t, f = results[k]["times_ms"], results[k]["xla_flops"]
        gf = f"{f / 1e9:8.1f}{f / 1e6 / median[k]:9.1f}" if f else f"{'-':>8}{'-':>9}"
        print(f"{labels_[k]:<22}{median[k]:9.1f}{min(t):9.1f}{max(t):9.1f}{per_s[k]:9.1f}{gf}"
              f"{results[k]['cores_used']:7.2f}{results[k]['other_processes_cores']:7.2f}", file=out)
    print("(ms: median; per s: sentences/s for the forward, examples/s for the training steps;\n"
          " GFLOP: XLA's count for one call; cores: this process's CPU time / wall time while timed;\n"
          " others: CPU time of every other process / wall time then, from /proc/stat)",
          file=out)

    if args.json:
        summary = {}
        for k in results:
            summary[f"{k}_ms" if k == "forward" else f"{k}_step_ms"] = median[k]
            summary[f"{k}_sentences_per_s" if k == "forward" else f"{k}_examples_per_s"] = per_s[k]
        summary.update({
            "batch": args.batch, "length": args.length, "repeats": args.repeats, "classes": args.classes,
            "lora_rank": LORA_RANK, "lora_alpha": LORA_ALPHA, "last_n": LAST_N,
            "optimiser": {"name": "optax.adamw", "learning_rate": LEARNING_RATE, "b1": 0.9, "b2": 0.999,
                          "eps": 1e-8, "weight_decay": 0.01},
            "details": results,
            "embedding_check": check,
            "versions": {"jax": jax.__version__, "jaxlib": jax.lib.__version__, "flax": flax.__version__,
                         "optax": optax.__version__, "transformers": transformers.__version__,
                         "numpy": np.__version__, "python": platform.python_version()},
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
            "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()],
            "cpu_count": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": load_after,
        })
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
