#!/usr/bin/python3
"""Tests for analysis/paper_report.py and paper_claims.py: verdicts on fake sweeps whose answers
are known. Each verdict is shown to PASS on data that follows the law, to FAIL on data that breaks
it, and to be INCOMPLETE when runs are missing or errored.

Run: /usr/bin/python3 -m unittest discover -s tests/analysis
"""
import csv
import math
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "analysis" / "paper_report.py"
PYTHON = "/usr/bin/python3"
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "analysis"))
from test_sweep_plots import simulate, write_sweep  # noqa: E402
import paper_claims  # noqa: E402
import paper_report  # noqa: E402
import sweep_results  # noqa: E402

REPLICATES = paper_claims.MIN_REPLICATES


def noise(replicate, scale=0.03):
    """A replicate's multiplicative spread, the same at every point (as a replicate's data set
    shifts every run of it), so that fits over a balanced design recover the law exactly."""
    return math.exp(scale * math.sin(12.9898 * (replicate + 1)))


def numbers_after(text, label):
    return [float(v) for v in re.findall(re.escape(label) + r"\^(-?[\d.]+)", text)]


def theory_interval(c, t, n):
    return max(1, math.floor(c * t ** 0.25 / n ** 0.75))


def communication_sweep(directory, interval=theory_interval, error_run=None):
    points = []
    for n in (2, 4, 8, 16):
        for t in (4096, 16384, 65536, 262144):
            for schedule, c in (("{algorithm.interval: 1}", None), ("{theory: 8}", 8.0),
                                ("{theory: 1}", 1.0)):
                i = 1 if c is None else interval(c, t, n)
                algorithm = ({"interval": 1} if c is None else
                             {"interval": "theory", "interval_constant": c})
                fields = {"workers": n, "steps": t, "interval": i, "algorithm": algorithm,
                          "override": {"comm_rounds": math.ceil(t / i)}}
                if error_run == (n, t, c):
                    fields.update(status="error", error="algorithm.batch_size: 16 exceeds the 7 "
                                                        "samples of the smallest worker shard")
                points.append(({"workers": str(n), "steps": str(t), "schedule": schedule},
                               lambda r, f=fields, t=t: (f, simulate(f["workers"], t, f["interval"], every=t))))
    return write_sweep(directory, ["workers", "steps", "schedule"], points)


def rate_sweep(directory, exponent=-0.5, ratio=lambda n, t: 1.2, replicates=REPLICATES,
               diverge=None):
    """Average ‖∇f‖² = (NT)^exponent for I = 1 and ratio(N, T) times that for PR-SGD."""
    sizes = [(8, 1024), (8, 2048), (8, 4096), (8, 8192), (8, 16384), (2, 8192), (4, 8192), (16, 8192)]
    points = []
    for k, (n, t) in enumerate(sizes):
        for schedule, factor in (("{algorithm.interval: 1}", lambda n, t: 1.0), ("{theory: 8}", ratio)):
            i = 1 if schedule.startswith("{algorithm") else theory_interval(8, t, n)

            def make(r, n=n, t=t, i=i, factor=factor):
                fields = {"workers": n, "steps": t, "interval": i,
                          "average": 3.0 * (n * t) ** exponent * factor(n, t) * noise(r)}
                if diverge == (n, t, i, r):
                    fields.update(status="diverged", average="")
                return fields, simulate(n, t, i, every=t)
            points.append(({"size": f"{{workers: {n}, steps: {t}}}", "schedule": schedule}, make))
    return write_sweep(directory, ["size", "schedule"], points, replicates=replicates)


def interval_sweep(directory, istar=lambda n, t: 4 * t ** 0.25 / n ** 0.75, intervals=(1, 2, 4, 8, 16, 32, 64, 128),
                   replicates=REPLICATES):
    """Ratio to I = 1 of 1.5·I / I* for I ≥ 2: it crosses 1.5 at I = I*(N, T)·noise, exactly
    found by interpolation in log-log (I* ≥ 2 at every point)."""
    points = []
    for n in (2, 4, 8, 16):
        for t in (512, 2048, 8192):
            for i in intervals:
                def make(r, n=n, t=t, i=i):
                    star = istar(n, t) * noise(r, 0.1)
                    base = 1.0 / math.sqrt(n * t) * noise(r)
                    return ({"workers": n, "steps": t, "interval": i,
                             "average": base * (1.0 if i == 1 else 1.5 * i / star)},
                            simulate(n, t, i, every=t))
                points.append(({"workers": str(n), "steps": str(t), "algorithm.interval": str(i)}, make))
    return write_sweep(directory, ["workers", "steps", "algorithm.interval"], points, replicates)


