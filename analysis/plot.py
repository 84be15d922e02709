#!/usr/bin/python3
"""Plot convergence of one or more `sgdsim run` outputs against steps, simulated time and rounds.

usage: analysis/plot.py RUN_DIR... --out DIR [--labels L1,L2,...] [--title T]

Writes into DIR: convergence.png (2x3 grid), one PNG per panel, and summary.csv (one row per run).
The second row shows test accuracy, or grad_norm_sq when no run has test data.
Exit codes: 0 ok, 2 bad input (missing directory or file, malformed metrics.csv).
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

# Files only, no window, unless the caller chose a backend (a notebook's inline one).
if "MPLBACKEND" not in os.environ and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sgdsim_runs import Run, RunDataError, finite_or_none, load_runs, summary_interval  # noqa: E402

DPI = 120
SUMMARY_COLUMNS = (
    "label",
    "workers",
    "steps",
    "interval",
    "comm_rounds",
    "sim_time_s",
    "final_train_loss",
    "final_test_accuracy",
    "wall_time_s",
    "status",
    "run_dir",
)


@dataclass(frozen=True)
class Axis:
    column: str     # metrics.csv column
    slug: str       # file-name part
    label: str      # axis label, with unit


X_AXES = (
    Axis("step", "step", "Step (iterations)"),
    Axis("sim_time_s", "time", "Simulated time (s)"),
    Axis("comm_rounds", "rounds", "Communication rounds"),
)
LOSS = Axis("train_loss", "loss", "Training loss")
ACCURACY = Axis("test_accuracy", "accuracy", "Test accuracy")
GRAD_NORM = Axis("grad_norm_sq", "grad_norm", "Squared gradient norm ‖∇f‖²")


def legend_label(run: Run) -> str:
    if run.status in ("diverged", "interrupted"):
        return f"{run.label} ({run.status})"
    return run.label


def default_title(runs: list[Run]) -> str:
    names = list(dict.fromkeys(run.name for run in runs))
    title = ", ".join(names)
    return title if len(title) <= 90 else f"{names[0]} and {len(names) - 1} more"


def use_log_scale(runs: list[Run], y: Axis) -> bool:
    values = [run.finite_metrics()[y.column].to_numpy(dtype=float) for run in runs]
    values = np.concatenate(values) if values else np.array([])
    values = values[np.isfinite(values)]
    return values.size > 0 and bool((values > 0).all())


def draw_panel(ax, runs: list[Run], colors: list, x: Axis, y: Axis, log_y: bool,
               log_x: bool = False) -> None:
    for run, color in zip(runs, colors):
        data = run.finite_metrics()[[x.column, y.column]].dropna()
        if data.empty:
            continue  # e.g. a run without a test set in the accuracy row
        ax.plot(data[x.column], data[y.column], color=color, label=legend_label(run),
                marker="o" if len(data) <= 30 else None, markersize=3, linewidth=1.5)
        if run.diverged:
            ax.plot(data[x.column].iloc[-1], data[y.column].iloc[-1], color=color, marker="X",
                    markersize=9, linestyle="none")
    if log_y:
        ax.set_yscale("log")
    if log_x:  # symlog: linear below 1, so the row at 0 rounds stays on the axis
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)
    ax.set_xlabel(x.label)
    ax.set_ylabel(y.label)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.15)


def plot_all(runs: list[Run], out_dir: Path, title: str, log_rounds: bool = False) -> list[Path]:
    has_test = any(run.has_test_data for run in runs)
    rows = (LOSS, ACCURACY if has_test else GRAD_NORM)
    log_y = {y.column: y is not ACCURACY and use_log_scale(runs, y) for y in rows}
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colors = [cycle[i % len(cycle)] for i in range(len(runs))]
    written: list[Path] = []

    # Grid: one legend under all panels, since every run appears in the loss row.
    legend_columns = min(len(runs), 4)
    legend_rows = math.ceil(len(runs) / legend_columns)
    legend_height_in = 0.3 + 0.28 * legend_rows
    height_in = 8.0 + legend_height_in
    fig, axes = plt.subplots(2, 3, figsize=(16, height_in), squeeze=False)
    for r, y in enumerate(rows):
        for c, x in enumerate(X_AXES):
            draw_panel(axes[r][c], runs, colors, x, y, log_y[y.column],
                       log_rounds and x.column == "comm_rounds")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=legend_columns, frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, legend_height_in / height_in, 1, 1))
    written.append(out_dir / "convergence.png")
    fig.savefig(written[-1], dpi=DPI)
    plt.close(fig)

    for y in rows:
        for x in X_AXES:
            fig, ax = plt.subplots(figsize=(7, 4.8))
            draw_panel(ax, runs, colors, x, y, log_y[y.column],
                       log_rounds and x.column == "comm_rounds")
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="best", fontsize="small")
            ax.set_title(title)
            fig.tight_layout()
            written.append(out_dir / f"{y.slug}_vs_{x.slug}.png")
            fig.savefig(written[-1], dpi=DPI)
            plt.close(fig)
    return written


def write_summary_csv(runs: list[Run], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        for run in runs:
            s = run.summary
            last = run.metrics.iloc[-1]
            # Prefer summary.json; fall back to the last metrics row when it lacks a field.
            row = {
                "label": run.label,
                "workers": s.get("workers"),
                "steps": s.get("steps", int(last["step"])),
                "interval": summary_interval(s),
                "comm_rounds": s.get("comm_rounds", int(last["comm_rounds"])),
                "sim_time_s": s.get("sim_time_s", float(last["sim_time_s"])),
                "final_train_loss": s.get("final_train_loss", float(last["train_loss"])),
                "final_test_accuracy": s.get("final_test_accuracy"),
                "wall_time_s": s.get("wall_time_s"),
                "status": run.status,
                "run_dir": str(run.path),
            }
            writer.writerow({k: finite_or_none(v) for k, v in row.items()})
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Plot training loss and test accuracy (or gradient norm) of sgdsim runs "
        "against step, simulated time and communication rounds.")
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR",
                        help="output directory of `sgdsim run` (metrics.csv, summary.json)")
    parser.add_argument("--out", required=True, metavar="DIR", help="directory for PNGs and summary.csv")
    parser.add_argument("--labels", metavar="L1,L2,...",
                        help="comma-separated legend labels, one per RUN_DIR "
                        "(default: 'N={workers}, I={interval}')")
    parser.add_argument("--title", help="figure title (default: the scenario names)")
    parser.add_argument("--log-rounds", action="store_true",
                        help="logarithmic communication-rounds axis (for runs whose round counts "
                        "differ by orders of magnitude, e.g. gossip against local SGD)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    labels = [label.strip() for label in args.labels.split(",")] if args.labels else None
    try:
        runs = load_runs(args.run_dirs, labels)
    except RunDataError as e:
        print(f"plot.py: error: {e}", file=sys.stderr)
        return 2

    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = plot_all(runs, out_dir, args.title or default_title(runs), args.log_rounds)
        written.append(write_summary_csv(runs, out_dir / "summary.csv"))
    except OSError as e:
        print(f"plot.py: error: cannot write to {out_dir}: {e}", file=sys.stderr)
        return 1

    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
