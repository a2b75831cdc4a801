"""HTML pages: trafilatura extracts the main text and the metadata (title, date, site name)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from parallax.config import settings

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Extracted:
    text: str
    title: str | None = None
    published: str | None = None
    site: str | None = None
    url: str | None = None


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text and metadata of an HTML page.

    trafilatura in the mode `CleanConfig.extract_mode` (default: its default balance of precision and
    recall, which held up best out of sample, bench.extract_cv), without comments; a page it finds no text
    in is retried with recall favoured. Our cleaning pass then removes what trafilatura keeps that is not
    the article (timestamps, bylines, bios, glued-on stories …).
    """
    import trafilatura

    cfg = settings().clean
    mode = {"precision": {"favor_precision": True}, "recall": {"favor_recall": True}}.get(cfg.extract_mode, {})
    text = trafilatura.extract(html, url=url, output_format="txt", include_comments=False,
                               include_tables=cfg.extract_tables, **mode)
    if text and cfg.extract_mode == "vote":
        precise = trafilatura.extract(html, url=url, output_format="txt", include_comments=False,
                                      include_tables=cfg.extract_tables, favor_precision=True)
        text = vote_lines(text, precise or "", cfg.vote_long_words)
    if not text and cfg.extract_mode != "recall":
        # Short pages can fall under trafilatura's thresholds: retry with recall favoured.
        text = trafilatura.extract(html, url=url, output_format="txt", favor_recall=True,
                                   include_comments=False, include_tables=cfg.extract_tables)
    meta = None
    try:
        meta = trafilatura.extract_metadata(html, default_url=url)
    except Exception as exc:  # metadata is a bonus: a broken <head> must not lose the article
        log.debug("metadata extraction failed: %s", exc)
    title = getattr(meta, "title", None) if meta else None
    published = getattr(meta, "date", None) if meta else None
    site = getattr(meta, "sitename", None) if meta else None
    murl = getattr(meta, "url", None) if meta else None
    return Extracted(text=text or "", title=title or None, published=published or None, site=site or None,
                     url=url or murl or None)


def _line(text: str) -> str:
    return " ".join(text.split())


def vote_lines(default: str, precise: str, long_words: int) -> str:
    """trafilatura's default text, less the lines its precision mode drops, unless they are long paragraphs
    (a line of `long_words` words or more is prose, which precision mode sometimes loses with a whole section).
    When precision mode keeps nothing the default text stands."""
    keep = {_line(x) for x in precise.splitlines() if x.strip()}
    if not keep:
        return default
    lines = [x for x in default.splitlines() if x.strip()]
    return "\n".join(x for x in lines if _line(x) in keep or len(x.split()) >= long_words)


_BLOCK_TAGS = {
    "p", "div", "section", "article", "aside", "header", "footer", "nav", "main", "ul", "ol", "li", "dl", "dt",
    "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption", "table", "tr", "td", "th",
    "form", "fieldset", "legend", "label", "button", "br", "hr", "pre", "address", "details", "summary", "menu",
    "caption", "option", "select", "textarea", "time",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas", "math"}


# Where a block sits on the page says what it is: <nav>, <footer>, class="comments" …
_HINT_TAGS = {"nav": "navigation", "header": "site_header", "footer": "boilerplate", "aside": "related",
              "figcaption": "photo_credit", "form": "comments", "button": "share", "menu": "navigation"}
_HINT_WORDS = [
    ("cookie", "cookie_notice"), ("consent", "cookie_notice"), ("comment", "comments"), ("reply", "comments"),
    ("related", "related"), ("recommend", "related"), ("most-read", "related"), ("mostread", "related"),
    ("trending", "related"), ("popular", "related"), ("share", "share"), ("social", "share"),
    ("newsletter", "subscribe"), ("subscribe", "subscribe"), ("signup", "subscribe"), ("byline", "byline"),
    ("author", "author_bio"), ("bio", "author_bio"), ("breadcrumb", "navigation"), ("menu", "navigation"),
    ("nav", "navigation"), ("caption", "photo_credit"), ("credit", "photo_credit"), ("tags", "tags"),
    ("advert", "advertisement"), ("sponsor", "advertisement"), ("promo", "advertisement"), ("ad-", "advertisement"),
    ("masthead", "site_header"), ("branding", "site_header"), ("site-title", "site_header"),
    ("site-description", "site_header"), ("tagline", "site_header"), ("strap", "site_header"), ("logo", "site_header"), ("header", "site_header"), ("footer", "boilerplate"), ("player", "media_player"),
    ("video", "media_player"),
]


def _hint(el) -> str | None:
    """The boilerplate kind suggested by the nearest telling ancestor of an element, if any."""
    while el is not None and isinstance(el.tag, str):
        if el.tag in ("article", "main"):
            return None
        if el.tag in _HINT_TAGS:
            return _HINT_TAGS[el.tag]
        attrs = f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}".lower()
        if attrs.strip():
            for word, kind in _HINT_WORDS:
                if word in attrs:
                    return kind
        el = el.getparent()
    return None


def visible_blocks(html: str) -> list[tuple[str, str | None]]:
    """What a reader sees of the page, one block (paragraph, list item, heading, button …) at a time,
    each with the boilerplate kind its place on the page suggests (None inside <article>/<main>)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml refuses some inputs outright (e.g. only a comment): nothing visible
        return []
    blocks: list[tuple[str, str | None]] = []
    buf: list[str] = []
    hint_of: list[str | None] = [None]

    def flush() -> None:
        text = " ".join("".join(buf).split())
        buf.clear()
        if text:
            blocks.append((text, hint_of[0]))

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS or not isinstance(el.tag, str):
            if el.tail:
                buf.append(el.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
            hint_of[0] = _hint(el)
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
            parent = el.getparent()
            hint_of[0] = _hint(parent) if parent is not None else None
        if el.tail:
            buf.append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return blocks
