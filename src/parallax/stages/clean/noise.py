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
_STAMP_WORDS = ["updated", "update", "published", "posted", "filed", "last", "modified", "edited", "moments", "moment", "on", "at", "am", "pm", "a", "m", "p", "m", "local", "time", "gmt", "utc", "read", "reading", "and", "the", "of"]
# Time-zone abbreviations (and "ET"-style short forms) seen on news pages.
_ZONE = re.compile(r"^(?:[A-Z]{1,3}[SD]?T|UTC|GMT|Z|CET|CEST|EET|EEST|WET|WEST|IST|JST|KST|HKT|SGT|AEST|AEDT|"
                   r"ACST|AWST|NZST|NZDT|MSK|BRT|ART|SAST|WAT|EAT|CAT|PKT|ICT|WIB)$")
_STAMP_VOCAB = frozenset(_MONTHS + _DAYS + _RELATIVE + _STAMP_WORDS)
_NUMERIC_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?:\s*[-,|·]?\s*\d{1,2}[:.]\d{2}(?::\d{2})?)?")
_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:st|nd|rd|th)?|[^\sA-Za-z\d]")


_PART = re.compile(r"\s+[|·•]\s+")


def is_dateline(text: str, config: NoiseConfig | None = None) -> bool:
    """A page's date line in parts: "16 May 2026 | 16:45 | Health", "Metro Desk | 14 Apr 2026, 11:47" — a
    timestamp part and the rest a byline, an agency or a section's name (a few words each)."""
    parts = [p.strip() for p in _PART.split(text.strip()) if p.strip()]
    if len(parts) < 2 or len(rules.words(text)) > (config or settings().noise).max_byline_words:
        return False
    stamps = [is_timestamp(p, config) for p in parts]
    return any(stamps) and all(s or (len(rules.words(p)) <= 4 and not rules.ends_sentence(p)) or is_byline(p, config)
                               for p, s in zip(parts, stamps, strict=True))


def is_timestamp(text: str, config: NoiseConfig | None = None) -> bool:
    """A line of date and time words only, with at least one date or time in it."""
    toks = [t for t in _TOKEN.findall(text) if t.strip()]
    words = [t for t in toks if t[0].isalnum()]
    if not words or len(words) > (config or settings().noise).max_timestamp_words:
        return False
    if all(t[0].isdigit() for t in words):
        # bare numbers ("0:00", "2:05") are a player's clock; a whole numeric date ("12/05/2031 20:15") is a date
        return bool(_NUMERIC_DATE.fullmatch(text.strip()))
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
_ROLE_NOUN = (r"(?:reporter|writer|correspondent|editor|columnist|contributor|journalist|producer|analyst"
              r"|photographer|presenter)")
_NAME_ROLE = re.compile(rf"{_PERSON}\s*(?:,|\||·|•|–|—|-)\s*(?:the\s+)?(?:{_NAME}\s+|[a-z]+\s+){{0,3}}(?i:{_ROLE})\b"
                        r"[^.!?]{0,100}\.?")
# An agency's or newsroom's name alone on a line under the headline: "Metro Newsroom", "Northwind Press Agency".
_DESK_LINE = re.compile(r"(?:[Bb]y\s+the\s+)?(?:[A-Z][\w&'’.-]*\s){1,4}(?:[Nn]ewsroom|[Nn]ews ?[Dd]esk|Wire|Press(?: Agency"
                        r"| Service)?|News Agency|News Service|Newswire|Staff|Desk)"
                        rf"|(?:[A-Z][\w&'’.-]*\s){{0,3}}(?:[a-z]+\s){{0,2}}(?i:{_ROLE_NOUN})"
                        rf"|(?i:reporter|reporting|newsroom|words|author|writer|correspondent|editor|presenter)s?\s*:\s*{_PERSON}")
# "Posted 3 May 2025 by Jane Doe", "Filed at 09:40 by the health team": a timestamp with its author.
_STAMP_BY = re.compile(r"(?P<stamp>.+?)\s+(?:[|·•]\s+)?by\s+(?P<who>[^|·•]{1,60})", _I)
_EDITING = re.compile(r"(?:\(?\s*)?(?:additional )?(?:reporting|writing|editing|compiled|research|"
                      r"fact[- ]checking) by\b.{0,160}", _I)
