"""The cluster pipeline's stages as plain functions over rows: no Ray here.

Each function is what one Ray task or actor runs on one block or one group; every one of them calls the
library functions the batch (`parallax.pipeline`) and the store call, so the cluster decides as they do:
`clean_article`, `split_article`, `find_credits`, `doc_vectors`, `term_counts`, `minhash` (article map);
`combined_similarity` and `cluster_similarities` (stories); `compare_all` and `origin_groups`
(provenance); `brief_story_articles` (cross-check and brief). `parallax.scale.runner` wires them into Ray
Data stages; tests call them directly too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from parallax.config import ScaleConfig, Settings, use
from parallax.errors import rejected
from parallax.model import InputError
from parallax.scale.rows import article_of, vec_bytes, vectors

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------------------
# read and dedupe


def list_inputs(paths: list[str]) -> list[tuple[str, bool]]:
    """The files to read, one task each, in the batch's order: (path, named explicitly)."""
    return check_inputs(paths)[0]


def check_inputs(paths: list[str]) -> tuple[list[tuple[str, bool]], list[InputError]]:
    """The files to read, one task each, in the batch's order: (path, named explicitly), and the errors of
    the inputs that cannot be read at all, as `parallax brief` names them: PX101 for a missing path or a
    file or directory we may not read, PX102 for an empty file.

    Checked on the driver before Ray starts (cheap: no page is read here), so that a mistyped path is one
    coded line, not a task's traceback."""
    from parallax.stages.read import PAGE_EXT, walk

    out: list[tuple[str, bool]] = []
    errors: list[InputError] = []

    def usable(path: Path, name: str) -> bool:
        try:
            with path.open("rb"):
                pass
            empty = path.stat().st_size == 0
        except OSError as exc:
            errors.append(InputError(name, "PX101", f"cannot read ({exc.strerror or exc})"))
            return False
        if empty:
            errors.append(InputError(name, "PX102", rejected("PX102", name).message))
        return not empty

    for p in paths:
        path = Path(p)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as exc:
            errors.append(InputError(p, "PX101", f"cannot read ({exc.strerror or exc})"))
            continue
        if is_dir:
            for f in walk(path, lambda f: f.suffix.lower() in PAGE_EXT):
                if isinstance(f, InputError):
                    errors.append(f)
                elif usable(f, str(f)):
                    out.append((str(f), False))
        elif exists:
            if usable(path, p):
                out.append((p, True))
        else:
            errors.append(InputError(p, "PX101", "not found: check the path"))
    return out, errors


def error_row(e: InputError, file_no: int, k: int) -> dict[str, Any]:
    """A read row standing for input error `e` (order -1; its title holds the code and the message)."""
    return {"id": f"error:{file_no}:{k}", "raw": "", "input": e.input, "order": -1, "title": f"{e.code} {e.message}"}


def read_error(row: dict[str, Any]) -> dict[str, str]:
    """The run report's error of an `error_row`: input, code, message (the code not repeated in the message)."""
    code, _, message = (row.get("title") or "").partition(" ")
    return {"input": row["input"], "code": code, "message": message}


def read_one(path: str, file_no: int, explicit: bool = True) -> tuple[list[dict[str, Any]], list[InputError]]:
    """One input file (a page, a JSONL file, a WARC file) -> read rows (`rows.READ_FIELDS`) and errors
    (`read_file`, as `read_paths` reads it: a directory's files by their extension, a named file whatever
    its extension)."""
    from parallax.stages.read import read_file

    rows, errors = [], []
    p = Path(path)
    if not p.exists():
        return [], [InputError(path, "PX101", "not found: check the path")]
    for k, item in enumerate(read_file(p, explicit=explicit)):
        if isinstance(item, InputError):
            errors.append(item)
            continue
        rows.append({"id": item.id, "raw": item.raw, "input": item.input, "source": item.source,
                     "title": item.title, "published": item.published, "url": item.url,
                     "order": file_no * 1_000_000 + k})
    return rows, errors


