"""Metrics, implemented independently from the definitions in ../shared/eval/*/README.md."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

WORD = re.compile(r"\w+")


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


# --- article extraction (Zyte / Scrapinghub benchmark) -------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word n-gram shingles over ``\\w+`` tokens; a text shorter than n is one shingle."""
    tokens = WORD.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_page(truth: str, pred: str) -> tuple[float, float, float]:
    """Per-page (tp, fp, fn) from multiset shingle overlap, normalised to sum to 1 (empty/empty = 1,0,0)."""
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if total == 0:
        return 1.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def shingle_prf(truths: Sequence[str], preds: Sequence[str]) -> dict[str, float]:
    """Macro-averaged shingle precision/recall over pages, F1 of the averages, exact-match accuracy."""
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    for truth, pred in zip(truths, preds, strict=True):
        tp, fp, fn = shingle_page(truth, pred or "")
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
        exact += WORD.findall(truth or "") == WORD.findall(pred or "")
    p, r = _mean(precisions), _mean(recalls)
    return {"precision": p, "recall": r, "f1": _f1(p, r), "accuracy": exact / len(truths) if truths else 0.0}


# --- main-text extraction (trafilatura evaluation corpus) ----------------------------------------

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def segment_prf(outputs: Sequence[str], with_: Sequence[Sequence[str]], without: Sequence[Sequence[str]]) -> dict[str, float]:
    """A must-have segment found = TP, missing = FN; a must-not-have found = FP, absent = TN.

    Matching is substring search after collapsing whitespace on both sides.
    """
    tp = fn = fp = tn = 0
    for out, keep, drop in zip(outputs, with_, without, strict=True):
        text = _norm(out)
        for seg in keep:
            if _norm(seg) in text:
                tp += 1
            else:
                fn += 1
        for seg in drop:
            if _norm(seg) in text:
                fp += 1
            else:
                tn += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    total = tp + fn + fp + tn
    return {"precision": p, "recall": r, "f1": _f1(p, r), "accuracy": (tp + tn) / total if total else 0.0}


# --- clustering ------------------------------------------------------------------------------------


def bcubed(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, float]:
    """B³ precision/recall/F1: per item, overlap of its predicted and gold clusters, averaged over items."""
    n = len(gold)
    if n == 0:
        return {"bcubed_precision": 0.0, "bcubed_recall": 0.0, "bcubed_f1": 0.0}
    pair = Counter(zip(gold, pred, strict=True))
    gsize = Counter(gold)
    psize = Counter(pred)
    p = sum(pair[(g, c)] / psize[c] for g, c in zip(gold, pred, strict=True)) / n
    r = sum(pair[(g, c)] / gsize[g] for g, c in zip(gold, pred, strict=True)) / n
    return {"bcubed_precision": p, "bcubed_recall": r, "bcubed_f1": _f1(p, r)}


def ari(gold: Sequence[Any], pred: Sequence[Any]) -> float:
    """Adjusted Rand index (Hubert & Arabie) from the contingency table."""
    n = len(gold)
    if n < 2:
        return 1.0

    def comb2(x: int) -> float:
        return x * (x - 1) / 2

    index = sum(comb2(v) for v in Counter(zip(gold, pred, strict=True)).values())
    a = sum(comb2(v) for v in Counter(gold).values())
    b = sum(comb2(v) for v in Counter(pred).values())
    expected = a * b / comb2(n)
    maximum = (a + b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


# --- classification --------------------------------------------------------------------------------


def binary_prf(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, float]:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if bool(g) == bool(p))
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": pr, "recall": rc, "f1": _f1(pr, rc), "accuracy": correct / len(gold) if gold else 0.0}


def per_class_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    out = {}
    for label in labels:
        out[label] = binary_prf([g == label for g in gold], [p == label for p in pred])["f1"]
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    return _mean(list(per_class_f1(gold, pred, labels).values()))


def balanced_accuracy(gold: Sequence[bool], pred: Sequence[bool]) -> float:
    """Mean of the recall of the positive and of the negative class."""
    pos = [p for g, p in zip(gold, pred, strict=True) if g]
    neg = [p for g, p in zip(gold, pred, strict=True) if not g]
    tpr = sum(pos) / len(pos) if pos else 0.0
    tnr = sum(1 for p in neg if not p) / len(neg) if neg else 0.0
    return (tpr + tnr) / 2


def best_threshold(scores: Sequence[float], gold: Sequence[bool], key: str = "f1") -> float:
    """The score threshold (predict positive when score >= t) maximising ``key`` of :func:`binary_prf`."""
    candidates = sorted(set(round(float(s), 4) for s in scores))
    if len(candidates) > 400:
        step = len(candidates) / 400
        candidates = [candidates[int(i * step)] for i in range(400)]
    best_t, best_v = 0.5, -1.0
    for t in candidates:
        v = binary_prf(gold, [s >= t for s in scores])[key]
        if v > best_v:
            best_t, best_v = t, v
    return best_t


# --- FNC-1 -----------------------------------------------------------------------------------------

FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> float:
    """FNC-1 weighted score as a fraction of the maximum.

    +0.25 for getting related-vs-unrelated right; +0.75 more for the exact class of a related pair.
    """
    got = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        g_rel, p_rel = g != "unrelated", p != "unrelated"
        best += 1.0 if g_rel else 0.25
        if g_rel == p_rel:
            got += 0.25
        if g_rel and g == p:
            got += 0.75
    return got / best if best else 0.0


# --- summaries -------------------------------------------------------------------------------------

_SCORER: Any = None


def rouge(references: Sequence[str], candidates: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1/2/Lsum F-measure (rouge-score, Porter stemming).

    Lsum is summary-level LCS over sentences separated by newlines: split both sides into sentences first.
    """
    global _SCORER
    if _SCORER is None:
        from rouge_score import rouge_scorer

        _SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougelsum": 0.0}
    for ref, cand in zip(references, candidates, strict=True):
        scores = _SCORER.score(ref, cand)
        totals["rouge1"] += scores["rouge1"].fmeasure
        totals["rouge2"] += scores["rouge2"].fmeasure
        totals["rougelsum"] += scores["rougeLsum"].fmeasure
    n = len(references) or 1
    return {k: v / n for k, v in totals.items()}


def traceable(sentence: str, sources: Sequence[str]) -> bool:
    """Every ``\\w+`` token of the sentence (case-insensitive) occurs in at least one single cited source."""
    words = {w.lower() for w in WORD.findall(sentence)}
    if not words:
        return True
    return any(words <= {w.lower() for w in WORD.findall(src)} for src in sources)
