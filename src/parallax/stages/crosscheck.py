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

import functools
import logging
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np

from parallax.config import settings
from parallax.model import Article, Dispute, Fact, SourceRef, Variant
from parallax.text.dates import parse_day
from parallax.text.embed import embed
from parallax.text.judge import CONTRADICTS, DISPUTE_FEATURES, PairJudge, get_judge
from parallax.text.slots import (
    MONTHDAY,
    NUMBER_WORDS,
    QUOTE_SPAN,
    WEEKDAY,
    Count,
    counts_conflict,
    dateline_length,
    extract_counts,
    extract_dates,
    find_speaker,
    is_bare_dateline,
    speakers_of,
)
from parallax.text.words import FUNCTION_WORDS, content_words, lemma

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
    specific: bool = True  # carries something checkable (see `is_specific`); a vague line supports nothing
    checked: bool = True  # in a language the judge covers (`text.language.checked`); else never judged
    language: str = "en"  # the sentence's language: its article's, unless it is another (`text.language.sentence_language`)
    derived: bool = False  # its page derives from another page of the story (a copy, rewrite, digest: `derived_from`)


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
    # (n, n): the support head's P(statement j states everything statement i states); 0 where not judged
    entail: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    # (article, start) of the body sentences the loaded-language detector flags on their pages (`find_loaded`: a
    # page in a loaded voice flags sentences `flag_sentence` alone would not): set by `brief.build_story`
    loaded_at: frozenset[tuple[str, int]] = frozenset()


def collect_statements(articles: list[Article]) -> list[Statement]:
    from parallax.text.language import checked_languages, language_of, sentence_language

    out = []
    covered = checked_languages()
    for a in articles:
        page = language_of(a)
        sents = a.content_sentences()
        speakers = speakers_of(a)
        n = max(1, len(sents) - 1)
        for k, (s, sp) in enumerate(zip(sents, speakers, strict=True)):
            text = s.text_of(a.text)
            cut = dateline_length(text)  # a wire's dateline is not part of what the sentence states
            text = text[cut:]
            if len(text.split()) < settings().crosscheck.min_statement_words or is_bare_dateline(text) \
                    or in_writers_voice(text) or is_correction_note(text):
                continue
            lang = sentence_language(text, page)  # a quotation left in its language is read as such
            judged = lang in covered
            out.append(Statement(a.id, a.group or a.id, s.start + cut, s.end, text, k / n, sp,
                                 extract_counts(text), extract_dates(text), specific=is_specific(text),
                                 checked=judged, language=lang, derived=bool(a.derived_from)))
    return out


_ANCHOR_NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}|\b[A-Z]{2,}[a-z]*\b(?<!\bI)")
_DIGIT = re.compile(r"\d")


# A count of none of the people a report counts first: "nobody was hurt", "there were no injuries", "no deaths or
# serious injuries were reported". A zero is a figure another report can be checked against.
_NO_CASUALTY = re.compile(r"\b(?:no|nobody|none|no-one|no one)\b(?:\W+\w+){0,5}?\W+(?:injur|hurt|kill|dead|death|"
                          r"casualt|fatalit|wound)", re.IGNORECASE)


_FIRST_PERSON = re.compile(r"\b(?i:we|our|ours|my|me)\b|\bI\b|\bus\b")
_REPORTED = re.compile(r"\b(?:said|says|say|told|tells|added|adds|according to|wrote|writes|recalled|asked)\b",
                       re.IGNORECASE)


_EARLIER_VERSION = re.compile(r"\b(?:earlier|previous|original|first)\s+version\s+of\s+(?:this|the)\s+"
                              r"(?:article|story|report|post|piece|item|page|entry)\b", re.IGNORECASE)


def is_correction_note(text: str) -> bool:
    """Does the sentence report what an earlier version of the page said ("Correction: An earlier version of this
    article said the trial enrolled 4,122 patients.")? Its figures are the page's own withdrawn values: never a
    statement of fact, never support, never a side of a dispute (issue 19: a page's own correction is no dispute)."""
    return bool(_EARLIER_VERSION.search(text))


def in_writers_voice(text: str) -> bool:
    """Is the sentence the writer speaking ("we will be back with live updates", "It looked like it might not be
    our day", "Here is what the numbers tell us"): a first-person word outside quotation marks and no one reported
    as saying it? Such a line is the page's own commentary or chrome: never a statement of fact, never support."""
    outside = QUOTE_SPAN.sub(" ", text)
    return bool(_FIRST_PERSON.search(outside)) and not _REPORTED.search(outside)


def is_specific(text: str) -> bool:
    """Does a sentence carry something another report can be checked against: a figure (a count of none of the
    injured or dead included), a day or date, a proper name (a capitalised word after the first), a quotation, or
    at least `vague_max_content_words` + 1 content words? "The jury heard all of it." or "By then the thieves had
    gone." do not: two such lines match by their vagueness, and counting one as support for the other (or for a
    sentence that states a figure) is how a commentary line became corroboration (issue 19)."""
    if _DIGIT.search(text) or WEEKDAY.search(text) or MONTHDAY.search(text) or any(q in text for q in "“\""):
        return True
    if any(w.lower() in NUMBER_WORDS for w in re.findall(r"[A-Za-z]+", text)) or _NO_CASUALTY.search(text):
        return True
    if any(m.group(0) not in ("I",) and m.group(0).upper() != m.group(0) for m in _ANCHOR_NAME.finditer(text)):
        return True
    return len(content_words(text)) > settings().crosscheck.vague_max_content_words


def candidate_pairs(st: list[Statement], vectors: np.ndarray) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of statements of different articles that the judge will see: for each statement,
    its closest statements of each other article (bi-encoder cosine), a bounded number in all."""
    cfg = settings().crosscheck
    n = len(st)
    if n < 2:
        return []
    # Rounded: a matrix product's last bits depend on the rows' places in the matrix (BLAS blocking), and the
    # rows' places on the input order; a tie must stay a tie.
    sim = np.round(vectors @ vectors.T, 5)
    by_article: dict[str, list[int]] = {}
    for k, s in enumerate(st):
        by_article.setdefault(s.article, []).append(k)
    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        if not st[i].checked:  # a language the judge does not cover: shown, never compared
            continue
        picked: list[int] = []
        for art, idx in by_article.items():
            if art == st[i].article or not st[idx[0]].checked:
                continue
            row = sim[i, idx]
            for r in np.argsort(-row, kind="stable")[: cfg.candidates_per_article]:
                if row[r] >= cfg.candidate_min_cos:
                    picked.append(idx[int(r)])
        # Ties (copies' identical sentences) broken by article id and offset, never by input order: the batch,
        # the store and the cluster run see a story's articles in different orders.
        picked.sort(key=lambda j: (-sim[i, j], st[j].article, st[j].start))
        for j in picked[: cfg.candidates]:
            pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def _judge_pairs(st: list[Statement], pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate pair through the judge: (corroborate, contradict, entail) matrices. corroborate[i, j] is
    the judge's P(i and j state one fact), symmetric; contradict[i, j] is P(j contradicts claim i); entail[i, j]
    is the support head's P(j states everything i states)."""
    n = len(st)
    corr = np.zeros((n, n), dtype=np.float32)
    con = np.zeros((n, n), dtype=np.float32)
    ent = np.zeros((n, n), dtype=np.float32)
    if not pairs:
        return corr, con, ent
    judge = get_judge()
    enc = judge.encode([s.text for s in st])
    got = judge.assess([enc[i] for i, _ in pairs], [enc[j] for _, j in pairs])
    log.debug("judged %d candidate pairs of %d statements", len(pairs), n)
    rows = np.array([i for i, _ in pairs])
    cols = np.array([j for _, j in pairs])
    corr[rows, cols] = got["same"]
    corr[cols, rows] = got["same"]
    con[rows, cols] = got["p_ab"][:, CONTRADICTS]
    con[cols, rows] = got["p_ba"][:, CONTRADICTS]
    ent[rows, cols] = got["b_supports_a"]
    ent[cols, rows] = got["a_supports_b"]
    _rejudge_rounded(st, pairs, judge, corr, ent)
    return corr, con, ent


