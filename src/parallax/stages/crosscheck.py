"""Cross-check: align the same fact across articles, count independent support, surface disputes.

- Facts: sentences of a story's articles clustered by meaning (average link over all-MiniLM-L6-v2
  cosines). A fact's support is the number of distinct *origin groups* among its sources.
- Disputes: aligned statements that disagree on a count ("two astronauts" / "a Japanese astronaut"),
  a date ("July 1" / "June 1", "Tuesday" / "Wednesday") or who said a quote.
- Quotes: attributed to their speaker ("…,” Biden said; “…,” he added → the previous speaker).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from parallax.config import settings
from parallax.model import Article, Dispute, Fact, SourceRef, Variant
from parallax.text.embed import embed
from parallax.text.slots import (
    QUOTE_SPAN,
    Count,
    counts_conflict,
    extract_counts,
    extract_dates,
    figures,
    mentions_value,
    speakers_of,
)
from parallax.text.words import content_words, lemma

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------------------
# The cross-check of one story


@dataclass(slots=True)
class Statement:
    article: str
    group: str
    start: int
    end: int
    text: str
    position: float  # 0 = first sentence of the article, 1 = last
    speaker: str | None
    counts: list[Count] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)
    cluster: int = -1
    words: set[str] = field(default_factory=set)  # content words (lemma prefixes)
    lower_words: set[str] = field(default_factory=set)  # the ordinary (lower-case) ones among them
    figures: set[str] = field(default_factory=set)


@dataclass(slots=True)
class CrossCheck:
    statements: list[Statement]
    vectors: np.ndarray
    clusters: list[list[int]]  # statement indices per fact cluster
    disputes: list[Dispute]
    disputed_statements: set[int]
    doc_freq: dict[str, int] = field(default_factory=dict)  # content word -> statements holding it
    dispute_keys: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # statement -> (kind, key)


def collect_statements(articles: list[Article]) -> list[Statement]:
    out = []
    for a in articles:
        sents = a.content_sentences()
        speakers = speakers_of(a)
        n = max(1, len(sents) - 1)
        for k, (s, sp) in enumerate(zip(sents, speakers, strict=True)):
            text = s.text_of(a.text)
            if len(text.split()) < settings().crosscheck.min_statement_words:
                continue
            out.append(Statement(a.id, a.group or a.id, s.start, s.end, text, k / n, sp,
                                 extract_counts(text), extract_dates(text), -1, content_words(text),
                                 content_words(text, lower_only=True), figures(text)))
    return out


def _cluster(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    labels = fcluster(linkage(squareform(dist, checks=False), method="average"), t=1.0 - threshold,
                      criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    return list(groups.values())


def find_disputes(st: list[Statement], vectors: np.ndarray,
                  keys_out: dict[int, set[tuple[str, str]]] | None = None) -> tuple[list[Dispute], set[int]]:
    """Pairs of close statements from different articles that disagree on a count, a date or a speaker."""
    cfg = settings().crosscheck
    sim = vectors @ vectors.T if len(st) else np.zeros((0, 0))
    # (kind, key) -> value -> statement indices
    found: dict[tuple[str, str], dict[str, set[int]]] = {}
    surfaces: dict[tuple[str, str, str], str] = {}
    for i in range(len(st)):
        for j in range(i + 1, len(st)):
            a, b = st[i], st[j]
            if a.article == b.article:
                continue
            s = sim[i, j]
            if s >= cfg.dispute_similarity:
                for ca in a.counts:
                    for cb in b.counts:
                        if counts_conflict(ca, cb, cfg.hedge_tolerance) and _counterparts(st, sim, i, j, ca.noun) \
                                and not _also_says(st, b.article, ca) and not _also_says(st, a.article, cb) \
                                and not mentions_value(b.text, ca) and not mentions_value(a.text, cb):
                            key = ("number", ca.noun)
                            for idx, c in ((i, ca), (j, cb)):
                                v = f"{c.value:g}"
                                found.setdefault(key, {}).setdefault(v, set()).add(idx)
                                surfaces.setdefault((*key, v), c.surface)
            if s >= cfg.date_dispute_similarity:
                for dk in ("date", "weekday"):
                    if dk in a.dates and dk in b.dates and a.dates[dk] != b.dates[dk] \
                            and _date_counterparts(st, sim, i, j, dk):
                        key = ("date", dk)
                        found.setdefault(key, {}).setdefault(a.dates[dk], set()).add(i)
                        found[key].setdefault(b.dates[dk], set()).add(j)
            if a.speaker and b.speaker and a.speaker != b.speaker and s >= cfg.actor_dispute_similarity:
                qa, qb = QUOTE_SPAN.search(a.text), QUOTE_SPAN.search(b.text)
                if qa and qb and _jaccard(qa.group(1), qb.group(1)) >= cfg.actor_quote_overlap and \
                        not _same_person(a.speaker, b.speaker):
                    key = ("actor", qa.group(1)[:60])
                    found.setdefault(key, {}).setdefault(a.speaker, set()).add(i)
                    found[key].setdefault(b.speaker, set()).add(j)
    disputes: list[Dispute] = []
    disputed: set[int] = set()
    for (kind, key), by_value in found.items():
        if len(by_value) < 2:
            continue
        variants = []
        for value, idxs in sorted(by_value.items(), key=lambda kv: -len(kv[1])):
            idxs_sorted = sorted(idxs, key=lambda k: (st[k].position, st[k].article))
            rep = st[idxs_sorted[0]]
            sources = sorted({st[k].article for k in idxs})
            groups = sorted({st[k].group for k in idxs})
            shown = surfaces.get((kind, key, value), value) if kind == "number" else value
            variants.append(Variant(rep.text, shown, sources, groups))
            disputed |= idxs
            if keys_out is not None:
                for k in idxs:
                    keys_out.setdefault(k, set()).add((kind, key))
        if kind == "number":
            about = f"how many: {key}"
        elif kind == "date":
            about = "the date" if key == "date" else "the day of the week"
        else:
            about = f"who said “{key}…”"
        disputes.append(Dispute(about, kind, variants))
    return disputes, disputed


def _counterparts(st: list[Statement], sim: np.ndarray, i: int, j: int, noun: str) -> bool:
    """i and j are each other's closest statement counting `noun` in the other's article."""
    def best(k: int, article: str) -> int:
        cands = [x for x, s in enumerate(st) if s.article == article and any(c.noun == noun for c in s.counts)]
        return max(cands, key=lambda x: sim[k, x])
    return best(i, st[j].article) == j and best(j, st[i].article) == i


def _date_counterparts(st: list[Statement], sim: np.ndarray, i: int, j: int, kind: str) -> bool:
    """Mutually closest dated statements, and neither article also states the other's date."""
    def best(k: int, article: str) -> int:
        cands = [x for x, s in enumerate(st) if s.article == article and kind in s.dates]
        return max(cands, key=lambda x: sim[k, x])
    a, b = st[i], st[j]
    if any(s.dates.get(kind) == b.dates[kind] for s in st if s.article == a.article) or \
            any(s.dates.get(kind) == a.dates[kind] for s in st if s.article == b.article):
        return False
    return best(i, b.article) == j and best(j, a.article) == i