def dedupe_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows sharing one id (shuffle key: id): an exact re-read (same raw page) is dropped; other pages
    with the id get "-2", "-3" ... in input order, as `read_paths` numbers them in one batch."""
    from parallax.text.hashing import sha_key

    rows = sorted(rows, key=lambda r: r["order"])
    seen: set[str] = set()
    out = []
    for r in rows:
        key = sha_key(r.get("url"), r["raw"])
        if key in seen:
            continue
        seen.add(key)
        if out:
            r = dict(r, id=f"{r['id']}-{len(out) + 1}")
        out.append(r)
    return out


# ---------------------------------------------------------------------------------------------------------
# the article map


class ArticleMapper:
    """Clean, split, credit, embed, MinHash and count the words of a batch of read rows.

    One per actor: the model loads once (ONNX with one intra-op thread unless PARALLAX_EMBED_THREADS says
    otherwise) and the actor's sentence cache serves copies that land on it. `crash_marker` is a fault
    drill for the tests: the first call that finds no file there creates it and kills its own process.
    """

    def __init__(self, settings_obj: Settings | None = None, crash_marker: str | None = None):
        from parallax.text.embed import get_embedder

        self.settings = settings_obj or Settings()
        self.crash_marker = crash_marker
        get_embedder().warm_up()

    def __call__(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.crash_marker and not os.path.exists(self.crash_marker):
            Path(self.crash_marker).write_text(str(os.getpid()))
            os._exit(3)  # as a killed worker: Ray restarts the actor and retries the batch
        with use(self.settings):
            return map_articles(rows)


def map_articles(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Read rows -> article rows (`rows.ARTICLE_FIELDS`), as the store's `prepare` and the batch do."""
    from parallax.stages.prepare import prepare_article
    from parallax.stages.provenance import find_credits, minhash, note_masthead
    from parallax.stages.stories import anchor_counts, doc_vectors, term_counts
    from parallax.text.dates import parse_day
    from parallax.text.embed import embed
    from parallax.text.hashing import sha_key, text_key
    from parallax.text.names import names
    from parallax.text.urls import key_of_page

    out: list[dict[str, Any]] = []
    todo: list[tuple[dict[str, Any], Any]] = []
    for r in rows:
        a = article_of(r)
        page_key = key_of_page(a.url, a.meta.get("canonical_url"))  # the store's keys, so that a merged
        row = dict(r, raw_key=sha_key(page_key, a.raw))  # page is found again by a later ingest
        err = prepare_article(a)  # the batch's and the store's per-article steps, within the page budget
        if err is not None:  # its own code, said once
            out.append(dict(row, error_code=err.code, error_message=err.message))
            continue
        a.credits = find_credits(a)
        note_masthead(a)
        text_hash = text_key(a.text)
        row.update(title=a.title, source=a.source, published=a.published, url=a.url)  # as cleaning left them
        row.update(text=a.text, text_hash=text_hash, dedupe_key=sha_key(page_key, text_hash) if page_key else text_hash,
                   removed_json=json.dumps([x.to_dict() for x in a.removed], ensure_ascii=False),
                   sentences_json=json.dumps([[s.start, s.end, s.paragraph, int(s.is_heading)] for s in a.sentences]),
                   credits_json=json.dumps([c.to_dict() for c in a.credits], ensure_ascii=False),
                   meta_json=json.dumps(a.meta, ensure_ascii=False, default=str),
                   minhash=np.asarray(minhash(a.text).hashvalues, dtype=np.uint64).tobytes(),
                   terms_json=json.dumps(term_counts((a.title or "") + "\n" + a.text), ensure_ascii=False),
                   names_json=json.dumps(sorted(names((a.title or "") + " " + a.text[:1500])), ensure_ascii=False),
                   anchors_json=json.dumps(anchor_counts((a.title or "") + "\n" + a.text), ensure_ascii=False))
        day = parse_day(a.published)
        row["day"] = day.isoformat() if day else None
        todo.append((row, a))
        out.append(row)
    if todo:
        sents = [a.sentence_texts() for _, a in todo]
        flat = embed([s for ss in sents for s in ss])  # one call: the embedder batches by length
        pos = 0
        for (row, _), ss in zip(todo, sents, strict=True):
            row["sent_vecs"] = vec_bytes(flat[pos : pos + len(ss)])
            pos += len(ss)
        for (row, _), v in zip(todo, doc_vectors([{"title": a.title, "text": a.text} for _, a in todo]), strict=True):
            row["doc_vec"] = vec_bytes(v)
    return out


