#!/usr/bin/python3
"""Tests for analysis/plot.py and analysis/sgdsim_runs.py on small fake run directories.

Run: /usr/bin/python3 tests/analysis/test_plot.py
 or: /usr/bin/python3 -m unittest discover -s tests/analysis -t .
"""
import csv
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLOT = REPO / "analysis" / "plot.py"
PYTHON = "/usr/bin/python3"
sys.path.insert(0, str(REPO / "analysis"))
import sgdsim_runs  # noqa: E402

HEADER = "step,sim_time_s,comm_rounds,bytes_sent,train_loss,grad_norm_sq,test_loss,test_accuracy"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PANELS = ("step", "time", "rounds")


def write_run(directory, *, workers, interval, steps=200, every=20, with_test=True,
              status="ok", diverge_at=None, name="fake_scenario"):
    """A plausible run: loss decays geometrically; a round happens every `interval` steps."""
    directory = Path(directory)
    directory.mkdir(parents=True)
    lines = [HEADER]
    step_s = 0.01
    round_s = 0.05
    for step in list(range(0, steps, every)) + [steps]:
        rounds = step // interval
        time_s = step * step_s + rounds * round_s
        loss = 2.0 * math.exp(-step / (40.0 * interval ** 0.25)) + 0.05
        grad = loss ** 2
        if diverge_at is not None and step >= diverge_at:
            loss, grad = float("inf"), float("nan")
        test = f"{loss * 1.1:.6g},{1 - loss / 2.5:.6g}" if with_test else ","
        lines.append(f"{step},{time_s:.6g},{rounds},{rounds * 4000 * workers},{loss:.6g},{grad:.6g},{test}")
    (directory / "metrics.csv").write_text("\n".join(lines) + "\n")
    summary = {
        "name": name,
        "status": status,
        "workers": workers,
        "steps": steps,
        "interval": interval,
        "comm_rounds": steps // interval,
        "sim_time_s": steps * step_s + steps // interval * round_s,
        "final_train_loss": None if diverge_at is not None else 0.06,
        "final_test_accuracy": 0.91 if with_test else None,
        "wall_time_s": 0.42,
        "scenario": {"name": name, "algorithm": {"interval": interval, "lr": 0.1}},
    }
    (directory / "summary.json").write_text(json.dumps(summary, indent=2))
    return directory


