"""Out-of-sample figures and decision thresholds for the loaded-language heads (BABE + the bank's dev clusters).

    python -m training.loaded.tune [--weight 2] [--repeats 3] [--json /tmp/loaded_tune.json]

1. features for BABE SG2 dev and for the bank's development examples (:mod:`training.loaded.bank_data`; the
   held-out clusters are never read), cached under ``--cache``;
2. **leave one cluster out** over the bank's dev clusters: heads fitted on all of BABE plus the other clusters
   (:func:`training.loaded.train.fit_heads`), the left-out cluster scored by the product's code
   (``Detector._result``); per unit the sentence probability, the outlet's word probabilities and the terms the
   detector would list at each word threshold of the grid;
3. **BABE repeated 5-fold CV** (``--repeats`` splits): heads fitted on four folds plus every bank dev example;
4. the decision values (``LoadedConfig.threshold``, ``headline_threshold``, ``word_loaded``,
   ``word_threshold``) chosen on those out-of-fold predictions: for each left-out cluster, the grid point that is
   best on the other clusters (and on BABE's out-of-fold sentences) is applied to it, so the bank figures
   reported are out of sample twice (heads and thresholds); the shipped values are the grid point best on
   all of them.

The bank counts mirror ``bench.bank.score_loaded``: a gold loaded term is found when its unit is loaded and one
of the listed terms holds it or is held by it; a neutral phrase is flagged the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import pickle
import sys
import time
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
for p in (REPO_ROOT / "src", REPO_ROOT):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from training.loaded import bank_data, train  # noqa: E402

from parallax.stages import loaded  # noqa: E402
from parallax.stages.loaded import DEFAULT_CONFIG, Detector, LoadedConfig  # noqa: E402

log = logging.getLogger("training.loaded.tune")

T_GRID = tuple(round(0.3 + 0.05 * k, 2) for k in range(9))  # 0.30 .. 0.70
TH_GRID = tuple(round(0.2 + 0.05 * k, 2) for k in range(11))  # headline 0.20 .. 0.70
WL_GRID = (0.6, 0.7, 0.8, 0.9, 1.0)
WT_GRID = (0.2, 0.25, 0.3, 0.4)
NEUTRAL_CAP = 0.035  # under the bound (0.05) on neutral phrases flagged: chosen points overshoot out of sample
BABE_SLACK = 0.002  # BABE may not fall more than this below the default decision (0.5 / no word rule)
MAX_TERMS = 8


def _norm(text: str) -> str:
    return " ".join(bank_data.fold(text).split())


def _holds(a: str, b: str) -> bool:
    return bool(b.strip()) and _norm(b) in _norm(a)


def babe_feats(cfg: LoadedConfig, cache: Path | None, data: Path = train.DEFAULT_DATA
               ) -> tuple[list[dict[str, Any]], list[Any]]:
    """BABE SG2 dev rows and their features (cached while the feature fields, the lexicon and the data hold)."""
    rows = train.load_rows(data)
    key = (tuple(sorted(cfg.feature_key().items())), loaded.lexicon_sha256(), len(rows),
           hashlib.sha256(data.read_bytes()).hexdigest())
    if cache is not None and cache.exists():
        got = pickle.loads(cache.read_bytes())
        if got.get("key") == key:
            return rows, got["feats"]
    feats = loaded.featurize([r["text"] for r in rows], False, cfg)
    if cache is not None:
        cache.write_bytes(pickle.dumps({"key": key, "feats": feats}))
    return rows, feats


def parse_common(ap: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse with the options every script here shares (`--cache` for the features, `--json` for the report) and
    start logging."""
    ap.add_argument("--cache", type=Path, default=Path("/tmp/parallax-loaded-cache"))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    return args