def fashion_mnist_sweep(directory, replicates=REPLICATES):
    points = []
    for schedule, i, theory in [("{algorithm.interval: %d}" % i, i, False) for i in (1, 4, 16, 64)] + \
                               [("{theory: 8}", 9, True)]:
        algorithm = {"interval": "theory", "interval_constant": 8} if theory else {"interval": i}

        def make(r, i=i, algorithm=algorithm):
            return ({"workers": 8, "steps": 1024, "interval": i, "algorithm": algorithm,
                     "average": 0.5 * (1 + 0.01 * i) * noise(r), "average_loss": 0.5 * (1 + 0.05 * i)},
                    simulate(8, 1024, i, every=1024))
        points.append(({"schedule": schedule}, make))
    return write_sweep(directory, ["schedule"], points, replicates)


def speedup_sweep(directory, exponent=1.0, replicates=2):
    """Loss depends on N^exponent · t: exponent 1 is a linear speed-up."""
    points = []
    for n in (1, 2, 4, 8):
        t = 512 // n
        loss = lambda s, n=n: 1.0 + 1.5 * math.exp(-(n ** exponent) * s / 40.0)
        points.append(({"size": f"{{workers: {n}, steps: {t}}}"},
                       lambda r, n=n, t=t, loss=loss: ({"workers": n, "steps": t, "interval": 1},
                                                        simulate(n, t, 1, every=4, loss=loss))))
    return write_sweep(directory, ["size"], points, replicates=replicates)


def wallclock_sweep(directory, pr_round_s=0.15 / 8, replicates=2):
    points = []
    for n in (1, 2, 4):
        for schedule, interval, round_s in (("{algorithm.interval: 1}", 1, 0.15), ("{theory: 16}", 8, pr_round_s * 8)):
            loss = lambda s, n=n: 1.0 + 1.5 * math.exp(-math.sqrt(n) * s / 150.0)
            points.append(({"workers": str(n), "schedule": schedule},
                           lambda r, n=n, i=interval, rs=round_s, loss=loss: (
                               {"workers": n, "steps": 512, "interval": i},
                               simulate(n, 512, i, every=8, round_s=rs if n > 1 else 0.0, loss=loss))))
    return write_sweep(directory, ["workers", "schedule"], points, replicates=replicates)


