#!/usr/bin/python3
"""Check the claims of Yu, Yang & Zhu (AAAI 2019) against the sweeps of scenarios/paper/ and write
report.md: per claim the claimed value, the measured one, the tolerance, a PASS/FAIL verdict, the
figures (PNGs beside the report, linked by relative paths) and the command that produced it.

usage: analysis/paper_report.py RESULTS_DIR [--out REPORT.md] [--claims NAME,...]

RESULTS_DIR holds one `sgdsim sweep` output directory per claim, named after its scenario
(communication, convergence, speedup, wallclock, interval, momentum; see docs/paper-claims.md).
Exit codes: 0 report written (whatever the verdicts), 1 cannot write, 2 bad input (a missing or
malformed sweep directory or file; the message names it).
"""
from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sgdsim_runs import RunDataError  # noqa: E402
from sweep_plots import (  # noqa: E402
    Series, plot_curves, plot_heatmap, plot_loglog, plot_speedup, point_curves,
)
from sweep_results import (  # noqa: E402
    Sweep, SweepDataError, first_crossing, fit_loglog, load_sweep, mean_ci95, numeric_key,
)

# Tolerances and targets: what each verdict is measured against (docs/paper-claims.md says why).
SLOPE_TOLERANCE = 0.05          # claim 1: |slope − 0.75| and |slope − 1| (mini-batch)
MIN_T_RANGE = 256               # claim 1: the T range the fit must span
GRAD_NORM_FACTOR = 2.0          # claims 2, 6: PR-SGD's average ‖∇f‖² at most this × mini-batch's
# Claims 3, 4: each replicate is its own data set, so the target training loss is relative: the
# loss one worker (mini-batch SGD, the longest horizon) has reached after this fraction of its T.
TARGET_FRACTION = 0.5
SPEEDUP_SLOPE_TOLERANCE = 0.15  # claim 3: |slope − (−1)|
INTERVAL_MARGIN = 0.05          # claim 5: "worse" = mean final loss > (1 + margin) × I = 1's


@dataclass
class ClaimResult:
    key: str                     # sweep directory / scenario name
    title: str
    claim: str                   # the paper's statement, in words
    claimed: str
    measured: str
    tolerance: str
    passed: bool
    details: list[str] = field(default_factory=list)   # markdown lines (tables, notes)
    figures: list[Path] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"


def scenario_file(key: str) -> str:
    return f"scenarios/paper/{key}.yaml"


def sweep_command(key: str, results: Path) -> str:
    return f"build/release/sgdsim sweep {scenario_file(key)} --out {results / key}"


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return lines


def md_cell(value) -> str:
    """A table cell: pipes (as in |slope − 0.75|) escaped so they do not split the cell."""
    return str(value).replace("|", "\\|")


def fmt_ci(mean: float, half: float, digits: int = 3) -> str:
    if not math.isfinite(mean):
        return "—"
    if not math.isfinite(half):
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {half:.2g}"


def interval_series(sweep: Sweep) -> tuple[str, dict[str, pd.DataFrame]]:
    """Split the ok runs by the swept key that chooses the schedule (a linked `schedule` axis, or
    algorithm.interval / algorithm.interval_constant): {"mini-batch (I = 1)": runs,
    "PR-SGD ...": runs}. The mini-batch series is the one whose runs all used I = 1."""
    runs_csv = sweep.path / "runs.csv"
    runs = sweep.ok_runs()
    for key in sweep.keys:
        groups = {value: group for value, group in runs.groupby(key, sort=False)}
        baseline = [v for v, g in groups.items() if (g["interval_used"] == 1).all()]
        if len(groups) == 2 and len(baseline) == 1:
            other = next(v for v in groups if v != baseline[0])
            return key, {f"mini-batch SGD (I = 1; {key} = {baseline[0]})": groups[baseline[0]],
                         f"PR-SGD ({key} = {other})": groups[other]}
    raise SweepDataError(f"{runs_csv}: no swept key with two values, one of them giving I = 1 in "
                         f"every ok run (swept: {', '.join(sweep.keys) or 'none'})")


# ---- claim 1 ------------------------------------------------------------------------------------

