"""Cross-check stance on FNC-1: FNC weighted score, macro F1 and per-class F1.

Parallax: ``parallax.stages.crosscheck.stance(headline, body)``. Bodies are joined from ``bodies.jsonl`` beside the data file.

    .venv/bin/python -m bench.stance [--data FILE.jsonl] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics

NAME = "stance"
FOLDER = "stance_fnc1"
COLUMNS = ("fnc_score", "macro_f1", "f1_agree", "f1_disagree", "f1_discuss", "f1_unrelated", "accuracy", "pairs", "seconds")


def score(name: str, gold: list[str], pred: list[str], **extra: Any) -> dict[str, Any]:
    per = metrics.per_class_f1(gold, pred, metrics.FNC_LABELS)
    return {"system": name, "fnc_score": metrics.fnc_score(gold, pred),
            "macro_f1": sum(per.values()) / len(per), **{f"f1_{k}": v for k, v in per.items()},
            "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0, **extra}


def main(argv: list[str] | None = None) -> int:
    args = common.parse(common.make_parser(NAME, __doc__.splitlines()[0], FOLDER), argv)
    if common.skip_if_absent(args.data):
        return 0
    data = Path(args.data)
    bodies_path = data.resolve().parent / "bodies.jsonl"
    if common.skip_if_absent(bodies_path, "bodies.jsonl"):
        return 0
    bodies = {str(b["body_id"]): b["text"] for b in common.load_jsonl(bodies_path)}
    items = [it for it in common.load_jsonl(data) if str(it["body_id"]) in bodies]
    items = common.pick(args, items, quick_n=600)
    gold = [it["stance"] for it in items]
    results: list[dict[str, Any]] = []
    try:
        px.check(("crosscheck", "stance"))
        with common.Timer() as timer:
            pred = [px.stance(it["headline"], bodies[str(it["body_id"])]) for it in items]
        results.append(score("parallax", gold, pred, pairs=len(items), seconds=timer.seconds))
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))
    results.append(score("constant (unrelated)", gold, ["unrelated"] * len(gold), pairs=len(items)))
    common.print_table(f"bench.stance — FNC-1: {len(items)} pairs from {data}", results, COLUMNS)
    common.write_json(args.json, NAME, data, [common.rounded(r) for r in results])
    return 0


if __name__ == "__main__":
    sys.exit(main())
