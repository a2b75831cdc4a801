"""RSS / Atom / RDF feeds: parse fetched bytes with feedparser (it never fetches anything itself).

An item is a pointer to a page, not an article: the ingester fetches each item's link as a full page
and cleans it like any page. The item's title, date and author go along as metadata.
"""

from __future__ import annotations

import html
import io
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

_TAG = re.compile(r"<[^>]*>")


@dataclass(slots=True)
class FeedItem:
    link: str | None
    title: str | None = None
    published: str | None = None  # ISO 8601 (UTC) when the feed gives a parseable date
    author: str | None = None
    id: str | None = None


@dataclass(slots=True)
class ParsedFeed:
    url: str
    title: str | None
    version: str  # feedparser's name of the format ("rss20", "atom10", ...) or "" when not a feed
    items: list[FeedItem] = field(default_factory=list)
    problem: str | None = None  # why the XML is malformed (feedparser's bozo exception), if it is

    @property
    def is_feed(self) -> bool:
        return bool(self.version) or bool(self.items)


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError):
        return None


def _clean(value: object) -> str | None:
    """Plain text: tags dropped, entities decoded, whitespace collapsed (titles may be HTML)."""
    if not isinstance(value, str):
        return None
    if "<" in value or "&" in value:
        value = html.unescape(_TAG.sub(" ", value))
    value = " ".join(value.split())
    return value or None


def parse_feed(content: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed body. Links are made absolute against the feed URL; duplicates are dropped."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never a str/bytes: feedparser would treat a string as a URL or a file name to open.
    d = feedparser.parse(io.BytesIO(content), response_headers=headers, resolve_relative_uris=True,
                         sanitize_html=True)
    problem = None
    if d.get("bozo"):
        exc = d.get("bozo_exception")
        # An encoding label that differs from the bytes is recoverable and not a malformed feed.
        if exc is not None and not isinstance(exc, feedparser.CharacterEncodingOverride):
            problem = f"{type(exc).__name__}: {exc}"
    feed = d.get("feed", {})
    items: list[FeedItem] = []
    seen: set[str] = set()
    for e in d.get("entries", []):
        link = _clean(e.get("link"))
        if not link:
            for alt in e.get("links", []) or []:
                if alt.get("href") and alt.get("rel", "alternate") == "alternate":
                    link = alt["href"]
                    break
        if not link and e.get("id") and str(e.get("id")).startswith(("http://", "https://")) \
                and e.get("guidislink", True):
            link = str(e.get("id"))
        if link:
            link = urljoin(url, link.strip())
            if link in seen:
                continue
            seen.add(link)
        items.append(FeedItem(link=link, title=_clean(e.get("title")),
                              published=_iso(e.get("published_parsed") or e.get("updated_parsed")),
                              author=_clean(e.get("author")), id=_clean(e.get("id"))))
    return ParsedFeed(url=url, title=_clean(feed.get("title")), version=d.get("version") or "", items=items,
                      problem=problem)
