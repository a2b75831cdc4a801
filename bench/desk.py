"""Measurements of the store, reported in docs/STORE.md.

    python -m bench.desk --measure cluster      # B³ F1: incremental (Store) vs batch vs TF-IDF peer
    python -m bench.desk --measure scale        # time per added article at 1k vs 10k stored articles
    python -m bench.desk --measure throughput   # add_articles on 2,000 local pages (pages/s)
    options: --db URL (default: a temporary SQLite file), --data DIR (default ../shared/eval), --quick

The evaluation data lives outside the repository (../shared/eval); synthetic pages are made from
Multi-News documents at run time in a temporary directory and never written to the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from parallax.model import Article

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
CLUSTER_SETS = ("clustering_ecbplus", "clustering_basil", "clustering_allsides")


def _load(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def bcubed(gold: list[Any], pred: list[Any]) -> dict[str, float]:
    """B³ precision, recall, F1 (per item, averaged)."""
    from collections import Counter

    pair = Counter(zip(gold, pred, strict=True))
    g, p = Counter(gold), Counter(pred)
    n = len(gold)
    prec = sum(pair[(a, b)] / p[b] for a, b in zip(gold, pred, strict=True)) / n
    rec = sum(pair[(a, b)] / g[a] for a, b in zip(gold, pred, strict=True)) / n
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"bcubed_precision": prec, "bcubed_recall": rec, "bcubed_f1": f1}


def _temp_db(tmp: str, name: str) -> str:
    return str(Path(tmp) / f"{name}.db")


def measure_cluster(data: Path, db: str | None, seed: int = 13, quick: bool = False,
                    sets: tuple[str, ...] = CLUSTER_SETS) -> list[dict[str, Any]]:
    """Incremental (documents added one by one, in a random arrival order) vs batch `cluster_documents`."""
    from parallax.stages.stories import cluster_documents
    from parallax.store import Store

    rows = []
    for folder in sets:
        path = data / folder / "dev.jsonl"
        if not path.exists():
            print(f"skip: {path} not found", file=sys.stderr)
            continue
        docs = _load(path)
        if quick:
            keep = sorted({d["cluster_id"] for d in docs})[:40]
            docs = [d for d in docs if d["cluster_id"] in keep]
        order = list(range(len(docs)))
        random.Random(seed).shuffle(order)
        docs = [docs[i] for i in order]
        gold = [d["cluster_id"] for d in docs]
        inputs = [{"id": d["id"], "title": d.get("title") or "", "text": d.get("text") or "",
                   "published": d.get("date")} for d in docs]
        t0 = time.perf_counter()
        batch = cluster_documents(inputs)
        t_batch = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            url = db or _temp_db(tmp, folder)
            with Store(url) as store:
                t0 = time.perf_counter()
                pred, stored = [], []
                for i, d in enumerate(inputs):
                    art = Article(id=d["id"], raw=(d["text"] or d["title"]).replace("\r\n", "\n"),
                                  title=d["title"] or None, published=d["published"], input=d["id"])
                    try:
                        res = store.add_article(art)
                        pred.append(res.story_id)
                        stored.append(res.id)  # the store's id: data sets repeat ids (BASIL has four "basil-empty")
                    except Exception as exc:  # no text left: a singleton
                        print(f"  {d['id']}: {exc}", file=sys.stderr)
                        pred.append(f"failed-{i}")
                        stored.append(None)
                t_inc = time.perf_counter() - t0
                # merges and splits after the fact: read each article's final story
                final = {a.id: a.meta["story_id"] for a in store.articles()}
                settled_from = list(pred)
                pred = [final.get(sid, p) if sid else p for sid, p in zip(stored, pred, strict=True)]
                # what the end of an ingest run does: settle the stories the run filed into
                t0 = time.perf_counter()
                store.settle({p for p in pred if not p.startswith("failed-")})
                t_settle = time.perf_counter() - t0
                final = {a.id: a.meta["story_id"] for a in store.articles()}
                settled = [final.get(sid, p) if sid else p for sid, p in zip(stored, settled_from, strict=True)]
        peer = _peer(path, docs)
        dataset = folder.removeprefix("clustering_")
        for system, labels, secs in (("incremental (Store)", pred, t_inc),
                                     ("incremental, then settled (ingest)", settled, t_inc + t_settle),
                                     ("batch cluster_documents", batch, t_batch), *peer):
            row = {"dataset": dataset, "system": system, **bcubed(gold, labels), "clusters": len(set(labels)),
                   "gold_clusters": len(set(gold)), "seconds": round(secs, 1), "documents": len(docs)}
            rows.append(row)
            print(f"{dataset:10} {system:32} P {row['bcubed_precision']:.3f} R {row['bcubed_recall']:.3f} "
                  f"F1 {row['bcubed_f1']:.3f}  clusters {row['clusters']}/{row['gold_clusters']}  {secs:.1f}s",
                  flush=True)
    return rows


def _peer(path: Path, docs: list[dict[str, Any]]) -> list[tuple[str, list[Any], float]]:
    """TF-IDF + average-link agglomerative (the bench's peer, threshold tuned on the dev file), if available."""
    try:
        from bench import cluster as bc
        from bench import peers
    except Exception as exc:
        print(f"  peer unavailable: {exc}", file=sys.stderr)
        return []
    t0 = time.perf_counter()
    thr = bc.tune_threshold(path)
    labels = peers.agglomerative(peers.tfidf_distances([bc._text(d) for d in docs]), thr)
    return [(f"tfidf-agglomerative (t={thr})", labels, time.perf_counter() - t0)]


# ---------------------------------------------------------------------------------------------------------
# Synthetic pages from Multi-News (made at run time, never stored in the repository)


def _sentences(text: str) -> list[list[str]]:
    paras = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if len(p.strip()) > 40]
    return [re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", p) for p in paras]


def synth_pages(n: int, seed: int = 7, per_day: int = 100, data: Path = EVAL) -> list[dict[str, Any]]:
    """`n` distinct pages: each a perturbation of a Multi-News document (sentences dropped and reordered
    within paragraphs, a line borrowed from a sibling document), with an outlet, a URL and a date
    (`per_day` pages a day, in arrival order)."""
    clusters = _load(data / "mds_multinews_longbench" / "dev.jsonl")
    docs = [(ci, d["text"]) for ci, c in enumerate(clusters) for d in c["documents"] if len(d["text"]) > 400]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ci, text = docs[rng.randrange(len(docs))]
        paras = _sentences(text)
        sib = [d["text"] for d in clusters[ci]["documents"]]
        body = []
        for p in paras[:30]:
            kept = [s for s in p if rng.random() < 0.8] or p[:1]
            if len(kept) > 2 and rng.random() < 0.3:
                kept[1], kept[2] = kept[2], kept[1]
            body.append(" ".join(kept))
        extra = _sentences(rng.choice(sib))
        if extra:
            body.insert(rng.randrange(len(body) + 1), " ".join(rng.choice(extra)))
        title = re.sub(r"\s+", " ", body[0])[:90] if body else f"Story {ci}"
        day = 1 + i // per_day
        out.append({"id": f"syn-{i:05d}", "title": title, "text": "\n\n".join(body),
                    "source": f"Outlet {rng.randrange(60)}", "url": f"https://news{i % 97}.example.com/a/{i}",
                    "published": f"2026-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}"})
    return out


def _article(p: dict[str, Any]) -> Article:
    return Article(id=p["id"], raw=p["text"], title=p["title"], source=p["source"], url=p["url"],
                   published=p["published"], input=p["id"])


def _event_rotation(event: int, dim: int) -> Any:
    """A fixed random orthogonal map for synthetic event `event`: it keeps the cosines between pages of one
    event and sends them far from every other event's (random directions in 384 dimensions are ~orthogonal)."""
    import numpy as np

    if event not in _ROTATIONS:
        q, r = np.linalg.qr(np.random.default_rng(10_000 + event).normal(size=(dim, dim)))
        _ROTATIONS[event] = (q * np.sign(np.diag(r))).astype(np.float32)
    return _ROTATIONS[event]


_ROTATIONS: dict[int, Any] = {}


def _into_event(prep: Any, event: int) -> None:
    """Move a prepared page into synthetic event `event`'s space (see `_clone`), in place."""
    import numpy as np

    rot = _event_rotation(event, len(prep.doc_vec))
    prep.doc_vec = (prep.doc_vec @ rot).astype(np.float32)
    prep.sent_vecs = (prep.sent_vecs @ rot).astype(np.float32)
    prep.terms = {f"{t}~{event}": n for t, n in prep.terms.items()}
    prep.names = {f"{n}~{event}" for n in prep.names}


def _clone(base: Any, i: int, rng: random.Random, per_day: int, event: int = 0, base_no: int = 0) -> Any:
    """A stored-article stand-in made from a prepared Multi-News page: new id, URL, outlet and date, the
    doc vector jittered, some sentences dropped and part of the MinHash redrawn (a reprint or a rewrite).

    `event` > 0 makes the clone part of a different event from the same page's earlier clones: its vectors
    are rotated (`_event_rotation`), its words and names renamed and its MinHash redrawn, so the store
    grows by new stories instead of by ever larger ones."""
    import copy

    import numpy as np

    from parallax.model import content_id
    from parallax.store import Prepared
    from parallax.text.hashing import sha_key

    doc_vec, sent_vecs, terms, names = base.doc_vec, base.sent_vecs, base.terms, base.names
    mh = base.minhash.copy()
    if event:
        moved = copy.copy(base)
        _into_event(moved, event)
        doc_vec, sent_vecs, terms, names = moved.doc_vec, moved.sent_vecs, moved.terms, moved.names
        mh.hashvalues[:] = np.random.default_rng([base_no, event]).integers(0, 2**32, len(mh.hashvalues),
                                                                             dtype=np.uint64)
    a = copy.copy(base.article)
    day = 1 + i // per_day
    a.id = f"fill-{i:05d}"
    a.url = f"https://news{i % 97}.example.com/fill/{i}"
    a.source = f"Outlet {rng.randrange(60)}"
    a.published = f"2026-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}"
    nrng = np.random.default_rng(i)
    vec = doc_vec + nrng.normal(0, 0.02, doc_vec.shape).astype(np.float32)
    keep = nrng.random(len(sent_vecs)) < 0.85
    keep[0] = True
    redraw = nrng.random(len(mh.hashvalues)) < rng.choice([0.1, 0.5, 0.9])
    mh.hashvalues[redraw] = nrng.integers(0, 2**32, int(redraw.sum()), dtype=np.uint64)
    return Prepared(a, None, sha_key("fill", str(i)), text_hash=sha_key(a.text, str(i)),
                     dedupe_key=sha_key(content_id(a.text, a.url), str(i)), sent_vecs=sent_vecs[keep],
                     doc_vec=vec / np.linalg.norm(vec), minhash=mh, names=names, terms=terms,
                     day=parse_day(a.published))


def parse_day(value: str | None):
    from parallax.text.dates import parse_day as p

    return p(value)


def measure_scale(db: str | None, sizes: tuple[int, ...] = (1000, 10000), probes: int = 50,
                  data: Path = EVAL, per_day: int = 100, bases: int = 150,
                  story_size: int | None = None) -> list[dict[str, Any]]:
    """Time to add one article when the store holds N articles.

    The store is filled by cloning prepared Multi-News pages (see `_clone`) through the real filing path
    (`Store.commit`: index look-ups, provenance, story assignment, one transaction each), which skips
    only re-cleaning and re-embedding the same texts. Probes are fresh pages (perturbed Multi-News
    documents) added with the full path: clean, split, embed, file. `per_day` pages a day.

    With `story_size` None every clone of a page joins that page's one story, so stories grow with the
    store (the worst case for the per-story caps); with `story_size` k a page's clones form a new event
    every k rounds, so the store grows by new stories of about k articles, as a news stream does."""
    from parallax.store import Store

    pages = synth_pages(bases + probes * len(sizes), seed=5, per_day=per_day, data=data)
    rows = []
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp, Store(db or _temp_db(tmp, "scale")) as store:
        t0 = time.perf_counter()
        prepared = [p for p in store.prepare([(_article(p), None) for p in pages[:bases]]) if p.error is None]

        def event_of(n_filled: int) -> int:  # the synthetic event the next page belongs to
            return n_filled // len(prepared) // story_size if story_size else 0

        print(f"prepared {len(prepared)} base pages in {time.perf_counter() - t0:.0f}s", flush=True)
        filled = 0
        probe_pos = bases
        for size in sizes:
            t0 = time.perf_counter()
            window: list[float] = []
            while filled < size:
                base_no = filled % len(prepared)
                prep = _clone(prepared[base_no], filled, rng, per_day, event=event_of(filled), base_no=base_no)
                t1 = time.perf_counter()
                store.commit(prep)
                window.append(time.perf_counter() - t1)
                filled += 1
            fill = time.perf_counter() - t0
            t_prep = t_commit = 0.0
            for k, p in enumerate(pages[probe_pos : probe_pos + probes]):
                day = 1 + (filled - 1) // per_day
                p = dict(p, id=f"probe-{size}-{k}", published=f"2026-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}")
                t1 = time.perf_counter()
                prep = store.prepare([(_article(p), None)])[0]
                if event_of(filled) and prep.error is None:  # a page of today's news: in the current event's space
                    _into_event(prep, event_of(filled))
                t2 = time.perf_counter()
                store.commit(prep)
                t3 = time.perf_counter()
                t_prep += t2 - t1
                t_commit += t3 - t2
            probe_pos += probes
            last = window[-min(len(window), 200):]
            row = {"stored": store.info()["counts"]["articles"] - probes, "probes": probes,
                   "ms_per_article": round(1000 * (t_prep + t_commit) / probes, 1),
                   "ms_prepare": round(1000 * t_prep / probes, 1),
                   "ms_index_and_commit": round(1000 * t_commit / probes, 1),
                   "ms_commit_last_200_fills": round(1000 * sum(last) / max(1, len(last)), 1),
                   "fill_seconds": round(fill, 1), "stories": store.info()["counts"]["stories"],
                   "story_size": story_size, "dialect": store.dialect}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def measure_throughput(db: str | None, n: int = 2000, data: Path = EVAL) -> dict[str, Any]:
    """Write `n` local pages (HTML and text files) to a temporary folder; read them and add_articles them."""
    from parallax.stages.read import read_paths
    from parallax.store import Store

    pages = synth_pages(n, seed=11, data=data)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for k, p in enumerate(pages):
            if k % 2:
                paras = "".join(f"<p>{x}</p>" for x in p["text"].split("\n\n"))
                html = (f"<!doctype html><html><head><title>{p['title']}</title>"
                        f"<meta property=\"article:published_time\" content=\"{p['published']}\"></head>"
                        f"<body><nav>Home | World | Sport</nav><article><h1>{p['title']}</h1>{paras}</article>"
                        f"<footer>© {p['source']}</footer></body></html>")
                (folder / f"{p['id']}.html").write_text(html, encoding="utf-8")
            else:
                (folder / f"{p['id']}.txt").write_text(f"{p['title']}\n\n{p['text']}", encoding="utf-8")
        with Store(db or _temp_db(tmp, "throughput")) as store:
            t0 = time.perf_counter()
            arts, errors = read_paths([folder])
            t_read = time.perf_counter() - t0
            summary = store.add_articles([*arts, *errors], progress=False, batch=32)
            total = time.perf_counter() - t0
            again = store.add_articles(arts, progress=False)
    out = {"pages": n, "read_seconds": round(t_read, 1), "add_seconds": round(summary.seconds, 1),
           "pages_per_second": round(n / total, 1), **{k: v for k, v in summary.to_dict().items() if k != "failures"},
           "rerun_duplicates": again.duplicate, "rerun_pages_per_second": round(n / again.seconds, 1)}
    print(json.dumps(out), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.desk", description=__doc__.splitlines()[0])
    ap.add_argument("--measure", choices=["cluster", "scale", "throughput"], required=True)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--data", type=Path, default=EVAL, help="the shared eval folder")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sets", default=",".join(s.removeprefix("clustering_") for s in CLUSTER_SETS),
                    help="clustering datasets for --measure cluster (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=13, help="arrival order for --measure cluster")
    ap.add_argument("--story-size", type=int, default=None,
                    help="--measure scale: the store grows by new stories of about this many articles "
                         "(default: every page's clones keep joining one story, the worst case)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args(argv)
    if args.measure == "cluster":
        sets = tuple("clustering_" + s.strip() for s in args.sets.split(",") if s.strip())
        res: Any = measure_cluster(args.data, args.db, seed=args.seed, quick=args.quick, sets=sets)
    elif args.measure == "scale":
        res = measure_scale(args.db, sizes=(200, 1000) if args.quick else (1000, 10000), data=args.data,
                            story_size=args.story_size)
    else:
        res = measure_throughput(args.db, n=200 if args.quick else 2000, data=args.data)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
