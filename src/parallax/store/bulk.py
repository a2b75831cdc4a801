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

Articles whose cleaned text is already stored (same dedupe key) are skipped, and so is one that another
writer (`parallax ingest`) files between that check and the insert: articles go in first (INSERT ... ON
CONFLICT DO NOTHING RETURNING), and index keys, compared pairs, word counts, `n_docs` and the story rows are
written for the articles actually inserted only, in the same transaction. Each of the run's stories
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
from parallax.text.urls import key_of_page

log = logging.getLogger(__name__)

BULK_LOCK = 7207318  # PostgreSQL advisory lock held by a merge (the migration lock is 7207317)
ARTICLE_COLUMNS = [c.name for c in S.articles.columns]
STORY_COLUMNS = ["id", "created_at", "updated_at", "first_day", "last_day", "n_articles", "merged_into", "split_from"]
PAIR_COLUMNS = [c.name for c in S.pair_checks.columns]



def _published(given: str | None, day: date | None) -> str | None:
    """The `published` column as `add_article` files it: a given value too long for it becomes its day."""
    if given and len(given) > S.PUBLISHED_CHARS:
        return day.isoformat() if day else None
    return given


def _url_hash(r: dict[str, Any]) -> str | None:
    """The store's `url_hash` of a run row: the page's URL key (canonical URL within the site), hashed."""
    meta = json.loads(r.get("meta_json") or "{}")
    key = key_of_page(r.get("url"), meta.get("canonical_url"))
    return sha_key(key) if key else None

