#!/usr/bin/python3
"""Tests for analysis/paper_experiment.py (scripts/paper-experiment's analysis) on small fake
sweeps whose speed-up table is computed by hand, and a check that the two scenarios of
scenarios/paper/experiment/ validate (when build/release/sgdsim or build/test/sgdsim exists).

Run: /usr/bin/python3 -m unittest discover -s tests/analysis
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "analysis" / "paper_experiment.py"
SCENARIOS = REPO / "scenarios" / "paper" / "experiment"
PYTHON = "/usr/bin/python3"
FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
sys.path.insert(0, str(REPO / "analysis"))
import paper_experiment  # noqa: E402
import sweep_results  # noqa: E402

METRICS_HEADER = "step,sim_time_s,comm_rounds,bytes_sent,train_loss,grad_norm_sq,test_loss,test_accuracy"
RUN_FIGURES = ["status", "n_workers", "t_steps", "interval_used", "lr_used", "comm_rounds",
               "sim_time_s", "bytes_sent", "final_step", "final_train_loss", "final_grad_norm_sq",
               "final_test_loss", "final_test_accuracy", "average_train_loss",
               "average_grad_norm_sq", "compute_fraction", "communication_fraction",
               "idle_fraction", "wall_time_s", "run_dir", "error"]
STEPS = (0, 100, 200, 300, 400)
STEP_S, ROUND_S = 0.01, 0.01   # every step costs 10 ms, every round another 10 ms
# Test accuracy at STEPS per schedule: (axis cell, resolved algorithm, interval used, accuracy).
SCHEDULES = [
    ("{algorithm.interval: 1}", {"interval": 1}, 1, (0.1, 0.5, 0.7, 0.8, 0.85)),
    ("{algorithm.interval: 4}", {"interval": 4}, 4, (0.1, 0.5, 0.7, 0.8, 0.85)),
    ("{algorithm.interval: 16}", {"interval": 16}, 16, (0.1, 0.4, 0.6, 0.7, 0.75)),
    ("{algorithm.interval: theory, algorithm.interval_constant: 8}",
     {"interval": "theory", "interval_constant": 8.0}, 2, (0.1, 0.5, 0.7, 0.8, 0.86)),
]


def sim_time(step, interval):
    return step * STEP_S + math.ceil(step / interval) * ROUND_S


def write_experiment_sweep(directory, schedules=SCHEDULES):
    """A sweep directory in `sgdsim sweep`'s layout with one run per schedule; times follow
    sim_time(), so every figure of the table can be computed by hand."""
    directory = Path(directory)
    (directory / "runs").mkdir(parents=True)
    rows = []
    for point, (cell, algorithm, interval, accuracy) in enumerate(schedules):
        name = f"p{point:04d}_r0"
        run_dir = directory / "runs" / name
        run_dir.mkdir()
        lines = [METRICS_HEADER]
        for step, acc in zip(STEPS, accuracy):
            rounds = math.ceil(step / interval)
            lines.append(f"{step},{sim_time(step, interval):.9g},{rounds},{rounds * 1000},"
                         f"{2.3 * (1 - acc):.6g},,{2.4 * (1 - acc):.6g},{acc}")
        (run_dir / "metrics.csv").write_text("\n".join(lines) + "\n")
        (run_dir / "summary.json").write_text(json.dumps(
            {"name": "fake_experiment", "status": "ok",
             "scenario": {"workers": 8, "steps": 400, "algorithm": algorithm,
                          "model": {"kind": "lenet5"}, "data": {"kind": "fashion_mnist"}}}))
        last = STEPS[-1]
        rounds = math.ceil(last / interval)
        rows.append({"run": name, "point": point, "replicate": 0, "seed": 17, "interval": cell,
                     "status": "ok", "n_workers": 8, "t_steps": last, "interval_used": interval,
                     "lr_used": 0.05, "comm_rounds": rounds, "sim_time_s": sim_time(last, interval),
                     "bytes_sent": rounds * 1000, "final_step": last,
                     "final_train_loss": 2.3 * (1 - accuracy[-1]), "final_grad_norm_sq": "",
                     "final_test_loss": 2.4 * (1 - accuracy[-1]), "final_test_accuracy": accuracy[-1],
                     "average_train_loss": "", "average_grad_norm_sq": "",
                     "compute_fraction": 0.8, "communication_fraction": 0.2, "idle_fraction": 0.0,
                     "wall_time_s": 1.0, "run_dir": f"runs/{name}", "error": ""})
    with open(directory / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["run", "point", "replicate", "seed", "interval",
                                               *RUN_FIGURES])
        writer.writeheader()
        writer.writerows(rows)
    aggregated = sweep_results.AGGREGATED_FIGURES
    with open(directory / "aggregate.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["point", "interval", "replicates",
                         *[f"{n}_{s}" for n in aggregated for s in ("mean", "ci95")]])
        for row in rows:
            writer.writerow([row["point"], row["interval"], 1,
                             *[v for n in aggregated for v in (row[n], "")]])
    return directory


def run_cli(*args):
    return subprocess.run([PYTHON, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def read_table(path):
    with open(path, newline="") as f:
        return {row["schedule"]: row for row in csv.DictReader(f)}


class SpeedupTableTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.sweep = write_experiment_sweep(self.root / "sweep")

    def tearDown(self):
        self.tmp.cleanup()

    def test_default_target_is_the_worst_runs_best_accuracy_less_one_point(self):
        sweep = sweep_results.load_sweep(self.sweep)
        plan = paper_experiment.schedules(sweep)
        # I = 16's best accuracy 0.75, less 0.01.
        self.assertAlmostEqual(paper_experiment.default_target(sweep, plan), 0.74)

    def test_table_times_and_speedups_equal_the_hand_computed_values(self):
        result = run_cli(self.sweep, "--out", self.root / "out")
        self.assertEqual(result.returncode, 0, result.stderr)
        table = read_table(self.root / "out" / "speedup.csv")
        self.assertEqual(list(table), ["I = 1", "I = 4", "I = 16", "theory (c_I = 8): I = 2"])
        # Target 0.74: I = 1, 4 and theory first reach it at step 300, I = 16 at step 400.
        expected = {
            "I = 1": (300, 300, 300 * 0.01 + 300 * 0.01, 400 * 0.02),            # 6.0 s, 8.0 s
            "I = 4": (300, 75, 300 * 0.01 + 75 * 0.01, 400 * 0.01 + 100 * 0.01),  # 3.75 s, 5.0 s
            "I = 16": (400, 25, 400 * 0.01 + 25 * 0.01, 4.25),                    # 4.25 s
            "theory (c_I = 8): I = 2": (300, 150, 3.0 + 1.5, 4.0 + 2.0),          # 4.5 s, 6.0 s
        }
        for label, (step, rounds, time, total) in expected.items():
            row = table[label]
            self.assertEqual(float(row["step_to_target"]), step, label)
            self.assertEqual(float(row["rounds_to_target"]), rounds, label)
            self.assertAlmostEqual(float(row["time_to_target_s"]), time, places=9, msg=label)
            self.assertAlmostEqual(float(row["sim_time_s"]), total, places=9, msg=label)
            self.assertAlmostEqual(float(row["speedup_to_target"]), 6.0 / time, places=9, msg=label)
            self.assertAlmostEqual(float(row["speedup_total"]), 8.0 / total, places=9, msg=label)
        self.assertEqual(float(table["I = 16"]["comm_rounds"]), 25)
        self.assertEqual(float(table["I = 4"]["bytes_sent"]), 100 * 1000)
        self.assertAlmostEqual(float(table["theory (c_I = 8): I = 2"]["final_test_accuracy"]), 0.86)
        report = (self.root / "out" / "report.md").read_text()
        self.assertIn("74.0 %", report)
        self.assertIn("1.60×", report)  # I = 4: 6.0 / 3.75
        self.assertIn("resolved to **I = 2**", report)
        for name in ("experiment", "accuracy_vs_time", "accuracy_vs_rounds", "test_loss_vs_time",
                     "test_loss_vs_rounds", "loss_vs_time", "loss_vs_rounds"):
            self.assertTrue((self.root / "out" / f"{name}.png").stat().st_size > 1000, name)
            self.assertIn(f"({name}.png)", report)
        self.assertIn("| I = 4 | 3.75 | 300 | 75 | 1.60× |",
                      (self.root / "out" / "speedup.md").read_text())

    def test_a_run_that_never_reaches_the_target_is_reported_not_reached(self):
        result = run_cli(self.sweep, "--out", self.root / "out", "--target", "0.8")
        self.assertEqual(result.returncode, 0, result.stderr)
        table = read_table(self.root / "out" / "speedup.csv")
        self.assertEqual(table["I = 16"]["time_to_target_s"], "")
        self.assertEqual(table["I = 16"]["speedup_to_target"], "")
        self.assertAlmostEqual(float(table["I = 16"]["speedup_total"]), 8.0 / 4.25, places=9)
        self.assertAlmostEqual(float(table["I = 4"]["time_to_target_s"]), 3.75, places=9)
        report = (self.root / "out" / "report.md").read_text()
        self.assertIn("| I = 16 | not reached | — | — | — |", report)
        self.assertIn("**I = 16** never reached 80.0 %", report)

    def test_without_an_interval_1_run_there_are_no_speedups_and_no_crash(self):
        sweep = write_experiment_sweep(self.root / "no_base", SCHEDULES[1:])
        result = run_cli(sweep, "--out", self.root / "out")
        self.assertEqual(result.returncode, 0, result.stderr)
        table = read_table(self.root / "out" / "speedup.csv")
        self.assertEqual({row["speedup_to_target"] for row in table.values()}, {""})
        self.assertIn("No run with a fixed I = 1", (self.root / "out" / "report.md").read_text())

    def test_an_errored_run_is_named_in_the_report_and_the_rest_analysed(self):
        runs = (self.sweep / "runs.csv").read_text().splitlines()
        fields = runs[3].split(",")   # point 2, I = 16
        fields[5] = "error"
        fields[-1] = "data.path: missing"
        runs[3] = ",".join(fields)
        (self.sweep / "runs.csv").write_text("\n".join(runs) + "\n")
        result = run_cli(self.sweep, "--out", self.root / "out")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = (self.root / "out" / "report.md").read_text()
        self.assertIn("## Incomplete", report)
        self.assertIn("data.path: missing", report)
        # Without I = 16, the worst run is I = 1 / I = 4 (best 0.85): target 0.84, at step 400.
        self.assertIn("84.0 %", report)

    def test_bad_input_exits_2_naming_the_file(self):
        result = run_cli(self.root / "missing", "--out", self.root / "out")
        self.assertEqual(result.returncode, 2)
        self.assertIn("missing", result.stderr)
        (self.sweep / "runs" / "p0000_r0" / "metrics.csv").write_text("step\n0\n")
        result = run_cli(self.sweep, "--out", self.root / "out")
        self.assertEqual(result.returncode, 2)
        self.assertIn("p0000_r0/metrics.csv", result.stderr)


class ScriptArgumentsTest(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run([str(REPO / "scripts" / "paper-experiment"), *args],
                              capture_output=True, text=True, timeout=60)

    def test_bad_arguments_exit_2_with_a_message(self):
        for args, message in ((["--steps", "x"], "--steps must be a positive integer"),
                              (["--jobs", "0"], "--jobs must be a positive integer"),
                              (["--bogus"], "unknown argument")):
            result = self.run_script(*args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn(message, result.stderr)

    @unittest.skipUnless((REPO / "build" / "release" / "sgdsim").is_file(), "needs build/release/sgdsim")
    def test_a_cifar_directory_that_does_not_exist_exits_2(self):
        result = self.run_script("--cifar", "/nonexistent/cifar-10-batches-bin")
        self.assertEqual(result.returncode, 2)
        self.assertIn("not a directory", result.stderr)


def find_sgdsim():
    for build in ("release", "test"):
        path = REPO / "build" / build / "sgdsim"
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def write_fake_cifar10(directory, train_per_batch=64, test=16):
    """CIFAR-10's binary layout (a label byte, 3072 pixel bytes per record) with few records: 320
    training images, enough for 8 workers' batches of 32."""
    directory.mkdir()
    record = lambda i: bytes([i % 10]) + bytes((7 * i + j) % 256 for j in range(3072))  # noqa: E731
    for k in range(1, 6):
        (directory / f"data_batch_{k}.bin").write_bytes(b"".join(record(i) for i in range(train_per_batch)))
    (directory / "test_batch.bin").write_bytes(b"".join(record(i) for i in range(test)))


