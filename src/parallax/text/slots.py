"""Typed slots of a news sentence: who is quoted, what is counted, which date or weekday, which figures.

The shared primitives of cross-checking (disputes compare slots of counterpart sentences), the pair judge
(shared and conflicting slots are its features) and the desk (numbers that changed between versions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parallax.model import Article
from parallax.text.words import FUNCTION_WORDS, lemma

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


# A quote's speaker named after a role in lower case: '"…," Rovers manager Elin Hartvig said.', '"…," said harbour
# master Tove Lind.' (`find_speaker` reads a capitalised name or a pronoun right after the quote).
_ROLE = r"(?:[A-Z][\w’'-]+\s+)?(?:[a-z][\w’'-]+\s+){1,3}"
_ROLE_NAME_SAY = re.compile(rf"[{_Q_CLOSE}]\s*,?\s*{_ROLE}(?P<sp>{_PNAME})\s+{SAY}\b")
_SAY_ROLE_NAME = re.compile(rf"[{_Q_CLOSE}]\s*,?\s*{SAY}\s+{_ROLE}(?P<sp>{_PNAME})")
# A person named as the subject of a speech verb without a quote: whom a following '"…," she said.' refers to.
# In apposition ("Kallas's lawyer, Ilse Norberg, said …"), right before the verb ("Mayor Enric Salas said …") or
# before an apposition ("Ilse Norberg, Kallas's lawyer, said …").
_SUBJECT_SAY = (re.compile(rf",\s*(?P<sp>{NAME}),\s+{SAY}\b"), re.compile(rf"(?P<sp>{NAME})\s+{SAY}\b"),
                re.compile(rf"(?P<sp>{NAME}),[^,“”\"]{{3,80}},\s+{SAY}\b"))


def _named(sp: str | None) -> str | None:
    if not sp or sp.split()[0] in _NOT_SPEAKERS or re.fullmatch(PRONOUN + r"|We|I|It", sp) or re.search(r"['’]s?$", sp):
        return None  # a sentence opener, or a possessive ("Kallas's lawyer"): not the one who speaks
    return _clean_speaker(sp)


def _subject(text: str) -> str | None:
    for pat in _SUBJECT_SAY:
        for m in pat.finditer(text):
            if (name := _named(m.group("sp"))) is not None:
                return name
    return None


# A sentence that opens with a person's full name ("Sanna Holt, who runs a cafe, …", "Shopkeeper Karl Netta, 54, was
# serving …"): whom a '"…," she said.' in the same paragraph refers to.
_LEAD_NAME = re.compile(rf"^\s*(?P<sp>{_PNAME})(?=,|\s+[a-z])")


def _lead_person(text: str) -> str | None:
    m = _LEAD_NAME.match(text)
    if not m or len(m.group("sp").split()) < 2:
        return None
    return _named(m.group("sp"))


def speakers_of(article: Article) -> list[str | None]:
    """Speaker per content sentence of the article (same order as Article.content_sentences()). A pronoun ("…,"
    she said) is the last person named as a speaker or as the subject of a speech verb in this or the previous
    paragraph."""
    out: list[str | None] = []
    last: str | None = None
    last_para = -1
    for s in article.content_sentences():
        text = s.text_of(article.text)
        prev = last if s.paragraph - last_para <= 1 else None
        quoted = any(q in text for q in "“\"")
        sp = find_speaker(text)  # a name the sentence itself gives
        if sp is None and quoted:
            m = _ROLE_NAME_SAY.search(text) or _SAY_ROLE_NAME.search(text)
            sp = _named(m.group("sp")) if m else None
        if sp is None:
            sp = find_speaker(text, prev)  # a pronoun, or a quote that opens the sentence: the last one named
        if sp is None and quoted:
            sp = _subject(text)  # 'Dagny Holt, said the offer was “a real step forward”': the verb's subject
        out.append(sp)
        if sp:
            last, last_para = sp, s.paragraph
        elif (name := _subject(text) or _lead_person(text)) is not None:
            last, last_para = name, s.paragraph
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
            if lw in FUNCTION_WORDS or lw in _VERBS or not re.fullmatch(r"[\w’'-]+", lw):
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
        head = lemma(run[-1])
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


WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
MONTHDAY = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)"
                       r"\s+(\d{1,2})(?:st|nd|rd|th)?\b|\b(\d{1,2})\s+(January|February|March|April|May|June|July"
                       r"|August|September|October|November|December)\b")


def extract_dates(sentence: str) -> dict[str, str]:
    out: dict[str, str] = {}
    m = MONTHDAY.search(sentence)
    if m:
        month = m.group(1) or m.group(4)
        day = m.group(2) or m.group(3)
        out["date"] = f"{month} {int(day)}"
    w = WEEKDAY.search(sentence)
    if w:
        out["weekday"] = w.group(1)
    return out




def counts_conflict(a: Count, b: Count, hedge_tolerance: float = 0.15) -> bool:
    """Two counts of the same noun that cannot both be right. Hedged figures ("about 240") within
    `hedge_tolerance` (relative) of each other agree; "a"/"an" conflicts only with an explicit number >= 2."""
    if a.noun != b.noun or a.value == b.value:
        return False
    if a.weak and b.weak:
        return False
    if (a.weak and b.value < 2) or (b.weak and a.value < 2):
        return False
    return not ((a.hedged or b.hedged) and abs(a.value - b.value) <= hedge_tolerance * max(a.value, b.value))


# Number words as values, for readers of figures in words ("Forty-six vessels").
NUMBER_WORDS = {k: v for k, v in _NUMWORDS.items() if k not in ("a", "an", "single", "dozen", "hundred")}
NUMBER_WORDS.update({f"{t}-{u}": _NUMWORDS[t] + _NUMWORDS[u] for t in ("twenty", "thirty", "forty", "fifty", "sixty",
                     "seventy", "eighty", "ninety") for u in ("one", "two", "three", "four", "five", "six", "seven",
                                                              "eight", "nine")})

_VALUE_WORDS = {v: k for k, v in _NUMWORDS.items() if k not in ("a", "an", "single", "dozen", "hundred")}





def mentions_value(sentence: str, count: Count) -> bool:
    """The sentence names the count's value somewhere ("… while two voted to keep it")."""
    if count.weak or count.value < 2:
        return False
    forms = {f"{count.value:g}"}
    if count.value in _VALUE_WORDS:
        forms.add(_VALUE_WORDS[count.value])
    toks = set(re.findall(r"[\w,]+", sentence.lower()))
    return bool(forms & toks)