def claim_communication(sweep: Sweep, figures: Path) -> ClaimResult:
    key, series_runs = interval_series(sweep)
    (base_label, base), (pr_label, pr) = series_runs.items()
    t_range = pr["t_steps"].max() / pr["t_steps"].min()
    base_fit = fit_loglog(base["t_steps"], base["comm_rounds"])
    pr_fit = fit_loglog(pr["t_steps"], pr["comm_rounds"])
    reduction_fit = fit_loglog(pr["t_steps"], pr["t_steps"] / pr["comm_rounds"])
    lo, hi = pr_fit.interval
    passed = (t_range >= MIN_T_RANGE and abs(pr_fit.slope - 0.75) <= SLOPE_TOLERANCE
              and abs(base_fit.slope - 1.0) <= SLOPE_TOLERANCE
              and abs(reduction_fit.slope - 0.25) <= SLOPE_TOLERANCE)
    workers = sorted(set(pr["n_workers"].astype(int)))

    def series(label, runs, fit):
        return Series(label, runs["t_steps"].to_numpy(float), runs["comm_rounds"].to_numpy(float), None, fit)

    fig1 = plot_loglog([series(base_label, base, base_fit), series(pr_label, pr, pr_fit)],
                       figures / "communication_rounds_vs_T.png",
                       f"Rounds against T (N = {', '.join(map(str, workers))})",
                       "T (iterations per worker)", "Communication rounds",
                       reference={"T^0.75": 0.75})
    fig2 = plot_loglog([Series("PR-SGD: T / rounds", pr["t_steps"].to_numpy(float),
                               (pr["t_steps"] / pr["comm_rounds"]).to_numpy(float), None, reduction_fit)],
                       figures / "communication_reduction_vs_T.png",
                       "Communication reduction T / rounds", "T (iterations per worker)",
                       "T / rounds", reference={"T^0.25": 0.25})
    rows = []
    for _, b in base.sort_values("t_steps").iterrows():
        p = pr[pr["t_steps"] == b["t_steps"]]
        p = p.iloc[0] if len(p) else None
        rows.append([f"{int(b['t_steps'])}", f"{int(b['comm_rounds'])}",
                     "—" if p is None else f"{int(p['interval_used'])}" if math.isfinite(p["interval_used"]) else "—",
                     "—" if p is None else f"{int(p['comm_rounds'])}",
                     "—" if p is None else f"{p['t_steps'] / p['comm_rounds']:.1f}",
                     f"{b['final_train_loss']:.4f}",
                     "—" if p is None else f"{p['final_train_loss']:.4f}"])
    details = md_table(["T", "rounds, I = 1", "I (theory)", "rounds, PR-SGD", "T / rounds",
                        "final loss, I = 1", "final loss, PR-SGD"], rows)
    details.append("")
    details.append(f"Fits of log rounds on log T (least squares, 95 % interval with n − 2 dof): "
                   f"PR-SGD {pr_fit.describe()} over {pr_fit.n} runs; mini-batch {base_fit.describe()}; "
                   f"reduction T/rounds {reduction_fit.describe()}. T spans {t_range:.0f}×.")
    return ClaimResult(
        "communication", "Claim 1: communication rounds grow like T^{3/4}",
        "With I = ⌊c_I·T^{1/4}/N^{3/4}⌋ and γ = c_γ·√(N/T), PR-SGD needs O(N^{3/4}T^{3/4}) rounds; "
        "mini-batch SGD needs T.",
        "slope 0.75 (mini-batch: 1.0); reduction T/rounds ∝ T^{0.25}",
        f"slope {pr_fit.describe()}; mini-batch {base_fit.slope:.3f}; reduction slope {reduction_fit.slope:.3f}",
        f"|slope − 0.75| ≤ {SLOPE_TOLERANCE}, |mini-batch slope − 1| ≤ {SLOPE_TOLERANCE}, "
        f"|reduction slope − 0.25| ≤ {SLOPE_TOLERANCE}, T range ≥ {MIN_T_RANGE}×",
        passed, details, [fig1, fig2])


# ---- claims 2 and 6 -----------------------------------------------------------------------------

def average_grad_norm(sweep: Sweep, row: pd.Series) -> float:
    """(1/T)·Σ‖∇f(x̄_t)‖², approximated by the mean over the run's metrics rows."""
    values = sweep.metrics(row)["grad_norm_sq"].to_numpy(dtype=float)
    return float(values.mean()) if np.isfinite(values).all() else math.inf