@unittest.skipIf(find_sgdsim() is None, "needs build/release/sgdsim or build/test/sgdsim")
class ScenariosValidateTest(unittest.TestCase):
    def validate(self, scenario, *overrides):
        args = [str(find_sgdsim()), "validate", str(SCENARIOS / scenario)]
        for o in overrides:
            args += ["--set", o]
        return subprocess.run(args, capture_output=True, text=True, timeout=300)

    @unittest.skipUnless(FASHION_MNIST.is_dir(), "needs Debian's dataset-fashion-mnist")
    def test_lenet5_fashion_mnist_validates_with_8_workers_on_ethernet_and_flops(self):
        result = self.validate("lenet5_fashion_mnist.yaml")
        self.assertEqual(result.returncode, 0, result.stderr)
        resolved = json.loads(result.stdout)
        self.assertEqual(resolved["workers"], 8)
        self.assertEqual(resolved["compute"]["kind"], "flops")
        self.assertEqual(resolved["model"]["kind"], "lenet5")

    def test_resnet20_cifar10_validates_with_a_data_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "cifar-10-batches-bin"
            write_fake_cifar10(data)
            result = self.validate("resnet20_cifar10.yaml", f"data.path={data}")
        self.assertEqual(result.returncode, 0, result.stderr)
        resolved = json.loads(result.stdout)
        self.assertEqual(resolved["workers"], 8)
        self.assertEqual(resolved["model"]["kind"], "resnet20")
        self.assertEqual(resolved["compute"]["kind"], "flops")

    def test_resnet20_cifar10_without_the_data_names_data_path(self):
        result = self.validate("resnet20_cifar10.yaml")
        self.assertEqual(result.returncode, 2)
        self.assertIn("data.path", result.stderr)
        self.assertIn("data_batch_1.bin", result.stderr)


if __name__ == "__main__":
    unittest.main()
