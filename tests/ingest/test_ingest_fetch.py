"""The fetcher against the local server: types, sizes, timeouts, retries, redirects, robots, conditional GET."""

from __future__ import annotations

import time

import pytest

from parallax.errors import InputRejected
from parallax.ingest.errors import FetchError
from parallax.ingest.fetch import DEFAULT_USER_AGENT, Fetcher, HostLimiter, sniff_feed


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(round(seconds, 3))


def fetcher(cfg, **kw) -> Fetcher:
    return Fetcher(cfg, sleep=kw.pop("sleep", Sleeps()), **kw)


def failure(f: Fetcher, url: str, **kw) -> FetchError:
    with pytest.raises(FetchError) as ei:
        f.fetch(url, **kw)
    assert ei.value.input == url
    return ei.value


def test_page_with_user_agent_and_robots(site, fast_config) -> None:
    with fetcher(fast_config()) as f:
        res = f.fetch(site.url("/news/ferry-strike.html"))
        assert res.status == 200 and res.content_type == "text/html" and res.charset == "utf-8"
        assert "Ferry crews in Kestrel Bay" in res.text()
        f.fetch(site.url("/news/council-budget.html"))
    assert site.paths() == ["/robots.txt", "/news/ferry-strike.html", "/news/council-budget.html"]
    assert site.last("/news/ferry-strike.html").headers["user-agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("Parallax/") and "(+https://" in DEFAULT_USER_AGENT


def test_custom_user_agent(site, fast_config) -> None:
    with fetcher(fast_config(user_agent="DeskBot/2 (+mailto:desk@example.org)")) as f:
        f.fetch(site.url("/news/ferry-strike.html"))
    assert site.last("/news/ferry-strike.html").headers["user-agent"] == "DeskBot/2 (+mailto:desk@example.org)"


def test_robots_disallow_is_never_requested(site, fast_config) -> None:
    with fetcher(fast_config()) as f:
        err = failure(f, site.url("/private/secret.html"))
        assert err.code == "PX410"
        assert f.robots.allowed(site.url("/news/ferry-strike.html"))
        assert not f.robots.allowed(site.url("/no-parallax/x.html"))  # our own agent's section
    assert "/private/secret.html" not in site.paths()
    assert site.count("/robots.txt") == 1  # cached per host


def test_ignore_robots_when_asked(site, fast_config) -> None:
    with fetcher(fast_config(respect_robots=False)) as f:
        assert f.fetch(site.url("/private/secret.html")).status == 200
    assert "/robots.txt" not in site.paths()


def test_404_is_not_retried(site, fast_config) -> None:
    with fetcher(fast_config(retries=3)) as f:
        err = failure(f, site.url("/missing"))
        assert err.code == "PX404" and err.status == 404 and "HTTP 404" in err.message
        assert failure(f, site.url("/gone")).status == 410
    assert site.count("/missing") == 1 and site.count("/gone") == 1


def test_timeout_is_retried_then_reported(site, fast_config) -> None:
    sleeps = Sleeps()
    t0 = time.monotonic()
    with fetcher(fast_config(timeout=0.2, retries=1, backoff=0.5), sleep=sleeps) as f:
        err = failure(f, site.url("/slow"))
    assert err.code == "PX405" and "2 attempts" in err.message
    assert sleeps == [0.5]  # exponential backoff: 0.5, then 1.0 ...
    assert site.count("/slow") == 2
    assert time.monotonic() - t0 < 1.5


def test_5xx_is_retried_with_retry_after(site, fast_config) -> None:
    sleeps = Sleeps()
    with fetcher(fast_config(retries=2, backoff=5.0), sleep=sleeps) as f:
        assert "Saltwick library" in f.fetch(site.url("/flaky")).text()
        assert sleeps == [0.0]  # Retry-After: 0 wins over the backoff
        err = failure(f, site.url("/always-503"))
    assert err.code == "PX404" and err.status == 503 and "3 attempts" in err.message
    assert site.count("/always-503") == 3


def test_429_honours_retry_after_and_refuses_long_waits(site, fast_config) -> None:
    sleeps = Sleeps()
    with fetcher(fast_config(retries=2), sleep=sleeps) as f:
        assert f.fetch(site.url("/too-many")).status == 200
        assert sleeps == [3.0]
        err = failure(f, site.url("/forever-429"))
    assert err.code == "PX404" and "Retry-After 3600s" in err.message
    assert site.count("/forever-429") == 1


def test_content_types(site, fast_config) -> None:
    with fetcher(fast_config()) as f:
        err = failure(f, site.url("/image.png"))
        assert err.code == "PX409" and "image/png" in err.message
        assert failure(f, site.url("/pdf")).code == "PX409"
        # A binary body that lies about its type is caught by the reader's sniffing.
        with pytest.raises(InputRejected) as ei:
            f.fetch(site.url("/png-as-html")).text()
        assert ei.value.code == "PX103"
        # No Content-Type: the body decides.
        assert "Ferry crews" in f.fetch(site.url("/untyped")).text()
        # Feeds: typed, or sniffed from an octet-stream.
        assert f.fetch(site.url("/feed.xml"), kind="feed").content_type == "application/rss+xml"
        assert sniff_feed(f.fetch(site.url("/feed-octet"), kind="feed").content)
        assert failure(f, site.url("/news/ferry-strike.html"), kind="feed").code == "PX409"


def test_charset_from_headers(site, fast_config) -> None:
    with fetcher(fast_config()) as f:
        res = f.fetch(site.url("/latin1.html"))
    assert res.charset == "iso-8859-1" and "Renée Tallis" in res.text()


@pytest.mark.parametrize("path, detail", [("/big.html", "Content-Length"),
                                          ("/big-unsized.html", "stopped reading past"),
                                          ("/gzip-bomb.html", "stopped reading past")])
def test_size_cap_is_streamed(site, fast_config, path: str, detail: str) -> None:
    with fetcher(fast_config(max_bytes=100_000)) as f:
        err = failure(f, site.url(path))
    assert err.code == "PX408" and detail in err.message and "100000" in err.message


def test_redirects(site, fast_config) -> None:
    with fetcher(fast_config()) as f:
        res = f.fetch(site.url("/redirect-to-page"))
        assert res.url == site.url("/news/ferry-strike.html") and res.redirects == [site.url("/redirect-to-page")]
        assert f.fetch(site.url("/chain/5")).status == 200  # five hops is the limit
        err = failure(f, site.url("/chain/6"))
        assert err.code == "PX407" and "more than 5 redirects" in err.message
        assert failure(f, site.url("/redirect-loop")).code == "PX407"
        assert failure(f, site.url("/redirect-nowhere")).code == "PX407"
        assert failure(f, site.url("/redirect-file")).code == "PX401"


def test_redirect_to_private_address_is_refused(site, fast_config) -> None:
    """Public-only guard (the test server's own address allowed as an exception): the hop is re-checked."""
    names = {"intranet.test": ["127.0.0.3"]}
    cfg = fast_config(allow_private=False, allow_networks=("127.0.0.1/32",))
    with fetcher(cfg, resolver=lambda host, port: names[host]) as f:
        assert f.fetch(site.url("/news/ferry-strike.html")).status == 200
        err = failure(f, site.url("/redirect-loopback"))
        assert err.code == "PX402" and "127.0.0.2 is loopback" in err.message
        err = failure(f, site.url("/redirect-internal-name"))
        assert err.code == "PX402" and "intranet.test -> 127.0.0.3 is loopback" in err.message
    with fetcher(fast_config(allow_private=False)) as f:
        err = failure(f, site.url("/news/ferry-strike.html"))
        assert err.code == "PX402" and "--allow-private" in err.message
    assert site.count("/news/ferry-strike.html") == 1  # only the allowed fetch reached the server


def test_conditional_get(site, fast_config) -> None:
    with fetcher(fast_config()) as f:
        first = f.fetch(site.url("/feed-etag.xml"), kind="feed")
        assert first.etag == '"v1"' and not first.not_modified
        again = f.fetch(site.url("/feed-etag.xml"), kind="feed", etag=first.etag)
        assert again.not_modified and again.status == 304 and again.content == b""
        lm = f.fetch(site.url("/feed-lm.xml"), kind="feed")
        assert f.fetch(site.url("/feed-lm.xml"), kind="feed", last_modified=lm.last_modified).not_modified
    assert site.last("/feed-etag.xml").headers["if-none-match"] == '"v1"'


def test_connection_refused_is_px406(fast_config) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with fetcher(fast_config(respect_robots=False)) as f:
        assert failure(f, f"http://127.0.0.1:{port}/x").code == "PX406"


def test_host_rate_limit() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        clock[0] += s

    lim = HostLimiter(2.0, sleep=sleep, clock=lambda: clock[0])
    lim.wait("a.example")
    lim.wait("b.example")  # another host: no wait
    lim.wait("a.example")
    lim.set_interval("a.example", 5.0)  # robots.txt Crawl-delay
    lim.wait("a.example")
    assert waits == [2.0, 2.0]
    lim.wait("a.example")
    assert waits[-1] == 5.0


def test_rate_limit_on_the_wire(site, fast_config) -> None:
    t0 = time.monotonic()
    with Fetcher(fast_config(min_interval=0.15)) as f:
        for _ in range(3):
            f.fetch(site.url("/news/council-budget.html"))
    assert time.monotonic() - t0 >= 0.45  # robots.txt + 3 pages, 0.15 s apart
