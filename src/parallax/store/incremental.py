"""Incremental stories and provenance: each new article re-runs the batch's stage functions on a bounded
neighbourhood, so that the store gives the batch's answer whatever the order in which pages arrive.

- Story assignment: the new article plus the STORY_MEMBERS most recent members of up to STORY_NEIGHBOURS
  candidate stories (found through the LSH index, never a scan) are re-clustered with
  `stages.stories.combined_similarity` and `stages.stories.cluster_similarities` (the batch's rules), with
  IDF from the store's document frequencies (the new article counted, as the batch counts every page it
  is given). Clusters are matched to existing stories by overlap; merges and splits are recorded.
- Provenance: origin groups are a function of a story's articles (`stages.provenance.origin_groups`, as in
  the batch). Each pair of a story's articles is compared once (`stages.provenance.compare`) and the
  evidence kept in `pair_checks`; whenever a story's membership changes, its groups, roots and derivations
  are recomputed from that evidence. An article new to a story is compared with its PAIR_NEIGHBOURS closest
  members (all of them in a story of up to PAIR_NEIGHBOURS + 1 articles, exactly as the batch does).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Integer, Text, cast, func, insert, select, update
from sqlalchemy.engine import Connection

from parallax.config import settings
from parallax.model import Article, Credit
from parallax.stages.provenance import PairEvidence, compare, not_english, origin_groups
from parallax.stages.stories import (
    CrossLanguage,
    TermMatrix,
    anchor_counts,
    anchor_rows,
    cluster_similarities,
    combined_similarity,
    cross_language_views,
    is_other_language,
    ml_doc_vectors,
    term_counts,
)
from parallax.store import index as idx
from parallax.store import schema as S
from parallax.text.hashing import Signature

log = logging.getLogger(__name__)


def vec_bytes(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float32).tobytes()


def vecs_of(b: bytes, dim: int = idx.DIM) -> np.ndarray:
    v = np.frombuffer(b, dtype=np.float32)
    return v.reshape(-1, dim) if v.size else np.zeros((0, dim), dtype=np.float32)


def _stand_in(r: Any) -> Article:
    """What provenance needs of a stored article: id, outlet, publication time, URL, credits and language (the
    stand-in has no text to identify it from: one filed before languages were recorded counts as English, as
    `_language_of_meta` says everywhere in the store)."""
    meta = json.loads(r.meta_json or "{}")
    meta.setdefault("language", _language_of_meta(r.meta_json))
    return Article(id=r.id, raw="", source=r.source, published=r.published, url=r.url,
                   credits=[Credit(**c) for c in json.loads(r.credits_json)], meta=meta)


def _language_of_meta(meta_json: str | None) -> str:
    """A stored article's language (recorded in its meta since issue 23; an older one counts as English, as
    `text.language.language_of` would mostly find)."""
    return (json.loads(meta_json or "{}") or {}).get("language") or "en"


def _language(r: Any) -> str:
    return _language_of_meta(getattr(r, "meta_json", None))


def _prep_ml_vec(prep: Any) -> np.ndarray:
    """The new article's multilingual lead vector (computed once, when a pair first needs it)."""
    if getattr(prep, "ml_vec", None) is None:
        a = prep.article
        prep.ml_vec = ml_doc_vectors([{"title": a.title, "text": a.text, "language": prep.language}])[0]
    return prep.ml_vec


def _evidence(r: Any) -> PairEvidence:
    return PairEvidence(r.a, r.b, r.relation, r.jaccard, r.run, r.run_score, r.mean_cos, r.evidence, r.a_only,
                        r.b_only)