_NOT_NAMES = set(_DAYS) | set(_MONTHS) | {"the", "this", "that", "then", "now", "law", "far", "way"}


def is_byline(text: str, config: NoiseConfig | None = None) -> bool:
    """"By Jane Doe, Staff Reporter", "Jane Doe | Northwind Wire", "Reporting by …; Editing by …",
    "Reporter: Jane Doe", "Posted 3 May 2025 by Jane Doe"."""
    n = len(rules.words(text))
    if n == 0 or n > (config or settings().noise).max_byline_words:
        return False
    m = _STAMP_BY.fullmatch(text.strip())
    if m and is_timestamp(m.group("stamp").strip(" |·•,"), config) and len(rules.words(m.group("who"))) <= 6 \
            and not _sentence_like(text):
        return True
    m = _BYLINE.fullmatch(text.strip())
    if m:
        first = re.sub(r"^(?:\w+\s+)*?by[:\s]+|^from[:\s]+|^text[:\s]+", "", text.strip(), flags=_I).split()
        if first and first[0].lower().strip(",.") not in _NOT_NAMES:
            return not _sentence_like(text)
    if _EDITING.fullmatch(text.strip()) and (";" in text or text.lower().count(" by ") >= 1) and n <= 30:
        return True
    return (bool(_NAME_ROLE.fullmatch(text.strip())) or bool(_DESK_LINE.fullmatch(text.strip()))) \
        and not _sentence_like(text)


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
    r"|editorial (?:code|charter)|press (?:council|standards organisation|standards organization)"
    r"|free from (?:bias|influence))\b", _I)
# A named house code ("X abides by the Coastal Press Code", "The X Standards: …"): capitals matter here, "follows
# the building code" is news.
_STANDARDS_NAMED = re.compile(
    r"\b(?i:follows?|adheres? to|abides? by|subscribes? to|is bound by) (?:the )?(?:[A-Z][\w&'-]* ){1,3}"
    r"(?:Standards|Code|Principles|Charter)\b|^(?:The )?(?:[A-Z][\w&'-]* ){1,3}Standards\s*:")


def is_standards(text: str, config: NoiseConfig | None = None) -> bool:
    """An agency's trust-principles / standards / corrections-policy line."""
    n = len(rules.words(text))
    return 0 < n <= (config or settings().noise).max_standards_words \
        and bool(_STANDARDS.search(text) or _STANDARDS_NAMED.search(text))


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
    r"|analyst|blogger|founder|host)\b"
    rf"|^{_PERSON}\s+(?:reports|writes) (?:on|about) .{{1,60}}\bfor (?:the|[A-Z])")  # "X reports on the regions for the Standard"


def is_self_promotion(text: str, config: NoiseConfig | None = None) -> bool:
    """A first-person self-introduction with a pitch (what "the mainstream media" hides, a club to join)."""
    n = len(rules.words(text))
    if n == 0 or n > (config or settings().noise).max_bio_words or text.startswith(("“", '"', "‘", "'")):
        return False
    return bool(_SELF_INTRO.match(text) and _PITCH.search(text))


# A columnist's note after the column: "X is a former … and writes a weekly column on …", "X writes on harbour
# life every Thursday"; a partisan writer's promise: "X says what the big papers won't".
_COLUMN_BIO = re.compile(
    rf"^{_PERSON}\s+(?:(?:is|was) [^.]{{0,100}}?\band )?(?:writes|has written|blogs|presents|hosts)\s+"
    r"(?:a (?:weekly|monthly|fortnightly|regular|daily) (?:column|blog|newsletter|podcast)"
    r"|(?:on|about|for) [^.]{1,60}\b(?:every|each|weekly|monthly|fortnightly)\b)")
_PROMO_BIO = re.compile(
    rf"^{_PERSON}\s+(?:tells|brings you|reports|writes|exposes|says)\b.{{0,60}}\b(?:big (?:papers|media|networks)"
    r"|(?:mainstream|establishment|legacy|corporate) (?:media|press|papers)|too (?:scared|afraid) to|won[’']t (?:touch"
    r"|tell|print|report)|refuse to (?:print|report|tell))", _I)
