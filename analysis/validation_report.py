#!/usr/bin/python3
"""The timing validation's report: simulated against measured times (scripts/validate-timing).

    validation_report.compare(measured_summary, simulated_summary) -> dict of one row's figures
    validation_report.write_report(out_dir, elapsed_s)  # reads out_dir/runs.csv

write_report writes report.md (targets, per-configuration table, speed-ups of each interval over
I = 1, calibrations) and predicted_vs_measured.png (log-log, y = x, one marker per
configuration). Errors are (simulated − measured) / measured.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

# Files only, no window, unless the caller chose a backend (a notebook's inline one).
if "MPLBACKEND" not in os.environ and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

RUN_COLUMNS = ["network", "ranks", "compute", "interval", "emulated", "status", "measured_s",
               "simulated_s", "error", "measured_comm_s", "simulated_comm_s", "measured_idle_s",
               "simulated_idle_s", "rounds"]
TARGET_MAE, TARGET_WORST, TARGET_SPEEDUP = 0.03, 0.10, 0.05


def compare(measured: dict, simulated: dict) -> dict:
    """One configuration's figures; communication and idle time are per worker (mean)."""
    workers = measured["workers"]
    m, s = measured["sim_time_s"], simulated["sim_time_s"]
    return {
        "measured_s": m,
        "simulated_s": s,
        "error": (s - m) / m,
        "measured_comm_s": measured["communication_time_s"] / workers,
        "simulated_comm_s": simulated["communication_time_s"] / workers,
        "measured_idle_s": measured["idle_time_s"] / workers,
        "simulated_idle_s": simulated["idle_time_s"] / workers,
        "rounds": measured["comm_rounds"],
    }


def speedups(runs: pd.DataFrame) -> pd.DataFrame:
    """Per (network, ranks, compute): each interval's wall-clock speed-up over I = 1."""
    rows = []
    for (network, ranks, compute), group in runs.groupby(["network", "ranks", "compute"],
                                                         sort=False):
        base = group[group["interval"] == 1]
        if base.empty:
            continue
        m1, s1 = base["measured_s"].iloc[0], base["simulated_s"].iloc[0]
        best = group.loc[(m1 / group["measured_s"]).idxmax(), "interval"]
        for _, r in group.iterrows():
            measured, predicted = m1 / r["measured_s"], s1 / r["simulated_s"]
            rows.append({"network": network, "ranks": ranks, "compute": compute,
                         "interval": r["interval"], "measured": measured, "predicted": predicted,
                         "error": predicted / measured - 1, "best": r["interval"] == best})
    return pd.DataFrame(rows)


def _payload_bytes(out: Path) -> float | None:
    for path in sorted(out.glob("runs/*/real/summary.json")):
        try:
            return float(json.loads(path.read_text())["payload_bytes"])
        except (OSError, ValueError, KeyError):
            continue
    return None


def _near_payload(csv_path: Path, payload: float | None) -> str:
    """The prediction's error at the measured sizes on either side of the runs' payload."""
    if payload is None or not csv_path.exists():
        return ""
    points = pd.read_csv(csv_path)
    below = points[points["bytes"] <= payload].tail(1)
    above = points[points["bytes"] > payload].head(1)
    return ", ".join(f"{_size(str(r.bytes))}: {100 * r.error:+.1f} %"
                     for r in pd.concat([below, above]).itertuples())


def calibration_lines(out: Path) -> list[str]:
    payload = _payload_bytes(out)
    lines = ["| calibration | bands (up to: latency, bandwidth) | fit | check, all sizes | "
             "check beside the runs' payload |", "|---|---|---|---|---|"]
    for path in sorted((out / "calibration").glob("*.yaml")):
        text = path.read_text()
        fit = re.search(r"Fit: (R\^2 of log\(time\) [0-9.]+); largest residual ([0-9.]+ %)", text)
        check = re.search(r"predicts every measured size within ([0-9.]+ %)", text)
        bands = re.findall(r"- \{(?:up_to: ([0-9.e+]+)B, )?latency: ([^,]+), bandwidth: ([^}]+)\}",
                           text)
        shown = "; ".join(f"{'≤ ' + _size(u) if u else 'rest'}: {lat}, {_rate(bw)}"
                          for u, lat, bw in bands)
        near = _near_payload(path.with_suffix("").with_suffix(".allreduce.csv"), payload)
        lines.append(f"| {path.stem} | {shown} | {fit.group(1) + ', worst ' + fit.group(2) if fit else ''} "
                     f"| {check.group(1) if check else ''} | {near} |")
    return lines


def _size(text: str) -> str:
    b = float(text)
    return f"{b / 1e6:.3g} MB" if b >= 1e6 else f"{b / 1e3:.3g} kB" if b >= 1e3 else f"{b:.0f} B"


def _rate(text: str) -> str:
    gb = float(text.replace("GB/s", ""))
    return "no slope" if gb >= 1e8 else f"{gb * 8:.4g} Gbit/s"


