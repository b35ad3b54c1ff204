"""A round's local training settings: the ``train`` message's ``configuration`` object.

Keys, defaults and ranges are those of docs/PROTOCOL.md ("Local training: the
``configuration`` object") and Sources/FedLearning/Training/TrainingConfiguration*.swift.
A key this site does not know, at the top level or in ``optimizer``, and a value outside
its range are refused, never trained past with a default.
"""

import math

from .errors import ProtocolViolation

_OPTIMIZER_KEYS = ("kind", "momentum", "weight_decay", "beta1", "beta2", "epsilon")
_KEYS = (
    "epochs", "batch_size", "learning_rate", "optimizer", "schedule", "warmup_fraction",
    "gradient_clip_norm", "patience", "class_weights", "label_smoothing", "seed", "proximal_mu",
)


class TrainSettings:
    """The settings of one round, with every default filled in.

    ``epochs``, ``batch_size``, ``learning_rate``, ``schedule`` (constant, linear, cosine),
    ``warmup_fraction``, ``gradient_clip_norm`` (None: off), ``patience`` (no effect in a
    round), ``class_weights`` (None, "balanced" or a list), ``label_smoothing``, ``seed``,
    ``proximal_mu`` (FedProx's μ, 0: off), ``optimizer`` (a dict of the six optimizer keys),
    ``round`` and ``raw`` (the object as sent).
    """

    def __init__(self, configuration=None, round_number=0):
        configuration = {} if configuration is None else configuration
        self.raw = configuration
        self.round = round_number
        if not isinstance(configuration, dict):
            raise _invalid(round_number, "the configuration is not a JSON object")
        unknown = sorted(set(configuration) - set(_KEYS))
        if unknown:
            raise _invalid(round_number, f"unknown key '{unknown[0]}'")
        c = configuration
        self.epochs = _integer(c, "epochs", 10, 1, 10_000, round_number)
        self.batch_size = _integer(c, "batch_size", 32, 1, 1_000_000, round_number)
        self.learning_rate = _number(c, "learning_rate", 1e-3, round_number)
        if not 1e-12 <= self.learning_rate <= 10:
            raise _invalid(round_number, f"learning_rate must be a number in (0, 10], found {self.learning_rate}")
        self.schedule = c.get("schedule", "constant")
        if self.schedule not in ("constant", "linear", "cosine"):
            raise _invalid(round_number, f"schedule '{self.schedule}' is not constant, linear or cosine")
        self.warmup_fraction = _number(c, "warmup_fraction", 0.0, round_number)
        _check(0 <= self.warmup_fraction <= 1, "warmup_fraction", "0...1", self.warmup_fraction, round_number)
        self.gradient_clip_norm = None
        if c.get("gradient_clip_norm") is not None:
            self.gradient_clip_norm = _number(c, "gradient_clip_norm", None, round_number)
            if not self.gradient_clip_norm > 0:
                raise _invalid(round_number, f"gradient_clip_norm must be a positive number, found {self.gradient_clip_norm}")
        self.patience = None
        if c.get("patience") is not None:
            self.patience = _integer(c, "patience", None, 1, 10_000, round_number)
        self.class_weights = _class_weights(c.get("class_weights", "none"), round_number)
        self.label_smoothing = _number(c, "label_smoothing", 0.0, round_number)
        _check(0 <= self.label_smoothing < 1, "label_smoothing", "[0, 1)", self.label_smoothing, round_number)
        self.seed = _integer(c, "seed", 0, 0, 2**64 - 1, round_number)
        self.proximal_mu = _number(c, "proximal_mu", 0.0, round_number)
        _check(0 <= self.proximal_mu <= 1000, "proximal_mu", "0...1000", self.proximal_mu, round_number)
        self.optimizer = _optimizer(c.get("optimizer", {}), round_number)

    def total_steps(self, examples):
        """T: steps per epoch (⌈n / batch_size⌉) × epochs."""
        return -(-examples // self.batch_size) * self.epochs

    def rate(self, step, total):
        """The learning rate at ``step`` (0-based) of ``total``: ``learning_rate × factor(step)``."""
        if self.schedule == "constant":
            return self.learning_rate
        warmup = int(math.floor(total * self.warmup_fraction + 0.5))
        if step < warmup:
            return self.learning_rate * (step + 1) / warmup
        progress = min((step - warmup) / max(total - warmup, 1), 1.0)
        if self.schedule == "linear":
            return self.learning_rate * (1 - progress)
        return self.learning_rate * 0.5 * (1 + math.cos(math.pi * progress))


def _invalid(round_number, detail):
    return ProtocolViolation(f"the training settings of round {round_number} are not valid: {detail}")


def _check(ok, key, bounds, value, round_number):
    if not ok:
        raise _invalid(round_number, f"{key} must be in {bounds}, found {value}")


def _number(c, key, default, round_number):
    value = c.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _invalid(round_number, f"{key} must be a finite number, found {value!r}")
    return float(value)


def _integer(c, key, default, low, high, round_number):
    value = c.get(key, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(round_number, f"{key} must be a whole number, found {value!r}")
    _check(low <= value <= high, key, f"{low}...{high}", value, round_number)
    return value


def _class_weights(value, round_number):
    if value in ("none", None):
        return None
    if value == "balanced":
        return "balanced"
    if not isinstance(value, list):
        raise _invalid(round_number, f"class_weights '{value}' is not balanced, none or a list of one weight per class")
    if not 1 <= len(value) <= 100_000:
        raise _invalid(round_number, f"class_weights must have 1...100000 weights, found {len(value)}")
    ok = all(isinstance(w, (int, float)) and not isinstance(w, bool) and 0 <= w <= 1e6 for w in value)
    if not ok or not any(w > 0 for w in value):
        raise _invalid(round_number, "class_weights must be numbers in 0...1000000, at least one above 0")
    return [float(w) for w in value]


def _optimizer(value, round_number):
    if not isinstance(value, dict):
        raise _invalid(round_number, "optimizer is not an object")
    unknown = sorted(set(value) - set(_OPTIMIZER_KEYS))
    if unknown:
        raise _invalid(round_number, f"unknown key 'optimizer.{unknown[0]}'")
    kind = value.get("kind", "adamw")
    if kind not in ("adamw", "sgd"):
        raise _invalid(round_number, f"optimizer.kind '{kind}' is not adamw or sgd")
    o = {"kind": kind}
    for key, default in (("momentum", 0.9), ("weight_decay", 0.0), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        o[key] = _number(value, key, default, round_number)
    _check(0 <= o["momentum"] < 1, "optimizer.momentum", "[0, 1)", o["momentum"], round_number)
    _check(0 <= o["weight_decay"] <= 1, "optimizer.weight_decay", "0...1", o["weight_decay"], round_number)
    _check(0 <= o["beta1"] < 1, "optimizer.beta1", "[0, 1)", o["beta1"], round_number)
    _check(0 <= o["beta2"] < 1, "optimizer.beta2", "[0, 1)", o["beta2"], round_number)
    _check(0 < o["epsilon"] <= 1, "optimizer.epsilon", "(0, 1]", o["epsilon"], round_number)
    return o
