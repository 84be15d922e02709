#!/usr/bin/python3
"""The paper's experiment in shape (scripts/paper-experiment): PR-SGD at several intervals I on
one network, compared in simulated wall-clock time and in communication rounds.

usage: analysis/paper_experiment.py SWEEP_DIR --out DIR [--target ACCURACY]

SWEEP_DIR is the output of `sgdsim sweep` on scenarios/paper/experiment/*.yaml (one run per
interval; with replicates, figures and table cells are means over them). Writes into DIR:
- test_loss_vs_time.png, test_loss_vs_rounds.png, accuracy_vs_time.png, accuracy_vs_rounds.png,
  loss_vs_time.png, loss_vs_rounds.png (training loss) and experiment.png (all six), one curve
  per interval;
- speedup.csv and speedup.md: per interval the simulated time (and step, rounds) to reach the
  target test accuracy, its speed-up over I = 1, total simulated time, rounds, bytes, final
  accuracy and loss, and the speed-up of the whole run over I = 1;
- report.md, tying the set-up, the table and the figures together.

The target, unless --target gives one: the best test accuracy that the worst run reaches, less one
percentage point, rounded down to 0.1 point, so that every run reaches it and the times measure
how fast each gets to a level all of them attain. A run that never reaches the target (possible
with --target) is reported as "not reached", without a speed-up.
Exit codes: 0 ok, 1 cannot write, 2 bad input (the message names the file).
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import matplotlib

# Files only, no window, unless the caller chose a backend (a notebook's inline one).
if "MPLBACKEND" not in os.environ and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sgdsim_runs import RunDataError  # noqa: E402
from sweep_plots import DPI, draw_curves, plot_curves, point_curves  # noqa: E402
from sweep_results import STATUS_DONE, Sweep, SweepDataError, first_crossing, load_sweep  # noqa: E402

# (metrics column, file-name part) of the figures; x axes: simulated time and rounds.
Y_AXES = (("test_loss", "test_loss"), ("test_accuracy", "accuracy"), ("train_loss", "loss"))
X_AXES = (("sim_time_s", "time"), ("comm_rounds", "rounds"))
TABLE_COLUMNS = (
    "schedule", "interval_used", "replicates", "status", "time_to_target_s", "step_to_target",
    "rounds_to_target", "speedup_to_target", "sim_time_s", "comm_rounds", "bytes_sent",
    "final_test_accuracy", "final_test_loss", "final_train_loss", "communication_fraction",
    "speedup_total",
)


@dataclass
class Schedule:
    """One grid point: an averaging schedule and its runs."""
    point: int
    label: str              # "I = 4", "theory (c_I = 8): I = 12"
    interval_used: float    # the I the runs used (nan when it varies)
    is_baseline: bool       # a fixed I = 1: mini-batch SGD, what speed-ups are measured against
    runs: pd.DataFrame      # its rows of runs.csv


def resolved_algorithm(sweep: Sweep, row: pd.Series) -> dict:
    scenario = sweep.summary(row).get("scenario") or {}
    algorithm = scenario.get("algorithm") if isinstance(scenario, dict) else None
    return algorithm if isinstance(algorithm, dict) else {}


def schedule_label(algorithm: dict, interval_used: float) -> str:
    used = f"{interval_used:g}" if math.isfinite(interval_used) else "?"
    if algorithm.get("interval") == "theory":
        constant = algorithm.get("interval_constant", 1)
        return f"theory (c_I = {constant:g}): I = {used}"
    return f"I = {used}"


def schedules(sweep: Sweep) -> list[Schedule]:
    done = sweep.runs[sweep.runs["status"].isin(STATUS_DONE)]
    if done.empty:
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: no run finished:\n  "
                             + "\n  ".join(sweep.incomplete()))
    result = []
    for point, group in sweep.runs.groupby("point", sort=True):
        finished = group[group["status"].isin(STATUS_DONE)]
        first = (finished if not finished.empty else group).iloc[0]
        algorithm = resolved_algorithm(sweep, first) if not finished.empty else {}
        used = finished["interval_used"].to_numpy(dtype=float)
        interval_used = float(used[0]) if used.size and np.all(used == used[0]) else math.nan
        label = schedule_label(algorithm, interval_used) if not finished.empty else sweep.label(first)
        baseline = algorithm.get("interval") == 1 or (
            not algorithm and interval_used == 1.0)
        result.append(Schedule(int(point), label, interval_used, bool(baseline), group))
    return sorted(result, key=lambda s: (s.label.startswith("theory"),
                                         s.interval_used if math.isfinite(s.interval_used) else math.inf))


def default_target(sweep: Sweep, plan: Sequence[Schedule]) -> float:
    """The best test accuracy the worst finished run reaches, less one point, rounded down to 0.1
    point."""
    best = []
    for schedule in plan:
        for _, row in schedule.runs[schedule.runs["status"].isin(STATUS_DONE)].iterrows():
            accuracy = sweep.metrics(row)["test_accuracy"].to_numpy(dtype=float)
            accuracy = accuracy[np.isfinite(accuracy)]
            if accuracy.size == 0:
                raise SweepDataError(f"{sweep.run_path(row) / 'metrics.csv'}: no test accuracy "
                                     "(the scenario has no test set)")
            best.append(float(accuracy.max()))
    return math.floor((min(best) - 0.01) * 1000 + 1e-9) / 1000


def mean_or_nan(values: Sequence[float]) -> float:
    values = [float(v) for v in values]
    return float(np.mean(values)) if values and all(math.isfinite(v) for v in values) else math.nan


def speedup_table(sweep: Sweep, plan: Sequence[Schedule], target: float) -> pd.DataFrame:
    """One row per schedule (TABLE_COLUMNS). Times to target are the first measurement at or
    above `target`; with replicates, means over them (nan unless every replicate reaches it)."""
    rows = []
    for schedule in plan:
        done = schedule.runs[schedule.runs["status"].isin(STATUS_DONE)]
        hits = {"sim_time_s": [], "step": [], "comm_rounds": []}
        for _, row in done.iterrows():
            metrics = sweep.metrics(row)
            for x in hits:
                hits[x].append(first_crossing(metrics, target, "test_accuracy", x, at_least=True))
        statuses = sorted(set(schedule.runs["status"]))
        row = {"schedule": schedule.label, "interval_used": schedule.interval_used,
               "replicates": len(done), "status": "/".join(statuses),
               "time_to_target_s": mean_or_nan(hits["sim_time_s"]),
               "step_to_target": mean_or_nan(hits["step"]),
               "rounds_to_target": mean_or_nan(hits["comm_rounds"])}
        for figure in ("sim_time_s", "comm_rounds", "bytes_sent", "final_test_accuracy",
                       "final_test_loss", "final_train_loss", "communication_fraction"):
            row[figure] = mean_or_nan(done[figure].to_numpy(dtype=float)) if len(done) else math.nan
        row["baseline"] = schedule.is_baseline
        rows.append(row)
    table = pd.DataFrame(rows)
    base = table[table["baseline"]]
    base_target = float(base["time_to_target_s"].iloc[0]) if len(base) else math.nan
    base_total = float(base["sim_time_s"].iloc[0]) if len(base) else math.nan
    table["speedup_to_target"] = base_target / table["time_to_target_s"]
    table["speedup_total"] = base_total / table["sim_time_s"]
    return table


def _cell(value, digits: int = 4) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{digits}g}"


def write_table_csv(table: pd.DataFrame, path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(TABLE_COLUMNS)
        for _, row in table.iterrows():
            writer.writerow([_cell(row[c], 12) for c in TABLE_COLUMNS])
    return path


def markdown_table(table: pd.DataFrame, target: float) -> str:
    header = (f"| schedule | time to {100 * target:.1f} % (s) | step | rounds | speed-up to target "
              "| total time (s) | rounds | bytes sent | final test accuracy | final test loss "
              "| comm. share | speed-up, whole run |")
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for _, r in table.iterrows():
        reached = math.isfinite(r["time_to_target_s"])
        lines.append(" | ".join([
            f"| {r['schedule']}" + ("" if r["status"] == "ok" else f" ({r['status']})"),
            f"{r['time_to_target_s']:.4g}" if reached else "not reached",
            _cell(r["step_to_target"]) if reached else "—",
            _cell(r["rounds_to_target"]) if reached else "—",
            f"{r['speedup_to_target']:.2f}×" if math.isfinite(r["speedup_to_target"]) else "—",
            f"{r['sim_time_s']:.4g}", _cell(r["comm_rounds"]), f"{r['bytes_sent'] / 1e9:.3g} GB",
            f"{100 * r['final_test_accuracy']:.2f} %", f"{r['final_test_loss']:.4f}",
            f"{100 * r['communication_fraction']:.1f} %",
            f"{r['speedup_total']:.2f}×" if math.isfinite(r["speedup_total"]) else "—"]) + " |")
    return "\n".join(lines)


def plot_figures(sweep: Sweep, plan: Sequence[Schedule], out: Path, title: str) -> list[Path]:
    labels = {s.point: s.label for s in plan}
    label = lambda row: labels[int(row["point"])]  # noqa: E731
    written = []
    fig, axes = plt.subplots(len(Y_AXES), len(X_AXES), figsize=(12, 12), squeeze=False)
    for r, (y, y_slug) in enumerate(Y_AXES):
        for c, (x, x_slug) in enumerate(X_AXES):
            curves = point_curves(sweep, x, y, label=label)
            log_y = y != "test_accuracy"
            log_x = x == "comm_rounds"  # I = 1 takes 16× the rounds of I = 16
            written.append(plot_curves(curves, x, y, out / f"{y_slug}_vs_{x_slug}.png", title,
                                       log_y=log_y, log_x=log_x))
            draw_curves(axes[r][c], curves, x, y, log_y=log_y, log_x=log_x)
    handles, legend_labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="lower center", ncol=len(plan), frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    written.insert(0, out / "experiment.png")
    fig.savefig(written[0], dpi=DPI)
    plt.close(fig)
    return written


def describe_setup(sweep: Sweep, plan: Sequence[Schedule]) -> list[str]:
    done = sweep.runs[sweep.runs["status"].isin(STATUS_DONE)]
    scenario = sweep.summary(done.iloc[0]).get("scenario") or {}
    algorithm = scenario.get("algorithm") or {}
    model = (scenario.get("model") or {}).get("kind", "?")
    data = scenario.get("data") or {}
    compute = scenario.get("compute") or {}
    network = scenario.get("network") or {}
    lines = [
        f"- Model **{model}** on **{data.get('kind', '?')}** ({data.get('partition', '?')} shards"
        + (f", augmentation {data['augment']}" if data.get("augment") else "") + ").",
        f"- N = {scenario.get('workers', '?')} workers, T = {scenario.get('steps', '?')} local "
        f"steps each, batch {algorithm.get('batch_size', '?')} per worker, "
        f"{algorithm.get('optimizer', 'sgd')} with momentum {algorithm.get('momentum', 0)}, "
        f"γ = {algorithm.get('lr', '?')}, weight decay {algorithm.get('weight_decay', 0)}, "
        f"schedule {(algorithm.get('lr_schedule') or {}).get('kind', 'constant')}.",
    ]
    if compute.get("kind") == "flops":
        lines.append(f"- Compute: the model's counted FLOPs at {float(compute['flops_per_second']):.3g} "
                     f"FLOP/s × efficiency {compute.get('efficiency')}.")
    else:
        lines.append(f"- Compute: {compute}.")
    lines.append(f"- Network: {network.get('topology', 'switch')}, "
                 f"{network.get('bandwidth', '?')}, latency {network.get('latency', '?')}, "
                 f"{network.get('collective', '?')}.")
    theory = [s for s in plan if s.label.startswith("theory")]
    for s in theory:
        lines.append(f"- The theory interval I = ⌊c_I·T^{{1/4}}/N^{{3/4}}⌋ resolved to "
                     f"**I = {s.interval_used:g}** ({s.label.split(':')[0]}).")
    return lines


def findings(table: pd.DataFrame, target: float) -> list[str]:
    lines = []
    reached = table[np.isfinite(table["time_to_target_s"].to_numpy(dtype=float))]
    missed = table[~np.isfinite(table["time_to_target_s"].to_numpy(dtype=float))]
    if not reached.empty:
        fastest = reached.loc[reached["time_to_target_s"].idxmin()]
        lines.append(f"- Fastest to {100 * target:.1f} % test accuracy in simulated time: "
                     f"**{fastest['schedule']}**, {fastest['time_to_target_s']:.4g} s"
                     + (f" ({fastest['speedup_to_target']:.2f}× I = 1)"
                        if math.isfinite(fastest["speedup_to_target"]) else "") + ".")
    for _, r in missed.iterrows():
        lines.append(f"- **{r['schedule']}** never reached {100 * target:.1f} % (final "
                     f"{100 * r['final_test_accuracy']:.2f} %).")
    base = table[table["baseline"]]
    if not base.empty:
        b = base.iloc[0]
        for _, r in table[~table["baseline"]].iterrows():
            delta = 100 * (r["final_test_accuracy"] - b["final_test_accuracy"])
            lines.append(f"- {r['schedule']}: final test accuracy {delta:+.2f} points against "
                         f"I = 1, test loss {r['final_test_loss'] - b['final_test_loss']:+.4f}, "
                         f"{b['comm_rounds'] / r['comm_rounds']:.3g}× fewer rounds, whole run "
                         f"{r['speedup_total']:.2f}× faster.")
    else:
        lines.append("- No run with a fixed I = 1: speed-ups are not defined.")
    return lines


def experiment_name(sweep: Sweep) -> str:
    """The scenario's name (the sweep directory's when the summary has none)."""
    done = sweep.runs[sweep.runs["status"].isin(STATUS_DONE)]
    return str(sweep.summary(done.iloc[0]).get("name") or sweep.name)


def measurement_note(sweep: Sweep) -> str:
    done = sweep.runs[sweep.runs["status"].isin(STATUS_DONE)]
    every = ((sweep.summary(done.iloc[0]).get("scenario") or {}).get("eval") or {}).get("every")
    return f"every {every} steps" if every else "at the measured steps"


def write_report(sweep: Sweep, plan: Sequence[Schedule], table: pd.DataFrame, target: float,
                 target_rule: str, figures: Sequence[Path], out: Path) -> Path:
    problems = sweep.incomplete()
    text = [f"# The paper's experiment: {experiment_name(sweep)}", "",
            "PR-SGD (Yu, Yang & Zhu, AAAI 2019) at several averaging intervals I on one network; "
            "simulated wall-clock time from sgdsim's compute and network models. Sweep: "
            f"`{sweep.path}`.", "", "## Set-up", "", *describe_setup(sweep, plan), "",
            "## Speed-up", "", f"Target test accuracy **{100 * target:.1f} %**: {target_rule}. "
            "Speed-ups are I = 1's simulated time over each schedule's (to the target; for the "
            "whole run of T steps). Also in `speedup.csv`. Times to the target are those of the "
            f"first measurement at or above it ({measurement_note(sweep)}), so they are as coarse "
            "as the measurements.", "", markdown_table(table, target), "",
            *findings(table, target), ""]
    if problems:
        text += ["## Incomplete", "", *[f"- {p}" for p in problems], ""]
    text += ["## Figures", "", "One curve per interval; training loss on the fixed sample of "
             "training images the scenario measures, test loss and accuracy on the whole test "
             "set, all of the averaged model x̄.", ""]
    text += [f"![{p.stem}]({p.name})" for p in figures]
    path = out / "report.md"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Figures, speed-up table and report of scripts/paper-experiment's sweep.")
    parser.add_argument("sweep_dir", metavar="SWEEP_DIR")
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--target", type=float, metavar="ACCURACY",
                        help="target test accuracy in [0, 1] (default: the best accuracy the "
                        "worst run reaches, less one point, rounded down to 0.1 point)")
    args = parser.parse_args(argv)
    if args.target is not None and not 0.0 <= args.target <= 1.0:
        parser.error(f"--target must be an accuracy in [0, 1], got {args.target}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    try:
        sweep = load_sweep(args.sweep_dir)
        plan = schedules(sweep)
        if args.target is None:
            target = default_target(sweep, plan)
            rule = ("the best test accuracy the worst run reaches, less one percentage point, "
                    "rounded down to 0.1 point, so that every run reaches it")
        else:
            target, rule = args.target, "given with --target"
        table = speedup_table(sweep, plan, target)
        out.mkdir(parents=True, exist_ok=True)
        figures = plot_figures(sweep, plan, out, experiment_name(sweep))
        written = [*figures, write_table_csv(table, out / "speedup.csv")]
        md = out / "speedup.md"
        md.write_text(markdown_table(table, target) + "\n", encoding="utf-8")
        written += [md, write_report(sweep, plan, table, target, rule, figures, out)]
    except RunDataError as e:
        print(f"paper_experiment.py: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"paper_experiment.py: error: cannot write to {out}: {e}", file=sys.stderr)
        return 1
    print(markdown_table(table, target))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
