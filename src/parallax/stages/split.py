"""Split: the cleaned body into sentences with character offsets (pysbd: "U.S.", "Jr.", quotes)."""

from __future__ import annotations

import re
from functools import lru_cache

from parallax.model import Article, Sentence
from parallax.stages.clean import rules


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_paragraph(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of one paragraph, trailing spaces excluded."""
    spans = []
    for span in _segmenter().segment(text):
        start, end = span.start, span.end
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if end - trail > start + lead:
            spans.append((start + lead, end - trail))
    # pysbd occasionally drops text between spans; make sure nothing of the paragraph is lost.
    if not spans and text.strip():
        spans = [(len(text) - len(text.lstrip()), len(text.rstrip()))]
    return spans


def split_text(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    for pi, m in enumerate(re.finditer(r"[^\n]+", text)):
        para = m.group(0)
        if not para.strip():
            continue
        heading = rules.is_headline_like(para) and not rules.is_body_paragraph(para)
        if heading:
            s = len(para) - len(para.lstrip())
            sentences.append(Sentence(m.start() + s, m.start() + len(para.rstrip()), pi, True))
            continue
        for s, e in split_paragraph(para):
            sentences.append(Sentence(m.start() + s, m.start() + e, pi, False))
    return sentences


def split_article(article: Article) -> Article:
    """Article -> Article: fills `sentences` (offsets into `article.text`)."""
    article.sentences = split_text(article.text)
    return article
