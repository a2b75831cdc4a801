"""Fetch one URL politely and safely: the guarded client, redirects, retries, rate limit, size cap.

`Fetcher.fetch(url, kind=...)`:
- checks the URL (guard) and robots.txt (cached per host, fetched through this same client);
- waits for the host's turn (a minimum interval between requests to one host; robots.txt's
  Crawl-delay is honoured when it is longer, up to a cap);
- sends a clear User-Agent and, when given, If-None-Match / If-Modified-Since (a 304 is "not modified");
- follows redirects by hand (at most `max_redirects`), each hop re-checked by the guard;
- retries timeouts, broken connections, 5xx and 429 with exponential backoff (honouring Retry-After),
  never other 4xx;
- streams the body and stops past `max_bytes`; checks the content type before reading the body.
Every failure is a `FetchError` (PX4xx) naming the URL.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import httpx

from parallax.config import DEFAULT_USER_AGENT, FetchConfig, settings
from parallax.ingest.errors import FetchError, fetch_error
from parallax.ingest.guard import GuardedTransport, Network, Resolver, check_url
from parallax.ingest.robots import RobotsCache
from parallax.stages.read import decode_bytes, looks_binary

log = logging.getLogger(__name__)


Kind = Literal["page", "feed", "any", "robots"]

PAGE_TYPES = {"text/html", "application/xhtml+xml", "text/plain"}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "text/rss+xml", "text/atom+xml"}  # (feedparser does not read JSON Feed)
# No type, or a type that says nothing: the body decides (sniffed after reading).
SNIFF_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/x-unknown",
               "text/x-unknown", "unknown/unknown"}
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUS = {429, 500, 502, 503, 504, 520, 521, 522, 523, 524}


@dataclass(slots=True)
class FetchResult:
    url: str  # final URL, after redirects
    requested: str
    status: int
    content: bytes = b""
    content_type: str = ""  # mime type, lower case, no parameters
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = field(default_factory=list)
    not_modified: bool = False
    elapsed: float = 0.0

    def text(self) -> str:
        """The body as text: the charset from the headers when it decodes cleanly, else sniffed."""
        if self.charset and not looks_binary(self.content):
            try:
                text = self.content.decode(self.charset)
                if text.strip():
                    return text.removeprefix("\ufeff")
            except (LookupError, UnicodeDecodeError):
                pass
        return decode_bytes(self.content, self.url)  # sniffs; refuses empty and binary bodies


def parse_content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset" and v.strip():
            charset = v.strip().strip("\"'").lower()
    return parts[0].lower(), charset


def sniff_feed(head: bytes) -> bool:
    """Does this body start like an RSS / Atom / RDF feed?"""
    h = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if h.startswith(b"<?xml"):
        end = h.find(b"?>")
        h = h[end + 2 :].lstrip() if end >= 0 else h
        while h.startswith((b"<!--", b"<?")):  # comments and stylesheet instructions before the root
            close = h.find(b"-->" if h.startswith(b"<!--") else b"?>")
            if close < 0:
                return False
            h = h[close + 3 :].lstrip() if h.startswith(b"<!--") else h[close + 2 :].lstrip()
    return h.startswith((b"<rss", b"<feed", b"<rdf:rdf", b"<rdf"))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HostLimiter:
    """A minimum interval between two requests to one host (thread-safe)."""

    def __init__(self, interval: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self._next: dict[str, float] = {}
        self._extra: dict[str, float] = {}
        self._lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock

    def set_interval(self, host: str, seconds: float) -> None:
        with self._lock:
            self._extra[host] = seconds

    def wait(self, host: str) -> float:
        """Block until `host` may be asked again; return the seconds waited."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(host, 0.0))
            self._next[host] = at + max(self.interval, self._extra.get(host, 0.0))
        delay = at - now
        if delay > 0:
            self._sleep(delay)
        return max(0.0, delay)


