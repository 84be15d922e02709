#!/usr/bin/python3
"""Load the output directory of `sgdsim sweep` and the statistics the sweep analyses share.

    from sweep_results import load_sweep, mean_ci95, fit_loglog, first_crossing
    sweep = load_sweep("results/paper/speedup")   # Sweep(path, keys, runs, aggregate)
    sweep.runs                  # runs.csv as a DataFrame: swept keys as text, figures as floats
    sweep.metrics(row)          # metrics.csv of one run (a row of sweep.runs), read once
    mean, half = mean_ci95([1.0, 1.2, 0.9])      # Student-t 95 % half-width (nan for one value)
    fit = fit_loglog(x, y)      # LogLogFit(slope, intercept, slope_ci95, n, r2)

A sweep directory holds runs.csv (one row per run), aggregate.csv (one row per grid point) and
runs/p{point:04}_r{replicate}/ run directories. Every problem with the input raises
SweepDataError (a RunDataError) with a message naming the offending file, so scripts can print it
and exit with code 2.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sgdsim_runs import RunDataError, read_metrics  # noqa: E402

RUNS_FILE = "runs.csv"
AGGREGATE_FILE = "aggregate.csv"

# runs.csv: these lead, the swept keys follow (in grid order), then RUN_FIGURES.
RUN_LEADING = ("run", "point", "replicate", "seed")
RUN_FIGURES = (
    "status", "n_workers", "t_steps", "interval_used", "lr_used", "comm_rounds", "sim_time_s",
    "bytes_sent", "final_step", "final_train_loss", "final_grad_norm_sq", "final_test_loss",
    "final_test_accuracy", "compute_fraction", "communication_fraction", "idle_fraction",
    "wall_time_s", "run_dir",
)
RUN_TEXT_COLUMNS = ("run", "status", "run_dir")
# aggregate.csv: "point", the swept keys, "replicates", then <figure>_mean, <figure>_ci95.
AGGREGATED_FIGURES = (
    "comm_rounds", "sim_time_s", "bytes_sent", "final_train_loss", "final_grad_norm_sq",
    "final_test_loss", "final_test_accuracy", "communication_fraction", "idle_fraction",
)
STATUS_OK = "ok"

# Two-sided 95 % Student-t quantiles t_{0.975, dof}, dof = 1 … 30; beyond, the normal 1.96 is
# within 2 %. Used when scipy is missing.
_T975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
         2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
         2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)


class SweepDataError(RunDataError):
    """A sweep directory is missing or holds a file we cannot read; the message names the file."""


def t975(dof: int) -> float:
    """t_{0.975} with `dof` degrees of freedom (the 95 % two-sided quantile)."""
    if dof < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {dof}")
    try:
        from scipy.stats import t as student_t
        return float(student_t.ppf(0.975, dof))
    except ImportError:
        return _T975[dof - 1] if dof <= len(_T975) else 1.959964


def mean_ci95(values: Iterable[float]) -> tuple[float, float]:
    """Mean and half-width of the Student-t 95 % interval of the finite values; (nan, nan) for
    none, (mean, nan) for one."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if x.size == 0:
        return math.nan, math.nan
    if x.size == 1:
        return float(x[0]), math.nan
    return float(x.mean()), t975(x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size)


@dataclass(frozen=True)
class LogLogFit:
    """log y = intercept + slope·log x (natural logs), by least squares."""
    slope: float
    intercept: float
    slope_ci95: float   # half-width of the 95 % interval of the slope (n − 2 dof); nan for n = 2
    n: int
    r2: float

    @property
    def interval(self) -> tuple[float, float]:
        return self.slope - self.slope_ci95, self.slope + self.slope_ci95

    def predict(self, x: Sequence[float]) -> np.ndarray:
        return np.exp(self.intercept) * np.asarray(x, dtype=float) ** self.slope

    def describe(self) -> str:
        if math.isnan(self.slope_ci95):
            return f"{self.slope:.3f}"
        lo, hi = self.interval
        return f"{self.slope:.3f} (95 % CI [{lo:.3f}, {hi:.3f}])"


