#!/usr/bin/python3
"""Load the output directory of `sgdsim sweep` and the statistics the sweep analyses share.

    from sweep_results import load_sweep, mean_ci95, fit_loglog, first_crossing
    sweep = load_sweep("results/paper/speedup")   # Sweep(path, keys, runs, aggregate)
    sweep.runs                  # runs.csv as a DataFrame: swept keys as text, figures as floats
    sweep.metrics(row)          # metrics.csv of one run (a row of sweep.runs), read once
    mean, half = mean_ci95([1.0, 1.2, 0.9])      # Student-t 95 % half-width (nan for one value)
    fit = fit_loglog(x, y)      # LogLogFit(slope, intercept, slope_ci95, n, r2)
    law = fit_power_law(y, {"T": t, "N": n})   # log y = a + b·log T + c·log N, with intervals
    problems = sweep.incomplete(min_replicates=10)   # errored, missing or too few runs

A sweep directory holds runs.csv (one row per run), aggregate.csv (one row per grid point) and
runs/p{point:04}_r{replicate}/ run directories. Every problem with the input raises
SweepDataError (a RunDataError) with a message naming the offending file, so scripts can print it
and exit with code 2.
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

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
# Columns of newer sgdsim versions: empty when a sweep predates them (eval.step_averages' means;
# the message of a run that failed).
RUN_OPTIONAL = ("average_train_loss", "average_grad_norm_sq", "error")
RUN_TEXT_COLUMNS = ("run", "status", "run_dir", "error")
# aggregate.csv: "point", the swept keys, "replicates", then <figure>_mean, <figure>_ci95.
AGGREGATED_FIGURES = (
    "comm_rounds", "sim_time_s", "bytes_sent", "final_train_loss", "final_grad_norm_sq",
    "final_test_loss", "final_test_accuracy", "communication_fraction", "idle_fraction",
)
AGGREGATED_OPTIONAL = ("average_train_loss", "average_grad_norm_sq")
STATUS_OK = "ok"
# A diverged run is a result (the claim can fail on it); any other status is a run that is missing.
STATUS_DONE = (STATUS_OK, "diverged")


class SweepDataError(RunDataError):
    """A sweep directory is missing or holds a file we cannot read; the message names the file."""


def t975(dof: int) -> float:
    """t_{0.975} with `dof` degrees of freedom (the 95 % two-sided quantile)."""
    if dof < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {dof}")
    return float(stats.t.ppf(0.975, dof))


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
    """Fit y = a·x^slope through the points whose x and y are finite and positive
    (scipy.stats.linregress on the logs; the slope's interval uses n − 2 dof)."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys) & (xs > 0) & (ys > 0)
    lx, ly = np.log(xs[keep]), np.log(ys[keep])
    n = lx.size
    if n < 2 or np.ptp(lx) == 0:
        raise ValueError(f"a log-log fit needs two distinct positive x values, got {n} usable points")
    fit = stats.linregress(lx, ly)
    half = t975(n - 2) * float(fit.stderr) if n > 2 else math.nan
    r2 = float(fit.rvalue) ** 2 if np.ptp(ly) > 0 else 1.0
    return LogLogFit(float(fit.slope), float(fit.intercept), half, n, r2)


@dataclass(frozen=True)
class Exponent:
    """One fitted exponent of a power law and its 95 % interval."""
    name: str
    value: float
    low: float
    high: float

    def within(self, target: float, tolerance: float) -> bool:
        return abs(self.value - target) <= tolerance

    def describe(self, digits: int = 3) -> str:
        if not math.isfinite(self.low):
            return f"{self.value:.{digits}f}"
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


@dataclass(frozen=True)
class PowerLawFit:
    """log y = intercept + Σ exponent_k·log x_k, by ordinary least squares (statsmodels), with
    each exponent's 95 % interval (n − k − 1 dof)."""
    exponents: dict[str, Exponent]
    intercept: float
    n: int
    r2: float

    def __getitem__(self, name: str) -> Exponent:
        return self.exponents[name]

    def predict(self, regressors: Mapping[str, Sequence[float]]) -> np.ndarray:
        log_y = self.intercept + sum(e.value * np.log(np.asarray(regressors[k], dtype=float))
                                     for k, e in self.exponents.items())
        return np.exp(log_y)

    def describe(self) -> str:
        terms = ", ".join(f"{k}: {e.describe()}" for k, e in self.exponents.items())
        return f"{terms} (95 % CI; n = {self.n}, R² = {self.r2:.4f})"


def fit_power_law(y: Sequence[float], regressors: Mapping[str, Sequence[float]]) -> PowerLawFit:
    """Fit y = A·Π x_k^{b_k} through the points where y and every x_k are finite and positive.
    A regressor that never varies cannot be fitted: a ValueError names it."""
    ys = np.asarray(y, dtype=float)
    xs = {k: np.asarray(v, dtype=float) for k, v in regressors.items()}
    keep = np.isfinite(ys) & (ys > 0)
    for v in xs.values():
        keep &= np.isfinite(v) & (v > 0)
    for k, v in xs.items():
        if keep.sum() and np.ptp(np.log(v[keep])) == 0:
            raise ValueError(f"the power-law fit needs {k} to vary; it is {v[keep][0]:g} at every point")
    n, k = int(keep.sum()), len(xs)
    if n < k + 2:
        raise ValueError(f"a power law in {', '.join(xs)} needs at least {k + 2} usable points, got {n}")
    design = sm.add_constant(np.column_stack([np.log(v[keep]) for v in xs.values()]), has_constant="add")
    fit = sm.OLS(np.log(ys[keep]), design).fit()
    intervals = np.asarray(fit.conf_int(0.05))
    exponents = {name: Exponent(name, float(fit.params[i + 1]), float(intervals[i + 1, 0]),
                                float(intervals[i + 1, 1]))
                 for i, name in enumerate(xs)}
    r2 = float(fit.rsquared) if np.ptp(np.log(ys[keep])) > 0 else 1.0
    return PowerLawFit(exponents, float(fit.params[0]), n, r2)


def first_crossing(metrics: pd.DataFrame, target: float, column: str = "train_loss",
                   x: str = "step", at_least: bool = False) -> float:
    """x of the first metrics row whose `column` is at or below `target` (at or above it with
    `at_least`, for an accuracy); nan if none is."""
    values = metrics[column].to_numpy(dtype=float)
    reached = values >= target if at_least else values <= target
    hit = np.flatnonzero(np.isfinite(values) & reached)
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
    _summaries: dict[str, dict] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.path.resolve().name

    def ok_runs(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == STATUS_OK]

    def done_runs(self) -> pd.DataFrame:
        """Runs that finished: ok, or diverged (a result the claims must account for)."""
        return self.runs[self.runs["status"].isin(STATUS_DONE)]

    def incomplete(self, min_replicates: int = 1) -> list[str]:
        """What keeps this sweep from being complete, one line each: a run that errored (with its
        message), was interrupted or never ran, and a point with fewer replicates than
        `min_replicates`. Empty when complete."""
        problems = []
        for _, row in self.runs[~self.runs["status"].isin(STATUS_DONE)].iterrows():
            error = str(row.get("error", "") or "").strip()
            problems.append(f"run {row['run']} ({self.label(row)}): {row['status']}"
                            + (f": {error}" if error else ""))
        for point, group in self.runs.groupby("point"):
            if group["replicate"].nunique() < min_replicates:
                problems.append(f"point {point} ({self.label(group.iloc[0])}): "
                                f"{group['replicate'].nunique()} replicate(s), at least "
                                f"{min_replicates} planned")
        return problems

    def summary(self, row: pd.Series) -> dict:
        """summary.json of the run in this row of `runs` (read once; errors name the file)."""
        key = str(row["run"])
        if key not in self._summaries:
            path = self.run_path(row) / "summary.json"
            try:
                self._summaries[key] = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise SweepDataError(f"{path}: file not found") from None
            except (OSError, ValueError) as e:
                raise SweepDataError(f"{path}: malformed JSON: {e}") from None
        return self._summaries[key]

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
    for column in RUN_OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    numeric = [c for c in RUN_LEADING + RUN_FIGURES + RUN_OPTIONAL
               if c not in RUN_TEXT_COLUMNS and c != "seed"]
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
    optional = [f"{f}_{s}" for f in AGGREGATED_OPTIONAL for s in ("mean", "ci95")]
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    _to_numbers(frame, expected + optional, path)
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
