from os import PathLike
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import data as data
from .data import Arrays, StepTimes

__version__: str

_Path = Union[str, PathLike[str]]
_ScenarioLike = Union["Scenario", _Path, Mapping[str, Any]]

class ScenarioError(ValueError):
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    key: Optional[str]
    messages: list[str]
    problems: list[dict[str, Any]]

class Interrupted(KeyboardInterrupt):
    result: Union["Result", "SweepResult"]

class DivergedWarning(RuntimeWarning): ...

class Scenario:
    arrays: Optional[Arrays]
    step_times: Optional[StepTimes]
    @classmethod
    def from_dict(
        cls,
        scenario: Mapping[str, Any],
        set: Optional[Mapping[str, Any]] = ...,
        data: Optional[Arrays] = ...,
        step_times: Union[StepTimes, np.ndarray, Sequence[float], None] = ...,
    ) -> "Scenario": ...
    def with_set(self, set: Optional[Mapping[str, Any]] = ..., **keys: Any) -> "Scenario": ...
    def to_dict(self) -> dict[str, Any]: ...
    @property
    def name(self) -> str: ...
    @property
    def workers(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def interval(self) -> Optional[int]: ...
    @property
    def lr(self) -> float: ...
    @property
    def source(self) -> str: ...
    @property
    def overrides(self) -> list[str]: ...
    @property
    def has_sweep(self) -> bool: ...

def load(
    path: _Path,
    set: Optional[Mapping[str, Any]] = ...,
    data: Optional[Arrays] = ...,
    step_times: Union[StepTimes, np.ndarray, Sequence[float], None] = ...,
) -> Scenario: ...

class Result:
    status: str
    summary: dict[str, Any]
    metrics: pd.DataFrame
    model: np.ndarray
    out: Optional[Path]
    scenario: Optional[Scenario]
    @property
    def trace(self) -> Optional[dict[str, Any]]: ...
    @property
    def ok(self) -> bool: ...
    @property
    def sim_time_s(self) -> float: ...
    @property
    def final_train_loss(self) -> Optional[float]: ...
    @property
    def final_test_accuracy(self) -> Optional[float]: ...
    @property
    def comm_rounds(self) -> int: ...

def run(
    scenario: _ScenarioLike,
    *,
    threads: int = ...,
    progress: bool = ...,
    out: Optional[_Path] = ...,
    trace: bool = ...,
    on_metrics: Optional[Callable[[dict[str, float]], Any]] = ...,
    on_round: Optional[Callable[[dict[str, float]], Any]] = ...,
    memory_limit: Union[int, float, str, None] = ...,
) -> Result: ...

def run_real(
    scenario: _ScenarioLike,
    ranks: int = ...,
    *,
    out: Optional[_Path] = ...,
    emulate_compute: bool = ...,
    reduction: str = ...,
    mpirun: str = ...,
    mpirun_args: Sequence[str] = ...,
    timeout: Optional[float] = ...,
) -> Result: ...

def load_result(out: _Path) -> Result: ...

class SweepResult:
    runs: pd.DataFrame
    aggregate: pd.DataFrame
    axes: list[str]
    summaries: list[Optional[dict[str, Any]]]
    records: list[dict[str, Any]]
    counts: dict[str, int]
    interrupted: bool
    out: Optional[_Path]
    @property
    def metrics(self) -> pd.DataFrame: ...

def sweep(
    scenario: _ScenarioLike,
    *,
    jobs: Optional[int] = ...,
    out: Optional[_Path] = ...,
    progress: bool = ...,
) -> SweepResult: ...

class Network:
    input_shape: tuple[int, int, int]
    num_classes: int
    dtype: type
    def __init__(
        self,
        model: Union[str, Mapping[str, Any]],
        input_shape: Sequence[int],
        num_classes: int = ...,
        precision: str = ...,
    ) -> None: ...
    @property
    def num_params(self) -> int: ...
    @property
    def num_state(self) -> int: ...
    def initial_params(self, seed: int = ..., random: bool = ...) -> np.ndarray: ...
    def loss_and_gradient(
        self, params: np.ndarray, X: np.ndarray, y: Any, update_state: bool = ...
    ) -> tuple[float, np.ndarray]: ...
    def evaluate(self, params: np.ndarray, X: np.ndarray, y: Any) -> tuple[float, float]: ...
    def flops_per_gradient(self, batch: int) -> float: ...
