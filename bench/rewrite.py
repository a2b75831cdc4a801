"""Rewrite (paraphrase) detection on MSRP news sentence pairs: P/R/F1 and accuracy.

Parallax: ``parallax.text.align.similarity`` at ``parallax.text.align.PARAPHRASE_THRESHOLD`` (the threshold its sentence
alignment uses). Peers: TF-IDF cosine and the bare embedding cosine (``parallax.text.align.embed``), each at the
threshold maximising accuracy on the dev file of the same folder.

    .venv/bin/python -m bench.rewrite [--data FILE.jsonl] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics, peers

NAME = "rewrite"
FOLDER = "paraphrase_msrp"
COLUMNS = ("precision", "recall", "f1", "accuracy", "threshold", "pairs", "seconds")


def _embedding_cosine(items: list[dict[str, Any]]) -> list[float]:
    import numpy as np

    a = np.asarray(px.embed([it["sentence1"] for it in items]))
    b = np.asarray(px.embed([it["sentence2"] for it in items]))
    return [float(x) for x in (a * b).sum(axis=1)]


def _tfidf(items: list[dict[str, Any]]) -> list[float]:
    return peers.tfidf_cosine([it["sentence1"] for it in items], [it["sentence2"] for it in items])


def main(argv: list[str] | None = None) -> int:
    args = common.parse(common.make_parser(NAME, __doc__.splitlines()[0], FOLDER), argv)
    if common.skip_if_absent(args.data):
        return 0
    data = Path(args.data)
    everything = common.load_jsonl(data)
    items = common.pick(args, everything, quick_n=1500)
    gold = [bool(it["label"]) for it in items]
    tune_path = data.resolve().parent / "dev.jsonl"
    # thresholds are chosen on the dev file: the data itself (or its sample) when it is the dev file
    tune_items = common.load_jsonl(tune_path) if tune_path.exists() and tune_path != data.resolve() else items
    tune_gold = [bool(it["label"]) for it in tune_items]
    results: list[dict[str, Any]] = []

    try:
        px.check(("align", "similarity"), ("align", "PARAPHRASE_THRESHOLD"))
        threshold = px.paraphrase_threshold()
        with common.Timer() as timer:
            sims = px.similarity([it["sentence1"] for it in items], [it["sentence2"] for it in items])
        pred = [float(s) >= threshold for s in sims]
        results.append({"system": "parallax", **metrics.binary_prf(gold, pred), "threshold": threshold,
                        "pairs": len(items), "seconds": timer.seconds})
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))

    peer_fns = {"tfidf-cosine": _tfidf, "embedding-cosine": _embedding_cosine}
    for name, fn in peer_fns.items():
        try:
            with common.Timer() as timer:
                scores = fn(items)
            tune_scores = scores if tune_items is items else fn(tune_items)
            threshold = metrics.best_threshold(tune_scores, tune_gold, "accuracy")
            pred = [s >= threshold for s in scores]
            results.append({"system": name, **metrics.binary_prf(gold, pred), "threshold": threshold,
                            "pairs": len(items), "seconds": timer.seconds, "threshold_chosen_on": str(tune_path)})
        except px.Unavailable as exc:
            results.append(common.unavailable(name, str(exc)))

    majority = {"system": "majority (paraphrase)", **metrics.binary_prf(gold, [True] * len(gold)), "pairs": len(items)}
    results.append(majority)
    common.print_table(f"bench.rewrite — MSRP pairs: {len(items)} from {data}", results, COLUMNS)
    common.write_json(args.json, NAME, data, [common.rounded(r) for r in results])
    return 0


if __name__ == "__main__":
    sys.exit(main())
