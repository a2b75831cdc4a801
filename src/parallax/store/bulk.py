"""The daily merge: a finished cluster run (`parallax.scale`) filed into a store in one transaction.

    from parallax.store import Store
    from parallax.store.bulk import merge_run
    with Store("postgresql://…") as store:
        merge_run(store, "out/2026-05-01")

On PostgreSQL the rows are COPYed into temporary staging tables, then upserted into the store's tables in
one transaction under an advisory lock (one merger at a time; readers see the day all at once or not at
all). On SQLite the same rows are inserted in one transaction. The rows are what `parallax ingest` files
article by article: articles with their index keys (MinHash bands, lead-vector LSH), word counts and
document frequencies, every compared pair (`pair_checks`), origin groups and derivations, and story rows.

Articles whose cleaned text is already stored (same dedupe key) are skipped. Each of the run's stories
(ids: the batch's hash of the member ids) is then matched to the stored stories: its members' lead-vector
LSH keys find stored candidates (the store's index and bounds, `StoreConfig`), the neighbourhood is
re-clustered with the batch's rule (`cluster_similarities`, the store's IDF), and a run story whose
members cluster with a stored story's members is merged into it (`merged_into`, as the incremental
store records merges) and that story's origin groups are recomputed from its pairs. A stored story is
not split by a merge (docs/SCALE.md).
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection

from parallax.store import index as idx
from parallax.store import schema as S
from parallax.store.registry import domain_of
from parallax.text.dates import parse_day
from parallax.text.hashing import sha_key

log = logging.getLogger(__name__)

BULK_LOCK = 7207318  # PostgreSQL advisory lock held by a merge (the migration lock is 7207317)
ARTICLE_COLUMNS = [c.name for c in S.articles.columns]
STORY_COLUMNS = ["id", "created_at", "updated_at", "first_day", "last_day", "n_articles", "merged_into", "split_from"]
PAIR_COLUMNS = [c.name for c in S.pair_checks.columns]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def plan(run_rows: dict[str, Any], stored: set[str], now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The rows to file: articles (less those whose dedupe key is in `stored`), their stories, index keys,
    compared pairs and word counts."""
    arts = []
    first: dict[str, str] = {}  # dedupe key -> the run's first article with it
    alias: dict[str, str] = {}  # a page the run read twice (same text, no URL) -> the one filed
    for r in sorted(run_rows["articles"], key=lambda r: r["order"]):
        if r["dedupe_key"] in stored:
            continue
        if r["dedupe_key"] in first:  # the same page twice in the run: filed once, as the store files it
            alias[r["id"]] = first[r["dedupe_key"]]
            continue
        first[r["dedupe_key"]] = r["id"]
        arts.append(r)
    for r in arts:
        if alias and r.get("derived_json"):
            derived = json.loads(r["derived_json"])
            for d in derived:
                d["article"] = alias.get(d["article"], d["article"])
            r["derived_json"] = json.dumps(derived, ensure_ascii=False)
        if r.get("group_id", "").removeprefix("g-") in alias:
            r["group_id"] = "g-" + alias[r["group_id"].removeprefix("g-")]
    members: dict[str, list[dict[str, Any]]] = {}
    for r in arts:
        members.setdefault(r["story"], []).append(r)
    out: dict[str, list[dict[str, Any]]] = {"articles": [], "stories": [], "lsh_copy": [], "lsh_story": [],
                                            "pair_checks": [], "terms": []}
    filed = {r["id"] for r in arts}
    for rank, r in enumerate(arts):
        pub = parse_day(r.get("published"))
        day = pub or now.date()
        out["articles"].append({
            "id": r["id"], "dedupe_key": r["dedupe_key"], "raw_key": r["raw_key"], "text_hash": r["text_hash"],
            "url": r.get("url"), "url_hash": sha_key(r["url"]) if r.get("url") else None,
            "domain": domain_of(r.get("url")), "source": r.get("source"), "title": r.get("title"),
            "published": r.get("published"), "day": day, "pub_day": pub,
            "added_at": now + timedelta(microseconds=rank),  # input order, as `parallax ingest` files them
            "input": r.get("input"), "raw": r["raw"], "html": None, "text": r["text"],
            "removed_json": r["removed_json"], "sentences_json": r["sentences_json"],
            "credits_json": r["credits_json"], "derived_json": r["derived_json"] or "[]",
            "meta_json": r["meta_json"] or "{}", "group_id": r["group_id"], "story_id": r["story"],
            "replaces": None, "superseded_by": None, "sent_vecs": r["sent_vecs"], "doc_vec": r["doc_vec"],
            "minhash": r["minhash"], "names_json": r["names_json"] or "[]", "terms_json": r["terms_json"]})
        hv = np.frombuffer(r["minhash"], dtype=np.uint64)
        out["lsh_copy"] += [{"key": k, "article_id": r["id"]} for k in idx.copy_keys(hv)]
        vec = np.frombuffer(r["doc_vec"], dtype=np.float32)
        out["lsh_story"] += [{"key": k, "article_id": r["id"], "day": pub} for k in idx.story_keys(vec)]
        out["terms"] += [{"term": t} for t in json.loads(r["terms_json"] or "{}")]
        for p in json.loads(r.get("pairs_json") or "[]"):
            if p["a"] in filed and p["b"] in filed:
                out["pair_checks"].append({k: p[k] for k in PAIR_COLUMNS})
    for sid, ms in members.items():
        days = [a["day"] for a in out["articles"] if a["story_id"] == sid]
        out["stories"].append({"id": sid, "created_at": now, "updated_at": now, "first_day": min(days),
                               "last_day": max(days), "n_articles": len(ms), "merged_into": None,
                               "split_from": None})
    return out


