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
    assert res.exit_code == 2  # nothing could be done
    assert "PX201" in res.output and "parallax-news[scale]" in res.output


def test_merge_command_refuses_an_unfinished_run(tmp_path):
    pytest.importorskip("ray")
    from click.testing import CliRunner

    from parallax.cli import main

    (tmp_path / "run").mkdir()
    res = CliRunner().invoke(main, ["scale", "merge", str(tmp_path / "run"), "--db", str(tmp_path / "x.db")])
    assert res.exit_code == 2
    assert "PX302" in res.output and "not a finished run" in res.output


def test_a_store_files_hundreds_of_pages_in_any_order_as_the_batch_groups_them(scale_pages, batch_brief,
                                                                              ingested_store, tmp_path):
    """At a few hundred pages the IDF moves while a run files its pages, and a page is placed among the stories
    of its moment: the run's end settles them (`Store.settle`), so `parallax ingest` in the pages' order (the
    shared `ingested_store`), z→a by id and the batch agree."""
    from parallax.stages.read import read_paths
    from parallax.store import Store

    arts, errors = read_paths(scale_pages)
    assert not errors
    want = {frozenset(s.articles) for s in batch_brief.stories}
    with Store(str(tmp_path / "za.db")) as store:
        done = store.add_articles(sorted(arts, key=lambda a: a.id, reverse=True), progress=False, batch=16)
        assert done.new == len(arts)
        got = {"za": {frozenset(r["articles"]) for r in store.list_stories(limit=1000)}}
    with Store(str(ingested_store)) as store:
        got["ingest"] = {frozenset(r["articles"]) for r in store.list_stories(limit=1000)}
    for name in ("ingest", "za"):
        assert got[name] == want, name


def _counts_agree(store) -> list[str]:
    """What the store's counts and indexes say against its articles: [] when they agree."""
    import json
    from collections import Counter

    import numpy as np
    from sqlalchemy import func, select

    from parallax.stages.stories import anchor_counts
    from parallax.store import index as idx
    from parallax.store import schema as S

    problems = []
    with store.engine.connect() as conn:
        arts = conn.execute(select(S.articles.c.id, S.articles.c.minhash, S.articles.c.doc_vec,
                                   S.articles.c.terms_json, S.articles.c.story_id, S.articles.c.title,
                                   S.articles.c.text)).all()
        n_docs = int(conn.execute(select(S.meta.c.value).where(S.meta.c.key == "n_docs")).scalar_one())
        df = dict(conn.execute(select(S.term_df.c.term, S.term_df.c.df)).all())
        copy = Counter(conn.execute(select(S.lsh_copy.c.article_id)).scalars())
        story = Counter(conn.execute(select(S.lsh_story.c.article_id)).scalars())
        sizes = dict(conn.execute(select(S.stories.c.id, S.stories.c.n_articles)
                                  .where(S.stories.c.merged_into.is_(None))).all())
        members = Counter(conn.execute(select(S.articles.c.story_id)).scalars())
        n_rows = conn.execute(select(func.count()).select_from(S.articles)).scalar_one()
    if n_docs != n_rows:
        problems.append(f"n_docs {n_docs} for {n_rows} articles")
    want_df = Counter(t for a in arts for t in json.loads(a.terms_json or "{}"))
    wrong = {t for t in set(df) | set(want_df) if df.get(t, 0) != want_df[t]}
    if wrong:
        problems.append(f"{len(wrong)} wrong document frequencies, e.g. {sorted(wrong)[:3]}")
    ids = {a.id for a in arts}
    for a in arts:
        if copy[a.id] != len(idx.copy_keys(np.frombuffer(a.minhash, dtype=np.uint64))):
            problems.append(f"{a.id}: {copy[a.id]} copy index keys")
        names = idx.name_keys(anchor_counts((a.title or "") + "\n" + a.text))  # names shared across languages
        if story[a.id] != len(idx.story_keys(np.frombuffer(a.doc_vec, dtype=np.float32))) + len(names):
            problems.append(f"{a.id}: {story[a.id]} story index keys")
    problems += [f"index keys of {x}, no such article" for x in sorted((set(copy) | set(story)) - ids)]
    problems += [f"story {s}: n_articles {n} for {members[s]} articles" for s, n in sorted(sizes.items())
                 if n != members[s]]
    return problems


def test_merge_counts_once_a_page_ingest_files_after_its_duplicate_check(url, monkeypatch):
    """Issue 22 item 2: `ingest` commits one of the run's pages between the merge's duplicate check and its
    insert (a hook in `plan`, which runs between the two). The merge skips that page and writes no index
    key, word count or n_docs for it; every count then agrees with the articles the store holds."""
    pytest.importorskip("pyarrow")
    from parallax.ingest import ingest
    from parallax.scale.stages import run_in_process
    from parallax.store import Store, bulk

    pages = _day1()
    run = run_in_process(pages)
    wire = str(PORT / "port-wire.html")
    plan = bulk.plan
    interleaved = []

    def plan_after_an_ingest(run_rows, stored, now):
        if not interleaved:  # once: the merge's first plan, after its duplicate check
            done = ingest([wire], store, progress=False)
            interleaved.append(done)
        return plan(run_rows, stored, now)

    with Store(url) as store:
        monkeypatch.setattr(bulk, "plan", plan_after_an_ingest)
        summary = bulk.merge_outcome(store, run)
        monkeypatch.setattr(bulk, "plan", plan)
        assert interleaved and interleaved[0].new == 1 and not interleaved[0].failures
        assert _counts_agree(store) == []
        n = len(run["articles"])
        assert summary["articles"] == n - 1 and summary["duplicates"] == 1
        assert len(store.articles()) == n
        assert _counts_agree(store) == []
        again = bulk.merge_outcome(store, run)  # and a second merge of the run files nothing
        assert again["articles"] == 0 and again["duplicates"] == n
        assert _counts_agree(store) == []
