"""The cross-encoder: all-MiniLM-L6-v2 fine-tuned to read a claim and a candidate sentence together.

The pair judge's heads (`parallax.text.judge`) read features of two sentences encoded apart: cosine, token
alignment, shared words and typed slots. A paraphrase that states the same thing in other words, or a long
sentence that states one of its claims in a clause, is where they are least sure. The cross-encoder reads the
two sentences as one input ([CLS] claim [SEP] candidate [SEP]) and gives two logits: the candidate states
everything the claim states (`support`), and the two state one fact (`same`). `PairJudge.assess` hands it only
the pairs whose support-head P lies in the band stored in `cross.json`, and a stacking head (`cross.json`:
logistic regression over the support head's logit and the two cross-encoder logits, fitted on out-of-fold
predictions) gives their P(support): a cascade, the fast judge settling the confident pairs. As shipped
(`JudgeConfig.cross_encoder_promotes` false) it is a veto: asked only about the band's pairs the support head
accepts, it can lower their P, never raise it.

Model: `cross.onnx`, int8 (onnxruntime dynamic quantization), trained by `training/judge/cross_encoder.py`
(model card: `models/judge/MODEL_CARD.md`, "Cross-encoder"). The tokenizer is all-MiniLM-L6-v2's own (the
package the encoder loads). Both files are sha256-checked on load (PX202), a missing one is PX201.

Answers do not depend on batching or threads: each pair runs alone (no padding; dynamic quantization scales
activations over the whole input, so a padded batch would change a pair's logits), on one intra-op thread, and
the logits are rounded to 1e-4 before the stacking head reads them. Each (claim, candidate) is run once per
process (bounded cache).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from parallax.errors import ParallaxError
from parallax.text.encoder import file_sha256, locate_model_files, read_sums

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

MODEL_FILE = "cross.onnx"
HEAD_FILE = "cross.json"


class CrossEncoder:
    """P(support) for (claim, candidate) pairs from the cross-encoder and its stacking head (see module doc)."""

    def __init__(self, model_dir: Path, max_tokens: int = 128, max_items: int = 50_000, verify: bool = True):
        self.model_dir = Path(model_dir)
        self.max_tokens = max_tokens
        self.max_items = max_items
        self.verify = verify
        self._session: Any = None
        self._tokenizer: Any = None
        self._head: dict | None = None
        self._available: bool | None = None
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.runs = 0  # pairs run through the model (not the cache)

    def available(self) -> bool:
        """Whether the model folder holds the cross-encoder (a folder without it: the support head alone)."""
        if self._available is None:
            self._available = (self.model_dir / MODEL_FILE).exists() and (self.model_dir / HEAD_FILE).exists()
        return self._available

    def _checked(self, name: str) -> Path:
        path = self.model_dir / name
        if not path.exists():
            raise ParallaxError(f"cross-encoder file {path} is missing; rebuild it with `make model` or "
                                "reinstall parallax-news", code="PX201", input=str(path))
        if self.verify and file_sha256(path) != read_sums(self.model_dir).get(name):
            raise ParallaxError(f"sha256 of {path} does not match SHA256SUMS; reinstall parallax-news "
                                "or rebuild with `make model`", code="PX202", input=str(path))
        return path

    @property
    def head(self) -> dict:
        """The stacking head and its band (`cross.json`, sha256 checked): read without loading the model, so a
        brief with no pair in the band never loads it."""
        with self._lock:
            if self._head is None:
                self._head = json.loads(self._checked(HEAD_FILE).read_text(encoding="utf-8"))
            return self._head

    def warm_up(self) -> None:
        """Load the model, its stacking head and the tokenizer once (sha256 checked; PX201 / PX202)."""
        self.head  # noqa: B018 - checked and read first
        with self._lock:
            if self._session is not None:
                return
            path = self._checked(MODEL_FILE)
            import onnxruntime as ort
            from tokenizers import Tokenizer

            _, tok_path = locate_model_files()
            tok = Tokenizer.from_file(str(tok_path))
            tok.no_padding()
            tok.enable_truncation(max_length=self.max_tokens, strategy="longest_first")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            opts.log_severity_level = 3
            self._session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
            self._tokenizer = tok

    def logits(self, claims: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """(n, 2) rounded logits [support, same] of each (claim, candidate) pair."""
        self.warm_up()
        out = np.zeros((len(claims), 2), dtype=np.float32)
        todo: dict[tuple[str, str], list[int]] = {}
        with self._lock:
            for k, key in enumerate(zip(claims, candidates, strict=True)):
                hit = self._cache.get(key)
                if hit is not None:
                    out[k] = hit
                    self._cache.move_to_end(key)
                else:
                    todo.setdefault(key, []).append(k)
        for key, ks in todo.items():
            enc = self._tokenizer.encode(key[0] or " ", key[1] or " ")
            feed = {"input_ids": np.array([enc.ids], dtype=np.int64),
                    "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
                    "token_type_ids": np.array([enc.type_ids], dtype=np.int64)}
            got = np.round(self._session.run(None, feed)[0][0].astype(np.float64), 4).astype(np.float32)
            out[ks] = got
            with self._lock:
                self.runs += 1
                self._cache[key] = got
                if len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
        return out

    def stack(self, p_head: np.ndarray, logits: np.ndarray) -> np.ndarray:
        """The stacking head: P(support) from the support head's P and the cross-encoder's logits."""
        h = self.head
        p = np.clip(np.asarray(p_head, dtype=np.float64), 1e-6, 1 - 1e-6)
        x = np.column_stack([np.log(p / (1 - p)), np.asarray(logits, dtype=np.float64)])
        z = ((x - np.array(h["mean"])) / np.array(h["scale"])) @ np.array(h["coef"]) + h["intercept"]
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def supports(self, claims: Sequence[str], candidates: Sequence[str], p_head: np.ndarray) -> np.ndarray:
        """P(candidate states everything the claim states): the stacking head's answer for the pairs it is asked
        about (the caller decides whether it may raise the support head's P)."""
        if not len(claims):
            return np.zeros(0, dtype=np.float32)
        return self.stack(p_head, self.logits(claims, candidates))


__all__ = ["HEAD_FILE", "MODEL_FILE", "CrossEncoder"]