_FIGURE = re.compile(r"[$£€]\s?\d[\d,.]*(?:\s*(?:million|billion|trillion|bn|m)\b)?|\d[\d,.]*\s*(?:%|percent\b|per cent\b"
                     r"|million\b|billion\b|tonnes\b|metres\b|km\b|kilometres\b|miles\b|a\.m\.|p\.m\.)"
                     r"|\b\d{1,2}:\d{2}\b")


def figures(text: str) -> set[str]:
    """Specific figures in a sentence ("$380 million", "15 percent", "6:40 a.m."); bare 1-digit numbers prove little."""
    out = {re.sub(r"\s+", " ", m.group(0).strip(" ,.")).lower() for m in _FIGURE.finditer(text)}
    # A bare number is only as specific as what it counts: "70 agreements" is not "70 years".
    out |= {f"{c.value:g} {c.noun}" for c in extract_counts(text) if not c.weak and c.value >= 10}
    return out




# A dateline or agency credit opening a wire sentence: "SALTMERE, Keldria, March 10 (Northwind Wire) — ",
# "TARNFIELD, Nov 3 (MNA) - ", "PORT ALDEN (NPA) — ", "(Reuters) - ", "LONDON — ". The place is in capitals; a
# region, a day and the agency in brackets may follow; a dash ends it. Not the reader's news: printed facts leave
# it out (their citations point past it, into the source's own sentence).
_MONTH_NAME = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July"
               r"|August|September|October|November|December)")
_DATELINE = re.compile(
    r"^\s*(?:(?:[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3})(?:,\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,2}){0,2}"
    rf"(?:,?\s+(?:{_MONTH_NAME}\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH_NAME}\.?(?:\s+\d{{4}})?))?"
    r"\s*(?:\([^()\n]{2,40}\))?"
    r"|\([A-Z][^()\n]{1,40}\))\s*(?:[-–—]{1,2}|:)\s+(?=[A-Z“\"‘'])")


# A sentence that is a dateline and nothing else: "HOLLINBROOK (Caldrith), 19 sep." (a splitter cut after the
# month's abbreviation, "(AMP). — Las botellas …" went to the next sentence).
_BARE_DATELINE = re.compile(r"\s*[A-ZÀ-Þ][A-ZÀ-Þ'’ .-]{2,}(?:\s*\([^()\n]{1,40}\))?,\s+(?:\d{1,2}\s+[^\W\d_]{3,10}\.?"
                            r"|[^\W\d_]{3,10}\.?\s+\d{1,2})(?:,?\s+\d{4})?\s*(?:\([^()\n]{1,40}\))?[.\s—–-]*")


def is_bare_dateline(sentence: str) -> bool:
    """Is the whole sentence a dateline ("HOLLINBROOK (Caldrith), 19 sep.", "PORTAVEL, May 17 (LNA) -")?"""
    return bool(_BARE_DATELINE.fullmatch(sentence))


def dateline_length(sentence: str) -> int:
    """How many characters of `sentence` are a leading dateline or agency credit (0 when none)."""
    m = _DATELINE.match(sentence)
    if not m:
        return 0
    head = m.group(0)
    # A capitalised word alone before a dash is a dateline only in capitals ("LONDON —"), not "Police —".
    if not any(c.isupper() for c in head[:2]) or (head.strip()[0] != "(" and not re.match(r"\s*[A-Z]{2}", head)):
        return 0
    return m.end()
