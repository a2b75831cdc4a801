"""Read: files, directories, JSON/JSONL records and stdin into `Article`s.

A page that cannot be read becomes an `InputError` naming it; the rest of the batch goes on.
HTML is reduced to text (and title, date, site name) by trafilatura here, so every later stage sees text.
"""

from __future__ import annotations

import json
import logging
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from parallax.errors import InputRejected, rejected
from parallax.model import Article, InputError, content_id

log = logging.getLogger(__name__)

MAX_BYTES = 5_000_000  # one page; a JSONL file may be larger (each record is checked)
MAX_FILE_BYTES = 2_000_000_000
TEXT_EXT = {".txt", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml"}
JSON_EXT = {".json", ".jsonl", ".ndjson"}
PAGE_EXT = TEXT_EXT | HTML_EXT | JSON_EXT

_TYPO = set("–—‘’“”‚„…•°£€¥©®™«»·§¶†‡‰¢ ")
MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\x7fELF",
          b"RIFF", b"\x00\x00\x01\x00", b"OggS", b"ID3", b"7z\xbc\xaf")


def looks_binary(data: bytes) -> bool:
    """A binary file, not a page: a known magic number, or NUL bytes in the head outside UTF-16 text."""
    head = data[:8192]
    return head.startswith(MAGIC) or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")))


def decode_bytes(data: bytes, name: str) -> str:
    """Bytes -> str with encoding detection; raises InputRejected for empty, binary or undecodable input."""
    if not data.strip():
        raise rejected("PX102", name)
    if looks_binary(data):
        raise rejected("PX103", name)
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Western pages not in UTF-8 are nearly always cp1252 (a superset of latin-1); detectors guess
    # cp1250 for short texts of that kind, so accept cp1252 when every non-ASCII character it yields is
    # a letter or common typographic punctuation.
    try:
        guess = data.decode("cp1252")
        odd = [c for c in guess if ord(c) > 127 and not (unicodedata.category(c).startswith("L") or c in _TYPO)]
        if not odd:
            return guess
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise rejected("PX104", name)
    text = str(best)
    # Many control characters mean the guess is wrong (a binary file without a NUL in its head).
    ctrl = sum(1 for c in text[:4000] if ord(c) < 32 and c not in "\n\r\t\f")
    if ctrl > 20:
        raise rejected("PX103", name)
    return text


def looks_like_html(text: str) -> bool:
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or ("<body" in head and "</" in text[:20000])


def article_from_text(text: str, *, id: str | None = None, input: str = "", html: bool | None = None,
                      url: str | None = None, source: str | None = None, title: str | None = None,
                      published: str | None = None) -> Article:
    """Build an Article from page text or HTML (HTML goes through trafilatura)."""
    if html is None:
        html = looks_like_html(text)
    meta: dict[str, Any] = {"format": "html" if html else "text"}
    raw = text
    if html:
        from parallax.stages.clean.html import extract_html, visible_blocks

        ex = extract_html(text, url)
        # The page as read is its visible text; what trafilatura kept of it guides the cleaning, which
        # records everything else (menus, comment threads, related links) as removed, with its kind.
        blocks = visible_blocks(text)
        visible = "\n".join(b for b, _ in blocks)
        raw = visible if visible.strip() and ex.text.strip() else ex.text
        meta["extracted"] = ex.text
        meta["block_hints"] = {b: h for b, h in blocks if h}
        title = title or ex.title
        published = published or ex.published
        source = source or ex.site
        url = url or ex.url
        meta["html_chars"] = len(text)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not raw.strip():
        raise rejected("PX107", input or (id or "-"))
    aid = id or content_id(raw, url)
    return Article(id=aid, raw=raw, input=input, source=source, title=title, published=published, url=url,
                   meta=meta)


def _record_to_article(rec: Any, input: str, fallback_id: str) -> Article:
    if not isinstance(rec, dict):
        raise rejected("PX106", input, "not a JSON object")
    body = rec.get("html") if rec.get("html") else rec.get("text")
    if not isinstance(body, str) or not body.strip():
        raise rejected("PX106", input, "no `text` or `html`")
    if len(body.encode("utf-8", "ignore")) > MAX_BYTES:
        raise rejected("PX105", input, f"{len(body)} characters")

    def opt(key: str) -> str | None:
        v = rec.get(key)
        return str(v) if v not in (None, "") else None

    return article_from_text(body, id=opt("id") or fallback_id, input=input, html=bool(rec.get("html")),
                             url=opt("url"), source=opt("source"), title=opt("title"),
                             published=opt("published") or opt("date"))


