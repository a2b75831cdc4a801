"""Ends the processes of a local Ray cluster when the driver that started it ends, `kill -9` included.

`ray.init()` starts a local cluster's GCS, raylet, monitors and dashboard process as children of the driver;
the raylet starts the `DashboardAgent` and `RuntimeEnvAgent` and the workers. When the driver is killed
(SIGKILL, or SIGTERM/SIGHUP, which skip Python's exit handlers) the GCS and raylet end, but the agents lived
on for about a minute (until their own check of the raylet gives up), orphaned. `parallax.scale.start` runs
this file next to every local cluster it starts (`spawn`): a small process of the standard library alone, in
a session of its own (a Ctrl-C in the terminal does not end it first), that

- reads a pipe whose write end only the driver holds: end of file means the driver is gone;
- every `INTERVAL` seconds lists the cluster's processes (`cluster`: the driver's children whose command
  line names the Ray session — GCS, raylet, monitor, log monitor, dashboard — and all their descendants)
  and remembers them with their start time, so that the agents are still known once the raylet is gone;
- when the driver is gone, or none of those children is left (`ray.shutdown()`), sends SIGTERM to every
  remembered process still running (same pid, same start time: never a reused pid), then SIGKILL to those
  left after `GRACE` seconds, and exits.

It never ends a process that is not of that Ray session (another child of the driver, another cluster).
Linux only (it reads /proc); elsewhere `spawn` starts nothing and Ray's own clean-up applies.

    python watchdog.py DRIVER_PID SESSION_NAME      # stdin: the pipe from the driver
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time

INTERVAL = 1.0  # seconds between two listings of the cluster's processes
GRACE = 3.0  # seconds between SIGTERM and SIGKILL


def _stat(pid: int) -> tuple[int, int, str] | None:
    """(parent pid, start time in clock ticks, state) of a process, or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    rest = data[data.rindex(b")") + 2:].split()  # the command name, in parentheses, may hold spaces
    return int(rest[1]), int(rest[19]), rest[0].decode()


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def processes() -> dict[int, tuple[int, int, str]]:
    """Every process: pid -> (parent pid, start time, state)."""
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st is not None:
                out[int(name)] = st
    return out


def cluster(driver: int, session: str, procs: dict[int, tuple[int, int, str]] | None = None
            ) -> tuple[dict[int, int], list[int]]:
    """The processes of the Ray session `session` started by `driver`: ({pid: start time}, the roots — the
    driver's children whose command line names the session)."""
    procs = processes() if procs is None else procs
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    roots = [p for p in children.get(driver, []) if p != os.getpid() and session in cmdline(p)]
    found: dict[int, int] = {}
    todo = list(roots)
    while todo:
        p = todo.pop()
        if p in found or p not in procs or p == os.getpid():
            continue
        found[p] = procs[p][1]
        todo += children.get(p, [])
    return found, roots


def running(pid: int, started: int) -> bool:
    """Whether the process `pid` that started at `started` still runs (a zombie has ended)."""
    st = _stat(pid)
    return st is not None and st[1] == started and st[2] != "Z"


def end(known: dict[int, int], grace: float = GRACE) -> None:
    """SIGTERM to the remembered processes still running, SIGKILL to those left after `grace` seconds."""
    alive = {p: t for p, t in known.items() if running(p, t)}
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in alive:
            with contextlib.suppress(OSError):  # ended meanwhile
                os.kill(p, sig)
        deadline = time.monotonic() + grace
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = {p: t for p, t in alive.items() if running(p, t)}
        if not alive:
            return


def watch(driver: int, session: str, pipe: int = 0, interval: float = INTERVAL) -> None:
    """Remember the cluster's processes until the driver or the cluster is gone, then end what is left."""
    known: dict[int, int] = {}
    while True:
        procs = processes()
        now, roots = cluster(driver, session, procs)
        known = {p: t for p, t in {**known, **now}.items() if p in procs and procs[p][1] == t}
        if not roots:  # ray.shutdown(), or the driver died and its children went to init
            break
        ready, _, _ = select.select([pipe], [], [], interval)
        if ready and not os.read(pipe, 4096):  # end of file: the driver is gone
            break
    end(known)


def spawn(session: str) -> subprocess.Popen | None:
    """Start the watchdog of the local cluster `session` that this process (the driver) started. Keep the
    returned object for as long as the cluster runs: the pipe closes, and the cluster ends, when it goes."""
    if not sys.platform.startswith("linux") or not os.path.isdir("/proc/self"):
        return None
    return subprocess.Popen([sys.executable, "-I", os.path.abspath(__file__), str(os.getpid()), session],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, close_fds=True)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    watch(int(argv[1]), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
