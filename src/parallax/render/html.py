"""The brief as one self-contained HTML page: inline CSS, no scripts, no external resources.

Every piece of text that comes from an article or an input goes through `esc` (html.escape, quote=True);
URLs become links only when they are http(s). A Content-Security-Policy meta forbids everything but
inline styles and data: images, so even a mistake in escaping could not load or run anything.
"""

from __future__ import annotations

import html
import re

from parallax.model import Article, Brief, Dispute, Fact, LoadedFlag, Story
from parallax.render.common import (
    SourceIndex,
    claim_notes,
    coverage_extras,
    coverage_numbers,
    coverage_summary,
    fact_ids,
    format_value,
    language_note,
    one_line,
    public_settings,
    relation_label,
    removed_counts,
    safe_url,
    support_label,
    term_segments,
    version,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root {
  --fg: #1d1d1f; --muted: #5f6368; --bg: #fdfdfc; --rule: #e2e2e0; --panel: #f4f4f2;
  --ok: #1e6b3a; --ok-bg: #e3f2e8; --one: #6b5400; --one-bg: #fbf0cc; --bad: #9b1c1c; --bad-bg: #fbe3e3;
  --link: #1a4f9c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e8e8e6; --muted: #a0a4a8; --bg: #17181a; --rule: #33353a; --panel: #202226;
    --ok: #8fd6a6; --ok-bg: #1d3a27; --one: #e9cf7a; --one-bg: #3a3217; --bad: #f2a3a3; --bad-bg: #45201f;
    --link: #8fb4ee;
  }
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.55; text-rendering: optimizeLegibility;
}
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 2.5rem 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.02rem; margin: 1.2rem 0 .4rem; }
a { color: var(--link); }
.story + .story { border-top: 3px double var(--rule); margin-top: 3rem; }
.coverage { color: var(--muted); margin: 0 0 .5rem; }
.muted { color: var(--muted); }
.facts { padding-left: 1.6rem; }
.facts > li { margin: 0 0 1rem; }
.fact-text { margin: 0; }
.fact-meta { margin: .2rem 0 0; font-size: .88rem; color: var(--muted); display: flex; flex-wrap: wrap;
  gap: .35rem .6rem; align-items: center; }
.pill { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .78rem;
  font-weight: 600; letter-spacing: .02em; border: 1px solid currentColor; }
.pill-corroborated { color: var(--ok); background: var(--ok-bg); }
.pill-single-source { color: var(--one); background: var(--one-bg); }
.pill-disputed { color: var(--bad); background: var(--bad-bg); }
meter { width: 5rem; height: .7rem; }
.cites { font-size: .8rem; white-space: nowrap; }
.cites a { text-decoration: none; }
blockquote { margin: .3rem 0 .8rem; padding: .2rem .9rem; border-left: 3px solid var(--rule);
  background: var(--panel); }
.variants { list-style: none; padding-left: 0; }
.value { font-weight: 700; }
mark { background: var(--one-bg); color: inherit; font-weight: 700; padding: 0 .1em; }
.source { border: 1px solid var(--rule); border-radius: .4rem; padding: .6rem .9rem; margin: 0 0 .8rem; }
.source h3 { margin: 0 0 .2rem; }
.source .meta { margin: 0; font-size: .88rem; color: var(--muted); overflow-wrap: anywhere; }
.copies { margin: .6rem 0 0 1.2rem; }
.copies .source { background: var(--panel); }
details { margin: .4rem 0; }
summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
.body p { margin: .5rem 0; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font: .85rem/1.45 ui-monospace, SFMono-Regular, Menlo,
  Consolas, monospace; background: var(--panel); padding: .5rem .7rem; border-radius: .3rem; margin: .3rem 0; }
.removed-list { list-style: none; padding-left: 0; }
.reason { font-size: .85rem; color: var(--muted); margin: .4rem 0 0; }
dl.coverage-details { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
  font-size: .88rem; margin: .3rem 0; }
