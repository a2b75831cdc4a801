"""How the app answers failures: JSON under /api/ and /feeds/, an error page for readers; never a stack trace.

Every JSON error is `{"error": {"status": N, "message": "...", "code": "PXnnn"}}`; `code` is a
`parallax.errors` catalogue code and is present when one applies (a bad request PX302, an unsupported URL
PX401, an unknown story PX501, an unexpected failure PX000, or the code of a library error).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from parallax.errors import ParallaxError
from parallax.web.backend import BackendError
from parallax.web.state import (
    BAD_REQUEST,
    HTML,
    NO_SUCH_PATH,
    UNEXPECTED,
    UNKNOWN_STORY,
    ApiError,
    invalid_status,
    is_api,
)

log = logging.getLogger(__name__)

TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
          413: "Too large", 429: "Too many reports", 500: "Something went wrong"}
_CODE = re.compile(r"PX\d{3}")


def error_response(request: Request, status: int, message: str, code: str | None = None) -> Response:
    """The answer to a failed request: JSON for the API (and any method but GET/HEAD/POST), else a page."""
    if is_api(request.url.path) or request.method not in ("GET", "HEAD", "POST"):
        body = {"status": status, "message": message, **({"code": code} if code else {})}
        return JSONResponse({"error": body}, status_code=status)
    page = request.app.state.desk.page("error.html", status=status, title=TITLES.get(status, "Error"),
                                       message=message, section=None)
    return Response(page, status_code=status, media_type=HTML)


def first_error(exc: RequestValidationError) -> tuple[str, str]:
    """The message of a request that failed validation (its first five problems) and its catalogue code."""
    msgs, code = [], None
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid value"))
        kind = str(err.get("type", ""))
        if kind == "json_invalid":
            msg = "the body is not valid JSON"
        elif code is None and _CODE.fullmatch(kind):
            code = kind  # a validator that raised a catalogued error (see routes.api.IngestIn)
        msgs.append(f"{loc}: {msg}" if loc else msg)
    return "invalid request: " + "; ".join(msgs), code or BAD_REQUEST


def public_message(exc: ParallaxError) -> str:
    """A library error's words for an answer: a store error (PX5xx but an unknown story) without its input,
    which is the server's database path or URL (`--db`)."""
    if exc.code.startswith("PX5") and exc.code != UNKNOWN_STORY:
        return f"{exc.code} {exc.message}"
    return str(exc)


def status_of(exc: ParallaxError) -> int:
    """The HTTP status of a library error: 404 unknown story, 403 a read-only store (writes are off),
    503 a store that cannot serve (newer schema, disk full, cannot open), 500 internal or model errors,
    else 400."""
    if exc.code == UNKNOWN_STORY:
        return 404
    if exc.code == "PX505":
        return 403
    if exc.code in ("PX504", "PX506", "PX507", "PX508"):
        return 503
    if exc.code[:3] in ("PX0", "PX2"):
        return 500
    return 400


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path (a path served by several
    routers, e.g. GET and POST /api/corrections, lists them all), HEAD with GET."""
    from starlette.routing import Match

    methods: set[str] = set()
    scope = dict(request.scope, method="GET")

    def visit(routes: Any) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)  # FastAPI's included routers
            if inner is not None:
                visit(inner.routes)
                continue
            try:
                match, _ = route.matches(scope)
            except Exception:  # a route kind that cannot match this scope
                continue
            if match in (Match.FULL, Match.PARTIAL) and getattr(route, "methods", None):
                methods.update(route.methods)

    visit(request.app.router.routes)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Register the app's exception handlers."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.message, exc.code)

    @app.exception_handler(BackendError)
    async def _backend_error(request: Request, exc: BackendError) -> Response:
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(ParallaxError)
    async def _library_error(request: Request, exc: ParallaxError) -> Response:
        status = status_of(exc)
        if status == 500:
            log.error("%s on %s %s", exc, request.method, request.url.path)
            return error_response(request, 500, "internal error; it has been logged", exc.code)
        return error_response(request, status, public_message(exc), exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        code = None
        if exc.status_code == 404 and message == "Not Found":
            message, code = f"nothing at {request.url.path[:200]}", NO_SUCH_PATH
        elif exc.status_code == 405:
            message = f"method {request.method} not allowed here"
        resp = error_response(request, exc.status_code, message, code)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        if exc.status_code == 405:
            resp.headers["Allow"] = ", ".join(allowed_methods(request))
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        status = invalid_status(request.url.path)
        message, code = first_error(exc)
        return error_response(request, status, message, code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):  # a coded answer, never the SQL
            from parallax.store.engine import translate

            err = translate(exc)
            log.error("%s on %s %s", err, request.method, request.url.path)
            log.debug("database error", exc_info=True)
            status = status_of(err)
            if status in (400, 500):
                return error_response(request, 500, f"{err.code} the store failed; it has been logged", err.code)
            return error_response(request, status, str(err), err.code)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal error; it has been logged", UNEXPECTED)
