"""The pair judge: does a candidate sentence (or short passage) support or contradict a claim?

One judge for every decision about two statements (fact grouping, a fact's cited sources, disputes, rewrite
alignment, and the judgment benchmarks). For a claim and a candidate it returns probabilities for
*supports*, *contradicts* and *neither*.

How: all-MiniLM-L6-v2 (int8 ONNX; the one pass of `parallax.text.encoder` that the embedder and the
loaded-language detector read too) encodes each text once; from its sentence vector and its token states
the judge computes features of the pair: bi-encoder cosine,
BERTScore-style token alignment in both directions (how much of the claim the candidate covers, and the
weakest-covered claim token), word overlap, and typed slots (counts with their noun, dates and weekdays,
numbers, names, negation, denial words, quote speaker). A small classifier (gradient-boosted trees, numpy
inference, trees in `parallax/models/judge/judge.npz`, sha256 pinned in `SHA256SUMS` beside it) maps the
features to the three probabilities. The classifier is trained here (`make model`, see
`training/judge/` and the model card); no torch at run time.

A second, small head (`corroborate`, logistic regression in `corroborate.json`, sha256 pinned beside the trees)
maps the three-way probabilities both ways and the pair features both ways to P(the two statements state one
fact): corroboration between independent reports, which is not entailment (each report adds details of its
own). The product's decisions are made in `parallax.stages.crosscheck` (support, fact grouping, disputes, and the
one-claim checks `same_fact`, `supported`, `stance` that the benchmarks score) with `CrosscheckConfig`.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from parallax.config import JudgeConfig, settings
from parallax.errors import ParallaxError
from parallax.text.cross import CrossEncoder
from parallax.text.encoder import DIM, Encoder, file_sha256, read_sums, shared_encoder
from parallax.text.slots import counts_conflict, extract_counts, extract_dates, find_speaker
from parallax.text.words import content_words

log = logging.getLogger(__name__)

LABELS = ("supports", "contradicts", "neither")
SUPPORTS, CONTRADICTS, NEITHER = 0, 1, 2
MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "judge"
MODEL_FILE = "judge.npz"


# ---------------------------------------------------------------------------------------------------------
# Configuration


DEFAULT_CONFIG = JudgeConfig()  # (`parallax.config.JudgeConfig`; the one in effect: settings().judge)


# ---------------------------------------------------------------------------------------------------------
# Text primitives the features need (typed slots; counts, dates, speakers come from crosscheck)

_STOP = frozenset(["a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "into", "onto", "upon", "about", "over", "under", "after", "before", "during", "since", "until", "while", "than", "then", "that", "this", "these", "those", "there", "here", "it", "its", "it's", "he", "she", "they", "them", "his", "her", "their", "our", "we", "you", "your", "i", "me", "my", "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "not", "no", "nor", "so", "such", "too", "very", "also", "just", "only", "even", "still", "yet", "which", "who", "whom", "whose", "what", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "own", "same", "s", "t", "said", "says", "say", "told"])
_PUNCT = re.compile(r"^[\W_]+$")
_NUM = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_NUMWORD = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
            "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
            "hundred": "100", "dozen": "12", "thousand": "1000", "million": "1000000", "billion": "1000000000"}
_NEG = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot)\b|n't\b", re.I)
_DENY = re.compile(r"\b(?:fake|hoax|false|falsely|debunk\w*|den(?:y|ies|ied|ial)|untrue|rumou?r\w*|fabricat\w*"
                   r"|misleading|refut\w*|dismiss\w*|retract\w*|satire|doctored|baseless|unfounded|reject\w*)\b",
                   re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b")
_MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")
_COMMON_CAPS = frozenset(["The", "A", "An", "In", "On", "At", "By", "For", "With", "From", "As", "After", "Before", "During", "When", "While", "This", "That", "These", "Those", "It", "He", "She", "They", "We", "I", "You", "His", "Her", "Their", "Its", "Our", "But", "And", "Or", "If", "So", "Yet", "Also", "Then", "There", "Here", "What", "Who", "Why", "How", "Where", "Which", "Mr", "Mrs", "Ms", "Dr", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "According", "Meanwhile", "However", "Police", "Officials", "Earlier", "Later", "Today", "Yesterday", "Last", "Next", "One", "Two"])


def _numbers(text: str) -> set[str]:
    out = {m.group(0).replace(",", "") for m in _NUM.finditer(text)}
    out |= {_NUMWORD[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMWORD}
    return {n.rstrip("0").rstrip(".") if "." in n else n for n in out}


def _names(text: str) -> set[str]:
    return {m.group(0).lower() for m in _NAME.finditer(text) if m.group(0) not in _COMMON_CAPS}


def _bigrams(text: str) -> set[tuple[str, str]]:
    w = re.findall(r"\w+", text.lower())
    return set(itertools.pairwise(w))


@dataclass(slots=True)
class Encoded:
    """One text as the judge sees it: sentence vector, content-token states and typed slots."""

    text: str
    vec: np.ndarray  # (384,), L2-normalised mean-pooled sentence vector (same as parallax.text.embed)
    toks: np.ndarray  # (k, 384), L2-normalised states of the content tokens
    n_words: int
    n_tokens: int = 1  # word pieces the sentence vector was pooled over
    words: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    counts: list = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)
    months: set[str] = field(default_factory=set)
    neg: int = 0
    deny: int = 0
    speaker: str | None = None
    bigrams: set[tuple[str, str]] = field(default_factory=set)


def _slots(text: str, vec: np.ndarray, toks: np.ndarray, n_tokens: int = 1) -> Encoded:
    return Encoded(text=text, vec=vec, toks=toks, n_words=len(text.split()), n_tokens=n_tokens,
                   words=content_words(text),
                   numbers=_numbers(text), names=_names(text), counts=extract_counts(text),
                   dates=extract_dates(text), months=set(_MONTH.findall(text)), neg=len(_NEG.findall(text)),
                   deny=len(_DENY.findall(text)), speaker=find_speaker(text), bigrams=_bigrams(text))


def join(parts: Sequence[Encoded]) -> Encoded:
    """A passage of adjacent sentences as one candidate, without running the model again.

    Token states are the sentences' own (each encoded alone), the sentence vector is the token-weighted
    mean of theirs; the typed slots are read from the joined text. Training builds windows the same way.
    """
    if len(parts) == 1:
        return parts[0]
    vec = sum(p.vec * p.n_tokens for p in parts)
    vec = (vec / max(1e-9, float(np.linalg.norm(vec)))).astype(np.float32)
    toks = np.concatenate([p.toks for p in parts], axis=0)
    return _slots(" ".join(p.text for p in parts), vec, toks, sum(p.n_tokens for p in parts))


# ---------------------------------------------------------------------------------------------------------
# Features of a pair (claim, candidate)

FEATURES = (
    "cosine",
    "tok_recall_mean", "tok_recall_min", "tok_recall_q20", "tok_recall_below",
    "tok_precision_mean", "tok_precision_q20",
    "word_recall", "word_precision", "bigram_recall",
    "names_missing", "names_extra", "numbers_missing", "numbers_extra",
    "count_conflict", "count_match", "date_conflict", "weekday_conflict", "month_conflict", "date_match",
    "neg_claim", "neg_cand", "neg_mismatch", "deny_cand_only", "deny_claim_only",
    "speaker_conflict", "speaker_match",
    "log_words_claim", "log_words_cand", "log_len_ratio",
)
_BELOW = 0.6  # token cosine under which a claim token counts as not covered (a feature, not a decision)


def quantile20(x: np.ndarray) -> float:
    """`np.quantile(x, 0.2)` of a non-empty 1-d float array (method "linear"), computed the way numpy 2 computes
    it (the same virtual index and interpolation, in the array's dtype), so the same value to the bit, without
    its overhead: the judge takes two per pair, and np.quantile's checks cost 20 times the sort."""
    n = x.shape[0]
    s = np.sort(x)
    vi = (n - 1) * 0.2  # numpy's virtual index of "linear" (float64)
    lo = math.floor(vi)
    if lo >= n - 1:
        return float(s[n - 1])
    g = float(vi - lo)
    a, b = s[lo], s[lo + 1]
    d = b - a
    return float(a + d * g if g < 0.5 else b - d * (1 - g))  # numpy's _lerp


def pair_features(a: Encoded, b: Encoded) -> np.ndarray:
    """The feature vector of claim `a` against candidate `b` (order: FEATURES)."""
    if len(a.toks) and len(b.toks):
        sim = a.toks @ b.toks.T
        rec = sim.max(axis=1)
        prec = sim.max(axis=0)
        # sum / n is ndarray.mean() to the bit (the same float32 sum, the same division), without its overhead
        r_mean, r_min, r_q20 = float(rec.sum() / len(rec)), float(rec.min()), quantile20(rec)
        r_below = np.count_nonzero(rec < _BELOW) / len(rec)
        p_mean, p_q20 = float(prec.sum() / len(prec)), quantile20(prec)
    else:
        r_mean = r_min = r_q20 = p_mean = p_q20 = 0.0
        r_below = 1.0
    shared = a.words & b.words
    cc = any(counts_conflict(x, y) for x in a.counts for y in b.counts)
    cm = any(x.noun == y.noun and x.value == y.value and not (x.weak or y.weak) for x in a.counts for y in b.counts)
    da, db = a.dates, b.dates
    date_conf = "date" in da and "date" in db and da["date"] != db["date"]
    wd_conf = "weekday" in da and "weekday" in db and da["weekday"] != db["weekday"]
    month_conf = bool(a.months) and bool(b.months) and not (a.months & b.months)
    date_match = any(k in da and da.get(k) == db.get(k) for k in ("date", "weekday"))
    sp_conf = sp_match = 0.0
    if a.speaker and b.speaker:
        same = a.speaker.split()[-1].lower() == b.speaker.split()[-1].lower()
        sp_conf, sp_match = float(not same), float(same)
    return np.array([
        float(a.vec @ b.vec),
        r_mean, r_min, r_q20, r_below, p_mean, p_q20,
        len(shared) / max(1, len(a.words)), len(shared) / max(1, len(b.words)),
        len(a.bigrams & b.bigrams) / max(1, len(a.bigrams)),
        min(3, len(a.names - b.names)), min(3, len(b.names - a.names)),
        min(3, len(a.numbers - b.numbers)), min(3, len(b.numbers - a.numbers)),
        float(cc), float(cm), float(date_conf), float(wd_conf), float(month_conf), float(date_match),
        min(2, a.neg), min(2, b.neg), float((a.neg % 2) != (b.neg % 2)),
        float(b.deny > 0 and a.deny == 0), float(a.deny > 0 and b.deny == 0),
        sp_conf, sp_match,
        np.log1p(a.n_words), np.log1p(b.n_words), np.log((1 + b.n_words) / (1 + a.n_words)),
    ], dtype=np.float32)


# ---------------------------------------------------------------------------------------------------------
# The encoder: all-MiniLM-L6-v2 token states (int8 ONNX), cached per text


class TokenEncoder:
    """The judge's view of the encoder (`parallax.text.encoder`): per text its sentence vector and the
    L2-normalised states of its content word pieces (at most `max_tokens` pieces read), with its typed slots;
    the `Encoded` texts are cached here (`max_items`), the model's output in the encoder.

    `encoder`: default an encoder of its own (with `threads`); the process-wide judge uses the shared one."""

    def __init__(self, max_tokens: int = 160, threads: int | None = None, max_items: int = 100_000,
                 encoder: Encoder | None = None):
        self.max_tokens = max_tokens
        self.encoder = encoder or Encoder(threads=threads)
        self.max_items = max_items
        self._cache: OrderedDict[str, Encoded] = OrderedDict()
        self._lock = threading.Lock()
        self._skip: np.ndarray | None = None

    def warm_up(self) -> None:
        if self._skip is not None:
            return
        vocab = self.encoder.vocab()  # loads the model
        skip = np.zeros(max(vocab.values()) + 1, dtype=bool)
        for piece, idx in vocab.items():
            if (piece.startswith("[") and piece.endswith("]")) or piece in _STOP or _PUNCT.match(piece):
                skip[idx] = True
        self._skip = skip

    def encode(self, texts: Sequence[str]) -> list[Encoded]:
        """Encoded texts, one per input (each distinct text runs through the model once per process)."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            fresh = self._run(todo)
            with self._lock:
                self._cache.update(zip(todo, fresh, strict=True))
                while len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
        with self._lock:
            got = [self._cache.get(t) for t in texts]
        missing = [t for t, e in zip(texts, got, strict=True) if e is None]  # evicted meanwhile
        if missing:
            again = dict(zip(missing, self._run(missing), strict=True))
            got = [e if e is not None else again[t] for t, e in zip(texts, got, strict=True)]
        return got  # type: ignore[return-value]

    def _run(self, texts: list[str]) -> list[Encoded]:
        self.warm_up()
        assert self._skip is not None
        encs = self.encoder.encode(texts, self.max_tokens)
        # The judge's sentence vector: the float64 mean normalised in float64 (as it was trained with).
        pooled = np.stack([e.mean for e in encs])
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9, None)
        out = []
        for text, e, vec in zip(texts, encs, pooled, strict=True):
            keep = ~self._skip[e.ids]
            if not keep.any():
                keep = np.ones(len(e.ids), dtype=bool)
            t = e.states[keep]
            t = t / np.clip(np.linalg.norm(t, axis=1, keepdims=True), 1e-9, None)
            out.append(_slots(text, vec.astype(np.float32), t.astype(np.float32), len(e.ids)))
        return out


# ---------------------------------------------------------------------------------------------------------
# The classifier (numpy inference of the trained gradient-boosted trees)


class _Classifier:
    """Gradient-boosted trees (one per class per round) evaluated in numpy; softmax over the summed scores.

    The trees are stored flat: for node n, `feature[n]`, `threshold[n]` (go left when x <= threshold),
    `left[n]`/`right[n]` (absolute node indices), `leaf[n]`, `value[n]`; `roots[t]` and `tree_class[t]`
    per tree; `baseline` per class. Written by training/judge/train.py from scikit-learn's
    HistGradientBoostingClassifier and checked there to reproduce its probabilities.
    """

    def __init__(self, path: Path):
        with np.load(path, allow_pickle=False) as z:
            self.features = tuple(str(x) for x in z["features"])
            self.labels = tuple(str(x) for x in z["labels"])
            self.feature = z["feature"].astype(np.int64)
            self.threshold = z["threshold"].astype(np.float64)
            self.left = z["left"].astype(np.int64)
            self.right = z["right"].astype(np.int64)
            self.leaf = z["leaf"].astype(bool)
            self.value = z["value"].astype(np.float64)
            self.roots = z["roots"].astype(np.int64)
            self.tree_class = z["tree_class"].astype(np.int64)
            self.baseline = z["baseline"].astype(np.float64)
            self.depth = int(z["max_depth"])
            self.meta = json.loads(str(z["meta"])) if "meta" in z.files else {}
        if self.features != FEATURES:
            raise ParallaxError(f"{path} was trained on other features ({len(self.features)}); rebuild it with "
                                "`make model`", code="PX202", input=str(path))
        if self.labels != LABELS:
            raise ParallaxError(f"{path} has labels {self.labels}, expected {LABELS}", code="PX202",
                                input=str(path))

    def raw(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        rows = np.arange(len(x))[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        for _ in range(self.depth + 1):
            leaf = self.leaf[node]
            if leaf.all():
                break
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(leaf, node, np.where(go_left, self.left[node], self.right[node]))
        vals = self.value[node]  # (n, trees)
        out = np.tile(self.baseline, (len(x), 1))
        for c in range(len(self.labels)):
            out[:, c] += vals[:, self.tree_class == c].sum(axis=1)
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros((0, len(self.labels)))
        h = self.raw(x)
        h -= h.max(axis=1, keepdims=True)
        e = np.exp(h)
        return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------------------
# The corroboration head: do two reports state the same fact (each may add details of its own)?

CORROBORATE_FILE = "corroborate.json"
_PROB_FEATURES = ("sup_max", "sup_min", "con_max", "neither_min")
CORROBORATE_FEATURES = (*_PROB_FEATURES, *(f"{f}_max" for f in FEATURES), *(f"{f}_min" for f in FEATURES))


def corroboration_features(a: Encoded, b: Encoded, p_ab: np.ndarray, p_ba: np.ndarray,
                           fa: np.ndarray | None = None, fb: np.ndarray | None = None) -> np.ndarray:
    """Symmetric features of two statements: the judge's probabilities both ways (p_ab: a as the claim) and
    the element-wise max and min of the pair features both ways (order: CORROBORATE_FEATURES); `fa` / `fb`:
    the pair features a→b and b→a when already computed."""
    fa = pair_features(a, b) if fa is None else fa
    fb = pair_features(b, a) if fb is None else fb
    probs = [max(p_ab[SUPPORTS], p_ba[SUPPORTS]), min(p_ab[SUPPORTS], p_ba[SUPPORTS]),
             max(p_ab[CONTRADICTS], p_ba[CONTRADICTS]), min(p_ab[NEITHER], p_ba[NEITHER])]
    return np.concatenate([np.array(probs, dtype=np.float32), np.maximum(fa, fb), np.minimum(fa, fb)])


DISPUTE_FILE = "dispute.json"
# Features of a candidate dispute (computed by parallax.stages.crosscheck.dispute_tests): P(same fact) once the
# slot is made equal and as they stand, P(contradicts), cosine, content-word overlap around the two slots, the
# same counted noun, the slot's kind, hedging, the values' relative difference, both sentences quotes, length ratio.
DISPUTE_FEATURES = ("p_same_sub", "p_same", "p_contradicts", "cosine", "context_overlap", "noun_same",
                    "kind_number", "kind_date", "kind_time", "kind_actor", "hedged", "rel_diff", "both_speakers",
                    "log_len_ratio")
SUPPORT_FILE = "support.json"
SUPPORT_FEATURES = (*FEATURES, "p_sup_ab", "p_con_ab", "p_neither_ab", "p_sup_ba", "p_con_ba", "p_neither_ba",
                    "p_same")


def support_features(a: Encoded, b: Encoded, p_ab: np.ndarray, p_ba: np.ndarray, p_same: float,
                     f_ab: np.ndarray | None = None) -> np.ndarray:
    """Directional features of claim `a` against candidate `b` (order: SUPPORT_FEATURES): the pair features
    (`f_ab` when already computed), the three-way probabilities both ways and the corroboration head's P(same fact)."""
    return np.concatenate([pair_features(a, b) if f_ab is None else f_ab, np.asarray(p_ab, dtype=np.float32),
                           np.asarray(p_ba, dtype=np.float32), np.array([p_same], dtype=np.float32)])


class _Corroborator:
    """Logistic regression over named features (standardised): the corroboration head, P(two statements
    state one fact) over `CORROBORATE_FEATURES`, and the support head, P(the candidate states everything the
    claim states) over `SUPPORT_FEATURES`.

    Written by training/judge/corroborate.py and training/judge/support.py; see the model card."""

    def __init__(self, path: Path, features: tuple[str, ...] = CORROBORATE_FEATURES):
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != features:
            raise ParallaxError(f"{path} was trained on other features; rebuild it with `make model`",
                                code="PX202", input=str(path))
        self.mean = np.asarray(data["mean"], dtype=np.float64)
        self.scale = np.asarray(data["scale"], dtype=np.float64)
        self.coef = np.asarray(data["coef"], dtype=np.float64)
        self.intercept = float(data["intercept"])
        self.meta = data.get("meta", {})

    def predict(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0, dtype=np.float32)
        z = ((np.asarray(x, dtype=np.float64) - self.mean) / self.scale) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# The judge


class PairJudge:
    """Probabilities that a candidate supports / contradicts / is neutral to a claim (see module doc)."""

    def __init__(self, model_dir: Path | None = None, config: JudgeConfig = DEFAULT_CONFIG,
                 encoder: TokenEncoder | None = None, verify: bool = True):
        self.model_dir = Path(model_dir) if model_dir else MODEL_DIR
        self.config = config
        self.encoder = encoder or TokenEncoder(max_tokens=config.max_tokens, encoder=shared_encoder())
        self.verify = verify
        self._clf: _Classifier | None = None
        self._corr: _Corroborator | None = None
        self._support: _Corroborator | None = None
        self._dispute: _Corroborator | None = None
        self._cross = CrossEncoder(self.model_dir, verify=verify)
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the classifier (sha256 checked against SHA256SUMS) and the encoder; PX201/PX202 on failure."""
        with self._lock:
            if self._clf is not None:
                return
            path = self.model_dir / MODEL_FILE
            if not path.exists():
                raise ParallaxError(f"judge model {path} is missing; rebuild it with `make model` or reinstall "
                                    "parallax-news", code="PX201", input=str(path))
            if self.verify:
                want = read_sums(self.model_dir).get(MODEL_FILE)
                if not want:
                    raise ParallaxError(f"no sha256 for {MODEL_FILE} in {self.model_dir / 'SHA256SUMS'}",
                                        code="PX202", input=str(path))
                got = file_sha256(path)
                if got != want:
                    raise ParallaxError(f"sha256 of {path} is {got}, expected {want}; reinstall parallax-news "
                                        "or rebuild with `make model`", code="PX202", input=str(path))
            self._clf = _Classifier(path)
            self._corr = self._load_head(CORROBORATE_FILE, CORROBORATE_FEATURES)
            self._support = self._load_head(SUPPORT_FILE, SUPPORT_FEATURES)
            self._dispute = self._load_head(DISPUTE_FILE, DISPUTE_FEATURES)
        self.encoder.warm_up()

    def _load_head(self, name: str, features: tuple[str, ...]) -> _Corroborator | None:
        path = self.model_dir / name
        if not path.exists():
            return None  # the head's caller then raises PX201; the three-way judge still works
        if self.verify:
            want = read_sums(self.model_dir).get(name)
            got = file_sha256(path)
            if got != want:
                raise ParallaxError(f"sha256 of {path} is {got}, expected {want}; reinstall parallax-news "
                                    "or rebuild with `make model`", code="PX202", input=str(path))
        return _Corroborator(path, features)

    def assess(self, a: Sequence[Encoded], b: Sequence[Encoded]) -> dict[str, np.ndarray]:
        """Every judgment of encoded statement pairs (a[i], b[i]) in one pass: ``same`` (P(one fact), the
        corroboration head), ``b_supports_a`` / ``a_supports_b`` (P(one states everything the other states),
        the support head, each way), ``p_ab`` / ``p_ba`` (the three-way probabilities, a resp. b as the claim)."""
        same, p_ab, p_ba, f_ab, f_ba = self._corroborate(a, b)
        if self._support is None:
            raise ParallaxError(f"support head {self.model_dir / SUPPORT_FILE} is missing; rebuild it with "
                                "`make model`", code="PX201", input=str(self.model_dir / SUPPORT_FILE))
        if not a:
            return {"same": same, "b_supports_a": same, "a_supports_b": same, "p_ab": p_ab, "p_ba": p_ba}
        x_ab = np.stack([support_features(x, y, pa, pb, s, fx)
                         for x, y, pa, pb, s, fx in zip(a, b, p_ab, p_ba, same, f_ab, strict=True)])
        x_ba = np.stack([support_features(y, x, pb, pa, s, fy)
                         for x, y, pa, pb, s, fy in zip(a, b, p_ab, p_ba, same, f_ba, strict=True)])
        b_sup, a_sup = self._support.predict(x_ab), self._support.predict(x_ba)
        if self.config.cross_encoder and self._cross.available():
            lo, hi = self._cross.head["band"]
            promotes = self.config.cross_encoder_promotes
            if not promotes:  # a second reader that can only take support away: asked only what the head accepts
                lo = max(lo, settings().crosscheck.cite_min)
            for p, claims, cands in ((b_sup, a, b), (a_sup, b, a)):
                ks = np.flatnonzero((p >= lo) & (p < hi))
                if len(ks):
                    got = self._cross.supports([claims[k].text for k in ks], [cands[k].text for k in ks], p[ks])
                    p[ks] = got if promotes else np.minimum(p[ks], got)
        return {"same": same, "b_supports_a": b_sup, "a_supports_b": a_sup, "p_ab": p_ab, "p_ba": p_ba}

    def dispute(self, x: np.ndarray) -> np.ndarray:
        """P(a candidate dispute is one slot of one happening reported with two values): the dispute head over
        `DISPUTE_FEATURES` rows."""
        self.warm_up()
        if self._dispute is None:
            raise ParallaxError(f"dispute head {self.model_dir / DISPUTE_FILE} is missing; rebuild it with "
                                "`make model`", code="PX201", input=str(self.model_dir / DISPUTE_FILE))
        return self._dispute.predict(x)

    def supports(self, claims: Sequence[Encoded], candidates: Sequence[Encoded]) -> np.ndarray:
        """P(candidates[i] states everything claims[i] states): the support head (directional)."""
        return self.assess(claims, candidates)["b_supports_a"]

    def corroborate(self, a: Sequence[Encoded], b: Sequence[Encoded]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For encoded statement pairs (a[i], b[i]): (P(same fact), probs with a as the claim, probs with b).

        Two reports corroborate each other when they state one fact, each possibly with details of its own:
        the judge's three-way probabilities both ways and the pair features both ways, through the
        corroboration head (`corroborate.json`)."""
        same, p_ab, p_ba, _, _ = self._corroborate(a, b)
        return same, p_ab, p_ba

    def _corroborate(self, a: Sequence[Encoded], b: Sequence[Encoded]) -> tuple[np.ndarray, ...]:
        """`corroborate`'s three answers and the pair features a→b and b→a it read (each pair's features are
        computed once per direction, whoever reads them next)."""
        self.warm_up()
        if self._corr is None:
            raise ParallaxError(f"corroboration head {self.model_dir / CORROBORATE_FILE} is missing; rebuild it "
                                "with `make model`", code="PX201", input=str(self.model_dir / CORROBORATE_FILE))
        if not a:
            empty = np.zeros((0, 3), dtype=np.float32)
            none = np.zeros((0, len(FEATURES)), dtype=np.float32)
            return np.zeros(0, dtype=np.float32), empty, empty, none, none
        f_ab, f_ba = self._features(a, b), self._features(b, a)
        p_ab, p_ba = self.judge_features(f_ab), self.judge_features(f_ba)
        x = np.stack([corroboration_features(x, y, pa, pb, fa, fb)
                      for x, y, pa, pb, fa, fb in zip(a, b, p_ab, p_ba, f_ab, f_ba, strict=True)])
        return self._corr.predict(x), p_ab, p_ba, f_ab, f_ba

    def encode(self, texts: Sequence[str]) -> list[Encoded]:
        """Encode texts once (cached); pass the results to `judge_encoded` to reuse them across pairs."""
        return self.encoder.encode(list(texts))

    def features(self, claims: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """The (n, len(FEATURES)) feature matrix of the pairs (used by training and the benchmarks)."""
        if len(claims) != len(candidates):
            raise ValueError("judge() takes two lists of the same length")
        enc = {e.text: e for e in self.encode(list(dict.fromkeys([*claims, *candidates])))}
        return self._features([enc[c] for c in claims], [enc[c] for c in candidates])

    @staticmethod
    def _features(a: Sequence[Encoded], b: Sequence[Encoded]) -> np.ndarray:
        if not a:
            return np.zeros((0, len(FEATURES)), dtype=np.float32)
        return np.stack([pair_features(x, y) for x, y in zip(a, b, strict=True)])

    def judge(self, claims: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """(n, 3) probabilities [supports, contradicts, neither] that candidates[i] supports claims[i]."""
        self.warm_up()
        if len(claims) != len(candidates):
            raise ValueError("judge() takes two lists of the same length")
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        return self.judge_features(self.features(claims, candidates))

    def judge_encoded(self, claims: Sequence[Encoded], candidates: Sequence[Encoded]) -> np.ndarray:
        """As `judge`, for texts already encoded with `encode` (no model run)."""
        self.warm_up()
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        return self.judge_features(self._features(claims, candidates))

    def judge_features(self, x: np.ndarray) -> np.ndarray:
        self.warm_up()
        assert self._clf is not None
        return self._clf.predict_proba(x).astype(np.float32)

    @property
    def meta(self) -> dict:
        self.warm_up()
        assert self._clf is not None
        return self._clf.meta


_defaults: dict[JudgeConfig, PairJudge] = {}
_default_lock = threading.Lock()


def get_judge() -> PairJudge:
    """The process-wide judge with the shipped model and the settings in effect (`settings().judge`)."""
    cfg = settings().judge
    with _default_lock:
        if cfg not in _defaults:
            _defaults[cfg] = PairJudge(config=cfg)
        return _defaults[cfg]


__all__ = [
    "CONTRADICTS",
    "CORROBORATE_FEATURES",
    "DEFAULT_CONFIG",
    "DIM",
    "FEATURES",
    "LABELS",
    "NEITHER",
    "SUPPORTS",
    "SUPPORT_FEATURES",
    "Encoded",
    "JudgeConfig",
    "PairJudge",
    "TokenEncoder",
    "corroboration_features",
    "get_judge",
    "join",
    "pair_features",
    "support_features",
]
