"""HTML → main text on trafilatura's evaluation corpus: must-have / must-not-have segment P/R/F.

    .venv/bin/python -m bench.extract_segments [--data FILE.jsonl] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics, peers

NAME = "extract_segments"
FOLDER = "article_extraction_trafilatura"
COLUMNS = ("precision", "recall", "f1", "accuracy", "pages", "errors", "seconds")
PEERS = ("trafilatura", "readability-lxml", "justext")


def run_system(name: str, fn: Any, items: list[dict[str, Any]], htmls: list[str]) -> dict[str, Any]:
    pairs = list(zip(htmls, [it.get("url") for it in items], strict=True))
    with common.Timer() as timer:
        outputs, errors, first = common.run_per_item(lambda pair: fn(pair[0], pair[1]), pairs, "")
    scores = metrics.segment_prf(outputs, [it.get("with") or [] for it in items], [it.get("without") or [] for it in items])
    row = {"system": name, **scores, "pages": len(items), "errors": errors, "seconds": timer.seconds}
    if first:
        row["first_error"] = first
    return row


def main(argv: list[str] | None = None) -> int:
    args = common.parse(common.make_parser(NAME, __doc__.splitlines()[0], FOLDER), argv)
    if common.skip_if_absent(args.data):
        return 0
    data = Path(args.data)
    items = common.pick(args, common.load_jsonl(data), quick_n=150)
    htmls = [common.read_html(common.resolve(data, it["html_path"])) for it in items]

    results: list[dict[str, Any]] = []
    try:
        px.check(("stages.clean", "extract_article"))
        results.append(run_system("parallax", px.extract_article, items, htmls))
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))
    for name in PEERS:
        results.append(run_system(name, peers.EXTRACTORS[name], items, htmls))

    common.print_table(f"bench.extract_segments — segment P/R/F on {len(items)} pages of {data}", results, COLUMNS)
    common.write_json(args.json, NAME, data, [common.rounded(r) for r in results])
    return 0


if __name__ == "__main__":
    sys.exit(main())
