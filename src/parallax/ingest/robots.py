"""robots.txt: fetched once per origin through the guarded fetcher, parsed by urllib.robotparser, cached.

What an answer means (RFC 9309): 2xx → its rules; 4xx (none there) → everything allowed; 5xx, a timeout
or a broken connection → everything disallowed for this run (the site may be down; we do not guess).
A guard refusal (private address) is not turned into "allowed": the page fetch fails the same way.
Crawl-delay for our agent (or `*`) lengthens the per-host interval, up to `max_crawl_delay`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.robotparser import RobotFileParser

import httpx

from parallax.ingest.errors import FetchError, fetch_error

log = logging.getLogger(__name__)

ROBOTS_AGENT = "Parallax"  # the product token robots.txt rules are matched against


class _Rules:
    def __init__(self, parser: RobotFileParser | None, allow_all: bool, note: str = ""):
        self.loaded = time.monotonic()
        self.parser = parser
        self.allow_all = allow_all
        self.note = note  # why everything is disallowed, when it is

    def allows(self, agent: str, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(agent, url)


class RobotsCache:
    def __init__(self, fetcher: Any):  # a parallax.ingest.fetch.Fetcher (fetch, limiter, config)
        self.fetcher = fetcher
        self._rules: dict[str, _Rules] = {}
        self._lock = threading.Lock()

    def expire(self, max_age: float = 3600.0) -> None:
        """Forget rules older than `max_age` seconds (a long `watch` re-reads robots.txt hourly)."""
        now = time.monotonic()
        with self._lock:
            self._rules = {k: r for k, r in self._rules.items() if now - r.loaded < max_age}

    @staticmethod
    def origin(url: httpx.URL) -> str:
        port = f":{url.port}" if url.port else ""
        host = url.raw_host.decode("ascii")
        host = f"[{host}]" if ":" in host else host
        return f"{url.scheme}://{host}{port}"

    def rules_for(self, url: httpx.URL) -> _Rules:
        key = self.origin(url)
        with self._lock:
            cached = self._rules.get(key)
        if cached is not None:
            return cached
        rules = self._load(key)
        with self._lock:
            self._rules[key] = rules
        return rules

    def _load(self, origin: str) -> _Rules:

        robots_url = origin + "/robots.txt"
        try:
            res = self.fetcher.fetch(robots_url, kind="robots")
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _Rules(None, allow_all=True)
            if exc.code in ("PX401", "PX402", "PX403"):
                raise
            log.info("robots.txt of %s unavailable: %s", origin, exc)
            return _Rules(None, allow_all=False, note=f"robots.txt unavailable: {exc.code} {exc.message}")
        text = res.content.decode("utf-8", "replace")
        parser = RobotFileParser(robots_url)
        parser.parse(text.splitlines())
        delay = parser.crawl_delay(ROBOTS_AGENT)
        if delay:
            host = httpx.URL(origin).host
            self.fetcher.limiter.set_interval(host, min(float(delay), self.fetcher.config.max_crawl_delay))
        return _Rules(parser, allow_all=True)

    def allowed(self, url: httpx.URL | str) -> bool:

        u = url if isinstance(url, httpx.URL) else httpx.URL(url)
        return self.rules_for(u).allows(ROBOTS_AGENT, str(u))

    def require(self, url: httpx.URL) -> None:
        """Raise PX410 if robots.txt forbids `url` to our agent."""

        rules = self.rules_for(url)
        if not rules.allows(ROBOTS_AGENT, str(url)):
            raise fetch_error("PX410", str(url), rules.note or f"for user agent {ROBOTS_AGENT!r}")
