"""Local training as the train message's configuration sets it: the settings and their
ranges, the optimizers and schedules, a round's training and evaluation, and the CSV."""

import os
import tempfile
import unittest

import numpy as np

from fedtune_site import NumpyTrainer, TrainSettings, evaluate, train
from fedtune_site.data import read_examples, stratified_split
from fedtune_site.errors import DataMismatch, ProtocolViolation
from fedtune_site.optim import SGD, AdamW, clip_gradients

from . import support


class SettingsTests(unittest.TestCase):
    def test_defaults_are_the_protocols(self):
        s = TrainSettings({})
        self.assertEqual((s.epochs, s.batch_size, s.learning_rate, s.schedule), (10, 32, 1e-3, "constant"))
        self.assertEqual(s.optimizer, {"kind": "adamw", "momentum": 0.9, "weight_decay": 0.0, "beta1": 0.9,
                                       "beta2": 0.999, "epsilon": 1e-8})
        self.assertIsNone(s.class_weights)
        self.assertEqual(s.proximal_mu, 0.0)

    def test_unknown_keys_and_values_out_of_range_are_refused_by_name(self):
        cases = [
            ({"epoch": 3}, "unknown key 'epoch'"),
            ({"optimizer": {"kind": "sgd", "nesterov": True}}, "unknown key 'optimizer.nesterov'"),
            ({"epochs": 0}, "epochs must be in 1...10000"),
            ({"learning_rate": 11}, "learning_rate"),
            ({"label_smoothing": 1.0}, "label_smoothing"),
            ({"proximal_mu": -1}, "proximal_mu"),
            ({"class_weights": "inverse"}, "class_weights"),
            ({"optimizer": {"beta2": 1.0}}, "optimizer.beta2"),
        ]
        for configuration, words in cases:
            with self.assertRaises(ProtocolViolation) as caught:
                TrainSettings(configuration, round_number=4)
            self.assertIn(words, str(caught.exception))
            self.assertIn("the training settings of round 4 are not valid", str(caught.exception))

    def test_schedules_warm_up_then_decay(self):
        linear = TrainSettings({"learning_rate": 1.0, "schedule": "linear", "warmup_fraction": 0.2})
        self.assertEqual([round(linear.rate(s, 10), 6) for s in range(10)],
                         [0.5, 1.0, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125])
        cosine = TrainSettings({"learning_rate": 1.0, "schedule": "cosine"})
        self.assertAlmostEqual(cosine.rate(0, 4), 1.0)
        self.assertAlmostEqual(cosine.rate(2, 4), 0.5)


class OptimizerTests(unittest.TestCase):
    def test_adamw_first_step_moves_each_weight_by_the_rate_after_decay(self):
        w = {"w": np.array([1.0, -2.0], dtype=np.float32)}
        AdamW(weight_decay=0.1).step(w, {"w": np.array([0.3, -4.0], dtype=np.float32)}, 0.01)
        np.testing.assert_allclose(w["w"], [1.0 * (1 - 0.001) - 0.01, -2.0 * (1 - 0.001) + 0.01], rtol=1e-6)

    def test_sgd_with_momentum_and_coupled_weight_decay(self):
        w = {"w": np.array([1.0])}
        sgd = SGD(momentum=0.5, weight_decay=0.1)
        sgd.step(w, {"w": np.array([1.0])}, 0.1)  # g = 1.1, b = 1.1, w = 0.89
        sgd.step(w, {"w": np.array([1.0])}, 0.1)  # g = 1.089, b = 0.55 + 1.089, w = 0.89 − 0.1639
        np.testing.assert_allclose(w["w"], [0.89 - 0.1 * (0.55 + 1.089)])

    def test_gradient_clipping_scales_to_the_norm(self):
        grads = {"a": np.array([3.0]), "b": np.array([4.0])}
        self.assertEqual(clip_gradients(grads, 1.0), 5.0)
        np.testing.assert_allclose([grads["a"][0], grads["b"][0]], [0.6, 0.8])


class RoundTrainingTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.csv = os.path.join(self.folder.name, "site.csv")
        support.write_csv(self.csv, rows=300)
        self.model = support.model(support.architecture(hidden=(16,)))

    def tearDown(self):
        self.folder.cleanup()

    def test_training_lowers_the_loss_and_raises_held_out_accuracy(self):
        trainer = NumpyTrainer(self.csv, evaluation_fraction=0.2, seed=1)
        before = trainer.on_evaluate(self.model)
        settings = TrainSettings({"epochs": 30, "batch_size": 16, "learning_rate": 0.01, "seed": 5}, round_number=1)
        update = trainer.on_train(self.model, settings)
        self.assertEqual(update.examples + before.examples, 300)
        self.assertAlmostEqual(before.examples, 60, delta=2)
        self.assertEqual(set(update.weights), set(self.model.trainable))
        after = trainer.on_evaluate(self.model.with_trainable(update.weights))
        self.assertLess(after.metrics["loss"], before.metrics["loss"])
        self.assertGreater(after.metrics["accuracy"], 0.85)
        self.assertGreater(after.metrics["accuracy"], before.metrics["accuracy"])
        self.assertEqual(set(after.metrics), {"accuracy", "macro_f1", "loss"})
        self.assertGreater(update.metrics["accuracy"], 0.8)

    def test_fedprox_keeps_the_update_closer_to_the_global_model(self):
        (x, y), _ = NumpyTrainer(self.csv).splits(self.model)
        def distance(mu):
            settings = TrainSettings({"epochs": 5, "learning_rate": 0.02, "proximal_mu": mu, "seed": 2})
            update = train(self.model, settings, x, y)
            return sum(float(np.sum((update.weights[n] - self.model.tensors[n]) ** 2)) for n in self.model.trainable)
        self.assertLess(distance(10.0), 0.5 * distance(0.0))

    def test_macro_f1_counts_every_class_of_the_model(self):
        model = support.model(support.architecture(hidden=()))
        x = np.zeros((4, 3), dtype=np.float32)
        y = np.array([0, 0, 0, 0])
        model.tensors["head.bias"] = np.array([5.0, 0.0, 0.0], dtype=np.float32)
        result = evaluate(model, x, y)
        self.assertEqual(result.metrics["accuracy"], 1.0)
        self.assertAlmostEqual(result.metrics["macro_f1"], 1 / 3)


class DataTests(unittest.TestCase):
    def write(self, text):
        handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
        handle.write(text)
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def test_cells_are_trimmed_blank_lines_skipped_and_quotes_read(self):
        path = self.write('x1,"x0",label,note\n 1.5 ,\t2,c1,"a, b"\n\n-3,4e1,c0,\n')
        x, y = read_examples(path, "label", ["x0", "x1"], ["c0", "c1"])
        np.testing.assert_array_equal(x, [[2.0, 1.5], [40.0, -3.0]])
        np.testing.assert_array_equal(y, [1, 0])

    def test_a_label_not_in_the_model_and_a_missing_column_are_named(self):
        path = self.write("x0,label\n1,c0\n2,1.0\n")
        with self.assertRaisesRegex(DataMismatch, "line 3 has label '1.0'"):
            read_examples(path, "label", ["x0"], ["c0", "1"])
        with self.assertRaisesRegex(DataMismatch, "no column 'x9'"):
            read_examples(path, "label", ["x9"], ["c0"])
        with self.assertRaisesRegex(DataMismatch, "not a finite number"):
            read_examples(self.write("x0,label\ninf,c0\n"), "label", ["x0"], ["c0"])

    def test_the_split_is_stratified_and_seeded(self):
        labels = np.array([0] * 50 + [1] * 10 + [2] * 5)
        train_rows, held = stratified_split(labels, 0.2, seed=3)
        self.assertEqual(sorted(np.bincount(labels[held]).tolist()), [1, 2, 10])
        self.assertEqual(len(train_rows) + len(held), 65)
        self.assertEqual(set(train_rows) & set(held), set())
        again = stratified_split(labels, 0.2, seed=3)
        np.testing.assert_array_equal(again[1], held)


if __name__ == "__main__":
    unittest.main()
