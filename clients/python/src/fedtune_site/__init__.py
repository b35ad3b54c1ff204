"""fedtune_site: a fedtune site in Python.

It speaks fedtune's wire protocol (docs/PROTOCOL.md) over mutual TLS 1.3, trains fedtune's
tabular models (logistic regression and MLPs) with numpy, and lets a site plug in its own
training through two hooks::

    from fedtune_site import Site, Update, Evaluation

    def on_train(model, settings):      # model.tensors, model.trainable; settings.epochs, …
        weights = {name: model.tensors[name] - 0.01 for name in model.trainable}
        return Update(weights, examples=100, metrics={"loss": 0.5, "accuracy": 0.8})

    def on_evaluate(model):
        return Evaluation(examples=20, metrics={"accuracy": 0.8, "macro_f1": 0.8, "loss": 0.5})

    Site("coordinator.example:7000", "certs/sites/site-a", on_train=on_train, on_evaluate=on_evaluate).run()

With ``data="site.csv"`` and no hooks the built-in trainer does what ``fedtune client`` does.
"""

import logging

from .errors import (
    CannotTrain,
    ConnectionFailed,
    DataMismatch,
    GaveUp,
    IdentityError,
    ProtocolViolation,
    Refused,
    SiteError,
    Unsupported,
)
from .model import Model, TabularModel
from .settings import TrainSettings
from .site import Site, connect
from .trainer import Evaluation, NumpyTrainer, Update, evaluate, train

__version__ = "0.1.0"

# A library logs through its own logger and leaves handlers to the program (the CLI sets one).
logging.getLogger("fedtune_site").addHandler(logging.NullHandler())

__all__ = [
    "CannotTrain",
    "ConnectionFailed",
    "DataMismatch",
    "Evaluation",
    "GaveUp",
    "IdentityError",
    "Model",
    "NumpyTrainer",
    "ProtocolViolation",
    "Refused",
    "Site",
    "SiteError",
    "TabularModel",
    "TrainSettings",
    "Unsupported",
    "Update",
    "connect",
    "evaluate",
    "train",
]
