"""sgdsim.Result: what a run produced, in memory or read back from an output directory."""
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

METRICS_COLUMNS = ["step", "sim_time_s", "comm_rounds", "bytes_sent", "train_loss",
                   "grad_norm_sq", "test_loss", "test_accuracy"]


def read_metrics_csv(path_or_text):
    """metrics.csv as a DataFrame: exact doubles (the file holds shortest round-trip text)."""
    source = io.StringIO(path_or_text) if "\n" in str(path_or_text) else path_or_text
    frame = pd.read_csv(source, float_precision="round_trip")
    for column in ("test_loss", "test_accuracy", "grad_norm_sq", "train_loss"):
        if column in frame:
            frame[column] = frame[column].astype(np.float64)
    return frame


class Result:
    """One run's results.

    status: ``ok``, ``diverged``, ``interrupted`` or ``stalled`` (summary.json's status).
    summary: summary.json's content as a dict.
    metrics: a DataFrame with metrics.csv's columns, one row per measurement.
    model: the reported model's parameters (model.csv), a numpy array of the run's precision.
    trace: the Chrome/Perfetto trace as a dict (only when asked for: ``run(trace=True)``, or
        read from ``out``), else None.
    out: the output directory, or None for a run held in memory.
    """

    def __init__(self, status, summary, metrics, model, out=None, trace=None, scenario=None):
        self.status = status
        self.summary = summary
        self.metrics = metrics
        self.model = model
        self.out = None if out is None else Path(out)
        self._trace = trace
        self.scenario = scenario

    @property
    def trace(self):
        if self._trace is None and self.out is not None and (self.out / "trace.json").exists():
            with open(self.out / "trace.json") as f:
                self._trace = json.load(f)
        return self._trace

    @property
    def ok(self):
        return self.status == "ok"

    @property
    def sim_time_s(self):
        """Simulated wall-clock time of the run (a real run: its measured time)."""
        return self.summary["sim_time_s"]

    @property
    def final_train_loss(self):
        return self.summary.get("final_train_loss")

    @property
    def final_test_accuracy(self):
        return self.summary.get("final_test_accuracy")

    @property
    def comm_rounds(self):
        return self.summary["comm_rounds"]

    def __repr__(self):
        loss = self.final_train_loss
        loss_text = "" if loss is None else f", train loss {loss:.6g}"
        return (f"sgdsim.Result({self.summary.get('name')!r}: {self.status}, "
                f"{self.comm_rounds} rounds, {self.sim_time_s:.4g} s simulated{loss_text})")


def load_result(out):
    """A Result from an output directory that ``sgdsim run`` (simulated or ``--real`` under
    mpirun), ``sgdsim.run(out=...)`` or a sweep (``out/runs/<id>``) wrote.

    Raises FileNotFoundError when the directory has no summary.json (the run did not finish
    writing: summary.json is written last).
    """
    out = Path(os.fspath(out))
    summary_path = out / "summary.json"
    if not summary_path.exists():
        raise FileNotFoundError(f"{summary_path}: no summary.json: not a finished sgdsim run")
    with open(summary_path) as f:
        summary = json.load(f)
    metrics = read_metrics_csv(out / "metrics.csv") if (out / "metrics.csv").exists() else None
    model = None
    if (out / "model.csv").exists():
        precision = summary.get("scenario", {}).get("precision", "float32")
        dtype = np.float32 if precision == "float32" else np.float64
        model = pd.read_csv(out / "model.csv", dtype=dtype, float_precision="round_trip") \
            .iloc[:, 0].to_numpy()
    return Result(summary["status"], summary, metrics, model, out=out)
