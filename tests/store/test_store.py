"""The store on SQLite and PostgreSQL: migrations, dedupe, versions, provenance, stories, briefs, registry."""

from __future__ import annotations

import json
from datetime import date

import pytest

from parallax import desk
from parallax.errors import InputRejected
from parallax.model import Article, InputError
from parallax.store import Store, StoreError

PORT = ["port-followup", "port-independent", "port-reprint", "port-rewrite", "port-wire"]
SUMMIT = ["summit-independent", "summit-reprint", "summit-reprint2", "summit-rewrite", "summit-wire"]


def _page(p: dict) -> Article:
    return Article(id=p["id"], raw=p["text"], title=p["title"], published=p["published"], input=p["id"])


def test_migrations_recorded_and_idempotent(db_url):
    with Store(db_url) as s:
        names = [m["name"] for m in s.migrations()]
        assert names == ["0001_initial", "0002_sources_fetch_state", "0003_corrections", "0004_term_df",
                         "0005_story_split_terms", "0006_pair_checks", "0007_url_text_keys",
                         "0008_long_article_ids", "0009_story_anchors"]
        assert s.migrate() == []
        info = s.info()
        assert info["pending"] == [] and info["counts"]["articles"] == 0
        assert info["dialect"] in ("sqlite", "postgresql")
    with Store(db_url) as s:  # reopening applies nothing
        assert [m["name"] for m in s.migrations()] == names


def test_add_examples_groups_stories_and_dedupe(store, example_articles):
    results = [store.add_article(a) for a in example_articles()]
    assert [r.status for r in results] == ["new"] * 10
    stories = store.list_stories()
    assert len(stories) == 2
    by_first = {next(iter(sorted(s["articles"]))).split("-")[0]: s for s in stories}
    assert sorted(by_first["port"]["articles"]) == PORT
    assert sorted(by_first["summit"]["articles"]) == SUMMIT
    assert by_first["port"]["origins"] == 3  # wire + reprint + rewrite | independent | follow-up
    assert by_first["summit"]["origins"] == 2  # wire + both reprints + rewrite | independent
    groups = {a.id: a.group for a in store.articles()}
    assert groups["port-wire"] == groups["port-reprint"] == groups["port-rewrite"] == "g-port-wire"
    assert len({groups[x] for x in SUMMIT if x != "summit-independent"}) == 1
    assert groups["summit-independent"] != groups["summit-wire"]
    reprint = store.get_article("port-reprint")
    assert reprint.derived_from and reprint.derived_from[0].article == "port-wire"
    # Ingesting the same pages again is a no-op.
    again = [store.add_article(a) for a in example_articles()]
    assert all(r.status == "duplicate" for r in again)
    assert [r.id for r in again] == [r.id for r in results]
    assert store.info()["counts"]["articles"] == 10


def test_stored_article_round_trips(store, example_articles):
    from parallax.pipeline import prepare

    a = example_articles(["port-wire"])[0]
    store.add_article(a)
    ref = prepare(example_articles(["port-wire"]))[0][0]
    got = store.get_article("port-wire")
    assert got.text == ref.text and got.raw == ref.raw
    assert got.sentences == ref.sentences
    assert [r.kind for r in got.removed] == [r.kind for r in ref.removed]
    assert got.title == ref.title and got.url == ref.url and got.published == ref.published
    vecs = store.article_vectors(["port-wire"])["port-wire"]
    assert vecs.shape == (len(ref.content_sentences()), 384) and vecs.dtype.name == "float32"
    assert store.get_article("nope") is None


