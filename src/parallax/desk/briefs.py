"""The news desk over the Store: story briefs with versions, what changed, the daily briefing, coverage.

Library calls behind `parallax stories | daily | feed | brief --story`. Each takes a `parallax.store.Store`
(the `*_text` helpers take a database URL and return rendered text, for the CLI).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from parallax.config import settings
from parallax.errors import error
from parallax.model import Article, Brief, Dispute, Fact, LoadedFlag, SourceRef, Story, Variant

if TYPE_CHECKING:
    from parallax.store import Store

log = logging.getLogger(__name__)


class NotBriefed(LookupError):
    """A brief asked for with `cached_only=True` is not recorded for the story's current articles.

    `stories`: the (story id, length) pairs to brief first (`brief_story(record=True)` records them);
    `recordable`: False when recording cannot help (a read-only store, record=False): then only computing
    the brief where it is asked for does. The web desk answers cheap reads on one thread and computes
    briefs on another (`parallax.web.state`); this is how the first learns it must hand a request over."""

    def __init__(self, stories: list[tuple[str, str]], recordable: bool = True) -> None:
        super().__init__(", ".join(f"{sid} ({length})" for sid, length in stories) + ": not briefed yet")
        self.stories = stories
        self.recordable = recordable


# ---------------------------------------------------------------------------------------------------------
# Story (de)serialisation


def story_from_dict(d: dict[str, Any]) -> Story:
    """The inverse of Story.to_dict (fact scores are not kept)."""
    facts = [Fact(text=f["text"], sources=list(f["sources"]), support=f["support"], status=f["status"],
                  speaker=f.get("speaker"), origin_article=f.get("quoted_from") or "",
                  representative_reason=f.get("representative_reason") or "",
                  refs=[SourceRef(r["article"], r["start"], r["end"], r["group"]) for r in f.get("citations", [])],
                  partial=[SourceRef(r["article"], r["start"], r["end"], r["group"])
                           for r in f.get("partly_stated_by", [])],
                  claims=[dict(c) for c in f.get("claims", [])])
             for f in d.get("facts", [])]
    disputes = [Dispute(x["about"], x["kind"], [Variant(v["text"], v["value"], list(v["sources"]), list(v["groups"]))
                                                for v in x["variants"]]) for x in d.get("disputes", [])]
    loaded = [LoadedFlag(x["article"], x["text"], list(x["terms"]), x.get("where", "body"), x.get("start", 0),
                         x.get("end", 0)) for x in d.get("loaded_language", [])]
    return Story(id=d["id"], articles=list(d["articles"]), headline=d.get("headline", ""),
                 headline_from=d.get("headline_from"), facts=facts, disputes=disputes, loaded_language=loaded,
                 coverage=dict(d.get("coverage") or {}))


def articles_key(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _prime_embeddings(store: Store, articles: list[Article]) -> None:
    """Put the stored sentence embeddings into the embedder's cache: briefing re-embeds nothing stored."""
    from parallax.text.embed import get_embedder

    emb = get_embedder()
    cache = getattr(emb, "_cache", None)
    lock = getattr(emb, "_lock", None)
    if cache is None or lock is None:
        return
    vecs = store.article_vectors([a.id for a in articles])
    with lock:
        for a in articles:
            v = vecs.get(a.id)
            texts = a.sentence_texts()
            if v is not None and len(v) == len(texts):
                for t, row in zip(texts, v, strict=True):
                    cache[t] = row


def _require_story(store: Store, story_id: str) -> str:
    sid = store.resolve_story(story_id)
    if sid is None:
        raise error("PX501", story_id, f"no such story in {store.url}")
    return sid


# ---------------------------------------------------------------------------------------------------------
# Briefs


def compute_story(store: Store, sid: str, articles: list[Article], length: str) -> Story:
    from parallax.pipeline import brief_story_articles

    _prime_embeddings(store, articles)
    story = brief_story_articles(sid, articles, length=length)
    story.coverage["by_outlet"] = _outlet_lines(coverage_from_articles(store, articles))
    return story