def grad_norm_comparison(sweep: Sweep, figures: Path, key: str, title: str, claim: str) -> ClaimResult:
    swept, series_runs = interval_series(sweep)
    (base_label, base), (pr_label, pr) = series_runs.items()
    base_by_rep = {int(r["replicate"]): average_grad_norm(sweep, r) for _, r in base.iterrows()}
    pr_by_rep = {int(r["replicate"]): average_grad_norm(sweep, r) for _, r in pr.iterrows()}
    paired = sorted(set(base_by_rep) & set(pr_by_rep))
    if not paired:
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: no replicate has both an I = 1 and a PR-SGD ok run")
    ratios = [pr_by_rep[r] / base_by_rep[r] for r in paired]
    ratio, ratio_ci = mean_ci95(ratios)
    base_mean, base_ci = mean_ci95(base_by_rep.values())
    pr_mean, pr_ci = mean_ci95(pr_by_rep.values())
    interval_used = pr["interval_used"].dropna().unique()
    pr_interval = ", ".join(str(int(i)) for i in interval_used) or "varies"
    passed = math.isfinite(ratio) and ratio <= GRAD_NORM_FACTOR
    label = lambda row: (f"I = 1" if row["interval_used"] == 1 else f"PR-SGD, I = {int(row['interval_used'])}")
    curves = point_curves(sweep, "step", "grad_norm_sq", label=label)
    fig1 = plot_curves(curves, "step", "grad_norm_sq", figures / f"{key}_grad_norm_vs_step.png",
                       f"{title}: ‖∇f(x̄)‖² (mean ± 95 % CI)")
    curves = point_curves(sweep, "comm_rounds", "train_loss", label=label)
    fig2 = plot_curves(curves, "comm_rounds", "train_loss", figures / f"{key}_loss_vs_rounds.png",
                       f"{title}: training loss against rounds", log_x=True)
    n = int(base["n_workers"].iloc[0])
    t = int(base["t_steps"].iloc[0])
    details = md_table(
        ["run", "I", "average ‖∇f(x̄_t)‖² (mean ± 95 % CI)", "final train loss", "rounds", "replicates"],
        [[base_label, "1", fmt_ci(base_mean, base_ci), fmt_ci(*mean_ci95(base["final_train_loss"])),
          f"{base['comm_rounds'].mean():.0f}", str(len(base))],
         [pr_label, pr_interval, fmt_ci(pr_mean, pr_ci), fmt_ci(*mean_ci95(pr["final_train_loss"])),
          f"{pr['comm_rounds'].mean():.0f}", str(len(pr))]])
    details.append("")
    details.append(f"N = {n}, T = {t}. Ratio per replicate (same seed, so the same data and "
                   f"partition): {', '.join(f'{r:.2f}' for r in ratios)}.")
    return ClaimResult(
        key, title, claim,
        f"average ‖∇f‖² of PR-SGD within a constant factor of mini-batch SGD's",
        f"ratio {fmt_ci(ratio, ratio_ci)} (PR-SGD at I = {pr_interval} over I = 1, {len(ratios)} replicates)",
        f"mean ratio ≤ {GRAD_NORM_FACTOR:g}", passed, details, [fig1, fig2])


def claim_convergence(sweep: Sweep, figures: Path) -> ClaimResult:
    return grad_norm_comparison(
        sweep, figures, "convergence", "Claim 2: same convergence as mini-batch SGD",
        "At equal T, PR-SGD at the theory interval attains (1/T)·Σ‖∇f(x̄_t)‖² = O(1/√(NT)), the "
        "rate of mini-batch SGD, on non-convex objectives.")


def claim_momentum(sweep: Sweep, figures: Path) -> ClaimResult:
    return grad_norm_comparison(
        sweep, figures, "momentum", "Claim 6: the momentum variant behaves the same",
        "PR-SGD with (Nesterov) momentum keeps the O(1/√(NT)) rate (Yu, Jin & Yang 2019): claim "
        "2's comparison holds with momentum.")


# ---- claim 3 ------------------------------------------------------------------------------------

def reference_target(metrics: pd.DataFrame, fraction: float = TARGET_FRACTION) -> float:
    """Training loss of the first metrics row at or after `fraction` of the run's last step."""
    steps = metrics["step"].to_numpy(dtype=float)
    at = np.flatnonzero(steps >= fraction * steps.max())
    return float(metrics["train_loss"].iloc[at[0]])


