"""Train the judge's corroboration head on the development clusters of bench.crosscheck (our own fictional pages).

Corroboration is not entailment: two independent reports of one fact each add details of their own, so
neither supports the other in the judge's strict sense (on the dev clusters the judge's best-direction
P(supports) ranks same-fact pairs below plain bi-encoder cosine: AUC 0.86 vs 0.94). The head is a logistic
regression over the judge's probabilities both ways and its pair features both ways
(`parallax.text.judge.corroboration_features`), trained on the statement pairs the product's proposer
(`parallax.stages.crosscheck.candidate_pairs`) hands the judge, labelled from the gold: two statements
corroborate when they state one gold fact (or give the same value of one gold dispute).

Only the DEV clusters are used (`DEV_CLUSTERS`); the held-out three are never read here. The head is scored
leave-one-cluster-out (fit on seven clusters, scored on the eighth), the decision threshold is chosen inside
each fold, and the card records both.

    python -m training.judge.corroborate [--out src/parallax/models/judge]
    python -m training.judge.corroborate --loco-bench [--json OUT]   # bench.crosscheck, leave-one-cluster-out

`--loco-bench` scores the product end to end without letting the head see the cluster it is scored on: for
each dev cluster, a head trained on the other seven is installed (a copy of the model folder with that head)
and `bench.crosscheck` runs on the cluster; the counts are summed as bench.crosscheck sums them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
logging.getLogger(__name__).addHandler(logging.NullHandler())

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "bench" / "data" / "crosscheck"
DEV_CLUSTERS = ("calvergate-dock-strike", "dunraith-bridge-closure", "eastmarch-hospital-outage",
                "hollinbrook-boil-water", "maelford-tram-fares", "orrin-embankment", "sarn-valley-wildfire",
                "vennel-canal-blockage")
C = 0.3  # inverse L2 strength; fixed, not tuned
TARGET_PRECISION = 0.9  # the threshold is the lowest whose pair precision reaches this on the training folds


def cluster_pairs(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of one cluster's candidate pairs, read and traced as the product does."""
    from bench.crosscheck import find_spans, load_gold

    from parallax.pipeline import prepare
    from parallax.stages.crosscheck import candidate_pairs, collect_statements
    from parallax.stages.provenance import trace
    from parallax.stages.read import read_paths
    from parallax.text.embed import embed
    from parallax.text.judge import corroboration_features

    folder = DATA / name
    gold = load_gold(folder)
    read, _ = read_paths([str(folder)])
    articles, _ = prepare(read)
    trace(articles, {a.id: embed(a.sentence_texts()) for a in articles})
    articles.sort(key=lambda a: a.id)
    st = collect_statements(articles)
    vectors = embed([s.text for s in st])
    by_id = {a.id: a for a in articles}
    labels: dict[int, set[str]] = {}

    def mark(page: str, sub: str, label: str) -> None:
        a = by_id.get(page)
        if a is None:
            return
        for s0, e0 in find_spans(a.text, sub):
            for k, s in enumerate(st):
                if s.article == page and s.start < e0 and s0 < s.end:
                    labels.setdefault(k, set()).add(label)

    for f in gold["facts"]:
        for page, subs in f["statements"].items():
            for sub in subs:
                mark(page, sub, f"fact:{f['id']}")
    for d in gold["disputes"]:
        for side in d["sides"]:
            for page, subs in side["statements"].items():
                for sub in subs:
                    mark(page, sub, f"dispute:{d['id']}:{side['value']}")
    pairs = [(i, j) for i, j in candidate_pairs(st, vectors) if i in labels and j in labels]
    judge = _three_way_judge()
    enc = judge.encode([s.text for s in st])
    a = [enc[i] for i, _ in pairs]
    b = [enc[j] for _, j in pairs]
    p_ab = judge.judge_encoded(a, b)
    p_ba = judge.judge_encoded(b, a)
    x = np.stack([corroboration_features(u, v, pu, pv) for u, v, pu, pv in zip(a, b, p_ab, p_ba, strict=True)])
    y = np.array([bool(labels[i] & labels[j]) for i, j in pairs])
    return x, y


