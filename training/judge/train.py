"""Train the pair judge's classifier on `out/judge/pairs.jsonl` and write the shipped model.

Features: `parallax.text.judge.pair_features` (exactly the runtime's, candidate windows joined with
`parallax.text.judge.join`). Classifier: scikit-learn's HistGradientBoostingClassifier (sample weights balance
the kinds of data and the labels), exported as flat tree arrays to `src/parallax/models/judge/judge.npz`
(numpy inference at run time, checked here to reproduce scikit-learn's probabilities) with its sha256 in
`SHA256SUMS`. `--compare-mlp` also fits the two-layer perceptron we tried first (reported, not shipped).
Validation: the ECB+ topics held out by build_pairs (news pairs of topics the model never saw) and the
SNLI test part of ../shared/train (2,000 pairs); both printed and stored in the npz's meta.

    python -m training.judge.train [--rounds 300] [--leaves 31] [--seed 0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from collections import Counter, defaultdict

import numpy as np

from parallax.text.judge import FEATURES, LABELS, MODEL_DIR, MODEL_FILE, TokenEncoder, join, pair_features
from training.judge.common import CACHE_DIR, REPO_ROOT, TRAIN_DIR, encode_cached, load_cache, load_jsonl

log = logging.getLogger("training.judge.train")
PAIRS = REPO_ROOT / "out" / "judge" / "pairs.jsonl"
# Share of the training weight per kind of data (news pairs are the point; NLI data keeps the judge general).
WEIGHT_SHARE = {"ecb": 0.75, "snli": 0.1, "wice": 0.05, "vitaminc": 0.05, "mnli": 0.05}


def featurize(pairs: list[dict], encoder: TokenEncoder, cache: str) -> np.ndarray:
    texts = sorted({p["claim"] for p in pairs} | {s for p in pairs for s in p["candidate"]})
    enc = {e.text: e for e in encode_cached(encoder, texts, cache)}
    rows = []
    for p in pairs:
        rows.append(pair_features(enc[p["claim"]], join([enc[s] for s in p["candidate"]])))
    return np.stack(rows)


def kind_of(source: str) -> str:
    return "ecb" if source.startswith("ecb") else source


def sample_weights(pairs: list[dict]) -> np.ndarray:
    """Each kind of data gets its WEIGHT_SHARE; within a kind, the three labels weigh the same."""
    counts = Counter((kind_of(p["source"]), p["label"]) for p in pairs)
    labels_per_kind = defaultdict(int)
    for k, _ in counts:
        labels_per_kind[k] += 1
    w = np.array([WEIGHT_SHARE[kind_of(p["source"])] / labels_per_kind[kind_of(p["source"])]
                  / counts[(kind_of(p["source"]), p["label"])] for p in pairs])
    return w * len(pairs) / w.sum()


def export(g, path, meta: dict) -> str:
    """Flatten the fitted trees into arrays (see parallax.text.judge._Classifier) and write npz + SHA256SUMS."""
    order = [list(g.classes_).index(lab) for lab in LABELS]  # sklearn class index -> our label index
    to_ours = {k: LABELS.index(g.classes_[k]) for k in range(len(LABELS))}
    feature, threshold, left, right, leaf, value, roots, tree_class = [], [], [], [], [], [], [], []
    depth = 0
    for per_class in g._predictors:
        for k, pred in enumerate(per_class):
            nodes = pred.nodes
            base = len(feature)
            roots.append(base)
            tree_class.append(to_ours[k])
            feature += [int(f) for f in nodes["feature_idx"]]
            threshold += [float(t) for t in nodes["num_threshold"]]
            left += [base + int(v) for v in nodes["left"]]
            right += [base + int(v) for v in nodes["right"]]
            leaf += [bool(v) for v in nodes["is_leaf"]]
            value += [float(v) for v in nodes["value"]]
            depth = max(depth, int(nodes["depth"].max()))
    if any(bool(p.nodes["is_categorical"].any()) for per in g._predictors for p in per):
        raise ValueError("categorical splits are not supported by the numpy evaluator")
    baseline = np.asarray(g._baseline_prediction, dtype=np.float64).reshape(-1)[order]
    arrays = {"features": np.array(FEATURES), "labels": np.array(LABELS),
              "feature": np.array(feature, dtype=np.int16), "threshold": np.array(threshold, dtype=np.float64),
              "left": np.array(left, dtype=np.int32), "right": np.array(right, dtype=np.int32),
              "leaf": np.array(leaf, dtype=bool), "value": np.array(value, dtype=np.float64),
              "roots": np.array(roots, dtype=np.int32), "tree_class": np.array(tree_class, dtype=np.int8),
              "baseline": baseline, "max_depth": np.array(depth),
              "meta": np.array(json.dumps(meta, sort_keys=True))}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (path.parent / "SHA256SUMS").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def accuracy_by(pairs: list[dict], prob: np.ndarray, key: str) -> dict[str, float]:
    pred = [LABELS[i] for i in prob.argmax(axis=1)]
    groups: dict[str, list[bool]] = defaultdict(list)
    for p, y in zip(pairs, pred, strict=True):
        groups[p[key]].append(p["label"] == y)
    return {k: round(float(np.mean(v)), 4) for k, v in sorted(groups.items())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=300, help="boosting rounds (early stopping may use fewer)")
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(MODEL_DIR / MODEL_FILE))
    ap.add_argument("--compare-mlp", action="store_true", help="also fit the perceptron (reported, not shipped)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from pathlib import Path

    from sklearn.ensemble import HistGradientBoostingClassifier

    t0 = time.time()
    pairs = load_jsonl(PAIRS)
    encoder = TokenEncoder(max_items=2_000_000)
    load_cache(encoder, CACHE_DIR / "ecb.npz")
    x = featurize(pairs, encoder, "train")
    y = np.array([p["label"] for p in pairs])
    tr = np.array([p["split"] == "train" for p in pairs])
    snli_test = [{"claim": r["hypothesis"], "candidate": [r["premise"]],
                  "label": {"support": "supports", "contradict": "contradicts", "neutral": "neither"}[r["label"]],
                  "source": "snli-test", "group": "snli-test"} for r in load_jsonl(TRAIN_DIR / "snli" / "test.jsonl")[:1000]]
    x_snli = featurize(snli_test, encoder, "snli-test")
    log.info("features: %d pairs (%d train) in %.0fs", len(pairs), int(tr.sum()), time.time() - t0)

    def fit(idx: np.ndarray):
        g = HistGradientBoostingClassifier(max_iter=args.rounds, max_leaf_nodes=args.leaves, random_state=args.seed)
        g.fit(x[idx], y[idx], sample_weight=sample_weights([pairs[i] for i in np.flatnonzero(idx)]))
        return g

    def proba(g, feats):
        order = [list(g.classes_).index(lab) for lab in LABELS]
        return g.predict_proba(feats)[:, order]

    g = fit(tr)
    val_pairs = [p for p, t in zip(pairs, tr, strict=True) if not t]
    p_val = proba(g, x[~tr])
    p_snli = proba(g, x_snli)
    val_acc = float(np.mean([LABELS[i] == p["label"] for i, p in zip(p_val.argmax(1), val_pairs, strict=True)]))
    report = {"val_by_source": accuracy_by(val_pairs, p_val, "source"), "val_accuracy": round(val_acc, 4),
              "snli_test_accuracy": accuracy_by(snli_test, p_snli, "source")["snli-test"]}
    log.info("held-out news topics + SNLI test: %s", json.dumps(report, indent=1))
    if args.compare_mlp:
        from sklearn.neural_network import MLPClassifier
        from sklearn.preprocessing import StandardScaler

        sc = StandardScaler().fit(x[tr])
        w = sample_weights([pairs[i] for i in np.flatnonzero(tr)])
        pick = np.random.default_rng(args.seed).choice(np.flatnonzero(tr), size=int(tr.sum()), p=w / w.sum())
        m = MLPClassifier((64, 32), alpha=1e-3, early_stopping=True, n_iter_no_change=15, max_iter=300,
                          random_state=args.seed).fit(sc.transform(x[pick]), y[pick])
        order = [list(m.classes_).index(lab) for lab in LABELS]
        log.info("MLP: val %s snli %s", accuracy_by(val_pairs, m.predict_proba(sc.transform(x[~tr]))[:, order], "source"),
                 accuracy_by(snli_test, m.predict_proba(sc.transform(x_snli))[:, order], "source"))
    # The shipped model: trained on all pairs (held-out topics included), same settings.
    g = fit(np.ones(len(pairs), dtype=bool))
    counts = Counter(f"{p['source']}:{p['label']}" for p in pairs)
    meta = {"model": "HistGradientBoostingClassifier", "rounds": int(g.n_iter_), "leaves": args.leaves,
            "seed": args.seed, "pairs": len(pairs), "counts": dict(sorted(counts.items())), "validation": report,
            "weight_share": WEIGHT_SHARE}
    digest = export(g, Path(args.out), meta)
    # The numpy evaluator must reproduce scikit-learn's probabilities.
    from parallax.text.judge import _Classifier

    check = _Classifier(Path(args.out)).predict_proba(x[:2000])
    err = float(np.abs(check - proba(g, x[:2000])).max())
    if err > 1e-6:
        raise SystemExit(f"exported trees disagree with scikit-learn (max abs error {err})")
    meta["export_max_abs_error"] = err
    log.info("wrote %s (sha256 %s) in %.0fs total", args.out, digest, time.time() - t0)
    (REPO_ROOT / "out" / "judge" / "train_report.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