def training_data(cfg: LoadedConfig, cache: Path) -> tuple[list[dict[str, Any]], list[Any], Any, np.ndarray,
                                                             list[np.ndarray]]:
    """(BABE rows, their features, the bank's dev examples (`train.bank_extra`), BABE's sentence labels, word
    labels), features cached under `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    rows, feats = babe_feats(cfg, cache / "babe.pkl")
    extra = train.bank_extra(cfg, cache / "bank.pkl")
    y = np.array([r["label_bias"] == "Biased" for r in rows], np.int64)
    return rows, feats, extra, y, train.word_labels(feats, rows)


@dataclasses.dataclass
class Unit:
    """One scored unit (out of fold): what the decision grid needs."""

    where: str
    score: float
    p_max: float  # the outlet's strongest word probability
    terms: dict[float, list[str]]  # word threshold -> the terms listed (before the loaded decision)
    fallback: str  # the most probable outlet word (listed when loaded with no terms)
    label: int = 0
    loaded_terms: list[str] = dataclasses.field(default_factory=list)
    neutral_phrases: list[str] = dataclasses.field(default_factory=list)
    cluster: str = ""


def score_units(heads: Any, feats: list[Any], texts: list[str], wheres: list[str], cfg: LoadedConfig) -> list[Unit]:
    out = []
    for text, f, where in zip(texts, feats, wheres, strict=True):
        p = heads.word_proba(f.word_x)
        po = p[f.outlet] if len(p) else p
        score = float(heads.sentence_proba(loaded.sentence_vector(f, p, cfg)[None, :])[0]) if f.outlet.any() else 0.0
        terms = {}
        for wt in WT_GRID:
            det = Detector(dataclasses.replace(cfg, word_threshold=wt, max_terms=MAX_TERMS), heads=heads)
            terms[wt] = [t.text for t in det._terms(text, f, p, outlet=True)]
        fb = det._fallback_terms(text, f, p)
        out.append(Unit(where, score, float(po.max()) if len(po) else 0.0, terms, fb[0].text if fb else ""))
    return out


def decide(u: Unit, t: float, th: float, wl: float) -> bool:
    return (u.score >= (th if u.where == "headline" else t)) or u.p_max >= wl


def bank_counts(units: list[Unit], point: tuple[float, float, float, float]) -> np.ndarray:
    """[gold terms found, gold terms, neutral phrases flagged, neutral phrases, units flagged, units]."""
    t, th, wl, wt = point
    c = np.zeros(6, np.int64)
    for u in units:
        flag = decide(u, t, th, wl)
        terms = u.terms[wt] or ([u.fallback] if u.fallback else [])
        c[1] += len(u.loaded_terms)
        c[3] += len(u.neutral_phrases)
        c[5] += 1
        if flag:
            c[4] += 1
            c[0] += sum(any(_holds(g, x) or _holds(x, g) for x in terms) for g in u.loaded_terms)
            c[2] += sum(any(_holds(g, x) or _holds(x, g) for x in terms) for g in u.neutral_phrases)
    return c


def babe_f1(units: list[Unit], gold: np.ndarray, t: float, wl: float) -> float:
    pred = [decide(u, t, 1.0, wl) for u in units]
    return train.macro_f1(gold.astype(bool), pred)


def objective(bank: np.ndarray, babe: float, babe_floor: float) -> float:
    """Bank recall of loaded terms, among the points that flag at most ``NEUTRAL_CAP`` of the neutral phrases
    and keep BABE's out-of-fold macro-F1 within ``BABE_SLACK`` of the default decision's (``babe_floor``)."""
    recall = bank[0] / max(1, bank[1])
    neutral = bank[2] / max(1, bank[3])
    ok = neutral <= NEUTRAL_CAP and babe >= babe_floor - BABE_SLACK
    return recall + babe if ok else -1.0 + recall


def grid() -> list[tuple[float, float, float, float]]:
    return list(product(T_GRID, TH_GRID, WL_GRID, WT_GRID))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.loaded.tune", description=__doc__.splitlines()[0])
    ap.add_argument("--weight", type=float, default=train.BANK_WEIGHT)
    ap.add_argument("--c-word", type=float, default=train.C_WORD)
    ap.add_argument("--c-sentence", type=float, default=train.C_SENTENCE)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--neg-weight", type=float, default=train.BANK_NEG_WEIGHT)
    ap.add_argument("--sentence-head", action=argparse.BooleanOptionalAction, default=train.BANK_SENTENCE_HEAD,
                    help="bank examples train the sentence head too (default: %(default)s)")
    ap.add_argument("--groups", type=int, default=0, help="leave groups of clusters out (0: one cluster each)")
    ap.add_argument("--no-bank", action="store_true", help="BABE only (today's recipe), for comparison")
    args = parse_common(ap, argv)
    cfg = DEFAULT_CONFIG
    t0 = time.time()
    rows, feats, extra, y, yw = training_data(cfg, args.cache)
    extra.weight, extra.neg_weight, extra.sentence_head = args.weight, args.neg_weight, args.sentence_head
    log.info("features: %d BABE, %d bank units (%.0f s)", len(rows), len(extra.feats), time.time() - t0)
    kw = {"c_word": args.c_word, "c_sentence": args.c_sentence}
    all_babe = np.arange(len(rows))
    # 2. leave one bank cluster out
    clusters = sorted(set(extra.groups))
    bank_units: dict[str, list[Unit]] = {}
    folds_out = [[c] for c in clusters] if not args.groups else [clusters[k::args.groups] for k in range(args.groups)]
    for out in folds_out:
        c = ",".join(out)
        t1 = time.time()
        tr = [j for j, g in enumerate(extra.groups) if g not in out]
        te = [j for j, g in enumerate(extra.groups) if g in out]
        heads = train.fit_heads(feats, y, yw, all_babe, cfg, seed=0, extra=None if args.no_bank else extra,
                                extra_idx=tr, **kw)
        us = score_units(heads, [extra.feats[j] for j in te], [extra.examples[j].text for j in te],
                         [extra.examples[j].where for j in te], cfg)
        for u, j in zip(us, te, strict=True):
            e = extra.examples[j]
            u.label, u.loaded_terms, u.neutral_phrases, u.cluster = e.label, e.loaded_terms, e.neutral_phrases, e.cluster
            bank_units.setdefault(e.cluster, []).append(u)
        log.info("left out %s: %d units (%.0f s)", c, len(us), time.time() - t1)
    # 3. BABE repeated CV (bank dev examples always on the training side)
    babe_units: list[list[Unit]] = []
    for seed in range(args.repeats):
        units: list[Unit | None] = [None] * len(rows)
        for tr, te in train.folds(rows, y, 5, seed):
            heads = train.fit_heads(feats, y, yw, tr, cfg, seed=seed, extra=None if args.no_bank else extra, **kw)
            for i, u in zip(te, score_units(heads, [feats[i] for i in te], [rows[i]["text"] for i in te],
                                            ["body"] * len(te), cfg), strict=True):
                units[i] = u
        babe_units.append(units)  # type: ignore[arg-type]
        log.info("BABE split %d done (%.0f s)", seed, time.time() - t0)
    if args.json:
        args.json.with_suffix(".units.pkl").write_bytes(pickle.dumps({"bank": bank_units, "babe": babe_units,
                                                                      "y": y}))
    # 4. decisions
    points = grid()
    per_cluster = {c: {pt: bank_counts(us, pt) for pt in points} for c, us in bank_units.items()}
    babe_at = {(t, wl): babe_f1(babe_units[0], y, t, wl) for t in T_GRID for wl in WL_GRID}
    total = {pt: sum(per_cluster[c][pt] for c in clusters) for pt in points}

    def best(exclude: str | None) -> tuple[float, float, float, float]:
        def val(pt: tuple[float, float, float, float]) -> tuple[float, float]:
            b = total[pt] - (per_cluster[exclude][pt] if exclude else 0)
            return (round(objective(b, babe_at[(pt[0], pt[2])], babe_at[(0.5, 1.0)]), 6),
                    -abs(pt[0] - 0.5) - abs(pt[1] - 0.5) - abs(pt[2] - 1.0) - abs(pt[3] - 0.3))
        return max(points, key=val)

    oos = np.zeros(6, np.int64)
    chosen = {}
    for c in clusters:
        pt = best(c)
        chosen[c] = pt
        oos += per_cluster[c][pt]
    ship = best(None)
    babe_rep = [babe_f1(units, y, ship[0], ship[2]) for units in babe_units]  # pooled per split
    # per fold, as bench.loaded reports them
    fold_f1 = []
    for seed, units in enumerate(babe_units):
        for _tr, te in train.folds(rows, y, 5, seed):
            fold_f1.append(train.macro_f1(y[te].astype(bool), [decide(units[i], ship[0], 1.0, ship[2]) for i in te]))
    default_pt = (0.5, 0.5, 1.0, 0.3)
    report = {
        "weight": args.weight, "no_bank": args.no_bank, **kw,
        "bank_loco_thresholds_loco": {"found": int(oos[0]), "terms": int(oos[1]), "neutral_flagged": int(oos[2]),
                                      "neutral": int(oos[3]), "units_flagged": int(oos[4]), "units": int(oos[5])},
        "bank_loco_at_shipped": dict(zip(("found", "terms", "neutral_flagged", "neutral", "units_flagged", "units"),
                                         map(int, total[ship]), strict=True)),
        "bank_loco_at_default": dict(zip(("found", "terms", "neutral_flagged", "neutral", "units_flagged", "units"),
                                         map(int, total[default_pt]), strict=True)),
        "shipped_point": dict(zip(("threshold", "headline_threshold", "word_loaded", "word_threshold"), ship,
                                  strict=True)),
        "chosen_per_cluster": {c: list(pt) for c, pt in chosen.items()},
        "babe_macro_f1_splits_at_shipped": babe_rep,
        "babe_macro_f1_folds_at_shipped": {"mean": float(np.mean(fold_f1)), "std": float(np.std(fold_f1)),
                                           "min": float(np.min(fold_f1)), "max": float(np.max(fold_f1))},
        "babe_macro_f1_split0_at_default": babe_at[(0.5, 1.0)],
        "per_cluster_at_shipped": {c: per_cluster[c][ship].tolist() for c in clusters},
        "seconds": time.time() - t0,
    }
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
