from typing import Any, Optional, Sequence, Union

import numpy as np

class Arrays:
    X: np.ndarray
    y: np.ndarray
    X_test: Optional[np.ndarray]
    y_test: Optional[np.ndarray]
    options: dict[str, Any]
    image: Optional[tuple[int, int, int]]
    @property
    def n_samples(self) -> int: ...
    @property
    def n_features(self) -> int: ...

def arrays(
    X: np.ndarray,
    y: np.ndarray,
    X_test: Optional[np.ndarray] = ...,
    y_test: Optional[np.ndarray] = ...,
    **options: Any,
) -> Arrays: ...

class StepTimes:
    seconds: np.ndarray

def step_times(seconds: Union[np.ndarray, Sequence[float]]) -> StepTimes: ...
