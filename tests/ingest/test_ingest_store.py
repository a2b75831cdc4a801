"""ingest() and watch() into a real Store (SQLite in a temp dir) from the local server and local files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parallax.ingest import IngestSummary, ingest, watch
from parallax.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = {"allow_private": True, "min_interval": 0.0, "retries": 1, "backoff": 0.0, "timeout": 2.0,
        "max_bytes": 100_000, "progress": False}


@pytest.fixture
def store(tmp_path: Path):
    with Store(str(tmp_path / "desk.db")) as s:
        yield s


def codes(summary: IngestSummary) -> dict[str, str]:
    return {f.source: f.code for f in summary.failures}


def test_feed_items_are_fetched_as_full_pages(site, store) -> None:
    s = ingest([site.url("/feed.xml")], store, **FAST)
    assert (s.new, s.duplicate, s.unchanged, s.failed) == (3, 0, 0, 0), s.failures
    arts = {a.url: a for a in store.articles()}
    ferry = arts[site.url("/news/ferry-strike.html")]
    # The full page, cleaned like any page: not the RSS blurb.
    assert "Skerry Lines" in ferry.text and "This blurb is not the article" not in ferry.text
    assert ferry.title == "Ferry crews walk out over new rotas" and ferry.published == "2031-03-14T07:30:00Z"
    assert site.url("/news/council-budget.html") in arts  # the relative link, resolved
    state = store.get_fetch_state(site.url("/news/ferry-strike.html"))
    assert state["status"] == 200 and state["article_id"] == ferry.id

    # Again: the feed has no validators, so it is fetched, but known items are not asked for again.
    site.reset()
    again = ingest([site.url("/feed.xml")], store, **FAST)
    assert (again.new, again.unchanged, again.failed) == (0, 3, 0)
    assert site.paths() == ["/robots.txt", "/feed.xml"]


def test_conditional_get_makes_unchanged_feeds_free(site, store) -> None:
    first = ingest([site.url("/feed-etag.xml"), site.url("/feed-lm.xml")], store, **FAST)
    assert first.new == 4 and first.failed == 0  # 3 RSS items + 1 new Atom item (the ferry page is shared)
    assert first.unchanged == 1
    site.reset()
    second = ingest([site.url("/feed-etag.xml"), site.url("/feed-lm.xml")], store, **FAST)
    assert (second.new, second.unchanged, second.failed) == (0, 2, 0)
    assert site.paths() == ["/robots.txt", "/feed-etag.xml", "/feed-lm.xml"]  # two 304s, nothing else
    assert site.last("/feed-etag.xml").headers["if-none-match"] == '"v1"'
    assert site.last("/feed-lm.xml").headers["if-modified-since"] == "Sat, 15 Mar 2031 10:00:00 GMT"
    assert store.get_fetch_state(site.url("/feed-etag.xml"))["etag"] == '"v1"'


def test_page_urls_conditional_and_duplicates(site, store) -> None:
    assert ingest([site.url("/page-etag.html")], store, **FAST).new == 1
    again = ingest([site.url("/page-etag.html")], store, **FAST)
    assert again.unchanged == 1 and again.new == 0
    # The same page under another URL with the same text is a new URL; the same URL again is a duplicate.
    s = ingest([site.url("/news/council-budget.html"), site.url("/news/council-budget.html")], store, **FAST)
    assert (s.new, s.duplicate) == (1, 1)
    assert ingest([site.url("/page-etag.html")], store, refetch=True, **FAST).duplicate == 1


def test_broken_sources_are_reported_and_the_batch_goes_on(site, store, tmp_path: Path) -> None:
    nothing = tmp_path / "nope.html"
    sources = [site.url("/missing"), site.url("/slow"), site.url("/broken-feed.xml"), site.url("/image.png"),
               site.url("/big.html"), site.url("/not-a-feed.xml"), site.url("/private/secret.html"),
               site.url("/png-as-html"), site.url("/empty.html"), site.url("/mixed-feed.xml"), str(nothing),
               "ftp://courier.example/x", site.url("/news/ferry-strike.html")]
    s = ingest(sources, store, **{**FAST, "timeout": 0.25})
    got = codes(s)
    assert got[site.url("/missing")] == "PX404"
    assert got[site.url("/slow")] == "PX405"
    assert got[site.url("/image.png")] == "PX409"
    assert got[site.url("/big.html")] == "PX408"
    assert got[site.url("/not-a-feed.xml")] == "PX409"
    assert got[site.url("/private/secret.html")] == "PX410"
    assert got[site.url("/png-as-html")] == "PX103"
    assert got[site.url("/empty.html")] == "PX102"
    assert got[str(nothing)] == "PX101"
    assert got["ftp://courier.example/x"] == "PX401"
    assert got[f"{site.url('/mixed-feed.xml')} item 'A blurb with no link'"] == "PX413"
    assert all(f.reason for f in s.failures)
    # The malformed feed: a warning naming it, and its entries kept.
    assert [w.code for w in s.warnings] == ["PX411"] and s.warnings[0].source == site.url("/broken-feed.xml")
    assert "not well-formed" in s.warnings[0].reason
    urls = {a.url for a in store.articles()}
    assert {site.url("/news/library-reopens.html"), site.url("/news/bridge-inspection.html"),
            site.url("/news/harbour-notes.txt"), site.url("/news/ferry-strike.html")} <= urls
    assert s.new == 4
    assert "/private/secret.html" not in site.paths()
    failed_state = store.get_fetch_state(site.url("/missing"))
    assert failed_state["status"] == 404 and failed_state["error"].startswith("PX404")


def test_private_addresses_refused_by_default(site, store) -> None:
    s = ingest([site.url("/feed.xml")], store, **{**FAST, "allow_private": False})
    assert codes(s) == {site.url("/feed.xml"): "PX402"}
    assert "--allow-private" in s.failures[0].reason
    assert site.paths() == []


def test_local_files_jsonl_and_warc(store, tmp_path: Path) -> None:
    from test_ingest_formats import write_warc

    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc)
    s = ingest([EXAMPLES / "saltmere-port-blast", str(warc)], store, progress=False)
    assert s.failed == 0, s.failures
    # Skipped: expected.json (no page records), and the PNG and the 404 records of the WARC.
    assert s.new == 8 and s.skipped == 3
    assert {a.url for a in store.articles() if a.url and a.url.startswith("http://courier.example/")} == {
        "http://courier.example/news/ferry-strike.html", "http://courier.example/news/council-budget.html",
        "http://courier.example/news/harbour-notes.txt"}
    again = ingest([str(warc)], store, progress=False)
    assert (again.new, again.duplicate) == (0, 3)


def test_registry_name_is_the_users(site, store) -> None:
    store.upsert_source("127.0.0.1", name="Kestrel Bay Courier (registry)", country="GB")
    ingest([site.url("/news/bridge-inspection.html")], store, **FAST)
    (art,) = [a for a in store.articles() if a.url and a.url.endswith("bridge-inspection.html")]
    assert art.source == "Kestrel Bay Courier (registry)"


def test_watch_once_and_rounds(site, store) -> None:
    rounds: list[IngestSummary] = []
    total = watch([site.url("/feed-etag.xml")], store, interval=0.0, rounds=2,
                  on_round=lambda n, s: rounds.append(s), **FAST)
    assert [(r.new, r.unchanged) for r in rounds] == [(3, 0), (0, 1)]
    assert total.new == 3 and total.unchanged == 1 and not total.interrupted
    once = watch([site.url("/feed-etag.xml")], store, once=True, **FAST)
    assert once.unchanged == 1


def test_summary_to_dict(site, store) -> None:
    s = ingest([site.url("/missing")], store, **FAST)
    d = json.loads(json.dumps(s.to_dict()))
    assert d["failed"] == 1 and d["failures"][0] == {"source": site.url("/missing"), "code": "PX404",
                                                     "reason": s.failures[0].reason}
    assert "pages_per_second" in d and d["requests"] == 2  # robots.txt + the page


def test_ctrl_c_ends_the_run_with_a_summary(site, store) -> None:
    def interrupt(_failure) -> None:
        raise KeyboardInterrupt

    s = ingest([site.url("/missing"), site.url("/news/ferry-strike.html")], store, on_failure=interrupt, **FAST)
    assert s.interrupted and s.failed == 1 and s.new == 0
    assert "/news/ferry-strike.html" not in site.paths()


def test_progress_bar_on_request(site, store, capsys) -> None:
    ingest([site.url("/feed.xml")], store, **{**FAST, "progress": True})
    err = capsys.readouterr().err
    assert "ingest" in err and "3/3" in err
    ingest([site.url("/feed.xml")], store, **FAST)
    assert capsys.readouterr().err == ""
