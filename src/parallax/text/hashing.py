"""Content hashes used as keys (dedupe, raw re-reads, URL look-ups)."""

from __future__ import annotations

import hashlib


def sha_key(*parts: str | None) -> str:
    """sha256 hex of the parts, each followed by a NUL (None counts as the empty string)."""
    h = hashlib.sha256()
    for p in parts:
        h.update((p or "").encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def text_key(text: str) -> str:
    """sha256 key of a text with its whitespace normalised: re-wrapped or re-spaced copies hash the same."""
    return sha_key(" ".join(text.split()))
