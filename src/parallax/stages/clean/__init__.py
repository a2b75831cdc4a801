"""Clean: keep the article, drop what is not, and record every removal with its kind and reason.

An HTML page is read as its visible blocks (one per line, `Article.raw`); trafilatura's text
(`Article.meta["extracted"]`) says which blocks are the article, and every other block is recorded as removed,
with the kind its words or its place on the page suggest. Then text steps run over what is left. On an HTML
page only those that earn their place on pages we did not tune on run (the `html_*` switches of
`CleanConfig`, chosen by 5-fold cross-validation in bench/extract_cv.py); a plain-text page (a scrape) has
nothing else and runs them all:

- site: blocks repeated on many of this site's pages (`site.site_boilerplate`, when several are known),
- noise: timestamp and byline lines, standards footers, self-promoting bios, contact lines, join calls
  (`noise`), each removed as a whole block,
- chrome: page chrome that scrapes keep inline (`rules.CHROME_RULES`): teasers with their label ("Related: …",
  "READ MORE: …", "Most read: …"), paywall meters, comment-status lines, cookie banners, labelled adverts and
  betting small print, the outlet's own programmes ("Listen again on the … app"), "Listen to this article",
  weather, tide and travel strips, "views are the author's own" and AI-tools disclosures, syndication and
  redistribution small print, reader appeals, view counters; the same teasers in Spanish and a few other
  languages,
- lines: line rules (share buttons, comment counters, photo credits, player leftovers, one-line menus and
  tickers …),
- sections: a "Related articles" or "Comments" header with the headline lines it holds,
- top: the headline, and the site name and motto above it,
- headline_runs / tail: lists of other headlines, short leftovers after the article's last paragraph,
- glued: unrelated stories glued on after the article, each removed whole from its headline to its end
  (`topic`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from parallax.config import CleanConfig, settings
from parallax.model import Article, Removal
from parallax.stages.clean import noise, rules, site
from parallax.stages.clean.html import Extracted, extract_html
from parallax.stages.clean.site import site_boilerplate, site_key
from parallax.stages.clean.topic import find_glued_stories

log = logging.getLogger(__name__)

REMOVAL_KINDS = (
    "site_header", "byline", "navigation", "related", "comments", "share", "subscribe", "author_bio",
    "disclaimer", "legal", "photo_credit", "media_player", "tags", "source_link", "cookie_notice",
    "advertisement", "unrelated_story", "boilerplate", "page_chrome", "timestamp", "standards", "contact",
)

__all__ = ["REMOVAL_KINDS", "TEXT_STEPS", "Extracted", "clean_article", "clean_articles", "clean_text",
           "extract_article", "extract_html", "site_boilerplate", "site_key"]


@dataclass(slots=True)
class Block:
    start: int  # offsets into the raw text
    end: int
    text: str  # stripped line
    kind: str | None = None  # removal kind, "title", or None for content
    reason: str = ""
    story_of: int = -1  # for a glued story's later blocks: the start offset of the story's first block

    @property
    def n_words(self) -> int:
        return len(rules.words(self.text))


def _blocks(raw: str) -> list[Block]:
    out = []
    for m in re.finditer(r"[^\n]+", raw):
        line = m.group(0)
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        start = m.start() + lead
        out.append(Block(start, start + len(stripped), stripped))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _mark(block: Block, kind: str, reason: str) -> None:
    if block.kind is None:
        block.kind, block.reason = kind, reason


def _apply_line_rules(blocks: list[Block]) -> None:
    for b in blocks:
        kind = rules.classify_line(b.text)
        if kind:
            _mark(b, kind, f"line looks like {kind.replace('_', ' ')}")


def _apply_sections(blocks: list[Block]) -> None:
    """A "Related stories" or "Comments" header claims the headline lines after it."""
    total_words = sum(b.n_words for b in blocks) or 1
    words_before = 0
    i = 0
    while i < len(blocks):
        b = blocks[i]
        kind = rules.section_kind(b.text)
        if kind and b.kind in (None, kind, "navigation", "comments", "related"):
            b.kind, b.reason = kind, f"'{b.text}' header"
            late = words_before / total_words > settings().clean.comments_late_share
            j = i + 1
            while j < len(blocks):
                nb = blocks[j]
                if rules.section_kind(nb.text) and nb.kind in (None, "navigation", "comments", "related"):
                    break  # the next section ("Comments" after "Related stories") opens on its own
                if nb.kind is not None and nb.kind != "title":
                    j += 1
                    continue
                # A comment thread after the article runs to the end of the page; a related list stops
                # at the next paragraph of prose.
                if kind == "comments" and late:
                    _mark(nb, "comments", "inside the comment section")
                elif rules.is_body_paragraph(nb.text):
                    break
                else:
                    _mark(nb, kind, f"listed under '{b.text}'")
                j += 1
            i = j
            continue
        words_before += b.n_words
        i += 1


def _words(text: str) -> set[str]:
    """The lower-cased words of three letters or more of a line (what a headline and its lead share)."""
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)} - _COMMON


# Words a site's name and a headline share with any lead, whatever the story.
_COMMON = frozenset(["the", "and", "for", "with", "from", "that", "this", "are", "was", "were", "has", "have", "had",
                     "its", "after", "over", "new", "news", "into"])


def _apply_top(blocks: list[Block], title: str | None, mark_header: bool = True) -> str | None:
    """Find the headline line at the top; lines above it are the site's header (name, motto, section)."""
    first_body = next((i for i, b in enumerate(blocks) if b.kind is None and rules.is_body_paragraph(b.text)), None)
    if first_body is None:
        return title
    # Only a page top of short lines (name, motto, section, headline) is a masthead; wrapped prose is not.
    cfg = settings().clean
    top = [i for i in range(first_body) if blocks[i].kind is None]
    if any(blocks[i].n_words > cfg.top_line_max_words or blocks[i].text[:1].islower()
           or blocks[i].text.rstrip().endswith(",") for i in top) or len(top) > cfg.top_max_lines:
        return title
    title_idx = None
    if title:
        nt = _norm(title)
        for i in top:
            nb = _norm(blocks[i].text)
            if nb and (nb == nt or (len(nb) > 20 and (nb in nt or nt in nb))):
                title_idx = i
                break
    if title_idx is None and not title:
        # The headline is the headline-like line of the top that is not a dateline, a menu or a name line under
        # it ("Ilse Marrow, Quillmoor") and that shares the most words with the opening paragraph (a headline
        # is about its story, a site's name is not: "The Patriot Dispatch" under the headline); the last of
        # those that share as many.
        heads = [i for i in top if rules.is_headline_like(blocks[i].text) and blocks[i].n_words >= 3
                 and not rules.is_dateline(blocks[i].text) and not rules.is_link_list(blocks[i].text)
                 and not rules.is_name_line(blocks[i].text)]
        if heads:
            lead = _words(blocks[first_body].text)
            title_idx = max(heads, key=lambda i: (len(_words(blocks[i].text) & lead), i))
    if title_idx is None:
        return title
    blocks[title_idx].kind = "title"
    for i in top:
        if mark_header and i < title_idx:
            _mark(blocks[i], "site_header", "above the headline")
        elif i > title_idx and (rules.is_name_line(blocks[i].text) or rules.is_bare_name(blocks[i].text)):
            _mark(blocks[i], "byline", "the writer's name under the headline")
    return title or blocks[title_idx].text