def brief_story(store: Store, story_id: str, *, length: str = "standard", record: bool = True,
                articles: list[Article] | None = None, cached_only: bool = False,
                memo: dict[tuple[str, str], tuple[str, dict[str, Any]]] | None = None) -> Story:
    """The story's brief. Recorded (record=True) as a new version when its set of articles (or the length)
    changed since the last recorded brief; otherwise the last version is returned as it was recorded.
    `story.coverage["version"]` holds the version number (None when not recorded). A read-only store
    never records. `cached_only`: NotBriefed instead of computing a brief (reads only, never the models).
    `memo`: where a brief that is not recorded (a read-only store, record=False) is kept in memory, keyed
    by (story id, length) with its articles' key, and looked up first."""
    record = record and not getattr(store, "read_only", False)
    sid = _require_story(store, story_id)
    arts = articles if articles is not None else store.articles(story_id=sid)
    key = articles_key([a.id for a in arts])
    versions = store.brief_versions(sid)
    same = [v for v in versions if v["length"] == length]
    last = same[-1] if same else None
    if last and last["articles_key"] == key:
        story = story_from_dict(last["story"])
        story.coverage["version"] = last["version"]
        return story
    kept = memo.get((sid, length)) if memo is not None and not record else None
    if kept is not None and kept[0] == key:
        story = story_from_dict(kept[1])
        story.coverage["version"] = None
        return story
    if cached_only:
        raise NotBriefed([(sid, length)], recordable=record or memo is not None)
    story = compute_story(store, sid, arts, length)
    story.coverage["version"] = None
    if memo is not None and not record:
        memo[(sid, length)] = (key, story.to_dict())
    if record:
        d = story.to_dict()
        d["coverage"]["version"] = (versions[-1]["version"] + 1) if versions else 1
        version = store.record_brief(sid, d, length, key)
        story.coverage["version"] = version
    return story


def _settings(length: str, **extra: Any) -> dict[str, Any]:
    from parallax.pipeline import limits_for, record_settings

    return record_settings(length, limits_for(length), **extra)


def story_brief(store: Store, story_id: str, *, length: str = "standard", record: bool = True,
                cached_only: bool = False, memo: dict | None = None) -> Brief:
    """A Brief holding just this story and its articles (renderable by parallax.render.render).
    `cached_only`, `memo`: as for `brief_story`."""
    sid = _require_story(store, story_id)
    if cached_only and (memo is None or (sid, length) not in memo):  # not briefed: said before any body is read
        heads = store.article_heads(sid)
        if store.latest_brief_key(sid, length) != articles_key([a["id"] for a in heads]):
            record = record and not getattr(store, "read_only", False)
            raise NotBriefed([(sid, length)], recordable=record or memo is not None)
    arts = store.articles(story_id=sid)
    story = brief_story(store, sid, length=length, record=record, articles=arts, cached_only=cached_only,
                        memo=memo)
    # in id order, as the batch brief lists them: the same story gives the same brief whatever the path
    return Brief(articles=sorted(arts, key=lambda a: a.id), stories=[story], errors=[],
                 settings=_settings(length, story=sid))


def daily(store: Store, day: date | None = None, *, length: str = "short", limit: int = 20,
          record: bool = True, cached_only: bool = False, partial: bool = False, memo: dict | None = None) -> Brief:
    """The daily briefing: stories with an article dated `day` (default: the latest day with articles),
    ranked by the number of independent origins covering them, each with its brief. `cached_only`: one
    NotBriefed naming every story whose brief is not recorded yet, instead of computing any; with `partial`
    too, the briefing of the stories that are briefed, the others listed in `settings["preparing"]`
    ({id, headline, articles, length}) instead. `memo`: as for `brief_story`."""
    if day is None:
        days = store.story_days()
        day = days[0] if days else datetime.now(UTC).date()
    rows = store.list_stories(day=day, limit=1000)
    rows.sort(key=lambda r: (-r["origins"], -len(r["articles"]), r["id"]))
    rows = rows[:limit]
    stories, articles = [], []
    cold: list[NotBriefed] = []
    preparing: list[dict[str, Any]] = []
    for r in rows:
        arts = store.articles(story_id=r["id"])
        try:
            stories.append(brief_story(store, r["id"], length=length, record=record, articles=arts,
                                       cached_only=cached_only, memo=memo))
        except NotBriefed as exc:
            cold.append(exc)
            if partial:
                preparing.append({"id": r["id"], "headline": r.get("headline") or "",
                                  "articles": [a.id for a in arts], "length": length})
                continue
        articles.extend(arts)
    if cold and not partial:
        raise NotBriefed([s for exc in cold for s in exc.stories], recordable=all(e.recordable for e in cold))
    extra = {"preparing": preparing} if preparing else {}
    return Brief(articles=articles, stories=stories, errors=[],
                 settings=_settings(length, daily=day.isoformat(), stories=len(stories), **extra))


# ---------------------------------------------------------------------------------------------------------
# Coverage


