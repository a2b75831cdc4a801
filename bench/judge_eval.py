"""The cross-check's judgments on the judgment benchmarks: MSRP (same fact), FRANK (supported), FNC-1 (stance).

Each section scores exactly the decisions the product makes, through the same functions and the shipped
configuration (`parallax.stages.crosscheck.same_fact_scores` at `CrosscheckConfig.support_min` — the rule that
makes one statement support another in a brief; `support_score` / `supported` — a claim against a source's
sentences, candidates picked as the story's proposer picks them; `stance` — unrelated / disagree / agree /
discuss from the proposer, the dispute rule and the support rule), and prints the peers in the same run.
Thresholds chosen on a dev file are reported 5-fold cross-validated (chosen on four folds, scored on the fifth;
mean ± standard deviation; folds group by article / body). The product's own thresholds were not chosen on
these sets; the judge and its corroboration head were not trained on them. `bench.rewrite`, `bench.support`
and `bench.stance` are these sections under their old names.

    python -m bench.judge_eval [msrp] [frank] [fnc] [--limit N] [--quick] [--json OUT] [--no-cache] [--speed]

`--no-cache` encodes every sentence afresh; by default encoder outputs are memoised on disk in
out/judge-cache/ (float16), which changes no decision rule, only the time a rerun takes.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import common, metrics

log = logging.getLogger("bench.judge_eval")
FOLDS = 5
CACHE_DIR = common.REPO_ROOT / "out" / "judge-cache"


def _judge():
    from parallax.text.judge import get_judge

    return get_judge()


def _load_cache(name: str, enabled: bool) -> None:
    if not enabled:
        return
    from training.judge.common import load_cache

    n = load_cache(_judge().encoder, CACHE_DIR / f"{name}.npz")
    log.info("cache %s: %d encodings", name, n)


def _save_cache(name: str, enabled: bool) -> None:
    if enabled:
        from training.judge.common import save_cache

        save_cache(_judge().encoder, CACHE_DIR / f"{name}.npz")


def sentences(text: str) -> list[str]:
    """Sentences of a text with the product's splitter (parallax.split.split_text)."""
    from parallax.stages.split import split_text

    return [text[s.start : s.end].strip() for s in split_text(text) if text[s.start : s.end].strip()]


def detok(text: str) -> str:
    from training.judge.common import detok as _detok

    return _detok(text)


def roc_auc(scores: Sequence[float], gold: Sequence[bool]) -> float:
    s = np.asarray(scores, dtype=float)
    g = np.asarray(gold, dtype=bool)
    pos, neg = s[g], s[~g]
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = np.argsort(np.argsort(np.concatenate([pos, neg]), kind="mergesort"), kind="mergesort") + 1.0
    # average ranks of ties
    allv = np.concatenate([pos, neg])
    for v in np.unique(allv):
        m = allv == v
        if m.sum() > 1:
            ranks[m] = ranks[m].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def folds_of(groups: Sequence[Any], k: int = FOLDS, seed: int = 0) -> np.ndarray:
    """Fold index per item; items of one group share a fold."""
    uniq = sorted(set(groups), key=str)
    random.Random(seed).shuffle(uniq)
    fold = {g: i % k for i, g in enumerate(uniq)}
    return np.array([fold[g] for g in groups])


def _best_threshold(scores: np.ndarray, gold: np.ndarray, score_fn: Callable[[np.ndarray, np.ndarray], float]
                    ) -> float:
    cands = np.unique(np.quantile(scores, np.linspace(0.005, 0.995, 199)))
    best = max(cands, key=lambda t: score_fn(gold, scores >= t))
    return float(best)


def cv_binary(scores: Sequence[float], gold: Sequence[bool], groups: Sequence[Any], choose_by: str
              ) -> dict[str, Any]:
    """5-fold CV of a threshold on `scores`: chosen on 4 folds by `choose_by`, scored on the fifth."""
    s, g = np.asarray(scores, dtype=float), np.asarray(gold, dtype=bool)
    f = folds_of(groups)

    def metric(gold_: np.ndarray, pred: np.ndarray) -> float:
        if choose_by == "bacc":
            return metrics.balanced_accuracy(list(gold_), list(pred))
        return metrics.binary_prf(list(gold_), list(pred))[choose_by]

    rows = []
    for k in range(FOLDS):
        tr, te = f != k, f == k
        t = _best_threshold(s[tr], g[tr], metric)
        pred = s[te] >= t
        prf = metrics.binary_prf(list(g[te]), list(pred))
        rows.append({"threshold": t, "f1": prf["f1"], "accuracy": prf["accuracy"],
                     "bacc": metrics.balanced_accuracy(list(g[te]), list(pred))})
    out: dict[str, Any] = {"cv_choose_by": choose_by}
    for key in ("f1", "accuracy", "bacc", "threshold"):
        vals = np.array([r[key] for r in rows])
        out[f"cv_{key}"] = float(vals.mean())
        out[f"cv_{key}_sd"] = float(vals.std())
    return out


