"""sgdsim.run and sgdsim.run_real."""
import json
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import _sgdsim
from ._errors import DivergedWarning, Interrupted
from ._result import METRICS_COLUMNS, Result, load_result
from ._scenario import as_scenario


def _size_bytes(memory_limit):
    if memory_limit is None:
        return 0.0
    if isinstance(memory_limit, str):
        parsed = _sgdsim.parse_size_bytes(memory_limit)
        if parsed is None or parsed <= 0:
            raise ValueError(f"memory_limit: expected bytes or {_sgdsim.size_units}, got "
                             f"{memory_limit!r}")
        return parsed
    if memory_limit <= 0:
        raise ValueError("memory_limit: expected bytes > 0")
    return float(memory_limit)


def run(scenario, *, threads=1, progress=False, out=None, trace=False, on_metrics=None,
        on_round=None, memory_limit=None):
    """Simulate a scenario and return its Result.

    scenario: a sgdsim.Scenario, a scenario file's path, or a dict (Scenario.from_dict).
    threads: threads for the workers' local steps (results are the same for any number).
    progress: print the step reached on sys.stderr every half second, and the outcome.
    out: a directory to write the CLI's files into (metrics.csv, summary.json, model.csv and
        trace.json, byte for byte as ``sgdsim run --out``); None (default) writes nothing.
    trace: also return the Perfetto trace as ``result.trace`` (a dict; large for long runs).
    on_metrics: called with each metrics row (a dict of metrics.csv's columns) as it is measured,
        e.g. to update a live plot.
    on_round: called with each averaging round, ``{round, start_s, duration_s, bytes_sent}``.
    memory_limit: refuse a run whose data and replicas need more (bytes or '8GiB'; default: the
        memory available when it starts).

    The simulation runs with the GIL released. Ctrl-C (KeyboardInterrupt) stops it and raises
    sgdsim.Interrupted (a KeyboardInterrupt) whose ``result`` is the partial run, status
    ``interrupted``; a callback that raises stops the run and its exception propagates. A run
    that diverges returns with status ``diverged`` and warns (DivergedWarning). Bad input raises
    sgdsim.ScenarioError before anything is written. A ``sweep:`` section is ignored, as by
    ``sgdsim run``: sgdsim.sweep runs it.
    """
    s = as_scenario(scenario)
    temporary = None
    if trace and out is None:
        temporary = tempfile.mkdtemp(prefix="sgdsim-trace-")
    try:
        target = out if out is not None else temporary
        raw = _sgdsim.run(s._core, threads, None if target is None else os.fspath(target),
                          on_metrics, on_round, bool(progress), _size_bytes(memory_limit))
        trace_data = None
        if temporary is not None:
            with open(Path(temporary) / "trace.json") as f:
                trace_data = json.load(f)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    summary = json.loads(raw["summary"])
    precision = summary.get("scenario", {}).get("precision", "float32")
    model = raw["model"].astype(np.float32 if precision == "float32" else np.float64)
    metrics = pd.DataFrame({c: raw["metrics"][c] for c in METRICS_COLUMNS})
    result = Result(raw["status"], summary, metrics, model, out=out, trace=trace_data, scenario=s)
    if raw["interrupted_by_signal"]:
        raise Interrupted(result) from raw.get("signal_error")
    if result.status == "diverged":
        where = summary.get("diverged_worker")
        warnings.warn(f"{s.name}: diverged at step {summary.get('diverged_step')}"
                      f"{'' if where in (None, -1) else f' (worker {where})'}: the loss or the "
                      "model stopped being finite; lower the step size", DivergedWarning,
                      stacklevel=2)
    return result


def run_real(scenario, ranks=2, *, out=None, emulate_compute=False, reduction="allreduce",
             mpirun="mpirun", mpirun_args=(), timeout=None):
    """Run a scenario for real on ``ranks`` MPI processes (``mpirun -np R sgdsim run --real``)
    and return its Result, the measured times in ``result.summary``.

    out: the output directory (default: a temporary one, removed; the Result is in memory).
    emulate_compute: each local step waits until it has lasted what the compute model draws.
    reduction: ``allreduce`` (MPI_Allreduce) or ``ordered`` (bit-identical to the simulation).
    mpirun, mpirun_args: the launcher and options for it (e.g. ``["--host", "a,b"]``); the
        ranks run the ``sgdsim`` command of the build this module belongs to.
    timeout: seconds before the run is killed (subprocess.TimeoutExpired), default none.
    Arrays attached from numpy cannot be handed to other processes: use a data file.
    Raises RuntimeError with mpirun's output when the run fails.
    """
    if not _sgdsim.has_mpi:
        raise RuntimeError("this sgdsim was built without MPI: install OpenMPI (scripts/setup "
                           "does) and rebuild")
    s = as_scenario(scenario)
    if s.arrays is not None or s.step_times is not None:
        raise ValueError("run_real: arrays from numpy stay in this process; give the data as a "
                         "file (csv, libsvm) for a real run")
    with tempfile.TemporaryDirectory(prefix="sgdsim-real-") as work:
        path = Path(work) / f"{s.name or 'scenario'}.yaml"
        path.write_text(json.dumps(s.to_dict(), indent=1) + "\n")  # JSON is YAML
        target = Path(out) if out is not None else Path(work) / "out"
        command = [mpirun, "-np", str(ranks), "--oversubscribe", *mpirun_args, _sgdsim.cli,
                   "run", "--real", str(path), "--out", str(target), "-q",
                   "--reduction", reduction]
        if emulate_compute:
            command.append("--emulate-compute")
        env = dict(os.environ)
        if os.geteuid() == 0:
            env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
            env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode not in (0, 3, 130):  # ok, diverged, interrupted: there are results
            raise RuntimeError(f"{' '.join(command)} failed (exit {done.returncode}):\n"
                               f"{done.stderr.strip()}")
        result = load_result(target)
        if out is None:
            result.out = None
            result._trace = None
        result.scenario = s
        return result