def rounded_restatement(a: str, b: str) -> tuple[str, str] | None:
    """The pair as the judge should read it when one sentence gives a figure the other rounds ("about 300
    firefighters" / "310 firefighters", "nearly three-quarters" / "74 percent", "62 officers" / "about 60"): the
    rounded figure written as the precise one, the rest of both sentences as they are. None when no figure pair
    is like that, or when a slot of one is set against the same slot of the other (`slot_conflicts` of one
    quantity, `_same_thing`: a dispute's candidates are judged as they stand). Only the judgment reads it;
    nothing printed changes."""
    cfg = settings().crosscheck
    sa = [x for x in _slots_of(a) if x.kind == "number" and not x.weak]
    sb = [y for y in _slots_of(b) if y.kind == "number" and not y.weak]
    if not sa or not sb:
        return None
    edits_a: list[tuple[Slot, Slot]] = []
    edits_b: list[tuple[Slot, Slot]] = []
    for x in sa:
        if any(x.value == y.value for y in sb):
            continue
        for y in sb:
            if (x.noun == "%") != (y.noun == "%") or not _agree(x, y, cfg.hedge_floor, share_words=True) \
                    or not _same_thing(x, y, cfg.slot_noun_min_cos, cfg.dispute_max_ratio):
                continue
            # the rounded one (hedged, or a share in words) takes the precise one's figure
            if x.hedged or _share_word_reach(x, float(x.value.rstrip("%"))):
                edits_a.append((x, y))
            else:
                edits_b.append((y, x))
            break
    if (not edits_a and not edits_b) or any(_same_thing(x, y, cfg.slot_noun_min_cos, cfg.dispute_max_ratio)
                                            for x, y in slot_conflicts(a, b, cfg.hedge_floor)):
        return None  # (the conflicts, dearer, only for pairs that have a rounded figure)
    return _rewrite(a, edits_a), _rewrite(b, edits_b)


def _rewrite(text: str, edits: list[tuple[Slot, Slot]]) -> str:
    seen: set[int] = set()
    for slot, value in sorted(edits, key=lambda e: -e[0].start):  # from the end: offsets stay valid
        if slot.start in seen:
            continue
        seen.add(slot.start)
        text = _substitute(text, slot, value)
    return text


def _rejudge_rounded(st: list[Statement], pairs: list[tuple[int, int]], judge: PairJudge, corr: np.ndarray,
                     ent: np.ndarray) -> None:
    """Pairs where one report rounds the other's figure (`rounded_restatement`) are judged again with the figure
    written alike; a pair keeps the higher of the two readings for one fact and for stating all of it. The
    judge's features count a differing figure against one fact, which a rounded figure is not."""
    again = [(i, j, r) for i, j in pairs if (r := rounded_restatement(st[i].text, st[j].text)) is not None]
    if not again:
        return
    texts = sorted({t for _, _, r in again for t in r})
    by_text = dict(zip(texts, judge.encode(texts), strict=True))
    got = judge.assess([by_text[r[0]] for _, _, r in again], [by_text[r[1]] for _, _, r in again])
    for k, (i, j, _) in enumerate(again):
        corr[i, j] = corr[j, i] = max(corr[i, j], got["same"][k])
        ent[i, j] = max(ent[i, j], got["b_supports_a"][k])
        ent[j, i] = max(ent[j, i], got["a_supports_b"][k])


def _fact_groups(st: list[Statement], corr: np.ndarray) -> list[list[int]]:
    """Statements grouped into facts: average link over the judge's P(same fact), cut at `support_min`
    (pairs the proposer did not hand the judge count as 0)."""
    n = len(st)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    from parallax.text.linkage import average_link

    labels = average_link(np.clip(1.0 - corr, 0.0, 1.0).astype(np.float64), 1.0 - settings().crosscheck.support_min)
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
# 62", "from 240 to 300"): such a statement is an update of the other, not a dispute. A bare "from 34" is no change
# ("heard from 34 witnesses"), nor a span of years ("from 2016 to 2022").
_APPROX = r"(?:about\s+|around\s+|some\s+|nearly\s+|roughly\s+|an\s+estimated\s+)?"
_THE = r"(?:the\s+|its\s+|their\s+)?"  # "from the 4.2 million crowns they gave on Tuesday"
_NOT_YEAR = r"(?!(?:19|20)\d\d\b)"
_CHANGE = re.compile(
    r"\b(?:up|down)\s+(?:[\d.,]+\s*(?:%|percent\s+|per\s+cent\s+)?\s*)?from\b"
    rf"|\bfrom\s+{_THE}{_APPROX}{_NOT_YEAR}\d(?:[^.;:]|\.\d){{0,40}}?\bto\s+{_APPROX}\d"
    rf"|\bto\s+{_APPROX}\d(?:[^.;:]|\.\d){{0,40}}?\bfrom\s+{_THE}{_APPROX}\d"
    r"|\b(?:rose|risen|rising|rises|fell|fallen|falling|falls|increased|decreased|grew|grown|dropped|climbed|cut|"
    rf"jumped|slipped|declined|reduced|raised|lowered|revised)\b(?:[^.;:]|\.\d){{0,40}}?\bfrom\s+{_THE}{_APPROX}\d"
    r"|\b(?:up|down|rose|risen|fell|fallen|increased|decreased|grew|dropped|climbed|cut)\s+by\b",
    re.IGNORECASE)
# A range ("between 5,500 and 6,000 tonnes", "8 to 10 percent", "11-18 mg/L"): its ends are no point value of their
# own, and a point inside it does not dispute it.
_RANGE = re.compile(r"\b(?:between\s+)?(?P<lo>\d[\d,.]*)\s*(?:%|percent|per cent)?\s*(?:and|to|-|–)\s*"
                    r"(?P<hi>\d[\d,.]*)\b", re.IGNORECASE)
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
    speaker: int = 0  # an actor who speaks: 2 only speaks ("…, said Lena Holt"), 1 speaks after a "who" clause


def _figure_value(text: str, m: re.Match) -> tuple[float, str, bool] | None:
    """The value, unit ("%" or "") and hedge of one `_NUMBER` match ("about 6 million" -> 6e6, "", True), or None
    for a year, a time of day or what does not read as a number."""
    raw = m.group("num").lower()
    if _YEAR.fullmatch(raw) or re.match(r"\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)|:\d", text[m.end():]):
        return None
    if raw in ("a", "an", "single", "one") and not m.group("unit"):
        value = 1.0
    elif raw in NUMBER_WORDS:
        value = float(NUMBER_WORDS[raw])
    else:
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            return None
    if m.group("scale"):
        value *= _SCALES[m.group("scale").strip().lower()]
    return value, "%" if m.group("unit") else "", bool(_HEDGE_BEFORE.search(text[: m.start()]))