def _environment() -> str:
    try:
        mpi = subprocess.run(["mpirun", "--version"], capture_output=True, text=True).stdout
        mpi = mpi.splitlines()[0] if mpi else "unknown"
    except OSError:
        mpi = "not found"
    return (f"{platform.node()}, {os.cpu_count()} cores, Linux {platform.release()}, {mpi}, "
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")


def plot(runs: pd.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 6))
    markers = {"shm": "o", "1gbit": "s", "100mbit": "^"}
    colors = {2: "tab:blue", 4: "tab:orange", 8: "tab:green"}
    for (network, ranks), g in runs.groupby(["network", "ranks"], sort=False):
        ax.scatter(g["measured_s"], g["simulated_s"], marker=markers.get(network, "x"),
                   color=colors.get(ranks, "gray"), label=f"{network}, R = {ranks}", s=28,
                   alpha=0.8)
    lo = min(runs["measured_s"].min(), runs["simulated_s"].min()) * 0.8
    hi = max(runs["measured_s"].max(), runs["simulated_s"].max()) * 1.25
    ax.plot([lo, hi], [lo, hi], "k-", lw=0.8, label="y = x")
    for f in (0.9, 1.1):
        ax.plot([lo, hi], [lo * f, hi * f], "k:", lw=0.6)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("measured wall-clock time of the run (s)")
    ax.set_ylabel("simulated time (s)")
    ax.set_title("sgdsim: simulated vs measured (dotted: ±10 %)")
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(out: Path, elapsed_s: float) -> dict:
    """Writes report.md and the plot; returns the headline figures."""
    out = Path(out)
    all_runs = pd.read_csv(out / "runs.csv")
    runs = all_runs[all_runs["status"] == "ok"].copy()
    failed = all_runs[all_runs["status"] != "ok"]
    abs_error = runs["error"].abs()
    mae, worst_i = abs_error.mean(), abs_error.idxmax()
    worst = runs.loc[worst_i]
    sp = speedups(runs)
    best = sp[sp["best"]]
    best_worst = best["error"].abs().max() if not best.empty else float("nan")
    figures = {"configurations": len(runs), "failed": len(failed), "mae": mae,
               "worst": abs_error.max(), "best_speedup_worst_error": best_worst}
    verdict = lambda ok: "PASS" if ok else "MISS"  # noqa: E731
    lines = [
        "# Timing validation: simulated against measured",
        "",
        f"Written by `scripts/validate-timing` in {elapsed_s / 60:.1f} min on {_environment()}.",
        "Method and discussion: [docs/validation.md](../../docs/validation.md). Errors are "
        "(simulated − measured) / measured of the run's total time.",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| mean absolute error of total time ≤ 3 % | {100 * mae:.2f} % over {len(runs)} "
        f"configurations | {verdict(mae <= TARGET_MAE)} |",
        f"| worst error ≤ 10 % | {100 * worst['error']:+.2f} % ({worst['network']}, R = "
        f"{worst['ranks']}, {worst['compute']}, I = {worst['interval']}) | "
        f"{verdict(abs_error.max() <= TARGET_WORST)} |",
        f"| best interval's speed-up over I = 1 within 5 % | worst {100 * best_worst:.2f} % over "
        f"{len(best)} (network, R, compute) groups | {verdict(best_worst <= TARGET_SPEEDUP)} |",
        "",
    ]
    if len(failed):
        lines += [f"**{len(failed)} configuration(s) failed to run**: "
                  + ", ".join(f"{r.network}/R{r.ranks}/{r.compute}/I{r.interval}"
                              for r in failed.itertuples()), ""]
    lines += ["![predicted vs measured](predicted_vs_measured.png)", "",
              "## Mean absolute error by network and ranks", "",
              "| network | R = 2 | R = 4 | R = 8 | all |", "|---|---|---|---|---|"]
    for network, g in runs.groupby("network", sort=False):
        cells = []
        for r in (2, 4, 8):
            e = g[g["ranks"] == r]["error"].abs()
            cells.append(f"{100 * e.mean():.2f} %" if len(e) else "")
        lines.append(f"| {network} | " + " | ".join(cells) + f" | {100 * g['error'].abs().mean():.2f} % |")
    lines += ["", "## Speed-up of each interval over I = 1 (measured / predicted)", "",
              "Best measured interval in bold.", ""]
    for network, g in sp.groupby("network", sort=False):
        intervals = sorted(g["interval"].unique())
        lines += [f"**{network}**", "", "| R, compute | " + " | ".join(f"I = {i}" for i in intervals)
                  + " |", "|---" * (len(intervals) + 1) + "|"]
        for (ranks, compute), h in g.groupby(["ranks", "compute"], sort=False):
            cells = []
            for i in intervals:
                r = h[h["interval"] == i]
                if r.empty:
                    cells.append("")
                    continue
                r = r.iloc[0]
                cell = f"{r['measured']:.3f} / {r['predicted']:.3f} ({100 * r['error']:+.1f} %)"
                cells.append(f"**{cell}**" if r["best"] else cell)
            lines.append(f"| {ranks}, {compute} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## Every configuration", "",
              "Times in seconds; communication and idle are per worker.", "",
              "| network | R | compute | I | rounds | measured | simulated | error | comm measured "
              "| comm simulated | idle measured | idle simulated |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs.itertuples():
        lines.append(f"| {r.network} | {r.ranks} | {r.compute} | {r.interval} | {r.rounds} | "
                     f"{r.measured_s:.3f} | {r.simulated_s:.3f} | {100 * r.error:+.2f} % | "
                     f"{r.measured_comm_s:.3f} | {r.simulated_comm_s:.3f} | "
                     f"{r.measured_idle_s:.3f} | {r.simulated_idle_s:.3f} |")
    lines += ["", "## Calibrations", "",
              "One `sgdsim calibrate` per (network, R), never on a run it predicts; the runs "
              "include its cluster file.", ""] + calibration_lines(out) + [""]
    (out / "report.md").write_text("\n".join(lines))
    plot(runs, out / "predicted_vs_measured.png")
    return figures
