"""Feeds: `GET /feeds/daily.atom`, the daily briefing as Atom, written by `parallax.render.atom`.

One entry per story of the latest daily briefing, with the id scheme of `parallax feed`
(`urn:parallax:story:{id}:v{version}`), linking to the story's page on this site.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from parallax.render.atom import MEDIA_TYPE, feed_xml, story_entry
from parallax.web import views
from parallax.web.state import MAX_LIMIT, Desk, DeskDep

router = APIRouter()

TITLE = "Parallax daily brief"


def render_daily_atom(desk: Desk, base: str) -> tuple[int, bytes, str, bool]:
    """The stories whose brief is ready (those being prepared are queued, and come in a later fetch)."""
    brief = desk.backend.daily(None)
    preparing = desk.prepare_daily(brief)
    stamps = {r["id"]: r["updated"] for r in desk.backend.list_stories(limit=MAX_LIMIT)}
    entries = [story_entry(s, updated=stamps.get(s.id), link=base + views.story_href(s.id)) for s in brief.stories]
    xml = feed_xml(entries, title=TITLE, feed_id=f"{base}/feeds/daily.atom", self_url=f"{base}/feeds/daily.atom",
                   alternate_url=f"{base}/")
    return 200, xml.encode("utf-8"), MEDIA_TYPE, not preparing


@router.get("/feeds/daily.atom", summary="The daily briefing as an Atom feed",
            response_class=Response, responses={200: {"content": {"application/atom+xml": {}}}})
async def atom(request: Request, desk: DeskDep) -> Response:
    base = f"{request.url.scheme}://{request.headers.get('host') or 'localhost'}"
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]{1,260}", base):
        base = "http://localhost"
    return await desk.cached(request, ("atom", base), lambda: render_daily_atom(desk, base))
