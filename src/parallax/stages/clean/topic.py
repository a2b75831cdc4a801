"""Whole unrelated stories glued on after the article, found by the topic shift against the article itself.

Scrapers glue other stories after the article: with their own headline and paragraphs, or squashed into one
paragraph each with a kicker ("SHIFT PRIORITIES: …"), or cut off mid-sentence. The article is cut into
*segments*: a segment starts at a line that could open a story (a headline line above prose, a kicker
paragraph, a paragraph squashed or cut off by a scraper) and runs to the next such line. A segment is a glued
story when a scraper's mark opens it and, taken as a whole, it is far in topic (all-MiniLM-L6-v2) from the
article's head AND from every earlier paragraph of the article (a listicle's item or a column's second letter
is close to some earlier paragraph; on a page already cut into headed sections it must be farther still), with
few of the lead's names. Glued stories are a suffix: every segment after the first goes too, each as one
removal from its headline to its end, and if the article's topic comes back after it nothing is cut. On the
scrapinghub dev pages (real articles, no glued stories) this cuts one 47-word block of 130 pages.

That strict finder runs on HTML pages (`strict=True`). A plain-text scrape has no page structure and often
carries several squashed stories on the article's own subject (same country, same actors); there the looser
finder of `_loose` runs (topic shift against the lead plus a scraper's mark), as before.

Its cost is bounded by the brief's sentence cap (`limits.max_sentences`): only the paragraphs that hold about
the first `max_sentences` sentences (what can be briefed; `bound_article` drops the rest) are embedded and
may open a glued story, which then runs to the page's end as before. A multi-megabyte page of prose is
cleaned in the time a page at the cap takes, inside its time budget.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from parallax.config import GluedConfig, settings
from parallax.stages.clean import rules

__all__ = ["GluedConfig", "find_glued_stories", "find_glued_suffix"]

log = logging.getLogger(__name__)


_NAME = re.compile(r"\b[A-Z][a-z][\w’'-]+|\b[A-Z]{2,}\b")
_GENERIC = {
    "The", "This", "That", "These", "Those", "In", "On", "At", "For", "And", "But", "With", "After", "As", "By",
    "President", "Prime", "Minister", "Secretary", "Officials", "Official", "Government", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December", "Mr", "Mrs", "Ms", "Dr", "It",
    "He", "She", "They", "We", "His", "Her", "Their", "A", "An", "If", "When", "While", "However", "According",
}


def _names(text: str) -> set[str]:
    out = set()
    for m in _NAME.finditer(text):
        w = m.group(0)
        if w in _GENERIC or len(w) < 3:
            continue
        out.add(w.lower()[:5])  # Japan / Japanese, Russia / Russian: compare on a short stem
    return out


def _clip(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


def _is_headline_line(text: str, config: GluedConfig) -> bool:
    """A line that could be another story's headline: a short title, not a lead-in ending in ':'."""
    n = len(rules.words(text))
    return rules.is_headline_like(text) and not rules.is_body_paragraph(text) \
        and config.headline_line_min_words <= n <= config.headline_line_max_words \
        and not text.rstrip().endswith((":", ",", ";", "—", "-"))


def _marks(paragraphs: list[str], i: int, median_len: float, config: GluedConfig) -> tuple[float, int]:
    """(structural evidence, index where the story would start) for a story opening at paragraph i."""
    p = paragraphs[i]
    n = len(rules.words(p))
    score = 0.0
    if not rules.ends_sentence(p) and n >= config.cut_words:
        score += config.w_cut  # prose cut off mid-sentence: scrapers truncate glued-on teasers
    if rules.KICKER.match(p):
        score += config.w_kicker  # "SHIFT PRIORITIES: …", the kicker of another story
    if n > config.squashed_words and n > config.squashed_ratio * median_len:
        score += config.w_squashed  # a whole story squashed into one paragraph
    start = i
    if i > 0 and _is_headline_line(paragraphs[i - 1], config):
        score += config.w_headline  # its own headline above it
        start = i - 1
    return score, start