def number_slots(text: str) -> list[Slot]:
    """Figures of a sentence with their value ("about 1,150" -> 1150, "6 million" -> 6000000, "Forty-six" ...);
    years and times of day are not figures."""
    out = []
    totals: set[int] = set()  # the N of "twelve of the N governments": a total, not a count of its own
    in_range = [(r.start(), r.end()) for r in _RANGE.finditer(text)
                if r.group(0).lower().startswith("between") or not re.search(r"\d-\d", r.group(0))]
    in_range += [(r.start("f"), r.end("f")) for r in _RATIO.finditer(text)]  # "four in five members": a share
    for m in _NUMBER.finditer(text):
        if m.start() in totals or any(a <= m.start() < b for a, b in in_range):
            continue
        raw = m.group("num").lower()
        weak = raw in ("a", "an", "single", "one") and not m.group("unit")
        got = _figure_value(text, m)
        if got is None:
            continue
        value, unit, hedged = got
        of_total = _OF_TOTAL.match(text, m.end())
        if of_total and not (of_total.group("total")[0].isdigit() or of_total.group("total").lower() in NUMBER_WORDS):
            of_total = None
        if of_total and not unit:  # "Twelve of the 15 governments": twelve governments
            totals.add(of_total.start("total"))
            noun = _noun_after(text, of_total.end())
        else:
            noun = "%" if unit else _noun_after(text, m.end())
            if not noun and not unit:  # "the number of patients … rose to 38,600 from …": what it counts
                before = [n for n in _NUMBER_OF.finditer(text[: m.start()])]
                noun = lemma(before[-1].group(1).lower()) if before else ""
        if weak and (not noun or noun in _QUANTIFIERS or _noun_after(text, m.end(), lemmatise=False).endswith("s")):
            continue  # "a Japanese astronaut" counts one; "a few", "one of the ..." do not
        if noun:
            out.append(Slot("number", f"{value:g}{unit}", m.group(0), m.start(), m.end(), hedged, noun, weak))
    return out


_FRACTION = re.compile(r"(?<![\w-])(?P<f>(?:a|one)\s+half|half|(?:a|one)\s+third|(?:a|one)\s+quarter|two[- ]thirds"
                       r"|three[- ]quarters|a\s+fifth|one\s+fifth)\s+(?:of\s+)(?:the\s+|its\s+|their\s+|all\s+)?",
                       re.IGNORECASE)
_FRACTIONS = {"half": 50.0, "third": 100 / 3, "quarter": 25.0, "thirds": 200 / 3, "quarters": 75.0, "fifth": 20.0}
_ORDINAL = re.compile(r"\b(?P<num>\d{1,4})(?:st|nd|rd|th)\s+(?P<noun>minute|lap|round|day|week|month|floor|place|"
                      r"attempt|ballot|hour)\b", re.IGNORECASE)
_TIME = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>a\.m\.|p\.m\.|am\b|pm\b)"
                   r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b(?!\s*(?:a\.m|p\.m))", re.IGNORECASE)
_TIME_HEDGE = re.compile(r"(?:about|around|approximately|roughly|shortly|just|soon|some time)\s+(?:after|before)?\s*"
                         r"(?:at\s+)?$|(?:after|before|by|until)\s+$", re.IGNORECASE)


# A share as a ratio in words or figures: "four in five members", "nine out of ten", "84 in every 100 candidates".
_RATIO_WORD = r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)"
_RATIO = re.compile(rf"(?<![\w-])(?P<f>(?P<n>{_RATIO_WORD})\s+(?:in|out\s+of)\s+(?:every\s+)?"
                    r"(?P<d>\d{1,3}|three|four|five|six|eight|ten|hundred|a\s+hundred))\b(?!\s*(?:%|percent|per\s+cent))",
                    re.IGNORECASE)


def _ratio_value(word: str) -> float | None:
    word = re.sub(r"^a\s+", "", word.lower())
    if word.isdigit():
        return float(word)
    return float(NUMBER_WORDS[word]) if word in NUMBER_WORDS else (100.0 if word == "hundred" else None)


def fraction_slots(text: str) -> list[Slot]:
    """Shares in words ("nearly half of the investors" -> 50%, "four in five members" -> 80%), set against shares
    in figures."""
    out = []
    for m in _FRACTION.finditer(text):
        word = m.group("f").lower().replace("-", " ").split()[-1]
        hedged = bool(_HEDGE_BEFORE.search(text[: m.start()]))
        out.append(Slot("number", f"{_FRACTIONS[word]:g}%", m.group("f"), m.start(), m.start() + len(m.group("f")),
                        hedged, "%"))
    for m in _RATIO.finditer(text):
        n, d = _ratio_value(m.group("n")), _ratio_value(m.group("d"))
        if n is None or not d or n > d or d < 3:
            continue
        hedged = bool(_HEDGE_BEFORE.search(text[: m.start()]))
        out.append(Slot("number", f"{round(100 * n / d, 1):g}%", m.group("f"), m.start(), m.end("f"), hedged, "%"))
    return out


def ordinal_slots(text: str) -> list[Slot]:
    """Ordinals of a counted unit ("in the 108th minute")."""
    return [Slot("number", f"{int(m.group('num'))}", m.group(0), m.start(), m.end(), False,
                 "ord:" + m.group("noun").lower()) for m in _ORDINAL.finditer(text)]


def time_slots(text: str) -> list[Slot]:
    """Times of day ("around 3 p.m.", "2:50 a.m.", "10.40 p.m.", "14:30"), as minutes after midnight; a time after
    "around", "shortly after", "by" is hedged."""
    out = []
    for m in _TIME.finditer(text):
        if m.group("h") is not None:
            h, mins = int(m.group("h")), int(m.group("m") or 0)
            if not 1 <= h <= 12 or mins > 59:
                continue
            pm = m.group("ap").lower().startswith("p")
            h = (h % 12) + (12 if pm else 0)
        else:
            h, mins = int(m.group("h24")), int(m.group("m24"))
        hedged = bool(_TIME_HEDGE.search(text[max(0, m.start() - 30): m.start()]))
        out.append(Slot("time", str(h * 60 + mins), m.group(0), m.start(), m.end(), hedged))
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
        titled = 0
        while titled < len(words) - 1 and words[titled] in _TITLE_WORDS:
            titled += 1
        if titled and len(words) - titled < 2:
            continue  # "Health Minister" alone is no name
        name = words[titled:]
        if name[0] in _NOT_ACTOR or len(name) > 3:
            continue
        before = text[max(0, m.start() - 40): m.start()]
        after = text[m.end(): m.end() + 80]
        speaker = 1 if _SPEECH_WHO.match(after) else 2 if _SPEECH_AFTER.match(after) or \
            _SPEECH_BEFORE.search(before) else 0
        if titled or _ROLE_BEFORE.search(before) or _ROLE_AFTER.match(after):
            start = m.start() + len(" ".join(words[:titled])) + (1 if titled else 0)
            out.append(Slot("actor", name[-1], text[start: m.end()], start, m.end(), speaker=speaker))
    return out