def run_plot(*args):
    return subprocess.run([PYTHON, str(PLOT), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def read_summary_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class PlotCliTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.out = self.tmp / "plots"

    def tearDown(self):
        self._tmp.cleanup()

    def assert_valid_png(self, path):
        self.assertTrue(path.is_file(), f"{path} was not written")
        data = path.read_bytes()
        self.assertEqual(data[:8], PNG_MAGIC, f"{path} is not a PNG")
        self.assertGreater(len(data), 5000, f"{path} is suspiciously small")

    def test_two_runs_write_every_panel_and_one_summary_row_each(self):
        a = write_run(self.tmp / "n4_i1", workers=4, interval=1)
        b = write_run(self.tmp / "n4_i8", workers=4, interval=8, with_test=False)
        result = run_plot(a, b, "--out", self.out, "--title", "Local SGD test")
        self.assertEqual(result.returncode, 0, result.stderr)

        expected = ["convergence.png"] + [f"{row}_vs_{x}.png" for row in ("loss", "accuracy")
                                          for x in PANELS]
        for name in expected:
            self.assert_valid_png(self.out / name)
            self.assertIn(name, result.stdout, "every written file is listed")
        self.assertFalse(list(self.out.glob("grad_norm_*")), "accuracy row when any run has test data")

        rows = read_summary_csv(self.out / "summary.csv")
        self.assertEqual(len(rows), 2)
        self.assertEqual([r["label"] for r in rows], ["N=4, I=1", "N=4, I=8"])
        self.assertEqual(rows[0]["final_test_accuracy"], "0.91")
        self.assertEqual(rows[1]["final_test_accuracy"], "", "null accuracy is an empty cell")
        for column in ("workers", "steps", "interval", "comm_rounds", "sim_time_s",
                       "final_train_loss", "wall_time_s"):
            self.assertIn(column, rows[0])

    def test_log_rounds_puts_only_the_rounds_panels_on_a_symlog_axis(self):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import plot
        runs = sgdsim_runs.load_runs([str(write_run(self.tmp / "a", workers=2, interval=4))], None)
        for axis in plot.X_AXES:
            fig, ax = plt.subplots()
            plot.draw_panel(ax, runs, ["C0"], axis, plot.LOSS, False,
                            log_x=axis.column == "comm_rounds")
            expected = "symlog" if axis.column == "comm_rounds" else "linear"
            self.assertEqual(ax.get_xscale(), expected, axis.column)
            plt.close(fig)
        result = run_plot(self.tmp / "a", "--out", self.out, "--log-rounds")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_valid_png(self.out / "loss_vs_rounds.png")

    def test_grad_norm_row_replaces_accuracy_when_no_run_has_test_data(self):
        a = write_run(self.tmp / "a", workers=2, interval=4, with_test=False)
        b = write_run(self.tmp / "b", workers=8, interval=4, with_test=False)
        result = run_plot(a, b, "--out", self.out)
        self.assertEqual(result.returncode, 0, result.stderr)
        for x in PANELS:
            self.assert_valid_png(self.out / f"grad_norm_vs_{x}.png")
            self.assertFalse((self.out / f"accuracy_vs_{x}.png").exists())

    def test_explicit_labels_are_used_and_must_match_run_count(self):
        a = write_run(self.tmp / "a", workers=2, interval=4)
        b = write_run(self.tmp / "b", workers=8, interval=4)
        result = run_plot(a, b, "--out", self.out, "--labels", "small,large")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([r["label"] for r in read_summary_csv(self.out / "summary.csv")],
                         ["small", "large"])
        result = run_plot(a, b, "--out", self.out, "--labels", "only_one")
        self.assertEqual(result.returncode, 2)
        self.assertNotIn("Traceback", result.stderr)

    def test_colliding_default_labels_get_the_directory_basename(self):
        a = write_run(self.tmp / "seed1", workers=4, interval=8)
        b = write_run(self.tmp / "seed2", workers=4, interval=8)
        result = run_plot(a, b, "--out", self.out)
        self.assertEqual(result.returncode, 0, result.stderr)
        labels = [r["label"] for r in read_summary_csv(self.out / "summary.csv")]
        self.assertEqual(labels, ["N=4, I=8 (seed1)", "N=4, I=8 (seed2)"])

    def test_diverged_run_is_plotted_and_reported(self):
        ok = write_run(self.tmp / "ok", workers=4, interval=1)
        bad = write_run(self.tmp / "bad", workers=4, interval=64, status="diverged", diverge_at=100)
        result = run_plot(ok, bad, "--out", self.out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_valid_png(self.out / "convergence.png")
        rows = read_summary_csv(self.out / "summary.csv")
        self.assertEqual(rows[1]["status"], "diverged")
        self.assertEqual(rows[1]["final_train_loss"], "")

    def test_missing_run_dir_exits_2_naming_it(self):
        good = write_run(self.tmp / "good", workers=4, interval=1)
        missing = self.tmp / "no_such_run"
        result = run_plot(good, missing, "--out", self.out)
        self.assertEqual(result.returncode, 2)
        self.assertIn("no_such_run", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_missing_metrics_csv_exits_2_naming_it(self):
        run = write_run(self.tmp / "run", workers=4, interval=1)
        (run / "metrics.csv").unlink()
        result = run_plot(run, "--out", self.out)
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(run / "metrics.csv"), result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_malformed_header_exits_2_naming_the_file(self):
        run = write_run(self.tmp / "run", workers=4, interval=1)
        metrics = run / "metrics.csv"
        metrics.write_text(metrics.read_text().replace("train_loss", "loss", 1))
        result = run_plot(run, "--out", self.out)
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(metrics), result.stderr)
        self.assertIn("header", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_non_numeric_cell_exits_2_naming_the_file(self):
        run = write_run(self.tmp / "run", workers=4, interval=1)
        metrics = run / "metrics.csv"
        lines = metrics.read_text().splitlines()
        fields = lines[2].split(",")
        fields[1] = "abc"  # sim_time_s
        lines[2] = ",".join(fields)
        metrics.write_text("\n".join(lines) + "\n")
        result = run_plot(run, "--out", self.out)
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(metrics), result.stderr)
        self.assertNotIn("Traceback", result.stderr)


class LoadRunTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def test_load_run_exposes_name_label_summary_and_metrics(self):
        run = sgdsim_runs.load_run(write_run(self.tmp / "r", workers=16, interval=32, name="prsgd"))
        self.assertEqual(run.name, "prsgd")
        self.assertEqual(run.label, "N=16, I=32")
        self.assertEqual(run.summary["workers"], 16)
        self.assertEqual(list(run.metrics.columns), list(sgdsim_runs.METRICS_COLUMNS))
        self.assertTrue(run.metrics["step"].is_monotonic_increasing)
        self.assertTrue(run.has_test_data)

    def test_empty_test_cells_load_as_nan(self):
        run = sgdsim_runs.load_run(write_run(self.tmp / "r", workers=2, interval=1, with_test=False))
        self.assertFalse(run.has_test_data)
        self.assertTrue(run.metrics["test_accuracy"].isna().all())

    def test_finite_metrics_stop_before_the_first_non_finite_loss(self):
        run = sgdsim_runs.load_run(write_run(self.tmp / "r", workers=2, interval=64,
                                             status="diverged", diverge_at=100))
        self.assertTrue(run.diverged)
        finite = run.finite_metrics()
        self.assertEqual(finite["step"].max(), 80)
        self.assertTrue(finite["train_loss"].map(math.isfinite).all())

    def test_label_falls_back_to_basename_without_summary(self):
        directory = write_run(self.tmp / "bare_run", workers=2, interval=1)
        (directory / "summary.json").unlink()
        run = sgdsim_runs.load_run(directory)
        self.assertEqual(run.label, "bare_run")
        self.assertEqual(run.name, "bare_run")

    def test_interval_falls_back_to_the_resolved_scenario(self):
        directory = write_run(self.tmp / "r", workers=4, interval=16)
        summary = json.loads((directory / "summary.json").read_text())
        del summary["interval"]
        (directory / "summary.json").write_text(json.dumps(summary))
        self.assertEqual(sgdsim_runs.load_run(directory).label, "N=4, I=16")


if __name__ == "__main__":
    unittest.main()
