"""Line rules: what a scraped line of boilerplate looks like, by kind.

Each rule looks at one block (a line of the page, stripped). Rules that open a section (a "Related
articles" header, a comments header) also claim the headline-like lines that follow them.
"""

from __future__ import annotations

import re

from parallax.config import settings

_I = re.IGNORECASE

# kind -> patterns matched against the whole stripped block (fullmatch)
LINE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("share", re.compile(
        r"(share( this| on| via)?( article| story| post| news| page)?\s*[:：]\s*.{0,80}|share( this)?( article| story| post| news| page)?|share news|share on \w+.*|tweet( this)?|email( this)?|print"
        r"|copy link|link copied|follow us( on \w+)?.*|share via .*|(facebook|twitter|x|linkedin|whatsapp|telegram"
        r"|reddit|email|pinterest|print|copy link)([\s|,/·•]+(facebook|twitter|x|linkedin|whatsapp|telegram|reddit"
        r"|email|pinterest|print|copy link))*)\s*[:.!]?", _I)),
    ("subscribe", re.compile(
        r"(newsletters?|subscribe( now| today| here)?|sign up( now| here)?|(sign up|subscribe) (for|to) (our|the)\b.{0,60}"
        r"|get (our|the) .{0,40}newsletter.{0,40}|join our (mailing list|newsletter).{0,40}"
        r"|enter your e-?mail( address)?.{0,40}|already a subscriber\?.{0,40}|support (our|independent) journalism.{0,60})"
        r"\s*[:.!]?", _I)),
    ("comments", re.compile(
        r"(\d+\s+comments?|comments?\s*(\(\d+\))?|no comments( yet)?\.?|leave a (reply|comment)|post a comment"
        r"|add (a|your) comment|join the (discussion|conversation)|show comments|view comments|load (more )?comments"
        r"|comments are closed\.?|cancel reply|reply|report( comment)?|log in to (comment|reply).{0,40}"
        r"|you must be logged in to post a comment\.?|your email address will not be published\..{0,80}"
        r"|required fields are marked.{0,10}|this site uses akismet to reduce spam\..{0,120}"
        r"|what do you think\?|\d+\s+(likes?|replies|reactions))\s*", _I)),
    ("tags", re.compile(r"((no )?tags?|topics?|filed under|categories|category|keywords)\b\s*[:\-–]?\s*.{0,200}", _I)),
    ("photo_credit", re.compile(
        r"[(\[]?(photo|photos|image|picture|photograph|photo credit|credit|pictured|file photo|illustration|video)"
        r"\s*(by\s+|:|：|/|—|-)\s*.{1,80}[)\]]?|[(\[]?(getty images|afp via getty images|reuters/[\w .]+|ap photo.{0,60})[)\]]?", _I)),
    ("media_player", re.compile(
        r"(\d{1,2}:\d{2}(\s*/\s*\d{1,2}:\d{2})?|close|×|✕|✖|play|pause|mute|unmute|full ?screen|watch( now| video)?"
        r"|video|skip ad|loaded:?\s*\d+(\.\d+)?%|now playing.{0,60}|playback speed.{0,20}|captions?|settings|replay|"
        r"\d+x|current time.{0,20}|duration.{0,20}|chapters|descriptions off.{0,40})", _I)),
    ("advertisement", re.compile(
        r"(advertisement|advertising|sponsored( content)?|ads?|promoted|story continues below( advertisement)?"
        r"|continue reading below|scroll to continue( with content)?)\s*", _I)),
    ("cookie_notice", re.compile(
        r".{0,80}\b(we use cookies|this (site|website) uses cookies|accept (all )?cookies|cookie (policy|settings)"
        r"|manage (cookie|privacy) (settings|preferences)).{0,200}", _I)),
    ("navigation", re.compile(
        r"(skip to (main )?content|menu|search|home|log ?in|sign ?in|register|my account|back to top|next article"
        r"|previous article|go to page.{0,20}|page \d+ of \d+|world news|breaking news|latest news|top stories"
        r"|(\w[\w&' ]{0,20}\s*[|›»/>]\s*){2,}\w[\w&' ]{0,20})\s*", _I)),
    ("source_link", re.compile(
        r"(source link|source|read (the )?(full|original) (story|article)( (at|on) .{1,60})?|originally published (at|on|by) .{1,80}"
        r"|this (article|story) (first |originally )?appeared (on|in|at) .{1,80}|via [\w .]{2,40}|source:\s*.{1,60})\s*[.:]?", _I)),
    ("byline", re.compile(
        r"([Bb]y|[Bb]y:?\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}((,| and| &)\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3})*"
        r"(\s*[,|–-]\s*.{0,40})?|(?i:(written|posted|published|updated|reporting) (by|on|:).{0,80})"
        r"|(?i:(published|updated|posted|last updated))\s*:?\s*\w{3,9}\.? \d{1,2},? \d{4}.{0,30}"
        r"|\w{3,9}\.? \d{1,2},? \d{4}( \d{1,2}:\d{2}( ?[ap]\.?m\.?)?)?( \w{2,4})?|\d{1,2} \w{3,9} \d{4}(,? \d{1,2}:\d{2}( ?[ap]\.?m\.?)?)?"
        r"|(?i:\d+ min(ute)?s? read|reading time.{0,20}))\s*"))
]

