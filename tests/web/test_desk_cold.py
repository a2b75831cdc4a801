"""Issue 22: a cold story's brief is computed off the store thread, and nothing waits for it.

Deterministic: the brief computation of one story blocks on an Event until the test releases it; meanwhile
lists, articles and an already-briefed story must be answered, every request for the blocked story is answered
at once with 202 "preparing" (and Retry-After), and all of them share its one computation; once it is done the
same request answers 200. (Before the first fix the list request queued behind the brief on the one store
thread; before the second, the cold story's requests waited for its brief: seconds on a loaded desk.)
At start the desk queues every brief that is not current (the warm-up), most covered first.
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
        if sid == blocked or blocked == "*":
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


async def _until_ok(get: Any, path: str) -> Any:
    """`path` answered until it is no longer 202 (the brief computed); its last answer."""
    for _ in range(int(HANG_GUARD_S / 0.05)):
        resp = await get(path)
        if resp.status_code != 202:
            return resp
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} stayed 202")


def test_cold_story_is_answered_at_once_then_briefed(cold_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from parallax.web import create_app

    port, summit = story_id(cold_store, "Saltmere"), story_id(cold_store, "Sable")
    article = cold_store.list_stories(limit=10)[0]["articles"][0]
    started, release, calls = _blocking_briefs(monkeypatch, blocked=summit)
    app = create_app(cold_store, revision_ttl=0.0)  # ASGITransport runs no lifespan: no warm-up here

    async def scenario() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            async def get(path: str) -> httpx.Response:
                return await asyncio.wait_for(c.get(path), HANG_GUARD_S)

            out: dict[str, Any] = {"first_port": await get(f"/api/stories/{port}")}  # 202: queued
            out["warm"] = await _until_ok(get, f"/api/stories/{port}")  # briefed now: a warm story
            # the summit's brief is queued and held: its requests are answered at once, all sharing it
            out["cold"] = [await get(p) for p in (f"/api/stories/{summit}", f"/api/stories/{summit}",
                                                  f"/stories/{summit}", f"/stories/{summit}/provenance",
                                                  f"/api/stories/{summit}/changes")]
            await _until(started)
            out["cheap"] = {p: await get(p) for p in ("/api/stories", f"/api/articles/{article}",
                                                      f"/api/stories/{port}", f"/stories/{port}", "/sources",
                                                      "/api/daily", "/", "/feeds/daily.atom")}
            out["still"] = await get(f"/api/stories/{summit}")
            assert not release.is_set()
            release.set()
            out["done"] = await _until_ok(get, f"/api/stories/{summit}")
            out["page"] = await get(f"/stories/{summit}")
            return out

    try:
        out = asyncio.run(scenario())
    finally:
        release.set()
        app.state.desk.close()
    first = out["first_port"]
    assert first.status_code == 202 and int(first.headers["retry-after"]) >= 1
    assert out["warm"].status_code == 200, out["warm"].text[:300]
    for resp in [*out["cold"], out["still"]]:
        assert resp.status_code == 202, (resp.request.url, resp.text[:300])
        assert int(resp.headers["retry-after"]) >= 1
        assert resp.headers["cache-control"] == "no-store"
    body = out["cold"][0].json()
    assert body["status"] == "preparing" and body["story"] == summit and body["retry_after"] >= 1
    assert body["headline"] and body["articles"] and all(a["id"] for a in body["articles"])
    page = out["cold"][2].text
    assert 'http-equiv="refresh"' in page and "being prepared" in page
    assert body["articles"][0]["id"] in page or (body["articles"][0]["title"] or "") in page
    for path, resp in out["cheap"].items():
        assert resp.status_code == 200, (path, resp.text[:300])
    # the daily briefing answers with what is ready and lists the summit as being prepared (when it is the day's)
    prep = out["cheap"]["/api/daily"].json()["settings"].get("preparing") or []
    assert all(p["retry_after"] >= 1 for p in prep)
    if any(p["id"] == summit for p in prep):
        assert "Being prepared" in out["cheap"]["/"].text
    assert out["done"].status_code == 200, out["done"].text[:300]
    assert out["done"].json()["stories"][0]["id"] == summit
    assert out["page"].status_code == 200
    # many requests (four routes) for the cold story, one computation of its brief; the warm story none more
    assert calls.count((summit, "standard")) == 1, calls
    assert calls.count((port, "standard")) == 1, calls


def test_warm_up_queues_stale_stories_at_start(cold_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """At start every story without a current brief is queued (most covered first), nothing waits for it,
    and a reader's story goes before the warm-up's remaining ones."""
    from fastapi.testclient import TestClient

    from parallax.web import create_app
    from parallax.web.backend import StoreBackend

    rows = sorted(cold_store.list_stories(limit=200), key=lambda r: (-r["origins"], -len(r["articles"]), r["id"]))
    expected = StoreBackend(cold_store).unbriefed()
    # every story at the story length, most covered first, after the latest day's at the daily length
    assert [k for k in expected if k[1] == "standard"] == [(r["id"], "standard") for r in rows]
    assert expected[0][1] == "short"
    last = rows[-1]["id"]
    _, release, calls = _blocking_briefs(monkeypatch, blocked="*")  # every computation waits
    app = create_app(cold_store, revision_ttl=0.0)
    desk = app.state.desk
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            for _ in range(int(HANG_GUARD_S / 0.01)):
                if calls:
                    break
                threading.Event().wait(0.01)
            assert calls, "the warm-up queued nothing"
            assert desk.briefs.queued() == len(expected)  # all queued (the first running, held)
            assert calls == [expected[0]]  # the warm-up's first: the latest day's best covered story
            assert client.get("/api/stories").status_code == 200  # cheap reads never wait for it
            resp = client.get(f"/api/stories/{last}")
            assert resp.status_code == 202
            release.set()
            for _ in range(int(HANG_GUARD_S / 0.05)):
                if (last, "standard") in calls:
                    break
                threading.Event().wait(0.05)
            # the reader's story was computed before most of the warm-up's queue
            assert calls.index((last, "standard")) <= 2, calls
    finally:
        release.set()
        desk.close()


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
        for path in ("/", "/api/daily", "/feeds/daily.atom"):  # at once: what is ready, the rest queued
            assert client.get(path).status_code == 200, path
        for _ in range(int(HANG_GUARD_S / 0.05)):  # the warm-up and the daily page's briefs, computed
            if app.state.desk.briefs.queued() == 0:
                break
            threading.Event().wait(0.05)
        assert "Being prepared" not in client.get("/").text
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
            resp = client.get(f"/api/stories/{sid}")  # 202 at once (or 200 when the warm-up got there first)
            for _ in range(int(HANG_GUARD_S / 0.05)):
                if resp.status_code != 202:
                    break
                threading.Event().wait(0.05)
                resp = client.get(f"/api/stories/{sid}")
            assert resp.status_code == 200, resp.text[:300]  # kept in memory: the store records nothing
    finally:
        ro.close()
    assert where, "nothing was briefed: the store was not cold"
    assert all(name.startswith("parallax-brief") for name in where), where


def test_briefs_in_a_child_process_are_the_briefs_computed_here(cold_store: Any, pristine: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`parallax serve`'s setting (brief_process=True): no brief is computed in the server's process; the child
    records it, the desk answers it, and it is the brief this process computes for the same story."""
    import os

    from fastapi.testclient import TestClient

    from parallax.desk import briefs
    from parallax.store import Store
    from parallax.web import create_app

    def never(*args: Any) -> Any:
        raise AssertionError("a brief was computed in the server's process")

    sid = story_id(cold_store, "Sable")
    app = create_app(cold_store, revision_ttl=0.0, brief_process=True, warm_up=False)
    desk = app.state.desk
    assert desk.briefer is not None
    monkeypatch.setattr(briefs, "compute_story", never)
    with TestClient(app, raise_server_exceptions=False) as client:
        first = client.get(f"/api/stories/{sid}")
        assert first.status_code in (200, 202), first.text[:300]
        resp = client.get(f"/api/stories/{sid}")
        for _ in range(int(HANG_GUARD_S / 0.05)):
            if resp.status_code != 202:
                break
            threading.Event().wait(0.05)
            resp = client.get(f"/api/stories/{sid}")
        assert resp.status_code == 200, resp.text[:300]
        child = desk.briefer._proc.pid  # the child that recorded it
        assert child != os.getpid()
    assert not desk.briefer._alive()  # ended with the app
    served = resp.json()["stories"][0]
    monkeypatch.undo()
    path = tmp_path / "here.db"  # the same story briefed in this process, on a fresh copy
    with sqlite3.connect(pristine) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    with Store(str(path)) as here:
        mine = briefs.story_brief(here, sid, length="standard").stories[0].to_dict()
    for key in ("facts", "disputes", "loaded_language", "headline", "articles"):
        assert served[key] == mine[key], key


