"""Read: files, directories, JSON/JSONL records and stdin into `Article`s.

A page that cannot be read becomes an `InputError` naming it; the rest of the batch goes on: a file or a
directory that cannot be opened (permissions), a record of the wrong shape, a page over the size cap or
over its time budget each become one coded error. JSONL files and stdin are read as streams, one record
(or at most one page) at a time. Text is normalised as it is read (`parallax.text.safe`: no control
characters), and bytes are decoded per file: UTF-8 (with or without BOM), UTF-16 (with or without BOM),
UTF-8 with paragraphs in Windows-1252/Latin-1 mixed in, and other encodings by detection.
HTML is reduced to text (and title, date, site name) by trafilatura here, so every later stage sees text;
HTML nested too deep for the parser is flattened first and pages with very many elements are read as
their visible text (`parallax.stages.htmlguard`).
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from parallax.config import ReadConfig, settings
from parallax.errors import InputRejected, rejected
from parallax.model import Article, InputError, content_id
from parallax.stages.htmlguard import canonical_link, count_elements, flatten_deep, head_of
from parallax.stages.limits import page_budget
from parallax.text.dates import parse_day
from parallax.text.safe import normalise_text, safe_id
from parallax.text.urls import clean_url

log = logging.getLogger(__name__)

MAX_BYTES = ReadConfig.max_bytes  # the default; the one in effect is settings().read.max_bytes
MAX_FILE_BYTES = ReadConfig.max_file_bytes
TEXT_EXT = {".txt", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml"}
JSON_EXT = {".json", ".jsonl", ".ndjson"}
JSONL_EXT = {".jsonl", ".ndjson"}
PAGE_EXT = TEXT_EXT | HTML_EXT | JSON_EXT
# Files that are never pages, whatever their bytes: named explicitly, they are PX108 without being read.
UNSUPPORTED_EXT = {
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".epub", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".odp",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".heic", ".avif",
    ".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".flac", ".avi", ".mov", ".mkv", ".webm",
    ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst",
    ".exe", ".dll", ".so", ".dylib", ".bin", ".iso", ".dmg", ".class", ".jar", ".pyc", ".sqlite", ".db",
}
RECORD_FIELDS = ("id", "url", "source", "title", "published", "date")
URL_MAX = 2048

_TYPO = set("–—‘’“”‚„…•°£€¥©®™«»·§¶†‡‰¢ ")
MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\x7fELF",
          b"RIFF", b"\x00\x00\x01\x00", b"OggS", b"ID3", b"7z\xbc\xaf")
# One well-formed UTF-8 sequence of two to four bytes.
_UTF8_MULTI = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_ASCII = re.compile(rb"[\x00-\x7f]+")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: bytes that are not UTF-8 are read as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("parallax-cp1252", _cp1252_fallback)


def _plausible_latin(text: str) -> bool:
    """Every non-ASCII character is a letter or common typographic punctuation (Western text)."""
    return all(ord(c) < 128 or unicodedata.category(c).startswith("L") or c in _TYPO for c in text)


def bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when `data` reads as UTF-16 without a byte-order mark, else None.

    Text in UTF-16 has a NUL as one byte of nearly every ASCII character's pair, always on the same side."""
    head = data[:8192]
    n = len(head) // 2
    if n < 8 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    even, odd = head[0 : 2 * n : 2].count(0), head[1 : 2 * n : 2].count(0)
    if odd >= 0.3 * n and even <= 0.02 * n:
        enc = "utf-16-le"
    elif even >= 0.3 * n and odd <= 0.02 * n:
        enc = "utf-16-be"
    else:
        return None
    sample = head[: 2 * n].decode(enc, errors="replace")
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\n\r\t\f") or c == "\ufffd")
    return enc if bad <= 0.01 * len(sample) + 1 else None


# Control bytes that no text page holds (C0 controls but tab, newline, form feed, carriage return; and DEL).
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32), 127])


