#!/usr/bin/python3
"""sgdsim.data: numpy arrays as data and as step times, against the same values from files."""
import unittest

import numpy as np
import pandas as pd

from support import TemporaryDirectory, sgdsim, write
from sgdsim._result import read_metrics_csv
from support import cli

BASE = {
    "name": "arrays", "seed": 3, "workers": 4, "steps": 40, "precision": "float32",
    "algorithm": {"kind": "local_sgd", "interval": 4, "lr": 0.1, "batch_size": 8},
    "model": {"kind": "softmax"},
    "compute": {"kind": "constant", "mean": "5ms"},
    "eval": {"every": 10},
}


def blobs(n, d, classes, seed):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, d)) * 3
    y = rng.integers(0, classes, size=n)
    X = (centres[y] + rng.normal(size=(n, d))).astype(np.float32)
    return X, y


def write_csv(path, X, y):
    with open(path, "w") as f:
        f.write(",".join(f"x{j}" for j in range(X.shape[1])) + ",label\n")
        for row, label in zip(X, y):
            # repr of a float32 reads back to the same float32
            f.write(",".join(str(np.float32(v)) for v in row))
            f.write(f",{int(label)}\n")


class ArraysAgainstCsv(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = blobs(600, 5, 3, seed=1)
        cls.X_test, cls.y_test = blobs(100, 5, 3, seed=2)

    def test_arrays_train_exactly_as_the_same_values_in_csv_files(self):
        with TemporaryDirectory() as d:
            write_csv(d / "train.csv", self.X, self.y)
            write_csv(d / "test.csv", self.X_test, self.y_test)
            files = dict(BASE, data={"kind": "csv", "path": str(d / "train.csv"),
                                     "test_path": str(d / "test.csv")})
            from_files = sgdsim.run(files)
        arrays = sgdsim.data.arrays(self.X, self.y, self.X_test, self.y_test)
        from_arrays = sgdsim.run(sgdsim.Scenario.from_dict(dict(BASE, data=arrays)))
        pd.testing.assert_frame_equal(from_arrays.metrics, from_files.metrics, check_exact=True)
        np.testing.assert_array_equal(from_arrays.model, from_files.model)
        self.assertEqual(from_arrays.summary["scenario"]["data"]["kind"], "arrays")
        (fingerprint,) = from_arrays.summary["inputs"]
        self.assertEqual(fingerprint["path"], "<arrays>")

    def test_dtypes_orders_and_slices_read_in_place_give_the_same_run(self):
        reference = sgdsim.run(sgdsim.Scenario.from_dict(
            dict(BASE, data=sgdsim.data.arrays(self.X, self.y))))
        wide = np.zeros((self.X.shape[0], 9), dtype=np.float32)
        wide[:, 2:7] = self.X
        variants = {
            "float64 X": (self.X.astype(np.float64), self.y),
            "Fortran order": (np.asfortranarray(self.X), self.y),
            "a column slice": (wide[:, 2:7], self.y),
            "int32 labels": (self.X, self.y.astype(np.int32)),
            "uint8 labels": (self.X, self.y.astype(np.uint8)),
        }
        for name, (X, y) in variants.items():
            with self.subTest(name):
                s = sgdsim.Scenario.from_dict(dict(BASE, data=sgdsim.data.arrays(X, y)))
                pd.testing.assert_frame_equal(sgdsim.run(s).metrics, reference.metrics,
                                              check_exact=True)

    def test_options_and_partition(self):
        s = sgdsim.Scenario.from_dict(dict(BASE, data=sgdsim.data.arrays(
            self.X, self.y, partition="dirichlet", alpha=0.3)))
        self.assertEqual(s.to_dict()["data"]["partition"], "dirichlet")
        result = sgdsim.run(s)
        histograms = [w["label_histogram"] for w in result.summary["per_worker"]]
        self.assertEqual(sum(map(sum, histograms)), len(self.y))

    def test_shape_and_dtype_mistakes(self):
        X, y = self.X, self.y
        cases = [
            (ValueError, "X has 1 dimension", (X[:, 0], y)),
            (ValueError, "y has 2 dimensions", (X, y[:, None])),
            (ValueError, "y has 599 labels but X has 600 samples", (X, y[:-1])),
            (TypeError, "X has dtype complex128", (X.astype(complex), y)),
            (TypeError, "y has dtype <U", (X, y.astype(str))),
            (ValueError, "X is empty", (X[:0], y[:0])),
            (ValueError, "X_test has 4 features .* but X has 5", (X, y, X[:, :4], y)),
            (ValueError, "both X_test and y_test", (X, y, X, None)),
        ]
        for error, message, args in cases:
            with self.subTest(message):
                with self.assertRaisesRegex(error, message):
                    sgdsim.data.arrays(*args)

    def test_label_mistakes_are_refused_when_the_run_starts_at_data_kind(self):
        s = sgdsim.Scenario.from_dict(dict(BASE, data=sgdsim.data.arrays(self.X, self.y * 1.5)))
        with self.assertRaises(sgdsim.ScenarioError) as caught:
            sgdsim.run(s)
        self.assertEqual(caught.exception.key, "data.kind")
        self.assertIn("is not a class index", str(caught.exception))
        logistic = dict(BASE, model={"kind": "logistic"}, data=sgdsim.data.arrays(self.X, self.y))
        with self.assertRaisesRegex(sgdsim.ScenarioError, "labels are 0 or 1"):
            sgdsim.run(logistic)
        nan = self.X.copy()
        nan[3, 1] = np.nan
        with self.assertRaisesRegex(sgdsim.ScenarioError, r"X\[3, 1\] is nan"):
            sgdsim.run(dict(BASE, data=sgdsim.data.arrays(nan, self.y)))

    def test_a_scenario_file_of_kind_arrays_needs_them(self):
        with TemporaryDirectory() as d:
            text = ("workers: 2\nsteps: 5\nalgorithm: {kind: local_sgd, interval: 1, lr: 0.1}\n"
                    "model: {kind: softmax}\ndata: {kind: arrays}\n")
            path = write(d, "arrays.yaml", text)
            with self.assertRaisesRegex(ValueError, "no arrays are attached"):
                sgdsim.run(path)
            done = cli("run", path, "--out", d / "out", check=False)
            self.assertEqual(done.returncode, 2)
            self.assertIn("data.kind", done.stderr)
            self.assertFalse((d / "out").exists())
            loaded = sgdsim.load(path, data=sgdsim.data.arrays(self.X, self.y))
            self.assertEqual(sgdsim.run(loaded).status, "ok")
        with self.assertRaisesRegex(ValueError, "data.kind is synthetic"):
            sgdsim.Scenario.from_dict(dict(BASE, data={"kind": "synthetic"}))._core.attach_arrays(
                self.X, self.y, None, None)


class StepTimes(unittest.TestCase):
    def test_numpy_step_times_equal_a_step_time_file(self):
        times = np.random.default_rng(5).lognormal(np.log(0.01), 0.4, size=500)
        data = {"kind": "synthetic", "samples": 400, "features": 4, "classes": 2}
        with TemporaryDirectory() as d:
            with open(d / "times.csv", "w") as f:
                f.write("seconds\n" + "".join(f"{t!r}\n" for t in times))
            from_file = sgdsim.run(dict(BASE, data=data, compute={
                "kind": "empirical", "path": str(d / "times.csv"), "mode": "resample"}))
        from_numpy = sgdsim.run(dict(BASE, data=data, compute={
            "kind": "empirical", "times": times, "mode": "resample"}))
        self.assertEqual(from_numpy.sim_time_s, from_file.sim_time_s)
        pd.testing.assert_frame_equal(from_numpy.metrics, from_file.metrics, check_exact=True)
        self.assertEqual(from_numpy.summary["scenario"]["compute"]["times"], "arrays")

    def test_bad_step_times(self):
        for bad, message in (([], "non-empty"), ([[0.1]], "1-D"), ([0.1, -1], r"\[1\] = -1")):
            with self.subTest(message):
                with self.assertRaisesRegex(ValueError, message):
                    sgdsim.data.step_times(bad)


if __name__ == "__main__":
    unittest.main()
