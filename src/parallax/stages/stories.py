"""Stories: group a batch's articles into events by meaning, shared words and time.

Two views of each article are combined: the mean embedding of its headline and first sentences (the
lead carries the event: same event in other words) and TF-IDF over its whole text (the specific names,
places and numbers that tell two similar events apart: two earthquakes, two trade deals). Pairs whose
dates are far apart are pushed away; average-link agglomerative clustering cuts at STORY_THRESHOLD.

A second pass looks inside each story of SPLIT_MIN_STORY or more articles with the story's own
vocabulary: TF-IDF whose IDF is counted over the story's articles only, so the words every article
shares ("earthquake", "magnitude") weigh nothing and the words that tell two events apart (the town,
the day, the names) weigh the most. When that view falls apart into two or more parts of SPLIT_MIN_PART
articles, the story is two events of one kind and is split (`split_parts`). The incremental store
runs the same pass on the story an article joins. Weights and thresholds were chosen on the dev splits
of ECB+, BASIL, AllSides and NewsWCL50 (bench.cluster, python -m bench.desk --measure cluster).
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from parallax.model import Article
from parallax.text.dates import parse_day
from parallax.text.embed import embed

STORY_THRESHOLD = 0.325  # combined similarity at which two articles are one story (before the split pass)
SPLIT_THRESHOLD = 0.14  # within-story TF-IDF similarity (story-local IDF) that holds a part together
SPLIT_MIN_STORY = 6  # stories smaller than this are not looked into
SPLIT_MIN_PART = 3  # a split needs two parts at least this big; smaller parts go to the closest big one
LEAD_SENTENCES = 5
EMBEDDING_WEIGHT = 0.4
LEXICAL_WEIGHT = 0.6
MAX_DAYS_APART = 7
DATE_GAP_PENALTY = 0.3  # taken off the similarity of two articles dated more than MAX_DAYS_APART apart

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


def doc_vectors(docs: list[dict]) -> np.ndarray:
    """One vector per doc: mean of the embeddings of its title and first sentences."""
    from parallax.stages.split import split_paragraph

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


class TermMatrix:
    """Sublinear term frequencies (1 + log count) of documents over their joint vocabulary.

    Built once from `term_counts` and weighted by whichever IDF is wanted: the batch's own, the store's
    (`term_df`), or one story's (the split pass), without re-reading the words.
    """

    __slots__ = ("tf", "vocab")

    def __init__(self, counts: list[dict[str, int]]):
        from scipy.sparse import csr_matrix

        index: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        for r, cnt in enumerate(counts):
            cols.extend(index.setdefault(tok, len(index)) for tok in cnt)
            tfs.extend(cnt.values())
            rows.extend([r] * len(cnt))
        vals = 1.0 + np.log(np.asarray(tfs, dtype=np.float64)) if tfs else np.zeros(0)
        self.tf = csr_matrix((vals, (rows, cols)), shape=(len(counts), max(1, len(index))), dtype=np.float64)
        self.vocab = list(index)

    def __len__(self) -> int:
        return self.tf.shape[0]

    def idf(self, df: dict[str, int], n_docs: int) -> np.ndarray:
        """Smoothed IDF of the vocabulary from document frequencies `df` over `n_docs` documents."""
        got = np.fromiter((df.get(t, 0) for t in self.vocab), float, len(self.vocab))
        return self._smooth(got, n_docs)

    def local_idf(self, rows: np.ndarray | None = None) -> np.ndarray:
        """IDF counted over these documents (or the given rows) only."""
        tf = self.tf if rows is None else self.tf[rows]
        return self._smooth(np.asarray((tf > 0).sum(axis=0)).ravel().astype(float), tf.shape[0])

    @staticmethod
    def _smooth(df: np.ndarray, n_docs: int) -> np.ndarray:
        out = np.log((1 + n_docs) / (1 + df)) + 1.0
        return np.pad(out, (0, 1)) if out.size == 0 else out  # the empty vocabulary has one dummy column

    def weighted(self, idf: np.ndarray, rows: np.ndarray | None = None):
        """L2-normalised TF-IDF rows (all, or the given rows) as a sparse matrix."""
        from scipy.sparse import csr_matrix

        m = (self.tf if rows is None else self.tf[rows]).multiply(idf[None, :])
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return csr_matrix(m.multiply(1.0 / norms[:, None]))


def tfidf_vectors(counts: list[dict[str, int]], df: dict[str, int], n_docs: int):
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf from `df` over `n_docs`) as a sparse matrix."""
    terms = TermMatrix(counts)
    return terms.weighted(terms.idf(df, n_docs))


