"""Story clustering: B³ P/R/F1 and ARI against gold story ids, Parallax vs TF-IDF + agglomerative.

By default runs the dev files of clustering_ecbplus, clustering_basil, clustering_allsides and clustering_newswcl50;
``--data FILE`` runs one file of the same format. The peer's distance threshold is chosen on the dev file of the
same folder (the data file itself if there is none), maximising B³ F1, unless ``--threshold`` is given.

    .venv/bin/python -m bench.cluster [--data FILE.jsonl] [--json OUT] [--quick] [--limit N_STORIES]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics, peers

NAME = "cluster"
FOLDERS = ("clustering_ecbplus", "clustering_basil", "clustering_allsides", "clustering_newswcl50")
COLUMNS = ("bcubed_precision", "bcubed_recall", "bcubed_f1", "ari", "clusters", "gold_clusters", "threshold", "seconds")
GRID = [round(0.30 + 0.025 * i, 3) for i in range(27)]  # 0.30 … 0.95
README_BASELINE_THRESHOLD = 0.8
QUICK_STORIES = {"clustering_ecbplus": 40, "clustering_basil": 66, "clustering_allsides": 200, "clustering_newswcl50": 10}


def _text(doc: dict[str, Any]) -> str:
    return f"{doc.get('title') or ''}\n{doc.get('text') or ''}"


def tune_threshold(path: Path) -> float:
    docs = common.load_jsonl(path)
    gold = [d["cluster_id"] for d in docs]
    dist = peers.tfidf_distances([_text(d) for d in docs])
    scored = [(metrics.bcubed(gold, peers.agglomerative(dist, t))["bcubed_f1"], t) for t in GRID]
    return max(scored)[1]


def score(name: str, gold: list[str], pred: list[Any], seconds: float, **extra: Any) -> dict[str, Any]:
    return {"system": name, **metrics.bcubed(gold, pred), "ari": metrics.ari(gold, pred),
            "clusters": len(set(pred)), "gold_clusters": len(set(gold)), "seconds": seconds, **extra}


def run_file(data: Path, args: Any) -> list[dict[str, Any]]:
    all_docs = common.load_jsonl(data)
    stories = sorted({d["cluster_id"] for d in all_docs})
    keep = set(common.pick(args, stories, quick_n=QUICK_STORIES.get(data.resolve().parent.name, 200)))
    docs = [d for d in all_docs if d["cluster_id"] in keep]
    gold = [d["cluster_id"] for d in docs]
    dataset = data.resolve().parent.name
    rows: list[dict[str, Any]] = []

    try:
        px.check(("stages.stories", "cluster_documents"))
        # each page's language as the product identifies it (issue 23: a page not in English is scored on the
        # multilingual views), so that the bench scores the product's own path
        identify = px.get("text.language", "identify")
        inputs = [{"id": d["id"], "title": d.get("title") or "", "text": d.get("text") or "",
                   "published": d.get("date"),
                   "language": identify((d.get("title") or "") + "\n" + (d.get("text") or "")).code} for d in docs]
        with common.Timer() as timer:
            pred = px.cluster_documents(inputs)
        rows.append(score("parallax", gold, pred, timer.seconds))
    except px.Unavailable as exc:
        rows.append(common.unavailable("parallax", str(exc)))
    except Exception as exc:
        rows.append(common.unavailable("parallax", f"cluster_documents failed: {type(exc).__name__}: {exc}"))

    tune_on = data.resolve().parent / "dev.jsonl"
    if not tune_on.exists():
        tune_on = data
    threshold = args.threshold if args.threshold is not None else tune_threshold(tune_on)
    with common.Timer() as timer:
        pred = peers.agglomerative(peers.tfidf_distances([_text(d) for d in docs]), threshold)
    rows.append(score("tfidf-agglomerative", gold, pred, timer.seconds, threshold=threshold,
                      threshold_chosen_on=str(tune_on) if args.threshold is None else "--threshold"))
    with common.Timer() as timer:
        pred = peers.agglomerative(peers.tfidf_distances([_text(d) for d in docs]), README_BASELINE_THRESHOLD)
    rows.append(score("tfidf-agglomerative", gold, pred, timer.seconds, threshold=README_BASELINE_THRESHOLD,
                      variant="fixed threshold of the eval README baseline"))
    for row in rows:
        row["dataset"] = dataset
        row["documents"] = len(docs)
    common.print_table(f"bench.cluster — {dataset}: {len(docs)} documents, {len(keep)} stories ({data})", rows, COLUMNS)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = common.make_parser(NAME, __doc__.splitlines()[0], None)
    parser.set_defaults(data=None)
    parser.add_argument("--threshold", type=float, default=None, help="peer cosine-distance threshold (default: tuned)")
    args = common.parse(parser, argv)
    return common.run_folders(NAME, args, FOLDERS, run_file)


if __name__ == "__main__":
    sys.exit(main())
