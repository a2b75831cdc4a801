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

from parallax.model import Article, Dispute, Fact, SourceRef, Variant
from parallax.text.align import embed

log = logging.getLogger(__name__)

FACT_THRESHOLD = 0.62  # average-link cosine at which sentences state the same fact
DISPUTE_SIMILARITY = 0.55  # sentences this close that disagree on a count are a dispute
DATE_DISPUTE_SIMILARITY = 0.45  # with mutual-best dated counterparts only
SUPPORT_THRESHOLD = 0.68  # a cited sentence must be this close to the fact's words (and share content words)

# ---------------------------------------------------------------------------------------------------------
# Quotes and speakers

SAY = (r"(?:said|says|added|adds|stated|states|told|noted|explained|warned|declared|insisted|argued|asked"
       r"|replied|announced|emphasi[sz]ed|stressed|affirmed|wrote|continued|remarked|observed|acknowledged)")
_TITLE = (r"(?:(?:U\.S\.|US|Japanese|British|Chinese|former|Senior|senior)\s+)?(?:President|Prime Minister|Premier"
          r"|Secretary(?: of State)?|Minister|Chancellor|Mayor|Governor|Senator|Rep\.|Mr\.|Ms\.|Mrs\.|Dr\.|Chief"
          r"|Director|Commissioner|Ambassador|General|Gen\.|Judge|Sheriff|Inspector)\s+")
_PNAME = r"[A-Z][\w’'.-]+(?:\s+(?:[A-Z][\w’'.-]+|de|van|von|da|al-|bin))*"
NAME = rf"(?:{_TITLE})?{_PNAME}"
DESC = (r"(?:an?|the|another|one)\s+(?:[\w.-]+\s+){0,3}?(?:official|spokesperson|spokesman|spokeswoman"
        r"|officer|minister|diplomat|source|adviser|advisor|aide|executive|analyst|expert|economist|witness|resident)s?")
PRONOUN = r"(?:he|she|they|He|She|They)"
_Q_OPEN = "“\"‘"
_Q_CLOSE = "”\"’"
QUOTE_SPAN = re.compile(r"[“\"]([^”\"]{3,})[”\"]")
_AFTER_SAY_NAME = re.compile(rf"[{_Q_CLOSE}]\s*,?\s*{SAY}\s+(?P<sp>{NAME}|{DESC})")
_AFTER_NAME_SAY = re.compile(rf"[{_Q_CLOSE},]\s*,?\s*(?P<sp>{NAME}|{DESC}|{PRONOUN})\s+{SAY}\b")
_BEFORE = re.compile(rf"(?P<sp>{NAME}|{DESC}|{PRONOUN})\s+{SAY}\b[^{_Q_OPEN}]{{0,60}}[:,]?\s*[{_Q_OPEN}]")
_REPORTED = re.compile(rf",\s*(?P<sp>{NAME}|{DESC})\s+{SAY}\s*\.?\s*$")
_NOT_SPEAKERS = {"The", "This", "That", "It", "In", "On", "But", "And", "As", "When", "While", "Today", "Yes"}


def _clean_speaker(sp: str) -> str:
    sp = re.sub(r"\s+", " ", sp).strip(" ,.")
    return sp


def find_speaker(sentence: str, previous: str | None = None) -> str | None:
    """The speaker of a direct quote in the sentence (pronouns resolved to `previous`), else None."""
    if not any(q in sentence for q in "“\""):
        m = _REPORTED.search(sentence)
        return _clean_speaker(m.group("sp")) if m and m.group("sp").split()[0] not in _NOT_SPEAKERS else None
    for pat in (_AFTER_SAY_NAME, _AFTER_NAME_SAY, _BEFORE):
        m = pat.search(sentence)
        if m:
            sp = m.group("sp")
            if re.fullmatch(PRONOUN, sp):
                return previous
            if sp.split()[0] in _NOT_SPEAKERS:
                continue
            return _clean_speaker(sp)
    return previous if sentence.lstrip()[:1] in _Q_OPEN and previous else None