def fit_loglog(x: Sequence[float], y: Sequence[float]) -> LogLogFit:
    """Fit y = a·x^slope through the points whose x and y are finite and positive."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys) & (xs > 0) & (ys > 0)
    lx, ly = np.log(xs[keep]), np.log(ys[keep])
    n = lx.size
    if n < 2 or np.ptp(lx) == 0:
        raise ValueError(f"a log-log fit needs two distinct positive x values, got {n} usable points")
    sxx = float(((lx - lx.mean()) ** 2).sum())
    slope = float(((lx - lx.mean()) * (ly - ly.mean())).sum() / sxx)
    intercept = float(ly.mean() - slope * lx.mean())
    residual = ly - (intercept + slope * lx)
    ss_res = float((residual ** 2).sum())
    ss_tot = float(((ly - ly.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    half = math.nan
    if n > 2:
        half = t975(n - 2) * math.sqrt(ss_res / (n - 2) / sxx)
    return LogLogFit(slope, intercept, half, n, r2)


def first_crossing(metrics: pd.DataFrame, target: float, column: str = "train_loss",
                   x: str = "step") -> float:
    """x of the first metrics row whose `column` is at or below `target`; nan if none is."""
    values = metrics[column].to_numpy(dtype=float)
    hit = np.flatnonzero(np.isfinite(values) & (values <= target))
    return float(metrics[x].iloc[hit[0]]) if hit.size else math.nan


def mean_curve(frames: Sequence[pd.DataFrame], x: str, y: str) -> pd.DataFrame:
    """Replicates' curves joined on step: columns x (mean over replicates), y_mean, y_ci95, n.
    Steps that only some replicates reached (a diverged one) average over those that did."""
    parts = []
    for i, frame in enumerate(frames):
        part = frame[["step", x, y]].copy() if x != "step" else frame[["step", y]].copy()
        part["replicate"] = i
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[x, "y_mean", "y_ci95", "n"])
    joined = pd.concat(parts, ignore_index=True)
    joined = joined[np.isfinite(joined[y].to_numpy(dtype=float))]
    rows = []
    for step, group in joined.groupby("step", sort=True):
        mean, half = mean_ci95(group[y].to_numpy(dtype=float))
        rows.append({x: float(group[x].mean()) if x != "step" else float(step),
                     "y_mean": mean, "y_ci95": half, "n": len(group)})
    return pd.DataFrame(rows, columns=[x, "y_mean", "y_ci95", "n"])


@dataclass
class Sweep:
    path: Path
    keys: list[str]               # swept key paths, in grid order
    runs: pd.DataFrame            # runs.csv
    aggregate: pd.DataFrame       # aggregate.csv
    _metrics: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.path.resolve().name

    def ok_runs(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == STATUS_OK]

    def run_path(self, row: pd.Series) -> Path:
        return self.path / str(row["run_dir"] or f"runs/{row['run']}")

    def metrics(self, row: pd.Series) -> pd.DataFrame:
        """metrics.csv of the run in this row of `runs` (read once; errors name the file)."""
        key = str(row["run"])
        if key not in self._metrics:
            self._metrics[key] = read_metrics(self.run_path(row) / "metrics.csv")
        return self._metrics[key]

    def label(self, row: pd.Series, keys: Sequence[str] | None = None) -> str:
        """'workers=8, algorithm.interval=16' for a runs or aggregate row."""
        return ", ".join(f"{k}={row[k]}" for k in (self.keys if keys is None else keys))


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise SweepDataError(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError,
            UnicodeDecodeError) as e:
        raise SweepDataError(f"{path}: malformed CSV: {e}") from None
    if frame.empty:
        raise SweepDataError(f"{path}: no data rows")
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def _to_numbers(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    for column in columns:
        values = np.empty(len(frame))
        for i, cell in enumerate(frame[column].str.strip()):
            try:
                values[i] = float(cell) if cell else np.nan
            except ValueError:
                raise SweepDataError(
                    f"{path}: line {i + 2}: '{column}' is not a number: {cell!r}") from None
        frame[column] = values


def _swept_keys(columns: list[str], after: str, before: str, path: Path) -> list[str]:
    try:
        start, end = columns.index(after), columns.index(before)
    except ValueError as e:
        missing = after if after not in columns else before
        raise SweepDataError(f"{path}: missing column '{missing}'; header: {','.join(columns)}") from e
    if end < start:
        raise SweepDataError(f"{path}: column '{before}' comes before '{after}'")
    return columns[start + 1: end]


def read_runs_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    frame = _read_csv(path)
    columns = list(frame.columns)
    missing = [c for c in RUN_LEADING + RUN_FIGURES if c not in columns]
    if missing:
        raise SweepDataError(f"{path}: missing column(s) {', '.join(missing)}")
    keys = _swept_keys(columns, "seed", "status", path)
    numeric = [c for c in RUN_LEADING + RUN_FIGURES if c not in RUN_TEXT_COLUMNS and c != "seed"]
    _to_numbers(frame, numeric, path)
    for column in ("point", "replicate"):
        if frame[column].isna().any():
            raise SweepDataError(f"{path}: empty '{column}' cell")
        frame[column] = frame[column].astype(np.int64)
    frame["status"] = frame["status"].str.strip()
    return frame, keys


def read_aggregate_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    frame = _read_csv(path)
    columns = list(frame.columns)
    expected = ["point", "replicates"] + [f"{f}_{s}" for f in AGGREGATED_FIGURES for s in ("mean", "ci95")]
    missing = [c for c in expected if c not in columns]
    if missing:
        raise SweepDataError(f"{path}: missing column(s) {', '.join(missing)}")
    keys = _swept_keys(columns, "point", "replicates", path)
    _to_numbers(frame, [c for c in expected], path)
    frame["point"] = frame["point"].astype(np.int64)
    return frame, keys


def load_sweep(path: str | Path) -> Sweep:
    """Load a sweep directory (runs.csv and aggregate.csv; metrics on demand)."""
    directory = Path(path)
    if not directory.is_dir():
        raise SweepDataError(f"{directory}: sweep directory not found")
    runs, keys = read_runs_csv(directory / RUNS_FILE)
    aggregate, aggregate_keys = read_aggregate_csv(directory / AGGREGATE_FILE)
    if aggregate_keys != keys:
        raise SweepDataError(f"{directory / AGGREGATE_FILE}: swept keys {aggregate_keys} differ "
                             f"from {directory / RUNS_FILE}'s {keys}")
    return Sweep(directory, keys, runs, aggregate)


def numeric_key(values: pd.Series) -> pd.Series:
    """A swept key's cells as numbers where they are numbers (e.g. '8' → 8.0, 'theory' → nan)."""
    return pd.to_numeric(values, errors="coerce")


def require(condition: bool, path: Path, message: str) -> None:
    """Raise SweepDataError naming `path` unless `condition` (for analyses' expectations)."""
    if not condition:
        raise SweepDataError(f"{path}: {message}")


def describe_ci(mean: float, half: float, digits: int = 3) -> str:
    if math.isnan(mean):
        return "n/a"
    if math.isnan(half):
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {half:.{digits - 1 if digits > 1 else 1}g}"


def finite(values: Iterable[Any]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]
