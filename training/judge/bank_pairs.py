"""Statement pairs from FORMAT.md clusters (the cluster bank and our own), labelled from their fact-level gold.

A cluster (``pages/`` + ``gold.json``, see ``../shared/clusters/FORMAT.md``) is read, cleaned and split exactly as
the product does (`parallax.pipeline.prepare`); each content statement is labelled with the gold facts it states
(a fact's mention overlaps it) and the facts it only states in part (a ``partial`` entry overlaps it). The pairs
are the ones the product's proposer hands the judge (`candidate_pairs`, within one gold story), taken both ways:
``(claim, candidate)``.

Labels of a pair whose claim states at least one gold fact:

* ``support``: the candidate states every gold fact the claim states (what a citation counted as support must
  do: a sentence that shares one of a lead's four claims does not support the lead);
* ``same``: the two statements state one gold fact between them (the symmetric "one fact" of fact grouping).

A candidate that states none of them (not a mention, or only a ``partial``) is a negative: a fact's mentions aim
to list every sentence that states it (FORMAT.md). Pairs whose claim states no gold fact are not labelled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class ClusterPairs:
    name: str
    statements: list[str]
    pairs: list[tuple[int, int]]  # (claim, candidate), both ways
    support: np.ndarray  # bool per pair
    same: np.ndarray  # bool per pair
    partial: np.ndarray  # bool per pair: the candidate is a gold `partial` of a fact the claim states
    facts: list[set[str]] = field(default_factory=list)  # per statement
    groups: list[str] = field(default_factory=list)  # gold origin of each statement's page


def gold_origins(gold: dict) -> dict[str, str]:
    """Page -> its gold origin root (pages with derives_from null are roots; an aggregator's first parent)."""
    pages = gold["pages"]

    def root(p: str, seen: frozenset = frozenset()) -> str:
        d = pages.get(p, {}).get("derives_from")
        if isinstance(d, list):
            d = d[0] if d else None
        if not d or d in seen or d not in pages:
            return p
        return root(d, seen | {p})

    return {p: root(p) for p in pages}


def _overlaps(text: str, sub: str, s: int, e: int) -> bool:
    from bench.crosscheck import find_spans

    return any(s < e0 and s0 < e and (min(e, e0) - max(s, s0)) >= 0.5 * min(e0 - s0, e - s)
               for s0, e0 in find_spans(text, sub))


def gold_stories(folder: Path, gold: dict) -> Iterator[tuple[dict, dict, list]]:
    """For each gold story of two or more pages of a cluster: the story, the cluster's articles by id (read and prepared by the
    product's path, origin groups from the gold) and their statements (`collect_statements`)."""
    from parallax.pipeline import prepare
    from parallax.stages.crosscheck import collect_statements
    from parallax.stages.read import read_paths

    read, _ = read_paths([str(folder / "pages")])
    articles, _ = prepare(read)
    by_id = {a.id: a for a in articles}
    origin = gold_origins(gold)
    for story in gold["stories"]:
        members = sorted((by_id[p] for p in story["pages"] if p in by_id), key=lambda a: a.id)
        if len(members) < 2:
            continue
        for a in members:
            a.group = origin.get(a.id, a.id)
        yield story, by_id, collect_statements(members)


def precision_curve(p: np.ndarray, y: np.ndarray, target: float) -> tuple[dict[float, tuple[float, float]], float]:
    """Pooled (precision, recall) at thresholds 0.30 … 0.98 and the lowest threshold whose precision reaches
    `target` (0.98 when none does)."""
    curve = {}
    for t in np.arange(0.30, 0.99, 0.02):
        pred = p >= t
        tp = int((pred & y).sum())
        curve[round(float(t), 2)] = (round(tp / max(1, int(pred.sum())), 3), round(tp / max(1, int(y.sum())), 3))
    return curve, next((t for t, (prec, _) in curve.items() if prec >= target), 0.98)


def cluster_pairs(folder: Path) -> ClusterPairs:
    from parallax.stages.crosscheck import candidate_pairs
    from parallax.text.embed import embed

    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    story_of = {p: s["id"] for s in gold["stories"] for p in s["pages"]}
    texts: list[str] = []
    facts: list[set[str]] = []
    partial: list[set[str]] = []
    groups: list[str] = []
    pairs: list[tuple[int, int]] = []
    for story, by_id, st in gold_stories(folder, gold):
        base = len(texts)
        for s in st:
            a = by_id[s.article]
            fs = {f["id"] for f in gold["facts"] for m in f["mentions"]
                  if m["page"] == s.article and _overlaps(a.text, m["text"], s.start, s.end)}
            ps = {p["fact"] for p in gold.get("partial", [])
                  if p["page"] == s.article and _overlaps(a.text, p["text"], s.start, s.end)}
            texts.append(s.text)
            facts.append(fs)
            partial.append(ps - fs)
            groups.append(by_id[s.article].group)
        # A copy's sentence identical to a mention states the same facts (writers may list only one copy).
        same_text: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
        for k in range(base, len(texts)):
            f, pa = same_text.setdefault((groups[k], texts[k]), (set(), set()))
            f.update(facts[k])
            pa.update(partial[k])
        for k in range(base, len(texts)):
            f, pa = same_text[(groups[k], texts[k])]
            facts[k] = set(f)
            partial[k] = set(pa) - facts[k]
        vecs = embed([s.text for s in st])
        for i, j in candidate_pairs(st, vecs):
            if story_of.get(st[i].article) != story["id"]:
                continue
            pairs += [(base + i, base + j), (base + j, base + i)]
    keep = [(i, j) for i, j in pairs if facts[i]]
    sup = np.array([facts[i] <= facts[j] for i, j in keep], dtype=bool)
    same = np.array([bool(facts[i] & facts[j]) for i, j in keep], dtype=bool)
    part = np.array([bool(facts[i] & partial[j]) for i, j in keep], dtype=bool)
    return ClusterPairs(folder.name, texts, keep, sup, same, part, facts, groups)


def cluster_folders(roots: list[Path]) -> list[Path]:
    return sorted(p for r in roots if r.is_dir() for p in r.iterdir() if (p / "gold.json").exists()
                  and (p / "pages").is_dir())
