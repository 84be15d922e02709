#!/usr/bin/python3
"""Plots of `sgdsim sweep` results: convergence curves with 95 % bands, log-log scaling with the
fitted slope, speed-up against N with the ideal line, and heatmaps over two swept keys.

usage:
  analysis/sweep_plots.py curves  SWEEP_DIR --out DIR [--y COLUMN] [--where KEY=VALUE ...]
      loss (or COLUMN) against communication rounds, simulated time and step, one curve per grid
      point, mean ± 95 % CI over its replicates (files: <y>_vs_rounds.png, _vs_time.png, _vs_step.png)
  analysis/sweep_plots.py scaling SWEEP_DIR --x KEY --out FILE [--y FIGURE] [--by KEY]
      FIGURE (runs.csv column, default comm_rounds) against the swept KEY on log-log axes, one
      series per value of --by, each with its least-squares slope and 95 % interval
  analysis/sweep_plots.py speedup SWEEP_DIR --target LOSS --out FILE [--workers-key KEY] [--by KEY]
      [--x step|sim_time_s]: time to reach training loss LOSS at N = 1 over that at N, with the
      ideal line y = N
  analysis/sweep_plots.py heatmap SWEEP_DIR --rows KEY --cols KEY --out FILE
      [--value final_train_loss|time_to_target|FIGURE] [--target LOSS]

The library functions (draw_curves, plot_curves, plot_loglog, plot_speedup, plot_heatmap) are
what analysis/paper_claims.py uses. Exit codes: 0 ok, 1 cannot write, 2 bad input (the message
names the file).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

# Files only, no window, unless the caller chose a backend (a notebook's inline one).
if "MPLBACKEND" not in os.environ and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_results import (  # noqa: E402
    LogLogFit, Sweep, SweepDataError, fit_loglog, first_crossing, load_sweep, mean_ci95,
    mean_curve, numeric_key,
)
from sgdsim_runs import RunDataError  # noqa: E402

DPI = 120
X_AXES = {  # metrics.csv column → (file-name part, axis label)
    "comm_rounds": ("rounds", "Communication rounds"),
    "sim_time_s": ("time", "Simulated time (s)"),
    "step": ("step", "Step (iterations)"),
}
Y_LABELS = {
    "train_loss": "Training loss",
    "grad_norm_sq": "Squared gradient norm ‖∇f(x̄)‖²",
    "test_loss": "Test loss",
    "test_accuracy": "Test accuracy",
}


@dataclass
class Curve:
    label: str
    data: pd.DataFrame      # columns: x column, y_mean, y_ci95, n (see sweep_results.mean_curve)
    replicates: int


def point_curves(sweep: Sweep, x: str, y: str, points: Sequence[int] | None = None,
                 label=None) -> list[Curve]:
    """One Curve per grid point (ok runs only), mean ± CI over its replicates."""
    runs = sweep.runs[sweep.runs["status"].isin(["ok", "diverged"])]
    curves = []
    for point, group in runs.groupby("point", sort=True):
        if points is not None and point not in points:
            continue
        frames = [sweep.metrics(row) for _, row in group.iterrows()]
        first = group.iloc[0]
        text = label(first) if label else sweep.label(first)
        curves.append(Curve(text, mean_curve(frames, x, y), len(frames)))
    return curves


def draw_curves(ax, curves: Sequence[Curve], x: str, y: str, log_y: bool = False,
                log_x: bool = False) -> None:
    """Mean lines with shaded 95 % bands where a curve has replicates."""
    for i, curve in enumerate(curves):
        d = curve.data
        if d.empty:
            continue
        color = f"C{i % 10}"
        ax.plot(d[x], d["y_mean"], color=color, linewidth=1.5,
                label=f"{curve.label} (n={curve.replicates})" if curve.replicates > 1 else curve.label)
        band = d["y_ci95"].to_numpy(dtype=float)
        if np.isfinite(band).any():
            band = np.nan_to_num(band)
            lower = d["y_mean"] - band
            if log_y:
                lower = np.maximum(lower, d["y_mean"] * 1e-3)
            ax.fill_between(d[x], lower, d["y_mean"] + band, color=color, alpha=0.2, linewidth=0)
    if log_y:
        ax.set_yscale("log")
    if log_x:
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)
    ax.set_xlabel(X_AXES.get(x, (x, x))[1])
    ax.set_ylabel(Y_LABELS.get(y, y))
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.15)


def save_figure(fig, ax, path: Path, title: str, legend: bool) -> Path:
    """Legend (when anything is labelled), title, tight layout; writes `path` and closes."""
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def plot_curves(curves: Sequence[Curve], x: str, y: str, path: Path, title: str,
                log_y: bool | None = None, log_x: bool = False) -> Path:
    if log_y is None:
        values = np.concatenate([c.data["y_mean"].to_numpy(dtype=float) for c in curves] or [np.array([])])
        values = values[np.isfinite(values)]
        log_y = y != "test_accuracy" and values.size > 0 and bool((values > 0).all())
    fig, ax = plt.subplots(figsize=(7, 4.8))
    draw_curves(ax, curves, x, y, log_y=log_y, log_x=log_x)
    return save_figure(fig, ax, path, title, legend=True)


@dataclass
class Series:
    label: str
    x: np.ndarray
    y: np.ndarray
    y_ci95: np.ndarray | None = None   # error bars (nan or None: none)
    fit: LogLogFit | None = None


def plot_loglog(series: Sequence[Series], path: Path, title: str, xlabel: str, ylabel: str,
                reference: Mapping[str, float] | None = None) -> Path:
    """Points (with error bars) and their fitted power laws on log-log axes; `reference` draws
    dashed lines of the given slopes through each series' first point ({label: slope})."""
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for i, s in enumerate(series):
        color = f"C{i % 10}"
        label = s.label if s.fit is None else f"{s.label}: slope {s.fit.describe()}"
        yerr = None
        if s.y_ci95 is not None and np.isfinite(s.y_ci95).any():
            yerr = np.nan_to_num(np.asarray(s.y_ci95, dtype=float))
        ax.errorbar(s.x, s.y, yerr=yerr, color=color, marker="o", linestyle="none",
                    markersize=5, capsize=3, label=label)
        if s.fit is not None:
            xs = np.geomspace(np.nanmin(s.x), np.nanmax(s.x), 50)
            ax.plot(xs, s.fit.predict(xs), color=color, linewidth=1.2)
    for j, (label, slope) in enumerate((reference or {}).items()):
        s = series[0]
        ok = np.isfinite(s.y) & (s.y > 0)
        if not ok.any():
            continue
        x0, y0 = s.x[ok][0], s.y[ok][0]
        xs = np.geomspace(np.nanmin(s.x), np.nanmax(s.x), 50)
        ax.plot(xs, y0 * (xs / x0) ** slope, color="grey", linestyle=("--", ":", "-.")[j % 3],
                linewidth=1, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.15)
    return save_figure(fig, ax, path, title, legend=True)


