"""Stories: group a batch's articles into events by meaning, shared words and time.

Two views of each article are combined: the mean embedding of its headline and first sentences (the
lead carries the event: same event in other words) and TF-IDF over its whole text (the specific names,
places and numbers that tell two similar events apart: two earthquakes, two trade deals). Pairs whose
dates are far apart are pushed away; average-link agglomerative clustering cuts at `threshold`.

A second pass looks inside each story of `split_min_story` or more articles with the story's own
vocabulary: TF-IDF whose IDF is counted over the story's articles only, so the words every article
shares ("earthquake", "magnitude") weigh nothing and the words that tell two events apart (the town,
the day, the names) weigh the most. When that view falls apart into two or more parts of `split_min_part`
articles, the story is two events of one kind and is split (`split_parts`). The incremental store
runs the same pass on the story an article joins. Weights and thresholds were chosen on the dev splits
of ECB+, BASIL, AllSides and NewsWCL50 (bench.cluster, python -m bench.desk --measure cluster).

A third view tells two events of one kind in one place apart (issue 19: a charity's therapy-wait figures the
day after the hospital waiting-list figures; a second wildfire in the same region): the TF-IDF cosine of the
pages' anchors (`anchor_counts`: figures and capitalised names), IDF over the same pages. Its weight and the
threshold were chosen leave-one-cluster-out on the cluster bank with bench.cluster's dev sets as a floor
(StoriesConfig).

Pages in other languages (issue 23): MiniLM reads English only and the TF-IDF view shares almost no words
across languages, so a pair in which either page is not in English is scored on two language-neutral views
instead (`cross_language_score`): the cosine of the pages' lead vectors from the multilingual encoder
(`parallax.text.multilingual`) and the TF-IDF cosine of their anchors (`anchor_counts`: figures with their
separators dropped, so 42,000 / 42.000 / 42 000 are one term, and capitalised words that do not open a
sentence: names of people, places and bodies, which languages share). English pairs keep the English score,
so a batch of English pages gets exactly the stories it got before and never loads the multilingual model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from parallax.config import settings
from parallax.model import Article
from parallax.text.dates import parse_day
from parallax.text.embed import embed
from parallax.text.words import STOP_WORDS


def lead_texts(d: dict, language: str = "en") -> list[str]:
    """The texts a doc's lead vector is the mean of: its title and first `lead_sentences` sentences (split by
    `language`'s rules), or its first 500 characters when it has neither."""
    from parallax.stages.split import split_paragraph

    title = (d.get("title") or "").strip()
    body = (d.get("text") or "").strip()
    first_para = body[:3000]
    spans = split_paragraph(first_para.replace("\n", " "), language=language)
    sents = [first_para[s:e] for s, e in spans][: settings().stories.lead_sentences]
    return ([title] if title else []) + sents or [body[:500] or " "]


def doc_vectors(docs: list[dict]) -> np.ndarray:
    """One vector per doc: mean of the embeddings of its title and first sentences (`lead_texts`)."""
    texts, owners = [], []
    for i, d in enumerate(docs):
        parts = lead_texts(d)
        texts.extend(parts)
        owners.extend([i] * len(parts))
    vecs = embed(texts)
    out = np.zeros((len(docs), vecs.shape[1]), dtype=np.float32)
    np.add.at(out, np.array(owners), vecs)
    out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)
    return out


def is_other_language(language: str | None) -> bool:
    """Whether a page is scored on the language-neutral views: any language but English ("und" included)."""
    return (language or "en") != "en"


def ml_doc_vectors(docs: list[dict]) -> np.ndarray:
    """Multilingual lead vectors (`parallax.text.multilingual`): the mean of the encoder's vectors of the doc's
    `lead_texts` (split by its own language's rules), L2-normalised and rounded."""
    from parallax.text.multilingual import embed_multilingual

    out = []
    for d in docs:
        v = embed_multilingual(lead_texts(d, d.get("language") or "en")).astype(np.float64).sum(axis=0)
        out.append(v / max(float(np.linalg.norm(v)), 1e-9))
    return np.round(np.asarray(out, dtype=np.float32).reshape(len(docs), -1), 5)


_ANCHOR = re.compile(r"\d(?:[\d.,\u00a0\u202f']*\d)?|[^\W\d_][\w'’-]*")
_OPENS = frozenset(".!?:;\"“”«»—–-\n(")


