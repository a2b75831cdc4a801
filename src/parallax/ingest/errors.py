"""Fetch and ingestion errors: codes PX4xx, each with what to do.

`FetchError` is a `ParallaxError`, so the CLI and the summary treat it like any coded input error. The
codes are listed here (not in `parallax.errors.CATALOGUE`, which another area owns) with the same shape:
code -> (short name, what to do).
"""

from __future__ import annotations

from ..errors import CATALOGUE, ParallaxError

INGEST_CODES: dict[str, tuple[str, str]] = {
    "PX401": ("unsupported URL", "only http:// and https:// URLs with a host are fetched, without user:password@"),
    "PX402": ("address not allowed", "the host resolves to a private, loopback, link-local or otherwise non-public "
              "address; pass --allow-private (or --allow-network CIDR) for servers you trust"),
    "PX403": ("host not found", "the host name does not resolve; check the URL"),
    "PX404": ("HTTP error", "the server answered with an error status; check the URL or try later"),
    "PX405": ("timed out", "the server did not answer in time (after retries); try later or raise --timeout"),
    "PX406": ("connection failed", "could not connect or the connection broke (after retries); try later"),
    "PX407": ("bad redirect", "too many redirects, a redirect loop or a redirect without a usable Location"),
    "PX408": ("response too large", "the body is over the size cap; raise --max-bytes if the page is genuine"),
    "PX409": ("unexpected content type", "pages must be HTML, XHTML or text; feeds RSS, Atom or XML"),
    "PX410": ("disallowed by robots.txt", "the site's robots.txt forbids this path to our user agent"),
    "PX411": ("malformed feed", "the feed is not well-formed XML; entries that could be parsed were kept"),
    "PX412": ("bad WARC file", "the WARC/ARC file is damaged or not a WARC; records before the damage were kept"),
    "PX413": ("feed item without link", "the entry has no link to a full page; RSS blurbs are not articles"),
    "PX414": ("could not store", "the store refused the article; see the reason"),
}


class FetchError(ParallaxError):
    """A URL that could not be fetched (or a fetched body that cannot be used); the batch goes on."""

    code = "PX400"
    status: int | None = None  # the HTTP status, for PX404


def _entry(code: str) -> tuple[str, str]:
    return INGEST_CODES.get(code) or CATALOGUE.get(code) or ("error", "")


def fetch_error(code: str, input: str, detail: str = "", *, status: int | None = None) -> FetchError:
    name, hint = _entry(code)
    msg = f"{name}{' (' + detail + ')' if detail else ''}{': ' + hint if hint else ''}"
    err = FetchError(msg, input=input, code=code)
    err.status = status
    return err
