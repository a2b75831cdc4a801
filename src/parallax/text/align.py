"""Sentence alignment by meaning: the shared primitive of provenance (rewrites) and cross-check (facts)."""

from __future__ import annotations

import numpy as np

from parallax.text.embed import embed

# Cosine of all-MiniLM-L6-v2 embeddings above which two news sentences are taken to say the same thing.
# Chosen on the MSRP dev split (bench.rewrite) and checked on the seeds' wire rewrites.
PARAPHRASE_THRESHOLD = 0.72

__all__ = ["PARAPHRASE_THRESHOLD", "embed", "is_paraphrase", "order_preserving_run", "similarity"]


def similarity(a: list[str], b: list[str]) -> np.ndarray:
    """Cosine similarity of a[i] and b[i], for each i."""
    if len(a) != len(b):
        raise ValueError("similarity() takes two lists of the same length")
    if not a:
        return np.zeros(0, dtype=np.float32)
    ea, eb = embed(a), embed(b)
    return np.einsum("ij,ij->i", ea, eb)


def is_paraphrase(a: str, b: str, threshold: float = PARAPHRASE_THRESHOLD) -> bool:
    return bool(similarity([a], [b])[0] >= threshold)


def matches(sim: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """Pairs (i, j) above the threshold where each is the other's best match (mutual best)."""
    if sim.size == 0:
        return []
    best_j = sim.argmax(axis=1)
    best_i = sim.argmax(axis=0)
    out = []
    for i, j in enumerate(best_j):
        if sim[i, j] >= threshold and best_i[j] == i:
            out.append((i, int(j), float(sim[i, j])))
    return out


def order_preserving_run(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The longest chain of matched pairs whose order is the same in both texts (LIS on j, sorted by i)."""
    pairs = sorted(pairs)
    if not pairs:
        return []
    n = len(pairs)
    best = [1] * n
    prev = [-1] * n
    for k in range(n):
        for m in range(k):
            if pairs[m][0] < pairs[k][0] and pairs[m][1] < pairs[k][1] and best[m] + 1 > best[k]:
                best[k], prev[k] = best[m] + 1, m
    k = max(range(n), key=best.__getitem__)
    chain = []
    while k != -1:
        chain.append(pairs[k])
        k = prev[k]
    return chain[::-1]
