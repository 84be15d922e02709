#!/usr/bin/python3
"""Tests for analysis/validation_report.py on made-up runs whose errors are known.

Run: /usr/bin/python3 -m unittest discover -s tests/analysis
"""
import csv
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "analysis"))
import validation_report  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def summary(time_s, comm_s, idle_s, workers=2, rounds=10):
    return {"sim_time_s": time_s, "communication_time_s": comm_s * workers,
            "idle_time_s": idle_s * workers, "comm_rounds": rounds,
            "workers": workers}


def write_runs(out, rows):
    with open(out / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=validation_report.RUN_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def row(network, ranks, interval, measured, simulated, status="ok"):
    r = {"network": network, "ranks": ranks, "compute": "constant", "interval": interval,
         "emulated": 1, "status": status}
    if status == "ok":
        r.update(validation_report.compare(summary(measured, 0.1, 0.0),
                                           summary(simulated, 0.1, 0.0)))
    return r


class CompareTest(unittest.TestCase):
    def test_error_is_relative_to_the_measurement_and_times_are_per_worker(self):
        r = validation_report.compare(summary(2.0, 0.5, 0.25, workers=4),
                                      summary(2.1, 0.4, 0.2, workers=4))
        self.assertAlmostEqual(r["error"], 0.05)
        self.assertAlmostEqual(r["measured_comm_s"], 0.5)
        self.assertAlmostEqual(r["simulated_idle_s"], 0.2)
        self.assertEqual(r["rounds"], 10)


class ReportTest(unittest.TestCase):
    def test_figures_speedups_and_verdicts(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d)
            (out / "calibration").mkdir()
            (out / "calibration" / "shm-r2.yaml").write_text(
                "#   Fit: R^2 of log(time) 0.99900; largest residual 2.50 % at 1MB.\n"
                "#   Check: sgdsim predicts every measured size within 2.50 % (worst at 1MB)\n"
                "network:\n  by_size:\n    - {up_to: 4096B, latency: 1us, bandwidth: 1GB/s}\n"
                "    - {latency: 5us, bandwidth: 2.5GB/s}\n")
            # errors: +1 %, −2 %, +12 % (the worst), +3 %; one failure
            write_runs(out, [row("shm", 2, 1, 4.0, 4.04), row("shm", 2, 8, 2.0, 1.96),
                             row("1gbit", 2, 1, 10.0, 11.2), row("1gbit", 2, 8, 2.5, 2.575),
                             row("1gbit", 4, 1, 0, 0, status="failed")])
            figures = validation_report.write_report(out, 60.0)
            self.assertEqual(figures["configurations"], 4)
            self.assertEqual(figures["failed"], 1)
            self.assertAlmostEqual(figures["mae"], (0.01 + 0.02 + 0.12 + 0.03) / 4)
            self.assertAlmostEqual(figures["worst"], 0.12)
            # shm: measured speed-up 2, predicted 4.04 / 1.96; 1gbit: 4 against 11.2 / 2.575
            expected = max(abs(4.04 / 1.96 / 2 - 1), abs(11.2 / 2.575 / 4 - 1))
            self.assertAlmostEqual(figures["best_speedup_worst_error"], expected)
            report = (out / "report.md").read_text()
            self.assertIn("| mean absolute error of total time ≤ 3 % | 4.50 %", report)
            self.assertIn("+12.00 % (1gbit, R = 2, constant, I = 1) | MISS", report)
            self.assertIn("1 configuration(s) failed", report)
            self.assertIn("≤ 4.1 kB: 1us, 8 Gbit/s; rest: 5us, 20 Gbit/s", report)
            self.assertIn("R^2 of log(time) 0.99900, worst 2.50 %", report)
            self.assertEqual((out / "predicted_vs_measured.png").read_bytes()[:8], PNG_MAGIC)


if __name__ == "__main__":
    unittest.main()