dl.coverage-details dd { margin: 0; }
footer { margin-top: 3rem; font-size: .85rem; color: var(--muted); }
.errors code, .source code { font-size: .85em; }
"""


def esc(value: object) -> str:
    """Text for HTML content or a quoted attribute value."""
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None, label: str | None = None) -> str:
    """An <a> when the URL is http(s); otherwise the escaped text, not a link."""
    text = esc(label if label is not None else url)
    ok = safe_url(url)
    if ok is None:
        return text
    return f'<a href="{esc(ok)}" rel="nofollow noopener noreferrer">{text}</a>'


def _anchor(index: SourceIndex, aid: str) -> str:
    return f"src-{index.number[aid]}"


def _cites(index: SourceIndex, ids: list[str]) -> str:
    links = "".join(
        f'<a href="#{_anchor(index, aid)}" title="{esc(_cite_title(index, aid))}">[{n}]</a>'
        for n, aid in index.cited(ids)
    )
    return f'<span class="cites">{links}</span>' if links else ""


def _cite_title(index: SourceIndex, aid: str) -> str:
    a = index.by_id.get(aid)
    if a is None:
        return aid
    return " — ".join(x for x in (a.source, a.title, aid) if x)


def _pill(f: Fact) -> str:
    """The status as a coloured pill whose words say it too: "corroborated by 3 independent origins"."""
    cls = re.sub(r"[^a-z0-9-]", "", f.status.lower()) or "unknown"
    return f'<span class="pill pill-{cls}">{esc(support_label(f))}</span>'


def _fact(f: Fact, index: SourceIndex, origins: int) -> str:
    meta = [_pill(f)]
    if f.support:
        top = max(origins, f.support, 1)
        meta.append(
            f"<span>{esc(f.support)} of {esc(top)} origin{'' if top == 1 else 's'} "
            f'<meter min="0" max="{top}" value="{f.support}">{f.support}/{top}</meter></span>'
        )
    if f.speaker:
        meta.append(f"<span>speaker: <strong>{esc(f.speaker)}</strong></span>")
    lang = language_note(f, index.by_id)
    lang_attr = f' lang="{esc(lang[0])}"' if lang else ""
    if lang:
        meta.append(f'<span class="lang">{esc(lang[1])}</span>')
    parts = "".join(
        f'<p class="fact-meta claim">{"“" + esc(part) + "”: " if part else ""}{esc(label)} {_cites(index, ids)}</p>'
        for part, label, ids in claim_notes(f))
    return (
        f'<li class="fact status-{esc(f.status)}">'
        f'<p class="fact-text"{lang_attr}>{esc(f.text)} {_cites(index, fact_ids(f))}</p>'
        f'<p class="fact-meta">{"".join(meta)}</p>{parts}</li>'
    )


def _dispute(d: Dispute, index: SourceIndex) -> str:
    kind = f' <span class="muted">({esc(d.kind)})</span>' if d.kind else ""
    items = []
    for v in d.variants:
        groups = len(dict.fromkeys(v.groups))
        origin = (
            f' <span class="muted">· {groups} independent origin{"" if groups == 1 else "s"}</span>'
            if groups
            else ""
        )
        items.append(
            f'<li><p><span class="value">{esc(v.value)}</span> {_cites(index, v.sources)}{origin}</p>'
            f"<blockquote>{esc(v.text)}</blockquote></li>"
        )
    return (
        f'<div class="dispute"><h3>{esc(d.about)}{kind}</h3><ul class="variants">{"".join(items)}</ul></div>'
    )


def _loaded(x: LoadedFlag, index: SourceIndex) -> str:
    sentence = "".join(
        f"<mark>{esc(t)}</mark>" if term else esc(t) for t, term in term_segments(one_line(x.text), x.terms)
    )
    outlet = index.outlet(x.article)
    who = f"<code>{esc(x.article)}</code>" + (f" ({esc(outlet)})" if outlet else "")
    return (
        f'<li><p class="muted">{who}, {esc(x.where)} {_cites(index, [x.article])} · terms: '
        f"{esc(', '.join(x.terms))}</p><blockquote>{sentence}</blockquote></li>"
    )


def _removed_item(a: Article | None, aid: str, index: SourceIndex) -> str:
    who = f"{_cites(index, [aid])} <code>{esc(aid)}</code>"
    if a is None:
        return f"<li>{who}</li>"
    if a.source:
        who += f" ({esc(a.source)})"
    counts = removed_counts(a)
    if not counts:
        return f"<li>{who}: nothing removed</li>"
    total = sum(counts.values())
    kinds = ", ".join(f"{esc(k)}: {n}" for k, n in counts.items())
    return f"<li>{who}: {total} block{'' if total == 1 else 's'} — {kinds}</li>"


def _story(story: Story, index: SourceIndex, k: int) -> str:
    out = [
        f'<section class="story" id="story-{k}">',
        f"<h1>{esc(story.headline or 'Story ' + story.id)}</h1>",
    ]
    summary = esc(coverage_summary(story, index))
    if story.headline_from:
        src = _cites(index, [story.headline_from]) or f"<code>{esc(story.headline_from)}</code>"
        summary += f" · headline from {src}"
    out.append(f'<p class="coverage">{summary}</p>')
    extras = coverage_extras(story)
    if extras:
        rows = "".join(f"<dt>{esc(key)}</dt><dd>{esc(val)}</dd>" for key, val in extras)
        out.append(
            f'<details><summary>Coverage details</summary><dl class="coverage-details">{rows}</dl></details>'
        )

    out.append("<h2>Facts</h2>")
    origins = coverage_numbers(story, index)["origin_groups"]
    if story.facts:
        out.append('<ol class="facts">' + "".join(_fact(f, index, origins) for f in story.facts) + "</ol>")
    else:
        out.append('<p class="muted">No facts.</p>')

    if story.disputes:
        out.append("<h2>Where sources differ</h2>")
        out += [_dispute(d, index) for d in story.disputes]
    if story.loaded_language:
        out.append("<h2>Loaded language</h2>")
        out.append(
            '<ul class="variants">' + "".join(_loaded(x, index) for x in story.loaded_language) + "</ul>"
        )

    out.append("<h2>What was removed</h2>")
    out.append(
        "<ul>" + "".join(_removed_item(index.by_id.get(a), a, index) for a in story.articles) + "</ul>"
    )
    out.append("</section>")
    return "\n".join(out)


def _paragraphs(text: str) -> str:
    paras = [p.strip() for p in re.split(r"\n+", text) if p.strip()]
    return "".join(f"<p>{esc(p)}</p>" for p in paras)


def _source(aid: str, index: SourceIndex, copies: list[str]) -> str:
    n = index.number[aid]
    a = index.by_id.get(aid)
    out = [f'<article class="source" id="{_anchor(index, aid)}">']
    if a is None:
        out.append(f"<h3>[{n}] <code>{esc(aid)}</code></h3></article>")
        return "".join(out)
    heading = " — ".join(esc(x) for x in (a.source, a.title) if x) or f"<code>{esc(a.id)}</code>"
    out.append(f"<h3>[{n}] {heading}</h3>")
    meta = []
    if a.url:
        meta.append(_link(a.url))
    if a.published:
        meta.append(esc(a.published))
    ident = f"id <code>{esc(a.id)}</code>"
    if a.group is not None:
        ident += f", origin group <code>{esc(a.group)}</code>"
    meta.append(ident)
    if a.input:
        meta.append(f"input <code>{esc(a.input)}</code>")
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    for rel in a.derived_from:
        evidence = f" ({esc(rel.evidence)})" if rel.evidence else ""
        target = f"<code>{esc(rel.article)}</code> {_cites(index, [rel.article])}".rstrip()
        out.append(f'<p class="meta">{esc(relation_label(rel))} {target}{evidence}</p>')
    if a.credits:
        items = "".join(
            f"<li>{esc(c.kind)}{': ' + esc(c.name) if c.name else ''} — “{esc(one_line(c.text))}”</li>"
            for c in a.credits
        )
        out.append(f"<details><summary>Credits ({len(a.credits)})</summary><ul>{items}</ul></details>")
    if a.text:
        label = f"Cleaned text ({len(a.sentences)} sentence{'' if len(a.sentences) == 1 else 's'})"
        out.append(
            f'<details><summary>{label}</summary><div class="body">{_paragraphs(a.text)}</div></details>'
        )
    by_kind: dict[str, list] = {}
    for r in a.removed:
        by_kind.setdefault(r.kind, []).append(r)
    for kind, blocks in by_kind.items():
        items = "".join(
            "<li>"
            + (f'<p class="reason">{esc(r.reason)}</p>' if r.reason else "")
            + f"<pre>{esc(r.text)}</pre></li>"
            for r in blocks
        )
        out.append(
            f"<details><summary>Removed: {esc(kind)} ({len(blocks)})</summary>"
            f'<ul class="removed-list">{items}</ul></details>'
        )
    if copies:
        out.append('<div class="copies">' + "".join(_source(c, index, []) for c in copies) + "</div>")
    out.append("</article>")
    return "\n".join(out)


def to_html(brief: Brief) -> str:
    index = SourceIndex(brief)
    if len(brief.stories) == 1 and brief.stories[0].headline:
        title = brief.stories[0].headline
    else:
        title = f"Parallax brief: {len(brief.stories)} stor{'y' if len(brief.stories) == 1 else 'ies'}"
    body = [_story(s, index, k) for k, s in enumerate(brief.stories, 1)]
    if not brief.stories:
        body.append('<p class="muted">No stories.</p>')
    if index.entries:
        body.append('<section id="sources"><h1>Sources</h1>')
        body += [_source(root, index, rest) for root, rest in index.entries]
        body.append("</section>")
    if brief.errors:
        items = "".join(
            f"<li><code>{esc(e.code)}</code> <code>{esc(e.input)}</code>: {esc(e.message)}</li>"
            for e in brief.errors
        )
        body.append(
            f'<section id="errors" class="errors"><h1>Inputs that could not be read</h1><ul>{items}</ul></section>'
        )
    settings = public_settings(brief.settings or {})
    footer = f"Generated by parallax {esc(version())}"
    if settings:
        rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(format_value(v))}</dd>" for k, v in settings.items())
        footer += f'<details><summary>Settings</summary><dl class="coverage-details">{rows}</dl></details>'
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',  # a constant: no quotes to escape
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f'<meta name="generator" content="parallax {esc(version())}">',
            f"<title>{esc(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            "<main>",
            *body,
            f"<footer>{footer}</footer>",
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def markdownish_html(text: str, title: str = "Parallax") -> str:
    """A minimal standalone HTML page showing Markdown-ish text (headings, list items, paragraphs), escaped.

    For text that is not a Brief, e.g. `parallax brief --story ID --since-last --format html`."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("## "):
            out.append(f"<h2>{esc(s[3:])}</h2>")
        elif s.startswith("# "):
            out.append(f"<h1>{esc(s[2:])}</h1>")
        elif s.startswith("- "):
            indent = " style=\"margin-left:2em\"" if line.startswith("  ") else ""
            out.append(f"<p{indent}>• {esc(s[2:])}</p>")
        elif s:
            out.append(f"<p>{esc(s)}</p>")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\"><title>{esc(title)}</title>"
            f"</head><body>{''.join(out)}</body></html>\n")