def _also_says(st: list[Statement], article: str, count: Count) -> bool:
    """Does `article` itself state this count somewhere (then it does not contradict it)?"""
    return any(c.noun == count.noun and c.value == count.value for s in st if s.article == article for c in s.counts)


def _jaccard(a: str, b: str) -> float:
    ta, tb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(ta & tb) / max(1, len(ta | tb))


def _same_person(a: str, b: str) -> bool:
    la, lb = a.split()[-1].lower(), b.split()[-1].lower()
    return la == lb


def crosscheck(articles: list[Article]) -> CrossCheck:
    st = collect_statements(articles)
    vectors = embed([s.text for s in st]) if st else np.zeros((0, 384), dtype=np.float32)
    clusters = _cluster(vectors, settings().crosscheck.fact_threshold)
    for ci, members in enumerate(clusters):
        for m in members:
            st[m].cluster = ci
    keys: dict[int, set[tuple[str, str]]] = {}
    disputes, disputed = find_disputes(st, vectors, keys)
    doc_freq: dict[str, int] = {}
    for s in st:
        for w in s.words:
            doc_freq[w] = doc_freq.get(w, 0) + 1
    return CrossCheck(st, vectors, clusters, disputes, disputed, doc_freq, keys)








def supports(cc: CrossCheck, m: int, rep: int) -> bool:
    """Does statement m say what statement rep says? Close in meaning and sharing its content words."""
    a, b = cc.statements[m], cc.statements[rep]
    cfg = settings().crosscheck
    if any(counts_conflict(x, y, cfg.hedge_tolerance) for x in a.counts for y in b.counts):
        return False
    cos = float(cc.vectors[m] @ cc.vectors[rep])
    if cos >= cfg.support_sure:
        return True
    # Below that, the two must share words that are not common across the story ("Japan" and "military"
    # are in half of a story's sentences and prove nothing), or the same specific figure ("$380 million").
    shared = a.words & b.words
    informative = sum(1 for w in shared if cc.doc_freq.get(w, 0) <= cfg.informative_doc_share * len(cc.statements))
    # Shared names alone ("United States", "Japan") do not make two sentences say the same thing.
    if not (a.lower_words & b.lower_words):
        informative = min(informative, 1)
    shared_figures = a.figures & b.figures
    # A short statement restated inside a longer sentence ("…, which opened an inquiry on Tuesday, …"):
    # nearly all its words, and its ordinary (lower-case) words, are in the other sentence.
    if cos >= cfg.support_restated and len(b.words) >= 4 and b.lower_words and \
            len(b.words & a.words) >= cfg.restated_words * len(b.words) and \
            len(b.lower_words & a.lower_words) >= cfg.restated_lower_words * len(b.lower_words):
        return True
    if shared_figures and cos >= cfg.figure_cos and informative >= 1:
        return True
    if shared_figures and informative >= 2 and cos >= cfg.figure_cos_weak:
        return True
    return cos >= cfg.support_threshold and informative >= 2


