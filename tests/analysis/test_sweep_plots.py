#!/usr/bin/python3
"""Tests for analysis/sweep_plots.py and analysis/sweep_results.py on small fake sweep directories.

Run: /usr/bin/python3 -m unittest discover -s tests/analysis
"""
import csv
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SWEEP_PLOTS = REPO / "analysis" / "sweep_plots.py"
PYTHON = "/usr/bin/python3"
sys.path.insert(0, str(REPO / "analysis"))
import sweep_results  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
METRICS_HEADER = "step,sim_time_s,comm_rounds,bytes_sent,train_loss,grad_norm_sq,test_loss,test_accuracy"
RUN_FIGURES = ["status", "n_workers", "t_steps", "interval_used", "lr_used", "comm_rounds",
               "sim_time_s", "bytes_sent", "final_step", "final_train_loss", "final_grad_norm_sq",
               "final_test_loss", "final_test_accuracy", "compute_fraction",
               "communication_fraction", "idle_fraction", "wall_time_s", "run_dir",
               "average_train_loss", "average_grad_norm_sq", "error"]
AGGREGATED = ["comm_rounds", "sim_time_s", "bytes_sent", "final_train_loss", "final_grad_norm_sq",
              "final_test_loss", "final_test_accuracy", "communication_fraction", "idle_fraction"]


def simulate(workers, steps, interval, lr=0.1, every=16, step_s=0.03, round_s=0.0,
             loss=lambda t: 2.0 * math.exp(-t / 200) + 1.0, grad=None):
    """Metrics rows of a plausible run: the loss and gradient norm are functions of the step."""
    grad = grad or (lambda t: loss(t) - 0.9)
    rows = []
    for step in sorted(set(list(range(0, steps, every)) + [steps])):
        rounds = math.ceil(step / interval)
        rows.append({"step": step, "sim_time_s": step * step_s + rounds * round_s,
                     "comm_rounds": rounds, "bytes_sent": rounds * 1000 * workers,
                     "train_loss": loss(step), "grad_norm_sq": grad(step)})
    return rows


def write_sweep(directory, keys, points, replicates=1):
    """A sweep directory in `sgdsim sweep`'s layout. points: list of (values, make_run) with
    values {key: text} and make_run(replicate) -> (summary fields, metrics rows). Fields:
    workers, steps, interval, lr, and optionally average (‖∇f‖²), average_loss, status, error,
    algorithm (the resolved scenario's algorithm section), override (runs.csv cells)."""
    directory = Path(directory)
    (directory / "runs").mkdir(parents=True)
    run_rows, aggregate_rows = [], []
    for point, (values, make_run) in enumerate(points):
        finals = {name: [] for name in AGGREGATED}
        for replicate in range(replicates):
            name = f"p{point:04d}_r{replicate}"
            run_dir = directory / "runs" / name
            run_dir.mkdir()
            fields, metrics = make_run(replicate)
            lines = [METRICS_HEADER] + [
                f"{m['step']},{m['sim_time_s']:.9g},{m['comm_rounds']},{m['bytes_sent']},"
                f"{m['train_loss']:.9g},{m['grad_norm_sq']:.9g},," for m in metrics]
            (run_dir / "metrics.csv").write_text("\n".join(lines) + "\n")
            last = metrics[-1]
            summary = {"status": "ok", "n_workers": fields["workers"], "t_steps": fields["steps"],
                       "interval_used": fields.get("interval", ""), "lr_used": fields.get("lr", 0.1),
                       "comm_rounds": last["comm_rounds"], "sim_time_s": last["sim_time_s"],
                       "bytes_sent": last["bytes_sent"], "final_step": last["step"],
                       "final_train_loss": last["train_loss"], "final_grad_norm_sq": last["grad_norm_sq"],
                       "final_test_loss": "", "final_test_accuracy": "", "compute_fraction": 0.9,
                       "communication_fraction": 0.1, "idle_fraction": 0.0, "wall_time_s": 0.1,
                       "run_dir": f"runs/{name}", "average_grad_norm_sq": fields.get("average", ""),
                       "average_train_loss": fields.get("average_loss", ""),
                       "status": fields.get("status", "ok"), "error": fields.get("error", "")}
            summary.update(fields.get("override", {}))
            scenario = {"algorithm": fields.get("algorithm", {"interval": fields.get("interval", 1)})}
            (run_dir / "summary.json").write_text(json.dumps({"status": summary["status"],
                                                              "scenario": scenario}))
            run_rows.append({"run": name, "point": point, "replicate": replicate,
                             "seed": 1000 + replicate, **values, **summary})
            for figure in AGGREGATED:
                if summary[figure] != "":
                    finals[figure].append(float(summary[figure]))
        row = {"point": point, **values, "replicates": replicates}
        for figure in AGGREGATED:
            mean, half = sweep_results.mean_ci95(finals[figure])
            row[f"{figure}_mean"] = "" if math.isnan(mean) else mean
            row[f"{figure}_ci95"] = "" if math.isnan(half) else half
        aggregate_rows.append(row)
    with open(directory / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["run", "point", "replicate", "seed", *keys, *RUN_FIGURES])
        writer.writeheader()
        writer.writerows(run_rows)
    with open(directory / "aggregate.csv", "w", newline="") as f:
        columns = ["point", *keys, "replicates"] + [f"{n}_{s}" for n in AGGREGATED for s in ("mean", "ci95")]
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(aggregate_rows)
    return directory