def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def plan(run_rows: dict[str, Any], stored: set[str], now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The rows to file: articles (less those whose dedupe key is in `stored`), their stories, index keys,
    compared pairs and word counts."""
    from parallax.stages.stories import anchor_counts

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
            "url": r.get("url"), "url_hash": _url_hash(r),
            "domain": domain_of(r.get("url")), "source": r.get("source"), "title": r.get("title"),
            "published": _published(r.get("published"), pub), "day": day, "pub_day": pub,
            "added_at": now + timedelta(microseconds=rank),  # input order, as `parallax ingest` files them
            "input": r.get("input"), "raw": r["raw"], "html": None, "text": r["text"],
            "removed_json": r["removed_json"], "sentences_json": r["sentences_json"],
            "credits_json": r["credits_json"], "derived_json": r["derived_json"] or "[]",
            "meta_json": r["meta_json"] or "{}", "group_id": r["group_id"], "story_id": r["story"],
            "replaces": None, "superseded_by": None, "sent_vecs": r["sent_vecs"], "doc_vec": r["doc_vec"],
            "minhash": r["minhash"], "names_json": r["names_json"] or "[]", "terms_json": r["terms_json"],
            "anchors_json": r.get("anchors_json")})
        hv = np.frombuffer(r["minhash"], dtype=np.uint64)
        out["lsh_copy"] += [{"key": k, "article_id": r["id"]} for k in idx.copy_keys(hv)]
        vec = np.frombuffer(r["doc_vec"], dtype=np.float32)
        names = idx.name_keys(json.loads(r["anchors_json"]) if r.get("anchors_json")
                              else anchor_counts((r.get("title") or "") + "\n" + r["text"]))  # as ingest files them
        out["lsh_story"] += [{"key": k, "article_id": r["id"], "day": pub} for k in idx.story_keys(vec) + names]
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


def _stage(conn: Connection, name: str, like: str | None, cols: list[str], rows: list[dict[str, Any]]) -> None:
    """COPY `rows` into a temporary table stage_`name` (made LIKE `like`, else of one text column)."""
    raw = conn.connection.driver_connection  # psycopg 3
    shape = f"(LIKE {like} INCLUDING DEFAULTS)" if like else f"({cols[0]} VARCHAR(64))"
    conn.exec_driver_sql(f"CREATE TEMP TABLE stage_{name} {shape} ON COMMIT DROP")
    with raw.cursor() as cur, cur.copy(f"COPY stage_{name} ({', '.join(cols)}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row([r[c] for c in cols])


def _file_articles_pg(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> tuple[set[str], set[str]]:
    """Stories, then articles (a row whose id or dedupe key is taken meanwhile is skipped): the ids of the
    story rows and of the articles actually inserted."""
    _stage(conn, "stories", "stories", STORY_COLUMNS, rows["stories"])
    _stage(conn, "articles", "articles", ARTICLE_COLUMNS, rows["articles"])
    stories = conn.exec_driver_sql(f"INSERT INTO stories ({', '.join(STORY_COLUMNS)}) SELECT "
                                   f"{', '.join(STORY_COLUMNS)} FROM stage_stories ON CONFLICT (id) DO NOTHING "
                                   "RETURNING id").scalars().all()
    articles = conn.exec_driver_sql(f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) SELECT "
                                    f"{', '.join(ARTICLE_COLUMNS)} FROM stage_articles ON CONFLICT DO NOTHING "
                                    "RETURNING id").scalars().all()
    return set(stories), set(articles)


def _index_pg(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    """What goes with the filed articles: index keys, compared pairs, document frequencies (COPY, upsert)."""
    _stage(conn, "lsh_copy", "lsh_copy", ["key", "article_id"], rows["lsh_copy"])
    _stage(conn, "lsh_story", "lsh_story", ["key", "article_id", "day"], rows["lsh_story"])
    _stage(conn, "pair_checks", "pair_checks", PAIR_COLUMNS, rows["pair_checks"])
    _stage(conn, "terms", None, ["term"], rows["terms"])
    conn.exec_driver_sql("INSERT INTO lsh_copy (key, article_id) SELECT key, article_id FROM stage_lsh_copy")
    conn.exec_driver_sql("INSERT INTO lsh_story (key, article_id, day) SELECT key, article_id, day FROM stage_lsh_story")
    conn.exec_driver_sql(f"INSERT INTO pair_checks ({', '.join(PAIR_COLUMNS)}) SELECT {', '.join(PAIR_COLUMNS)} "
                         "FROM stage_pair_checks ON CONFLICT (a, b) DO NOTHING")
    conn.exec_driver_sql("INSERT INTO term_df (term, df) SELECT term, count(*) FROM stage_terms GROUP BY term "
                         "ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df")


def _file_articles_sqlite(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> tuple[set[str], set[str]]:
    """As `_file_articles_pg`, on SQLite (INSERT ... ON CONFLICT DO NOTHING RETURNING)."""
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    out: list[set[str]] = []
    for table, name in ((S.stories, "stories"), (S.articles, "articles")):
        stmt = sqlite_insert(table).on_conflict_do_nothing().returning(table.c.id)
        out.append(set(conn.execute(stmt, rows[name]).scalars()) if rows[name] else set())
    return out[0], out[1]


def _index_sqlite(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    for table, name in ((S.lsh_copy, "lsh_copy"), (S.lsh_story, "lsh_story"), (S.pair_checks, "pair_checks")):
        if rows[name]:
            conn.execute(insert(table), rows[name])
    counts: dict[str, int] = {}
    for r in rows["terms"]:
        counts[r["term"]] = counts.get(r["term"], 0) + 1
    if counts:
        stmt = sqlite_insert(S.term_df)
        conn.execute(stmt.on_conflict_do_update(index_elements=["term"], set_={"df": S.term_df.c.df + stmt.excluded.df}),
                     [{"term": t, "df": n} for t, n in sorted(counts.items())])


def _fix_stories(conn: Connection, planned: list[dict[str, Any]], filed: list[dict[str, Any]],
                 inserted: set[str]) -> None:
    """The story rows this merge inserted, made to count the articles it filed: a story none of whose
    articles was filed is deleted, the others get their article count and days again."""
    from sqlalchemy import delete, update

    now = {s["id"]: s for s in filed}
    for s in planned:
        if s["id"] not in inserted:
            continue
        if s["id"] not in now:
            conn.execute(delete(S.stories).where(S.stories.c.id == s["id"]))
        elif now[s["id"]] != s:
            conn.execute(update(S.stories).where(S.stories.c.id == s["id"]).values(
                n_articles=now[s["id"]]["n_articles"], first_day=now[s["id"]]["first_day"],
                last_day=now[s["id"]]["last_day"]))


def _match_stories(store: Any, conn: Connection, rows: dict[str, list[dict[str, Any]]],
                   now: datetime) -> dict[str, str]:
    """Merge each new story into the stored story its members cluster with, if any: {new: stored}."""
    from sqlalchemy import func, update

    from parallax.config import settings
    from parallax.stages.stories import (
        TermMatrix,
        anchor_counts,
        anchor_rows,
        cluster_similarities,
        combined_similarity,
    )

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
            stored += conn.execute(select(ac.id, ac.story_id, ac.doc_vec, ac.pub_day, ac.terms_json, ac.anchors_json)
                                   .where(ac.story_id == other, ac.superseded_by.is_(None))
                                   .order_by(ac.added_at.desc(), ac.id).limit(cfg.story_members)).all()
        stored.sort(key=lambda r: r.id)
        terms = TermMatrix([json.loads(r.terms_json or "{}") for r in stored]
                           + [json.loads(a["terms_json"] or "{}") for a in ms])
        allvecs = np.vstack([np.stack([np.frombuffer(r.doc_vec, dtype=np.float32) for r in stored]), vecs])
        df, n_docs = store._term_stats(conn, set(terms.vocab))
        older = [r.id for r in stored if r.anchors_json is None]  # filed before migration 0009: from the text
        texts = dict(conn.execute(select(ac.id, func.coalesce(ac.title, "") + "\n" + ac.text)
                                  .where(ac.id.in_(older))).all()) if older else {}
        anchors = [json.loads(r.anchors_json) if r.anchors_json is not None else anchor_counts(texts[r.id])
                   for r in stored] + [json.loads(a["anchors_json"]) if a.get("anchors_json")
                                else anchor_counts((a.get("title") or "") + "\n" + a["text"]) for a in ms]
        sim = combined_similarity(allvecs, terms.weighted(terms.idf(df, max(n_docs, 1))), anchor_rows(anchors),
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
        pg = store.dialect == "postgresql"
        new_stories, filed = (_file_articles_pg if pg else _file_articles_sqlite)(conn, rows)
        late = {a["dedupe_key"] for a in rows["articles"] if a["id"] not in filed}
        if late:  # another writer (`parallax ingest`) filed these pages after the duplicate check above
            log.info("%d page(s) of the run were filed meanwhile by another writer: not filed again", len(late))
            planned = rows
            rows = plan(run_rows, stored | late, now)  # the rows of the articles filed, and only those
            _fix_stories(conn, planned["stories"], rows["stories"], new_stories)
        (_index_pg if pg else _index_sqlite)(conn, rows)
        n = len(rows["articles"])
        conn.execute(text("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + :n AS TEXT) WHERE key = 'n_docs'"),
                     {"n": n})
        if conn.execute(select(S.meta.c.value).where(S.meta.c.key == "n_docs")).first() is None:
            conn.execute(insert(S.meta).values(key="n_docs", value=str(n)))
        merged = _match_stories(store, conn, rows, now) if rows["articles"] else {}
    summary = {"articles": len(rows["articles"]), "duplicates": len(stored) + len(late),
               "stories": len(rows["stories"]), "merged_into_stored": len(merged), "pairs": len(rows["pair_checks"]),
               "out": label}
    log.info("merged %s", summary)
    return summary
