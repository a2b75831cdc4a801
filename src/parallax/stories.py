"""Stories: group a batch's articles into events by meaning, shared names and time.

Each article is represented by the mean embedding of its headline and first sentences (the lead carries
the event); pairs are scored by cosine, raised a little by shared proper names and lowered when their
dates are far apart; average-link agglomerative clustering cuts at STORY_THRESHOLD.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from .embed import embed
from .model import Article

STORY_THRESHOLD = 0.50  # similarity (cosine + name bonus) at which two articles are one story
LEAD_SENTENCES = 5
NAME_WEIGHT = 0.25
MAX_DAYS_APART = 7

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


def _date(value: str | None) -> date | None:
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


def similarity_matrix(docs: list[dict], vecs: np.ndarray | None = None) -> np.ndarray:
    vecs = doc_vectors(docs) if vecs is None else vecs
    sim = vecs @ vecs.T
    name_sets = [names((d.get("title") or "") + " " + (d.get("text") or "")[:1500]) for d in docs]
    dates = [_date(d.get("published")) for d in docs]
    n = len(docs)
    for i in range(n):
        for j in range(i + 1, n):
            a, b = name_sets[i], name_sets[j]
            bonus = NAME_WEIGHT * (len(a & b) / max(1, min(len(a), len(b)))) if a and b else 0.0
            penalty = 0.0
            if dates[i] and dates[j] and abs((dates[i] - dates[j]).days) > MAX_DAYS_APART:
                penalty = 0.3
            sim[i, j] = sim[j, i] = sim[i, j] + bonus - penalty
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