def replicate_targets(sweep: Sweep, reference: pd.DataFrame, what: str) -> dict[int, float]:
    """{replicate: target loss} from each replicate's reference run (one worker, longest T)."""
    targets = {}
    for replicate, group in reference.groupby("replicate"):
        row = group.sort_values("t_steps").iloc[-1]
        targets[int(replicate)] = reference_target(sweep.metrics(row))
    if not targets:
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: no ok {what} run to set the target loss")
    return targets


def claim_speedup(sweep: Sweep, figures: Path) -> ClaimResult:
    runs_csv = sweep.path / "runs.csv"
    runs = sweep.ok_runs()
    budget = float(runs.loc[runs["n_workers"] == runs["n_workers"].min(), "t_steps"].max())
    n_min = float(runs["n_workers"].min())
    if n_min != 1:
        raise SweepDataError(f"{runs_csv}: claim 3 needs N = 1 runs (smallest N is {n_min:g})")
    targets = replicate_targets(sweep, runs[runs["n_workers"] == 1], "N = 1")
    # N workers for T = budget / N, the paper's γ = c·√(N/T) = c·N/√budget.
    diagonal = runs[np.isclose(runs["n_workers"] * runs["t_steps"], budget)]
    records = []
    for _, row in diagonal.iterrows():
        replicate = int(row["replicate"])
        if replicate in targets:
            records.append({"N": float(row["n_workers"]), "replicate": replicate,
                            "horizon": float(row["t_steps"]), "lr": float(row["lr_used"]),
                            "hit": first_crossing(sweep.metrics(row), targets[replicate])})
    frame = pd.DataFrame(records)
    ns = sorted(frame["N"].unique())
    if len(ns) < 3:
        raise SweepDataError(f"{runs_csv}: claim 3 needs runs with N·T = {budget:g} at three or more N; "
                             f"found N = {', '.join(str(int(n)) for n in ns)}")
    reached = frame[np.isfinite(frame["hit"])]
    missing = sorted(set(frame.loc[~np.isfinite(frame["hit"]), "N"]))
    fit = fit_loglog(reached["N"], reached["hit"])
    per_n = [(n, *mean_ci95(reached.loc[reached["N"] == n, "hit"])) for n in ns]
    base = reached[reached["N"] == 1].set_index("replicate")["hit"]
    speed = []
    for n in ns:
        at_n = reached[reached["N"] == n]
        speed.append((n, *mean_ci95([base.get(r, math.nan) / h for r, h in zip(at_n["replicate"], at_n["hit"])])))
    passed = not missing and abs(fit.slope + 1.0) <= SPEEDUP_SLOPE_TOLERANCE
    fig1 = plot_loglog([Series("T to target", np.array([p[0] for p in per_n]), np.array([p[1] for p in per_n]),
                               np.array([p[2] for p in per_n]), fit)],
                       figures / "speedup_T_vs_N.png", "Iterations to the target training loss",
                       "Workers N", "Iterations T to target (mean ± 95 % CI)",
                       reference={"ideal 1/N": -1.0})
    fig2 = plot_speedup([Series("PR-SGD (theory γ and I)", np.array([s[0] for s in speed]),
                                np.array([s[1] for s in speed]), np.array([s[2] for s in speed]))],
                        figures / "speedup_vs_N.png", "Speed-up in iterations to the target loss")
    horizon = {n: frame.loc[frame["N"] == n, "horizon"].iloc[0] for n in ns}
    lr = {n: frame.loc[frame["N"] == n, "lr"].iloc[0] for n in ns}
    details = md_table(["N", "horizon T", "γ", "T to target (mean ± 95 % CI)", "speed-up over N = 1"],
                       [[f"{int(n)}", f"{int(horizon[n])}", f"{lr[n]:.3g}", fmt_ci(m, h), fmt_ci(sm, sh)]
                        for (n, m, h), (_, sm, sh) in zip(per_n, speed)])
    details.append("")
    details.append(
        f"Each N runs the paper's prescription for the horizon T = {int(budget)}/N (so N·T is fixed "
        f"and γ = c_γ·√(N/T) grows like N); T to target = its first metrics row with training loss "
        f"≤ the replicate's target, the loss one worker reached at {TARGET_FRACTION:g}·{int(budget)} "
        f"steps ({', '.join(f'{t:.4f}' for t in targets.values())} for replicates "
        f"{', '.join(map(str, targets))}). Fit over {fit.n} (N, replicate) values."
        + (f" Never reached at N = {', '.join(str(int(n)) for n in missing)}." if missing else ""))
    return ClaimResult(
        "speedup", "Claim 3: linear speed-up in N",
        "With γ ∝ √(N/T), the bound O(1/√(NT)) means the iterations to reach a given accuracy fall "
        "like 1/N.",
        "slope of log T_target on log N = −1",
        f"slope {fit.describe()}",
        f"|slope + 1| ≤ {SPEEDUP_SLOPE_TOLERANCE}, target reached at every N",
        passed, details, [fig1, fig2])


