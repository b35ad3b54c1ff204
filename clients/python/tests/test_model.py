"""The tabular model's forward and backward: gradients against central finite differences,
for every activation, with class weights and label smoothing in the loss."""

import math
import unittest

import numpy as np

from fedtune_site.errors import ProtocolViolation, Unsupported
from fedtune_site.model import Model, _normal_cdf, refuse_unless_tabular
from fedtune_site.optim import cross_entropy

from . import support


def loss_of(model, tensors, x, y, weights, smoothing):
    logits, _ = model.forward(x, tensors)
    return cross_entropy(logits, y, weights, smoothing)[0]


class GradientTests(unittest.TestCase):
    def check(self, hidden, activation, weights=None, smoothing=0.0):
        description = support.architecture(hidden=hidden, activation=activation)
        model = support.model(description, seed=4, dtype=np.float64)
        rng = np.random.default_rng(7)
        x = rng.standard_normal((6, 3))
        y = np.array([0, 1, 2, 2, 1, 0])
        tensors = {k: v.astype(np.float64) for k, v in model.tensors.items()}
        logits, cache = model.forward(x, tensors)
        _, dlogits = cross_entropy(logits, y, weights, smoothing)
        grads = model.backward(dlogits, cache, tensors)
        self.assertEqual(set(grads), set(tensors))
        h = 1e-6
        worst = 0.0
        for name, value in tensors.items():
            numeric = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                saved = value[index]
                value[index] = saved + h
                plus = loss_of(model, tensors, x, y, weights, smoothing)
                value[index] = saved - h
                minus = loss_of(model, tensors, x, y, weights, smoothing)
                value[index] = saved
                numeric[index] = (plus - minus) / (2 * h)
            difference = np.abs(numeric - grads[name]).max()
            worst = max(worst, difference / max(1.0, np.abs(numeric).max()))
        self.assertLess(worst, 1e-6, f"{activation} {hidden}: max relative |analytic − numeric| {worst:.2e}")

    def test_mlp_with_relu(self):
        self.check((5, 4), "relu")

    def test_mlp_with_tanh_class_weights_and_label_smoothing(self):
        self.check((5,), "tanh", weights=[0.5, 2.0, 1.0], smoothing=0.1)

    def test_mlp_with_exact_gelu(self):
        self.check((4, 4), "gelu")

    def test_mlp_with_relu6(self):
        self.check((6,), "relu6")

    def test_logistic_regression(self):
        self.check((), "relu", weights=[1.0, 0.0, 3.0])


class ModelTests(unittest.TestCase):
    def test_normal_cdf_matches_erf_within_float32_resolution(self):
        z = np.linspace(-8, 8, 2001)
        exact = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in z])
        self.assertLess(np.abs(_normal_cdf(z) - exact).max(), 2e-7)

    def test_standardisation_and_prediction_follow_the_description(self):
        model = support.model(support.architecture(hidden=()))
        raw = np.array([[3.0, 1.0, -1.0]], dtype=np.float32)
        np.testing.assert_allclose(model.standardize(raw), [[1.0, 0.0, -1.0]])
        x = model.standardize(raw)
        expected = x @ model.tensors["head.weight"].T + model.tensors["head.bias"]
        np.testing.assert_allclose(model.forward(x)[0], expected, rtol=1e-6)
        self.assertEqual(model.predict(x)[0], int(expected.argmax()))

    def test_frozen_tensors_do_not_travel(self):
        description = support.architecture(frozen=["hidden.0.weight", "hidden.0.bias"])
        model = Model.decode(support.base_blob(description), "0" * 64)
        self.assertEqual(
            model.trainable, ["head.bias", "head.weight", "hidden.1.bias", "hidden.1.weight"]
        )

    def test_a_broken_description_is_refused_naming_the_field(self):
        description = support.architecture()
        blob = support.base_blob(description)
        description["classNames"] = ["only-one"]
        with self.assertRaisesRegex(ProtocolViolation, "classNames must hold 3 names"):
            Model.decode(support.base_blob(description), "0" * 64)
        with self.assertRaisesRegex(ProtocolViolation, "shape"):
            Model.decode(blob, "0" * 64).with_trainable({"head.bias": np.zeros(7, dtype=np.float32)})

    def test_a_text_model_is_refused_by_the_built_in_trainer_in_a_sentence(self):
        text = Model({"format": "fedtune.text-classifier"}, {}, {}, "0" * 64)
        with self.assertRaises(Unsupported) as caught:
            refuse_unless_tabular(text)
        self.assertIn("this Python site does not support text models", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
