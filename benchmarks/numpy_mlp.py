"""The 64-256-256-10 ReLU MLP training step of `fedtune bench`, in numpy.

One step = forward, softmax cross-entropy, backward and an SGD-with-momentum update on a
fixed batch of 64, repeated for about a second; prints examples per second.
Run: python3 benchmarks/numpy_mlp.py   (numpy pinned in scripts/requirements.txt)
"""
import time

import numpy as np


def main(seconds: float = 1.0, batch: int = 64) -> None:
    rng = np.random.default_rng(1)
    sizes = [64, 256, 256, 10]
    weights = [rng.uniform(-1, 1, (o, i)).astype(np.float32) / np.sqrt(i) for i, o in zip(sizes, sizes[1:])]
    biases = [np.zeros(o, dtype=np.float32) for o in sizes[1:]]
    velocity = [np.zeros_like(p) for p in weights + biases]
    x = rng.standard_normal((batch, 64)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    lr, mu = np.float32(0.01), np.float32(0.9)

    def step() -> None:
        activations = [x]
        for k, (w, b) in enumerate(zip(weights, biases)):
            z = activations[-1] @ w.T + b
            activations.append(np.maximum(z, 0) if k < len(weights) - 1 else z)
        logits = activations[-1]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        dz = p
        dz[np.arange(batch), y] -= 1
        dz /= batch
        grads_w, grads_b = [None] * 3, [None] * 3
        for k in reversed(range(3)):
            grads_w[k] = dz.T @ activations[k]
            grads_b[k] = dz.sum(axis=0)
            if k > 0:
                dz = (dz @ weights[k]) * (activations[k] > 0)
        for param, grad, v in zip(weights + biases, grads_w + grads_b, velocity):
            v *= mu
            v += grad
            param -= lr * v

    step()
    best = 0.0
    for _ in range(3):  # best of three rounds, as `fedtune bench` measures
        iterations, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            step()
            iterations += 1
        best = max(best, iterations * batch / (time.perf_counter() - start))
    print(f"numpy {np.__version__} mlp 64-256-256-10 step  {best:8.0f} examples/s (batch 64, SGD)")


if __name__ == "__main__":
    main()