def interval_grid_sweep(directory, workers=(2, 4), intervals=(1, 4, 16), replicates=3, steps=256):
    points = []
    for n in workers:
        for i in intervals:
            def make(r, n=n, i=i):
                loss = lambda t: 2.0 * math.exp(-n * t / 300) + 1.0 + 0.002 * i + 0.01 * r
                return ({"workers": n, "steps": steps, "interval": i},
                        simulate(n, steps, i, round_s=0.1, loss=loss))
            points.append(({"workers": str(n), "algorithm.interval": str(i)}, make))
    return write_sweep(directory, ["workers", "algorithm.interval"], points, replicates)


def run_cli(*args):
    return subprocess.run([PYTHON, str(SWEEP_PLOTS), *map(str, args)], capture_output=True,
                          text=True, timeout=120)


class StatisticsTest(unittest.TestCase):
    def test_loglog_fit_recovers_an_exact_power_law(self):
        t = np.array([256, 1024, 4096, 16384, 65536], dtype=float)
        fit = sweep_results.fit_loglog(t, 3.0 * t ** 0.75)
        self.assertAlmostEqual(fit.slope, 0.75, places=12)
        self.assertAlmostEqual(math.exp(fit.intercept), 3.0, places=9)
        self.assertAlmostEqual(fit.slope_ci95, 0.0, places=9)
        self.assertAlmostEqual(fit.r2, 1.0, places=12)

    def test_loglog_fit_interval_covers_the_true_slope_under_noise(self):
        rng = np.random.default_rng(5)
        x = np.geomspace(1, 1024, 40)
        y = 2.0 * x ** -1.0 * np.exp(rng.normal(0, 0.1, x.size))
        fit = sweep_results.fit_loglog(x, y)
        lo, hi = fit.interval
        self.assertLess(lo, -1.0)
        self.assertGreater(hi, -1.0)
        self.assertLess(hi - lo, 0.1)
        # The half-width is t_{0.975, n-2} · sqrt(s² / Sxx).
        lx, ly = np.log(x), np.log(y)
        residual = ly - (fit.intercept + fit.slope * lx)
        expected = sweep_results.t975(38) * math.sqrt((residual ** 2).sum() / 38 / ((lx - lx.mean()) ** 2).sum())
        self.assertAlmostEqual(fit.slope_ci95, expected, places=12)

    def test_loglog_fit_ignores_non_positive_and_nan_points_and_needs_two(self):
        fit = sweep_results.fit_loglog([1, 2, 4, 8, 0, 16], [1, 2, 4, 8, 5, float("nan")])
        self.assertAlmostEqual(fit.slope, 1.0)
        self.assertEqual(fit.n, 4)
        self.assertTrue(math.isnan(sweep_results.fit_loglog([1, 2], [1, 4]).slope_ci95))
        with self.assertRaises(ValueError):
            sweep_results.fit_loglog([3, 3], [1, 2])

    def test_student_t_quantiles(self):
        self.assertAlmostEqual(sweep_results.t975(1), 12.706, places=3)
        self.assertAlmostEqual(sweep_results.t975(2), 4.303, places=3)
        self.assertAlmostEqual(sweep_results.t975(10), 2.228, places=3)

    def test_mean_ci95_is_the_student_t_half_width(self):
        mean, half = sweep_results.mean_ci95([1.0, 2.0, 3.0])
        self.assertAlmostEqual(mean, 2.0)
        self.assertAlmostEqual(half, 4.302653 * 1.0 / math.sqrt(3), places=5)
        mean, half = sweep_results.mean_ci95([5.0])
        self.assertEqual(mean, 5.0)
        self.assertTrue(math.isnan(half))
        mean, half = sweep_results.mean_ci95([2.0, float("nan"), 2.0])
        self.assertEqual((mean, half), (2.0, 0.0))
        self.assertTrue(math.isnan(sweep_results.mean_ci95([])[0]))

    def test_first_crossing_is_the_first_row_at_or_below_the_target(self):
        import pandas as pd
        metrics = pd.DataFrame({"step": [0, 10, 20, 30], "sim_time_s": [0, 1, 2, 3],
                                "train_loss": [2.0, 1.5, 1.0, 0.5]})
        self.assertEqual(sweep_results.first_crossing(metrics, 1.0), 20)
        self.assertEqual(sweep_results.first_crossing(metrics, 1.2, x="sim_time_s"), 2)
        self.assertTrue(math.isnan(sweep_results.first_crossing(metrics, 0.1)))

    def test_mean_curve_averages_replicates_step_by_step(self):
        import pandas as pd
        a = pd.DataFrame({"step": [0, 10], "comm_rounds": [0, 5], "train_loss": [2.0, 1.0]})
        b = pd.DataFrame({"step": [0, 10], "comm_rounds": [0, 7], "train_loss": [2.0, 3.0]})
        curve = sweep_results.mean_curve([a, b], "comm_rounds", "train_loss")
        self.assertEqual(list(curve["comm_rounds"]), [0.0, 6.0])
        self.assertEqual(list(curve["y_mean"]), [2.0, 2.0])
        self.assertAlmostEqual(curve["y_ci95"].iloc[1], 12.7062 * 1.0, places=3)


class LoadSweepTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def test_swept_keys_are_the_columns_between_seed_and_status(self):
        sweep = sweep_results.load_sweep(interval_grid_sweep(self.tmp / "s"))
        self.assertEqual(sweep.keys, ["workers", "algorithm.interval"])
        self.assertEqual(len(sweep.runs), 2 * 3 * 3)
        self.assertEqual(len(sweep.aggregate), 6)
        self.assertEqual(sweep.runs["algorithm.interval"].iloc[0], "1")
        row = sweep.runs.iloc[4]
        self.assertEqual(list(sweep.metrics(row).columns)[:2], ["step", "sim_time_s"])

    def test_missing_runs_csv_names_the_file(self):
        directory = interval_grid_sweep(self.tmp / "s")
        (directory / "runs.csv").unlink()
        with self.assertRaisesRegex(sweep_results.SweepDataError, "runs.csv: file not found"):
            sweep_results.load_sweep(directory)

    def test_missing_column_names_the_file_and_column(self):
        directory = interval_grid_sweep(self.tmp / "s")
        path = directory / "aggregate.csv"
        path.write_text(path.read_text().replace("final_train_loss_mean", "final_loss_mean", 1))
        with self.assertRaisesRegex(sweep_results.SweepDataError, "aggregate.csv: missing column.*final_train_loss_mean"):
            sweep_results.load_sweep(directory)


class SweepPlotsCliTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.sweep = interval_grid_sweep(self.tmp / "sweep")
        self.out = self.tmp / "plots"

    def tearDown(self):
        self._tmp.cleanup()

    def assert_png(self, path):
        self.assertTrue(path.is_file(), f"{path} was not written")
        self.assertEqual(path.read_bytes()[:8], PNG_MAGIC)

    def test_curves_write_one_png_per_x_axis(self):
        result = run_cli("curves", self.sweep, "--out", self.out, "--where", "workers=4")
        self.assertEqual(result.returncode, 0, result.stderr)
        for name in ("loss_vs_rounds.png", "loss_vs_time.png", "loss_vs_step.png"):
            self.assert_png(self.out / name)
            self.assertIn(name, result.stdout)

    def test_scaling_heatmap_and_speedup(self):
        result = run_cli("scaling", self.sweep, "--x", "algorithm.interval", "--by", "workers",
                         "--out", self.out / "scaling.png")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_png(self.out / "scaling.png")
        result = run_cli("heatmap", self.sweep, "--rows", "workers", "--cols", "algorithm.interval",
                         "--out", self.out / "heat.png")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_png(self.out / "heat.png")
        result = run_cli("heatmap", self.sweep, "--rows", "workers", "--cols", "algorithm.interval",
                         "--value", "time_to_target", "--target", "1.5", "--out", self.out / "tt.png")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_heatmap_table_is_the_mean_final_loss_per_cell(self):
        sweep = sweep_results.load_sweep(self.sweep)
        import sweep_plots
        table = sweep_plots.heatmap_table(sweep, "workers", "algorithm.interval", "final_train_loss", None)
        self.assertEqual(list(table.index), ["2", "4"])
        self.assertEqual(list(table.columns), ["1", "4", "16"])
        expected = np.mean([2.0 * math.exp(-4 * 256 / 300) + 1.0 + 0.002 * 16 + 0.01 * r for r in range(3)])
        self.assertAlmostEqual(table.loc["4", "16"], expected, places=6)

    def test_speedup_of_a_sweep_without_one_worker_exits_2(self):
        result = run_cli("speedup", self.sweep, "--target", "1.5", "--out", self.out / "s.png")
        self.assertEqual(result.returncode, 2)
        self.assertIn("N = 1", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_missing_sweep_dir_exits_2_naming_it(self):
        result = run_cli("curves", self.tmp / "nowhere", "--out", self.out)
        self.assertEqual(result.returncode, 2)
        self.assertIn("nowhere", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_non_numeric_cell_exits_2_naming_file_and_line(self):
        path = self.sweep / "runs.csv"
        lines = path.read_text().splitlines()
        lines[3] = lines[3].replace(",ok,", ",ok,many,", 1).replace(",many,2,", ",many,", 1)
        path.write_text("\n".join(lines) + "\n")
        result = run_cli("heatmap", self.sweep, "--rows", "workers", "--cols", "algorithm.interval",
                         "--out", self.out / "h.png")
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(path), result.stderr)
        self.assertIn("line 4", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_missing_run_metrics_exits_2_naming_the_file(self):
        metrics = self.sweep / "runs" / "p0001_r2" / "metrics.csv"
        metrics.unlink()
        result = run_cli("curves", self.sweep, "--out", self.out)
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(metrics), result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_unknown_key_exits_2(self):
        result = run_cli("heatmap", self.sweep, "--rows", "workers", "--cols", "algorithm.lr",
                         "--out", self.out / "h.png")
        self.assertEqual(result.returncode, 2)
        self.assertIn("not a swept key", result.stderr)


if __name__ == "__main__":
    unittest.main()
