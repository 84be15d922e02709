#!/usr/bin/python3
"""Check the claims of Yu, Yang & Zhu (AAAI 2019) against the sweeps of scenarios/paper/ and write
report.md: per claim the claimed law, the fitted one with its 95 % intervals, the tolerance, a
verdict (PASS, FAIL, INCOMPLETE, or REPORTED for measurements without a claim), the figures (PNGs
beside the report, linked by relative paths) and the command that produced it. The checks are in
analysis/paper_claims.py; docs/paper-claims.md argues every set-up and tolerance.

usage: analysis/paper_report.py RESULTS_DIR [--out REPORT.md] [--claims NAME,...]

RESULTS_DIR holds one `sgdsim sweep` output directory per claim, named after its scenario
(scenarios/paper/<name>.yaml). Exit codes: 0 every claim PASS (or REPORTED), 3 a claim FAILed,
4 a claim is INCOMPLETE (an errored, missing or interrupted run, too few replicates: named in the
report and on stderr), 1 cannot write, 2 bad input (a missing or malformed sweep directory or
file; the message names it). The report is written whatever the verdicts.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paper_claims import (  # noqa: E402
    CLAIMS, FAIL, INCOMPLETE, ClaimResult, check_claim, md_cell,
)
from sgdsim_runs import RunDataError  # noqa: E402
from sweep_results import SweepDataError, load_sweep  # noqa: E402

EXIT_FAIL = 3
EXIT_INCOMPLETE = 4


def scenario_file(key: str) -> str:
    return f"scenarios/paper/{key}.yaml"


def sweep_command(key: str, results: Path) -> str:
    return f"build/release/sgdsim sweep {scenario_file(key)} --out {results / key}"


def base_seeds(results_dir: Path, keys: list[str]) -> str:
    """Each sweep's replicate-0 seed (the scenario's, or --seed's), as report text."""
    seeds = []
    for key in keys:
        try:
            runs = load_sweep(results_dir / key).runs
            seeds.append(f"{key} {runs.loc[runs['replicate'] == 0, 'seed'].iloc[0]}")
        except (RunDataError, IndexError):
            continue
    return ", ".join(seeds)


def write_report(results: list[ClaimResult], path: Path, results_dir: Path, command: str) -> Path:
    base = path.parent
    lines = ["# PR-SGD claims (Yu, Yang & Zhu, AAAI 2019), reproduced by sgdsim", "",
             f"Produced by `{command}`; each sweep by the command under its claim. Set-ups, "
             "tolerances and why: [docs/paper-claims.md](../../docs/paper-claims.md) (from "
             "results/paper/). Base seeds (replicate 0): "
             f"{base_seeds(results_dir, [r.key for r in results])}.", "",
             "| claim | claimed | measured | tolerance | verdict |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| [{r.title}](#{r.key}) | {md_cell(r.claimed)} | {md_cell(r.measured)} | "
                     f"{md_cell(r.tolerance)} | **{r.verdict}** |")
    for r in results:
        lines += ["", f'<a id="{r.key}"></a>', f"## {r.title}: **{r.verdict}**", ""]
        if r.claim:
            lines += [r.claim, ""]
        lines += [f"- Claimed: {r.claimed}", f"- Measured: {r.measured}",
                  f"- Tolerance: {r.tolerance}", f"- Verdict: **{r.verdict}**"]
        if r.reasons and r.verdict == FAIL:
            lines += [f"- Failed: {'; '.join(r.reasons)}"]
        lines += [f"- Scenario: `{scenario_file(r.key)}`; sweep: `{sweep_command(r.key, results_dir)}`", ""]
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
                results.append(check_claim(name, load_sweep(results_dir / name), figures))
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
        print(f"{r.verdict:10s} {r.title}: {r.measured}")
        if r.verdict == INCOMPLETE:
            for problem in r.reasons:
                print(f"           {problem}", file=sys.stderr)
    print(out)
    verdicts = {r.verdict for r in results}
    if INCOMPLETE in verdicts:
        return EXIT_INCOMPLETE
    return EXIT_FAIL if FAIL in verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
