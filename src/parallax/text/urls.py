"""URLs as keys: one page published under many URL variants is one page.

`clean_url` is the URL we keep and show: tracking parameters (utm_*, fbclid, gclid, mc_eid … as listed by
courlan, trafilatura's URL library), the fragment, a default port and upper case in the host removed.
`url_key` is what dedupe compares: the clean URL without its scheme, a leading "www.", a trailing slash or
an AMP marker (`/amp`, `.amp`, `?amp=1`, `?outputType=amp`). `same_site` says whether a page's
`rel=canonical` may stand for its URL: only within the same site, so that no page can claim another's.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_AMP_PATH = re.compile(r"(?:/amp/?|\.amp(?:\.html?)?|/amp\.html?)$", re.I)
_AMP_QUERY = {("amp", "1"), ("amp", "true"), ("amp", ""), ("outputtype", "amp"), ("output", "amp")}


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def clean_url(url: str) -> str:
    """`url` without tracking parameters and fragment, host in lower case, no default port.

    Anything that is not an http(s) URL with a host comes back stripped but otherwise as it was."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    from courlan import normalize_url

    try:
        cleaned = normalize_url(url)
    except (ValueError, AttributeError):
        return url
    try:
        p = urlsplit(cleaned)
    except ValueError:
        return url
    return urlunsplit((p.scheme, p.netloc, p.path or "/", p.query, ""))


def url_key(url: str | None) -> str | None:
    """The URL as dedupe compares it (None for none): scheme, "www.", trailing slash and AMP markers off."""
    if not url:
        return None
    cleaned = clean_url(url)
    try:
        p = urlsplit(cleaned)
    except ValueError:
        return cleaned
    if not p.hostname:
        return cleaned
    host = p.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    path = _AMP_PATH.sub("", p.path).rstrip("/")
    if path.lower().startswith("/amp/"):
        path = path[4:]
    query = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if (k.lower(), v.lower()) not in _AMP_QUERY]
    return f"//{host}{path}" + (f"?{urlencode(query)}" if query else "")


def same_site(a: str | None, b: str | None) -> bool:
    """Both URLs have the same host (ignoring case and a leading "www.")."""
    ha, hb = _host(a or ""), _host(b or "")
    if not ha or not hb:
        return False
    ha, hb = ha.lower().removeprefix("www."), hb.lower().removeprefix("www.")
    return ha == hb


def key_of_page(url: str | None, canonical: str | None) -> str | None:
    """The dedupe key of a page at `url` whose HTML names `canonical`: the canonical's when on the same site."""
    if canonical and (url is None or same_site(url, canonical)) and _host(canonical):
        return url_key(canonical)
    return url_key(url)
