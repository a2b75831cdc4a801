"""Page-level noise that extractors keep in the body, recognised line by line (one block at a time).

Each detector looks at one stripped block and answers with a removal kind and a reason, or None:

- timestamps: a line made only of date and time words ("Updated 3 hours ago", "June 4, 2025 10:32 AM EDT");
- bylines: "By Jane Doe, Staff Reporter", "Jane Doe | Northwind Wire", "Reporting by …; Editing by …";
- standards footers: an agency's trust principles, editorial standards, corrections or ethics policy;
- self-promoting author bios: a first-person self-introduction with a pitch (what "the mainstream media"
  hides, a club to join, books to buy), and third-person "X is a reporter who covers …" bios after the
  article's last paragraph (before it, the same words may be news about a journalist);
- contact lines: a short line with an e-mail address and the newsroom's call to write ("Send tips to …",
  "Contact us at …"; not a police appeal in the story);
- join / subscribe calls: "Join our club", "Become a member today", "Subscribe to our newsletter".

The vocabularies below are generic (English news-page wording), written from the kinds of line, not from
any benchmark page; what each detector is worth on pages it was not written on is measured by
`bench/extract_cv.py` (ablation rows).
"""

from __future__ import annotations

import re

from parallax.config import NoiseConfig, settings
from parallax.stages.clean import rules

_I = re.IGNORECASE
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"]
_RELATIVE = ["ago", "just", "now", "today", "yesterday", "tonight", "second", "seconds", "sec", "secs", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks", "month", "months", "year", "years"]
_STAMP_WORDS = ["updated", "update", "published", "posted", "last", "modified", "edited", "on", "at", "am", "pm", "a", "m", "p", "m", "local", "time", "gmt", "utc", "read", "reading", "and", "the", "of"]
# Time-zone abbreviations (and "ET"-style short forms) seen on news pages.
_ZONE = re.compile(r"^(?:[A-Z]{1,3}[SD]?T|UTC|GMT|Z|CET|CEST|EET|EEST|WET|WEST|IST|JST|KST|HKT|SGT|AEST|AEDT|"
                   r"ACST|AWST|NZST|NZDT|MSK|BRT|ART|SAST|WAT|EAT|CAT|PKT|ICT|WIB)$")
_STAMP_VOCAB = frozenset(_MONTHS + _DAYS + _RELATIVE + _STAMP_WORDS)
_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:st|nd|rd|th)?|[^\sA-Za-z\d]")


def is_timestamp(text: str, config: NoiseConfig | None = None) -> bool:
    """A line of date and time words only, with at least one date or time in it."""
    toks = [t for t in _TOKEN.findall(text) if t.strip()]
    words = [t for t in toks if t[0].isalnum()]
    if not words or len(words) > (config or settings().noise).max_timestamp_words or all(t[0].isdigit() for t in words):
        return False  # bare numbers ("0:00", "2:05") are a player's clock, not a date line
    core = 0
    for t in words:
        low = t.lower()
        if t[0].isdigit() or low in _MONTHS or low in _RELATIVE or low in _DAYS:
            core += 1
        elif low in _STAMP_VOCAB or _ZONE.match(t):
            continue
        else:
            return False
    return core >= 2 or (core == 1 and any(t[0].isdigit() for t in words) and len(words) <= 3
                         and any(w.lower() in ("updated", "published", "posted", "ago") for w in words))


_NAME = r"(?:[A-Z][\w'’.-]+|[A-Z]\.)"
_PERSON = rf"{_NAME}(?:\s+(?:de|van|von|der|da|del|la|le|bin|al|{_NAME})){{1,3}}"
_ROLE = (r"(?:staff|senior|chief|special|political|foreign|business|science|health|sports|local|"
         r"associated|contributing|guest|deputy|managing|news|digital|investigative|"
         r"reporter|writer|correspondent|editor|columnist|contributor|journalist|producer|analyst|"
         r"photographer|desk|bureau|agency|wire|press|news|service|team|staff writer|newsroom)")
_BYLINE = re.compile(
    rf"(?:(?:written |reported |words |story )?by|from|reporting by|additional reporting by|text)[:\s]+"
    rf"{_PERSON}(?:\s*(?:,|and|&)\s*{_PERSON})*"
    rf"(?:\s*(?:,|\||·|•|–|—|-|in)\s*[^.!?]{{0,120}})?\.?", _I)
