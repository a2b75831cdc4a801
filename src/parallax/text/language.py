"""The language of a text (issue 23): ISO 639-1 ("en", "es", …), "und" when unsure.

English pages are recognised by their function words (`LanguageConfig.english_function_share` of their words
are English closed-class words) without loading any model, so an English-only brief costs nothing more. Any
other page is identified by py3langid (Adrien Barbaresi's maintained fork of langid.py, BSD-3-Clause; its
model ships in the package, loaded once, lazily, on the first non-English page), restricted to
`LanguageConfig.candidates`; under `min_confidence` the answer is "und".
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from parallax.config import settings
from parallax.text.words import FUNCTION_WORDS

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

UNDETERMINED = "und"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_lock = threading.Lock()
_identifier: Any = None
_identifier_langs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1, or "und"
    confidence: float  # the English gate's function-word share, or py3langid's normalised probability
    method: str  # "function words" | "py3langid" | "too short"


def english_share(text: str) -> tuple[float, int]:
    """(share of the words that are English function words, number of words)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return 0.0, 0
    return sum(w in FUNCTION_WORDS for w in words) / len(words), len(words)


def _model(candidates: tuple[str, ...]) -> Any:
    global _identifier, _identifier_langs
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        if _identifier_langs != candidates:
            _identifier.set_languages(list(candidates))
            _identifier_langs = candidates
        return _identifier


def identify(text: str) -> Language:
    """The language of `text` (its first `sample_chars` characters)."""
    cfg = settings().language
    sample = text[: cfg.sample_chars]
    share, n = english_share(sample)
    if n == 0:
        return Language(UNDETERMINED, 0.0, "too short")
    if share >= cfg.english_function_share and "en" in cfg.candidates:
        return Language("en", round(share, 3), "function words")
    return _langid(sample)


def _langid(text: str) -> Language:
    """py3langid's answer among `LanguageConfig.candidates`, "und" under `min_confidence`."""
    cfg = settings().language
    model = _model(tuple(cfg.candidates))
    with _lock:  # the identifier keeps state between calls
        code, prob = model.classify(text)
    prob = float(prob)
    if prob < cfg.min_confidence:
        return Language(UNDETERMINED, round(prob, 3), "py3langid")
    return Language(str(code), round(prob, 3), "py3langid")


def language_of(article: Any) -> str:
    """The article's language as recorded by `set_language` (the "language" step of every path); for an
    article prepared before languages were recorded (a store filed by an older version), identified now."""
    recorded = article.meta.get("language")
    if recorded:
        return str(recorded)
    return identify(article.text or article.title or "").code


def set_language(article: Any) -> Any:
    """Record `article`'s language in `article.meta["language"]` (its cleaned text, else its title). A step."""
    lang = identify(article.text or article.title or "")
    article.meta["language"] = lang.code
    return article


def sentence_language(text: str, page: str) -> str:
    """The language of one sentence of a page in language `page`: the page's, unless the sentence is long
    enough (`LanguageConfig.sentence_min_words`) and confidently another (a quotation left in its language, a
    bilingual page). On an English page a sentence is identified only when almost none of its words are English
    function words (`sentence_english_max`), so an English sentence is never re-read; on a page in another
    language only when enough of them are (`sentence_english_min`). Where unsure, the page's language."""
    cfg = settings().language
    share, n = english_share(text)
    if n < cfg.sentence_min_words:
        return page
    if page == "en" and share >= cfg.sentence_english_max:
        return page
    if page != "en" and share < cfg.sentence_english_min:
        return page
    found = _langid(text).code  # the model decides: the function-word gate only chose what to ask it
    return page if found == UNDETERMINED else found


def checked_languages() -> tuple[str, ...]:
    """The languages the judge and the loaded-language detector cover (`LanguageConfig.checked`)."""
    return tuple(settings().language.checked)


def checked(article: Any) -> bool:
    """Whether the judge and the loaded-language detector cover `article`'s language (`LanguageConfig.checked`)."""
    return language_of(article) in settings().language.checked