# Speech verbs whose subject is a speaker, not the doer of what the sentence reports ("…, said Mayor Lena Holt";
# "Councillor Hella Brandt, who voted against, said …"). Acts reported with "confirmed", "announced", "ordered" or
# "declared" are no speech: who did them can be disputed. A speaker introduced with a "who" clause ("Aron Felt,
# who heads the investigation, said") is also the doer of that clause.
_SPEECH = r"(?:said|says|told|added|argued|claimed|warned|insisted|stressed|noted|recalled|wrote|tweeted)"
_SPEECH_WHO = re.compile(rf"^\s*,\s*who\b[^.;]{{0,80}}?,\s*{_SPEECH}\b")
_SPEECH_AFTER = re.compile(rf"^\s*,?(?:[^,.;]{{0,60}},)?\s*{_SPEECH}\b")
_SPEECH_BEFORE = re.compile(rf"\b{_SPEECH}\s+(?:[\w'-]+\s+){{0,3}}$")
_PERSON = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)+")
_NOT_ACTOR = frozenset(["The", "This", "That", "On", "In", "At", "By", "But", "And", "When", "After", "Before",
                        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
_ROLES = (r"(?:governor|minister|commander|engineer|director|executive|chief|mayor|president|premier|spokes\w+"
          r"|officer|secretary|head|chair\w*|manager|inspector|commissioner|leader|councillor|superintendent"
          r"|Dr|Mr|Mrs|Ms|Prof)")
_ROLE_BEFORE = re.compile(rf"\b{_ROLES}\.?,?\s+(?:[a-z]+\s+){{0,1}}$")
_ROLE_AFTER = re.compile(rf",\s+(?:(?:the|a|an|its|their)\s+)?(?:[\w'-]+\s+){{0,3}}{_ROLES}\b", re.IGNORECASE)
# Titles written before a name as part of it ("Detective Superintendent Aron Felt", "Deputy Defence Minister
# Per Lunde"): dropped from the run, and a role.
_TITLE_WORDS = frozenset(["Detective", "Superintendent", "Chief", "Inspector", "Deputy", "Minister", "Defence",
                          "Health", "Finance", "Foreign", "Interior", "Prime", "Mayor", "Governor", "President",
                          "Commissioner", "Sergeant", "Constable", "Commander", "General", "Colonel", "Captain",
                          "Judge", "Justice", "Prosecutor", "Director", "Secretary", "Senator", "Councillor",
                          "Professor", "Dr", "Mr", "Mrs", "Ms", "Prof", "Coach", "Manager", "Officer", "Head",
                          "Assistant", "Acting", "Senior", "Regional", "Police", "Fire", "State", "Lord", "Lady"])


@functools.lru_cache(maxsize=16384)
def _slots_of(text: str) -> tuple[Slot, ...]:
    """Every typed slot of a sentence (cached: disputes ask for each statement's slots once per pair and per
    `_states` test; the slots are read, never changed)."""
    return tuple(number_slots(text) + fraction_slots(text) + ordinal_slots(text) + time_slots(text)
                 + date_slots(text) + actor_slots(text))


def _agree(a: Slot, b: Slot, hedge: float, share_words: bool = False) -> bool:
    """Do two slots give one value: equal, or within a hedged figure's reach (`_reach`, floor `hedge`); with
    `share_words`, also within a share in words' reach (`_SHARE_REACH`: two sentences set against each other)."""
    if a.value == b.value:
        return True
    if a.kind == "time":  # "around 3 p.m." and "3.10 p.m." agree; "shortly after 1 p.m." and "3 p.m." do not
        return (a.hedged or b.hedged) and abs(int(a.value) - int(b.value)) <= settings().crosscheck.time_tolerance
    if a.kind != "number":
        return False
    try:
        va, vb = float(a.value.rstrip("%")), float(b.value.rstrip("%"))
    except ValueError:
        return False
    if _rounds_to(a.value, b.value) or _rounds_to(b.value, a.value):
        return True  # "1.2 per cent" is "1.24%" to one decimal: a rounding, not another value
    ra, rb = (_share_word_reach(a, va), _share_word_reach(b, vb)) if share_words else (0.0, 0.0)
    if not (a.hedged or b.hedged or ra or rb):
        return False
    return abs(va - vb) <= max(_reach(va, hedge) if a.hedged else 0.0, _reach(vb, hedge) if b.hedged else 0.0,
                               ra, rb)


def _rounds_to(precise: str, coarse: str) -> bool:
    """Is figure `coarse` (with at least one decimal) figure `precise` rounded to fewer decimals ("1.24%" to
    "1.2%", "14.25" to "14.3")? Whole numbers are left out: "4,200" against "4,212" may be a rounding or another
    count, and a hedge word says which (`_reach`)."""
    p, c = precise.rstrip("%"), coarse.rstrip("%")
    if precise.endswith("%") != coarse.endswith("%") or "." not in c or "." not in p:
        return False
    places = len(c.split(".")[1])
    if len(p.split(".")[1]) <= places:
        return False
    try:
        return Decimal(p).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == Decimal(c)
    except InvalidOperation:
        return False


# A share in words is a rounded figure: "a third" stands for any share nearer to a third than to the next share the
# words can name (a quarter, a half), so it reaches half the way to the nearest of them (a third: 29.2-37.5%).
_SHARE_REACH = {v: min(abs(v - w) for w in _FRACTIONS.values() if w != v) / 2 for v in _FRACTIONS.values()}


def _share_word_reach(slot: Slot, value: float) -> float:
    """How far a share in words reaches (`_SHARE_REACH`; a ratio, "four in five", half of one part in its
    denominator: 10 points), 0 for a figure in digits."""
    ratio = _RATIO.fullmatch(slot.surface)
    if slot.noun == "%" and ratio:
        d = _ratio_value(ratio.group("d"))
        return 50.0 / d if d else 0.0
    if slot.noun != "%" or any(ch.isdigit() for ch in slot.surface):
        return 0.0
    return next((r for v, r in _SHARE_REACH.items() if abs(v - value) < 1e-3), 0.0)


def _reach(value: float, floor: float) -> float:
    """How far a hedged figure reaches: half a unit of its last significant digit ("about 3,000": 500; "some
    71,400": 50), and at least `floor` of it ("about 240": 12 at 0.05). A round figure stands for a range, a
    precise one ("about 1,450") for little more than itself."""
    if value <= 0:
        return 0.0
    unit = 1.0
    if value == int(value):
        n = int(value)
        while n and n % 10 == 0:
            n //= 10
            unit *= 10
    else:
        unit = 0.0  # "a third" (33.3%): the floor alone
    return max(0.5 * unit, floor * value)


def slot_conflicts(a: str, b: str, hedge: float | None = None) -> list[tuple[Slot, Slot]]:
    """Slots of the same kind whose values differ and that neither sentence states with the other's value:
    the candidates for a dispute between `a` and `b`. Hedged figures agree within their reach (`_reach`, floor
    `hedge`, default `CrosscheckConfig.hedge_floor`)."""
    hedge = settings().crosscheck.hedge_floor if hedge is None else hedge
    sa, sb = _slots_of(a), _slots_of(b)
    bare_a, bare_b = _bare_values(a), _bare_values(b)
    out = []
    for x in sa:
        if any(_agree(x, y, hedge, share_words=True) for y in sb if y.kind == x.kind) or _given(x, bare_b):
            continue  # b states this value too (as a slot, or as a figure with no counted noun: "240 in all")
        for y in sb:
            if y.kind != x.kind or any(_agree(y, z, hedge, share_words=True) for z in sa if z.kind == y.kind) \
                    or _given(y, bare_a):
                continue
            if x.kind == "number" and ((x.noun == "%") != (y.noun == "%") or
                                       x.noun.startswith("ord:") != y.noun.startswith("ord:")):
                continue
            if x.kind == "date" and (" " in x.value) != (" " in y.value):
                continue  # a weekday and a day of the month are not one slot
            if x.kind == "actor" and min(x.speaker, y.speaker) >= 1 and max(x.speaker, y.speaker) == 2:
                continue  # two people quoted: two statements, not a dispute over who (item 5 of issue 19)
            out.append((x, y))
    return out


@functools.lru_cache(maxsize=8192)
def _bare_values(text: str) -> frozenset[str]:
    """The exact (unhedged) figures a text gives anywhere, counted noun or not (`_bare_figures`)."""
    return frozenset(z.value for z in _bare_figures(text) if not z.hedged)


def _given(x: Slot, values: frozenset[str]) -> bool:
    """Is figure slot `x`, stated exactly, among another text's exact figures?"""
    return x.kind == "number" and not x.hedged and x.value in values


def _substitute(text: str, slot: Slot, value: Slot) -> str:
    return text[: slot.start] + value.surface + text[slot.end:]


_NUMBER_OF = re.compile(r"\bnumber of\s+(?:[a-z-]+\s+){0,2}?([a-z-]+s)\b", re.IGNORECASE)
# "people" counts any of these (lemmas): a count of people and a count of residents can be one count.
_PEOPLE = frozenset(["people", "person"])
_HUMAN = frozenset(["resident", "protester", "demonstrator", "student", "pupil", "candidate", "worker", "employee",
                    "passenger", "patient", "civilian", "voter", "visitor", "fan", "supporter", "spectator",
                    "investor", "inhabitant", "citizen", "customer", "tourist", "migrant", "refugee", "child",
                    "adult", "children", "evacuee", "survivor", "victim", "participant", "attendee", "member", "villager"])


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
    if {x.noun, y.noun} & _PEOPLE and {x.noun, y.noun} <= _PEOPLE | _HUMAN:
        return True  # "3,000 people" and "3,600 residents" count one crowd
    v = embed([x.noun, y.noun])
    return float(v[0] @ v[1]) >= min_cos


def _states(st: list[Statement], group: str, slot: Slot, hedge: float, min_cos: float) -> bool:
    """Does origin group `group` itself give this value for a slot of this kind somewhere? Then it does not
    dispute it: it tells two things apart, reports an update, or a rewrite of it erred, not the origin."""
    return any(_agree(slot, z, hedge) and _same_thing(slot, z, min_cos, float("inf"))
               for s in st if s.group == group for z in _slots_of(s.text) if z.kind == slot.kind)


def _original_differs(st: list[Statement], s: Statement, slot: Slot, hedge: float, min_cos: float) -> bool:
    """Is `slot` a derivative page's value that its own original contradicts: a page of its group that derives
    from none gives another value for the same thing (a rewrite's "1,500 jobs" for its wire's "about 1,200")?
    Then it is the derivative's error, not a side of a dispute between origins. An original that is silent
    leaves the derivative's value standing."""
    if not s.derived:
        return False
    others = [z for o in st if o.group == s.group and not o.derived
              for z in _slots_of(o.text) if z.kind == slot.kind and _same_thing(slot, z, min_cos, float("inf"))]
    return bool(others) and not any(_agree(slot, z, hedge) for z in others)


# Where one clause of a sentence ends and another begins: "..., and that discharges had fallen since 2023".
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas|although)\b|\s+and\s+that\b", re.IGNORECASE)


def _clause_years(text: str, pos: int) -> set[int]:
    """The years named in the clause of `text` that holds offset `pos`."""
    start, end = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return {int(y) for y in _YEAR.findall(text[start:end])}


def slot_tests(a: str, b: str, latest_year: int | None = None) -> list[tuple[Slot, Slot, str]]:
    """The typed-slot conflicts of `a` and `b` that could make a dispute, each with `b` rewritten to give `a`'s
    value: not a figure when either reports a change (an update: `_CHANGE`), not a slot whose clause names an
    earlier year the other's clause does not (a past happening: any year when `latest_year`, the story's latest, is
    unknown; `_clause_years`), and only figures that can be two reports of one quantity (`_same_thing`)."""
    cfg = settings().crosscheck
    change = bool(_CHANGE.search(a) or _CHANGE.search(b))
    out = []
    for x, y in slot_conflicts(a, b, cfg.hedge_floor):
        extra = _clause_years(a, x.start) ^ _clause_years(b, y.start)
        if extra and (latest_year is None or min(extra) < latest_year):
            continue
        if x.kind == "number" and change:
            continue
        if _same_thing(x, y, cfg.slot_noun_min_cos, cfg.dispute_max_ratio):
            out.append((x, y, _substitute(b, y, x)))
    return out


DisputeTest = tuple[int, int, Slot, Slot, str]  # statements i, j; the slot of i and of j; j given i's value


def story_year(articles: list[Article]) -> int | None:
    """The latest year among the story's publication dates (`Article.published`), None when no page gives one."""
    years = [d.year for a in articles if (d := parse_day(a.published)) is not None]
    return max(years) if years else None


def dispute_tests(st: list[Statement], corr: np.ndarray, con: np.ndarray, vectors: np.ndarray,
                  year: int | None = None) -> tuple[list[DisputeTest], np.ndarray]:
    """The candidate disputes of a story and their features (`parallax.text.judge.DISPUTE_FEATURES`): every pair
    the proposer handed the judge, of two independent origins, with a typed slot that differs (`slot_tests`), neither
    origin giving both values (`_states`; figures, dates and times only: a report names many people, and naming
    one elsewhere is not saying that person did this). The story's latest year is the latest its sentences name or
    `year` (`story_year`: pages that date the story 2026 make "the last strike, in 2019" a past happening even when
    no sentence names 2026)."""
    cfg = settings().crosscheck
    tests: list[DisputeTest] = []
    years = [int(y) for s in st for y in _YEAR.findall(s.text)] + ([year] if year is not None else [])
    latest = max(years) if years else None
    for i, j in zip(*np.nonzero(np.triu(corr + np.maximum(con, con.T))), strict=True):
        i, j = int(i), int(j)
        if (st[j].article, st[j].start) < (st[i].article, st[i].start):
            i, j = j, i  # the features are not symmetric: each pair is seen in one order whatever the input order
        a, b = st[i], st[j]
        if a.group == b.group or a.article == b.article:
            continue  # one origin (a copy, a rewrite's own error) is not a dispute between origins
        for x, y, sub in slot_tests(a.text, b.text, latest):
            if x.kind != "actor" and (_states(st, a.group, y, cfg.hedge_floor, cfg.slot_noun_min_cos) or
                                      _states(st, b.group, x, cfg.hedge_floor, cfg.slot_noun_min_cos)):
                continue  # an origin that gives both values tells two things apart (or reports an update)
            if _original_differs(st, a, x, cfg.hedge_floor, cfg.slot_noun_min_cos) or \
                    _original_differs(st, b, y, cfg.hedge_floor, cfg.slot_noun_min_cos):
                continue  # a copy's or rewrite's value its own original contradicts: the derivative's error
            if (x.kind == "date" or (x.kind == "number" and x.noun == "%")) and \
                    not (_near_words(a.text, x) & _near_words(b.text, y)):
                continue  # nothing said of the two days (or of the two shares) in common: two happenings
                # ("restored on Wednesday" and "went dark on Sunday night"), not two days for one
            tests.append((i, j, x, y, sub))
    if not tests:
        return [], np.zeros((0, len(DISPUTE_FEATURES)), dtype=np.float32)
    judge = get_judge()
    enc = judge.encode([st[i].text for i, *_ in tests] + [t[-1] for t in tests])
    same_sub, _, _ = judge.corroborate(enc[: len(tests)], enc[len(tests):])
    rows = []
    for (i, j, x, y, _), p_sub in zip(tests, same_sub, strict=True):
        a, b = st[i].text, st[j].text
        ca, cb = _near_words(a, x), _near_words(b, y)
        if x.kind == "number":
            va, vb = float(x.value.rstrip("%")), float(y.value.rstrip("%"))
            diff = abs(va - vb) / max(abs(va), abs(vb), 1e-9)
        elif x.kind == "time":
            diff = min(1.0, abs(int(x.value) - int(y.value)) / 180)
        else:
            diff = 0.0
        rows.append([float(p_sub), float(corr[i, j]), float(max(con[i, j], con[j, i])),
                     float(vectors[i] @ vectors[j]), len(ca & cb) / max(1, len(ca | cb)),
                     float(x.kind != "number" or x.noun == y.noun),
                     float(x.kind == "number"), float(x.kind == "date"), float(x.kind == "time"),
                     float(x.kind == "actor"), float(x.hedged or y.hedged), diff,
                     float(bool(st[i].speaker and st[j].speaker)),
                     float(np.log((1 + len(b.split())) / (1 + len(a.split()))))])
    return tests, np.asarray(rows, dtype=np.float32)


def _near_words(text: str, slot: Slot, n: int = 5) -> frozenset[str]:
    """Content words (lemma prefixes) among the `n` words either side of a slot: what the value is about (asked
    twice per candidate dispute: by the date and share test of `dispute_tests` and for its features)."""
    return _near_words_at(text, slot.start, slot.end, n)


@functools.lru_cache(maxsize=8192)
def _near_words_at(text: str, start: int, end: int, n: int) -> frozenset[str]:
    before = text[:start].split()[-n:]
    after = text[end:].split()[:n]
    return frozenset(content_words(" ".join(before + after)))


def find_disputes(st: list[Statement], corr: np.ndarray, con: np.ndarray, vectors: np.ndarray,
                  keys_out: dict[int, set[tuple[str, str]]] | None = None,
                  year: int | None = None) -> tuple[list[Dispute], set[int]]:
    """Disputes between independent origins about one slot of one happening (see the module doc): the candidate
    tests (`dispute_tests`, `year`: the story's publication year) that the judge's dispute head takes for the same
    slot of the same happening reported with two values (P >= `dispute_min`)."""
    tests, x = dispute_tests(st, corr, con, vectors, year)
    if not tests:
        return [], set()
    p = get_judge().dispute(x)
    kept = [(round(float(pi), 6), i, j, sx, sy) for (i, j, sx, sy, _), pi in zip(tests, p, strict=True)
            if pi >= settings().crosscheck.dispute_min]
    # strongest first (ties in the statements' own order: article, offset), whatever order the pages came in
    kept.sort(key=lambda e: (-e[0], st[e[1]].article, st[e[1]].start, e[3].start, st[e[2]].article, st[e[2]].start,
                             e[4].start))
    return _disputes_from(st, [(i, j, sx.kind, sx, sy) for _p, i, j, sx, sy in kept], keys_out)


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
    members: dict[tuple[int, int], list[tuple[int, int]]] = {}
    floor = settings().crosscheck.hedge_floor

    def told_apart(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
        """Would one dispute of `a` and `b` hold two values one origin gives for two things? An origin that states
        both tells them apart (as `_states` does for one pair): "inflation reached 5.1%" and "expects inflation to
        average 4.2%" are two slots of the wire, not two sides of one."""
        return any(st[n[0]].group == st[m[0]].group and not _agree(value[n], value[m], floor) for n in a for m in b)

    for i, j, _kind, x, y in edges:  # strongest first (`find_disputes`)
        value[(i, x.start)] = x
        value[(j, y.start)] = y
        ri, rj = find((i, x.start)), find((j, y.start))
        if ri != rj:
            a, b = members.get(ri, [ri]), members.get(rj, [rj])
            if told_apart(a, b):
                continue
            parent[rj] = ri
            members[ri] = a + b
    comps: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for node in value:
        comps.setdefault(find(node), []).append(node)
    disputes: list[Dispute] = []
    disputed: set[int] = set()
    for _root, nodes in sorted(comps.items(), key=lambda kv: min(kv[1])):
        kind = value[nodes[0]].kind
        by_value: dict[str, list[int]] = {}
        shown: dict[str, str] = {}
        slot_of: dict[str, Slot] = {}
        # a side's words come from an original when one states it (a rewrite's "CEO … anticipates" is not the
        # wire's "Chief executive … expected"), then from the earliest sentence
        for node in sorted(nodes, key=lambda nd: (st[nd[0]].derived, nd)):
            v = value[node]
            if node[0] not in by_value.get(v.value, []):
                by_value.setdefault(v.value, []).append(node[0])
            shown.setdefault(v.value, v.surface)
            slot_of.setdefault(v.value, v)
        # Values that agree ("some 71,400" and "about 71,000") are one side of the dispute, shown by its most
        # stated value.
        floor = settings().crosscheck.hedge_floor
        for v in sorted(by_value, key=lambda k: (len(by_value[k]), k)):
            other = next((w for w in sorted(by_value, key=lambda k: (-len(by_value[k]), k))
                          if w != v and _agree(slot_of[v], slot_of[w], floor)), None)
            if other is not None:
                by_value[other] += [k for k in by_value.pop(v) if k not in by_value[other]]
        if len(by_value) < 2 or len({st[k].group for ks in by_value.values() for k in ks}) < 2:
            continue
        variants = []
        for v, idxs in sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            idxs_sorted = sorted(idxs, key=lambda k: (st[k].derived, st[k].position, st[k].article))
            rep = st[idxs_sorted[0]]
            variants.append(Variant(rep.text, shown[v], sorted({st[k].article for k in idxs}),
                                    sorted({st[k].group for k in idxs})))
            disputed |= set(idxs)
            if keys_out is not None:
                for k in idxs:
                    keys_out.setdefault(k, set()).add((kind, str(min(nodes))))
        key = value[nodes[0]].noun if kind == "number" else ""
        key = key.removeprefix("ord:")
        about = {"number": f"how many: {key}" if key else "a figure", "date": "when", "time": "what time",
                 "actor": "who"}[kind]
        disputes.append(Dispute(about, kind, variants))
    return disputes, disputed


# Words that never name what a figure counts: articles, prepositions and adverbs that follow a count
# ("400 people outside", "five works along the river") and a few verbs of counting.
_NOT_NOUNS = frozenset(["a", "an", "the", "between", "along", "outside", "inside", "around", "through", "across",
                        "among", "against", "within", "without", "beyond", "behind", "near", "per", "each", "who",
                        "which", "that", "were", "was", "are", "is", "had", "have", "has", "will", "would", "sat",
                        "took", "took", "went", "came", "gathered", "later", "earlier", "ago", "apart", "total"])
_IRREGULAR_PLURALS = frozenset(["people", "children", "men", "women", "police", "personnel",
                                "cattle", "sheep", "fish", "troops", "data"])


def _plural(word: str) -> bool:
    return word in _IRREGULAR_PLURALS or (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us",
                                                                                                       "is")))


