"""Issue 15, the store: first-use races, newer schemas, failures without internals, read-only stores, URL
variants, read-only commands that create nothing. Numbers in the test names are the issue's."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError

from parallax.cli import main
from parallax.errors import StoreError
from parallax.model import Article
from parallax.store import Store
from parallax.store import schema as S

ROOT = Path(__file__).resolve().parents[2]
TEXT = ("The council of Arvel voted on Monday to approve a new harbour plan worth 400 thousand crowns, "
        "officials said.\n\nThe plan adds twelve moorings and is due to open in 2027, according to the mayor "
        "of Arvel.\n\nResidents had asked for the moorings for years, said a spokesperson for the residents.")


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


def _page(tmp_path: Path, name: str, text: str = TEXT, **fields: str) -> Path:
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps({"id": name, "text": text, **fields}), encoding="utf-8")
    return p


# ---- #3 first use under one lock ------------------------------------------------------------------------

OPEN = "import sys; from parallax.store import Store; Store(sys.argv[1]).close(); print('ok')"


def _race(url: str, n: int = 4) -> list[subprocess.CompletedProcess]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, url], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(n)]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_3_concurrent_first_use_of_a_new_database(backend, tmp_path, request):
    for round_ in range(2):
        if backend == "sqlite":
            url = str(tmp_path / f"race-{round_}.db")
        else:
            url = request.getfixturevalue("make_pg_database")()
        results = _race(url)
        assert all(r.returncode == 0 for r in results), [r.stderr[-800:] for r in results if r.returncode]
        with Store(url) as s:
            assert [m["name"] for m in s.migrations()] == [n for n, _ in S.MIGRATIONS]


# ---- #4 a store from a newer schema ---------------------------------------------------------------------


def test_4_a_database_from_a_newer_parallax_is_refused(db_url, tmp_path):
    with Store(db_url) as s, s.engine.begin() as conn:
        conn.execute(insert(S.schema_migrations).values(name="9999_from_the_future", applied_at=S.utcnow()))
    with pytest.raises(StoreError) as err:
        Store(db_url)
    assert err.value.code == "PX504" and "9999_from_the_future" in str(err.value)
    r = _cli("db", "migrate", "--db", db_url)
    assert r.exit_code == 2 and "PX504" in r.stderr and "up to date" not in r.output
    r = _cli("ingest", str(_page(tmp_path, "p1")), "--db", db_url, "--no-progress")
    assert r.exit_code == 2 and "PX504" in r.stderr and "Traceback" not in r.output
    info = _cli("db", "info", "--db", db_url, "--format", "json")
    assert info.exit_code == 0 and json.loads(info.stdout)["unknown"] == ["9999_from_the_future"]


# ---- #5 the same text rules on both backends; failures without internals -------------------------------


def test_5_nul_and_control_characters_are_stored_alike(store):
    cid = store.add_correction("story", "s\x00", "a NUL\x00 here\x07", contact="me\x00@example.org")
    (c,) = [c for c in store.list_corrections() if c["id"] == cid]
    assert (c["target_id"], c["message"], c["contact"]) == ("s", "a NUL here", "me@example.org")
    res = store.add_article(Article(id="nul-page", raw=TEXT.replace("Monday", "Mon\x00day"), input="nul",
                                    title="Har\x00bour"))
    a = store.get_article(res.id)
    assert "\x00" not in a.raw and a.title == "Harbour"


def test_5_a_value_too_long_for_its_column_is_refused_alike_on_both_backends(store):
    with pytest.raises(StoreError) as err:
        store.upsert_source("too-long.example", country="x" * 100)
    assert err.value.code == "PX500" and "at most 64" in str(err.value) and "INSERT" not in str(err.value)


def test_5_disk_full_stops_the_run_with_one_coded_line(tmp_path, monkeypatch):
    from parallax.store.articles import ArticlesMixin

    def full(self, conn, prep):
        raise OperationalError("INSERT INTO articles ...", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(ArticlesMixin, "_file", full)
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        _page(pages, f"p{n}", TEXT.replace("400", str(400 + n)))
    db = str(tmp_path / "desk.db")
    r = _cli("ingest", str(pages), "--db", db, "--no-progress")
    assert r.exit_code == 2
    assert r.stderr.count("PX506") == 1 and "stopped" in r.stderr
    assert "INSERT" not in r.output and "Traceback" not in r.output and "sqlalchemy" not in r.output.lower()


# ---- #8 a read-only SQLite store can be served and read ---------------------------------------------------


@contextlib.contextmanager
def _immutable(*paths: Path):
    """Make files (and folders) unwritable even for root (chattr +i); skip where the filesystem cannot."""
    done = []
    try:
        for p in paths:
            r = subprocess.run(["chattr", "+i", str(p)], capture_output=True, text=True, check=False)
            if r.returncode:
                pytest.skip(f"cannot make {p} read-only here: {r.stderr.strip()}")
            done.append(p)
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=False)


@pytest.mark.parametrize("folder_too", [False, True])
def test_8_read_only_store_is_read_served_and_never_written(tmp_path, folder_too, get_ready):
    from fastapi.testclient import TestClient

    from parallax.web import create_app

    folder = tmp_path / "replica"
    folder.mkdir()
    db = str(folder / "desk.db")
    r = _cli("ingest", str(_page(tmp_path, "p1")), "--db", db, "--no-progress")
    assert r.exit_code == 0, r.output
    with Store(db) as s:
        sid = s.list_stories()[0]["id"]
    for side in ("-wal", "-shm"):
        assert not Path(db + side).exists()
    with _immutable(Path(db), *([folder] if folder_too else [])):
        assert _cli("stories", "--db", db).exit_code == 0
        r = _cli("brief", "--story", sid, "--db", db)
        assert r.exit_code == 0 and "Arvel" in r.stdout, r.output
        r = _cli("ingest", str(_page(tmp_path, "p2")), "--db", db, "--no-progress")
        assert r.exit_code == 2 and "PX505" in r.stderr and "Traceback" not in r.output
        with Store(db) as s:
            assert s.read_only
            app = create_app(s, api_token="t", revision_ttl=0.0)
            with TestClient(app, raise_server_exceptions=False) as client:
                assert client.get("/api/stories").status_code == 200
                assert get_ready(client, f"/api/stories/{sid}").status_code == 200  # 202 first
                assert get_ready(client, f"/stories/{sid}").status_code == 200
                w = client.post("/api/corrections", headers={"Authorization": "Bearer t"},
                                json={"target_type": "story", "target_id": sid, "message": "typo"})
                assert w.status_code == 403 and w.json()["error"]["code"] == "PX505"
            assert s.brief_versions(sid) == []  # reading recorded nothing


# ---- #9 duplicates by URL variant; whitespace-only changes -----------------------------------------------


def test_9_url_variants_are_one_article(store, tmp_path):
    base = "https://news.example.com/2026/harbour-plan"
    variants = [base, base + "?utm_source=feed&utm_medium=rss", base + "?fbclid=IwAR0xyz", base + "#comments",
                base + "/", "http://news.example.com/2026/harbour-plan", "https://NEWS.Example.com/2026/harbour-plan",
                base + "/amp"]
    results = [store.add_article(Article(id=f"v{n}", raw=TEXT, url=u, input=u)) for n, u in enumerate(variants)]
    assert [r.status for r in results] == ["new"] + ["duplicate"] * (len(variants) - 1)
    assert store.info()["counts"]["articles"] == 1
    rewrapped = "\n\n".join("  ".join(p.split(" ")) for p in TEXT.split("\n\n")) + "\n\n"
    again = store.add_article(Article(id="ws", raw=rewrapped, url=base, input="ws"))
    assert again.status == "duplicate"  # whitespace-only changes are not a new version
    changed = store.add_article(Article(id="v2", raw=TEXT.replace("twelve", "fourteen"), url=base + "?utm_x=1",
                                        input="changed"))
    assert changed.status == "new" and changed.replaces == results[0].id  # a real change is a new version


def test_9_rel_canonical_on_the_same_site_joins_an_amp_page(store):
    from parallax.stages.read import article_from_text

    body = "".join(f"<p>{p}</p>" for p in TEXT.split("\n\n"))
    page = ("<html><head><title>Arvel harbour plan</title><link rel='canonical' href='{c}'></head><body>"
            "<article><h1>Arvel harbour plan</h1>" + body + "</article></body></html>")
    first = article_from_text(page.format(c="/2026/harbour-plan"), input="a",
                              url="https://news.example.com/2026/harbour-plan")
    amp = article_from_text(page.format(c="https://news.example.com/2026/harbour-plan"), input="b",
                            url="https://amp.news.example.com/s/2026/harbour-plan.amp")
    other = article_from_text(page.format(c="https://victim.example.org/2026/harbour-plan"), input="c",
                              url="https://news.example.com/2026/elsewhere")
    assert store.add_article(first).status == "new"
    assert store.add_article(amp).status == "new"  # another host: its canonical is not trusted
    assert store.add_article(other).status == "new"  # a canonical on another site is never trusted
    same = article_from_text(page.format(c="https://news.example.com/2026/harbour-plan"), input="d",
                             url="https://news.example.com/2026/harbour-plan?output=amp")
    assert store.add_article(same).status == "duplicate"


# ---- #11 read-only commands create nothing; bad numbers are usage errors ---------------------------------


def test_11_read_commands_on_a_mistyped_path_create_nothing(tmp_path):
    missing = tmp_path / "typo" / "desk.db"
    for args in (["db", "info"], ["stories"], ["daily"], ["feed"], ["coverage", "x"], ["sources", "list"],
                 ["brief", "--story", "x"]):
        r = _cli(*args, "--db", str(missing))
        assert r.exit_code == 2 and "PX507" in r.stderr, (args, r.output)
    assert not missing.parent.exists()


@pytest.mark.parametrize(("args", "status"), [
    (["stories", "--since", "99999999999d"], 2), (["stories", "--since", "999999w"], 0),  # = since ever
    (["stories", "--limit", "-5"], 2), (["stories", "--offset", "-1"], 2), (["feed", "--stories", "0"], 2),
    (["watch", "x", "--interval", "-1"], 2), (["ingest", "x", "--retries", "-1"], 2),
    (["ingest", "x", "--max-bytes", "0"], 2)])
def test_11_out_of_range_numbers_are_usage_errors(tmp_path, args, status):
    db = str(tmp_path / "desk.db")
    Store(db).close()
    r = _cli(*args, "--db", db)
    assert r.exit_code == status and "Traceback" not in r.output and "OverflowError" not in r.output, r.output


def test_11_negative_limits_are_refused_by_the_library(tmp_path):
    with Store(str(tmp_path / "desk.db")) as s, pytest.raises(ValueError) as err:
        s.list_stories(limit=-1)
    assert getattr(err.value, "code", "") == "PX302"

