"""Whole unrelated stories glued on after the article, found by the topic shift against its own lead.

A glued-on story can share words with the article ("China", "Taiwan", "minister"), so no single signal
decides. Each trailing paragraph collects evidence: low similarity (all-MiniLM-L6-v2) to the article's
head, none of the lead's names, a scraper's marks (an ALL-CAPS kicker, a paragraph cut off
mid-sentence, a whole story squashed into one line) and a headline line above it. Only a *suffix* of the
page is cut, and only when every paragraph in it looks foreign: the article's own late, loosely related
paragraphs (a state dinner, a business side-deal) are kept.
"""

from __future__ import annotations

import re

import numpy as np

from parallax.stages.clean import rules

GLUED_SCORE = 3.0  # the first paragraph of a glued suffix must reach this
SUFFIX_SCORE = 2.0  # every later paragraph in it this
MIN_KEEP = 2  # never cut into the article's first paragraphs

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
        # Japan / Japanese, Russia / Russian: compare on a short stem.
        out.add(w.lower()[:5])
    return out


def _clip(text: str, n: int = 64) -> str:
    # The topic of a paragraph is in its first words; clipping keeps the model cost flat.
    ws = text.split()
    return " ".join(ws[:n])


class _Scorer:
    """Evidence per paragraph, computed lazily: only the trailing paragraphs are ever embedded."""

    def __init__(self, paragraphs: list[str], title: str):
        from parallax.text.embed import embed

        self.embed = embed
        self.paragraphs = paragraphs
        self.body_idx = [i for i, p in enumerate(paragraphs) if rules.is_body_paragraph(p)]
        head_paras = [paragraphs[i] for i in self.body_idx[:3]]
        vecs = embed([_clip(p) for p in head_paras] + ([title] if title else []))
        head = vecs.mean(axis=0)
        self.head = head / (np.linalg.norm(head) or 1.0)
        self.lead_names = _names(" ".join([title, *head_paras[:1]]))
        lengths = sorted(len(rules.words(paragraphs[i])) for i in self.body_idx[: max(3, len(self.body_idx) // 2)])
        self.median_len = lengths[len(lengths) // 2] if lengths else 0

    def score(self, i: int) -> tuple[float, float]:
        p = self.paragraphs[i]
        semantic = 0.0
        sim = float(self.embed([_clip(p)])[0] @ self.head)
        if sim < 0.35:
            semantic += 1.0
        if sim < 0.45:
            semantic += 0.5
        overlap = len(_names(p) & self.lead_names)
        semantic += 1.0 if overlap == 0 else 0.5 if overlap == 1 else 0.0
        structural = 0.0
        n = len(rules.words(p))
        if not rules.ends_sentence(p) and n >= 25:
            structural += 1.5  # a paragraph of prose cut off mid-sentence: scrapers truncate glued-on teasers
        if rules.KICKER.match(p):
            structural += 1.0  # "SHIFT PRIORITIES: …", the kicker of another story
        if n > 80 and n > 2.5 * self.median_len:
            structural += 0.5  # a whole story squashed into one paragraph
        above = self.paragraphs[i - 1] if i > 0 else ""
        if above and rules.is_headline_like(above) and not rules.is_body_paragraph(above) \
                and 4 <= len(rules.words(above)) <= 15 and not above.rstrip().endswith((":", ",", ";", "—", "-")) \
                and rules.is_body_paragraph(p):
            structural += 1.0  # its own headline above it
        return semantic, structural


def find_glued_suffix(paragraphs: list[str], title: str = "") -> int | None:
    """Index of the first paragraph of a glued-on suffix (headings above it included), or None."""
    body_idx = [i for i, p in enumerate(paragraphs) if rules.is_body_paragraph(p)]
    if len(body_idx) <= MIN_KEEP:
        return None
    scorer = _Scorer(paragraphs, title)
    cut = None
    # Walk back from the end while paragraphs look foreign; the suffix starts at a strongly foreign one.
    for k in reversed(body_idx[MIN_KEEP:]):
        semantic, structural = scorer.score(k)
        if semantic + structural < SUFFIX_SCORE:
            break
        # A glued story starts where the topic shifts *and* the scraper left a mark (headline, kicker, cut).
        strong_marks = structural >= 2.5 and semantic >= 1.0
        if (strong_marks or (semantic >= 1.5 and structural >= 1.0)) and semantic + structural >= GLUED_SCORE:
            cut = k
    if cut is None:
        return None
    # Glued-on stories are prose (with at most a headline each); a tail of short list lines is the
    # article's own recipe, schedule or credits.
    tail = paragraphs[cut:]
    prose = sum(1 for p in tail if rules.is_body_paragraph(p))
    if len(tail) - prose > prose + 1:
        return None
    # Take the headline lines just above the first glued paragraph with it.
    while cut > 0 and not rules.is_body_paragraph(paragraphs[cut - 1]) and cut - 1 > body_idx[MIN_KEEP - 1]:
        cut -= 1
    return cut