def looks_binary(data: bytes) -> bool:
    """A binary file, not a page: a known magic number, or outside UTF-16 text more NULs and other control
    bytes in its first 4,000 than `read.binary_control_chars` (a stray NUL in a text page is dropped by
    `normalise_text`; a binary file without a magic number has hundreds)."""
    head = data[:8192]
    if head.startswith(MAGIC):
        return True
    if b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff")) or bomless_utf16(data) is not None:
        return False
    sample = data[:4000]
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control > settings().read.binary_control_chars


def _mixed_utf8(data: bytes) -> str | None:
    """UTF-8 with some bytes in Windows-1252 (a Latin-1 paragraph pasted into a UTF-8 page), decoded
    sequence by sequence; None when the file holds no UTF-8 sequence or its other bytes are not Western."""
    if _UTF8_MULTI.search(data) is None:
        return None
    rest = _ASCII.sub(b"", _UTF8_MULTI.sub(b"", data))
    if not _plausible_latin(rest.decode("cp1252", errors="replace").replace("\ufffd", "?")):
        return None
    return data.decode("utf-8", errors="parallax-cp1252")


def decode_bytes(data: bytes, name: str) -> str:
    """Bytes -> str with encoding detection; raises InputRejected for empty, binary or undecodable input.

    The text is normalised (`parallax.text.safe.normalise_text`): no NULs or other control characters."""
    if not data.strip():
        raise rejected("PX102", name)
    wide = bomless_utf16(data)
    if wide:
        return normalise_text(data.decode(wide, errors="replace"))
    if looks_binary(data):
        raise rejected("PX103", name)
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return normalise_text(data.decode(enc, errors="replace"))
    try:
        return normalise_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return normalise_text(mixed)
    # A legacy single-byte encoding: Western (cp1252, a superset of latin-1), Central European or Greek,
    # told apart by whether the words' accented letters belong to one language (`parallax.text.legacy`;
    # byte-frequency detectors take short Western text for cp1250 and Polish for cp1252).
    from parallax.text.legacy import pick

    rc = settings().read
    picked = pick(data, rc.legacy_margin)
    if picked is not None:
        enc, guess, fit = picked
        if enc != "cp1252" and fit >= rc.legacy_fit:
            log.info("%s: not UTF-8; read as %s", name, enc)
            return normalise_text(guess)
        if enc == "cp1252" and _plausible_latin(guess):
            if fit < rc.legacy_fit:
                log.warning("%s: not UTF-8 and read as Windows-1252, but its accented words fit no one "
                            "language (%.0f%%): the text may be garbled (mojibake); convert the file to UTF-8",
                            name, 100 * fit)
            return normalise_text(guess)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise rejected("PX104", name)
    text = str(best)
    # Many control characters mean the guess is wrong (a binary file without a NUL in its head).
    ctrl = sum(1 for c in text[:4000] if ord(c) < 32 and c not in "\n\r\t\f")
    if ctrl > settings().read.binary_control_chars:
        raise rejected("PX103", name)
    return normalise_text(text)


def looks_like_html(text: str) -> bool:
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or ("<body" in head and "</" in text[:20000])