def _stored_keys(conn: Connection, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 2000):
        found |= set(conn.execute(select(S.articles.c.dedupe_key).where(
            S.articles.c.dedupe_key.in_(keys[i : i + 2000]))).scalars())
    return found


def _copy_pg(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    """COPY into staging tables, then upsert into the store's tables (same transaction)."""
    raw = conn.connection.driver_connection  # psycopg 3
    staging = {"articles": ("articles", ARTICLE_COLUMNS), "stories": ("stories", STORY_COLUMNS),
               "lsh_copy": ("lsh_copy", ["key", "article_id"]), "lsh_story": ("lsh_story", ["key", "article_id", "day"]),
               "pair_checks": ("pair_checks", PAIR_COLUMNS)}
    for name, (like, cols) in staging.items():
        conn.exec_driver_sql(f"CREATE TEMP TABLE stage_{name} (LIKE {like} INCLUDING DEFAULTS) ON COMMIT DROP")
        with raw.cursor() as cur, cur.copy(f"COPY stage_{name} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows[name]:
                cp.write_row([r[c] for c in cols])
    conn.exec_driver_sql("CREATE TEMP TABLE stage_terms (term VARCHAR(64)) ON COMMIT DROP")
    with raw.cursor() as cur, cur.copy("COPY stage_terms (term) FROM STDIN") as cp:
        for r in rows["terms"]:
            cp.write_row([r["term"]])
    conn.exec_driver_sql(f"INSERT INTO stories ({', '.join(STORY_COLUMNS)}) SELECT {', '.join(STORY_COLUMNS)} "
                         "FROM stage_stories ON CONFLICT (id) DO NOTHING")
    conn.exec_driver_sql(f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) SELECT {', '.join(ARTICLE_COLUMNS)} "
                         "FROM stage_articles ON CONFLICT DO NOTHING")
    conn.exec_driver_sql("INSERT INTO lsh_copy (key, article_id) SELECT key, article_id FROM stage_lsh_copy")
    conn.exec_driver_sql("INSERT INTO lsh_story (key, article_id, day) SELECT key, article_id, day FROM stage_lsh_story")
    conn.exec_driver_sql(f"INSERT INTO pair_checks ({', '.join(PAIR_COLUMNS)}) SELECT {', '.join(PAIR_COLUMNS)} "
                         "FROM stage_pair_checks ON CONFLICT (a, b) DO NOTHING")
    conn.exec_driver_sql("INSERT INTO term_df (term, df) SELECT term, count(*) FROM stage_terms GROUP BY term "
                         "ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df")


def _insert_sqlite(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    for table, name in ((S.stories, "stories"), (S.articles, "articles"), (S.lsh_copy, "lsh_copy"),
                        (S.lsh_story, "lsh_story"), (S.pair_checks, "pair_checks")):
        if rows[name]:
            conn.execute(insert(table), rows[name])
    counts: dict[str, int] = {}
    for r in rows["terms"]:
        counts[r["term"]] = counts.get(r["term"], 0) + 1
    if counts:
        stmt = sqlite_insert(S.term_df)
        conn.execute(stmt.on_conflict_do_update(index_elements=["term"], set_={"df": S.term_df.c.df + stmt.excluded.df}),
                     [{"term": t, "df": n} for t, n in sorted(counts.items())])


def _match_stories(store: Any, conn: Connection, rows: dict[str, list[dict[str, Any]]],
                   now: datetime) -> dict[str, str]:
    """Merge each new story into the stored story its members cluster with, if any: {new: stored}."""
    from sqlalchemy import func, update

    from parallax.config import settings
    from parallax.stages.stories import TermMatrix, cluster_similarities, combined_similarity

    cfg = settings().store
    ac, ls, st = S.articles.c, S.lsh_story.c, S.stories.c
    run_ids = {a["id"] for a in rows["articles"]}
    run_stories = {s["id"] for s in rows["stories"]}
    members: dict[str, list[dict[str, Any]]] = {}
    for a in rows["articles"]:
        members.setdefault(a["story_id"], []).append(a)
    merged: dict[str, str] = {}
    for sid in sorted(members):
        ms = members[sid]
        vecs = np.stack([np.frombuffer(a["doc_vec"], dtype=np.float32) for a in ms])
        keys = sorted({k for v in vecs for k in idx.story_keys(v)})
        q = select(ls.article_id, func.count().label("hits")).where(ls.key.in_(keys))
        days = [a["pub_day"] for a in ms if a["pub_day"]]
        if days:
            lo, hi = min(days) - timedelta(days=cfg.window_days), max(days) + timedelta(days=cfg.window_days)
            q = q.where(ls.day.is_(None) | ((ls.day >= lo) & (ls.day <= hi)))
        hits = [r.article_id for r in conn.execute(q.group_by(ls.article_id).having(func.count() >= cfg.min_collisions)
                                                   .order_by(func.count().desc(), ls.article_id)
                                                   .limit(cfg.story_candidates + len(ms))).all()
                if r.article_id not in run_ids][: cfg.story_candidates]
        if not hits:
            continue
        centre = vecs.mean(axis=0)
        best: dict[str, float] = {}
        for r in conn.execute(select(ac.id, ac.story_id, ac.doc_vec).where(ac.id.in_(hits), ac.superseded_by.is_(None))):
            other = store._resolve_story(conn, r.story_id)
            cos = float(np.frombuffer(r.doc_vec, dtype=np.float32) @ centre) / max(float(np.linalg.norm(centre)), 1e-9)
            if other and other not in run_stories and cos > cfg.neighbour_min_cos:
                best[other] = max(best.get(other, -1.0), cos)
        if not best:
            continue
        stored = []
        for other in sorted(best, key=lambda x: (-best[x], x))[: cfg.story_neighbours]:
            stored += conn.execute(select(ac.id, ac.story_id, ac.doc_vec, ac.pub_day, ac.terms_json)
                                   .where(ac.story_id == other, ac.superseded_by.is_(None))
                                   .order_by(ac.added_at.desc(), ac.id).limit(cfg.story_members)).all()
        stored.sort(key=lambda r: r.id)
        terms = TermMatrix([json.loads(r.terms_json or "{}") for r in stored]
                           + [json.loads(a["terms_json"] or "{}") for a in ms])
        allvecs = np.vstack([np.stack([np.frombuffer(r.doc_vec, dtype=np.float32) for r in stored]), vecs])
        df, n_docs = store._term_stats(conn, set(terms.vocab))
        sim = combined_similarity(allvecs, terms.weighted(terms.idf(df, max(n_docs, 1))),
                                  [r.pub_day for r in stored] + [a["pub_day"] for a in ms])
        labels = cluster_similarities(sim, terms)
        mine = [labels[len(stored) + i] for i in range(len(ms))]
        lab = max(set(mine), key=lambda x: (mine.count(x), x))
        votes: dict[str, int] = {}
        for r, x in zip(stored, labels, strict=False):
            if x == lab:
                votes[r.story_id] = votes.get(r.story_id, 0) + 1
        if not votes:
            continue
        target = max(votes, key=lambda x: (votes[x], x))
        conn.execute(update(S.articles).where(ac.story_id == sid).values(story_id=target))
        conn.execute(update(S.stories).where(st.id == sid).values(merged_into=target, n_articles=0))
        store._retrace_story(conn, target, {a["id"] for a in ms})  # origin groups of the grown story
        store._touch_story(conn, target, None, now)
        merged[sid] = target
        log.info("merged the run's story %s into stored story %s", sid, target)
    return merged


def merge_run(store: Any, out: str | Path, *, now: datetime | None = None) -> dict[str, Any]:
    """File a finished run's articles and stories into `store` in one transaction; returns counts."""
    from parallax.scale.runner import load_outcome

    return merge_outcome(store, load_outcome(out), now=now, label=str(out))


def merge_outcome(store: Any, run_rows: dict[str, Any], *, now: datetime | None = None,
                  label: str = "") -> dict[str, Any]:
    """`merge_run` of a run's outcome held in memory (`parallax.scale.stages.run_in_process`)."""
    now = now or S.utcnow()
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({BULK_LOCK})")  # one merger at a time
        else:
            conn.exec_driver_sql("SELECT 1")  # (the SQLite transaction begins on the first statement)
        stored = _stored_keys(conn, [r["dedupe_key"] for r in run_rows["articles"]])
        rows = plan(run_rows, stored, now)
        if store.dialect == "postgresql":
            _copy_pg(conn, rows)
        else:
            _insert_sqlite(conn, rows)
        n = len(rows["articles"])
        conn.execute(text("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + :n AS TEXT) WHERE key = 'n_docs'"),
                     {"n": n})
        if conn.execute(select(S.meta.c.value).where(S.meta.c.key == "n_docs")).first() is None:
            conn.execute(insert(S.meta).values(key="n_docs", value=str(n)))
        merged = _match_stories(store, conn, rows, now) if rows["articles"] else {}
    summary = {"articles": len(rows["articles"]), "duplicates": len(stored), "stories": len(rows["stories"]),
               "merged_into_stored": len(merged), "pairs": len(rows["pair_checks"]), "out": label}
    log.info("merged %s", summary)
    return summary
