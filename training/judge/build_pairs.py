"""Build the judge's training pairs: open pair data plus news pairs generated from ECB+ dev articles.

Output: `out/judge/pairs.jsonl`, one pair a line: `claim` (str), `candidate` (list of adjacent sentences, judged
as one window), `label` (supports / contradicts / neither), `source` (which generator or data set), `group`
(topic or data set, used to hold out whole topics when validating), `split` (train / val).

News pairs (ECB+ dev articles; 43 topics, two real events of one kind per topic, several articles per event):
- supports: sentences of two articles about the same event, close by the bi-encoder and checked: the claim's
  content words, names and numbers are all in the candidate and no count or date conflicts (`ecb-support`);
  a claim's first clause against the full sentence (`ecb-compress`); either inside a two-sentence window.
- contradicts: one slot of a sentence changed: a count or number, a date, weekday or month, a named actor,
  the polarity (negation or an antonym), or the claim wrapped in a denial (`ecb-swap-*`); the changed
  sentence is paired with the original and with its checked counterpart in another article.
- neither: same event, different fact (moderate cosine, `ecb-other-fact`); the other event of the same
  topic (`ecb-other-event`); a supported claim with an unsupported detail added: a clause from another
  fact or a weekday (`ecb-partial`); near pairs whose claim has names/numbers the candidate lacks
  (`ecb-detail`); a sentence about another topic (`ecb-unrelated`).
Open pair data: SNLI dev+test (minus the held-back test part), WiCE, VitaminC and MultiNLI samples
(see ../shared/train/README.md). RTE is not used (licence unstated). MSRP, FRANK and FNC-1 are never read.

    python -m training.judge.build_pairs [--seed 0] [--snli 6000]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
from collections import Counter, defaultdict

import numpy as np

from parallax.text.judge import TokenEncoder
from parallax.text.slots import counts_conflict, extract_counts
from training.judge.common import EVAL_DIR, REPO_ROOT, TRAIN_DIR, detok, encode_cached, load_jsonl, sentences

log = logging.getLogger("training.judge.build_pairs")
OUT = REPO_ROOT / "out" / "judge" / "pairs.jsonl"

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ANTONYMS = [("rose", "fell"), ("increased", "decreased"), ("won", "lost"), ("convicted", "acquitted"),
            ("approved", "rejected"), ("accepted", "rejected"), ("arrested", "released"), ("confirmed", "denied"),
            ("higher", "lower"), ("more", "fewer"), ("before", "after"), ("up", "down"), ("rise", "fall"),
            ("increase", "decrease"), ("win", "lose"), ("agreed", "refused"), ("survived", "died"),
            ("opened", "closed"), ("started", "ended"), ("began", "ended"), ("guilty", "innocent"),
            ("allowed", "banned"), ("joined", "left"), ("hired", "fired"), ("signed", "rejected"),
            ("largest", "smallest"), ("first", "last"), ("entered", "left"), ("found", "lost")]
AUX = re.compile(r"\b(is|was|are|were|has|have|had|will|would|could|can|should|did|does|do|must)\b(?! not\b)")
NEG_FIX = [(re.compile(r"\bwon't\b"), "will"), (re.compile(r"\bcan't\b"), "can"), (re.compile(r"\b(\w+)n't\b"), r"\1"),
           (re.compile(r"\b(is|was|are|were|has|have|had|will|would|could|can|should|did|does|do|must) not\b"), r"\1")]
NAME_SEQ = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")
DENIALS = ["{who} denied reports that {s}", "{who} said claims that {s} were false", "{who} dismissed reports that {s}",
           "It is not true that {s}, {who} said", "{who} rejected claims that {s}"]
WHO = ["officials", "a spokesman", "police", "the company", "a spokeswoman", "the ministry", "his lawyer"]


def _lower_first(s: str) -> str:
    s = s.rstrip(" .")
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def _words(s: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", s)} - {"the", "and", "that", "with", "for", "was", "said"}


def _names(s: str) -> set[str]:
    return {m.group(0) for m in re.finditer(r"\b[A-Z][a-z]+\b", s[1:])}


def _nums(s: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)*", s))


def _checked_support(a: str, b: str) -> bool:
    """Claim a is stated by b: its content words, names and numbers are in b; no count conflict."""
    wa, wb = _words(a), _words(b)
    if not wa or len(wa & wb) / len(wa) < 0.6:
        return False
    if _names(a) - set(re.findall(r"[A-Z][a-z]+", b)) or _nums(a) - _nums(b):
        return False
    return not any(counts_conflict(x, y) for x in extract_counts(a) for y in extract_counts(b))


# ---------------------------------------------------------------------------------------------------------
# One-slot changes (contradictions)


def swap_number(s: str, rng: random.Random) -> str | None:
    ms = [m for m in re.finditer(r"(?<![\w.$])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]*\d)", s)]
    ms = [m for m in ms if not re.fullmatch(r"(19|20)\d\d", m.group(1))]  # years: a date, handled elsewhere
    if not ms:
        return None
    m = rng.choice(ms)
    raw = m.group(1)
    val = float(raw.replace(",", ""))
    factor = rng.choice([0.5, 0.6, 0.7, 1.4, 1.5, 2.0, 3.0])
    new = val * factor if val >= 4 else val + rng.choice([2, 3, 5])
    new_s = f"{new:.1f}" if "." in raw else f"{round(new):,}" if "," in raw else str(round(new))
    if new_s == raw:
        return None
    return s[: m.start(1)] + new_s + s[m.end(1):]


def swap_date(s: str, rng: random.Random) -> str | None:
    opts = []
    for w in WEEKDAYS:
        if re.search(rf"\b{w}\b", s):
            opts.append((w, rng.choice([x for x in WEEKDAYS if x != w])))
    for mo in MONTHS:
        if re.search(rf"\b{mo}\b", s) and mo != "May":
            opts.append((mo, rng.choice([x for x in MONTHS if x != mo and x != "May"])))
    m = re.search(r"\b(?:" + "|".join(MONTHS) + r")\s+(\d{1,2})\b", s)
    if m:
        d = int(m.group(1))
        nd = rng.choice([x for x in range(1, 29) if abs(x - d) >= 2])
        return s[: m.start(1)] + str(nd) + s[m.end(1):]
    m = re.search(r"\b(19|20)(\d\d)\b", s)
    if m and not opts:
        return s[: m.start()] + str(int(m.group(0)) + rng.choice([-3, -2, -1, 1, 2])) + s[m.end():]
    if not opts:
        return None
    old, new = rng.choice(opts)
    return re.sub(rf"\b{old}\b", new, s, count=1)


def swap_name(s: str, pool: list[str], rng: random.Random) -> str | None:
    ms = [m for m in NAME_SEQ.finditer(s) if not any(w in WEEKDAYS + MONTHS for w in m.group(0).split())]
    if not ms:
        return None
    m = rng.choice(ms)
    cands = [p for p in pool if p != m.group(0) and not (set(p.split()) & set(m.group(0).split()))
             and len(p.split()) == len(m.group(0).split())]
    if not cands:
        return None
    return s[: m.start()] + rng.choice(cands) + s[m.end():]


def swap_polarity(s: str, rng: random.Random) -> str | None:
    for pat, rep in NEG_FIX:
        if pat.search(s):
            return pat.sub(rep, s, count=1)
    opts = [(a, b) for a, b in ANTONYMS if re.search(rf"\b{a}\b", s)] + \
           [(b, a) for a, b in ANTONYMS if re.search(rf"\b{b}\b", s)]
    m = AUX.search(s)
    if m and (not opts or rng.random() < 0.5):
        return s[: m.end()] + " not" + s[m.end():]
    if opts:
        a, b = rng.choice(opts)
        return re.sub(rf"\b{a}\b", b, s, count=1)
    return None


def deny(s: str, rng: random.Random) -> str:
    who = rng.choice(WHO)
    out = rng.choice(DENIALS).format(who=who, s=_lower_first(s))
    out = out[:1].upper() + out[1:]
    return out if out.endswith(".") else out + "."


# ---------------------------------------------------------------------------------------------------------


def ecb_pairs(rng: random.Random, encoder: TokenEncoder) -> list[dict]:
    arts = load_jsonl(EVAL_DIR / "clustering_ecbplus" / "dev.jsonl")
    docs = []
    for a in arts:
        sents = [s for s in [detok(a["title"]), *sentences(detok(a["text"]))] if 6 <= len(s.split()) <= 60]
        if sents:
            docs.append({"id": a["id"], "cluster": a["cluster_id"], "topic": a["topic_id"], "sents": sents})
    all_sents = sorted({s for d in docs for s in d["sents"]})
    enc = {e.text: e for e in encode_cached(encoder, all_sents, "ecb")}
    log.info("ECB+: %d docs, %d sentences", len(docs), len(all_sents))
    name_pool: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        for s in d["sents"]:
            name_pool[d["topic"]] += [m.group(0) for m in NAME_SEQ.finditer(s)]
    # Global pool too: a topic with few names still gets a plausible substitute.
    global_pool = sorted({n for v in name_pool.values() for n in v})
    for k in name_pool:
        name_pool[k] = sorted(set(name_pool[k])) or global_pool

    out: list[dict] = []

    def add(claim: str, cand: list[str], label: str, source: str, topic: str) -> None:
        out.append({"claim": claim, "candidate": cand, "label": label, "source": source, "group": topic})

    def window(doc: dict, k: int) -> list[str]:
        ss = doc["sents"]
        if k + 1 < len(ss) and (k == 0 or rng.random() < 0.5):
            return [ss[k], ss[k + 1]]
        return [ss[k - 1], ss[k]] if k > 0 else [ss[k]]

    by_topic: dict[str, list[dict]] = defaultdict(list)
    for d in docs:
        by_topic[d["topic"]].append(d)
    for topic, tdocs in sorted(by_topic.items()):
        items = [(di, k, s) for di, d in enumerate(tdocs) for k, s in enumerate(d["sents"])]
        vec = np.stack([enc[s].vec for _, _, s in items])
        sim = vec @ vec.T
        clus = [tdocs[di]["cluster"] for di, _, _ in items]
        n = len(items)
        supports_found: list[tuple[int, int]] = []
        for i in range(n):
            di, _ki, si = items[i]
            row = sim[i]
            for j in np.argsort(-row)[:40]:
                j = int(j)
                dj, kj, sj = items[j]
                if dj == di:
                    continue
                same_event = clus[i] == clus[j]
                c = float(row[j])
                if same_event and c >= 0.75:
                    if si == sj or c > 0.97:
                        if rng.random() < 0.1:
                            add(si, [sj] if rng.random() < 0.5 else window(tdocs[dj], kj), "supports",
                                "ecb-copy", topic)
                        continue
                    if _checked_support(si, sj):
                        supports_found.append((i, j))
                        add(si, [sj] if rng.random() < 0.6 else window(tdocs[dj], kj), "supports",
                            "ecb-support", topic)
                    elif ((_names(si) - set(re.findall(r"[A-Z][a-z]+", sj))) or (_nums(si) - _nums(sj))) \
                            and rng.random() < 0.5:
                        add(si, [sj], "neither", "ecb-detail", topic)
            # same event, another fact; the other event of the topic
            others = [j for j in range(n) if items[j][0] != di]
            for j in rng.sample(others, min(len(others), 3)):
                c = float(row[j])
                if clus[i] == clus[j] and 0.2 <= c <= 0.55 and rng.random() < 0.5:
                    add(si, [items[j][2]], "neither", "ecb-other-fact", topic)
                elif clus[i] != clus[j] and 0.35 <= c <= 0.75 and rng.random() < 0.5:
                    add(si, [items[j][2]], "neither", "ecb-other-event", topic)
        # Contradictions and partial claims, built on the checked support pairs and on single sentences.
        rng.shuffle(supports_found)
        for i, j in supports_found[:150]:
            (di, _ki, si), (dj, kj, sj) = items[i], items[j]
            pool = name_pool[topic]
            for kind, fn in (("number", lambda s: swap_number(s, rng)), ("date", lambda s: swap_date(s, rng)),
                             ("name", lambda s, pool=pool: swap_name(s, pool, rng)),
                             ("polarity", lambda s: swap_polarity(s, rng))):
                changed = fn(si)
                # Every slot of si is in sj (checked), so changing one of si's contradicts sj.
                if changed and changed != si:
                    cand = [sj] if rng.random() < 0.6 else window(tdocs[dj], kj)
                    add(changed, cand, "contradicts", f"ecb-swap-{kind}", topic)
            if rng.random() < 0.3:
                add(si, [deny(sj, rng)], "contradicts", "ecb-swap-deny", topic)
            # partial: a supported claim with an unsupported detail
            extra = [t for t in range(n) if clus[t] == clus[i] and sim[t, j] < 0.45 and items[t][0] != dj]
            if extra and rng.random() < 0.7:
                t = items[rng.choice(extra)][2]
                claim = si.rstrip(" .") + (", and " if rng.random() < 0.5 else "; ") + _lower_first(t) + "."
                add(claim, [sj] if rng.random() < 0.5 else window(tdocs[dj], kj), "neither", "ecb-partial", topic)
            elif not re.search("|".join(WEEKDAYS), si + sj):
                claim = si.rstrip(" .") + f" on {rng.choice(WEEKDAYS)}."
                add(claim, [sj], "neither", "ecb-partial", topic)
        # single-sentence changes (original vs changed; both directions)
        for _di, _k, s in rng.sample(items, min(len(items), 60)):
            kinds = [("number", swap_number(s, rng)), ("date", swap_date(s, rng)),
                     ("name", swap_name(s, name_pool[topic], rng)), ("polarity", swap_polarity(s, rng))]
            kinds = [(k, c) for k, c in kinds if c and c != s]
            if kinds:
                k, c = rng.choice(kinds)
                add(c, [s], "contradicts", f"ecb-swap-{k}", topic) if rng.random() < 0.5 else \
                    add(s, [c], "contradicts", f"ecb-swap-{k}", topic)
            # compression: the first clause of a sentence is supported by the sentence
            parts = re.split(r",\s+(?:and |but |while |who |which |as |after |according )?", s)
            if len(parts) > 1 and len(parts[0].split()) >= 6 and rng.random() < 0.5:
                add(parts[0].rstrip(" ,") + ".", [s], "supports", "ecb-compress", topic)
            if rng.random() < 0.15:
                add(s, [s], "supports", "ecb-copy", topic)
    # Unrelated news (another topic): neither. SNLI's contradictions are often unrelated scenes; in news a
    # sentence about something else says nothing about the claim.
    urng = random.Random(f"unrelated-{len(out)}")  # its own stream: the other generators' draws stay put
    topics = sorted(by_topic)
    for topic in topics:
        mine = [s for d in by_topic[topic] for s in d["sents"]]
        other = [s for t in topics if t != topic for d in by_topic[t] for s in d["sents"]]
        for s in urng.sample(mine, min(len(mine), 80)):
            add(s, [urng.choice(other)], "neither", "ecb-unrelated", topic)
    return out


def open_pairs(rng: random.Random, n_snli: int) -> list[dict]:
    out = []
    label_map = {"support": "supports", "contradict": "contradicts", "neutral": "neither", "not_support": "neither"}
    snli = load_jsonl(TRAIN_DIR / "snli" / "train.jsonl")
    rng.shuffle(snli)
    for folder, rows in (("snli", snli[:n_snli]), ("wice", load_jsonl(TRAIN_DIR / "wice" / "train.jsonl")),
                         ("vitaminc", load_jsonl(TRAIN_DIR / "vitaminc_sample" / "train.jsonl")),
                         ("mnli", load_jsonl(TRAIN_DIR / "mnli_sample" / "train.jsonl"))):
        for r in rows:
            prem = r["premise"].strip()
            cand = sentences(prem) if folder == "wice" else [prem]
            out.append({"claim": r["hypothesis"].strip(), "candidate": (cand or [prem])[:6], "label": label_map[r["label"]],
                        "source": folder, "group": folder})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--snli", type=int, default=6000, help="SNLI pairs to use (of 17,666)")
    ap.add_argument("--val-topics", type=float, default=0.2, help="share of ECB+ topics held out for validation")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rng = random.Random(args.seed)
    encoder = TokenEncoder(max_items=1_000_000)
    pairs = ecb_pairs(rng, encoder) + open_pairs(rng, args.snli)
    topics = sorted({p["group"] for p in pairs if p["group"].startswith("ecbplus")})
    val = set(random.Random(args.seed + 1).sample(topics, round(len(topics) * args.val_topics)))
    for p in pairs:
        p["split"] = "val" if p["group"] in val else "train"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    stats = Counter((p["source"], p["label"]) for p in pairs)
    for k, v in sorted(stats.items()):
        log.info("%-22s %-12s %6d", *k, v)
    log.info("wrote %d pairs to %s (%d val topics)", len(pairs), OUT, len(val))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
