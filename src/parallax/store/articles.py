"""Articles in the store: prepared outside any transaction, filed one per transaction, read back.

Filing = dedupe (content hash and URL) -> a free id -> story assignment and provenance
(`parallax.store.incremental`, which calls the stages) -> the row, its index keys and word counts.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from parallax.errors import ParallaxError, error
from parallax.model import Article, Credit, InputError, Relation, Removal, Sentence, content_id
from parallax.store import index as idx
from parallax.store import schema as S
from parallax.store.engine import FATAL_CODES, as_datetime, translate
from parallax.store.incremental import story_key, vec_bytes, vecs_of
from parallax.store.registry import domain_of
from parallax.text.dates import parse_day
from parallax.text.hashing import sha_key, text_key
from parallax.text.urls import key_of_page

log = logging.getLogger(__name__)


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
    stories: set[str] = field(default_factory=set)  # the stories new articles were filed into
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.new + self.duplicate + self.failed

    def to_dict(self) -> dict[str, Any]:
        rate = self.total / self.seconds if self.seconds > 0 else 0.0
        return {"new": self.new, "duplicate": self.duplicate, "failed": self.failed, "failures": self.failures,
                "ids": list(self.ids), "seconds": round(self.seconds, 3), "pages_per_second": round(rate, 2)}


@dataclass(slots=True)
class Prepared:
    """An article cleaned, split and embedded (outside any transaction), ready to be filed."""

    article: Article
    html: str | None
    raw_key: str
    url_key: str | None = None  # the URL as dedupe compares it (parallax.text.urls.url_key)
    text_hash: str = ""
    dedupe_key: str = ""
    sent_vecs: np.ndarray | None = None
    doc_vec: np.ndarray | None = None
    minhash: Any = None
    names: set[str] = field(default_factory=set)
    day: date | None = None
    error: InputError | None = None
    terms: dict[str, int] = field(default_factory=dict)  # word counts of title + text (TF-IDF)
    anchors: dict[str, int] = field(default_factory=dict)  # names and figures (stories.anchor_counts)
    language: str = "en"  # text.language.language_of
    ml_vec: np.ndarray | None = None  # multilingual lead vector, computed only when a pair needs it


class ArticlesMixin:
    """Adding and reading articles (mixed into `parallax.store.Store`)."""

    def add_article(self, article: Article, *, html: str | None = None) -> AddResult:
        """Clean, split, embed, trace and file one article (as returned by parallax.stages.read) in one
        transaction.

        Same URL and same cleaned text (or, with no URL, the same cleaned text) is a duplicate: a no-op.
        Same URL with changed text is a new version: a new article that supersedes the earlier one.
        Raises PX107 when cleaning leaves no article text; PX505 on a read-only store.
        """
        self.require_writable("add articles")
        prep = self.prepare([(article, html)])[0]
        if prep.error is not None:
            raise error(prep.error.code, prep.error.input, prep.error.message)
        return self.commit(prep)

    def add_articles(self, items: Iterable[Article | InputError | tuple[Article, str | None]], *,
                     progress: bool = True, batch: int = 16, settle: bool = True,
                     summary: AddSummary | None = None) -> AddSummary:
        """Add many articles (each in its own transaction); read errors and failures are counted, not raised.

        Items: Articles, (Article, html) pairs, or InputErrors (counted as failed). Articles are cleaned and
        embedded `batch` at a time for speed, then committed one by one. A failure that every later page
        would meet too (a read-only database PX505, a disk that cannot be written PX506 ...) is raised at
        once; `summary` (filled in place when given) then still says what was filed before it, and items are
        taken in order, so the first `summary.total` of them were done.
        At the end the stories the run filed into are settled (`settle`: re-clustered together, so that the
        partition does not depend on the order of the pages); a caller that adds in several calls passes
        settle=False and settles `AddSummary.stories` once at its own end, as `parallax ingest` does.
        """
        from tqdm import tqdm

        self.require_writable("add articles")
        summary = summary if summary is not None else AddSummary()
        t0 = time.perf_counter()
        bar = tqdm(desc="adding", unit="page", disable=not progress, leave=False)

        def fail(input: str, code: str, reason: str) -> None:
            summary.failed += 1
            summary.failures.append({"input": input, "code": code, "reason": reason})

        def flush(chunk: list[tuple[Article, str | None]]) -> None:
            for prep in self.prepare(chunk):
                a = prep.article
                if prep.error is not None:
                    fail(prep.error.input, prep.error.code, prep.error.message)
                else:
                    try:
                        res = self.commit(prep)
                    except ParallaxError as exc:  # one bad page must not stop the run ...
                        if exc.code in FATAL_CODES:
                            raise  # ... unless no page can be filed any more
                        log.debug("could not add %s", a.input or a.id, exc_info=True)
                        fail(a.input or a.id, exc.code, exc.message)
                    else:
                        if res.status == "new":
                            summary.new += 1
                            summary.ids.append(res.id)
                            if res.story_id:
                                summary.stories.add(res.story_id)
                        else:
                            summary.duplicate += 1
                bar.update(1)

        chunk: list[tuple[Article, str | None]] = []
        try:
            for item in items:
                if isinstance(item, InputError):
                    fail(item.input, item.code, item.message)
                    bar.update(1)
                    continue
                chunk.append(item if isinstance(item, tuple) else (item, None))
                if len(chunk) >= batch:
                    flush(chunk)
                    chunk = []
            if chunk:
                flush(chunk)
            if settle and summary.stories:
                self.settle(summary.stories)  # the run's partition, whatever the order its pages came in
        finally:
            bar.close()
            summary.seconds = time.perf_counter() - t0
        return summary

    def prepare(self, items: list[tuple[Article, str | None]]) -> list[Prepared]:
        """Clean, split and embed (outside any transaction); exact re-reads are recognised before cleaning."""
        from parallax.stages.prepare import prepare_article
        from parallax.stages.provenance import find_credits, minhash, note_masthead
        from parallax.stages.stories import anchor_counts, doc_vectors, term_counts
        from parallax.text.embed import embed
        from parallax.text.language import language_of
        from parallax.text.names import names

        preps = []
        for a, h in items:
            key = key_of_page(a.url, a.meta.get("canonical_url"))
            preps.append(Prepared(a, h, sha_key(key, a.raw), key))
        with self.engine.connect() as conn:
            seen = set(conn.execute(select(S.articles.c.raw_key).where(
                S.articles.c.raw_key.in_([p.raw_key for p in preps]))).scalars())
        todo = []
        for p in preps:
            if p.raw_key in seen:
                continue  # committed before: commit() reports the duplicate
            a = p.article
            p.error = prepare_article(a)  # the batch's and the scale map's per-article steps
            if p.error is not None:
                continue
            a.credits = find_credits(a)
            note_masthead(a)
            p.text_hash = text_key(a.text)
            p.dedupe_key = sha_key(p.url_key, p.text_hash) if p.url_key else p.text_hash
            p.minhash = minhash(a.text)
            p.names = names((a.title or "") + " " + a.text[:1500])
            p.day = parse_day(a.published)
            p.terms = term_counts((a.title or "") + "\n" + a.text)
            p.anchors = anchor_counts((a.title or "") + "\n" + a.text)
            p.language = language_of(a)
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

    def commit(self, prep: Prepared) -> AddResult:
        """File one prepared article in its own transaction (retried when a concurrent writer raced it).

        A database failure is a coded StoreError (PX505 read-only, PX506 disk full, PX503 ...), never SQL."""
        self.require_writable("add articles")
        name = prep.article.input or prep.article.id
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    if self.dialect == "sqlite":
                        conn.exec_driver_sql("SELECT 1")  # (the transaction begins on the first statement)
                    return self._file(conn, prep)
            except IntegrityError as exc:
                # Another process filed the same page (or took the id) meanwhile: look again.
                if attempt == 2:
                    raise translate(exc, name) from exc
            except ParallaxError:
                raise
            except SQLAlchemyError as exc:
                log.debug("filing %s failed", name, exc_info=True)
                raise translate(exc, name) from exc
        raise AssertionError("unreachable")

    def _existing(self, conn: Connection, prep: Prepared) -> AddResult | None:
        a = S.articles.c
        if prep.dedupe_key:
            row = conn.execute(select(a.id, a.story_id).where(a.dedupe_key == prep.dedupe_key)).first()
        else:
            row = conn.execute(select(a.id, a.story_id).where(a.raw_key == prep.raw_key)).first()
        if row is None:
            return None
        return AddResult(row.id, "duplicate", self._resolve_story(conn, row.story_id))

    def _free_id(self, conn: Connection, art: Article) -> str:
        """The reader's id, else the content id, else a numbered one."""
        ac = S.articles.c
        aid = art.id or content_id(art.text, art.url)
        taken = set(conn.execute(select(ac.id).where(ac.id.in_([aid, content_id(art.text, art.url)]))).scalars())
        if aid in taken:
            aid = content_id(art.text, art.url)
            n = 2
            base = aid
            while aid in taken or conn.execute(select(ac.id).where(ac.id == aid)).first():
                aid = f"{base}-{n}"
                n += 1
        return aid

    def _file(self, conn: Connection, prep: Prepared) -> AddResult:
        dup = self._existing(conn, prep)
        if dup is not None or not prep.dedupe_key:
            if dup is None:  # raw key seen at prepare time but the row is gone: should not happen
                raise error("PX503", prep.article.input or prep.article.id, "article vanished during the run")
            return dup
        art = prep.article
        ac = S.articles.c
        now = S.utcnow()
        day = prep.day or now.date()
        aid = self._free_id(conn, art)
        art.id = aid
        url_hash = sha_key(prep.url_key) if prep.url_key else None
        previous = None
        if url_hash:
            previous = conn.execute(select(ac.id).where(ac.url_hash == url_hash, ac.superseded_by.is_(None))
                                    .order_by(ac.added_at.desc())).scalars().first()

        # Candidates through the indexes (never a scan), then the story: the batch's clustering re-run on
        # the bounded neighbourhood, with the new article's words counted as the batch counts every page.
        cands, cos = self._candidates(conn, prep)
        self._count_terms(conn, prep.terms)
        story_id, moved = self._assign_story(conn, prep, aid, cands, cos, now)
        if story_id is None:
            story_id = story_key(aid)
            conn.execute(insert(S.stories).values(id=story_id, created_at=now, updated_at=now, first_day=day,
                                                  last_day=day, n_articles=0))

        published = art.published
        if published and len(published) > S.PUBLISHED_CHARS:  # a date line, not a date: keep it, file the day
            art.meta["published_given"] = published
            published = prep.day.isoformat() if prep.day else None
        conn.execute(insert(S.articles).values(
            id=aid, dedupe_key=prep.dedupe_key, raw_key=prep.raw_key, text_hash=prep.text_hash, url=art.url,
            url_hash=url_hash, domain=domain_of(art.url), source=art.source, title=art.title,
            published=published, day=day, pub_day=prep.day, added_at=now, input=art.input, raw=art.raw,
            html=prep.html, text=art.text, removed_json=json.dumps([r.to_dict() for r in art.removed], ensure_ascii=False),
            sentences_json=json.dumps([[s.start, s.end, s.paragraph, int(s.is_heading)] for s in art.sentences]),
            credits_json=json.dumps([c.to_dict() for c in art.credits], ensure_ascii=False),
            derived_json="[]", meta_json=json.dumps(art.meta, ensure_ascii=False, default=str),
            group_id=f"g-{aid}", story_id=story_id, replaces=previous, superseded_by=None,
            sent_vecs=vec_bytes(prep.sent_vecs), doc_vec=vec_bytes(prep.doc_vec),
            minhash=np.asarray(prep.minhash.hashvalues, dtype=np.uint64).tobytes(),
            names_json=json.dumps(sorted(prep.names), ensure_ascii=False),
            terms_json=json.dumps(prep.terms, ensure_ascii=False),
            anchors_json=json.dumps(prep.anchors, ensure_ascii=False)))
        conn.execute(insert(S.lsh_copy), [{"key": k, "article_id": aid} for k in idx.copy_keys(prep.minhash.hashvalues)])
        conn.execute(insert(S.lsh_story), [{"key": k, "article_id": aid, "day": prep.day}
                                           for k in idx.story_keys(prep.doc_vec) + idx.name_keys(prep.anchors)])
        touched: dict[str, set[str]] = {story_id: {aid}}  # story -> articles new to it
        for moved_id, (old, target) in moved.items():  # merges and splits: both sides change
            touched.setdefault(target, set()).add(moved_id)
            touched.setdefault(old, set())
        if previous:
            conn.execute(update(S.articles).where(ac.id == previous).values(superseded_by=aid))
            conn.execute(S.lsh_copy.delete().where(S.lsh_copy.c.article_id == previous))
            conn.execute(S.lsh_story.delete().where(S.lsh_story.c.article_id == previous))
            old_story = conn.execute(select(ac.story_id).where(ac.id == previous)).scalar_one()
            if old_story:
                touched.setdefault(old_story, set())
        for sid in sorted(touched):
            self._retrace_story(conn, sid, touched[sid])
            self._touch_story(conn, sid, None, now)
        return AddResult(aid, "new", story_id, previous)

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
                q = q.where(ac.added_at >= as_datetime(since))
            if not include_superseded:
                q = q.where(ac.superseded_by.is_(None))
            if limit:
                q = q.limit(limit)
            return [self._article(r) for r in conn.execute(q).all()]

    def article_heads(self, story_id: str) -> list[dict[str, Any]]:
        """A story's current articles, oldest first, without their text: {id, title, source, url, published}
        (what a list shows; no body read or parsed)."""
        ac = S.articles.c
        with self.engine.connect() as conn:
            sid = self._resolve_story(conn, story_id)
            rows = conn.execute(select(ac.id, ac.title, ac.source, ac.url, ac.published)
                                .where(ac.story_id == sid, ac.superseded_by.is_(None))
                                .order_by(ac.added_at, ac.id)).all()
        return [{"id": r.id, "title": r.title, "source": r.source, "url": r.url, "published": r.published}
                for r in rows]

    def site_boilerplate(self, url_or_domain: str, limit: int = 200) -> frozenset[str]:
        """Fingerprints of the blocks repeated on many stored pages of one site (`stages.clean.site_boilerplate`
        over the raw text of its `limit` latest current pages); pass them to `clean_article(boilerplate=...)`.

        Not applied at filing: an article's text would then depend on which pages of its site came before
        it (arrival order); a re-clean of a site's pages is the caller's choice."""
        from parallax.stages.clean import site_boilerplate

        domain = domain_of(url_or_domain)
        if not domain:
            return frozenset()
        ac = S.articles.c
        q = (select(ac.raw).where(ac.domain == domain, ac.superseded_by.is_(None))
             .order_by(ac.added_at.desc(), ac.id).limit(limit))
        with self.engine.connect() as conn:
            raws = list(conn.execute(q).scalars())
        return site_boilerplate(raws)

    def article_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored sentence embeddings (content sentences, in order) per article id."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.articles.c.id, S.articles.c.sent_vecs).where(
                S.articles.c.id.in_(ids))).all()
        return {r.id: vecs_of(r.sent_vecs) for r in rows}
