"""HTML → clean article body on the Zyte/Scrapinghub article-extraction benchmark.

First re-scores the published systems' outputs (``reference_predictions.jsonl`` beside the data file) with our
independent implementation of the benchmark's shingle metric and checks them against the published figures;
then runs Parallax and the peers on the same pages.

    .venv/bin/python -m bench.extract [--data FILE.jsonl] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics, peers

NAME = "extract"
FOLDER = "article_extraction_scrapinghub"
COLUMNS = ("precision", "recall", "f1", "accuracy", "pages", "errors", "seconds")

# Published F1 (benchmark README, latest run, all 181 pages), keyed by the system name in reference_predictions.jsonl.
PUBLISHED_F1 = {
    "rs_trafilatura": 0.970, "go_trafilatura": 0.960, "trafilatura": 0.958, "newspaper": 0.949,
    "news_please": 0.948, "readability_js": 0.947, "readability": 0.922, "goose3": 0.896,
    "justext": 0.804, "html-text": 0.665, "AutoExtract": 0.970, "Diffbot": 0.951,
}
TOLERANCE = 0.005


def reproduce(data: Path, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Score the published systems' outputs on the pages of ``items``."""
    ref_path = data.resolve().parent / "reference_predictions.jsonl"
    if not ref_path.exists():
        print(f"(no {ref_path.name} beside the data file: published-figure reproduction skipped)")
        return []
    by_system: dict[str, dict[str, str]] = {}
    for row in common.load_jsonl(ref_path):
        by_system.setdefault(row["system"], {})[row["id"]] = row.get("article_body") or ""
    truths = [it["article_body"] for it in items]
    rows = []
    for system in sorted(by_system):
        preds = by_system[system]
        covered = [it for it in items if it["id"] in preds]
        if not covered:
            continue
        scores = metrics.shingle_prf([it["article_body"] for it in covered], [preds[it["id"]] for it in covered])
        published = PUBLISHED_F1.get(system)
        row = {"system": system, **scores, "pages": len(covered), "published_f1": published}
        if published is not None:
            row["delta"] = scores["f1"] - published
            row["within_0.005"] = abs(scores["f1"] - published) <= TOLERANCE
        rows.append(row)
    del truths
    return rows


def run_system(name: str, fn: Any, items: list[dict[str, Any]], htmls: list[str]) -> dict[str, Any]:
    with common.Timer() as timer:
        outputs, errors, first = common.run_per_item(lambda pair: fn(pair[0], pair[1]), zip(htmls, [it.get("url") for it in items], strict=True), "")
    row = {"system": name, **metrics.shingle_prf([it["article_body"] for it in items], outputs),
           "pages": len(items), "errors": errors, "seconds": timer.seconds}
    if first:
        row["first_error"] = first
    return row


def main(argv: list[str] | None = None) -> int:
    args = common.parse(common.make_parser(NAME, __doc__.splitlines()[0], FOLDER), argv)
    if common.skip_if_absent(args.data):
        return 0
    data = Path(args.data)
    items = common.pick(args, common.load_jsonl(data), quick_n=130)

    repro = reproduce(data, items)
    if repro:
        common.print_table(
            f"Published systems' outputs re-scored with our metric ({len(items)} pages; published figures: 181 pages)",
            repro, ("precision", "recall", "f1", "accuracy", "published_f1", "delta", "within_0.005"))
        ok = sum(1 for r in repro if r.get("within_0.005"))
        print(f"{ok} of {sum(1 for r in repro if 'published_f1' in r and r['published_f1'] is not None)} "
              f"published F1 figures reproduced to ±{TOLERANCE}")

    htmls = [common.read_html(common.resolve(data, it["html_path"])) for it in items]
    results: list[dict[str, Any]] = []
    try:
        px.check(("stages.clean", "extract_article"))
        results.append(run_system("parallax", px.extract_article, items, htmls))
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))
    for name, fn in peers.EXTRACTORS.items():
        results.append(run_system(name, fn, items, htmls))

    common.print_table(f"bench.extract — shingle P/R/F1 on {len(items)} pages of {data}", results, COLUMNS)
    versions = {n: peers.version(p) for n, p in (("trafilatura", "trafilatura"), ("readability-lxml", "readability-lxml"),
                                                  ("newspaper4k", "newspaper4k"), ("justext", "jusText"))}
    common.write_json(args.json, NAME, data, [common.rounded(r) for r in results],
                      reproduction=[common.rounded(r) for r in repro], peer_versions=versions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