def briefed_paragraphs(paragraphs: list[str], max_sentences: int) -> int:
    """How many leading paragraphs hold about the first `max_sentences` sentences (a paragraph counts as at
    least one): what the brief can use of the page. Sentence ends are counted, not split, so that this costs
    a scan of the text (`rules.sentences_about`); abbreviations make it count high, the window shorter."""
    total = 0
    for i, p in enumerate(paragraphs):
        total += rules.sentences_about(p)
        if total >= max_sentences:
            return i + 1
    return len(paragraphs)


def find_glued_stories(paragraphs: list[str], title: str = "", config: GluedConfig | None = None, *,
                       strict: bool = True, max_sentences: int | None = None) -> list[tuple[int, int]]:
    """[start, end) index ranges of glued-on stories (each from its headline to its end), in page order.
    `config`: default `settings().glued`. Only the paragraphs of about the first `max_sentences` sentences
    (default `settings().limits.max_sentences`) are embedded or may open a story: the cost is bounded."""
    config = config or settings().glued
    cap = settings().limits.max_sentences if max_sentences is None else max_sentences
    window = briefed_paragraphs(paragraphs, cap)
    if window < len(paragraphs):
        log.info("glued stories looked for in the first %d of %d paragraphs (limits.max_sentences %d)",
                 window, len(paragraphs), cap)
    body_idx = [i for i, p in enumerate(paragraphs[:window]) if rules.is_body_paragraph(p)]
    if len(body_idx) <= config.min_keep:
        return []
    first_allowed = body_idx[config.min_keep - 1] + 1
    lengths = sorted(len(rules.words(paragraphs[i])) for i in body_idx[: max(config.head_paragraphs, len(body_idx) // 2)])
    median_len = lengths[len(lengths) // 2] if lengths else 0
    # Candidate openings: body paragraphs after the lead with a scraper's mark or a headline above them.
    opens: list[tuple[int, float]] = []  # (segment start, structural evidence)
    for i in body_idx[config.min_keep :]:
        score, start = _marks(paragraphs, i, median_len, config)
        if score > 0 and start >= first_allowed:
            opens.append((start, score))
    if not opens:
        return []
    starts = [s for s, _ in opens]
    ends = [*starts[1:], len(paragraphs)]

    from parallax.text.embed import embed

    head_paras = [paragraphs[i] for i in body_idx[: config.head_paragraphs]]
    seg_texts = []
    for s, e in zip(starts, ends, strict=True):
        paras: list[str] = []
        for j in range(s, e):  # its first few body paragraphs (the last segment runs to the page's end)
            if len(paras) == config.segment_paragraphs:
                break
            if rules.is_body_paragraph(paragraphs[j]):
                paras.append(paragraphs[j])
        seg_texts.append([_clip(p, config.clip_words) for p in paras] or [_clip(paragraphs[s], config.clip_words)])
    flat = [_clip(p, config.clip_words) for p in head_paras] + ([title] if title else [])
    flat += [t for ts in seg_texts for t in ts]
    vecs = embed(flat)
    k = len(head_paras) + (1 if title else 0)
    head = vecs[:k].mean(axis=0)
    head = head / (np.linalg.norm(head) or 1.0)
    lead_names = _names(" ".join([title, *head_paras[:1]]))
    sims = []
    seg_vecs = []
    pos = k
    for ts in seg_texts:
        seg = vecs[pos : pos + len(ts)]
        v = seg.mean(axis=0)
        pos += len(ts)
        sims.append(float(v @ head / (np.linalg.norm(v) or 1.0)))
        seg_vecs.append(seg)

    earlier_of: dict[int, np.ndarray] = {}

    def closest_before(seg: np.ndarray, start: int) -> float:
        """The segment's paragraphs' highest similarity to any article paragraph before `start`: a section of
        the article (a listicle's item, a column's second letter) comes close to some earlier paragraph. The
        body paragraphs are embedded here, when a segment first needs them (the loose finder never does)."""
        before = [_clip(paragraphs[i], config.clip_words) for i in body_idx if i < start]
        if not before:
            return 0.0
        if start not in earlier_of:
            earlier_of[start] = embed(before)
        return float((seg @ earlier_of[start].T).max())

    if not strict:
        return _loose(paragraphs, opens, ends, sims, lead_names, config)
    out: list[tuple[int, int]] = []
    for (s, structural), e, sim, seg in zip(opens, ends, sims, seg_vecs, strict=True):
        if out:
            # Glued stories are a suffix of the page: what follows the first one goes too, and if the article's
            # topic comes back (close to the lead, or to any paragraph before the first glued story) the
            # "glued story" was a section of the article after all.
            if sim >= config.on_topic_sim or closest_before(seg, out[0][0]) >= config.follow_prev_sim:
                return []
            out.append((s, e))
            continue
        # A page already cut into headed sections (a listicle, a gift guide) wanders in topic by design: there
        # a glued story must be farther from every earlier paragraph.
        sectioned = any(_is_headline_line(paragraphs[i], config) and rules.is_body_paragraph(paragraphs[i + 1])
                        for i in range(body_idx[0] + 1, s - 1))
        limit = config.sectioned_prev_sim if sectioned else config.prev_sim
        if sim >= config.far_sim or closest_before(seg, s) >= limit:
            continue  # near the lead or near some earlier paragraph: the article's own section
        semantic = 1.5
        # Names of the story's opening (headline and first paragraph) against the lead's: its later
        # paragraphs may well mention the article's country and still belong to the glued story.
        semantic += _unshared_names(paragraphs, s, e, lead_names)
        if structural >= 1.0 and semantic + structural >= config.start_score:
            if _list_tail(paragraphs, s):
                return []
            out.append((s, e))
    return out


def _unshared_names(paragraphs: list[str], s: int, e: int, lead_names: set[str]) -> float:
    """Semantic evidence from names: 1 when the candidate's opening shares no proper name with the lead, 0.5
    when it shares one, else 0."""
    overlap = len(_names(" ".join(paragraphs[s : min(e, s + 2)])) & lead_names)
    return 1.0 if overlap == 0 else 0.5 if overlap == 1 else 0.0


def _list_tail(paragraphs: list[str], s: int) -> bool:
    """Glued-on stories are prose (with at most a headline each); a tail from `s` of mostly short list lines
    is the article's own recipe, schedule or credits, never a glued story."""
    tail = paragraphs[s:]
    prose = sum(1 for p in tail if rules.is_body_paragraph(p))
    return len(tail) - prose > prose + 1


def _loose(paragraphs: list[str], opens: list[tuple[int, float]], ends: list[int], sims: list[float],
           lead_names: set[str], config: GluedConfig) -> list[tuple[int, int]]:
    """The finder for plain-text scrapes, which have no page structure to cut at and often carry several
    squashed stories on the article's own subject (same country, same actors): topic shift against the lead
    and a scraper's mark decide, and what follows the first glued story goes too unless it is on topic."""
    out: list[tuple[int, int]] = []
    for (s, structural), e, sim in zip(opens, ends, sims, strict=True):
        if out:
            if sim < config.on_topic_sim:
                out.append((s, e))
            continue
        semantic = (1.0 if sim < config.far_sim else 0.0) + (0.5 if sim < config.loose_sim else 0.0)
        semantic += _unshared_names(paragraphs, s, e, lead_names)
        strong_marks = structural >= config.strong_marks and semantic >= 1.0
        if (strong_marks or (semantic >= 1.5 and structural >= 1.0)) and semantic + structural >= config.start_score:
            if _list_tail(paragraphs, s):
                return []
            out.append((s, e))
    return out


def find_glued_suffix(paragraphs: list[str], title: str = "") -> int | None:
    """Index of the first paragraph of the glued-on stories (headline included), or None."""
    stories = find_glued_stories(paragraphs, title)
    return stories[0][0] if stories else None
