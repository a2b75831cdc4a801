"""Sentence alignment by meaning: the shared primitive of provenance (rewrites) and cross-check (facts)."""

from __future__ import annotations

import numpy as np

__all__ = ["matches", "order_preserving_run"]


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