def test_a_dead_brief_process_is_started_again(cold_store: Any) -> None:
    """A child killed between briefs is replaced on the next one; one killed during a brief fails that brief
    with a coded error (no hang), and the next brief is computed."""
    import os
    import signal

    from parallax.config import settings
    from parallax.desk.worker import BriefProcess
    from parallax.errors import ParallaxError

    port, summit = story_id(cold_store, "Saltmere"), story_id(cold_store, "Sable")
    worker = BriefProcess(cold_store.url, settings())
    try:
        worker.start()
        os.kill(worker._proc.pid, signal.SIGKILL)
        worker._proc.join(HANG_GUARD_S)
        worker.brief(port, "short")
        assert worker.started == 2
        assert cold_store.latest_brief_key(port, "short") is not None
        timer = threading.Timer(0.5, lambda: os.kill(worker._proc.pid, signal.SIGKILL))
        timer.start()
        try:
            worker.brief(summit, "standard")
        except ParallaxError as exc:
            assert exc.code == "PX000" and summit in str(exc)
        timer.join()
        worker.brief(summit, "standard")
        assert cold_store.latest_brief_key(summit, "standard") is not None
    finally:
        worker.close()


def test_only_a_store_another_process_can_write_is_briefed_apart(cold_store: Any) -> None:
    from parallax.desk.worker import can_brief_apart
    from parallax.store import Store

    assert can_brief_apart(cold_store)
    ro = Store(cold_store.url, read_only=True)
    try:
        assert not can_brief_apart(ro)
    finally:
        ro.close()
    with Store("sqlite://") as memory:
        assert not can_brief_apart(memory)
    assert not can_brief_apart(object())


def test_light_reads_of_a_story(cold_store: Any) -> None:
    """What a 202 reads: the story's row by id, its articles without text, the key of its last brief."""
    from parallax.desk import articles_key, brief_story

    sid = story_id(cold_store, "Sable")
    rows = cold_store.list_stories(limit=5, ids=[sid])
    assert [r["id"] for r in rows] == [sid]
    heads = cold_store.article_heads(sid)
    assert [h["id"] for h in heads] == [a.id for a in cold_store.articles(story_id=sid)]
    assert all(set(h) == {"id", "title", "source", "url", "published"} for h in heads)
    assert cold_store.latest_brief_key(sid, "short") is None
    brief_story(cold_store, sid, length="short")
    assert cold_store.latest_brief_key(sid, "short") == articles_key([h["id"] for h in heads])
    assert cold_store.latest_brief_key(sid, "standard") is None
