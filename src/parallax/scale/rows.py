"""Rows of the cluster pipeline's Parquet tables, and the conversions between rows and `Article`s.

Plain Python and pyarrow (no Ray): the stage functions in `parallax.scale.stages` and the bulk merge
(`parallax.store.bulk`) read and write these rows. Vectors are stored as float32 bytes (the store's own
encoding: `store.incremental.vec_bytes`), MinHash values as uint64 bytes, lists and dicts as JSON.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from parallax.model import Article, Credit, Relation, Removal, Sentence

# The article table as read (stage "read", then "dedupe").
READ_FIELDS: dict[str, str] = {
    "id": "string", "raw": "string", "input": "string", "source": "string", "title": "string",
    "published": "string", "url": "string", "order": "int64",  # order: position in the inputs (file, record)
}
# ... after the article map (stage "articles"), and after provenance (stage "provenance").
ARTICLE_FIELDS: dict[str, str] = {
    **READ_FIELDS,
    "text": "string", "removed_json": "string", "sentences_json": "string", "credits_json": "string",
    "meta_json": "string", "raw_key": "string", "text_hash": "string", "dedupe_key": "string",
    "day": "string",  # ISO date of publication, or null
    "sent_vecs": "binary", "doc_vec": "binary", "minhash": "binary", "terms_json": "string",
    "names_json": "string",
    "anchors_json": "string",  # names and figures (stories.anchor_counts): stories across languages
    "error_code": "string", "error_message": "string",  # PX107 and friends: the article is not briefed
}
STORY_FIELDS: dict[str, str] = {"story": "string"}
TRACED_FIELDS: dict[str, str] = {**ARTICLE_FIELDS, "story": "string", "group_id": "string",
                                 "derived_json": "string", "pairs_json": "string"}
BRIEF_FIELDS: dict[str, str] = {"story": "string", "articles_json": "string", "story_json": "string",
                                "first_day": "string", "last_day": "string"}


def schema(fields: dict[str, str]):
    """The pyarrow schema of a table (explicit, so that a block of all-null values keeps its type)."""
    import pyarrow as pa

    types = {"string": pa.string(), "binary": pa.binary(), "int64": pa.int64(), "float64": pa.float64()}
    return pa.schema([(name, types[kind]) for name, kind in fields.items()])


def table(rows: list[dict[str, Any]], fields: dict[str, str]):
    """A pyarrow Table of `rows` with the table's schema (missing keys are null)."""
    import pyarrow as pa

    return pa.Table.from_pylist([{k: r.get(k) for k in fields} for r in rows], schema=schema(fields))


def article_of(row: dict[str, Any]) -> Article:
    """The Article a row holds (cleaned, split and credited when the row comes from the article map)."""
    a = Article(id=row["id"], raw=row.get("raw") or "", input=row.get("input") or "", source=row.get("source"),
                title=row.get("title"), published=row.get("published"), url=row.get("url"),
                text=row.get("text") or "")
    if row.get("removed_json"):
        a.removed = [Removal(**r) for r in json.loads(row["removed_json"])]
    if row.get("sentences_json"):
        a.sentences = [Sentence(s, e, p, bool(h)) for s, e, p, h in json.loads(row["sentences_json"])]
    if row.get("credits_json"):
        a.credits = [Credit(**c) for c in json.loads(row["credits_json"])]
    if row.get("meta_json"):
        a.meta = json.loads(row["meta_json"])
    if row.get("group_id"):
        a.group = row["group_id"]
    if row.get("derived_json"):
        a.derived_from = [Relation(d["article"], d["relation"], d["evidence"], d.get("score", 0.0))
                          for d in json.loads(row["derived_json"])]
    return a


def vectors(b: bytes | None, dim: int = 384) -> np.ndarray:
    v = np.frombuffer(b or b"", dtype=np.float32)
    return v.reshape(-1, dim) if v.size else np.zeros((0, dim), dtype=np.float32)


def vec_bytes(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float32).tobytes()
