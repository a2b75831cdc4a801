"""Stories: group a batch's articles into events by meaning, shared words and time.

Two views of each article are combined: the mean embedding of its headline and first sentences (the
lead carries the event: same event in other words) and TF-IDF over its whole text (the specific names,
places and numbers that tell two similar events apart: two earthquakes, two trade deals). Pairs whose
dates are far apart are pushed away; average-link agglomerative clustering cuts at STORY_THRESHOLD.
Weights and threshold were chosen on the dev splits of ECB+, BASIL, AllSides and NewsWCL50
(bench.cluster).
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from .embed import embed
from .model import Article

STORY_THRESHOLD = 0.40  # combined similarity at which two articles are one story
LEAD_SENTENCES = 5
EMBEDDING_WEIGHT = 0.4
LEXICAL_WEIGHT = 0.6
MAX_DAYS_APART = 7

_STOPWORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "said", "says", "say", "one", "two", "new", "also", "would", "could", "year", "years"])

_NAME = re.compile(r"\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})*")
_STOP = {"The", "This", "That", "But", "And", "For", "With", "After", "Before", "When", "While", "Monday", "Tuesday",
         "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "President", "Minister", "Prime", "Government",
         "Officials", "Police", "However", "According", "Its", "Their", "They", "There", "Here", "What", "Some"}


def names(text: str) -> set[str]:
    out = set()
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0] in _STOP:  # "The National Bank" is "National Bank"
            words = words[1:]
        if words:
            out.add(" ".join(words))
    return out


def parse_day(value: str | None) -> date | None:
    """The date of an ISO 8601 date or datetime string, or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def doc_vectors(docs: list[dict]) -> np.ndarray:
    """One vector per doc: mean of the embeddings of its title and first sentences."""
    from .split import split_paragraph

    texts, owners = [], []
    for i, d in enumerate(docs):
        title = (d.get("title") or "").strip()
        body = (d.get("text") or "").strip()
        first_para = body[:3000]
        sents = [first_para[s:e] for s, e in split_paragraph(first_para.replace("\n", " "))][:LEAD_SENTENCES]
        parts = ([title] if title else []) + sents or [body[:500] or " "]
        texts.extend(parts)
        owners.extend([i] * len(parts))
    vecs = embed(texts)
    out = np.zeros((len(docs), vecs.shape[1]), dtype=np.float32)
    np.add.at(out, np.array(owners), vecs)
    out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)
    return out


def term_counts(text: str) -> dict[str, int]:
    """Word counts of a text for TF-IDF (lower-cased, stop words dropped)."""
    counts: dict[str, int] = {}
    for tok in re.findall(r"\b\w\w+\b", text.lower()):
        if tok in _STOPWORDS or len(tok) > 64:
            continue
        counts[tok] = counts.get(tok, 0) + 1
    return counts


def tfidf_vectors(counts: list[dict[str, int]], df: dict[str, int], n_docs: int):
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf from `df` over `n_docs`) as a sparse matrix."""
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for r, cnt in enumerate(counts):
        for tok, k in cnt.items():
            c = vocab.setdefault(tok, len(vocab))
            idf = np.log((1 + n_docs) / (1 + df.get(tok, 0))) + 1.0
            rows.append(r)
            cols.append(c)
            vals.append((1.0 + np.log(k)) * idf)
    m = csr_matrix((vals, (rows, cols)), shape=(len(counts), max(1, len(vocab))), dtype=np.float64)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(m.multiply(1.0 / norms[:, None]))


def tfidf_matrix(texts: list[str]):
    """TF-IDF rows of a batch, with document frequencies counted over the batch itself."""
    counts = [term_counts(t) for t in texts]
    df: dict[str, int] = {}
    for cnt in counts:
        for tok in cnt:
            df[tok] = df.get(tok, 0) + 1
    return tfidf_vectors(counts, df, len(texts))


def similarity_matrix(docs: list[dict], vecs: np.ndarray | None = None) -> np.ndarray:
    """Pairwise story similarity: embedding of the lead and TF-IDF of the text, minus a date-gap penalty."""
    vecs = doc_vectors(docs) if vecs is None else vecs
    tfidf = tfidf_matrix([(d.get("title") or "") + "\n" + (d.get("text") or "") for d in docs])
    sim = EMBEDDING_WEIGHT * (vecs @ vecs.T) + LEXICAL_WEIGHT * (tfidf @ tfidf.T).toarray()
    dates = [parse_day(d.get("published")) for d in docs]
    dated = [i for i, d in enumerate(dates) if d]
    for a in range(len(dated)):
        for b in range(a + 1, len(dated)):
            i, j = dated[a], dated[b]
            if abs((dates[i] - dates[j]).days) > MAX_DAYS_APART:  # type: ignore[operator]
                sim[i, j] -= 0.3
                sim[j, i] -= 0.3
    return sim


def cluster_documents(docs: list[dict], threshold: float = STORY_THRESHOLD) -> list[str]:
    """A story label per doc (docs: dicts with title, text, published)."""
    n = len(docs)
    if n == 0:
        return []
    if n == 1:
        return ["s1"]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    sim = similarity_matrix(docs)
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    z = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(z, t=1.0 - threshold, criterion="distance")
    # Number stories by first appearance so that ids are stable for a given input order.
    order: dict[int, str] = {}
    for lab in labels:
        order.setdefault(int(lab), f"s{len(order) + 1}")
    return [order[int(lab)] for lab in labels]


def group_stories(articles: list[Article]) -> list[list[Article]]:
    docs = [{"title": a.title, "text": a.text, "published": a.published} for a in articles]
    labels = cluster_documents(docs)
    groups: dict[str, list[Article]] = {}
    for a, lab in zip(articles, labels, strict=True):
        groups.setdefault(lab, []).append(a)
    return list(groups.values())
