"""Renderers of a `Brief`: JSON (the "parallax.brief/1" contract, docs/brief.schema.json), Markdown, HTML.

to_json(brief) -> dict          plain JSON values, ready for json.dumps
render(brief, fmt) -> str       fmt: "md" | "json" | "html" (else a PX302 UsageError, a ValueError)

Also here: `render.atom`, the one Atom feed writer; `render.html.markdownish_html` for Markdown-ish text
that is not a brief; `render.common`, what the renderers (and the web views) share.
"""

from __future__ import annotations

from parallax.errors import error
from parallax.model import Brief
from parallax.render.common import SCHEMA_ID
from parallax.render.html import to_html
from parallax.render.jsonout import to_json, to_json_text
from parallax.render.markdown import to_markdown

FORMATS = ("md", "json", "html")

__all__ = ["FORMATS", "SCHEMA_ID", "render", "to_html", "to_json", "to_json_text", "to_markdown"]


def render(brief: Brief, fmt: str) -> str:
    """The brief as text in `fmt` ("md", "json" or "html"); ValueError for any other format."""
    if fmt == "json":
        return to_json_text(brief)
    if fmt == "md":
        return to_markdown(brief)
    if fmt == "html":
        return to_html(brief)
    raise error("PX302", fmt, f"unknown output format {fmt!r}: use one of {', '.join(FORMATS)}")
