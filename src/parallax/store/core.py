"""The Store: articles, provenance, stories, briefs, sources, fetch state and corrections in one database.

SQLAlchemy 2 Core over SQLite (default: one file under the user's data directory) or PostgreSQL (by URL),
the same code for both. Every added article is committed in its own transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy import Engine, Integer, Text, cast, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from parallax.errors import ParallaxError
from parallax.model import Article, Credit, InputError, Relation, Removal, Sentence, content_id
from parallax.stages.stories import parse_day
from parallax.store import index as idx
from parallax.store import schema as S

log = logging.getLogger(__name__)

# Story assignment (the incremental counterpart of stories.cluster_documents).
# Average-link similarity to join a story: the batch's (stories.similarity_matrix) embedding + TF-IDF mix,
# with document frequencies kept in the term_df table.
STORY_WINDOW_DAYS = 14  # candidates are looked for among articles dated within this many days
STORY_CANDIDATES = 200  # at most this many candidate articles (most LSH collisions first) are scored exactly
MIN_COLLISIONS = 2  # an article must share at least this many SimHash tables to be a candidate
STORY_MEMBERS = 24  # the neighbourhood holds at most this many (most recent) members of each candidate story
STORY_NEIGHBOURS = 8  # candidate stories in the neighbourhood (closest lead first)
# Provenance candidates.
COPY_CANDIDATES = 24  # near-copy candidates (most shared MinHash bands first)
REWRITE_CANDIDATES = 24  # the closest leads (by cosine) that are compared sentence by sentence
REWRITE_MIN_COS = 0.45

FETCH_FIELDS = ("etag", "last_modified", "status", "fetched_at", "content_hash", "article_id", "error")
SOURCE_FIELDS = ("name", "owner", "country", "lean", "reliability", "notes", "feed_url")


class StoreError(ParallaxError):
    """A store error: PX107 (no article text left), PX501 (unknown story), PX502 (bad database URL),
    PX503 (the store could not file an article)."""

    def __init__(self, code: str, message: str, *, input: str = ""):
        super().__init__(message, input=input, code=code)


@dataclass(slots=True)
class AddResult:
    id: str
    status: str  # "new" | "duplicate"
    story_id: str | None
    replaces: str | None = None  # the earlier version of the same URL this article supersedes


@dataclass(slots=True)
class AddSummary:
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)  # {"input", "code", "reason"}
    ids: list[str] = field(default_factory=list)  # ids of the new articles, in order
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.new + self.duplicate + self.failed

    def to_dict(self) -> dict[str, Any]:
        rate = self.total / self.seconds if self.seconds > 0 else 0.0
        return {"new": self.new, "duplicate": self.duplicate, "failed": self.failed, "failures": self.failures,
                "seconds": round(self.seconds, 3), "pages_per_second": round(rate, 2)}


# ---------------------------------------------------------------------------------------------------------
# Helpers


def default_url() -> str:
    """PARALLAX_DB if set, else a SQLite file under the user's data directory."""
    env = os.environ.get("PARALLAX_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("parallax", appauthor=False)) / "parallax.db")


def engine_url(url: str | None) -> str:
    """A SQLAlchemy URL from a database URL or a file path ("postgresql://" uses psycopg 3)."""
    url = url or default_url()
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+", "sqlite:")):
        return url
    if "://" in url:
        raise StoreError("PX502", f"unsupported database URL {url!r}: use a file path, sqlite:///… or postgresql://…")
    path = Path(url).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sha(*parts: str | None) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update((p or "").encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def domain_of(url_or_domain: str | None) -> str | None:
    """'https://www.Example.com/a' -> 'example.com'; 'Example.com' -> 'example.com'."""
    if not url_or_domain:
        return None
    s = url_or_domain.strip()
    host = urlsplit(s).hostname if "://" in s else s.split("/")[0].split(":")[0]
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _vec_bytes(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float32).tobytes()


def _vecs(b: bytes, dim: int = idx.DIM) -> np.ndarray:
    v = np.frombuffer(b, dtype=np.float32)
    return v.reshape(-1, dim) if v.size else np.zeros((0, dim), dtype=np.float32)


class _Signature:
    """Stored MinHash values: the Jaccard estimate of datasketch's MinHash (same seed and permutations)."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: bytes | np.ndarray):
        self.hashvalues = (np.frombuffer(hashvalues, dtype=np.uint64) if isinstance(hashvalues, bytes)
                           else np.asarray(hashvalues, dtype=np.uint64))

    def jaccard(self, other: _Signature) -> float:
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


def _naive_utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


@dataclass(slots=True)
class _Prepared:
    article: Article
    html: str | None
    raw_key: str
    text_hash: str = ""
    dedupe_key: str = ""
    sent_vecs: np.ndarray | None = None
    doc_vec: np.ndarray | None = None
    minhash: Any = None
    names: set[str] = field(default_factory=set)
    day: date | None = None
    error: InputError | None = None
    terms: dict[str, int] = field(default_factory=dict)  # word counts of title + text (TF-IDF)


# ---------------------------------------------------------------------------------------------------------


class Store:
    """A Parallax news desk database. `Store()` opens the default SQLite file; `Store("postgresql://…")`."""

    def __init__(self, url: str | None = None, *, migrate: bool = True, echo: bool = False):
        self.url = url or default_url()
        self._engine_url = engine_url(self.url)
        self.dialect = "postgresql" if self._engine_url.startswith("postgresql") else "sqlite"
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 60}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self._engine_url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            self.migrate()

    # -- lifecycle -----------------------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def migrate(self) -> list[str]:
        """Apply the missing named migrations in order; returns the names applied now."""
        S.schema_migrations.create(self.engine, checkfirst=True)
        applied: list[str] = []
        for name, step in S.MIGRATIONS:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":  # one migrator at a time
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7207317)")
                done = conn.execute(select(S.schema_migrations.c.name).where(
                    S.schema_migrations.c.name == name)).first()
                if done:
                    continue
                step(conn)
                conn.execute(insert(S.schema_migrations).values(name=name, applied_at=S.utcnow()))
                applied.append(name)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        with self.engine.begin() as conn:
            self._set_meta(conn, "index", idx.INDEX_VERSION, only_if_missing=True)
        return applied

    def migrations(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.schema_migrations).order_by(S.schema_migrations.c.name)).all()
        return [{"name": r.name, "applied_at": r.applied_at.isoformat()} for r in rows]

    def info(self) -> dict[str, Any]:
        """Database URL (password hidden), dialect, migrations, row counts."""
        with self.engine.connect() as conn:
            counts = {
                "articles": conn.execute(select(func.count()).select_from(S.articles).where(
                    S.articles.c.superseded_by.is_(None))).scalar_one(),
                "article_versions": conn.execute(select(func.count()).select_from(S.articles)).scalar_one(),
                "stories": conn.execute(select(func.count()).select_from(S.stories).where(
                    S.stories.c.merged_into.is_(None), S.stories.c.n_articles > 0)).scalar_one(),
                "origin_groups": conn.execute(select(func.count(func.distinct(S.articles.c.group_id))).where(
                    S.articles.c.superseded_by.is_(None))).scalar_one(),
                "briefs": conn.execute(select(func.count()).select_from(S.briefs)).scalar_one(),
                "sources": conn.execute(select(func.count()).select_from(S.sources)).scalar_one(),
                "corrections": conn.execute(select(func.count()).select_from(S.corrections)).scalar_one(),
            }
            index = self._get_meta(conn, "index")
        known = [n for n, _ in S.MIGRATIONS]
        applied = [m["name"] for m in self.migrations()]
        return {"url": self.engine.url.render_as_string(hide_password=True), "dialect": self.dialect,
                "migrations": applied, "pending": [n for n in known if n not in applied], "index": index,
                "counts": counts}

    def _get_meta(self, conn: Connection, key: str) -> str | None:
        return conn.execute(select(S.meta.c.value).where(S.meta.c.key == key)).scalar_one_or_none()

    def _set_meta(self, conn: Connection, key: str, value: str, only_if_missing: bool = False) -> None:
        cur = self._get_meta(conn, key)
        if cur is None:
            conn.execute(insert(S.meta).values(key=key, value=value))
        elif not only_if_missing and cur != value:
            conn.execute(update(S.meta).where(S.meta.c.key == key).values(value=value))

    # -- adding articles -----------------------------------------------------------------------------------

    def add_article(self, article: Article, *, html: str | None = None) -> AddResult:
        """Clean, split, embed, trace and file one article (as returned by parallax.stages.read) in one transaction.

        Same URL and same cleaned text (or, with no URL, the same cleaned text) is a duplicate: a no-op.
        Same URL with changed text is a new version: a new article that supersedes the earlier one.
        Raises StoreError PX107 when cleaning leaves no article text.
        """
        prep = self._prepare([(article, html)])[0]
        if prep.error is not None:
            raise StoreError(prep.error.code, prep.error.message, input=prep.error.input)
        return self._commit(prep)

    def add_articles(self, items: Iterable[Article | InputError | tuple[Article, str | None]], *,
                     progress: bool = True, batch: int = 16) -> AddSummary:
        """Add many articles (each in its own transaction); read errors and failures are counted, not raised.

        Items: Articles, (Article, html) pairs, or InputErrors (counted as failed). Articles are cleaned and
        embedded `batch` at a time for speed, then committed one by one.
        """
        from tqdm import tqdm

        summary = AddSummary()
        t0 = time.perf_counter()
        bar = tqdm(desc="adding", unit="page", disable=not progress, leave=False)

        def flush(chunk: list[tuple[Article, str | None]]) -> None:
            for prep in self._prepare(chunk):
                a = prep.article
                if prep.error is not None:
                    summary.failed += 1
                    summary.failures.append({"input": prep.error.input, "code": prep.error.code,
                                             "reason": prep.error.message})
                else:
                    try:
                        res = self._commit(prep)
                    except Exception as exc:  # one bad page must not stop the run
                        log.exception("could not add %s", a.input or a.id)
                        summary.failed += 1
                        summary.failures.append({"input": a.input or a.id, "code": getattr(exc, "code", "PX503"),
                                                 "reason": f"{type(exc).__name__}: {exc}"})
                    else:
                        if res.status == "new":
                            summary.new += 1
                            summary.ids.append(res.id)
                        else:
                            summary.duplicate += 1
                bar.update(1)

        chunk: list[tuple[Article, str | None]] = []
        try:
            for item in items:
                if isinstance(item, InputError):
                    summary.failed += 1
                    summary.failures.append({"input": item.input, "code": item.code, "reason": item.message})
                    bar.update(1)
                    continue
                chunk.append(item if isinstance(item, tuple) else (item, None))
                if len(chunk) >= batch:
                    flush(chunk)
                    chunk = []
            if chunk:
                flush(chunk)
        finally:
            bar.close()
            summary.seconds = time.perf_counter() - t0
        return summary

    def _raw_key(self, a: Article) -> str:
        return _sha(a.url, a.raw)

    def _prepare(self, items: list[tuple[Article, str | None]]) -> list[_Prepared]:
        """Clean, split and embed (outside any transaction); exact re-reads are recognised before cleaning."""
        from parallax.stages.clean import clean_article
        from parallax.stages.provenance import find_credits, minhash
        from parallax.stages.split import split_article
        from parallax.stages.stories import doc_vectors, names, term_counts
        from parallax.text.embed import embed

        preps = [_Prepared(a, h, self._raw_key(a)) for a, h in items]
        with self.engine.connect() as conn:
            seen = set(conn.execute(select(S.articles.c.raw_key).where(
                S.articles.c.raw_key.in_([p.raw_key for p in preps]))).scalars())
        todo = []
        for p in preps:
            if p.raw_key in seen:
                continue  # committed before: _commit reports the duplicate
            a = p.article
            try:
                clean_article(a)
                split_article(a)
            except Exception as exc:
                p.error = InputError(a.input or a.id, "PX503", f"cleaning failed: {type(exc).__name__}: {exc}")
                continue
            if not a.content_sentences():
                p.error = InputError(a.input or a.id, "PX107", "no article text left after cleaning")
                continue
            a.credits = find_credits(a)
            p.text_hash = _sha(a.text)
            p.dedupe_key = _sha(a.url, p.text_hash) if a.url else p.text_hash
            p.minhash = minhash(a.text)
            p.names = names((a.title or "") + " " + a.text[:1500])
            p.day = parse_day(a.published)
            p.terms = term_counts((a.title or "") + "\n" + a.text)
            todo.append(p)
        if todo:
            sents = [p.article.sentence_texts() for p in todo]
            flat = embed([s for ss in sents for s in ss])
            pos = 0
            for p, ss in zip(todo, sents, strict=True):
                p.sent_vecs = flat[pos : pos + len(ss)]
                pos += len(ss)
            dv = doc_vectors([{"title": p.article.title, "text": p.article.text} for p in todo])
            for p, v in zip(todo, dv, strict=True):
                p.doc_vec = v
        return preps

    def _commit(self, prep: _Prepared) -> AddResult:
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    if self.dialect == "sqlite":
                        conn.exec_driver_sql("SELECT 1")  # (the transaction begins on the first statement)
                    return self._file(conn, prep)
            except IntegrityError:
                # Another process filed the same page (or took the id) meanwhile: look again.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _existing(self, conn: Connection, prep: _Prepared) -> AddResult | None:
        a = S.articles.c
        if prep.dedupe_key:
            row = conn.execute(select(a.id, a.story_id).where(a.dedupe_key == prep.dedupe_key)).first()
        else:
            row = conn.execute(select(a.id, a.story_id).where(a.raw_key == prep.raw_key)).first()
        if row is None:
            return None
        return AddResult(row.id, "duplicate", self._resolve_story(conn, row.story_id))

    def _file(self, conn: Connection, prep: _Prepared) -> AddResult:
        from parallax.stages.provenance import compare

        dup = self._existing(conn, prep)
        if dup is not None or not prep.dedupe_key:
            if dup is None:  # raw key seen at prepare time but the row is gone: should not happen
                raise StoreError("PX503", "article vanished during the run")
            return dup
        art = prep.article
        ac = S.articles.c
        now = S.utcnow()
        day = prep.day or now.date()
        # A free id: the reader's id, else the content id, else a numbered one.
        aid = art.id or content_id(art.text, art.url)
        taken = set(conn.execute(select(ac.id).where(ac.id.in_([aid, content_id(art.text, art.url)]))).scalars())
        if aid in taken:
            aid = content_id(art.text, art.url)
            n = 2
            base = aid
            while aid in taken or conn.execute(select(ac.id).where(ac.id == aid)).first():
                aid = f"{base}-{n}"
                n += 1
        art.id = aid
        url_hash = _sha(art.url) if art.url else None
        previous = None
        if url_hash:
            previous = conn.execute(select(ac.id).where(ac.url_hash == url_hash, ac.superseded_by.is_(None))
                                    .order_by(ac.added_at.desc())).scalars().first()

        # Candidates through the indexes, never a scan.
        ckeys = idx.copy_keys(prep.minhash.hashvalues)
        skeys = idx.story_keys(prep.doc_vec)
        lc = S.lsh_copy.c
        bands = func.count().label("bands")
        copy_ids = set(conn.execute(select(lc.article_id, bands).where(lc.key.in_(ckeys)).group_by(lc.article_id)
                                    .order_by(bands.desc(), lc.article_id).limit(COPY_CANDIDATES)).scalars())
        ls = S.lsh_story.c
        hits = func.count().label("hits")
        q = select(ls.article_id, hits).where(ls.key.in_(skeys))
        if prep.day is not None:  # dated: only articles dated within the window (or undated)
            lo, hi = prep.day - timedelta(days=STORY_WINDOW_DAYS), prep.day + timedelta(days=STORY_WINDOW_DAYS)
            q = q.where(ls.day.is_(None) | ((ls.day >= lo) & (ls.day <= hi)))
        story_rows = conn.execute(q.group_by(ls.article_id).having(func.count() >= MIN_COLLISIONS)
                                  .order_by(hits.desc(), ls.article_id).limit(STORY_CANDIDATES)).all()
        cand_ids = [r.article_id for r in story_rows]
        cands = {}
        if cand_ids or copy_ids:
            rows = conn.execute(select(ac.id, ac.doc_vec, ac.story_id, ac.group_id)
                                .where(ac.id.in_(set(cand_ids) | copy_ids), ac.superseded_by.is_(None))).all()
            cands = {r.id: r for r in rows}
        cos = {cid: float(np.frombuffer(r.doc_vec, dtype=np.float32) @ prep.doc_vec) for cid, r in cands.items()}

        # Provenance: near-copies from MinHash LSH, rewrites among the closest leads.
        to_compare = [c for c in copy_ids if c in cands]
        closest = sorted((c for c in cands if cos[c] >= REWRITE_MIN_COS and c not in copy_ids),
                         key=lambda c: -cos[c])[:REWRITE_CANDIDATES]
        to_compare += closest
        linked: list[tuple[str, Any]] = []
        if to_compare:
            crows = conn.execute(select(ac.id, ac.sent_vecs, ac.minhash, ac.credits_json, ac.source, ac.published)
                                 .where(ac.id.in_(to_compare))).all()
            for r in crows:
                other = Article(id=r.id, raw="", source=r.source, published=r.published,
                                credits=[Credit(**c) for c in json.loads(r.credits_json)])
                ev = compare(art, other, prep.sent_vecs, _vecs(r.sent_vecs), _Signature(prep.minhash.hashvalues),
                             _Signature(r.minhash))
                if ev.relation != "independent":
                    linked.append((r.id, ev))

        # The story: average link to each candidate story; bridge (merge) stories when the article joins two.
        story_id, touched = self._assign_story(conn, prep, cands, cos, now)
        if story_id is None:
            story_id = "story-" + hashlib.sha256(aid.encode()).hexdigest()[:10]
            conn.execute(insert(S.stories).values(id=story_id, created_at=now, updated_at=now, first_day=day,
                                                  last_day=day, n_articles=0))

        conn.execute(insert(S.articles).values(
            id=aid, dedupe_key=prep.dedupe_key, raw_key=prep.raw_key, text_hash=prep.text_hash, url=art.url,
            url_hash=url_hash, domain=domain_of(art.url), source=art.source, title=art.title,
            published=art.published, day=day, pub_day=prep.day, added_at=now, input=art.input, raw=art.raw, html=prep.html,
            text=art.text, removed_json=json.dumps([r.to_dict() for r in art.removed], ensure_ascii=False),
            sentences_json=json.dumps([[s.start, s.end, s.paragraph, int(s.is_heading)] for s in art.sentences]),
            credits_json=json.dumps([c.to_dict() for c in art.credits], ensure_ascii=False),
            derived_json="[]", meta_json=json.dumps(art.meta, ensure_ascii=False, default=str),
            group_id=None, story_id=story_id, replaces=previous, superseded_by=None,
            sent_vecs=_vec_bytes(prep.sent_vecs), doc_vec=_vec_bytes(prep.doc_vec),
            minhash=np.asarray(prep.minhash.hashvalues, dtype=np.uint64).tobytes(),
            names_json=json.dumps(sorted(prep.names), ensure_ascii=False),
            terms_json=json.dumps(prep.terms, ensure_ascii=False)))
        self._count_terms(conn, prep.terms)
        conn.execute(insert(S.lsh_copy), [{"key": k, "article_id": aid} for k in ckeys])
        conn.execute(insert(S.lsh_story), [{"key": k, "article_id": aid, "day": prep.day} for k in skeys])
        if previous:
            conn.execute(update(S.articles).where(ac.id == previous).values(superseded_by=aid))
            conn.execute(S.lsh_copy.delete().where(S.lsh_copy.c.article_id == previous))
            conn.execute(S.lsh_story.delete().where(S.lsh_story.c.article_id == previous))
            old_story = conn.execute(select(ac.story_id).where(ac.id == previous)).scalar_one()
            self._touch_story(conn, old_story, None, now)
        if linked:
            conn.execute(insert(S.relations), [
                {"a": aid, "b": bid, "relation": ev.relation, "jaccard": ev.jaccard, "run_score": ev.run_score,
                 "evidence": ev.evidence} for bid, ev in linked])
        groups = {cands[b].group_id for b, _ in linked if b in cands and cands[b].group_id}
        self._regroup(conn, aid, groups)
        for sid in sorted(touched | {story_id}):
            self._touch_story(conn, sid, None, now)
        return AddResult(aid, "new", story_id, previous)

    def _assign_story(self, conn: Connection, prep: _Prepared, cands: dict[str, Any],
                      cos: dict[str, float], now: datetime) -> tuple[str | None, set[str]]:
        """Re-cluster the new article's neighbourhood with the batch's rules; returns (its story, stories touched).

        The neighbourhood is the new article plus the STORY_MEMBERS most recent articles of each of the
        STORY_NEIGHBOURS candidate stories (LSH candidates, closest lead first): its size, and so the cost, is
        bounded whatever the size of the store. Inside it, `stories.cluster_similarities` (average link at
        STORY_THRESHOLD, then the split pass) decides as the batch would. Its clusters are matched to the
        existing stories by overlap (largest cluster first, the story holding most of it), so a story keeps
        its id; stories the neighbourhood joins merge (the emptied one redirects), a story it pulls apart
        splits (the new one records `split_from`). Returns None for the story when the article starts one.
        """
        from parallax.stages.stories import TermMatrix, cluster_similarities, term_counts

        ac, st = S.articles.c, S.stories.c
        by_story: dict[str, float] = {}
        resolved: dict[str, str | None] = {}
        for cid, r in cands.items():
            if r.story_id and cos[cid] > 0.2:
                if r.story_id not in resolved:
                    resolved[r.story_id] = self._resolve_story(conn, r.story_id)
                sid = resolved[r.story_id]
                if sid:
                    by_story[sid] = max(by_story.get(sid, -1.0), cos[cid])
        if not by_story:
            return None, set()
        rows = []
        for sid in sorted(by_story, key=lambda s: (-by_story[s], s))[:STORY_NEIGHBOURS]:
            rows += conn.execute(select(ac.id, ac.story_id, ac.doc_vec, ac.pub_day, ac.terms_json)
                                 .where(ac.story_id == sid, ac.superseded_by.is_(None))
                                 .order_by(ac.added_at.desc(), ac.id).limit(STORY_MEMBERS)).all()
        if not rows:
            return None, set()
        older = [r.id for r in rows if r.terms_json is None]  # stored before migration 0005: count from the text
        texts = dict(conn.execute(select(ac.id, func.coalesce(ac.title, "") + "\n" + ac.text)
                                  .where(ac.id.in_(older))).all()) if older else {}
        terms = TermMatrix([json.loads(r.terms_json) if r.terms_json is not None else term_counts(texts[r.id])
                            for r in rows] + [prep.terms])
        vecs = np.stack([np.frombuffer(r.doc_vec, dtype=np.float32) for r in rows] + [prep.doc_vec])
        df, n_docs = self._term_stats(conn, set(terms.vocab))
        sim = _similarity(vecs, terms, [r.pub_day for r in rows] + [prep.day], df, n_docs)
        labels = cluster_similarities(sim, terms)

        clusters: dict[str, list[int]] = {}
        for i, lab in enumerate(labels):
            clusters.setdefault(lab, []).append(i)
        sizes = dict(conn.execute(select(st.id, st.n_articles).where(st.id.in_({r.story_id for r in rows}))).all())
        new_at = len(rows)
        chosen: dict[str, str] = {}  # cluster -> story id
        taken: set[str] = set()
        for lab, members in sorted(clusters.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            held: dict[str, int] = {}
            for i in members:
                if i != new_at:
                    held[rows[i].story_id] = held.get(rows[i].story_id, 0) + 1
            for sid in sorted(held, key=lambda s: (-held[s], -sizes.get(s, 0), s)):
                if sid not in taken:
                    chosen[lab] = sid
                    taken.add(sid)
                    break
            else:
                if members == [new_at]:
                    continue  # the article alone: the caller starts its story
                origin = max(held, key=lambda s: (held[s], s))
                sid, n = "story-" + hashlib.sha256(f"split:{origin}:{rows[members[0]].id}".encode()).hexdigest()[:10], 1
                while conn.execute(select(st.id).where(st.id == sid)).first():
                    sid = "story-" + hashlib.sha256(f"split:{origin}:{rows[members[0]].id}:{n}".encode()).hexdigest()[:10]
                    n += 1
                conn.execute(insert(S.stories).values(id=sid, created_at=now, updated_at=now, n_articles=0,
                                                      split_from=origin))
                log.info("split %d articles off story %s into %s", len(members), origin, sid)
                chosen[lab] = sid
        touched: set[str] = set()
        moved_to: dict[str, dict[str, int]] = {}  # old story -> new story -> articles moved
        for lab, members in clusters.items():
            target = chosen.get(lab)
            for i in members:
                if i == new_at or rows[i].story_id == target:
                    continue
                old = rows[i].story_id
                conn.execute(update(S.articles).where(ac.id == rows[i].id).values(story_id=target))
                moved_to.setdefault(old, {})
                moved_to[old][target] = moved_to[old].get(target, 0) + 1
                touched |= {old, target}
        for old, dests in moved_to.items():
            left = conn.execute(select(func.count()).where(ac.story_id == old, ac.superseded_by.is_(None))).scalar_one()
            if left == 0:  # wholly absorbed: the story redirects to where most of it went
                keep = max(dests, key=lambda s: (dests[s], s))
                conn.execute(update(S.stories).where(st.merged_into == old).values(merged_into=keep))
                conn.execute(update(S.stories).where(st.id == old).values(merged_into=keep, n_articles=0))
                log.info("merged story %s into %s", old, keep)
        return chosen.get(labels[new_at]), touched

    def _term_stats(self, conn: Connection, words: set[str]) -> tuple[dict[str, int], int]:
        """Document frequencies of `words` and the number of articles counted (the IDF of story assignment)."""
        td = S.term_df.c
        df: dict[str, int] = {}
        wl = sorted(words)
        for i in range(0, len(wl), 2000):
            df.update(dict(conn.execute(select(td.term, td.df).where(td.term.in_(wl[i : i + 2000]))).all()))
        n = conn.execute(select(S.meta.c.value).where(S.meta.c.key == "n_docs")).scalar_one_or_none()
        return df, int(n or 0)

    def _count_terms(self, conn: Connection, terms: dict[str, int]) -> None:
        """One more document holds each of `terms` (upsert on either dialect)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        if terms:
            stmt = dialect_insert(S.term_df)
            conn.execute(stmt.on_conflict_do_update(index_elements=["term"], set_={"df": S.term_df.c.df + 1}),
                         [{"term": t, "df": 1} for t in sorted(terms)])
        stmt = dialect_insert(S.meta)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["key"], set_={"value": cast(cast(S.meta.c.value, Integer) + 1, Text)}),
            [{"key": "n_docs", "value": "1"}])

    def _resolve_story(self, conn: Connection, sid: str | None) -> str | None:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            nxt = conn.execute(select(S.stories.c.merged_into).where(S.stories.c.id == sid)).scalar_one_or_none()
            if not nxt:
                return sid
            sid = nxt
        return sid

    def _merge_stories(self, conn: Connection, a: str, b: str) -> str:
        """Merge the smaller story into the larger (the older on a tie); returns the surviving id."""
        st = S.stories.c
        rows = {r.id: r for r in conn.execute(select(S.stories).where(st.id.in_([a, b]))).all()}
        keep, drop = sorted([a, b], key=lambda s: (-rows[s].n_articles, rows[s].created_at, s))
        conn.execute(update(S.articles).where(S.articles.c.story_id == drop).values(story_id=keep))
        conn.execute(update(S.stories).where(st.merged_into == drop).values(merged_into=keep))
        conn.execute(update(S.stories).where(st.id == drop).values(merged_into=keep, n_articles=0))
        self._touch_story(conn, keep, None, S.utcnow())
        log.info("merged story %s into %s", drop, keep)
        return keep

    def _touch_story(self, conn: Connection, sid: str | None, day: date | None, now: datetime) -> None:
        if not sid:
            return
        ac = S.articles.c
        n, first, last = conn.execute(select(func.count(), func.min(ac.day), func.max(ac.day)).where(
            ac.story_id == sid, ac.superseded_by.is_(None))).one()
        conn.execute(update(S.stories).where(S.stories.c.id == sid).values(
            n_articles=n, first_day=first, last_day=last, updated_at=now))

    def _regroup(self, conn: Connection, aid: str, groups: set[str]) -> None:
        """Put the new article in an origin group, merging the groups it links; recompute root and derivations."""
        from parallax.stages.provenance import NEAR_COPY_JACCARD, _originality_key

        ac = S.articles.c
        if not groups:
            conn.execute(update(S.articles).where(ac.id == aid).values(group_id=f"g-{aid}", derived_json="[]"))
            return
        if len(groups) == 1 and self._join_group(conn, aid, next(iter(groups))):
            return
        rows = conn.execute(select(ac.id, ac.published, ac.source, ac.credits_json, ac.group_id).where(
            (ac.group_id.in_(groups) | (ac.id == aid)), ac.superseded_by.is_(None))).all()
        ids = [r.id for r in rows]
        by_id = {r.id: Article(id=r.id, raw="", source=r.source, published=r.published,
                               credits=[Credit(**c) for c in json.loads(r.credits_json)]) for r in rows}
        rels = conn.execute(select(S.relations).where(S.relations.c.a.in_(ids), S.relations.c.b.in_(ids))).all()
        central = {m: 0.0 for m in ids}
        for r in rels:
            central[r.a] += r.run_score
            central[r.b] += r.run_score
        key = {m: _originality_key(by_id[m], central[m]) for m in ids}
        root = min(ids, key=lambda m: key[m])
        gid = f"g-{root}"
        for m in ids:
            derived: list[Relation] = []
            if m != root:
                ties = [(r, r.b if r.a == m else r.a) for r in rels if m in (r.a, r.b)]
                ties = [(r, o) for r, o in ties if key[o] < key[m]]
                if ties:
                    r, other = max(ties, key=lambda t: (t[0].jaccard >= NEAR_COPY_JACCARD, t[1] == root,
                                                        t[0].run_score))
                    derived.append(Relation(other, r.relation, r.evidence, max(r.jaccard, r.run_score)))
            conn.execute(update(S.articles).where(ac.id == m).values(
                group_id=gid, derived_json=json.dumps([d.to_dict() for d in derived], ensure_ascii=False)))

    def _join_group(self, conn: Connection, aid: str, gid: str) -> bool:
        """Fast path: the article links to one group and is no more original than its root (published
        later, or as early but crediting someone): it joins as a derived member; the others stay as they are.
        Returns False when the group must be recomputed (the article may be its new root)."""
        from parallax.stages.provenance import NEAR_COPY_JACCARD, _originality_key

        ac = S.articles.c
        rows = {r.id: r for r in conn.execute(select(ac.id, ac.published, ac.source, ac.credits_json).where(
            ac.id.in_([aid, gid.removeprefix("g-")]))).all()}
        root = gid.removeprefix("g-")
        if root not in rows or aid not in rows:
            return False

        def key(r: Any) -> tuple:
            art = Article(id=r.id, raw="", source=r.source, published=r.published,
                          credits=[Credit(**c) for c in json.loads(r.credits_json)])
            return _originality_key(art, 0.0)[:2]

        if key(rows[aid]) <= key(rows[root]):
            return False
        rels = conn.execute(select(S.relations).join(S.articles, S.articles.c.id == S.relations.c.b).where(
            S.relations.c.a == aid, ac.group_id == gid)).all()
        if not rels:
            return False
        best = max(rels, key=lambda r: (r.jaccard >= NEAR_COPY_JACCARD, r.b == root, r.run_score))
        derived = [Relation(best.b, best.relation, best.evidence, max(best.jaccard, best.run_score)).to_dict()]
        conn.execute(update(S.articles).where(ac.id == aid).values(
            group_id=gid, derived_json=json.dumps(derived, ensure_ascii=False)))
        return True

    # -- reading -------------------------------------------------------------------------------------------

    def _article(self, r: Any) -> Article:
        a = Article(id=r.id, raw=r.raw, input=r.input or "", source=r.source, title=r.title,
                    published=r.published, url=r.url, text=r.text)
        a.removed = [Removal(**d) for d in json.loads(r.removed_json)]
        a.sentences = [Sentence(s, e, p, bool(h)) for s, e, p, h in json.loads(r.sentences_json)]
        a.credits = [Credit(**c) for c in json.loads(r.credits_json)]
        a.derived_from = [Relation(d["article"], d["relation"], d["evidence"], d.get("score", 0.0))
                          for d in json.loads(r.derived_json)]
        a.group = r.group_id
        a.meta = dict(json.loads(r.meta_json or "{}"))
        a.meta.update({"story_id": r.story_id, "added_at": r.added_at.isoformat(), "day": r.day.isoformat(),
                       "replaces": r.replaces, "superseded_by": r.superseded_by})
        return a

    def get_article(self, article_id: str) -> Article | None:
        """The stored article (cleaned, split, traced), or None."""
        with self.engine.connect() as conn:
            r = conn.execute(select(S.articles).where(S.articles.c.id == article_id)).first()
        return self._article(r) if r else None

    def articles(self, story_id: str | None = None, since: datetime | date | None = None, *,
                 include_superseded: bool = False, limit: int | None = None) -> list[Article]:
        """Stored articles, oldest first: all, or one story's; `since` filters on the time they were added."""
        ac = S.articles.c
        q = select(S.articles).order_by(ac.added_at, ac.id)
        with self.engine.connect() as conn:
            if story_id is not None:
                q = q.where(ac.story_id == self._resolve_story(conn, story_id))
            if since is not None:
                q = q.where(ac.added_at >= _as_datetime(since))
            if not include_superseded:
                q = q.where(ac.superseded_by.is_(None))
            if limit:
                q = q.limit(limit)
            return [self._article(r) for r in conn.execute(q).all()]

    def article_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored sentence embeddings (content sentences, in order) per article id."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.articles.c.id, S.articles.c.sent_vecs).where(
                S.articles.c.id.in_(ids))).all()
        return {r.id: _vecs(r.sent_vecs) for r in rows}

    def resolve_story(self, story_id: str) -> str | None:
        """The current id of a story (following merges), or None if unknown."""
        with self.engine.connect() as conn:
            if conn.execute(select(S.stories.c.id).where(S.stories.c.id == story_id)).first() is None:
                return None
            return self._resolve_story(conn, story_id)

    def list_stories(self, since: datetime | date | None = None, limit: int = 50, offset: int = 0,
                     day: date | None = None) -> list[dict[str, Any]]:
        """Stories, most recently updated first: id, headline, articles (ids), origins, updated (ISO), days,
        and `split_from` (the story this one was split off, else None).

        `since` keeps stories updated since then; `day` keeps stories with an article dated that day.
        """
        st, ac = S.stories.c, S.articles.c
        q = (select(S.stories).where(st.merged_into.is_(None), st.n_articles > 0)
             .order_by(st.updated_at.desc(), st.id).limit(limit).offset(offset))
        if since is not None:
            q = q.where(st.updated_at >= _as_datetime(since))
        if day is not None:
            q = q.where(st.id.in_(select(ac.story_id).where(ac.day == day, ac.superseded_by.is_(None))))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            ids = [r.id for r in rows]
            members: dict[str, list[Any]] = {i: [] for i in ids}
            if ids:
                for r in conn.execute(select(ac.id, ac.story_id, ac.title, ac.group_id, ac.published, ac.source)
                                      .where(ac.story_id.in_(ids), ac.superseded_by.is_(None))
                                      .order_by(ac.added_at, ac.id)).all():
                    members[r.story_id].append(r)
            headlines = self._latest_headlines(conn, ids)
        out = []
        for r in rows:
            arts = members[r.id]
            out.append({"id": r.id, "headline": headlines.get(r.id) or _quick_headline(arts),
                        "articles": [a.id for a in arts], "origins": len({a.group_id or a.id for a in arts}),
                        "outlets": len({(a.source or "").lower() for a in arts if a.source}),
                        "updated": r.updated_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
                        "first_day": r.first_day.isoformat() if r.first_day else None,
                        "last_day": r.last_day.isoformat() if r.last_day else None,
                        "split_from": r.split_from})
        return out

    def story_lineage(self, story_id: str) -> dict[str, Any] | None:
        """Where a story came from and what left it: {id (current, after merges), split_from, split_off
        (stories split off it), merged (stories merged into it)}, each other story as {id, headline}; None
        if unknown. A reader of a story that lost articles to a split learns where they went."""
        st, ac = S.stories.c, S.articles.c
        with self.engine.connect() as conn:
            if conn.execute(select(st.id).where(st.id == story_id)).first() is None:
                return None
            sid = self._resolve_story(conn, story_id)
            parent = conn.execute(select(st.split_from).where(st.id == sid)).scalar_one_or_none()
            parent = self._resolve_story(conn, parent) if parent else None
            off = [self._resolve_story(conn, x) for x in
                   conn.execute(select(st.id).where(st.split_from == sid).order_by(st.created_at, st.id)).scalars()]
            merged = list(conn.execute(select(st.id).where(st.merged_into == sid)
                                       .order_by(st.updated_at, st.id)).scalars())
            ids = [x for x in dict.fromkeys([parent, *off]) if x and x != sid]
            heads = self._latest_headlines(conn, ids)
            for x in ids:
                if not heads.get(x):
                    arts = conn.execute(select(ac.id, ac.group_id, ac.title)
                                        .where(ac.story_id == x, ac.superseded_by.is_(None))
                                        .order_by(ac.added_at, ac.id)).all()
                    heads[x] = _quick_headline(arts)

        def one(x: str) -> dict[str, str]:
            return {"id": x, "headline": heads.get(x) or x}

        return {"id": sid, "split_from": one(parent) if parent and parent != sid else None,
                "split_off": [one(x) for x in dict.fromkeys(off) if x and x != sid],
                "merged": merged}

    def _latest_headlines(self, conn: Connection, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        b = S.briefs.c
        latest = (select(b.story_id, func.max(b.version).label("v")).where(b.story_id.in_(ids))
                  .group_by(b.story_id).subquery())
        rows = conn.execute(select(b.story_id, b.story_json).join(
            latest, (latest.c.story_id == b.story_id) & (latest.c.v == b.version))).all()
        return {r.story_id: json.loads(r.story_json).get("headline") for r in rows}

    def story_days(self) -> list[date]:
        """Days that have articles, newest first."""
        ac = S.articles.c
        with self.engine.connect() as conn:
            return list(conn.execute(select(ac.day).where(ac.superseded_by.is_(None)).distinct()
                                     .order_by(ac.day.desc())).scalars())

    # -- briefs (the logic lives in parallax.desk) -----------------------------------------------------------

    def brief_story(self, story_id: str, *, length: str = "standard", record: bool = True):
        """The story's brief (parallax.model.Story); recorded as a new version when its articles changed."""
        from parallax.desk import brief_story

        return brief_story(self, story_id, length=length, record=record)

    def story_brief(self, story_id: str, *, length: str = "standard", record: bool = True):
        """A parallax.model.Brief with just this story and its articles (for parallax.render.render)."""
        from parallax.desk import story_brief

        return story_brief(self, story_id, length=length, record=record)

    def changes_since_last(self, story_id: str, *, length: str = "standard", record: bool = True) -> dict:
        """What changed since the story's last recorded brief: new / changed / gone facts, disputes."""
        from parallax.desk import changes_since_last

        return changes_since_last(self, story_id, length=length, record=record)

    def daily(self, day: date | None = None, *, length: str = "short", limit: int = 20):
        """The daily briefing (parallax.model.Brief): the day's stories ranked by independent origins."""
        from parallax.desk import daily

        return daily(self, day, length=length, limit=limit)

    def coverage(self, story_id: str) -> dict[str, Any]:
        """Which outlets and origin groups covered the story, with the source registry's metadata."""
        from parallax.desk import coverage

        return coverage(self, story_id)

    def brief_versions(self, story_id: str) -> list[dict[str, Any]]:
        """Recorded briefs of a story, oldest first: version, created_at, length, story (dict)."""
        b = S.briefs.c
        with self.engine.connect() as conn:
            sid = self._resolve_story(conn, story_id) or story_id
            rows = conn.execute(select(S.briefs).where(b.story_id == sid).order_by(b.version)).all()
        return [{"version": r.version, "created_at": r.created_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
                 "length": r.length, "articles_key": r.articles_key, "story": json.loads(r.story_json)}
                for r in rows]

    def record_brief(self, story_id: str, story_dict: dict[str, Any], length: str, articles_key: str) -> int:
        """Record a brief as the story's next version; returns the version number."""
        b = S.briefs.c
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    v = conn.execute(select(func.max(b.version)).where(b.story_id == story_id)).scalar() or 0
                    conn.execute(insert(S.briefs).values(
                        story_id=story_id, version=v + 1, created_at=S.utcnow(), length=length,
                        articles_key=articles_key, story_json=json.dumps(story_dict, ensure_ascii=False)))
                    return v + 1
            except IntegrityError:
                continue  # a concurrent writer took the number
        raise StoreError("PX503", f"could not record a brief for {story_id}")

    # -- sources -------------------------------------------------------------------------------------------

    def upsert_source(self, domain: str, **fields: Any) -> dict[str, Any]:
        """Create or update a source by domain (name, owner, country, lean, reliability, notes, feed_url;
        other keys are kept in `extra`). Fields not given are left as they are; unknown stays None."""
        d = domain_of(domain)
        if not d:
            raise ValueError(f"not a domain: {domain!r}")
        known = {k: v for k, v in fields.items() if k in SOURCE_FIELDS}
        extra = {k: v for k, v in fields.items() if k not in SOURCE_FIELDS}
        sc = S.sources.c
        now = S.utcnow()
        with self.engine.begin() as conn:
            row = conn.execute(select(S.sources).where(sc.domain == d)).first()
            if row is None:
                conn.execute(insert(S.sources).values(domain=d, created_at=now, updated_at=now,
                                                      extra_json=json.dumps(extra, default=str) if extra else None,
                                                      **known))
            else:
                values: dict[str, Any] = dict(known, updated_at=now)
                if extra:
                    values["extra_json"] = json.dumps({**json.loads(row.extra_json or "{}"), **extra}, default=str)
                conn.execute(update(S.sources).where(sc.domain == d).values(**values))
        out = self.source_for(d)
        assert out is not None
        return out

    def list_sources(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.sources).order_by(S.sources.c.domain)).all()
        return [_source_dict(r) for r in rows]

    def source_for(self, url_or_domain: str) -> dict[str, Any] | None:
        """The registry entry for a URL or domain (the closest parent domain that is registered), or None."""
        d = domain_of(url_or_domain)
        if not d:
            return None
        parts = d.split(".")
        candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [d]
        with self.engine.connect() as conn:
            rows = {r.domain: r for r in conn.execute(select(S.sources).where(
                S.sources.c.domain.in_(candidates))).all()}
        for c in candidates:
            if c in rows:
                return _source_dict(rows[c])
        return None

    # -- fetch state ---------------------------------------------------------------------------------------

    def get_fetch_state(self, url: str) -> dict[str, Any] | None:
        """etag, last_modified, status, fetched_at (datetime, UTC), content_hash, article_id, error, extra."""
        with self.engine.connect() as conn:
            r = conn.execute(select(S.fetch_state).where(S.fetch_state.c.url_hash == _sha(url))).first()
        if r is None:
            return None
        out = {k: getattr(r, k) for k in ("url", *FETCH_FIELDS)}
        out["extra"] = json.loads(r.extra_json) if r.extra_json else {}
        return out

    def set_fetch_state(self, url: str, **fields: Any) -> None:
        """Create or update the fetch state of a URL; unknown keys go to `extra`. fetched_at defaults to now."""
        known = {k: v for k, v in fields.items() if k in FETCH_FIELDS}
        extra = {k: v for k, v in fields.items() if k not in FETCH_FIELDS and k != "extra"}
        extra.update(fields.get("extra") or {})
        if isinstance(known.get("fetched_at"), str):
            known["fetched_at"] = datetime.fromisoformat(known["fetched_at"])
        if isinstance(known.get("fetched_at"), datetime):
            known["fetched_at"] = _naive_utc(known["fetched_at"])
        known.setdefault("fetched_at", S.utcnow())
        h = _sha(url)
        fc = S.fetch_state.c
        with self.engine.begin() as conn:
            row = conn.execute(select(S.fetch_state).where(fc.url_hash == h)).first()
            if row is None:
                conn.execute(insert(S.fetch_state).values(url=url, url_hash=h, extra_json=json.dumps(extra, default=str)
                                                          if extra else None, **known))
            else:
                values: dict[str, Any] = dict(known)
                if extra:
                    values["extra_json"] = json.dumps({**json.loads(row.extra_json or "{}"), **extra}, default=str)
                conn.execute(update(S.fetch_state).where(fc.url_hash == h).values(**values))

    # -- corrections ---------------------------------------------------------------------------------------

    def add_correction(self, target_type: str, target_id: str, message: str, contact: str | None = None) -> int:
        """Record a reader's correction of a story, fact, article or source; returns its id."""
        if not message or not message.strip():
            raise ValueError("a correction needs a message")
        with self.engine.begin() as conn:
            res = conn.execute(insert(S.corrections).values(
                target_type=target_type, target_id=str(target_id), message=message.strip(), contact=contact,
                created_at=S.utcnow(), resolved=False).returning(S.corrections.c.id))
            return int(res.scalar_one())

    def list_corrections(self, target_type: str | None = None, target_id: str | None = None) -> list[dict]:
        cc = S.corrections.c
        q = select(S.corrections).order_by(cc.id)
        if target_type:
            q = q.where(cc.target_type == target_type)
        if target_id:
            q = q.where(cc.target_id == str(target_id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [{"id": r.id, "target_type": r.target_type, "target_id": r.target_id, "message": r.message,
                 "contact": r.contact, "created_at": r.created_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
                 "resolved": bool(r.resolved)} for r in rows]


def _similarity(vecs: np.ndarray, terms: Any, days: list[date | None], df: dict[str, int],
                n_docs: int) -> np.ndarray:
    """The batch pair similarity (stories.similarity_matrix) over a neighbourhood, IDF from the store."""
    from parallax.stages.stories import DATE_GAP_PENALTY, EMBEDDING_WEIGHT, LEXICAL_WEIGHT, MAX_DAYS_APART

    tf = terms.weighted(terms.idf(df, max(n_docs, 1)))
    sim = EMBEDDING_WEIGHT * (vecs @ vecs.T) + LEXICAL_WEIGHT * (tf @ tf.T).toarray()
    day = np.array([x.toordinal() if x else np.nan for x in days], dtype=float)
    with np.errstate(invalid="ignore"):
        far = np.abs(day[:, None] - day[None, :]) > MAX_DAYS_APART  # NaN (undated) compares False
    sim[far] -= DATE_GAP_PENALTY
    return sim


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses no committed transaction
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def _as_datetime(v: datetime | date) -> datetime:
    if isinstance(v, datetime):
        return _naive_utc(v)
    return datetime(v.year, v.month, v.day)


def _source_dict(r: Any) -> dict[str, Any]:
    out = {"domain": r.domain, **{k: getattr(r, k) for k in SOURCE_FIELDS}}
    out["extra"] = json.loads(r.extra_json) if r.extra_json else {}
    return out


def _quick_headline(rows: list[Any]) -> str:
    """A headline without briefing: the most neutral title of the largest origin group."""
    if not rows:
        return ""
    from parallax.stages.loaded import neutrality

    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r.group_id or r.id] = sizes.get(r.group_id or r.id, 0) + 1
    titled = [r for r in rows if r.title]
    if not titled:
        return rows[0].id
    best = max(titled, key=lambda r: (neutrality(r.title) >= 0.99, sizes[r.group_id or r.id], -len(r.title)))
    return best.title