_JUDGE: list = []


def _three_way_judge():
    """The shipped three-way judge without any corroboration head (the head is what is being trained)."""
    import shutil
    import tempfile

    from parallax.text import judge as judge_module

    if not _JUDGE:
        folder = Path(tempfile.mkdtemp(prefix="judge-"))
        shutil.copy(judge_module.MODEL_DIR / judge_module.MODEL_FILE, folder / judge_module.MODEL_FILE)
        want = judge_module.file_sha256(folder / judge_module.MODEL_FILE)
        (folder / "SHA256SUMS").write_text(f"{want}  {judge_module.MODEL_FILE}\n", encoding="utf-8")
        _JUDGE.append(judge_module.PairJudge(model_dir=folder))
    return _JUDGE[0]


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced").fit((x - scaler.mean_) / scale, y)
    return scaler.mean_, scale, clf.coef_[0], float(clf.intercept_[0])


def predict(model, x: np.ndarray) -> np.ndarray:
    mean, scale, coef, b = model
    return 1.0 / (1.0 + np.exp(-(((x - mean) / scale) @ coef + b)))


def pick_threshold(p: np.ndarray, y: np.ndarray) -> float:
    for t in np.arange(0.05, 1.0, 0.01):
        pred = p >= t
        if pred.sum() and (pred & y).sum() / pred.sum() >= TARGET_PRECISION:
            return round(float(t), 2)
    return 0.99


def prf(p: np.ndarray, y: np.ndarray, t: float) -> dict[str, float]:
    pred = p >= t
    tp = int((pred & y).sum())
    return {"precision": round(tp / max(1, int(pred.sum())), 3), "recall": round(tp / max(1, int(y.sum())), 3)}


def write_head(model, meta: dict, out: Path, name: str = "corroborate.json", features: str = "corroborate") -> Path:
    """A logistic head as JSON (`name` in `out`) with its sha256 in SHA256SUMS; `features` names its feature list
    ("corroborate": CORROBORATE_FEATURES, "support": SUPPORT_FEATURES)."""
    from parallax.text.judge import CORROBORATE_FEATURES, DISPUTE_FEATURES, SUPPORT_FEATURES

    names = {"corroborate": CORROBORATE_FEATURES, "support": SUPPORT_FEATURES, "dispute": DISPUTE_FEATURES}[features]
    mean, scale, coef, b = model
    path = out / name
    path.write_text(json.dumps({"features": list(names), "mean": [round(float(v), 6) for v in mean],
                                "scale": [round(float(v), 6) for v in scale],
                                "coef": [round(float(v), 6) for v in coef], "intercept": round(b, 6),
                                "meta": meta}, indent=1) + "\n", encoding="utf-8")
    sums = out / "SHA256SUMS"
    old = sums.read_text(encoding="utf-8").splitlines() if sums.exists() else []
    lines = [ln for ln in old if not ln.endswith(f" {name}")]
    lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}")
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def loco_bench(json_out: str | None, support_min: list[float] | None = None) -> int:
    """bench.crosscheck on each dev cluster with a head that never saw it (see the module doc); with
    `support_min`, once per value (the threshold's effect, still out of sample for the head)."""
    from parallax.config import settings, use

    rows: list[dict] = []
    for t in support_min or [settings().crosscheck.support_min]:
        with use(settings().replace(crosscheck={"support_min": t})):
            rows += _loco_rows(f"support_min={t}")
    cols = ("cluster", "corr_p", "corr_r", "false_corr", "disp_p", "disp_r", "nondisp_hit")
    for r in rows:
        print("  ".join(f"{r.get(c)}" if not isinstance(r.get(c), float) else f"{r[c]:.3f}" for c in cols))
    if json_out:
        Path(json_out).write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    return 0