# ---------------------------------------------------------------------------------------------------------
# IDF, candidates, edges, blocks


def document_frequencies(rows: list[dict[str, Any]]) -> Counter:
    """Partial document frequencies of the words of some articles (summed by the caller or a group-by)."""
    df: Counter = Counter()
    for r in rows:
        if r.get("terms_json"):
            df.update(json.loads(r["terms_json"]).keys())
    return df


def candidate_keys(row: dict[str, Any], df: dict[str, int], n_docs: int, cfg: ScaleConfig) -> list[str]:
    """The keys under which an article meets its candidates (shuffle key of stage "candidates"):
    its near-copy MinHash bands ("c:"), its `top_terms` highest TF-IDF words ("t:") and the store's
    lead-vector LSH buckets ("s:"; a pair needs `story_min_collisions` of them)."""
    from parallax.store import index as idx

    keys = [f"c:{k}" for k in idx.copy_keys(np.frombuffer(row["minhash"], dtype=np.uint64))]
    terms = json.loads(row["terms_json"] or "{}")
    weight = {t: (1 + np.log(c)) * (np.log((1 + n_docs) / (1 + df.get(t, 0))) + 1) for t, c in terms.items()}
    keys += [f"t:{t}" for t in sorted(weight, key=lambda t: (-weight[t], t))[: cfg.top_terms]]
    keys += [f"s:{k}" for k in idx.story_keys(vectors(row["doc_vec"])[0])]
    # names shared whatever the language (issue 23); a pair met only through them is scored only when one of
    # its pages is not in English (`keep_pair`), so an English run meets the pairs it met before
    keys += [f"n:{k}" for k in idx.name_keys(json.loads(row.get("anchors_json") or "{}"))]
    return keys


def pairs_in_group(members: list[tuple[str, str]], cfg: ScaleConfig) -> list[tuple[str, str]]:
    """Candidate pairs among the articles holding one key: (day or "", id) -> (a, b) with a < b. A key held
    by more than `max_group` articles pairs each only with its `window` neighbours in (day, id) order."""
    ms = sorted(members)
    if len(ms) <= cfg.max_group:
        return [(min(x[1], y[1]), max(x[1], y[1])) for x, y in itertools.combinations(ms, 2)]
    out = []
    for i, x in enumerate(ms):
        for y in ms[i + 1 : i + 1 + cfg.window]:
            out.append((min(x[1], y[1]), max(x[1], y[1])))
    return out


def keep_pair(kinds: Counter, cfg: ScaleConfig, across: bool = False) -> bool:
    """A pair is scored when it shares a copy band or a top word, or enough lead-vector LSH tables, or (`across`:
    one of its pages is not in English) enough names."""
    from parallax.store import index as idx

    return kinds["c"] > 0 or kinds["t"] > 0 or kinds["s"] >= cfg.story_min_collisions or \
        (across and kinds["n"] >= idx.MIN_NAME_HITS)


def row_language(row: dict[str, Any]) -> str:
    return (json.loads(row.get("meta_json") or "{}") or {}).get("language") or "en"


