"""Content hashes used as keys (dedupe, raw re-reads, URL look-ups)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np


def sha_key(*parts: str | None) -> str:
    """sha256 hex of the parts, each followed by a NUL (None counts as the empty string)."""
    h = hashlib.sha256()
    for p in parts:
        h.update((p or "").encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def text_key(text: str) -> str:
    """sha256 key of a text with its whitespace normalised: re-wrapped or re-spaced copies hash the same."""
    return sha_key(" ".join(text.split()))


# ---------------------------------------------------------------------------------------------------------
# MinHash signatures (near-copy detection and the store's copy index)

_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)  # MurmurHash3's 32-bit finalizer
_CHUNK = 8192  # shingles hashed per block: memory stays at _CHUNK x num_perm words whatever the page's size


class Signature:
    """A MinHash signature as stored (uint64 values); `jaccard` estimates the shingle sets' resemblance."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: bytes | np.ndarray):
        self.hashvalues = (np.frombuffer(hashvalues, dtype=np.uint64) if isinstance(hashvalues, bytes)
                           else np.asarray(hashvalues, dtype=np.uint64))

    def jaccard(self, other: Signature) -> float:
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)  # odd: a bijection
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def minhash_signature(items: Iterable[bytes], num_perm: int, seed: int) -> Signature:
    """MinHash of a set of byte strings: datasketch's `MinHash(num_perm, seed)` ("affine32" scheme, its
    default since 2.0) bit for bit — sha1's first 4 bytes, MurmurHash3's finalizer, then `a*h + b` mod 2^32
    per permutation, the minimum over the set — computed a block of items at a time. Our own so that the
    stored signatures do not change with the installed datasketch's default scheme, and the CLI does not
    import it (datasketch imports SciPy: 0.3 s)."""
    a, b = _permutations(num_perm, seed)
    best = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    items = list(items)
    for start in range(0, len(items), _CHUNK):
        block = items[start : start + _CHUNK]
        hv = np.fromiter((int.from_bytes(hashlib.sha1(x).digest()[:4], "little") for x in block),
                         dtype=np.uint32, count=len(block))
        s1, m1, s2, m2, s3 = (np.uint32(v) for v in _FMIX32)
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s3)
        best = np.minimum(best, (hv[:, None] * a[None, :] + b[None, :]).min(axis=0))
    return Signature(best.astype(np.uint64))
