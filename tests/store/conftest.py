"""Store fixtures: every store test runs on SQLite and on a real PostgreSQL server.

PostgreSQL: PARALLAX_TEST_PG_URL when set (a server URL; each test gets its own database there); else a
throwaway cluster is started from Debian's package (/usr/lib/postgresql/*/bin) in a temporary directory, on
127.0.0.1 and a free port, as the `postgres` OS user when we are root. PostgreSQL-parametrised tests skip
with the reason only when no server can be started.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
_counter = itertools.count()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


class _Cluster:
    def __init__(self) -> None:
        self.url: str | None = None
        self.error: str | None = None
        self.tmp: str | None = None
        self.bin: Path | None = None
        self.as_user: list[str] = []

    def _run(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True, timeout=120, **kw)

    def start(self) -> None:
        self.bin = _pg_bin()
        if self.bin is None:
            self.error = "no PostgreSQL server binaries (apt-get install postgresql; .ci/run does this)"
            return
        self.tmp = tempfile.mkdtemp(prefix="parallax-pg-")
        data = Path(self.tmp) / "data"
        if os.geteuid() == 0:
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                self.error = "running as root and there is no `postgres` OS user to run the server as"
                return
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else []
            if not self.as_user:
                self.error = "running as root without runuser: cannot start PostgreSQL as `postgres`"
                return
        port = free_port()
        try:
            self._run([str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-N",
                       "-E", "UTF8", "--locale=C"])
            opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.tmp} -c fsync=off -c full_page_writes=off"
            self._run([str(self.bin / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(Path(self.tmp) / "log"),
                       "-w", "-t", "60", "start"])
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            detail = getattr(exc, "stderr", "") or ""
            log = Path(self.tmp) / "log"
            if log.exists():
                detail += log.read_text(errors="replace")[-500:]
            self.error = f"could not start a PostgreSQL cluster: {exc} {detail.strip()[:600]}"
            return
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def stop(self) -> None:
        if self.url and self.bin and self.tmp:
            with contextlib.suppress(Exception):
                self._run([str(self.bin / "pg_ctl"), "-D", str(Path(self.tmp) / "data"), "-m", "immediate",
                           "-w", "stop"])
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server URL (its maintenance database); skips when none can be started."""
    env = os.environ.get("PARALLAX_TEST_PG_URL")
    if env:
        yield env
        return
    cluster = _Cluster()
    cluster.start()
    try:
        if cluster.url is None:
            pytest.skip(f"PostgreSQL tests skipped: {cluster.error}")
        yield cluster.url
    finally:
        cluster.stop()


def new_pg_database(server_url: str) -> str:
    """A fresh, empty database on the server; returns its URL."""
    import psycopg

    name = f"parallax_t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(server_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _db = server_url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "parallax.db")
    return new_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def store(db_url: str):
    from parallax.store import Store

    with Store(db_url) as s:
        yield s


@pytest.fixture(scope="session")
def example_articles():
    """A function returning fresh Articles (as read, not cleaned) of examples/, in a fixed order."""
    from parallax.stages.read import read_paths

    def make(names: list[str] | None = None):
        arts, errors = read_paths([EXAMPLES])
        assert not errors
        arts.sort(key=lambda a: a.id)
        if names is not None:
            by = {a.id: a for a in arts}
            return [by[n] for n in names]
        return arts

    return make


@pytest.fixture(scope="session")
def synthetic_pages():
    """make(n, start=0): distinct small news pages written here (no real text)."""
    return make_synthetic_pages


def make_synthetic_pages(n: int, start: int = 0) -> list[dict]:
    """Distinct small news pages written here (no real text): a town council story per page."""
    towns = ["Arvel", "Brisk", "Corran", "Dunmere", "Estby", "Falk", "Garrow", "Hale", "Istra", "Jorvik"]
    topics = [("library", "reading rooms"), ("bridge", "footpaths"), ("harbour", "moorings"),
              ("school", "classrooms"), ("clinic", "beds")]
    pages = []
    for i in range(start, start + n):
        town = f"{towns[i % len(towns)]}{i // len(towns)}"
        what, parts = topics[i % len(topics)]
        pages.append({
            "id": f"page-{i:04d}",
            "title": f"{town} council approves new {what} plan number {i}",
            "published": f"2026-05-{1 + i % 28:02d}",
            "text": (f"The council of {town} voted on Monday to approve a new {what} plan worth {100 + i} thousand "
                     f"crowns, officials said.\n\nThe plan adds {i % 17 + 3} {parts} and is due to open in "
                     f"{2027 + i % 3}, according to the mayor of {town}.\n\nResidents of {town} had asked for "
                     f"the {what} for {i % 9 + 2} years, said a spokesperson for the local residents' group.\n\n"
                     f"Work on the {what} in {town} will start in the spring once the budget of item {i} is "
                     f"signed off by the regional board."),
        })
    return pages


@pytest.fixture(scope="session")
def make_pg_database(pg_server: str):
    """A factory of fresh PostgreSQL databases on the session's server (for tests that need several)."""
    return lambda: new_pg_database(pg_server)
