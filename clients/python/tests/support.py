"""Helpers the tests share: a small tabular model and data that fit it."""

import json

import numpy as np

from fedtune_site import safetensors
from fedtune_site.model import Model


def architecture(hidden=(5, 4), activation="relu", inputs=3, classes=3, dropout=0.0, frozen=()):
    return {
        "format": "fedtune.classifier",
        "version": 1,
        "inputs": inputs,
        "hidden": list(hidden),
        "classes": classes,
        "activation": activation,
        "dropout": dropout,
        "frozen": list(frozen),
        "featureNames": [f"x{i}" for i in range(inputs)],
        "classNames": [f"c{i}" for i in range(classes)],
        "standardizer": {"mean": [1.0] * inputs, "std": [2.0] * inputs},
    }


def tensors(description, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    widths = [description["inputs"]] + description["hidden"] + [description["classes"]]
    out = {}
    for i in range(len(widths) - 1):
        name = "head" if i == len(widths) - 2 else f"hidden.{i}"
        out[f"{name}.weight"] = (rng.standard_normal((widths[i + 1], widths[i])) * 0.7).astype(dtype)
        out[f"{name}.bias"] = (rng.standard_normal(widths[i + 1]) * 0.1).astype(dtype)
    return out


def base_blob(description, seed=0):
    """A base-model blob as the coordinator sends it."""
    metadata = {"fedtune.architecture": json.dumps(description, sort_keys=True, separators=(",", ":")), "format": "pt"}
    return safetensors.save(tensors(description, seed), metadata)


def model(description, seed=0, dtype=np.float32):
    return Model.decode(base_blob(description, seed), "0" * 64).with_trainable(
        {k: v for k, v in tensors(description, seed, dtype).items()}
    )


def write_csv(path, rows=120, seed=3, inputs=3, classes=3):
    """Rows whose class is the argmax of a fixed linear map of the features (learnable)."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((classes, inputs))
    x = rng.standard_normal((rows, inputs)) * 2 + 1
    y = (x @ w.T).argmax(axis=1)
    with open(path, "w") as out:
        out.write(",".join([f"x{i}" for i in range(inputs)] + ["label"]) + "\n")
        for features, label in zip(x, y):
            out.write(",".join(f"{v:.6f}" for v in features) + f",c{label}\n")
    return x, y