def speakers_of(article: Article) -> list[str | None]:
    """Speaker per content sentence of the article (same order as Article.content_sentences())."""
    out: list[str | None] = []
    last: str | None = None
    last_para = -1
    for s in article.content_sentences():
        text = s.text_of(article.text)
        prev = last if s.paragraph - last_para <= 1 else None
        sp = find_speaker(text, prev)
        out.append(sp)
        if sp:
            last, last_para = sp, s.paragraph
    return out


# ---------------------------------------------------------------------------------------------------------
# Counts and dates

_NUMWORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12, "a": 1, "an": 1, "single": 1,
}
_HEDGES = ("about", "around", "approximately", "nearly", "almost", "some", "roughly", "over", "more than",
           "at least", "up to", "fewer than", "less than", "under", "as many as", "an estimated", "estimated")
_FUNCTION = {
    "were", "was", "is", "are", "have", "has", "had", "would", "will", "to", "of", "in", "on", "at", "for", "with",
    "and", "or", "by", "from", "that", "who", "which", "as", "per", "a", "an", "the", "be", "been", "into", "than",
    "their", "its", "his", "her", "our", "this", "these", "those", "after", "before", "during", "since", "while",
    "could", "should", "may", "might", "can", "did", "do", "does", "not", "no", "more", "most", "also", "said",
    "out", "off", "up", "down", "away", "back", "over", "under", "across", "through", "toward", "towards",
}
_VERBS = {"hurt", "left", "made", "held", "went", "came", "took", "sent", "told", "set", "put", "cut", "lost", "won",
          "died", "fled", "rose", "fell", "paid", "said", "saw", "met", "got", "gave", "kept", "ran", "remain", "remains",
          "signed", "joined", "join", "sign", "face", "faced", "stay", "stayed", "were", "are", "is", "was"}
_TIME_NOUNS = {"year", "day", "hour", "month", "week", "time", "decade", "minute", "second", "century", "percent",
               "point", "round", "term", "am", "pm", "o'clock", "million", "billion", "thousand", "trillion"}
_COUNT = re.compile(
    r"(?<![\w$£€.,])(?P<hedge>(?:about|around|approximately|nearly|almost|some|roughly|over|more than|at least|up to"
    r"|fewer than|less than|under|as many as|an estimated)\s+)?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|"
    + "|".join(sorted(_NUMWORDS, key=len, reverse=True)) + r")(?=\s+(?P<rest>(?:[\w’'-]+\s+){0,3}[\w’'-]+))",
    re.IGNORECASE)


@dataclass(slots=True)
class Count:
    noun: str  # lemma of the counted noun
    value: float
    surface: str
    hedged: bool
    weak: bool  # "a"/"an": a count only when set against an explicit number


def _lemma(word: str) -> str:
    w = word.lower().strip("’'")
    for suf, rep in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("s", "")):
        if w.endswith(suf) and len(w) > len(suf) + 2 and not w.endswith("ss"):
            return w[: -len(suf)] + rep
    return w


def extract_counts(sentence: str) -> list[Count]:
    out = []
    totals: set[int] = set()  # start offsets of the N in "twelve of the N governments"
    for m in _COUNT.finditer(sentence):
        if m.start("num") in totals:
            continue
        num = m.group("num").lower()
        words_after = m.group("rest").split()
        # "twelve of the 15 governments": the count is twelve, the noun comes after "of the 15".
        if words_after and words_after[0].lower() == "of":
            words_after = words_after[1:]
            if words_after and words_after[0].lower() in ("the", "its", "their"):
                words_after = words_after[1:]
            if words_after and re.fullmatch(r"\d+|" + "|".join(_NUMWORDS), words_after[0].lower()):
                total = re.search(re.escape(words_after[0]), sentence[m.end("num"):])
                if total:
                    totals.add(m.end("num") + total.start())
                words_after = words_after[1:]
            if not words_after:
                tail = sentence[m.end():].split()
                words_after = tail[:3]
        run: list[str] = []
        for w in words_after:
            lw = w.lower().strip(",.;:")
            if lw in _FUNCTION or lw in _VERBS or not re.fullmatch(r"[\w’'-]+", lw):
                break
            run.append(lw)
            if w.endswith((",", ".", ";", ":")):
                break
        # "240 residents evacuated", "the three remaining governments": participles after the noun go.
        while run and run[-1].endswith(("ed", "ing")) and len(run) > 1:
            run.pop()
        if run and run[-1].endswith(("ed", "ing")):
            run = []
        if not run:
            continue
        head = _lemma(run[-1])
        if head in _TIME_NOUNS or head.isdigit():
            continue
        weak = num in ("a", "an", "single")
        if num in _NUMWORDS:
            value = float(_NUMWORDS[num])
        else:
            try:
                value = float(num.replace(",", ""))
            except ValueError:
                continue
        # "a Japanese astronaut" counts one only when the noun is singular.
        if weak and run[-1].endswith("s"):
            continue
        if m.group("rest").lower().startswith("of"):
            tail = sentence[m.start():]
            surface = tail[: tail.find(run[-1]) + len(run[-1])] if run[-1] in tail else m.group(0)
        else:
            surface = " ".join([m.group(0).strip(), *run])
        out.append(Count(head, value, surface.strip(), bool(m.group("hedge")), weak))
    return out


