"""The JSON API and the server's behaviour, in-process (FastAPI's TestClient) over a real store."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "brief.schema.json"


def error_of(resp: Any) -> str:
    assert resp.headers["content-type"].startswith("application/json"), resp.text[:200]
    body = resp.json()
    assert set(body) == {"error"} and body["error"]["status"] == resp.status_code
    assert body["error"]["message"]
    return body["error"]["message"]


def test_stories_list_has_the_cli_shape_and_pages(client: Any, desk_store: Any) -> None:
    r = client.get("/api/stories")
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["stories"]
    assert len(body["stories"]) == 3
    for row in body["stories"]:
        assert set(row) == {"id", "headline", "articles", "origins", "updated"}
        assert isinstance(row["articles"], list) and isinstance(row["origins"], int)
    first = client.get("/api/stories?limit=1")
    assert len(first.json()["stories"]) == 1
    assert first.headers["link"] == '</api/stories?limit=1&offset=1>; rel="next"'
    second = client.get("/api/stories?limit=1&offset=1").json()["stories"]
    assert second[0]["id"] != first.json()["stories"][0]["id"]
    assert client.get("/api/stories?limit=5&offset=100").json() == {"stories": []}


def test_story_is_the_brief_contract(client: Any, ids: dict[str, str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    r = client.get(f"/api/stories/{ids['port']}")
    assert r.status_code == 200
    doc = r.json()
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    assert doc["schema"] == "parallax.brief/1"
    assert [s["id"] for s in doc["stories"]] == [ids["port"]]
    assert len(doc["articles"]) == 5


def test_daily_and_articles(client: Any, ids: dict[str, str]) -> None:
    daily = client.get("/api/daily")
    assert daily.status_code == 200 and daily.json()["schema"] == "parallax.brief/1"
    assert client.get("/api/daily?date=2026-03-10").json()["stories"]
    assert client.get("/api/daily?date=1999-01-01").json()["stories"] == []
    a = client.get("/api/articles/port-reprint").json()
    assert a["id"] == "port-reprint" and a["removed"] and a["derived_from"][0]["article"] == "port-wire"
    changes = client.get(f"/api/stories/{ids['port']}/changes").json()
    assert changes["story"] == ids["port"]


@pytest.mark.parametrize(("path", "status"), [
    ("/api/stories/no-such-story", 404),
    ("/api/articles/no-such-article", 404),
    ("/api/nothing-here", 404),
    ("/api/stories?limit=0", 422),
    ("/api/stories?limit=100000", 422),
    ("/api/stories?offset=-1", 422),
    ("/api/stories?limit=abc", 422),
    ("/api/stories?since=yesterday", 422),
    ("/api/daily?date=2026-13-45", 422),
    ("/api/daily?date=%00%01", 422),
    ("/api/articles/" + "x" * 300, 404),
])
def test_bad_reads_are_json_errors(client: Any, path: str, status: int) -> None:
    r = client.get(path)
    assert r.status_code == status
    error_of(r)


@pytest.mark.parametrize(("method", "path", "body", "code"), [
    ("GET", "/api/stories/no-such-story", None, "PX501"),
    ("GET", "/api/stories/no-such-story/changes", None, "PX501"),
    ("GET", "/api/stories?limit=0", None, "PX302"),
    ("GET", "/api/daily?date=2026-13-45", None, "PX302"),
    ("POST", "/api/ingest", {"urls": ["file:///etc/passwd"]}, "PX401"),
    ("POST", "/api/ingest", {"pages": [{"text": "x", "url": "ftp://example.com/x"}]}, "PX401"),
    ("POST", "/api/corrections", {"target_type": "fact", "target_id": "no-such-story#1", "message": "m"}, "PX501"),
])
def test_json_errors_carry_catalogue_codes(client: Any, auth: dict[str, str], method: str, path: str, body: Any,
                                           code: str) -> None:
    r = client.request(method, path, json=body, headers=auth if body is not None else None)
    assert r.status_code >= 400
    error_of(r)
    assert r.json()["error"]["code"] == code


def test_writes_need_the_bearer_token(client: Any, ids: dict[str, str], auth: dict[str, str]) -> None:
    body = {"target_type": "article", "target_id": "port-rewrite", "message": "420 should be 240"}
    r = client.post("/api/corrections", json=body)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert "bearer" in error_of(r)
    r = client.post("/api/corrections", json=body, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = client.post("/api/corrections", json=body, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401
    r = client.post("/api/corrections", json=body, headers=auth)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    listed = client.get("/api/corrections").json()["corrections"]
    mine = [c for c in listed if str(c["id"]) == str(cid)]
    assert mine and mine[0]["message"] == "420 should be 240" and "contact" not in mine[0]


def test_writes_are_off_without_a_configured_token(desk_store: Any, auth: dict[str, str]) -> None:
    from fastapi.testclient import TestClient

    from parallax.web import create_app

    with TestClient(create_app(desk_store, api_token="")) as c:
        for path, body in (("/api/corrections", {"target_type": "story", "target_id": "x", "message": "m"}),
                           ("/api/ingest", {"urls": ["https://example.com/"]})):
            r = c.post(path, json=body, headers=auth)
            assert r.status_code == 403
            assert "PARALLAX_API_TOKEN" in error_of(r)


@pytest.mark.parametrize(("body", "status"), [
    ({"target_type": "tweet", "target_id": "x", "message": "m"}, 422),
    ({"target_type": "article", "target_id": "", "message": "m"}, 422),
    ({"target_type": "article", "target_id": "port-wire", "message": ""}, 422),
    ({"target_type": "article", "target_id": "port-wire", "message": "   "}, 422),
    ({"target_type": "article", "target_id": "port-wire", "message": "x" * 5000}, 422),
    ({"target_type": "article", "target_id": "port-wire", "message": "m", "extra": 1}, 422),
    ({"target_type": "article", "target_id": "no-such-article", "message": "m"}, 404),
    ({"target_type": "fact", "target_id": "no-such-story#1", "message": "m"}, 404),
    ([1, 2, 3], 422),
    ("not an object", 422),
])
def test_bad_corrections_are_json_errors(client: Any, body: Any, status: int, auth: dict[str, str]) -> None:
    r = client.post("/api/corrections", json=body, headers=auth)
    assert r.status_code == status, r.text
    error_of(r)


def test_malformed_and_oversized_bodies(client: Any, auth: dict[str, str]) -> None:
    r = client.post("/api/corrections", content=b"{not json", headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and "JSON" in error_of(r)
    r = client.post("/api/corrections", content=b"x" * 200_000,
                    headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413 and "too large" in error_of(r)
    r = client.post("/api/ingest", content=b"x" * (9 * 1024 * 1024),
                    headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize("url", ["file:///etc/passwd", "/etc/passwd", "examples", "ftp://example.com/x",
                                 "http://user:pw@example.com/", "javascript:alert(1)", "http:// spaced.example/"])
def test_ingest_accepts_only_http_urls(client: Any, url: str, auth: dict[str, str]) -> None:
    r = client.post("/api/ingest", json={"urls": [url]}, headers=auth)
    assert r.status_code == 422
    error_of(r)


def test_ingest_keeps_the_ssrf_guard(client: Any, auth: dict[str, str]) -> None:
    r = client.post("/api/ingest", json={"urls": ["http://127.0.0.1:1/admin", "http://[::1]/", "http://10.0.0.1/"]},
                    headers=auth)
    assert r.status_code == 200, r.text
    summary = r.json()
    assert summary["new"] == 0
    assert {f["code"] for f in summary["failures"]} == {"PX402"}


def test_ingest_a_posted_page_then_read_it(client: Any, auth: dict[str, str]) -> None:
    before = {s["id"] for s in client.get("/api/stories?limit=200").json()["stories"]}
    text = ("HARLOW BAY, Ostmark, June 2 — A new ferry line between Harlow Bay and Kest Island opened on Tuesday "
            "with three daily crossings, the regional transport office said.\n\nThe crossing takes 40 minutes "
            "and a single ticket costs 6 crowns, the operator Kestline said.\n\nThe first boat left at 7 a.m. "
            "with about 90 passengers on board, harbour staff said.")
    page = {"text": text, "title": "Ferry line opens between Harlow Bay and Kest Island",
            "source": "Harlow Bay Post", "url": "https://harlowbaypost.example.net/ferry", "published": "2026-06-02"}
    r = client.post("/api/ingest", json={"pages": [page]}, headers=auth)
    assert r.status_code == 200, r.text
    summary = r.json()
    assert summary["new"] == 1 and summary["ids"], summary
    aid = summary["ids"][0]
    assert client.get(f"/api/articles/{aid}").json()["source"] == "Harlow Bay Post"
    after = {s["id"] for s in client.get("/api/stories?limit=200").json()["stories"]}
    assert len(after - before) == 1  # the cached list was invalidated by the write
    assert client.post("/api/ingest", json={"pages": [{"title": "no body"}]}, headers=auth).status_code == 422
    assert client.post("/api/ingest", json={}, headers=auth).status_code == 422


def test_atom_feed(client: Any) -> None:
    r = client.get("/feeds/daily.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert entries
    for e in entries:
        assert e.find("a:title", ns).text
        assert e.find("a:link", ns).get("href").startswith("http://testserver/stories/")
        assert re.fullmatch(r"urn:parallax:story:story-[0-9a-f]+:v[1-9][0-9]*", e.find("a:id", ns).text)


def test_web_feed_and_cli_feed_share_entry_ids(client: Any, desk_store: Any) -> None:
    """One Atom writer, one id scheme: the web feed's entries are the story versions `parallax feed` lists."""
    from parallax.desk.feed import atom_feed

    ns = {"a": "http://www.w3.org/2005/Atom"}
    web = {e.find("a:id", ns).text for e in ET.fromstring(client.get("/feeds/daily.atom").content).findall("a:entry", ns)}
    cli = {e.find("a:id", ns).text for e in ET.fromstring(atom_feed(desk_store, stories=200)).findall("a:entry", ns)}
    assert web and web <= cli
    assert any(i.startswith("urn:parallax:daily:") for i in cli)


