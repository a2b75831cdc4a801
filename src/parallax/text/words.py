"""Words: the one stop-word set, its closed-class core, a light lemmatiser and content words.

- FUNCTION_WORDS: closed-class words (articles, prepositions, auxiliaries, pronouns, connectives) that end
  a counted noun phrase ("240 residents *were* evacuated") and carry no content.
- STOP_WORDS: FUNCTION_WORDS plus the words news text uses everywhere without saying what happened
  ("said", "also", "new", "year"): left out of TF-IDF and of the content words that support a fact.
"""

from __future__ import annotations

import re

FUNCTION_WORDS = frozenset({
    "a", "across", "after", "also", "an", "and", "are", "as", "at", "away", "back", "be", "been", "before",
    "by", "can", "could", "did", "do", "does", "down", "during", "for", "from", "had", "has", "have", "her",
    "his", "in", "into", "is", "its", "may", "might", "more", "most", "no", "not", "of", "off", "on", "or",
    "our", "out", "over", "per", "said", "should", "since", "than", "that", "the", "their", "these", "this",
    "those", "through", "to", "toward", "towards", "under", "up", "was", "were", "which", "while", "who",
    "will", "with", "would",
})

STOP_WORDS = FUNCTION_WORDS | frozenset({
    "about", "above", "again", "against", "all", "am", "any", "because", "being", "below", "between", "both",
    "but", "doing", "each", "few", "further", "having", "he", "here", "hers", "herself", "him", "himself",
    "how", "i", "if", "it", "itself", "just", "me", "my", "myself", "new", "nor", "now", "once", "one",
    "only", "other", "ours", "ourselves", "own", "same", "say", "says", "she", "so", "some", "such",
    "theirs", "them", "themselves", "then", "there", "they", "too", "two", "until", "very", "we", "what",
    "when", "where", "whom", "why", "year", "years", "you", "your", "yours", "yourself", "yourselves",
})


def lemma(word: str) -> str:
    """A light plural stripper: "ships" -> "ship", "cities" -> "city" (enough to match counted nouns)."""
    w = word.lower().strip("’'")
    for suf, rep in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("s", "")):
        if w.endswith(suf) and len(w) > len(suf) + 2 and not w.endswith("ss"):
            return w[: -len(suf)] + rep
    return w


def content_words(text: str, lower_only: bool = False) -> set[str]:
    """Content words of a text as 6-letter lemma prefixes (4+ letters, not stop words); `lower_only`
    keeps the ordinary (lower-case) ones only, leaving names out."""
    pattern = r"\b[a-z][\w’'-]{3,}" if lower_only else r"[A-Za-z][\w’'-]{3,}"
    return {lemma(w)[:6] for w in re.findall(pattern, text) if w.lower() not in STOP_WORDS}
