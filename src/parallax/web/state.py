"""What every route shares: the `Desk` (backend, templates, rendered-bytes cache, store threads, form tokens,
settings) and the small helpers of the routers.

`create_app` puts one `Desk` on `app.state.desk`; routes get it with the `DeskDep` dependency. Reads are
cached as rendered bytes keyed by the store's revision (checked at most every `revision_ttl` seconds) and a
local generation bumped by every write made through the app; concurrent misses of one key build it once.
Store calls run on one dedicated thread (ingestion on another), never on the event loop, inside
`parallax.config.use(settings)`: worker threads do not inherit the caller's context, so the settings the app
was made with are entered on each call.

The store thread never computes a story brief (seconds of model work): there the backend only reads
recorded briefs and raises `parallax.desk.NotBriefed` for a story whose articles changed since its last
one. The brief is then queued on the brief pool (`BriefQueue`: `BRIEF_WORKERS` threads, readers' briefs
before the warm-up's, one computation per story and length however many ask) and recorded when done; with
`brief_process` (as `parallax serve` runs) the pool's thread hands each brief to a child process at lower
CPU priority (`parallax.desk.worker.BriefProcess`) that computes and records it in the same store, so the
model work holds neither this process's GIL nor its share of the cores. A 202 is given again for
`ACCEPTED_TTL_S` without a store read. A
read (`Desk.cached` with a `preparing` builder) never waits for it: it is answered at once with what is
cheap (202 and `Retry-After` for a story; the daily page and feed with the stories that are briefed, the
others listed as being prepared). Writes that need a brief (`Desk.run`) wait for it. At start
(`Desk.warm_up`) every story without a current brief is queued, most covered first, so a cold desk warms
on its own. Lists, articles and warm stories so never wait behind a cold story's brief.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import itertools
import json
import logging
import math
import queue
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from parallax.config import Settings, use
from parallax.desk.briefs import NotBriefed
from parallax.desk.worker import BriefProcess, can_brief_apart
from parallax.errors import error
from parallax.model import Brief
from parallax.render.common import version
from parallax.web import views
from parallax.web.backend import Backend, may_brief
from parallax.web.security import FormTokens, RateLimit

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
API_PREFIXES = ("/api/", "/feeds/", "/openapi.json")
MAX_LIMIT = 200
DAILY_PAGE = 30
ID_MAX = 200
TARGET_TYPES = ("fact", "article", "story")
# Threads that compute story briefs (not a parallax.config setting: the web desk's own; issue 22). A brief is
# CPU-bound model work that already uses the cores, so one: a second cold story waits for the first, and no
# cheap read waits for either.
BRIEF_WORKERS = 1
# Times a store-thread call goes back to the brief pool when it finds a story not briefed (its articles
# changed again meanwhile); after that the call runs on the brief pool, computing what it needs itself.
BRIEF_ROUNDS = 3
# Priorities on the brief pool: a brief a reader is waiting for goes before the warm-up's.
READER, WARM_UP = 0, 1
RETRY_MIN_S, RETRY_MAX_S = 1, 30  # the Retry-After of a brief being prepared, in seconds
FIRST_GUESS_S = 3.0  # the time of one brief before one was measured
ACCEPTED_TTL_S = 1.0  # how long one 202 answer (brief being prepared) is given again without a store read
CLOSE_WAIT_S = 30.0  # at shutdown, how long to let a brief being computed in a thread finish (a child process is ended at once: its record is one transaction)

HTML = "text/html; charset=utf-8"
JSON = "application/json"

# catalogue codes the web answers with (parallax.errors): a bad request, an unknown story, an unexpected error
BAD_REQUEST = "PX302"
UNKNOWN_STORY = "PX501"
UNKNOWN_ARTICLE = "PX509"
NO_SUCH_PATH = "PX304"
BAD_URL = "PX401"
UNEXPECTED = "PX000"


class ApiError(Exception):
    """An error answered as JSON under /api/ and /feeds/, as a page elsewhere; `code` a catalogue code."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


class RenderCache:
    """Rendered responses (bytes), least recently used out."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.items: OrderedDict[tuple, tuple[int, bytes, str, str]] = OrderedDict()

    def get(self, key: tuple) -> tuple[int, bytes, str, str] | None:
        hit = self.items.get(key)
        if hit is not None:
            self.items.move_to_end(key)
        return hit

    def put(self, key: tuple, value: tuple[int, bytes, str, str]) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def clear(self) -> None:
        self.items.clear()


def anchor(value: object) -> str:
    """An HTML id made of `value` (letters, digits, - and _)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(value)).strip("-") or "x"


