#!/usr/bin/python3
"""docs/notebooks/tutorial.ipynb executes from scratch, in time, and draws its figures.

Run: PYTHONPATH=build/test/python /usr/bin/python3 -m unittest discover -s tests/python
(SGDSIM_PYTHON_DIR names another build's python directory.) Skipped without jupyter nbconvert.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = Path(os.environ.get("SGDSIM_PYTHON_DIR", REPO / "build" / "test" / "python"))
NOTEBOOK = REPO / "docs" / "notebooks" / "tutorial.ipynb"
TIME_LIMIT_S = 180
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # the colours of IPython's tracebacks


def nbconvert_command():
    """The nbconvert command line, or None when it is not installed."""
    if shutil.which("jupyter-nbconvert"):
        return ["jupyter-nbconvert"]
    if shutil.which("jupyter"):
        return ["jupyter", "nbconvert"]
    return None


@unittest.skipUnless(nbconvert_command(), "jupyter nbconvert is not on PATH")
class TutorialNotebook(unittest.TestCase):
    def test_executes_in_time_with_figures(self):
        with tempfile.TemporaryDirectory(prefix="sgdsim-notebook-") as tmp:
            tmp = Path(tmp)
            fresh = tmp / "tutorial.ipynb"
            shutil.copyfile(NOTEBOOK, fresh)  # the committed file is never touched
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(
                [str(PYTHON_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
            env["SGDSIM_REPO"] = str(REPO)   # the copy lies outside the repository
            env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
            command = nbconvert_command() + [
                "--to", "notebook", "--execute", str(fresh), "--output-dir", str(tmp / "out"),
                "--output", "executed.ipynb",
                f"--ExecutePreprocessor.timeout={TIME_LIMIT_S + 60}"]
            start = time.monotonic()
            try:
                done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                                      timeout=3 * TIME_LIMIT_S)
            except subprocess.TimeoutExpired as e:
                self.fail(f"nbconvert did not finish in {3 * TIME_LIMIT_S} s:\n{e.stderr}")
            elapsed = time.monotonic() - start
            self.assertEqual(done.returncode, 0,
                             f"{' '.join(command)} exited {done.returncode}:\n"
                             f"{ANSI.sub('', done.stderr)}")
            self.assertLessEqual(elapsed, TIME_LIMIT_S,
                                 f"the notebook took {elapsed:.1f} s (limit {TIME_LIMIT_S} s)")
            executed = json.loads((tmp / "out" / "executed.ipynb").read_text(encoding="utf-8"))

        outputs = [o for cell in executed["cells"] if cell["cell_type"] == "code"
                   for o in cell.get("outputs", [])]
        errors = [o for o in outputs if o.get("output_type") == "error"]
        self.assertEqual(errors, [], "cells raised errors")
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        self.assertGreaterEqual(len(images), 8, f"only {len(images)} figures in the notebook")
        unexecuted = [cell["source"][:60] for cell in executed["cells"]
                      if cell["cell_type"] == "code" and cell.get("execution_count") is None]
        self.assertEqual(unexecuted, [], "code cells that did not run")


if __name__ == "__main__":
    unittest.main()
