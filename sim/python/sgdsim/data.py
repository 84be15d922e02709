"""Your own inputs from numpy: training data (``arrays``) and measured step times (``step_times``).

Neither copies: they keep references to your arrays (which must not change until the runs that
use them have started), and a run reads them once, into its own matrices, when it starts.
"""
import numpy as np

from . import _sgdsim


class Arrays:
    """Samples as numpy arrays, for ``data`` in a scenario (``data.kind: arrays``)."""

    def __init__(self, X, y, X_test=None, y_test=None, options=None, image=None):
        self.X, self.y, self.X_test, self.y_test = X, y, X_test, y_test
        self.options = dict(options or {})
        self.image = image  # (C, H, W) when X came as (n, C, H, W) images

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    def __repr__(self):
        test = "" if self.X_test is None else f", {self.X_test.shape[0]} test samples"
        return (f"sgdsim.data.Arrays({self.n_samples} samples x {self.n_features} features, "
                f"{self.X.dtype}{test})")


def arrays(X, y, X_test=None, y_test=None, **options):
    """Training data (and optionally a test set) from numpy arrays.

    X: samples x features, float32 or float64 (any other numeric dtype is converted when a run
        starts); slices and Fortran-ordered arrays are read in place. Images (n, C, H, W), as
        PyTorch holds them, give the samples their shape for networks of layers (read in place
        when C-contiguous, else copied once).
    y: one label per sample: class indices 0, 1, 2, ... as integers for a classification model
        (0/1 for logistic), or float targets for least_squares.
    X_test, y_test: an optional test set of the same width (give both or neither).
    options: further keys of the scenario's ``data`` section, e.g. ``partition="dirichlet",
        alpha=0.3``.

    Raises ValueError (shapes) or TypeError (dtypes) now, naming the array at fault.
    """
    arrays_in = [X, y, X_test, y_test]
    X, y, X_test, y_test = (None if a is None else np.asarray(a) for a in arrays_in)
    image = None
    if X is not None and X.ndim == 4:
        image = tuple(int(v) for v in X.shape[1:])
        X = X.reshape(X.shape[0], -1)
        if X_test is not None:
            if X_test.ndim != 4 or tuple(X_test.shape[1:]) != image:
                raise ValueError(f"X_test: expected images of shape {image} as X's, got "
                                 f"shape {X_test.shape}")
            X_test = X_test.reshape(X_test.shape[0], -1)
    _sgdsim.check_arrays(X, y, X_test, y_test)
    if "kind" in options:
        raise ValueError("arrays(): the data kind is arrays; drop kind=")
    return Arrays(X, y, X_test, y_test, options, image)


class StepTimes:
    """Measured step times in seconds, for ``compute: {kind: empirical, times: ...}``."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __repr__(self):
        return f"sgdsim.data.StepTimes({len(self.seconds)} times, median {np.median(self.seconds):.4g} s)"


def step_times(seconds):
    """Step times (seconds, a 1-D array) for the ``empirical`` compute model.

    Each must be from 1e-9 s to 1e6 s. Use as ``compute={"kind": "empirical", "times":
    sgdsim.data.step_times(t), "mode": "resample"}`` (a bare numpy array works too).
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    if seconds.ndim != 1 or seconds.size == 0:
        raise ValueError(f"step times: expected a non-empty 1-D array of seconds, got shape {seconds.shape}")
    bad = ~((seconds >= 1e-9) & (seconds <= 1e6))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"step times[{i}] = {seconds[i]}: a step time is from 1e-9 s to 1e6 s")
    return StepTimes(seconds)