# ---- claim 4 ------------------------------------------------------------------------------------

def claim_wallclock(sweep: Sweep, figures: Path) -> ClaimResult:
    runs_csv = sweep.path / "runs.csv"
    if "workers" not in sweep.keys:
        raise SweepDataError(f"{runs_csv}: claim 4 needs a swept 'workers' key")
    _, series_runs = interval_series(sweep)
    base_runs = next(iter(series_runs.values()))
    targets = replicate_targets(sweep, base_runs[base_runs["n_workers"] == 1], "N = 1, I = 1")
    times: dict[str, pd.DataFrame] = {}
    for label, runs in series_runs.items():
        times[label] = pd.DataFrame([
            {"N": float(r["n_workers"]), "replicate": int(r["replicate"]),
             "time": first_crossing(sweep.metrics(r), targets.get(int(r["replicate"]), math.nan),
                                    x="sim_time_s"),
             "interval": r["interval_used"]} for _, r in runs.iterrows()])
    base_label, pr_label = list(series_runs)
    single = times[base_label][times[base_label]["N"] == 1].set_index("replicate")["time"]
    if single.empty:
        raise SweepDataError(f"{runs_csv}: claim 4 needs an N = 1 run with I = 1")
    ns = sorted(n for n in times[pr_label]["N"].unique())
    rows, series, sooner = [], [], []
    for label, frame in times.items():
        means, cis = [], []
        for n in ns:
            at_n = frame[frame["N"] == n]
            m, h = mean_ci95([single.get(r, math.nan) / t if t > 0 else math.nan
                              for r, t in zip(at_n["replicate"], at_n["time"])])
            means.append(m), cis.append(h)
        series.append(Series(label, np.array(ns), np.array(means), np.array(cis)))
    for i, n in enumerate(ns):
        b = times[base_label][times[base_label]["N"] == n]
        p = times[pr_label][times[pr_label]["N"] == n]
        bm, bh = mean_ci95(b["time"])
        pm, ph = mean_ci95(p["time"])
        b_mean = bm if np.isfinite(b["time"]).all() else math.inf
        p_mean = pm if np.isfinite(p["time"]).all() else math.inf
        if n > 1:
            sooner.append(p_mean < b_mean)
        interval = p["interval"].dropna().unique()
        rows.append([f"{int(n)}", ", ".join(str(int(v)) for v in interval) or "—",
                     fmt_ci(bm, bh) if math.isfinite(b_mean) else "not reached",
                     fmt_ci(pm, ph) if math.isfinite(p_mean) else "not reached",
                     fmt_ci(series[0].y[i], series[0].y_ci95[i]),
                     fmt_ci(series[1].y[i], series[1].y_ci95[i])])
    passed = bool(sooner) and all(sooner)
    fig1 = plot_speedup(series, figures / "wallclock_speedup_vs_N.png",
                        "Simulated time to the target loss: speed-up over one worker")
    largest = max(ns)
    points = set(sweep.ok_runs().loc[sweep.ok_runs()["n_workers"] == largest, "point"])
    label = lambda row: (f"N = {int(row['n_workers'])}, I = 1" if row["interval_used"] == 1
                         else f"N = {int(row['n_workers'])}, PR-SGD I = {int(row['interval_used'])}")
    curves = point_curves(sweep, "sim_time_s", "train_loss", points=points, label=label)
    fig2 = plot_curves(curves, "sim_time_s", "train_loss", figures / "wallclock_loss_vs_time.png",
                       f"Training loss against simulated time, N = {int(largest)}")
    details = md_table(["N", "I (PR-SGD)", "time to target, I = 1 (s)", "time to target, PR-SGD (s)",
                        "speed-up, I = 1", "speed-up, PR-SGD"], rows)
    details.append("")
    details.append(f"Speed-up = (simulated time of one worker, I = 1, to reach the target) / (that "
                   f"of N workers), per replicate, mean ± 95 % CI. Target: the training loss one "
                   f"worker reached after {TARGET_FRACTION:g}·T steps "
                   f"({', '.join(f'{t:.4f}' for t in targets.values())} for replicates "
                   f"{', '.join(map(str, targets))}).")
    pr_speed = ", ".join(f"N={int(n)}: {s:.2f}" for n, s in zip(ns, series[1].y))
    return ClaimResult(
        "wallclock", "Claim 4: PR-SGD is faster in wall-clock time on a slow network",
        "Skipping communication turns into wall-clock speed-up where rounds are expensive.",
        "PR-SGD reaches the target sooner than mini-batch SGD at every N ≥ 2",
        f"sooner at {sum(sooner)} of {len(sooner)} N ≥ 2; PR-SGD speed-up {pr_speed}",
        "strictly sooner (mean over replicates) at every N ≥ 2", passed, details, [fig1, fig2])


