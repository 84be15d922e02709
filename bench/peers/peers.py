#!/usr/bin/python3
"""Peers side by side: the PR-SGD workload of bench/overhead_bench.cpp BM_SynchronousRunF32 in
numpy and in PyTorch (CPU), timed per local step.

float32, 8192 synthetic samples x 784 features, 10 classes, N = 8 workers each on an iid shard
of 1024, batch 32, average every I = 8 steps, 200 steps, lr 0.05, plain SGD, softmax
cross-entropy; full-training-set loss at the start and the end. us per local step = wall time
of the whole run / (N x steps).

  /usr/bin/python3 bench/peers/peers.py --threads 1,2 --repeats 5 --json out.json

Each thread count runs in its own child process, so that OPENBLAS_NUM_THREADS/OMP_NUM_THREADS
are set before numpy loads its BLAS (and OMP_WAIT_POLICY=PASSIVE unless set: see main). Before timing, each child checks that numpy and torch,
from the same start and batches, end at the same parameters (3 steps, I = 2).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WORKERS, STEPS, INTERVAL, BATCH, SAMPLES, FEATURES, CLASSES, HIDDEN = 8, 200, 8, 32, 8192, 784, 10, 128
SHARD = SAMPLES // WORKERS
LR = 0.05


def blas_libraries():
    """The BLAS-like libraries mapped into this process (real paths, after the alternatives)."""
    names = ("blas", "lapack", "mkl", "gomp", "omp")
    found = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            base = os.path.basename(path)
            if path.startswith("/") and any(n in base for n in names) and path not in found:
                found.append(path)
    return found


# --- the problem: data, shards, batches, initial parameters (numpy, shared by both peers) ---

def make_problem(np, model):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((SAMPLES, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, SAMPLES)
    shards = np.random.default_rng(2).permutation(SAMPLES).reshape(WORKERS, SHARD)
    init_rng = np.random.default_rng(3)

    def glorot(rows, cols):
        bound = np.sqrt(6.0 / (rows + cols))
        return init_rng.uniform(-bound, bound, (rows, cols)).astype(np.float32)

    if model == "mlp":
        init = [glorot(HIDDEN, FEATURES), np.zeros(HIDDEN, np.float32),
                glorot(CLASSES, HIDDEN), np.zeros(CLASSES, np.float32)]
    else:
        init = [glorot(CLASSES, FEATURES), np.zeros(CLASSES, np.float32)]
    return X, y, shards, init


def make_batches(np, shards, steps):
    """Sample indices, [steps, workers, batch]: each worker draws from its own shard, seeded."""
    out = np.empty((steps, WORKERS, BATCH), np.int64)
    for w in range(WORKERS):
        rng = np.random.default_rng([9, w])
        out[:, w, :] = shards[w][rng.integers(0, SHARD, (steps, BATCH))]
    return out


# --- numpy ---

class NumpyPeer:
    def __init__(self, np, X, y, model):
        self.np, self.X, self.y, self.model = np, X, y, model
        # Per-batch buffers, reused every step.
        self.xb = np.empty((BATCH, FEATURES), np.float32)
        self.h = np.empty((BATCH, HIDDEN), np.float32)
        self.dh = np.empty((BATCH, HIDDEN), np.float32)
        self.logits = np.empty((BATCH, CLASSES), np.float32)
        self.gW = np.empty((HIDDEN if model == "mlp" else CLASSES, FEATURES), np.float32)
        self.rows = np.arange(BATCH)

    def loss(self, params, X, y):
        np = self.np
        if self.model == "mlp":
            W1, b1, W2, b2 = params
            z = np.maximum(X @ W1.T + b1, 0) @ W2.T + b2
        else:
            W, b = params
            z = X @ W.T + b
        z -= z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))

    def softmax_grad(self, yb):
        """logits -> lr * d(mean cross-entropy)/d(logits), in place: every gradient is linear in
        it, so the step's learning rate is applied once, on the smallest array."""
        np, z = self.np, self.logits
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        z[self.rows, yb] -= 1
        z *= np.float32(LR / BATCH)
        return z

    def step(self, p, idx):
        """One SGD step on the parameters p (views into the stacked arrays), in place."""
        np, xb = self.np, self.xb
        np.take(self.X, idx, axis=0, out=xb)
        yb = self.y[idx]
        if self.model == "mlp":
            W1, b1, W2, b2 = p
            h = self.h
            np.matmul(xb, W1.T, out=h)
            h += b1
            np.maximum(h, 0, out=h)
            np.matmul(h, W2.T, out=self.logits)
            self.logits += b2
            g = self.softmax_grad(yb)
            # Back through W2 before W2 is updated.
            dh = np.matmul(g, W2, out=self.dh)
            dh *= h > 0
            W2 -= g.T @ h
            b2 -= g.sum(axis=0)
            W1 -= np.matmul(dh.T, xb, out=self.gW)  # the big one: no allocation per step
            b1 -= dh.sum(axis=0)
        else:
            W, b = p
            np.matmul(xb, W.T, out=self.logits)
            self.logits += b
            g = self.softmax_grad(yb)
            W -= np.matmul(g.T, xb, out=self.gW)
            b -= g.sum(axis=0)

    def run(self, init, batches, interval):
        np = self.np
        stacked = [np.repeat(p[None], WORKERS, axis=0) for p in init]
        loss_start = self.loss(init, self.X, self.y)
        workers = [[s[w] for s in stacked] for w in range(WORKERS)]
        for t in range(1, len(batches) + 1):
            for w in range(WORKERS):
                self.step(workers[w], batches[t - 1, w])
            if t % interval == 0:
                for s in stacked:
                    s[:] = s.mean(axis=0)
        mean = [s.mean(axis=0) for s in stacked]
        return mean, stacked, loss_start, self.loss(mean, self.X, self.y)


