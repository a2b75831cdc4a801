"""WARC (and ARC) files: each HTML (or plain-text) response record becomes an article with its target URI.

Other records (requests, metadata, revisits, images, scripts) are skipped and counted. A damaged file
yields the records before the damage, then one PX412 error naming the file and the offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputRejected
from ..model import Article, InputError
from ..read import MAX_BYTES, article_from_text, decode_bytes
from .errors import fetch_error
from .fetch import PAGE_TYPES, _mime

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
    except OSError as exc:
        yield InputError(name, "PX101", f"cannot read ({exc.strerror or exc})")
        return
    n = 0
    with fh:
        it = ArchiveIterator(fh, arc2warc=True)
        try:
            for rec in it:
                n += 1
                where = f"{name}#{it.get_record_offset()}"
                if rec.rec_type not in ("response", "resource"):
                    continue
                uri = rec.rec_headers.get_header("WARC-Target-URI")
                if rec.rec_type == "response":
                    if rec.http_headers is None:
                        yield Skipped(where, "response without HTTP headers")
                        continue
                    status = rec.http_headers.get_statuscode()
                    if not str(status).startswith("2"):
                        yield Skipped(where, f"HTTP {status} for {uri}")
                        continue
                    ctype = rec.http_headers.get_header("Content-Type")
                else:
                    ctype = rec.rec_headers.get_header("Content-Type")
                mime, charset = _mime(ctype)
                if mime not in PAGE_TYPES:
                    yield Skipped(where, f"{mime or 'no content type'} for {uri}")
                    continue
                data = rec.content_stream().read(max_bytes + 1)
                if len(data) > max_bytes:
                    yield InputError(where, "PX105", f"record over {max_bytes} bytes: {uri}")
                    continue
                try:
                    text = None
                    if charset:
                        try:
                            text = data.decode(charset)
                        except (LookupError, UnicodeDecodeError):
                            text = None
                    if text is None:
                        text = decode_bytes(data, where)
                    is_html = mime != "text/plain"
                    art = article_from_text(text, input=where, html=is_html, url=uri)
                    date = rec.rec_headers.get_header("WARC-Date")
                    if date:
                        art.meta["fetched_at"] = date
                    art.meta["warc"] = name
                    yield WarcPage(art, text if is_html else None)
                except InputRejected as exc:
                    yield InputError(where, exc.code, exc.message)
        except ArchiveLoadFailed as exc:
            yield InputError(name, "PX412", fetch_error("PX412", name, str(exc).strip()[:200]).message)
        except (OSError, EOFError, ValueError) as exc:  # truncated gzip member, bad lengths
            yield InputError(name, "PX412", fetch_error("PX412", name, f"after {n} records: {exc}").message)
