"""What the web app reads and writes, behind one small interface (`Backend`).

Two implementations:

- `StoreBackend` wraps `parallax.store.Store` (the database): what `parallax serve` uses.
- `BriefBackend` wraps one in-memory `Brief` (from `parallax.pipeline.brief_paths`): for demos without a
  database (`parallax serve --from examples`) and for tests that need no store.

`as_backend(obj)` picks the right one, so `create_app(store)` accepts a Store, a Brief or a Backend.
Everything the app shows comes through here; nothing else in `parallax.web` touches the store.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, runtime_checkable

from parallax.errors import error
from parallax.model import Article, Brief, Story

# False while a call runs on the web desk's store thread (parallax.web.state.Desk.run): there a story brief
# that is not recorded yet is not computed; `parallax.desk.NotBriefed` says which to compute, elsewhere.
may_brief: ContextVar[bool] = ContextVar("parallax_may_brief", default=True)


class BackendError(Exception):
    """A request the backend cannot serve; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class IngestRecord:
    """A page posted to the API (already validated): its HTML or text and what is known about it."""

    html: str | None = None
    text: str | None = None
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published: str | None = None
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@runtime_checkable
class Backend(Protocol):
    """The reads and writes of the web app. Every method is synchronous; the app runs them off the loop."""

    def revision(self) -> str:
        """A token that changes whenever anything shown may have changed (cache key)."""

    def list_stories(self, since: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """[{id, headline, articles: [ids], origins, updated}], most independently covered first."""

    def story_brief(self, story_id: str) -> Brief | None:
        """The story (and its articles) as a one-story Brief, or None when there is no such story.

        A backend whose briefs are costly to compute raises `parallax.desk.NotBriefed` instead while
        `may_brief` is False (also from `daily`), and has `brief(story_id, length)` to compute and record
        one."""

    def changes(self, story_id: str) -> dict[str, Any] | None:
        """What changed since the previous version: {new, changed, gone, disputes_appeared, ...} or None."""

    def lineage(self, story_id: str) -> dict[str, Any] | None:
        """Splits and merges: {id, split_from: {id, headline} | None, split_off: [...], merged: [ids]} or None."""

    def daily(self, day: date | None = None) -> Brief:
        """The daily briefing (all stories of `day`; today's / the latest when None)."""

    def article(self, article_id: str) -> Article | None: ...

    def sources(self) -> list[dict[str, Any]]:
        """[{name, domain, articles, originals, copies, stories, first, last}]"""

    def add_correction(self, target_type: str, target_id: str, message: str, contact: str | None) -> str: ...

    def corrections(self) -> list[dict[str, Any]]:
        """[{id, target_type, target_id, message, created, status}] (contact details are never shown)"""

    def ingest(self, urls: list[str], pages: list[IngestRecord]) -> dict[str, Any]:
        """Fetch `urls` (SSRF-guarded) and add `pages`; returns a JSON summary."""


# ---------------------------------------------------------------------------------------------------------
# shared helpers


def _day_of(published: str | None) -> str | None:
    if not published or len(published) < 10:
        return None
    head = published[:10]
    try:
        date.fromisoformat(head)
    except ValueError:
        return None
    return head


def story_row(story: Story, articles: dict[str, Article]) -> dict[str, Any]:
    """A story as one row of `parallax stories --format json`."""
    arts = [articles[i] for i in story.articles if i in articles]
    origins = story.coverage.get("origin_groups") if isinstance(story.coverage, dict) else None
    if not isinstance(origins, int):
        origins = len({a.group if a.group is not None else "\0" + a.id for a in arts})
    stamps = sorted(a.published for a in arts if a.published)
    return {"id": story.id, "headline": story.headline, "articles": list(story.articles), "origins": origins,
            "updated": stamps[-1] if stamps else None}


def sources_from_articles(articles: list[Article], stories: list[Story]) -> list[dict[str, Any]]:
    """Each outlet's coverage, computed from the articles: originals vs copies and rewrites."""
    from urllib.parse import urlsplit

    story_of = {aid: s.id for s in stories for aid in s.articles}
    out: dict[str, dict[str, Any]] = {}
    for a in articles:
        name = a.source or "(unknown outlet)"
        try:
            domain = urlsplit(a.url).hostname if a.url else None
        except ValueError:
            domain = None
        row = out.setdefault(name, {"name": name, "domain": domain, "articles": 0, "originals": 0, "copies": 0,
                                    "stories": set(), "first": None, "last": None})
        row["domain"] = row["domain"] or domain
        row["articles"] += 1
        if a.derived_from:
            row["copies"] += 1
        else:
            row["originals"] += 1
        if a.id in story_of:
            row["stories"].add(story_of[a.id])
        day = _day_of(a.published)
        if day:
            row["first"] = min(filter(None, [row["first"], day]))
            row["last"] = max(filter(None, [row["last"], day]))
    rows = []
    for row in out.values():
        row["stories"] = len(row["stories"])
        rows.append(row)
    rows.sort(key=lambda r: (-r["articles"], r["name"].lower()))
    return rows


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------------------
# an in-memory brief


class BriefBackend:
    """One `Brief` in memory. Corrections are kept in memory; ingestion re-briefs all pages."""

    def __init__(self, brief: Brief) -> None:
        self._lock = threading.RLock()
        self._corrections: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._set(brief)

    def _set(self, brief: Brief) -> None:
        self.brief = brief
        self._articles = {a.id: a for a in brief.articles}
        self._stories = {s.id: s for s in brief.stories}
        digest = hashlib.sha256()
        for s in brief.stories:
            digest.update(json.dumps(s.to_dict(), sort_keys=True, default=str).encode())
        self._revision = digest.hexdigest()[:16]

    def revision(self) -> str:
        return self._revision

    def list_stories(self, since: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        rows = [story_row(s, self._articles) for s in self.brief.stories]
        if since:
            rows = [r for r in rows if r["updated"] and r["updated"] >= since]
        return rows[offset : offset + limit]

    def story_brief(self, story_id: str) -> Brief | None:
        story = self._stories.get(story_id)
        if story is None:
            return None
        arts = [self._articles[i] for i in story.articles if i in self._articles]
        return Brief(articles=arts, stories=[story], settings=dict(self.brief.settings))

    def changes(self, story_id: str) -> dict[str, Any] | None:
        return None  # one version only

    def lineage(self, story_id: str) -> dict[str, Any] | None:
        return None  # a batch brief has no history of splits or merges

    def daily(self, day: date | None = None) -> Brief:
        stories = self.brief.stories
        if day is not None:
            iso = day.isoformat()
            stories = [s for s in stories
                       if any(_day_of(self._articles[i].published) == iso for i in s.articles if i in self._articles)]
        ids = {i for s in stories for i in s.articles}
        return Brief(articles=[a for a in self.brief.articles if a.id in ids], stories=list(stories),
                     settings=dict(self.brief.settings))

    def article(self, article_id: str) -> Article | None:
        return self._articles.get(article_id)

    def sources(self) -> list[dict[str, Any]]:
        return sources_from_articles(self.brief.articles, self.brief.stories)

    def add_correction(self, target_type: str, target_id: str, message: str, contact: str | None) -> str:
        with self._lock:
            cid = str(next(self._ids))
            self._corrections.append({"id": cid, "target_type": target_type, "target_id": target_id,
                                      "message": message, "contact": contact, "created": _now(),
                                      "status": "open"})
        return cid

    def corrections(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in c.items() if k != "contact"} for c in reversed(self._corrections)]

    def ingest(self, urls: list[str], pages: list[IngestRecord]) -> dict[str, Any]:
        if urls:
            raise BackendError("fetching URLs needs the database store (parallax serve --db ...)", 501)
        from parallax.pipeline import brief_articles
        from parallax.stages.read import article_from_text

        with self._lock:
            new = []
            for n, p in enumerate(pages):
                body = p.html if p.html is not None else (p.text or "")
                new.append(article_from_text(body, id=p.id, input=f"api page {n}", html=p.html is not None,
                                             url=p.url, source=p.source, title=p.title, published=p.published))
            # re-read every page from its raw text so the whole set is traced and grouped again
            old = [article_from_text(a.raw, id=a.id, input=a.input, html=False, url=a.url, source=a.source,
                                     title=a.title, published=a.published) for a in self.brief.articles]
            brief = brief_articles(old + new, length=str(self.brief.settings.get("length", "standard")))
            self._set(brief)
        return {"added": [a.id for a in new], "errors": [e.to_dict() for e in brief.errors],
                "stories": len(brief.stories)}


# ---------------------------------------------------------------------------------------------------------
# the database store


class StoreBackend:
    """`parallax.store.Store`, as the web app needs it (the only place that knows the store).

    Reading a story records its brief as a new version when its articles changed since the last one
    (`parallax.desk.story_brief(record=True)`); "what changed" compares the last two recorded versions.
    While `may_brief` is False, `story_brief` and `daily` only read recorded briefs (NotBriefed otherwise);
    `brief` computes and records one.
    """

    LENGTH = "standard"

    def __init__(self, store: Any, *, allow_private: bool = False) -> None:
        self.store = store
        self.allow_private = allow_private
        # briefs of a store that records none (read-only): computed once, kept here
        self.memo: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

    def revision(self) -> str:
        from sqlalchemy import func, select

        from parallax.store import schema as S

        def one(expr: Any, table: Any) -> Any:
            return select(expr).select_from(table).scalar_subquery()

        q = select(one(func.count(), S.stories), one(func.max(S.stories.c.updated_at), S.stories),
                   one(func.count(), S.articles), one(func.max(S.briefs.c.id), S.briefs),
                   one(func.max(S.corrections.c.id), S.corrections), one(func.count(), S.sources),
                   one(func.max(S.sources.c.updated_at), S.sources))
        with self.store.engine.connect() as conn:
            row = conn.execute(q).first()
        return hashlib.sha256(repr(tuple(row or ())).encode()).hexdigest()[:16]

    def list_stories(self, since: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        when = datetime.fromisoformat(since) if since else None
        rows = self.store.list_stories(since=when, limit=limit, offset=offset)
        return [{"id": r["id"], "headline": r.get("headline") or "", "articles": list(r.get("articles") or []),
                 "origins": r.get("origins") or 0, "updated": _iso(r.get("updated"))} for r in rows]

    def _exists(self, story_id: str) -> bool:
        return self.store.resolve_story(story_id) is not None

    def story_brief(self, story_id: str) -> Brief | None:
        if not self._exists(story_id):
            return None
        from parallax.desk import story_brief

        return story_brief(self.store, story_id, length=self.LENGTH, record=True,
                           cached_only=not may_brief.get(), memo=self.memo)

    def brief(self, story_id: str, length: str) -> None:
        """Compute and record the story's brief at `length` unless it is recorded for its current articles
        (kept in memory instead on a store that records nothing)."""
        from parallax.desk import brief_story

        brief_story(self.store, story_id, length=length, record=True, memo=self.memo)

    def outline(self, story_id: str) -> dict[str, Any] | None:
        """What is cheap to show of a story whose brief is not ready: {id, headline, articles: [{id, title,
        source, url, published}]} (no brief), or None when there is no such story."""
        sid = self.store.resolve_story(story_id)
        if sid is None:
            return None
        rows = self.store.list_stories(limit=1, ids=[sid])
        headline = rows[0].get("headline") or "" if rows else ""
        arts = self.store.article_heads(sid)
        return {"id": sid, "headline": headline, "articles": arts}

    def unbriefed(self) -> list[tuple[str, str]]:
        """(story id, length) of every brief the desk shows that is not recorded for its story's current
        articles: the latest day's stories at the daily length first, then every story at the story length;
        most independently covered first."""
        from parallax.desk import articles_key

        rows = self.store.list_stories(limit=100_000)
        rows.sort(key=lambda r: (-(r.get("origins") or 0), -len(r.get("articles") or []), r["id"]))
        days = self.store.story_days()
        latest = {r["id"] for r in self.store.list_stories(day=days[0], limit=100_000)} if days else set()
        out: list[tuple[str, str]] = []
        for length, wanted in (("short", [r for r in rows if r["id"] in latest]), (self.LENGTH, rows)):
            for r in wanted:
                key = articles_key(list(r.get("articles") or []))
                kept = self.memo.get((r["id"], length))
                if kept is not None and kept[0] == key:
                    continue
                same = [v for v in self.store.brief_versions(r["id"]) if v["length"] == length]
                if not same or same[-1]["articles_key"] != key:
                    out.append((r["id"], length))
        return out

    def changes(self, story_id: str) -> dict[str, Any] | None:
        from parallax.desk import compare_stories, story_from_dict

        sid = self.store.resolve_story(story_id)
        if sid is None:
            return None
        versions = [v for v in self.store.brief_versions(sid) if v["length"] == self.LENGTH]
        if len(versions) < 2:
            return None
        prev, last = versions[-2], versions[-1]
        diff = compare_stories(story_from_dict(prev["story"]), story_from_dict(last["story"]))
        diff.pop("headline", None)
        if diff.get("headline_before") == last["story"].get("headline"):
            diff.pop("headline_before", None)
        old_ids = set(prev["story"].get("articles") or [])
        diff["articles_added"] = [a for a in last["story"].get("articles") or [] if a not in old_ids]
        diff["version"] = last["version"]
        diff["previous_version"] = f"{prev['version']} ({prev['created_at']})"
        return diff

    def lineage(self, story_id: str) -> dict[str, Any] | None:
        return self.store.story_lineage(story_id)

    def daily(self, day: date | None = None) -> Brief:
        from parallax.desk import daily

        cold = not may_brief.get()
        return daily(self.store, day, cached_only=cold, partial=cold, memo=self.memo)

    def article(self, article_id: str) -> Article | None:
        return self.store.get_article(article_id)

    def sources(self) -> list[dict[str, Any]]:
        """The registry joined with what each outlet contributed (one SQL aggregate, no article bodies)."""
        from sqlalchemy import case, func, select

        from parallax.store import schema as S

        ac = S.articles.c
        q = (select(ac.domain, ac.source, func.count().label("articles"),
                    func.sum(case((ac.derived_json == "[]", 1), else_=0)).label("originals"),
                    func.count(func.distinct(ac.story_id)).label("stories"),
                    func.min(ac.day).label("first"), func.max(ac.day).label("last"))
             .where(ac.superseded_by.is_(None)).group_by(ac.domain, ac.source))
        with self.store.engine.connect() as conn:
            rows = conn.execute(q).all()
        registry = {r["domain"]: r for r in self.store.list_sources()}
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            reg = registry.get(r.domain) or {}
            key = r.domain or r.source or "?"
            row = out.setdefault(key, {"name": reg.get("name") or r.source or r.domain or "(unknown outlet)",
                                       "domain": r.domain, "articles": 0, "originals": 0, "copies": 0,
                                       "stories": 0, "first": None, "last": None,
                                       **{k: reg.get(k) for k in ("owner", "country", "lean", "reliability")}})
            row["articles"] += r.articles
            row["originals"] += int(r.originals or 0)
            row["copies"] = row["articles"] - row["originals"]
            row["stories"] += r.stories
            row["first"] = min(filter(None, [row["first"], _iso(r.first)]), default=None)
            row["last"] = max(filter(None, [row["last"], _iso(r.last)]), default=None)
        for domain, reg in registry.items():  # registered outlets with no article yet
            if domain not in out:
                out[domain] = {"name": reg.get("name") or domain, "domain": domain, "articles": 0, "originals": 0,
                               "copies": 0, "stories": 0, "first": None, "last": None,
                               **{k: reg.get(k) for k in ("owner", "country", "lean", "reliability")}}
        return sorted(out.values(), key=lambda r: (-r["articles"], str(r["name"]).lower()))

    def add_correction(self, target_type: str, target_id: str, message: str, contact: str | None) -> str:
        return str(self.store.add_correction(target_type, target_id, message, contact=contact))

    def corrections(self) -> list[dict[str, Any]]:
        out = []
        for c in reversed(self.store.list_corrections()):
            out.append({"id": c.get("id"), "target_type": c.get("target_type"), "target_id": c.get("target_id"),
                        "message": c.get("message"), "created": _iso(c.get("created_at") or c.get("created")),
                        "status": "resolved" if c.get("resolved") else "open"})
        return out

    def ingest(self, urls: list[str], pages: list[IngestRecord]) -> dict[str, Any]:
        """Fetch `urls` and add `pages` (read like JSONL records, named pages[N]); the summary names no
        server path and holds no SQL: failures are coded (parallax.ingest)."""
        from parallax.ingest import ingest

        records = [(f"pages[{n}]", p.to_json()) for n, p in enumerate(pages)]
        summary = ingest(list(urls), self.store, allow_private=self.allow_private, progress=False, records=records)
        if summary.stopped is not None:  # the store refused every write (read-only, disk full ...)
            raise error(summary.stopped.code, "the store", "nothing was added")
        out = _plain_summary(summary)
        out.setdefault("ids", list(getattr(summary, "ids", []) or []))
        return out


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _plain_summary(summary: Any) -> dict[str, Any]:
    from parallax.render.common import plain

    if isinstance(summary, dict):
        return plain(summary)
    to_dict = getattr(summary, "to_dict", None)
    if callable(to_dict):
        return plain(to_dict())
    if hasattr(summary, "__dict__"):
        return plain(vars(summary))
    return {"summary": plain(summary)}


def as_backend(obj: Any, **kwargs: Any) -> Backend:
    """A Backend for a Store, a Brief or a Backend."""
    if isinstance(obj, Brief):
        return BriefBackend(obj)
    if isinstance(obj, BriefBackend | StoreBackend):
        return obj
    if hasattr(obj, "list_stories") and hasattr(obj, "get_article") and hasattr(obj, "brief_versions"):
        return StoreBackend(obj, **kwargs)
    if isinstance(obj, Backend):
        return obj
    raise error("PX302", type(obj).__name__, "cannot serve it: pass a parallax.store.Store, a Brief or a Backend")
