#!/usr/bin/python3
"""The Python module against the CLI: same scenario, same numbers and bytes.

Run: PYTHONPATH=build/test/python /usr/bin/python3 -m unittest discover -s tests/python
"""
import filecmp
import threading
import time
import unittest

import numpy as np
import pandas as pd

from support import (SMALL, TemporaryDirectory, cli, sgdsim, summary_of, without_wall_time,
                     write)
from sgdsim._result import METRICS_COLUMNS, read_metrics_csv


class RunAgainstCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TemporaryDirectory()
        cls.dir = cls.tmp.__enter__()
        cls.scenario_path = write(cls.dir, "small.yaml", SMALL)
        cli("run", cls.scenario_path, "--out", cls.dir / "cli", "-q")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_out_writes_the_clis_files_byte_for_byte(self):
        out = self.dir / "python"
        result = sgdsim.run(sgdsim.load(self.scenario_path), out=out)
        self.assertEqual(result.status, "ok")
        for name in ("metrics.csv", "model.csv", "trace.json"):
            self.assertTrue(filecmp.cmp(self.dir / "cli" / name, out / name, shallow=False), name)
        self.assertEqual(without_wall_time(summary_of(out)),
                         without_wall_time(summary_of(self.dir / "cli")))
        self.assertEqual(sorted(p.name for p in out.iterdir()),
                         sorted(p.name for p in (self.dir / "cli").iterdir()))

    def test_in_memory_results_equal_the_clis_files(self):
        with TemporaryDirectory() as cwd:
            result = sgdsim.run(str(self.scenario_path))
            self.assertEqual(list(cwd.iterdir()), [])  # nothing written
        self.assertIsNone(result.out)
        expected = read_metrics_csv(self.dir / "cli" / "metrics.csv")
        self.assertEqual(list(result.metrics.columns), METRICS_COLUMNS)
        pd.testing.assert_frame_equal(result.metrics, expected, check_exact=True)
        self.assertEqual(without_wall_time(result.summary),
                         without_wall_time(summary_of(self.dir / "cli")))
        model = pd.read_csv(self.dir / "cli" / "model.csv", dtype=np.float32).iloc[:, 0]
        self.assertEqual(result.model.dtype, np.float32)
        np.testing.assert_array_equal(result.model, model.to_numpy())
        self.assertIsNone(result.trace)

    def test_trace_on_request_is_the_clis_trace(self):
        import json
        result = sgdsim.run(self.scenario_path, trace=True)
        with open(self.dir / "cli" / "trace.json") as f:
            self.assertEqual(result.trace, json.load(f))

    def test_load_result_reads_an_output_directory(self):
        loaded = sgdsim.load_result(self.dir / "cli")
        memory = sgdsim.run(self.scenario_path)
        pd.testing.assert_frame_equal(loaded.metrics, memory.metrics, check_exact=True)
        np.testing.assert_array_equal(loaded.model, memory.model)
        self.assertEqual(loaded.status, "ok")
        self.assertIn("traceEvents", loaded.trace)
        with self.assertRaisesRegex(FileNotFoundError, "summary.json"):
            sgdsim.load_result(self.dir)

    def test_same_seed_same_results_any_threads(self):
        one = sgdsim.run(self.scenario_path)
        two = sgdsim.run(self.scenario_path, threads=2)
        pd.testing.assert_frame_equal(one.metrics, two.metrics, check_exact=True)
        np.testing.assert_array_equal(one.model, two.model)

    def test_memory_limit_refuses_as_the_cli(self):
        with self.assertRaises(sgdsim.ScenarioError) as caught:
            sgdsim.run(self.scenario_path, memory_limit="16KiB")
        done = cli("run", self.scenario_path, "--out", self.dir / "refused", "--memory-limit",
                   "16KiB", check=False)
        self.assertEqual(done.returncode, 2)
        self.assertEqual(str(caught.exception), done.stderr.strip().removeprefix("error: "))
        with self.assertRaisesRegex(ValueError, "memory_limit: expected bytes or a size"):
            sgdsim.run(self.scenario_path, memory_limit="16 lots")
        self.assertEqual(sgdsim.run(self.scenario_path, memory_limit="1GiB").status, "ok")

    def test_set_overrides_as_the_cli(self):
        cli("run", self.scenario_path, "--out", self.dir / "cli_i1", "-q",
            "--set", "algorithm.interval=1", "--set", "algorithm.lr=0.05")
        s = sgdsim.load(self.scenario_path, set={"algorithm.interval": 1, "algorithm.lr": 0.05})
        pd.testing.assert_frame_equal(sgdsim.run(s).metrics,
                                      read_metrics_csv(self.dir / "cli_i1" / "metrics.csv"),
                                      check_exact=True)
        derived = sgdsim.load(self.scenario_path).with_set({"algorithm.interval": 1}, steps=30)
        self.assertEqual(derived.to_dict()["algorithm"]["interval"], 1)
        self.assertEqual(derived.steps, 30)