class IncrementalMixin:
    """Story assignment and provenance for each filed article (mixed into `parallax.store.Store`)."""

    # -- candidates ----------------------------------------------------------------------------------------

    def _candidates(self, conn: Connection, prep: Any) -> tuple[dict[str, Any], dict[str, float]]:
        """Stored articles that may share the new one's story: LSH over lead vectors (within the time window)
        and near-copy MinHash bands. Returns rows (id, doc_vec, story_id) and their lead cosine."""
        cfg = settings().store
        ac = S.articles.c
        lc = S.lsh_copy.c
        bands = func.count().label("bands")
        copy_ids = set(conn.execute(
            select(lc.article_id, bands).where(lc.key.in_(idx.copy_keys(prep.minhash.hashvalues)))
            .group_by(lc.article_id).order_by(bands.desc(), lc.article_id).limit(cfg.copy_candidates)).scalars())
        ls = S.lsh_story.c
        hits = func.count().label("hits")
        q = select(ls.article_id, hits).where(ls.key.in_(idx.story_keys(prep.doc_vec)))
        if prep.day is not None:  # dated: only articles dated within the window (or undated)
            lo, hi = prep.day - timedelta(days=cfg.window_days), prep.day + timedelta(days=cfg.window_days)
            q = q.where(ls.day.is_(None) | ((ls.day >= lo) & (ls.day <= hi)))
        story_rows = conn.execute(q.group_by(ls.article_id).having(func.count() >= cfg.min_collisions)
                                  .order_by(hits.desc(), ls.article_id).limit(cfg.story_candidates)).all()
        ids = {r.article_id for r in story_rows} | copy_ids
        # Pages in other languages (issue 23): articles sharing names with this one, kept only for a pair with
        # a page not in English, whose lead cosine is then the multilingual one (an English pair is as before).
        name_ids: set[str] = set()
        nkeys = idx.name_keys(getattr(prep, "anchors", None) or {})
        if nkeys:
            q = select(ls.article_id, hits).where(ls.key.in_(nkeys))
            if prep.day is not None:
                lo, hi = prep.day - timedelta(days=cfg.window_days), prep.day + timedelta(days=cfg.window_days)
                q = q.where(ls.day.is_(None) | ((ls.day >= lo) & (ls.day <= hi)))
            name_ids = {r.article_id for r in conn.execute(
                q.group_by(ls.article_id).having(func.count() >= idx.MIN_NAME_HITS)
                .order_by(hits.desc(), ls.article_id).limit(cfg.story_candidates)).all()} - ids
        if not ids and not name_ids:
            return {}, {}
        rows = conn.execute(select(ac.id, ac.doc_vec, ac.story_id, ac.meta_json)
                            .where(ac.id.in_(ids | name_ids), ac.superseded_by.is_(None))).all()
        mine = is_other_language(getattr(prep, "language", "en"))
        cands = {r.id: r for r in rows if r.id in ids or mine or is_other_language(_language(r))}
        cross = [cid for cid, r in cands.items() if mine or is_other_language(_language(r))]
        cos = {cid: float(np.frombuffer(r.doc_vec, dtype=np.float32) @ prep.doc_vec) for cid, r in cands.items()}
        if cross:
            ml = self._ml_vectors(conn, cross)
            own = _prep_ml_vec(prep)
            cos.update({cid: float(ml[cid] @ own) for cid in cross})
        return cands, cos

    def _ml_vectors(self, conn: Connection, ids: list[str]) -> dict[str, np.ndarray]:
        """Multilingual lead vectors of stored articles (`stages.stories.ml_doc_vectors`, from their title and
        text; the encoder's cache keeps their sentences)."""
        ac = S.articles.c
        got = conn.execute(select(ac.id, ac.title, ac.text, ac.meta_json).where(ac.id.in_(ids))).all()
        vecs = ml_doc_vectors([{"title": r.title, "text": r.text, "language": _language(r)} for r in got])
        return {r.id: v for r, v in zip(got, vecs, strict=True)}

    # -- stories -------------------------------------------------------------------------------------------

    def _assign_story(self, conn: Connection, prep: Any, aid: str, cands: dict[str, Any], cos: dict[str, float],
                      now: datetime) -> tuple[str | None, dict[str, tuple[str, str]]]:
        """Re-cluster the new article's neighbourhood with the batch's rules.

        Returns (the new article's story or None when it starts one, {moved article id: (old story, new story)}).
        Stories the neighbourhood joins merge (the emptied one redirects through `merged_into`); a story it
        pulls apart splits (the new story records `split_from`).
        """
        cfg = settings().store
        ac = S.articles.c
        by_story: dict[str, float] = {}
        resolved: dict[str, str | None] = {}
        for cid, r in cands.items():
            if r.story_id and cos[cid] > cfg.neighbour_min_cos:
                if r.story_id not in resolved:
                    resolved[r.story_id] = self._resolve_story(conn, r.story_id)
                sid = resolved[r.story_id]
                if sid:
                    by_story[sid] = max(by_story.get(sid, -1.0), cos[cid])
        if not by_story:
            return None, {}
        rows = []
        for sid in sorted(by_story, key=lambda s: (-by_story[s], s))[: cfg.story_neighbours]:
            rows += conn.execute(select(ac.id, ac.story_id, ac.doc_vec, ac.pub_day, ac.terms_json, ac.anchors_json)
                                 .where(ac.story_id == sid, ac.superseded_by.is_(None))
                                 .order_by(ac.added_at.desc(), ac.id).limit(cfg.story_members)).all()
        if not rows:
            return None, {}
        rows.sort(key=lambda r: r.id)  # the neighbourhood's order never depends on arrival
        labels = self._cluster_rows(conn, rows, prep)
        chosen, moved = self._apply_labels(conn, rows, labels, now, new_id=aid)
        return chosen.get(labels[len(rows)]), moved

    def _cluster_rows(self, conn: Connection, rows: list[Any], prep: Any = None) -> list[str]:
        """The batch's story labels for stored `rows` (id, doc_vec, pub_day, terms_json, anchors_json), plus the
        new article `prep` last when given: `combined_similarity` with the words' IDF from the store's document
        frequencies and the anchors' counted over these articles, then `cluster_similarities`."""
        ac = S.articles.c
        # stored before migration 0005 (words) or 0009 (anchors): counted from the text
        older = [r.id for r in rows if r.terms_json is None or r.anchors_json is None]
        texts = dict(conn.execute(select(ac.id, func.coalesce(ac.title, "") + "\n" + ac.text)
                                  .where(ac.id.in_(older))).all()) if older else {}
        counts = [json.loads(r.terms_json) if r.terms_json is not None else term_counts(texts[r.id]) for r in rows]
        anchors = [json.loads(r.anchors_json) if r.anchors_json is not None else anchor_counts(texts[r.id])
                   for r in rows]
        vecs = [np.frombuffer(r.doc_vec, dtype=np.float32) for r in rows]
        days = [r.pub_day for r in rows]
        if prep is not None:
            counts.append(prep.terms)
            anchors.append(prep.anchors)
            vecs.append(prep.doc_vec)
            days.append(prep.day)
        terms = TermMatrix(counts)
        df, n_docs = self._term_stats(conn, set(terms.vocab))  # a new article is counted already
        sim = combined_similarity(np.stack(vecs), terms.weighted(terms.idf(df, max(n_docs, 1))), anchor_rows(anchors),
                                  days, self._cross_views(conn, [r.id for r in rows], prep))
        return cluster_similarities(sim, terms)

    def _cross_views(self, conn: Connection, ids: list[str], prep: Any = None) -> CrossLanguage | None:
        """`stages.stories.CrossLanguage` for stored articles `ids` (and the new article `prep` last), or None
        when every one is in English (nothing else is read then)."""
        ac = S.articles.c
        langs = dict(conn.execute(select(ac.id, ac.meta_json).where(ac.id.in_(ids))).all())
        other = [is_other_language(_language_of_meta(langs.get(i))) for i in ids]
        if prep is not None:
            other.append(is_other_language(getattr(prep, "language", "en")))
        if not any(other):
            return None
        got = {r.id: r for r in conn.execute(select(ac.id, ac.title, ac.text).where(ac.id.in_(ids))).all()}
        docs = [{"title": got[i].title, "text": got[i].text, "language": _language_of_meta(langs.get(i))} for i in ids]
        if prep is not None:
            a = prep.article
            docs.append({"title": a.title, "text": a.text, "language": prep.language})
        return cross_language_views(docs)

    def _apply_labels(self, conn: Connection, rows: list[Any], labels: list[str], now: datetime,
                      new_id: str | None = None) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
        """Match the clusters of `labels` to stories and move stored `rows` (id, story_id) accordingly.

        A label past the last row stands for a new, not yet filed article `new_id`. Each cluster keeps the
        story holding most of its members (the larger story, then the smaller id, on a tie); a cluster no
        story is left for becomes a split story (`split_from`); a story emptied by the moves redirects to
        where most of it went (`merged_into`). Returns ({cluster label: story id}, {moved article id:
        (old story, new story)})."""
        ac, st = S.articles.c, S.stories.c
        clusters: dict[str, list[int]] = {}
        for i, lab in enumerate(labels):
            clusters.setdefault(lab, []).append(i)
        sizes = dict(conn.execute(select(st.id, st.n_articles).where(st.id.in_({r.story_id for r in rows}))).all())
        new_at = len(rows) if new_id is not None else -1
        chosen: dict[str, str] = {}  # cluster -> story id
        taken: set[str] = set()
        for lab, members in sorted(clusters.items(), key=lambda kv: (-len(kv[1]), min(kv[1]))):
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
                first = min(rows[i].id if i != new_at else str(new_id) for i in members)
                sid, n = story_key(f"split:{origin}:{first}"), 1
                while conn.execute(select(st.id).where(st.id == sid)).first():
                    sid = story_key(f"split:{origin}:{first}:{n}")
                    n += 1
                conn.execute(insert(S.stories).values(id=sid, created_at=now, updated_at=now, n_articles=0,
                                                      split_from=origin))
                log.info("split %d articles off story %s into %s", len(members), origin, sid)
                chosen[lab] = sid
        moved: dict[str, tuple[str, str]] = {}  # article -> (old story, new story)
        moved_to: dict[str, dict[str, int]] = {}  # old story -> new story -> articles moved
        for lab, members in clusters.items():
            target = chosen.get(lab)
            for i in members:
                if i == new_at or rows[i].story_id == target or target is None:
                    continue
                old = rows[i].story_id
                conn.execute(update(S.articles).where(ac.id == rows[i].id).values(story_id=target))
                moved[rows[i].id] = (old, target)
                moved_to.setdefault(old, {})
                moved_to[old][target] = moved_to[old].get(target, 0) + 1
        for old, dests in moved_to.items():
            left = conn.execute(select(func.count()).where(ac.story_id == old, ac.superseded_by.is_(None))).scalar_one()
            if left == 0:  # wholly absorbed: the story redirects to where most of it went
                keep = max(dests, key=lambda s: (dests[s], s))
                conn.execute(update(S.stories).where(st.merged_into == old).values(merged_into=keep))
                conn.execute(update(S.stories).where(st.id == old).values(merged_into=keep, n_articles=0))
                log.info("merged story %s into %s", old, keep)
        return chosen, moved

    def settle(self, story_ids: set[str] | list[str]) -> int:
        """Re-cluster the stories a run touched, with the stories next to them, by the batch's rule.

        Each article was placed when it arrived, with the document frequencies of that moment and the
        bounded neighbourhood of that moment; once a run has filed its pages, its stories (every member,
        not only the most recent) and their candidate neighbours are clustered again with today's
        frequencies, so that the partition does not depend on the order the run's pages came in. Groups
        are bounded by `StoreConfig.settle_max_articles`. Moved articles' stories are retraced. Returns the
        number of articles moved."""
        self.require_writable("settle stories")
        cfg = settings().store
        ac = S.articles.c
        moved_total = 0
        with self.engine.begin() as conn:
            now = S.utcnow()
            todo = sorted({r for r in (self._resolve_story(conn, s) for s in story_ids) if r})
            near: set[str] = set(todo)
            members = conn.execute(select(ac.id, ac.doc_vec, ac.pub_day, ac.minhash, ac.title, ac.text, ac.meta_json)
                                   .where(ac.story_id.in_(todo), ac.superseded_by.is_(None))).all() if todo else []
            if len(members) <= cfg.settle_max_articles:
                for m in members:
                    probe = _Probe(np.frombuffer(m.doc_vec, dtype=np.float32), Signature(m.minhash), m.pub_day, m)
                    cands, cos = self._candidates(conn, probe)
                    near |= {r.story_id for cid, r in cands.items()
                             if r.story_id and cos[cid] > cfg.neighbour_min_cos}
            near = {r for r in (self._resolve_story(conn, s) for s in near) if r}
            sizes = dict(conn.execute(select(ac.story_id, func.count()).where(
                ac.story_id.in_(near), ac.superseded_by.is_(None)).group_by(ac.story_id)).all()) if near else {}
            groups: list[list[str]] = [[]]
            held = 0
            for sid in sorted(sizes):
                if groups[-1] and held + sizes[sid] > cfg.settle_max_articles:
                    groups.append([])
                    held = 0
                groups[-1].append(sid)
                held += sizes[sid]
            touched: dict[str, set[str]] = {}
            for group in groups:
                if sum(sizes[g] for g in group) < 2:
                    continue
                rows = conn.execute(select(ac.id, ac.story_id, ac.doc_vec, ac.pub_day, ac.terms_json, ac.anchors_json)
                                    .where(ac.story_id.in_(group), ac.superseded_by.is_(None))
                                    .order_by(ac.id)).all()
                _, moved = self._apply_labels(conn, rows, self._cluster_rows(conn, rows), now)
                for aid, (old, new) in moved.items():
                    touched.setdefault(new, set()).add(aid)
                    touched.setdefault(old, set())
                moved_total += len(moved)
            for sid in sorted(touched):
                self._retrace_story(conn, sid, touched[sid])
                self._touch_story(conn, sid, None, now)
        if moved_total:
            log.info("settled %d stories: %d articles moved", len(near), moved_total)
        return moved_total

    def _term_stats(self, conn: Connection, words: set[str]) -> tuple[dict[str, int], int]:
        """Document frequencies of `words` and the number of articles counted (the IDF of story assignment)."""
        td = S.term_df.c
        df: dict[str, int] = {}
        wl = sorted(words)
        for i in range(0, len(wl), 2000):
            df.update(dict(conn.execute(select(td.term, td.df).where(td.term.in_(wl[i : i + 2000]))).all()))
        n = conn.execute(select(S.meta.c.value).where(S.meta.c.key == "n_docs")).scalar_one_or_none()
        return df, int(n or 0)

    def _count_terms(self, conn: Connection, terms: dict[str, int], delta: int = 1) -> None:
        """One more (delta=1) or one fewer (delta=-1) document holds each of `terms` (upsert on either dialect)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        if terms:
            stmt = dialect_insert(S.term_df)
            conn.execute(stmt.on_conflict_do_update(index_elements=["term"], set_={"df": S.term_df.c.df + delta}),
                         [{"term": t, "df": max(delta, 0)} for t in sorted(terms)])
        stmt = dialect_insert(S.meta)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["key"], set_={"value": cast(cast(S.meta.c.value, Integer) + delta, Text)}),
            [{"key": "n_docs", "value": str(max(delta, 0))}])

    # -- provenance ----------------------------------------------------------------------------------------

    def _retrace_story(self, conn: Connection, sid: str, fresh: set[str]) -> None:
        """Recompute the origin groups of story `sid` from its articles (the batch's `origin_groups`).

        `fresh` are the articles new to the story (filed, moved in by a merge or a split): each is compared
        with the members it has not been compared with yet (its PAIR_NEIGHBOURS closest by lead cosine)."""
        cfg = settings().store
        ac, pc = S.articles.c, S.pair_checks.c
        rows = conn.execute(select(ac.id, ac.source, ac.published, ac.url, ac.credits_json, ac.meta_json, ac.doc_vec,
                                   ac.group_id, ac.derived_json).where(ac.story_id == sid, ac.superseded_by.is_(None))
                            .order_by(ac.id)).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        by_id = {r.id: r for r in rows}
        fresh = {f for f in fresh if f in by_id}
        if fresh and len(rows) > 1:
            vecs = np.stack([np.frombuffer(r.doc_vec, dtype=np.float32) for r in rows])
            todo: set[tuple[str, str]] = set()
            for f in sorted(fresh):
                sims = vecs @ vecs[ids.index(f)]
                order = sorted((i for i in range(len(ids)) if ids[i] != f), key=lambda i: (-sims[i], ids[i]))
                for i in order[: cfg.pair_neighbours]:
                    todo.add((min(f, ids[i]), max(f, ids[i])))
            have = {(r.a, r.b) for r in conn.execute(select(pc.a, pc.b).where(
                pc.a.in_({a for a, _ in todo}), pc.b.in_({b for _, b in todo}))).all()}
            missing = sorted(todo - have)
            if missing:
                need = sorted({x for pair in missing for x in pair})
                data = {r.id: r for r in conn.execute(select(ac.id, ac.sent_vecs, ac.minhash, ac.text, ac.sentences_json)
                                                      .where(ac.id.in_(need)))}
                stand = {x: _stand_in(by_id[x]) for x in need}
                other = {x for x in need if not_english(stand[x])}
                ml: dict[str, np.ndarray] = {}
                sents: dict[str, list[str]] = {}
                for x in sorted({y for pair in missing for y in pair}):  # figures read from them (`compare`)
                    text = data[x].text
                    sents[x] = [text[st:en] for st, en, _p, head in json.loads(data[x].sentences_json) if not head]
                if other:  # a pair with a page not in English is compared on multilingual sentence vectors
                    from parallax.text.multilingual import embed_multilingual

                    for x in sorted({y for pair in missing if set(pair) & other for y in pair}):
                        ml[x] = embed_multilingual(sents[x])
                new_rows = []
                for a, b in missing:
                    if a in other or b in other:
                        ev = compare(stand[a], stand[b], ml[a], ml[b], Signature(data[a].minhash),
                                     Signature(data[b].minhash), multilingual=True, sentences=(sents[a], sents[b]))
                    else:
                        ev = compare(stand[a], stand[b], vecs_of(data[a].sent_vecs), vecs_of(data[b].sent_vecs),
                                     Signature(data[a].minhash), Signature(data[b].minhash),
                                     sentences=(sents[a], sents[b]))
                    new_rows.append({"a": a, "b": b, "relation": ev.relation, "jaccard": ev.jaccard, "run": ev.run,
                                     "run_score": ev.run_score, "mean_cos": ev.mean_cos, "evidence": ev.evidence,
                                     "a_only": ev.a_only, "b_only": ev.b_only})
                conn.execute(insert(S.pair_checks), new_rows)
        linked = [_evidence(r) for r in conn.execute(select(S.pair_checks).where(
            pc.a.in_(ids), pc.b.in_(ids), pc.relation != "independent")).all()]
        result = origin_groups([_stand_in(r) for r in rows], linked)
        for aid, (gid, derived) in result.items():
            dj = json.dumps([d.to_dict() for d in derived], ensure_ascii=False)
            if by_id[aid].group_id != gid or by_id[aid].derived_json != dj:
                conn.execute(update(S.articles).where(ac.id == aid).values(group_id=gid, derived_json=dj))


class _Probe:
    """A stored article as `_candidates` asks for a new one: lead vector, MinHash signature, day, and for pages
    in other languages its names, language and title and text."""

    def __init__(self, doc_vec: np.ndarray, minhash: Signature, day: Any, row: Any = None) -> None:
        from parallax.stages.stories import anchor_counts

        self.doc_vec, self.minhash, self.day = doc_vec, minhash, day
        self.language = _language(row) if row is not None else "en"
        self.article = Article(id=row.id, raw="", title=row.title, text=row.text) if row is not None else None
        self.anchors = anchor_counts((row.title or "") + "\n" + row.text) if row is not None else {}
        self.ml_vec: np.ndarray | None = None


def story_key(seed: str) -> str:
    return "story-" + hashlib.sha256(seed.encode()).hexdigest()[:10]
