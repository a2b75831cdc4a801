"""The reader's pages (server-rendered HTML, not in the API schema) and the reader's correction form.

    GET  /                              the daily briefing (?date=YYYY-MM-DD, ?page=N)
    GET  /stories/{id}                  a story's brief
    GET  /stories/{id}/provenance       who copied or rewrote whom
    GET  /articles/{id}                 the cleaned article and what cleaning removed
    GET  /sources, /corrections         the registry with coverage; readers' reports
    POST /corrections                   the "report an error" form (same-origin, signed per form)
    GET  /docs                          the API reference, rendered from /openapi.json
    GET  /static/app.css, /favicon.ico, /healthz
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from parallax.web import views
from parallax.web.graph import provenance
from parallax.web.security import same_origin
from parallax.web.state import (
    BAD_REQUEST,
    DAILY_PAGE,
    HTML,
    ID_MAX,
    TARGET_TYPES,
    UNKNOWN_ARTICLE,
    ApiError,
    Desk,
    DeskDep,
    anchor,
    check_id,
    parse_day,
)

router = APIRouter(include_in_schema=False)


def render_daily(desk: Desk, day: date | None, page: int) -> tuple[int, bytes, str, bool]:
    brief = desk.backend.daily(day)
    preparing = desk.prepare_daily(brief)
    cards = views.daily_view(brief)
    start = (page - 1) * DAILY_PAGE
    prep = [{"id": r["id"], "href": views.story_href(r["id"]), "headline": r["headline"] or f"Story {r['id']}",
             "articles": len(r["articles"])} for r in preparing] if page == 1 else []
    body = desk.page("daily.html", cards=cards[start : start + DAILY_PAGE], day=day.isoformat() if day else None,
                     section="daily", page=page, more=len(cards) > start + DAILY_PAGE, preparing=prep,
                     refresh=preparing[0]["retry_after"] + 2 if prep else None)
    return 200, body, HTML, not preparing


@router.get("/")
async def daily_page(request: Request, desk: DeskDep, date: str | None = None,
                     page: Annotated[int, Query(ge=1, le=1000)] = 1) -> Response:
    day = parse_day(date, request.url.path)
    return await desk.cached(request, ("daily", day, page), lambda: render_daily(desk, day, page))


def render_preparing(desk: Desk, story_id: str, retry: int) -> tuple[int, bytes, str]:
    """202: the story's brief is being prepared; its headline and articles, and a refresh after `retry` s."""
    o = desk.outline_or_404(story_id)
    arts = [{**a, "href": views.article_href(a["id"])} for a in o["articles"]]
    return 202, desk.page("preparing.html", o=o, articles=arts, refresh=retry, section="story"), HTML


def render_story(desk: Desk, story_id: str) -> tuple[int, bytes, str]:
    brief = desk.story_or_404(story_id)
    story = brief.stories[0]
    s = views.story_view(brief, story, desk.backend.changes(story_id))
    s["lineage"] = views.lineage_view(desk.backend.lineage(story_id))
    return 200, desk.page("story.html", s=s, section="story"), HTML


@router.get("/stories/{story_id}")
async def story_page(request: Request, desk: DeskDep, story_id: str) -> Response:
    check_id(story_id, "story")
    return await desk.cached(request, ("story", story_id), lambda: render_story(desk, story_id),
                             preparing=lambda _stories, retry: render_preparing(desk, story_id, retry))


def render_provenance(desk: Desk, story_id: str) -> tuple[int, bytes, str]:
    brief = desk.story_or_404(story_id)
    story = brief.stories[0]
    g = provenance(brief, story)
    g["svg"] = Markup(g["svg"])  # built from escaped pieces in parallax.web.graph
    return 200, desk.page("provenance.html", g=g, headline=story.headline or story.id,
                          story_href=views.story_href(story.id), section="story"), HTML


@router.get("/stories/{story_id}/provenance")
async def provenance_page(request: Request, desk: DeskDep, story_id: str) -> Response:
    check_id(story_id, "story")
    return await desk.cached(request, ("provenance", story_id), lambda: render_provenance(desk, story_id),
                             preparing=lambda _stories, retry: render_preparing(desk, story_id, retry))


def render_article(desk: Desk, article_id: str) -> tuple[int, bytes, str]:
    a = desk.backend.article(article_id)
    if a is None:
        raise ApiError(404, f"no article {article_id[:80]!r}", UNKNOWN_ARTICLE)
    return 200, desk.page("article.html", a=views.article_view(a), section="article"), HTML


@router.get("/articles/{article_id:path}")
async def article_page(request: Request, desk: DeskDep, article_id: str) -> Response:
    check_id(article_id, "article")
    return await desk.cached(request, ("article", article_id), lambda: render_article(desk, article_id))