class Fetcher:
    """A guarded, polite HTTP client. Use as a context manager (or call close())."""

    def __init__(self, config: FetchConfig | None = None, *, resolver: Resolver | None = None,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None):

        self.config = cfg = config or settings().fetch
        nets: Iterable[str | Network] = cfg.allow_networks
        self.guard = GuardedTransport(allow_private=cfg.allow_private, allow_networks=nets, resolver=resolver,
                                      verify=cfg.verify)
        self._resolver = resolver
        self._sleep = sleep
        self.limiter = HostLimiter(cfg.min_interval, sleep=sleep)
        self.client = httpx.Client(transport=transport or self.guard, follow_redirects=False, trust_env=False,
                                   timeout=httpx.Timeout(cfg.timeout), headers={"User-Agent": cfg.user_agent})
        self.robots = RobotsCache(self)
        self.requests = 0  # HTTP requests sent (all hops and retries), for the summary

    # -- context manager
    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()
        self.guard.close()

    def check(self, url: str | httpx.URL):
        return check_url(url, allow_private=self.config.allow_private, allow_networks=self.config.allow_networks,
                         resolver=self._resolver)

    # -- the one public call
    def fetch(self, url: str, *, kind: Kind = "page", etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:
        cfg = self.config
        start = time.monotonic()
        checked = self.check(url)
        current = checked.url
        if kind != "robots" and cfg.respect_robots:
            self.robots.require(current)
        headers: dict[str, str] = {"Accept": _ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen: list[str] = []
        for _hop in range(cfg.max_redirects + 1):
            seen.append(str(current))
            result = self._get(current, headers, kind, requested=url, redirects=seen[:-1])
            if isinstance(result, FetchResult):
                result.elapsed = time.monotonic() - start
                return result
            target = result
            if str(target) in seen:
                raise fetch_error("PX407", url, f"loop back to {target}")
            try:
                self.check(target)  # a clear error naming the hop (the transport checks again when connecting)
                if kind != "robots" and cfg.respect_robots and target.host != current.host:
                    self.robots.require(target)
            except FetchError as exc:
                err = FetchError(f"redirect to {target}: {exc.message}", input=url, code=exc.code)
                err.status = exc.status
                raise err from exc
            current = target
        raise fetch_error("PX407", url, f"more than {cfg.max_redirects} redirects")

    # -- one hop, with retries
    def _get(self, url: httpx.URL, headers: dict[str, str], kind: Kind, *, requested: str,
             redirects: list[str]) -> FetchResult | httpx.URL:
        cfg = self.config
        host = url.host
        attempt = 0
        while True:
            self.limiter.wait(host)
            self.requests += 1
            wait: float | None = None
            why = ""
            try:
                with self.client.stream("GET", url, headers=headers) as resp:
                    status = resp.status_code
                    if status in REDIRECTS:
                        loc = resp.headers.get("location")
                        if not loc:
                            raise fetch_error("PX407", requested, f"HTTP {status} without Location")
                        try:
                            return url.join(loc.strip())
                        except (httpx.InvalidURL, ValueError) as exc:
                            raise fetch_error("PX407", requested, f"bad Location {loc!r}") from exc
                    if status == 304:
                        return self._result(resp, url, requested, redirects, b"", not_modified=True)
                    if status in RETRY_STATUS:
                        wait = _retry_after(resp.headers.get("retry-after"))
                        why = f"HTTP {status}"
                        if wait is not None and wait > cfg.max_retry_after:
                            raise fetch_error("PX404", requested,
                                              f"HTTP {status}, Retry-After {wait:.0f}s is over the "
                                              f"{cfg.max_retry_after:.0f}s we wait", status=status)
                        if attempt >= cfg.retries:
                            raise fetch_error("PX404", requested, f"HTTP {status} {resp.reason_phrase}".strip()
                                              + (f" after {attempt + 1} attempts" if attempt else ""),
                                              status=status)
                    elif status >= 400:
                        raise fetch_error("PX404", requested, f"HTTP {status} {resp.reason_phrase}".strip(),
                                          status=status)
                    elif not 200 <= status < 300:
                        raise fetch_error("PX404", requested, f"unexpected HTTP {status}", status=status)
                    else:
                        body = self._read(resp, kind, requested)
                        return self._result(resp, url, requested, redirects, body)
            except httpx.TimeoutException as exc:
                why = f"timed out ({type(exc).__name__})"
                if attempt >= cfg.retries:
                    raise fetch_error("PX405", requested, f"{cfg.timeout:g}s, {attempt + 1} attempts") from exc
            except FetchError:
                raise
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                why = f"{type(exc).__name__}: {exc}"
                if attempt >= cfg.retries:
                    raise fetch_error("PX406", requested, f"{why}, {attempt + 1} attempts") from exc
            except httpx.ConnectError as exc:  # refused / unreachable / TLS: not worth hammering
                raise fetch_error("PX406", requested, str(exc) or type(exc).__name__) from exc
            except httpx.TransportError as exc:
                raise fetch_error("PX406", requested, f"{type(exc).__name__}: {exc}") from exc
            except (httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError) as exc:
                # anything else the client can fail with (a header it cannot parse, a bad redirect URL ...)
                raise fetch_error("PX400", requested, f"{type(exc).__name__}: {exc}") from exc
            if wait is None:
                wait = min(cfg.max_backoff, cfg.backoff * (2 ** attempt))
            log.info("retrying %s in %.1fs (%s)", requested, wait, why)
            self._sleep(wait)
            attempt += 1

    def _read(self, resp: httpx.Response, kind: Kind, requested: str) -> bytes:
        cfg = self.config
        mime, _ = parse_content_type(resp.headers.get("content-type"))
        if kind != "robots":
            allowed = {"page": PAGE_TYPES, "feed": FEED_TYPES, "any": PAGE_TYPES | FEED_TYPES}[kind]
            if mime not in allowed and mime not in SNIFF_TYPES:
                raise fetch_error("PX409", requested, f"{mime} for a {'page' if kind == 'any' else kind}")
        limit = cfg.max_bytes if kind != "robots" else min(cfg.max_bytes, 512_000)
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit and "content-encoding" not in resp.headers:
            raise fetch_error("PX408", requested, f"Content-Length {declared} > {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        t0 = time.monotonic()
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise fetch_error("PX408", requested, f"stopped reading past {limit} bytes")
            chunks.append(chunk)
            if time.monotonic() - t0 > cfg.deadline:
                raise fetch_error("PX405", requested, f"body not complete after {cfg.deadline:g}s")
        return b"".join(chunks)

    def _result(self, resp: httpx.Response, url: httpx.URL, requested: str, redirects: list[str], body: bytes,
                *, not_modified: bool = False) -> FetchResult:
        mime, charset = parse_content_type(resp.headers.get("content-type"))
        return FetchResult(url=str(url), requested=requested, status=resp.status_code, content=body,
                           content_type=mime, charset=charset, etag=resp.headers.get("etag"),
                           last_modified=resp.headers.get("last-modified"), redirects=list(redirects),
                           not_modified=not_modified)


_ACCEPT: dict[str, str] = {
    "page": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8",
    "feed": "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,application/xml;q=0.8,"
            "text/xml;q=0.8",
    "any": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml;q=0.9,"
           "application/xml;q=0.8,text/xml;q=0.8,text/plain;q=0.7",
    "robots": "text/plain",
}

__all__ = ["DEFAULT_USER_AGENT", "FetchConfig", "FetchError", "FetchResult", "Fetcher", "HostLimiter",
           "sniff_feed"]