class FromDict(unittest.TestCase):
    def test_round_trip(self):
        with TemporaryDirectory() as d:
            loaded = sgdsim.load(write(d, "small.yaml", SMALL))
        resolved = loaded.to_dict()
        again = sgdsim.Scenario.from_dict(resolved)
        self.assertEqual(again.to_dict(), resolved)
        self.assertEqual(again.source, "<dict>")
        pd.testing.assert_frame_equal(sgdsim.run(again).metrics, sgdsim.run(loaded).metrics,
                                      check_exact=True)

    def test_resolved_interval_and_step_size(self):
        theory = {"workers": 2, "steps": 128, "model": {"kind": "softmax"},
                  "algorithm": {"kind": "local_sgd", "interval": "theory", "lr": "theory"},
                  "data": {"kind": "synthetic"}}
        s = sgdsim.Scenario.from_dict(theory)
        self.assertEqual((s.interval, s.lr), (2, 0.125))  # T = 16·N³; γ = √(N/T)
        listed = sgdsim.Scenario.from_dict(dict(theory, algorithm={
            "kind": "local_sgd", "interval": [[0, 4], [64, 1]], "lr": 0.1}))
        self.assertIsNone(listed.interval)

    def test_numpy_values_and_set(self):
        s = sgdsim.Scenario.from_dict(
            {"workers": np.int64(2), "steps": 10,
             "algorithm": {"kind": "local_sgd", "interval": 2, "lr": np.float32(0.5)},
             "model": {"kind": "softmax"},
             "data": {"kind": "synthetic", "samples": 100, "features": 4, "classes": 2}},
            set={"steps": 12})
        self.assertEqual((s.workers, s.steps), (2, 12))
        self.assertEqual(s.to_dict()["algorithm"]["lr"], 0.5)


class Errors(unittest.TestCase):
    def test_bad_key_in_a_file_has_its_place(self):
        with TemporaryDirectory() as d:
            path = write(d, "bad.yaml", SMALL.replace("eval: {every: 20}", "eval: {evry: 20}"))
            with self.assertRaises(sgdsim.ScenarioError) as caught:
                sgdsim.load(path)
            done = cli("validate", path, check=False)
        e = caught.exception
        self.assertEqual((e.file, e.line, e.column, e.key), (str(path), 11, 8, "eval.evry"))
        self.assertEqual(str(e), done.stderr.strip().removeprefix("error: "))
        self.assertIn("did you mean 'every'", str(e))
        self.assertIsInstance(e, ValueError)

    def test_bad_type_in_a_dict_names_the_key(self):
        scenario = {"workers": 2, "steps": "many", "algorithm": {"kind": "local_sgd",
                    "interval": 1, "lr": 0.1}, "model": {"kind": "softmax"},
                    "data": {"kind": "synthetic"}}
        with self.assertRaises(sgdsim.ScenarioError) as caught:
            sgdsim.Scenario.from_dict(scenario)
        e = caught.exception
        self.assertEqual((e.file, e.line, e.column, e.key), ("<dict>", None, None, "steps"))
        self.assertTrue(str(e).startswith("<dict>: steps: "), str(e))

    def test_bad_set_value(self):
        with TemporaryDirectory() as d:
            path = write(d, "s.yaml", SMALL)
            with self.assertRaises(sgdsim.ScenarioError) as caught:
                sgdsim.load(path, set={"algorithm.lr": -1})
        self.assertEqual(caught.exception.key, "algorithm.lr")
        self.assertIn("--set algorithm.lr", str(caught.exception))
        with self.assertRaises(TypeError):
            sgdsim.load(path, set=["algorithm.lr=1"])

    def test_missing_file(self):
        with self.assertRaises(sgdsim.ScenarioError) as caught:
            sgdsim.load("/nonexistent/scenario.yaml")
        self.assertEqual(caught.exception.file, "/nonexistent/scenario.yaml")
        self.assertIsNone(caught.exception.key)

    def test_missing_data_file_is_refused_at_its_key(self):
        with TemporaryDirectory() as d:
            text = SMALL.replace("data: {kind: synthetic, samples: 2000, test_samples: 400, "
                                 "features: 20, classes: 3}", "data: {kind: csv, path: none.csv}")
            with self.assertRaises(sgdsim.ScenarioError) as caught:
                sgdsim.load(write(d, "s.yaml", text))
        self.assertEqual(caught.exception.key, "data.path")

    def test_several_problems_all_listed(self):
        scenario = {"workers": 0, "steps": 0, "algorithm": {"kind": "local_sgd", "interval": 1,
                    "lr": 0.1}, "model": {"kind": "softmax"}, "data": {"kind": "synthetic"}}
        with self.assertRaises(sgdsim.ScenarioError) as caught:
            sgdsim.Scenario.from_dict(scenario)
        self.assertEqual([p["key"] for p in caught.exception.problems], ["workers", "steps"])
        self.assertEqual(len(str(caught.exception).splitlines()), 2)

    def test_non_finite_and_foreign_values(self):
        with self.assertRaisesRegex(ValueError, "finite"):
            sgdsim.Scenario.from_dict({"workers": 2, "algorithm": {"lr": float("nan")}})
        with self.assertRaisesRegex(TypeError, "algorithm.lr: object"):
            sgdsim.Scenario.from_dict({"workers": 2, "algorithm": {"lr": object()}})


