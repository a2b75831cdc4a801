"""Proper names: runs of capitalised words ("Northwind Wire", "Saltmere Port Authority") in a text."""

from __future__ import annotations

import re

_NAME = re.compile(r"\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})*")
_STOP = {"The", "This", "That", "But", "And", "For", "With", "After", "Before", "When", "While", "Monday", "Tuesday",
         "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "President", "Minister", "Prime", "Government",
         "Officials", "Police", "However", "According", "Its", "Their", "They", "There", "Here", "What", "Some"}


def names(text: str) -> set[str]:
    """The proper names of a text, leading function words and titles dropped ("The National Bank" -> "National Bank")."""
    out = set()
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0] in _STOP:  # "The National Bank" is "National Bank"
            words = words[1:]
        if words:
            out.add(" ".join(words))
    return out