_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_MONTHDAY = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)"
                       r"\s+(\d{1,2})(?:st|nd|rd|th)?\b|\b(\d{1,2})\s+(January|February|March|April|May|June|July"
                       r"|August|September|October|November|December)\b")


def extract_dates(sentence: str) -> dict[str, str]:
    out: dict[str, str] = {}
    m = _MONTHDAY.search(sentence)
    if m:
        month = m.group(1) or m.group(4)
        day = m.group(2) or m.group(3)
        out["date"] = f"{month} {int(day)}"
    w = _WEEKDAY.search(sentence)
    if w:
        out["weekday"] = w.group(1)
    return out


def _counts_conflict(a: Count, b: Count) -> bool:
    if a.noun != b.noun or a.value == b.value:
        return False
    if a.weak and b.weak:
        return False
    if (a.weak and b.value < 2) or (b.weak and a.value < 2):
        return False
    # Hedged figures ("about 240") within 15% of each other agree.
    return not ((a.hedged or b.hedged) and abs(a.value - b.value) <= 0.15 * max(a.value, b.value))


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
            if len(text.split()) < 4:
                continue
            out.append(Statement(a.id, a.group or a.id, s.start, s.end, text, k / n, sp,
                                 extract_counts(text), extract_dates(text), -1, content_words(text),
                                 content_words(text, lower_only=True), _figures(text)))
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
            if s >= DISPUTE_SIMILARITY:
                for ca in a.counts:
                    for cb in b.counts:
                        if _counts_conflict(ca, cb) and _counterparts(st, sim, i, j, ca.noun) \
                                and not _also_says(st, b.article, ca) and not _also_says(st, a.article, cb) \
                                and not _mentions_value(b.text, ca) and not _mentions_value(a.text, cb):
                            key = ("number", ca.noun)
                            for idx, c in ((i, ca), (j, cb)):
                                v = f"{c.value:g}"
                                found.setdefault(key, {}).setdefault(v, set()).add(idx)
                                surfaces.setdefault((*key, v), c.surface)
            if s >= DATE_DISPUTE_SIMILARITY:
                for dk in ("date", "weekday"):
                    if dk in a.dates and dk in b.dates and a.dates[dk] != b.dates[dk] \
                            and _date_counterparts(st, sim, i, j, dk):
                        key = ("date", dk)
                        found.setdefault(key, {}).setdefault(a.dates[dk], set()).add(i)
                        found[key].setdefault(b.dates[dk], set()).add(j)
            if a.speaker and b.speaker and a.speaker != b.speaker and s >= 0.8:
                qa, qb = QUOTE_SPAN.search(a.text), QUOTE_SPAN.search(b.text)
                if qa and qb and _jaccard(qa.group(1), qb.group(1)) >= 0.6 and \
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


_VALUE_WORDS = {v: k for k, v in _NUMWORDS.items() if k not in ("a", "an", "single", "dozen", "hundred")}


def _mentions_value(sentence: str, count: Count) -> bool:
    """The sentence names the other count's value somewhere ("… while two voted to keep it"): a split, not a dispute."""
    if count.weak or count.value < 2:
        return False
    forms = {f"{count.value:g}"}
    if count.value in _VALUE_WORDS:
        forms.add(_VALUE_WORDS[count.value])
    toks = set(re.findall(r"[\w,]+", sentence.lower()))
    return bool(forms & toks)


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
    clusters = _cluster(vectors, FACT_THRESHOLD)
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


