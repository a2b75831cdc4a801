"""Issue 22, item 1: a cold story's brief is computed off the store thread, so cheap reads never wait for it.

Deterministic: the brief computation of one story blocks on an Event until the test releases it; meanwhile
lists, articles and an already-briefed story must be answered, and every request for the blocked story must
share its one computation. (Before the fix the list request queued behind the brief on the one store thread
and never completed while the brief was held.)
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HANG_GUARD_S = 60.0  # only against a hang: no assertion is about time


def story_id(store: Any, needle: str) -> str:
    return next(r["id"] for r in store.list_stories(limit=200) if needle.lower() in (r["headline"] or "").lower())


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file of the example pages, ingested; no story briefed."""
    from parallax.ingest import ingest
    from parallax.store import Store

    path = tmp_path_factory.mktemp("cold") / "pristine.db"
    with Store(str(path)) as store:
        summary = ingest([str(EXAMPLES)], store, progress=False)
        assert not summary.failures, summary.failures
    return path


@pytest.fixture
def cold_store(pristine: Path, tmp_path: Path) -> Iterator[Any]:
    """A copy of `pristine` for one test: every story cold."""
    from parallax.store import Store

    path = tmp_path / "cold.db"
    with sqlite3.connect(pristine) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    store = Store(str(path))
    yield store
    store.close()


def _blocking_briefs(monkeypatch: pytest.MonkeyPatch, blocked: str) -> tuple[threading.Event, threading.Event,
                                                                              list[tuple[str, str]]]:
    """Make computing `blocked`'s brief wait for `release` (after setting `started`); count computations."""
    from parallax.desk import briefs

    started, release = threading.Event(), threading.Event()
    calls: list[tuple[str, str]] = []
    compute = briefs.compute_story

    def held(store: Any, sid: str, articles: list, length: str) -> Any:
        calls.append((sid, length))
        if sid == blocked:
            started.set()
            if not release.wait(HANG_GUARD_S):
                raise RuntimeError("the test never released the brief")
        return compute(store, sid, articles, length)

    monkeypatch.setattr(briefs, "compute_story", held)
    return started, release, calls


async def _until(event: threading.Event) -> None:
    for _ in range(int(HANG_GUARD_S / 0.01)):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the brief computation never started")


def test_cheap_reads_do_not_wait_for_a_cold_brief(cold_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from parallax.web import create_app

    port, summit = story_id(cold_store, "Saltmere"), story_id(cold_store, "Sable")
    article = cold_store.list_stories(limit=10)[0]["articles"][0]
    started, release, calls = _blocking_briefs(monkeypatch, blocked=summit)
    app = create_app(cold_store, revision_ttl=0.0)

    async def scenario() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            async def get(path: str) -> httpx.Response:
                return await asyncio.wait_for(c.get(path), HANG_GUARD_S)

            warm = await get(f"/api/stories/{port}")  # briefed now: from here on a warm story
            assert warm.status_code == 200
            cold = [asyncio.create_task(get(p)) for p in (f"/api/stories/{summit}", f"/api/stories/{summit}",
                                                          f"/stories/{summit}")]
            await _until(started)
            # the summit's brief is being computed (and held): the store thread must still answer
            out = {p: await get(p) for p in ("/api/stories", f"/api/articles/{article}", f"/api/stories/{port}",
                                              f"/stories/{port}", "/sources")}
            assert not any(t.done() for t in cold), "a cold story was answered before its brief was computed"
            release.set()
            out["cold"] = await asyncio.gather(*cold)
            return out

    try:
        out = asyncio.run(scenario())
    finally:
        release.set()
        app.state.desk.close()
    for path, resp in out.items():
        if path != "cold":
            assert resp.status_code == 200, (path, resp.text[:300])
    assert [r.status_code for r in out["cold"]] == [200, 200, 200]
    assert out["cold"][0].json()["stories"][0]["id"] == summit
    assert out["cold"][0].content == out["cold"][1].content
    # three requests (two routes) for the cold story, one computation of its brief; the warm story none more
    assert calls.count((summit, "standard")) == 1, calls
    assert calls.count((port, "standard")) == 1, calls


def test_store_thread_never_computes_a_brief(cold_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every brief computed for the desk (stories, the daily page, the feed) is computed on the brief pool."""
    from fastapi.testclient import TestClient

    from parallax.desk import briefs
    from parallax.web import create_app

    where: list[str] = []
    compute = briefs.compute_story

    def spy(store: Any, sid: str, articles: list, length: str) -> Any:
        where.append(threading.current_thread().name)
        return compute(store, sid, articles, length)

    monkeypatch.setattr(briefs, "compute_story", spy)
    app = create_app(cold_store, revision_ttl=0.0)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/", "/api/daily", "/feeds/daily.atom"):
            assert client.get(path).status_code == 200, path
    assert where, "nothing was briefed: the store was not cold"
    assert all(name.startswith("parallax-brief") for name in where), where


def test_read_only_store_briefs_on_the_pool(cold_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only store records nothing: the cold story is still computed off the store thread, and answered."""
    from fastapi.testclient import TestClient

    from parallax.desk import briefs
    from parallax.store import Store
    from parallax.web import create_app

    where: list[str] = []
    compute = briefs.compute_story

    def spy(store: Any, sid: str, articles: list, length: str) -> Any:
        where.append(threading.current_thread().name)
        return compute(store, sid, articles, length)

    monkeypatch.setattr(briefs, "compute_story", spy)
    ro = Store(cold_store.url, read_only=True)
    sid = story_id(ro, "Sable")
    try:
        app = create_app(ro, revision_ttl=0.0)
        with TestClient(app, raise_server_exceptions=False) as client:
            resp = client.get(f"/api/stories/{sid}")
            assert resp.status_code == 200, resp.text[:300]
    finally:
        ro.close()
    assert where, "nothing was briefed: the store was not cold"
    assert all(name.startswith("parallax-brief") for name in where), where
