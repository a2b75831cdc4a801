"""Tables of the store (SQLAlchemy Core) and the named, ordered migrations that create them.

The same definitions serve SQLite and PostgreSQL. Applied migrations are recorded by name in
`schema_migrations`; `Store.migrate()` applies the missing ones in order, each in its own transaction.

Every text column is a `SafeText` / `SafeString`: values are normalised as they are written
(`parallax.text.safe.normalise_text`: no NUL or other control characters, no lone surrogates) and a value
longer than a VARCHAR's length is refused with PX500 on both backends (PostgreSQL would refuse it, SQLite
would keep it), so that the two backends hold the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from parallax.errors import error
from parallax.text.safe import normalise_text

metadata = MetaData()
ID_CHARS = 200  # an article id: the reader's own (data sets have ids of 40+ characters) or a content id
PUBLISHED_CHARS = 40  # an ISO instant with zone fits; a longer given date is kept in meta (see store.articles)


class SafeText(TypeDecorator):
    """TEXT whose values are normalised on the way in (no control characters)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        return normalise_text(value) if isinstance(value, str) else value


class SafeString(TypeDecorator):
    """VARCHAR(n) whose values are normalised on the way in and refused (PX503) when longer than n."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if not isinstance(value, str):
            return value
        value = normalise_text(value)
        n = self.impl.length
        if n is not None and len(value) > n:
            raise error("PX500", value[:40] + "…", f"a value of {len(value)} characters where at most {n} fit")
        return value


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, always UTC


schema_migrations = Table(
    "schema_migrations", metadata,
    Column("name", SafeString(100), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

meta = Table(
    "meta", metadata,
    Column("key", SafeString(100), primary_key=True),
    Column("value", SafeText, nullable=False),
)

stories = Table(
    "stories", metadata,
    Column("id", SafeString(40), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("first_day", Date),
    Column("last_day", Date),
    Column("n_articles", Integer, nullable=False, default=0),
    Column("merged_into", SafeString(40)),  # set when this story was merged into another
    Column("split_from", SafeString(40)),  # set when this story was split off another (two events of one kind)
    Index("ix_stories_updated", "updated_at"),
)

articles = Table(
    "articles", metadata,
    Column("id", SafeString(ID_CHARS), primary_key=True),
    Column("dedupe_key", SafeString(64), nullable=False, unique=True),  # sha256(url \0 cleaned text) or of the text
    Column("raw_key", SafeString(64), nullable=False),  # sha256(url \0 raw): skip cleaning on an exact re-read
    Column("text_hash", SafeString(64), nullable=False),  # sha256(cleaned text)
    Column("url", SafeText),
    Column("url_hash", SafeString(64)),
    Column("domain", SafeString(255)),
    Column("source", SafeText),
    Column("title", SafeText),
    Column("published", SafeString(PUBLISHED_CHARS)),
    Column("day", Date, nullable=False),  # published date when known, else the day it was added
    Column("pub_day", Date),  # published date, None when the page gives none
    Column("added_at", DateTime, nullable=False),
    Column("input", SafeText),
    Column("raw", SafeText, nullable=False),
    Column("html", SafeText),
    Column("text", SafeText, nullable=False),
    Column("removed_json", SafeText, nullable=False),
    Column("sentences_json", SafeText, nullable=False),
    Column("credits_json", SafeText, nullable=False),
    Column("derived_json", SafeText, nullable=False),
    Column("meta_json", SafeText, nullable=False),
    Column("group_id", SafeString(ID_CHARS + 8)),
    Column("story_id", SafeString(40), ForeignKey("stories.id")),
    Column("replaces", SafeString(ID_CHARS)),  # the earlier version of the same URL
    Column("superseded_by", SafeString(ID_CHARS)),  # a later version of the same URL replaced this one
    Column("sent_vecs", LargeBinary, nullable=False),  # float32, n_sentences x 384 (content sentences)
    Column("doc_vec", LargeBinary, nullable=False),  # float32, 384 (stories.doc_vectors)
    Column("minhash", LargeBinary, nullable=False),  # uint64 x ProvenanceConfig.num_perm
    Column("names_json", SafeText, nullable=False),  # proper names of the lead (stories.names)
    Column("terms_json", SafeText),  # word counts of title + text (stories.term_counts), for story scoring
    Column("anchors_json", SafeText),  # figures and names of title + text (stories.anchor_counts), for story scoring
    Index("ix_articles_raw_key", "raw_key"),
    Index("ix_articles_url_hash", "url_hash"),
    Index("ix_articles_story", "story_id"),
    Index("ix_articles_group", "group_id"),
    Index("ix_articles_day", "day"),
    Index("ix_articles_added", "added_at"),
)

relations = Table(
    "relations", metadata,
    Column("a", SafeString(ID_CHARS), primary_key=True),  # the newer article
    Column("b", SafeString(ID_CHARS), primary_key=True),  # the older article it was compared with
    Column("relation", SafeString(20), nullable=False),
    Column("jaccard", Float, nullable=False),
    Column("run_score", Float, nullable=False),
    Column("evidence", SafeText, nullable=False),
    Index("ix_relations_b", "b"),
)

pair_checks = Table(  # every pair of one story's articles compared by provenance (a < b), linked or not
    "pair_checks", metadata,
    Column("a", SafeString(ID_CHARS), primary_key=True),
    Column("b", SafeString(ID_CHARS), primary_key=True),
    Column("relation", SafeString(20), nullable=False),  # copy | near-copy | rewrite | credited | same-wire | independent
    Column("jaccard", Float, nullable=False),
    Column("run", Integer, nullable=False),
    Column("run_score", Float, nullable=False),
    Column("mean_cos", Float, nullable=False),
    Column("evidence", SafeText, nullable=False),
    Column("a_only", Integer, nullable=False, default=0),  # copies: sentences of a not in b
    Column("b_only", Integer, nullable=False, default=0),  # ... and of b not in a
    Index("ix_pair_checks_b", "b"),
)

lsh_copy = Table(  # MinHash LSH bands: near-copies
    "lsh_copy", metadata,
    Column("key", BigInteger, nullable=False),
    Column("article_id", SafeString(ID_CHARS), nullable=False),
    Index("ix_lsh_copy_key", "key"),
    Index("ix_lsh_copy_article", "article_id"),
)

lsh_story = Table(  # random-hyperplane LSH over doc vectors: candidates for the story and for rewrites
    "lsh_story", metadata,
    Column("key", BigInteger, nullable=False),
    Column("article_id", SafeString(ID_CHARS), nullable=False),
    Column("day", Date),  # the article's published date (None when unknown): the time window
    Index("ix_lsh_story_key_day", "key", "day"),
    Index("ix_lsh_story_article", "article_id"),
)

briefs = Table(
    "briefs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", SafeString(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("length", SafeString(20), nullable=False),
    Column("articles_key", SafeString(64), nullable=False),  # sha256 of the sorted article ids
    Column("story_json", SafeText, nullable=False),
    UniqueConstraint("story_id", "version", name="uq_briefs_story_version"),
)

sources = Table(
    "sources", metadata,
    Column("domain", SafeString(255), primary_key=True),
    Column("name", SafeText),
    Column("owner", SafeText),
    Column("country", SafeString(64)),
    Column("lean", SafeString(64)),
    Column("reliability", SafeString(64)),
    Column("notes", SafeText),
    Column("feed_url", SafeText),
    Column("extra_json", SafeText),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

fetch_state = Table(
    "fetch_state", metadata,
    Column("url", SafeText, nullable=False),
    Column("url_hash", SafeString(64), primary_key=True),
    Column("etag", SafeText),
    Column("last_modified", SafeText),
    Column("status", Integer),
    Column("fetched_at", DateTime),
    Column("content_hash", SafeString(64)),
    Column("article_id", SafeString(ID_CHARS)),
    Column("error", SafeText),
    Column("extra_json", SafeText),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_type", SafeString(40), nullable=False),
    Column("target_id", SafeString(200), nullable=False),
    Column("message", SafeText, nullable=False),
    Column("contact", SafeText),
    Column("created_at", DateTime, nullable=False),
    Column("resolved", Boolean, nullable=False, default=False),
)


term_df = Table(  # document frequency of each word over stored articles: the IDF of story assignment
    "term_df", metadata,
    Column("term", SafeString(64), primary_key=True),
    Column("df", Integer, nullable=False),
)


def _m0001_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=[meta, stories, articles, relations, lsh_copy, lsh_story, briefs])


def _m0002_sources_fetch_state(conn: Connection) -> None:
    metadata.create_all(conn, tables=[sources, fetch_state])


def _m0003_corrections(conn: Connection) -> None:
    metadata.create_all(conn, tables=[corrections])


def _m0004_term_df(conn: Connection) -> None:
    # Counts start with the articles added from here on; earlier articles weigh as unseen words.
    metadata.create_all(conn, tables=[term_df])


def _m0005_story_split_terms(conn: Connection) -> None:
    # 0001 creates the tables from today's definitions, which already have the columns on a new database.
    from sqlalchemy import inspect, text

    have = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t in ("stories", "articles")}
    if "split_from" not in have["stories"]:
        conn.execute(text("ALTER TABLE stories ADD COLUMN split_from VARCHAR(40)"))
    if "terms_json" not in have["articles"]:  # older articles get their counts from their text when needed
        conn.execute(text("ALTER TABLE articles ADD COLUMN terms_json TEXT"))


def _m0006_pair_checks(conn: Connection) -> None:
    # Origin groups become a function of each story's articles (the batch's rule): the compared pairs are
    # kept here; `relations` (pairs found by the old candidate search) is no longer written. Stories stored
    # before 0006 are re-traced the next time one of their articles changes.
    metadata.create_all(conn, tables=[pair_checks])


def _m0007_url_text_keys(conn: Connection) -> None:
    # Dedupe by canonical URL (tracking parameters, fragment, scheme, "www.", trailing slash and AMP markers
    # ignored) and by whitespace-normalised text: the keys of stored articles are recomputed so that a page
    # filed before this migration is recognised again. Current versions first; a key another row already
    # holds stays as it was (the rows were distinct articles when they were filed).
    import json

    from sqlalchemy import select, update

    from parallax.text.hashing import sha_key, text_key
    from parallax.text.urls import key_of_page

    a = articles.c
    rows = conn.execute(select(a.id, a.url, a.text, a.meta_json, a.superseded_by, a.dedupe_key)
                        .order_by(a.superseded_by.is_not(None), a.added_at, a.id)).all()
    taken = {r.dedupe_key for r in rows}
    for r in rows:
        meta = json.loads(r.meta_json or "{}")
        key = key_of_page(r.url, meta.get("canonical_url"))
        th = text_key(r.text)
        dk = sha_key(key, th) if key else th
        values: dict[str, object] = {"text_hash": th, "url_hash": sha_key(key) if key else None}
        if dk != r.dedupe_key and dk not in taken:
            taken.discard(r.dedupe_key)
            taken.add(dk)
            values["dedupe_key"] = dk
        conn.execute(update(articles).where(a.id == r.id).values(**values))


_LONG_ID_COLUMNS = (("articles", "id", 0), ("articles", "group_id", 8), ("articles", "replaces", 0),
                    ("articles", "superseded_by", 0), ("relations", "a", 0), ("relations", "b", 0),
                    ("pair_checks", "a", 0), ("pair_checks", "b", 0), ("lsh_copy", "article_id", 0),
                    ("lsh_story", "article_id", 0), ("fetch_state", "article_id", 0))


def _m0008_long_article_ids(conn: Connection) -> None:
    # Article ids were VARCHAR(40): a reader's id of 41+ characters (common in data sets) could not be filed.
    # SQLite does not enforce VARCHAR lengths (SafeString does, from today's definitions); PostgreSQL does.
    if conn.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for table, column, extra in _LONG_ID_COLUMNS:
        conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({ID_CHARS + extra})"))


def _m0009_story_anchors(conn: Connection) -> None:
    # English story scoring reads the anchors too (issue 19); older articles get theirs from their text when needed.
    from sqlalchemy import inspect, text

    if "anchors_json" not in {c["name"] for c in inspect(conn).get_columns("articles")}:
        conn.execute(text("ALTER TABLE articles ADD COLUMN anchors_json TEXT"))


# Named and ordered; never rename or reorder an entry, only append.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _m0001_initial),
    ("0002_sources_fetch_state", _m0002_sources_fetch_state),
    ("0003_corrections", _m0003_corrections),
    ("0004_term_df", _m0004_term_df),
    ("0005_story_split_terms", _m0005_story_split_terms),
    ("0006_pair_checks", _m0006_pair_checks),
    ("0007_url_text_keys", _m0007_url_text_keys),
    ("0008_long_article_ids", _m0008_long_article_ids),
    ("0009_story_anchors", _m0009_story_anchors),
]