class Features:
    """What story scoring needs of each article: lead vector, word counts, anchors' TF-IDF (IDF over the whole
    run as the batch counts it), day (held by one scorer); with pages not in English (issue 23), their flags and
    every page's multilingual lead vector (`texts`: id -> title and text, given only then)."""

    def __init__(self, rows: list[dict[str, Any]], df: dict[str, int], n_docs: int,
                 texts: dict[str, dict[str, Any]] | None = None):
        from parallax.stages.stories import TermMatrix, is_other_language, ml_doc_vectors
        from parallax.text.dates import parse_day

        self.index = {r["id"]: i for i, r in enumerate(rows)}
        self.vecs = np.stack([vectors(r["doc_vec"])[0] for r in rows]) if rows else np.zeros((0, 384), np.float32)
        terms = TermMatrix([json.loads(r["terms_json"] or "{}") for r in rows])
        self.tfidf = terms.weighted(terms.idf(df, n_docs))
        self.days = [parse_day(r.get("day")) for r in rows]
        self.other = np.array([is_other_language(row_language(r)) for r in rows], dtype=bool)
        anchors = TermMatrix([json.loads(r.get("anchors_json") or "{}") for r in rows])
        self.anchor_df: dict[str, int] = dict(zip(anchors.vocab, anchors.doc_freq().tolist(), strict=True))
        self.anchors = anchors.weighted(anchors.idf(self.anchor_df, n_docs))
        self.ml: dict[str, np.ndarray] = {}
        if texts is not None and self.other.any():
            docs = [{"title": texts[r["id"]].get("title"), "text": texts[r["id"]].get("text") or "",
                     "language": row_language(r)} for r in rows]
            self.ml = dict(zip([r["id"] for r in rows], ml_doc_vectors(docs), strict=True))
            self.ml_mat = np.stack([self.ml[r["id"]] for r in rows])

    def across(self, a: str, b: str) -> bool:
        return bool(self.ml) and bool(self.other[self.index[a]] or self.other[self.index[b]])


def score_pairs(pairs: list[tuple[str, str]], feats: Features) -> list[float]:
    """The batch's combined story similarity (`stages.stories.combined_similarity`) of each pair."""
    from parallax.stages.stories import story_score

    if not pairs:
        return []
    ia = np.array([feats.index[a] for a, _ in pairs])
    ib = np.array([feats.index[b] for _, b in pairs])
    lex = feats.tfidf.pair_dots(ia, ib)
    apart = np.array([abs((feats.days[x] - feats.days[y]).days) if feats.days[x] and feats.days[y] else np.nan
                      for x, y in zip(ia, ib, strict=True)], dtype=float)
    an = feats.anchors.pair_dots(ia, ib)
    got = story_score(np.einsum("ij,ij->i", feats.vecs[ia], feats.vecs[ib]), lex, an, apart)
    if feats.ml:  # a pair with a page not in English: the batch's cross-language score
        from parallax.stages.stories import cross_language_score

        mixed = feats.other[ia] | feats.other[ib]
        if mixed.any():
            ml = np.round(np.einsum("ij,ij->i", feats.ml_mat[ia], feats.ml_mat[ib]), 5)
            got = np.where(mixed, cross_language_score(ml, an, apart), got)
    return got.tolist()


def blocks_of(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    """Connected components of the candidate graph: article id -> block id (its smallest member id).

    Average link only merges groups that hold a pair at or above the threshold, so no story of the batch
    spans two components: clustering each component alone gives the batch's stories."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in ids}


# ---------------------------------------------------------------------------------------------------------
# stories, provenance, briefs (one group each)


def story_id_of(ids: list[str]) -> str:
    """A story's id, as the batch names it (`pipeline.story_id_of`): a hash of its sorted article ids."""
    return "story-" + hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:10]


def cluster_block(rows: list[dict[str, Any]], df: dict[str, int], n_docs: int,
                  cross: tuple[dict[str, np.ndarray], dict[str, int]] | None = None) -> dict[str, str]:
    """One block's articles -> article id -> story id: the batch's clustering (IDF of the whole run). `cross`:
    the multilingual lead vectors by id (empty when the run is all English) and the anchors' document
    frequencies over the run (`Features`); without it the anchors' are counted over `rows`, which is the
    run's only when `rows` are the whole run."""
    from parallax.stages.stories import (
        CrossLanguage,
        TermMatrix,
        anchor_rows,
        cluster_similarities,
        combined_similarity,
        is_other_language,
    )
    from parallax.text.dates import parse_day

    rows = sorted(rows, key=lambda r: r["order"])  # the batch clusters in input order
    ids = [r["id"] for r in rows]
    if len(rows) == 1:
        return {ids[0]: story_id_of(ids)}
    terms = TermMatrix([json.loads(r["terms_json"] or "{}") for r in rows])
    vecs = np.stack([vectors(r["doc_vec"])[0] for r in rows])
    counts = [json.loads(r.get("anchors_json") or "{}") for r in rows]
    anchors = anchor_rows(counts) if cross is None else anchor_rows(counts, cross[1], n_docs)
    views = None
    if cross is not None and cross[0]:
        other = np.array([is_other_language(row_language(r)) for r in rows], dtype=bool)
        if other.any():
            views = CrossLanguage(other, np.stack([cross[0][i] for i in ids]))
    sim = combined_similarity(vecs, terms.weighted(terms.idf(df, n_docs)), anchors,
                              [parse_day(r.get("day")) for r in rows], views)
    labels = cluster_similarities(sim, terms)
    groups: dict[str, list[str]] = {}
    for i, lab in zip(ids, labels, strict=True):
        groups.setdefault(lab, []).append(i)
    return {i: story_id_of(members) for members in groups.values() for i in members}


