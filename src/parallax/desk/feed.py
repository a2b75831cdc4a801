"""The store's Atom feed (`parallax feed`): one entry per story brief version, and one per daily briefing.

The entries and the XML come from `parallax.render.atom` (the one Atom writer, also behind the web app's
`/feeds/daily.atom`); this module only chooses what goes in from the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from parallax.desk.briefs import brief_story, compare_stories, daily, story_from_dict
from parallax.render.atom import DEFAULT_FEED_ID, Entry, daily_entry, feed_xml, story_entry

if TYPE_CHECKING:
    from parallax.store import Store


def atom_feed(store: Store, *, stories: int = 30, days: int = 7, title: str = "Parallax briefs",
              feed_id: str | None = None, self_url: str | None = None, length: str = "short") -> str:
    """The feed as XML text: the latest brief of the `stories` most recently updated stories (briefing any
    story whose articles changed, which records a new version) and the last `days` daily briefings."""
    entries: list[Entry] = []
    for row in store.list_stories(limit=stories):
        story = brief_story(store, row["id"], length=length, record=True)
        versions = [v for v in store.brief_versions(row["id"]) if v["length"] == length]
        cur = versions[-1] if versions else None
        prev = story_from_dict(versions[-2]["story"]) if len(versions) > 1 else None
        changes = compare_stories(prev, story) if prev else None
        version = story.coverage.get("version") or (cur["version"] if cur else 1)
        entries.append(story_entry(story, version=version, changes=changes,
                                   updated=cur["created_at"] if cur else None))
    for day in store.story_days()[:days]:
        brief = daily(store, day, length=length)
        if not brief.stories:
            continue
        updated = max(datetime.fromisoformat(r["updated"]) for r in store.list_stories(day=day, limit=1000))
        entries.append(daily_entry(day, brief.stories, updated=updated))
    return feed_xml(entries, feed_id=feed_id or DEFAULT_FEED_ID, title=title, self_url=self_url)
