"""Convert the bench.crosscheck clusters (bench/data/crosscheck/*) into cluster-bank clusters (bench/data/bank/*).

The bank format is ../shared/clusters/FORMAT.md: ``<cluster>/pages/`` plus ``<cluster>/gold.json``. The pages are
not copied: ``bench/data/bank/<name>/pages`` is a relative symlink to ``bench/data/crosscheck/<name>`` (one copy of
each page; the crosscheck gold.json beside them is not a page record, so both the reader and the checker skip it).

Mapping (crosscheck gold -> bank gold):

* one story ``A`` holding every page, headline = the cluster's ``title``;
* ``role`` kept (``rewrite`` becomes ``partisan_rewrite`` when the page has planted loaded phrases), ``of`` ->
  ``derives_from``;
* ``facts[].statements`` -> ``mentions`` (``about`` -> ``claim``); every string becomes the page's own spelling of
  it (the crosscheck gold matches ignoring case, quotes and white space; the bank's checker matches exactly);
* ``disputes`` -> ``disputes`` (sides' ``statements`` -> ``mentions``; ``kind`` and ``values`` kept as extra keys);
* ``non_disputes`` -> one ``not_disputes`` entry per pair of sides, ``a``/``b`` the first statement of each side
  on an original page (else the first), with the side's ``value``;
* ``loaded`` -> ``{page, text: phrase, terms: [phrase]}``, ``neutral`` -> ``{page, text, phrases: [text]}``;
* ``noise`` -> ``{page: {"remove": [...], "keep": []}}``.

    python tools/convert_crosscheck_gold.py [--check]   # --check: fail if a converted gold.json is out of date
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.crosscheck import DATA_ROOT, clusters_in, find_spans, load_gold, page_texts  # noqa: E402

BANK_ROOT = REPO_ROOT / "bench" / "data" / "bank"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def exact(texts: dict[str, str], page: str, sub: str) -> str:
    """``sub`` as the page spells it (first occurrence), white space collapsed."""
    spans = find_spans(texts.get(page, ""), sub)
    if not spans:
        raise ValueError(f"{sub!r} not found in {page}")
    s, e = spans[0]
    return _squash(texts[page][s:e])


def convert(cluster: Path) -> dict[str, Any]:
    old = load_gold(cluster)
    texts = page_texts(cluster)
    loaded_pages = {item["page"] for item in old.get("loaded", [])}

    def mentions(statements: dict[str, list[str]]) -> list[dict[str, str]]:
        return [{"page": p, "text": exact(texts, p, s)} for p, subs in statements.items() for s in subs]

    pages = {}
    for pid, info in old["pages"].items():
        role = info.get("role")
        if role == "rewrite" and pid in loaded_pages:
            role = "partisan_rewrite"
        pages[pid] = {"outlet": info.get("outlet"), "role": role, "derives_from": info.get("of")}
        if info.get("note"):
            pages[pid]["note"] = info["note"]
    facts = [{"id": f["id"], "story": "A", "claim": f.get("about", ""), "mentions": mentions(f["statements"])}
             for f in old["facts"]]
    disputes = []
    for d in old.get("disputes", []):
        sides = []
        for side in d["sides"]:
            new = {"value": side["value"], "mentions": mentions(side["statements"])}
            if side.get("values"):
                new["values"] = side["values"]
            sides.append(new)
        disputes.append({"id": d["id"], "story": "A", "about": d.get("about", ""), "kind": d.get("kind"),
                         "sides": sides})
    not_disputes = []
    for n in old.get("non_disputes", []):
        ends = []
        for side in n["sides"]:
            items = [(p, s) for p, subs in side["statements"].items() for s in subs]
            originals = [it for it in items if not old["pages"][it[0]].get("of")]
            page, sub = (originals or items)[0]
            ends.append({"page": page, "text": exact(texts, page, sub), "value": side["value"]})
        for k, (a, b) in enumerate(combinations(ends, 2)):
            not_disputes.append({"id": n["id"] if len(ends) == 2 else f"{n['id']}-{k + 1}", "kind": n["kind"],
                                 "note": n.get("about", ""), "a": a, "b": b})
    loaded = [{"page": m["page"], "text": exact(texts, m["page"], m["text"]),
               "terms": [exact(texts, m["page"], m["text"])]} for m in old.get("loaded", [])]
    neutral = [{"page": m["page"], "text": exact(texts, m["page"], m["text"]),
                "phrases": [exact(texts, m["page"], m["text"])]} for m in old.get("neutral", [])]
    noise: dict[str, dict[str, list[str]]] = {}
    for m in old.get("noise", []):
        noise.setdefault(m["page"], {"remove": [], "keep": []})["remove"].append(exact(texts, m["page"], m["contains"]))
    return {
        "id": old.get("cluster", cluster.name),
        "register": "converted from bench.crosscheck",
        "stories": [{"id": "A", "headline": old.get("title", ""), "pages": sorted(pages)}],
        "pages": pages, "facts": facts, "partial": [], "disputes": disputes, "not_disputes": not_disputes,
        "loaded": loaded, "neutral": neutral, "noise": noise, "speakers": [],
    }


def write(cluster: Path, root: Path = BANK_ROOT, check: bool = False) -> bool:
    """Write (or with ``check`` compare) one converted cluster; True when the file on disk is current."""
    target = root / cluster.name
    text = json.dumps(convert(cluster), indent=1, ensure_ascii=False) + "\n"
    gold = target / "gold.json"
    current = gold.exists() and gold.read_text(encoding="utf-8") == text
    if check:
        return current
    target.mkdir(parents=True, exist_ok=True)
    link = target / "pages"
    if not link.is_symlink():
        link.symlink_to(os.path.relpath(cluster, target))
    gold.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the converted gold is current")
    args = parser.parse_args(argv)
    stale = [c.name for c in clusters_in(DATA_ROOT) if not write(c, check=args.check)]
    if stale:
        print("out of date: " + ", ".join(stale) + " (run python tools/convert_crosscheck_gold.py)")
        return 1
    print(f"{len(clusters_in(DATA_ROOT))} clusters {'current' if args.check else 'written'} under {BANK_ROOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
