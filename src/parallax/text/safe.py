"""Text that every part of Parallax can hold: no control characters, no lone surrogates, ids that fit.

The same rules apply whatever the input or the database: PostgreSQL refuses NUL characters in text and
both backends refuse lone surrogates (which `json.loads` produces from "\\ud800"), while SQLite would keep
NULs that no page shows. Text is normalised once, where it is read (`parallax.stages.read`), and again as
it is written to the store (`parallax.store.schema`'s column types), so both backends store the same.
"""

from __future__ import annotations

import hashlib
import re

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates.
_DROP = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BREAK = re.compile(r"[\x0b\x0c]")  # vertical tab, form feed: line breaks as far as a reader is concerned
_ID_BAD = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+")

ID_MAX = 40  # the store's id columns (parallax.store.schema)


def normalise_text(text: str) -> str:
    """`text` without control characters (vertical tab and form feed become newlines) or lone surrogates."""
    if _DROP.search(text) is None and _BREAK.search(text) is None:
        return text
    return _DROP.sub("", _BREAK.sub("\n", text))


def safe_id(value: str, max_len: int = ID_MAX) -> str:
    """An id that can name a page in a URL and a database row: whitespace and control characters become
    "-", and an id longer than `max_len` keeps its start and gets a short hash of the whole (so two long
    ids that share a start stay apart). Empty when nothing is left."""
    s = _ID_BAD.sub("-", value).strip("-")
    if len(s) <= max_len:
        return s
    digest = hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return s[: max_len - 9].rstrip("-") + "-" + digest
