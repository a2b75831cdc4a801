"""One engine, any order: the store gives the batch's answer, whatever order and chunk sizes pages arrive in.

Pages from our fixtures (the two example clusters, the ferry and bank pages, the two quarry collapses) are
filed into SQLite and PostgreSQL in random permutations and random `add_articles` chunk sizes; the stories,
origin groups, originals, derivations and every story's facts (text, sources, support, status) and
disputes must equal what `parallax brief` gives for the same pages in one batch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallax import desk
from parallax.pipeline import brief_paths
from parallax.stages.read import read_paths
from parallax.store import Store

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "examples", ROOT / "tests" / "fixtures" / "ferry", ROOT / "tests" / "fixtures" / "bank"]


def outcome(brief) -> dict:
    """What a reader sees of a brief, keyed by story membership (ids differ: the store's are stable ids)."""
    arts = {a.id: {"group": a.group, "derived_from": sorted((d.article, d.relation) for d in a.derived_from)}
            for a in brief.articles}
    stories = {}
    for s in brief.stories:
        stories[json.dumps(sorted(s.articles))] = {
            "headline": s.headline,
            "facts": [(f.text, f.sources, f.support, f.status, f.speaker) for f in s.facts],
            "disputes": [(d.kind, d.about, [(v.value, v.sources) for v in d.variants]) for d in s.disputes],
        }
    return {"articles": arts, "stories": stories}


@pytest.fixture(scope="module")
def batch() -> dict:
    return outcome(brief_paths(PAGES))


def file_and_brief(url: str, order: list[int], chunk: int) -> dict:
    articles, errors = read_paths(PAGES)
    assert not errors
    articles = sorted(articles, key=lambda a: a.id)
    with Store(url) as store:
        summary = store.add_articles([articles[i] for i in order], progress=False, batch=chunk)
        assert summary.failed == 0 and summary.new == len(articles)
        briefs = [desk.story_brief(store, r["id"], record=False) for r in store.list_stories(limit=1000)]
    got = {"articles": {}, "stories": {}}
    for b in briefs:
        o = outcome(b)
        got["articles"].update(o["articles"])
        got["stories"].update(o["stories"])
    return got


N_PAGES = len(read_paths(PAGES)[0])
orders = st.permutations(list(range(N_PAGES)))
COMMON = {"deadline": None, "derandomize": True, "database": None,
          "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(max_examples=6, **COMMON)
@given(order=orders, chunk=st.integers(min_value=1, max_value=8))
def test_sqlite_store_gives_the_batch_brief(tmp_path_factory, batch, order, chunk):
    url = str(tmp_path_factory.mktemp("order") / "store.db")
    assert file_and_brief(url, order, chunk) == batch


@settings(max_examples=3, **COMMON)
@given(order=orders, chunk=st.integers(min_value=1, max_value=8))
def test_postgresql_store_gives_the_batch_brief(make_pg_database, batch, order, chunk):
    assert file_and_brief(make_pg_database(), order, chunk) == batch


def test_reversed_arrival_gives_the_batch_brief(tmp_path, batch):
    # The order the issue reported: z -> a, one page at a time.
    assert file_and_brief(str(tmp_path / "z.db"), list(range(N_PAGES))[::-1], 1) == batch


def test_the_outlets_a_story_lists_do_not_depend_on_arrival(tmp_path):
    """What the desk lists under a story (its outlets, their articles and origins) is in the order the pages
    say (publication time, then id), not the order in which the store filed them."""
    articles, errors = read_paths(PAGES)
    assert not errors
    articles = sorted(articles, key=lambda a: a.id)
    seen = []
    for name, seq in (("az", articles), ("za", articles[::-1])):
        with Store(str(tmp_path / f"{name}.db")) as store:
            store.add_articles(seq, progress=False, batch=3)
            briefs = [desk.story_brief(store, r["id"], record=False) for r in store.list_stories(limit=1000)]
        seen.append({json.dumps(sorted(b.stories[0].articles)): b.stories[0].coverage["by_outlet"] for b in briefs})
    assert seen[0] == seen[1]
    assert any(len(v) > 1 for v in seen[0].values())