def _pm(row: dict[str, Any], key: str) -> str:
    if f"cv_{key}" not in row:
        return "-"
    return f"{row[f'cv_{key}']:.3f}±{row[f'cv_{key}_sd']:.3f}"


# ---------------------------------------------------------------------------------------------------------


def run_msrp(args: argparse.Namespace) -> list[dict[str, Any]]:
    from parallax.config import settings
    from parallax.stages.crosscheck import same_fact_scores

    items = [it for it in common.load_jsonl(args.data or common.default_data("paraphrase_msrp"))
             if it.get("split", "dev") == "dev"]
    items = common.sample(items, _limit(args, "msrp"), args.seed)
    a, b = [it["sentence1"] for it in items], [it["sentence2"] for it in items]
    gold = np.array([bool(it["label"]) for it in items])
    groups = [it["id"] for it in items]
    _load_cache("msrp", args.cache)
    judge = _judge()
    judge.warm_up()
    threshold = settings().crosscheck.support_min
    with common.Timer() as timer:
        scores = same_fact_scores(a, b)
    _save_cache("msrp", args.cache)
    pred = scores >= threshold
    rows = [{"system": "parallax same_fact (crosscheck)", **metrics.binary_prf(list(gold), list(pred)),
             "threshold": threshold, "auc": roc_auc(scores, gold), "pairs": len(items), "seconds": timer.seconds},
            {"system": "  same scores, threshold cv by f1", **cv_binary(scores, gold, groups, "f1")}]
    enc = judge.encode(a + b)
    cos = np.array([x.vec @ y.vec for x, y in zip(enc[: len(a)], enc[len(a):], strict=True)])
    from bench import peers

    tfidf = np.asarray(peers.tfidf_cosine(a, b))
    for name, sc in (("embedding-cosine", cos), ("tfidf-cosine", tfidf)):
        for crit in ("accuracy", "f1"):
            t = _best_threshold(sc, gold, lambda g, p, c=crit: metrics.binary_prf(list(g), list(p))[c])
            rows.append({"system": f"{name} (in-sample best {crit})", **metrics.binary_prf(list(gold), list(sc >= t)),
                         "threshold": t, "auc": roc_auc(sc, gold), "pairs": len(items),
                         **cv_binary(sc, gold, groups, crit)})
    rows.append({"system": "majority (paraphrase)", **metrics.binary_prf(list(gold), [True] * len(gold)),
                 "pairs": len(items)})
    print(f"\nMSRP dev: {len(items)} pairs (never trained on MSRP); cv = 5-fold, threshold chosen on 4 folds")
    _table(rows, ("f1", "accuracy", "precision", "recall", "auc", "threshold"), ("f1", "accuracy", "threshold"))
    return [{"bench": "msrp", **r} for r in rows]


