"""sgdsim.Scenario: a validated scenario, from a YAML file or built in code."""
import json
import os

import numpy as np

from . import _sgdsim
from ._errors import DICT_SOURCE
from .data import Arrays, StepTimes, step_times as _step_times


def _plain(value, where):
    """value as JSON can hold it (numpy scalars and arrays become numbers and lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"{where or 'scenario'}: {type(value).__name__} is not a scenario value "
                    "(numbers, strings, lists and dicts are)")


def _assignments(overrides):
    """set={"key.path": value} as the CLI's --set key.path=value strings (values as YAML)."""
    if not overrides:
        return []
    if not isinstance(overrides, dict):
        raise TypeError("set: expected a dict of key paths to values, e.g. {'algorithm.interval': 8}")
    return [f"{key}={json.dumps(_plain(value, key), allow_nan=False)}"
            for key, value in overrides.items()]


class Scenario:
    """A scenario, validated as ``sgdsim validate`` does (its data are read when it runs).

    Make one with ``sgdsim.load(path)`` or ``Scenario.from_dict({...})``; ``with_set`` derives
    another; ``to_dict`` gives it resolved (every default filled in), as summary.json records it.
    """

    def __init__(self, core, arrays=None, step_times=None):
        self._core = core
        self.arrays = arrays            # sgdsim.data.Arrays behind data.kind: arrays, if any
        self.step_times = step_times    # sgdsim.data.StepTimes behind compute.times: arrays

    @classmethod
    def from_dict(cls, scenario, set=None, data=None, step_times=None):
        """A scenario from a dict with the keys of a scenario file.

        scenario: the dict (numbers, strings, lists, dicts; numpy scalars and arrays work too).
        set: keys to override afterwards, as ``sgdsim.load``'s ``set``.
        data: ``sgdsim.data.arrays(X, y, ...)`` for the data (or put it at the dict's ``data``).
        step_times: a numpy array of step times for ``compute: {kind: empirical}`` (or put it
            at the dict's ``compute.times``).
        Arrays are attached without copying. Relative paths are relative to the working
        directory. Problems raise ScenarioError naming the key (``<dict>: key.path: ...``).
        """
        if not isinstance(scenario, dict):
            raise TypeError(f"from_dict: expected a dict, got {type(scenario).__name__}")
        scenario = dict(scenario)
        if isinstance(scenario.get("data"), Arrays):
            if data is not None:
                raise ValueError("from_dict: arrays both in the dict's data and in data=")
            data = scenario["data"]
        if data is not None:
            if not isinstance(data, Arrays):
                raise TypeError("data: expected sgdsim.data.arrays(X, y, ...)")
            section = scenario.get("data")
            section = dict(section) if isinstance(section, dict) else {}
            section.update(data.options)
            section["kind"] = "arrays"
            scenario["data"] = section
        compute = scenario.get("compute")
        if isinstance(compute, dict) and not isinstance(compute.get("times"), (str, type(None))):
            if step_times is not None:
                raise ValueError("from_dict: step times both in compute.times and in step_times=")
            step_times = compute["times"]
        if step_times is not None:
            if not isinstance(step_times, StepTimes):
                step_times = _step_times(step_times)
            compute = dict(compute) if isinstance(compute, dict) else {"kind": "empirical"}
            compute["times"] = "arrays"
            scenario["compute"] = compute
        try:
            text = json.dumps(_plain(scenario, ""), indent=1, allow_nan=False)
        except ValueError as e:  # NaN or infinity
            raise ValueError(f"from_dict: {e}: a scenario's numbers are finite") from None
        core = _sgdsim.Scenario.load_text(text, DICT_SOURCE, _assignments(set))
        return cls._attached(core, data, step_times)

    @classmethod
    def _attached(cls, core, arrays, step_times):
        if arrays is not None:
            core.attach_arrays(arrays.X, arrays.y, arrays.X_test, arrays.y_test, arrays.image)
        if step_times is not None:
            core.attach_step_times(step_times.seconds)
        return cls(core, arrays, step_times)

    def with_set(self, set=None, **keys):
        """This scenario with keys changed, as ``--set``: ``s.with_set({"algorithm.interval": 8})``
        or, for top-level keys, ``s.with_set(steps=500)``. Attached arrays stay attached."""
        overrides = dict(set or {})
        overrides.update(keys)
        return Scenario(self._core.with_overrides(_assignments(overrides)), self.arrays,
                        self.step_times)

    def to_dict(self):
        """The resolved scenario (every key, defaults included, and its ``sweep`` section if it
        has one), loadable by ``from_dict``.

        With arrays attached, ``data.kind`` is ``arrays`` (and ``compute.times`` is ``arrays``):
        give them again to from_dict (``data=s.arrays, step_times=s.step_times``).
        """
        resolved = json.loads(self._core.resolved_json())
        if self._core.has_sweep:
            resolved["sweep"] = json.loads(self._core.sweep_json())
        return resolved

    @property
    def name(self):
        return self._core.name

    @property
    def workers(self):
        return self._core.workers

    @property
    def steps(self):
        return self._core.steps

    @property
    def seed(self):
        return self._core.seed

    @property
    def interval(self):
        """The averaging interval I of a fixed or ``theory`` schedule, as resolved (``theory``:
        the paper's ⌊c_I·T^{1/4}/N^{3/4}⌋); None for the other schedules."""
        return self._core.interval

    @property
    def lr(self):
        """The step size γ, as resolved (``theory``: c_γ·√(N/T))."""
        return self._core.lr

    @property
    def source(self):
        """The file it was loaded from, or ``<dict>``."""
        return self._core.source

    @property
    def overrides(self):
        """The ``key=value`` assignments applied to the source, in order."""
        return list(self._core.overrides)

    @property
    def has_sweep(self):
        return self._core.has_sweep

    def __repr__(self):
        return (f"sgdsim.Scenario({self.name!r}: {self.workers} workers, {self.steps} steps, "
                f"from {self.source})")


def load(path, set=None, data=None, step_times=None):
    """Load and validate a scenario file, as ``sgdsim validate`` does.

    path: the YAML file (relative paths in it are relative to the file).
    set: keys to override, as the CLI's ``--set``: ``{"algorithm.interval": 8, "steps": 500}``.
    data, step_times: arrays for a file that says ``data: {kind: arrays}`` or
        ``compute: {times: arrays}`` (see sgdsim.data).
    Raises ScenarioError (with file, line, column and key) for bad input.
    """
    core = _sgdsim.Scenario.load_file(os.fspath(path), _assignments(set))
    if step_times is not None and not isinstance(step_times, StepTimes):
        step_times = _step_times(step_times)
    return Scenario._attached(core, data, step_times)


def as_scenario(scenario):
    """A Scenario from a Scenario, a path, or a dict."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, (str, os.PathLike)):
        return load(scenario)
    raise TypeError(f"expected a sgdsim.Scenario, a scenario file or a dict, got "
                    f"{type(scenario).__name__}")
