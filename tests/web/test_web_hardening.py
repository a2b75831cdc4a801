"""Issue 15, the web app: authentication before the body, the API contract (405, 404 facts, 413 chunked,
OpenAPI), no internals in answers, ingest --json ids. Numbers in the test names are the issue's."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

TOKEN = "test-token-0123456789abcdef"  # as in conftest.py

AUTH = {"Authorization": f"Bearer {TOKEN}"}


# ---- #7 writes read the body before checking the token ---------------------------------------------------


def _run_in_own_loop(coro: Any) -> None:
    """asyncio.run on a thread of its own (another test may have left a loop running on this one)."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if errors:
        raise errors[0]


def test_7_unauthenticated_write_is_401_without_reading_the_body(app: Any) -> None:
    """Drive the ASGI app directly: the body is never asked for (a 7.5 MB one cost 0.55 s and got a 422)."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read before the token was checked")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for path in ("/api/ingest", "/api/corrections"):
        sent.clear()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                             (b"content-length", str(7_500_000).encode())],
                 "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
        _run_in_own_loop(app(scope, receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        assert start["status"] == 401
        headers = dict(start["headers"])
        assert headers[b"www-authenticate"].startswith(b"Bearer")


def test_7_invalid_body_without_token_is_401_not_422(client: Any) -> None:
    r = client.post("/api/ingest", content=b"{not json" + b" " * 100_000, headers={"content-type": "application/json"})
    assert r.status_code == 401 and "detail" not in r.text


# ---- #12 API contract gaps -------------------------------------------------------------------------------


def test_12_405_lists_every_allowed_method(client: Any) -> None:
    r = client.put("/api/corrections", json={})
    assert r.status_code == 405
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    assert {"GET", "POST", "HEAD"} <= allowed
    assert client.delete("/api/stories").headers["allow"] == "GET, HEAD"


def test_12_corrections_to_facts_that_do_not_exist_are_404(client: Any, ids: dict[str, str]) -> None:
    sid = ids["port"]
    for k in ("0", "9999", "x", ""):
        r = client.post("/api/corrections", headers=AUTH,
                        json={"target_type": "fact", "target_id": f"{sid}#{k}", "message": "wrong"})
        assert r.status_code == 404, (k, r.text)
    r = client.post("/api/corrections", headers=AUTH, json={"target_type": "fact", "target_id": f"{sid}#1",
                                                            "message": "wrong"})
    assert r.status_code == 201


def test_12_oversized_chunked_body_is_413(client: Any) -> None:
    def chunks():
        for _ in range(200):
            yield b"x" * 65_536  # 13 MB, no Content-Length

    r = client.post("/api/ingest", content=chunks(), headers={**AUTH, "content-type": "application/json"})
    assert r.status_code == 413


def test_12_openapi_documents_404s_errors_and_date_formats(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for p in ("/api/stories/{story_id}", "/api/stories/{story_id}/changes", "/api/articles/{article_id}"):
        assert "404" in paths[p]["get"]["responses"], p
    err = paths["/api/stories"]["get"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert err["$ref"].endswith("/ErrorOut")
    daily = {q["name"]: q for q in paths["/api/daily"]["get"]["parameters"]}
    assert "date" in json.dumps(daily["date"]["schema"]) and "format" in json.dumps(daily["date"]["schema"])
    since = {q["name"]: q for q in paths["/api/stories"]["get"]["parameters"]}["since"]
    assert "ISO 8601" in since["description"]
    for status in ("401", "403", "413"):
        assert status in paths["/api/ingest"]["post"]["responses"]


# ---- #5 failures leak internals through the API -----------------------------------------------------------


def test_5_ingest_failures_name_the_posted_page_not_a_server_path(client: Any) -> None:
    r = client.post("/api/ingest", headers=AUTH, json={"pages": [{"text": "   .  "}, {"html": "<html></html>"}]})
    assert r.status_code in (200, 422), r.text
    text = r.text
    assert "/tmp" not in text and "parallax-api-" not in text and "SELECT" not in text and "INSERT" not in text


def test_5_correction_with_a_nul_is_stored_without_it(client: Any, ids: dict[str, str]) -> None:
    r = client.post("/api/corrections", headers=AUTH,
                    json={"target_type": "story", "target_id": ids["port"], "message": "the\x00 count is 240"})
    assert r.status_code == 201, r.text
    listed = client.get("/api/corrections").json()["corrections"]
    assert any(c["message"] == "the count is 240" for c in listed)


def test_5_a_malformed_host_is_refused_before_any_lookup(client: Any) -> None:
    r = client.post("/api/ingest", headers=AUTH, json={"urls": ["http://127.0.0.1%2e/x"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "PX401"


# ---- #12 `ingest --json` lacks the ids the docs promise --------------------------------------------------


def test_12_ingest_json_has_the_new_ids(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from parallax.cli import main

    page = tmp_path / "harbour.txt"
    page.write_text("The council of Arvel approved a harbour plan worth 400 thousand crowns on Monday, officials "
                    "said.\n\nWork starts in the spring, the mayor said.", encoding="utf-8")
    r = CliRunner().invoke(main, ["ingest", str(page), "--json", "--db", str(tmp_path / "d.db"), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ids"] == ["harbour"]