def _noun_after(text: str, end: int, lemmatise: bool = True) -> str:
    """What a figure counts: the last of the content words right after it, participles dropped, as a lemma
    ("1,400 people" -> "people", "two crew members were" -> "member", "240 residents evacuated" -> "resident")."""
    run: list[str] = []
    rest = text[end + 1:] if text[end: end + 1] == "-" else text[end:]  # "a 60-metre gap"
    for w in re.findall(r"[A-Za-z][\w'-]*|[^\sA-Za-z]", rest)[:4]:
        lw = w.lower()
        if not lw[0].isalpha() or lw in FUNCTION_WORDS or lw in _NOT_NOUNS:
            break
        run.append(lw)
        if _plural(lw):  # "1,900 investors between", "3,400 nurses took part": the plural noun ends the run
            break
    while len(run) > 1 and run[-1].endswith(("ed", "ing")):
        run.pop()
    if not run or run[-1].endswith(("ed", "ing")):
        return ""
    return lemma(run[-1]) if lemmatise else run[-1]


# Relations whose page restates its parents in its own words (a copy's sentences are its parent's)
RESTATING = ("rewrite", "credited", "digest", "translation")


def restatements_only(articles: list[Article], st: list[Statement], vectors: np.ndarray
                      ) -> tuple[list[Statement], np.ndarray]:
    """What a derivative page states is its parents' to state. A digest (several parents) gives no statement:
    each of its sentences restates a page of the story (that page states it) or is its own. A rewrite's or a
    credited restatement's sentence stays (in its parent's origin group) when it restates a statement of its
    parent — bi-encoder cosine >= `derivative_min_cos` with it —; one that restates none is the page's own
    commentary and is dropped: never a fact, never support."""
    parents = {a.id: [r.article for r in a.derived_from if r.relation in RESTATING] for a in articles}
    digests = {a.id for a in articles if any(r.relation == "digest" for r in a.derived_from)}
    by_article: dict[str, list[int]] = {}
    for k, s in enumerate(st):
        by_article.setdefault(s.article, []).append(k)
    floor = settings().crosscheck.derivative_min_cos
    keep = []
    for k, s in enumerate(st):
        if s.article in digests:
            continue
        idx = [j for p in parents.get(s.article, []) for j in by_article.get(p, [])]
        if not idx or float(np.max(np.round(vectors[idx] @ vectors[k], 5))) >= floor:
            keep.append(k)
    if len(keep) == len(st):
        return st, vectors
    return [st[k] for k in keep], vectors[keep]


