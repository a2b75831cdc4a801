"""Train the judge's support head: P(a candidate sentence states everything a claim states).

What a citation counted as support must do. The corroboration head (`corroborate.py`) answers a symmetric question
— do two reports state one fact? — and a lead sentence that states four things then "shares a fact" with a report
that states one of them; counted as support, that is a fact shown with more support than it has (issue 19). The
support head is directional: logistic regression over the claim-vs-candidate pair features, the three-way
probabilities both ways and the corroboration head's P(same fact) (`parallax.text.judge.SUPPORT_FEATURES`).

Data: statement pairs of FORMAT.md clusters, labelled from their fact-level gold (`bank_pairs.py`): the candidate
supports the claim when it states every gold fact the claim states; a `partial` or an unannotated candidate does
not. Clusters: the cluster bank (`../shared/clusters`, fictional, written for Parallax) and our own converted
clusters (`bench/data/bank`, dev split only; the held-out ones are never read here).

Scored leave-one-cluster-out (fit on the others, scored on the held-out cluster; pooled out-of-fold precision and
recall at each threshold, mean and spread of per-cluster AUC); the shipped threshold
(`CrosscheckConfig.cite_min`) is the lowest whose pooled out-of-fold pair precision reaches `TARGET_PRECISION`.

    python -m training.judge.support [--out src/parallax/models/judge] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from training.judge.bank_pairs import ClusterPairs, cluster_folders, cluster_pairs, precision_curve
from training.judge.corroborate import _three_way_judge, fit, predict, write_head

log = logging.getLogger(__name__)
logging.getLogger(__name__).addHandler(logging.NullHandler())

REPO_ROOT = Path(__file__).resolve().parents[2]
ROOTS = (REPO_ROOT.parent / "shared" / "clusters", REPO_ROOT / "bench" / "data" / "bank")
TARGET_PRECISION = 0.92  # pooled out-of-fold pair precision the shipped threshold must reach


def heldout_names() -> set[str]:
    """Our own clusters written before any tuning and kept out of every fit (bench/data/bank/splits.json)."""
    splits = REPO_ROOT / "bench" / "data" / "bank" / "splits.json"
    return set(json.loads(splits.read_text(encoding="utf-8"))["heldout"]) if splits.exists() else set()


def features(cp: ClusterPairs) -> np.ndarray:
    from parallax.text.judge import corroboration_features, support_features

    judge = _three_way_judge()
    corr = _shipped_corroborator()  # the shipped corroboration head's P(same fact) is a feature
    enc = judge.encode(cp.statements)
    a = [enc[i] for i, _ in cp.pairs]
    b = [enc[j] for _, j in cp.pairs]
    if not a:
        return np.zeros((0, 37), dtype=np.float32)
    p_ab = judge.judge_encoded(a, b)
    p_ba = judge.judge_encoded(b, a)
    cx = np.stack([corroboration_features(u, v, pu, pv) for u, v, pu, pv in zip(a, b, p_ab, p_ba, strict=True)])
    same = corr.predict(cx)
    return np.stack([support_features(u, v, pu, pv, s) for u, v, pu, pv, s in zip(a, b, p_ab, p_ba, same,
                                                                                  strict=True)])


def _shipped_corroborator():
    from parallax.text import judge as judge_module

    return judge_module.get_judge()._load_head(judge_module.CORROBORATE_FILE,
                                               judge_module.CORROBORATE_FEATURES)


def load(roots: tuple[Path, ...] = ROOTS) -> dict[str, tuple[np.ndarray, np.ndarray, ClusterPairs]]:
    skip = heldout_names()
    out = {}
    for folder in cluster_folders(list(roots)):
        if folder.name in skip:
            continue
        cp = cluster_pairs(folder)
        out[folder.name] = (features(cp), cp.support, cp)
        log.info("%s: %d pairs, %d positive", folder.name, len(cp.pairs), int(cp.support.sum()))
    return out


def loco(data: dict) -> dict:
    from sklearn.metrics import roc_auc_score

    names = sorted(data)
    ps, ys, aucs = [], [], {}
    for held in names:
        x = np.concatenate([data[n][0] for n in names if n != held])
        y = np.concatenate([data[n][1] for n in names if n != held])
        p = predict(fit(x, y), data[held][0])
        ps.append(p)
        ys.append(data[held][1])
        if 0 < data[held][1].sum() < len(data[held][1]):
            aucs[held] = round(float(roc_auc_score(data[held][1], p)), 3)
    p, y = np.concatenate(ps), np.concatenate(ys)
    curve, threshold = precision_curve(p, y, TARGET_PRECISION)
    auc = np.array(list(aucs.values()))
    return {"clusters": names, "auc_per_cluster": aucs, "auc_mean": round(float(auc.mean()), 3),
            "auc_sd": round(float(auc.std()), 3), "pooled_auc": round(float(roc_auc_score(y, p)), 3),
            "curve": {str(k): v for k, v in curve.items()}, "threshold": threshold,
            "at_threshold": curve[threshold], "pairs": len(y), "positives": int(y.sum())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.judge.support", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(REPO_ROOT / "src" / "parallax" / "models" / "judge"))
    parser.add_argument("--json", help="write the leave-one-cluster-out scores here")
    parser.add_argument("--no-write", action="store_true", help="score only; do not write the head")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = load()
    if not data:
        print("no clusters found under " + ", ".join(map(str, ROOTS)), file=sys.stderr)
        return 0
    scores = loco(data)
    print(json.dumps({k: v for k, v in scores.items() if k != "curve"}, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(scores, indent=1), encoding="utf-8")
    if not args.no_write:
        x = np.concatenate([d[0] for d in data.values()])
        y = np.concatenate([d[1] for d in data.values()])
        meta = {"data": scores["clusters"], "pairs": scores["pairs"], "positives": scores["positives"],
                "loco": {k: scores[k] for k in ("auc_mean", "auc_sd", "pooled_auc", "threshold", "at_threshold")},
                "recipe": "training/judge/support.py"}
        path = write_head(fit(x, y), meta, Path(args.out), name="support.json", features="support")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