def plot_speedup(series: Sequence[Series], path: Path, title: str,
                 ylabel: str = "Speed-up over one worker") -> Path:
    """Speed-up against N on log2 axes, with error bars and the ideal line y = N."""
    fig, ax = plt.subplots(figsize=(7, 4.8))
    all_n = np.concatenate([s.x for s in series]) if series else np.array([1.0])
    ns = np.unique(all_n[np.isfinite(all_n) & (all_n > 0)])
    ax.plot(ns, ns, color="grey", linestyle="--", linewidth=1, label="ideal (linear)")
    for i, s in enumerate(series):
        yerr = None
        if s.y_ci95 is not None and np.isfinite(s.y_ci95).any():
            yerr = np.nan_to_num(np.asarray(s.y_ci95, dtype=float))
        ax.errorbar(s.x, s.y, yerr=yerr, color=f"C{i % 10}", marker="o", capsize=3,
                    linewidth=1.5, label=s.label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("Workers N")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.4)
    return save_figure(fig, ax, path, title, legend=True)


def plot_heatmap(table: pd.DataFrame, path: Path, title: str, row_label: str, col_label: str,
                 value_label: str, fmt: str = "{:.3g}", log_color: bool = False) -> Path:
    """A rows × columns table (index and columns as labels) as a heatmap, each cell annotated;
    nan cells are left blank (e.g. the target never reached)."""
    values = table.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * values.shape[1] + 2.5),
                                    max(3.5, 0.55 * values.shape[0] + 1.8)))
    finite_values = values[np.isfinite(values)]
    norm = None
    if log_color and finite_values.size and (finite_values > 0).all():
        norm = matplotlib.colors.LogNorm(vmin=finite_values.min(), vmax=finite_values.max())
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="viridis", norm=norm)
    fig.colorbar(image, ax=ax, label=value_label)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in table.index])
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    if finite_values.size:
        middle = np.median(finite_values)
        for r in range(values.shape[0]):
            for c in range(values.shape[1]):
                v = values[r, c]
                text = fmt.format(v) if math.isfinite(v) else "—"
                ax.text(c, r, text, ha="center", va="center", fontsize=7,
                        color="black" if math.isfinite(v) and v > middle else "white")
    return save_figure(fig, ax, path, title, legend=False)