def _head_metadata(page: str, url: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(title, date, site name, url) from the page's <head> alone, without the date search of the body."""
    head = head_of(page)
    if not head:
        return None, None, None, None
    try:
        import trafilatura

        meta = trafilatura.extract_metadata(head, default_url=url, extensive=False)
    except Exception as exc:  # metadata is a bonus
        log.debug("metadata extraction failed: %s", exc)
        return None, None, None, None
    if meta is None:
        return None, None, None, None
    return (getattr(meta, "title", None) or None, getattr(meta, "date", None) or None,
            getattr(meta, "sitename", None) or None, getattr(meta, "url", None) or None)


def _from_html(text: str, url: str | None, meta: dict[str, Any]) -> tuple[str, str | None, str | None,
                                                                          str | None, str | None]:
    """(raw text, title, published, site, url) of an HTML page; fills `meta` with what the reader did."""
    from parallax.stages.clean.html import extract_html, visible_blocks

    lim = settings().limits
    flat = flatten_deep(text, lim.html_max_depth)
    page = flat.html
    if flat.dropped:
        meta["html_flattened"] = {"tags": flat.dropped, "depth": flat.max_depth,
                                  "reason": f"nested deeper than limits.html_max_depth ({lim.html_max_depth}): "
                                            "the tags below were dropped, their text kept"}
    canonical = canonical_link(page)
    if canonical:
        meta["canonical_url"] = urljoin(url, canonical) if url else canonical
    n = count_elements(page)
    meta["html_chars"] = len(text)
    if n > lim.html_max_elements:
        blocks = visible_blocks(page)
        raw = "\n".join(b for b, _ in blocks)
        meta["block_hints"] = {b: h for b, h in blocks if h}
        meta["extraction"] = (f"visible text: {n} elements, over limits.html_max_elements "
                              f"({lim.html_max_elements})")
        title, published, site, murl = _head_metadata(page, url)
        return raw, title, published, site, url or murl
    ex = extract_html(page, url)
    # The page as read is its visible text; what trafilatura kept of it guides the cleaning, which
    # records everything else (menus, comment threads, related links) as removed, with its kind.
    blocks = visible_blocks(page)
    visible = "\n".join(b for b, _ in blocks)
    raw = visible if visible.strip() and ex.text.strip() else ex.text
    meta["extracted"] = normalise_text(ex.text)
    meta["block_hints"] = {b: h for b, h in blocks if h}
    return raw, ex.title, ex.published, ex.site, url or ex.url


def _opt(value: str | None) -> str | None:
    return normalise_text(value).strip() or None if value else None


def article_from_text(text: str, *, id: str | None = None, input: str = "", html: bool | None = None,
                      url: str | None = None, source: str | None = None, title: str | None = None,
                      published: str | None = None) -> Article:
    """Build an Article from page text or HTML (HTML goes through trafilatura), within the page's time budget.

    Raises InputRejected: PX107 when no text is left, PX109 past the per-page time budget."""
    text = normalise_text(text)
    if html is None:
        html = looks_like_html(text)
    meta: dict[str, Any] = {"format": "html" if html else "text"}
    raw = text
    if html:
        with page_budget(input or (id or "-")):
            raw, ex_title, ex_published, ex_site, url = _from_html(text, url, meta)
        title = title or ex_title
        published = published or ex_published
        source = source or ex_site
    raw = normalise_text(raw).replace("\r\n", "\n").replace("\r", "\n")
    url = _opt(url)
    if url:
        cleaned = clean_url(url)  # tracking parameters and fragment off (dedupe also ignores scheme, AMP ...)
        if cleaned != url:
            meta["url_as_given"] = url
            url = cleaned
    if not raw.strip():
        raise rejected("PX107", input or (id or "-"))
    aid = id or content_id(raw, url)
    return Article(id=aid, raw=raw, input=input, source=_opt(source), title=_opt(title),
                   published=_opt(published), url=url, meta=meta)


def _field(rec: dict[str, Any], key: str, input: str) -> str | None:
    """A record's optional string field (an id may be a whole number); PX106 for any other type."""
    v = rec.get(key)
    if v is None or v == "":
        return None
    if key == "id" and isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str):
        raise rejected("PX106", input, f"`{key}` must be a string, not {type(v).__name__} {json.dumps(v)[:40]}")
    return v


