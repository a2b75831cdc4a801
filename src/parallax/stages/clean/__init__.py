"""Clean: keep the article, drop what is not, and record every removal with its kind.

One pass serves every page (plain text as scraped, or the text trafilatura extracted from HTML):
1. line rules (share buttons, comment counters, bios, disclaimers, photo credits, player leftovers …),
2. sections opened by a header ("Related articles", "Comments") with the headline lines they hold,
3. the page top: site name and motto above the headline,
4. lists of other headlines without a header, and short leftovers after the article's last paragraph,
5. whole unrelated stories glued on after the article (topic shift against the article's own lead).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from parallax.model import Article, Removal
from parallax.stages.clean import rules
from parallax.stages.clean.html import Extracted, extract_html
from parallax.stages.clean.topic import find_glued_suffix

log = logging.getLogger(__name__)

REMOVAL_KINDS = (
    "site_header", "byline", "navigation", "related", "comments", "share", "subscribe", "author_bio",
    "disclaimer", "legal", "photo_credit", "media_player", "tags", "source_link", "cookie_notice",
    "advertisement", "unrelated_story", "boilerplate", "page_chrome",
)

__all__ = ["REMOVAL_KINDS", "Extracted", "clean_article", "clean_text", "extract_article", "extract_html"]


@dataclass(slots=True)
class Block:
    start: int  # offsets into the raw text
    end: int
    text: str  # stripped line
    kind: str | None = None  # removal kind, "title", or None for content
    reason: str = ""

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
            late = words_before / total_words > 0.5
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


def _apply_top(blocks: list[Block], title: str | None) -> str | None:
    """Find the headline line at the top; lines above it are the site's header (name, motto, section)."""
    first_body = next((i for i, b in enumerate(blocks) if b.kind is None and rules.is_body_paragraph(b.text)), None)
    if first_body is None:
        return title
    # Only a page top of short lines (name, motto, section, headline) is a masthead; wrapped prose is not.
    top = [i for i in range(first_body) if blocks[i].kind is None]
    if any(blocks[i].n_words > 20 or blocks[i].text[:1].islower() or blocks[i].text.rstrip().endswith(",")
           for i in top) or len(top) > 8:
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
        heads = [i for i in top if rules.is_headline_like(blocks[i].text) and blocks[i].n_words >= 3]
        if heads:
            title_idx = heads[-1]
    if title_idx is None:
        return title
    blocks[title_idx].kind = "title"
    for i in top:
        if i < title_idx:
            _mark(blocks[i], "site_header", "above the headline")
    return title or blocks[title_idx].text


def _apply_headline_runs(blocks: list[Block], min_run: int = 4) -> None:
    """Four or more headline-like lines in a row, with no prose between them, are a list of other stories."""
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
    """Short lines left after the article's last paragraph are page furniture."""
    content = [i for i, b in enumerate(blocks) if b.kind is None and rules.is_body_paragraph(b.text)]
    if not content:
        return
    last = content[-1]
    for i in range(last + 1, len(blocks)):
        b = blocks[i]
        if b.kind is None:
            # A name line right above a bio belongs to the bio.
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if nxt is not None and nxt.kind == "author_bio" and b.n_words <= 5:
                _mark(b, "author_bio", "author name above the bio")
            elif (rules.ends_sentence(b.text) and b.n_words >= 5) or b.n_words > 10 or b.text[:1].islower():
                continue  # a short closing sentence of the article, or a wrapped line of prose
            else:
                _mark(b, "boilerplate", "short line after the article's end")
    # A name line right above a bio elsewhere too.
    for i in range(len(blocks) - 1):
        if blocks[i].kind is None and blocks[i + 1].kind == "author_bio" and blocks[i].n_words <= 5 \
                and rules.is_headline_like(blocks[i].text):
            _mark(blocks[i], "author_bio", "author name above the bio")


_CONTAINER_KINDS = {"navigation", "cookie_notice", "comments", "related", "share", "tags", "advertisement",
                    "subscribe"}


def _squash(text: str) -> str:
    return " ".join(text.split())