# ---- sweep-level helpers behind the CLI -------------------------------------------------------

def time_to_target(sweep: Sweep, target: float, x: str = "step") -> pd.DataFrame:
    """Per ok run: run, point, replicate, the swept keys and `to_target` (x of the first metrics
    row with train_loss ≤ target; nan if never)."""
    rows = []
    for _, row in sweep.ok_runs().iterrows():
        record = {k: row[k] for k in ("run", "point", "replicate", *sweep.keys)}
        record["n_workers"] = row["n_workers"]
        record["to_target"] = first_crossing(sweep.metrics(row), target, x=x)
        rows.append(record)
    return pd.DataFrame(rows)


def _sort_key_values(values) -> list:
    numbers = pd.to_numeric(pd.Series(list(values)), errors="coerce")
    return [v for _, v in sorted(zip(numbers.fillna(np.inf), values), key=lambda p: (p[0], str(p[1])))]


def heatmap_table(sweep: Sweep, rows: str, cols: str, value: str, target: float | None) -> pd.DataFrame:
    for key in (rows, cols):
        if key not in sweep.keys:
            raise SweepDataError(f"{sweep.path / 'runs.csv'}: '{key}' is not a swept key "
                                 f"(swept: {', '.join(sweep.keys)})")
    if value == "time_to_target":
        if target is None:
            raise SweepDataError("--value time_to_target needs --target")
        per_run = time_to_target(sweep, target)
        cell = per_run.groupby([rows, cols])["to_target"].agg(
            lambda v: mean_ci95(v)[0] if np.isfinite(v).all() else math.nan)
    else:
        column = f"{value}_mean"
        if column not in sweep.aggregate.columns:
            raise SweepDataError(f"{sweep.path / 'aggregate.csv'}: no column '{column}'")
        cell = sweep.aggregate.groupby([rows, cols])[column].first()
    table = cell.unstack(cols)
    table = table.reindex(index=_sort_key_values(table.index), columns=_sort_key_values(table.columns))
    return table


def scaling_series(sweep: Sweep, x_key: str, y: str, by: str | None) -> list[Series]:
    runs = sweep.ok_runs()
    if x_key not in sweep.keys and x_key not in runs.columns:
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: no column '{x_key}'")
    if y not in runs.columns:
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: no column '{y}'")
    groups = runs.groupby(by, sort=False) if by else [("all", runs)]
    series = []
    for value, group in groups:
        xs = numeric_key(group[x_key]).to_numpy(dtype=float)
        ys = group[y].to_numpy(dtype=float)
        means = pd.DataFrame({"x": xs, "y": ys}).groupby("x")["y"].agg(list)
        x_mean = means.index.to_numpy(dtype=float)
        stats = [mean_ci95(v) for v in means]
        y_mean = np.array([s[0] for s in stats])
        y_ci = np.array([s[1] for s in stats])
        try:
            fit = fit_loglog(xs, ys)
        except ValueError:
            fit = None
        series.append(Series(f"{by}={value}" if by else y, x_mean, y_mean, y_ci, fit))
    return series


