"""sgdsim.sweep: every point of a scenario's sweep section."""
import io
import json
import os

from pathlib import Path

import pandas as pd

from . import _sgdsim
from ._errors import Interrupted
from ._result import METRICS_COLUMNS, read_metrics_csv
from ._scenario import as_scenario


class SweepResult:
    """A sweep's results.

    runs: runs.csv as a DataFrame (one row per run: its swept values and summary figures).
    aggregate: aggregate.csv (one row per point: mean and 95 % half-width over replicates).
    summaries: each run's summary.json as a dict (None for a run that failed before finishing).
    records: per run, ``{id, point, replicate, values, status, error}``.
    counts: ``{ran, skipped, diverged, failed, not_run}``, as the CLI reports them.
    metrics: every run's metrics rows in one DataFrame: ``run`` (its id), ``point``,
        ``replicate``, the swept keys (as in ``runs``), then metrics.csv's columns; for loss
        curves with confidence bands (``groupby`` the swept keys and ``step``).
    out: the output directory, or None.
    """

    def __init__(self, raw, out):
        self.runs = pd.read_csv(io.StringIO(raw["runs_csv"]), float_precision="round_trip")
        self.aggregate = pd.read_csv(io.StringIO(raw["aggregate_csv"]),
                                     float_precision="round_trip")
        self.axes = list(raw["axes"])
        self.summaries = [json.loads(r["summary"]) if r["summary"] else None for r in raw["runs"]]
        self.records = [{k: r[k] for k in ("id", "point", "replicate", "values", "status", "error")}
                        for r in raw["runs"]]
        self.counts = {k: raw[k] for k in ("ran", "skipped", "diverged", "failed", "not_run")}
        self.interrupted = raw["interrupted"]
        self.out = out
        self._raw_metrics = [r["metrics"] for r in raw["runs"]]
        self._metrics = None

    @property
    def metrics(self):
        if self._metrics is None:
            frames = []
            for record, columns in zip(self.records, self._raw_metrics):
                frame = pd.DataFrame({c: columns[c] for c in METRICS_COLUMNS})
                run_dir = None if self.out is None else Path(self.out) / "runs" / record["id"]
                if frame.empty and run_dir is not None and (run_dir / "metrics.csv").exists():
                    frame = read_metrics_csv(run_dir / "metrics.csv")  # ran by an earlier call
                frame.insert(0, "run", record["id"])
                frames.append(frame)
            keys = self.runs[["run", "point", "replicate", *self.axes]]
            self._metrics = pd.concat(frames, ignore_index=True).merge(keys, on="run", how="left")
            self._metrics = self._metrics[["run", "point", "replicate", *self.axes,
                                           *METRICS_COLUMNS]]
        return self._metrics

    def __repr__(self):
        c = self.counts
        return (f"sgdsim.SweepResult({len(self.records)} runs: {c['ran']} ran, {c['skipped']} "
                f"already done, {c['diverged']} diverged, {c['failed']} failed, {c['not_run']} "
                "not run)")


def sweep(scenario, *, jobs=None, out=None, progress=False):
    """Run every point of the scenario's ``sweep:`` section (each ``replicates`` times).

    scenario: a Scenario, a path or a dict with a ``sweep`` section (without one: a single run).
    jobs: runs at once (default: the machine's cores); results do not depend on it.
    out: a directory to write exactly what ``sgdsim sweep --out`` writes (runs/<id>/, runs.csv,
        aggregate.csv); a later call with the same directory skips the runs already finished,
        so an interrupted sweep resumes. None (default): in memory, nothing written.
    progress: a line on sys.stderr as each run finishes.

    Every point is validated before any runs (ScenarioError lists the bad points). Ctrl-C raises
    sgdsim.Interrupted with the partial SweepResult (the tables are written to ``out`` too).
    """
    s = as_scenario(scenario)
    if jobs is None:
        jobs = os.cpu_count() or 1
    raw = _sgdsim.sweep(s._core, int(jobs), None if out is None else os.fspath(out),
                        bool(progress))
    result = SweepResult(raw, out)
    if raw["interrupted_by_signal"]:
        raise Interrupted(result) from raw.get("signal_error")
    return result
