"""sgdsim.Network: a scenario's model outside any run, on numpy batches."""
import numpy as np

from . import _sgdsim
from ._scenario import Scenario


class Network:
    """A model as a scenario's ``model`` section gives it, for images of ``input_shape``.

        net = sgdsim.Network({"kind": "resnet20"}, input_shape=(3, 32, 32), num_classes=10)
        params = net.initial_params(seed=1)
        loss, grad = net.loss_and_gradient(params, X, y)     # X: (n, 3, 32, 32), y: (n,)

    model: the ``model`` section (a dict, or a kind such as ``"lenet5"``).
    input_shape: (channels, height, width) of a sample; (d,) for vectors.
    num_classes: the classifier's outputs.
    precision: ``"float32"`` or ``"float64"``, the arrays' dtype.

    The flat parameter vector holds every layer's parameters in order, in PyTorch's layouts
    (weight then bias, a weight [out][in][kh][kw] row-major), then the model state (every batch
    norm's running mean and variance): ``num_params`` in all, the last ``num_state`` of them state.
    """

    def __init__(self, model, input_shape, num_classes=10, precision="float32"):
        if isinstance(model, str):
            model = {"kind": model}
        shape = tuple(int(v) for v in input_shape)
        if len(shape) == 1:
            shape = (shape[0], 1, 1)
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError(f"input_shape: expected (channels, height, width), got {input_shape}")
        features = shape[0] * shape[1] * shape[2]
        scenario = Scenario.from_dict({
            "name": "network", "workers": 1, "steps": 1, "precision": precision,
            "algorithm": {"kind": "local_sgd", "interval": 1, "lr": 0.1, "batch_size": 1},
            "model": model,
            "data": {"kind": "synthetic", "samples": 2, "features": features,
                     "classes": int(num_classes)},
            "compute": {"kind": "constant", "mean": "1ms"},
        })
        self.input_shape = shape
        self.num_classes = int(num_classes)
        self.dtype = np.float64 if precision == "float64" else np.float32
        self._core = _sgdsim.Network(scenario._core, shape, self.num_classes)

    @property
    def num_params(self):
        """Length of the flat vector: trainable parameters, then model state."""
        return self._core.num_params

    @property
    def num_state(self):
        """Entries at the end of the flat vector that are model state, not trained."""
        return self._core.num_state

    def initial_params(self, seed=0, random=True):
        """The model a run of a scenario with this seed starts from (numpy, the precision's dtype)."""
        return self._core.initial_params(int(seed), bool(random))

    def loss_and_gradient(self, params, X, y, update_state=False):
        """Mean cross-entropy of the batch and its gradient, as a training step computes them
        (batch norm with the batch's statistics). With ``update_state``, ``params`` (a writable
        array of the network's dtype) also receives the moved running statistics."""
        return self._core.loss_and_gradient(params, X, np.asarray(y, dtype=self.dtype),
                                            bool(update_state))

    def evaluate(self, params, X, y):
        """(mean loss, accuracy) as a run measures a model (batch norm's running statistics)."""
        return self._core.evaluate(params, X, np.asarray(y, dtype=self.dtype))

    def flops_per_gradient(self, batch):
        """FLOPs of one forward and backward pass over ``batch`` samples, as compute: flops counts."""
        return self._core.flops_per_gradient(int(batch))
