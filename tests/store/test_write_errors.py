"""Issue 22, item 10, the store: a write that no later page can get past (a full disk, a quota, the file-size
limit, an I/O error) stops the run with one coded line, and the summary counts what was filed before it;
`parallax serve` of a mistyped --db creates nothing."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from parallax.cli import main
from parallax.store.engine import FATAL_CODES, translate

ROOT = Path(__file__).resolve().parents[2]


def _pages(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        text = (f"The council of Arvel{i} voted on Monday to approve a new harbour plan worth {400 + i} thousand "
                f"crowns, officials said.\n\nThe plan adds {i + 3} moorings and is due to open in 2027, "
                f"according to the mayor of Arvel{i}.\n\nResidents had asked for the moorings for years.")
        (folder / f"p{i:02d}.json").write_text(json.dumps({"id": f"p{i:02d}", "text": text}), encoding="utf-8")
    return folder


def _sqlite_error(message: str, name: str) -> OperationalError:
    err = sqlite3.OperationalError(message)
    err.sqlite_errorname = name  # as sqlite3 sets it (Python 3.11+)
    return OperationalError("INSERT INTO articles ...", {}, err)


@pytest.mark.parametrize("exc", [
    OSError(errno.EFBIG, "File too large"), OSError(errno.EDQUOT, "Disk quota exceeded"),
    OSError(errno.ENOSPC, "No space left on device"),
    _sqlite_error("disk I/O error", "SQLITE_IOERR_WRITE"), _sqlite_error("database or disk is full", "SQLITE_FULL"),
], ids=["EFBIG", "EDQUOT", "ENOSPC", "sqlite-ioerr", "sqlite-full"])
def test_10_every_write_no_later_page_gets_past_is_px506_and_stops_a_run(exc):
    err = translate(exc, "p1.json")
    assert err.code == "PX506" and err.code in FATAL_CODES
    assert err.input == "p1.json" and "INSERT" not in str(err)


def test_10_an_ordinary_failure_is_still_one_page_s(tmp_path):
    assert translate(_sqlite_error("UNIQUE constraint failed: articles.id", "SQLITE_CONSTRAINT_UNIQUE")).code == "PX503"


def test_10_a_file_size_limit_stops_ingest_and_the_summary_counts_what_was_filed(tmp_path, monkeypatch):
    """The third page's write fails as a file-size limit fails it in SQLite: the run stops there (one PX506
    line), and the two pages committed before it in the same batch are counted as new (it said new: 0)."""
    from parallax.store.articles import ArticlesMixin

    real = ArticlesMixin._file
    calls = []

    def efbig_on_the_third(self, conn, prep):
        calls.append(prep.article.id)
        if len(calls) >= 3:
            raise _sqlite_error("disk I/O error", "SQLITE_IOERR_WRITE")
        return real(self, conn, prep)

    monkeypatch.setattr(ArticlesMixin, "_file", efbig_on_the_third)
    db = str(tmp_path / "desk.db")
    r = CliRunner().invoke(main, ["ingest", str(_pages(tmp_path / "pages", 6)), "--db", db, "--no-progress",
                                  "--json"])
    assert r.exit_code == 2, r.output
    assert r.stderr.count("PX506") == 1 and "stopped" in r.stderr and "Traceback" not in r.output
    assert "PX503" not in r.stderr  # not a failure per page
    summary = json.loads(r.stdout)
    assert summary["new"] == 2 and summary["stopped"]["code"] == "PX506"
    assert len(calls) == 3  # nothing was tried after the failure
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE as Linux applies it")
def test_10_a_real_file_size_limit_stops_ingest(tmp_path):
    """`ulimit -f` for real: SQLite's writes get EFBIG ("disk I/O error"). The run stops with PX506 and says
    how many pages were filed, which is how many the database holds."""
    import resource

    db = tmp_path / "desk.db"
    assert CliRunner().invoke(main, ["db", "migrate", "--db", str(db)]).exit_code == 0
    limit = db.stat().st_size + 48 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run([sys.executable, "-c", "from parallax.cli import main; main()", "ingest",
                        str(_pages(tmp_path / "pages", 12)), "--db", str(db), "--no-progress", "--json"],
                       env=env, capture_output=True, text=True, timeout=600, preexec_fn=cap, check=False)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("PX506") == 1 and "Traceback" not in r.stderr
    summary = json.loads(r.stdout)
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert summary["new"] == stored < 12


def test_10_serve_of_a_mistyped_db_creates_nothing(tmp_path):
    missing = tmp_path / "typo" / "desk.db"
    r = CliRunner().invoke(main, ["serve", "--db", str(missing), "--port", "0"])
    assert r.exit_code == 2 and "PX507" in r.stderr, r.output
    assert not missing.parent.exists()