def crosscheck(articles: list[Article]) -> CrossCheck:
    st = collect_statements(articles)
    vectors = embed([s.text for s in st]) if st else np.zeros((0, 384), dtype=np.float32)
    st, vectors = restatements_only(articles, st, vectors)
    pairs = candidate_pairs(st, vectors)
    sup, con, ent = _judge_pairs(st, pairs)
    across = cross_language_pairs(st)
    in_english = sup  # disputes are found by the English judge's heads only (`find_disputes`)
    if across:
        in_english = sup.copy()
        sup, ent = sup.copy(), ent.copy()
        p_same = settings().crosscheck.cross_language_p
        for i, j in across:
            sup[i, j] = sup[j, i] = ent[i, j] = ent[j, i] = p_same
    clusters = _fact_groups(st, sup)
    for ci, members in enumerate(clusters):
        for m in members:
            st[m].cluster = ci
    keys: dict[int, set[tuple[str, str]]] = {}
    disputes, disputed = find_disputes(st, in_english, con, vectors, keys, story_year(articles))
    return CrossCheck(st, vectors, clusters, disputes, disputed, sup, con, keys, (len(pairs) + len(across)) * 2, ent)


def cross_language_pairs(st: list[Statement]) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of statements that state one fact across languages (issue 23): at least one of the
    two is in a language the English judge does not cover but the multilingual encoder does
    (`text.multilingual.LANGUAGES`), they come from different articles, each is among the other's
    `candidates_per_article` closest statements of that article, their multilingual cosine reaches
    `cross_language_min_cos`, both say something checkable (`is_specific`), and no figure tells them apart (each
    states a figure and they share none, or a count of one thing differs). Nothing is computed for a story
    whose statements are all in checked languages."""
    from parallax.text.multilingual import LANGUAGES, embed_multilingual

    cfg = settings().crosscheck
    other = [not s.checked and s.language in LANGUAGES for s in st]
    if not any(other):
        return []
    use = [k for k, s in enumerate(st) if other[k] or s.checked]
    vecs = np.zeros((len(st), 512), dtype=np.float32)
    vecs[use] = embed_multilingual([st[k].text for k in use])
    sim = np.round(vecs @ vecs.T, 5)
    by_article: dict[str, list[int]] = {}
    for k in use:
        by_article.setdefault(st[k].article, []).append(k)

    def closest(i: int, art: str) -> set[int]:
        idx = by_article[art]
        row = sim[i, idx]
        return {idx[int(r)] for r in np.argsort(-row, kind="stable")[: cfg.candidates_per_article]}

    out = set()
    for i in (k for k in use if other[k]):
        for art in by_article:
            if art == st[i].article:
                continue
            for j in closest(i, art):
                if sim[i, j] < cfg.cross_language_min_cos or i not in closest(j, st[i].article):
                    continue
                a, b = st[i], st[j]
                if not (a.specific and b.specific) or not compatible(a.counts, a.speaker, b.counts, b.speaker):
                    continue
                fa, fb = figures_any_locale(a.text), figures_any_locale(b.text)
                if fa and fb and not fa & fb:
                    continue
                out.add((min(i, j), max(i, j)))
    return sorted(out)


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


def support_scores(claims: list[str], candidates: list[str]) -> np.ndarray:
    """The support head's P(candidates[i] states everything claims[i] states) (directional)."""
    if len(claims) != len(candidates):
        raise ValueError("support_scores() takes two lists of the same length")
    if not claims:
        return np.zeros(0, dtype=np.float32)
    judge = get_judge()
    enc = judge.encode([*claims, *candidates])
    return judge.supports(enc[: len(claims)], enc[len(claims):])


