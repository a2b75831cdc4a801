"""Multi-document summaries: ROUGE-1/2/Lsum (rouge-score, stemmed) and the share of brief sentences traceable
to their cited sources.

By default runs the dev files of mds_multinews_longbench and mds_allsides_neus; ``--data FILE`` runs one file of
the same format. Word budget for every system = the reference summary's word count (oracle length, as in the eval
READMEs' lead baseline). Two protocols, each printed as its own table:

* **whole** (the product's rule, and the headline comparison): every system prints whole sentences up to the
  budget — Parallax gets it as ``max_words`` (its facts are whole sentences or attributed clause cuts; any that
  would pass the budget are dropped the same way), the peers (lead round-robin, LexRank, TextRank via sumy) keep
  whole sentences while they fit (``peers.whole_sentences``);
* **cut** (the eval READMEs' lead baseline): the peers fill the budget exactly, the last sentence cut mid-way;
  Parallax as under "whole" (it never cuts a sentence).

    .venv/bin/python -m bench.summary [--data FILE.jsonl] [--json OUT] [--quick] [--limit N]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common, metrics, peers

NAME = "summary"
FOLDERS = ("mds_multinews_longbench", "mds_allsides_neus")
COLUMNS = ("rouge1", "rouge2", "rougelsum", "traceable", "loaded", "words", "clusters", "errors", "seconds")
_W = re.compile(r"\w+")
PROTOCOLS = ("whole", "cut")
PROTOCOL_NOTE = {"whole": "whole sentences up to the budget, every system",
                 "cut": "peers fill the budget, last sentence cut; Parallax as under whole"}


def _records(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": d.get("doc_id") or f"{item['id']}-{i}", "source": d.get("outlet"), "title": d.get("title"),
             "published": item.get("date"), "url": d.get("url"), "text": d.get("text") or ""}
            for i, d in enumerate(item["documents"])]


def _refs(items: list[dict[str, Any]]) -> list[str]:
    """References with one sentence per line (needed by ROUGE-Lsum)."""
    return ["\n".join(peers.sentences(it["summary"])) for it in items]


def run_parallax(items: list[dict[str, Any]], budgets: list[int]) -> dict[str, Any]:
    """The product's briefs (``brief_records``, one story, ``max_words`` = budget) scored against the
    references; ``traceable`` = share of facts whose words are all in one cited source; ``loaded`` = share of
    the brief's fact sentences whose loaded-language score is at or above the detector's threshold
    (``stages.loaded.analyse``, the product's detector and threshold)."""
    analyse_many = px.get("stages.loaded", "analyse_many")
    outputs: list[str] = []
    facts_total = facts_traceable = errors = 0
    brief_sentences: list[str] = []
    first = ""
    with common.Timer() as timer:
        for item, budget in zip(items, budgets, strict=True):
            try:
                brief = px.brief_records(_records(item), max_words=budget, single_story=True)
            except Exception as exc:
                errors += 1
                first = first or f"{type(exc).__name__}: {exc}"[:200]
                outputs.append("")
                continue
            texts = {a.id: a.text for a in brief.articles}
            lines = []
            for story in brief.stories:
                for fact in story.facts:
                    lines.extend(peers.sentences(fact.text) or [fact.text])
                    brief_sentences.append(fact.text)
                    facts_total += 1
                    facts_traceable += metrics.traceable(fact.text, [texts.get(s, "") for s in fact.sources])
            outputs.append("\n".join(peers.whole_sentences(lines, budget)))
    loaded = sum(r.loaded for r in analyse_many(brief_sentences)) if brief_sentences else 0
    row = {"system": "parallax", **metrics.rouge(_refs(items), outputs),
           "traceable": facts_traceable / facts_total if facts_total else 0.0, "facts": facts_total,
           "loaded": loaded / len(brief_sentences) if brief_sentences else 0.0, "loaded_sentences": loaded,
           "words": sum(len(o.split()) for o in outputs) / len(outputs) if outputs else 0.0,
           "clusters": len(items), "errors": errors, "seconds": timer.seconds}
    if first:
        row["first_error"] = first
    return row


def run_peer(name: str, items: list[dict[str, Any]], budgets: list[int], split_docs: list[list[list[str]]],
             protocol: str = "whole") -> dict[str, Any]:
    outputs = []
    with common.Timer() as timer:
        for docs, budget in zip(split_docs, budgets, strict=True):
            if name == "lead":
                chosen = peers.lead_round_robin(docs, budget, protocol)
            else:
                chosen = peers.sumy_rank(name, docs, budget, protocol)
            outputs.append("\n".join(chosen))
    # the same loaded-language measure as Parallax's (the peers' sentences, as cut to the budget)
    sentences = [line for out in outputs for line in out.split("\n") if line.strip()]
    loaded = sum(r.loaded for r in px.get("stages.loaded", "analyse_many")(sentences)) if sentences else 0
    return {"system": name, "protocol": protocol, **metrics.rouge(_refs(items), outputs),
            "loaded": loaded / len(sentences) if sentences else 0.0, "loaded_sentences": loaded,
            "words": sum(len(o.split()) for o in outputs) / len(outputs) if outputs else 0.0,
            "clusters": len(items), "seconds": timer.seconds}


def run_file(data: Path, args: Any) -> list[dict[str, Any]]:
    quick_n = 30 if "multinews" in data.resolve().parent.name else 150
    items = common.pick(args, common.load_jsonl(data), quick_n=quick_n)
    budgets = [max(1, len(it["summary"].split())) for it in items]
    results: list[dict[str, Any]] = []
    try:
        px.check(("pipeline", "brief_records"))
        results.append(run_parallax(items, budgets))
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))
    results[0]["protocol"] = "whole"
    split_docs = [[peers.sentences(d.get("text") or "") for d in it["documents"]] for it in items]
    for protocol in PROTOCOLS:
        for name in ("lead", "lexrank", "textrank"):
            results.append(run_peer(name, items, budgets, split_docs, protocol))
    dataset = data.resolve().parent.name
    for row in results:
        row["dataset"] = dataset
    for protocol in PROTOCOLS:
        rows = [r for r in results if r.get("protocol") == protocol or (r["system"] == "parallax" and protocol == "cut")]
        common.print_table(f"bench.summary — {dataset}: {len(items)} clusters from {data} "
                           f"(budget = reference length, mean {sum(budgets) / max(1, len(budgets)):.0f} words; "
                           f"protocol: {PROTOCOL_NOTE[protocol]})", rows, COLUMNS)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = common.make_parser(NAME, __doc__.splitlines()[0], None)
    args = common.parse(parser, argv)
    return common.run_folders(NAME, args, FOLDERS, run_file, budget="reference summary word count")


if __name__ == "__main__":
    sys.exit(main())