@router.get("/sources")
async def sources_page(request: Request, desk: DeskDep) -> Response:
    return await desk.cached(request, ("sources",), lambda: (
        200, desk.page("sources.html", rows=desk.source_rows(), section="sources"), HTML))


@router.get("/corrections")
async def corrections_page(request: Request, desk: DeskDep, submitted: str | None = None) -> Response:
    sub = submitted if submitted and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", submitted) else None
    return await desk.cached(request, ("corrections", sub), lambda: (
        200, desk.page("corrections.html", rows=desk.correction_rows(), submitted=sub, section="corrections"),
        HTML))


@router.post("/corrections")
async def correction_form(request: Request, desk: DeskDep) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise ApiError(400, "send the form as application/x-www-form-urlencoded", BAD_REQUEST)
    host = request.headers.get("host")
    if not same_origin(request.headers, request.url.scheme, host):
        raise ApiError(403, "this form can only be sent from this site's own pages")
    try:
        fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "the form could not be read", BAD_REQUEST) from None

    def one(name: str) -> str:
        values = fields.get(name) or [""]
        return values[0]

    kind, target_id = one("target_type"), one("target_id")
    message, contact = one("message").strip(), one("contact").strip() or None
    if kind not in TARGET_TYPES or not target_id or len(target_id) > ID_MAX:
        raise ApiError(400, "the form names no fact, article or story to correct", BAD_REQUEST)
    if not desk.tokens.verify(one("token"), f"{kind}:{target_id}"):
        raise ApiError(403, "the form has expired or was not issued by this site: reload the page and try again")
    if not message:
        raise ApiError(400, "please describe the error", BAD_REQUEST)
    if len(message) > 4000 or (contact and len(contact) > 200):
        raise ApiError(400, "the report is too long (4000 characters at most, contact 200)", BAD_REQUEST)
    client = request.client.host if request.client else "?"
    if not desk.corrections_limit.allow(client):
        raise ApiError(429, "too many reports from your address; please wait a minute")
    cid = await desk.run(desk.save_correction, kind, target_id, message, contact)
    desk.changed()
    return RedirectResponse(f"/corrections?submitted={quote(str(cid), safe='')}#correction-{anchor(cid)}",
                            status_code=303)


@router.get("/static/app.css")
async def css(request: Request, desk: DeskDep) -> Response:
    headers = {"ETag": desk.css_etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == desk.css_etag:
        return Response(status_code=304, headers=headers)
    return Response(desk.css, media_type="text/css; charset=utf-8", headers=headers)


@router.get("/favicon.ico")
async def favicon() -> Response:
    return Response(status_code=204)


@router.get("/healthz")
async def healthz(desk: DeskDep) -> dict[str, Any]:
    return {"ok": True, "revision": await desk.revision()}


# ---- /docs: the API reference from the app's own OpenAPI schema ------------------------------------------


def render_docs(desk: Desk, app: FastAPI) -> tuple[int, bytes, str]:
    spec = app.openapi()
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
                       "type": schema_type(p.get("schema", {})), "description": p.get("description", "")}
                      for p in op.get("parameters", [])]
            body = None
            content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
            if content:
                body = json.dumps(example(content.get("schema", {}), spec), indent=2)
            responses = [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()]
            endpoints.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                              "description": op.get("description", ""), "params": params, "body": body,
                              "responses": responses, "auth": method.lower() == "post",
                              "anchor": anchor(method + path)})
    return 200, desk.page("docs.html", api=spec, endpoints=endpoints, section="docs"), HTML


@router.get("/docs")
async def docs(request: Request, desk: DeskDep) -> Response:
    return await desk.cached(request, ("docs",), lambda: render_docs(desk, request.app))


def schema_type(schema: dict[str, Any]) -> str:
    """A JSON schema's type in words ("string | null", a model's name)."""
    if "type" in schema:
        return str(schema["type"])
    if "anyOf" in schema:
        return " | ".join(schema_type(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    return "any"


def example(schema: dict[str, Any], spec: dict[str, Any], depth: int = 0) -> Any:
    """A skeleton value for a JSON schema (for the docs page)."""
    if depth > 4:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example(spec.get("components", {}).get("schemas", {}).get(name, {}), spec, depth + 1)
    if "anyOf" in schema:
        opts = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return example(opts[0], spec, depth + 1) if opts else None
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    if "const" in schema:
        return schema["const"]
    t = schema.get("type")
    if t == "object":
        return {k: example(v, spec, depth + 1) for k, v in schema.get("properties", {}).items()}
    if t == "array":
        return [example(schema.get("items", {}), spec, depth + 1)]
    return {"string": "string", "integer": 0, "number": 0.0, "boolean": False}.get(str(t))
