"""Sentence-level loaded language on BABE (SG2 expert labels): macro F1 of Biased vs Non-biased.

Parallax flags a sentence as loaded when ``parallax.stages.loaded.flag_sentence`` returns at least one term. Also reports
how the flagged terms overlap the annotators' bias-inducing words (term precision / recall, micro over sentences).

    .venv/bin/python -m bench.loaded [--data FILE.jsonl] [--subset BABE_SG2] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics

NAME = "loaded"
FOLDER = "media_bias_babe"
COLUMNS = ("macro_f1", "precision", "recall", "f1", "accuracy", "term_precision", "term_recall", "sentences", "seconds")
LABELS = ("Biased", "Non-biased")
_W = re.compile(r"\w+")


def _words(terms: list[str]) -> set[str]:
    return {w.lower() for t in terms for w in _W.findall(t)}


def main(argv: list[str] | None = None) -> int:
    parser = common.make_parser(NAME, __doc__.splitlines()[0], FOLDER)
    parser.add_argument("--subset", default="BABE_SG2", help="subset to score, or 'all' (default: %(default)s)")
    args = common.parse(parser, argv)
    if common.skip_if_absent(args.data):
        return 0
    data = Path(args.data)
    rows = [r for r in common.load_jsonl(data)
            if r.get("label_bias") in LABELS and (args.subset == "all" or r.get("subset") == args.subset)]
    items = common.pick(args, rows, quick_n=3000)
    gold = [it["label_bias"] for it in items]
    results: list[dict[str, Any]] = []
    try:
        px.check(("loaded", "flag_sentence"))
        with common.Timer() as timer:
            flags = [px.flag_sentence(it["text"]) for it in items]
        pred = ["Biased" if f else "Non-biased" for f in flags]
        binary = metrics.binary_prf([g == "Biased" for g in gold], [p == "Biased" for p in pred])
        hit = flagged = marked = 0
        for it, terms in zip(items, flags, strict=True):
            found, want = _words(terms), _words(it.get("biased_words") or [])
            hit += len(found & want)
            flagged += len(found)
            marked += len(want)
        results.append({"system": "parallax", "macro_f1": metrics.macro_f1(gold, pred, LABELS), **binary,
                        "term_precision": hit / flagged if flagged else 0.0, "term_recall": hit / marked if marked else 0.0,
                        "sentences": len(items), "seconds": timer.seconds, "flagged_share": sum(map(bool, flags)) / len(items)})
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))
    results.append({"system": "majority class", "macro_f1": metrics.macro_f1(gold, [max(LABELS, key=gold.count)] * len(gold), LABELS),
                    "sentences": len(items)})
    common.print_table(f"bench.loaded — {args.subset}: {len(items)} sentences from {data}", results, COLUMNS)
    common.write_json(args.json, NAME, data, [common.rounded(r) for r in results], subset=args.subset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