def combined_similarity(vecs: np.ndarray, tfidf, days: list[date | None]) -> np.ndarray:
    """Pairwise story similarity: EMBEDDING_WEIGHT x lead cosine + LEXICAL_WEIGHT x TF-IDF cosine, minus
    DATE_GAP_PENALTY for two dated articles more than MAX_DAYS_APART apart. `tfidf` holds L2-normalised rows
    (whichever IDF the caller weights by); the batch and the store both score pairs with this function."""
    sim = EMBEDDING_WEIGHT * (vecs @ vecs.T) + LEXICAL_WEIGHT * (tfidf @ tfidf.T).toarray()
    day = np.array([d.toordinal() if d else np.nan for d in days], dtype=float)
    with np.errstate(invalid="ignore"):
        far = np.abs(day[:, None] - day[None, :]) > MAX_DAYS_APART  # NaN (undated) compares False
    sim[far] -= DATE_GAP_PENALTY
    return sim


def similarity_matrix(docs: list[dict], vecs: np.ndarray | None = None,
                      terms: TermMatrix | None = None) -> np.ndarray:
    """Pairwise story similarity of a batch: IDF counted over the batch itself."""
    vecs = doc_vectors(docs) if vecs is None else vecs
    if terms is None:
        terms = TermMatrix([term_counts((d.get("title") or "") + "\n" + (d.get("text") or "")) for d in docs])
    return combined_similarity(vecs, terms.weighted(terms.local_idf()), [parse_day(d.get("published")) for d in docs])


def _average_link(sim: np.ndarray, threshold: float) -> np.ndarray:
    """Average-link agglomerative labels, merging while similarity >= threshold."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    z = linkage(squareform(dist, checks=False), method="average")
    return fcluster(z, t=1.0 - threshold, criterion="distance")


def split_parts(counts: list[dict[str, int]] | TermMatrix, threshold: float = SPLIT_THRESHOLD,
                rows: np.ndarray | None = None) -> list[int] | None:
    """Part numbers (0 = the largest part) for the articles of one story, or None when it holds together.

    `counts` are the articles' `term_counts` (or a `TermMatrix`, of which `rows` are the story). TF-IDF is
    weighted by the story's own document frequencies; average link cuts at `threshold`; parts under
    SPLIT_MIN_PART articles join the big part they are closest to (mean similarity), so a split never
    leaves stray singletons behind.
    """
    terms = counts if isinstance(counts, TermMatrix) else TermMatrix(counts)
    n = len(terms) if rows is None else len(rows)
    if n < SPLIT_MIN_STORY:
        return None
    tf = terms.weighted(terms.local_idf(rows), rows)
    sim = (tf @ tf.T).toarray()
    labels = _average_link(sim, threshold)
    sizes: dict[int, int] = {}
    for lab in labels:
        sizes[int(lab)] = sizes.get(int(lab), 0) + 1
    big = sorted((lab for lab, k in sizes.items() if k >= SPLIT_MIN_PART), key=lambda lab: (-sizes[lab], lab))
    if len(big) < 2:
        return None
    part = {lab: i for i, lab in enumerate(big)}
    members = {lab: np.flatnonzero(labels == lab) for lab in sizes}
    for lab in sizes:
        if lab not in part:
            own = members[lab]
            part[lab] = part[max(big, key=lambda b: float(sim[np.ix_(own, members[b])].mean()))]
    return [part[int(lab)] for lab in labels]


def cluster_similarities(sim: np.ndarray, terms: list[dict[str, int]] | TermMatrix,
                         threshold: float = STORY_THRESHOLD) -> list[str]:
    """Story labels from a pairwise similarity matrix: average link, then the split pass on each story.

    `terms` are the documents' `term_counts` (or their `TermMatrix`), for the split pass. Labels are
    strings ("3", or "3.1" for the second part of a split story). The incremental store calls this on
    each new article's neighbourhood, so both paths decide alike.
    """
    if len(terms) == 1:
        return ["1"]
    terms = terms if isinstance(terms, TermMatrix) else TermMatrix(terms)
    labels = _average_link(sim, threshold)
    final = [f"{lab}" for lab in labels]
    for lab in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == lab)
        parts = split_parts(terms, rows=rows) if len(rows) >= SPLIT_MIN_STORY else None
        if parts:  # a story that falls apart in its own vocabulary is two events of one kind
            for i, p in zip(rows, parts, strict=True):
                final[i] = f"{lab}.{p}"
    return final


def cluster_documents(docs: list[dict], threshold: float = STORY_THRESHOLD) -> list[str]:
    """A story label per doc (docs: dicts with title, text, published)."""
    n = len(docs)
    if n == 0:
        return []
    if n == 1:
        return ["s1"]
    terms = TermMatrix([term_counts((d.get("title") or "") + "\n" + (d.get("text") or "")) for d in docs])
    final = cluster_similarities(similarity_matrix(docs, terms=terms), terms, threshold)
    # Number stories by first appearance so that ids are stable for a given input order.
    order: dict[str, str] = {}
    for lab in final:
        order.setdefault(lab, f"s{len(order) + 1}")
    return [order[lab] for lab in final]


def group_stories(articles: list[Article]) -> list[list[Article]]:
    docs = [{"title": a.title, "text": a.text, "published": a.published} for a in articles]
    labels = cluster_documents(docs)
    groups: dict[str, list[Article]] = {}
    for a, lab in zip(articles, labels, strict=True):
        groups.setdefault(lab, []).append(a)
    return list(groups.values())