def run_frank(args: argparse.Namespace) -> list[dict[str, Any]]:
    from parallax.config import settings
    from parallax.stages.crosscheck import support_score
    from parallax.text.embed import embed

    items = [it for it in common.load_jsonl(args.data or common.default_data("factuality_frank"))
             if it.get("split", "dev") == "dev"]
    items = common.sample(items, _limit(args, "frank"), args.seed)
    gold = np.array([float(it["factuality"]) >= 1.0 for it in items])
    groups = [it["article_id"] for it in items]
    _load_cache("frank", args.cache)
    _judge().warm_up()
    threshold = settings().crosscheck.support_min
    art_sents: dict[str, list[str]] = {}
    for it in items:
        if it["article_id"] not in art_sents:
            art_sents[it["article_id"]] = sentences(it["article"])
    with common.Timer() as timer:
        scores = []
        for it in items:
            claims = sentences(detok(it["summary"])) or [detok(it["summary"])]
            scores.append(min(support_score(c, art_sents[it["article_id"]]) for c in claims))
    _save_cache("frank", args.cache)
    cos_scores = []
    for it in items:
        claims = sentences(detok(it["summary"])) or [detok(it["summary"])]
        src = art_sents[it["article_id"]]
        cv, sv = embed(claims), embed(src) if src else np.zeros((0, 384))
        cos_scores.append(float((cv @ sv.T).max(axis=1).min()) if len(sv) else 0.0)
    scores_a, cos_a = np.array(scores), np.array(cos_scores)
    pred = scores_a >= threshold  # == every sentence `supported`
    origins = [it.get("origin", "?").split("(")[0] for it in items]

    def per_origin(p: np.ndarray) -> dict[str, float]:
        out = {}
        for o in sorted(set(origins)):
            m = np.array([x == o for x in origins])
            out[f"bacc_{o}"] = metrics.balanced_accuracy(list(gold[m]), list(p[m]))
        return out

    rows = [{"system": "parallax supported (crosscheck, all sentences)",
             "bacc": metrics.balanced_accuracy(list(gold), list(pred)),
             "auc": roc_auc(scores_a, gold), **metrics.binary_prf(list(gold), list(pred)), **per_origin(pred),
             "threshold": threshold, "summaries": len(items), "seconds": timer.seconds},
            {"system": "  same scores, threshold cv by bacc", **cv_binary(scores_a, gold, groups, "bacc")}]
    t = _best_threshold(cos_a, gold, lambda g, p: metrics.balanced_accuracy(list(g), list(p)))
    rows.append({"system": "best-sentence cosine (in-sample best)", "bacc": metrics.balanced_accuracy(list(gold), list(cos_a >= t)),
                 "auc": roc_auc(cos_a, gold), **metrics.binary_prf(list(gold), list(cos_a >= t)), **per_origin(cos_a >= t),
                 "threshold": t, "summaries": len(items), **cv_binary(cos_a, gold, groups, "bacc")})
    rows.append({"system": "constant (supported)", "bacc": 0.5, "auc": 0.5, "summaries": len(items)})
    print(f"\nFRANK dev: {len(items)} summaries ({int(gold.sum())} fully factual); never trained on FRANK")
    _table(rows, ("bacc", "auc", "f1", "bacc_cnndm", "bacc_xsum", "threshold"), ("bacc", "threshold"))
    return [{"bench": "frank", **r} for r in rows]


def _fnc_row(name: str, gold: list[str], pred: list[str], **extra: Any) -> dict[str, Any]:
    per = metrics.per_class_f1(gold, pred, metrics.FNC_LABELS)
    return {"system": name, "fnc_score": metrics.fnc_score(gold, pred), "macro_f1": sum(per.values()) / len(per),
            **{f"f1_{k}": v for k, v in per.items()},
            "accuracy": sum(x == y for x, y in zip(gold, pred, strict=True)) / max(1, len(gold)), **extra}


def run_fnc(args: argparse.Namespace) -> list[dict[str, Any]]:
    from parallax.stages.crosscheck import stance
    from parallax.text.embed import embed

    data = Path(args.data) if args.data else common.EVAL_ROOT / "stance_fnc1" / "dev.jsonl"
    bodies = {str(b["body_id"]): b["text"] for b in common.load_jsonl(data.parent / "bodies.jsonl")}
    items = [it for it in common.load_jsonl(data)
             if str(it["body_id"]) in bodies and it.get("split", "dev") == "dev"]
    items = common.sample(items, _limit(args, "fnc"), args.seed)
    gold = [it["stance"] for it in items]
    _load_cache("fnc", args.cache)
    _judge().warm_up()
    body_sents: dict[str, list[str]] = {}
    with common.Timer() as timer:
        pred = []
        for it in items:
            bid = str(it["body_id"])
            if bid not in body_sents:
                body_sents[bid] = sentences(bodies[bid])[:STANCE_MAX_SENTENCES]
            pred.append(stance(it["headline"], body_sents[bid]))
    _save_cache("fnc", args.cache)
    rows = [_fnc_row("parallax stance (crosscheck)", gold, pred, pairs=len(items), seconds=timer.seconds)]
    f = folds_of([str(it["body_id"]) for it in items])
    gold_a = np.array(gold)
    cos = np.array([float((embed(body_sents[str(it["body_id"])]) @ embed([it["headline"]])[0]).max())
                    if body_sents[str(it["body_id"])] else 0.0 for it in items])
    grid_cos = np.round(np.arange(0.25, 0.61, 0.025), 3)
    rows.append(_fnc_row("constant (unrelated)", gold, ["unrelated"] * len(gold), pairs=len(items)))
    # Cosine peer: unrelated / discuss / agree by best-sentence cosine, thresholds chosen on the folds (CV).

    def cos_pred(c1: float, c2: float, idx: np.ndarray) -> list[str]:
        return ["unrelated" if x < c1 else ("agree" if x >= c2 else "discuss") for x in cos[idx]]

    grid2 = np.round(np.arange(0.25, 0.96, 0.025), 3)
    peer_cv = []
    for k in range(FOLDS):
        tr, te = f != k, f == k
        c1, c2 = max(((a, b) for a in grid_cos for b in grid2 if b > a),
                     key=lambda ab: _fnc_row("", list(gold_a[tr]), cos_pred(*ab, tr))["macro_f1"])
        peer_cv.append(_fnc_row("", list(gold_a[te]), cos_pred(c1, c2, te)))
    c1, c2 = max(((a, b) for a in grid_cos for b in grid2 if b > a),
                 key=lambda ab: _fnc_row("", gold, cos_pred(*ab, np.ones(len(gold), bool)))["macro_f1"])
    row = _fnc_row("cosine peer (in-sample best)", gold, cos_pred(c1, c2, np.ones(len(gold), bool)), pairs=len(items))
    row |= {f"cv_{key}": float(np.mean([r[key] for r in peer_cv])) for key in ("fnc_score", "macro_f1", "f1_disagree")}
    row |= {f"cv_{key}_sd": float(np.std([r[key] for r in peer_cv])) for key in ("fnc_score", "macro_f1", "f1_disagree")}
    rows.append(row)
    print(f"\nFNC-1 dev: {len(items)} headline-body pairs; judge never trained on FNC-1")
    _table(rows, ("fnc_score", "macro_f1", "f1_agree", "f1_disagree", "f1_discuss", "f1_unrelated"),
           ("fnc_score", "macro_f1", "f1_disagree"))
    return [{"bench": "fnc", **r} for r in rows]


