"""Story briefs computed in a child process, so that a server answering reads never shares its interpreter
(its GIL) or its CPU priority with the model work of a brief (issue 22).

`BriefProcess(url, settings)` starts one child (multiprocessing "spawn", lowered priority, `os.nice`) on
first use. `brief(story_id, length)` sends it one job and waits for the answer: the child opens the same
store, computes the brief with the same settings and records it (`parallax.desk.brief_story(record=True)`),
and the caller then reads it from the store like any recorded brief. One job at a time per child; a child
that dies (killed, out of memory) is started again on the next job and the job it was doing fails with
PX000 naming it. The child ends when the pipe closes (its parent gone) or on `close()`.

Only a store that another process can open and write (a SQLite file or PostgreSQL, not read-only, not
in-memory) can be briefed so: `can_brief_apart(store)` says whether.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from typing import Any

from parallax.config import Settings
from parallax.errors import error

log = logging.getLogger(__name__)

NICE = 10  # how much lower the child's CPU priority is than the server's (os.nice increment)
START_TIMEOUT_S = 120.0  # how long the child may take to import and open the store before a job fails


def can_brief_apart(store: Any) -> bool:
    """Whether a child process can open `store` and record briefs in it: a writable SQLite file or PostgreSQL."""
    url = getattr(store, "url", None)
    if not url or getattr(store, "read_only", False) or getattr(store, "engine", None) is None:
        return False
    if getattr(store, "dialect", "") == "postgresql":
        return True
    from parallax.store.engine import sqlite_path

    return sqlite_path(str(url)) is not None


def _child(conn: Any, url: str, settings: Settings, nice: int) -> None:
    """The child's loop: open the store once, then brief each (story id, length) received until None or EOF."""
    with contextlib.suppress(OSError):  # not allowed here: run at the parent's priority
        os.nice(nice)
    from parallax.config import use
    from parallax.desk.briefs import brief_story
    from parallax.store import Store

    try:
        store = Store(url, migrate=False, create=False)
    except BaseException as exc:  # reported to the first job, then the child ends
        conn.send(("failed", _portable(exc)))
        return
    conn.send(("ready", None))
    with store, use(settings):
        try:  # the model loads now, while no job waits for it
            from parallax.text.encoder import shared_encoder

            shared_encoder().warm_up()
        except Exception:  # the first job meets the same failure and reports it
            log.debug("warming the encoder failed", exc_info=True)
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):  # the parent is gone
                return
            if job is None:
                return
            story_id, length = job
            try:
                brief_story(store, story_id, length=length, record=True)
                answer: tuple[str, BaseException | None] = ("done", None)
            except BaseException as exc:
                answer = ("failed", _portable(exc))
            try:
                conn.send(answer)
            except (OSError, EOFError):  # the parent is gone: what was recorded stays recorded
                return
            if answer[1] is not None and not isinstance(answer[1], Exception):
                return


def _portable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else a PX000 error that names it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return error("PX000", "briefing in the child process", f"{type(exc).__name__}: {exc}")


class BriefProcess:
    """A child process that computes and records story briefs in `url`'s store with `settings`. Thread-safe
    (jobs from several threads run one after the other)."""

    def __init__(self, url: str, settings: Settings, nice: int = NICE) -> None:
        self.url = url
        self.settings = settings
        self.nice = nice
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Any = None
        self._closed = False
        self.started = 0  # how many children were started (a restart after a death counts)

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_child, args=(child, self.url, self.settings, self.nice),
                                 name="parallax-briefer", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        self.started += 1
        if not parent.poll(START_TIMEOUT_S):
            self._stop(0.0)
            raise error("PX000", "the brief process", f"did not start within {START_TIMEOUT_S:.0f} s")
        status, exc = parent.recv()
        if status != "ready":
            self._stop(1.0)
            raise exc
        log.info("brief process %d started", proc.pid)

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def start(self) -> None:
        """Start the child now (it imports Parallax and opens the store), instead of on the first job."""
        with self._lock:
            if not self._closed and not self._alive():
                self._start()

    def brief(self, story_id: str, length: str) -> None:
        """Compute and record the brief of `story_id` at `length` in the child; returns when it is recorded.
        Raises what the child raised (PX000 when the child died meanwhile)."""
        with self._lock:
            if self._closed:
                raise error("PX000", f"story {story_id}", "the desk is closing: no more briefs")
            if not self._alive():
                if self._proc is not None:
                    log.warning("brief process %s ended (exit %s): starting another", self._proc.pid,
                                self._proc.exitcode)
                self._start()
            try:
                self._conn.send((story_id, length))
                status, exc = self._conn.recv()
            except (EOFError, OSError):
                code = self._proc.exitcode if self._proc is not None else None
                self._stop(0.0)
                raise error("PX000", f"story {story_id}",
                            f"the brief process ended while briefing it (exit {code})") from None
            if status != "done":
                raise exc

    def _stop(self, wait_s: float) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(None)
        if proc is not None:
            proc.join(wait_s)
            if proc.is_alive():
                proc.terminate()
                proc.join(5.0)
        if conn is not None:
            conn.close()

    def close(self, wait_s: float = 0.0) -> None:
        """Stop the child: it ends after the brief it is computing (waiting up to `wait_s`), else is ended."""
        self._closed = True
        if self._lock.acquire(timeout=max(wait_s, 0.0)):
            try:
                self._stop(wait_s)
            finally:
                self._lock.release()
        else:  # a job is running past the wait: end the child; that job fails with PX000
            proc = self._proc
            if proc is not None and proc.is_alive():
                proc.terminate()
