"""Fixtures of the web tests: a store built from our own example pages plus a hostile page, the app over
it (in-process, for API tests), the real server on a free loopback port, and Chromium through Playwright.

Browser tests skip with a message when Playwright or /usr/bin/chromium is missing (.ci/run installs
Debian's chromium; never `playwright install`).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "test-token-0123456789abcdef"
CHROMIUM = os.environ.get("PARALLAX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def desk_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A SQLite store holding the example pages and the hostile pages, ingested like `parallax ingest`, every
    brief the desk shows computed and recorded: the desk answers a story whose brief is not ready with 202
    "preparing" (issue 22) instead of waiting for it, and these tests are about the briefs' pages and API
    (tests/web/test_desk_cold.py is about a cold desk)."""
    from parallax.desk import brief_story, daily
    from parallax.ingest import ingest
    from parallax.store import Store

    store = Store(str(tmp_path_factory.mktemp("desk") / "desk.db"))
    summary = ingest([str(EXAMPLES), str(HOSTILE)], store, progress=False)
    assert not summary.failures, summary.failures
    for row in store.list_stories(limit=1000):
        brief_story(store, row["id"], length="standard")
    for day in store.story_days():
        daily(store, day)
    yield store
    store.close()


def story_id(store: Any, needle: str) -> str:
    for row in store.list_stories(limit=200):
        if needle.lower() in (row["headline"] or "").lower():
            return row["id"]
    raise AssertionError(f"no story with {needle!r} in its headline")


@pytest.fixture(scope="session")
def ids(desk_store: Any) -> dict[str, str]:
    return {"port": story_id(desk_store, "Saltmere"), "summit": story_id(desk_store, "Sable"),
            "hostile": story_id(desk_store, "Vellport")}


@pytest.fixture(scope="session")
def app(desk_store: Any) -> Any:
    from parallax.web import create_app

    return create_app(desk_store, api_token=TOKEN, revision_ttl=0.0)


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(desk_store: Any) -> Iterator[str]:
    """The real server (uvicorn) on a free loopback port, in a thread of this process."""
    import uvicorn

    from parallax.web import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(desk_store, api_token=TOKEN), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="parallax-web-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright Python package (pip install playwright)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Watched:
    """A page plus what happened on it: console errors, dialogs, requests to other origins."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request: Any) -> None:
        url = request.url
        if not (url.startswith(self.base) or url.startswith("data:") or url.startswith("about:")):
            self.foreign.append(url)

    def goto(self, path: str) -> Any:
        resp = self.page.goto(self.base + path)
        assert resp is not None
        return resp


@pytest.fixture
def web(browser: Any, live_server: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    watched = Watched(page, live_server)
    yield watched
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def auth() -> dict[str, str]:
    """The Authorization header of the write endpoints."""
    return {"Authorization": f"Bearer {TOKEN}"}