_STOPWORDS = _FUNCTION | {"said", "says", "also", "will", "would", "about", "after", "with", "they", "them", "were",
                          "which", "there", "other", "over", "more", "than", "into", "just", "only", "such"}


_FIGURE = re.compile(r"[$£€]\s?\d[\d,.]*(?:\s*(?:million|billion|trillion|bn|m)\b)?|\d[\d,.]*\s*(?:%|percent\b|per cent\b"
                     r"|million\b|billion\b|tonnes\b|metres\b|km\b|kilometres\b|miles\b|a\.m\.|p\.m\.)"
                     r"|\b\d{1,2}:\d{2}\b")


def _figures(text: str) -> set[str]:
    """Specific figures in a sentence ("$380 million", "15 percent", "6:40 a.m."); bare 1-digit numbers prove little."""
    out = {re.sub(r"\s+", " ", m.group(0).strip(" ,.")).lower() for m in _FIGURE.finditer(text)}
    # A bare number is only as specific as what it counts: "70 agreements" is not "70 years".
    out |= {f"{c.value:g} {c.noun}" for c in extract_counts(text) if not c.weak and c.value >= 10}
    return out


def content_words(text: str, lower_only: bool = False) -> set[str]:
    pattern = r"\b[a-z][\w’'-]{3,}" if lower_only else r"[A-Za-z][\w’'-]{3,}"
    return {_lemma(w)[:6] for w in re.findall(pattern, text) if w.lower() not in _STOPWORDS}


def supports(cc: CrossCheck, m: int, rep: int) -> bool:
    """Does statement m say what statement rep says? Close in meaning and sharing its content words."""
    a, b = cc.statements[m], cc.statements[rep]
    if any(_counts_conflict(x, y) for x in a.counts for y in b.counts):
        return False
    cos = float(cc.vectors[m] @ cc.vectors[rep])
    if cos >= 0.75:
        return True
    # Below that, the two must share words that are not common across the story ("Japan" and "military"
    # are in half of a story's sentences and prove nothing), or the same specific figure ("$380 million").
    shared = a.words & b.words
    informative = sum(1 for w in shared if cc.doc_freq.get(w, 0) <= 0.2 * len(cc.statements))
    # Shared names alone ("United States", "Japan") do not make two sentences say the same thing.
    if not (a.lower_words & b.lower_words):
        informative = min(informative, 1)
    figures = a.figures & b.figures
    # A short statement restated inside a longer sentence ("…, which opened an inquiry on Tuesday, …"):
    # nearly all its words, and its ordinary (lower-case) words, are in the other sentence.
    if cos >= 0.4 and len(b.words) >= 4 and b.lower_words and \
            len(b.words & a.words) >= 0.85 * len(b.words) and \
            len(b.lower_words & a.lower_words) >= 0.75 * len(b.lower_words):
        return True
    if figures and cos >= 0.5 and informative >= 1:
        return True
    if figures and informative >= 2 and cos >= 0.25:
        return True
    return cos >= SUPPORT_THRESHOLD and informative >= 2


def is_disputed(cc: CrossCheck, members: list[int]) -> bool:
    """A fact is disputed when one of its statements is in a dispute about something the fact itself states."""
    rep_words = cc.statements[members[0]].words if members else set()
    for m in members:
        for kind, key in cc.dispute_keys.get(m, ()):
            if kind != "number" or _lemma(key)[:6] in rep_words:
                return True
    return False


def fact_from_cluster(cc: CrossCheck, members: list[int], text_idx: int) -> Fact:
    """A fact whose words are statement `text_idx`'s, supported by the cluster's statements that agree."""
    st = cc.statements
    rep = st[text_idx]
    agreeing = []
    # Any statement of the story that says the same thing supports the fact, whatever cluster it fell in.
    for m in range(len(st)):
        s = st[m]
        # Every cited source is checked against the fact's own words, not just its cluster.
        if m != text_idx and not supports(cc, m, text_idx):
            continue
        if m != text_idx and any(_counts_conflict(c, rc) for c in s.counts for rc in rep.counts):
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