def support_score(claim: str, sentences: list[str]) -> float:
    """Best P(the sentence states everything `claim` states) over a source's candidate sentences that
    `compatible` allows (0 when none is close enough): the decision that cites a source for a printed fact."""
    cands, _ = _candidates(claim, sentences)
    cc, sc = extract_counts(claim), find_speaker(claim)
    cands = [c for c in cands if compatible(cc, sc, extract_counts(c), find_speaker(c))]
    return float(support_scores([claim] * len(cands), cands).max()) if cands else 0.0


def supported(claim: str, sentences: list[str]) -> bool:
    """Would the source be cited for `claim` in a brief (some sentence states all of it)? `cite_min`."""
    return support_score(claim, sentences) >= settings().crosscheck.cite_min


def disagrees(claim: str, sentences: list[str]) -> bool:
    """Would the source's sentences and `claim` make a dispute if they came from two origins? The story's own
    decision (`dispute_tests` + the dispute head at `dispute_min`) on the claim and each candidate sentence as two
    statements of two origins."""
    cands, _ = _candidates(claim, sentences)
    if not cands:
        return False
    st = [Statement("claim", "claim", 0, len(claim), claim, 0.0, find_speaker(claim), extract_counts(claim),
                    extract_dates(claim))]
    st += [Statement(f"s{k}", "source", 0, len(c), c, 0.0, find_speaker(c), extract_counts(c), extract_dates(c))
           for k, c in enumerate(cands)]
    vectors = embed([s.text for s in st])
    corr, con, _ = _judge_pairs(st, [(0, k) for k in range(1, len(st))])
    tests, x = dispute_tests(st, corr, con, vectors)
    return bool(tests) and bool((get_judge().dispute(x) >= settings().crosscheck.dispute_min).any())


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
    """Does statement m support the fact statement `rep` states — does it state everything `rep` states? The
    support head's P reaches `cite_min`, no count differs, and they are not quotes of two different people."""
    if m == rep:
        return True
    a, b = cc.statements[m], cc.statements[rep]
    if a.text == b.text and a.group == b.group:
        return True  # a copy's sentence states what its original's does (the count rules below compare two reports)
    if a.group != b.group and not (a.specific and b.specific):
        return False  # a vague line corroborates nothing and is corroborated by nothing (`is_specific`)
    if not compatible(a.counts, a.speaker, b.counts, b.speaker):
        return False
    if a.group != b.group and (superseded(a.text, b.text) or superseded(b.text, a.text)):
        return False  # one reports the other's figure as the earlier value of a change: an update, not support
    if a.group != b.group and a.language == b.language and other_words_quoted(a.text, b.text):
        return False  # two different things one person said are two statements
    if cc.entail[rep, m] < settings().crosscheck.cite_min:
        return False
    # a figure of the printed sentence that the other does not give: it does not state all of it
    return not (a.group != b.group and a.language == b.language and not figures_stated(b.text, a.text))


_ORDINAL_WORDS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
                  "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_ORDINAL_ANY = re.compile(r"\b(?:(" + "|".join(_ORDINAL_WORDS) + r")|(\d{1,4})(?:st|nd|rd|th))\b", re.IGNORECASE)


_RELATIVE_DAY = re.compile(r"\b(?:today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening|week)"
                           r"|last night|overnight|on the same day|(?:the )?(?:day|night) before|(?:the )?next day)\b",
                           re.IGNORECASE)


@functools.lru_cache(maxsize=8192)
def _weekdays(text: str) -> frozenset[str]:
    """The weekdays a sentence names."""
    return frozenset(m.group(1) for m in WEEKDAY.finditer(text))


@functools.lru_cache(maxsize=8192)
def _ordinals(text: str) -> frozenset[int]:
    """The ranks a sentence gives ("sixth", "6th"; "first" and "last" left out: they are idioms as often as ranks)."""
    return frozenset(_ORDINAL_WORDS[m.group(1).lower()] if m.group(1) else int(m.group(2))
                     for m in _ORDINAL_ANY.finditer(text) if m.group(1) or int(m.group(2)) != 1)


@functools.lru_cache(maxsize=8192)
def _needed_figures(text: str) -> tuple[Slot, ...]:
    """The figures a sentence gives that another must give to state all of it (cached: `supports` asks per pair)."""
    return tuple(x for x in number_slots(text) if not x.weak)


@functools.lru_cache(maxsize=8192)
def _given_figures(text: str) -> tuple[tuple[Slot, ...], frozenset[str]]:
    """The figures a sentence gives, as slots and as bare digits (`figures_stated`; cached)."""
    have = tuple(y for y in number_slots(text) + fraction_slots(text) if not y.weak) + tuple(_bare_figures(text))
    return have, frozenset(figures_any_locale(text))