def _table(rows: list[dict[str, Any]], cols: Sequence[str], cv_cols: Sequence[str]) -> None:
    shown = []
    for r in rows:
        d = {"system": r["system"], **{c: r.get(c) for c in cols}}
        for c in cv_cols:
            d[f"cv {c}"] = _pm(r, c)
        shown.append(d)
    common.print_table("", shown, [*cols, *(f"cv {c}" for c in cv_cols)])


def pairs_per_second(n: int = 2000) -> dict[str, float]:
    """Judge throughput on MSRP sentences: encoding, and pair scoring of encoded texts (both on this CPU)."""
    from parallax.text.judge import PairJudge, TokenEncoder

    items = common.load_jsonl(common.default_data("paraphrase_msrp"))[:n]
    a, b = [it["sentence1"] for it in items], [it["sentence2"] for it in items]
    j = PairJudge(encoder=TokenEncoder(threads=2))
    j.warm_up()
    t = time.perf_counter()
    ea, eb = j.encode(a), j.encode(b)
    t_enc = time.perf_counter() - t
    t = time.perf_counter()
    j.judge_encoded(ea, eb)
    t_pair = time.perf_counter() - t
    return {"sentences_encoded_per_s": 2 * n / t_enc, "pairs_scored_per_s_encoded": n / t_pair,
            "pairs_per_s_cold": n / (t_enc + t_pair)}


STANCE_MAX_SENTENCES = 60  # body sentences read for stance (a headline's claim is in a news body's opening)
QUICK = {"msrp": 1500, "frank": 100, "fnc": 600}  # --quick sample sizes (bench.all's default mode)


def _limit(args: argparse.Namespace, section: str) -> int | None:
    return args.limit if args.limit else (QUICK[section] if args.quick else None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.judge_eval", description=__doc__.splitlines()[0])
    ap.add_argument("sections", nargs="*", default=["msrp", "frank", "fnc"])
    ap.add_argument("--limit", type=int, default=None, help="deterministic sample of N items per set")
    ap.add_argument("--quick", action="store_true", help="sample each set (bench.all's default mode)")
    ap.add_argument("--data", default=None, help="the dev file of the (one) section run")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", metavar="OUT")
    ap.add_argument("--no-cache", dest="cache", action="store_false")
    ap.add_argument("--speed", action="store_true", help="also measure judge pairs/s")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    src = str(common.REPO_ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    results: list[dict[str, Any]] = []
    runners = {"msrp": run_msrp, "frank": run_frank, "fnc": run_fnc}
    for s in args.sections:
        results += runners[s](args)
    extra: dict[str, Any] = {}
    if args.speed:
        extra["speed"] = pairs_per_second()
        print("\nspeed:", json.dumps(extra["speed"]))
    from parallax.text.judge import MODEL_DIR

    sums = MODEL_DIR / "SHA256SUMS"
    extra["model_sha256"] = sums.read_text(encoding="utf-8").split()[0] if sums.exists() else None
    if args.json:
        common.write_json(args.json, "judge_eval", ", ".join(args.sections), [common.rounded(r) for r in results],
                          config=_config_dict(), **extra)
    return 0


def _config_dict() -> dict[str, Any]:
    from dataclasses import asdict

    from parallax.config import settings

    return {"judge": asdict(_judge().config), "crosscheck": asdict(settings().crosscheck)}


if __name__ == "__main__":
    sys.exit(main())
