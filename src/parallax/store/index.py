"""Index keys that keep the cost of adding an article independent of the size of the store.

- Near-copies: MinHash LSH. The 128 MinHash values are cut into COPY_BANDS bands of COPY_ROWS rows; two
  texts share a band key with probability 1 - (1 - J^r)^b (J = Jaccard of 5-word shingles): about 0.99 at
  J = 0.6 (the near-copy threshold) and 0.03 at J = 0.2.
- Stories and rewrites: random-hyperplane LSH (SimHash) over the 384-d doc vectors. STORY_TABLES tables of
  STORY_BITS bits each; two leads at angle θ = arccos c agree on one table with p = (1 - θ/π)^k. With 32
  tables of 6 bits, the chance of sharing at least two tables (the store's MIN_COLLISIONS) is 0.98 at
  c = 0.7, 0.79 at c = 0.5 and 0.43 at c = 0.3. Candidates are ranked by the number of tables they share
  and scored exactly.

- Pages in other languages (issue 23): the names a page shares with the others of its story whatever their
  language (`stages.stories.anchor_counts`: capitalised words that do not open a sentence), NAME_KEYS of
  them per page, in the story table's key space under their own table number; a pair needs MIN_NAME_HITS.
  Only pairs with a page not in English read them, so an English store assigns stories as before.

Keys are signed 64-bit integers (a hash of the table number and the bucket), stored in indexed tables.
"""

from __future__ import annotations

import hashlib

import numpy as np

COPY_BANDS = 32
COPY_ROWS = 4
STORY_TABLES = 32
STORY_BITS = 6
STORY_SEED = 20260417
DIM = 384
NAME_KEYS = 24
MIN_NAME_HITS = 2
INDEX_VERSION = f"copy:{COPY_BANDS}x{COPY_ROWS};story:{STORY_TABLES}x{STORY_BITS}@{STORY_SEED}"

_planes: np.ndarray | None = None


def _key(table: int, payload: bytes) -> int:
    digest = hashlib.blake2b(table.to_bytes(2, "little") + payload, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def copy_keys(hashvalues: np.ndarray) -> list[int]:
    """The MinHash LSH band keys of one text (hashvalues: the MinHash's uint64 values)."""
    hv = np.asarray(hashvalues, dtype=np.uint64)
    return [_key(b, hv[b * COPY_ROWS : (b + 1) * COPY_ROWS].tobytes()) for b in range(COPY_BANDS)]


def planes() -> np.ndarray:
    global _planes
    if _planes is None:
        rng = np.random.default_rng(STORY_SEED)
        _planes = rng.standard_normal((STORY_TABLES * STORY_BITS, DIM)).astype(np.float32)
    return _planes


def story_keys(vec: np.ndarray) -> list[int]:
    """The SimHash bucket keys of one doc vector, one per table."""
    bits = (planes() @ np.asarray(vec, dtype=np.float32)) > 0
    bits = bits.reshape(STORY_TABLES, STORY_BITS)
    return [_key(1000 + t, np.packbits(bits[t]).tobytes()) for t in range(STORY_TABLES)]


def name_keys(anchors: dict[str, int], most: int = NAME_KEYS) -> list[int]:
    """The keys of a page's `most` most frequent names (anchors that are words of three letters or more)."""
    names = sorted((t for t in anchors if not t.isdigit() and len(t) >= 3), key=lambda t: (-anchors[t], t))[:most]
    return [_key(5000, t.encode("utf-8")) for t in names]