def test_same_url_changed_text_is_a_new_version(store):
    base = {"url": "https://news.example.org/a/1", "title": "Harbour of Lindqvist reopens after the storm",
            "published": "2026-06-02"}
    text = ("The harbour of Lindqvist reopened on Tuesday after the storm, the port authority said.\n\n"
            "Ferries to the islands will run on the normal timetable from Wednesday, officials said.\n\n"
            "Damage to the north pier is estimated at two million crowns, according to the harbour master.")
    r1 = store.add_article(Article(id="h1", raw=text, **base))
    r_dup = store.add_article(Article(id="h1-again", raw=text, **base))
    assert r_dup.status == "duplicate" and r_dup.id == "h1"
    r2 = store.add_article(Article(id="h1", raw=text.replace("two million", "three million"), **base))
    assert r2.status == "new" and r2.replaces == "h1" and r2.id != "h1"
    assert [a.id for a in store.articles()] == [r2.id]
    assert store.get_article("h1").meta["superseded_by"] == r2.id
    assert store.get_article(r2.id).meta["replaces"] == "h1"
    assert r1.story_id is not None
    # The same text at another URL is another outlet's copy: a new article in the same origin group.
    r3 = store.add_article(Article(id="h2", raw=text, **{**base, "url": "https://other.example.net/x"}))
    assert r3.status == "new"
    assert store.get_article("h2").group == store.get_article("h1").group or \
        store.get_article("h2").derived_from


def test_add_articles_summary_counts_failures(store, synthetic_pages):
    items = [_page(p) for p in synthetic_pages(6)]
    items.append(Article(id="empty", raw="Share this\n\nSubscribe", input="empty.txt"))
    items.append(InputError("missing.txt", "PX101", "not found"))
    items.append(_page(synthetic_pages(1)[0]))  # a duplicate within the run
    summary = store.add_articles(items, progress=False, batch=4)
    assert (summary.new, summary.duplicate, summary.failed) == (6, 1, 2)
    assert {f["code"] for f in summary.failures} == {"PX107", "PX101"}
    assert summary.to_dict()["pages_per_second"] > 0
    with pytest.raises(InputRejected) as exc:  # a page with no article text is an input error, wherever it is found
        store.add_article(Article(id="empty2", raw="Share this\n\nSubscribe"))
    assert exc.value.code == "PX107" and exc.value.input == "empty2"


def test_articles_filters(store, synthetic_pages):
    store.add_articles([_page(p) for p in synthetic_pages(4)], progress=False)
    arts = store.articles()
    assert len(arts) == 4
    sid = arts[0].meta["story_id"]
    assert all(a.meta["story_id"] == sid for a in store.articles(story_id=sid))
    assert store.articles(since=date(2100, 1, 1)) == []
    assert len(store.list_stories(limit=2)) <= 2
    assert store.list_stories(since=date(2100, 1, 1)) == []


def test_brief_versions_and_changes_since_last(store, example_articles):
    for a in example_articles(["port-wire", "port-reprint", "port-rewrite"]):
        sid = store.add_article(a).story_id
    s1 = desk.brief_story(store, sid)
    assert s1.coverage["version"] == 1 and s1.coverage["origin_groups"] == 1
    first = desk.changes_since_last(store, sid)
    assert first["version"] == 1 and first["previous_version"] == 1
    assert first["new"] == [] and first["gone"] == [] and first["changed"] == []  # nothing arrived
    assert desk.brief_story(store, sid).coverage["version"] == 1  # same articles: same version
    # The independent report says five workers were hurt (the wire says three).
    res = store.add_article(example_articles(["port-independent"])[0])
    assert res.story_id == sid
    diff = desk.changes_since_last(store, sid)
    assert diff["version"] == 2 and diff["previous_version"] == 1
    assert diff["articles_added"] == ["port-independent"]
    assert diff["disputes_appeared"], diff
    assert diff["new"] or diff["changed"]
    reasons = [w for c in diff["changed"] for w in c["why"]]
    assert any("support" in w or "dispute" in w for w in reasons), reasons
    assert [v["version"] for v in store.brief_versions(sid)] == [1, 2]
    with pytest.raises(StoreError) as exc:
        desk.brief_story(store, "story-unknown")
    assert exc.value.code == "PX501"