# --- torch ---

class TorchPeer:
    def __init__(self, torch, X, y, model):
        self.torch, self.model = torch, model
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def forward(self, p, x):
        F = self.torch.nn.functional
        if self.model == "mlp":
            return F.linear(F.relu(F.linear(x, p[0], p[1])), p[2], p[3])
        return F.linear(x, p[0], p[1])

    def loss(self, params, X, y):
        with self.torch.no_grad():
            return float(self.torch.nn.functional.cross_entropy(self.forward(params, X), y))

    def run(self, init, batches, interval):
        torch = self.torch
        init_t = [torch.from_numpy(p) for p in init]
        workers = [[p.clone().requires_grad_() for p in init_t] for _ in range(WORKERS)]
        batches = torch.from_numpy(batches)
        loss_start = self.loss(init_t, self.X, self.y)
        F = torch.nn.functional
        for t in range(1, len(batches) + 1):
            for w in range(WORKERS):
                idx = batches[t - 1, w]
                p = workers[w]
                F.cross_entropy(self.forward(p, self.X[idx]), self.y[idx]).backward()
                with torch.no_grad():
                    for q in p:
                        q.sub_(q.grad, alpha=LR)
                        q.grad = None
            if t % interval == 0:
                with torch.no_grad():
                    for k in range(len(init)):
                        mean = torch.stack([p[k] for p in workers]).mean(dim=0)
                        for p in workers:
                            p[k].copy_(mean)
        with torch.no_grad():
            mean = [torch.stack([p[k] for p in workers]).mean(dim=0) for k in range(len(init))]
            loss_end = self.loss(mean, self.X, self.y)
            stacked = [torch.stack([p[k] for p in workers]).numpy() for k in range(len(init))]
        return [m.numpy() for m in mean], stacked, loss_start, loss_end


# --- the child: one thread count ---

def check_agreement(np, peers, model, X, y):
    """numpy and torch from the same start and batches: same final parameters, or exit."""
    _, _, shards, init = make_problem(np, model)
    batches = make_batches(np, shards, 3)
    _, a, _, la = peers["numpy"](X, y, model).run(init, batches, 2)
    _, b, _, lb = peers["torch"](X, y, model).run(init, batches, 2)
    worst = max(float(np.linalg.norm(u - v) / np.linalg.norm(v)) for u, v in zip(a, b))
    if worst > 1e-5 or abs(la - lb) > 1e-5 * abs(lb):
        sys.exit(f"peers.py: numpy and torch disagree on {model}: relative parameter difference "
                 f"{worst:.2e}, final losses {la} vs {lb}")
    return worst