# ---- claim 5 ------------------------------------------------------------------------------------

def claim_interval(sweep: Sweep, figures: Path) -> ClaimResult:
    aggregate_csv = sweep.path / "aggregate.csv"
    if "algorithm.interval" not in sweep.keys:
        raise SweepDataError(f"{aggregate_csv}: claim 5 needs a swept 'algorithm.interval' key")
    agg = sweep.aggregate.copy()
    agg["I"] = numeric_key(agg["algorithm.interval"])
    agg["N"] = numeric_key(agg["workers"]) if "workers" in sweep.keys else float("nan")
    rows, thresholds, verdicts = [], {}, []
    for n, group in agg.groupby("N", sort=True, dropna=False):
        group = group.sort_values("I")
        base = group[group["I"] == 1]
        if base.empty:
            raise SweepDataError(f"{aggregate_csv}: no I = 1 point for workers = {n}")
        ref = float(base["final_train_loss_mean"].iloc[0])
        worse = group[group["final_train_loss_mean"] > (1 + INTERVAL_MARGIN) * ref]
        threshold = float(worse["I"].min()) if len(worse) else math.nan
        thresholds[n] = threshold
        at2 = group[group["I"] == 2]
        two_ok = at2.empty or float(at2["final_train_loss_mean"].iloc[0]) <= (1 + INTERVAL_MARGIN) * ref
        verdicts.append(math.isfinite(threshold) and threshold > 2 and two_ok)
        t_steps = float(sweep.runs.loc[sweep.runs["point"].isin(group["point"]), "t_steps"].max())
        rows.append([f"{int(n)}" if math.isfinite(n) else "—", f"{ref:.4f}",
                     f"{int(threshold)}" if math.isfinite(threshold) else "none ≤ T/2",
                     f"{group['final_train_loss_mean'].iloc[-1]:.4f} (I = {int(group['I'].iloc[-1])}, T = {int(t_steps)})"])
    passed = bool(verdicts) and all(verdicts)
    table = agg.pivot_table(index="N", columns="I", values="final_train_loss_mean")
    table.index = [int(i) for i in table.index]
    table.columns = [int(c) for c in table.columns]
    fig1 = plot_heatmap(table, figures / "interval_heatmap.png", "Final training loss over (N, I)",
                        "Workers N", "Averaging interval I", "final training loss (mean)")
    series = []
    for n, group in agg.groupby("N", sort=True):
        group = group.sort_values("I")
        series.append(Series(f"N = {int(n)}", group["I"].to_numpy(float),
                             group["final_train_loss_mean"].to_numpy(float),
                             group["final_train_loss_ci95"].to_numpy(float)))
    fig2 = plot_loglog(series, figures / "interval_loss_vs_I.png",
                       "Final training loss against the interval", "Averaging interval I",
                       "Final training loss (mean ± 95 % CI)")
    details = md_table(["N", "final loss at I = 1", f"smallest I > {INTERVAL_MARGIN:.0%} worse", "final loss at the largest I"], rows)
    measured = "; ".join(f"N={int(n)}: I* = {int(t) if math.isfinite(t) else 'none'}" for n, t in thresholds.items())
    return ClaimResult(
        "interval", "Claim 5: too large an interval hurts",
        "The bound's error term grows with I: past some interval the final loss degrades.",
        "a threshold I* (1 < I* ≤ T/2) past which the final loss is worse than at I = 1",
        measured,
        f"I* = the smallest I whose mean final training loss exceeds I = 1's by more than "
        f"{INTERVAL_MARGIN:.0%}; PASS if I* exists, I* > 2 and I = 2 is within the margin, at every N",
        passed, details, [fig1, fig2])


