"""kill -9 in the middle of a run loses nothing committed; the rerun continues. The desk's CLI commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from parallax.cli import main
from parallax.store import Store

INGEST = """
import json, sys
from parallax.model import Article
from parallax.store import Store
pages = json.load(open(sys.argv[2]))
with Store(sys.argv[1]) as s:
    s.add_articles((Article(id=p["id"], raw=p["text"], title=p["title"], published=p["published"], input=p["id"])
                    for p in pages), progress=False, batch=1)
print("done")
"""


def _count(url: str) -> int:
    with Store(url) as s:
        return s.info()["counts"]["articles"]


def _partition(arts) -> set[frozenset[str]]:
    by_story: dict[str, set[str]] = {}
    for a in arts:
        by_story.setdefault(a.meta["story_id"], set()).add(a.id)
    return {frozenset(v) for v in by_story.values()}


def test_kill_9_mid_run_then_rerun_continues(db_url, tmp_path, synthetic_pages):
    pages = synthetic_pages(40)
    data = tmp_path / "pages.json"
    data.write_text(json.dumps(pages), encoding="utf-8")
    script = tmp_path / "ingest.py"
    script.write_text(INGEST, encoding="utf-8")
    Store(db_url).close()  # migrate first: the child only adds
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen([sys.executable, str(script), db_url, str(data)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    seen = 0
    while time.time() < deadline and child.poll() is None:
        seen = _count(db_url)
        if seen >= 8:
            break
        time.sleep(0.05)
    assert child.poll() is None, f"the run ended before it could be killed: {child.stderr.read().decode()[-2000:]}"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    after_kill = _count(db_url)
    assert 8 <= after_kill < len(pages)
    # The rerun skips what was committed and adds the rest.
    out = subprocess.run([sys.executable, str(script), db_url, str(data)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    with Store(db_url) as s:
        arts = s.articles()
        ids = [a.id for a in arts]
        assert sorted(ids) == sorted(p["id"] for p in pages)  # nothing lost, nothing twice
        got = _partition(arts)
        stories = s.list_stories(limit=1000)
        assert sum(len(st["articles"]) for st in stories) == len(pages)
        summary = s.add_articles([], progress=False)
        assert summary.total == 0
    # ... and ends with the stories of a run that was never interrupted.
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    out = subprocess.run([sys.executable, str(script), clean, str(data)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    with Store(clean) as s:
        assert got == _partition(s.articles())


def _run(args: list[str]) -> str:
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_cli_commands(db_url, tmp_path, example_articles):
    with Store(db_url) as s:
        for a in example_articles():
            s.add_article(a)
    out = json.loads(_run(["stories", "--db", db_url, "--format", "json"]))
    assert len(out["stories"]) == 2
    assert set(out["stories"][0]) == {"id", "headline", "articles", "origins", "updated"}
    table = _run(["stories", "--db", db_url, "--since", "1d"])
    assert "origins" in table and out["stories"][0]["id"] in table
    assert "no stories" in _run(["stories", "--db", db_url, "--since", "2100-01-01"])
    md = _run(["daily", "--db", db_url, "--date", "2026-03-10"])
    assert md.startswith("# ")
    js = json.loads(_run(["daily", "--db", db_url, "--date", "2026-04-17", "--format", "json"]))
    assert len(js["stories"]) == 1
    feed = tmp_path / "feed.xml"
    _run(["feed", "--db", db_url, "-o", str(feed)])
    assert feed.read_text(encoding="utf-8").startswith("<?xml")
    info = json.loads(_run(["db", "info", "--db", db_url, "--format", "json"]))
    assert info["counts"]["articles"] == 10 and info["pending"] == []
    assert "up to date" in _run(["db", "migrate", "--db", db_url])
    sid = out["stories"][0]["id"]
    cov = json.loads(_run(["coverage", sid, "--db", db_url, "--format", "json"]))
    assert cov["story"] == sid
    bad = CliRunner().invoke(main, ["coverage", "story-nope", "--db", db_url])
    assert bad.exit_code != 0 and "PX501" in bad.output


def test_brief_story_text(db_url, example_articles):
    from parallax.desk import brief_story_text

    with Store(db_url) as s:
        for a in example_articles(["port-wire", "port-reprint"]):
            sid = s.add_article(a).story_id
    md = brief_story_text(sid, db=db_url)
    assert md.startswith("# ") and "Facts" in md
    first = brief_story_text(sid, db=db_url, since_last=True)
    assert "Nothing changed" in first
    with Store(db_url) as s:
        s.add_article(example_articles(["port-independent"])[0])
    diff = json.loads(brief_story_text(sid, db=db_url, since_last=True, fmt="json"))
    assert diff["articles_added"] == ["port-independent"] and diff["previous_version"] == 1
    html = brief_story_text(sid, db=db_url, fmt="html")
    assert "<html" in html.lower()
    assert "<h1>" in brief_story_text(sid, db=db_url, since_last=True, fmt="html")


def test_default_database_location(tmp_path, monkeypatch):
    from parallax.store import default_url, engine_url

    monkeypatch.setenv("PARALLAX_DB", str(tmp_path / "x" / "p.db"))
    assert default_url() == str(tmp_path / "x" / "p.db")
    with Store() as s:
        assert s.dialect == "sqlite" and Path(tmp_path / "x" / "p.db").exists()
    monkeypatch.delenv("PARALLAX_DB")
    assert default_url().endswith("parallax.db") and "parallax" in default_url()
    assert engine_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