def trace_story(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One story's articles -> the rows with origin group, derivations and the compared pairs
    (`pairs_json` on the row of each pair's first article): `compare_all` + `origin_groups`."""
    from parallax.stages.provenance import compare_all, origin_groups
    from parallax.text.hashing import Signature

    rows = sorted(rows, key=lambda r: r["id"])
    arts = [article_of(r) for r in rows]
    emb = {r["id"]: vectors(r["sent_vecs"]) for r in rows}
    mhs = {r["id"]: Signature(r["minhash"]) for r in rows}
    pairs = compare_all(arts, emb, mhs)
    result = origin_groups(arts, pairs)
    by_first: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        by_first.setdefault(p.a, []).append({"a": p.a, "b": p.b, "relation": p.relation, "jaccard": p.jaccard,
                                             "run": p.run, "run_score": p.run_score, "mean_cos": p.mean_cos,
                                             "evidence": p.evidence, "a_only": p.a_only, "b_only": p.b_only})
    out = []
    for r in rows:
        gid, derived = result[r["id"]]
        out.append(dict(r, group_id=gid, derived_json=json.dumps([d.to_dict() for d in derived], ensure_ascii=False),
                        pairs_json=json.dumps(by_first.get(r["id"], []), ensure_ascii=False)))
    return out


def brief_story(rows: list[dict[str, Any]], length: str = "standard") -> dict[str, Any]:
    """One traced story -> its brief (`pipeline.brief_story_articles`, the batch's and the store's call)."""
    from parallax.pipeline import brief_story_articles
    from parallax.text.embed import get_embedder

    arts = []
    emb = get_embedder()
    for r in rows:
        a = article_of(r)
        texts = a.sentence_texts()
        v = vectors(r["sent_vecs"])
        if len(v) == len(texts):
            emb.prime(texts, v)  # the article map's vectors: the cross-check re-embeds nothing
        arts.append(a)
    sid = rows[0]["story"]
    story = brief_story_articles(sid, arts, length=length)
    days = sorted(r["day"] for r in rows if r.get("day"))
    return {"story": sid, "articles_json": json.dumps(sorted(a.id for a in arts)),
            "story_json": json.dumps(story.to_dict(), ensure_ascii=False),
            "first_day": days[0] if days else None, "last_day": days[-1] if days else None}


def run_in_process(paths: list[str], length: str = "standard") -> dict[str, list[dict[str, Any]]]:
    """The stages in this process, without Ray, for small inputs and tests: all articles form one block
    (exact by construction). Returns what `runner.load_outcome` returns of a finished run."""
    rows: list[dict[str, Any]] = []
    for n, (path, explicit) in enumerate(list_inputs(paths)):
        rows += read_one(path, n, explicit)[0]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_id.setdefault(r["id"], []).append(r)
    rows = sorted((r for group in by_id.values() for r in dedupe_ids(group)), key=lambda r: r["order"])
    arts = [r for r in map_articles(rows) if not r.get("error_code")]
    df = document_frequencies(arts)
    story_of = cluster_block(arts, df, len(arts)) if arts else {}
    stories: dict[str, list[dict[str, Any]]] = {}
    for r in arts:
        stories.setdefault(story_of[r["id"]], []).append(dict(r, story=story_of[r["id"]]))
    traced = [t for members in stories.values() for t in trace_story(members)]
    by_story: dict[str, list[dict[str, Any]]] = {}
    for t in traced:
        by_story.setdefault(t["story"], []).append(t)
    return {"articles": traced, "stories": [brief_story(ms, length) for ms in by_story.values()]}