def coverage_from_articles(store: Store, articles: list[Article]) -> dict[str, Any]:
    from parallax.store import domain_of

    outlets: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    # in publication order, then by id: what the pages say, never the order in which the store filed them
    for a in sorted(articles, key=lambda a: (a.published or "", a.id)):
        dom = domain_of(a.url)
        name = a.source or dom or a.id
        o = outlets.setdefault(name.lower(), {"outlet": name, "domain": dom, "articles": [], "origin_groups": []})
        o["articles"].append(a.id)
        gid = a.group or f"g-{a.id}"
        if gid not in o["origin_groups"]:
            o["origin_groups"].append(gid)
        g = groups.setdefault(gid, {"id": gid, "articles": [], "outlets": []})
        g["articles"].append(a.id)
        if name not in g["outlets"]:
            g["outlets"].append(name)
    for o in outlets.values():
        reg = store.source_for(o["domain"]) if o["domain"] else None
        o["registry"] = ({k: v for k, v in reg.items() if k not in ("extra",) and v is not None} if reg else None)
    return {"outlets": list(outlets.values()), "origin_groups": list(groups.values()),
            "articles": len(articles), "origins": len(groups)}


def coverage(store: Store, story_id: str) -> dict[str, Any]:
    """Outlets (with registry metadata when known) and origin groups that covered the story."""
    sid = _require_story(store, story_id)
    out = coverage_from_articles(store, store.articles(story_id=sid))
    out["story"] = sid
    return out


def _outlet_lines(cov: dict[str, Any]) -> list[str]:
    lines = []
    for o in cov["outlets"]:
        reg = o.get("registry") or {}
        meta = "; ".join(f"{k}: {reg[k]}" for k in ("owner", "country", "lean", "reliability") if reg.get(k))
        n = len(o["articles"])
        lines.append(f"{o['outlet']} ({n} article{'s' if n != 1 else ''}, origin {', '.join(o['origin_groups'])}"
                     f"{'; ' + meta if meta else ''})")
    return lines


# ---------------------------------------------------------------------------------------------------------
# What changed


_NUM = re.compile(r"\d[\d,.]*")


def _numbers(text: str) -> list[str]:
    from parallax.text.slots import extract_counts

    nums = [m.group(0).rstrip(".,") for m in _NUM.finditer(text)]
    with contextlib.suppress(Exception):  # the extractor is best-effort here
        nums += [f"{c.value} {c.noun}" for c in extract_counts(text)]
    return sorted(set(nums))


