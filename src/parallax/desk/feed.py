"""An Atom feed (RFC 4287) of briefs: one entry per story brief version, and one per daily briefing."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from parallax.text.dates import iso_utc

if TYPE_CHECKING:
    from parallax.model import Story
    from parallax.store import Store

ATOM = "http://www.w3.org/2005/Atom"




def _story_html(story: Story | dict[str, Any], changes: dict[str, Any] | None = None) -> str:
    d = story if isinstance(story, dict) else story.to_dict()
    cov = d.get("coverage") or {}
    parts = [f"<p>{html.escape(str(cov.get('articles', len(d['articles']))))} articles, "
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
                    f"{f['support']} origin{'s' if f['support'] != 1 else ''})</small></li>" for f in d["facts"])
    parts.append(f"<ol>{items}</ol>")
    for x in d.get("disputes", []):
        vals = " / ".join(html.escape(v["value"]) for v in x["variants"])
        parts.append(f"<p>Sources differ on {html.escape(x['about'])}: {vals}</p>")
    return "".join(parts)


def atom_feed(store: Store, *, stories: int = 30, days: int = 7, title: str = "Parallax briefs",
              feed_id: str | None = None, self_url: str | None = None, length: str = "short") -> str:
    """The feed as XML text: the latest brief of the `stories` most recently updated stories (briefing any
    story whose articles changed, which records a new version) and the last `days` daily briefings."""
    from parallax.desk import brief_story, compare_stories, daily, story_from_dict

    entries: list[tuple[str, ET.Element]] = []
    for row in store.list_stories(limit=stories):
        story = brief_story(store, row["id"], length=length, record=True)
        versions = [v for v in store.brief_versions(row["id"]) if v["length"] == length]
        cur = versions[-1] if versions else None
        prev = story_from_dict(versions[-2]["story"]) if len(versions) > 1 else None
        changes = compare_stories(prev, story) if prev else None
        version = story.coverage.get("version") or (cur["version"] if cur else 1)
        updated = iso_utc(cur["created_at"]) if cur else iso_utc(datetime.now(UTC))
        e = ET.Element(f"{{{ATOM}}}entry")
        ET.SubElement(e, f"{{{ATOM}}}id").text = f"urn:parallax:story:{row['id']}:v{version}"
        ET.SubElement(e, f"{{{ATOM}}}title").text = f"{story.headline} (update {version})"
        ET.SubElement(e, f"{{{ATOM}}}updated").text = updated
        ET.SubElement(e, f"{{{ATOM}}}category", term="story-update")
        ET.SubElement(e, f"{{{ATOM}}}content", type="html").text = _story_html(story, changes)
        entries.append((updated, e))
    for day in store.story_days()[:days]:
        brief = daily(store, day, length=length)
        if not brief.stories:
            continue
        updated = iso_utc(max(datetime.fromisoformat(r["updated"]) for r in store.list_stories(day=day, limit=1000)))
        e = ET.Element(f"{{{ATOM}}}entry")
        ET.SubElement(e, f"{{{ATOM}}}id").text = f"urn:parallax:daily:{day.isoformat()}"
        ET.SubElement(e, f"{{{ATOM}}}title").text = f"Daily briefing, {day.isoformat()}: {len(brief.stories)} stories"
        ET.SubElement(e, f"{{{ATOM}}}updated").text = updated
        ET.SubElement(e, f"{{{ATOM}}}category", term="daily")
        body = "".join(f"<h3>{k}. {html.escape(s.headline)}</h3>{_story_html(s)}"
                       for k, s in enumerate(brief.stories, 1))
        ET.SubElement(e, f"{{{ATOM}}}content", type="html").text = body
        entries.append((updated, e))
    entries.sort(key=lambda t: t[0], reverse=True)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id or "urn:parallax:feed:briefs"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = entries[0][0] if entries else iso_utc(datetime.now(UTC))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Parallax"
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "parallax"
    if self_url:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    for _, e in entries:
        feed.append(e)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def markdownish_html(text: str, title: str = "Parallax") -> str:
    """A minimal standalone HTML page showing Markdown-ish text (headings, list items, paragraphs), escaped."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("## "):
            out.append(f"<h2>{html.escape(s[3:])}</h2>")
        elif s.startswith("# "):
            out.append(f"<h1>{html.escape(s[2:])}</h1>")
        elif s.startswith("- "):
            indent = " style=\"margin-left:2em\"" if line.startswith("  ") else ""
            out.append(f"<p{indent}>• {html.escape(s[2:])}</p>")
        elif s:
            out.append(f"<p>{html.escape(s)}</p>")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"</head><body>{''.join(out)}</body></html>\n")