def record_to_article(rec: Any, input: str, fallback_id: str, *, max_bytes: int | None = None) -> Article:
    """One JSON record -> Article; PX106 when it is not an object of string fields with `text` or `html`."""
    if not isinstance(rec, dict):
        raise rejected("PX106", input, "not a JSON object")
    html_body = _field(rec, "html", input)
    text_body = _field(rec, "text", input)
    fields = {k: _field(rec, k, input) for k in RECORD_FIELDS}
    body = html_body if html_body and html_body.strip() else text_body
    if not body or not body.strip():
        raise rejected("PX106", input, "no `text` or `html`")
    cap = settings().read.max_bytes if max_bytes is None else max_bytes
    size = len(body.encode("utf-8", "replace"))
    if size > cap:
        raise rejected("PX105", input, f"{size} bytes > {cap}")
    url = fields["url"]
    if url is not None and (len(url) > URL_MAX or any(c.isspace() for c in url.strip())):
        raise rejected("PX106", input, f"`url` must be one URL of at most {URL_MAX} characters")
    published = fields["published"] or fields["date"]
    invalid = None
    if published is not None and (len(published) > 40 or parse_day(published) is None):
        invalid, published = published[:60], None
        log.info("%s: %s", input, invalid_date_message(invalid))  # commands warn: `date_warnings`
    aid = safe_id(fields["id"]) if fields["id"] else ""
    art = article_from_text(body, id=aid or safe_id(fallback_id), input=input, html=bool(html_body),
                            url=url.strip() if url else None, source=fields["source"], title=fields["title"],
                            published=published)
    if invalid is not None:
        art.meta["published_invalid"] = invalid
    return art


def date_warnings(articles: Iterable[Article]) -> list[InputError]:
    """A PX106 warning for each article read from a record whose publication date was no date (kept
    without one): `brief` and `ingest` say so on stderr."""
    return [InputError(a.input or a.id, "PX106", invalid_date_message(a.meta["published_invalid"]))
            for a in articles if a.meta.get("published_invalid") is not None]


def invalid_date_message(value: str) -> str:
    """The warning for a record's publication date that is no date: the page is kept without one."""
    return (f"`published` {value!r} is not an ISO 8601 date (YYYY-MM-DD, optionally with a time): the page is "
            "kept without a publication date")


def _json_file(path: Path, text: str, explicit: bool, max_bytes: int) -> Iterator[Article | InputError]:
    name = str(path)
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
            yield record_to_article(rec, where, path.stem if len(recs) == 1 else f"{path.stem}-{n}",
                                    max_bytes=max_bytes)
        except InputRejected as exc:
            yield InputError(where, exc.code, exc.message)