def _apply_headline_runs(blocks: list[Block], min_run: int | None = None) -> None:
    """Four (`CleanConfig.headline_run_min`) or more headline-like lines in a row, with no prose between them,
    are a list of other stories."""
    min_run = min_run or settings().clean.headline_run_min
    run: list[Block] = []

    def structured(lines: list[Block]) -> bool:
        # Tour dates, fixtures, standings: items of one list share a shape (same first word, a date, a
        # separator); headlines of other stories do not.
        firsts = Counter(re.sub(r"\d+", "0", b.text.split()[0].lower()) for b in lines)
        seps = sum(1 for b in lines if re.search(r" -- | \| |\d", b.text))
        return firsts.most_common(1)[0][1] >= 0.4 * len(lines) or seps >= 0.5 * len(lines)

    def flush() -> None:
        if len(run) >= min_run and not structured(run):
            for rb in run:
                _mark(rb, "related", "one of a list of headlines")
        run.clear()

    for b in blocks:
        # Headlines of other stories are Title Case (or ALL CAPS) lines of a few words; list items, short
        # quotes, wrapped lines and scripts without capitals are not.
        if b.kind is None and rules.is_headline_like(b.text) and not rules.is_body_paragraph(b.text) \
                and b.n_words >= 3 and (rules.title_case_ratio(b.text) >= 0.8 or b.text.isupper()):
            run.append(b)
        elif b.kind is None:
            flush()
    flush()


