"""WARC (and ARC) files: each HTML (or plain-text) response record becomes an article with its target URI.

Other records (requests, metadata, revisits, images, scripts) are skipped and counted. A damaged file
yields the records before the damage, then one PX412 error naming the file and the offset.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from parallax.errors import InputRejected
from parallax.ingest.errors import fetch_error
from parallax.ingest.fetch import PAGE_TYPES, parse_content_type
from parallax.model import Article, InputError
from parallax.stages.read import MAX_BYTES, article_from_text, decode_bytes

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


@dataclass(slots=True)
class WarcPage:
    """An article read from a record, with the HTML it came from (for the store)."""

    article: Article
    html: str | None


@dataclass(slots=True)
class Skipped:
    input: str
    reason: str


def read_warc(path: Path, *, max_bytes: int = MAX_BYTES) -> Iterator[WarcPage | InputError | Skipped]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name = str(path)
    try:
        fh = path.open("rb")
        size = path.stat().st_size
    except OSError as exc:
        yield InputError(name, "PX101", f"cannot read ({exc.strerror or exc})")
        return
    n = 0
    end = 0  # where the last complete record ends
    with fh:
        if not _looks_like_warc(fh):
            yield InputError(name, "PX412", fetch_error("PX412", name, "it does not start with a WARC or ARC "
                                                        "header").message)
            return
        it = ArchiveIterator(fh, arc2warc=True)
        rec = None
        try:
            for rec in it:
                n += 1
                out = _record(rec, name, max_bytes)  # reads the record's content (or nothing)
                offset, length = it.get_record_offset(), it.get_record_length()  # reads it to its end
                if _short(rec):
                    break  # reported below: a cut-off page is not kept
                end = offset + length
                if out is not None:
                    if isinstance(out, WarcPage | InputError):
                        out = _at(out, f"{name}#{offset}")
                    yield out
            why = None
            if _short(rec):
                why = f"truncated: record {n} is shorter than its Content-Length"
            elif _gz(path) and end < size:
                why = f"truncated: {size - end} unreadable bytes after record {n}"
            if why:
                yield InputError(name, "PX412", fetch_error("PX412", name, why).message)
        except ArchiveLoadFailed as exc:
            yield InputError(name, "PX412", fetch_error("PX412", name, str(exc).strip()[:200]).message)
        except (OSError, EOFError, ValueError, zlib.error) as exc:  # truncated gzip member, bad lengths
            yield InputError(name, "PX412", fetch_error("PX412", name, f"after {n} records: {exc}").message)


def _at(item: WarcPage | InputError, where: str) -> WarcPage | InputError:
    if isinstance(item, WarcPage):
        item.article.input = where
    elif not item.input:
        item.input = where
    return item


def _record(rec: object, name: str, max_bytes: int) -> WarcPage | InputError | Skipped | None:
    """One record -> a page (input left "" for the caller to fill with the offset), an error, a skip or None."""
    rec_type = rec.rec_type  # type: ignore[attr-defined]
    if rec_type not in ("response", "resource"):
        return None
    uri = rec.rec_headers.get_header("WARC-Target-URI")  # type: ignore[attr-defined]
    if rec_type == "response":
        http = rec.http_headers  # type: ignore[attr-defined]
        if http is None:
            return Skipped(f"{name}: {uri}", "response without HTTP headers")
        status = http.get_statuscode()
        if not str(status).startswith("2"):
            return Skipped(f"{name}: {uri}", f"HTTP {status}")
        ctype = http.get_header("Content-Type")
    else:
        ctype = rec.rec_headers.get_header("Content-Type")  # type: ignore[attr-defined]
    mime, charset = parse_content_type(ctype)
    if mime not in PAGE_TYPES:
        return Skipped(f"{name}: {uri}", mime or "no content type")
    data = rec.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    if len(data) > max_bytes:
        return InputError("", "PX105", f"record over {max_bytes} bytes: {uri}")
    try:
        text = None
        if charset:
            try:
                text = data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                text = None
        if text is None:
            text = decode_bytes(data, uri or name)
        is_html = mime != "text/plain"
        art = article_from_text(text, input="", html=is_html, url=uri)
    except InputRejected as exc:
        return InputError("", exc.code, exc.message)
    date = rec.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]
    if date:
        art.meta["fetched_at"] = date
    art.meta["warc"] = name
    return WarcPage(art, text if is_html else None)


def _gz(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _short(rec: object) -> bool:
    """Did the file end inside this record (fewer bytes than its Content-Length)? Once it has been read."""
    stream = getattr(rec, "raw_stream", None)
    return bool(stream is not None and getattr(stream, "limit", 0) > 0)


def _looks_like_warc(fh: BinaryIO) -> bool:
    """WARC/ARC magic at the start, through gzip when the file is gzipped. Rewinds the file."""
    head = fh.read(512)
    fh.seek(0)
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip(b"\r\n").startswith((b"WARC/", b"filedesc://"))
