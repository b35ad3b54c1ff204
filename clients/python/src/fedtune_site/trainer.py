"""The built-in numpy trainer: a round's local training and evaluation of a tabular model,
as the Swift site does them (Sources/FedLearning/Training/Trainer.swift, RoundTraining.swift).

It is also the default of the ``on_train`` and ``on_evaluate`` hooks, and a model for
writing your own: a hook receives the model with the round's global tensors in place and
returns an ``Update`` (the trained values of the trainable tensors) or an ``Evaluation``.
"""

import time

import numpy as np

from . import data as site_data
from .errors import CannotTrain
from .model import refuse_unless_tabular
from .optim import clip_gradients, cross_entropy, make_optimizer


class Update:
    """What ``on_train`` returns: ``weights`` (name → array: the locally trained values of the
    model's trainable tensors; the site sends ``weights − global``), ``examples`` (training
    examples, each counted once) and ``metrics`` (name → number: at least ``loss`` and ``accuracy``)."""

    def __init__(self, weights, examples, metrics=None):
        self.weights = weights
        self.examples = examples
        self.metrics = dict(metrics or {})


class Evaluation:
    """What ``on_evaluate`` returns: ``examples`` held out (0 when none) and ``metrics``
    (``accuracy``, ``macro_f1``, ``loss``; empty with 0 examples)."""

    def __init__(self, examples, metrics=None):
        self.examples = examples
        self.metrics = dict(metrics or {})


def train(model, settings, features, labels, rng=None):
    """Trains a copy of ``model``'s trainable tensors on standardised ``features`` [N, F] and
    ``labels`` [N]; returns an ``Update`` whose metrics are the last epoch's loss and accuracy
    (dropout on, measured before each step's update) and the seconds it took.

    Raises ``CannotTrain`` on an empty split, a class-weight list of the wrong length or a
    loss that is not finite.
    """
    started = time.monotonic()
    n = len(labels)
    if n == 0:
        raise CannotTrain(settings.round, "the training split has no examples")
    weights = settings.class_weights
    if isinstance(weights, list) and len(weights) != model.classes:
        raise CannotTrain(settings.round, f"{len(weights)} class weights for {model.classes} classes")
    if weights == "balanced":
        counts = np.bincount(labels, minlength=model.classes)
        weights = [0.0 if k == 0 else n / (model.classes * k) for k in counts]
    trainable = list(model.trainable)
    global_tensors = {name: model.tensors[name] for name in trainable}
    tensors = dict(model.tensors)
    for name in trainable:
        tensors[name] = model.tensors[name].astype(np.float32, copy=True)
    optimizer = make_optimizer(settings)
    order = np.arange(n)
    shuffler = np.random.default_rng(settings.seed)
    dropout = rng or np.random.default_rng(settings.seed + 1)
    steps_per_epoch = -(-n // settings.batch_size)
    total = steps_per_epoch * settings.epochs
    step = 0
    loss_sum, correct = 0.0, 0
    for epoch in range(1, settings.epochs + 1):
        shuffler.shuffle(order)
        loss_sum, correct = 0.0, 0
        for start in range(0, n, settings.batch_size):
            rows = order[start : start + settings.batch_size]
            targets = labels[rows]
            logits, cache = model.forward(features[rows], tensors, training=True, rng=dropout)
            loss, dlogits = cross_entropy(logits, targets, weights, settings.label_smoothing)
            if not np.isfinite(loss):
                raise CannotTrain(settings.round, f"the loss became {loss} at epoch {epoch}, step {step + 1}")
            correct += int((logits.argmax(axis=1) == targets).sum())
            loss_sum += loss * len(rows)
            all_grads = model.backward(dlogits, cache, tensors)
            grads = {name: all_grads[name] for name in trainable}
            if settings.proximal_mu > 0:
                mu = np.float32(settings.proximal_mu)
                for name in trainable:
                    grads[name] = grads[name] + mu * (tensors[name] - global_tensors[name])
            if settings.gradient_clip_norm is not None:
                clip_gradients(grads, settings.gradient_clip_norm)
            optimizer.step(tensors, grads, settings.rate(step, total))
            step += 1
    return Update(
        weights={name: tensors[name] for name in trainable},
        examples=n,
        metrics={"loss": loss_sum / n, "accuracy": correct / n, "seconds": time.monotonic() - started},
    )


def evaluate(model, features, labels):
    """Accuracy, macro F1 over all the model's classes (a zero denominator scores 0) and mean
    cross-entropy (no class weights or smoothing) of ``model`` on standardised held-out data."""
    n = len(labels)
    if n == 0:
        return Evaluation(0, {})
    logits, _ = model.forward(features)
    loss, _ = cross_entropy(logits, labels)
    predicted = logits.argmax(axis=1)
    f1 = []
    for c in range(model.classes):
        tp = int(((predicted == c) & (labels == c)).sum())
        fp = int(((predicted == c) & (labels != c)).sum())
        fn = int(((predicted != c) & (labels == c)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return Evaluation(n, {"accuracy": float((predicted == labels).mean()), "macro_f1": float(np.mean(f1)), "loss": loss})


class NumpyTrainer:
    """The default hooks: the site's CSV (``path``, ``label`` column) split into a training part
    and a seeded, stratified held-out part (``evaluation_fraction``), read once per model."""

    def __init__(self, path, label="label", evaluation_fraction=0.2, seed=0):
        self.path = path
        self.label = label
        self.evaluation_fraction = evaluation_fraction
        self.seed = seed
        self._prepared = None

    def rows(self):
        """Before joining: the number of rows, after checking the file and its label column."""
        return site_data.count_rows(self.path, self.label)

    def check(self, model):
        """Refuses a model this trainer cannot train, and data that does not fit it, now."""
        refuse_unless_tabular(model)
        self.splits(model)

    def splits(self, model):
        """((train features, labels), (held-out features, labels)), standardised for ``model``."""
        key = (tuple(model.feature_names), tuple(model.class_names), model.mean.tobytes(), model.std.tobytes())
        if self._prepared is None or self._prepared[0] != key:
            features, labels = site_data.read_examples(self.path, self.label, model.feature_names, model.class_names)
            features = model.standardize(features)
            train_rows, held_rows = site_data.stratified_split(labels, self.evaluation_fraction, self.seed)
            parts = ((features[train_rows], labels[train_rows]), (features[held_rows], labels[held_rows]))
            self._prepared = (key, parts)
        return self._prepared[1]

    def on_train(self, model, settings):
        """The default ``on_train``: ``train`` on the site's training split."""
        refuse_unless_tabular(model)
        (features, labels), _ = self.splits(model)
        return train(model, settings, features, labels)

    def on_evaluate(self, model):
        """The default ``on_evaluate``: ``evaluate`` on the site's held-out split."""
        refuse_unless_tabular(model)
        _, (features, labels) = self.splits(model)
        return evaluate(model, features, labels)
