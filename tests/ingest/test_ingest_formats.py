"""Feeds (feedparser on bytes), WARC files (written here with warcio) and registry files (CSV / TOML)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from parallax.ingest.feeds import parse_feed
from parallax.ingest.fetch import sniff_feed
from parallax.ingest.sources import SourceFileError, read_csv, read_sources, read_toml, to_csv, to_toml
from parallax.ingest.warc import Skipped, WarcPage, read_warc
from parallax.model import InputError

SITE = Path(__file__).resolve().parent / "fixtures" / "site"
BASE = "http://courier.example"


def feed_bytes(name: str) -> bytes:
    return (SITE / name).read_bytes().replace(b"{base}", BASE.encode())


def test_rss_items_with_metadata() -> None:
    f = parse_feed(feed_bytes("feed.xml"), BASE + "/feed.xml", "application/rss+xml")
    assert f.version == "rss20" and f.problem is None and f.title == "Kestrel Bay Courier: News"
    assert [i.link for i in f.items] == [BASE + "/news/ferry-strike.html", BASE + "/news/council-budget.html",
                                         BASE + "/news/library-reopens.html"]  # the relative link resolved
    first = f.items[0]
    assert first.title == "Ferry crews walk out over new rotas"
    assert first.published == "2031-03-14T07:30:00Z" and first.author == "Maren Oduya"


def test_atom_items() -> None:
    f = parse_feed(feed_bytes("atom.xml"), BASE + "/atom.xml")
    assert f.version == "atom10"
    assert [i.title for i in f.items] == ["Causeway bridge to close for two nights", "Ferry crews walk out"]
    assert f.items[0].author == "Highways desk" and f.items[0].published == "2031-03-16T09:00:00Z"


def test_malformed_feed_keeps_entries_and_says_why() -> None:
    f = parse_feed(feed_bytes("broken-feed.xml"), BASE + "/broken-feed.xml")
    assert f.problem and "not well-formed" in f.problem
    assert [i.title for i in f.items] == ["Library reopens", "Bridge closes twice"]  # tags dropped from titles


def test_not_a_feed() -> None:
    f = parse_feed(feed_bytes("not-a-feed.xml"), BASE + "/x.xml")
    assert not f.is_feed and not f.items
    html = parse_feed((SITE / "news" / "ferry-strike.html").read_bytes(), BASE + "/a.html")
    assert not html.items


def test_feedparser_never_opens_a_path(tmp_path: Path) -> None:
    """Bytes that spell a file name must be parsed as content, not opened."""
    secret = tmp_path / "secret.xml"
    secret.write_bytes(feed_bytes("feed.xml"))
    f = parse_feed(str(secret).encode(), BASE + "/x")
    assert not f.items


def test_sniff_feed() -> None:
    assert sniff_feed(feed_bytes("feed.xml"))
    assert sniff_feed(feed_bytes("atom.xml"))
    assert sniff_feed(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- hi -->\n<?xml-stylesheet href="s.xsl"?><rss>')
    assert sniff_feed(b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">')
    assert not sniff_feed(b"<!doctype html><html><body>")
    assert not sniff_feed(feed_bytes("not-a-feed.xml"))


# -- WARC ---------------------------------------------------------------------------------------------------

def write_warc(path: Path, *, truncate: bool = False) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=path.suffix == ".gz")

    def response(url: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
        headers = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                   protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))

    w.write_record(w.create_warcinfo_record("test.warc", {"software": "parallax tests"}))
    for name in ("ferry-strike.html", "council-budget.html"):
        response(f"{BASE}/news/{name}", (SITE / "news" / name).read_bytes(), "text/html; charset=utf-8")
    response(f"{BASE}/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png")
    response(f"{BASE}/gone", b"<h1>Not found</h1>", "text/html", "404 Not Found")
    response(f"{BASE}/news/harbour-notes.txt", (SITE / "news" / "harbour-notes.txt").read_bytes(), "text/plain")
    req = StatusAndHeaders("GET /news/x HTTP/1.1", [("Host", "courier.example")], is_http_request=True)
    w.write_record(w.create_warc_record(f"{BASE}/news/x", "request", http_headers=req))
    data = buf.getvalue()
    if truncate:
        data = data[: int(len(data) * 0.6)]
    path.write_bytes(data)


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_pages(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    write_warc(p)
    out = list(read_warc(p))
    pages = [x for x in out if isinstance(x, WarcPage)]
    assert [x.article.url for x in pages] == [f"{BASE}/news/ferry-strike.html", f"{BASE}/news/council-budget.html",
                                              f"{BASE}/news/harbour-notes.txt"]
    assert "Skerry Lines" in pages[0].article.raw and pages[0].html and "<article>" in pages[0].html
    assert pages[2].html is None and pages[2].article.meta["format"] == "text"
    assert pages[0].article.input.startswith(str(p) + "#")
    skipped = [x.reason for x in out if isinstance(x, Skipped)]
    assert "image/png" in skipped and "HTTP 404" in skipped
    assert not [x for x in out if isinstance(x, InputError)]


def test_damaged_warc_keeps_what_came_before(tmp_path: Path) -> None:
    p = tmp_path / "cut.warc.gz"
    write_warc(p, truncate=True)
    out = list(read_warc(p))
    assert any(isinstance(x, WarcPage) for x in out)
    errs = [x for x in out if isinstance(x, InputError)]
    assert errs and errs[-1].code == "PX412" and errs[-1].input == str(p)


def test_not_a_warc(tmp_path: Path) -> None:
    p = tmp_path / "notes.warc"
    p.write_text("this is not a WARC file at all\n" * 20)
    errs = [x for x in read_warc(p) if isinstance(x, InputError)]
    assert errs and errs[0].code == "PX412"


# -- registry files ------------------------------------------------------------------------------------------

def test_csv_rows_unknown_stays_unknown() -> None:
    rows = read_csv("domain,name,owner,country,lean,reliability,notes\n"
                    "https://www.Courier.example/news,Kestrel Bay Courier,Skerry Media,GB,,,\n"
                    "islander.example,The Islander,,,,high,\n\n", "reg.csv")
    assert rows == [{"domain": "www.courier.example", "name": "Kestrel Bay Courier", "owner": "Skerry Media",
                     "country": "GB"},
                    {"domain": "islander.example", "name": "The Islander", "reliability": "high"}]


@pytest.mark.parametrize("text, msg", [
    ("name,owner\nX,Y\n", "header with a `domain` column"),
    ("domain,name,realiability\na.example,A,high\n", "unknown column(s) realiability"),
    ("domain,name\n,Nameless\n", "reg.csv:2: no domain"),
    ("domain,name\nnot a domain,X\n", "not a domain"),
    ("domain,name\na.example,A,extra\n", "more cells than header columns"),
])
def test_csv_errors_name_the_row(text: str, msg: str) -> None:
    with pytest.raises(SourceFileError) as ei:
        read_csv(text, "reg.csv")
    assert msg in str(ei.value)


def test_toml_both_forms_and_errors() -> None:
    rows = read_toml('[[source]]\ndomain = "courier.example"\nname = "Kestrel Bay Courier"\nreliability = 0.8\n'
                     '\n[sources."islander.example"]\nname = "The Islander"\nlean = "centre"\n')
    assert rows == [{"domain": "courier.example", "name": "Kestrel Bay Courier", "reliability": "0.8"},
                    {"domain": "islander.example", "name": "The Islander", "lean": "centre"}]
    for bad, msg in [('[[source]]\nname = "x"\n', "no domain"), ("[outlets]\n", "unknown table"),
                     ('[[source]]\ndomain = "a.example"\nname = [1]\n', "must be text"),
                     ("not = toml = at all", "not valid TOML")]:
        with pytest.raises(SourceFileError, match=msg.replace("(", r"\(")):
            read_toml(bad, "reg.toml")


def test_round_trip(tmp_path: Path) -> None:
    rows = [{"domain": "courier.example", "name": 'Kestrel Bay "Courier"', "owner": "Skerry, Media",
             "country": None, "lean": None, "reliability": None, "notes": "tabs\tand\nlines", "feed_url": None}]
    want = [{k: v for k, v in rows[0].items() if v is not None}]
    (tmp_path / "r.csv").write_text(to_csv(rows))
    (tmp_path / "r.toml").write_text(to_toml(rows))
    assert read_sources(tmp_path / "r.csv") == want
    assert read_sources(tmp_path / "r.toml") == want
    (tmp_path / "r.yaml").write_text("x")
    with pytest.raises(SourceFileError, match=r"use a \.csv or \.toml"):
        read_sources(tmp_path / "r.yaml")
