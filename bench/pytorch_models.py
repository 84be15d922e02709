"""sgdsim's networks against PyTorch CPU, on the same weights and batch.

Check: each network is written again here in PyTorch (torch.nn, independently of sgdsim's layer
code); sgdsim's flat parameter vector is loaded into it tensor by tensor (PyTorch's own parameter
order and layouts); the loss, every parameter's gradient, the moved batch-norm statistics and the
inference loss must agree within --tolerance (relative, float32).
Time: one training step (forward, backward, SGD update) at batch 32 in float32 on one thread,
sgdsim and PyTorch interleaved, medians over --repeats.

    scripts/pytorch-models [--skip-check] [--skip-time] [--repeats R] [--models lenet5,resnet20]

Run by scripts/pytorch-models, which installs Debian's python3-torch (only there) and builds
sgdsim's module (build/release, -march=native as scripts/demo builds it).
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as tnn
import torch.nn.functional as F

import sgdsim


class OptionA(tnn.Module):
    """He et al. 2016's option-A shortcut: subsample by the stride, zero-pad the channels."""

    def __init__(self, stride, extra_channels):
        super().__init__()
        self.stride, self.before = stride, extra_channels // 2
        self.after = extra_channels - self.before

    def forward(self, x):
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, self.before, self.after))


class Residual(tnn.Module):
    """body(x) + shortcut(x); the body's modules are registered before the shortcut's."""

    def __init__(self, body, shortcut):
        super().__init__()
        self.body, self.shortcut = body, shortcut

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


def basic_block(cin, cout, stride):
    body = tnn.Sequential(tnn.Conv2d(cin, cout, 3, stride, 1, bias=False), tnn.BatchNorm2d(cout),
                          tnn.ReLU(), tnn.Conv2d(cout, cout, 3, 1, 1, bias=False),
                          tnn.BatchNorm2d(cout))
    shortcut = tnn.Identity() if stride == 1 and cin == cout else OptionA(stride, cout - cin)
    return [Residual(body, shortcut), tnn.ReLU()]


def resnet(blocks_per_stage, classes=10):
    layers = [tnn.Conv2d(3, 16, 3, 1, 1, bias=False), tnn.BatchNorm2d(16), tnn.ReLU()]
    cin = 16
    for stage, cout in enumerate((16, 32, 64)):
        for b in range(blocks_per_stage):
            layers += basic_block(cin, cout, 2 if stage > 0 and b == 0 else 1)
            cin = cout
    layers += [tnn.AdaptiveAvgPool2d(1), tnn.Flatten(), tnn.Linear(64, classes)]
    return tnn.Sequential(*layers)


def lenet5(classes=10):
    return tnn.Sequential(tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                          tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(),
                          tnn.Linear(84, classes))


# The layers no preset uses: average pooling, tanh, a projection shortcut, strided padding.
OTHER_LAYERS = {"kind": "sequential", "layers": [
    {"type": "conv2d", "channels": 8, "kernel": 3, "padding": 1, "bias": False},
    {"type": "batch_norm"}, {"type": "tanh"},
    {"type": "avg_pool", "kernel": 3, "stride": 1, "padding": 1},
    {"type": "residual", "shortcut": "project", "layers": [
        {"type": "conv2d", "channels": 12, "kernel": 3, "stride": 2, "padding": 1},
        {"type": "batch_norm"}, {"type": "relu"},
        {"type": "max_pool", "kernel": 3, "stride": 1, "padding": 1}]},
    {"type": "relu"}, {"type": "global_avg_pool"}, {"type": "dense", "units": 10}]}


def other_layers():
    body = tnn.Sequential(tnn.Conv2d(8, 12, 3, 2, 1), tnn.BatchNorm2d(12), tnn.ReLU(),
                          tnn.MaxPool2d(3, 1, 1))
    shortcut = tnn.Sequential(tnn.Conv2d(8, 12, 1, 2, 0, bias=False), tnn.BatchNorm2d(12))
    return tnn.Sequential(tnn.Conv2d(3, 8, 3, 1, 1, bias=False), tnn.BatchNorm2d(8), tnn.Tanh(),
                          tnn.AvgPool2d(3, 1, 1), Residual(body, shortcut), tnn.ReLU(),
                          tnn.AdaptiveAvgPool2d(1), tnn.Flatten(), tnn.Linear(12, 10))