def _apply_tail(blocks: list[Block]) -> None:
    """Short lines left after the article's last paragraph are page furniture; so is a teaser's paragraph
    stranded under another story's listed headline after the article."""
    content = [i for i, b in enumerate(blocks) if b.kind is None and rules.is_body_paragraph(b.text)]
    while len(content) > 1 and content[-1] - content[-2] > 1 and blocks[content[-1] - 1].kind == "related" \
            and rules.is_headline_like(blocks[content[-1] - 1].text):
        # "Most read" / "Also in today's paper": a headline, then its standfirst, with nothing of the article
        # after it; a paragraph right after the article's own (content[-1] - content[-2] == 1) never goes.
        _mark(blocks[content[-1]], "related", "a teaser's paragraph under another story's headline after the article")
        content.pop()
    if not content:
        return
    last = content[-1]
    cfg = settings().clean
    for i in range(last + 1, len(blocks)):
        b = blocks[i]
        if b.kind is None:
            # A name line right above a bio belongs to the bio.
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if nxt is not None and nxt.kind == "author_bio" and b.n_words <= cfg.bio_name_max_words:
                _mark(b, "author_bio", "author name above the bio")
            elif (rules.ends_sentence(b.text) and b.n_words >= cfg.tail_sentence_min_words) \
                    or b.n_words > cfg.tail_line_max_words or b.text[:1].islower():
                continue  # a short closing sentence of the article, or a wrapped line of prose
            else:
                _mark(b, "boilerplate", "short line after the article's end")
    # A name line right above a bio elsewhere too.
    for i in range(len(blocks) - 1):
        if blocks[i].kind is None and blocks[i + 1].kind == "author_bio" and blocks[i].n_words <= cfg.bio_name_max_words \
                and rules.is_headline_like(blocks[i].text):
            _mark(blocks[i], "author_bio", "author name above the bio")


_CONTAINER_KINDS = {"navigation", "cookie_notice", "comments", "related", "share", "tags", "advertisement",
                    "subscribe"}

TEXT_STEPS = ("site", "noise", "chrome", "lines", "sections", "top", "headline_runs", "tail", "glued")


def html_steps(config: CleanConfig) -> frozenset[str]:
    """The text steps that run on an HTML page's extracted blocks (`CleanConfig.html_*`)."""
    on = {"site": config.html_site, "noise": config.html_noise, "chrome": config.html_chrome, "lines": config.html_lines,
          "sections": config.html_sections, "top": config.html_top, "headline_runs": config.html_headline_runs,
          "tail": config.html_tail, "glued": config.html_glued}
    return frozenset(s for s in TEXT_STEPS if on[s])


def _squash(text: str) -> str:
    return " ".join(text.split())


_LIST_MARK = re.compile(r"^[-*•]\s+")


def _line_key(text: str) -> str:
    """A line compared across the page's blocks and the extractor's text (list marks, spacing ignored)."""
    return _squash(_LIST_MARK.sub("", text.strip()))


def _removed_kind(b: Block, hint: str | None, seen_article: bool) -> tuple[str, str]:
    """Kind and reason of a block the HTML extraction left out."""
    why = "left out by the HTML extraction (trafilatura)"
    if hint in _CONTAINER_KINDS:
        # A block inside <nav> or a "comments" container is that, whatever its words look like.
        return hint, f"{why}; in the page's {hint}"
    noisy = noise.classify(b.text)
    kind = (noisy[0] if noisy else None) or rules.classify_line(b.text) or rules.section_kind(b.text) or hint \
        or ("page_chrome" if seen_article else "site_header")
    return kind, why


