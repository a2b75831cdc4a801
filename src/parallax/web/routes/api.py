"""The JSON API: `reads` (open to anyone) and `writes` (need `Authorization: Bearer $PARALLAX_API_TOKEN`).

    GET  /api/stories                   the shape of `parallax stories --format json` (limit, offset, since)
    GET  /api/stories/{id}              the `parallax.brief/1` contract of one story (202 "preparing" while
                                        its brief is computed: retry after `Retry-After` seconds)
    GET  /api/stories/{id}/changes      what changed since the previous recorded version
    GET  /api/daily                     the daily briefing as `parallax.brief/1`
    GET  /api/articles/{id}             one article as in the contract's articles[]
    GET  /api/sources, /api/corrections the registry with coverage; readers' reports (no contact)
    POST /api/corrections               report an error
    POST /api/ingest                    ingest pages, URLs or feeds (SSRF-guarded)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

from parallax.errors import ParallaxError
from parallax.render import to_json
from parallax.render.jsonout import article_to_dict
from parallax.text.safe import normalise_text
from parallax.web.backend import IngestRecord
from parallax.web.errors import public_message, status_of
from parallax.web.security import check_bearer
from parallax.web.state import (
    BAD_REQUEST,
    ID_MAX,
    JSON,
    MAX_LIMIT,
    UNKNOWN_ARTICLE,
    ApiError,
    Desk,
    DeskDep,
    check_http_url,
    check_id,
    json_bytes,
    parse_day,
)

WRITE_PATHS = ("/api/ingest", "/api/corrections")  # POST here needs the bearer token (checked before the body)


class ErrorDetail(BaseModel):
    status: int = Field(description="the HTTP status")
    message: str = Field(description="what went wrong and what to do")
    code: str | None = Field(None, description="the parallax.errors catalogue code (docs/ERRORS.md), when one "
                                               "applies", pattern=r"^PX\d{3}$")


class ErrorOut(BaseModel):
    """Every error answer of the API."""

    error: ErrorDetail


def _errors(*statuses: int) -> dict[int | str, dict[str, object]]:
    words = {400: "bad request", 401: "missing or wrong bearer token", 403: "writes are off (no "
             "PARALLAX_API_TOKEN) or the store is read-only", 404: "no such story, article or fact",
             413: "body over the size limit", 422: "the request does not validate (query, path or body)",
             500: "internal error (logged)", 501: "not possible on this backend", 503: "the store is unavailable"}
    return {st: {"model": ErrorOut, "description": words[st]} for st in statuses}


class PreparingArticle(BaseModel):
    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None


class PreparingOut(BaseModel):
    """The answer for a story whose brief is being computed (queued once, recorded when done)."""

    status: Literal["preparing"] = Field(description="always \"preparing\"")
    story: str = Field(description="the story's id")
    headline: str = Field(description="its provisional headline (from its articles)")
    articles: list[PreparingArticle] = Field(description="its articles, without the brief")
    retry_after: int = Field(ge=1, description="seconds after which to ask again (as the Retry-After header)")
    message: str


PREPARING = {202: {"model": PreparingOut,
                   "description": "the brief is being prepared: ask again after Retry-After seconds (then 200)",
                   "headers": {"Retry-After": {"description": "seconds after which the brief is likely ready",
                                               "schema": {"type": "integer", "minimum": 1}}}}}


def preparing_json(desk: Desk, story_id: str, retry: int) -> tuple[int, bytes, str]:
    """202 and PreparingOut for a story whose brief is queued (run on the store thread)."""
    o = desk.outline_or_404(story_id)
    return 202, json_bytes({"status": "preparing", "story": o["id"], "headline": o["headline"],
                            "articles": o["articles"], "retry_after": retry,
                            "message": "this story's brief is being prepared; ask again after retry_after "
                                       "seconds"}), JSON


READ_ERRORS = _errors(422, 500, 503)
ID_ERRORS = _errors(404, 422, 500, 503)
WRITE_ERRORS = _errors(400, 401, 403, 404, 413, 422, 500, 503)

reads = APIRouter(responses=READ_ERRORS)
writes = APIRouter(responses=WRITE_ERRORS)


# ---------------------------------------------------------------------------------------------------------
# request bodies


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
        try:
            return [check_http_url(u) for u in urls]
        except ParallaxError as exc:  # the error type is the catalogue code: errors.first_error reports it
            raise PydanticCustomError(exc.code, "{message}", {"message": str(exc)}) from None


class CorrectionIn(BaseModel):
    """A reported error in a fact (target_id "STORY#N"), an article or a story."""

    model_config = ConfigDict(extra="forbid")
    target_type: Literal["fact", "article", "story"]
    target_id: str = Field(min_length=1, max_length=ID_MAX)
    message: str = Field(min_length=1, max_length=4000)
    contact: str | None = Field(None, max_length=200, description="kept private, never shown")


# ---------------------------------------------------------------------------------------------------------
# reads


@reads.get("/api/stories", summary="List stories",
           description="The same shape as `parallax stories --format json`. Paginate with limit and offset; "
                       "a `Link: <...>; rel=\"next\"` header points to the next page.")
async def api_stories(request: Request, desk: DeskDep, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
                      offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                      since: Annotated[str | None, Query(
                          max_length=40, description="stories updated since then: an ISO 8601 date (2026-03-10) "
                          "or date-time (2026-03-10T08:00:00, 2026-03-10T08:00:00+02:00; no offset is UTC)",
                          examples=["2026-03-10", "2026-03-10T08:00:00Z"])] = None,
                      ) -> Response:
    if since is not None:
        try:
            datetime.fromisoformat(since.replace("Z", "+00:00") if since.endswith("Z") else since)
        except ValueError:
            raise ApiError(422, f"invalid since {since[:40]!r}: use an ISO 8601 date or datetime",
                           BAD_REQUEST) from None

    def build() -> tuple[int, bytes, str]:
        rows = desk.backend.list_stories(since=since, limit=limit, offset=offset)
        return 200, json_bytes({"stories": rows}), JSON

    resp = await desk.cached(request, ("api-stories", limit, offset, since), build)
    if resp.status_code == 200 and resp.body and resp.body.count(b'"id"') >= limit:
        nxt = f"/api/stories?limit={limit}&offset={offset + limit}" + (f"&since={quote(since)}" if since else "")
        resp.headers["Link"] = f'<{nxt}>; rel="next"'
    return resp


@reads.get("/api/stories/{story_id}", summary="One story's brief", responses={**ID_ERRORS, **PREPARING},
           description="The `parallax.brief/1` contract (docs/brief.schema.json) for that story and its articles. "
                       "A story whose brief is not computed yet is answered at once with 202, a `Retry-After` "
                       "header and {status: \"preparing\", retry_after, story, headline, articles}; its brief is "
                       "queued (once, however many ask) and the same request answers 200 when it is done.")
async def api_story(request: Request, desk: DeskDep, story_id: str) -> Response:
    check_id(story_id, "story")
    return await desk.cached(request, ("api-story", story_id),
                             lambda: (200, json_bytes(to_json(desk.story_or_404(story_id))), JSON),
                             preparing=lambda _stories, retry: preparing_json(desk, story_id, retry))


@reads.get("/api/stories/{story_id}/changes", summary="What changed since the previous version",
           responses={**ID_ERRORS, **PREPARING},
           description="202 (as for the story) while the story's current brief is being prepared.")
async def api_changes(request: Request, desk: DeskDep, story_id: str) -> Response:
    check_id(story_id, "story")

    def build() -> tuple[int, bytes, str]:
        desk.story_or_404(story_id)
        return 200, json_bytes({"story": story_id, "changes": desk.backend.changes(story_id)}), JSON

    return await desk.cached(request, ("api-changes", story_id), build,
                             preparing=lambda _stories, retry: preparing_json(desk, story_id, retry))


@reads.get("/api/daily", summary="The daily briefing",
           description="The `parallax.brief/1` contract of all stories of a day (default: the latest) whose "
                       "brief is ready; stories whose brief is being prepared are listed in "
                       "`settings.preparing` ([{id, headline, articles, length, retry_after}]) and queued.")
async def api_daily(request: Request, desk: DeskDep,
                    date: Annotated[str | None, Query(max_length=10, description="the day, YYYY-MM-DD (default: "
                                                      "the latest day with articles)",
                                                      json_schema_extra={"format": "date"})] = None,
                    ) -> Response:
    day = parse_day(date, request.url.path)

    def build() -> tuple[int, bytes, str, bool]:
        brief = desk.backend.daily(day)
        preparing = desk.prepare_daily(brief)
        if preparing:
            brief.settings["preparing"] = preparing
        return 200, json_bytes(to_json(brief)), JSON, not preparing

    return await desk.cached(request, ("api-daily", day), build)


@reads.get("/api/articles/{article_id:path}", summary="One article", responses=ID_ERRORS,
           description="The cleaned article with what cleaning removed, its credits, relations and origin group.")
async def api_article(request: Request, desk: DeskDep, article_id: str) -> Response:
    check_id(article_id, "article")

    def build() -> tuple[int, bytes, str]:
        a = desk.backend.article(article_id)
        if a is None:
            raise ApiError(404, f"no article {article_id[:80]!r}", UNKNOWN_ARTICLE)
        return 200, json_bytes(article_to_dict(a)), JSON

    return await desk.cached(request, ("api-article", article_id), build)


@reads.get("/api/sources", summary="The source registry and each outlet's coverage")
async def api_sources(request: Request, desk: DeskDep) -> Response:
    return await desk.cached(request, ("api-sources",),
                             lambda: (200, json_bytes({"sources": desk.source_rows()}), JSON))


@reads.get("/api/corrections", summary="Reported errors (contact details are never shown)")
async def api_corrections(request: Request, desk: DeskDep) -> Response:
    return await desk.cached(request, ("api-corrections",),
                             lambda: (200, json_bytes({"corrections": desk.backend.corrections()}), JSON))


# ---------------------------------------------------------------------------------------------------------
# writes (the bearer token is checked by parallax.web.security.WriteAuth before the body is read; the
# check here is for callers that mount the routers without the middleware)


def require_writer(request: Request, desk: Desk) -> None:
    problem = check_bearer(request.headers.get("authorization"), desk.api_token)
    if problem:
        status, message = problem
        headers = {"WWW-Authenticate": 'Bearer realm="parallax"'} if status == 401 else None
        raise StarletteHTTPException(status, message, headers=headers)


@writes.post("/api/corrections", status_code=201, summary="Report an error (needs the bearer token)",
             description="target_id: a story id, an article id, or a fact as STORY#N (N counts the story's "
                         "facts from 1). 404 when there is no such story, article or fact.")
async def api_add_correction(request: Request, desk: DeskDep, body: CorrectionIn) -> Response:
    require_writer(request, desk)
    message = normalise_text(body.message).strip()
    if not message:
        raise ApiError(422, "invalid request: message: must not be blank", BAD_REQUEST)
    contact = normalise_text(body.contact).strip() or None if body.contact else None
    cid = await desk.run(desk.save_correction, body.target_type, normalise_text(body.target_id), message, contact)
    desk.changed()
    return JSONResponse({"id": cid, "target_type": body.target_type, "target_id": body.target_id},
                        status_code=201)


@writes.post("/api/ingest", summary="Ingest pages, URLs or feeds (needs the bearer token)",
             description="URLs are fetched with the SSRF guard (no private, loopback or link-local "
                         "addresses); posted pages are read like JSONL records (failures name them "
                         "pages[N]). Returns the ingestion summary, with the ids of the new articles.",
             responses=_errors(501))
async def api_ingest(request: Request, desk: DeskDep, body: IngestIn) -> Response:
    require_writer(request, desk)
    if not body.urls and not body.pages:
        raise ApiError(422, "invalid request: give at least one of 'urls' or 'pages'", BAD_REQUEST)
    for n, p in enumerate(body.pages):
        if not (p.html or p.text):
            raise ApiError(422, f"invalid request: pages.{n}: give 'html' or 'text'", BAD_REQUEST)
        if p.url is not None:
            try:
                check_http_url(p.url)
            except ParallaxError as exc:
                raise ApiError(422, f"invalid request: pages.{n}.url: {exc}", exc.code) from None
    pages = [IngestRecord(**p.model_dump()) for p in body.pages]
    try:
        summary = await desk.run_ingest(desk.backend.ingest, body.urls, pages)
    except ParallaxError as exc:
        raise ApiError(status_of(exc), public_message(exc), exc.code) from None
    finally:
        desk.changed()
    return JSONResponse(summary)