def test_story_brief_renders_and_validates(store, example_articles):
    from parallax.render import render, to_json

    for a in example_articles(PORT):
        sid = store.add_article(a).story_id
    brief = desk.story_brief(store, sid)
    assert [s.id for s in brief.stories] == [sid]
    assert sorted(a.id for a in brief.articles) == PORT
    md = render(brief, "md")
    assert "independent origins" in md
    html = render(brief, "html")
    assert html.lstrip().lower().startswith("<!doctype html")
    doc = to_json(brief)
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((__import__("pathlib").Path(__file__).parents[2] / "docs/brief.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["stories"][0]["coverage"]["origin_groups"] == 3


def test_daily_ranks_by_origins(store, example_articles):
    for a in example_articles():
        store.add_article(a)
    brief = desk.daily(store, date(2026, 3, 10))
    assert len(brief.stories) == 1 and "port-wire" in brief.stories[0].articles
    allday = desk.daily(store, None)
    origins = [s.coverage["origin_groups"] for s in allday.stories]
    assert origins == sorted(origins, reverse=True)
    assert desk.daily(store, date(1999, 1, 1)).stories == []


def test_sources_registry_and_coverage(store, example_articles):
    store.upsert_source("https://www.northwindwire.example.com/", name="Northwind Wire", country="KE",
                        lean="centre", reliability="high")
    store.upsert_source("saltmerecourier.example.net", name="The Saltmere Courier", owner="Courier Group")
    store.upsert_source("saltmerecourier.example.net", notes="local daily", founded=1901)
    src = store.source_for("https://news.saltmerecourier.example.net/x/y")
    assert src["name"] == "The Saltmere Courier" and src["owner"] == "Courier Group" and src["notes"] == "local daily"
    assert src["lean"] is None and src["extra"] == {"founded": 1901}
    assert store.source_for("unknown.example.org") is None
    assert [s["domain"] for s in store.list_sources()] == ["northwindwire.example.com", "saltmerecourier.example.net"]
    for a in example_articles(PORT):
        sid = store.add_article(a).story_id
    cov = desk.coverage(store, sid)
    assert cov["origins"] == 3 and cov["articles"] == 5
    courier = next(o for o in cov["outlets"] if o["domain"] == "saltmerecourier.example.net")
    assert courier["registry"]["owner"] == "Courier Group"
    assert sum(len(g["articles"]) for g in cov["origin_groups"]) == 5


def test_fetch_state_and_corrections(store):
    from datetime import UTC, datetime

    url = "https://news.example.org/feed.xml"
    assert store.get_fetch_state(url) is None
    store.set_fetch_state(url, etag='"abc"', last_modified="Tue, 10 Mar 2026 10:00:00 GMT", status=200,
                          fetched_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC), items=14)
    st = store.get_fetch_state(url)
    assert st["etag"] == '"abc"' and st["status"] == 200 and st["extra"] == {"items": 14}
    assert st["fetched_at"] == datetime(2026, 3, 10, 12, 0)
    store.set_fetch_state(url, status=304)
    st = store.get_fetch_state(url)
    assert st["status"] == 304 and st["etag"] == '"abc"'
    cid = store.add_correction("fact", "story-x#3", "The count is five, not three.", contact="r@example.org")
    cid2 = store.add_correction("story", "story-x", "Headline is loaded.")
    assert cid2 > cid
    rows = store.list_corrections()
    assert [r["id"] for r in rows] == [cid, cid2] and rows[0]["contact"] == "r@example.org"
    assert [r["id"] for r in store.list_corrections(target_type="story")] == [cid2]
    with pytest.raises(ValueError):
        store.add_correction("story", "x", "  ")


def test_atom_feed_is_valid(store, example_articles):
    feedparser = pytest.importorskip("feedparser")
    from parallax.desk.feed import atom_feed

    for a in example_articles():
        store.add_article(a)
    xml = atom_feed(store)
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    kinds = {t.term for e in parsed.entries for t in e.tags}
    assert kinds == {"story-update", "daily"}
    assert all(e.id.startswith("urn:parallax:") and e.updated for e in parsed.entries)
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)


def test_story_merge_follows_redirect(store, example_articles):
    a = store.add_article(example_articles(["port-wire"])[0]).story_id
    b = store.add_article(example_articles(["summit-wire"])[0]).story_id
    assert a != b
    keep = store.merge_stories(a, b)
    gone = b if keep == a else a
    assert store.resolve_story(gone) == keep
    assert sorted(x.id for x in store.articles(story_id=gone)) == ["port-wire", "summit-wire"]
    assert [s["id"] for s in store.list_stories()] == [keep]