def test_openapi_and_docs(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/daily", "/api/articles/{article_id}",
                 "/feeds/daily.atom", "/api/ingest", "/api/corrections"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/ingest" in docs.text and "<script" not in docs.text


def test_cached_reads_use_etags(client: Any, ids: dict[str, str]) -> None:
    r1 = client.get(f"/api/stories/{ids['summit']}")
    r2 = client.get(f"/api/stories/{ids['summit']}")
    assert r1.headers["etag"] == r2.headers["etag"]
    r3 = client.get(f"/api/stories/{ids['summit']}", headers={"If-None-Match": r1.headers["etag"]})
    assert r3.status_code == 304 and not r3.content


def test_the_app_briefs_with_its_settings(desk_store: Any, ids: dict[str, str]) -> None:
    """Store calls run on the app's own thread: the settings given to create_app (`parallax --config FILE
    serve`) must be in effect there, and recorded in what it serves."""
    from fastapi.testclient import TestClient

    from parallax.config import Settings
    from parallax.web import create_app

    tuned = Settings().replace(stories={"threshold": 0.5})
    with TestClient(create_app(desk_store, api_token="", settings=tuned)) as c:
        doc = c.get(f"/api/stories/{ids['port']}").json()
    assert doc["settings"]["config"]["stories"]["threshold"] == 0.5
    with TestClient(create_app(desk_store, api_token="")) as c:
        doc = c.get(f"/api/stories/{ids['port']}").json()
    assert doc["settings"]["config"]["stories"]["threshold"] == Settings().stories.threshold


# ---- issue 22, items 9 and 11: no server path in an answer; codes and statuses that agree -----------------


def _inputs(doc: Any) -> list[str]:
    return [a["input"] for a in doc["articles"] if a.get("input")]


def test_no_answer_names_a_server_path(client: Any, desk_store: Any, ids: dict[str, str], auth: dict[str, str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(Path(__file__).resolve().parents[2])  # the store was filled from absolute paths under it
    story = client.get(f"/api/stories/{ids['port']}")
    assert story.status_code == 200 and _inputs(story.json())
    article = client.get("/api/articles/port-reprint")
    assert article.status_code == 200 and article.json()["input"]
    page = client.get("/articles/port-reprint")
    for r in (story, article, page):
        assert root not in r.text and "/examples/" not in r.text
    assert all(not i.startswith("/") for i in _inputs(story.json()))
    # a read-only store's 403 does not name the --db path
    monkeypatch.setattr(desk_store, "read_only", True)
    r = client.post("/api/corrections", json={"target_type": "story", "target_id": ids["port"], "message": "m"},
                    headers=auth)
    assert r.status_code == 403 and r.json()["error"]["code"] == "PX505"
    assert str(desk_store.url) not in r.text and "desk.db" not in r.text


@pytest.mark.parametrize(("path", "code"), [
    ("/api/articles/no-such-article", "PX509"),
    ("/api/articles/" + "x" * 300, "PX509"),
    ("/api/nothing-here", "PX304"),
    ("/feeds/nothing-here", "PX304"),
])
def test_every_api_404_carries_a_code(client: Any, path: str, code: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and r.json()["error"]["code"] == code


@pytest.mark.parametrize(("path", "status"), [
    ("/api/daily?date=2026-13-45", 422),
    ("/api/daily?date=tomorrow", 422),
    ("/api/stories?since=tomorrow", 422),
    ("/api/stories?limit=abc", 422),
    ("/?date=2026-13-45", 400),
    ("/?page=abc", 400),
])
def test_an_invalid_query_value_has_one_status_per_surface(client: Any, path: str, status: int) -> None:
    """The same mistake answers the same: 422 on the API (its OpenAPI document says so), 400 on a page,
    whichever parameter or route (a bad ?date= included)."""
    r = client.get(path)
    assert r.status_code == status
    if status == 422:
        assert r.json()["error"]["code"] == "PX302"