def anchor_counts(text: str) -> dict[str, int]:
    """Language-neutral terms of a text: figures (separators dropped) and capitalised words that do not
    open a sentence (lower-cased), with their counts. Two reports of one event in two languages share
    these: names of people, places and bodies, and the figures."""
    counts: dict[str, int] = {}
    for m in _ANCHOR.finditer(text):
        tok = m.group()
        if tok[0].isdigit():
            key = re.sub(r"\D", "", tok)
        else:
            if not tok[0].isupper() or len(tok) < 2 or len(tok) > 64:
                continue
            before = text[max(0, m.start() - 3): m.start()].rstrip(" \t\u00a0")
            if not before or before[-1] in _OPENS:
                continue  # opens a sentence, a line or a quotation: capitalised in every language
            key = tok.lower()
        counts[key] = counts.get(key, 0) + 1
    return counts


def term_counts(text: str) -> dict[str, int]:
    """Word counts of a text for TF-IDF (lower-cased, stop words dropped)."""
    counts: dict[str, int] = {}
    for tok in re.findall(r"\b\w\w+\b", text.lower()):
        if tok in STOP_WORDS or len(tok) > 64:
            continue
        counts[tok] = counts.get(tok, 0) + 1
    return counts


class TermMatrix:
    """Sublinear term frequencies (1 + log count) of documents over their joint vocabulary.

    Built once from `term_counts` and weighted by whichever IDF is wanted: the batch's own, the store's
    (`term_df`), or one story's (the split pass), without re-reading the words. Rows are kept as CSR arrays
    (numpy only): SciPy's sparse module costs 0.3 s to import and a brief of a few pages needs none of it.
    """

    __slots__ = ("data", "indices", "indptr", "vocab")

    def __init__(self, counts: list[dict[str, int]]):
        index: dict[str, int] = {}
        cols: list[int] = []
        tfs: list[int] = []
        indptr = [0]
        for cnt in counts:
            cols.extend(index.setdefault(tok, len(index)) for tok in cnt)
            tfs.extend(cnt.values())
            indptr.append(len(cols))
        self.indptr = np.asarray(indptr, dtype=np.int64)
        row = np.repeat(np.arange(len(counts)), np.diff(self.indptr))
        order = np.lexsort((np.asarray(cols, dtype=np.int64), row))  # each row's terms in column order
        self.indices = np.asarray(cols, dtype=np.int64)[order]
        self.data = (1.0 + np.log(np.asarray(tfs, dtype=np.float64)))[order] if tfs else np.zeros(0)
        self.vocab = list(index)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def _take(self, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row of each entry, column, value) of all rows or of the given rows, rows renumbered 0..k-1."""
        if rows is None:
            return np.repeat(np.arange(len(self)), np.diff(self.indptr)), self.indices, self.data
        rows = np.asarray(rows, dtype=np.int64)
        lens = self.indptr[rows + 1] - self.indptr[rows]
        at = np.concatenate([np.arange(self.indptr[r], self.indptr[r + 1]) for r in rows]) if len(rows) \
            else np.zeros(0, dtype=np.int64)
        return np.repeat(np.arange(len(rows)), lens), self.indices[at], self.data[at]

    def doc_freq(self) -> np.ndarray:
        """Documents holding each vocabulary term."""
        return np.bincount(self.indices, minlength=len(self.vocab)).astype(np.int64)

    def idf(self, df: dict[str, int], n_docs: int) -> np.ndarray:
        """Smoothed IDF of the vocabulary from document frequencies `df` over `n_docs` documents."""
        got = np.fromiter((df.get(t, 0) for t in self.vocab), float, len(self.vocab))
        return self._smooth(got, n_docs)

    def local_idf(self, rows: np.ndarray | None = None) -> np.ndarray:
        """IDF counted over these documents (or the given rows) only."""
        _, cols, _ = self._take(rows)
        df = np.bincount(cols, minlength=len(self.vocab)).astype(float)
        return self._smooth(df, len(self) if rows is None else len(rows))

    @staticmethod
    def _smooth(df: np.ndarray, n_docs: int) -> np.ndarray:
        out = np.log((1 + n_docs) / (1 + df)) + 1.0
        return np.pad(out, (0, 1)) if out.size == 0 else out  # the empty vocabulary has one dummy column

    def weighted(self, idf: np.ndarray, rows: np.ndarray | None = None) -> UnitRows:
        """L2-normalised TF-IDF rows (all, or the given rows)."""
        r, cols, vals = self._take(rows)
        vals = vals * idf[cols]
        k = len(self) if rows is None else len(rows)
        lens = np.bincount(r, minlength=k)
        full = lens > 0
        sq = np.zeros(k)
        if full.any():  # summed as SciPy's sparse row sums are (np.add.reduceat): the same floats
            sq[full] = np.add.reduceat(vals * vals, (np.cumsum(lens) - lens)[full])
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        return UnitRows(r, cols, vals * (1.0 / norms)[r], k, max(1, len(idf)))


class UnitRows:
    """L2-normalised sparse rows (entries as row, column, value): their pairwise cosines.

    `gram` multiplies dense rows (BLAS) while rows x columns stays under `DENSE_CELLS`, else SciPy's sparse
    product (imported then): the two differ by float rounding only (~1e-16), as the cluster pipeline's
    pair-by-pair products always have."""

    DENSE_CELLS = 4_000_000  # 32 MB of float64

    __slots__ = ("cols", "n", "rows", "vals", "width")

    def __init__(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int, width: int):
        self.rows, self.cols, self.vals, self.n, self.width = rows, cols, vals, n, width

    def __len__(self) -> int:
        return self.n

    def _sparse(self):
        from scipy.sparse import csr_matrix

        return csr_matrix((self.vals, (self.rows, self.cols)), shape=(self.n, self.width), dtype=np.float64)

    def gram(self) -> np.ndarray:
        """(n, n) cosines of every pair of rows."""
        if self.n * self.width <= self.DENSE_CELLS:
            dense = np.zeros((self.n, self.width), dtype=np.float64)
            dense[self.rows, self.cols] = self.vals
            return dense @ dense.T
        m = self._sparse()
        return (m @ m.T).toarray()

    def pair_dots(self, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        """Cosines of the row pairs (ia[k], ib[k])."""
        m = self._sparse()
        return np.asarray(m[ia].multiply(m[ib]).sum(axis=1)).ravel()


def tfidf_vectors(counts: list[dict[str, int]], df: dict[str, int], n_docs: int) -> UnitRows:
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf from `df` over `n_docs`)."""
    terms = TermMatrix(counts)
    return terms.weighted(terms.idf(df, n_docs))