DISCLAIMER = re.compile(
    r"(^(ai disclaimer|disclaimer|transparency note|ai notice)\s*[:\-–]"
    r"|\b(generated|written|produced|created|compiled|assisted)\b.{0,60}\b(by|with|using)\b.{0,40}"
    r"\b(ai|a\.i\.|artificial intelligence|machine learning|language model|automated system)\b"
    r"|\b(ai|artificial intelligence)\b.{0,40}\b(system|tool|technology)\b.{0,60}\b(generated|wrote|produced)\b"
    r"|\bthis (story|article|content|page|report|post|summary)\b.{0,80}\b(ai|a\.i\.|artificial intelligence"
    r"|automated|machine[- ]generated)\b)", _I)
# Words that only subscription prompts use ("sign up" is also ordinary prose: "free to sign up").
SUBSCRIBE_ANY = re.compile(r"\b(newsletters?|subscribe|subscription|inbox|daily digest|mailing list)\b", _I)
LEGAL = re.compile(
    r"(^©|^copyright\b|\ball rights reserved\b|may not be (re)?published, broadcast, rewritten|"
    r"\bterms of (use|service)\b.{0,40}\bprivacy policy\b)", _I)
AUTHOR_BIO = re.compile(
    r"^([Aa]bout the author\b|[Ii][’']?m [A-Z][\w ]{0,40}, (the |an? )?(author|writer|editor|founder|journalist|reporter)\b"
    r"|([A-Z][\w.'’-]+\s){1,3}(is|was|has been|covers)\b.{0,40}\b(reporter|writer|journalist|correspondent|editor"
    r"|columnist|contributor|author|freelancer|producer|analyst)\b"
    r"|[A-Z][\w.'’-]+( [A-Z][\w.'’-]+){0,3} (covers|writes about|has covered|has written)\b)", re.UNICODE)

# News about a journalist ("X is a freelance journalist who was held …, her lawyer said") is reported speech
# or an event; a bio is not.
REPORTED = re.compile(r"\b(said|says|told|according to|was (held|arrested|killed|detained|freed|released|jailed|"
                      r"charged|injured|wounded|expelled|deported)|were (held|arrested|killed|detained))\b", _I)