class Callbacks(unittest.TestCase):
    def setUp(self):
        self.tmp = TemporaryDirectory()
        self.dir = self.tmp.__enter__()
        self.path = write(self.dir, "s.yaml", SMALL)

    def tearDown(self):
        self.tmp.cleanup()

    def test_rows_and_rounds(self):
        rows, rounds = [], []
        result = sgdsim.run(self.path, on_metrics=rows.append, on_round=rounds.append)
        pd.testing.assert_frame_equal(pd.DataFrame(rows), result.metrics, check_exact=True)
        self.assertEqual(len(rounds), result.comm_rounds)
        self.assertEqual([r["round"] for r in rounds], list(range(1, len(rounds) + 1)))
        self.assertTrue(all(r["duration_s"] > 0 and r["bytes_sent"] > 0 for r in rounds))

    def test_a_raising_callback_stops_the_run_with_its_exception(self):
        seen = []

        def fail_second(row):
            seen.append(row["step"])
            if len(seen) == 2:
                raise ZeroDivisionError("from the callback")

        out = self.dir / "out"
        with self.assertRaisesRegex(ZeroDivisionError, "from the callback"):
            sgdsim.run(self.path, on_metrics=fail_second, out=out)
        self.assertEqual(seen, [0, 20])  # no call after the one that raised
        summary = summary_of(out)  # the files are complete, the run marked interrupted
        self.assertEqual(summary["status"], "interrupted")
        self.assertLess(summary["final_step"], 60)


class Reporting(unittest.TestCase):
    def test_progress_goes_to_sys_stderr(self):
        import contextlib
        import io
        with TemporaryDirectory() as d:
            path = write(d, "s.yaml", SMALL)
            caught = io.StringIO()
            with contextlib.redirect_stderr(caught):
                sgdsim.run(path, progress=True)
            quiet = io.StringIO()
            with contextlib.redirect_stderr(quiet):
                sgdsim.run(path)
        self.assertIn("small: ok after", caught.getvalue())
        self.assertEqual(quiet.getvalue(), "")

    def test_a_diverging_run_warns_and_says_so(self):
        with TemporaryDirectory() as d:
            path = write(d, "s.yaml", SMALL.replace("lr: 0.1", "lr: 1000000"))
            with self.assertWarnsRegex(sgdsim.DivergedWarning, "diverged at step"):
                result = sgdsim.run(path)
        self.assertEqual(result.status, "diverged")
        self.assertTrue(np.isfinite(result.model).all())


class Interrupt(unittest.TestCase):
    LONG = SMALL.replace("steps: 60", "steps: 100000000").replace(
        "eval: {every: 20}", "eval: {every: 0}\noutput: {trace: false}")

    def test_ctrl_c_raises_interrupted_with_the_partial_result(self):
        import os
        import signal
        with TemporaryDirectory() as d:
            s = sgdsim.load(write(d, "long.yaml", self.LONG))
            timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
            started = time.monotonic()
            timer.start()
            try:
                with self.assertRaises(sgdsim.Interrupted) as caught:
                    sgdsim.run(s, out=d / "out")
            finally:
                timer.cancel()
            elapsed = time.monotonic() - started
            self.assertIsInstance(caught.exception, KeyboardInterrupt)
            result = caught.exception.result
            self.assertEqual(result.status, "interrupted")
            self.assertEqual(summary_of(d / "out")["status"], "interrupted")
        self.assertLess(elapsed, 10)
        self.assertGreater(result.summary["final_step"], 0)
        self.assertLess(result.summary["final_step"], 100000000)
        self.assertGreaterEqual(len(result.metrics), 1)

    def test_the_gil_is_released_while_it_runs(self):
        with TemporaryDirectory() as d:
            s = sgdsim.load(write(d, "s.yaml", SMALL.replace("steps: 60", "steps: 3000")))
        done = threading.Event()
        thread = threading.Thread(target=lambda: (sgdsim.run(s), done.set()))
        spins = 0
        thread.start()
        while not done.is_set():
            spins += 1
            time.sleep(0.001)
        thread.join()
        self.assertGreater(spins, 50)  # this thread ran all along the simulation


class Documentation(unittest.TestCase):
    def test_help_names_every_argument(self):
        import inspect
        for function in (sgdsim.run, sgdsim.sweep, sgdsim.load, sgdsim.run_real,
                         sgdsim.data.arrays, sgdsim.Scenario.from_dict):
            doc = inspect.getdoc(function)
            for name in inspect.signature(function).parameters:
                if name in ("self", "cls", "options"):
                    continue
                self.assertIn(name, doc, f"{function.__name__}: {name}")

    def test_type_stubs_ship_with_the_package(self):
        from pathlib import Path
        package = Path(sgdsim.__file__).parent
        for stub in ("__init__.pyi", "data.pyi", "py.typed"):
            self.assertTrue((package / stub).exists(), stub)
        stub = (package / "__init__.pyi").read_text()
        for name in sgdsim.__all__:
            if name not in ("data", "__version__"):
                self.assertIn(name, stub)


if __name__ == "__main__":
    unittest.main()
