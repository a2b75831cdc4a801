"""Loaded and framing language, sentence by sentence.

A lexicon we wrote (``parallax/data/loaded_terms.txt``: term, category, weight) is matched against the
words of a sentence, phrases first (longest match wins), with simple inflections (slam: slams, slammed,
slamming; bizarre: bizarrely). A few patterns add to it: exclamation marks, ALL-CAPS emphasis in a
headline, and short "scare quotes" around a word or two. Words inside a direct quotation are the
speaker's, not the outlet's, and are not counted.

Each matched term carries a weight; a sentence's score is the noisy-or of its weights
(``1 - prod(1 - w)``), so one strong term or two or three weak ones flag it. The lexicon is tuned for
precision on news copy: plain reporting ("Officials said about 70 agreements were signed.") scores 0.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import product

from parallax.model import Article, LoadedFlag

log = logging.getLogger(__name__)

__all__ = [
    "LOADED_THRESHOLD",
    "find_loaded",
    "flag_headline",
    "flag_sentence",
    "neutrality",
    "score_sentence",
]

#: A sentence whose score reaches this is "loaded" (flag_sentence returns its terms, find_loaded flags it).
LOADED_THRESHOLD = 0.5
#: Terms lighter than this still add to the score but are not listed among a flagged sentence's terms.
MIN_REPORTED_WEIGHT = 0.2

_LEXICON_FILE = "loaded_terms.txt"
_HEADLINE_CATEGORY = "headline"
_NEUTRAL_CATEGORY = "neutral"
# Reported speech ("said", "told", "according to"): the words are the speaker's, so the score is damped.
_ATTRIBUTION_CATEGORY = "attribution"

def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words kept as written when a phrase's other words are inflected.
_FUNCTION_WORDS = _wordset(
    "a an the of by to on in at for from with against into out up down off over about as and or but "
    "is are was were be been it its this that these those no not nothing than so such what who"
)

# Weights of the patterns (not lexicon entries).
_W_EXCLAMATION = 0.6
_W_CAPS = 0.55
_W_SCARE_QUOTES = 0.5
_W_QUESTION = 0.5
_W_VOICE = 0.45
_ATTRIBUTION_DAMP = 0.8
_ATTRIBUTION_RE = re.compile(r"\b(?:said|says|told|according to|stated|announced|reported)\b")

# First- and second-person words: outside a quotation, the writer addressing the reader.
_VOICE_RE = re.compile(r"\b(?:[Ww]e|WE|[Oo]urs?|[Uu]s|[Yy]ou|[Yy]our|I|[Mm]y|[Mm]e)\b(?![.'’-]?[A-Z])")

_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")

# Before a short quotation, these words show it is a speaker's word being reported, not scare quotes.
_REPORTING_WORDS = _wordset(
    "said says say saying called calls call calling dubbed dubs dubbing termed terms described describes "
    "describing labeled labelled labels branded brands named names wrote writes tweeted tweets posted "
    "as word words phrase term slogan chanted chanting shouted warned added told according quoted "
    "titled entitled nicknamed known"
)

# Upper-case words that are names or acronyms, not emphasis.
_ACRONYMS = _wordset(
    "NATO NASA OPEC COVID AIDS UNESCO UNICEF ISIS HAMAS FIFA UEFA NAFTA ASEAN BRICS NFL NBA MLB NHL CEO CFO "
    "USA USSR GOP EU UN UK US FBI CIA NSA DHS ICE EPA FDA CDC WHO IMF WTO OECD ICBM LGBT LGBTQ SWAT DACA "
    "MAGA CNN MSNBC BBC NPR PBS ABC CBS NBC AFP IAEA NHS SARS MERS HIV RNA DNA JAXA IPO GDP ESPN"
)


@dataclass(frozen=True, slots=True)
class _Entry:
    term: str  # the lexicon form
    category: str
    weight: float


@dataclass(slots=True)
class _Hit:
    surface: str  # as it appears, lower-cased
    category: str
    weight: float
    start: int  # offsets into the analysed text
    end: int


@dataclass(slots=True)
class _Lexicon:
    entries: dict[tuple[str, ...], _Entry]
    max_len: int
    size: int  # lexicon lines (terms as written, before inflection)


# --------------------------------------------------------------------------------------------- lexicon


def _inflections(word: str) -> set[str]:
    """Simple English inflections of a word: plural / 3rd person, past, -ing, and the -ly adverb."""
    out = {word}
    if len(word) < 3 or not word[-1].isalpha():
        return out
    vowels = "aeiou"
    if word.endswith("ie"):
        out |= {word + "s", word + "d", word[:-2] + "ying"}
    elif word.endswith("e"):
        out |= {word + "s", word + "d", word[:-1] + "ing", word + "ly"}
        if word.endswith("le") and not word.endswith("ile"):
            out.add(word[:-1] + "y")  # terrible -> terribly
    elif word.endswith("y") and word[-2] not in vowels:
        out |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing", word[:-1] + "ily"}
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        out |= {word + "es", word + "ed", word + "ing", word + "ly"}
    else:
        out |= {word + "s", word + "ed", word + "ing", word + "ly"}
        if word.endswith("ic"):
            out.add(word + "ally")
        # consonant-vowel-consonant: slam -> slammed, slamming
        if word[-1] not in vowels + "wxy" and word[-2] in vowels and word[-3] not in vowels:
            out |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return out


def _parse_lexicon(text: str) -> _Lexicon:
    weights: dict[str, float] = {}
    base: dict[tuple[str, ...], _Entry] = {}
    inflectable: list[tuple[tuple[str, ...], _Entry]] = []
    size = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith("@weight"):
            _, cat, w = line.split()
            weights[cat] = float(w)
            continue
        fields = [f.strip() for f in line.split("\t") if f.strip()]
        if len(fields) < 2:
            log.warning("loaded_terms.txt:%d: expected TERM<TAB>CATEGORY[<TAB>WEIGHT], got %r", lineno, raw)
            continue
        term, category = fields[0].lower(), fields[1]
        exact = term.startswith("=")
        term = term.lstrip("=")
        weight = float(fields[2]) if len(fields) > 2 else weights.get(category, 0.5)
        words = tuple(_WORD_RE.findall(term.replace("’", "'")))
        if not words:
            continue
        size += 1
        entry = _Entry(term, category, weight)
        base[words] = entry
        if not exact:
            inflectable.append((words, entry))
    entries = dict(base)
    for words, entry in inflectable:
        options = [[w] if (w in _FUNCTION_WORDS and len(words) > 1) else sorted(_inflections(w)) for w in words]
        for combo in product(*options):
            # a term written in the lexicon always wins over another term's inflection
            if combo not in base:
                entries.setdefault(combo, entry)
    max_len = max((len(k) for k in entries), default=1)
    return _Lexicon(entries, max_len, size)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    text = resources.files("parallax").joinpath("data", _LEXICON_FILE).read_text(encoding="utf-8")
    lex = _parse_lexicon(text)
    log.debug("loaded lexicon: %d terms, %d forms", lex.size, len(lex.entries))
    return lex


def lexicon_size() -> int:
    """How many terms the lexicon file holds (before inflection)."""
    return _lexicon().size


# --------------------------------------------------------------------------------------------- quotes


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans (including the marks) of the direct quotations in ``text``.

    Handles “…”, "…", ‘…’ and '…'. A sentence that opens a quotation without closing it is quoted to its
    end; one that closes a quotation opened in an earlier sentence is quoted from its start.
    """
    spans: list[tuple[int, int]] = []
    n = len(text)

    def prev(i: int) -> str:
        return text[i - 1] if i > 0 else " "

    def nxt(i: int) -> str:
        return text[i + 1] if i + 1 < n else " "

    # double quotes, curly and straight
    open_at: int | None = None
    for i, ch in enumerate(text):
        if ch not in "“”\"„«»":
            continue
        if ch in "“„«":
            kind = "open"
        elif ch in "”»":
            kind = "close"
        else:
            p, q = prev(i), nxt(i)
            if (p.isspace() or p in "([{—–-/") and not q.isspace():
                kind = "open"
            elif not p.isspace():
                kind = "close"
            else:
                kind = "close" if open_at is not None else "open"
        if kind == "open":
            if open_at is None:
                open_at = i
        else:
            spans.append((open_at if open_at is not None else 0, i + 1))
            open_at = None
    if open_at is not None:
        spans.append((open_at, n))

    # single quotes: only well-formed pairs (apostrophes are everywhere)
    open_at = None
    for i, ch in enumerate(text):
        if ch not in "‘’'":
            continue
        p, q = prev(i), nxt(i)
        opening = (ch == "‘" or (ch == "'" and (p.isspace() or p in "([{—–-\"“"))) and q.isalnum()
        closing = not p.isspace() and not q.isalnum()
        if open_at is None and opening:
            open_at = i
        elif open_at is not None and closing:
            spans.append((open_at, i + 1))
            open_at = None
    return sorted(spans)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


