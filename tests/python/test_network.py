#!/usr/bin/python3
"""sgdsim.Network: a scenario's model on numpy batches, the same model a run trains."""
import unittest

import numpy as np

from support import sgdsim

SMALL_CNN = {"kind": "sequential", "input_shape": [1, 8, 8], "layers": [
    {"type": "conv2d", "channels": 4, "kernel": 3, "padding": 1},
    {"type": "batch_norm"}, {"type": "relu"}, {"type": "max_pool", "kernel": 2},
    {"type": "dense", "units": 3}]}


class NetworkTest(unittest.TestCase):
    def test_presets_have_their_sizes_and_flops(self):
        lenet = sgdsim.Network("lenet5", (1, 28, 28))
        self.assertEqual(lenet.num_params, 61706)
        self.assertEqual(lenet.num_state, 0)
        forward = 2 * (784 * 150 + 100 * 2400 + 48000 + 10080 + 840)
        self.assertEqual(lenet.flops_per_gradient(32), 32 * 3 * forward)
        resnet = sgdsim.Network({"kind": "resnet20"}, (3, 32, 32), precision="float64")
        self.assertEqual(resnet.num_params - resnet.num_state, 269722)
        self.assertEqual(resnet.initial_params(1).dtype, np.float64)

    def test_gradient_matches_finite_differences_and_state_moves_only_when_asked(self):
        net = sgdsim.Network(SMALL_CNN, (1, 8, 8), num_classes=3, precision="float64")
        rng = np.random.default_rng(2)
        X = rng.random((6, 1, 8, 8))
        y = rng.integers(0, 3, 6)
        params = net.initial_params(seed=5)
        before = params.copy()
        loss, grad = net.loss_and_gradient(params, X, y)
        np.testing.assert_array_equal(params, before)
        trainable = net.num_params - net.num_state
        self.assertTrue(np.all(grad[trainable:] == 0))
        for i in rng.choice(trainable, 20, replace=False):
            step = np.zeros_like(params)
            step[i] = 1e-6
            numeric = (net.loss_and_gradient(params + step, X, y)[0] -
                       net.loss_and_gradient(params - step, X, y)[0]) / 2e-6
            self.assertAlmostEqual(grad[i], numeric, delta=1e-6 * max(1.0, abs(numeric)))
        moved_loss, _ = net.loss_and_gradient(params, X, y, update_state=True)
        self.assertEqual(moved_loss, loss)
        np.testing.assert_array_equal(params[:trainable], before[:trainable])
        self.assertGreater(np.abs(params[trainable:] - before[trainable:]).max(), 1e-3)
        # A flat (n, d) batch is the same samples.
        self.assertEqual(net.loss_and_gradient(params, X.reshape(6, 64), y)[0],
                         net.loss_and_gradient(params, X, y)[0])

    def test_initial_params_and_evaluate_are_a_runs(self):
        rng = np.random.default_rng(4)
        X = rng.random((64, 64)).astype(np.float32)
        y = rng.integers(0, 3, 64)
        scenario = sgdsim.Scenario.from_dict({
            "name": "cnn", "seed": 9, "workers": 2, "steps": 2, "precision": "float32",
            "algorithm": {"kind": "local_sgd", "interval": 1, "lr": 0.05, "batch_size": 8},
            "model": SMALL_CNN, "compute": {"kind": "constant", "mean": "1ms"},
            "eval": {"every": 1}}, data=sgdsim.data.arrays(X, y))
        net = sgdsim.Network(SMALL_CNN, (1, 8, 8), num_classes=3)
        loss, _ = net.evaluate(net.initial_params(seed=9), X, y)
        # The train loss is the model's as it is evaluated (running statistics), with or without
        # the gradient's norm measured (which uses the batch's statistics).
        for grad_norm in (True, False):
            result = sgdsim.run(scenario.with_set({"eval.grad_norm": grad_norm}))
            self.assertEqual(result.metrics["train_loss"].iloc[0], loss)
        self.assertNotEqual(net.loss_and_gradient(net.initial_params(seed=9), X, y)[0], loss)

    def test_image_arrays_give_the_network_its_input_shape(self):
        rng = np.random.default_rng(8)
        images = rng.random((64, 1, 8, 8)).astype(np.float32)
        y = rng.integers(0, 3, 64)
        model = {k: v for k, v in SMALL_CNN.items() if k != "input_shape"}
        base = {"name": "images", "seed": 2, "workers": 2, "steps": 4, "precision": "float32",
                "algorithm": {"kind": "local_sgd", "interval": 2, "lr": 0.05, "batch_size": 8},
                "model": model, "compute": {"kind": "constant", "mean": "1ms"},
                "eval": {"every": 2}}
        as_images = sgdsim.run(sgdsim.Scenario.from_dict(
            base, data=sgdsim.data.arrays(images, y, images[:16], y[:16])))
        flat = sgdsim.run(sgdsim.Scenario.from_dict(
            dict(base, model=SMALL_CNN),
            data=sgdsim.data.arrays(images.reshape(64, 64), y, images[:16].reshape(16, 64), y[:16])))
        np.testing.assert_array_equal(as_images.model, flat.model)
        with self.assertRaisesRegex(sgdsim.ScenarioError, "model.layers.3.: max_pool on a 4x1x1 input.*give model.input_shape"):
            sgdsim.run(sgdsim.Scenario.from_dict(
                base, data=sgdsim.data.arrays(images.reshape(64, 64), y)))
        with self.assertRaisesRegex(ValueError, "X_test: expected images of shape"):
            sgdsim.data.arrays(images, y, images[:4].reshape(4, 64), y[:4])

    def test_mistakes(self):
        net = sgdsim.Network("lenet5", (1, 28, 28))
        params = net.initial_params()
        with self.assertRaisesRegex(ValueError, r"X: expected \(n, 1, 28, 28\)"):
            net.loss_and_gradient(params, np.zeros((2, 10)), [0, 1])
        with self.assertRaisesRegex(ValueError, "y: expected 2 class indices"):
            net.loss_and_gradient(params, np.zeros((2, 784)), [0])
        with self.assertRaisesRegex(ValueError, "params: expected a 1-D array of 61706"):
            net.loss_and_gradient(params[:10], np.zeros((2, 784)), [0, 1])
        with self.assertRaises(sgdsim.ScenarioError):
            sgdsim.Network("lenet7", (1, 28, 28))
        with self.assertRaisesRegex(ValueError, "layers.3.: conv2d on a 6x1x1 input: a 5x5 kernel does not fit"):
            sgdsim.Network("lenet5", (1, 2, 2))


if __name__ == "__main__":
    unittest.main()
