"""Model objects -> the plain values the templates show. No HTML here: the templates escape everything.

The numbering of sources, origin groups, coverage numbers and labels come from `parallax.render.common`,
so the web pages say what the static HTML brief says.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from parallax.model import Article, Brief, Fact, Story
from parallax.render.common import (
    SourceIndex,
    claim_notes,
    coverage_extras,
    coverage_numbers,
    coverage_summary,
    fact_ids,
    language_note,
    one_line,
    origin_groups,
    public_input,
    relation_label,
    safe_url,
    support_label,
    term_segments,
)

TOP_FACTS = 3
PALETTE = 6  # colour classes for origin groups: og0 .. og5


def article_href(aid: str, sentence: int | None = None) -> str:
    return "/articles/" + quote(aid, safe="") + (f"#s-{sentence}" if sentence is not None else "")


def story_href(sid: str, sub: str = "") -> str:
    return "/stories/" + quote(sid, safe="") + sub


def status_class(status: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", (status or "").lower()) or "unknown"


@dataclass
class Cite:
    n: int
    id: str
    outlet: str
    title: str
    href: str

    @property
    def label(self) -> str:
        return " — ".join(x for x in (self.outlet, self.title) if x) or self.id


def _sentence_anchor(a: Article | None, offset: int) -> int | None:
    """The start of the sentence of `a` that contains `offset` (the citation's anchor on the article page)."""
    if a is None:
        return None
    for s in a.sentences:
        if s.start <= offset < s.end:
            return s.start
    return None


def cites(index: SourceIndex, ids: list[str], refs: dict[str, int] | None = None) -> list[Cite]:
    out = []
    for n, aid in index.cited(ids):
        a = index.by_id.get(aid)
        anchor = _sentence_anchor(a, refs[aid]) if refs and aid in refs else None
        out.append(Cite(n, aid, (a.source or "") if a else "", (a.title or "") if a else "", article_href(aid, anchor)))
    return out


def _relation_of(a: Article | None) -> str:
    if a is None or not a.derived_from:
        return "original"
    return relation_label(a.derived_from[0])


@dataclass
class OriginView:
    """One origin group among some sources: its root and the copies collapsed under it."""

    key: str
    root: Cite
    copies: list[tuple[Cite, str]] = field(default_factory=list)  # (cite, "reprint of" ...)
    colour: int = 0


def origins_of(index: SourceIndex, ids: list[str], colours: dict[str, int]) -> list[OriginView]:
    groups: dict[str, list[str]] = {}
    for aid in dict.fromkeys(ids):
        gid = index.group_of.get(aid) or "\0" + aid
        groups.setdefault(gid, []).append(aid)
    roots = {g["id"]: g["root"] for g in index.groups}
    out = []
    for gid, members in groups.items():
        root = roots.get(gid)
        root = root if root in members else members[0]
        rest = [m for m in members if m != root]
        root_cite = cites(index, [root])
        if not root_cite:
            continue
        copies = [(c, _relation_of(index.by_id.get(c.id))) for c in cites(index, rest)]
        out.append(OriginView(gid, root_cite[0], copies, colours.get(gid, 0)))
    return out


def _colours(brief: Brief) -> dict[str, int]:
    return {g["id"]: k % PALETTE for k, g in enumerate(origin_groups(brief.articles))}


@dataclass
class FactView:
    k: int
    text: str
    status: str
    status_class: str
    status_label: str
    support: int
    origins_total: int
    speaker: str | None
    cites: list[Cite]
    origins: list[OriginView]
    copies: int
    reason: str = ""  # why these words (Fact.representative_reason)
    wordings: list[tuple[str, str]] = field(default_factory=list)  # (outlet or id, sentence) of other sources
    claims: list[tuple[str, str, str]] = field(default_factory=list)  # (part or "", label, outlets) claim_notes
    lang: str | None = None  # the language of its words when not English (`render.common.language_note`)
    lang_note: str = ""


def other_wordings(f: Fact, index: SourceIndex) -> list[tuple[str, str]]:
    """The other cited sources' own sentences for this fact (from the fact's citations), one per distinct
    wording, so the reader can see how each outlet put it."""
    seen = {f.text.rstrip("…")}
    out = []
    for r in f.refs:
        a = index.by_id.get(r.article)
        if a is None or not (0 <= r.start < r.end <= len(a.text)):
            continue
        text = a.text[r.start : r.end].strip()
        if text and text not in seen and not f.text.rstrip("…").startswith(text):
            seen.add(text)
            out.append((a.source or a.id, text))
    return out


def fact_view(f: Fact, k: int, index: SourceIndex, total: int, colours: dict[str, int]) -> FactView:
    refs = {}
    for r in f.refs:
        refs.setdefault(r.article, r.start)
    ids = fact_ids(f)
    origins = origins_of(index, ids, colours)
    return FactView(k, f.text, f.status, status_class(f.status), support_label(f), f.support,
                    max(total, f.support, 1), f.speaker, cites(index, ids, refs), origins,
                    sum(len(o.copies) for o in origins), f.representative_reason, other_wordings(f, index),
                    [(part, label, ", ".join((index.by_id[i].source or i) if i in index.by_id else i for i in ids))
                     for part, label, ids in claim_notes(f)],
                    *(language_note(f, index.by_id) or (None, "")))


@dataclass
class Cell:
    """One article in the coverage bar."""

    x: int
    colour: int
    original: bool
    label: str
    href: str


@dataclass
class CoverageBar:
    cells: list[Cell]
    width: int
    numbers: dict[str, int]
    groups: list[dict[str, Any]]

    CELL = 18
    GAP = 6


def coverage_bar(story: Story, index: SourceIndex, colours: dict[str, int]) -> CoverageBar:
    members = set(story.articles)
    groups = []
    seen: set[str] = set()
    for g in index.groups:
        arts = [a for a in g["articles"] if a in members]
        if arts:
            root = g["root"] if g["root"] in arts else arts[0]
            groups.append({"id": g["id"], "articles": [root, *[a for a in arts if a != root]],
                           "colour": colours.get(g["id"], 0)})
            seen.update(arts)
    for aid in story.articles:
        if aid not in seen:
            groups.append({"id": "\0" + aid, "articles": [aid], "colour": 0})
    cells, x = [], 0
    for g in groups:
        for j, aid in enumerate(g["articles"]):
            a = index.by_id.get(aid)
            outlet = (a.source if a else None) or aid
            what = "original report" if j == 0 else _relation_of(a) + " " + (index.outlet(g["articles"][0]) or "")
            cells.append(Cell(x, g["colour"], j == 0, f"{outlet}: {what.strip()}", article_href(aid)))
            x += CoverageBar.CELL + 2
        x += CoverageBar.GAP
        g["outlets"] = [index.outlet(a) or a for a in g["articles"]]
    return CoverageBar(cells, max(x - CoverageBar.GAP - 2, 1), coverage_numbers(story, index), groups)


@dataclass
class StoryCard:
    id: str
    href: str
    headline: str
    facts: list[FactView]
    more_facts: int
    bar: CoverageBar
    summary: str
    disputes: int


def daily_view(brief: Brief) -> list[StoryCard]:
    """The daily briefing: stories ranked by independent origins, each with its top facts."""
    index = SourceIndex(brief)
    colours = _colours(brief)
    cards = []
    for s in brief.stories:
        bar = coverage_bar(s, index, colours)
        total = bar.numbers["origin_groups"]
        facts = [fact_view(f, k, index, total, colours) for k, f in enumerate(s.facts[:TOP_FACTS], 1)]
        cards.append(StoryCard(s.id, story_href(s.id), s.headline or f"Story {s.id}", facts,
                               max(len(s.facts) - TOP_FACTS, 0), bar, coverage_summary(s, index), len(s.disputes)))
    cards.sort(key=lambda c: (-c.bar.numbers["origin_groups"], -c.bar.numbers["articles"]))
    return cards


# ---------------------------------------------------------------------------------------------------------
# one story


def _item_text(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        if "before" in item and "after" in item:
            return f"{_item_text(item['before'])} → {_item_text(item['after'])}"
        for key in ("text", "about", "headline", "value", "id"):
            if item.get(key):
                extra = ""
                if key == "text" and item.get("status"):
                    extra = f" ({item['status']})"
                return str(item[key]) + extra
        return ", ".join(f"{k}: {_item_text(v)}" for k, v in item.items())
    to_dict = getattr(item, "to_dict", None)
    if callable(to_dict):
        return _item_text(to_dict())
    if isinstance(item, list | tuple):
        return ", ".join(_item_text(x) for x in item)
    return "" if item is None else str(item)


CHANGE_LABELS = {
    "new": "New facts", "new_facts": "New facts", "added": "New facts",
    "changed": "Changed facts", "changed_facts": "Changed facts",
    "gone": "Facts no longer in the brief", "gone_facts": "Facts no longer in the brief", "removed": "Facts no longer in the brief",
    "disputes_appeared": "Disputes that appeared", "new_disputes": "Disputes that appeared",
    "disputes_settled": "Disputes settled", "settled_disputes": "Disputes settled",
}


def changes_view(changes: dict[str, Any] | None) -> dict[str, Any]:
    """{sections: [(label, [text])], meta: [(key, text)], first: bool}"""
    if not changes:
        return {"sections": [], "meta": [], "first": True}
    sections, meta = [], []
    nested = changes.get("disputes") if isinstance(changes.get("disputes"), dict) else None
    items = dict(changes)
    if nested is not None:
        items.pop("disputes")
        for k, v in nested.items():
            items[f"disputes_{k}"] = v
    for key, value in items.items():
        if isinstance(value, list | tuple):
            texts = [t for t in (_item_text(x) for x in value) if t]
            if texts:
                sections.append((CHANGE_LABELS.get(key, key.replace("_", " ").capitalize()), texts))
        elif isinstance(value, dict) and value:
            sections.append((key.replace("_", " ").capitalize(), [_item_text(value)]))
        elif value not in (None, "", [], {}):
            meta.append((key.replace("_", " "), _item_text(value)))
    first = not sections and not any(k in ("previous", "previous_version", "since") for k, _ in meta)
    return {"sections": sections, "meta": meta, "first": first}


def lineage_view(lineage: dict[str, Any] | None) -> dict[str, Any] | None:
    """Links to the story this one was split off and to the stories split off it (None when neither)."""
    if not lineage or not (lineage.get("split_from") or lineage.get("split_off")):
        return None

    def link(x: dict[str, str]) -> dict[str, str]:
        return {"href": story_href(x["id"]), "headline": x["headline"]}

    parent = lineage.get("split_from")
    return {"split_from": link(parent) if parent else None, "split_off": [link(x) for x in lineage["split_off"]]}


def story_view(brief: Brief, story: Story, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    index = SourceIndex(brief)
    colours = _colours(brief)
    bar = coverage_bar(story, index, colours)
    total = bar.numbers["origin_groups"]
    facts = [fact_view(f, k, index, total, colours) for k, f in enumerate(story.facts, 1)]
    disputes = []
    for d in story.disputes:
        disputes.append({
            "about": d.about, "kind": d.kind,
            "variants": [{"value": v.value, "text": v.text, "cites": cites(index, v.sources),
                          "origins": len(dict.fromkeys(v.groups))} for v in d.variants],
        })
    quotes = [f for f in facts if f.speaker]
    loaded = []
    for x in story.loaded_language:
        loaded.append({"segments": term_segments(one_line(x.text), x.terms), "terms": x.terms, "where": x.where,
                       "cites": cites(index, [x.article], {x.article: x.start} if x.where != "headline" else None),
                       "outlet": index.outlet(x.article)})
    arts = [index.by_id[i] for i in story.articles if i in index.by_id]
    timeline = []
    for a in sorted(arts, key=lambda a: (a.published is None, a.published or "", index.number.get(a.id, 0))):
        rels = [{"label": relation_label(r), "cite": (cites(index, [r.article]) or [None])[0], "id": r.article}
                for r in a.derived_from]
        timeline.append({"published": a.published, "outlet": a.source, "title": a.title, "href": article_href(a.id),
                         "n": index.number.get(a.id), "id": a.id, "relations": rels,
                         "url": safe_url(a.url)})
    headline_cite = cites(index, [story.headline_from]) if story.headline_from else []
    return {
        "id": story.id, "href": story_href(story.id), "headline": story.headline or f"Story {story.id}",
        "headline_from": headline_cite[0] if headline_cite else None, "summary": coverage_summary(story, index),
        "extras": coverage_extras(story), "bar": bar, "facts": facts, "disputes": disputes, "quotes": quotes,
        "loaded": loaded, "timeline": timeline, "changes": changes_view(changes),
        "origins": origins_of(index, story.articles, colours),
    }


# ---------------------------------------------------------------------------------------------------------
# one article


def _paragraphs(a: Article) -> list[list[dict[str, Any]]]:
    """The cleaned text as paragraphs of sentences (each with its start offset, the citation anchor)."""
    if a.sentences:
        paras: dict[int, list[dict[str, Any]]] = {}
        for s in a.sentences:
            paras.setdefault(s.paragraph, []).append(
                {"start": s.start, "text": a.text[s.start : s.end], "heading": s.is_heading})
        return [paras[k] for k in sorted(paras)]
    out, pos = [], 0
    for chunk in re.split(r"\n\s*\n", a.text):
        start = a.text.find(chunk, pos)
        pos = max(pos, start + len(chunk))
        if chunk.strip():
            out.append([{"start": start, "text": chunk.strip(), "heading": False}])
    return out


def article_blocks(a: Article) -> list[dict[str, Any]]:
    """The cleaned paragraphs and the removed blocks, in page order (removed parts placed where they were).

    Removals point into `raw`, sentences into `text`; each paragraph is placed at the first place in `raw`
    (after the previous one) where its first words occur.
    """
    items: list[tuple[int, int, dict[str, Any]]] = []
    cursor = 0
    for k, para in enumerate(_paragraphs(a)):
        probe = one_line(para[0]["text"])[:40]
        at = a.raw.find(probe, cursor) if probe else -1
        if at < 0 and probe:
            at = a.raw.find(probe[:20], cursor)
        pos = at if at >= 0 else cursor
        cursor = max(cursor, pos + 1)
        items.append((pos, 1, {"type": "para", "sentences": para, "k": k}))
    for r in a.removed:
        items.append((r.start, 0, {"type": "removed", "kind": r.kind, "label": kind_label(r.kind),
                                   "reasons": [r.reason] if r.reason else [], "texts": [r.text.strip()],
                                   "lines": r.text.strip().count("\n") + 1}))
    items.sort(key=lambda t: (t[0], t[1]))
    out: list[dict[str, Any]] = []
    for _, _, b in items:  # consecutive removals of one kind: one collapsed block
        prev = out[-1] if out else None
        if prev and prev["type"] == "removed" and b["type"] == "removed" and prev["kind"] == b["kind"]:
            prev["texts"] += b["texts"]
            prev["reasons"] += [x for x in b["reasons"] if x not in prev["reasons"]]
            prev["lines"] += b["lines"]
        else:
            out.append(b)
    return out


def kind_label(kind: str) -> str:
    return (kind or "other").replace("_", " ").replace("-", " ")


def article_view(a: Article) -> dict[str, Any]:
    credits = [{"kind": c.kind, "name": c.name, "text": one_line(c.text)} for c in a.credits]
    rels = [{"label": relation_label(r), "id": r.article, "href": article_href(r.article), "evidence": r.evidence,
             "score": r.score, "relation": r.relation} for r in a.derived_from]
    kinds: dict[str, int] = {}
    for r in a.removed:
        kinds[kind_label(r.kind)] = kinds.get(kind_label(r.kind), 0) + 1
    return {"id": a.id, "title": a.title or a.id, "source": a.source, "published": a.published,
            "url": safe_url(a.url), "raw_url": a.url, "group": a.group, "credits": credits, "relations": rels,
            "blocks": article_blocks(a), "removed_kinds": kinds, "removed_total": len(a.removed),
            "words": len(a.text.split()), "input": public_input(a.input)}


def correction_target(kind: str, ident: str) -> str:
    """The form name a per-form token is bound to."""
    return f"correction:{kind}:{ident}"


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
