"""The loss and the optimizers of local training, as PyTorch and the Swift trainer define them
(Sources/FedLearning/Layers/SoftmaxCrossEntropy.swift, Optim/AdamW.swift, Optim/SGD.swift)."""

import numpy as np


def cross_entropy(logits, targets, class_weights=None, label_smoothing=0.0):
    """PyTorch's ``CrossEntropyLoss(weight=w, label_smoothing=ε)`` of logits [N, C] and targets [N].

    ``loss = Σₙ [(1−ε)·w[yₙ]·(−log p[n,yₙ]) + (ε/C)·Σ_c w[c]·(−log p[n,c])] / Σₙ w[yₙ]``.
    Returns ``(loss, dlogits)``; computed in float64 for the sums, the gradient in the logits' dtype.
    """
    n, c = logits.shape
    z = logits.astype(np.float64)
    shifted = z - z.max(axis=1, keepdims=True)
    log_denominator = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    neg_log_p = log_denominator - shifted
    p = np.exp(-neg_log_p)
    w = np.ones(c) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    rows = np.arange(n)
    wy = w[targets]
    eps = label_smoothing
    per_row = (1 - eps) * wy * neg_log_p[rows, targets]
    if eps > 0:
        per_row = per_row + eps / c * (neg_log_p * w).sum(axis=1)
    normaliser = wy.sum()
    loss = per_row.sum() / normaliser if normaliser > 0 else 0.0
    one_hot = np.zeros_like(p)
    one_hot[rows, targets] = 1
    grad = (1 - eps) * wy[:, None] * (p - one_hot)
    if eps > 0:
        grad = grad + eps / c * (w.sum() * p - w[None, :])
    grad = grad / normaliser if normaliser > 0 else np.zeros_like(grad)
    return float(loss), grad.astype(logits.dtype)


class AdamW:
    """``torch.optim.AdamW``: ``w ← w·(1 − lr·wd)``, then the bias-corrected Adam step."""

    def __init__(self, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.0):
        self.beta1, self.beta2, self.epsilon, self.weight_decay = beta1, beta2, epsilon, weight_decay
        self.steps = 0
        self.m = {}
        self.v = {}

    def step(self, params, grads, rate):
        """Updates ``params`` (name → array) in place from ``grads`` at learning rate ``rate``."""
        self.steps += 1
        b1, b2 = self.beta1, self.beta2
        correction1 = 1 - b1**self.steps
        correction2 = 1 - b2**self.steps
        for name, g in grads.items():
            w = params[name]
            m = self.m.setdefault(name, np.zeros_like(w))
            v = self.v.setdefault(name, np.zeros_like(w))
            w *= w.dtype.type(1 - rate * self.weight_decay)
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            w -= ((rate / correction1) * m / (np.sqrt(v / correction2) + self.epsilon)).astype(w.dtype)


class SGD:
    """``torch.optim.SGD`` with dampening 0: ``g ← ∇ + wd·w``, ``b ← μ·b + g``, ``w ← w − lr·b``."""

    def __init__(self, momentum=0.9, weight_decay=0.0):
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity = {}

    def step(self, params, grads, rate):
        for name, g in grads.items():
            w = params[name]
            g = g + self.weight_decay * w
            if self.momentum:
                b = self.velocity.get(name)
                b = g.copy() if b is None else self.momentum * b + g
                self.velocity[name] = b
                g = b
            w -= (rate * g).astype(w.dtype)


def make_optimizer(settings):
    """A fresh optimizer for a round, from ``TrainSettings.optimizer``."""
    o = settings["optimizer"] if isinstance(settings, dict) else settings.optimizer
    if o["kind"] == "sgd":
        return SGD(momentum=o["momentum"], weight_decay=o["weight_decay"])
    return AdamW(beta1=o["beta1"], beta2=o["beta2"], epsilon=o["epsilon"], weight_decay=o["weight_decay"])


def clip_gradients(grads, max_norm):
    """Scales every gradient by ``max_norm / norm`` when their global L2 norm exceeds ``max_norm``;
    returns the norm before clipping (a NaN norm is left alone, as the Swift trainer does)."""
    norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values())))
    if norm > max_norm:
        scale = max_norm / norm
        for name in grads:
            grads[name] = grads[name] * grads[name].dtype.type(scale)
    return norm
