#!/usr/bin/python3
"""The checks behind analysis/paper_report.py: one function per claim of Yu, Yang & Zhu (AAAI 2019)
and its momentum follow-up, each taking the claim's `sgdsim sweep` directory and returning a
ClaimResult with a verdict:

- PASS / FAIL: the claim's scaling law, fitted with 95 % intervals, within the tolerance
  docs/paper-claims.md argues from the paper (a FAIL names the check that failed);
- INCOMPLETE: a run errored, was interrupted or never ran, a point has fewer replicates than the
  claim needs, or the design did not bracket what it measures; the result names them;
- REPORTED: a measurement shown as it is, without a verdict (outside the theorem's assumptions, or
  the real-data section).

Fits come from statsmodels (several regressors) and scipy.stats (Student-t intervals), through
sweep_results.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_plots import (  # noqa: E402
    Series, plot_curves, plot_heatmap, plot_loglog, plot_speedup, point_curves,
)
from sweep_results import (  # noqa: E402
    PowerLawFit, Sweep, SweepDataError, first_crossing, fit_loglog, fit_power_law, mean_ci95,
    numeric_key,
)

PASS, FAIL, INCOMPLETE, REPORTED = "PASS", "FAIL", "INCOMPLETE", "REPORTED"

# Tolerances (docs/paper-claims.md argues each).
ROUNDS_EXPONENT_TOLERANCE = 0.05   # claim 1: |b − 3/4|, |c − 3/4| of rounds ∝ T^b·N^c
CONSTANT_EXPONENT_TOLERANCE = 0.1  # claim 1: |d + 1| of rounds ∝ c_I^d
MIN_PAPER_CONSTANT_POINTS = 3      # claim 1: runs with c_I = 1 and I ≥ 2 (T ≥ 16·N³)
# Claims 2, 6: a fitted exponent is "−1/2" when it is nearer −1/2 than the neighbouring rates on
# the quarter-power grid (−1/4: no speed-up; −3/4): |b + 1/2| ≤ 1/8. The ratio's exponents
# likewise within 1/8 of 0 (bounded).
RATE_EXPONENT_TOLERANCE = 0.125
MIN_T_RANGE = 16                   # the laws are fitted over ≥ 16× in T …
MIN_N_RANGE = 8                    # … and ≥ 8× in N
MIN_REPLICATES = 10                # every statistical claim
HARMLESS_RATIO = 1.5               # claim 5: I* = where the average ‖∇f‖² first exceeds 1.5× I = 1's
# Claims 3, 4: each replicate is its own data set, so the target training loss is relative: the
# loss one worker (mini-batch SGD, the longest horizon) has reached after this fraction of its T.
TARGET_FRACTION = 0.5
SPEEDUP_SLOPE_TOLERANCE = 0.15     # claim 3: |slope − (−1)|

AVERAGE = "average_grad_norm_sq"


@dataclass
class ClaimResult:
    key: str                     # sweep directory / scenario name
    title: str
    claim: str                   # the paper's statement, in words
    claimed: str
    measured: str
    tolerance: str
    verdict: str
    details: list[str] = field(default_factory=list)   # markdown lines (tables, notes)
    figures: list[Path] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)   # why FAIL / INCOMPLETE

    @property
    def passed(self) -> bool:
        return self.verdict == PASS


@dataclass
class Check:
    """One condition of a verdict, in words, and whether it held."""
    holds: bool
    text: str


def verdict_of(checks: list[Check]) -> tuple[str, list[str]]:
    failed = [c.text for c in checks if not c.holds]
    return (FAIL if failed else PASS), failed


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return lines


def md_cell(value) -> str:
    """A table cell: pipes (as in |b + 1/2|) escaped so they do not split the cell."""
    return str(value).replace("|", "\\|")


def fmt_ci(mean: float, half: float, digits: int = 3) -> str:
    if not math.isfinite(mean):
        return "—"
    if not math.isfinite(half):
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {half:.2g}"


def checks_table(checks: list[Check]) -> list[str]:
    return md_table(["check", "holds"], [[c.text, "yes" if c.holds else "**no**"] for c in checks])


def incomplete(key: str, title: str, claim: str, problems: list[str]) -> ClaimResult:
    shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
    return ClaimResult(key, title, claim, "—", f"incomplete: {len(problems)} problem(s)", "—",
                       INCOMPLETE, ["Not judged: the sweep is incomplete.", ""]
                       + [f"- {p}" for p in shown], [], problems)


def spans(values: pd.Series) -> float:
    values = values[np.isfinite(values) & (values > 0)]
    return float(values.max() / values.min()) if len(values) else 0.0


def interval_series(sweep: Sweep) -> tuple[str, dict[str, pd.DataFrame]]:
    """Split the finished runs by the swept key that chooses the schedule (a linked `schedule`
    axis, or algorithm.interval): {"mini-batch SGD (I = 1 …)": runs, "PR-SGD …": runs}. The
    mini-batch series is the one whose runs all used I = 1."""
    runs_csv = sweep.path / "runs.csv"
    runs = sweep.done_runs()
    for key in sweep.keys:
        groups = {value: group for value, group in runs.groupby(key, sort=False)}
        baseline = [v for v, g in groups.items() if (g["interval_used"] == 1).all()]
        if len(groups) == 2 and len(baseline) == 1:
            other = next(v for v in groups if v != baseline[0])
            return key, {f"mini-batch SGD (I = 1; {key} = {baseline[0]})": groups[baseline[0]],
                         f"PR-SGD ({key} = {other})": groups[other]}
    raise SweepDataError(f"{runs_csv}: no swept key with two values, one of them giving I = 1 in "
                         f"every finished run (swept: {', '.join(sweep.keys) or 'none'})")


def require_step_averages(sweep: Sweep, runs: pd.DataFrame) -> None:
    ok = runs[runs["status"] == "ok"]
    if len(ok) and not np.isfinite(ok[AVERAGE].to_numpy(dtype=float)).any():
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: no '{AVERAGE}' values: the scenario "
                             f"needs eval.step_averages: true")


def diverged_runs(sweep: Sweep, runs: pd.DataFrame) -> list[str]:
    return [f"run {r['run']} ({sweep.label(r)}) diverged" for _, r in runs.iterrows()
            if r["status"] == "diverged"]


def averages(runs: pd.DataFrame) -> np.ndarray:
    """The average ‖∇f‖² of each run; a diverged run's is infinite."""
    values = runs[AVERAGE].to_numpy(dtype=float).copy()
    values[(runs["status"] == "diverged").to_numpy()] = math.inf
    return values