CLAIMS: dict[str, Callable[[Sweep, Path], ClaimResult]] = {
    "communication": claim_communication,
    "convergence": claim_convergence,
    "speedup": claim_speedup,
    "wallclock": claim_wallclock,
    "interval": claim_interval,
    "momentum": claim_momentum,
}


def write_report(results: list[ClaimResult], path: Path, results_dir: Path, command: str) -> Path:
    base = path.parent
    lines = ["# PR-SGD claims (Yu, Yang & Zhu, AAAI 2019), reproduced by sgdsim", "",
             f"Produced by `{command}`; each sweep by the command under its claim. Set-ups, "
             "tolerances and why: [docs/paper-claims.md](../../docs/paper-claims.md) (from "
             "results/paper/).", "",
             "| claim | claimed | measured | tolerance | verdict |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| [{r.title}](#{r.key}) | {md_cell(r.claimed)} | {md_cell(r.measured)} | "
                     f"{md_cell(r.tolerance)} | **{r.verdict}** |")
    for r in results:
        lines += ["", f'<a id="{r.key}"></a>', f"## {r.title}: **{r.verdict}**", "", r.claim, "",
                  f"- Claimed: {r.claimed}", f"- Measured: {r.measured}",
                  f"- Tolerance: {r.tolerance}", f"- Verdict: **{r.verdict}**",
                  f"- Scenario: `{scenario_file(r.key)}`; sweep: `{sweep_command(r.key, results_dir)}`", ""]
        lines += r.details
        lines.append("")
        for figure in r.figures:
            rel = figure.resolve().relative_to(base.resolve()) if figure.resolve().is_relative_to(base.resolve()) else figure
            lines.append(f"![{figure.stem}]({rel.as_posix()})")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Check the paper's claims against sweep results "
                                     "and write report.md.")
    parser.add_argument("results_dir", metavar="RESULTS_DIR",
                        help="directory holding one sweep output directory per claim")
    parser.add_argument("--out", metavar="REPORT.md", help="report path (default RESULTS_DIR/report.md); "
                        "figures go to a figures/ directory beside it")
    parser.add_argument("--claims", metavar="NAME,...",
                        help=f"only these claims (default all: {','.join(CLAIMS)})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results_dir = Path(args.results_dir)
    out = Path(args.out) if args.out else results_dir / "report.md"
    names = [n.strip() for n in args.claims.split(",")] if args.claims else list(CLAIMS)
    unknown = [n for n in names if n not in CLAIMS]
    if unknown:
        print(f"paper_report.py: error: unknown claim(s) {', '.join(unknown)}; known: "
              f"{', '.join(CLAIMS)}", file=sys.stderr)
        return 2
    figures = out.parent / "figures"
    try:
        figures.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"paper_report.py: error: cannot write to {figures}: {e}", file=sys.stderr)
        return 1
    results = []
    try:
        for name in names:
            try:
                results.append(CLAIMS[name](load_sweep(results_dir / name), figures))
            except ValueError as e:  # e.g. a fit with too few usable points
                raise SweepDataError(f"{results_dir / name}: claim '{name}': {e}") from None
    except RunDataError as e:
        print(f"paper_report.py: error: {e}", file=sys.stderr)
        return 2
    command = "analysis/paper_report.py " + " ".join(argv if argv is not None else sys.argv[1:])
    try:
        write_report(results, out, results_dir, command.strip())
    except OSError as e:
        print(f"paper_report.py: error: cannot write {out}: {e}", file=sys.stderr)
        return 1
    for r in results:
        print(f"{r.verdict}  {r.title}: measured {r.measured}")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
