"""Loaded language on BABE (SG2 expert labels): sentence macro-F1 (Biased vs Non-biased) and word-level P/R/F1.

Parallax's detector is trained on these very sentences (BABE SG2 dev), so its headline figure is
**out of fold**: 5 folds (stratified by label, grouped by the data's split key), the heads refitted on four
with ``training.loaded.train.fit_heads`` (plus the recipe's bank examples, ``train.recipe_extra``, always on
the training side) and the fifth scored through the product's own code path
(``parallax.stages.loaded.Detector(LoadedConfig(), heads=fold_heads).analyse_many``: encoder, attribution spans,
lexicon, both heads, ``LoadedConfig.threshold``). A sentence is predicted Biased when the result is
``loaded`` (exactly when ``flag_sentence`` returns terms). Word level: the words the detector lists
(the outlet's terms and the attributed ones) against the annotators' ``biased_words``, micro over
sentences. Peers in the same run: the majority class, the lexicon-only detector on today's lexicon, the
pre-issue-12 detector (lexicon + hand weights, read from git at ``OLD_REV``), and the shipped model scored
on the same sentences it was trained on (in-sample, for reference only).

    PYTHONPATH=src python -m bench.loaded [--data FILE.jsonl] [--subset BABE_SG2] [--folds 5] [--repeats 1] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import _parallax as px
from bench import common, metrics

NAME = "loaded"
FOLDER = "media_bias_babe"
COLUMNS = ("macro_f1", "macro_f1_std", "precision", "recall", "f1", "accuracy", "word_precision", "word_recall",
           "word_f1", "sentences", "sent_per_s")
LABELS = ("Biased", "Non-biased")
#: The last commit with the hand-weighted lexicon detector (the peer "pre-issue-12").
OLD_REV = "ad19401"
_W = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def _words(terms: list[str]) -> set[str]:
    return {w.lower() for t in terms if not t.startswith(("scare quotes:", "all caps:")) for w in _W.findall(t)}


def _word_prf(items: list[dict[str, Any]], term_lists: list[list[str]]) -> dict[str, float]:
    hit = pred = gold = 0
    for it, terms in zip(items, term_lists, strict=True):
        found, want = _words(terms), {w.lower() for w in it.get("biased_words") or []}
        hit += len(found & want)
        pred += len(found)
        gold += len(want)
    p = hit / pred if pred else 0.0
    r = hit / gold if gold else 0.0
    return {"word_precision": p, "word_recall": r, "word_f1": 2 * p * r / (p + r) if p + r else 0.0}


def _sentence_scores(gold: list[str], loaded_flags: list[bool]) -> dict[str, float]:
    pred = ["Biased" if f else "Non-biased" for f in loaded_flags]
    binary = metrics.binary_prf([g == "Biased" for g in gold], loaded_flags)
    return {"macro_f1": metrics.macro_f1(gold, pred, LABELS), **binary}


def _peer(system: str, items: list[dict[str, Any]], fn: Any) -> dict[str, Any]:
    gold = [it["label_bias"] for it in items]
    t0 = time.perf_counter()
    terms = [list(fn(it["text"])) for it in items]
    secs = time.perf_counter() - t0
    return {"system": system, **_sentence_scores(gold, [bool(t) for t in terms]), **_word_prf(items, terms),
            "sentences": len(items), "sent_per_s": len(items) / secs if secs else 0.0}


def _old_detector() -> Any:
    """The pre-issue-12 ``flag_sentence`` (lexicon + hand weights), loaded from git at OLD_REV."""
    root = common.REPO_ROOT
    code = subprocess.run(["git", "-C", str(root), "show", f"{OLD_REV}:src/parallax/loaded.py"],
                          capture_output=True, text=True, check=True).stdout
    lexicon = subprocess.run(["git", "-C", str(root), "show", f"{OLD_REV}:src/parallax/data/loaded_terms.txt"],
                             capture_output=True, text=True, check=True).stdout
    tmp = Path(tempfile.mkdtemp(prefix="parallax-old-loaded-"))
    (tmp / "old_loaded.py").write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_loaded", tmp / "old_loaded.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["old_loaded"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    lex = mod._parse_lexicon(lexicon)
    mod._lexicon = lambda: lex  # its lexicon as of OLD_REV, not today's file
    return mod.flag_sentence


def _cross_validated(items: list[dict[str, Any]], k: int, repeats: int = 1) -> dict[str, Any]:
    """Out-of-fold figures through the product path, heads refitted per fold by the training recipe.

    With ``repeats`` > 1 the k-fold split is redrawn (seeds 0, 1, …): the mean and spread are over all
    folds of all repeats, the other figures pooled over the repeats' out-of-fold predictions.
    """
    root = str(common.REPO_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    from training.loaded import train

    loaded = px._module("stages.loaded")
    cfg = loaded.DEFAULT_CONFIG
    t0 = time.perf_counter()
    feats = loaded.featurize([it["text"] for it in items], False, cfg)
    t_feat = time.perf_counter() - t0
    y = np.array([it["label_bias"] == "Biased" for it in items], np.int64)
    yw = train.word_labels(feats, items)
    extra = train.recipe_extra(cfg)  # the recipe's bank examples, always on the training side of a fold
    gold = [it["label_bias"] for it in items]
    fold_rows: list[dict[str, Any]] = []
    repeat_means: list[float] = []
    all_gold: list[str] = []
    all_flags: list[bool] = []
    all_items: list[dict[str, Any]] = []
    all_terms: list[list[str]] = []
    t_product = 0.0
    for seed in range(repeats):
        flags, terms = [False] * len(items), [[] for _ in items]
        start = len(fold_rows)
        for tr, te in train.folds(items, y, k, seed):
            heads = train.fit_heads(feats, y, yw, tr, cfg, seed=seed, extra=extra)
            det = loaded.Detector(cfg, heads=heads)  # the product's detector with this fold's heads
            t1 = time.perf_counter()
            res = det.analyse_many([items[i]["text"] for i in te], "body")
            t_product += time.perf_counter() - t1
            for i, r in zip(te, res, strict=True):
                flags[i] = r.loaded
                terms[i] = [t.text for t in (*r.terms, *r.attributed)]
            fold_items = [items[i] for i in te]
            fold_rows.append({"seed": seed,
                              **_sentence_scores([it["label_bias"] for it in fold_items], [flags[i] for i in te]),
                              **_word_prf(fold_items, [terms[i] for i in te])})
        repeat_means.append(float(np.mean([f["macro_f1"] for f in fold_rows[start:]])))
        all_gold += gold
        all_flags += flags
        all_items += items
        all_terms += terms
    f1s = np.array([f["macro_f1"] for f in fold_rows])
    wf1 = np.array([f["word_f1"] for f in fold_rows])
    pooled = _sentence_scores(all_gold, all_flags)
    label = f"parallax ({k}-fold CV" + (f" x {repeats}" if repeats > 1 else "") + ", out of fold)"
    return {"system": label, "macro_f1": float(f1s.mean()),
            "macro_f1_std": float(f1s.std()), "macro_f1_min": float(f1s.min()), "macro_f1_max": float(f1s.max()),
            "repeat_means": repeat_means, "pooled_macro_f1": pooled["macro_f1"],
            **{k2: v for k2, v in pooled.items() if k2 != "macro_f1"},
            **_word_prf(all_items, all_terms), "word_f1_fold_mean": float(wf1.mean()),
            "word_f1_fold_std": float(wf1.std()),
            "folds": [{k2: round(v, 4) for k2, v in f.items()} for f in fold_rows],
            "sentences": len(items), "sent_per_s": len(items) * repeats / t_product if t_product else 0.0,
            "feature_seconds": t_feat, "threads": px._module("text.encoder").default_threads()}


# --- planted phrases on our own fictional clusters (measurement only: nothing is fitted on them) ----------


def _phrase_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    from bench.crosscheck import find_spans

    return find_spans(text, phrase)


def _overlaps(a: int, z: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < z and a < e for s, e in spans)


def _raw_sentence(raw: str, phrase: str) -> tuple[str, str] | None:
    """The sentence (or title-like line) of the page as written that holds ``phrase``, and where it reads:
    "headline" for a short line without a full stop, else "body". Diagnostic, independent of cleaning."""
    split_text = px.get("stages.split", "split_text")
    for line in raw.splitlines():
        spans = _phrase_spans(line, phrase)
        if not spans:
            continue
        a, z = spans[0]
        stripped = line.strip()
        if len(stripped.split()) <= 16 and not stripped.endswith((".", "”", '"')):
            return stripped, "headline"
        parts = [s for s in split_text(line) if s.start < z and a < s.end]
        if parts:
            return line[parts[0].start : parts[-1].end], "body"
        return stripped, "body"
    return None


def crosscheck_phrases(root: Path, clusters: list[str] | None = None, details: bool = False) -> dict[str, Any]:
    """Planted ``loaded`` and ``neutral`` phrases of ``bench/data/crosscheck/*/gold.json`` against the product.

    Each cluster runs as the product runs (``brief_paths([dir], single_story=True, length="full")``); a phrase
    counts as **flagged** when one of the story's ``loaded_language`` flags for its page covers it (a body flag
    overlapping it in the cleaned text, or a headline flag on a title holding it). ``lost``: the phrase is in
    neither the cleaned text nor the title (cleaning dropped or changed it). ``raw``: the detector alone on the
    page's sentence as written (independent of cleaning), flagged or not. No threshold or weight is fitted on
    these pages; they only measure.
    """
    from bench.crosscheck import page_texts

    brief_paths = px.get("pipeline", "brief_paths")
    analyse = px.get("stages.loaded", "analyse")
    dirs = sorted(p for p in root.iterdir() if p.is_dir() and (p / "gold.json").exists())
    if clusters:
        dirs = [d for d in dirs if d.name in clusters]
    rows: list[dict[str, Any]] = []
    missed: list[str] = []
    false_flags: list[str] = []
    t0 = time.perf_counter()
    for d in dirs:
        gold = json.loads((d / "gold.json").read_text(encoding="utf-8"))
        brief = brief_paths([str(d)], single_story=True, length="full")
        arts = {a.id: a for a in brief.articles}
        flags = [f for s in brief.stories for f in s.loaded_language]
        raws = page_texts(d)
        row = {"cluster": d.name}
        for kind in ("loaded", "neutral"):
            n = flagged = lost = raw_flagged = 0
            for item in gold.get(kind, []):
                page, phrase = item["page"], item["text"]
                art = arts.get(page)
                n += 1
                hit = False
                found = False
                if art is not None:
                    body = _phrase_spans(art.text, phrase)
                    title = _phrase_spans(art.title or "", phrase)
                    found = bool(body or title)
                    for f in flags:
                        if f.article != page:
                            continue
                        if (f.where == "headline" and title) or (
                                f.where == "body" and _overlaps(f.start, f.end, body)):
                            hit = True
                lost += not found
                flagged += hit
                raw = _raw_sentence(raws.get(page, ""), phrase)
                raw_hit = bool(raw) and analyse(raw[0], raw[1]).loaded
                raw_flagged += raw_hit
                if kind == "loaded" and not hit:
                    missed.append(f"{page}: {phrase!r} ({'lost' if not found else 'not flagged'}; "
                                  f"raw {'flagged' if raw_hit else 'not flagged'}"
                                  + (f", score {analyse(raw[0], raw[1]).score:.2f}" if raw else "") + ")")
                if kind == "neutral" and (hit or raw_hit):
                    false_flags.append(f"{page}: {phrase!r} ({'product' if hit else 'raw sentence'})")
            row[f"{kind}"] = n
            row[f"{kind}_flagged"] = flagged
            row[f"{kind}_lost"] = lost
            row[f"{kind}_raw_flagged"] = raw_flagged
        rows.append(row)
    total = {"cluster": "all"}
    for key in rows[0] if rows else []:
        if key != "cluster":
            total[key] = sum(r[key] for r in rows)
    return {"rows": [*rows, total], "missed": missed, "false_flags": false_flags,
            "seconds": time.perf_counter() - t0}


XC_COLUMNS = ("cluster", "loaded", "loaded_flagged", "loaded_lost", "loaded_raw_flagged", "neutral",
              "neutral_flagged", "neutral_raw_flagged")


def run_crosscheck_phrases(args: Any) -> int:
    root = Path(args.crosscheck_data)
    out = crosscheck_phrases(root, args.clusters.split(",") if args.clusters else None)
    common.print_table(f"bench.loaded --crosscheck-phrases — planted phrases in {root} (product path, "
                       f"{out['seconds']:.0f}s)", out["rows"], XC_COLUMNS)
    if args.details:
        for line in out["missed"]:
            print("  missed:", line)
        for line in out["false_flags"]:
            print("  neutral flagged:", line)
    common.write_json(args.json, NAME, root, out["rows"], missed=out["missed"], false_flags=out["false_flags"])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = common.make_parser(NAME, __doc__.splitlines()[0], FOLDER)
    parser.add_argument("--subset", default="BABE_SG2", help="subset to score (default: %(default)s)")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="redraw the folds this many times (seeds 0..N-1; default: %(default)s)")
    parser.add_argument("--no-in-sample", action="store_true", help="skip the shipped model's in-sample row")
    parser.add_argument("--crosscheck-phrases", action="store_true",
                        help="instead: planted loaded/neutral phrases of our fictional cross-check clusters")
    parser.add_argument("--crosscheck-data", default=str(common.REPO_ROOT / "bench" / "data" / "crosscheck"),
                        help="folder of cross-check clusters (default: %(default)s)")
    parser.add_argument("--clusters", default="", help="with --crosscheck-phrases: only these clusters (a,b)")
    parser.add_argument("--details", action="store_true", help="with --crosscheck-phrases: list misses")
    args = common.parse(parser, argv)
    if args.crosscheck_phrases:
        return run_crosscheck_phrases(args)
    if common.skip_if_absent(args.data):
        return 0
    data = Path(args.data)
    rows = [r for r in common.load_jsonl(data)
            if r.get("label_bias") in LABELS and r.get("subset") == args.subset and r.get("split", "dev") == "dev"]
    items = common.pick(args, rows, quick_n=600)
    gold = [it["label_bias"] for it in items]
    results: list[dict[str, Any]] = []
    try:
        px.check(("stages.loaded", "Detector"))
        results.append(_cross_validated(items, args.folds, args.repeats))
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax (CV)", str(exc)))
    if not args.no_in_sample:
        try:
            analyse_many = px.get("stages.loaded", "analyse_many")
            t0 = time.perf_counter()
            res = analyse_many([it["text"] for it in items], "body")
            secs = time.perf_counter() - t0
            terms = [[t.text for t in (*r.terms, *r.attributed)] for r in res]
            results.append({"system": "parallax shipped model (in-sample: trained on these)",
                            **_sentence_scores(gold, [r.loaded for r in res]), **_word_prf(items, terms),
                            "sentences": len(items), "sent_per_s": len(items) / secs if secs else 0.0})
        except px.Unavailable as exc:
            results.append(common.unavailable("parallax shipped model", str(exc)))
    try:
        results.append(_peer("lexicon only (today's lexicon)", items, px.get("stages.loaded", "lexicon_terms")))
    except px.Unavailable as exc:
        results.append(common.unavailable("lexicon only", str(exc)))
    try:
        results.append(_peer(f"pre-issue-12 detector (git {OLD_REV})", items, _old_detector()))
    except (subprocess.CalledProcessError, FileNotFoundError, AttributeError) as exc:
        results.append(common.unavailable("pre-issue-12 detector", f"{type(exc).__name__}: {exc}"))
    majority = max(LABELS, key=gold.count)
    results.append({"system": "majority class", **_sentence_scores(gold, [majority == "Biased"] * len(gold)),
                    "sentences": len(items)})
    common.print_table(f"bench.loaded — {args.subset}: {len(items)} sentences from {data}", results, COLUMNS)
    common.write_json(args.json, NAME, data, [common.rounded(r) for r in results], subset=args.subset,
                      folds=args.folds, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
