"""The model a site receives: the base-model blob, decoded (docs/PROTOCOL.md, "The model").

A ``Model`` holds every tensor of the base model by name, its description
(``fedtune.architecture``, the model's ``model.json``) and which tensors are trainable.
``TabularModel`` adds what the built-in trainer needs for fedtune's tabular classifiers
(``format: fedtune.classifier``): logistic regression and MLPs, forward and backward.
"""

import json

import numpy as np

from . import safetensors
from .errors import ProtocolViolation, Unsupported

TABULAR = "fedtune.classifier"
TEXT = "fedtune.text-classifier"

#: The most weights a model may have (``TensorBudget``, Sources/FedLearning/Models).
MAX_WEIGHTS = 2**31


class Model:
    """A base model with the round's global trainable tensors in place.

    Attributes: ``architecture`` (the description, a dict), ``format`` (its ``format``),
    ``tensors`` (name → float32 array, every tensor), ``trainable`` (names of the tensors
    that travel, in the order the coordinator sent them once a round set them; before that,
    every tensor not ``frozen``) and ``digest`` (SHA-256 of the base-model blob).
    """

    def __init__(self, architecture, tensors, metadata, digest):
        self.architecture = architecture
        self.format = architecture.get("format")
        self.tensors = tensors
        self.metadata = metadata
        self.digest = digest
        frozen = set(architecture.get("frozen") or [])
        self.trainable = [name for name in tensors if name not in frozen]

    @staticmethod
    def decode(blob, digest):
        """The model in a base-model blob; a text model or any other kind is a ``Model``, a
        tabular one a checked ``TabularModel``."""
        try:
            tensors, metadata = safetensors.load(blob, name=f"the base model {digest}")
        except ValueError as error:
            raise ProtocolViolation(str(error)) from None
        text = metadata.get("fedtune.architecture")
        if text is None:
            raise ProtocolViolation(f"the base model {digest} has no fedtune.architecture in its metadata")
        try:
            architecture = json.loads(text)
        except ValueError:
            raise ProtocolViolation(f"the base model {digest}'s fedtune.architecture is not JSON") from None
        if not isinstance(architecture, dict):
            raise ProtocolViolation(f"the base model {digest}'s fedtune.architecture is not an object")
        if architecture.get("format", TABULAR) == TABULAR:
            return TabularModel(architecture, tensors, metadata, digest)
        return Model(architecture, tensors, metadata, digest)

    def with_trainable(self, trainable):
        """A copy whose trainable tensors are ``trainable`` (name → array), checked against the
        model's names and shapes; the other tensors are shared, not copied."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.tensors = dict(self.tensors)
        for name, value in trainable.items():
            if name not in self.tensors:
                raise ProtocolViolation(f"the round's tensors hold '{name}', which the base model has not")
            if value.shape != self.tensors[name].shape:
                raise ProtocolViolation(
                    f"the round's tensor '{name}' has shape {list(value.shape)}, "
                    f"the base model's is {list(self.tensors[name].shape)}"
                )
            copy.tensors[name] = value
        copy.trainable = list(trainable)
        return copy


class TabularModel(Model):
    """fedtune's tabular classifier: ``x' = (x − mean)/std``, then for each hidden layer
    ``h = act(h·Wᵀ + b)`` (dropout while training), then ``logits = h·head.weightᵀ + head.bias``.
    """

    def __init__(self, architecture, tensors, metadata, digest):
        super().__init__(architecture, tensors, metadata, digest)
        problems = _problems(architecture, tensors)
        if problems:
            raise ProtocolViolation(f"the base model {digest} is not a valid tabular model: " + "; ".join(problems))
        self.inputs = architecture["inputs"]
        self.hidden = list(architecture["hidden"])
        self.classes = architecture["classes"]
        self.activation = architecture.get("activation", "relu")
        self.dropout = float(architecture.get("dropout", 0))
        self.feature_names = list(architecture.get("featureNames") or [f"x{i}" for i in range(self.inputs)])
        self.class_names = list(architecture.get("classNames") or [str(i) for i in range(self.classes)])
        standardizer = architecture.get("standardizer") or {}
        self.mean = np.asarray(standardizer.get("mean", [0.0] * self.inputs), dtype=np.float32)
        self.std = np.asarray(standardizer.get("std", [1.0] * self.inputs), dtype=np.float32)

    @property
    def layer_names(self):
        """The linear layers from input to output: ``hidden.0`` … and ``head``."""
        return [f"hidden.{i}" for i in range(len(self.hidden))] + ["head"]

    def standardize(self, features):
        """Raw features [N, F] in ``feature_names`` order, standardised with the model's statistics."""
        return (np.asarray(features, dtype=np.float32) - self.mean) * (np.float32(1) / self.std)

    def forward(self, x, tensors=None, training=False, rng=None):
        """Logits [N, classes] for standardised inputs ``x`` [N, F].

        Returns ``(logits, cache)``; ``cache`` holds what ``backward`` needs. ``tensors``
        overrides the model's own (name → array); ``training`` turns dropout on (``rng`` draws it).
        """
        tensors = self.tensors if tensors is None else tensors
        cache = []
        h = x
        for name in self.layer_names[:-1]:
            z = h @ tensors[f"{name}.weight"].T + tensors[f"{name}.bias"]
            a = _activate(self.activation, z)
            mask = None
            if training and self.dropout > 0:
                rng = rng or np.random.default_rng()
                keep = 1 / (1 - self.dropout)
                mask = np.where(rng.random(a.shape) < self.dropout, 0.0, keep).astype(a.dtype)
                a = a * mask
            cache.append((h, z, mask))
            h = a
        logits = h @ tensors["head.weight"].T + tensors["head.bias"]
        cache.append((h, None, None))
        return logits, cache

    def backward(self, dlogits, cache, tensors=None):
        """Gradients (name → array) of every tensor, given dloss/dlogits and ``forward``'s cache."""
        tensors = self.tensors if tensors is None else tensors
        grads = {}
        names = self.layer_names
        dout = dlogits
        for index in range(len(names) - 1, -1, -1):
            name = names[index]
            h, _, _ = cache[index]
            # dW[out, in] = doutᵀ · h; db = Σ rows of dout; dh = dout · W
            grads[f"{name}.weight"] = dout.T @ h
            grads[f"{name}.bias"] = dout.sum(axis=0)
            if index == 0:
                break
            dh = dout @ tensors[f"{name}.weight"]
            _, z, mask = cache[index - 1]
            if mask is not None:
                dh = dh * mask
            dout = dh * _activation_derivative(self.activation, z)
        return grads

    def predict(self, x, tensors=None):
        """Predicted class index per row of standardised inputs (the first on ties)."""
        return self.forward(x, tensors)[0].argmax(axis=1)


