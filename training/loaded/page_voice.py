"""Out-of-fold check of the page-voice rule (``LoadedConfig.page_voice_min`` / ``page_threshold`` /
``page_word_loaded``) on the bank.

    python -m training.loaded.page_voice [--cache /tmp/parallax-loaded-cache] [--json OUT]

An outlet's voice holds across its page: on a page with at least ``page_voice_min`` loaded body sentences, a body
sentence is loaded from ``page_threshold`` on (when the word head names a responsible word in it), or when one of
its outlet words reaches ``page_word_loaded``. This script
measures the rule with heads that never saw the cluster scored:

1. **dev clusters, leave one cluster out**: the heads refitted on all of BABE plus the other dev clusters' examples
   (:func:`training.loaded.train.fit_heads`, the shipped recipe), the left-out cluster's pages read and prepared by
   the product (``pipeline.prepare``) and flagged by the product's ``find_loaded`` at each point of the grid (and
   with the rule off), scored by ``bench.bank.score_loaded`` (gold loaded terms found, neutral phrases flagged);
2. the rule's three values chosen per left-out cluster on the other clusters (most terms found with at most
   ``NEUTRAL_CAP`` of their neutral phrases flagged; ties to the stricter point) and applied to it: out of
   sample twice (heads and values);
3. **held-out clusters** (``bench/data/bank/splits.json``): the shipped heads (never trained on them), rule off and
   at the shipped values.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
for p in (REPO_ROOT / "src", REPO_ROOT):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from bench import bank as B  # noqa: E402
from training.loaded import train, tune  # noqa: E402

from parallax.config import settings, use  # noqa: E402
from parallax.pipeline import prepare  # noqa: E402
from parallax.stages import loaded  # noqa: E402
from parallax.stages.loaded import DEFAULT_CONFIG, Detector  # noqa: E402
from parallax.stages.read import read_paths  # noqa: E402

log = logging.getLogger("training.loaded.page_voice")

K_GRID = (2, 3, 4)
T_GRID = (0.15, 0.2, 0.25, 0.3)
W_GRID = (1.0, 0.5, 0.4, 0.3, 0.25, 0.2)  # page_word_loaded (1.0: off; 0.2 = word_threshold: any named word)
OFF = (10_000, 1.0, 1.0)  # the rule off: no page has that many loaded sentences
Point = tuple[int, float, float]
POINTS: list[Point] = [OFF, *product(K_GRID, T_GRID, W_GRID)]
NEUTRAL_CAP = tune.NEUTRAL_CAP
ROOTS = [REPO_ROOT.parent / "shared" / "clusters", REPO_ROOT / "bench" / "data" / "bank"]


_PREPARED: dict[str, list[Any]] = {}


def _articles(cluster: B.Cluster) -> list[Any]:
    """The cluster's pages read and prepared by the product, once (nothing there reads the loaded settings)."""
    if cluster.name not in _PREPARED:
        arts, _ = read_paths([cluster.path / "pages"])
        _PREPARED[cluster.name], _ = prepare(arts)
    return _PREPARED[cluster.name]


def counts(heads: Any, cluster: B.Cluster, point: Point) -> Counter[str]:
    """bench.bank's loaded counts of one cluster, its pages flagged by `find_loaded` with these heads and rule."""
    sets = settings().replace(loaded={"page_voice_min": point[0], "page_threshold": point[1],
                                      "page_word_loaded": point[2]})
    arts = _articles(cluster)
    saved = loaded._default_detector
    try:
        with use(sets):  # the detector `find_loaded` gets is the one in effect for these settings: ours
            loaded._default_detector = Detector(sets.loaded, heads=heads)
            flags = [fl for a in arts for fl in loaded.find_loaded(a)]
            assert loaded.get_detector().heads is heads
    finally:
        loaded._default_detector = saved
    gold = B.Gold(json.loads((cluster.path / "gold.json").read_text(encoding="utf-8")))
    loc = B.Located({a.id: a.text for a in arts})
    return B.score_loaded(flags, gold, loc)[0]


def _total(rows: dict[str, dict[Point, Counter[str]]], pt: Point,
           skip: str | None = None) -> Counter[str]:
    out: Counter[str] = Counter()
    for name, by_point in rows.items():
        if name != skip:
            out.update(by_point[pt])
    return out


def choose(rows: dict[str, dict[Point, Counter[str]]], skip: str | None) -> Point:
    def val(pt: Point) -> tuple[float, float, float, float]:
        c = _total(rows, pt, skip)
        ok = c["neutral_flagged"] <= NEUTRAL_CAP * max(1, c["neutral_phrases"])
        # ties: more loaded sentences, higher thresholds
        return (c["loaded_found"] if ok else -1.0, pt[0], pt[1], pt[2])
    return max(POINTS, key=val)


def _fig(c: Counter[str]) -> dict[str, Any]:
    return {"found": c["loaded_found"], "terms": c["loaded_terms"], "recall": round(c["loaded_found"] /
            max(1, c["loaded_terms"]), 3), "neutral_flagged": c["neutral_flagged"], "neutral": c["neutral_phrases"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.loaded.page_voice", description=__doc__.splitlines()[0])
    args = tune.parse_common(ap, argv)
    cfg = DEFAULT_CONFIG
    t0 = time.time()
    rows, feats, extra, y, yw = tune.training_data(cfg, args.cache)
    all_babe = np.arange(len(rows))
    points = POINTS
    dev = B.find_clusters(ROOTS, split="dev")
    by_cluster: dict[str, dict[Point, Counter[str]]] = {}
    for cl in dev:
        t1 = time.time()
        tr = [j for j, g in enumerate(extra.groups) if g != cl.name]
        heads = train.fit_heads(feats, y, yw, all_babe, cfg, seed=train.SEED, extra=extra, extra_idx=tr)
        by_cluster[cl.name] = {pt: counts(heads, cl, pt) for pt in points}
        log.info("left out %s (%.0f s)", cl.name, time.time() - t1)
    shipped = (cfg.page_voice_min, cfg.page_threshold, cfg.page_word_loaded)
    chosen = {name: choose(by_cluster, name) for name in by_cluster}
    oos: Counter[str] = Counter()
    for name, pt in chosen.items():
        oos.update(by_cluster[name][pt])
    heads = loaded.load_heads()
    held = {cl.name: {pt: counts(heads, cl, pt) for pt in (OFF, shipped)}
            for cl in B.find_clusters(ROOTS, split="heldout")}
    report = {
        "dev_loco_heads_rule_off": _fig(_total(by_cluster, OFF)),
        "dev_loco_heads_at_shipped": _fig(_total(by_cluster, shipped)),
        "dev_loco_heads_loco_values": _fig(oos),
        "chosen_per_cluster": {k: list(v) for k, v in chosen.items()},
        "best_on_all_dev": list(choose(by_cluster, None)),
        "shipped": list(shipped),
        "grid_dev_loco_heads": {f"{k},{t},{w}": _fig(_total(by_cluster, (k, t, w))) for k, t, w in points},
        "heldout_shipped_heads_rule_off": _fig(_total(held, OFF)),
        "heldout_shipped_heads_at_shipped": _fig(_total(held, shipped)),
        "seconds": round(time.time() - t0, 1),
    }
    print(json.dumps({k: v for k, v in report.items() if k != "grid_dev_loco_heads"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
