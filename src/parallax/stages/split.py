"""Split: the cleaned body into sentences with character offsets (pysbd: "U.S.", "Jr.", quotes), with pysbd's
rules for the page's language where pysbd has them (`meta["language"]`, set by the step before), else English's."""

from __future__ import annotations

import re
from functools import lru_cache

from parallax.config import settings
from parallax.model import Article, Sentence
from parallax.stages.clean import rules


@lru_cache(maxsize=32)
def _segmenter(language: str = "en"):
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    return pysbd.Segmenter(language=language if language in LANGUAGE_CODES else "en", clean=False, char_span=True)


def split_paragraph(text: str, language: str = "en") -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of one paragraph, trailing spaces excluded."""
    spans = []
    for span in _segmenter(language).segment(text):
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


def split_text(text: str, max_content: int | None = None, language: str = "en") -> list[Sentence]:
    """The sentences of `text` (headings as one sentence each); with `max_content`, splitting stops at the
    first paragraph that starts after more than `max_content` content sentences (see `split_article`)."""
    return _split(text, max_content, language)[0]


def _split(text: str, max_content: int | None, language: str = "en") -> tuple[list[Sentence], int | None]:
    """(sentences, offset of the first paragraph left unsplit or None)."""
    sentences: list[Sentence] = []
    content = 0
    for pi, m in enumerate(re.finditer(r"[^\n]+", text)):
        para = m.group(0)
        if not para.strip():
            continue
        if max_content is not None and content > max_content:
            return sentences, m.start()
        heading = rules.is_headline_like(para) and not rules.is_body_paragraph(para)
        if heading:
            s = len(para) - len(para.lstrip())
            sentences.append(Sentence(m.start() + s, m.start() + len(para.rstrip()), pi, True))
            continue
        for s, e in split_paragraph(para, language):
            sentences.append(Sentence(m.start() + s, m.start() + e, pi, False))
            content += 1
    return sentences, None


def split_article(article: Article) -> Article:
    """Article -> Article: fills `sentences` (offsets into `article.text`).

    Only as far as can be briefed: past `limits.max_sentences` content sentences (and one more, so that
    `bound_article` sees the page is over the cap) the rest is not split (on a multi-megabyte page the
    splitter would take minutes, over the page's time budget); `article.meta["unsplit_sentences"]` then
    holds about how many sentences the rest has, for `bound_article`'s count."""
    language = str(article.meta.get("language") or "en")
    article.sentences, rest = _split(article.text, settings().limits.max_sentences, language)
    if rest is not None:
        article.meta["unsplit_sentences"] = sum(rules.sentences_about(p) for p in article.text[rest:].split("\n")
                                                if p.strip())
    return article
