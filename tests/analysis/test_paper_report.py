#!/usr/bin/python3
"""Tests for analysis/paper_report.py: verdicts on fake sweeps whose answers are known.

Run: /usr/bin/python3 -m unittest discover -s tests/analysis
"""
import math
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "analysis" / "paper_report.py"
PYTHON = "/usr/bin/python3"
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "analysis"))
from test_sweep_plots import simulate, write_sweep  # noqa: E402
import paper_report  # noqa: E402
import sweep_results  # noqa: E402


def communication_sweep(directory, theory_interval=lambda t: math.floor(t ** 0.25)):
    points = []
    for t in (256, 1024, 4096, 16384, 65536):
        for constant, interval in (("0.001", lambda t: 1), ("8", theory_interval)):
            i = interval(t)
            points.append(({"steps": str(t), "algorithm.interval_constant": constant},
                           lambda r, t=t, i=i: ({"workers": 16, "steps": t, "interval": i},
                                                simulate(16, t, i, every=t))))
    return write_sweep(directory, ["steps", "algorithm.interval_constant"], points)


def grad_norm_sweep(directory, ratio):
    base = lambda t: 1.0 / (1.0 + t / 50.0)
    points = [({"algorithm.interval_constant": "0.001"},
               lambda r: ({"workers": 8, "steps": 512, "interval": 1},
                          simulate(8, 512, 1, grad=lambda t: base(t) * (1 + 0.05 * r)))),
              ({"algorithm.interval_constant": "8"},
               lambda r: ({"workers": 8, "steps": 512, "interval": 11},
                          simulate(8, 512, 11, grad=lambda t: ratio * base(t) * (1 + 0.05 * r))))]
    return write_sweep(directory, ["algorithm.interval_constant"], points, replicates=3)


def speedup_sweep(directory, exponent=1.0):
    """Loss depends on N^exponent · t: exponent 1 is a linear speed-up."""
    points = []
    for n in (1, 2, 4, 8):
        for t in (64, 128, 256, 512):
            loss = lambda s, n=n: 1.0 + 1.5 * math.exp(-(n ** exponent) * s / 200.0)
            points.append(({"workers": str(n), "steps": str(t)},
                           lambda r, n=n, t=t, loss=loss: ({"workers": n, "steps": t, "interval": 1},
                                                            simulate(n, t, 1, every=4, loss=loss))))
    return write_sweep(directory, ["workers", "steps"], points, replicates=2)


def wallclock_sweep(directory, pr_round_s=0.15 / 8):
    points = []
    for n in (1, 2, 4):
        for constant, interval, round_s in (("0.001", 1, 0.15), ("16", 8, pr_round_s * 8)):
            loss = lambda s, n=n: 1.0 + 1.5 * math.exp(-math.sqrt(n) * s / 150.0)
            points.append(({"workers": str(n), "algorithm.interval_constant": constant},
                           lambda r, n=n, i=interval, rs=round_s, loss=loss: (
                               {"workers": n, "steps": 512, "interval": i},
                               simulate(n, 512, i, every=8, round_s=rs if n > 1 else 0.0, loss=loss))))
    return write_sweep(directory, ["workers", "algorithm.interval_constant"], points, replicates=2)


def interval_sweep(directory, slope=0.001):
    points = []
    for n in (2, 4):
        for i in (1, 2, 4, 8, 16, 32, 64, 128):
            loss = lambda s, i=i: 1.0 + slope * i + math.exp(-s / 50.0)
            points.append(({"workers": str(n), "algorithm.interval": str(i)},
                           lambda r, n=n, i=i, loss=loss: ({"workers": n, "steps": 256, "interval": i},
                                                            simulate(n, 256, i, every=128, loss=loss))))
    return write_sweep(directory, ["workers", "algorithm.interval"], points, replicates=2)


def all_sweeps(results):
    communication_sweep(results / "communication")
    grad_norm_sweep(results / "convergence", ratio=1.5)
    grad_norm_sweep(results / "momentum", ratio=1.2)
    speedup_sweep(results / "speedup")
    wallclock_sweep(results / "wallclock")
    interval_sweep(results / "interval")


def run_report(*args):
    return subprocess.run([PYTHON, str(REPORT), *map(str, args)], capture_output=True, text=True,
                          timeout=300)


class ClaimVerdictTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.figures = self.tmp / "figures"
        self.figures.mkdir()

    def tearDown(self):
        self._tmp.cleanup()

    def load(self, directory):
        return sweep_results.load_sweep(directory)

    def test_theory_interval_rounds_pass_with_slope_near_three_quarters(self):
        result = paper_report.claim_communication(self.load(communication_sweep(self.tmp / "c")), self.figures)
        self.assertTrue(result.passed, result.measured)
        self.assertRegex(result.measured, r"slope 0\.7[4-6]\d")
        self.assertIn("95 % CI", result.measured)

    def test_a_fixed_interval_fails_the_communication_claim(self):
        sweep = self.load(communication_sweep(self.tmp / "c", theory_interval=lambda t: 8))
        result = paper_report.claim_communication(sweep, self.figures)
        self.assertFalse(result.passed)
        self.assertRegex(result.measured, r"slope 1\.000")

    def test_grad_norm_ratio_verdict_uses_the_stated_factor(self):
        ok = paper_report.claim_convergence(self.load(grad_norm_sweep(self.tmp / "a", 1.5)), self.figures)
        self.assertTrue(ok.passed)
        self.assertTrue(ok.measured.startswith("ratio 1.5"), ok.measured)
        bad = paper_report.claim_convergence(self.load(grad_norm_sweep(self.tmp / "b", 2.5)), self.figures)
        self.assertFalse(bad.passed)
        self.assertIn(f"≤ {paper_report.GRAD_NORM_FACTOR:g}", bad.tolerance)

    def test_linear_speedup_passes_and_square_root_speedup_fails(self):
        linear = paper_report.claim_speedup(self.load(speedup_sweep(self.tmp / "a")), self.figures)
        self.assertTrue(linear.passed, linear.measured)
        slope = float(re.search(r"slope (-?[\d.]+)", linear.measured).group(1))
        self.assertAlmostEqual(slope, -1.0, delta=0.05)
        sqrt = paper_report.claim_speedup(self.load(speedup_sweep(self.tmp / "b", exponent=0.5)), self.figures)
        self.assertFalse(sqrt.passed, sqrt.measured)

    def test_wallclock_passes_when_rounds_cost_and_fails_when_local_steps_do_not_help(self):
        ok = paper_report.claim_wallclock(self.load(wallclock_sweep(self.tmp / "a")), self.figures)
        self.assertTrue(ok.passed, ok.measured)
        # PR-SGD's rounds as expensive as mini-batch SGD's per step: never sooner.
        bad = paper_report.claim_wallclock(self.load(wallclock_sweep(self.tmp / "b", pr_round_s=0.15)),
                                           self.figures)
        self.assertFalse(bad.passed, bad.measured)

    def test_interval_threshold_is_the_smallest_interval_past_the_margin(self):
        result = paper_report.claim_interval(self.load(interval_sweep(self.tmp / "a")), self.figures)
        # final loss 1 + 0.001·I (+ e^{-256/50}): 5 % worse first at I = 64.
        self.assertTrue(result.passed, result.measured)
        self.assertIn("N=2: I* = 64", result.measured)
        flat = paper_report.claim_interval(self.load(interval_sweep(self.tmp / "b", slope=0.0)), self.figures)
        self.assertFalse(flat.passed)
        self.assertIn("I* = none", flat.measured)


class ReportCliTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.results = Path(self._tmp.name) / "paper"
        all_sweeps(self.results)

    def tearDown(self):
        self._tmp.cleanup()

    def test_report_lists_every_claim_with_verdict_and_relative_figures(self):
        result = run_report(self.results)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = (self.results / "report.md").read_text()
        self.assertEqual(report.count("**PASS**"), 3 * 6, report)  # summary row, heading, verdict line
        self.assertNotIn("**FAIL**", report)
        self.assertIn("\\|slope − 0.75\\|", report, "pipes inside table cells are escaped")
        for name in paper_report.CLAIMS:
            self.assertIn(f"scenarios/paper/{name}.yaml", report)
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)
        self.assertGreaterEqual(len(images), 12)
        for image in images:
            self.assertFalse(Path(image).is_absolute(), image)
            self.assertTrue((self.results / image).is_file(), image)

    def test_missing_sweep_directory_exits_2_naming_it(self):
        import shutil
        shutil.rmtree(self.results / "wallclock")
        result = run_report(self.results, "--claims", "wallclock")
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(self.results / "wallclock"), result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_malformed_aggregate_exits_2_naming_the_file(self):
        path = self.results / "interval" / "aggregate.csv"
        path.write_text("point,workers\n0,2\n")
        result = run_report(self.results, "--claims", "interval")
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(path), result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_sweep_without_an_interval_one_series_exits_2(self):
        path = self.results / "convergence" / "runs.csv"
        path.write_text(path.read_text().replace(",ok,8,512,1,", ",ok,8,512,2,"))
        result = run_report(self.results, "--claims", "convergence")
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(path), result.stderr)
        self.assertIn("I = 1", result.stderr)

    def test_unknown_claim_exits_2(self):
        result = run_report(self.results, "--claims", "nonsense")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown claim", result.stderr)


if __name__ == "__main__":
    unittest.main()
