"""Story rows of the store: listing, lineage (merges and splits), recorded brief versions, hand merges."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from parallax.errors import error
from parallax.store import schema as S
from parallax.store.engine import as_datetime

log = logging.getLogger(__name__)


def quick_headline(rows: list[Any]) -> str:
    """A headline without briefing: the most neutral title of the largest origin group."""
    if not rows:
        return ""
    from parallax.config import settings
    from parallax.stages.loaded import neutrality

    neutral = settings().brief.headline_neutral  # the brief's own test of a neutral title
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r.group_id or r.id] = sizes.get(r.group_id or r.id, 0) + 1
    titled = [r for r in rows if r.title]
    if not titled:
        return rows[0].id
    best = max(titled, key=lambda r: (neutrality(r.title) >= neutral, sizes[r.group_id or r.id], -len(r.title)))
    return best.title


class StoriesMixin:
    """Story rows (mixed into `parallax.store.Store`)."""

    def _resolve_story(self, conn: Connection, sid: str | None) -> str | None:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            nxt = conn.execute(select(S.stories.c.merged_into).where(S.stories.c.id == sid)).scalar_one_or_none()
            if not nxt:
                return sid
            sid = nxt
        return sid


    def merge_stories(self, a: str, b: str) -> str:
        """Merge two stories by hand (an editor's call): the smaller into the larger (the older on a tie);
        the emptied story redirects to the survivor. Returns the surviving id."""
        self.require_writable("merge stories")
        with self.engine.begin() as conn:
            return self._merge_stories(conn, a, b)

    def _merge_stories(self, conn: Connection, a: str, b: str) -> str:
        st = S.stories.c
        rows = {r.id: r for r in conn.execute(select(S.stories).where(st.id.in_([a, b]))).all()}
        keep, drop = sorted([a, b], key=lambda s: (-rows[s].n_articles, rows[s].created_at, s))
        conn.execute(update(S.articles).where(S.articles.c.story_id == drop).values(story_id=keep))
        conn.execute(update(S.stories).where(st.merged_into == drop).values(merged_into=keep))
        conn.execute(update(S.stories).where(st.id == drop).values(merged_into=keep, n_articles=0))
        moved = set(conn.execute(select(S.articles.c.id).where(S.articles.c.story_id == keep)).scalars())
        self._retrace_story(conn, keep, moved)  # origin groups are per story: the merged story's anew
        self._touch_story(conn, keep, None, S.utcnow())
        log.info("merged story %s into %s", drop, keep)
        return keep

    def _touch_story(self, conn: Connection, sid: str | None, day: date | None, now: datetime) -> None:
        if not sid:
            return
        ac = S.articles.c
        n, first, last = conn.execute(select(func.count(), func.min(ac.day), func.max(ac.day)).where(
            ac.story_id == sid, ac.superseded_by.is_(None))).one()
        conn.execute(update(S.stories).where(S.stories.c.id == sid).values(
            n_articles=n, first_day=first, last_day=last, updated_at=now))


    def resolve_story(self, story_id: str) -> str | None:
        """The current id of a story (following merges), or None if unknown."""
        with self.engine.connect() as conn:
            if conn.execute(select(S.stories.c.id).where(S.stories.c.id == story_id)).first() is None:
                return None
            return self._resolve_story(conn, story_id)

    def list_stories(self, since: datetime | date | None = None, limit: int = 50, offset: int = 0,
                     day: date | None = None, ids: list[str] | None = None) -> list[dict[str, Any]]:
        """Stories, most recently updated first: id, headline, articles (ids), origins, updated (ISO), days,
        and `split_from` (the story this one was split off, else None).

        `since` keeps stories updated since then; `day` keeps stories with an article dated that day; `ids`
        only these stories (current ids, see `resolve_story`).
        """
        if limit < 0 or offset < 0:
            raise error("PX302", f"limit {limit}, offset {offset}", "limit and offset must not be negative")
        st, ac = S.stories.c, S.articles.c
        q = (select(S.stories).where(st.merged_into.is_(None), st.n_articles > 0)
             .order_by(st.updated_at.desc(), st.id).limit(limit).offset(offset))
        if since is not None:
            q = q.where(st.updated_at >= as_datetime(since))
        if ids is not None:
            q = q.where(st.id.in_(list(ids)))
        if day is not None:
            q = q.where(st.id.in_(select(ac.story_id).where(ac.day == day, ac.superseded_by.is_(None))))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            ids = [r.id for r in rows]
            members: dict[str, list[Any]] = {i: [] for i in ids}
            if ids:
                for r in conn.execute(select(ac.id, ac.story_id, ac.title, ac.group_id, ac.published, ac.source)
                                      .where(ac.story_id.in_(ids), ac.superseded_by.is_(None))
                                      .order_by(ac.added_at, ac.id)).all():
                    members[r.story_id].append(r)
            headlines = self._latest_headlines(conn, ids)
        out = []
        for r in rows:
            arts = members[r.id]
            out.append({"id": r.id, "headline": headlines.get(r.id) or quick_headline(arts),
                        "articles": [a.id for a in arts], "origins": len({a.group_id or a.id for a in arts}),
                        "outlets": len({(a.source or "").lower() for a in arts if a.source}),
                        "updated": r.updated_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
                        "first_day": r.first_day.isoformat() if r.first_day else None,
                        "last_day": r.last_day.isoformat() if r.last_day else None,
                        "split_from": r.split_from})
        return out

    def story_lineage(self, story_id: str) -> dict[str, Any] | None:
        """Where a story came from and what left it: {id (current, after merges), split_from, split_off
        (stories split off it), merged (stories merged into it)}, each other story as {id, headline}; None
        if unknown. A reader of a story that lost articles to a split learns where they went."""
        st, ac = S.stories.c, S.articles.c
        with self.engine.connect() as conn:
            if conn.execute(select(st.id).where(st.id == story_id)).first() is None:
                return None
            sid = self._resolve_story(conn, story_id)
            parent = conn.execute(select(st.split_from).where(st.id == sid)).scalar_one_or_none()
            parent = self._resolve_story(conn, parent) if parent else None
            off = [self._resolve_story(conn, x) for x in
                   conn.execute(select(st.id).where(st.split_from == sid).order_by(st.created_at, st.id)).scalars()]
            merged = list(conn.execute(select(st.id).where(st.merged_into == sid)
                                       .order_by(st.updated_at, st.id)).scalars())
            ids = [x for x in dict.fromkeys([parent, *off]) if x and x != sid]
            heads = self._latest_headlines(conn, ids)
            for x in ids:
                if not heads.get(x):
                    arts = conn.execute(select(ac.id, ac.group_id, ac.title)
                                        .where(ac.story_id == x, ac.superseded_by.is_(None))
                                        .order_by(ac.added_at, ac.id)).all()
                    heads[x] = quick_headline(arts)

        def one(x: str) -> dict[str, str]:
            return {"id": x, "headline": heads.get(x) or x}

        return {"id": sid, "split_from": one(parent) if parent and parent != sid else None,
                "split_off": [one(x) for x in dict.fromkeys(off) if x and x != sid],
                "merged": merged}

    def _latest_headlines(self, conn: Connection, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        b = S.briefs.c
        latest = (select(b.story_id, func.max(b.version).label("v")).where(b.story_id.in_(ids))
                  .group_by(b.story_id).subquery())
        rows = conn.execute(select(b.story_id, b.story_json).join(
            latest, (latest.c.story_id == b.story_id) & (latest.c.v == b.version))).all()
        return {r.story_id: json.loads(r.story_json).get("headline") for r in rows}

    def story_days(self) -> list[date]:
        """Days that have articles, newest first."""
        ac = S.articles.c
        with self.engine.connect() as conn:
            return list(conn.execute(select(ac.day).where(ac.superseded_by.is_(None)).distinct()
                                     .order_by(ac.day.desc())).scalars())

    def brief_versions(self, story_id: str) -> list[dict[str, Any]]:
        """Recorded briefs of a story, oldest first: version, created_at, length, story (dict)."""
        b = S.briefs.c
        with self.engine.connect() as conn:
            sid = self._resolve_story(conn, story_id) or story_id
            rows = conn.execute(select(S.briefs).where(b.story_id == sid).order_by(b.version)).all()
        return [{"version": r.version, "created_at": r.created_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
                 "length": r.length, "articles_key": r.articles_key, "story": json.loads(r.story_json)}
                for r in rows]

    def latest_brief_key(self, story_id: str, length: str) -> str | None:
        """The articles key of the story's latest recorded brief at `length` (None when there is none): whether
        a brief is current, without reading any brief."""
        b = S.briefs.c
        with self.engine.connect() as conn:
            sid = self._resolve_story(conn, story_id) or story_id
            return conn.execute(select(b.articles_key).where(b.story_id == sid, b.length == length)
                                .order_by(b.version.desc()).limit(1)).scalar()

    def record_brief(self, story_id: str, story_dict: dict[str, Any], length: str, articles_key: str) -> int:
        """Record a brief as the story's next version; returns the version number."""
        self.require_writable("record a brief")
        b = S.briefs.c
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    v = conn.execute(select(func.max(b.version)).where(b.story_id == story_id)).scalar() or 0
                    conn.execute(insert(S.briefs).values(
                        story_id=story_id, version=v + 1, created_at=S.utcnow(), length=length,
                        articles_key=articles_key, story_json=json.dumps(story_dict, ensure_ascii=False)))
                    return v + 1
            except IntegrityError:
                continue  # a concurrent writer took the number
        raise error("PX503", story_id, "could not record a brief")
