"""sgdsim: a deterministic discrete-event simulator of distributed SGD (PR-SGD / local SGD).

    import sgdsim
    s = sgdsim.load("scenarios/quickstart.yaml", set={"algorithm.interval": 8})
    result = sgdsim.run(s, threads=2)
    result.metrics          # pandas DataFrame, metrics.csv's columns
    result.summary          # dict, summary.json's content

The numbers are the CLI's: the same scenario gives the same bytes through either.
"""
from . import data
from ._errors import DivergedWarning, Interrupted, ScenarioError
from ._network import Network
from ._result import Result, load_result
from ._run import run, run_real
from ._scenario import Scenario, load
from ._sgdsim import version as __version__
from ._sweep import SweepResult, sweep

__all__ = ["load", "Scenario", "run", "run_real", "sweep", "load_result", "Result",
           "SweepResult", "Network", "ScenarioError", "Interrupted", "DivergedWarning", "data",
           "__version__"]