_NAME_ROLE = re.compile(rf"{_PERSON}\s*(?:,|\||·|•|–|—|-)\s*(?:the\s+)?(?:{_NAME}\s+)*(?i:{_ROLE})\b[^.!?]{{0,100}}\.?")
_EDITING = re.compile(r"(?:\(?\s*)?(?:additional )?(?:reporting|writing|editing|compiled|research|"
                      r"fact[- ]checking) by\b.{0,160}", _I)
_NOT_NAMES = set(_DAYS) | set(_MONTHS) | {"the", "this", "that", "then", "now", "law", "far", "way"}


def is_byline(text: str, config: NoiseConfig | None = None) -> bool:
    """"By Jane Doe, Staff Reporter", "Jane Doe | Northwind Wire", "Reporting by …; Editing by …"."""
    n = len(rules.words(text))
    if n == 0 or n > (config or settings().noise).max_byline_words:
        return False
    m = _BYLINE.fullmatch(text.strip())
    if m:
        first = re.sub(r"^(?:\w+\s+)*?by[:\s]+|^from[:\s]+|^text[:\s]+", "", text.strip(), flags=_I).split()
        if first and first[0].lower().strip(",.") not in _NOT_NAMES:
            return not _sentence_like(text)
    if _EDITING.fullmatch(text.strip()) and (";" in text or text.lower().count(" by ") >= 1) and n <= 30:
        return True
    return bool(_NAME_ROLE.fullmatch(text.strip())) and not _sentence_like(text)


_VERBS = re.compile(r"\b(?:is|are|was|were|has|have|had|said|says|will|would|can|could|did|does|went|made)\b", _I)


def _sentence_like(text: str) -> bool:
    """A clause with a verb after the name part is prose, not a byline ("By Monday the river had risen")."""
    return bool(_VERBS.search(text)) and rules.ends_sentence(text)


_STANDARDS = re.compile(
    r"\b(?:trust principles|our standards|editorial (?:standards|guidelines|policy|policies|independence|values)"
    r"|code of (?:ethics|conduct|practice)|ethics (?:policy|guidelines|code)|corrections? (?:policy|page)"
    r"|fact[- ]checking (?:policy|standards|process)|journalistic (?:standards|principles|ethics)"
    r"|principles of (?:independence|integrity|freedom from bias)|independence,? integrity and freedom from bias"
    r"|(?:is|are) committed to (?:accuracy|fairness|independen\w+|integrity)"
    r"|editorial (?:code|charter)|press (?:council|standards organisation|standards organization))\b", _I)


def is_standards(text: str, config: NoiseConfig | None = None) -> bool:
    """An agency's trust-principles / standards / corrections-policy line."""
    n = len(rules.words(text))
    return 0 < n <= (config or settings().noise).max_standards_words and bool(_STANDARDS.search(text))


_SELF_INTRO = re.compile(
    r"^(?i:(?:hi|hello|hey|greetings)[,!.]?\s+(?:there[,!.]?\s+)?(?:friends?[,!.]?\s+)?)?(?i:i[’']m|i am|my name is|"
    r"this is)\s+(?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){0,3}\b", re.UNICODE)
_PITCH = re.compile(
    r"\b(?:mainstream media|msm|legacy media|corporate media|the media (?:won[’']t|will not|doesn[’']t|refuses)"
    r"|(?:won[’']t|will not|don[’']t|do not|never) (?:tell|show) you|they don[’']t want you|hidden truth"
    r"|truth(?:s)? (?:they|the)|join (?:my|our|the) \w+|my (?:club|community|newsletter|channel|podcast|books?"
    r"|website|blog|course|patreon|substack)|members?[’']? (?:club|area)|subscribe|sign up|support (?:my|our) work"
    r"|follow me|become a (?:member|patron|supporter))\b", _I)
_THIRD_BIO = re.compile(
    rf"^{_PERSON}\s+(?:is|was|has been|serves as|works as)\s+(?:a|an|the)\s+(?:\w+\s+){{0,6}}"
    r"(?:reporter|writer|journalist|correspondent|editor|columnist|contributor|author|freelancer|producer"
    r"|analyst|blogger|founder|host)\b")