MODELS = {
    "lenet5": ("lenet5", (1, 28, 28), lenet5),
    "resnet8": ("resnet8", (3, 32, 32), lambda: resnet(1)),
    "resnet20": ("resnet20", (3, 32, 32), lambda: resnet(3)),
    "other_layers": (OTHER_LAYERS, (3, 16, 16), other_layers),
}


def batch_norms(model):
    return [m for m in model.modules() if isinstance(m, tnn.BatchNorm2d)]


def load_into(model, flat, trainable):
    """sgdsim's flat vector into the PyTorch model: parameters in order, then every batch norm's
    running mean and variance."""
    offset = 0
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(flat[offset:offset + p.numel()].copy()).view_as(p))
            offset += p.numel()
        if offset != trainable:
            raise AssertionError(f"PyTorch model has {offset} parameters, sgdsim {trainable}")
        for bn in batch_norms(model):
            for buffer in (bn.running_mean, bn.running_var):
                buffer.copy_(torch.from_numpy(flat[offset:offset + buffer.numel()].copy()))
                offset += buffer.numel()
    if offset != flat.size:
        raise AssertionError(f"PyTorch model holds {offset} values, sgdsim {flat.size}")


def relative(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def check(name, tolerance, rng, precision="float32", batch_index=0):
    model_spec, shape, build = MODELS[name]
    net = sgdsim.Network(model_spec, shape, num_classes=10, precision=precision)
    dtype = np.float64 if precision == "float64" else np.float32
    trainable = net.num_params - net.num_state
    params = net.initial_params(seed=1)
    # Every parameter (batch norm's γ and β too) and the running statistics off their initial
    # values, so that no term of the comparison is trivially 0 or 1.
    params[:trainable] += (0.05 * rng.standard_normal(trainable)).astype(dtype)
    model = build().to(torch.float64 if precision == "float64" else torch.float32)
    state, offset = params[trainable:], 0
    for bn in batch_norms(model):  # each: running mean (around 0), running variance (positive)
        c = bn.num_features
        state[offset:offset + c] = 0.1 * rng.standard_normal(c)
        state[offset + c:offset + 2 * c] = 0.5 + rng.random(c)
        offset += 2 * c
    load_into(model, params, trainable)
    X = rng.random((32,) + shape).astype(dtype)
    y = rng.integers(0, 10, 32)

    model.train()
    for p in model.parameters():
        p.grad = None
    torch_loss = F.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y))
    torch_loss.backward()
    torch_grads = [p.grad.numpy().ravel() for p in model.parameters()]
    torch_state = np.concatenate([np.concatenate([bn.running_mean.numpy(), bn.running_var.numpy()])
                                  for bn in batch_norms(model)] or [np.zeros(0, np.float32)])

    moved = params.copy()
    loss, grad = net.loss_and_gradient(moved, X, y, update_state=True)
    figures = {"loss": abs(loss - torch_loss.item()) / abs(torch_loss.item())}
    # A tensor whose gradient is 0 in exact arithmetic (a bias before batch norm) has only
    # rounding noise: its error is measured against the whole gradient's norm instead.
    whole = np.linalg.norm(np.concatenate(torch_grads))
    offset, worst, worst_at = 0, 0.0, None
    for i, g in enumerate(torch_grads):
        scale = np.linalg.norm(g) if np.linalg.norm(g) > 1e-4 * whole else whole
        error = float(np.linalg.norm(grad[offset:offset + g.size] - g) / scale)
        if error > worst:
            worst, worst_at = error, i
        offset += g.size
    figures["gradient (worst tensor)"] = worst
    figures["gradient (whole)"] = relative(grad[:trainable], np.concatenate(torch_grads))
    if precision == "float32":
        # How far each float32 result is from the exact (float64) gradient of the same weights
        # and batch: a gap between the two that is rounding, not a difference of definition.
        exact = build().double()
        load_into(exact, params.astype(np.float64), trainable)
        exact.train()
        F.cross_entropy(exact(torch.from_numpy(X.astype(np.float64))), torch.from_numpy(y)).backward()
        reference = np.concatenate([p.grad.numpy().ravel() for p in exact.parameters()])
        figures["sgdsim vs float64"] = relative(grad[:trainable].astype(np.float64), reference)
        figures["PyTorch vs float64"] = relative(np.concatenate(torch_grads).astype(np.float64),
                                                 reference)
    figures["state gradient is 0"] = float(np.abs(grad[trainable:]).max(initial=0.0))
    if net.num_state:
        figures["running statistics"] = relative(moved[trainable:], torch_state)
    model.eval()
    with torch.no_grad():
        eval_loss = F.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y)).item()
    figures["inference loss"] = abs(net.evaluate(moved, X, y)[0] - eval_loss) / abs(eval_loss)
    # The verdict: every figure within the tolerance; or, for the gradient in float32, sgdsim's
    # no farther from the exact (float64) gradient than twice PyTorch's own float32 distance:
    # then the two differ by float32 rounding, which a deep network amplifies (a relu whose
    # input is within rounding of 0 goes either way), not by what they compute.
    exact = {k: v for k, v in figures.items() if "vs float64" not in k}
    ok = all(v <= tolerance for v in exact.values())
    rounding = False
    if not ok and "sgdsim vs float64" in figures:
        others = [v for k, v in exact.items() if "gradient" not in k or k == "state gradient is 0"]
        rounding = all(v <= tolerance for v in others) and figures["sgdsim vs float64"] <= max(
            tolerance, 2.0 * figures["PyTorch vs float64"])
        ok = rounding
    print(f"{name} batch {batch_index}: loss {loss:.6f} (PyTorch {torch_loss.item():.6f}); " +
          ", ".join(f"{k} {v:.1e}" for k, v in figures.items()) +
          (f"; worst tensor {tuple(list(model.parameters())[worst_at].shape)}"
           if worst_at is not None else "") +
          (" -> PASS" if ok and not rounding else
           " -> PASS (float32 rounding: no farther from the exact gradient than PyTorch)"
           if ok else " -> FAIL"))
    return ok, figures