def _read_json_file(path: Path, text: str, explicit: bool) -> Iterator[Article | InputError]:
    name = str(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{name}:{n}"
            try:
                rec = json.loads(line)
                yield _record_to_article(rec, where, f"{path.stem}-{n}")
            except json.JSONDecodeError as exc:
                yield InputError(where, "PX106", f"bad record (invalid JSON: {exc.msg} at column {exc.colno})")
            except InputRejected as exc:
                yield InputError(where, exc.code, exc.message)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputError(name, "PX106", f"bad record (invalid JSON: {exc.msg} at line {exc.lineno})")
        return
    recs = data if isinstance(data, list) else [data]
    if not explicit and not all(isinstance(r, dict) and ("text" in r or "html" in r) for r in recs):
        log.info("skipping %s: JSON that holds no page records", name)
        return
    for n, rec in enumerate(recs, 1):
        where = name if len(recs) == 1 else f"{name}[{n - 1}]"
        try:
            yield _record_to_article(rec, where, path.stem if len(recs) == 1 else f"{path.stem}-{n}")
        except InputRejected as exc:
            yield InputError(where, exc.code, exc.message)


def read_file(path: Path, *, explicit: bool = True, max_bytes: int = MAX_BYTES) -> Iterator[Article | InputError]:
    """One file -> its articles (a JSONL file may hold many) or errors naming it."""
    name = str(path)
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        limit = MAX_FILE_BYTES if suffix in (".jsonl", ".ndjson") else max_bytes
        if size > limit:
            raise rejected("PX105", name, f"{size} bytes > {limit}")
        data = path.read_bytes()
        text = decode_bytes(data, name)
        if suffix in JSON_EXT:
            yield from _read_json_file(path, text, explicit)
            return
        html = True if suffix in HTML_EXT else None
        yield article_from_text(text, id=path.stem, input=name, html=html)
    except InputRejected as exc:
        yield InputError(name, exc.code, exc.message)
    except OSError as exc:
        yield InputError(name, "PX101", f"cannot read ({exc.strerror or exc})")


def iter_files(root: Path) -> Iterator[Path]:
    """Pages under a directory, in a stable order; hidden files and non-page files are skipped."""
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).parts
        if any(part.startswith((".", "_")) for part in rel):
            continue
        if p.is_file() and p.suffix.lower() in PAGE_EXT:
            yield p


def read_paths(paths: Iterable[str | Path], *, stdin: Any = None,
               max_bytes: int = MAX_BYTES) -> tuple[list[Article], list[InputError]]:
    """Read files, directories and '-' (stdin). Ids are made unique within the batch."""
    articles: list[Article] = []
    errors: list[InputError] = []

    def take(items: Iterable[Article | InputError]) -> None:
        for it in items:
            (errors if isinstance(it, InputError) else articles).append(it)  # type: ignore[arg-type]

    for p in paths:
        p = str(p)
        if p == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read()
            if isinstance(data, str):
                data = data.encode("utf-8")
            try:
                if len(data) > max_bytes:
                    raise rejected("PX105", "-", f"{len(data)} bytes")
                take([article_from_text(decode_bytes(data, "-"), input="-")])
            except InputRejected as exc:
                errors.append(InputError("-", exc.code, exc.message))
            continue
        path = Path(p)
        if path.is_dir():
            for f in iter_files(path):
                take(read_file(f, explicit=False, max_bytes=max_bytes))
        elif path.exists():
            # A file named explicitly is read whatever its extension: the content decides.
            take(read_file(path, max_bytes=max_bytes))
        else:
            errors.append(InputError(p, "PX101", "not found: check the path"))
    _unique_ids(articles)
    return articles, errors


def _unique_ids(articles: list[Article]) -> None:
    seen: dict[str, int] = {}
    for a in articles:
        if a.id in seen:
            seen[a.id] += 1
            a.id = f"{a.id}-{seen[a.id]}"
        else:
            seen[a.id] = 1