def is_self_promotion(text: str, config: NoiseConfig | None = None) -> bool:
    """A first-person self-introduction with a pitch (what "the mainstream media" hides, a club to join)."""
    n = len(rules.words(text))
    if n == 0 or n > (config or settings().noise).max_bio_words or text.startswith(("“", '"', "‘", "'")):
        return False
    return bool(_SELF_INTRO.match(text) and _PITCH.search(text))


def is_author_bio(text: str, config: NoiseConfig | None = None) -> bool:
    """A third-person "X is a reporter who covers …" note. The same words can be news about a journalist
    ("… was held at the border, her lawyer said"): reported speech or an event keeps the line; and
    `classify_blocks` takes a bio only after the article's last paragraph."""
    n = len(rules.words(text))
    if n == 0 or n > (config or settings().noise).max_third_bio_words or text.startswith(("“", '"', "‘", "'")):
        return False
    return bool(_THIRD_BIO.match(text)) and not rules.REPORTED.search(text)


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CONTACT = re.compile(
    r"\b(?:newsroom|news ?desk|tips?|story ideas?|got a story|corrections?|press enquiries|contact us"
    r"|e-?mail us|write to us|reach us|get in touch|let us know|feedback|our (?:reporters?|editors?|team|desk))\b", _I)


def is_contact(text: str, config: NoiseConfig | None = None) -> bool:
    """A short line with an e-mail address and a call to write."""
    n = len(rules.words(text))
    return 0 < n <= (config or settings().noise).max_contact_words and bool(_EMAIL.search(text)) and bool(_CONTACT.search(text))


_JOIN = re.compile(
    r"^(?:[^\w]*)(?:join|subscribe|sign up|become a (?:member|subscriber|patron|supporter|friend)"
    r"|support (?:us|our|independent|quality)|don[’']t miss|never miss|get (?:our|the|every|exclusive)"
    r"|want (?:more|the latest)|like what you (?:read|see)|enjoyed this|love our|help us)\b", _I)
_JOIN_OBJECT = re.compile(
    r"\b(?:club|community|members?|membership|newsletters?|mailing list|subscri\w+|inbox|patreon|substack"
    r"|telegram|whatsapp|channel|followers|readers|supporters|digest|briefing|alerts?|donat\w+|premium)\b", _I)


def is_join_call(text: str, config: NoiseConfig | None = None) -> bool:
    """"Join our club", "Become a member today", "Subscribe to our free weekly digest"."""
    n = len(rules.words(text))
    return 0 < n <= (config or settings().noise).max_join_words and bool(_JOIN.match(text)) and bool(_JOIN_OBJECT.search(text))


# (kind, reason, detector, tail only: taken only after the article's last paragraph of prose)
DETECTORS = (
    ("timestamp", "timestamp line (date and time only)", is_timestamp, False),
    ("byline", "byline (author, role, agency)", is_byline, False),
    ("standards", "an agency's standards / trust-principles statement", is_standards, False),
    ("author_bio", "author's self-promotion", is_self_promotion, False),
    ("author_bio", "author's bio", is_author_bio, True),
    ("contact", "newsroom contact line with an e-mail address", is_contact, False),
    ("subscribe", "call to join or subscribe", is_join_call, False),
)


def classify(text: str, config: NoiseConfig | None = None, *, tail: bool = True) -> tuple[str, str] | None:
    """(kind, reason) of a noise line, or None. `tail`: the line comes after the article's last paragraph."""
    config = config or settings().noise
    for kind, reason, detect, tail_only in DETECTORS:
        if (tail or not tail_only) and detect(text, config):
            return kind, reason
    return None


def classify_blocks(texts: list[str], config: NoiseConfig | None = None) -> list[tuple[str, str] | None]:
    """`classify` for a page's blocks in order, knowing where the article's last paragraph of prose is.
    `config`: default `settings().noise` (as for every detector here)."""
    config = config or settings().noise
    first = [classify(t, config, tail=False) for t in texts]
    last_body = max((i for i, t in enumerate(texts) if first[i] is None and rules.is_body_paragraph(t)
                     and not is_author_bio(t, config)), default=-1)
    return [first[i] or (classify(t, config) if i > last_body else None) for i, t in enumerate(texts)]
