#!/usr/bin/python3
"""sgdsim.sweep against `sgdsim sweep`, and a real run under MPI loaded as a Result."""
import filecmp
import os
import unittest

import numpy as np
import pandas as pd

from support import SMALL, TemporaryDirectory, cli, sgdsim, write
from sgdsim import _sgdsim
from sgdsim._result import read_metrics_csv

SWEEP = SMALL.replace("steps: 60", "steps: 40") + """\
output: {trace: false}
sweep:
  grid:
    algorithm.interval: [1, 4]
  replicates: 2
"""


class Sweep(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TemporaryDirectory()
        cls.dir = cls.tmp.__enter__()
        cls.path = write(cls.dir, "sweep.yaml", SWEEP)
        cli("sweep", cls.path, "--out", cls.dir / "cli", "-q", "--jobs", "2")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def cli_table(self, name):
        return pd.read_csv(self.dir / "cli" / name, float_precision="round_trip")

    @staticmethod
    def comparable(frame):
        # wall time differs between any two runs; everything else is the simulation's
        return frame.drop(columns=[c for c in frame.columns if "wall" in c])

    def test_in_memory_tables_equal_the_clis(self):
        result = sgdsim.sweep(self.path, jobs=2)
        self.assertEqual(len(result.records), 4)
        self.assertEqual(result.counts["ran"], 4)
        self.assertEqual(result.axes, ["algorithm.interval"])
        pd.testing.assert_frame_equal(self.comparable(result.runs),
                                      self.comparable(self.cli_table("runs.csv")))
        pd.testing.assert_frame_equal(self.comparable(result.aggregate),
                                      self.comparable(self.cli_table("aggregate.csv")))
        self.assertEqual([s["status"] for s in result.summaries], ["ok"] * 4)
        # every run's rows, labelled with its point
        metrics = result.metrics
        self.assertEqual(list(metrics.columns[:4]), ["run", "point", "replicate",
                                                     "algorithm.interval"])
        self.assertEqual(len(metrics), 4 * 3)  # steps 0, 20, 40
        one = metrics[metrics["run"] == "p0001_r1"].drop(
            columns=["run", "point", "replicate", "algorithm.interval"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(one, read_metrics_csv(
            self.dir / "cli" / "runs" / "p0001_r1" / "metrics.csv"), check_exact=True)
        self.assertEqual(set(metrics[metrics["point"] == 1]["algorithm.interval"]), {4})

    def test_to_dict_keeps_the_sweep(self):
        s = sgdsim.load(self.path)
        again = sgdsim.Scenario.from_dict(s.to_dict())
        self.assertEqual(again.to_dict(), s.to_dict())
        self.assertEqual(s.to_dict()["sweep"], {"grid": {"algorithm.interval": [1, 4]},
                                                "replicates": 2})
        linked = sgdsim.Scenario.from_dict(dict(s.to_dict(), sweep={
            "linked": {"size": [{"workers": 2, "steps": 8}, {"workers": 4, "steps": 16}]},
            "grid": {"algorithm.lr": [0.1, 0.2]}}))
        self.assertEqual(linked.to_dict()["sweep"], {
            "grid": {"algorithm.lr": [0.1, 0.2]},
            "linked": {"size": [{"workers": 2, "steps": 8}, {"workers": 4, "steps": 16}]},
            "replicates": 1})

    def test_out_resumes_and_writes_the_clis_files(self):
        out = self.dir / "python"
        first = sgdsim.sweep(self.path, jobs=2, out=out)
        self.assertEqual(first.counts["ran"], 4)
        for run_id in ("p0000_r0", "p0001_r1"):
            for name in ("metrics.csv", "model.csv"):
                self.assertTrue(filecmp.cmp(out / "runs" / run_id / name,
                                            self.dir / "cli" / "runs" / run_id / name,
                                            shallow=False))
        again = sgdsim.sweep(self.path, jobs=2, out=out)
        self.assertEqual((again.counts["ran"], again.counts["skipped"]), (0, 4))
        pd.testing.assert_frame_equal(again.runs, first.runs)
        # a run of the sweep reads back as a Result
        run = sgdsim.load_result(out / "runs" / "p0001_r0")
        self.assertEqual(run.summary["interval"], 4)
        # runs finished by the first call: their rows come from their files
        pd.testing.assert_frame_equal(again.metrics, first.metrics, check_exact=True)

    def test_ctrl_c_stops_a_sweep_which_then_resumes(self):
        import glob
        import signal
        import threading
        import time
        slow = SWEEP.replace("steps: 40", "steps: 2000").replace("[1, 4]", "[1, 2, 3, 4, 5, 6]")

        def interrupt_after_the_first_run(out, stop):
            while not stop.is_set() and not glob.glob(str(out / "runs" / "*" / "summary.json")):
                time.sleep(0.002)
            if not stop.is_set():
                os.kill(os.getpid(), signal.SIGINT)

        with TemporaryDirectory() as d:
            path = write(d, "slow.yaml", slow)
            stop = threading.Event()
            watcher = threading.Thread(target=interrupt_after_the_first_run, args=(d / "out", stop))
            watcher.start()
            try:
                with self.assertRaises(sgdsim.Interrupted) as caught:
                    sgdsim.sweep(path, jobs=2, out=d / "out")
            finally:
                stop.set()
                watcher.join()
            partial = caught.exception.result
            self.assertTrue(partial.interrupted)
            self.assertGreater(partial.counts["not_run"], 0)
            self.assertTrue((d / "out" / "runs.csv").exists())
            resumed = sgdsim.sweep(path, jobs=2, out=d / "out")
        self.assertEqual(resumed.counts["ran"] + resumed.counts["skipped"], 12)
        self.assertEqual(resumed.counts["skipped"], partial.counts["ran"])
        self.assertGreater(resumed.counts["skipped"], 0)
        self.assertEqual(set(resumed.runs["status"]), {"ok"})

    def test_arrays_in_a_sweep(self):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(400, 3)).astype(np.float32)
        y = (X[:, 0] > 0).astype(np.int64)
        s = sgdsim.Scenario.from_dict({
            "workers": 2, "steps": 20, "model": {"kind": "logistic"},
            "algorithm": {"kind": "local_sgd", "interval": 2, "lr": 0.5},
            "data": sgdsim.data.arrays(X, y),
            "sweep": {"grid": {"algorithm.interval": [1, 5]}}})
        result = sgdsim.sweep(s, jobs=2)
        self.assertEqual(list(result.runs["algorithm.interval"]), [1, 5])
        self.assertEqual([r["status"] for r in result.records], ["ok", "ok"])

    def test_bad_points_are_all_reported_before_any_run(self):
        bad = SWEEP.replace("[1, 4]", "[1, -4, 0]")
        with TemporaryDirectory() as d:
            with self.assertRaises(sgdsim.ScenarioError) as caught:
                sgdsim.sweep(write(d, "bad.yaml", bad), out=d / "out")
            self.assertFalse((d / "out").exists())
        messages = caught.exception.messages
        self.assertEqual(len(messages), 2)
        self.assertTrue(messages[0].startswith("sweep point 1 (algorithm.interval=-4"), messages[0])
        self.assertEqual(caught.exception.key, "algorithm.interval")


@unittest.skipUnless(_sgdsim.has_mpi, "built without MPI")
class RealRun(unittest.TestCase):
    def test_a_real_run_on_two_ranks_equals_the_simulation(self):
        with TemporaryDirectory() as d:
            s = sgdsim.load(write(d, "s.yaml", SMALL), set={"output.trace": False})
            real = sgdsim.run_real(s, ranks=2, reduction="ordered", out=d / "real", timeout=120)
            self.assertTrue((d / "real" / "summary.json").exists())
        simulated = sgdsim.run(s)
        self.assertEqual(real.summary["executor"], "real")
        pd.testing.assert_frame_equal(
            real.metrics.drop(columns=["sim_time_s"]),
            simulated.metrics.drop(columns=["sim_time_s"]), check_exact=True)
        np.testing.assert_array_equal(real.model, simulated.model)
        self.assertGreater(real.sim_time_s, 0)

    def test_arrays_cannot_leave_the_process(self):
        s = sgdsim.Scenario.from_dict({
            "workers": 2, "steps": 4, "model": {"kind": "softmax"},
            "algorithm": {"kind": "local_sgd", "interval": 2, "lr": 0.5},
            "data": sgdsim.data.arrays(np.ones((10, 2)), np.arange(10) % 2)})
        with self.assertRaisesRegex(ValueError, "data as a file"):
            sgdsim.run_real(s)


if __name__ == "__main__":
    os.environ.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    unittest.main()
