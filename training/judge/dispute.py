"""Train the judge's dispute head: P(a candidate dispute is one slot of one happening reported with two values).

A candidate dispute is a pair of statements from two independent origins with a typed slot (a figure with what it
counts, a share, a time of day, a weekday or date, a named person in a role) that differs, neither origin giving both
values, no explicit update and no earlier year (`parallax.stages.crosscheck.dispute_tests`, the product's own
candidates). Before this head the product asked only that the judge's corroboration head take the pair for one fact
once the slot was made equal (P >= 0.9): two reports in different words rarely pass that, and on the cluster bank 7
of 37 planted disputes surfaced (issue 19). The head is logistic regression over `DISPUTE_FEATURES`.

Data: the candidate disputes of FORMAT.md clusters (`../shared/clusters` and the dev split of `bench/data/bank`),
each gold story cross-checked with its gold origin groups; a candidate is positive when its two statements state two
different sides of one gold dispute. Everything else the product proposes is negative, the gold `not_disputes`
(updates, different things, earlier events, ranges, rounding, corrections) among them.

Scored leave-one-cluster-out; the shipped threshold (`CrosscheckConfig.dispute_min`) is the lowest whose pooled
out-of-fold precision reaches `TARGET_PRECISION`.

    python -m training.judge.dispute [--out src/parallax/models/judge] [--json OUT] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from training.judge.bank_pairs import _overlaps, cluster_folders, gold_stories, precision_curve
from training.judge.corroborate import fit, predict, write_head
from training.judge.support import ROOTS, heldout_names

log = logging.getLogger(__name__)
logging.getLogger(__name__).addHandler(logging.NullHandler())

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET_PRECISION = 0.8


def cluster_tests(folder: Path) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Features, labels and a readable record of every candidate dispute in one cluster's gold stories."""
    from parallax.stages.crosscheck import _judge_pairs, candidate_pairs, dispute_tests
    from parallax.text.embed import embed

    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    xs, ys, recs = [], [], []
    for story, by_id, st in gold_stories(folder, gold):
        if len(st) < 2:
            continue
        vectors = embed([s.text for s in st])
        corr, con, _ = _judge_pairs(st, candidate_pairs(st, vectors))
        tests, x = dispute_tests(st, corr, con, vectors)
        sides: dict[int, set[tuple[str, int]]] = {}
        for d in gold.get("disputes", []):
            if d.get("story") != story["id"]:
                continue
            for n, side in enumerate(d["sides"]):
                for m in side["mentions"]:
                    for k, s in enumerate(st):
                        if m["page"] == s.article and _overlaps(by_id[s.article].text, m["text"], s.start, s.end):
                            sides.setdefault(k, set()).add((d["id"], n))
        same_text: dict[tuple[str, str], set[tuple[str, int]]] = {}
        for k, v in sides.items():  # a copy's identical sentence states the same side (writers list one copy)
            same_text.setdefault((st[k].group, st[k].text), set()).update(v)
        for k, s in enumerate(st):
            if (s.group, s.text) in same_text:
                sides.setdefault(k, set()).update(same_text[(s.group, s.text)])
        for (i, j, sx, sy, _), row in zip(tests, x, strict=True):
            yes = any(di == dj and ni != nj for di, ni in sides.get(i, ()) for dj, nj in sides.get(j, ()))
            xs.append(row)
            ys.append(yes)
            recs.append({"a": st[i].text, "b": st[j].text, "kind": sx.kind, "values": [sx.surface, sy.surface],
                         "gold": yes})
    if not xs:
        from parallax.text.judge import DISPUTE_FEATURES

        return np.zeros((0, len(DISPUTE_FEATURES)), dtype=np.float32), np.zeros(0, dtype=bool), []
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=bool), recs


def load() -> dict[str, tuple[np.ndarray, np.ndarray, list[dict]]]:
    skip = heldout_names()
    return {f.name: cluster_tests(f) for f in cluster_folders(list(ROOTS)) if f.name not in skip}


def loco(data: dict) -> dict:
    names = sorted(data)
    ps, ys = [], []
    for held in names:
        x = np.concatenate([data[n][0] for n in names if n != held])
        y = np.concatenate([data[n][1] for n in names if n != held])
        ps.append(predict(fit(x, y), data[held][0]) if len(data[held][0]) else np.zeros(0))
        ys.append(data[held][1])
    p, y = np.concatenate(ps), np.concatenate(ys)
    curve, threshold = precision_curve(p, y, TARGET_PRECISION)
    return {"clusters": names, "tests": len(y), "positives": int(y.sum()), "threshold": threshold,
            "at_threshold": curve[threshold], "curve": {str(k): v for k, v in curve.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.judge.dispute", description=__doc__.split("\n")[0])
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
        Path(args.json).write_text(json.dumps({**scores, "records": {k: v[2] for k, v in data.items()}}, indent=1),
                                   encoding="utf-8")
    if not args.no_write:
        x = np.concatenate([d[0] for d in data.values()])
        y = np.concatenate([d[1] for d in data.values()])
        meta = {"data": scores["clusters"], "tests": scores["tests"], "positives": scores["positives"],
                "loco": {k: scores[k] for k in ("threshold", "at_threshold")}, "recipe": "training/judge/dispute.py"}
        print(f"wrote {write_head(fit(x, y), meta, Path(args.out), name='dispute.json', features='dispute')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