def urlq(value: object) -> str:
    return quote(str(value), safe="")


class BriefQueue:
    """Brief computations on `workers` threads (named parallax-brief-N), in priority order (READER before
    WARM_UP, then first come), at most one queued or running per key. Thread-safe: any thread may submit."""

    def __init__(self, workers: int) -> None:
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._lock = threading.Lock()
        self._pending: dict[Any, tuple[int, concurrent.futures.Future]] = {}  # key -> (priority, future)
        self._order = itertools.count()
        self._closed = False
        self.mean_s = FIRST_GUESS_S  # moving mean of one computation
        self.done = 0
        self._threads = [threading.Thread(target=self._work, name=f"parallax-brief-{n}", daemon=True)
                         for n in range(workers)]
        for t in self._threads:
            t.start()

    def submit(self, key: Any, fn: Callable[[], Any], priority: int = READER) -> concurrent.futures.Future:
        """The future of `fn()` for `key`: the one already queued or running when there is one (moved up to
        `priority` if that is sooner), else a new one."""
        with self._lock:
            held = self._pending.get(key)
            if held is not None:
                prio, fut = held
                if priority < prio and not fut.running():  # queued again, sooner; the worker skips the stale entry
                    self._pending[key] = (priority, fut)
                    self._queue.put((priority, next(self._order), key, fn, fut))
                return fut
            new: concurrent.futures.Future = concurrent.futures.Future()
            if self._closed:
                new.cancel()
                return new
            self._pending[key] = (priority, new)
            self._queue.put((priority, next(self._order), key, fn, new))
            return new

    def ahead(self, key: Any) -> int:
        """About how many computations run before `key`'s is done (itself included)."""
        with self._lock:
            held = self._pending.get(key)
            if held is None:
                return 1
            return 1 + sum(1 for p, f in self._pending.values() if p <= held[0] and f is not held[1]
                           and not f.done())

    def retry_after(self, keys: list[Any]) -> int:
        """Seconds after which the briefs of `keys` are likely done (Retry-After)."""
        n = max((self.ahead(k) for k in keys), default=1)
        return max(RETRY_MIN_S, min(RETRY_MAX_S, math.ceil(n * self.mean_s / max(1, len(self._threads)))))

    def queued(self) -> int:
        with self._lock:
            return len(self._pending)

    def _work(self) -> None:
        while True:
            _, _, key, fn, fut = self._queue.get()
            if key is None:
                return
            with self._lock:  # a stale entry (its key queued again sooner) finds its future running or done
                if fut.done() or fut.running() or not fut.set_running_or_notify_cancel():
                    continue
            t0 = time.perf_counter()
            try:
                result = fn()
            except BaseException as exc:  # handed to whoever waits
                with self._lock:
                    self._pending.pop(key, None)
                fut.set_exception(exc)
                log.debug("briefing %r failed: %r", key, exc)
                continue
            took = time.perf_counter() - t0
            with self._lock:
                self._pending.pop(key, None)
                self.mean_s = took if not self.done else 0.8 * self.mean_s + 0.2 * took
                self.done += 1
            fut.set_result(result)

    def close(self, wait_s: float = 0.0) -> None:
        """Cancel what is queued; wait up to `wait_s` for a computation that is running to end."""
        with self._lock:
            self._closed = True
            pending = [f for _, f in self._pending.values()]
            self._pending.clear()
        for fut in pending:
            fut.cancel()
        for _ in self._threads:
            self._queue.put((-1, -1, None, None, None))
        deadline = time.monotonic() + wait_s
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(max(0.0, deadline - time.monotonic()))


