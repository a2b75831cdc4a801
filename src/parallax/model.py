"""The data model: one `Article` flows through the stages; a `Story` holds the cross-check and the brief.

Spans are character offsets, not copies: a `Removal` points into `Article.raw` (the page as read, after
HTML extraction), a `Sentence` into `Article.text` (the cleaned body). Ids are content hashes where the
input gives none, so re-reading the same page is idempotent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


def content_id(text: str, url: str | None = None) -> str:
    """A stable id for a page: sha256 of its URL (when known) and its text, 16 hex digits."""
    h = hashlib.sha256()
    if url:
        h.update(url.encode("utf-8"))
        h.update(b"\0")
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:16]


@dataclass(slots=True)
class Removal:
    """A piece of the page that is not the article, kept with its reason (kind)."""

    kind: str  # one of parallax.stages.clean.REMOVAL_KINDS
    start: int  # offsets into Article.raw
    end: int
    text: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end, "reason": self.reason}


@dataclass(slots=True)
class Sentence:
    """A sentence (or heading) of the cleaned body: offsets into Article.text."""

    start: int
    end: int
    paragraph: int  # index of the paragraph in the cleaned body
    is_heading: bool = False

    def text_of(self, body: str) -> str:
        return body[self.start : self.end]


@dataclass(slots=True)
class Credit:
    """A credit line in the page: "according to Reuters", "(AP) —", "Source link", "Photo: Bloomberg"."""

    kind: str  # "wire" (content credited to an agency), "source_link", "photo", "cite" (any named source: matched
    # against the story's outlets by provenance), "link" (a URL in the page; `name` is the URL)
    name: str | None  # the credited organisation, when the line names one
    text: str  # the words of the credit line
    start: int  # offsets into Article.raw
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "text": self.text, "start": self.start, "end": self.end}


@dataclass(slots=True)
class Relation:
    """Evidence that one article derives from another."""

    article: str  # the id of the other (earlier / original) article
    relation: str  # "copy" | "near-copy" | "rewrite" | "credited" | "same-wire" | "digest" (one of several parents)
    # | "translation" (a restatement in order in another language)
    evidence: str
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "relation": self.relation, "evidence": self.evidence,
                "score": round(self.score, 3)}


@dataclass(slots=True)
class Article:
    """One page, from input to cleaned, split and traced."""

    id: str
    raw: str  # the text as read (HTML already reduced to text by the reader)
    input: str = ""  # where it came from: a path, "-", or "file.jsonl:LINE"
    source: str | None = None  # outlet name
    title: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, when known
    url: str | None = None
    text: str = ""  # cleaned body
    removed: list[Removal] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    derived_from: list[Relation] = field(default_factory=list)
    group: str | None = None  # origin group id
    meta: dict[str, Any] = field(default_factory=dict)

    def sentence_texts(self, include_headings: bool = False) -> list[str]:
        return [s.text_of(self.text) for s in self.sentences if include_headings or not s.is_heading]

    def content_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.is_heading]


@dataclass(slots=True)
class SourceRef:
    """One article's sentence that states a fact."""

    article: str
    start: int  # offsets into that article's cleaned text
    end: int
    group: str


@dataclass(slots=True)
class Fact:
    text: str  # the words of one cited source sentence, at most trimmed
    sources: list[str]  # article ids
    support: int  # distinct origin groups among the sources
    status: str  # "corroborated" | "single-source" | "disputed"
    speaker: str | None = None
    refs: list[SourceRef] = field(default_factory=list)
    origin_article: str = ""  # whose words `text` are
    score: float = 0.0
    representative_reason: str = ""  # why these words among the sentences that state the fact
    partial: list[SourceRef] = field(default_factory=list)  # sentences that state part of it (no support)
    claims: list[dict[str, Any]] = field(default_factory=list)  # its parts: text, offsets in `text`, who states each

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sources": list(self.sources),
            "support": self.support,
            "status": self.status,
            "speaker": self.speaker,
            "quoted_from": self.origin_article,
            "representative_reason": self.representative_reason,
            "citations": [{"article": r.article, "start": r.start, "end": r.end, "group": r.group}
                          for r in self.refs],
            "partly_stated_by": [{"article": r.article, "start": r.start, "end": r.end, "group": r.group}
                                 for r in self.partial],
            "claims": [dict(c) for c in self.claims],
        }


@dataclass(slots=True)
class Variant:
    text: str  # the sentence, as printed by its sources
    value: str  # the disputed value in that sentence ("two", "1", "Thursday", "Biden")
    sources: list[str]
    groups: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "value": self.value, "sources": list(self.sources),
                "groups": list(self.groups)}


@dataclass(slots=True)
class Dispute:
    about: str  # what differs: "number of astronauts", "date", "speaker of a quote"
    kind: str  # "number" | "date" | "actor"
    variants: list[Variant]

    def to_dict(self) -> dict[str, Any]:
        return {"about": self.about, "kind": self.kind, "variants": [v.to_dict() for v in self.variants]}


@dataclass(slots=True)
class LoadedFlag:
    article: str
    text: str
    terms: list[str]
    where: str = "body"  # "headline" | "body"
    start: int = 0  # offsets into the article's cleaned text (headline: into its title)
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "text": self.text, "terms": list(self.terms), "where": self.where,
                "start": self.start, "end": self.end}


@dataclass(slots=True)
class Story:
    id: str
    articles: list[str]
    headline: str = ""
    headline_from: str | None = None  # the article whose words the headline is
    facts: list[Fact] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    loaded_language: list[LoadedFlag] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "headline": self.headline,
            "headline_from": self.headline_from,
            "articles": list(self.articles),
            "facts": [f.to_dict() for f in self.facts],
            "disputes": [d.to_dict() for d in self.disputes],
            "loaded_language": [x.to_dict() for x in self.loaded_language],
            "coverage": self.coverage,
        }


@dataclass(slots=True)
class InputError:
    """A page that could not be read; the rest of the batch goes on."""

    input: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "code": self.code, "message": self.message}


@dataclass(slots=True)
class Brief:
    articles: list[Article]
    stories: list[Story]
    errors: list[InputError] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