def all_sweeps(results):
    communication_sweep(results / "communication")
    rate_sweep(results / "convergence")
    rate_sweep(results / "convergence_mlp", ratio=lambda n, t: (t / 1024) ** 0.8)
    rate_sweep(results / "momentum", ratio=lambda n, t: 1.4)
    speedup_sweep(results / "speedup", replicates=REPLICATES)
    speedup_sweep(results / "speedup_softmax", replicates=REPLICATES)
    wallclock_sweep(results / "wallclock", replicates=REPLICATES)
    interval_sweep(results / "interval")
    fashion_mnist_sweep(results / "fashion_mnist")


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

    def check(self, key, directory):
        return paper_claims.check_claim(key, sweep_results.load_sweep(directory), self.figures)

    def test_theory_rounds_pass_with_exponents_near_three_quarters_in_T_and_N(self):
        result = self.check("communication", communication_sweep(self.tmp / "c"))
        self.assertEqual(result.verdict, "PASS", result.reasons)
        t, n = (float(v) for v in re.findall(r"[TN]\^(-?[\d.]+)", result.measured))
        self.assertAlmostEqual(t, 0.75, delta=0.03)
        self.assertAlmostEqual(n, 0.75, delta=0.05)
        self.assertRegex(result.measured, r"c_I\^-1\.0")

    def test_an_interval_blind_to_N_fails_the_communication_claim(self):
        blind = lambda c, t, n: max(1, math.floor(c * t ** 0.25 / 4))
        result = self.check("communication", communication_sweep(self.tmp / "c", interval=blind))
        self.assertEqual(result.verdict, "FAIL")
        self.assertTrue(any(r.startswith("N exponent") for r in result.reasons), result.reasons)

    def test_an_errored_run_makes_the_claim_incomplete_naming_it(self):
        result = self.check("communication", communication_sweep(self.tmp / "c", error_run=(16, 4096, 8.0)))
        self.assertEqual(result.verdict, "INCOMPLETE")
        self.assertEqual(len(result.reasons), 1)
        self.assertIn("workers=16, steps=4096", result.reasons[0])
        self.assertIn("exceeds the 7 samples", result.reasons[0])

    def test_the_rate_passes_with_exponents_of_one_half_and_a_bounded_ratio(self):
        result = self.check("convergence", rate_sweep(self.tmp / "a"))
        self.assertEqual(result.verdict, "PASS", result.reasons)
        self.assertIn("I = 1: T^-0.500·N^-0.500; PR-SGD: T^-0.500·N^-0.500", result.measured)
        self.assertRegex(result.measured, r"ratio: T\^-?0\.000·N\^-?0\.000 \(mean 1\.2\)")

    def test_a_ratio_growing_with_T_fails_naming_the_ratio(self):
        result = self.check("convergence", rate_sweep(self.tmp / "a", ratio=lambda n, t: (t / 1024) ** 0.3))
        self.assertEqual(result.verdict, "FAIL")
        self.assertEqual(len(result.reasons), 2, result.reasons)  # PR-SGD's T exponent and the ratio's
        self.assertTrue(any(r.startswith("ratio PR-SGD / mini-batch: T exponent 0.300") for r in result.reasons),
                        result.reasons)

    def test_a_rate_without_speed_up_fails(self):
        result = self.check("convergence", rate_sweep(self.tmp / "a", exponent=-0.25))
        self.assertEqual(result.verdict, "FAIL")
        self.assertEqual(len(result.reasons), 4, result.reasons)  # T and N, both series

    def test_a_diverged_run_fails_the_rate_claim(self):
        result = self.check("convergence", rate_sweep(self.tmp / "a", diverge=(16, 8192, theory_interval(8, 8192, 16), 3)))
        self.assertEqual(result.verdict, "FAIL")
        self.assertIn("diverged", result.reasons[-1])

    def test_too_few_replicates_make_the_rate_claim_incomplete(self):
        result = self.check("convergence", rate_sweep(self.tmp / "a", replicates=3))
        self.assertEqual(result.verdict, "INCOMPLETE")
        self.assertIn(f"3 replicate(s), at least {REPLICATES} planned", result.reasons[0])
        self.assertEqual(len(result.reasons), 16)  # every point

    def test_the_mlp_case_is_reported_without_a_verdict(self):
        result = self.check("convergence_mlp", rate_sweep(self.tmp / "a", ratio=lambda n, t: (t / 1024) ** 0.8))
        self.assertEqual(result.verdict, "REPORTED")
        self.assertIn("ratio: T^0.800", result.measured)

    def test_harmless_interval_interpolates_in_log_log(self):
        istar = paper_claims.harmless_interval(np.array([1.0, 2, 4, 8]), np.array([1.0, 1.1, 1.3, 1.9]))
        # between I = 4 (1.3) and 8 (1.9) in logs
        expected = math.exp(math.log(4) + (math.log(1.5) - math.log(1.3)) * math.log(2)
                            / (math.log(1.9) - math.log(1.3)))
        self.assertAlmostEqual(istar, expected, places=12)
        self.assertEqual(paper_claims.harmless_interval(np.array([1.0, 2]), np.array([1.0, 1.2])), math.inf)

    def test_interval_threshold_follows_the_fitted_trends(self):
        result = self.check("interval", interval_sweep(self.tmp / "a"))
        self.assertEqual(result.verdict, "PASS", result.reasons)
        self.assertEqual(result.measured, "I* ∝ T^0.250·N^-0.750")

    def test_an_interval_threshold_without_trend_fails(self):
        result = self.check("interval", interval_sweep(self.tmp / "a", istar=lambda n, t: 6.0))
        self.assertEqual(result.verdict, "FAIL")
        self.assertEqual(len(result.reasons), 2, result.reasons)

    def test_a_threshold_past_the_largest_interval_is_incomplete(self):
        result = self.check("interval", interval_sweep(self.tmp / "a", intervals=(1, 2, 4)))
        self.assertEqual(result.verdict, "INCOMPLETE")
        self.assertIn("the sweep must reach further", result.reasons[0])

    def test_fashion_mnist_is_reported_with_the_theory_ratio(self):
        result = self.check("fashion_mnist", fashion_mnist_sweep(self.tmp / "a"))
        self.assertEqual(result.verdict, "REPORTED")
        self.assertRegex(result.measured, r"theory-interval ratio 1\.0[78]")

    def test_linear_speedup_passes_and_square_root_speedup_fails(self):
        sweep = lambda d, e: sweep_results.load_sweep(speedup_sweep(d, exponent=e))
        linear = paper_claims.claim_speedup(sweep(self.tmp / "a", 1.0), self.figures)
        self.assertTrue(linear.passed, linear.measured)
        slope = float(re.search(r"slope (-?[\d.]+)", linear.measured).group(1))
        self.assertAlmostEqual(slope, -1.0, delta=0.05)
        sqrt = paper_claims.claim_speedup(sweep(self.tmp / "b", 0.5), self.figures)
        self.assertEqual(sqrt.verdict, "FAIL", sqrt.measured)

    def test_speedup_and_wallclock_with_fewer_than_ten_replicates_are_incomplete(self):
        for key, directory in (("speedup", speedup_sweep(self.tmp / "a")),
                               ("wallclock", wallclock_sweep(self.tmp / "b"))):
            result = self.check(key, directory)
            self.assertEqual(result.verdict, "INCOMPLETE", key)
            self.assertIn(f"2 replicate(s), at least {REPLICATES} planned", result.reasons[0])

    def test_wallclock_passes_when_rounds_cost_and_fails_when_local_steps_do_not_help(self):
        ok = paper_claims.claim_wallclock(sweep_results.load_sweep(wallclock_sweep(self.tmp / "a")), self.figures)
        self.assertTrue(ok.passed, ok.measured)
        bad = paper_claims.claim_wallclock(
            sweep_results.load_sweep(wallclock_sweep(self.tmp / "b", pr_round_s=0.15)), self.figures)
        self.assertEqual(bad.verdict, "FAIL", bad.measured)