# --------------------------------------------------------------------------------------------- analysis


def _analyse(text: str, headline: bool) -> list[_Hit]:
    """All loaded-language hits in ``text`` (quoted words excluded), in order."""
    if not text:
        return []
    lex = _lexicon()
    quotes = _quoted_spans(text)
    tokens = [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    hits: list[_Hit] = []
    i = 0
    while i < len(tokens):
        matched = 0
        for length in range(min(lex.max_len, len(tokens) - i), 0, -1):
            key = tuple(t[0] for t in tokens[i : i + length])
            entry = lex.entries.get(key)
            if entry is None:
                continue
            matched = length
            start, end = tokens[i][1], tokens[i + length - 1][2]
            if entry.category == _NEUTRAL_CATEGORY or (entry.category == _HEADLINE_CATEGORY and not headline):
                break
            if _inside(start, quotes):
                break
            hits.append(_Hit(text[start:end].lower(), entry.category, entry.weight, start, end))
            break
        i += matched or 1

    hits.extend(_pattern_hits(text, tokens, quotes, headline))
    hits.sort(key=lambda h: h.start)
    return hits


def _pattern_hits(
    text: str, tokens: list[tuple[str, int, int]], quotes: list[tuple[int, int]], headline: bool
) -> list[_Hit]:
    hits: list[_Hit] = []
    # sensational punctuation, outside quotations
    for m in re.finditer(r"[!?]*![!?]*", text):
        if not _inside(m.start(), quotes):
            hits.append(_Hit(m.group(), "punctuation", _W_EXCLAMATION, m.start(), m.end()))
            break
    # the writer's own voice, outside quotations: rhetorical questions, first and second person
    for m in re.finditer(r"\?", text):
        if not _inside(m.start(), quotes):
            hits.append(_Hit("?", "voice", _W_QUESTION, m.start(), m.end()))
            break
    for m in _VOICE_RE.finditer(text):
        if not _inside(m.start(), quotes):
            hits.append(_Hit(m.group().lower(), "voice", _W_VOICE, m.start(), m.end()))
            break
    # reported speech outside quotations: the sentence attributes what it says
    for m in _ATTRIBUTION_RE.finditer(text):
        if not _inside(m.start(), quotes):
            hits.append(_Hit(m.group().lower(), _ATTRIBUTION_CATEGORY, _ATTRIBUTION_DAMP, m.start(), m.end()))
            break
    # ALL-CAPS emphasis in a headline that is not itself all caps
    if headline:
        words = [t for t in _WORD_RE.finditer(text) if any(c.isalpha() for c in t.group())]
        caps = [w for w in words if w.group().isupper()]
        if words and len(caps) * 2 < len(words):
            for w in caps:
                word = w.group()
                letters = sum(c.isalpha() for c in word)
                if (letters >= 4 and word.upper() not in _ACRONYMS and "." not in word
                        and any(c in "AEIOU" for c in word) and not _inside(w.start(), quotes)):
                    hits.append(_Hit(f"all caps: {word.lower()}", "emphasis", _W_CAPS, w.start(), w.end()))
    # scare quotes: a quoted word or two, lower case, not introduced as someone's words
    for a, b in quotes:
        inner = text[a + 1 : b - 1].strip()
        words = _WORD_RE.findall(inner)
        if not 1 <= len(words) <= 2 or not inner[:1].islower() or re.search(r"[.!?,;:]", inner):
            continue
        before = [t[0] for t in tokens if t[2] <= a][-3:]
        if any(w in _REPORTING_WORDS for w in before):
            continue
        hits.append(_Hit(f"scare quotes: {inner.lower()}", "scare-quotes", _W_SCARE_QUOTES, a, b))
    return hits


def _score(hits: list[_Hit]) -> float:
    keep = 1.0
    damp = 1.0
    for h in hits:
        if h.category == _ATTRIBUTION_CATEGORY:
            damp = min(damp, h.weight)
        else:
            keep *= 1.0 - max(0.0, min(1.0, h.weight))
    return round((1.0 - keep) * damp, 6)


def _terms(hits: list[_Hit]) -> list[str]:
    if _score(hits) < LOADED_THRESHOLD:
        return []
    out: list[str] = []
    for h in hits:
        if h.category != _ATTRIBUTION_CATEGORY and h.weight >= MIN_REPORTED_WEIGHT and h.surface not in out:
            out.append(h.surface)
    return out


# --------------------------------------------------------------------------------------------- API


def flag_sentence(text: str) -> list[str]:
    """The loaded / framing terms of a body sentence, lower-cased as they appear; [] when it reads neutral.

    Words inside a direct quotation are not counted (they are the speaker's); a short scare-quoted word
    is reported as ``"scare quotes: <word>"``, an exclamation mark as ``"!"``.
    """
    return _terms(_analyse(text, headline=False))


def flag_headline(text: str) -> list[str]:
    """Like :func:`flag_sentence` for a headline: adds headline framing verbs ("Slams", "Blasts",
    "Destroys", "Exposes") and ALL-CAPS emphasis (reported as ``"all caps: <word>"``)."""
    return _terms(_analyse(text, headline=True))


def score_sentence(text: str) -> float:
    """How loaded a body sentence reads, 0 (neutral) to 1; compare with :data:`LOADED_THRESHOLD`."""
    return _score(_analyse(text, headline=False))


def score_headline(text: str) -> float:
    """Like :func:`score_sentence` for a headline."""
    return _score(_analyse(text, headline=True))


def neutrality(text: str) -> float:
    """1.0 for neutral text, lower the more loaded it reads (headline rules apply).

    Counts every hit, also those below the flag threshold, so among candidate headlines the plainest wins.
    """
    return round(1.0 - _score(_analyse(text, headline=True)), 6)


def find_loaded(article: Article) -> list[LoadedFlag]:
    """Flags for the article's headline (offsets into its title) and for each loaded sentence of its body
    (offsets into ``article.text``). Body sub-headings are read with the headline rules."""
    flags: list[LoadedFlag] = []
    title = article.title or ""
    if title.strip():
        terms = flag_headline(title)
        if terms:
            start = len(title) - len(title.lstrip())
            end = len(title.rstrip())
            flags.append(LoadedFlag(article=article.id, text=title[start:end], terms=terms, where="headline",
                                    start=start, end=end))
    for s in article.sentences:
        sentence = s.text_of(article.text)
        terms = flag_headline(sentence) if s.is_heading else flag_sentence(sentence)
        if terms:
            flags.append(LoadedFlag(article=article.id, text=sentence, terms=terms, where="body",
                                    start=s.start, end=s.end))
    log.debug("article %s: %d loaded-language flags", article.id, len(flags))
    return flags
