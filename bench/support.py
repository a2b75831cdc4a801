"""Is a summary supported by its source? FRANK human judgements: balanced accuracy.

Gold: a summary is supported when FRANK's human factuality score is 1.0 (no sentence has a factual error).
Parallax: each summary sentence is scored with ``parallax.stages.crosscheck.support_score(article, sentence)``; the summary
is supported when every sentence scores >= ``parallax.stages.crosscheck.SUPPORT_THRESHOLD``.

    .venv/bin/python -m bench.support [--data FILE.jsonl] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics, peers

NAME = "support"
FOLDER = "factuality_frank"
COLUMNS = ("bacc", "precision", "recall", "f1", "accuracy", "threshold", "summaries", "seconds")


def main(argv: list[str] | None = None) -> int:
    args = common.parse(common.make_parser(NAME, __doc__.splitlines()[0], FOLDER), argv)
    if common.skip_if_absent(args.data):
        return 0
    data = Path(args.data)
    items = common.pick(args, common.load_jsonl(data), quick_n=100)
    gold = [float(it["factuality"]) >= 1.0 for it in items]
    results: list[dict[str, Any]] = []
    try:
        px.check(("crosscheck", "support_score"), ("crosscheck", "SUPPORT_THRESHOLD"))
        threshold = px.support_threshold()
        by_origin: dict[str, tuple[list[bool], list[bool]]] = {}
        with common.Timer() as timer:
            pred = []
            for it in items:
                sents = peers.sentences(it["summary"]) or [it["summary"]]
                score = min(px.support_score(it["article"], s) for s in sents)
                pred.append(score >= threshold)
        for it, g, p in zip(items, gold, pred, strict=True):
            gs, ps = by_origin.setdefault(it.get("origin", "?"), ([], []))
            gs.append(g)
            ps.append(p)
        row = {"system": "parallax", "bacc": metrics.balanced_accuracy(gold, pred), **metrics.binary_prf(gold, pred),
               "threshold": threshold, "summaries": len(items), "seconds": timer.seconds,
               "predicted_supported_share": sum(pred) / len(pred) if pred else 0.0}
        for origin, (gs, ps) in sorted(by_origin.items()):
            row[f"bacc_{origin.split('(')[0]}"] = metrics.balanced_accuracy(gs, ps)
        results.append(row)
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))
    results.append({"system": "constant (supported)", "bacc": 0.5, "summaries": len(items)})
    common.print_table(f"bench.support — FRANK: {len(items)} summaries from {data} ({sum(gold)} fully factual)",
                       results, (*COLUMNS, "bacc_cnndm", "bacc_xsum"))
    common.write_json(args.json, NAME, data, [common.rounded(r) for r in results])
    return 0


if __name__ == "__main__":
    sys.exit(main())