def _quarry_articles(fixtures_dir):
    paths = sorted((fixtures_dir / "quarries").glob("*.txt"))
    arts = {p.stem: Article(id=p.stem, raw=p.read_text(encoding="utf-8"), published="2026-05-0" + p.stem[-1],
                            input=str(p)) for p in paths}
    # Arrival interleaves the two collapses.
    order = ["velden-1", "harrowgate-1", "velden-2", "velden-3", "harrowgate-2", "velden-4", "harrowgate-3",
             "velden-5", "harrowgate-4", "velden-6"]
    return [arts[k] for k in order]


def _stories_by_event(store):
    out: dict[str, set[str]] = {}
    for a in store.articles():
        out.setdefault(a.id.split("-")[0], set()).add(a.meta["story_id"])
    return out


def test_two_events_of_one_kind_arrive_as_two_stories(store, fixtures_dir):
    for a in _quarry_articles(fixtures_dir):
        store.add_article(a)
    by_event = _stories_by_event(store)
    assert all(len(v) == 1 for v in by_event.values()), by_event
    assert by_event["velden"] != by_event["harrowgate"]


def _mix_then_split(store, fixtures_dir):
    """File all quarry pages but the last, hand-merge the two collapses' stories (an earlier wrong merge),
    then file the last page. Returns (the mixed story's id, the last page's AddResult)."""
    arts = _quarry_articles(fixtures_dir)
    last = arts.pop()  # velden-6
    for a in arts:
        store.add_article(a)
    (v,), (h,) = _stories_by_event(store)["velden"], _stories_by_event(store)["harrowgate"]
    mixed = store.merge_stories(v, h)
    assert {s for ss in _stories_by_event(store).values() for s in ss} == {mixed}
    return mixed, store.add_article(last)


def test_a_story_that_mixes_two_events_is_split(store, fixtures_dir):
    # An earlier wrong merge put both collapses in one story; the next article's neighbourhood pulls them apart.
    from parallax.store import schema as S

    mixed, res = _mix_then_split(store, fixtures_dir)
    by_event = _stories_by_event(store)
    assert all(len(x) == 1 for x in by_event.values()), by_event
    assert by_event["velden"] == {mixed} == {res.story_id}  # the larger part keeps the story
    (other,) = by_event["harrowgate"]
    listed = {s["id"]: s for s in store.list_stories()}
    assert listed[other]["split_from"] == mixed and listed[mixed]["split_from"] is None
    assert sorted(listed[other]["articles"]) == [f"harrowgate-{i}" for i in range(1, 5)]
    with store.engine.connect() as conn:
        n = dict(conn.execute(S.stories.select().with_only_columns(S.stories.c.id, S.stories.c.n_articles)).all())
    assert n[mixed] == 6 and n[other] == 4


def test_split_stories_name_each_other(store, fixtures_dir, get_ready):
    from fastapi.testclient import TestClient

    from parallax.web import create_app

    mixed, _ = _mix_then_split(store, fixtures_dir)
    (other,) = _stories_by_event(store)["harrowgate"]
    child, parent = store.story_lineage(other), store.story_lineage(mixed)
    assert child["split_from"]["id"] == mixed and child["split_off"] == []
    assert parent["split_from"] is None and [x["id"] for x in parent["split_off"]] == [other]
    assert "Harrowgate" in parent["split_off"][0]["headline"] and "Velden" in child["split_from"]["headline"]
    assert store.story_lineage("story-none") is None
    with TestClient(create_app(store)) as client:
        page = get_ready(client, f"/stories/{other}").text
        assert f'Split off <a href="/stories/{mixed}">' in page
        page = get_ready(client, f"/stories/{mixed}").text
        assert f'Split into a separate story: <a href="/stories/{other}">' in page


def test_articles_stored_before_term_counts_still_score(store, fixtures_dir):
    # Articles filed before migration 0005 have no stored word counts: their text is read instead.
    from sqlalchemy import update

    from parallax.store import schema as S

    arts = _quarry_articles(fixtures_dir)
    for a in arts[:-1]:
        store.add_article(a)
    with store.engine.begin() as conn:
        conn.execute(update(S.articles).values(terms_json=None))
    store.add_article(arts[-1])
    by_event = _stories_by_event(store)
    assert all(len(v) == 1 for v in by_event.values()), by_event
    assert by_event["velden"] != by_event["harrowgate"]

