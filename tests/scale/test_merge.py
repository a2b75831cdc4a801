"""The daily merge without Ray: runs made in process (`parallax.scale.stages.run_in_process`) are merged
into a store one day after the other; a story that goes on the next day joins the stored story, and the
store then holds what `parallax ingest` of the same pages holds."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = ROOT / "examples" / "saltmere-port-blast"
SUMMIT = ROOT / "examples" / "sable-basin-summit"


def _day1() -> list[str]:
    return [str(p) for p in sorted(PORT.iterdir()) if p.suffix in (".txt", ".html") and "followup" not in p.name] \
        + [str(SUMMIT)]


def _outcome(store) -> dict:
    stories = {frozenset(r["articles"]) for r in store.list_stories(limit=1000)}
    groups = {a.id: (a.group, sorted((d.article, d.relation) for d in a.derived_from)) for a in store.articles()}
    return {"stories": stories, "groups": groups}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "merged.db")
    return request.getfixturevalue("make_pg_database")()


def test_next_day_joins_the_stored_story_as_ingest_would(url, tmp_path):
    pytest.importorskip("pyarrow")
    from parallax.ingest import ingest
    from parallax.scale.stages import run_in_process
    from parallax.store import Store
    from parallax.store.bulk import merge_outcome

    with Store(url) as merged:
        first = merge_outcome(merged, run_in_process(_day1()))
        assert first["merged_into_stored"] == 0 and first["stories"] == 2
        second = merge_outcome(merged, run_in_process([str(PORT / "port-followup.txt")]))
        assert second["articles"] == 1 and second["merged_into_stored"] == 1
        got = _outcome(merged)
        sid = merged.list_stories(limit=10)
        assert len(sid) == 2
    with Store(str(tmp_path / "ingested.db")) as ingested:
        done = ingest([*_day1(), str(PORT / "port-followup.txt")], ingested, progress=False)
        assert not done.failures
        want = _outcome(ingested)
    assert got == want


def test_scale_commands_say_what_to_install_without_ray(monkeypatch, tmp_path):
    import sys

    from click.testing import CliRunner

    from parallax.cli import main

    monkeypatch.setitem(sys.modules, "ray", None)  # as if the `scale` extra were not installed
    res = CliRunner().invoke(main, ["scale", "run", str(SUMMIT), "--out", str(tmp_path / "run")])
    assert res.exit_code == 1
    assert "PX201" in res.output and "parallax-news[scale]" in res.output


def test_merge_command_refuses_an_unfinished_run(tmp_path):
    pytest.importorskip("ray")
    from click.testing import CliRunner

    from parallax.cli import main

    (tmp_path / "run").mkdir()
    res = CliRunner().invoke(main, ["scale", "merge", str(tmp_path / "run"), "--db", str(tmp_path / "x.db")])
    assert res.exit_code == 2
    assert "PX302" in res.output and "not a finished run" in res.output
