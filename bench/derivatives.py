"""Derivative pages: the provenance thresholds chosen leave-one-cluster-out on the bank's dev clusters.

Each dev cluster of ``bench.bank`` is read, cleaned, split, embedded and grouped into stories once (the product
path up to provenance); then for every point of a small grid of `ProvenanceConfig` values (``rewrite_score``,
``rewrite_coverage``, ``credited_score``, ``credited_min_run``, ``same_wire_score_share``) each story's pages are traced
(``compare_all`` + ``origin_groups``, the functions every path calls) and scored like ``bench.bank``'s origin
groups (``score_origins``). Leave one cluster out: each cluster is scored at the centre of the plateau of grid
points with the most pages right on the other clusters (ties: the point nearest the plateau's per-axis median,
then the shipped value); the out-of-fold total is what the thresholds are worth on clusters they never saw.
The seed corpus (``../shared/corpus/seeds``, five reports of one summit) is one more cluster, its origins as
its acceptance test reads them. The held-out clusters (``bench/data/bank/splits.json``) are never read.

    python -m bench.derivatives [--data DIR ...] [--json OUT] [--no-seeds]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from itertools import product
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common
from bench.bank import OWN_BANK, SHARED_BANK, Gold, find_clusters, score_origins

NAME = "derivatives"
SEEDS = common.SHARED_ROOT / "corpus" / "seeds"
GRID = {
    "rewrite_score": (0.025, 0.035, 0.045, 0.055, 0.065, 0.075, 0.085, 0.095, 0.105, 0.12),
    "rewrite_coverage": (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6),
    "credited_score": (0.01, 0.02, 0.03, 0.04, 0.05),
    "credited_min_run": (2, 3, 4),
    "same_wire_score_share": (0.5, 1.0),
}


def seeds_gold(pages: Path) -> dict[str, Any]:
    """The seed corpus's origins as its acceptance test reads them (tests/test_seeds_acceptance.py): one story;
    000 and 003 restate 001 (the agency's report), 002 and 004 are their own."""
    ids = {p.stem[:3]: p.stem for p in sorted(pages.iterdir()) if p.suffix in (".txt", ".html")}
    parent = {"000": "001", "003": "001"}
    return {"id": "seeds", "stories": [{"id": "A", "pages": sorted(ids.values())}],
            "pages": {pid: {"role": "rewrite" if k in parent else "independent",
                            "derives_from": ids[parent[k]] if k in parent else None} for k, pid in ids.items()}}


def prepare_cluster(pages: Path, gold: dict[str, Any]) -> dict[str, Any]:
    """One cluster up to provenance: articles (credited, masthead noted), sentence vectors, MinHashes, stories."""
    read_paths = px.get("stages.read", "read_paths")
    prepare = px.get("pipeline", "prepare")
    embed = px.get("text.embed", "embed")
    group_stories = px.get("stages.stories", "group_stories")
    find_credits = px.get("stages.provenance", "find_credits")
    note_masthead = px.get("stages.provenance", "note_masthead")
    minhash = px.get("stages.provenance", "minhash")
    articles, _ = read_paths([str(pages)])
    articles, _ = prepare(articles)
    vectors = {a.id: embed(a.sentence_texts()) for a in articles}
    stories = group_stories(articles) if len(articles) > 1 else [articles]
    for a in articles:
        a.credits = find_credits(a)
        note_masthead(a)
    return {"articles": articles, "vectors": vectors, "stories": [[a.id for a in s] for s in stories],
            "minhashes": {a.id: minhash(a.text) for a in articles},
            "gold": Gold(gold)}


def origins_right(data: dict[str, Any], values: dict[str, Any]) -> tuple[int, int]:
    """Pages in the right origin group with these provenance settings (bench.bank's scoring)."""
    settings = px.get("config", "settings")
    use = px.get("config", "use")
    compare_all = px.get("stages.provenance", "compare_all")
    origin_groups = px.get("stages.provenance", "origin_groups")
    arts = {a.id: a for a in data["articles"]}
    with use(settings().replace(provenance=values)):
        for ids in data["stories"]:
            members = [arts[i] for i in ids]
            pairs = compare_all(members, data["vectors"], data["minhashes"])
            for aid, (gid, derived) in origin_groups(members, pairs).items():
                arts[aid].group, arts[aid].derived_from = gid, derived
    gold = data["gold"]
    c, _ = score_origins(arts, gold, [p for p in gold.pages if p in arts])
    return c["origin_right"], c["origin_pages"]


def choose(results: list[tuple[dict[str, Any], dict[str, tuple[int, int]]]], held: str | None,
           shipped: dict[str, Any]) -> dict[str, Any]:
    """The grid point at the centre of the plateau of most pages right on every cluster but ``held``."""
    def score(r: dict[str, tuple[int, int]]) -> int:
        return sum(v[0] for k, v in r.items() if k != held)

    top = max(score(r) for _, r in results)
    tied = [g for g, r in results if score(r) == top]
    mid = {k: statistics.median_low(sorted(g[k] for g in tied)) for k in GRID}

    def off(g: dict[str, Any], centre: dict[str, Any]) -> float:
        return sum(abs(g[k] - centre[k]) / max(abs(centre[k]), 1e-9) for k in GRID)

    return min(tied, key=lambda g: (off(g, mid), off(g, shipped)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.derivatives", description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append", default=None, help="folder of FORMAT.md clusters (repeatable)")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument("--no-seeds", action="store_true", help="leave out the seed corpus (../shared/corpus/seeds)")
    args = parser.parse_args(argv)
    roots = [Path(d) for d in args.data] if args.data else [SHARED_BANK, OWN_BANK]
    clusters = find_clusters(roots, split="dev")
    if not clusters:
        print(f"skip: no dev clusters in {', '.join(map(str, roots))}", file=sys.stderr)
        return 0
    try:
        px.check(("pipeline", "prepare"), ("stages.provenance", "origin_groups"))
    except px.Unavailable as exc:
        print(f"parallax: not available ({exc})", file=sys.stderr)
        return 0
    data = {cl.name: prepare_cluster(cl.path / "pages", json.loads((cl.path / "gold.json").read_text(encoding="utf-8")))
            for cl in clusters}
    if SEEDS.is_dir() and not args.no_seeds:
        data["seeds"] = prepare_cluster(SEEDS, seeds_gold(SEEDS))
    cfg = px.get("config", "settings")().provenance
    shipped = {k: getattr(cfg, k) for k in GRID}
    grid = [dict(zip(GRID, vals, strict=True)) for vals in product(*GRID.values())]
    results = [(g, {name: origins_right(d, g) for name, d in data.items()}) for g in grid]
    at_shipped = {name: origins_right(d, shipped) for name, d in data.items()}
    rows, oof = [], Counter()
    for name in data:
        g = choose(results, name, shipped)
        right, pages = dict(results[grid.index(g)][1])[name]
        oof.update(right=right, pages=pages)
        rows.append({"cluster": name, "chosen": g, "right": right, "pages": pages,
                     "at_shipped": f"{at_shipped[name][0]}/{at_shipped[name][1]}"})
        print(f"{name}: {right}/{pages} at {g} (shipped values: {at_shipped[name][0]}/{at_shipped[name][1]})")
    best_all = choose(results, None, shipped)
    print(f"out of fold: {oof['right']}/{oof['pages']} pages in the right origin group")
    print(f"shipped {shipped}: {sum(v[0] for v in at_shipped.values())}/{sum(v[1] for v in at_shipped.values())}"
          f"; plateau centre on all dev clusters {best_all}")
    common.write_json(args.json, NAME, ", ".join(map(str, roots)), rows, out_of_fold=dict(oof),
                      plateau_centre=best_all, shipped=shipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
