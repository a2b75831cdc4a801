"""Our average-link cut and MinHash against the libraries they stand in for (SciPy, datasketch): the same
partitions and the same signature values, ties included."""

from __future__ import annotations

import numpy as np
import pytest

from parallax.stages.provenance import minhash
from parallax.stages.stories import TermMatrix
from parallax.text.linkage import average_link

hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
distance = pytest.importorskip("scipy.spatial.distance")


def _scipy_labels(dist: np.ndarray, t: float) -> np.ndarray:
    return hierarchy.fcluster(hierarchy.linkage(distance.squareform(dist, checks=False), method="average"),
                              t=t, criterion="distance")


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def _matrices(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    if kind == 0:  # cosines of random unit vectors
        x = rng.normal(size=(n, 5))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        sim = x @ x.T
    elif kind == 1:  # few distinct values: many ties, as scores on a coarse scale give
        sim = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=(n, n))
        sim = (sim + sim.T) / 2
    else:
        sim = np.round(rng.random((n, n)), 2)
        sim = np.maximum(sim, sim.T)
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    return dist


def test_average_link_gives_scipys_partitions_ties_included():
    rng = np.random.default_rng(3)
    for trial in range(600):
        n = int(rng.integers(2, 30))
        dist = _matrices(rng, n, trial % 3)
        t = float(rng.choice([0.25, 0.5, 0.75, rng.random()]))
        ours = average_link(dist, t)
        assert _same_partition(ours, _scipy_labels(dist, t)), (trial, n, t)
        assert ours[0] == 1 and set(ours.tolist()) == set(range(1, ours.max() + 1))  # numbered by first member


def test_average_link_edges():
    assert average_link(np.zeros((0, 0)), 0.5).tolist() == []
    assert average_link(np.zeros((1, 1)), 0.5).tolist() == [1]
    far = np.array([[0.0, 0.9], [0.9, 0.0]])
    assert average_link(far, 0.5).tolist() == [1, 2]
    assert average_link(far, 0.9).tolist() == [1, 1]  # a merge at exactly t is kept, as fcluster keeps it


def test_minhash_is_datasketchs_bit_for_bit():
    datasketch = pytest.importorskip("datasketch")
    rng = np.random.default_rng(5)
    words = ["the", "port", "of", "saltmere", "closed", "after", "a", "blast", "on", "tuesday", "that", "killed", "two", "dock", "workers"]
    for n in (0, 1, 4, 5, 60, 9000):  # 9000 words: more shingles than one hashing block
        text = " ".join(rng.choice(words, size=n).tolist())
        ref = datasketch.MinHash(num_perm=128, seed=7)
        toks = text.split()
        for s in {" ".join(toks[i : i + 5]) for i in range(max(1, len(toks) - 4))} if toks else set():
            ref.update(s.encode("utf-8"))  # provenance's shingles: word 5-grams
        assert np.array_equal(np.asarray(ref.hashvalues, dtype=np.uint64), minhash(text).hashvalues), n


def test_minhash_estimates_overlap():
    a = " ".join(f"word{i}" for i in range(400))
    b = " ".join(f"word{i}" for i in range(200, 600))
    assert minhash(a).jaccard(minhash(a)) == 1.0
    assert 0.2 < minhash(a).jaccard(minhash(b)) < 0.5  # true Jaccard of the shingle sets: ~0.33
    assert minhash(a).jaccard(minhash("something else entirely here")) < 0.05


def test_tfidf_rows_match_scipys_and_both_products_agree():
    sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(11)
    vocab = [f"w{i}" for i in range(300)]
    for _ in range(20):
        counts = [{w: int(rng.integers(1, 5)) for w in rng.choice(vocab, size=int(rng.integers(0, 50)), replace=False)}
                  for _ in range(int(rng.integers(2, 25)))]
        tm = TermMatrix(counts)
        rows = tm.weighted(tm.local_idf())
        m = sparse.csr_matrix((rows.vals, (rows.rows, rows.cols)), shape=(rows.n, rows.width))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        assert np.all((np.abs(norms - 1.0) < 1e-12) | (norms == 0))
        dense = rows.gram()
        assert np.abs(dense - (m @ m.T).toarray()).max() < 1e-12
        ia, ib = np.arange(rows.n), rows.n - 1 - np.arange(rows.n)
        assert np.abs(rows.pair_dots(ia, ib) - dense[ia, ib]).max() < 1e-12
