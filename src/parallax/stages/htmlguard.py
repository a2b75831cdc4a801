"""Guards for HTML before it is parsed: nesting too deep for the parser, pages with too many elements.

libxml2 (under lxml, trafilatura and our own `visible_blocks`) stops building the tree at 255 levels of
nesting: text below that depth is silently lost, and a page nested that deep loses its whole article. And
trafilatura's extraction and htmldate's date search take time that grows with the number of elements: a
page of 200,000 one-line paragraphs takes minutes. Neither is a news article's shape, but both arrive.

- `flatten_deep(html, max_depth)` drops the tags (never the text) of elements nested deeper than
  `max_depth`; a dropped block tag becomes a `<br>` so its paragraphs stay apart.
- `count_elements(html)` counts start tags, cheaply, so that the reader can take an over-sized page's
  visible text instead of running the extractor on it (`parallax.stages.read`).
- `head_of(html)` is the page's `<head>` (for metadata without a search of the whole body);
  `canonical_link(html)` its `<link rel="canonical">`.

All of these are single passes of a regular-expression tokenizer: linear in the page's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A comment, a raw-text element (whose content is not markup), or one tag.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp|noscript|template)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][A-Za-z0-9:_-]*)\b[^>]*?(/?)>",
    re.S | re.I,
)
_START_TAG = re.compile(r"<[A-Za-z]")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                  "track", "wbr", "keygen", "command", "basefont", "frame", "isindex"})
# Elements whose end tag is optional: a new one closes the open one of the same name.
_SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup"})
_BLOCKS = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "nav", "main", "ul", "ol", "li", "dl", "dt",
    "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption", "table", "tr", "td", "th",
    "form", "fieldset", "pre", "address", "details", "summary", "menu", "center",
})
_END_SEARCH = 64  # an end tag closes the nearest open element of its name within this many levels


@dataclass(slots=True)
class Flattened:
    html: str
    dropped: int  # tags dropped (start and end)
    max_depth: int  # the deepest nesting seen in the input


def flatten_deep(html: str, max_depth: int) -> Flattened:
    """`html` with the tags of elements nested deeper than `max_depth` removed (their text is kept).

    The nesting is followed as browsers roughly do: void elements do not nest, an end tag closes the
    nearest open element of its name (and what was left open inside it), and a new <p>, <li>, <td> …
    closes an open one of the same name. Returns the input itself when nothing is that deep.
    """
    stack: list[tuple[str, bool]] = []  # (tag, dropped)
    deepest = 0
    out: list[str] = []
    last = 0
    dropped = 0
    for m in _TOKEN.finditer(html):
        name = m.group(3)
        if name is None:  # a comment or a raw-text element: one opaque token
            if m.group(1) and len(stack) >= max_depth:
                # a <script>/<style> that deep: keep its content out of the text as the parser would
                out.append(html[last : m.start()])
                last = m.end()
                dropped += 1
            continue
        tag = name.lower()
        closing = m.group(2) == "/"
        if not closing:
            if tag in VOID or m.group(4) == "/":
                continue
            if tag in _SELF_CLOSING_SIBLINGS and stack and stack[-1][0] == tag:
                stack.pop()
            drop = len(stack) >= max_depth
            stack.append((tag, drop))
            deepest = max(deepest, len(stack))
        else:
            at = next((i for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _END_SEARCH), -1)
                       if stack[i][0] == tag), None)
            if at is None:
                continue  # a stray end tag: the parser ignores it too
            drop = stack[at][1]
            del stack[at:]
        if drop:
            out.append(html[last : m.start()])
            out.append("<br>" if tag in _BLOCKS else "")
            last = m.end()
            dropped += 1
    if not dropped:
        return Flattened(html, 0, deepest)
    out.append(html[last:])
    return Flattened("".join(out), dropped, deepest)


def count_elements(html: str) -> int:
    """The number of start tags in `html` (an upper bound of the elements a parser builds)."""
    return sum(1 for _ in _START_TAG.finditer(html))


_HEAD = re.compile(r"<head\b.*?(?:</head\s*>|<body\b)", re.S | re.I)
_LINK = re.compile(r"<link\b[^>]*>", re.I)
_ATTR = re.compile(r"""([A-Za-z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")


def head_of(html: str, max_chars: int = 200_000) -> str:
    """The page's <head> as a small HTML document (empty when there is none in the first `max_chars`)."""
    m = _HEAD.search(html, 0, max_chars)
    if not m:
        return ""
    head = m.group(0)
    if head.lower().endswith("</head>"):
        return f"<html>{head}<body></body></html>"
    return f"<html>{head[: head.lower().rfind('<body')]}</head><body></body></html>"


def canonical_link(html: str, max_chars: int = 200_000) -> str | None:
    """The href of the page's `<link rel="canonical">`, when it has one (in its first `max_chars`)."""
    head = head_of(html, max_chars) or html[:max_chars]
    for m in _LINK.finditer(head):
        attrs = {k.lower(): v.strip("\"'").strip() for k, v in _ATTR.findall(m.group(0))}
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            return attrs["href"]
    return None