def child(args):
    import numpy as np
    a = np.ones((64, 64), np.float32)
    (a @ a).sum()  # loads the BLAS numpy actually uses
    numpy_blas = blas_libraries()
    import torch
    torch.set_num_threads(args.threads)
    t = torch.ones(64, 64)
    (t @ t).sum()
    torch_libs = [p for p in blas_libraries() if p not in numpy_blas]
    classes = {"numpy": lambda X, y, m: NumpyPeer(np, X, y, m),
               "torch": lambda X, y, m: TorchPeer(torch, X, y, m)}
    out = {"threads": args.threads, "numpy_version": np.__version__,
           "torch_version": torch.__version__, "numpy_blas": numpy_blas,
           "torch_extra_libs": torch_libs, "torch_threads": torch.get_num_threads(),
           "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY")},
           "results": []}
    for model in args.models.split(","):
        X, y, shards, init = make_problem(np, model)
        worst = check_agreement(np, classes, model, X, y)
        batches = make_batches(np, shards, STEPS)
        for name in args.peers.split(","):
            peer = classes[name](X, y, model)
            peer.run(init, batches, INTERVAL)  # warm-up, untimed
            seconds = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                _, _, loss_start, loss_end = peer.run(init, batches, INTERVAL)
                seconds.append(time.perf_counter() - start)
            us = sorted(s * 1e6 / (WORKERS * STEPS) for s in seconds)
            q = statistics.quantiles(us, n=4, method="inclusive") if len(us) > 1 else us * 3
            out["results"].append({
                "peer": name, "model": model, "threads": args.threads,
                "us_per_step": {"median": statistics.median(us), "q1": q[0], "q3": q[2]},
                "run_seconds": seconds, "loss_start": loss_start, "loss_end": loss_end,
                "agreement_rel_diff": worst})
    json.dump(out, sys.stdout)


# --- the parent: one child per thread count, then the table ---

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default="1", help="1, 2 or a list: 1,2")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--models", default="mlp,softmax")
    ap.add_argument("--peers", default="numpy,torch")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        args.threads = int(args.threads)
        return child(args)
    runs = []
    for threads in [int(t) for t in args.threads.split(",")]:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
                   MKL_NUM_THREADS=str(threads))
        # torch's GOMP threads spin between parallel regions and starve OpenBLAS's own threads
        # on 2 cores (torch at 2 threads ran ~100x slower); passive waiting removes that.
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        cmd = [sys.executable, os.path.abspath(__file__), "--child", "--threads", str(threads),
               "--repeats", str(args.repeats), "--models", args.models, "--peers", args.peers]
        done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        if done.returncode:
            sys.exit(done.returncode)
        runs.append(json.loads(done.stdout))
    first = runs[0]
    print(f"numpy {first['numpy_version']}, BLAS loaded: {', '.join(first['numpy_blas']) or 'none found'}")
    print(f"torch {first['torch_version']}, other libraries it loaded: "
          f"{', '.join(first['torch_extra_libs']) or 'none'}")
    print(f"PR-SGD N={WORKERS} I={INTERVAL} batch {BATCH}, {STEPS} steps, float32; "
          f"us per local step, median [q1, q3] of {args.repeats}")
    print(f"{'model':8} {'threads':>7} {'peer':6} {'us/step':>22} {'loss start -> end':>20}")
    for run in runs:
        for r in run["results"]:
            u = r["us_per_step"]
            print(f"{r['model']:8} {r['threads']:>7} {r['peer']:6} "
                  f"{u['median']:9.1f} [{u['q1']:.1f}, {u['q3']:.1f}] "
                  f"{r['loss_start']:9.4f} -> {r['loss_end']:.4f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
