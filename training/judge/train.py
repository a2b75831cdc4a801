"""Train the pair judge's classifier on `out/judge/pairs.jsonl` and write the shipped model.

Features: `parallax.judge.pair_features` (exactly the runtime's, candidate windows joined with
`parallax.judge.join`). Classifier: scikit-learn's MLPClassifier (ReLU, adam, early stopping), exported to
`src/parallax/models/judge/judge.npz` (numpy inference at run time) with its sha256 in `SHA256SUMS`.
Validation: the ECB+ topics held out by build_pairs (news pairs of topics the model never saw) and the
SNLI test part of ../shared/train (2,000 pairs); both printed and stored in the npz's meta.

    python -m training.judge.train [--hidden 64,32] [--seed 0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from collections import Counter, defaultdict

import numpy as np

from parallax.judge import FEATURES, LABELS, MODEL_DIR, MODEL_FILE, TokenEncoder, join, pair_features
from training.judge.common import REPO_ROOT, TRAIN_DIR, encode_cached, load_cache, load_jsonl, CACHE_DIR

log = logging.getLogger("training.judge.train")
PAIRS = REPO_ROOT / "out" / "judge" / "pairs.jsonl"
# Share of the training weight per kind of data (news pairs are the point; NLI data keeps the judge general).
WEIGHT_SHARE = {"ecb": 0.65, "snli": 0.2, "wice": 0.05, "vitaminc": 0.05, "mnli": 0.05}


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


def export(clf, scaler, path, meta: dict) -> str:
    order = [list(clf.classes_).index(lab) for lab in LABELS]
    weights = [w.astype(np.float32) for w in clf.coefs_]
    biases = [b.astype(np.float32) for b in clf.intercepts_]
    weights[-1] = weights[-1][:, order]
    biases[-1] = biases[-1][order]
    arrays = {"features": np.array(FEATURES), "labels": np.array(LABELS),
              "mean": scaler.mean_.astype(np.float32), "scale": scaler.scale_.astype(np.float32),
              "n_layers": np.array(len(weights)), "meta": np.array(json.dumps(meta, sort_keys=True))}
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        arrays[f"W{k}"], arrays[f"b{k}"] = w, b
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
    ap.add_argument("--hidden", default="64,32")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=1e-3)
    ap.add_argument("--out", default=str(MODEL_DIR / MODEL_FILE))
    ap.add_argument("--compare-gbt", action="store_true", help="also fit gradient boosting (reported, not shipped)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from pathlib import Path

    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

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

    hidden = tuple(int(h) for h in args.hidden.split(","))

    def fit(idx: np.ndarray):
        scaler = StandardScaler().fit(x[idx])
        scaler.scale_ = np.where(scaler.scale_ < 1e-6, 1.0, scaler.scale_)
        # MLPClassifier has no sample weights: resample by weight instead (deterministic).
        w = sample_weights([pairs[i] for i in np.flatnonzero(idx)])
        rng = np.random.default_rng(args.seed)
        pick = rng.choice(np.flatnonzero(idx), size=int(idx.sum()), p=w / w.sum())
        clf = MLPClassifier(hidden_layer_sizes=hidden, alpha=args.alpha, max_iter=300, early_stopping=True,
                            n_iter_no_change=15, random_state=args.seed)
        clf.fit(scaler.transform(x[pick]), y[pick])
        return scaler, clf

    def proba(scaler, clf, feats):
        order = [list(clf.classes_).index(lab) for lab in LABELS]
        return clf.predict_proba(scaler.transform(feats))[:, order]

    scaler, clf = fit(tr)
    val_pairs = [p for p, t in zip(pairs, tr, strict=True) if not t]
    p_val = proba(scaler, clf, x[~tr])
    p_snli = proba(scaler, clf, x_snli)
    report = {"val_by_source": accuracy_by(val_pairs, p_val, "source"),
              "val_accuracy": round(float(np.mean([LABELS[i] == p["label"] for i, p in zip(p_val.argmax(1), val_pairs,
                                                                                            strict=True)])), 4),
              "snli_test_accuracy": accuracy_by(snli_test, p_snli, "source")["snli-test"]}
    log.info("held-out news topics + open sets: %s", json.dumps(report, indent=1))
    if args.compare_gbt:
        from sklearn.ensemble import HistGradientBoostingClassifier

        g = HistGradientBoostingClassifier(max_iter=300, random_state=args.seed)
        g.fit(x[tr], y[tr], sample_weight=sample_weights([pairs[i] for i in np.flatnonzero(tr)]))
        order = [list(g.classes_).index(lab) for lab in LABELS]
        pg = g.predict_proba(x[~tr])[:, order]
        log.info("GBT: val %s snli %s", accuracy_by(val_pairs, pg, "source"),
                 accuracy_by(snli_test, g.predict_proba(x_snli)[:, order], "source"))
    # The shipped model: trained on all pairs (held-out topics included), same settings.
    scaler, clf = fit(np.ones(len(pairs), dtype=bool))
    counts = Counter(f"{p['source']}:{p['label']}" for p in pairs)
    meta = {"hidden": list(hidden), "alpha": args.alpha, "seed": args.seed, "pairs": len(pairs),
            "counts": dict(sorted(counts.items())), "validation": report, "weight_share": WEIGHT_SHARE,
            "sklearn_iterations": int(clf.n_iter_)}
    digest = export(clf, scaler, Path(args.out), meta)
    log.info("wrote %s (sha256 %s) in %.0fs total", args.out, digest, time.time() - t0)
    (REPO_ROOT / "out" / "judge" / "train_report.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
