"""Which legacy single-byte encoding a page that is not UTF-8 is in: Western (Windows-1252), Central European
(Windows-1250, ISO 8859-2), Greek (Windows-1253, ISO 8859-7) or Cyrillic (Windows-1251).

Byte-frequency detectors (charset-normalizer) cannot tell these apart on a news page: they take short Western
text for Windows-1250 and Polish for Windows-1252. Every one of these encodings decodes nearly any bytes to
letters, so the test here is the words: a text is in one language, so in the right decoding the accented
letters of nearly every word belong to *one* language's alphabet (French à â ç é è ê ë î ï ô œ ù û ü ÿ; Czech
á č ď é ě í ň ó ř š ť ú ů ý ž ...), and a Greek or Cyrillic word is in one script. Czech read as Windows-1252
("pøístav": ø and í belong to no one language) or Greek ("êõâÝñíçóç") fails that. `pick` scores each
decoding by the share of the accented words the best-fitting language covers; Windows-1252 stays the answer
unless another decoding covers `read.legacy_margin` more (config.py).

Not told apart: Cyrillic (Windows-1251) from Greek when both readings are in one script (a Cyrillic text
with neither Т nor я reads as Greek; Greek wins the tie).
"""

from __future__ import annotations

import re
import unicodedata

# Lower-case letters outside ASCII, per language, by the group of encodings that writes it.
WESTERN = {
    "fr": "àâæçéèêëîïôœùûüÿ", "de": "äöüß", "es": "áéíñóúü", "pt": "áâãàçéêíóôõú", "it": "àèéìíîòóù",
    "nl": "áéëïóöüè", "da": "æøåé", "sv": "åäöé", "fi": "åäöšž", "is": "áðéíóúýþæö", "ca": "àçèéíïòóúü",
    "et": "äöõüšž", "ga": "áéíóú",
}
CENTRAL = {
    "cs": "áčďéěíňóřšťúůýž", "sk": "áäčďéíĺľňóôŕšťúýž", "pl": "ąćęłńóśźż", "hu": "áéíóöőúüű", "sl": "čšž",
    "hr": "čćđšž", "ro": "ăâîșțşţ", "de": "äöüß",
}
# Candidate decodings in order of preference (a tie goes to the first), each with its languages, or the
# script its words must be written in.
CANDIDATES: list[tuple[str, dict[str, str] | str]] = [
    ("cp1252", WESTERN), ("cp1250", CENTRAL), ("iso8859_2", CENTRAL), ("cp1253", "GREEK"),
    ("iso8859_7", "GREEK"), ("cp1251", "CYRILLIC"),
]
# What separates words: spaces, ASCII that is not a letter, general punctuation (quotes, dashes, ellipsis),
# currency and a few other signs. A sign inside a word ("Rz±d": Polish ą of ISO 8859-2 read as Windows-1250)
# stays in it, and makes it fit no language.
_BETWEEN = re.compile(r"[\s\x00-\x40\x5b-\x60\x7b-\x7f\u00a0\u2000-\u206f«»€£¥¢°©®™§¶·¿¡]+")


def _accented_words(text: str) -> list[str]:
    return [w.lower() for w in _BETWEEN.split(text) if w and not w.isascii()]


def _script(c: str) -> str:
    return unicodedata.name(c, "").split(" ", 1)[0]


def fit(text: str, languages: dict[str, str] | str) -> float:
    """Share of the accented words of `text` whose letters outside ASCII all belong to the best-fitting one
    of `languages` (or, for a script name, whose letters are all in that script); 1.0 without such words."""
    words = _accented_words(text)
    if not words:
        return 1.0
    if isinstance(languages, str):
        return sum(1 for w in words if all(c.isascii() or _script(c) == languages for c in w)) / len(words)
    best = 0
    for letters in languages.values():
        allowed = set(letters)
        best = max(best, sum(1 for w in words if all(c.isascii() or c in allowed for c in w)))
    return best / len(words)


def pick(data: bytes, margin: float, sample_bytes: int = 200_000) -> tuple[str, str, float] | None:
    """(encoding, text, fit) of the best legacy decoding of `data`, or None when none decodes it.

    Windows-1252 is kept unless another decoding fits `margin` better (`read.legacy_margin`); among
    decodings that fit equally well the first in `CANDIDATES` wins (Windows-1250 before ISO 8859-2: they
    differ in a few letters). The fit is measured on the first `sample_bytes`."""
    head = data[:sample_bytes]
    scored: list[tuple[float, int, str]] = []
    for order, (enc, languages) in enumerate(CANDIDATES):
        try:
            sample = head.decode(enc)
        except UnicodeDecodeError:
            continue
        scored.append((fit(sample, languages), order, enc))
    if not scored:
        return None
    western = next((s for s in scored if s[2] == "cp1252"), None)
    best = max(scored, key=lambda s: (s[0], -s[1]))
    if western is not None and best[0] < western[0] + margin:
        best = western
    for score, _, enc in [best, *sorted(scored, key=lambda s: (-s[0], s[1]))]:
        try:
            return enc, data.decode(enc), score
        except UnicodeDecodeError:  # past the sample: the next best
            continue
    return None