_DATA_CACHE: dict = {}


def _loco_rows(label: str) -> list[dict]:
    import shutil
    import tempfile

    from bench.crosscheck import Score, run_cluster

    from parallax.text import judge as judge_module

    if not _DATA_CACHE:
        _DATA_CACHE.update({name: cluster_pairs(name) for name in DEV_CLUSTERS})
    data = _DATA_CACHE
    shipped = judge_module.MODEL_DIR
    total = Score()
    rows = []
    for held in DEV_CLUSTERS:
        x = np.concatenate([data[c][0] for c in DEV_CLUSTERS if c != held])
        y = np.concatenate([data[c][1] for c in DEV_CLUSTERS if c != held])
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copy(shipped / judge_module.MODEL_FILE, folder / judge_module.MODEL_FILE)
            shutil.copy(shipped / "SHA256SUMS", folder / "SHA256SUMS")
            write_head(fit(x, y), {"held_out": held}, folder)
            judge_module._default = judge_module.PairJudge(model_dir=folder)
            sc, _ = run_cluster(DATA / held, "full")
        judge_module._default = None
        total.add(sc)
        rows.append(sc.row(held))
    rows.append(total.row(f"TOTAL (micro, leave-one-cluster-out, {label})"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO_ROOT / "src" / "parallax" / "models" / "judge"))
    parser.add_argument("--loco-bench", action="store_true", help="bench.crosscheck leave-one-cluster-out")
    parser.add_argument("--json", default=None, help="with --loco-bench: write the rows here")
    parser.add_argument("--support-min", default="", help="with --loco-bench: comma-separated values to try")
    args = parser.parse_args(argv)
    if args.loco_bench:
        return loco_bench(args.json, [float(v) for v in args.support_min.split(",") if v] or None)
    from sklearn.metrics import roc_auc_score

    from parallax.text.judge import CORROBORATE_FEATURES, get_judge

    data = {name: cluster_pairs(name) for name in DEV_CLUSTERS}
    folds = []
    pooled_p, pooled_y, pooled_cos = [], [], []
    for held in DEV_CLUSTERS:
        xtr = np.concatenate([data[c][0] for c in DEV_CLUSTERS if c != held])
        ytr = np.concatenate([data[c][1] for c in DEV_CLUSTERS if c != held])
        model = fit(xtr, ytr)
        t = pick_threshold(predict(model, xtr), ytr)
        xte, yte = data[held]
        p = predict(model, xte)
        folds.append({"cluster": held, "threshold": t, **prf(p, yte, t), "pairs": len(yte), "same_fact": int(yte.sum())})
        pooled_p.append(p)
        pooled_y.append(yte)
        pooled_cos.append(xte[:, CORROBORATE_FEATURES.index("cosine_max")])
    p_all, y_all, cos_all = np.concatenate(pooled_p), np.concatenate(pooled_y), np.concatenate(pooled_cos)
    x = np.concatenate([data[c][0] for c in DEV_CLUSTERS])
    y = np.concatenate([data[c][1] for c in DEV_CLUSTERS])
    model = fit(x, y)
    thresholds = [f["threshold"] for f in folds]
    meta = {
        "trained_on": list(DEV_CLUSTERS), "pairs": len(y), "same_fact_pairs": int(y.sum()), "C": C,
        "target_precision": TARGET_PRECISION,
        "loco": {"auc": round(float(roc_auc_score(y_all, p_all)), 3),
                 "cosine_auc": round(float(roc_auc_score(y_all, cos_all)), 3),
                 "threshold_mean": round(float(np.mean(thresholds)), 3),
                 "threshold_sd": round(float(np.std(thresholds)), 3), "folds": folds},
        "threshold_all": pick_threshold(predict(model, x), y),
    }
    write_head(model, meta, Path(args.out))
    get_judge()  # the head loads with its hash checked
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