def speedup_series(sweep: Sweep, target: float, workers_key: str, by: str | None,
                   x: str) -> list[Series]:
    per_run = time_to_target(sweep, target, x=x)
    if per_run.empty:
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: no ok runs")
    per_run["N"] = numeric_key(per_run[workers_key]) if workers_key in per_run else per_run["n_workers"]
    groups = per_run.groupby(by, sort=False) if by else [("all", per_run)]
    series = []
    for value, group in groups:
        base = group[group["N"] == 1]
        if base.empty:
            raise SweepDataError(f"{sweep.path / 'runs.csv'}: no N = 1 run to measure speed-up against")
        base_time = base.groupby("replicate")["to_target"].first()
        ns, means, cis = [], [], []
        for n, at_n in group.groupby("N", sort=True):
            ratios = [base_time.get(r, math.nan) / t for r, t in zip(at_n["replicate"], at_n["to_target"])]
            mean, half = mean_ci95(ratios)
            ns.append(n), means.append(mean), cis.append(half)
        series.append(Series(f"{by}={value}" if by else "measured", np.array(ns, dtype=float),
                             np.array(means), np.array(cis)))
    return series


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Plot the results of `sgdsim sweep`.")
    sub = parser.add_subparsers(dest="command", required=True)

    curves = sub.add_parser("curves", help="curves per grid point with 95 %% bands")
    curves.add_argument("sweep_dir", metavar="SWEEP_DIR")
    curves.add_argument("--out", required=True, metavar="DIR")
    curves.add_argument("--y", default="train_loss", choices=sorted(Y_LABELS))
    curves.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                        help="keep only points whose swept KEY has VALUE (repeatable)")

    scaling = sub.add_parser("scaling", help="log-log plot of a figure against a swept key, with fits")
    scaling.add_argument("sweep_dir", metavar="SWEEP_DIR")
    scaling.add_argument("--x", required=True, metavar="KEY")
    scaling.add_argument("--y", default="comm_rounds", metavar="FIGURE")
    scaling.add_argument("--by", metavar="KEY")
    scaling.add_argument("--out", required=True, metavar="FILE")

    speedup = sub.add_parser("speedup", help="time-to-target speed-up against N")
    speedup.add_argument("sweep_dir", metavar="SWEEP_DIR")
    speedup.add_argument("--target", required=True, type=float, metavar="LOSS")
    speedup.add_argument("--workers-key", default="workers", metavar="KEY")
    speedup.add_argument("--by", metavar="KEY")
    speedup.add_argument("--x", default="step", choices=["step", "sim_time_s"])
    speedup.add_argument("--out", required=True, metavar="FILE")

    heatmap = sub.add_parser("heatmap", help="a figure over two swept keys")
    heatmap.add_argument("sweep_dir", metavar="SWEEP_DIR")
    heatmap.add_argument("--rows", required=True, metavar="KEY")
    heatmap.add_argument("--cols", required=True, metavar="KEY")
    heatmap.add_argument("--value", default="final_train_loss")
    heatmap.add_argument("--target", type=float, metavar="LOSS")
    heatmap.add_argument("--out", required=True, metavar="FILE")
    return parser.parse_args(argv)


def run_command(args: argparse.Namespace) -> list[Path]:
    sweep = load_sweep(args.sweep_dir)
    title = sweep.name
    if args.command == "curves":
        points = None
        for condition in args.where:
            key, _, value = condition.partition("=")
            if key not in sweep.keys:
                raise SweepDataError(f"{sweep.path / 'runs.csv'}: --where: '{key}' is not a swept key "
                                     f"(swept: {', '.join(sweep.keys)})")
            match = set(sweep.runs.loc[sweep.runs[key] == value, "point"])
            points = match if points is None else points & match
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        slug = {"train_loss": "loss", "grad_norm_sq": "grad_norm", "test_loss": "test_loss",
                "test_accuracy": "accuracy"}[args.y]
        for x, (x_slug, _) in X_AXES.items():
            curves = point_curves(sweep, x, args.y, points)
            written.append(plot_curves(curves, x, args.y, out / f"{slug}_vs_{x_slug}.png", title))
        return written
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.command == "scaling":
        series = scaling_series(sweep, args.x, args.y, args.by)
        return [plot_loglog(series, out, title, args.x, args.y)]
    if args.command == "speedup":
        series = speedup_series(sweep, args.target, args.workers_key, args.by, args.x)
        return [plot_speedup(series, out, f"{title}: to train loss ≤ {args.target:g}")]
    table = heatmap_table(sweep, args.rows, args.cols, args.value, args.target)
    return [plot_heatmap(table, out, title, args.rows, args.cols, args.value)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        written = run_command(args)
    except RunDataError as e:
        print(f"sweep_plots.py: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"sweep_plots.py: error: cannot write: {e}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