class Desk:
    """The app's shared state. One per app, on `app.state.desk`."""

    def __init__(self, backend: Backend, *, api_token: str | None, secret: bytes | None, revision_ttl: float,
                 cache_size: int, settings: Settings, brief_process: bool = False) -> None:
        self.backend = backend
        self.settings = settings
        self.api_token = api_token or None
        self.tokens = FormTokens(secret)
        self.revision_ttl = revision_ttl
        self.cache = RenderCache(cache_size)
        self.store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parallax-store")
        self.briefs = BriefQueue(BRIEF_WORKERS)
        # the brief pool's computations in a child process (a store another process can write), else here
        store = getattr(backend, "store", None)
        self.briefer = (BriefProcess(store.url, settings) if brief_process and hasattr(backend, "brief")
                        and can_brief_apart(store) else None)
        self.ingest_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parallax-ingest")
        self._building: dict[tuple, asyncio.Future] = {}  # cache keys being built
        self._accepted: dict[tuple, tuple[float, tuple]] = {}  # 202 answers: key -> (until, answer)
        self.generation = 0
        self._revision: str | None = None
        self._checked = 0.0
        self._rev_lock: asyncio.Lock | None = None
        self.corrections_limit = RateLimit(10, 60.0)
        css = (HERE / "static" / "app.css").read_bytes()
        self.css = css
        self.css_etag = '"' + hashlib.sha256(css).hexdigest()[:16] + '"'
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                               autoescape=select_autoescape(default=True, default_for_string=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["urlq"] = urlq
        self.env.filters["anchor"] = anchor
        self.env.globals.update(version=version(), css_href=f"/static/app.css?v={self.css_etag.strip(chr(34))}")

    def close(self) -> None:
        self.store_thread.shutdown(wait=False, cancel_futures=True)
        if self.briefer is not None:
            self.briefer.close(0.0)
        self.briefs.close(CLOSE_WAIT_S)
        self.ingest_thread.shutdown(wait=False, cancel_futures=True)

    def start_briefer(self) -> None:
        """Start the brief process now (a failure is logged; the first brief tries again)."""
        if self.briefer is None:
            return
        try:
            self.briefer.start()
        except Exception:
            log.exception("the brief process did not start")

    def _with_settings(self, fn: Callable[..., Any], *args: Any) -> Any:
        with use(self.settings):
            return fn(*args)

    def _reads_only(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` with the app's settings, and no brief computed (NotBriefed instead)."""
        token = may_brief.set(False)
        try:
            with use(self.settings):
                return fn(*args)
        finally:
            may_brief.reset(token)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` on the store thread, with the app's settings in effect.

        When it needs a story brief that is not recorded yet (NotBriefed), the brief is computed on the brief
        pool (`brief_stories`) while the store thread serves others, and `fn` runs again: for writes and
        reads that must have the brief (reads answered at once use `cached(..., preparing=...)`)."""
        loop = asyncio.get_running_loop()
        for _ in range(BRIEF_ROUNDS):
            try:
                return await loop.run_in_executor(self.store_thread, self._reads_only, fn, *args)
            except NotBriefed as cold:
                if not cold.recordable:  # nowhere to keep it: computing it where it is needed is all there is
                    break
                await self.brief_stories(cold.stories)
        fut = self.briefs.submit(object(), lambda: self._with_settings(fn, *args))
        return await asyncio.wrap_future(fut)

    def queue_briefs(self, stories: list[tuple[str, str]], priority: int = READER) -> list[concurrent.futures.Future]:
        """Queue these (story id, length) briefs on the brief pool (each once); from any thread."""
        if self.briefer is not None:
            brief = self.briefer.brief  # computed and recorded by the child; read back from the store
            return [self.briefs.submit(key, lambda k=key: brief(*k), priority) for key in dict.fromkeys(stories)]
        brief = self.backend.brief  # type: ignore[attr-defined]  # only a backend raising NotBriefed
        return [self.briefs.submit(key, lambda k=key: self._with_settings(brief, *k), priority)
                for key in dict.fromkeys(stories)]

    async def brief_stories(self, stories: list[tuple[str, str]]) -> None:
        """Compute and record these (story id, length) briefs on the brief pool and wait for them; one
        computation for each, however many requests wait for it. Failures are left to the caller's next read
        to meet."""
        waits = [asyncio.wrap_future(f) for f in self.queue_briefs(stories)]
        for outcome in await asyncio.gather(*waits, return_exceptions=True):
            if isinstance(outcome, BaseException):
                log.debug("briefing failed: %r", outcome)

    async def warm_up(self) -> int:
        """Queue every brief the desk shows that is not current (`backend.unbriefed`, most covered first)
        behind readers' briefs; returns how many. Nothing waits for them."""
        unbriefed = getattr(self.backend, "unbriefed", None)
        if unbriefed is None:
            return 0
        try:
            stories = await asyncio.get_running_loop().run_in_executor(self.store_thread, self._reads_only,
                                                                       unbriefed)
        except Exception:  # a warm-up that fails leaves reads to queue their own briefs
            log.exception("warm-up: could not list the stories to brief")
            return 0
        self.queue_briefs(stories, WARM_UP)
        log.info("warm-up: %d briefs queued", len(stories))
        return len(stories)

    @staticmethod
    def _done(pending: dict, key: Any, fut: asyncio.Future) -> None:
        if pending.get(key) is fut:
            del pending[key]
        if not fut.cancelled():
            fut.exception()  # seen: each waiter gets it through its own shield

    async def run_ingest(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` on the ingestion thread, with the app's settings in effect."""
        return await asyncio.get_running_loop().run_in_executor(self.ingest_thread, self._with_settings, fn, *args)

    async def revision(self) -> str:
        now = time.monotonic()
        if self._revision is None or now - self._checked >= self.revision_ttl:
            if self._rev_lock is None:
                self._rev_lock = asyncio.Lock()
            async with self._rev_lock:
                if self._revision is None or time.monotonic() - self._checked >= self.revision_ttl:
                    rev = await self.run(self.backend.revision)
                    if rev != self._revision:
                        self.cache.clear()
                    self._revision = rev
                    self._checked = time.monotonic()
        return f"{self._revision}.{self.generation}"

    def changed(self) -> None:
        """A write went through the app: drop every rendered page now."""
        self.generation += 1
        self._checked = 0.0
        self.cache.clear()
        self._accepted.clear()

    def page(self, template: str, **ctx: Any) -> bytes:
        ctx.setdefault("form_token", lambda kind, ident: self.tokens.issue(f"{kind}:{ident}"))
        return self.env.get_template(template).render(**ctx).encode("utf-8")

    async def cached(self, request: Request, key: tuple, build: Callable[[], tuple],
                     preparing: Callable[[list[tuple[str, str]], int], tuple] | None = None) -> Response:
        """The response `build()` makes (run by `run`), cached by revision and `key`, with an ETag.

        `build()` returns (status, body, content type[, keep]): keep=False (a page listing briefs still
        being prepared) is not cached. With `preparing`, a build that needs a brief not recorded yet waits for
        none: the briefs are queued and `preparing(stories, retry_after)` answers meanwhile (not cached; a
        202 gets `Retry-After`)."""
        full_key = (await self.revision(), self.tokens.day(), *key)
        hit = self.cache.get(full_key)
        if hit is None:
            held = self._accepted.get(full_key)
            if held is not None and held[0] > time.monotonic():
                hit = held[1]
        if hit is None:
            fut = self._building.get(full_key)
            if fut is None:  # the first miss builds it; concurrent ones wait for that build
                fut = asyncio.ensure_future(self._build(full_key, build, preparing))
                self._building[full_key] = fut
                fut.add_done_callback(lambda f, k=full_key: self._done(self._building, k, f))
            hit = await asyncio.shield(fut)
        status, body, ctype, etag, retry = hit
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if retry is not None:
            headers = {"Retry-After": str(retry), "Cache-Control": "no-store"}
        elif status == 200 and request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(content=body, status_code=status, media_type=ctype, headers=headers)

    async def _build(self, full_key: tuple, build: Callable[[], tuple],
                     preparing: Callable[[list[tuple[str, str]], int], tuple] | None
                     ) -> tuple[int, bytes, str, str, int | None]:
        retry = None
        if preparing is None:
            out = await self.run(build)
        else:
            loop = asyncio.get_running_loop()
            try:
                out = await loop.run_in_executor(self.store_thread, self._reads_only, build)
            except NotBriefed as cold:
                if not cold.recordable:  # nowhere to keep it: only computing it here answers
                    out = await self.run(build)
                else:
                    self.queue_briefs(cold.stories)
                    retry = self.briefs.retry_after(cold.stories)
                    out = await loop.run_in_executor(self.store_thread, self._reads_only, preparing,
                                                     cold.stories, retry)
        status, body, ctype = out[:3]
        keep = out[3] if len(out) > 3 else True
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        if status == 202 and retry is None:
            retry = RETRY_MIN_S
        hit = (status, body, ctype, etag, retry if status == 202 else None)
        if status == 200 and keep and retry is None:
            self.cache.put(full_key, hit)
        elif status == 202:  # the same answer for a moment: a story asked for often costs one read per moment
            now = time.monotonic()
            if len(self._accepted) >= self.cache.size:
                self._accepted = {k: v for k, v in self._accepted.items() if v[0] > now}
            self._accepted[full_key] = (now + ACCEPTED_TTL_S, hit)
        return hit

    def prepare_daily(self, brief: Brief) -> list[dict[str, Any]]:
        """The stories a partial daily briefing lists as being prepared (queued here, from the store
        thread), each with `retry_after`."""
        rows = list(brief.settings.get("preparing") or [])
        if rows:
            keys = [(r["id"], r["length"]) for r in rows]
            self.queue_briefs(keys)
            retry = self.briefs.retry_after(keys)
            rows = [{**r, "retry_after": retry} for r in rows]
        return rows

    # ---- reads and writes shared by the pages and the API (run on the store thread) ---------------------

    def outline_or_404(self, story_id: str) -> dict[str, Any]:
        """What is cheap to show of a story whose brief is being prepared (`backend.outline`)."""
        outline = getattr(self.backend, "outline", None)
        found = outline(story_id) if outline is not None else None
        if found is None:
            raise ApiError(404, f"no story {story_id[:80]!r}", UNKNOWN_STORY)
        return found

    def story_or_404(self, story_id: str) -> Brief:
        brief = self.backend.story_brief(story_id)
        if brief is None or not brief.stories:
            raise ApiError(404, f"no story {story_id[:80]!r}", UNKNOWN_STORY)
        return brief

    def source_rows(self) -> list[dict[str, Any]]:
        rows = []
        for r in self.backend.sources():
            row = {"name": "", "domain": None, "articles": 0, "originals": 0, "copies": 0, "stories": 0,
                   "first": None, "last": None}
            row.update({k: v for k, v in r.items() if v is not None})
            row["name"] = row.get("name") or row.get("source") or row.get("domain") or "(unknown outlet)"
            rows.append(row)
        return rows

    def correction_rows(self) -> list[dict[str, Any]]:
        rows = []
        for c in self.backend.corrections():
            c = dict(c)
            tid, kind = str(c.get("target_id", "")), c.get("target_type")
            if kind == "fact" and "#" in tid:
                sid, _, k = tid.partition("#")
                c["href"] = views.story_href(sid, f"#fact-{anchor(k)}")
            elif kind == "article":
                c["href"] = views.article_href(tid)
            elif kind == "story":
                c["href"] = views.story_href(tid)
            rows.append(c)
        return rows

    def save_correction(self, kind: str, target_id: str, message: str, contact: str | None) -> str:
        """Store a reader's report about an existing fact, article or story; 404 when there is none."""
        if kind == "article":
            if self.backend.article(target_id) is None:
                raise ApiError(404, f"no article {target_id[:80]!r} to correct", UNKNOWN_ARTICLE)
        else:
            sid, _, k = target_id.partition("#") if kind == "fact" else (target_id, "", "")
            brief = self.backend.story_brief(sid)
            if brief is None or not brief.stories:
                raise ApiError(404, f"no story {sid[:80]!r} to correct", UNKNOWN_STORY)
            if kind == "fact":
                n = len(brief.stories[0].facts)
                if not (k.isdigit() and 1 <= int(k) <= n):
                    raise ApiError(404, f"no fact {k[:20]!r} in story {sid[:80]!r}: give STORY#N with N from 1 "
                                        f"to {n}", UNKNOWN_STORY)
        return self.backend.add_correction(kind, target_id, message, contact)


def desk_of(request: Request) -> Desk:
    """The app's Desk (a FastAPI dependency)."""
    return request.app.state.desk


DeskDep = Annotated[Desk, Depends(desk_of)]


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8")


def check_id(value: str, what: str) -> str:
    """A path id that could name something (not empty, not too long, no control characters); else 404."""
    if not value or len(value) > ID_MAX or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ApiError(404, f"no such {what}", {"story": UNKNOWN_STORY, "article": UNKNOWN_ARTICLE}.get(what))
    return value


def invalid_status(path: str) -> int:
    """The status of a request value that does not validate, the same for every parameter of every route:
    422 under /api/ and /feeds/ (as the OpenAPI document says), 400 on a page."""
    return 422 if is_api(path) else 400


def parse_day(value: str | None, path: str) -> date | None:
    """A YYYY-MM-DD query value of a request to `path` (None when absent); an ApiError (`invalid_status`,
    PX302) when it is not a date."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(invalid_status(path), f"invalid date {value[:40]!r}: use YYYY-MM-DD", BAD_REQUEST) from None


def check_http_url(url: str) -> str:
    """`url` stripped, when it is an http(s) URL with a host and no credentials; else a PX401 FetchError."""
    url = url.strip()
    if len(url) > 2048 or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise error(BAD_URL, url[:80], "URL too long or contains whitespace or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise error(BAD_URL, url[:80], "not a well-formed URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise error(BAD_URL, url[:80], "not an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise error(BAD_URL, url[:80], "URLs with user:password@ are not accepted")
    from parallax.ingest.guard import parse_url

    parse_url(url)  # the fetcher's own rules (a malformed host such as 127.0.0.1%2e is PX401 here)
    return url


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)