def _bare_figures(text: str) -> list[Slot]:
    """Every figure of a text with its value and hedge, whether or not a counted noun follows ("around 187,000
    of those waiting", "48 million"): what a sentence gives, for `figures_stated`."""
    out = []
    for m in _NUMBER.finditer(text):
        got = None if m.group("num").lower() in ("a", "an", "single") else _figure_value(text, m)
        if got is not None:
            value, unit, hedged = got
            out.append(Slot("number", f"{value:g}{unit}", m.group(0), m.start(), m.end(), hedged, unit))
    return out


def _digit_forms(x: Slot) -> set[str]:
    """A figure's digits as `figures_any_locale` writes them: as printed, and its value when whole ("seven": "7")."""
    out = {d for d in [re.sub(r"\D", "", x.surface)] if d}
    value = float(x.value.rstrip("%"))
    if value == int(value):
        out.add(str(int(value)))
    return out


# A length of time in hours: "72-hour", "three days", "a fortnight", "12 months" (a month as a twelfth of a year).
_DURATION_UNIT = re.compile(r"[-\s](hour|day|week|fortnight|month|year)s?\b", re.IGNORECASE)
_HOURS = {"hour": 1.0, "day": 24.0, "week": 168.0, "fortnight": 336.0, "month": 730.0, "year": 8760.0}


@functools.lru_cache(maxsize=8192)
def _durations(text: str) -> dict[int, float]:
    """The lengths of time a sentence gives, in hours, by the offset of their figure ("a 72-hour truce" and "a
    three-day truce" give one length)."""
    out = {}
    for m in _NUMBER.finditer(text):
        unit = _DURATION_UNIT.match(text, m.end())
        got = _figure_value(text, m) if unit else None
        if got is not None and not got[1]:
            out[m.start()] = got[0] * _HOURS[unit.group(1).lower()]
    return out


def figures_stated(claim: str, other: str) -> bool:
    """Whether `other` gives every figure `claim` gives (`number_slots`: counts with what they count, shares,
    amounts), in its own notation ("seven votes to four" / "7 to 4", "nearly three-quarters" / "74 percent",
    "72-hour" / "three-day": `_durations`):
    an equal value, or one within a hedged figure's reach (`_agree`, floor `hedge_tolerance`); every rank
    ("sixth", "6th") and every weekday it names (a relative day, "today", "overnight", may stand for one); every
    year it names, when `other` names years of its own (a sentence that names none may leave the year out). A
    sentence that leaves out or changes one of these does not state everything the printed sentence states."""
    if _ordinals(claim) - _ordinals(other):
        return False  # "Rovers' sixth cup win" is not stated by "winners for the first time since 2011"
    days = _weekdays(claim) - _weekdays(other)
    if days and not _RELATIVE_DAY.search(other):
        return False  # "back on shift from Thursday" is not stated by a sentence that names no day
    years = set(_YEAR.findall(other))
    if years and set(_YEAR.findall(claim)) - years:
        return False  # "passed the law in March 2024" is not stated by "has until 17 March 2027"
    need = _needed_figures(claim)
    if not need:
        return True
    hedge = settings().crosscheck.hedge_tolerance
    have, plain = _given_figures(other)
    for x in need:
        if any(_agree(x, y, hedge) or _agree(y, x, hedge) for y in have):
            continue
        if _digit_forms(x) & plain:
            continue  # the same figure without a counted noun ("The vote was 7 to 4.")
        length = _durations(claim).get(x.start)
        if length is not None and any(abs(length - h) < 1e-6 for h in _durations(other).values()):
            continue  # the same length of time in another unit ("72-hour", "three-day")
        return False
    return True


@functools.lru_cache(maxsize=16384)
def _quoted_words(text: str) -> frozenset[str]:
    """The content words inside a sentence's direct quotations (cached: `supports` asks per pair)."""
    return frozenset(w for q in QUOTE_SPAN.findall(text) for w in content_words(q))


def other_words_quoted(a: str, b: str) -> bool:
    """Whether `a` and `b` both quote someone directly and their quotations share almost no content word
    (`CrosscheckConfig.quote_min_overlap`): whoever said them, they are two things said, not one."""
    qa, qb = _quoted_words(a), _quoted_words(b)
    if not qa or not qb:
        return False
    return len(qa & qb) / len(qa | qb) < settings().crosscheck.quote_min_overlap


_EARLIER = re.compile(rf"\bfrom\s+{_THE}{_APPROX}(\d[\d,]*(?:\.\d+)?)", re.IGNORECASE)
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")


_ANY_FIGURE = re.compile(r"(?<![\w.,])\d(?:[\d.,\u00a0\u202f']*\d)?")


# A time of day in any notation: "3:40 a.m.", "7.40pm", "19 h 40", "19h40", "3.20 Uhr", "15.30 horas".
_CLOCK_ANY = re.compile(r"(?<![\w.,:])([01]?\d|2[0-3])\s?(?:[:hH]\s?([0-5]\d)(?!\d)|\.([0-5]\d)(?=\s?(?:[ap]\.?\s?m\b|uhr\b"
                    r"|horas?\b|heures?\b|ore\b|hs?\b)))(\s?p\.?\s?m\b\.?)?", re.IGNORECASE)
# Digits grouped by plain spaces ("6 406 voix", "38 000 flacons"): one number, as in French and Portuguese.
_SPACED = re.compile(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?![\w.,]?\d)")
# Ordinals ("19th-century", "le 1er", "19e siècle", "1º"): a rank, not a quantity.
_RANK_ANY = re.compile(r"(?<![\w.,])\d{1,3}(?:st|nd|rd|th|er|e|ème|eme|º|ª)\b")


def _clock(m: re.Match) -> str:
    hour, minute = int(m.group(1)), m.group(2) or m.group(3)
    if m.group(4) and hour < 12:
        hour += 12
    return f" {hour}{minute} "


def figures_any_locale(text: str) -> set[str]:
    """The figures of a sentence in any language's notation, separators dropped (42,000 / 42.000 / 42 000 are
    "42000"; 3,5 and 3.5 are "35"; a time of day "7:40 p.m." / "19 h 40" is "1940"), years and ordinals left out."""
    text = _CLOCK_ANY.sub(_clock, _YEAR.sub(" ", text))
    text = _SPACED.sub(lambda m: m.group().replace(" ", ""), _RANK_ANY.sub(" ", text))
    return {re.sub(r"\D", "", f) for f in _ANY_FIGURE.findall(text)}


@functools.lru_cache(maxsize=16384)
def _figures(text: str) -> frozenset[str]:
    return frozenset(f.replace(",", "").rstrip(".") for f in _FIGURE.findall(_YEAR.sub(" ", text)))


@functools.lru_cache(maxsize=16384)
def _earlier_figures(text: str) -> frozenset[str]:
    """The earlier figures of the change a sentence reports ("rose to 39,300 from 38,600": 38600), or none."""
    if not _CHANGE.search(text):
        return frozenset()
    return frozenset(f.replace(",", "").rstrip(".") for f in _EARLIER.findall(text))


def superseded(update: str, other: str) -> bool:
    """Whether `update` reports a change (`_CHANGE`: "rose to 39,300 from 38,600", "up from 38,600") whose
    earlier figure `other` states while `other` states none of the update's other figures: `other`'s figure
    is what the update says it no longer is, so the update does not support it (nor the reverse)."""
    earlier = _earlier_figures(update)
    if not earlier:
        return False
    theirs = _figures(other)
    return bool(earlier & theirs) and not ((_figures(update) - earlier) & theirs)


def states_part(cc: CrossCheck, m: int, rep: int) -> bool:
    """Does statement m state part of what `rep` states (one fact between them by the corroboration head,
    no count or speaker conflict) without supporting all of it? Such a sentence is cited as stating part of a
    printed fact; it adds no support."""
    if m == rep or supports(cc, m, rep):
        return False
    a, b = cc.statements[m], cc.statements[rep]
    if a.article == b.article or not compatible(a.counts, a.speaker, b.counts, b.speaker):
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


