"""A real HTTP server on 127.0.0.1 (a thread) serving our fictional pages and feeds, good and broken.

Nothing here touches the internet: the server binds 127.0.0.1 only; redirects to other addresses point at
other loopback addresses (127.0.0.2, 127.0.0.3) that nothing listens on, so a guard failure would show as
a refused connection, never as traffic leaving the machine.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parent / "fixtures" / "site"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
BIG = 300_000  # bytes of the oversized pages; tests cap at 100_000


@dataclass
class Hit:
    path: str
    headers: dict[str, str]


@dataclass
class Server:
    base: str
    port: int
    hits: list[Hit] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits]

    def count(self, path: str) -> int:
        return self.paths().count(path)

    def last(self, path: str) -> Hit:
        with self.lock:
            return [h for h in self.hits if h.path == path][-1]

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()
            self.counters.clear()

    def url(self, path: str) -> str:
        return self.base + path


def _page(title: str, n: int) -> bytes:
    para = ("Harbour works continued through the week as crews replaced the timber fenders along the quay, "
            "and the harbour master said the schedule had not slipped. ")
    return (f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            + "".join(f"<p>{para}{i}</p>" for i in range(n)) + "</article></body></html>").encode()


def make_handler(server: Server) -> type[BaseHTTPRequestHandler]:
    def bump(key: str) -> int:
        with server.lock:
            server.counters[key] = server.counters.get(key, 0) + 1
            return server.counters[key]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes = b"", ctype: str | None = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None, length: bool = True) -> None:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        def file(self, rel: str, ctype: str, headers: dict[str, str] | None = None) -> None:
            data = (SITE / rel).read_bytes().replace(b"{base}", server.base.encode())
            self.send(200, data, ctype, headers)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with server.lock:
                server.hits.append(Hit(path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(path)
            if route is not None:
                route(self)
                return
            if path.startswith("/chain/"):
                n = int(path.rsplit("/", 1)[1])
                if n == 0:
                    self.file("news/bridge-inspection.html", "text/html; charset=utf-8")
                else:
                    self.send(302, b"", None, {"Location": f"/chain/{n - 1}"})
                return
            target = SITE / path.lstrip("/")
            if path.endswith("/") or not target.is_file() or ".." in path:
                self.send(404, b"<h1>Not found</h1>")
                return
            ctype = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                     ".xml": "application/rss+xml"}.get(target.suffix, "application/octet-stream")
            if path == "/atom.xml":
                ctype = "application/atom+xml"
            if path == "/not-a-feed.xml":
                ctype = "application/xml"
            self.file(path.lstrip("/"), ctype)

    def etag_feed(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send(304, b"", None, {"ETag": '"v1"'}, length=True)
        else:
            h.file("feed.xml", "application/rss+xml; charset=utf-8", {"ETag": '"v1"'})

    def lm_feed(h: BaseHTTPRequestHandler) -> None:
        stamp = "Sat, 15 Mar 2031 10:00:00 GMT"
        if h.headers.get("If-Modified-Since") == stamp:
            h.send(304, b"", None)
        else:
            h.file("atom.xml", "application/atom+xml", {"Last-Modified": stamp})

    def etag_page(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"p1"':
            h.send(304, b"", None, {"ETag": '"p1"'})
        else:
            h.file("news/council-budget.html", "text/html; charset=utf-8", {"ETag": '"p1"'})

    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)
        h.send(200, _page("Slow page", 3))

    def flaky(h: BaseHTTPRequestHandler) -> None:
        if bump("flaky") == 1:
            h.send(503, b"busy", "text/plain", {"Retry-After": "0"})
        else:
            h.file("news/library-reopens.html", "text/html; charset=utf-8")

    def slow_429(h: BaseHTTPRequestHandler) -> None:
        if bump("429") == 1:
            h.send(429, b"slow down", "text/plain", {"Retry-After": "3"})
        else:
            h.file("news/bridge-inspection.html", "text/html; charset=utf-8")

    def gzip_bomb(h: BaseHTTPRequestHandler) -> None:
        body = gzip.compress(b"<p>" + b" " * 2_000_000 + b"</p>")
        h.send(200, body, "text/html", {"Content-Encoding": "gzip"})

    def latin1(h: BaseHTTPRequestHandler) -> None:
        body = ("<html><head><title>Café on the quay reopens</title></head><body><article><h1>Café on the quay "
                "reopens</h1><p>The café at the end of the fish quay in Kestrel Bay reopened on Sunday under a new "
                "owner, Renée Tallis, who said the menu would stay the same.</p><p>The café had been closed since "
                "the autumn, when the previous owner retired after thirty years.</p></article></body></html>")
        h.send(200, body.encode("latin-1"), "text/html; charset=iso-8859-1")

    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
        "/feed-etag.xml": etag_feed,
        "/feed-lm.xml": lm_feed,
        "/page-etag.html": etag_page,
        "/slow": slow,
        "/flaky": flaky,
        "/always-503": lambda h: h.send(503, b"down", "text/plain", {"Retry-After": "0"}),
        "/too-many": slow_429,
        "/forever-429": lambda h: h.send(429, b"no", "text/plain", {"Retry-After": "3600"}),
        "/gone": lambda h: h.send(410, b"gone"),
        "/missing": lambda h: h.send(404, b"<h1>Not found</h1>"),
        "/image.png": lambda h: h.send(200, PNG, "image/png"),
        "/png-as-html": lambda h: h.send(200, PNG + b"\x00" * 64, "text/html"),
        "/big.html": lambda h: h.send(200, _page("Big", BIG // 200)),
        "/big-unsized.html": lambda h: h.send(200, _page("Big", BIG // 200), length=False),
        "/gzip-bomb.html": gzip_bomb,
        "/latin1.html": latin1,
        "/untyped": lambda h: h.send(200, (SITE / "news/ferry-strike.html").read_bytes(), None),
        "/feed-octet": lambda h: h.send(200, (SITE / "feed.xml").read_bytes().replace(
            b"{base}", server.base.encode()), "application/octet-stream"),
        "/pdf": lambda h: h.send(200, b"%PDF-1.4\n%fake\n", "application/pdf"),
        "/redirect-to-page": lambda h: h.send(301, b"", None, {"Location": "/news/ferry-strike.html"}),
        "/redirect-loopback": lambda h: h.send(302, b"", None, {
            "Location": f"http://127.0.0.2:{server.port}/news/ferry-strike.html"}),
        "/redirect-internal-name": lambda h: h.send(302, b"", None, {
            "Location": f"http://intranet.test:{server.port}/news/ferry-strike.html"}),
        "/redirect-file": lambda h: h.send(302, b"", None, {"Location": "file:///etc/passwd"}),
        "/redirect-loop": lambda h: h.send(302, b"", None, {"Location": "/redirect-loop"}),
        "/redirect-nowhere": lambda h: h.send(302, b"", None),
        "/empty.html": lambda h: h.send(200, b"   \n"),
    }
    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hanging up early is expected
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def http_server() -> Iterator[Server]:
    httpd = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = httpd.server_address[1]
    server = Server(base=f"http://127.0.0.1:{port}", port=port)
    httpd.RequestHandlerClass = make_handler(server)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def site(http_server: Server) -> Server:
    http_server.reset()
    return http_server


@pytest.fixture
def fast_config():
    """Fetch settings for tests: local addresses allowed, no politeness delay, short timeouts."""
    from parallax.ingest.fetch import FetchConfig

    def make(**kw):
        base = {"allow_private": True, "min_interval": 0.0, "timeout": 2.0, "retries": 1, "backoff": 0.0,
                "max_bytes": 100_000}
        base.update(kw)
        return FetchConfig(**base)

    return make