class ReportCliTest(unittest.TestCase):
    """Fake sweeps built once; each test gets a results directory of links to them, in which it
    may replace a sweep by its own."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.pristine = Path(cls._tmp.name) / "pristine"
        all_sweeps(cls.pristine)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def setUp(self):
        self.results = Path(tempfile.mkdtemp(dir=self._tmp.name)) / "paper"
        self.results.mkdir()
        for sweep in self.pristine.iterdir():
            if sweep.is_dir() and sweep.name != "figures":
                (self.results / sweep.name).symlink_to(sweep, target_is_directory=True)

    def own(self, name):
        """Replaces the link to sweep `name` by a copy the test may change."""
        (self.results / name).unlink()
        shutil.copytree(self.pristine / name, self.results / name)
        return self.results / name

    def test_report_lists_every_claim_with_verdict_and_relative_figures(self):
        result = run_report(self.results)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        report = (self.results / "report.md").read_text()
        self.assertEqual(report.count("**PASS**"), 3 * 7, report)  # summary row, heading, verdict line
        self.assertEqual(report.count("**REPORTED**"), 3 * 2, report)
        self.assertNotIn("**FAIL**", report)
        self.assertIn("\\|b − 3/4\\|", report, "pipes inside table cells are escaped")
        for name in paper_claims.CLAIMS:
            self.assertIn(f"scenarios/paper/{name}.yaml", report)
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)
        self.assertGreaterEqual(len(images), 18)
        for image in images:
            self.assertFalse(Path(image).is_absolute(), image)
            self.assertTrue((self.results / image).is_file(), image)

    def test_a_failed_claim_exits_3(self):
        (self.results / "momentum").unlink()
        rate_sweep(self.results / "momentum", ratio=lambda n, t: (t / 1024) ** 0.5)
        result = run_report(self.results, "--claims", "momentum,convergence")
        self.assertEqual(result.returncode, paper_report.EXIT_FAIL, result.stderr)
        self.assertIn("FAIL", result.stdout)

    def test_an_incomplete_claim_exits_4_and_names_the_run(self):
        (self.results / "communication").unlink()
        communication_sweep(self.results / "communication", error_run=(2, 65536, 1.0))
        result = run_report(self.results, "--claims", "communication,convergence")
        self.assertEqual(result.returncode, paper_report.EXIT_INCOMPLETE)
        self.assertIn("INCOMPLETE", result.stdout)
        self.assertIn("workers=2, steps=65536", result.stderr)
        self.assertIn("**INCOMPLETE**", (self.results / "report.md").read_text())

    def test_missing_sweep_directory_exits_2_naming_it(self):
        (self.results / "wallclock").unlink()
        result = run_report(self.results, "--claims", "wallclock")
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(self.results / "wallclock"), result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_malformed_aggregate_exits_2_naming_the_file(self):
        path = self.own("interval") / "aggregate.csv"
        path.write_text("point,workers\n0,2\n")
        result = run_report(self.results, "--claims", "interval")
        self.assertEqual(result.returncode, 2)
        self.assertIn(str(path), result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_sweep_without_step_averages_exits_2_saying_so(self):
        path = self.own("convergence") / "runs.csv"
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            row["average_grad_norm_sq"] = ""
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        result = run_report(self.results, "--claims", "convergence")
        self.assertEqual(result.returncode, 2)
        self.assertIn("eval.step_averages: true", result.stderr)

    def test_unknown_claim_exits_2(self):
        result = run_report(self.results, "--claims", "nonsense")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown claim", result.stderr)


if __name__ == "__main__":
    unittest.main()
