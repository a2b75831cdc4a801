"""The brief as Markdown: one section per story, footnote-style citations to one Sources list at the end.

Text from the articles is escaped so that it reads as text in any Markdown renderer: it cannot open
links, emphasis, code or raw HTML.
"""

from __future__ import annotations

import re

from parallax.model import Article, Brief, Dispute, Fact, LoadedFlag, Story
from parallax.render.common import (
    SourceIndex,
    claim_notes,
    coverage_extras,
    coverage_summary,
    fact_ids,
    language_note,
    one_line,
    relation_label,
    removed_counts,
    safe_url,
    support_label,
    term_segments,
    version,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s|$)")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def md(text: str | None) -> str:
    """Inline Markdown for a piece of article text: one line, special characters escaped."""
    s = _escape(one_line(text or ""))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)


def _code(text: str) -> str:
    text = one_line(text)
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str | None) -> str:
    ok = safe_url(url)
    if ok and not re.search(r"[<>\s]", ok):
        return f"<{ok}>"
    return md(url)


def _cites(index: SourceIndex, ids: list[str]) -> str:
    return "".join(f"[{n}]" for n, _ in index.cited(ids))


def _fact(i: int, f: Fact, index: SourceIndex) -> list[str]:
    meta = [f"**{md(support_label(f))}**"]
    if f.status == "disputed" and f.support:
        meta.append(f"{f.support} independent origin{'' if f.support == 1 else 's'}")
    if f.speaker:
        meta.append(f"speaker: {md(f.speaker)}")
    lang = language_note(f, index.by_id)
    if lang:
        meta.append(md(lang[1]))
    cites = _cites(index, fact_ids(f))
    lines = [f"{i}. {md(f.text)} {cites}".rstrip(), f"   — {' · '.join(meta)}"]
    for part, label, ids in claim_notes(f):
        quoted = f"“{md(part)}”: " if part else ""
        lines.append(f"   — {quoted}{md(label)} {_cites(index, ids)}".rstrip())
    return lines


def _dispute(d: Dispute, index: SourceIndex) -> list[str]:
    kind = f" ({md(d.kind)})" if d.kind else ""
    lines = [f"### {md(d.about)}{kind}", ""]
    for v in d.variants:
        groups = len(dict.fromkeys(v.groups))
        origin = f" · {groups} independent origin{'' if groups == 1 else 's'}" if groups else ""
        lines.append(f"- **{md(v.value)}** — {_cites(index, v.sources)}{origin}")
        lines.append("")
        lines.append(f"  > {md(v.text)}")
        lines.append("")
    return lines


def _loaded(x: LoadedFlag, index: SourceIndex) -> str:
    sentence = "".join(
        f"**{_escape(t)}**" if term else _escape(t) for t, term in term_segments(one_line(x.text), x.terms)
    )
    who = f"{_code(x.article)}"
    outlet = index.outlet(x.article)
    if outlet:
        who += f" ({md(outlet)})"
    terms = ", ".join(md(t) for t in x.terms)
    return f"- {who}, {md(x.where)} {_cites(index, [x.article])}: {sentence} — terms: {terms}"


def _removed_line(a: Article | None, aid: str, index: SourceIndex) -> str:
    who = f"{_cites(index, [aid])} {_code(aid)}"
    if a is None:
        return f"- {who}"
    if a.source:
        who += f" ({md(a.source)})"
    counts = removed_counts(a)
    if not counts:
        return f"- {who}: nothing removed"
    total = sum(counts.values())
    kinds = ", ".join(f"{md(k)}: {n}" for k, n in counts.items())
    return f"- {who}: {total} block{'' if total == 1 else 's'} — {kinds}"


def _story(story: Story, index: SourceIndex) -> list[str]:
    lines = [f"# {md(story.headline) or 'Story ' + md(story.id)}", ""]
    summary = coverage_summary(story, index)
    if story.headline_from:
        summary += f" · headline from {_cites(index, [story.headline_from]) or _code(story.headline_from)}"
    lines += [f"_{summary}_", ""]
    extras = coverage_extras(story)
    if extras:
        lines += ["Coverage: " + "; ".join(f"{md(k)}: {md(v)}" for k, v in extras), ""]

    lines += ["## Facts", ""]
    if story.facts:
        for i, f in enumerate(story.facts, 1):
            lines += _fact(i, f, index)
    else:
        lines.append("_No facts._")
    lines.append("")

    if story.disputes:
        lines += ["## Where sources differ", ""]
        for d in story.disputes:
            lines += _dispute(d, index)

    if story.loaded_language:
        lines += ["## Loaded language", ""]
        lines += [_loaded(x, index) for x in story.loaded_language]
        lines.append("")

    lines += ["## What was removed", ""]
    lines += [_removed_line(index.by_id.get(aid), aid, index) for aid in story.articles]
    lines.append("")
    return lines


def _source_line(aid: str, index: SourceIndex) -> str:
    a = index.by_id.get(aid)
    n = index.number[aid]
    if a is None:
        return f"[{n}] {_code(aid)}"
    parts = [f"[{n}] **{md(a.source)}**" if a.source else f"[{n}]"]
    if a.title:
        parts.append(md(a.title))
    if a.url:
        parts.append(_url(a.url))
    if a.published:
        parts.append(md(a.published))
    ident = f"id {_code(a.id)}"
    if a.group is not None:
        ident += f", origin group {_code(a.group)}"
    parts.append(ident)
    for rel in a.derived_from:
        target = f"{_code(rel.article)} {_cites(index, [rel.article])}".rstrip()
        evidence = f" ({md(rel.evidence)})" if rel.evidence else ""
        parts.append(f"{relation_label(rel)} {target}{evidence}")
    return " — ".join(parts)


def _sources(index: SourceIndex) -> list[str]:
    lines = ["# Sources", ""]
    for root, rest in index.entries:
        lines.append(f"- {_source_line(root, index)}")
        lines += [f"  - {_source_line(aid, index)}" for aid in rest]
    lines.append("")
    return lines


def to_markdown(brief: Brief) -> str:
    index = SourceIndex(brief)
    lines: list[str] = []
    for story in brief.stories:
        lines += _story(story, index)
    if not brief.stories:
        lines += ["_No stories._", ""]
    if index.entries:
        lines += _sources(index)
    if brief.errors:
        lines += ["# Inputs that could not be read", ""]
        lines += [f"- {_code(e.code)} {md(e.input)}: {md(e.message)}" for e in brief.errors]
        lines.append("")
    lines += ["---", "", f"_Generated by parallax {md(version())}._", ""]
    return "\n".join(lines)
