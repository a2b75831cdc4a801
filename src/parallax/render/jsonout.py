"""The brief as JSON: the contract in docs/brief.schema.json ("parallax.brief/1")."""

from __future__ import annotations

import json
from typing import Any

from parallax.model import Article, Brief
from parallax.render.common import (
    SCHEMA_ID,
    origin_groups,
    plain,
    public_input,
    public_settings,
    removed_counts,
    version,
)
from parallax.text.language import language_of


def article_to_dict(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "source": a.source,
        "title": a.title,
        "published": a.published,
        "url": a.url,
        "input": public_input(a.input),  # never a folder of the machine that read it
        "text": a.text,
        "removed": [r.to_dict() for r in a.removed],
        "removed_counts": removed_counts(a),
        "derived_from": [r.to_dict() for r in a.derived_from],
        "credits": [c.to_dict() for c in a.credits],
        "group": a.group,
        "sentences": len(a.sentences),
        "language": language_of(a),
        "sentence_languages": other_language_sentences(a),
    }


def other_language_sentences(a: Article) -> list[dict[str, Any]]:
    """The article's sentences in another language than the page's (offsets into `text`, the language)."""
    from parallax.text.language import sentence_language

    page = language_of(a)
    out = []
    for s in a.content_sentences():
        lang = sentence_language(s.text_of(a.text), page)
        if lang != page:
            out.append({"start": s.start, "end": s.end, "language": lang})
    return out


def to_json(brief: Brief) -> dict[str, Any]:
    """The brief as plain JSON values (dicts, lists, str, int, float, bool, None)."""
    out = {
        "schema": SCHEMA_ID,
        "generated_by": {"name": "parallax", "version": version()},
        "settings": public_settings(brief.settings),
        "errors": [e.to_dict() for e in brief.errors],
        "articles": [article_to_dict(a) for a in brief.articles],
        "stories": [s.to_dict() for s in brief.stories],
        "origin_groups": origin_groups(brief.articles),
    }
    return plain(out)


def to_json_text(brief: Brief) -> str:
    return json.dumps(to_json(brief), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
