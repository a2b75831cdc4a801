"""Shared helpers of the judge recipe: data paths, sentence splitting, and an on-disk encoder cache.

The cache only memoises the encoder's output (sentence vector and content-token states, stored as float16)
so that training and evaluation runs do not re-encode the same sentences; the features and decisions are
computed by `parallax.text.judge` exactly as at run time.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np

from parallax.text.judge import Encoded, TokenEncoder, _slots

log = logging.getLogger(__name__)
logging.getLogger(__name__).addHandler(logging.NullHandler())

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
if not SHARED.exists():  # a worktree beside the main checkout
    SHARED = Path("/work/shared")
TRAIN_DIR = SHARED / "train"
EVAL_DIR = SHARED / "eval"
CACHE_DIR = REPO_ROOT / "out" / "judge-cache"


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


_DETOK = [(r" ([,.;:!?%)\]])", r"\1"), (r"([(\[$£€]) ", r"\1"), (r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1"),
          (r"(\d) - (\d)", r"\1-\2"), (r"(\w) - (\w)", r"\1-\2"), (r"`` ?| ?''", '"'), (r"\s+", " ")]


def detok(text: str) -> str:
    """Undo PTB-style tokenisation spacing ("90 - day", "$ 160 million", "it 's")."""
    for pat, rep in _DETOK:
        text = re.sub(pat, rep, text)
    return text.strip()


def sentences(text: str) -> list[str]:
    """Body sentences of an article (the product's splitter), headings and very short bits dropped."""
    from parallax.stages.split import split_text

    out = []
    for s in split_text(text):
        t = text[s.start : s.end].strip()
        if len(t.split()) >= 3:
            out.append(t)
    return out


def save_cache(encoder: TokenEncoder, path: Path, texts: list[str] | None = None) -> None:
    """Write the encoder's cached outputs (only those of `texts` when given) to `path`."""
    if texts is None:
        items = list(encoder._cache.items())
    else:
        items = [(t, encoder._cache[t]) for t in dict.fromkeys(texts) if t in encoder._cache]
    path.parent.mkdir(parents=True, exist_ok=True)
    texts = [t for t, _ in items]
    vecs = np.stack([e.vec for _, e in items]).astype(np.float16) if items else np.zeros((0, 384), np.float16)
    lens = np.array([len(e.toks) for _, e in items], dtype=np.int32)
    toks = np.concatenate([e.toks for _, e in items]).astype(np.float16) if items else np.zeros((0, 384), np.float16)
    ntok = np.array([e.n_tokens for _, e in items], dtype=np.int32)
    np.savez(path, texts=np.array(json.dumps(texts)), vecs=vecs, lens=lens, toks=toks, ntok=ntok)
    log.info("saved %d encodings to %s", len(texts), path)


def load_cache(encoder: TokenEncoder, path: Path) -> int:
    if not path.exists():
        return 0
    z = np.load(path, allow_pickle=False)
    texts = json.loads(str(z["texts"]))
    vecs, lens, toks, ntok = z["vecs"].astype(np.float32), z["lens"], z["toks"].astype(np.float32), z["ntok"]
    off = np.concatenate([[0], np.cumsum(lens)])
    for i, t in enumerate(texts):
        if t not in encoder._cache:
            encoder._cache[t] = _slots(t, vecs[i], toks[off[i] : off[i + 1]], int(ntok[i]))
    return len(texts)


def encode_cached(encoder: TokenEncoder, texts: list[str], name: str) -> list[Encoded]:
    """Encode `texts` with the disk cache `out/judge-cache/<name>.npz` (created or extended)."""
    path = CACHE_DIR / f"{name}.npz"
    load_cache(encoder, path)
    missing = [t for t in dict.fromkeys(texts) if t not in encoder._cache]
    if missing:
        log.info("%s: encoding %d new texts", name, len(missing))
        encoder.max_items = max(encoder.max_items, len(encoder._cache) + len(missing) + 10)
        step = 2000
        for k in range(0, len(missing), step):
            encoder.encode(missing[k : k + step])
            log.info("%s: %d/%d", name, min(k + step, len(missing)), len(missing))
        save_cache(encoder, path, texts)
    return encoder.encode(texts)
