"""Parallax's own fictional loaded/neutral training sentences (``own_sentences.txt``) and their checks.

The file is written by the Parallax developers (see its header): tabloid, content-farm, partisan and opinion
sentences whose own wording is loaded, and plain wire, local and feature sentences, attributed views and
quoted speech that are not. :func:`load` returns rows in the shape of BABE's (``text``, ``label_bias``
Biased / Non-biased, ``biased_words``) plus ``style`` and ``where`` (body / headline).

:func:`planted_overlap` lists every place where the file repeats a loaded phrase planted in our cross-check
clusters (``bench/data/crosscheck/*/gold.json``): those pages measure the detector out of sample, so the
training sentences must not contain their planted phrases (a test keeps it so).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OWN_FILE = HERE / "own_sentences.txt"
CROSSCHECK_ROOT = HERE.parents[1] / "bench" / "data" / "crosscheck"
STYLES = ("tabloid", "farm", "right", "left", "opinion", "wire", "local", "feature", "attributed")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Words too common to make two phrases the same phrase.
_STOP = frozenset(
    "a an the of by to on in at for from with and or but is are was were be been it its this that these those "
    "as into out up over so not no who what why how will would have has had they them their you your we our "
    "he she his her i me my do does did if then than there here just all any one yet another while last "
    "year years ago day days week weeks month months"
    .split())


def load(path: Path = OWN_FILE) -> list[dict[str, Any]]:
    """The sentences as rows: text, label_bias, biased_words, style, where (and the line number)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 5:
            raise ValueError(f"{path}:{n}: expected 5 fields separated by ' | ', got {len(parts)}")
        label, style, where, words, text = parts
        if label not in ("B", "N") or style not in STYLES or where not in ("body", "headline"):
            raise ValueError(f"{path}:{n}: bad label, style or where: {label!r} {style!r} {where!r}")
        biased = [w.strip().lower() for w in words.split(",") if w.strip()]
        if label == "N" and biased:
            raise ValueError(f"{path}:{n}: a neutral sentence lists biased words")
        rows.append({"text": text, "label_bias": "Biased" if label == "B" else "Non-biased",
                     "biased_words": biased, "style": style, "where": where, "line": n})
    return rows


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


def planted_phrases(root: Path = CROSSCHECK_ROOT) -> list[str]:
    """The loaded phrases planted in the cross-check clusters."""
    out = []
    for gold in sorted(root.glob("*/gold.json")):
        out += [item["text"] for item in json.loads(gold.read_text(encoding="utf-8")).get("loaded", [])]
    return out


def planted_overlap(rows: list[dict[str, Any]], phrases: list[str]) -> list[str]:
    """Where the training text repeats a planted phrase: the whole phrase, one of its content-word pairs
    (two content words in a row, function words skipped), or a one-word phrase."""
    texts = [(r["line"], " " + _fold(r["text"]) + " ") for r in rows]
    problems = []
    for phrase in phrases:
        words = _fold(phrase).split()
        content = [w for w in words if w not in _STOP and not w[:1].isdigit()]
        needles = {" " + " ".join(words) + " "}
        needles |= {f" {a} {b} " for a, b in zip(content, content[1:], strict=False)}
        if len(content) == 1:
            needles.add(f" {content[0]} ")
        for line, text in texts:
            for needle in needles:
                if needle in text or _content_pair_in(needle, text):
                    problems.append(f"line {line}: {needle.strip()!r} (planted {phrase!r})")
    return sorted(set(problems))


def _content_pair_in(needle: str, text: str) -> bool:
    """A content-word pair also matches with function words between them in the text."""
    parts = needle.split()
    if len(parts) != 2:
        return False
    content = [w for w in text.split() if w not in _STOP and not w[:1].isdigit()]
    return any(a == parts[0] and b == parts[1] for a, b in zip(content, content[1:], strict=False))
