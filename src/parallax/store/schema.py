"""Tables of the store (SQLAlchemy Core) and the named, ordered migrations that create them.

The same definitions serve SQLite and PostgreSQL. Applied migrations are recorded by name in
`schema_migrations`; `Store.migrate()` applies the missing ones in order, each in its own transaction.
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

metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, always UTC


schema_migrations = Table(
    "schema_migrations", metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

meta = Table(
    "meta", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

stories = Table(
    "stories", metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("first_day", Date),
    Column("last_day", Date),
    Column("n_articles", Integer, nullable=False, default=0),
    Column("merged_into", String(40)),  # set when this story was merged into another
    Column("split_from", String(40)),  # set when this story was split off another (two events of one kind)
    Index("ix_stories_updated", "updated_at"),
)

articles = Table(
    "articles", metadata,
    Column("id", String(40), primary_key=True),
    Column("dedupe_key", String(64), nullable=False, unique=True),  # sha256(url \0 cleaned text) or of the text
    Column("raw_key", String(64), nullable=False),  # sha256(url \0 raw): skip cleaning on an exact re-read
    Column("text_hash", String(64), nullable=False),  # sha256(cleaned text)
    Column("url", Text),
    Column("url_hash", String(64)),
    Column("domain", String(255)),
    Column("source", Text),
    Column("title", Text),
    Column("published", String(40)),
    Column("day", Date, nullable=False),  # published date when known, else the day it was added
    Column("pub_day", Date),  # published date, None when the page gives none
    Column("added_at", DateTime, nullable=False),
    Column("input", Text),
    Column("raw", Text, nullable=False),
    Column("html", Text),
    Column("text", Text, nullable=False),
    Column("removed_json", Text, nullable=False),
    Column("sentences_json", Text, nullable=False),
    Column("credits_json", Text, nullable=False),
    Column("derived_json", Text, nullable=False),
    Column("meta_json", Text, nullable=False),
    Column("group_id", String(48)),
    Column("story_id", String(40), ForeignKey("stories.id")),
    Column("replaces", String(40)),  # the earlier version of the same URL
    Column("superseded_by", String(40)),  # a later version of the same URL replaced this one
    Column("sent_vecs", LargeBinary, nullable=False),  # float32, n_sentences x 384 (content sentences)
    Column("doc_vec", LargeBinary, nullable=False),  # float32, 384 (stories.doc_vectors)
    Column("minhash", LargeBinary, nullable=False),  # uint64 x ProvenanceConfig.num_perm
    Column("names_json", Text, nullable=False),  # proper names of the lead (stories.names)
    Column("terms_json", Text),  # word counts of title + text (stories.term_counts), for story scoring
    Index("ix_articles_raw_key", "raw_key"),
    Index("ix_articles_url_hash", "url_hash"),
    Index("ix_articles_story", "story_id"),
    Index("ix_articles_group", "group_id"),
    Index("ix_articles_day", "day"),
    Index("ix_articles_added", "added_at"),
)

relations = Table(
    "relations", metadata,
    Column("a", String(40), primary_key=True),  # the newer article
    Column("b", String(40), primary_key=True),  # the older article it was compared with
    Column("relation", String(20), nullable=False),
    Column("jaccard", Float, nullable=False),
    Column("run_score", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Index("ix_relations_b", "b"),
)

pair_checks = Table(  # every pair of one story's articles compared by provenance (a < b), linked or not
    "pair_checks", metadata,
    Column("a", String(40), primary_key=True),
    Column("b", String(40), primary_key=True),
    Column("relation", String(20), nullable=False),  # copy | near-copy | rewrite | same-wire | independent
    Column("jaccard", Float, nullable=False),
    Column("run", Integer, nullable=False),
    Column("run_score", Float, nullable=False),
    Column("mean_cos", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("a_only", Integer, nullable=False, default=0),  # copies: sentences of a not in b
    Column("b_only", Integer, nullable=False, default=0),  # ... and of b not in a
    Index("ix_pair_checks_b", "b"),
)

lsh_copy = Table(  # MinHash LSH bands: near-copies
    "lsh_copy", metadata,
    Column("key", BigInteger, nullable=False),
    Column("article_id", String(40), nullable=False),
    Index("ix_lsh_copy_key", "key"),
    Index("ix_lsh_copy_article", "article_id"),
)

lsh_story = Table(  # random-hyperplane LSH over doc vectors: candidates for the story and for rewrites
    "lsh_story", metadata,
    Column("key", BigInteger, nullable=False),
    Column("article_id", String(40), nullable=False),
    Column("day", Date),  # the article's published date (None when unknown): the time window
    Index("ix_lsh_story_key_day", "key", "day"),
    Index("ix_lsh_story_article", "article_id"),
)

briefs = Table(
    "briefs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("length", String(20), nullable=False),
    Column("articles_key", String(64), nullable=False),  # sha256 of the sorted article ids
    Column("story_json", Text, nullable=False),
    UniqueConstraint("story_id", "version", name="uq_briefs_story_version"),
)

sources = Table(
    "sources", metadata,
    Column("domain", String(255), primary_key=True),
    Column("name", Text),
    Column("owner", Text),
    Column("country", String(64)),
    Column("lean", String(64)),
    Column("reliability", String(64)),
    Column("notes", Text),
    Column("feed_url", Text),
    Column("extra_json", Text),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

fetch_state = Table(
    "fetch_state", metadata,
    Column("url", Text, nullable=False),
    Column("url_hash", String(64), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("status", Integer),
    Column("fetched_at", DateTime),
    Column("content_hash", String(64)),
    Column("article_id", String(40)),
    Column("error", Text),
    Column("extra_json", Text),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_type", String(40), nullable=False),
    Column("target_id", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("contact", Text),
    Column("created_at", DateTime, nullable=False),
    Column("resolved", Boolean, nullable=False, default=False),
)


term_df = Table(  # document frequency of each word over stored articles: the IDF of story assignment
    "term_df", metadata,
    Column("term", String(64), primary_key=True),
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


# Named and ordered; never rename or reorder an entry, only append.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _m0001_initial),
    ("0002_sources_fetch_state", _m0002_sources_fetch_state),
    ("0003_corrections", _m0003_corrections),
    ("0004_term_df", _m0004_term_df),
    ("0005_story_split_terms", _m0005_story_split_terms),
    ("0006_pair_checks", _m0006_pair_checks),
]