def _apply_extraction(blocks: list[Block], extracted: str, title: str | None,
                      hints: dict[str, str] | None = None) -> bool:
    """Blocks of an HTML page's visible text that the HTML extraction left out are page chrome.

    Returns False when the extraction cannot be matched to the blocks well enough to trust the mapping
    (then the caller cleans the extracted text instead).
    """
    ext = _squash(extracted)
    if not ext:
        return False
    nt = _norm(title) if title else None
    covered = 0
    seen_article = False
    for b in blocks:
        sq = _squash(b.text)
        if sq and sq in ext:
            covered += len(sq)
            seen_article = True
            continue
        if nt and _norm(b.text) == nt:
            continue  # the headline: handled by the page-top step
        hint = (hints or {}).get(b.text)
        if hint in _CONTAINER_KINDS:
            # A block inside <nav> or a "comments" container is that, whatever its words look like.
            b.kind, b.reason = hint, "left out by the HTML extraction (trafilatura); in the page's " + hint
            continue
        kind = rules.classify_line(b.text) or rules.section_kind(b.text) or hint or \
            ("page_chrome" if seen_article else "site_header")
        _mark(b, kind, "left out by the HTML extraction (trafilatura)")
    return covered >= 0.8 * len(ext)


def clean_text(raw: str, title: str | None = None, *, detect_glued: bool = True,
               extracted: str | None = None, hints: dict[str, str] | None = None
               ) -> tuple[str, list[Removal], str | None]:
    """Clean one page's text: (cleaned body, removals with offsets into `raw`, headline).

    `extracted`: for HTML pages, the text trafilatura kept of `raw` (the page's visible text).
    """
    blocks = _blocks(raw)
    _apply_line_rules(blocks)
    _apply_sections(blocks)
    if extracted is not None and not _apply_extraction(blocks, extracted, title, hints):
        log.info("HTML extraction does not map onto the page's blocks; cleaning the extracted text")
        return clean_text(extracted, title, detect_glued=detect_glued)
    found_title = _apply_top(blocks, title)
    _apply_headline_runs(blocks)
    _apply_tail(blocks)
    if detect_glued:
        content = [b for b in blocks if b.kind is None]
        head_text = found_title or ""
        cut = find_glued_suffix([b.text for b in content], head_text)
        if cut is not None:
            for b in content[cut:]:
                b.kind, b.reason = "unrelated_story", "a different story glued on after the article (topic shift)"
    kept = [b.text for b in blocks if b.kind is None]
    removals = [Removal(b.kind, b.start, b.end, b.text, b.reason) for b in blocks
                if b.kind is not None and b.kind != "title"]
    removals = _merge_adjacent(removals, raw)
    return "\n\n".join(kept), removals, found_title


def _merge_adjacent(removals: list[Removal], raw: str) -> list[Removal]:
    """Consecutive removals of one kind become one block (one glued story, one list of headlines)."""
    out: list[Removal] = []
    for r in removals:
        # Glued-on paragraphs stay apart: each is usually a different story.
        if out and out[-1].kind == r.kind and r.kind != "unrelated_story" and not raw[out[-1].end : r.start].strip():
            prev = out[-1]
            out[-1] = Removal(prev.kind, prev.start, r.end, raw[prev.start : r.end], prev.reason)
        else:
            out.append(r)
    return out


def clean_article(article: Article, *, detect_glued: bool = True) -> Article:
    """Article -> Article: fills `text`, `removed` and (when found) `title`."""
    extracted = article.meta.get("extracted") if article.raw != article.meta.get("extracted") else None
    text, removed, title = clean_text(article.raw, article.title, detect_glued=detect_glued, extracted=extracted,
                                      hints=article.meta.get("block_hints"))
    if removed and extracted is not None and any(r.end > len(article.raw) for r in removed):
        article.raw = extracted  # fell back to cleaning the extracted text: offsets point into it
    article.text = text
    article.removed = removed
    if title and not article.title:
        article.title = title
    return article


def extract_article(html: str, url: str | None = None) -> str:
    """HTML page -> cleaned article body (trafilatura, then our cleaning pass)."""
    ex = extract_html(html, url)
    text, _, _ = clean_text(ex.text, ex.title)
    return text