def _apply_extraction(blocks: list[Block], extracted: str, hints: dict[str, str] | None) -> bool:
    """The blocks the HTML extraction kept stay; every other block is removed (page chrome, navigation,
    comments …) with a kind. The extracted lines are matched to the blocks in page order; returns False
    when some extracted line matches no block (the caller then cleans the extracted text itself)."""
    hints = hints or {}
    ext_lines = [_line_key(x) for x in extracted.splitlines() if x.strip()]
    if not ext_lines:
        return False
    keep = [False] * len(blocks)
    j = 0
    for i, b in enumerate(blocks):
        if j < len(ext_lines) and _line_key(b.text) == ext_lines[j]:
            keep[i] = True
            j += 1
    if j < len(ext_lines):
        return False
    # A "Related stories" / "Comments" header names the lines it holds: label them so (labels only; which
    # blocks go was decided by the extraction).
    labelled = [Block(b.start, b.end, b.text) for b in blocks]
    _apply_sections(labelled)
    seen_article = False
    for i, b in enumerate(blocks):
        if keep[i]:
            seen_article = True
            continue
        if b.kind is None:
            b.kind, b.reason = _removed_kind(b, hints.get(b.text), seen_article)
            if labelled[i].kind and b.kind in ("page_chrome", "site_header", "boilerplate"):
                b.kind = labelled[i].kind
                b.reason += f"; {labelled[i].reason}"
    return True


def _apply_site(blocks: list[Block], boilerplate: frozenset[str] | set[str] | None) -> None:
    if not boilerplate:
        return
    for b in blocks:
        if b.kind is None and site.fingerprint(b.text) in boilerplate:
            noisy = noise.classify(b.text)
            kind = (noisy[0] if noisy else None) or rules.classify_line(b.text) or "boilerplate"
            b.kind, b.reason = kind, "repeated on many of this site's pages"


def _apply_noise(blocks: list[Block]) -> None:
    content = [b for b in blocks if b.kind is None]
    for b, found in zip(content, noise.classify_blocks([b.text for b in content]), strict=True):
        if found:
            b.kind, b.reason = found


def _apply_chrome(blocks: list[Block]) -> None:
    for b in blocks:
        kind = rules.chrome_kind(b.text)
        if kind:
            _mark(b, kind, f"page chrome: {kind.replace('_', ' ')}")


def _apply_glued(blocks: list[Block], title: str | None, strict: bool) -> None:
    content = [b for b in blocks if b.kind is None]
    for s, e in find_glued_stories([b.text for b in content], title or "", strict=strict):
        for b in content[s:e]:
            b.kind, b.reason = "unrelated_story", "a different story glued on after the article (topic shift)"
        content[s].reason += "; its headline or opening"
        for b in content[s + 1 : e]:
            b.story_of = content[s].start


def _clean(raw: str, title: str | None, *, detect_glued: bool, extracted: str | None,
           hints: dict[str, str] | None, boilerplate: frozenset[str] | set[str] | None,
           config: CleanConfig) -> tuple[str, list[Removal], str | None, str]:
    """(cleaned body, removals, headline, the text the removals' offsets index: `raw` or `extracted`)."""
    steps = frozenset(TEXT_STEPS)
    if extracted is not None:
        steps = html_steps(config)
        blocks = _blocks(raw)
        if not _apply_extraction(blocks, extracted, hints):
            log.info("HTML extraction does not map onto the page's blocks; cleaning the extracted text")
            raw, blocks = extracted, _blocks(extracted)
    else:
        blocks = _blocks(raw)
    if "site" in steps:
        _apply_site(blocks, boilerplate)
    if "noise" in steps:
        _apply_noise(blocks)
    if "chrome" in steps:
        _apply_chrome(blocks)
    if "lines" in steps:
        _apply_line_rules(blocks)
    if "sections" in steps:
        _apply_sections(blocks)
    found_title = _apply_top(blocks, title, mark_header="top" in steps) if ("top" in steps or not title) \
        else title
    if "headline_runs" in steps:
        _apply_headline_runs(blocks)
    if "tail" in steps:
        _apply_tail(blocks)
    if detect_glued and "glued" in steps:
        _apply_glued(blocks, found_title, strict=extracted is not None)
    kept = [b.text for b in blocks if b.kind is None]
    removed = [b for b in blocks if b.kind is not None and b.kind != "title"]
    return "\n\n".join(kept), _merge_adjacent(removed, raw), found_title, raw


