"""What the Python module's tests share: the module of the build under test, its CLI, scenarios."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = Path(os.environ.get("SGDSIM_PYTHON_DIR", REPO / "build" / "test" / "python"))
sys.path.insert(0, str(PYTHON_DIR))

import sgdsim  # noqa: E402
from sgdsim import _sgdsim  # noqa: E402

CLI = _sgdsim.cli  # the sgdsim binary of the same build

# A small classification problem: seconds to run, every output file written.
SMALL = """\
name: small
seed: 7
workers: 4
steps: 60
precision: float32
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 16}
model: {kind: mlp, hidden: [16], activation: relu}
data: {kind: synthetic, samples: 2000, test_samples: 400, features: 20, classes: 3}
compute: {kind: lognormal, mean: 10ms, sigma: 0.3}
network: {latency: 50us, bandwidth: 1Gbps, collective: ring_allreduce}
eval: {every: 20}
"""


def write(directory, name, text):
    path = Path(directory) / name
    path.write_text(text)
    return path


def cli(*args, check=True):
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"sgdsim {' '.join(map(str, args))} exited {done.returncode}:\n"
                             f"{done.stderr}")
    return done


def summary_of(directory):
    with open(Path(directory) / "summary.json") as f:
        return json.load(f)


def without_wall_time(summary):
    """A summary less what differs between two runs of the same scenario: the time they took."""
    summary = dict(summary)
    summary.pop("wall_time_s", None)
    return summary


class TemporaryDirectory(tempfile.TemporaryDirectory):
    def __enter__(self):
        return Path(super().__enter__())