def _activate(kind, z):
    if kind == "relu":
        return np.maximum(z, 0)
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu6":
        return np.clip(z, 0, 6)
    return z * _normal_cdf(z)


def _activation_derivative(kind, z):
    if kind == "relu":
        return (z > 0).astype(z.dtype)
    if kind == "tanh":
        return 1 - np.tanh(z) ** 2
    if kind == "relu6":
        return ((z > 0) & (z < 6)).astype(z.dtype)
    # d/dz z·Φ(z) = Φ(z) + z·φ(z)
    return _normal_cdf(z) + z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)


def _normal_cdf(z):
    """Φ(z) = ½(1 + erf(z/√2)), with erf from Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7,
    below float32's resolution), since numpy has no erf."""
    x = np.abs(z) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-x * x)
    return (0.5 * (1.0 + np.sign(z) * erf)).astype(z.dtype)


def _problems(architecture, tensors):
    """Problems with a tabular description and its tensors, each a phrase naming the field."""
    problems = []

    def natural(value, least):
        return isinstance(value, int) and not isinstance(value, bool) and value >= least

    inputs, hidden, classes = architecture.get("inputs"), architecture.get("hidden"), architecture.get("classes")
    if architecture.get("version", 1) != 1:
        problems.append(f"version {architecture.get('version')!r} is not supported (this site reads 1)")
    if not natural(inputs, 1):
        problems.append("inputs must be a whole number of at least 1")
    if not natural(classes, 2):
        problems.append("classes must be a whole number of at least 2")
    if not isinstance(hidden, list) or not all(natural(w, 1) for w in hidden):
        problems.append("hidden must be a list of widths of at least 1")
    if problems:
        return problems
    widths = [inputs] + hidden + [classes]
    if sum(widths[i] * widths[i + 1] + widths[i + 1] for i in range(len(widths) - 1)) > MAX_WEIGHTS:
        return ["the model has more than 2^31 weights"]
    activation = architecture.get("activation", "relu")
    if activation not in ("relu", "gelu", "tanh", "relu6"):
        problems.append(f"activation '{activation}' is not relu, gelu, tanh or relu6")
    dropout = architecture.get("dropout", 0)
    if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout < 1:
        problems.append("dropout must be in [0, 1)")
    for key, count in (("featureNames", inputs), ("classNames", classes)):
        names = architecture.get(key)
        if names is not None and (not isinstance(names, list) or len(names) != count):
            problems.append(f"{key} must hold {count} names")
    standardizer = architecture.get("standardizer")
    if standardizer is not None:
        for key in ("mean", "std"):
            values = standardizer.get(key) if isinstance(standardizer, dict) else None
            if not isinstance(values, list) or len(values) != inputs:
                problems.append(f"standardizer must have {inputs} means and stds")
                break
    expected = {}
    for i in range(len(widths) - 1):
        name = "head" if i == len(widths) - 2 else f"hidden.{i}"
        expected[f"{name}.weight"] = (widths[i + 1], widths[i])
        expected[f"{name}.bias"] = (widths[i + 1],)
    for name, shape in expected.items():
        if name not in tensors:
            problems.append(f"tensor '{name}' is missing")
        elif tensors[name].shape != shape:
            problems.append(f"tensor '{name}' has shape {list(tensors[name].shape)}, the description needs {list(shape)}")
    for name in tensors:
        if name not in expected:
            problems.append(f"tensor '{name}' is not part of the description")
    for name in architecture.get("frozen") or []:
        if name not in expected:
            problems.append(f"frozen names unknown tensor '{name}'")
    return problems


def refuse_unless_tabular(model):
    """Raises ``Unsupported`` for a model the built-in numpy trainer cannot train."""
    if not isinstance(model, TabularModel):
        kind = "text models" if model.format == TEXT else f"models of format '{model.format}'"
        raise Unsupported(
            f"{kind}: the built-in trainer trains tabular models (fedtune.classifier) only",
            "run the Swift site (`fedtune client`) for this model, or pass on_train and on_evaluate "
            "hooks that train it",
        )
