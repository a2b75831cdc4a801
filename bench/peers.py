"""The tools people use today, run side by side with Parallax (each imported lazily)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

# --- HTML → article text ---------------------------------------------------------------------------

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote",
          "pre", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt"}


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one line per block element."""
    import lxml.html

    if not fragment or not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK:
            el.tail = "\n" + (el.tail or "")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def trafilatura_extract(html: str, url: str | None = None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def readability_extract(html: str, url: str | None = None) -> str:
    from readability import Document

    return html_to_text(Document(html, url=url).summary(html_partial=True))


def newspaper_extract(html: str, url: str | None = None) -> str:
    """newspaper4k from in-memory HTML (no fetching). A page whose declared language needs NLTK data that is
    not installed (Korean needs NLTK punkt, Japanese tinysegmenter) is re-parsed with the English rules instead of downloading it."""
    from newspaper import Article, Config

    def parse(language: str | None) -> str:
        config = Config()
        config.fetch_images = False
        config.memoize_articles = False
        if language:
            config.language = language
        article = Article(url or "http://example.com/article", config=config)
        article.download(input_html=html)
        article.parse()
        return article.text or ""

    try:
        return parse(None)
    except (LookupError, ImportError):  # NLTK data / optional segmenter missing for that language
        return parse("en")


_LANG = {"en": "English", "de": "German", "fr": "French", "pl": "Polish", "es": "Spanish", "it": "Italian",
         "nl": "Dutch", "pt": "Portuguese", "ru": "Russian", "cs": "Czech", "da": "Danish", "sv": "Swedish",
         "fi": "Finnish", "hu": "Hungarian", "tr": "Turkish", "uk": "Ukrainian", "el": "Greek", "ro": "Romanian",
         "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian"}
_HTML_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([a-zA-Z]{2})", re.IGNORECASE)


@cache
def _stoplist(name: str) -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist(name))


