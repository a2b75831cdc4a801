"""What the three renderers share: the numbering of sources, origin groups, coverage numbers, labels.

Everything here reads the `Brief`; nothing invents content. The labels (status names, relation names,
"independent origins") are fixed words, the rest comes from the data.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from parallax.model import Article, Brief, Fact, Relation, Story

SCHEMA_ID = "parallax.brief/1"
STATUSES = ("corroborated", "single-source", "disputed")
# settings keys left out of the output: they change from run to run and would make briefs non-reproducible
VOLATILE_SETTINGS = frozenset({"timings"})

RELATION_LABELS = {
    "copy": "reprint of",
    "near-copy": "near-copy of",
    "rewrite": "rewrite of",
    "credited": "credited restatement of",
    "same-wire": "same wire story as",
    "translation": "translation of",
    "digest": "digest of",
}


def version() -> str:
    for dist in ("parallax-news", "parallax"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "0+unknown"


def plain(obj: Any) -> Any:
    """`obj` as plain JSON values: dicts with str keys, lists, str, int, finite float, bool, None."""
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, set | frozenset):
        return sorted((plain(v) for v in obj), key=str)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return plain(to_dict())
    item = getattr(obj, "item", None)  # numpy scalars
    if callable(item):
        try:
            return plain(item())
        except (TypeError, ValueError):
            pass
    return str(obj)


def public_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return plain({k: v for k, v in settings.items() if k not in VOLATILE_SETTINGS})


def public_input(input: str | None) -> str | None:
    """An article's input as shown in a brief, an API answer or a page: a URL, '-' or a relative path as
    given, but an absolute path (or one climbing out with '..', or from '~') by its file name only (with a
    JSONL record's ':line'), so that no answer names a folder of the machine that read it."""
    if not input or input == "-" or "://" in input:
        return input
    path = PurePosixPath(input.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or input.startswith("~") or (len(input) > 1 and input[1] == ":"):
        return path.name or "-"
    return input


def safe_url(url: str | None) -> str | None:
    """The URL when it may go into an href: http(s), a host, no whitespace or control characters."""
    if not url or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def origin_groups(articles: list[Article]) -> list[dict[str, Any]]:
    """The origin groups, in order of first appearance: id, member ids, root.

    The root is the member the others derive from: a member with no `derived_from` (preferring one that
    other members point to), else the first member. Articles without a group are left out.
    """
    members: dict[str, list[Article]] = {}
    for a in articles:
        if a.group is not None:
            members.setdefault(a.group, []).append(a)
    out = []
    for gid, arts in members.items():
        pointed_to = {r.article for a in arts for r in a.derived_from}
        originals = [a for a in arts if not a.derived_from]
        preferred = [a for a in originals if a.id in pointed_to]
        root = (preferred or originals or arts)[0]
        out.append({"id": gid, "articles": [a.id for a in arts], "root": root.id})
    return out


def removed_counts(article: Article) -> dict[str, int]:
    """kind -> number of removed blocks, in order of first appearance."""
    return dict(Counter(r.kind for r in article.removed))


@dataclass
class SourceIndex:
    """The Sources list: every article numbered once, copies listed under the root of their origin group."""

    brief: Brief
    by_id: dict[str, Article] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # ids in Sources order
    number: dict[str, int] = field(default_factory=dict)
    entries: list[tuple[str, list[str]]] = field(default_factory=list)  # (root id, [other member ids])
    group_of: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {a.id: a for a in self.brief.articles}
        self.groups = origin_groups(self.brief.articles)
        placed: set[str] = set()
        grouped = {g["id"]: g for g in self.groups}
        for a in self.brief.articles:
            if a.id in placed:
                continue
            g = grouped.get(a.group) if a.group is not None else None
            if g is None:
                self.entries.append((a.id, []))
                placed.add(a.id)
                continue
            rest = [m for m in g["articles"] if m != g["root"]]
            self.entries.append((g["root"], rest))
            placed.update(g["articles"])
        # ids cited by stories but missing from the article list still get a number
        for story in self.brief.stories:
            for aid in self._story_ids(story):
                if aid not in placed and aid not in self.by_id:
                    self.entries.append((aid, []))
                    placed.add(aid)
        for root, rest in self.entries:
            self.order.append(root)
            self.order.extend(rest)
        self.number = {aid: i + 1 for i, aid in enumerate(self.order)}
        self.group_of = {a.id: a.group for a in self.brief.articles}

    @staticmethod
    def _story_ids(story: Story) -> list[str]:
        ids = list(story.articles)
        if story.headline_from:
            ids.append(story.headline_from)
        for f in story.facts:
            ids.extend(f.sources)
            ids.extend(r.article for r in f.refs)
        for d in story.disputes:
            for v in d.variants:
                ids.extend(v.sources)
        ids.extend(x.article for x in story.loaded_language)
        return list(dict.fromkeys(ids))

    def cited(self, ids: list[str]) -> list[tuple[int, str]]:
        """(number, id) for each distinct id, in Sources order."""
        uniq = [i for i in dict.fromkeys(ids) if i in self.number]
        return sorted((self.number[i], i) for i in uniq)

    def outlet(self, aid: str) -> str:
        a = self.by_id.get(aid)
        return (a.source or "") if a else ""


def fact_ids(fact: Fact) -> list[str]:
    return list(dict.fromkeys([*fact.sources, *(r.article for r in fact.refs)]))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, dict):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
            return sum(value.values())
        return len(value)
    if isinstance(value, list | tuple | set | frozenset):
        return len(value)
    return None


COVERAGE_KEYS = ("articles", "outlets", "origin_groups", "removed")


def coverage_numbers(story: Story, index: SourceIndex) -> dict[str, int]:
    """articles, outlets, origins, removed: from `story.coverage` when it has them, else from the articles."""
    cov = story.coverage or {}
    arts = [index.by_id[i] for i in story.articles if i in index.by_id]
    computed = {
        "articles": len(story.articles),
        "outlets": len({a.source for a in arts if a.source}),
        "origin_groups": len({a.group if a.group is not None else "\0" + a.id for a in arts}),
        "removed": sum(len(a.removed) for a in arts),
    }
    out = {}
    for key in COVERAGE_KEYS:
        n = _count(cov.get(key))
        out[key] = computed[key] if n is None else n
    return out


def coverage_summary(story: Story, index: SourceIndex) -> str:
    n = coverage_numbers(story, index)
    return (
        f"{_plural(n['articles'], 'article', 'articles')} from {_plural(n['outlets'], 'outlet', 'outlets')}, "
        f"{_plural(n['origin_groups'], 'independent origin', 'independent origins')}; "
        f"cleaning removed {_plural(n['removed'], 'block', 'blocks')}"
    )


def coverage_extras(story: Story) -> list[tuple[str, str]]:
    """The coverage entries the summary line does not show, as (key, text)."""
    out = []
    for key, value in (story.coverage or {}).items():
        # the summary line shows the counts; a per-kind breakdown of `removed` is still worth showing
        if key in COVERAGE_KEYS and not (key == "removed" and isinstance(value, dict) and value):
            continue
        out.append((str(key), format_value(value)))
    return out


def format_value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def support_label(fact: Fact) -> str:
    if fact.status == "corroborated":
        return f"corroborated by {_plural(fact.support, 'independent origin', 'independent origins')}"
    if fact.status == "single-source":
        return "single source"
    if fact.status == "disputed":
        return "disputed"
    return fact.status


def claim_notes(fact: Fact) -> list[tuple[str, str, list[str]]]:
    """What the reader is told about a printed sentence that others state only in part: for each part with
    more support than the whole sentence, (the part, its support label, the articles that state it); then, when
    no part is singled out, the articles that state some of it ("partly stated by")."""
    out = []
    for c in fact.claims:
        if c.get("support", 0) > fact.support:
            label = _plural(c["support"], "independent origin", "independent origins")
            out.append((c["text"], f"this part stated by {label}", list(c.get("sources", []))))
    if not out and fact.partial:
        out.append(("", "partly stated by", sorted({r.article for r in fact.partial})))
    return out


def relation_label(rel: Relation) -> str:
    return RELATION_LABELS.get(rel.relation, f"{rel.relation} of")


def term_segments(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_term) so the loaded terms can be emphasised; case-insensitive."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        term = term.strip()
        if not term:
            continue
        pat = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        hits = list(pat.finditer(text)) or list(re.finditer(re.escape(term), text, re.IGNORECASE))
        spans.extend(m.span() for m in hits)
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out: list[tuple[str, bool]] = []
    pos = 0
    for s, e in merged:
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def one_line(text: str) -> str:
    return " ".join(text.split())


def fact_language(f: Fact, by_id: dict[str, Article]) -> str | None:
    """The language of a fact's sources when it is one language other than English (a fact printed in its
    source's own words, never translated, is marked with it), else None."""
    from parallax.text.language import language_of, sentence_language

    own = getattr(f, "origin_article", "") or ""
    if own in by_id:  # the words printed are this article's sentence: their language is the sentence's
        lang = sentence_language(f.text, language_of(by_id[own]))
        return None if lang in ("en", "und") else lang
    langs = {language_of(by_id[a]) for a in f.sources if a in by_id}
    return next(iter(langs)) if len(langs) == 1 and not langs & {"en", "und"} else None


def language_note(f: Fact, by_id: dict[str, Article]) -> tuple[str, str] | None:
    """(language code, note) of a fact printed in a language other than English, else None: the note says it
    is the source's own words (never a translation) and how far it was cross-checked: fully (a language the
    judge covers), for support across languages only (`text.multilingual.LANGUAGES`), or not at all."""
    from parallax.text.language import checked_languages
    from parallax.text.multilingual import LANGUAGES

    lang = fact_language(f, by_id)
    if lang is None:
        return None
    if lang in checked_languages():
        return lang, f"in {lang}, the source's own words"
    if lang in LANGUAGES:
        return lang, f"in {lang}, the source's own words (support checked across languages; disputes not checked)"
    return lang, f"in {lang}, the source's own words (not cross-checked)"
