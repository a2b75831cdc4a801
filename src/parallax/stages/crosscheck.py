"""Cross-check: align the same fact across articles, count independent support, surface disputes.

Every decision about two statements is the pair judge's (`parallax.text.judge`); the bi-encoder only
proposes which pairs it sees (the closest statements of each other article, a bounded number per statement).

- Support: a statement supports a fact when the judge says the fact is supported by it
  (P(supports) >= `CrosscheckConfig.support_min`). A fact's support is the number of distinct *origin groups*
  among the statements that support it; a copy or a rewrite adds none.
- Facts: statements that support each other (both ways) are one fact, worded once.
- Disputes: two statements of independent origins that differ in one typed slot (a number, a weekday or date,
  a named actor) and that the judge takes for the same statement once that slot is made equal (the same slot of
  the same happening), and for a contradiction as they stand. A statement that reports a change ("rose to N
  from M", "up from", "cut to") is an update, not a dispute; numbers of another year are another happening.
- Quotes: attributed to their speaker (…,” Biden said; “…,” he added → the previous speaker).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np

from parallax.config import settings
from parallax.model import Article, Dispute, Fact, SourceRef, Variant
from parallax.text.embed import embed
from parallax.text.judge import CONTRADICTS, get_judge
from parallax.text.slots import (
    MONTHDAY,
    NUMBER_WORDS,
    WEEKDAY,
    Count,
    counts_conflict,
    extract_counts,
    extract_dates,
    find_speaker,
    speakers_of,
)
from parallax.text.words import FUNCTION_WORDS, lemma

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


@dataclass(slots=True)
class CrossCheck:
    statements: list[Statement]
    vectors: np.ndarray
    clusters: list[list[int]]  # statement indices per fact (statements that support each other)
    disputes: list[Dispute]
    disputed_statements: set[int]
    support: np.ndarray  # (n, n): the judge's P(statements i and j state one fact); 0 where not judged
    contradict: np.ndarray  # (n, n): P(statement j contradicts statement i); 0 where not judged
    dispute_keys: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # statement -> (kind, key)
    judged_pairs: int = 0


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
                                 extract_counts(text), extract_dates(text)))
    return out


def candidate_pairs(st: list[Statement], vectors: np.ndarray) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of statements of different articles that the judge will see: for each statement,
    its closest statements of each other article (bi-encoder cosine), a bounded number in all."""
    cfg = settings().crosscheck
    n = len(st)
    if n < 2:
        return []
    sim = vectors @ vectors.T
    by_article: dict[str, list[int]] = {}
    for k, s in enumerate(st):
        by_article.setdefault(s.article, []).append(k)
    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        picked: list[int] = []
        for art, idx in by_article.items():
            if art == st[i].article:
                continue
            row = sim[i, idx]
            for r in np.argsort(-row, kind="stable")[: cfg.candidates_per_article]:
                if row[r] >= cfg.candidate_min_cos:
                    picked.append(idx[int(r)])
        picked.sort(key=lambda j: -sim[i, j])
        for j in picked[: cfg.candidates]:
            pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def _judge_pairs(st: list[Statement], pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate pair through the judge: (corroborate, contradict) matrices. corroborate[i, j] is the
    judge's P(i and j state one fact), symmetric; contradict[i, j] is P(j contradicts claim i)."""
    n = len(st)
    corr = np.zeros((n, n), dtype=np.float32)
    con = np.zeros((n, n), dtype=np.float32)
    if not pairs:
        return corr, con
    judge = get_judge()
    enc = judge.encode([s.text for s in st])
    p_same, p_ij, p_ji = judge.corroborate([enc[i] for i, _ in pairs], [enc[j] for _, j in pairs])
    log.debug("judged %d candidate pairs of %d statements", len(pairs), n)
    rows = np.array([i for i, _ in pairs])
    cols = np.array([j for _, j in pairs])
    corr[rows, cols] = p_same
    corr[cols, rows] = p_same
    con[rows, cols] = p_ij[:, CONTRADICTS]
    con[cols, rows] = p_ji[:, CONTRADICTS]
    return corr, con


def _fact_groups(st: list[Statement], corr: np.ndarray) -> list[list[int]]:
    """Statements grouped into facts: average link over the judge's P(same fact), cut at `support_min`
    (pairs the proposer did not hand the judge count as 0)."""
    n = len(st)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - corr, 0.0, 1.0).astype(np.float64)
    np.fill_diagonal(dist, 0.0)
    labels = fcluster(linkage(squareform(dist, checks=False), method="average"),
                      t=1.0 - settings().crosscheck.support_min, criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------------------
# Disputes: one typed slot differs, the rest is the same statement

_NUMBER = re.compile(
    r"(?<![\w.,$£€])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted([*NUMBER_WORDS, "an", "a", "single"], key=len, reverse=True))
    + r")\b(?P<scale>\s+(?:million|billion|thousand|hundred))?(?P<unit>\s*(?:%|percent\b|per cent\b))?(?![\w.,]\d)",
    re.IGNORECASE)
# Words that follow "a"/"one" without making a count of one ("a few", "a number of", "one of the").
_QUANTIFIERS = frozenset(["few", "lot", "number", "couple", "bit", "series", "total", "handful", "range", "variety",
                          "majority", "minority", "third", "quarter", "half", "dozen", "hundred", "thousand",
                          "million", "billion", "day", "week", "month", "year", "time"])
_OF_TOTAL = re.compile(r"\s+of\s+(?:the\s+|its\s+|their\s+)?(?P<total>\d[\d,]*|[a-z]+(?:-[a-z]+)?)\b", re.IGNORECASE)
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "hundred": 1e2}
# An explicit change with the earlier figure ("rose to 4,800 from 3,000", "up from nine", "cut to 58 dalers from
# 62"): such a statement is an update of the other, not a dispute.
_CHANGE = re.compile(r"\b(?:up|down)\s+from\b|\bfrom\s+(?:about\s+|around\s+|some\s+|nearly\s+)?\d",
                     re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_HEDGE_BEFORE = re.compile(r"(?:about|around|approximately|nearly|almost|some|roughly|over|more than|at least"
                           r"|up to|fewer than|less than|under|as many as|an estimated|estimated)\s+$", re.IGNORECASE)


@dataclass(slots=True)
class Slot:
    kind: str  # number | date | actor
    value: str  # normalised value: "1150", "Friday", "March 3", "Marrant"
    surface: str  # the words in the sentence
    start: int
    end: int
    hedged: bool = False
    noun: str = ""  # for a number: what it counts (the head of the words after it, as a lemma), or "%"
    weak: bool = False  # "a"/"an"/"one": a count only when set against an explicit number of the same thing


def number_slots(text: str) -> list[Slot]:
    """Figures of a sentence with their value ("about 1,150" -> 1150, "6 million" -> 6000000, "Forty-six" ...);
    years and times of day are not figures."""
    out = []
    totals: set[int] = set()  # the N of "twelve of the N governments": a total, not a count of its own
    for m in _NUMBER.finditer(text):
        if m.start() in totals:
            continue
        raw = m.group("num").lower()
        weak = raw in ("a", "an", "single", "one") and not m.group("unit")
        if _YEAR.fullmatch(raw) or re.match(r"\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)", text[m.end():]) or \
                re.match(r":\d", text[m.end():]):
            continue
        if weak:
            value = 1.0
        elif raw in NUMBER_WORDS:
            value = float(NUMBER_WORDS[raw])
        else:
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                continue
        if m.group("scale"):
            value *= _SCALES[m.group("scale").strip().lower()]
        unit = "%" if m.group("unit") else ""
        hedged = bool(_HEDGE_BEFORE.search(text[: m.start()]))
        of_total = _OF_TOTAL.match(text, m.end())
        if of_total and not (of_total.group("total")[0].isdigit() or of_total.group("total").lower() in NUMBER_WORDS):
            of_total = None
        if of_total and not unit:  # "Twelve of the 15 governments": twelve governments
            totals.add(of_total.start("total"))
            noun = _noun_after(text, of_total.end())
        else:
            noun = "%" if unit else _noun_after(text, m.end())
        if weak and (not noun or noun in _QUANTIFIERS or _noun_after(text, m.end(), lemmatise=False).endswith("s")):
            continue  # "a Japanese astronaut" counts one; "a few", "one of the ..." do not
        if noun:
            out.append(Slot("number", f"{value:g}{unit}", m.group(0), m.start(), m.end(), hedged, noun, weak))
    return out


def date_slots(text: str) -> list[Slot]:
    out = [Slot("date", m.group(1), m.group(1), m.start(1), m.end(1)) for m in WEEKDAY.finditer(text)]
    for m in MONTHDAY.finditer(text):
        month, day = m.group(1) or m.group(4), m.group(2) or m.group(3)
        out.append(Slot("date", f"{month} {int(day)}", m.group(0), m.start(), m.end()))
    return out


def actor_slots(text: str) -> list[Slot]:
    """Named people: a run of two or three capitalised words introduced by a title or a role ("Regional governor
    Hedda Marrant", "the fire commander, Oskar Tevelin", "Dr Yusuf Brenning, the regional director");
    the value is the surname."""
    out = []
    for m in _PERSON.finditer(text):
        words = m.group(0).split()
        if words[0] in _NOT_ACTOR or len(words) > 3:
            continue
        before = text[max(0, m.start() - 40): m.start()]
        after = text[m.end(): m.end() + 40]
        if _ROLE_BEFORE.search(before) or _ROLE_AFTER.match(after):
            out.append(Slot("actor", words[-1], m.group(0), m.start(), m.end()))
    return out


_PERSON = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)+")
_NOT_ACTOR = frozenset(["The", "This", "That", "On", "In", "At", "By", "But", "And", "When", "After", "Before",
                        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
_ROLES = (r"(?:governor|minister|commander|engineer|director|executive|chief|mayor|president|premier|spokes\w+"
          r"|officer|secretary|head|chair\w*|manager|inspector|commissioner|leader|councillor|superintendent"
          r"|Dr|Mr|Mrs|Ms|Prof)")
_ROLE_BEFORE = re.compile(rf"\b{_ROLES}\.?,?\s+(?:[a-z]+\s+){{0,1}}$")
_ROLE_AFTER = re.compile(rf",\s+(?:the|a|an|its|their)\s+(?:[\w'-]+\s+){{0,3}}{_ROLES}\b")


def _slots_of(text: str) -> list[Slot]:
    return number_slots(text) + date_slots(text) + actor_slots(text)


def _agree(a: Slot, b: Slot, hedge: float) -> bool:
    if a.value == b.value:
        return True
    if a.kind != "number":
        return False
    try:
        va, vb = float(a.value.rstrip("%")), float(b.value.rstrip("%"))
    except ValueError:
        return False
    return (a.hedged or b.hedged) and abs(va - vb) <= hedge * max(va, vb)


def slot_conflicts(a: str, b: str, hedge: float = 0.15) -> list[tuple[Slot, Slot]]:
    """Slots of the same kind whose values differ and that neither sentence states with the other's value:
    the candidates for a dispute between `a` and `b`."""
    sa, sb = _slots_of(a), _slots_of(b)
    out = []
    for x in sa:
        if any(_agree(x, y, hedge) for y in sb if y.kind == x.kind):
            continue  # b states this value too
        for y in sb:
            if y.kind != x.kind or any(_agree(y, z, hedge) for z in sa if z.kind == y.kind):
                continue
            if x.kind == "number" and (x.noun == "%") != (y.noun == "%"):
                continue
            if x.kind == "date" and (" " in x.value) != (" " in y.value):
                continue  # a weekday and a day of the month are not one slot
            out.append((x, y))
    return out


def _substitute(text: str, slot: Slot, value: Slot) -> str:
    return text[: slot.start] + value.surface + text[slot.end:]


def _same_thing(x: Slot, y: Slot, min_cos: float, max_ratio: float) -> bool:
    """Can two figures be two reports of one quantity? They count the same kind of thing ("38 ships" and
    "46 vessels": the same word, or close words by the bi-encoder) and neither is more than `max_ratio` times
    the other."""
    if x.kind != "number":
        return True
    if (x.weak or y.weak) and (x.noun != y.noun or (x.weak and y.weak)):
        return False  # "a Japanese astronaut" against "two astronauts": the same word, an explicit number
    va, vb = float(x.value.rstrip("%")), float(y.value.rstrip("%"))
    if va != vb and (min(va, vb) <= 0 or max(va, vb) > max_ratio * min(va, vb)):
        return False
    if x.noun == y.noun:
        return True
    if "%" in (x.noun, y.noun):
        return False
    v = embed([x.noun, y.noun])
    return float(v[0] @ v[1]) >= min_cos


def _states(st: list[Statement], group: str, slot: Slot, hedge: float, min_cos: float) -> bool:
    """Does origin group `group` itself give this value for a slot of this kind somewhere? Then it does not
    dispute it: it tells two things apart, reports an update, or a rewrite of it erred, not the origin."""
    return any(_agree(slot, z, hedge) and _same_thing(slot, z, min_cos, float("inf"))
               for s in st if s.group == group for z in _slots_of(s.text) if z.kind == slot.kind)


def slot_tests(a: str, b: str, latest_year: int | None = None) -> list[tuple[Slot, Slot, str]]:
    """The typed-slot conflicts of `a` and `b` that could make a dispute, each with `b` rewritten to give `a`'s
    value: not when either reports a change (an update) or names an earlier year the other does not (a past
    happening: any year when `latest_year`, the story's latest, is unknown), and only figures that can be two
    reports of one quantity (`_same_thing`)."""
    cfg = settings().crosscheck
    extra = set(_YEAR.findall(a)) ^ set(_YEAR.findall(b))
    if extra and (latest_year is None or min(int(y) for y in extra) < latest_year):
        return []
    change = bool(_CHANGE.search(a) or _CHANGE.search(b))
    out = []
    for x, y in slot_conflicts(a, b, cfg.hedge_tolerance):
        if x.kind == "number" and change:
            continue
        if _same_thing(x, y, cfg.slot_noun_min_cos, cfg.dispute_max_ratio):
            out.append((x, y, _substitute(b, y, x)))
    return out


def find_disputes(st: list[Statement], corr: np.ndarray, con: np.ndarray,
                  keys_out: dict[int, set[tuple[str, str]]] | None = None) -> tuple[list[Dispute], set[int]]:
    """Disputes between independent origins about one slot of one happening (see the module doc)."""
    cfg = settings().crosscheck
    judge = get_judge()
    tests: list[tuple[int, int, Slot, Slot, str]] = []
    years = [int(y) for s in st for y in _YEAR.findall(s.text)]
    latest = max(years) if years else None
    for i, j in zip(*np.nonzero(np.triu(corr + np.maximum(con, con.T))), strict=True):
        i, j = int(i), int(j)
        a, b = st[i], st[j]
        if a.group == b.group or a.article == b.article:
            continue  # one origin (a copy, a rewrite's own error) is not a dispute between origins
        for x, y, sub in slot_tests(a.text, b.text, latest):
            if _states(st, a.group, y, cfg.hedge_tolerance, cfg.slot_noun_min_cos) or \
                    _states(st, b.group, x, cfg.hedge_tolerance, cfg.slot_noun_min_cos):
                continue  # an origin that gives both values tells two things apart (or reports an update)
            tests.append((i, j, x, y, sub))
    if not tests:
        return [], set()
    enc = judge.encode([st[i].text for i, *_ in tests] + [t[-1] for t in tests])
    same, _, _ = judge.corroborate(enc[: len(tests)], enc[len(tests):])
    edges = [(i, j, x.kind, x, y) for (i, j, x, y, _), p in zip(tests, same, strict=True)
             if p >= cfg.dispute_same_min]
    return _disputes_from(st, edges, keys_out)


def _disputes_from(st: list[Statement], edges: list[tuple[int, int, str, Slot, Slot]],
                   keys_out: dict[int, set[tuple[str, str]]] | None) -> tuple[list[Dispute], set[int]]:
    # One dispute per connected set of slot occurrences (statement, offset of the slot) of one kind.
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    value: dict[tuple[int, int], Slot] = {}
    for i, j, _kind, x, y in edges:
        value[(i, x.start)] = x
        value[(j, y.start)] = y
        ri, rj = find((i, x.start)), find((j, y.start))
        if ri != rj:
            parent[rj] = ri
    comps: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for node in value:
        comps.setdefault(find(node), []).append(node)
    disputes: list[Dispute] = []
    disputed: set[int] = set()
    for _root, nodes in sorted(comps.items(), key=lambda kv: min(kv[1])):
        kind = value[nodes[0]].kind
        by_value: dict[str, list[int]] = {}
        shown: dict[str, str] = {}
        for node in sorted(nodes):
            v = value[node]
            if node[0] not in by_value.get(v.value, []):
                by_value.setdefault(v.value, []).append(node[0])
            shown.setdefault(v.value, v.surface)
        if len(by_value) < 2 or len({st[k].group for ks in by_value.values() for k in ks}) < 2:
            continue
        variants = []
        for v, idxs in sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            idxs_sorted = sorted(idxs, key=lambda k: (st[k].position, st[k].article))
            rep = st[idxs_sorted[0]]
            variants.append(Variant(rep.text, shown[v], sorted({st[k].article for k in idxs}),
                                    sorted({st[k].group for k in idxs})))
            disputed |= set(idxs)
            if keys_out is not None:
                for k in idxs:
                    keys_out.setdefault(k, set()).add((kind, str(min(nodes))))
        key = value[nodes[0]].noun if kind == "number" else ""
        about = {"number": f"how many: {key}" if key else "a figure", "date": "when",
                 "actor": "who"}[kind]
        disputes.append(Dispute(about, kind, variants))
    return disputes, disputed


def _noun_after(text: str, end: int, lemmatise: bool = True) -> str:
    """What a figure counts: the last of the content words right after it, participles dropped, as a lemma
    ("1,400 people" -> "people", "two crew members were" -> "member", "240 residents evacuated" -> "resident")."""
    run: list[str] = []
    rest = text[end + 1:] if text[end: end + 1] == "-" else text[end:]  # "a 60-metre gap"
    for w in re.findall(r"[A-Za-z][\w'-]*|[^\sA-Za-z]", rest)[:4]:
        lw = w.lower()
        if not lw[0].isalpha() or lw in FUNCTION_WORDS or lw in ("a", "an", "the"):
            break
        run.append(lw)
    while len(run) > 1 and run[-1].endswith(("ed", "ing")):
        run.pop()
    if not run or run[-1].endswith(("ed", "ing")):
        return ""
    return lemma(run[-1]) if lemmatise else run[-1]


def crosscheck(articles: list[Article]) -> CrossCheck:
    st = collect_statements(articles)
    vectors = embed([s.text for s in st]) if st else np.zeros((0, 384), dtype=np.float32)
    pairs = candidate_pairs(st, vectors)
    sup, con = _judge_pairs(st, pairs)
    clusters = _fact_groups(st, sup)
    for ci, members in enumerate(clusters):
        for m in members:
            st[m].cluster = ci
    keys: dict[int, set[tuple[str, str]]] = {}
    disputes, disputed = find_disputes(st, sup, con, keys)
    return CrossCheck(st, vectors, clusters, disputes, disputed, sup, con, keys, len(pairs) * 2)


# ---------------------------------------------------------------------------------------------------------
# One claim against one source's sentences: the same decisions as the story's cross-check (the benchmarks
# score these; the story's cross-check calls the same judge head with the same thresholds)


def same_fact_scores(a: list[str], b: list[str]) -> np.ndarray:
    """The judge's P(a[i] and b[i] state one fact) (the corroboration head; symmetric)."""
    if len(a) != len(b):
        raise ValueError("same_fact_scores() takes two lists of the same length")
    if not a:
        return np.zeros(0, dtype=np.float32)
    judge = get_judge()
    enc = judge.encode([*a, *b])
    return judge.corroborate(enc[: len(a)], enc[len(a):])[0]


def same_fact(a: str, b: str) -> bool:
    """Do two statements state one fact (would one support the other in a brief)? `support_min`."""
    return bool(same_fact_scores([a], [b])[0] >= settings().crosscheck.support_min)


def _candidates(claim: str, sentences: list[str]) -> tuple[list[str], np.ndarray]:
    """The source sentences the judge sees for a claim: the closest by bi-encoder cosine, `candidates` at most,
    at cosine >= `candidate_min_cos` (as the story's proposer picks them); with their cosines."""
    cfg = settings().crosscheck
    sents = [s for s in sentences if s.strip()]
    if not sents:
        return [], np.zeros(0, dtype=np.float32)
    vecs = embed([claim, *sents])
    cos = vecs[1:] @ vecs[0]
    order = [int(k) for k in np.argsort(-cos, kind="stable")[: cfg.candidates] if cos[k] >= cfg.candidate_min_cos]
    return [sents[k] for k in order], cos[order] if order else np.zeros(0, dtype=np.float32)


def support_score(claim: str, sentences: list[str]) -> float:
    """Best P(same fact) of `claim` over a source's candidate sentences that `compatible` allows (0 when none
    is close enough)."""
    cands, _ = _candidates(claim, sentences)
    cc, sc = extract_counts(claim), find_speaker(claim)
    cands = [c for c in cands if compatible(cc, sc, extract_counts(c), find_speaker(c))]
    return float(same_fact_scores([claim] * len(cands), cands).max()) if cands else 0.0


def supported(claim: str, sentences: list[str]) -> bool:
    """Would the source be cited for `claim` in a brief (some sentence states the same fact)?"""
    return support_score(claim, sentences) >= settings().crosscheck.support_min


def disagrees(claim: str, sentences: list[str]) -> bool:
    """Would the source's sentences and `claim` make a dispute if they came from two origins (one typed slot
    differs and the statements are one fact once it is made equal)?"""
    cands, _ = _candidates(claim, sentences)
    tests = [t for c in cands for t in slot_tests(claim, c)]
    if not tests:
        return False
    same = same_fact_scores([claim] * len(tests), [sub for _, _, sub in tests])
    return bool(same.max() >= settings().crosscheck.dispute_same_min)


def stance(claim: str, sentences: list[str]) -> str:
    """How a source relates to a claim, in the cross-check's own terms: "unrelated" (no sentence close enough
    for the proposer to hand the judge), "disagree" (a dispute), "agree" (it would be cited for the claim),
    else "discuss"."""
    cands, _ = _candidates(claim, sentences)
    if not cands:
        return "unrelated"
    if disagrees(claim, sentences):
        return "disagree"
    return "agree" if supported(claim, sentences) else "discuss"


def supports(cc: CrossCheck, m: int, rep: int) -> bool:
    """Does statement m support the fact statement `rep` states? The judge's P(same fact) reaches
    `support_min`, no count differs, and they are not quotes of two different people."""
    if m == rep:
        return True
    a, b = cc.statements[m], cc.statements[rep]
    if not compatible(a.counts, a.speaker, b.counts, b.speaker):
        return False
    return bool(cc.support[rep, m] >= settings().crosscheck.support_min)


def compatible(counts_a: list[Count], speaker_a: str | None, counts_b: list[Count], speaker_b: str | None) -> bool:
    """Typed slots that rule out one fact whatever the judge says: a count of the same thing that differs, or
    two different speakers (the same words said by two people are two statements)."""
    hedge = settings().crosscheck.hedge_tolerance
    if any(counts_conflict(x, y, hedge) for x in counts_a for y in counts_b):
        return False
    return not (speaker_a and speaker_b and speaker_a.split()[-1].lower() != speaker_b.split()[-1].lower())


def supporters(cc: CrossCheck, rep: int) -> list[int]:
    """Statement `rep` and every statement that supports it."""
    return [m for m in range(len(cc.statements)) if m == rep or supports(cc, m, rep)]


def is_disputed(cc: CrossCheck, members: list[int]) -> bool:
    """A fact is disputed when the statement it shows is a side of a dispute."""
    return bool(members) and members[0] in cc.disputed_statements


def fact_from_cluster(cc: CrossCheck, members: list[int], text_idx: int, cited: list[int] | None = None) -> Fact:
    """A fact whose words are statement `text_idx`'s, cited to every statement the judge says supports it (or to
    `cited`, when the brief chose the words among statements that state one fact)."""
    st = cc.statements
    rep = st[text_idx]
    agreeing = sorted(set(cited) | {text_idx}) if cited is not None else supporters(cc, text_idx)
    refs = []
    seen = set()
    for m in sorted(agreeing, key=lambda k: (k != text_idx, st[k].article)):
        s = st[m]
        if s.article in seen:
            continue
        seen.add(s.article)
        refs.append(SourceRef(s.article, s.start, s.end, s.group))
    groups = {r.group for r in refs}
    disputed = is_disputed(cc, [text_idx])
    status = "disputed" if disputed else ("corroborated" if len(groups) >= 2 else "single-source")
    return Fact(text=rep.text, sources=[r.article for r in refs], support=max(1, len(groups)), status=status,
                speaker=rep.speaker if any(q in rep.text for q in "“\"") else None, refs=refs,
                origin_article=rep.article)


