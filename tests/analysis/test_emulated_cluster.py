#!/usr/bin/python3
"""Tests for scripts/emulated-cluster: each rank sees its own namespace, address and tbf qdisc,
and nothing is left behind after a normal exit, a failing program, SIGINT, or SIGKILL followed
by --cleanup. Needs root, working `ip netns` and mpirun; skipped otherwise (the bad-argument
checks run anywhere).

Run: /usr/bin/python3 -m unittest discover -s tests/analysis
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "emulated-cluster"
NAME_ROOT = "sgdsim-ec-"

# Each rank prints one line (lines of different ranks may arrive in any order): its rank, its
# namespace, its eth0 address, the qdisc on its eth0 (upload) and on its hub port (download).
PROBE = r'''
ns=$(ip netns identify)
k=${ns##*-r}
printf "PROBE rank=%s ns=%s addr=[%s] up=[%s] down=[%s]\n" "$OMPI_COMM_WORLD_RANK" "$ns" \
  "$(ip -o -4 addr show dev eth0)" "$(tc qdisc show dev eth0)" \
  "$(tc -n "${ns%-r*}-hub" qdisc show dev "r$k")"
'''


def run(*args, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, **kwargs)


def namespaces(pid=None):
    names = [line.split()[0] for line in run("ip", "netns", "list").stdout.splitlines() if line]
    prefix = NAME_ROOT if pid is None else f"{NAME_ROOT}{pid}-"
    return [n for n in names if n.startswith(prefix)]


def root_links():
    """Names of the root namespace's interfaces (without the @peer suffix)."""
    out = run("ip", "-o", "link", "show").stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if ":" in line}


def temp_dirs(pid):
    return list(Path(tempfile.gettempdir()).glob(f"{NAME_ROOT}{pid}-*"))


def processes(marker):
    """Pids of processes whose command line starts with `marker`."""
    out = run("pgrep", "-f", "^" + re.escape(marker)).stdout
    return [int(p) for p in out.split()]


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def cluster_unavailable():
    if os.geteuid() != 0:
        return "needs root"
    if shutil.which("mpirun") is None or shutil.which("tc") is None:
        return "needs mpirun and tc"
    probe = f"{NAME_ROOT}test-probe-{os.getpid()}"
    if run("ip", "netns", "add", probe).returncode != 0:
        return "`ip netns add` does not work here"
    run("ip", "netns", "del", probe)
    return None


class EmulatedClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reason = cluster_unavailable()
        if reason:
            raise unittest.SkipTest(reason)

    def setUp(self):
        self.links_before = root_links()
        self.started = []

    def tearDown(self):
        # Whatever a failed test left running or behind goes, so later tests start clean.
        for proc in self.started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        run(str(SCRIPT), "--cleanup")

    def start(self, *args):
        proc = subprocess.Popen([str(SCRIPT), *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        self.started.append(proc)
        return proc

    def assertNothingLeft(self, pid, marker=None):
        self.assertEqual(namespaces(pid), [])
        self.assertEqual(temp_dirs(pid), [])
        self.assertEqual(root_links() - self.links_before, set())
        if marker:
            self.assertEqual(processes(marker), [])

    def test_each_rank_has_its_namespace_address_and_shaped_link(self):
        proc = self.start("--ranks", "3", "--rate", "100mbit", "--", "sh", "-c", PROBE)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, err)
        self.assertRegex(err, r"ranks=3 .*rate 100mbit.*burst 65536 bytes")
        lines = {int(m.group(1)): m for m in re.finditer(
            r"PROBE rank=(\d+) ns=(\S+) addr=\[(.*?)\] up=\[(.*?)\] down=\[(.*?)\]", out)}
        self.assertEqual(sorted(lines), [0, 1, 2], out)
        for k, m in lines.items():
            self.assertEqual(m.group(2), f"{NAME_ROOT}{proc.pid}-r{k}")
            self.assertIn(f"inet 10.77.0.{k + 1}/24", m.group(3))
            for qdisc in (m.group(4), m.group(5)):
                self.assertRegex(qdisc, r"qdisc tbf .*rate 100Mbit")
        self.assertNothingLeft(proc.pid)

    def test_extra_mpirun_args_and_unshaped_links(self):
        env = dict(os.environ, EMULATED_CLUSTER_MPIRUN_ARGS="--tag-output")
        proc = subprocess.run([str(SCRIPT), "--ranks", "2", "--", "sh", "-c", PROBE],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              env=env, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("no qdisc", proc.stderr)
        for k in (0, 1):
            line = re.search(rf"^\[1,{k}\]<stdout>:PROBE rank={k} .*$", proc.stdout, re.M)
            self.assertIsNotNone(line, proc.stdout)
            self.assertNotIn("tbf", line.group(0))
        self.assertEqual(namespaces(), [])

    def test_failing_program_fails_and_leaves_nothing(self):
        proc = self.start("--ranks", "2", "--rate", "1gbit", "--", "false")
        _, err = proc.communicate(timeout=120)
        self.assertNotEqual(proc.returncode, 0, err)
        self.assertIn("burst 250000 bytes", err)
        self.assertNothingLeft(proc.pid)

    def test_sigint_stops_the_job_and_tears_down(self):
        marker = f"sleep 60.{os.getpid()}1"
        proc = self.start("--ranks", "2", "--", *marker.split())
        self.assertTrue(wait_for(lambda: len(processes(marker)) == 2, 20),
                        "the ranks did not start")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
        self.assertNotEqual(proc.returncode, 0)
        self.assertNothingLeft(proc.pid, marker)

    def test_cleanup_removes_what_a_killed_run_left(self):
        marker = f"sleep 60.{os.getpid()}2"
        proc = self.start("--ranks", "2", "--rate", "100mbit", "--", *marker.split())
        self.assertTrue(wait_for(lambda: len(processes(marker)) == 2, 20),
                        "the ranks did not start")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.assertEqual(len(namespaces(proc.pid)), 4)  # hub, head, r0, r1
        cleanup = run(str(SCRIPT), "--cleanup", timeout=60)
        self.assertEqual(cleanup.returncode, 0, cleanup.stderr)
        self.assertTrue(wait_for(lambda: not processes(marker), 5))
        self.assertNothingLeft(proc.pid, marker)

    def test_next_run_removes_what_a_killed_run_left(self):
        marker = f"sleep 60.{os.getpid()}3"
        killed = self.start("--ranks", "2", "--", *marker.split())
        self.assertTrue(wait_for(lambda: len(processes(marker)) == 2, 20),
                        "the ranks did not start")
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        self.assertTrue(namespaces(killed.pid))
        proc = self.start("--ranks", "1", "--", "true")
        _, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("removing leftovers", err)
        self.assertTrue(wait_for(lambda: not processes(marker), 5))
        self.assertNothingLeft(killed.pid, marker)
        self.assertNothingLeft(proc.pid)


class ArgumentsTest(unittest.TestCase):
    """Refused before anything is created, so these need neither root nor MPI."""

    def check_refused(self, args, option):
        proc = run(str(SCRIPT), *args, "--", "true", timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn(option, proc.stderr)

    def test_bad_arguments_exit_2_naming_the_option(self):
        self.check_refused(["--ranks", "0"], "--ranks")
        self.check_refused(["--ranks", "65"], "--ranks")
        self.check_refused(["--ranks", "two"], "--ranks")
        self.check_refused(["--ranks", "2", "--rate", "fast"], "--rate")
        self.check_refused(["--ranks", "2", "--slow-start-after-idle", "2"],
                           "--slow-start-after-idle")
        self.check_refused(["--rate", "1gbit"], "--ranks")
        self.check_refused(["--ranks", "2", "--bogus"], "--bogus")

    def test_program_is_required(self):
        proc = run(str(SCRIPT), "--ranks", "2", timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("PROGRAM", proc.stderr)


if __name__ == "__main__":
    unittest.main()