@dataclass
class CrossLanguage:
    """The language-neutral view of a batch with pages in other languages: which pages are `other`
    (`is_other_language`) and the multilingual lead vectors of all pages (only pairs with an `other` page
    read them)."""

    other: np.ndarray  # (n,) bool
    ml_vecs: np.ndarray  # (n, 512)


def doc_anchor_counts(docs: list[dict]) -> list[dict[str, int]]:
    """`anchor_counts` of each doc's title and text."""
    return [anchor_counts((d.get("title") or "") + "\n" + (d.get("text") or "")) for d in docs]


def anchor_rows(counts: list[dict[str, int]], df: dict[str, int] | None = None, n_docs: int = 0) -> UnitRows:
    """L2-normalised TF-IDF rows of the docs' anchors: IDF from `df` over `n_docs` documents (the cluster
    pipeline's run), or counted over these docs when `df` is None (a batch, a store neighbourhood)."""
    terms = TermMatrix(counts)
    return terms.weighted(terms.local_idf() if df is None else terms.idf(df, n_docs))


def cross_language_views(docs: list[dict]) -> CrossLanguage | None:
    """`CrossLanguage` for a batch of docs (title, text, language), or None when every page is English."""
    other = np.array([is_other_language(d.get("language")) for d in docs], dtype=bool)
    if not other.any():
        return None
    return CrossLanguage(other, ml_doc_vectors(docs))


def cross_language_score(ml_cos: np.ndarray, anchor_cos: np.ndarray, days_apart: np.ndarray) -> np.ndarray:
    """The story score of a pair with a page not in English, elementwise, on the scale of `story_score`:
    cross_embedding_weight x multilingual lead cosine + cross_anchor_weight x anchor TF-IDF cosine +
    cross_offset, minus the same date-gap penalty (StoriesConfig)."""
    cfg = settings().stories
    sim = cfg.cross_embedding_weight * ml_cos + cfg.cross_anchor_weight * anchor_cos + cfg.cross_offset
    with np.errstate(invalid="ignore"):
        far = days_apart > cfg.max_days_apart
    return np.where(far, sim - cfg.date_gap_penalty, sim)


def combined_similarity(vecs: np.ndarray, tfidf: UnitRows, anchors: UnitRows, days: list[date | None],
                        cross: CrossLanguage | None = None) -> np.ndarray:
    """Pairwise story similarity (`story_score`): lead cosine, TF-IDF cosine and anchor TF-IDF cosine, minus the
    date-gap penalty. `tfidf` and `anchors` hold L2-normalised rows (whichever IDF the caller weights by); the
    batch, the store and the cluster pipeline's blocks all score pairs with this function. With `cross`, a pair
    in which either page is in another language is scored by `cross_language_score`."""
    day = np.array([d.toordinal() if d else np.nan for d in days], dtype=float)
    apart = np.abs(day[:, None] - day[None, :])
    anchor_cos = anchors.gram()
    sim = story_score(vecs @ vecs.T, tfidf.gram(), anchor_cos, apart)
    if cross is not None and cross.other.any():
        mixed = cross.other[:, None] | cross.other[None, :]
        ml_cos = np.round(cross.ml_vecs @ cross.ml_vecs.T, 5)  # as the cluster pipeline rounds it (`score_pairs`)
        xs = cross_language_score(ml_cos, anchor_cos, apart)
        sim = np.where(mixed, xs, sim)
    return sim