def with_divergence(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with a diverged run's average ‖∇f‖² set to infinity."""
    return runs.assign(**{AVERAGE: averages(runs)})


def paired_ratios(base: pd.DataFrame, other: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """other / base of the average ‖∇f‖², paired on `by` (+ replicate: the same seed, data and
    partition); columns `by`, replicate, base, other, ratio."""
    b = base.assign(base=averages(base))[by + ["replicate", "base"]]
    o = other.assign(other=averages(other))[by + ["replicate", "other", "interval_used"]]
    joined = o.merge(b, on=by + ["replicate"], how="inner")
    joined["ratio"] = joined["other"] / joined["base"]
    return joined


def law_regressors(runs: pd.DataFrame) -> dict[str, pd.Series]:
    """T and N, those of them that vary."""
    out = {}
    for name, column in (("T", "t_steps"), ("N", "n_workers")):
        if runs[column].nunique() > 1:
            out[name] = runs[column]
    return out


def slice_series(label: str, frame: pd.DataFrame, x: str, y: str) -> Series:
    """Mean ± 95 % CI of `y` per value of `x`, with a log-log fit through the per-run values."""
    xs, means, halves = [], [], []
    for value, group in frame.groupby(x, sort=True):
        m, h = mean_ci95(group[y])
        xs.append(value), means.append(m), halves.append(h)
    fit = None
    if len(xs) >= 2:
        try:
            fit = fit_loglog(frame[x], frame[y])
        except ValueError:
            fit = None
    return Series(label, np.array(xs, dtype=float), np.array(means), np.array(halves), fit)


def mode(values: pd.Series) -> float:
    return float(values.value_counts().idxmax())


# ---- claim 1 ------------------------------------------------------------------------------------

def schedule_of(sweep: Sweep, row: pd.Series) -> tuple[str, float]:
    """("fixed" or "theory", c_I) from the run's resolved scenario."""
    algorithm = sweep.summary(row).get("scenario", {}).get("algorithm", {})
    interval = algorithm.get("interval")
    if interval == "theory":
        return "theory", float(algorithm.get("interval_constant", 1.0))
    return "fixed", math.nan


def claim_communication(sweep: Sweep, figures: Path) -> ClaimResult:
    runs = sweep.done_runs().copy()
    kinds = [schedule_of(sweep, r) for _, r in runs.iterrows()]
    runs["schedule_kind"] = [k for k, _ in kinds]
    runs["c_I"] = [c for _, c in kinds]
    base = runs[(runs["schedule_kind"] == "fixed") & (runs["interval_used"] == 1)]
    theory = runs[runs["schedule_kind"] == "theory"]
    if base.empty or theory.empty:
        raise SweepDataError(f"{sweep.path / 'runs.csv'}: claim 1 needs runs with I = 1 and runs "
                             f"with interval: theory")
    law_points = theory[theory["interval_used"] >= 2]
    regressors = {"T": law_points["t_steps"], "N": law_points["n_workers"]}
    if law_points["c_I"].nunique() > 1:
        regressors["c_I"] = law_points["c_I"]
    law = fit_power_law(law_points["comm_rounds"], regressors)
    paper_constant = theory[(theory["c_I"] == 1) & (theory["interval_used"] >= 2)]
    arithmetic = (theory["comm_rounds"] == np.ceil(theory["t_steps"] / theory["interval_used"])).all()
    checks = [
        Check(law["T"].within(0.75, ROUNDS_EXPONENT_TOLERANCE),
              f"T exponent {law['T'].describe()} within {ROUNDS_EXPONENT_TOLERANCE} of 3/4"),
        Check(law["N"].within(0.75, ROUNDS_EXPONENT_TOLERANCE),
              f"N exponent {law['N'].describe()} within {ROUNDS_EXPONENT_TOLERANCE} of 3/4"),
        Check((base["comm_rounds"] == base["t_steps"]).all(),
              "mini-batch SGD (I = 1) takes exactly T rounds in every run"),
        Check(bool(arithmetic), "PR-SGD takes ⌈T/I⌉ rounds in every run"),
        Check(spans(law_points["t_steps"]) >= MIN_T_RANGE,
              f"the fit spans {spans(law_points['t_steps']):.0f}× in T (≥ {MIN_T_RANGE}×)"),
        Check(spans(law_points["n_workers"]) >= MIN_N_RANGE,
              f"the fit spans {spans(law_points['n_workers']):.0f}× in N (≥ {MIN_N_RANGE}×)"),
        Check(len(paper_constant) >= MIN_PAPER_CONSTANT_POINTS,
              f"{len(paper_constant)} runs with the paper's c_I = 1 and I ≥ 2 (T ≥ 16·N³; "
              f"≥ {MIN_PAPER_CONSTANT_POINTS} needed)"),
    ]
    if "c_I" in law.exponents:
        checks.insert(2, Check(law["c_I"].within(-1.0, CONSTANT_EXPONENT_TOLERANCE),
                               f"c_I exponent {law['c_I'].describe()} within "
                               f"{CONSTANT_EXPONENT_TOLERANCE} of −1"))
    verdict, reasons = verdict_of(checks)

    series = []
    for c, group in law_points.groupby("c_I", sort=False):
        for n, at_n in group.groupby("n_workers", sort=True):
            fit = fit_loglog(at_n["t_steps"], at_n["comm_rounds"]) if len(at_n) >= 3 else None
            series.append(Series(f"c_I = {c:g}, N = {int(n)}", at_n["t_steps"].to_numpy(float),
                                 at_n["comm_rounds"].to_numpy(float), None, fit))
    base_n = base[base["n_workers"] == base["n_workers"].max()]
    series.append(Series("mini-batch SGD (I = 1)", base_n["t_steps"].to_numpy(float),
                         base_n["comm_rounds"].to_numpy(float)))
    fig1 = plot_loglog(series, figures / "communication_rounds_vs_T.png",
                       "Communication rounds against T (PR-SGD points with I ≥ 2)",
                       "T (iterations per worker)", "Communication rounds",
                       reference={"T^0.75": 0.75})
    largest = law_points[law_points["t_steps"] == law_points["t_steps"].max()]
    by_n = [Series(f"c_I = {c:g}, T = {int(largest['t_steps'].iloc[0])}",
                   g["n_workers"].to_numpy(float), g["comm_rounds"].to_numpy(float))
            for c, g in largest.groupby("c_I", sort=False)]
    fig2 = plot_loglog(by_n, figures / "communication_rounds_vs_N.png",
                       "Communication rounds against N at the largest T", "Workers N",
                       "Communication rounds", reference={"N^0.75": 0.75})
    rows = []
    for _, r in theory.sort_values(["c_I", "n_workers", "t_steps"]).iterrows():
        rows.append([f"{r['c_I']:g}", f"{int(r['n_workers'])}", f"{int(r['t_steps'])}",
                     f"{int(r['interval_used'])}", f"{int(r['comm_rounds'])}",
                     "yes" if r["interval_used"] >= 2 else "no (I = 1)"])
    details = checks_table(checks) + [""]
    details += [f"Fit of log rounds over the {law.n} PR-SGD runs with I ≥ 2: {law.describe()}.", ""]
    details += md_table(["c_I", "N", "T", "I", "rounds", "in the fit"], rows)
    measured = (f"rounds ∝ T^{law['T'].value:.3f}·N^{law['N'].value:.3f}"
                + (f"·c_I^{law['c_I'].value:.3f}" if "c_I" in law.exponents else ""))
    return ClaimResult(
        "communication", "Claim 1: communication rounds grow like N^{3/4}·T^{3/4}",
        "With I = ⌊c_I·T^{1/4}/N^{3/4}⌋ and γ = c_γ·√(N/T), PR-SGD needs O(N^{3/4}T^{3/4}) rounds; "
        "mini-batch SGD needs T.",
        "rounds ∝ T^{3/4}·N^{3/4}/c_I; mini-batch: T", measured,
        f"|b − 3/4|, |c − 3/4| ≤ {ROUNDS_EXPONENT_TOLERANCE}; |d + 1| ≤ {CONSTANT_EXPONENT_TOLERANCE}; "
        f"≥ {MIN_T_RANGE}× in T, ≥ {MIN_N_RANGE}× in N; c_I = 1 points",
        verdict, details, [fig1, fig2], reasons)


# ---- claims 2 and 6 -----------------------------------------------------------------------------

def rate_claim(sweep: Sweep, figures: Path, key: str, title: str, claim: str,
               reported: bool = False) -> ClaimResult:
    """The average ‖∇f(x̄_t)‖² of both schedules against T and N (−1/2 each), and their ratio
    (0 each). `reported`: no verdict, the fits only (a law outside the theorem's assumptions)."""
    swept, series_runs = interval_series(sweep)
    (base_value, base), (pr_value, pr) = series_runs.items()
    base_label, pr_label = "mini-batch SGD (I = 1)", "PR-SGD (theory interval)"
    series_runs = {base_label: base, pr_label: pr}
    require_step_averages(sweep, base)
    diverged = diverged_runs(sweep, pd.concat([base, pr]))
    checks: list[Check] = []
    fits: dict[str, PowerLawFit] = {}
    for label, runs in series_runs.items():
        finite = runs[np.isfinite(averages(runs))]
        fits[label] = fit_power_law(finite[AVERAGE], law_regressors(finite))
        for name, exponent in fits[label].exponents.items():
            checks.append(Check(exponent.within(-0.5, RATE_EXPONENT_TOLERANCE),
                                f"{label}: {name} exponent {exponent.describe()} within "
                                f"{RATE_EXPONENT_TOLERANCE} of −1/2"))
    ratios = paired_ratios(base, pr, ["n_workers", "t_steps"])
    finite_ratios = ratios[np.isfinite(ratios["ratio"])]
    ratio_fit = fit_power_law(finite_ratios["ratio"], law_regressors(finite_ratios))
    for name, exponent in ratio_fit.exponents.items():
        checks.append(Check(exponent.within(0.0, RATE_EXPONENT_TOLERANCE),
                            f"ratio PR-SGD / mini-batch: {name} exponent {exponent.describe()} "
                            f"within {RATE_EXPONENT_TOLERANCE} of 0 (bounded)"))
    if not reported:
        t_span, n_span = spans(base["t_steps"]), spans(base["n_workers"])
        checks.append(Check(t_span >= MIN_T_RANGE, f"T spans {t_span:.0f}× (≥ {MIN_T_RANGE}×)"))
        checks.append(Check(n_span >= MIN_N_RANGE, f"N spans {n_span:.0f}× (≥ {MIN_N_RANGE}×)"))
        checks.append(Check(not diverged, "no run diverged" if not diverged else "; ".join(diverged)))
    verdict, reasons = (REPORTED, []) if reported else verdict_of(checks)

    rows = []
    for (n, t), group in ratios.groupby(["n_workers", "t_steps"], sort=True):
        at = lambda runs: runs[(runs["n_workers"] == n) & (runs["t_steps"] == t)]
        rows.append([f"{int(n)}", f"{int(t)}",
                     ", ".join(str(int(i)) for i in sorted(group["interval_used"].unique())),
                     fmt_ci(*mean_ci95(averages(at(base)))), fmt_ci(*mean_ci95(averages(at(pr)))),
                     fmt_ci(*mean_ci95(group["ratio"])), f"{group['ratio'].max():.3g}",
                     str(len(group))])
    details = checks_table(checks) + [""]
    details += [f"Series: {', '.join(series_runs)}, the two values of the swept `{swept}` "
                f"({'; '.join(v.split('(', 1)[1].rstrip(')') for v in (base_value, pr_value))}).", ""]
    details += [f"Fits (log-log least squares over every run, replicates as points): "
                + "; ".join(f"{label}: {fit.describe()}" for label, fit in fits.items())
                + f"; ratio: {ratio_fit.describe()}.", ""]
    details += md_table(["N", "T", "I (PR-SGD)", "average ‖∇f‖², I = 1", "average ‖∇f‖², PR-SGD",
                         "ratio (mean ± 95 % CI)", "largest ratio", "pairs"], rows)
    figs = []
    n_t = mode(base["n_workers"])
    along_t = [slice_series(label, with_divergence(runs[runs["n_workers"] == n_t]), "t_steps", AVERAGE)
               for label, runs in series_runs.items()]
    figs.append(plot_loglog(along_t, figures / f"{key}_average_vs_T.png",
                            f"{title}: (1/T)·Σ‖∇f(x̄_t)‖² against T, N = {int(n_t)}",
                            "T (iterations per worker)", "average ‖∇f(x̄_t)‖² (mean ± 95 % CI)",
                            reference={"T^-1/2": -0.5}))
    t_counts = base.groupby("t_steps")["n_workers"].nunique()
    if t_counts.max() >= 3:
        t_n = float(t_counts.idxmax())
        along_n = [slice_series(label, with_divergence(runs[runs["t_steps"] == t_n]), "n_workers",
                                AVERAGE) for label, runs in series_runs.items()]
        figs.append(plot_loglog(along_n, figures / f"{key}_average_vs_N.png",
                                f"{title}: average ‖∇f‖² against N, T = {int(t_n)}", "Workers N",
                                "average ‖∇f(x̄_t)‖² (mean ± 95 % CI)", reference={"N^-1/2": -0.5}))
    ratio_t = ratios[ratios["n_workers"] == n_t]
    figs.append(plot_loglog([slice_series("PR-SGD / mini-batch", ratio_t, "t_steps", "ratio")],
                            figures / f"{key}_ratio_vs_T.png",
                            f"{title}: ratio of the averages against T, N = {int(n_t)}",
                            "T (iterations per worker)", "ratio (mean ± 95 % CI)",
                            reference={"bounded (slope 0)": 0.0}))
    law_text = lambda fit: "·".join(f"{k}^{e.value:.3f}" for k, e in fit.exponents.items())
    measured = (f"I = 1: {law_text(fits[base_label])}; PR-SGD: {law_text(fits[pr_label])}; "
                f"ratio: {law_text(ratio_fit)} (mean {finite_ratios['ratio'].mean():.3g})")
    claimed = ("both ∝ (NT)^{-1/2}; ratio bounded (exponents 0)" if not reported
               else "outside the theorem's assumptions: no claim")
    tolerance = (f"every exponent within {RATE_EXPONENT_TOLERANCE} of −1/2 (ratio: of 0); "
                 f"≥ {MIN_T_RANGE}× in T, ≥ {MIN_N_RANGE}× in N; no divergence"
                 if not reported else "—")
    return ClaimResult(key, title, claim, claimed, measured, tolerance, verdict, details, figs,
                       reasons)


def claim_convergence(sweep: Sweep, figures: Path) -> ClaimResult:
    return rate_claim(
        sweep, figures, "convergence", "Claim 2: the rate O(1/√(NT)) of mini-batch SGD",
        "With γ ∝ √(N/T) and I ≤ c_I·T^{1/4}/N^{3/4}, PR-SGD attains (1/T)·Σ‖∇f(x̄_t)‖² = "
        "O(1/√(NT)), the rate of mini-batch SGD (Theorem 1, Corollary 1).")


def claim_convergence_mlp(sweep: Sweep, figures: Path) -> ClaimResult:
    return rate_claim(
        sweep, figures, "convergence_mlp",
        "Claim 2 outside its assumptions: a tanh MLP (reported)",
        "Theorem 1 assumes bounded stochastic gradients, which an MLP's are not; the same "
        "comparison is reported as measured.", reported=True)


def claim_momentum(sweep: Sweep, figures: Path) -> ClaimResult:
    return rate_claim(
        sweep, figures, "momentum", "Claim 6: the momentum variant keeps the rate",
        "PR-SGD with (Nesterov) momentum keeps the O(1/√(NT)) rate on non-identical worker data "
        "(Yu, Jin & Yang 2019): claim 2's laws hold with momentum on label-skewed shards.")


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


def speedup_claim(sweep: Sweep, figures: Path, key: str, model: str) -> ClaimResult:
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
    diverged = diverged_runs(sweep, sweep.done_runs())
    checks = [Check(abs(fit.slope + 1.0) <= SPEEDUP_SLOPE_TOLERANCE,
                    f"slope {fit.describe()} within {SPEEDUP_SLOPE_TOLERANCE} of −1"),
              Check(not missing, "the target is reached at every N" if not missing else
                    f"never reached at N = {', '.join(str(int(n)) for n in missing)}"),
              Check(not diverged, "no run diverged" if not diverged else "; ".join(diverged))]
    verdict, reasons = verdict_of(checks)
    fig1 = plot_loglog([Series("T to target", np.array([p[0] for p in per_n]), np.array([p[1] for p in per_n]),
                               np.array([p[2] for p in per_n]), fit)],
                       figures / f"{key}_T_vs_N.png", f"Iterations to the target training loss ({model})",
                       "Workers N", "Iterations T to target (mean ± 95 % CI)",
                       reference={"ideal 1/N": -1.0})
    fig2 = plot_speedup([Series("PR-SGD (theory γ and I)", np.array([s[0] for s in speed]),
                                np.array([s[1] for s in speed]), np.array([s[2] for s in speed]))],
                        figures / f"{key}_vs_N.png", f"Speed-up in iterations to the target loss ({model})")
    horizon = {n: frame.loc[frame["N"] == n, "horizon"].iloc[0] for n in ns}
    lr = {n: frame.loc[frame["N"] == n, "lr"].iloc[0] for n in ns}
    details = checks_table(checks) + [""]
    details += md_table(["N", "horizon T", "γ", "T to target (mean ± 95 % CI)", "speed-up over N = 1"],
                        [[f"{int(n)}", f"{int(horizon[n])}", f"{lr[n]:.3g}", fmt_ci(m, h), fmt_ci(sm, sh)]
                         for (n, m, h), (_, sm, sh) in zip(per_n, speed)])
    details.append("")
    details.append(
        f"Each N runs the paper's prescription for the horizon T = {int(budget)}/N (so N·T is fixed "
        f"and γ = c_γ·√(N/T) grows like N); T to target = its first metrics row with training loss "
        f"≤ the replicate's target, the loss one worker reached at {TARGET_FRACTION:g}·{int(budget)} "
        f"steps. Fit over {fit.n} (N, replicate) values, {len(targets)} replicates.")
    return ClaimResult(
        key, f"Claim 3: linear speed-up in N ({model})",
        "With γ ∝ √(N/T), the bound O(1/√(NT)) means the iterations to reach a given accuracy fall "
        "like 1/N.",
        "slope of log T_target on log N = −1", f"slope {fit.describe()}",
        f"|slope + 1| ≤ {SPEEDUP_SLOPE_TOLERANCE}, target reached at every N",
        verdict, details, [fig1, fig2], reasons)


def claim_speedup(sweep: Sweep, figures: Path) -> ClaimResult:
    return speedup_claim(sweep, figures, "speedup", "tanh MLP")


def claim_speedup_softmax(sweep: Sweep, figures: Path) -> ClaimResult:
    return speedup_claim(sweep, figures, "speedup_softmax", "softmax regression")


# ---- claim 4 ------------------------------------------------------------------------------------

def claim_wallclock(sweep: Sweep, figures: Path) -> ClaimResult:
    runs_csv = sweep.path / "runs.csv"
    if "workers" not in sweep.keys:
        raise SweepDataError(f"{runs_csv}: claim 4 needs a swept 'workers' key")
    _, series_runs = interval_series(sweep)
    series_runs = {label: runs[runs["status"] == "ok"] for label, runs in series_runs.items()}
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
            sooner.append((n, p_mean < b_mean))
        interval = p["interval"].dropna().unique()
        rows.append([f"{int(n)}", ", ".join(str(int(v)) for v in interval) or "—",
                     fmt_ci(bm, bh) if math.isfinite(b_mean) else "not reached",
                     fmt_ci(pm, ph) if math.isfinite(p_mean) else "not reached",
                     fmt_ci(series[0].y[i], series[0].y_ci95[i]),
                     fmt_ci(series[1].y[i], series[1].y_ci95[i])])
    checks = [Check(ok, f"N = {int(n)}: PR-SGD reaches the target sooner (mean over replicates)")
              for n, ok in sooner] or [Check(False, "no N ≥ 2 was run")]
    diverged = diverged_runs(sweep, sweep.done_runs())
    checks.append(Check(not diverged, "no run diverged" if not diverged else "; ".join(diverged)))
    verdict, reasons = verdict_of(checks)
    fig1 = plot_speedup(series, figures / "wallclock_speedup_vs_N.png",
                        "Simulated time to the target loss: speed-up over one worker")
    largest = max(ns)
    points = set(sweep.ok_runs().loc[sweep.ok_runs()["n_workers"] == largest, "point"])
    label = lambda row: (f"N = {int(row['n_workers'])}, I = 1" if row["interval_used"] == 1
                         else f"N = {int(row['n_workers'])}, PR-SGD I = {int(row['interval_used'])}")
    curves = point_curves(sweep, "sim_time_s", "train_loss", points=points, label=label)
    fig2 = plot_curves(curves, "sim_time_s", "train_loss", figures / "wallclock_loss_vs_time.png",
                       f"Training loss against simulated time, N = {int(largest)}")
    details = checks_table(checks) + [""]
    details += md_table(["N", "I (PR-SGD)", "time to target, I = 1 (s)", "time to target, PR-SGD (s)",
                         "speed-up, I = 1", "speed-up, PR-SGD"], rows)
    details.append("")
    details.append(f"Speed-up = (simulated time of one worker, I = 1, to reach the target) / (that "
                   f"of N workers), per replicate, mean ± 95 % CI. Target: the training loss one "
                   f"worker reached after {TARGET_FRACTION:g}·T steps, per replicate "
                   f"({len(targets)} replicates).")
    pr_speed = ", ".join(f"N={int(n)}: {s:.2f}" for n, s in zip(ns, series[1].y))
    return ClaimResult(
        "wallclock", "Claim 4: PR-SGD is faster in wall-clock time on a slow network",
        "Skipping communication turns into wall-clock speed-up where rounds are expensive.",
        "PR-SGD reaches the target sooner than mini-batch SGD at every N ≥ 2",
        f"sooner at {sum(ok for _, ok in sooner)} of {len(sooner)} N ≥ 2; PR-SGD speed-up {pr_speed}",
        "strictly sooner (mean over replicates) at every N ≥ 2", verdict, details, [fig1, fig2],
        reasons)


# ---- claim 5 ------------------------------------------------------------------------------------

def harmless_interval(intervals: np.ndarray, ratios: np.ndarray,
                      threshold: float = HARMLESS_RATIO) -> float:
    """I* where the ratio curve (sorted by I, starting at I = 1) first exceeds `threshold`,
    interpolated linearly in (log I, log ratio) from the interval before; inf when it never does."""
    above = np.flatnonzero(ratios > threshold)
    if not above.size:
        return math.inf
    k = int(above[0])
    if k == 0:
        return float(intervals[0])
    x0, x1 = math.log(intervals[k - 1]), math.log(intervals[k])
    y0, y1 = math.log(ratios[k - 1]), math.log(ratios[k]) if math.isfinite(ratios[k]) else math.inf
    if not math.isfinite(y1):  # diverged: no slope to interpolate along
        return float(intervals[k])
    return math.exp(x0 + (math.log(threshold) - y0) * (x1 - x0) / (y1 - y0))


def harmless_intervals(runs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """I* per (`by`, replicate), from ratios to the I = 1 run of the same group and replicate."""
    base = runs[runs["interval_used"] == 1]
    ratios = paired_ratios(base, runs, by)
    records = []
    for values, group in ratios.groupby(by + ["replicate"], sort=True):
        group = group.sort_values("interval_used")
        records.append(dict(zip(by + ["replicate"], values),
                            istar=harmless_interval(group["interval_used"].to_numpy(float),
                                                    group["ratio"].to_numpy(float)),
                            largest=float(group["interval_used"].max())))
    return pd.DataFrame(records), ratios


def claim_interval(sweep: Sweep, figures: Path) -> ClaimResult:
    runs_csv = sweep.path / "runs.csv"
    for needed in ("algorithm.interval", "workers", "steps"):
        if needed not in sweep.keys:
            raise SweepDataError(f"{runs_csv}: claim 5 needs a swept '{needed}' key")
    runs = sweep.done_runs()
    require_step_averages(sweep, runs)
    title = "Claim 5: the largest harmless interval I* falls with N and grows with T"
    claim = ("Corollary 1 keeps the rate for I up to ~ T^{1/4}/N^{3/4}: the interval past which "
             "averaging less often hurts shrinks with N and grows with T.")
    stars, ratios = harmless_intervals(runs, ["n_workers", "t_steps"])
    censored = stars[~np.isfinite(stars["istar"])]
    if len(censored):
        problems = [f"N = {int(r['n_workers'])}, T = {int(r['t_steps'])}, replicate "
                    f"{int(r['replicate'])}: the ratio stays ≤ {HARMLESS_RATIO:g} up to the largest "
                    f"interval run (I = {int(r['largest'])}); the sweep must reach further"
                    for _, r in censored.iterrows()]
        return incomplete("interval", title, claim, problems)
    law = fit_power_law(stars["istar"], {"T": stars["t_steps"], "N": stars["n_workers"]})
    t_span, n_span = spans(stars["t_steps"]), spans(stars["n_workers"])
    checks = [
        Check(law["T"].low > 0, f"T exponent {law['T'].describe()}: its interval lies above 0 (I* grows with T)"),
        Check(law["N"].high < 0, f"N exponent {law['N'].describe()}: its interval lies below 0 (I* falls with N)"),
        Check(t_span >= MIN_T_RANGE, f"T spans {t_span:.0f}× (≥ {MIN_T_RANGE}×)"),
        Check(n_span >= MIN_N_RANGE, f"N spans {n_span:.0f}× (≥ {MIN_N_RANGE}×)"),
    ]
    verdict, reasons = verdict_of(checks)
    contains = lambda e, v: "contains" if e.low <= v <= e.high else "excludes"
    theory_note = (f"Against the theory's T^{{1/4}}·N^{{-3/4}}: the T exponent's interval "
                   f"{contains(law['T'], 0.25)} 1/4, the N exponent's {contains(law['N'], -0.75)} −3/4.")
    rows = []
    for (n, t), group in stars.groupby(["n_workers", "t_steps"], sort=True):
        rows.append([f"{int(n)}", f"{int(t)}", fmt_ci(*mean_ci95(group["istar"])),
                     f"{t ** 0.25 / n ** 0.75:.3g}", str(len(group))])
    details = checks_table(checks) + ["", f"Fit of log I* over {law.n} (N, T, replicate) values: "
                                      f"{law.describe()}. {theory_note}", ""]
    details += md_table(["N", "T", "I* (mean ± 95 % CI)", "T^{1/4}/N^{3/4}", "replicates"], rows)
    details += ["", f"I* = the interval at which the average ‖∇f(x̄_t)‖² first exceeds "
                f"{HARMLESS_RATIO:g}× that of I = 1 (same replicate), interpolated in log I and log "
                f"ratio between the intervals run."]
    t_max = float(ratios["t_steps"].max())
    table = ratios[ratios["t_steps"] == t_max].pivot_table(index="n_workers", columns="interval_used",
                                                           values="ratio", aggfunc="mean")
    table.index = [int(i) for i in table.index]
    table.columns = [int(c) for c in table.columns]
    fig1 = plot_heatmap(table, figures / "interval_ratio_heatmap.png",
                        f"Average ‖∇f‖² over I = 1's, T = {int(t_max)}", "Workers N",
                        "Averaging interval I", "ratio (mean over replicates)", log_color=True)
    series = [slice_series(f"T = {int(t)}", group, "n_workers", "istar")
              for t, group in stars.groupby("t_steps", sort=True)]
    fig2 = plot_loglog(series, figures / "interval_istar_vs_N.png",
                       "Largest harmless interval I* against N", "Workers N",
                       "I* (mean ± 95 % CI)", reference={"N^-3/4": -0.75})
    series = [slice_series(f"N = {int(n)}", group, "t_steps", "istar")
              for n, group in stars.groupby("n_workers", sort=True)]
    fig3 = plot_loglog(series, figures / "interval_istar_vs_T.png",
                       "Largest harmless interval I* against T", "T (iterations per worker)",
                       "I* (mean ± 95 % CI)", reference={"T^1/4": 0.25})
    return ClaimResult(
        "interval", title, claim,
        "I* ∝ T^b·N^c with b > 0 and c < 0 (theory: 1/4 and −3/4)",
        f"I* ∝ T^{law['T'].value:.3f}·N^{law['N'].value:.3f}",
        "the 95 % interval of b above 0 and of c below 0; ≥ 16× in T, ≥ 8× in N",
        verdict, details, [fig1, fig2, fig3], reasons)


# ---- claims 2 and 5 on real data ----------------------------------------------------------------

def claim_fashion_mnist(sweep: Sweep, figures: Path) -> ClaimResult:
    runs = sweep.done_runs().copy()
    require_step_averages(sweep, runs)
    runs["theory"] = [schedule_of(sweep, r)[0] == "theory" for _, r in runs.iterrows()]
    fixed = runs[~runs["theory"]]
    stars, ratios = harmless_intervals(fixed, ["n_workers", "t_steps"])
    theory_ratio = paired_ratios(fixed[fixed["interval_used"] == 1], runs[runs["theory"]],
                                 ["n_workers", "t_steps"])
    base = fixed[fixed["interval_used"] == 1].set_index("replicate")
    rows = []
    for interval, group in runs.groupby("interval_used", sort=True):
        name = f"{int(interval)}" + (" (theory)" if group["theory"].all() else "")
        grad = [r[AVERAGE] / base.loc[r["replicate"], AVERAGE] for _, r in group.iterrows()]
        loss = [r["average_train_loss"] / base.loc[r["replicate"], "average_train_loss"]
                for _, r in group.iterrows()]
        rows.append([name, fmt_ci(*mean_ci95(grad)), fmt_ci(*mean_ci95(loss)),
                     fmt_ci(*mean_ci95(group["final_train_loss"])),
                     fmt_ci(*mean_ci95(group["final_test_accuracy"])), str(len(group))])
    n_censored = int((~np.isfinite(stars["istar"])).sum())
    finite_stars = stars.loc[np.isfinite(stars["istar"]), "istar"]
    star_text = (f"I* = {fmt_ci(*mean_ci95(finite_stars))} in {len(finite_stars)} replicates"
                 if len(finite_stars) else "no I* up to the largest interval")
    if n_censored:
        star_text += (f"; in {n_censored} of {len(stars)} replicates the ratio never exceeds "
                      f"{HARMLESS_RATIO:g} up to I = {int(stars['largest'].max())}")
    ratio_mean, ratio_half = mean_ci95(theory_ratio["ratio"])
    interval = ", ".join(str(int(i)) for i in sorted(theory_ratio["interval_used"].unique()))
    details = md_table(["I", "average ‖∇f‖² over I = 1's", "average f over I = 1's",
                        "final training loss", "final test accuracy", "replicates"], rows)
    details += ["", f"Ratios are paired per replicate. Claim 2: at the theory interval (I = "
                f"{interval}) the average ‖∇f(x̄_t)‖² is {fmt_ci(ratio_mean, ratio_half)}× I = 1's. "
                f"Claim 5 (interval.yaml's definition, ratio > {HARMLESS_RATIO:g}): {star_text}."]
    xs = np.array(sorted(ratios["interval_used"].unique()), dtype=float)
    means = [mean_ci95(ratios.loc[ratios["interval_used"] == i, "ratio"]) for i in xs]
    fig1 = plot_loglog([Series("average ‖∇f‖² over I = 1's", xs, np.array([m for m, _ in means]),
                               np.array([h for _, h in means]))],
                       figures / "fashion_mnist_ratio_vs_I.png",
                       "Fashion-MNIST: the average squared gradient norm against I",
                       "Averaging interval I", "ratio (mean ± 95 % CI)",
                       reference={"ratio 1": 0.0})
    return ClaimResult(
        "fashion_mnist", "Claims 2 and 5 on Fashion-MNIST (reported)",
        "The comparison of claim 2 and the interval threshold of claim 5 on real data (MLP, "
        "label-skewed shards, N = 8), as measured.",
        "no claim: measured", f"theory-interval ratio {fmt_ci(ratio_mean, ratio_half)}; {star_text}",
        "—", REPORTED, details, [fig1], [])


@dataclass(frozen=True)
class ClaimSpec:
    check: Callable[[Sweep, Path], ClaimResult]
    min_replicates: int
    title: str   # for an INCOMPLETE result, before the check runs


# Report order; each key is a scenarios/paper/<key>.yaml and a sweep directory of that name.
CLAIMS: dict[str, ClaimSpec] = {
    "communication": ClaimSpec(claim_communication, 1, "Claim 1: communication rounds"),
    "convergence": ClaimSpec(claim_convergence, MIN_REPLICATES, "Claim 2: the rate O(1/√(NT))"),
    "convergence_mlp": ClaimSpec(claim_convergence_mlp, MIN_REPLICATES, "Claim 2 on a tanh MLP"),
    "speedup": ClaimSpec(claim_speedup, MIN_REPLICATES, "Claim 3: linear speed-up (MLP)"),
    "speedup_softmax": ClaimSpec(claim_speedup_softmax, MIN_REPLICATES,
                                 "Claim 3: linear speed-up (softmax)"),
    "wallclock": ClaimSpec(claim_wallclock, MIN_REPLICATES, "Claim 4: wall-clock time"),
    "interval": ClaimSpec(claim_interval, MIN_REPLICATES, "Claim 5: the harmless interval I*"),
    "momentum": ClaimSpec(claim_momentum, MIN_REPLICATES, "Claim 6: momentum"),
    "fashion_mnist": ClaimSpec(claim_fashion_mnist, MIN_REPLICATES, "Claims 2 and 5 on Fashion-MNIST"),
}


def objective_note(sweep: Sweep) -> str:
    """Which objective the runs minimise against the one measured (the pooled training set's),
    from the first run's resolved scenario."""
    summary = sweep.summary(sweep.done_runs().iloc[0])
    scenario = summary.get("scenario", {})
    partition = scenario.get("data", {}).get("partition", "iid")
    weighting = scenario.get("algorithm", {}).get("weighting", "equal")
    measured = "Objective: every figure measures the pooled training objective f = Σ (nᵢ/n)·fᵢ"
    subset, whole = summary.get("eval_train_samples"), summary.get("train_samples")
    if subset and whole and subset < whole:
        measured += f" (estimated on a fixed sample of {subset} of its {whole} samples, eval.samples)"
    if weighting == "samples":
        return (f"{measured}; the workers' averages weigh shard i by nᵢ/n "
                f"(`algorithm.weighting: samples`), so f is the objective minimised.")
    if partition in ("iid", "shards", "contiguous"):
        return (f"{measured}; the workers minimise (1/N)·Σ fᵢ (equal weights) over `{partition}` "
                f"shards of equal size (± 1 sample), the same function.")
    return (f"{measured}, but the workers minimise (1/N)·Σ fᵢ over unequal `{partition}` shards: "
            f"another function (`algorithm.weighting: samples` would make them the same).")


def check_claim(key: str, sweep: Sweep, figures: Path) -> ClaimResult:
    """The claim's verdict, or INCOMPLETE (naming every problem) when its sweep is incomplete."""
    spec = CLAIMS[key]
    problems = sweep.incomplete(spec.min_replicates)
    if problems:
        return incomplete(key, spec.title, "", problems)
    result = spec.check(sweep, figures)
    result.details[:0] = [objective_note(sweep), ""]
    return result
