"""Security of the web app: headers, request size limits, bearer tokens, form tokens, a rate limit.

- Every response carries a strict Content-Security-Policy: no script at all (`default-src 'none'`), styles
  and images from our own origin only, forms may post only to us, no framing, no <base>.
- Bodies over the limit are refused with 413 before the app reads them: by Content-Length, and a body
  sent without one (chunked) is read up to the limit before the app sees any of it.
- Write endpoints of the JSON API need `Authorization: Bearer <PARALLAX_API_TOKEN>`; with no token
  configured they are off (403). The token is checked before the body is read (`WriteAuth`): an
  unauthenticated client costs no parsing and learns nothing of the body's schema.
- The reader's "report an error" form posts to a same-origin route: it carries a per-form signed token
  (HMAC of the form's target and the day) and the request's Origin (or Sec-Fetch-Site) must be ours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # same-origin: our own form posts keep their Origin header; links out to articles send no referrer
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeaders:
    """Pure ASGI middleware: adds SECURITY_HEADERS to every HTTP response (unless the app set one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Pure ASGI middleware: answers HEAD like GET, without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return
        scope = dict(scope, method="GET")

        async def no_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)}
            await send(message)

        await self.app(scope, receive, no_body)


def json_error_body(status: int, message: str, **extra: Any) -> bytes:
    return json.dumps({"error": {"status": status, "message": message, **extra}}).encode()


class BodySizeLimit:
    """Pure ASGI middleware: refuses request bodies over `max_bytes` (per path prefix) with a JSON 413."""

    def __init__(self, app: ASGIApp, max_bytes: int = 64 * 1024, limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits = sorted((limits or {}).items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        for prefix, n in self.limits:
            if path.startswith(prefix):
                return n
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared: int | None = None
        for key, value in scope.get("headers") or []:
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _send_json(send, 400, json_error_body(400, "invalid Content-Length header"))
                    return
                if declared > limit:
                    await _send_json(send, 413, json_error_body(
                        413, f"request body too large: {declared} bytes, the limit is {limit}"))
                    return
        if declared is None:
            # No length given (chunked): read the body up to the limit before the app sees it, so that an
            # oversized one is a 413 here and not a parse error later.
            messages: list[Message] = []
            seen = 0
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                seen += len(message.get("body", b""))
                if seen > limit:
                    await _send_json(send, 413, json_error_body(
                        413, f"request body too large: over {limit} bytes"))
                    return
                if not message.get("more_body", False):
                    break
            replay = iter(messages)

            async def buffered_receive() -> Message:
                try:
                    return next(replay)
                except StopIteration:
                    return await receive()

            await self.app(scope, buffered_receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge as exc:
            if not started:
                await _send_json(send, 413, json_error_body(
                    413, f"request body too large: the limit is {exc.limit} bytes"))


class WriteAuth:
    """Pure ASGI middleware: the bearer token of the write endpoints, checked before the body is read.

    `token_of()` gives the configured token (None: writes are off, 403). Requests with other methods than
    POST, or to other paths, pass untouched."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...], token_of: Callable[[], str | None]) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.token_of = token_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        auth = None
        for key, value in scope.get("headers") or []:
            if key == b"authorization":
                auth = value.decode("latin-1")
        problem = check_bearer(auth, self.token_of())
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, message = problem
        extra = [(b"www-authenticate", b'Bearer realm="parallax"')] if status == 401 else []
        await _send_json(send, status, json_error_body(status, message), extra)


class _TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


async def _send_json(send: Send, status: int, body: bytes,
                     extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------------------------------------------------
# bearer token for the JSON write endpoints


def check_bearer(authorization: str | None, expected: str | None) -> tuple[int, str] | None:
    """None when the request may write; else (status, message)."""
    if not expected:
        return 403, "write endpoints are off: the operator has not set PARALLAX_API_TOKEN"
    if not authorization:
        return 401, "missing bearer token: send 'Authorization: Bearer <token>'"
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return 401, "malformed Authorization header: use 'Authorization: Bearer <token>'"
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return 401, "invalid bearer token"
    return None


# ---------------------------------------------------------------------------------------------------------
# per-form tokens and same-origin checks for the reader's form


class FormTokens:
    """Stateless per-form tokens: HMAC(secret, form | day). Valid the day they are issued and the next."""

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)

    @staticmethod
    def day(now: float | None = None) -> int:
        return int((time.time() if now is None else now) // 86400)

    def issue(self, form: str, day: int | None = None) -> str:
        d = self.day() if day is None else day
        mac = hmac.new(self.secret, f"{form}|{d}".encode(), hashlib.sha256).hexdigest()[:32]
        return f"{d}.{mac}"

    def verify(self, token: str | None, form: str) -> bool:
        if not token or "." not in token:
            return False
        d_text, _, _mac = token.partition(".")
        try:
            d = int(d_text)
        except ValueError:
            return False
        if d not in (self.day(), self.day() - 1):
            return False
        return hmac.compare_digest(self.issue(form, d), token)


def same_origin(headers: Any, scheme: str, host: str | None) -> bool:
    """True unless the browser tells us the request comes from another site.

    Browsers send Origin on every form POST (Referrer-Policy same-origin keeps it real for our own
    pages) and Sec-Fetch-Site; clients that send neither are not browsers, and CSRF is about browsers.
    """
    site = headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if not referer:
            return True
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin == "null" or not host:
        return False
    return origin.lower() == f"{scheme}://{host}".lower()


class RateLimit:
    """At most `count` events per `per` seconds per key (a client address); in memory."""

    def __init__(self, count: int = 10, per: float = 60.0) -> None:
        self.count = count
        self.per = per
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._events.setdefault(key, deque())
            while q and now - q[0] > self.per:
                q.popleft()
            if len(q) >= self.count:
                return False
            q.append(now)
            if len(self._events) > 10_000:  # forget idle clients
                for k in [k for k, v in self._events.items() if not v]:
                    del self._events[k]
            return True