def story_score(lead_cos: np.ndarray, lexical_cos: np.ndarray, anchor_cos: np.ndarray,
                days_apart: np.ndarray) -> np.ndarray:
    """The one story score, elementwise (a matrix of pairs or a vector of them; the batch, the store and the
    scale map all score with it): embedding_weight x lead cosine + lexical_weight x TF-IDF cosine +
    anchor_weight x anchor TF-IDF cosine, minus date_gap_penalty where two dated articles are more than
    max_days_apart days apart (`days_apart` NaN where either is undated)."""
    cfg = settings().stories
    sim = cfg.embedding_weight * lead_cos + cfg.lexical_weight * lexical_cos + cfg.anchor_weight * anchor_cos
    with np.errstate(invalid="ignore"):
        far = days_apart > cfg.max_days_apart  # NaN (undated) compares False
    return np.where(far, sim - cfg.date_gap_penalty, sim)


def similarity_matrix(docs: list[dict], vecs: np.ndarray | None = None,
                      terms: TermMatrix | None = None) -> np.ndarray:
    """Pairwise story similarity of a batch: IDF counted over the batch itself."""
    vecs = doc_vectors(docs) if vecs is None else vecs
    if terms is None:
        terms = TermMatrix([term_counts((d.get("title") or "") + "\n" + (d.get("text") or "")) for d in docs])
    return combined_similarity(vecs, terms.weighted(terms.local_idf()), anchor_rows(doc_anchor_counts(docs)),
                               [parse_day(d.get("published")) for d in docs], cross_language_views(docs))


def _average_link(sim: np.ndarray, threshold: float) -> np.ndarray:
    """Average-link agglomerative labels, merging while similarity >= threshold."""
    from parallax.text.linkage import average_link

    return average_link(np.clip(1.0 - sim, 0.0, 2.0), 1.0 - threshold)


def split_parts(counts: list[dict[str, int]] | TermMatrix, threshold: float | None = None,
                rows: np.ndarray | None = None) -> list[int] | None:
    """Part numbers (0 = the largest part) for the articles of one story, or None when it holds together.

    `counts` are the articles' `term_counts` (or a `TermMatrix`, of which `rows` are the story). TF-IDF is
    weighted by the story's own document frequencies; average link cuts at `threshold`; parts under
    `split_min_part` articles join the big part they are closest to (mean similarity), so a split never
    leaves stray singletons behind.
    """
    terms = counts if isinstance(counts, TermMatrix) else TermMatrix(counts)
    n = len(terms) if rows is None else len(rows)
    cfg = settings().stories
    threshold = cfg.split_threshold if threshold is None else threshold
    if n < cfg.split_min_story:
        return None
    sim = terms.weighted(terms.local_idf(rows), rows).gram()
    labels = _average_link(sim, threshold)
    sizes: dict[int, int] = {}
    for lab in labels:
        sizes[int(lab)] = sizes.get(int(lab), 0) + 1
    big = sorted((lab for lab, k in sizes.items() if k >= cfg.split_min_part), key=lambda lab: (-sizes[lab], lab))
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
                         threshold: float | None = None) -> list[str]:
    """Story labels from a pairwise similarity matrix: average link, then the split pass on each story.

    `terms` are the documents' `term_counts` (or their `TermMatrix`), for the split pass. Labels are
    strings ("3", or "3.1" for the second part of a split story). The incremental store calls this on
    each new article's neighbourhood, so both paths decide alike.
    """
    if len(terms) == 1:
        return ["1"]
    cfg = settings().stories
    terms = terms if isinstance(terms, TermMatrix) else TermMatrix(terms)
    labels = _average_link(sim, cfg.threshold if threshold is None else threshold)
    final = [f"{lab}" for lab in labels]
    for lab in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == lab)
        parts = split_parts(terms, rows=rows) if len(rows) >= cfg.split_min_story else None
        if parts:  # a story that falls apart in its own vocabulary is two events of one kind
            for i, p in zip(rows, parts, strict=True):
                final[i] = f"{lab}.{p}"
    return final


def cluster_documents(docs: list[dict], threshold: float | None = None) -> list[str]:
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
    from parallax.text.language import language_of

    docs = [{"title": a.title, "text": a.text, "published": a.published, "language": language_of(a)}
            for a in articles]
    labels = cluster_documents(docs)
    groups: dict[str, list[Article]] = {}
    for a, lab in zip(articles, labels, strict=True):
        groups.setdefault(lab, []).append(a)
    return list(groups.values())
