"""The local Ray cluster that `parallax scale run` starts listens on 127.0.0.1 only and ends with its driver,
`kill -9` included (issue 22, item 6).

The watchdog is tested first with plain processes standing in for Ray's (no Ray, about a second); the tests
marked `scale` start Ray: the shared local cluster's addresses and listening sockets, and a driver of its own
(one CPU) killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from parallax.scale import watchdog

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

SRC = Path(__file__).resolve().parents[2] / "src"


def _driver(code: str) -> subprocess.Popen:
    """A driver process running `code`; it prints one JSON line when set up."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    env.pop("RAY_ADDRESS", None)  # its own cluster, not the tests' one
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True,
                            env=env)


def _gone(pids: dict[int, int], seconds: float) -> list[int]:
    """Wait up to `seconds` for the processes to end; the pids still running."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [p for p, t in pids.items() if watchdog.running(p, t)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def _started(pid: int) -> int:
    st = watchdog.processes()[pid]
    return st[1]


FAKE_CLUSTER = """
    import json, subprocess, sys, time
    from parallax.scale import watchdog

    session = "session_2026-01-01_00-00-00_000000_" + str(__import__("os").getpid())
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    # a "raylet": names the session on its command line, and starts an "agent" that does not
    raylet = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                               "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
                               "print(p.pid, flush=True); time.sleep(120)", "--session-dir=/tmp/ray/" + session],
                              stdout=subprocess.PIPE, text=True)
    agent = int(raylet.stdout.readline())
    other = subprocess.Popen(sleeper)  # the driver's own child, not Ray's
    dog = watchdog.spawn(session)
    time.sleep(0.5)
    print(json.dumps({"raylet": raylet.pid, "agent": agent, "other": other.pid, "dog": dog.pid}), flush=True)
    if sys.argv[-1] == "shutdown":
        raylet.kill()
    time.sleep(120)
"""


@pytest.mark.parametrize("how", ["kill -9 of the driver", "the cluster shut down"])
def test_6_the_watchdog_ends_the_clusters_processes_and_no_other(how):
    code = FAKE_CLUSTER.replace("sys.argv[-1]", repr("shutdown" if how == "the cluster shut down" else "kill"))
    driver = _driver(code)
    got: dict[str, int] = {}
    try:
        got = json.loads(driver.stdout.readline())
        ours = {got["raylet"]: _started(got["raylet"]), got["agent"]: _started(got["agent"])}
        other = {got["other"]: _started(got["other"])}
        if how == "kill -9 of the driver":
            driver.send_signal(signal.SIGKILL)
            driver.wait()
        assert _gone(ours, 10) == []  # the "agent" too, whose command line does not name the session
        assert _gone({got["dog"]: _started(got["dog"])}, 10) == []  # the watchdog exits once done
        assert _gone(other, 0) == list(other)  # another child of the driver is left alone
    finally:
        driver.kill()
        driver.wait()
        for pid in (got.get("other"), got.get("agent"), got.get("raylet")):
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


# ---- with Ray ------------------------------------------------------------------------------------------------


def _listening(pids: list[int]) -> list[tuple[int, str]]:
    """(pid, local address) of every listening TCP socket the processes hold (/proc/net/tcp and tcp6)."""
    inodes: dict[str, int] = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes[link[8:-1]] = pid
    out = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            f = line.split()
            if f[3] != "0A" or f[9] not in inodes:  # 0A: LISTEN
                continue
            hexaddr = f[1].split(":")[0]
            raw = b"".join(bytes.fromhex(hexaddr[i:i + 8])[::-1] for i in range(0, len(hexaddr), 8))
            out.append((inodes[f[9]], str(ipaddress.ip_address(raw))))
    return out


def _loopback(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def _session_of_driver(driver: int) -> str:
    """The Ray session of the cluster `driver` started: named on its GCS's and raylet's command lines."""
    procs = watchdog.processes()
    for pid, (ppid, _, _) in procs.items():
        if ppid == driver:
            m = re.search(r"/(session_\d{4}-\d\d-\d\d_[\d_-]+)", watchdog.cmdline(pid))
            if m:
                return m.group(1)
    raise AssertionError("no Ray process among this process's children")


@pytest.mark.scale
def test_6_the_local_cluster_listens_on_loopback_only(local_ray):
    ray = local_ray
    assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}
    assert ray.get_runtime_context().gcs_address.startswith("127.0.0.1:")

    @ray.remote
    def pid() -> int:
        return os.getpid()

    worker = ray.get(pid.remote())
    procs, roots = watchdog.cluster(os.getpid(), _session_of_driver(os.getpid()))
    assert worker in procs and len(roots) >= 2  # GCS and raylet at least; workers and agents are the raylet's
    sockets = _listening([*procs, os.getpid()])  # the driver's own core-worker server too
    assert set(roots) & {p for p, _ in sockets}, sockets  # GCS and raylet do listen ...
    assert len({p for p, _ in sockets}) >= 3, sockets  # ... and so do the workers and the driver ...
    assert [(p, a) for p, a in sockets if not _loopback(a)] == []  # ... on 127.0.0.1 alone


KILLED_DRIVER = """
    import json, os, time
    from parallax.scale import start

    ray = start("local", num_cpus=1)

    @ray.remote
    def pid():
        return os.getpid()

    print(json.dumps({"worker": ray.get(pid.remote())}), flush=True)
    time.sleep(300)
"""
AGENTS = ("ray::DashboardAgent", "ray::RuntimeEnvAgent")


@pytest.mark.scale
def test_6_kill_9_of_the_driver_ends_its_local_cluster_agents_included():
    pytest.importorskip("ray")
    driver = _driver(KILLED_DRIVER)
    procs: dict[int, int] = {}
    try:
        worker = json.loads(driver.stdout.readline())["worker"]
        session = _session_of_driver(driver.pid)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the raylet starts its agents on its own time
            procs, _ = watchdog.cluster(driver.pid, session)
            names = {watchdog.cmdline(p).strip() for p in procs}
            if all(a in names for a in AGENTS):
                break
            time.sleep(0.5)
        assert worker in procs and all(a in names for a in AGENTS), names
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        left = _gone(procs, 20)  # without the watchdog, the agents lived on for about a minute
        assert left == [], [watchdog.cmdline(p) for p in left]
    finally:
        driver.kill()
        driver.wait()
        for pid in procs:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
