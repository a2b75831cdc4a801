"""The reader's desk: server-rendered pages and a JSON API over the store.

`create_app(store)` returns the FastAPI app. `store` is a `parallax.store.Store`, a `Brief`, or any
`parallax.web.backend.Backend`. Reads are cached as rendered bytes, keyed by the store's revision (checked
at most every `revision_ttl` seconds) and a local generation bumped by every write made through the app;
store calls run on one dedicated thread (ingestion on another), never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from parallax.model import Brief
from parallax.render import to_json
from parallax.render.common import version
from parallax.render.jsonout import article_to_dict
from parallax.web import views
from parallax.web.backend import Backend, BackendError, IngestRecord, as_backend
from parallax.web.graph import provenance
from parallax.web.security import (
    BodySizeLimit,
    FormTokens,
    HeadAsGet,
    RateLimit,
    SecurityHeaders,
    check_bearer,
    same_origin,
)

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
API_PREFIXES = ("/api/", "/feeds/", "/openapi.json")
MAX_LIMIT = 200
DAILY_PAGE = 30
ID_MAX = 200
TARGET_TYPES = ("fact", "article", "story")

HTML = "text/html; charset=utf-8"
JSON = "application/json"
ATOM = "application/atom+xml; charset=utf-8"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------------------------------------------------
# request bodies


def _check_http_url(url: str) -> str:
    url = url.strip()
    if len(url) > 2048 or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise ValueError("URL too long or contains whitespace or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"only http:// and https:// URLs with a host can be ingested, not {url[:80]!r}")
    if parts.username or parts.password:
        raise ValueError("URLs with user:password@ are not accepted")
    return url


class PageIn(BaseModel):
    """A page to add: its HTML or its text, and what is known about it."""

    model_config = ConfigDict(extra="forbid")
    html: str | None = Field(None, max_length=2_000_000)
    text: str | None = Field(None, max_length=2_000_000)
    url: str | None = Field(None, max_length=2048, description="where the page was published (not fetched)")
    source: str | None = Field(None, max_length=200, description="outlet name")
    title: str | None = Field(None, max_length=1000)
    published: str | None = Field(None, max_length=40, description="ISO 8601 date or datetime")
    id: str | None = Field(None, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")


class IngestIn(BaseModel):
    """URLs of pages or feeds to fetch (SSRF-guarded), and/or pages posted whole."""

    model_config = ConfigDict(extra="forbid")
    urls: list[str] = Field(default_factory=list, max_length=50,
                            description="http(s) URLs of article pages or RSS/Atom feeds")
    pages: list[PageIn] = Field(default_factory=list, max_length=50)

    @field_validator("urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        return [_check_http_url(u) for u in urls]


class CorrectionIn(BaseModel):
    """A reported error in a fact (target_id "STORY#N"), an article or a story."""

    model_config = ConfigDict(extra="forbid")
    target_type: Literal["fact", "article", "story"]
    target_id: str = Field(min_length=1, max_length=ID_MAX)
    message: str = Field(min_length=1, max_length=4000)
    contact: str | None = Field(None, max_length=200, description="kept private, never shown")


# ---------------------------------------------------------------------------------------------------------
# the desk: backend, templates, cache, threads


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


def _anchor(value: object) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(value)).strip("-") or "x"


def _urlq(value: object) -> str:
    return quote(str(value), safe="")


class Desk:
    def __init__(self, backend: Backend, *, api_token: str | None, secret: bytes | None, revision_ttl: float,
                 cache_size: int) -> None:
        self.backend = backend
        self.api_token = api_token or None
        self.tokens = FormTokens(secret)
        self.revision_ttl = revision_ttl
        self.cache = RenderCache(cache_size)
        self.store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parallax-store")
        self.ingest_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parallax-ingest")
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
        self.env.filters["urlq"] = _urlq
        self.env.filters["anchor"] = _anchor
        self.env.globals.update(version=version(), css_href=f"/static/app.css?v={self.css_etag.strip(chr(34))}")

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.store_thread, fn, *args)

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

    def page(self, template: str, **ctx: Any) -> bytes:
        ctx.setdefault("form_token", lambda kind, ident: self.tokens.issue(f"{kind}:{ident}"))
        return self.env.get_template(template).render(**ctx).encode("utf-8")

    async def cached(self, request: Request, key: tuple, build: Callable[[], tuple[int, bytes, str]]) -> Response:
        full_key = (await self.revision(), self.tokens.day(), *key)
        hit = self.cache.get(full_key)
        if hit is None:
            status, body, ctype = await self.run(build)
            etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
            hit = (status, body, ctype, etag)
            if status == 200:
                self.cache.put(full_key, hit)
        status, body, ctype, etag = hit
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if status == 200 and request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(content=body, status_code=status, media_type=ctype, headers=headers)


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _check_id(value: str, what: str) -> str:
    if not value or len(value) > ID_MAX or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ApiError(404, f"no such {what}")
    return value


def _parse_day(value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"invalid date {value[:40]!r}: use YYYY-MM-DD") from None


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _first_error(exc: RequestValidationError) -> str:
    msgs = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "json_invalid":
            msg = "the body is not valid JSON"
        msgs.append(f"{loc}: {msg}" if loc else msg)
    return "invalid request: " + "; ".join(msgs)


# ---------------------------------------------------------------------------------------------------------
# the app


def create_app(store: Any, *, api_token: str | None = None, secret: bytes | None = None,
               revision_ttl: float = 1.0, cache_size: int = 512, allow_private: bool = False,
               max_body: int = 64 * 1024, max_ingest_body: int = 8 * 1024 * 1024) -> FastAPI:
    """The web app over `store` (a parallax.store.Store, a Brief or a Backend).

    api_token: the bearer token of the write endpoints (default: $PARALLAX_API_TOKEN; none = writes off).
    """
    import os

    if api_token is None:
        api_token = os.environ.get("PARALLAX_API_TOKEN") or None
    backend = as_backend(store, allow_private=allow_private) if not isinstance(store, Brief) else as_backend(store)
    desk = Desk(backend, api_token=api_token, secret=secret, revision_ttl=revision_ttl, cache_size=cache_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        desk.store_thread.shutdown(wait=False, cancel_futures=True)
        desk.ingest_thread.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="Parallax",
        version=version(),
        description="Neutral, cited briefs of the news, counting independent origins (copies and rewrites "
                    "collapsed). Reads are open; writes need a bearer token set by the operator.",
        docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.state.desk = desk
    app.add_middleware(BodySizeLimit, max_bytes=max_body, limits={"/api/ingest": max_ingest_body})
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)

    # ---- errors: JSON for the API, a page for readers; never a stack trace -------------------------------

    def error_response(request: Request, status: int, message: str) -> Response:
        if _is_api(request.url.path) or request.method not in ("GET", "HEAD", "POST"):
            return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
        titles = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
                  413: "Too large", 429: "Too many reports", 500: "Something went wrong"}
        body = desk.page("error.html", status=status, title=titles.get(status, "Error"), message=message,
                         section=None)
        return Response(body, status_code=status, media_type=HTML)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(BackendError)
    async def _backend_error(request: Request, exc: BackendError) -> Response:
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path[:200]}"
        elif exc.status_code == 405:
            message = f"method {request.method} not allowed here"
        resp = error_response(request, exc.status_code, message)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        status = 422 if _is_api(request.url.path) else 400
        return error_response(request, status, _first_error(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal error; it has been logged")

    # ---- pages -----------------------------------------------------------------------------------------

    def render_daily(day: date | None, page: int) -> tuple[int, bytes, str]:
        brief = backend.daily(day)
        cards = views.daily_view(brief)
        start = (page - 1) * DAILY_PAGE
        body = desk.page("daily.html", cards=cards[start : start + DAILY_PAGE], day=day.isoformat() if day else None,
                         section="daily", page=page, more=len(cards) > start + DAILY_PAGE)
        return 200, body, HTML

    @app.get("/", include_in_schema=False)
    async def daily_page(request: Request, date: str | None = None,
                         page: Annotated[int, Query(ge=1, le=1000)] = 1) -> Response:
        day = _parse_day(date)
        return await desk.cached(request, ("daily", day, page), lambda: render_daily(day, page))

    def _story_or_404(story_id: str) -> Brief:
        brief = backend.story_brief(story_id)
        if brief is None or not brief.stories:
            raise ApiError(404, f"no story {story_id[:80]!r}")
        return brief

    def render_story(story_id: str) -> tuple[int, bytes, str]:
        brief = _story_or_404(story_id)
        story = brief.stories[0]
        s = views.story_view(brief, story, backend.changes(story_id))
        s["lineage"] = views.lineage_view(backend.lineage(story_id))
        return 200, desk.page("story.html", s=s, section="story"), HTML

    @app.get("/stories/{story_id}", include_in_schema=False)
    async def story_page(request: Request, story_id: str) -> Response:
        _check_id(story_id, "story")
        return await desk.cached(request, ("story", story_id), lambda: render_story(story_id))

    def render_provenance(story_id: str) -> tuple[int, bytes, str]:
        brief = _story_or_404(story_id)
        story = brief.stories[0]
        g = provenance(brief, story)
        g["svg"] = Markup(g["svg"])  # built from escaped pieces in parallax.web.graph
        return 200, desk.page("provenance.html", g=g, headline=story.headline or story.id,
                              story_href=views.story_href(story.id), section="story"), HTML

    @app.get("/stories/{story_id}/provenance", include_in_schema=False)
    async def provenance_page(request: Request, story_id: str) -> Response:
        _check_id(story_id, "story")
        return await desk.cached(request, ("provenance", story_id), lambda: render_provenance(story_id))

    def render_article(article_id: str) -> tuple[int, bytes, str]:
        a = backend.article(article_id)
        if a is None:
            raise ApiError(404, f"no article {article_id[:80]!r}")
        return 200, desk.page("article.html", a=views.article_view(a), section="article"), HTML

    @app.get("/articles/{article_id:path}", include_in_schema=False)
    async def article_page(request: Request, article_id: str) -> Response:
        _check_id(article_id, "article")
        return await desk.cached(request, ("article", article_id), lambda: render_article(article_id))

    def source_rows() -> list[dict[str, Any]]:
        rows = []
        for r in backend.sources():
            row = {"name": "", "domain": None, "articles": 0, "originals": 0, "copies": 0, "stories": 0,
                   "first": None, "last": None}
            row.update({k: v for k, v in r.items() if v is not None})
            row["name"] = row.get("name") or row.get("source") or row.get("domain") or "(unknown outlet)"
            rows.append(row)
        return rows

    @app.get("/sources", include_in_schema=False)
    async def sources_page(request: Request) -> Response:
        return await desk.cached(request, ("sources",), lambda: (
            200, desk.page("sources.html", rows=source_rows(), section="sources"), HTML))

    def correction_rows() -> list[dict[str, Any]]:
        rows = []
        for c in backend.corrections():
            c = dict(c)
            tid, kind = str(c.get("target_id", "")), c.get("target_type")
            if kind == "fact" and "#" in tid:
                sid, _, k = tid.partition("#")
                c["href"] = views.story_href(sid, f"#fact-{_anchor(k)}")
            elif kind == "article":
                c["href"] = views.article_href(tid)
            elif kind == "story":
                c["href"] = views.story_href(tid)
            rows.append(c)
        return rows

    @app.get("/corrections", include_in_schema=False)
    async def corrections_page(request: Request, submitted: str | None = None) -> Response:
        sub = submitted if submitted and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", submitted) else None
        return await desk.cached(request, ("corrections", sub), lambda: (
            200, desk.page("corrections.html", rows=correction_rows(), submitted=sub, section="corrections"), HTML))

    def _check_target(kind: str, target_id: str) -> None:
        if kind == "article":
            if backend.article(target_id) is None:
                raise ApiError(404, f"no article {target_id[:80]!r} to correct")
        else:
            sid = target_id.partition("#")[0] if kind == "fact" else target_id
            if backend.story_brief(sid) is None:
                raise ApiError(404, f"no story {sid[:80]!r} to correct")

    def _save_correction(kind: str, target_id: str, message: str, contact: str | None) -> str:
        _check_target(kind, target_id)
        return backend.add_correction(kind, target_id, message, contact)

    @app.post("/corrections", include_in_schema=False)
    async def correction_form(request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise ApiError(400, "send the form as application/x-www-form-urlencoded")
        host = request.headers.get("host")
        if not same_origin(request.headers, request.url.scheme, host):
            raise ApiError(403, "this form can only be sent from this site's own pages")
        try:
            fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True, max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "the form could not be read") from None

        def one(name: str) -> str:
            values = fields.get(name) or [""]
            return values[0]

        kind, target_id = one("target_type"), one("target_id")
        message, contact = one("message").strip(), one("contact").strip() or None
        if kind not in TARGET_TYPES or not target_id or len(target_id) > ID_MAX:
            raise ApiError(400, "the form names no fact, article or story to correct")
        if not desk.tokens.verify(one("token"), f"{kind}:{target_id}"):
            raise ApiError(403, "the form has expired or was not issued by this site: reload the page and try again")
        if not message:
            raise ApiError(400, "please describe the error")
        if len(message) > 4000 or (contact and len(contact) > 200):
            raise ApiError(400, "the report is too long (4000 characters at most, contact 200)")
        client = request.client.host if request.client else "?"
        if not desk.corrections_limit.allow(client):
            raise ApiError(429, "too many reports from your address; please wait a minute")
        cid = await desk.run(_save_correction, kind, target_id, message, contact)
        desk.changed()
        return RedirectResponse(f"/corrections?submitted={quote(str(cid), safe='')}#correction-{_anchor(cid)}",
                                status_code=303)

    @app.get("/static/app.css", include_in_schema=False)
    async def css(request: Request) -> Response:
        headers = {"ETag": desk.css_etag, "Cache-Control": "public, max-age=31536000, immutable"}
        if request.headers.get("if-none-match") == desk.css_etag:
            return Response(status_code=304, headers=headers)
        return Response(desk.css, media_type="text/css; charset=utf-8", headers=headers)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, Any]:
        return {"ok": True, "revision": await desk.revision()}

    def render_docs() -> tuple[int, bytes, str]:
        spec = app.openapi()
        endpoints = []
        for path, methods in spec.get("paths", {}).items():
            for method, op in methods.items():
                params = [{"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
                           "type": _schema_type(p.get("schema", {})), "description": p.get("description", "")}
                          for p in op.get("parameters", [])]
                body = None
                content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
                if content:
                    body = json.dumps(_example(content.get("schema", {}), spec), indent=2)
                responses = [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()]
                endpoints.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                                  "description": op.get("description", ""), "params": params, "body": body,
                                  "responses": responses, "auth": method.lower() == "post",
                                  "anchor": _anchor(method + path)})
        return 200, desk.page("docs.html", api=spec, endpoints=endpoints, section="docs"), HTML

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        return await desk.cached(request, ("docs",), render_docs)

    # ---- JSON API --------------------------------------------------------------------------------------

    @app.get("/api/stories", summary="List stories",
             description="The same shape as `parallax stories --format json`. Paginate with limit and offset; "
                         "a `Link: <...>; rel=\"next\"` header points to the next page.")
    async def api_stories(request: Request, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
                          offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                          since: Annotated[str | None, Query(max_length=40, description="ISO date or datetime")] = None,
                          ) -> Response:
        if since is not None:
            try:
                datetime.fromisoformat(since)
            except ValueError:
                raise ApiError(422, f"invalid since {since[:40]!r}: use an ISO 8601 date or datetime") from None

        def build() -> tuple[int, bytes, str]:
            rows = backend.list_stories(since=since, limit=limit, offset=offset)
            return 200, _json_bytes({"stories": rows}), JSON

        resp = await desk.cached(request, ("api-stories", limit, offset, since), build)
        if resp.status_code == 200 and resp.body and resp.body.count(b'"id"') >= limit:
            nxt = f"/api/stories?limit={limit}&offset={offset + limit}" + (f"&since={quote(since)}" if since else "")
            resp.headers["Link"] = f'<{nxt}>; rel="next"'
        return resp

    @app.get("/api/stories/{story_id}", summary="One story's brief",
             description="The `parallax.brief/1` contract (docs/brief.schema.json) for that story and its articles.")
    async def api_story(request: Request, story_id: str) -> Response:
        _check_id(story_id, "story")
        return await desk.cached(request, ("api-story", story_id),
                                 lambda: (200, _json_bytes(to_json(_story_or_404(story_id))), JSON))

    @app.get("/api/stories/{story_id}/changes", summary="What changed since the previous version")
    async def api_changes(request: Request, story_id: str) -> Response:
        _check_id(story_id, "story")

        def build() -> tuple[int, bytes, str]:
            _story_or_404(story_id)
            return 200, _json_bytes({"story": story_id, "changes": backend.changes(story_id)}), JSON

        return await desk.cached(request, ("api-changes", story_id), build)

    @app.get("/api/daily", summary="The daily briefing",
             description="The `parallax.brief/1` contract of all stories of a day (default: the latest).")
    async def api_daily(request: Request,
                        date: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
                        ) -> Response:
        try:
            day = _parse_day(date)
        except ApiError as exc:
            raise ApiError(422, exc.message) from None
        return await desk.cached(request, ("api-daily", day),
                                 lambda: (200, _json_bytes(to_json(backend.daily(day))), JSON))

    @app.get("/api/articles/{article_id:path}", summary="One article",
             description="The cleaned article with what cleaning removed, its credits, relations and origin group.")
    async def api_article(request: Request, article_id: str) -> Response:
        _check_id(article_id, "article")

        def build() -> tuple[int, bytes, str]:
            a = backend.article(article_id)
            if a is None:
                raise ApiError(404, f"no article {article_id[:80]!r}")
            return 200, _json_bytes(article_to_dict(a)), JSON

        return await desk.cached(request, ("api-article", article_id), build)

    @app.get("/api/sources", summary="The source registry and each outlet's coverage")
    async def api_sources(request: Request) -> Response:
        return await desk.cached(request, ("api-sources",),
                                 lambda: (200, _json_bytes({"sources": source_rows()}), JSON))

    @app.get("/api/corrections", summary="Reported errors (contact details are never shown)")
    async def api_corrections(request: Request) -> Response:
        return await desk.cached(request, ("api-corrections",),
                                 lambda: (200, _json_bytes({"corrections": backend.corrections()}), JSON))

    def render_atom(base: str) -> tuple[int, bytes, str]:
        brief = backend.daily(None)
        cards = views.daily_view(brief)
        stamps = {r["id"]: r["updated"] for r in backend.list_stories(limit=MAX_LIMIT)}
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
               "<title>Parallax daily brief</title>", f"<id>{xml_escape(base)}/feeds/daily.atom</id>",
               f'<link rel="self" href="{xml_escape(base)}/feeds/daily.atom"/>',
               f'<link rel="alternate" type="text/html" href="{xml_escape(base)}/"/>',
               f"<updated>{now}</updated>", "<author><name>Parallax</name></author>"]
        for c in cards:
            updated = _atom_time(stamps.get(c.id)) or now
            facts = "".join(f"<li>{xml_escape(f.text)} ({xml_escape(f.status_label)})</li>" for f in c.facts)
            summary = f"<p>{xml_escape(c.summary)}</p><ul>{facts}</ul>"
            out += ["<entry>", f"<title>{xml_escape(c.headline)}</title>",
                    f"<id>urn:parallax:story:{xml_escape(c.id)}</id>",
                    f'<link rel="alternate" type="text/html" href="{xml_escape(base + c.href)}"/>',
                    f"<updated>{updated}</updated>",
                    f'<summary type="html">{xml_escape(summary)}</summary>', "</entry>"]
        out.append("</feed>")
        return 200, "\n".join(out).encode("utf-8"), ATOM

    @app.get("/feeds/daily.atom", summary="The daily briefing as an Atom feed",
             response_class=Response, responses={200: {"content": {"application/atom+xml": {}}}})
    async def atom(request: Request) -> Response:
        base = f"{request.url.scheme}://{request.headers.get('host') or 'localhost'}"
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]{1,260}", base):
            base = "http://localhost"
        return await desk.cached(request, ("atom", base), lambda: render_atom(base))

    def require_writer(request: Request) -> None:
        problem = check_bearer(request.headers.get("authorization"), desk.api_token)
        if problem:
            status, message = problem
            headers = {"WWW-Authenticate": 'Bearer realm="parallax"'} if status == 401 else None
            raise StarletteHTTPException(status, message, headers=headers)

    @app.post("/api/corrections", status_code=201, summary="Report an error (needs the bearer token)",
              responses={401: {"description": "missing or wrong token"},
                         403: {"description": "writes are off (no PARALLAX_API_TOKEN)"}})
    async def api_add_correction(request: Request, body: CorrectionIn) -> Response:
        require_writer(request)
        message = body.message.strip()
        if not message:
            raise ApiError(422, "invalid request: message: must not be blank")
        cid = await desk.run(_save_correction, body.target_type, body.target_id, message, body.contact)
        desk.changed()
        return JSONResponse({"id": cid, "target_type": body.target_type, "target_id": body.target_id},
                            status_code=201)

    @app.post("/api/ingest", summary="Ingest pages, URLs or feeds (needs the bearer token)",
              description="URLs are fetched with the SSRF guard (no private, loopback or link-local "
                          "addresses); posted pages are read like files. Returns the ingestion summary.",
              responses={401: {"description": "missing or wrong token"},
                         403: {"description": "writes are off (no PARALLAX_API_TOKEN)"},
                         413: {"description": "body over the size limit"}})
    async def api_ingest(request: Request, body: IngestIn) -> Response:
        require_writer(request)
        if not body.urls and not body.pages:
            raise ApiError(422, "invalid request: give at least one of 'urls' or 'pages'")
        for n, p in enumerate(body.pages):
            if not (p.html or p.text):
                raise ApiError(422, f"invalid request: pages.{n}: give 'html' or 'text'")
            if p.url is not None:
                try:
                    _check_http_url(p.url)
                except ValueError as exc:
                    raise ApiError(422, f"invalid request: pages.{n}.url: {exc}") from None
        pages = [IngestRecord(**p.model_dump()) for p in body.pages]
        loop = asyncio.get_running_loop()
        try:
            summary = await loop.run_in_executor(desk.ingest_thread, backend.ingest, body.urls, pages)
        except BackendError:
            raise
        except Exception as exc:
            from parallax.errors import ParallaxError

            if isinstance(exc, ParallaxError):
                raise ApiError(400, str(exc)) from None
            raise
        finally:
            desk.changed()
        return JSONResponse(summary)

    return app


def _atom_time(value: Any) -> str | None:
    if not value:
        return None
    text = str(value)
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.replace(microsecond=0).isoformat()


def _schema_type(schema: dict[str, Any]) -> str:
    if "type" in schema:
        return str(schema["type"])
    if "anyOf" in schema:
        return " | ".join(_schema_type(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    return "any"


def _example(schema: dict[str, Any], spec: dict[str, Any], depth: int = 0) -> Any:
    """A skeleton value for a JSON schema (for the docs page)."""
    if depth > 4:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _example(spec.get("components", {}).get("schemas", {}).get(name, {}), spec, depth + 1)
    if "anyOf" in schema:
        opts = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _example(opts[0], spec, depth + 1) if opts else None
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    if "const" in schema:
        return schema["const"]
    t = schema.get("type")
    if t == "object":
        return {k: _example(v, spec, depth + 1) for k, v in schema.get("properties", {}).items()}
    if t == "array":
        return [_example(schema.get("items", {}), spec, depth + 1)]
    return {"string": "string", "integer": 0, "number": 0.0, "boolean": False}.get(str(t))