def is_disputed(cc: CrossCheck, members: list[int]) -> bool:
    """A fact is disputed when one of its statements is in a dispute about something the fact itself states."""
    rep_words = cc.statements[members[0]].words if members else set()
    for m in members:
        for kind, key in cc.dispute_keys.get(m, ()):
            if kind != "number" or lemma(key)[:6] in rep_words:
                return True
    return False


def fact_from_cluster(cc: CrossCheck, members: list[int], text_idx: int) -> Fact:
    """A fact whose words are statement `text_idx`'s, supported by the cluster's statements that agree."""
    st = cc.statements
    rep = st[text_idx]
    hedge = settings().crosscheck.hedge_tolerance
    agreeing = []
    # Any statement of the story that says the same thing supports the fact, whatever cluster it fell in.
    for m in range(len(st)):
        s = st[m]
        # Every cited source is checked against the fact's own words, not just its cluster.
        if m != text_idx and not supports(cc, m, text_idx):
            continue
        if m != text_idx and any(counts_conflict(c, rc, hedge) for c in s.counts for rc in rep.counts):
            continue  # a source that gives another number does not support this one
        agreeing.append(m)
    refs = []
    seen = set()
    for m in sorted(agreeing, key=lambda k: (k != text_idx, st[k].article)):
        s = st[m]
        if s.article in seen:
            continue
        seen.add(s.article)
        refs.append(SourceRef(s.article, s.start, s.end, s.group))
    groups = {r.group for r in refs}
    disputed = is_disputed(cc, [text_idx, *agreeing])
    status = "disputed" if disputed else ("corroborated" if len(groups) >= 2 else "single-source")
    return Fact(text=rep.text, sources=[r.article for r in refs], support=max(1, len(groups)), status=status,
                speaker=rep.speaker if any(q in rep.text for q in "“\"") else None, refs=refs,
                origin_article=rep.article)


# ---------------------------------------------------------------------------------------------------------
# Single-pair checks (used by the benchmarks and by callers that hold one source and one claim)


@lru_cache(maxsize=64)
def _source_windows(source: str) -> tuple[list[str], np.ndarray]:
    """A source's sentences and adjacent pairs, embedded once however many claims are checked against it."""
    from parallax.stages.split import split_paragraph

    sents = [source[s:e] for s, e in split_paragraph(source.replace("\n", " "))] or [source]
    # Windows of two sentences catch claims that fuse adjacent sentences.
    windows = sents + [sents[i] + " " + sents[i + 1] for i in range(len(sents) - 1)]
    return windows, embed(windows)


def support_score(source: str, claim: str) -> float:
    """How well `source` supports `claim`: best sentence cosine, lowered for numbers and names it lacks."""
    windows, vecs = _source_windows(source)
    best = float((vecs @ embed([claim])[0]).max()) if len(windows) else 0.0
    src_low = source.lower()
    nums = re.findall(r"\d+(?:[.,]\d+)?", claim)
    missing_nums = [n for n in nums if n not in source]
    names = [w for w in re.findall(r"\b[A-Z][a-z]{2,}\b", claim[1:]) if w.lower() not in src_low]
    penalty = 0.12 * len(missing_nums) + 0.06 * len(names)
    return max(0.0, best - penalty)


_REFUTE = re.compile(r"\b(fake|hoax|false|falsely|debunk\w*|den(y|ies|ied)|not true|no evidence|untrue|rumou?r\w*"
                     r"|fabricat\w*|misleading|refut\w*|dismiss\w*|retract\w*|satire|doctored|baseless)\b", re.I)


@lru_cache(maxsize=256)
def _body_sentences(body: str) -> tuple[list[str], np.ndarray]:
    from parallax.stages.split import split_paragraph

    sents = [body[s:e] for s, e in split_paragraph(body.replace("\n", " "))][:60] or [body[:1000]]
    return sents, embed(sents)


def stance(headline: str, body: str) -> str:
    """agree / disagree / discuss / unrelated: how a body relates to a headline's claim."""
    sents, body_vecs = _body_sentences(body)
    sims = body_vecs @ embed([headline])[0]
    top = float(sims.max()) if len(sims) else 0.0
    if top < 0.38:
        return "unrelated"
    close = [sents[i] for i in np.argsort(-sims)[:5]]
    if sum(bool(_REFUTE.search(s)) for s in close) >= 1 and _REFUTE.search(" ".join(sents[:8])):
        return "disagree"
    return "agree" if top >= 0.62 else "discuss"
