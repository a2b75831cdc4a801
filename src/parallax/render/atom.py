"""The one Atom (RFC 4287) writer: entries for story brief versions and daily briefings, and the feed.

Both feeds Parallax publishes are written here: `parallax feed` (`parallax.desk.feed.atom_feed`, over the
store) and the web app's `/feeds/daily.atom` (over whatever the app serves). One id scheme, so that a
reader subscribed to both sees one entry per brief version:

- a story's brief, version N:   ``urn:parallax:story:{story id}:v{N}``
- the daily briefing of a day:  ``urn:parallax:daily:{YYYY-MM-DD}``

A brief that was never recorded (a batch brief, `parallax serve --from`) is version 1.

    entries = [story_entry(story, updated=..., link=...), daily_entry(day, stories, updated=...)]
    xml = feed_xml(entries, feed_id="urn:parallax:feed:briefs", title="Parallax briefs")

Entry content is HTML (type="html"), every piece of text escaped; the XML is written by ElementTree, with
characters that XML 1.0 forbids removed, so that hostile page text cannot break the feed.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from parallax.model import Story
from parallax.text.dates import iso_utc

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
DEFAULT_FEED_ID = "urn:parallax:feed:briefs"
STORY_UPDATE = "story-update"  # entry categories
DAILY = "daily"

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def story_entry_id(story_id: str, version: int | None) -> str:
    """The id of a story brief's version: urn:parallax:story:{story id}:v{version} (unrecorded: v1)."""
    return f"urn:parallax:story:{story_id}:v{version or 1}"


def daily_entry_id(day: date) -> str:
    """The id of a day's briefing: urn:parallax:daily:{YYYY-MM-DD}."""
    return f"urn:parallax:daily:{day.isoformat()}"


@dataclass(frozen=True)
class Entry:
    """One Atom entry: `content` is HTML (escaped when written); `updated` an ISO 8601 instant."""

    id: str
    title: str
    updated: str
    content: str
    category: str
    link: str | None = None


def _clean(text: object) -> str:
    return _NOT_XML.sub("", "" if text is None else str(text))


def _stamp(value: Any) -> str:
    return iso_utc(value) or iso_utc(datetime.now(UTC)) or ""


def story_html(story: Story | dict[str, Any], changes: dict[str, Any] | None = None) -> str:
    """A story brief as the HTML of a feed entry: coverage, what changed, the facts, the disputes."""
    d = story if isinstance(story, dict) else story.to_dict()
    cov = d.get("coverage") or {}
    parts = [f"<p>{html.escape(str(cov.get('articles', len(d.get('articles') or []))))} articles, "
             f"{html.escape(str(cov.get('origin_groups', '?')))} independent origins.</p>"]
    if changes:
        bits = []
        for key, label in (("new", "new facts"), ("changed", "changed"), ("gone", "gone"),
                           ("disputes_appeared", "disputes appeared"), ("disputes_settled", "disputes settled")):
            if changes.get(key):
                bits.append(f"{len(changes[key])} {label}")
        if bits:
            parts.append(f"<p>Since the previous brief: {html.escape(', '.join(bits))}.</p>")
    items = "".join(f"<li>{html.escape(f['text'])} <small>({html.escape(f['status'])}, "
                    f"{f['support']} origin{'s' if f['support'] != 1 else ''})</small></li>"
                    for f in d.get("facts") or [])
    parts.append(f"<ol>{items}</ol>")
    for x in d.get("disputes") or []:
        vals = " / ".join(html.escape(v["value"]) for v in x["variants"])
        parts.append(f"<p>Sources differ on {html.escape(x['about'])}: {vals}</p>")
    return "".join(parts)


def story_entry(story: Story, *, updated: Any = None, changes: dict[str, Any] | None = None,
                link: str | None = None, version: int | None = None) -> Entry:
    """The entry of one version of a story's brief.

    version: default `story.coverage["version"]` (the store's recorded version; 1 when not recorded).
    updated: when that version was made (default: now). link: the story's page, when there is one."""
    v = version or story.coverage.get("version") or 1
    title = story.headline or story.id
    return Entry(id=story_entry_id(story.id, v), title=f"{title} (update {v})" if v > 1 else title,
                 updated=_stamp(updated), content=story_html(story, changes), category=STORY_UPDATE, link=link)


def daily_entry(day: date, stories: Sequence[Story], *, updated: Any = None, link: str | None = None) -> Entry:
    """The entry of a day's briefing: each story's headline and brief, in the briefing's order."""
    body = "".join(f"<h3>{k}. {html.escape(s.headline or s.id)}</h3>{story_html(s)}"
                   for k, s in enumerate(stories, 1))
    n = len(stories)
    return Entry(id=daily_entry_id(day), title=f"Daily briefing, {day.isoformat()}: {n} stor{'y' if n == 1 else 'ies'}",
                 updated=_stamp(updated), content=body, category=DAILY, link=link)


def feed_xml(entries: Iterable[Entry], *, title: str, feed_id: str = DEFAULT_FEED_ID, self_url: str | None = None,
             alternate_url: str | None = None, updated: Any = None) -> str:
    """The feed as XML text, newest entry first. `updated` defaults to the newest entry's time (else now)."""
    items = sorted(entries, key=lambda e: e.updated, reverse=True)
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: _clean(v) for k, v in attrs.items()})
        if text is not None:
            el.text = _clean(text)
        return el

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", _stamp(updated) if updated is not None else (items[0].updated if items else _stamp(None)))
    author = sub(feed, "author")
    sub(author, "name", "Parallax")
    sub(feed, "generator", "parallax")
    if self_url:
        sub(feed, "link", rel="self", href=self_url)
    if alternate_url:
        sub(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    for e in items:
        el = sub(feed, "entry")
        sub(el, "id", e.id)
        sub(el, "title", e.title)
        sub(el, "updated", e.updated)
        sub(el, "category", term=e.category)
        if e.link:
            sub(el, "link", rel="alternate", type="text/html", href=e.link)
        sub(el, "content", e.content, type="html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