def clean_text(raw: str, title: str | None = None, *, detect_glued: bool = True,
               extracted: str | None = None, hints: dict[str, str] | None = None,
               boilerplate: frozenset[str] | set[str] | None = None, config: CleanConfig | None = None
               ) -> tuple[str, list[Removal], str | None]:
    """Clean one page's text: (cleaned body, removals with offsets into `raw`, headline).

    `extracted`: for HTML pages, the text trafilatura kept of `raw` (the page's visible text); when it does
    not map onto `raw`'s blocks the extracted text itself is cleaned, and the offsets index it
    (`clean_article` then makes it the article's `raw`). `boilerplate`: fingerprints of blocks repeated
    across this page's site (`site_boilerplate`).
    """
    text, removed, found_title, _ = _clean(raw, title, detect_glued=detect_glued, extracted=extracted, hints=hints,
                                           boilerplate=boilerplate, config=config or settings().clean)
    return text, removed, found_title


def _merge_adjacent(blocks: list[Block], raw: str) -> list[Removal]:
    """Consecutive removed blocks of one kind become one removal (one list of headlines, one comment
    thread); a glued story is one removal from its headline to its end, and two glued stories stay two."""
    def story(b: Block) -> int:
        return b.story_of if b.story_of >= 0 else b.start

    out: list[Removal] = []
    last: Block | None = None
    for b in blocks:
        kind = b.kind or "boilerplate"
        same_story = kind != "unrelated_story" or (last is not None and story(b) == story(last))
        if out and last is not None and out[-1].kind == kind and same_story \
                and not raw[out[-1].end : b.start].strip():
            prev = out[-1]
            out[-1] = Removal(prev.kind, prev.start, b.end, raw[prev.start : b.end], prev.reason)
        else:
            out.append(Removal(kind, b.start, b.end, b.text, b.reason))
        last = b
    return out


def clean_article(article: Article, *, detect_glued: bool = True,
                  boilerplate: frozenset[str] | set[str] | None = None) -> Article:
    """Article -> Article: fills `text`, `removed` and (when found) `title`.

    `boilerplate`: fingerprints of blocks repeated across the article's site (`site_boilerplate` over the
    site's pages as read); those blocks are removed as "boilerplate" (or the kind their words show). When an
    HTML page's extraction does not map onto its visible blocks, the extracted text becomes `raw`, so that
    every removal's offsets point at its text in `raw`.
    """
    extracted = article.meta.get("extracted") if article.raw != article.meta.get("extracted") else None
    text, removed, title, indexed = _clean(article.raw, article.title, detect_glued=detect_glued, extracted=extracted,
                                           hints=article.meta.get("block_hints"), boilerplate=boilerplate,
                                           config=settings().clean)
    if indexed is not article.raw and indexed != article.raw:
        article.meta["extraction_unmapped"] = True
        article.raw = indexed  # the extracted text was cleaned: the offsets point into it
    article.text = text
    article.removed = removed
    if title and not article.title:
        article.title = title
    return article


def clean_articles(articles: list[Article], *, detect_glued: bool = True) -> list[Article]:
    """Clean a batch: pages of one site (same host, or same outlet without a URL) are compared first, so
    blocks that recur across that site's pages go as the site's boilerplate."""
    by_site: dict[str, list[Article]] = {}
    for a in articles:
        key = site_key(a.url, a.source)
        if key:
            by_site.setdefault(key, []).append(a)
    boilerplate = {key: site_boilerplate([a.raw for a in members]) for key, members in by_site.items()
                   if len(members) > 1}
    for a in articles:
        key = site_key(a.url, a.source)
        clean_article(a, detect_glued=detect_glued, boilerplate=boilerplate.get(key) if key else None)
    return articles


def extract_article(html: str, url: str | None = None) -> str:
    """HTML page -> cleaned article body, by exactly the product's path: read the page (`stages.read`), then
    clean it with the settings in effect. Returns "" for a page with no readable text."""
    from parallax.errors import InputRejected
    from parallax.stages.read import article_from_text

    try:
        article = article_from_text(html, html=True, url=url)
    except InputRejected:
        return ""
    return clean_article(article).text