def _match_facts(old: list[Fact], new: list[Fact]) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of the same statement: identical text, else mutual best cosine."""
    from parallax.text.embed import embed

    pairs: list[tuple[int, int]] = []
    used_o, used_n = set(), set()
    for i, f in enumerate(old):
        for j, g in enumerate(new):
            if j not in used_n and i not in used_o and f.text == g.text:
                pairs.append((i, j))
                used_o.add(i)
                used_n.add(j)
    rest_o = [i for i in range(len(old)) if i not in used_o]
    rest_n = [j for j in range(len(new)) if j not in used_n]
    if rest_o and rest_n:
        vo = embed([old[i].text for i in rest_o])
        vn = embed([new[j].text for j in rest_n])
        sim = vo @ vn.T
        for a in range(len(rest_o)):
            b = int(np.argmax(sim[a]))
            if sim[a, b] >= settings().desk.change_match and int(np.argmax(sim[:, b])) == a:
                pairs.append((rest_o[a], rest_n[b]))
    return pairs


def _dispute_key(d: Dispute) -> tuple[str, str]:
    return (d.kind, d.about)


def compare_stories(old: Story | None, new: Story) -> dict[str, Any]:
    """new / changed / gone facts and disputes appeared / settled / changed between two briefs of a story."""
    old_facts = old.facts if old else []
    pairs = _match_facts(old_facts, new.facts)
    matched_o = {i for i, _ in pairs}
    matched_n = {j for _, j in pairs}
    changed = []
    for i, j in sorted(pairs, key=lambda p: p[1]):
        f, g = old_facts[i], new.facts[j]
        why = []
        if _numbers(f.text) != _numbers(g.text):
            why.append("a number moved")
        if f.status != g.status:
            if g.status == "disputed":
                why.append("a dispute appeared")
            elif f.status == "disputed":
                why.append("the dispute was settled")
            else:
                why.append(f"{f.status} → {g.status}")
        if f.support != g.support:
            why.append(f"support {f.support} → {g.support} origins")
        if f.text != g.text and not why:
            why.append("reworded")
        if why:
            changed.append({"before": f.to_dict(), "after": g.to_dict(), "why": why})
    old_d = {_dispute_key(d): d for d in (old.disputes if old else [])}
    new_d = {_dispute_key(d): d for d in new.disputes}
    d_changed = []
    for k in old_d.keys() & new_d.keys():
        vo = sorted(v.value for v in old_d[k].variants)
        vn = sorted(v.value for v in new_d[k].variants)
        if vo != vn:
            d_changed.append({"before": old_d[k].to_dict(), "after": new_d[k].to_dict()})
    return {
        "new": [new.facts[j].to_dict() for j in range(len(new.facts)) if j not in matched_n],
        "changed": changed,
        "gone": [old_facts[i].to_dict() for i in range(len(old_facts)) if i not in matched_o],
        "unchanged": len(pairs) - len(changed),
        "disputes_appeared": [new_d[k].to_dict() for k in new_d if k not in old_d],
        "disputes_settled": [old_d[k].to_dict() for k in old_d if k not in new_d],
        "disputes_changed": d_changed,
        "headline_before": old.headline if old else None,
        "headline": new.headline,
    }


def changes_since_last(store: Store, story_id: str, *, length: str = "standard", record: bool = True) -> dict:
    """What changed in the story since its last recorded brief; the current brief is then recorded (so the
    next call reports changes since this one). Also: version, previous_version, articles_added, story."""
    sid = _require_story(store, story_id)
    versions = [v for v in store.brief_versions(sid) if v["length"] == length]
    prev = versions[-1] if versions else None
    arts = store.articles(story_id=sid)
    story = brief_story(store, sid, length=length, record=record, articles=arts)
    version = story.coverage.get("version")
    # Nothing arrived since the last brief: the same version comes back and nothing has changed.
    old = story_from_dict(prev["story"]) if prev else None
    diff = compare_stories(old, story)
    previous_version = prev["version"] if prev else None
    old_ids = set(prev["story"]["articles"]) if prev else set()
    diff.update({"story": sid, "version": version, "previous_version": previous_version,
                 "articles_added": [a for a in story.articles if a not in old_ids],
                 "articles_gone": sorted(old_ids - set(story.articles)),
                 "current": story.to_dict()})
    return diff


def changes_markdown(diff: dict[str, Any]) -> str:
    from parallax.render.markdown import md

    def fact_line(f: dict[str, Any]) -> str:
        return f"{md(f['text'])} — {f['status']}, {f['support']} origin{'s' if f['support'] != 1 else ''}"

    prev = diff["previous_version"]
    out = [f"# What changed: {md(diff['headline'])}", "",
           f"Story `{diff['story']}`, brief version {diff['version']}"
           + (f" (since version {prev})" if prev else " (first brief)") + ".", ""]
    if diff["articles_added"]:
        out += [f"New articles: {', '.join(diff['articles_added'])}", ""]
    for title, key in (("New facts", "new"), ("Gone", "gone")):
        if diff[key]:
            out += [f"## {title}", ""] + [f"- {fact_line(f)}" for f in diff[key]] + [""]
    if diff["changed"]:
        out += ["## Changed", ""]
        for c in diff["changed"]:
            out += [f"- {', '.join(c['why'])}:", f"  - before: {fact_line(c['before'])}",
                    f"  - now: {fact_line(c['after'])}"]
        out.append("")
    for title, key in (("Disputes appeared", "disputes_appeared"), ("Disputes settled", "disputes_settled")):
        if diff[key]:
            out += [f"## {title}", ""]
            for d in diff[key]:
                vals = " / ".join(f"{md(v['value'])} ({len(v['sources'])} source(s))" for v in d["variants"])
                out.append(f"- {md(d['about'])}: {vals}")
            out.append("")
    if not any(diff[k] for k in ("new", "gone", "changed", "disputes_appeared", "disputes_settled")):
        out += ["Nothing changed since the last brief.", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------
# Text helpers for the CLI (and anyone who wants rendered output)


def brief_story_text(story_id: str, *, db: str | None = None, fmt: str = "md", since_last: bool = False,
                     length: str = "standard", record: bool = True) -> str:
    """`parallax brief --story ID [--since-last] [--format md|json|html] [--db URL] [--no-record]` as text.

    Never creates a database (PX507 when there is none); a read-only one is read without recording."""
    from parallax.render import render
    from parallax.store import Store

    with Store(db, create=False) as store:
        if since_last:
            diff = changes_since_last(store, story_id, length=length, record=record)
            if fmt == "json":
                return json.dumps(diff, ensure_ascii=False, indent=2) + "\n"
            text = changes_markdown(diff)
            if fmt == "html":
                from parallax.render.html import markdownish_html

                return markdownish_html(text, title="What changed")
            return text
        return render(story_brief(store, story_id, length=length, record=record), fmt)


def daily_text(day: date | None = None, *, db: str | None = None, fmt: str = "md", length: str = "short") -> str:
    from parallax.render import render
    from parallax.store import Store

    with Store(db, create=False) as store:
        return render(daily(store, day, length=length), fmt)



