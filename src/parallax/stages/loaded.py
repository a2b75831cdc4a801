"""Loaded and framing language, sentence by sentence: a learned probability and the words responsible.

The detector reads a sentence's token states from all-MiniLM-L6-v2 (int8 ONNX: the one pass of
:mod:`parallax.text.encoder` that the embedder and the pair judge read too) and scores it with two small logistic
heads trained on BABE (expert-labelled news sentences, see ``models/loaded/MODEL_CARD.md``):

* a **word head** gives each word the probability that it is a bias-inducing word, from the word's
  contextual vector plus lexicon features (``parallax/data/loaded_terms.txt``: term, category, weight) —
  this names the words responsible;
* a **sentence head** gives the probability that the outlet's wording is loaded, from the mean token
  vector of the outlet's own words, the lexicon score and the word head's strongest outputs.

**Attribution.** Words in a direct quotation ("…") or in an attributed view ("what they see as …",
"X called it …", "X described the plan as …") are the source's, not the outlet's: the sentence head and the
outlet's terms see only the other words; loaded words in those spans are reported apart
(:attr:`LoadedResult.attributed`). Scare quotes (a word or two, lower case, not introduced as anyone's
words) stay the outlet's framing.

**Headlines** are read with extra lexicon rules (headline verbs such as "Slams", ALL-CAPS emphasis) and
reported with ``where="headline"``.

Every threshold and tunable is a field of :class:`LoadedConfig`. The heads are a JSON file under
``parallax/models/loaded/`` whose sha256 is checked at load; ``training/loaded`` rebuilds it. The older
lexicon-only detector (noisy-or of term weights) remains as :func:`lexicon_score` / :func:`lexicon_terms`:
its score is one of the model's features and it is the benchmark's peer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from parallax.config import LoadedConfig, settings
from parallax.errors import ParallaxError
from parallax.model import Article, LoadedFlag
from parallax.text.encoder import Encoder, shared_encoder

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_CONFIG",
    "LOADED_THRESHOLD",
    "Detector",
    "Heads",
    "LoadedConfig",
    "LoadedResult",
    "LoadedTerm",
    "analyse",
    "analyse_many",
    "featurize",
    "find_loaded",
    "flag_headline",
    "flag_sentence",
    "get_detector",
    "lexicon_score",
    "lexicon_terms",
    "load_heads",
    "neutrality",
    "score_headline",
    "score_sentence",
    "source_spans",
    "token_states",
]


# --------------------------------------------------------------------------------------------- config


DEFAULT_CONFIG = LoadedConfig()  # the shipped model's configuration (see parallax.config)
#: Kept for callers of the old API: the default sentence threshold.
LOADED_THRESHOLD = DEFAULT_CONFIG.threshold

MODEL_DIR = "models/loaded"
MODEL_FILE = "heads.json"
#: sha256 of the shipped ``heads.json``; checked at load.
MODEL_SHA256 = "ff3b14e07fa8c0aeb120ccdd7b6aff75be0c93278209ea2a222785b4c974a4fa"
MODEL_FORMAT = "parallax-loaded-heads/1"

_LEXICON_FILE = "loaded_terms.txt"
_HEADLINE_CATEGORY = "headline"
_NEUTRAL_CATEGORY = "neutral"
# Reported speech ("said", "told", "according to"): the words are the speaker's, so the score is damped.
_ATTRIBUTION_CATEGORY = "attribution"
#: Lexicon categories the word head sees as one-hot features (order is part of the model's input).
CATEGORIES = ("hyperbole", "intensifier", "emotive", "pejorative", "attack-verb", "speech-verb", "framing",
              "opinion-adverb", "doubt", "partisan", "profanity", "headline")
N_WORD_LEX = len(CATEGORIES) + 2  # categories, the strongest weight, capitalised
N_AGG = 5  # the word head's strongest outputs fed to the sentence head


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words kept as written when a phrase's other words are inflected.
_FUNCTION_WORDS = _wordset(
    "a an the of by to on in at for from with against into out up down off over about as and or but "
    "is are was were be been it its this that these those no not nothing than so such what who"
)

_ATTRIBUTION_RE = re.compile(r"\b(?:said|says|told|according to|stated|announced|reported)\b")

# First- and second-person words: outside a quotation, the writer addressing the reader.
_VOICE_RE = re.compile(r"\b(?:[Ww]e|WE|[Oo]urs?|[Uu]s|[Yy]ou|[Yy]our|I|[Mm]y|[Mm]e)\b(?![.'’-]?[A-Z])")

# Lexicon tokens (ASCII words, as the lexicon is written) and words for the model (any letters).
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_MODEL_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")

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

# --- attributed views: the words after these are the source's view, up to the end of the clause -------
_VIEW_VERBS = (
    r"see|sees|saw|seen|call|calls|called|describe|describes|described|consider|considers|considered|"
    r"regard|regards|regarded|view|views|viewed|perceive|perceives|perceived|term|terms|termed|deem|deems|"
    r"deemed|characteri[sz]e|characteri[sz]es|characteri[sz]ed|brand|brands|branded|label|labels|"
    r"label(?:l)?ed|dub|dubs|dubbed"
)
# "what they see as …", "what critics call …", "which the minister described as …"
_WHAT_VIEW_RE = re.compile(rf"\b(?:what|which|whom?)\s+(?:[\w'’.-]+\s+){{1,4}}?(?:{_VIEW_VERBS})\b(?:\s+as\b)?",
                           re.IGNORECASE)
# "X called it …", "… branded the plan as …", "… described them as …"
_CALLED_RE = re.compile(
    r"\b(?:called|calls|calling|dubbed|branded|brands|labell?ed|labels|described|describes|describing|"
    r"denounced|denounces|termed|characteri[sz]ed)\s+(?:it|them|him|her|this|that|these|those|"
    r"(?:the|his|her|their|its)\s+[\w'’-]+(?:\s+[\w'’-]+)?|[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)\s+(?:as\s+)?",
)
# indirect speech (only with LoadedConfig.indirect_speech_is_source)
_SAID_RE = re.compile(r"\b(?:said|says|told\s+\w+|argued|argues|stated|states|insisted|insists)\s+(?:that\s+)?")
_ACCORDING_LEAD_RE = re.compile(r"^\s*According to [^,]{2,80},\s*")
_ACCORDING_TAIL_RE = re.compile(r",\s*according to [^,.;]{2,80}[.!?]?\s*$")
_CLAUSE_END_RE = re.compile(r"[,;:.!?()—–]|\s-\s")


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
    sha256: str


# --------------------------------------------------------------------------------------------- lexicon


def inflections(word: str) -> set[str]:
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
        options = [[w] if (w in _FUNCTION_WORDS and len(words) > 1) else sorted(inflections(w)) for w in words]
        for combo in product(*options):
            # a term written in the lexicon always wins over another term's inflection
            if combo not in base:
                entries.setdefault(combo, entry)
    max_len = max((len(k) for k in entries), default=1)
    return _Lexicon(entries, max_len, size, hashlib.sha256(text.encode()).hexdigest())


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    text = resources.files("parallax").joinpath("data", _LEXICON_FILE).read_text(encoding="utf-8")
    lex = _parse_lexicon(text)
    log.debug("loaded lexicon: %d terms, %d forms", lex.size, len(lex.entries))
    return lex



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



def lexicon_size() -> int:
    """How many terms the lexicon file holds (before inflection)."""
    return _lexicon().size


def lexicon_sha256() -> str:
    """sha256 of the lexicon file as read (stored with the trained heads: the lexicon is a feature)."""
    return _lexicon().sha256


# --------------------------------------------------------------------------------------------- quotes


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _is_scare_quote(text: str, a: int, b: int, tokens: list[tuple[str, int, int]]) -> bool:
    """A quoted word or two, lower case, not introduced as someone's words: the outlet's own framing."""
    inner = text[a + 1 : b - 1].strip()
    words = _WORD_RE.findall(inner)
    if not 1 <= len(words) <= 2 or not inner[:1].islower() or re.search(r"[.!?,;:]", inner):
        return False
    before = [t[0] for t in tokens if t[2] <= a][-3:]
    return not any(w in _REPORTING_WORDS for w in before)


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_END_RE.search(text, pos)
    return m.start() if m else len(text)


def source_spans(text: str, config: LoadedConfig = DEFAULT_CONFIG) -> list[tuple[int, int, str]]:
    """Spans of ``text`` that carry a source's words or view, not the outlet's: ``(start, end, kind)``.

    ``kind`` is ``"quoted"`` (a direct quotation, marks included; scare quotes excluded) or
    ``"attributed"`` (the view after "what X sees as", "X called it", "X described the plan as"; with
    ``config.indirect_speech_is_source`` also the complement of "X said (that)" and "according to X").
    """
    tokens = [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    spans: list[tuple[int, int, str]] = [
        (a, b, "quoted") for a, b in _quoted_spans(text) if not _is_scare_quote(text, a, b, tokens)
    ]
    for rx in (_WHAT_VIEW_RE, _CALLED_RE):
        for m in rx.finditer(text):
            start = m.end() + len(text[m.end() :]) - len(text[m.end() :].lstrip())
            if start < len(text) and text[start] in "\"“‘'":
                continue  # the quotation that follows is a quoted span already
            end = _clause_end(text, start)
            if end > start:
                spans.append((start, end, "attributed"))
    if config.indirect_speech_is_source:
        for m in _SAID_RE.finditer(text):
            end = _clause_end(text, m.end())
            if end > m.end():
                spans.append((m.end(), end, "attributed"))
        m = _ACCORDING_LEAD_RE.match(text)
        if m:
            spans.append((m.end(), len(text), "attributed"))
        m = _ACCORDING_TAIL_RE.search(text)
        if m:
            spans.append((0, m.start(), "attributed"))
    return sorted(spans)


# --------------------------------------------------------------------------------------------- lexicon hits


def _lexicon_hits(text: str, headline: bool, exclude: list[tuple[int, int]]) -> list[_Hit]:
    """The lexicon's terms in ``text`` (longest match first), skipping those starting in ``exclude``."""
    lex = _lexicon()
    tokens = [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    hits: list[_Hit] = []
    i = 0
    while i < len(tokens):
        matched = 0
        for length in range(min(lex.max_len, len(tokens) - i), 0, -1):
            entry = lex.entries.get(tuple(t[0] for t in tokens[i : i + length]))
            if entry is None:
                continue
            matched = length
            start, end = tokens[i][1], tokens[i + length - 1][2]
            if entry.category == _NEUTRAL_CATEGORY or (entry.category == _HEADLINE_CATEGORY and not headline):
                break
            if not _inside(start, exclude):
                hits.append(_Hit(text[start:end].lower(), entry.category, entry.weight, start, end))
            break
        i += matched or 1
    return hits


def _pattern_hits(text: str, exclude: list[tuple[int, int]], headline: bool, cfg: LoadedConfig) -> list[_Hit]:
    """Exclamation marks, questions, the writer's voice, reported speech, scare quotes, headline caps."""
    tokens = [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    hits: list[_Hit] = []
    for m in re.finditer(r"[!?]*![!?]*", text):
        if not _inside(m.start(), exclude):
            hits.append(_Hit(m.group(), "punctuation", cfg.w_exclamation, m.start(), m.end()))
            break
    for m in re.finditer(r"\?", text):
        if not _inside(m.start(), exclude):
            hits.append(_Hit("?", "voice", cfg.w_question, m.start(), m.end()))
            break
    for m in _VOICE_RE.finditer(text):
        if not _inside(m.start(), exclude):
            hits.append(_Hit(m.group().lower(), "voice", cfg.w_voice, m.start(), m.end()))
            break
    for m in _ATTRIBUTION_RE.finditer(text):
        if not _inside(m.start(), exclude):
            hits.append(_Hit(m.group().lower(), _ATTRIBUTION_CATEGORY, cfg.attribution_damp, m.start(), m.end()))
            break
    if headline:  # ALL-CAPS emphasis in a headline that is not itself all caps
        words = [t for t in _WORD_RE.finditer(text) if any(c.isalpha() for c in t.group())]
        caps = [w for w in words if w.group().isupper()]
        if words and len(caps) * 2 < len(words):
            for w in caps:
                word = w.group()
                letters = sum(c.isalpha() for c in word)
                if (letters >= 4 and word.upper() not in _ACRONYMS and "." not in word
                        and any(c in "AEIOU" for c in word) and not _inside(w.start(), exclude)):
                    hits.append(_Hit(f"all caps: {word.lower()}", "emphasis", cfg.w_caps, w.start(), w.end()))
    for a, b in _quoted_spans(text):
        if _is_scare_quote(text, a, b, tokens):
            inner = text[a + 1 : b - 1].strip()
            hits.append(_Hit(f"scare quotes: {inner.lower()}", "scare-quotes", cfg.w_scare_quotes, a, b))
    return hits


def _noisy_or(hits: list[_Hit]) -> float:
    keep = 1.0
    damp = 1.0
    for h in hits:
        if h.category == _ATTRIBUTION_CATEGORY:
            damp = min(damp, h.weight)
        else:
            keep *= 1.0 - max(0.0, min(1.0, h.weight))
    return round((1.0 - keep) * damp, 6)


def _all_hits(text: str, headline: bool, exclude: list[tuple[int, int]], cfg: LoadedConfig) -> list[_Hit]:
    hits = _lexicon_hits(text, headline, exclude) + _pattern_hits(text, exclude, headline, cfg)
    hits.sort(key=lambda h: h.start)
    return hits


def _outlet_exclude(text: str, cfg: LoadedConfig) -> list[tuple[int, int]]:
    if not cfg.attribution:
        return [(a, b) for a, b in _quoted_spans(text)]
    return [(a, b) for a, b, _ in source_spans(text, cfg)]


def lexicon_score(text: str, headline: bool = False, config: LoadedConfig = DEFAULT_CONFIG) -> float:
    """The lexicon-only detector: noisy-or of the weights of the outlet's lexicon terms and patterns, 0-1.

    A feature of the learned model and the benchmark's peer; quoted and attributed words are not counted.
    """
    return _noisy_or(_all_hits(text, headline, _outlet_exclude(text, config), config))


def lexicon_terms(text: str, headline: bool = False, config: LoadedConfig = DEFAULT_CONFIG) -> list[str]:
    """The lexicon-only detector's terms when its score reaches ``config.threshold``, else []."""
    hits = _all_hits(text, headline, _outlet_exclude(text, config), config)
    if _noisy_or(hits) < config.threshold:
        return []
    out: list[str] = []
    for h in hits:
        if h.category != _ATTRIBUTION_CATEGORY and h.weight >= config.min_reported_weight and h.surface not in out:
            out.append(h.surface)
    return out


# --------------------------------------------------------------------------------------------- encoder


def token_states(texts: list[str], config: LoadedConfig = DEFAULT_CONFIG,
                 encoder: Encoder | None = None) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
    """Per text: the last hidden states of its word pieces (without [CLS]/[SEP]) and their character offsets,
    at most ``config.max_tokens`` pieces read: the detector's view of the one encoder pass
    (:mod:`parallax.text.encoder`; default the process-wide encoder the embedder and the judge share)."""
    out: list[tuple[np.ndarray, list[tuple[int, int]]]] = []
    for e in (encoder or shared_encoder()).encode(texts, config.max_tokens):
        keep = e.offsets[:, 1] > e.offsets[:, 0]  # [CLS] and [SEP] have the empty span (0, 0)
        out.append((e.states[keep], [(int(a), int(b)) for a, b in e.offsets[keep]]))
    return out


# --------------------------------------------------------------------------------------------- features


@dataclass(slots=True)
class SentenceFeatures:
    """What the heads read for one text (also what ``training/loaded`` fits on)."""

    words: list[tuple[str, int, int]]  # the model's words with offsets
    word_x: np.ndarray  # (n_words, 384 + N_WORD_LEX)
    outlet: np.ndarray  # (n_words,) bool: the word is the outlet's (not quoted / attributed)
    source_kind: list[str]  # per word: "outlet", "quoted" or "attributed"
    pooled: np.ndarray  # (384,) L2-normalised mean of the outlet's word-piece states
    lexicon: float  # the lexicon-only score (outlet's words)
    headline: bool = False
    hits: list[_Hit] = field(default_factory=list)  # the outlet's lexicon and pattern hits


def featurize(texts: list[str], headline: bool = False, config: LoadedConfig = DEFAULT_CONFIG,
              encoder: Encoder | None = None) -> list[SentenceFeatures]:
    """The heads' inputs for each text: the encoder's states (one pass per text), then words, spans, lexicon."""
    enc = token_states(texts, config, encoder)
    return [_features_of(text, hidden, offsets, headline, config) for text, (hidden, offsets) in
            zip(texts, enc, strict=True)]


def _features_of(text: str, hidden: np.ndarray, offsets: list[tuple[int, int]], headline: bool,
                 cfg: LoadedConfig) -> SentenceFeatures:
    spans = source_spans(text, cfg) if cfg.attribution else [(a, b, "quoted") for a, b in _quoted_spans(text)]
    exclude = [(a, b) for a, b, _ in spans]
    raw_hits = _lexicon_hits(text, headline, [])
    outlet_hits = _all_hits(text, headline, exclude, cfg)
    words: list[tuple[str, int, int]] = []
    vecs: list[np.ndarray] = []
    lexf: list[np.ndarray] = []
    kinds: list[str] = []
    piece_outlet = np.ones(len(offsets), bool)
    starts = np.array([o[0] for o in offsets], dtype=np.int64)
    ends = np.array([o[1] for o in offsets], dtype=np.int64)
    for j, (s, _e) in enumerate(offsets):
        piece_outlet[j] = not _inside(s, exclude)
    for m in _MODEL_WORD_RE.finditer(text):
        a, z = m.start(), m.end()
        sel = np.nonzero((starts < z) & (ends > a))[0]
        if not len(sel):
            continue  # past the encoder's truncation
        words.append((m.group(), a, z))
        vecs.append(hidden[sel].mean(axis=0))
        f = np.zeros(N_WORD_LEX, np.float32)
        for h in raw_hits:
            if h.start < z and h.end > a and h.category in CATEGORIES:
                f[CATEGORIES.index(h.category)] = 1.0
                f[-2] = max(f[-2], h.weight)
        f[-1] = float(m.group()[:1].isupper())
        lexf.append(f)
        kind = next((k for s0, e0, k in spans if s0 <= a < e0), "outlet")
        kinds.append(kind)
    dim = hidden.shape[1] if hidden.ndim == 2 else 384
    word_x = (np.hstack([np.array(vecs, np.float32), np.array(lexf, np.float32)]) if vecs
              else np.zeros((0, dim + N_WORD_LEX), np.float32))
    outlet = np.array([k == "outlet" for k in kinds], bool)
    pooled = hidden[piece_outlet].mean(axis=0) if piece_outlet.any() else np.zeros(dim, np.float32)
    norm = float(np.linalg.norm(pooled))
    pooled = pooled / norm if norm > 0 else pooled
    return SentenceFeatures(words, word_x, outlet, kinds, pooled.astype(np.float32), _noisy_or(outlet_hits),
                            headline, outlet_hits)


def word_aggregates(p_outlet: np.ndarray) -> np.ndarray:
    """The sentence head's view of the word head: max, mean of top 3, count >= 0.5, count >= 0.3, sum."""
    if not len(p_outlet):
        return np.zeros(N_AGG, np.float32)
    s = np.sort(p_outlet)[::-1]
    return np.array([s[0], s[:3].mean(), (s >= 0.5).sum(), (s >= 0.3).sum(), s.sum()], np.float32)


def sentence_vector(f: SentenceFeatures, p_words: np.ndarray, cfg: LoadedConfig) -> np.ndarray:
    """The sentence head's input: pooled outlet vector, scaled lexicon score, word-head aggregates and
    which lexicon categories occur among the outlet's words."""
    agg = word_aggregates(p_words[f.outlet] if len(p_words) else p_words)
    dim = f.word_x.shape[1] - N_WORD_LEX
    if f.outlet.any():
        cats = f.word_x[f.outlet, dim : dim + len(CATEGORIES)].max(axis=0)
    else:
        cats = np.zeros(len(CATEGORIES), np.float32)
    return np.concatenate([f.pooled, [f.lexicon * cfg.lexicon_feature_scale], agg, cats]).astype(np.float32)


# --------------------------------------------------------------------------------------------- heads


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True, slots=True)
class Heads:
    """The two logistic heads: word (bias-inducing word) and sentence (the outlet's wording is loaded)."""

    word_coef: np.ndarray
    word_intercept: float
    sentence_coef: np.ndarray
    sentence_intercept: float
    meta: dict[str, Any] = field(default_factory=dict)

    def word_proba(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0, np.float32)
        return _sigmoid(x @ self.word_coef + self.word_intercept)

    def sentence_proba(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(x @ self.sentence_coef + self.sentence_intercept)

    def to_json(self) -> str:
        d = {"format": MODEL_FORMAT, **self.meta,
             "word_head": {"coef": [round(float(v), 7) for v in self.word_coef],
                           "intercept": round(float(self.word_intercept), 7)},
             "sentence_head": {"coef": [round(float(v), 7) for v in self.sentence_coef],
                               "intercept": round(float(self.sentence_intercept), 7)}}
        return json.dumps(d, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Heads:
        d = json.loads(text)
        if d.get("format") != MODEL_FORMAT:
            raise ParallaxError(f"loaded-language model format {d.get('format')!r}, expected {MODEL_FORMAT}",
                                code="PX202", input=MODEL_FILE)
        meta = {k: v for k, v in d.items() if k not in ("format", "word_head", "sentence_head")}
        return cls(np.array(d["word_head"]["coef"], np.float64), float(d["word_head"]["intercept"]),
                   np.array(d["sentence_head"]["coef"], np.float64), float(d["sentence_head"]["intercept"]), meta)


def model_path() -> Path:
    """Where the shipped heads live (package data)."""
    return Path(str(resources.files("parallax").joinpath(MODEL_DIR, MODEL_FILE)))


@lru_cache(maxsize=1)
def load_heads(verify: bool = True) -> Heads:
    """The shipped heads, sha256-checked against :data:`MODEL_SHA256`."""
    path = model_path()
    if not path.exists():
        raise ParallaxError(f"loaded-language model missing at {path}; rebuild with training/loaded",
                            code="PX201", input=str(path))
    raw = path.read_bytes()
    if verify:
        got = hashlib.sha256(raw).hexdigest()
        if got != MODEL_SHA256:
            raise ParallaxError(f"sha256 of {path} is {got}, expected {MODEL_SHA256}", code="PX202",
                                input=str(path))
    heads = Heads.from_json(raw.decode("utf-8"))
    if heads.meta.get("lexicon_sha256") not in (None, lexicon_sha256()):
        log.warning("loaded_terms.txt changed since the loaded-language model was trained; retrain with "
                    "training/loaded")
    return heads


def is_loaded(score: float, p_outlet: np.ndarray, where: str, cfg: LoadedConfig, source_words: int = 0) -> bool:
    """The decision: the sentence head's probability reaches the threshold of its place (body or headline),
    or one of the outlet's own words reaches ``cfg.word_loaded`` (a single strongly loaded word is enough).
    When the text holds a source's words (``source_words`` quoted or attributed) and fewer than
    ``cfg.min_outlet_words`` are the outlet's, the sentence head's reading of those few words does not count:
    only a strongly loaded outlet word flags it."""
    strong = bool(len(p_outlet) and float(p_outlet.max()) >= cfg.word_loaded)
    if source_words and len(p_outlet) < cfg.min_outlet_words:
        return strong
    threshold = cfg.headline_threshold if where == "headline" else cfg.threshold
    return score >= threshold or strong


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class LoadedTerm:
    """A word or phrase responsible for a loaded reading; offsets into the analysed text."""

    text: str  # as it appears, lower-cased (patterns: "!", "scare quotes: …", "all caps: …")
    start: int
    end: int
    score: float  # the word head's probability (patterns: their lexicon weight)
    source: str = "outlet"  # "outlet", "quoted" or "attributed"


@dataclass(frozen=True, slots=True)
class LoadedResult:
    """The detector's reading of one sentence or headline."""

    text: str
    where: str  # "body" | "headline"
    score: float  # probability that the outlet's wording is loaded
    loaded: bool  # score >= the place's threshold, or an outlet word >= config.word_loaded (see is_loaded)
    terms: tuple[LoadedTerm, ...]  # the outlet's words responsible (listed whether or not loaded)
    attributed: tuple[LoadedTerm, ...]  # loaded words inside quotations / attributed views (the sources')
    page_loaded: bool = False  # loaded on a page in a loaded voice (`LoadedConfig.page_threshold`, named terms)

    @property
    def term_texts(self) -> list[str]:
        return [t.text for t in self.terms]


# --------------------------------------------------------------------------------------------- detector


class Detector:
    """The loaded-language detector: a config, the heads and an encoder; results cached by text."""

    def __init__(self, config: LoadedConfig = DEFAULT_CONFIG, heads: Heads | None = None,
                 encoder: Encoder | None = None):
        self.config = config
        self._page_config = replace(config, threshold=config.page_threshold)  # the decision on a voiced page
        self._heads = heads
        self._checked = False
        self._encoder = encoder
        self._cache: OrderedDict[tuple[str, str], LoadedResult] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def heads(self) -> Heads:
        """The heads (the shipped ones unless given), refused when trained with other feature settings."""
        if not self._checked:
            heads = self._heads if self._heads is not None else load_heads()
            want, got = heads.meta.get("feature_key"), self.config.feature_key()
            if want is not None and want != got:
                raise ParallaxError(f"LoadedConfig feature fields {got} differ from the model's {want}; "
                                    "retrain with training/loaded", code="PX202", input=MODEL_FILE)
            self._heads, self._checked = heads, True
        assert self._heads is not None
        return self._heads

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    def analyse_many(self, texts: list[str], where: str = "body") -> list[LoadedResult]:
        """Read many texts at once (one encoder batch); ``where`` is "body" or "headline"."""
        if where not in ("body", "headline"):
            raise ValueError(f"where must be 'body' or 'headline', not {where!r}")
        out: list[LoadedResult | None] = [None] * len(texts)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, t in enumerate(texts):
                hit = self._cache.get((where, t))
                if hit is not None:
                    out[i] = hit
                else:
                    todo.setdefault(t, []).append(i)
        if todo:
            keys = list(todo)
            feats = featurize(keys, where == "headline", self.config, self.encoder)
            for t, f in zip(keys, feats, strict=True):
                r = self._result(t, f, where)
                for i in todo[t]:
                    out[i] = r
            with self._lock:
                for t in keys:
                    self._cache[(where, t)] = out[todo[t][0]]  # type: ignore[assignment]
                while len(self._cache) > self.config.cache_size:
                    self._cache.popitem(last=False)
        return out  # type: ignore[return-value]

    def analyse(self, text: str, where: str = "body") -> LoadedResult:
        return self.analyse_many([text], where)[0]

    def _result(self, text: str, f: SentenceFeatures, where: str) -> LoadedResult:
        cfg, heads = self.config, self.heads
        p_words = heads.word_proba(f.word_x)
        if f.outlet.any():
            score = float(heads.sentence_proba(sentence_vector(f, p_words, cfg)[None, :])[0])
        else:
            score = 0.0  # every word is quoted or attributed: nothing here is the outlet's wording
        terms = self._terms(text, f, p_words, outlet=True)
        p_outlet = p_words[f.outlet] if len(p_words) else p_words
        source_words = int((~f.outlet).sum())
        loaded = is_loaded(score, p_outlet, where, cfg, source_words)
        page_loaded = loaded or (bool(terms) and (
            is_loaded(score, p_outlet, where, self._page_config, source_words)
            or self._content_max(f, p_words) >= cfg.page_word_loaded))
        if loaded and not terms:
            terms = self._fallback_terms(text, f, p_words)
        attributed = self._terms(text, f, p_words, outlet=False)
        return LoadedResult(text, where, round(score, 6), loaded, tuple(terms), tuple(attributed), page_loaded)

    @staticmethod
    def _content_max(f: SentenceFeatures, p: np.ndarray) -> float:
        """The word head's highest probability among the outlet's content words (0 when none): a function word
        ("in", "out", "the") is no loaded wording on its own, so it does not flag a sentence on a voiced page
        (`page_word_loaded`)."""
        return max((float(p[k]) for k, (w, _, _) in enumerate(f.words)
                    if f.outlet[k] and w.lower() not in _FUNCTION_WORDS), default=0.0)

    def _terms(self, text: str, f: SentenceFeatures, p: np.ndarray, outlet: bool) -> list[LoadedTerm]:
        cfg = self.config
        picked = [k for k in range(len(f.words)) if p[k] >= cfg.word_threshold and f.outlet[k] == outlet]
        picked = sorted(sorted(picked, key=lambda k: -p[k])[: cfg.max_terms])
        terms: list[LoadedTerm] = []
        # a responsible word inside a lexicon phrase is reported as the phrase ("power grab")
        phrases = [h for h in _lexicon_hits(text, f.headline, []) if " " in h.surface]
        for k in picked:
            _, a, z = f.words[k]
            ph = next((h for h in phrases if h.start <= a and z <= h.end), None)
            if ph is not None:
                a, z = ph.start, ph.end
            t = LoadedTerm(text[a:z].lower(), a, z, round(float(p[k]), 4),
                           "outlet" if outlet else f.source_kind[k])
            if not terms or terms[-1].text != t.text or terms[-1].start != t.start:
                terms.append(t)
        if outlet:  # the outlet's strong lexicon terms and patterns (punctuation, scare quotes, headline caps)
            for h in f.hits:
                if h.category == _ATTRIBUTION_CATEGORY:
                    continue
                pattern = h.category in ("punctuation", "scare-quotes", "emphasis", "voice")
                if pattern and h.category == "voice":
                    continue  # "we" / "?" shape the score; they are not words to show as loaded
                want = cfg.min_reported_weight if pattern else cfg.lexicon_term_weight
                covered = any(t.start <= h.start and h.end <= t.end for t in terms)
                if h.weight >= want and not (covered and not pattern):
                    terms.append(LoadedTerm(h.surface, h.start, h.end, h.weight))
            terms.sort(key=lambda t: (t.start, -t.end))
        return terms

    def _fallback_terms(self, text: str, f: SentenceFeatures, p: np.ndarray) -> list[LoadedTerm]:
        """A loaded sentence always names something: its most probable outlet word."""
        idx = [k for k in range(len(f.words)) if f.outlet[k]]
        if not idx:
            return []
        k = max(idx, key=lambda j: p[j])
        w, a, z = f.words[k]
        return [LoadedTerm(w.lower(), a, z, round(float(p[k]), 4))]


_default_detector: Detector | None = None


def get_detector() -> Detector:
    """The process-wide detector with the default :class:`LoadedConfig` and the shipped heads."""
    global _default_detector
    cfg = settings().loaded
    if _default_detector is None or _default_detector.config != cfg:
        _default_detector = Detector(cfg)
    return _default_detector


# --------------------------------------------------------------------------------------------- API


def analyse(text: str, where: str = "body") -> LoadedResult:
    """The default detector's reading of one sentence (``where="body"``) or headline."""
    return get_detector().analyse(text, where)


def analyse_many(texts: list[str], where: str = "body") -> list[LoadedResult]:
    """Like :func:`analyse` for many texts in one encoder batch (much faster than one by one)."""
    return get_detector().analyse_many(list(texts), where)


def flag_sentence(text: str) -> list[str]:
    """The outlet's loaded / framing terms in a body sentence, lower-cased as they appear; [] when it reads
    neutral. Quoted and attributed words are the source's and never listed here."""
    r = analyse(text, "body")
    return _dedupe(r.term_texts) if r.loaded else []


def flag_headline(text: str) -> list[str]:
    """Like :func:`flag_sentence` for a headline: adds headline verbs ("Slams") and ALL-CAPS emphasis."""
    r = analyse(text, "headline")
    return _dedupe(r.term_texts) if r.loaded else []


def score_sentence(text: str) -> float:
    """Probability that a body sentence's own wording is loaded, 0-1; compare with ``LoadedConfig.threshold``."""
    return analyse(text, "body").score


def score_headline(text: str) -> float:
    """Like :func:`score_sentence` for a headline."""
    return analyse(text, "headline").score


def neutrality(text: str) -> float:
    """1.0 for neutral text (headline rules), lower the more loaded it reads.

    Probabilities under ``LoadedConfig.neutral_below`` read as fully neutral (1.0); above, neutrality falls
    linearly to 0 at probability 1, so among candidate headlines the plainest wins.
    """
    cfg = get_detector().config
    p = score_headline(text)
    if p < cfg.neutral_below:
        return 1.0
    return round(max(0.0, 1.0 - (p - cfg.neutral_below) / (1.0 - cfg.neutral_below)), 6)


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def find_loaded(article: Article) -> list[LoadedFlag]:
    """Flags for the article's headline (``where="headline"``, offsets into its title) and for each loaded
    body sentence (``where="body"``, offsets into ``article.text``). Body sub-headings are read with the
    headline rules. One encoder batch per kind."""
    det = get_detector()
    flags: list[LoadedFlag] = []
    title = article.title or ""
    if title.strip():
        start = len(title) - len(title.lstrip())
        end = len(title.rstrip())
        r = det.analyse(title[start:end], "headline")
        if r.loaded:
            flags.append(LoadedFlag(article=article.id, text=title[start:end], terms=_dedupe(r.term_texts),
                                    where="headline", start=start, end=end))
    from parallax.text.language import checked_languages, language_of, sentence_language

    page, covered = language_of(article), checked_languages()
    # a sentence left in another language (a quotation in Spanish on an English page) is not read: no model
    sents = [(s, t) for s in article.sentences
             if sentence_language(t := s.text_of(article.text), page) in covered or s.is_heading]
    body = det.analyse_many([t for s, t in sents if not s.is_heading], "body")
    heads = det.analyse_many([t for s, t in sents if s.is_heading], "headline")
    # An outlet's voice holds across its page: where enough body sentences are loaded, the page's threshold applies.
    voiced = sum(r.loaded for r in body) >= det.config.page_voice_min
    it_body, it_head = iter(body), iter(heads)
    for s, text in sents:
        r = next(it_head) if s.is_heading else next(it_body)
        if r.loaded or (voiced and not s.is_heading and r.page_loaded):
            flags.append(LoadedFlag(article=article.id, text=text, terms=_dedupe(r.term_texts), where="body",
                                    start=s.start, end=s.end))
    log.debug("article %s: %d loaded-language flags", article.id, len(flags))
    return flags