SECTION_HEADERS: dict[str, re.Pattern[str]] = {
    "related": re.compile(
        r"(related( articles| stories| news| posts| content| coverage| topics| reading| links)?|more (from|on|stories"
        r"|news|in)\b.{0,40}|read more|read (also|next)|also read|see also|recommended( for you| stories| articles| reading)?"
        r"|you (may|might) (also )?(like|be interested in)|trending( now| stories)?|most (read|popular|viewed|shared)"
        r"|top (stories|most read|news|headlines)|latest( news| stories| headlines| articles)?|what to read next"
        r"|up next|editor[’']?s picks|popular (now|stories)|more headlines|other (news|stories))\s*:?", _I),
    "comments": re.compile(
        r"(\d+\s+)?(comments?|responses|discussion|reader comments)(\s*\(\d+\))?|leave a (reply|comment)"
        r"|join the (discussion|conversation)|what do you think\?|post a comment|add (a|your) comment\s*", _I),
}

# The longest line (in words) each rule may claim: boilerplate lines are short.
MAX_WORDS = {"comments": 40, "tags": 40, "cookie_notice": 60, "subscribe": 20, "share": 16, "photo_credit": 14}

TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”’]\s*$")
KICKER = re.compile(r"^[A-Z][A-Z0-9 ,'’&\-]{3,60}:\s+\S")
WORD = re.compile(r"[\w’'-]+", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD.findall(text)


# The end of a sentence, as `sentences_about` counts them (the splitter, pysbd, is far slower than this).
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def sentences_about(paragraph: str) -> int:
    """About how many sentences a paragraph holds (at least one), in one scan: its sentence ends counted.
    Abbreviations ("Mr.") make it count high. For bounds, where splitting would cost more than the bound saves."""
    return max(1, len(SENTENCE_END.findall(paragraph)))


def ends_sentence(text: str) -> bool:
    return bool(TERMINAL.search(text))


def title_case_ratio(text: str) -> float:
    ws = [w for w in words(text) if w[0].isalpha()]
    if not ws:
        return 0.0
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "as", "from", "vs",
             "but", "is", "its", "over", "into", "after", "amid", "up"}
    caps = sum(1 for w in ws if w[0].isupper() or w.lower() in small)
    return caps / len(ws)


def is_body_paragraph(text: str) -> bool:
    """A line of running prose: long enough, ends a sentence, not a list of capitalised headline words."""
    cfg = settings().clean
    n = len(words(text))
    if n >= cfg.prose_words and not text.isupper():
        return True
    return n >= cfg.prose_sentence_words and ends_sentence(text) and title_case_ratio(text) < cfg.title_case_share \
        and not text.isupper()


def is_headline_like(text: str) -> bool:
    """A short line with no closing full stop: a title, a section heading or a link in a list."""
    cfg = settings().clean
    n = len(words(text))
    return 1 <= n <= cfg.heading_max_words and (not ends_sentence(text) or text.isupper()
                                                 or title_case_ratio(text) >= cfg.title_case_share)


def classify_line(text: str) -> str | None:
    """The boilerplate kind of one stripped line, or None when it may be content."""
    n = len(words(text)) if text else 0
    if not text:
        return None
    if n == 0 and len(text) <= 3:
        return "media_player"
    if DISCLAIMER.search(text) and (n < 200):
        return "disclaimer"
    if n <= 20 and SUBSCRIBE_ANY.search(text) and not text.startswith(("“", '"', "‘")):
        return "subscribe"
    if LEGAL.search(text) and n < 80:
        return "legal"
    if AUTHOR_BIO.search(text) and n < 150 and not text.startswith(("“", '"')) and not REPORTED.search(text):
        return "author_bio"
    for kind, pat in LINE_RULES:
        if n <= MAX_WORDS.get(kind, 12) and pat.fullmatch(text):
            if kind == "navigation" and n > 6 and not any(c in text for c in "|›»>/"):
                continue
            return kind
    return None


def section_kind(text: str) -> str | None:
    """The kind of section a header line opens ("related", "comments"), or None."""
    if len(words(text)) > 8:
        return None
    for kind, pat in SECTION_HEADERS.items():
        if pat.fullmatch(text):
            return kind
    return None
