"""Repetition across one site's pages: blocks that recur on many of a site's stories are its boilerplate.

A site repeats its menus, footers, standards lines, newsletter calls and author bios on every story; an
article's text does not repeat. `site_boilerplate` takes the pages of one site (as read: one block per line)
and returns the fingerprints of the blocks seen on enough of them; `clean_article(article,
boilerplate=...)` then removes those blocks, recording them as "repeated on many of this site's pages".
The store knows each article's site (`site_key`), so it can pass a site's stored pages.

Two guards keep the article: pages that share most of their long blocks (versions or updates of one story)
count as one page, and a long prose paragraph needs more pages than a short line, since newsrooms do reuse a
background paragraph across a few stories of a running event.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlparse

from parallax.config import CleanConfig, settings
from parallax.stages.clean import rules

_DIGITS = re.compile(r"\d+")
_NONWORD = re.compile(r"\W+", re.UNICODE)


def fingerprint(block: str) -> str:
    """A block's fingerprint: case, punctuation and numbers ignored ("© 2025" and "© 2026" are one block)."""
    norm = _NONWORD.sub(" ", _DIGITS.sub("0", block.lower())).strip()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def page_fingerprints(raw: str) -> dict[str, str]:
    """fingerprint -> block text, for every non-blank line of a page as read."""
    out: dict[str, str] = {}
    for line in raw.splitlines():
        text = line.strip()
        if text and _NONWORD.sub("", text):
            out.setdefault(fingerprint(text), text)
    return out


def site_key(url: str | None, source: str | None = None) -> str | None:
    """The site a page belongs to: its host without "www." (or, without a URL, the outlet's name)."""
    host = urlparse(url or "").netloc.lower().split("@")[-1].split(":")[0].removeprefix("www.")
    if host:
        return host
    return source.strip().lower() if source and source.strip() else None


def _is_prose(text: str, config: CleanConfig) -> bool:
    return len(rules.words(text)) >= config.site_prose_words and rules.ends_sentence(text)


def _families(pages: Sequence[dict[str, str]], config: CleanConfig) -> list[int]:
    """Pages sharing `site_same_story` of the smaller page's prose blocks are one family (one story's
    versions); menus and footers do not count, since every page of the site shares them."""
    sets = [{fp for fp, text in page.items() if _is_prose(text, config)} for page in pages]
    parent = list(range(len(sets)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            small = min(len(sets[i]), len(sets[j]))
            if small and len(sets[i] & sets[j]) / small >= config.site_same_story:
                parent[find(i)] = find(j)
    return [find(i) for i in range(len(sets))]


def site_boilerplate(pages: Iterable[str], config: CleanConfig | None = None) -> frozenset[str]:
    """Fingerprints of the blocks that recur across the given pages of ONE site (each page as read).

    A block is boilerplate when it is on at least `site_min_share` of the site's distinct pages (families)
    and on at least `site_min_pages` of them (`site_prose_min_pages` for a long prose paragraph)."""
    config = config or settings().clean
    per_page = [page_fingerprints(p) for p in pages]
    if len(per_page) < config.site_min_pages:
        return frozenset()
    family = _families(per_page, config)
    n_families = len(set(family))
    if n_families < config.site_min_pages:
        return frozenset()
    seen: dict[str, set[int]] = {}
    text_of: dict[str, str] = {}
    for fam, fps in zip(family, per_page, strict=True):
        for fp, text in fps.items():
            seen.setdefault(fp, set()).add(fam)
            text_of.setdefault(fp, text)
    need = max(config.site_min_pages, math.ceil(config.site_min_share * n_families))
    out = set()
    for fp, fams in seen.items():
        prose = _is_prose(text_of[fp], config)
        if len(fams) >= (max(need, config.site_prose_min_pages) if prose else need):
            out.add(fp)
    return frozenset(out)