def _jsonl_lines(fh: Any, cap: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of a binary stream, one line at a time; None for a line longer than `cap`
    (read past in chunks, never held whole)."""
    n = 0
    while True:
        line = fh.readline(cap + 1)
        if not line:
            return
        n += 1
        if len(line) > cap and not line.endswith(b"\n"):
            while True:
                more = fh.readline(1 << 20)
                if not more or more.endswith(b"\n"):
                    break
            yield n, None
            continue
        yield n, line


def read_jsonl(path: Path, *, max_bytes: int | None = None) -> Iterator[Article | InputError]:
    """A JSONL file as a stream: one record per line, each line read, decoded and checked on its own."""
    name = str(path)
    cap = settings().read.max_bytes if max_bytes is None else max_bytes
    line_cap = 6 * cap + 65_536  # JSON escapes can make a record's line longer than its text
    with path.open("rb") as fh:
        for n, line in _jsonl_lines(fh, line_cap):
            where = f"{name}:{n}"
            if line is None:
                yield InputError(where, "PX105", f"input too large (a line over {line_cap} bytes)")
                continue
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            try:
                try:
                    s = line.decode("utf-8")
                except UnicodeDecodeError:
                    s = decode_bytes(line, where)
                yield record_to_article(json.loads(s), where, f"{path.stem}-{n}", max_bytes=cap)
            except json.JSONDecodeError as exc:
                yield InputError(where, "PX106", f"bad record (invalid JSON: {exc.msg} at column {exc.colno})")
            except InputRejected as exc:
                yield InputError(where, exc.code, exc.message)


def read_file(path: Path, *, explicit: bool = True, max_bytes: int | None = None) -> Iterator[Article | InputError]:
    """One file -> its articles (a JSONL file may hold many, read as a stream) or errors naming it."""
    name = str(path)
    suffix = path.suffix.lower()
    cap = settings().read.max_bytes if max_bytes is None else max_bytes
    try:
        if suffix in UNSUPPORTED_EXT:
            raise rejected("PX108", name, f"{suffix} files are not pages")
        size = path.stat().st_size
        limit = settings().read.max_file_bytes if suffix in JSONL_EXT else cap
        if size > limit:
            raise rejected("PX105", name, f"{size} bytes > {limit}")
        if suffix in JSONL_EXT:
            yield from read_jsonl(path, max_bytes=cap)
            return
        data = path.read_bytes()
        text = decode_bytes(data, name)
        if suffix in JSON_EXT:
            yield from _json_file(path, text, explicit, cap)
            return
        html = True if suffix in HTML_EXT else None
        yield article_from_text(text, id=safe_id(path.stem) or None, input=name, html=html)
    except InputRejected as exc:
        yield InputError(name, exc.code, exc.message)
    except OSError as exc:
        yield InputError(name, "PX101", f"cannot read ({exc.strerror or exc})")


def walk(root: Path, accept: Callable[[Path], bool]) -> Iterator[Path | InputError]:
    """Files under `root` that `accept` takes, in a stable order (names sorted, depth first); hidden and
    _private names are skipped, symbolic links to directories are not followed. A directory or file that
    cannot be read is one PX101 error naming it; the walk goes on."""
    try:
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield InputError(str(root), "PX101", f"cannot read the directory ({exc.strerror or exc})")
        return
    for e in entries:
        if e.name.startswith((".", "_")):
            continue
        p = Path(e.path)
        try:
            if e.is_dir(follow_symlinks=False):
                yield from walk(p, accept)
            elif e.is_file() and accept(p):
                yield p
        except OSError as exc:
            yield InputError(str(p), "PX101", f"cannot read ({exc.strerror or exc})")


def iter_files(root: Path) -> Iterator[Path]:
    """Pages under a directory, in a stable order; hidden files and non-page files are skipped."""
    for p in walk(root, lambda f: f.suffix.lower() in PAGE_EXT):
        if isinstance(p, Path):
            yield p


def read_stdin(stream: Any = None, *, max_bytes: int | None = None) -> Article:
    """One page from standard input (or `stream`), read up to the size cap and no further."""
    stream = stream if stream is not None else sys.stdin.buffer
    cap = settings().read.max_bytes if max_bytes is None else max_bytes
    data = stream.read(cap + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > cap:
        raise rejected("PX105", "-", f"over {cap} bytes")
    return article_from_text(decode_bytes(data, "-"), input="-")


def read_path(p: str | Path, *, explicit: bool = True, stdin: Any = None,
              max_bytes: int | None = None) -> Iterator[Article | InputError]:
    """One argument of `parallax brief`: a file, a directory or '-' -> its articles or errors naming them."""
    s = str(p)
    if s == "-":
        try:
            yield read_stdin(stdin, max_bytes=max_bytes)
        except InputRejected as exc:
            yield InputError("-", exc.code, exc.message)
        return
    path = Path(s)
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except OSError as exc:
        yield InputError(s, "PX101", f"cannot read ({exc.strerror or exc})")
        return
    if is_dir:
        for f in walk(path, lambda f: f.suffix.lower() in PAGE_EXT):
            if isinstance(f, InputError):
                yield f
            else:
                yield from read_file(f, explicit=False, max_bytes=max_bytes)
    elif exists:
        # A file named explicitly is read whatever its extension: the content decides.
        yield from read_file(path, explicit=explicit, max_bytes=max_bytes)
    else:
        yield InputError(s, "PX101", "not found: check the path")


def read_paths(paths: Iterable[str | Path], *, stdin: Any = None,
               max_bytes: int | None = None) -> tuple[list[Article], list[InputError]]:
    """Read files, directories and '-' (stdin). Ids are made unique within the batch."""
    articles: list[Article] = []
    errors: list[InputError] = []
    for p in paths:
        for it in read_path(p, stdin=stdin, max_bytes=max_bytes):
            (errors if isinstance(it, InputError) else articles).append(it)  # type: ignore[arg-type]
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