def time_steps(name, repeats, rng, lr=0.01):
    model_spec, shape, build = MODELS[name]
    net = sgdsim.Network(model_spec, shape, num_classes=10)
    params = net.initial_params(seed=1)
    model = build()
    load_into(model, params.copy(), net.num_params - net.num_state)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    X = rng.random((32,) + shape, dtype=np.float32)
    y = rng.integers(0, 10, 32)
    tx, ty = torch.from_numpy(X), torch.from_numpy(y)

    def sgdsim_step():
        _, grad = net.loss_and_gradient(params, X, y, update_state=True)
        params[:] -= np.float32(lr) * grad  # the state's gradient is 0

    def torch_step():
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(tx), ty).backward()
        optimizer.step()

    for _ in range(3):
        sgdsim_step()
        torch_step()
    ours, theirs = [], []
    for _ in range(repeats):
        for step, times in ((sgdsim_step, ours), (torch_step, theirs)):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    ratios = sorted(a / b for a, b in zip(ours, theirs))
    result = {"sgdsim_ms": 1e3 * statistics.median(ours), "pytorch_ms": 1e3 * statistics.median(theirs),
              "ratio": statistics.median(ours) / statistics.median(theirs),
              "paired_ratio_quartiles": [ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]],
              "gflops_sgdsim": net.flops_per_gradient(32) / statistics.median(ours) / 1e9}
    print(f"{name}: sgdsim {result['sgdsim_ms']:.2f} ms, PyTorch {result['pytorch_ms']:.2f} ms, "
          f"ratio {result['ratio']:.3f} (paired quartiles {result['paired_ratio_quartiles'][0]:.3f}"
          f"-{result['paired_ratio_quartiles'][1]:.3f}); sgdsim {result['gflops_sgdsim']:.1f} GFLOP/s")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="lenet5,resnet8,resnet20,other_layers")
    parser.add_argument("--time-models", default="lenet5,resnet20")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--batches", type=int, default=3, help="random weights and batches per model")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--precision", choices=["float32", "float64"], default="float32",
                        help="of the check (the timing is float32)")
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument("--skip-time", action="store_true")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    print(f"PyTorch {torch.__version__} (oneDNN: {torch.backends.mkldnn.is_available()}), "
          f"sgdsim {sgdsim.__version__}, one thread")
    rng = np.random.default_rng(7)
    report, ok = {"check": {}, "time": {}}, True
    if not args.skip_check:
        for name in args.models.split(","):
            runs = [check(name, args.tolerance, rng, args.precision, b) for b in range(args.batches)]
            ok = ok and all(passed for passed, _ in runs)
            report["check"][name] = [figures for _, figures in runs]
    if not args.skip_time:
        for name in args.time_models.split(","):
            report["time"][name] = time_steps(name, args.repeats, rng)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    if not args.skip_check:
        print("check: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
