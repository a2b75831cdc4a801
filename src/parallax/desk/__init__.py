"""The news desk over the Store: story briefs with versions, what changed, the daily briefing, coverage, feeds.

`briefs` holds the library calls behind `parallax stories | daily | brief --story`; `feed` the Atom feed.
Measurements of the store live in the repository's bench/ (`python -m bench.desk --measure ...`).
"""

from parallax.desk.briefs import (
    NotBriefed,
    articles_key,
    brief_story,
    brief_story_text,
    changes_markdown,
    changes_since_last,
    compare_stories,
    coverage,
    coverage_from_articles,
    daily,
    daily_text,
    story_brief,
    story_from_dict,
)
from parallax.text.dates import parse_since

__all__ = [
    "NotBriefed", "articles_key", "brief_story", "brief_story_text", "changes_markdown", "changes_since_last",
    "compare_stories",
    "coverage", "coverage_from_articles", "daily", "daily_text", "parse_since", "story_brief", "story_from_dict",
]