def justext_extract(html: str, url: str | None = None) -> str:
    """jusText with the stop list of the page's declared ``<html lang>`` (English when undeclared)."""
    import justext

    raw = html.encode("utf-8")
    match = _HTML_LANG.search(raw[:5000])
    language = _LANG.get(match.group(1).decode().lower(), "English") if match else "English"
    paragraphs = justext.justext(raw, _stoplist(language), encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


EXTRACTORS: dict[str, Callable[[str, str | None], str]] = {
    "trafilatura": trafilatura_extract,
    "readability-lxml": readability_extract,
    "newspaper4k": newspaper_extract,
    "justext": justext_extract,
}


def version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version(package)
    except PackageNotFoundError:
        return "?"


# --- clustering ------------------------------------------------------------------------------------


def tfidf_distances(texts: Sequence[str]) -> Any:
    """Cosine-distance matrix of TF-IDF vectors (English stop words, sublinear tf)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    return cosine_distances(matrix)


def agglomerative(distances: Any, threshold: float) -> list[int]:
    """Average-link agglomerative clustering, merging while cosine distance <= threshold."""
    from sklearn.cluster import AgglomerativeClustering

    if len(distances) < 2:
        return [0] * len(distances)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold + 1e-9
    )
    return [int(x) for x in model.fit_predict(distances)]


# --- sentence similarity ---------------------------------------------------------------------------


def tfidf_cosine(a: Sequence[str], b: Sequence[str]) -> list[float]:
    """Cosine of TF-IDF vectors (fit on all sentences of the run) for each pair a[i], b[i]."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(sublinear_tf=True).fit(list(a) + list(b))
    ma, mb = vec.transform(a), vec.transform(b)
    return [float(x) for x in np.asarray(ma.multiply(mb).sum(axis=1)).ravel()]


# --- extractive summaries --------------------------------------------------------------------------


@cache
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def sentences(text: str) -> list[str]:
    """Sentences of a text: paragraphs on blank/new lines, then pysbd (no model download)."""
    out: list[str] = []
    for para in re.split(r"\n+", text or ""):
        para = para.strip()
        if para:
            out.extend(s.strip() for s in _segmenter().segment(para) if s.strip())
    return out


def truncate_words(chosen: list[str], budget: int) -> list[str]:
    """Keep sentences until ``budget`` words; the last one is cut to fit exactly."""
    out: list[str] = []
    used = 0
    for sent in chosen:
        words = sent.split()
        if used + len(words) <= budget:
            out.append(sent)
            used += len(words)
        else:
            rest = budget - used
            if rest > 0:
                out.append(" ".join(words[:rest]))
            break
    return out


def whole_sentences(chosen: list[str], budget: int) -> list[str]:
    """The whole-sentence protocol: sentences in order, each kept whole when it still fits in ``budget`` words
    (one that does not is skipped, and a shorter one after it may still fit); no sentence is cut."""
    out: list[str] = []
    used = 0
    for sent in chosen:
        n = len(sent.split())
        if used + n <= budget:
            out.append(sent)
            used += n
    return out


def fit(chosen: list[str], budget: int, protocol: str) -> list[str]:
    """``chosen`` under ``protocol``: "whole" (whole sentences up to the budget, `whole_sentences`) or "cut"
    (up to the budget, the last sentence cut to fit exactly, `truncate_words`)."""
    return whole_sentences(chosen, budget) if protocol == "whole" else truncate_words(chosen, budget)


def lead_round_robin(docs: Sequence[list[str]], budget: int, protocol: str = "cut") -> list[str]:
    """First sentence of each document, then the second of each, … up to the word budget (`fit`)."""
    order: list[str] = []
    depth = max((len(d) for d in docs), default=0)
    for i in range(depth):
        order.extend(d[i] for d in docs if i < len(d))
    return fit(order, budget, protocol)


class _WordTokenizer:
    """sumy tokenizer over pre-split sentences: needs no NLTK data download."""

    language = "english"

    @staticmethod
    def to_sentences(paragraph: str) -> list[str]:
        return sentences(paragraph)

    @staticmethod
    def to_words(sentence: str) -> list[str]:
        return re.findall(r"\w+", sentence)


def _ratings(summarizer: Any, document: Any) -> dict[Any, float]:
    captured: dict[str, Any] = {}

    def grab(sentences: Any, count: Any, rating: Any, *args: Any, **kwargs: Any) -> tuple[()]:
        captured["rating"] = rating
        return ()

    summarizer._get_best_sentences = grab
    summarizer(document, 1)
    rating = captured.get("rating", {})
    if callable(rating):
        return {s: float(rating(s)) for s in document.sentences}
    return {s: float(v) for s, v in rating.items()}


@cache
def _summarizer(kind: str) -> Any:
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    cls = LexRankSummarizer if kind == "lexrank" else TextRankSummarizer
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return summarizer


def sumy_rank(kind: str, docs: Sequence[list[str]], budget: int, protocol: str = "cut") -> list[str]:
    """LexRank / TextRank (sumy) over all sentences of the cluster; best-rated first up to the budget,
    then restored to input order (`fit`: under "whole", best-rated sentences that fit whole)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = _WordTokenizer()
    paragraphs = [Paragraph([Sentence(s, tokenizer) for s in doc]) for doc in docs if doc]
    document = ObjectDocumentModel(paragraphs)
    all_sents = list(document.sentences)
    if not all_sents:
        return []
    ratings = _ratings(_summarizer(kind), document)
    position = {id(s): i for i, s in enumerate(all_sents)}
    ranked = sorted(all_sents, key=lambda s: (-ratings.get(s, 0.0), position[id(s)]))
    picked: list[Any] = []
    used = 0
    for s in ranked:
        if used >= budget:
            break
        n = len(str(s).split())
        if protocol == "whole" and used + n > budget:
            continue  # does not fit whole: a shorter, lower-rated one may
        picked.append(s)
        used += n
    picked.sort(key=lambda s: position[id(s)])
    return fit([str(s) for s in picked], budget, protocol)