# A site's tagline with a pitch ("the truths the establishment media won't touch"): a phrase, no sentence.
_TAGLINE_PITCH = re.compile(
    r"\b(?:(?:mainstream|establishment|legacy|corporate|big) (?:media|press|papers)|(?:they|media) (?:won[’']t|don[’']t"
    r"|will not|refuse to) (?:touch|tell|print|report|show)|the news they (?:hide|bury|won[’']t))\b", _I)


def is_column_bio(text: str, config: NoiseConfig | None = None) -> bool:
    """A columnist's or partisan writer's note about themselves, after the article (see `_COLUMN_BIO`)."""
    n = len(rules.words(text))
    if n == 0 or n > (config or settings().noise).max_third_bio_words or text.startswith(("“", '"', "‘", "'")):
        return False
    return bool(_COLUMN_BIO.match(text) or _PROMO_BIO.match(text)) and not rules.REPORTED.search(text)


def is_pitch_tagline(text: str, config: NoiseConfig | None = None) -> bool:
    """A short phrase (no sentence) pitching the site against "the establishment media"."""
    n = len(rules.words(text))
    return 0 < n <= 14 and not rules.ends_sentence(text) and bool(_TAGLINE_PITCH.search(text)) \
        and not text.startswith(("“", '"', "‘", "'"))


def is_author_bio(text: str, config: NoiseConfig | None = None) -> bool:
    """A third-person "X is a reporter who covers …" note. The same words can be news about a journalist
    ("… was held at the border, her lawyer said"): reported speech or an event keeps the line; and
    `classify_blocks` takes a bio only after the article's last paragraph."""
    n = len(rules.words(text))
    if n == 0 or n > (config or settings().noise).max_third_bio_words or text.startswith(("“", '"', "‘", "'")):
        return False
    return bool(_THIRD_BIO.match(text) or rules.AUTHOR_BIO_OTHER.match(text)) and not rules.REPORTED.search(text)


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CONTACT = re.compile(
    r"\b(?:newsroom|news ?desk|tips?|story ideas?|got a story|corrections?|press enquiries|contact us"
    r"|e-?mail us|write to us|reach us|get in touch|let us know|feedback|our (?:reporters?|editors?|team|desk)"
    r"|letters?(?: to the editor| in reply)?)\b", _I)


_PHONE = re.compile(r"(?:\+\d{1,3}[\s-]?)?\(?\d{2,5}\)?(?:[\s-]?\d{2,4}){2,4}\b")
# With a telephone number only the newsroom's own words count ("Call the newsdesk on …", "Got a story? Text
# us"): "tips" or "contact" alone is also a police appeal's.
_CONTACT_PHONE = re.compile(
    r"\b(?:newsroom|news ?desk|got a (?:story|tip)|story (?:tips?|ideas?)|(?:call|text|ring|phone|message|whatsapp) us"
    r"|our (?:reporters?|editors?|team|desk|newsroom))\b", _I)


def is_contact(text: str, config: NoiseConfig | None = None) -> bool:
    """A short line with an e-mail address and a call to write, or a telephone number and the newsroom's
    call to ring ("Got a story? Call …")."""
    n = len(rules.words(text))
    if not 0 < n <= (config or settings().noise).max_contact_words or text.startswith(("“", '"', "‘")):
        return False
    if _EMAIL.search(text):
        return bool(_CONTACT.search(text))
    return bool(_PHONE.search(text)) and bool(_CONTACT_PHONE.search(text)) and not rules.REPORTED.search(text)


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
    ("timestamp", "date line (a timestamp with the byline, agency or section)", is_dateline, False),
    ("standards", "an agency's standards / trust-principles statement", is_standards, False),
    ("author_bio", "author's self-promotion", is_self_promotion, False),
    ("author_bio", "author's bio", is_author_bio, True),
    ("author_bio", "columnist's note", is_column_bio, True),
    ("site_header", "the site's tagline", is_pitch_tagline, False),
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
                     and not is_author_bio(t, config) and not is_column_bio(t, config)), default=-1)
    return [first[i] or (classify(t, config) if i > last_body else None) for i, t in enumerate(texts)]
