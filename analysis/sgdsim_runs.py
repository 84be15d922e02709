#!/usr/bin/python3
"""Load the output directory of `sgdsim run` (metrics.csv + summary.json) for analysis scripts.

    from sgdsim_runs import load_run, load_runs, RunDataError
    run = load_run("results/local_sgd")      # Run(name, label, status, summary, metrics)
    runs = load_runs(paths, labels=None)     # labels made unique across the runs

Every problem with the input raises RunDataError with a message naming the offending file, so a
script can print it and exit with code 2 instead of showing a traceback.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

METRICS_FILE = "metrics.csv"
SUMMARY_FILE = "summary.json"

# Must match sim/output's metrics writer column for column.
METRICS_COLUMNS = (
    "step",
    "sim_time_s",
    "comm_rounds",
    "bytes_sent",
    "train_loss",
    "grad_norm_sq",
    "test_loss",
    "test_accuracy",
)
# Cells that may be empty: the test columns when a scenario has no test set, grad_norm_sq with
# `eval.grad_norm: false`.
OPTIONAL_COLUMNS = ("grad_norm_sq", "test_loss", "test_accuracy")

STATUS_OK = "ok"
STATUS_DIVERGED = "diverged"
STATUS_INTERRUPTED = "interrupted"


class RunDataError(Exception):
    """A run directory is missing or holds a file we cannot read; the message names the file."""


@dataclass
class Run:
    path: Path
    name: str                 # scenario name from summary.json, else the directory's basename
    label: str                # legend/table label; see default_label() and load_runs()
    status: str               # "ok" | "diverged" | "interrupted" ("unknown" without a summary)
    summary: dict[str, Any] = field(default_factory=dict)
    metrics: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def diverged(self) -> bool:
        return self.status == STATUS_DIVERGED

    @property
    def has_test_data(self) -> bool:
        return bool(self.metrics["test_accuracy"].notna().any())

    def finite_metrics(self) -> pd.DataFrame:
        """Rows up to the last one whose training loss is finite (a diverged run ends in inf/nan)."""
        loss = self.metrics["train_loss"].to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(loss))
        return self.metrics if bad.size == 0 else self.metrics.iloc[: bad[0]]


def read_metrics(csv_path: Path) -> pd.DataFrame:
    """Read metrics.csv, checking the header exactly; returns rows sorted by step, numeric dtypes."""
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as f:
            header = f.readline().strip()
    except FileNotFoundError:
        raise RunDataError(f"{csv_path}: file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RunDataError(f"{csv_path}: cannot read: {e}") from None

    columns = [c.strip() for c in header.split(",")]
    if tuple(columns) != METRICS_COLUMNS:
        raise RunDataError(
            f"{csv_path}: unexpected header\n  expected: {','.join(METRICS_COLUMNS)}\n"
            f"  found:    {header or '(empty file)'}"
        )

    try:
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, ValueError, OSError) as e:
        raise RunDataError(f"{csv_path}: malformed CSV: {e}") from None
    if frame.empty:
        raise RunDataError(f"{csv_path}: no data rows")

    for column in METRICS_COLUMNS:
        values = np.empty(len(frame))
        for i, cell in enumerate(frame[column].str.strip()):
            line = i + 2  # 1-based, after the header
            if cell == "" and column not in OPTIONAL_COLUMNS:
                raise RunDataError(f"{csv_path}: line {line}: empty '{column}' cell")
            try:
                # float() also reads the inf, -inf, nan and -nan that C++ streams write.
                values[i] = float(cell) if cell else np.nan
            except ValueError:
                raise RunDataError(f"{csv_path}: line {line}: '{column}' is not a number: {cell!r}") from None
        frame[column] = values
    for column in ("step", "comm_rounds", "bytes_sent"):
        if np.isfinite(frame[column]).all():
            frame[column] = frame[column].astype(np.int64)

    # The final step may coincide with an eval step; keep one row per step.
    frame = frame.drop_duplicates(subset="step", keep="last").sort_values("step")
    return frame.reset_index(drop=True)


def read_summary(json_path: Path) -> dict[str, Any]:
    """Read summary.json; a missing file gives {} (an interrupted run may not have written one)."""
    try:
        with open(json_path, encoding="utf-8") as f:
            summary = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        raise RunDataError(f"{json_path}: cannot read: {e}") from None
    except json.JSONDecodeError as e:
        raise RunDataError(f"{json_path}: invalid JSON: {e}") from None
    if not isinstance(summary, dict):
        raise RunDataError(f"{json_path}: expected a JSON object at the top level")
    return summary


def summary_interval(summary: dict[str, Any]) -> Any:
    """Local steps between synchronisations: top-level "interval", else scenario.algorithm.interval."""
    if summary.get("interval") is not None:
        return summary["interval"]
    algorithm = (summary.get("scenario") or {}).get("algorithm") or {}
    return algorithm.get("interval") if isinstance(algorithm, dict) else None


def default_label(path: Path, summary: dict[str, Any]) -> str:
    workers, interval = summary.get("workers"), summary_interval(summary)
    if workers is None or interval is None:
        return path.name
    return f"N={workers}, I={interval}"


def load_run(path: str | os.PathLike[str], label: str | None = None) -> Run:
    """Load one run directory. Raises RunDataError naming the file on any input problem."""
    run_dir = Path(path)
    if not run_dir.is_dir():
        raise RunDataError(f"{run_dir}: run directory not found")
    metrics = read_metrics(run_dir / METRICS_FILE)
    summary = read_summary(run_dir / SUMMARY_FILE)
    # resolve() so "." or "results/x/" still yield a meaningful basename.
    named_dir = run_dir.resolve()
    return Run(
        path=run_dir,
        name=str(summary.get("name") or named_dir.name),
        label=label if label is not None else default_label(named_dir, summary),
        status=str(summary.get("status") or "unknown"),
        summary=summary,
        metrics=metrics,
    )


def load_runs(paths: Sequence[str | os.PathLike[str]], labels: Sequence[str] | None = None) -> list[Run]:
    """Load several runs. Explicit labels are used as given; default labels that collide get the
    directory's basename appended (and the full path if even that collides)."""
    if labels is not None and len(labels) != len(paths):
        raise RunDataError(f"got {len(labels)} labels for {len(paths)} run directories")
    runs = [load_run(p, labels[i] if labels is not None else None) for i, p in enumerate(paths)]
    if labels is None:
        _make_unique(runs, lambda r: f"{r.label} ({r.path.resolve().name})")
        _make_unique(runs, lambda r: f"{r.label} [{r.path}]")
    return runs


def _make_unique(runs: list[Run], disambiguate) -> None:
    counts: dict[str, int] = {}
    for run in runs:
        counts[run.label] = counts.get(run.label, 0) + 1
    for run in runs:
        if counts[run.label] > 1:
            run.label = disambiguate(run)


def finite_or_none(value: Any) -> Any:
    """For tables: a JSON number that is nan/inf (or null) becomes None, i.e. an empty cell."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
