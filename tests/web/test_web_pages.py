"""The server-rendered pages, in-process: content, escaping of hostile text, headers, the reader's form."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from parallax.web.security import CSP


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    p = Tags()
    p.feed(html)
    return p.tags


def assert_inert(html: str) -> None:
    """No script, no event handler, no javascript:/data: link, no external resource, no inline style."""
    for tag, attrs in tags_of(html):
        assert tag not in ("script", "iframe", "object", "embed", "base", "style"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src", "action", "formaction") and value and value != "data:,":
                assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), (tag, value)
                if tag != "a":
                    assert value.startswith("/"), (tag, name, value)


def pages(ids: dict[str, str]) -> list[str]:
    return ["/", "/?date=2026-03-10", f"/stories/{ids['port']}", f"/stories/{ids['port']}/provenance",
            f"/stories/{ids['summit']}", f"/stories/{ids['hostile']}", f"/stories/{ids['hostile']}/provenance",
            "/articles/port-reprint", "/articles/hostile-gazette", "/articles/hostile-page", "/sources",
            "/corrections", "/docs"]


def test_every_page_renders_inert_with_strict_headers(client: Any, ids: dict[str, str]) -> None:
    for path in pages(ids):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["content-security-policy"] == CSP
        assert "'unsafe-inline'" not in CSP and "script-src" not in CSP  # default-src 'none': no script at all
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
        assert_inert(r.text)
        assert '<main id="main"' in r.text and "<nav" in r.text and '<html lang="en">' in r.text


def test_hostile_text_is_shown_escaped(client: Any, ids: dict[str, str]) -> None:
    story = client.get(f"/stories/{ids['hostile']}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in story  # the headline, as text
    assert "&lt;script&gt;" in story
    article = client.get("/articles/hostile-gazette").text
    assert "&lt;b onmouseover=" in article  # the outlet name, as text
    assert "javascript:alert(document.domain)" in article and 'href="javascript:' not in article
    assert "{{ 7*7 }}" in article and ">49<" not in article  # no template injection


def test_daily_page_ranks_by_independent_origins(client: Any) -> None:
    html = client.get("/").text
    heads = re.findall(r'<h2 id="h-\d+"><a href="/stories/[^"]+">([^<]+)</a>', html)
    assert heads and "Saltmere" in heads[0]  # three origins before two
    assert "independent origin" in html and 'class="bar"' in html
    assert client.get("/?date=not-a-date").status_code == 400


def test_story_page_has_every_part(client: Any, ids: dict[str, str]) -> None:
    html = client.get(f"/stories/{ids['port']}").text
    for needle in ('id="facts"', 'id="disputes"', 'id="quotes"', 'id="loaded"', 'id="timeline"', 'id="changes"',
                   "pill-corroborated", "pill-single-source", "<meter", "<mark>", "cop", 'class="variants"',
                   'action="/corrections"', 'href="/articles/port-wire#s-'):
        assert needle in html, needle


def test_provenance_graph_and_evidence(client: Any, ids: dict[str, str]) -> None:
    html = client.get(f"/stories/{ids['port']}/provenance").text
    assert html.count('class="node ') == 5
    assert html.count('<g class="edge') == 2
    # the rewrite credits the wire in a "Source:" line and restates it: a credited restatement (issue 19 item 2)
    assert "near-copy of" in html and "credited restatement of" in html and "MinHash" in html


def test_article_page_shows_the_cleaning_audit(client: Any) -> None:
    html = client.get("/articles/port-reprint").text
    assert html.count('<details class="removed') >= 5
    assert "Removed: unrelated story" in html and "Removed: comments" in html
    assert 'id="s-' in html and "Origin group" in html and "Credits" in html


def test_unknown_pages_are_friendly_404s(client: Any) -> None:
    for path in ("/stories/nope", "/articles/nope", "/nothing", "/stories/nope/provenance"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "Not found" in r.text
    assert client.head("/").status_code == 200


def _form_token(client: Any, ids: dict[str, str]) -> tuple[str, str]:
    html = client.get(f"/stories/{ids['summit']}").text
    m = re.search(r'name="target_id" value="([^"]+)">\s*<input type="hidden" name="token" value="([^"]+)"', html)
    assert m
    return m.group(1).replace("&#35;", "#"), m.group(2)


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example.com"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
    {"Referer": "http://evil.example.com/page"},
])
def test_form_refuses_other_origins(client: Any, ids: dict[str, str], headers: dict[str, str]) -> None:
    target, token = _form_token(client, ids)
    r = client.post("/corrections", data={"target_type": "fact", "target_id": target, "token": token,
                                          "message": "cross-site"}, headers=headers, follow_redirects=False)
    assert r.status_code == 403


def test_form_needs_its_own_token(client: Any, ids: dict[str, str]) -> None:
    target, token = _form_token(client, ids)
    for bad in ("", "garbage", token[:-1] + ("0" if token[-1] != "0" else "1")):
        r = client.post("/corrections", data={"target_type": "fact", "target_id": target, "token": bad,
                                              "message": "x"}, headers={"Origin": "http://testserver"},
                        follow_redirects=False)
        assert r.status_code == 403
    # a token is bound to its form: it does not work for another target
    r = client.post("/corrections", data={"target_type": "article", "target_id": "port-wire", "token": token,
                                          "message": "x"}, headers={"Origin": "http://testserver"},
                    follow_redirects=False)
    assert r.status_code == 403


def test_form_correction_is_stored_and_listed(client: Any, ids: dict[str, str]) -> None:
    target, token = _form_token(client, ids)
    r = client.post("/corrections", data={"target_type": "fact", "target_id": target, "token": token,
                                          "message": "The fund is <b>$380 million</b>, not $390 million.",
                                          "contact": "reader@example.org"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    listed = client.get(r.headers["location"])
    assert "Thank you" in listed.text
    assert "&lt;b&gt;$380 million&lt;/b&gt;" in listed.text
    assert "reader@example.org" not in listed.text
    r = client.post("/corrections", content=b'{"message": "x"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_serving_a_brief_without_a_store(examples_brief: Any) -> None:
    """`parallax serve --from PATH`: the same pages over an in-memory Brief."""
    from fastapi.testclient import TestClient

    from parallax.web import create_app

    with TestClient(create_app(examples_brief, api_token="")) as c:
        rows = c.get("/api/stories").json()["stories"]
        assert len(rows) == 2
        for path in ("/", f"/stories/{rows[0]['id']}", f"/stories/{rows[0]['id']}/provenance",
                     "/articles/port-wire", "/sources"):
            r = c.get(path)
            assert r.status_code == 200, path
            assert_inert(r.text)
