"""Training examples for the loaded-language heads from the cluster bank's ``loaded`` / ``neutral`` gold.

The bank (``../shared/clusters`` and ``bench/data/bank``, format ``../shared/clusters/FORMAT.md``) marks, per page,
loaded terms in an outlet's own voice (``loaded``: sentence + terms) and plain phrases a naive list might flag
(``neutral``). Each page is read and cleaned by the product (``parallax.stages.read.read_paths`` +
``parallax.pipeline.prepare``), and each of its units — the title (read as a headline), the body's sub-headings
(headline) and its sentences (body) — becomes one example:

* **positive** (label 1): a unit holding a gold loaded term; its word labels are 1 on the words inside the gold
  terms' occurrences and 0 elsewhere;
* **negative** (label 0): a unit holding a gold neutral phrase and no loaded term; and every unit of a page that
  has no gold loaded terms at all when the page's role is a plain report (wire, reprint, copy, rewrite,
  independent, followup, liveblog, aggregator, translation) — written to report, not to frame;
* other units of pages with loaded gold (partisan rewrites, opinion) are left out: their gold is not meant to be
  exhaustive, so they are neither positive nor negative.

The held-out clusters of ``bench/data/bank/splits.json`` are never read (``dev_clusters``). Nothing is written
to the repository: the examples are built in memory (or dumped to a path outside it with ``--out``); the bank's
text never enters the repository, only the heads fitted on it.

    python -m training.loaded.bank_data [--out /tmp/bank_examples.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT / "src") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "src"))

SHARED_BANK = REPO_ROOT.parent / "shared" / "clusters"
OWN_BANK = REPO_ROOT / "bench" / "data" / "bank"
SPLITS = OWN_BANK / "splits.json"
PLAIN_ROLES = frozenset({"wire", "reprint", "copy", "rewrite", "independent", "followup", "liveblog", "aggregator",
                         "translation"})

_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
                       "\u00a0": " "})


@dataclass
class Example:
    """One unit of a bank page with its labels."""

    cluster: str
    page: str
    where: str  # "body" | "headline"
    text: str
    label: int  # 1 loaded (the outlet's own voice), 0 neutral
    loaded_terms: list[str] = field(default_factory=list)  # gold loaded terms in the unit
    neutral_phrases: list[str] = field(default_factory=list)  # gold neutral phrases in the unit
    term_spans: list[tuple[int, int]] = field(default_factory=list)  # offsets of the gold loaded terms

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "page": self.page, "where": self.where, "text": self.text,
                "label": self.label, "loaded_terms": self.loaded_terms, "neutral_phrases": self.neutral_phrases,
                "term_spans": self.term_spans}


def fold(text: str) -> str:
    """Lower-cased with quote and dash styles folded; same length as ``text`` (offsets stay valid)."""
    return text.translate(_FOLD).lower()


def find_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where ``phrase`` occurs in ``text`` ignoring case, quote/dash style and runs of white space."""
    words = fold(phrase).split()
    if not words:
        return []
    rx = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in rx.finditer(fold(text))]


def heldout_names() -> set[str]:
    if SPLITS.exists():
        return set(json.loads(SPLITS.read_text(encoding="utf-8")).get("heldout", []))
    return set()


def dev_clusters(roots: tuple[Path, ...] = (SHARED_BANK, OWN_BANK)) -> list[Path]:
    """The bank's development clusters (every cluster folder with a gold.json, the held-out ones left out)."""
    held = heldout_names()
    out: list[Path] = []
    for root in roots:
        if root.is_dir():
            out += [p for p in sorted(root.iterdir()) if (p / "gold.json").exists() and (p / "pages").is_dir()
                    and p.name not in held]
    return out


def _units(article: Any) -> list[tuple[str, str]]:
    units: list[tuple[str, str]] = []
    title = (article.title or "").strip()
    if title:
        units.append(("headline", title))
    for s in article.sentences:
        t = s.text_of(article.text)
        if t.strip():
            units.append(("headline" if s.is_heading else "body", t))
    return units


def cluster_examples(path: Path) -> list[Example]:
    """The examples of one cluster folder (its pages read and cleaned as the product does)."""
    from parallax.pipeline import prepare
    from parallax.stages.read import read_paths

    gold = json.loads((path / "gold.json").read_text(encoding="utf-8"))
    if path.name in heldout_names():
        raise ValueError(f"{path.name} is a held-out cluster: never train on it")
    articles, _ = read_paths([path / "pages"])
    articles, _ = prepare(articles)
    roles = {p: (v or {}).get("role", "") for p, v in gold.get("pages", {}).items()}
    loaded: dict[str, list[dict[str, Any]]] = {}
    for item in gold.get("loaded", []):
        loaded.setdefault(item["page"], []).append(item)
    neutral: dict[str, list[dict[str, Any]]] = {}
    for item in gold.get("neutral", []):
        neutral.setdefault(item["page"], []).append(item)
    out: list[Example] = []
    for a in articles:
        page_loaded, page_neutral = loaded.get(a.id, []), neutral.get(a.id, [])
        plain_page = not page_loaded and roles.get(a.id) in PLAIN_ROLES
        for where, text in _units(a):
            terms, spans = [], []
            for item in page_loaded:
                # the gold sentence (or phrase) must be this unit's, or overlap it, for its terms to count here
                if not (find_spans(text, item["text"]) or find_spans(item["text"], text)
                        or (any(find_spans(text, t) for t in item["terms"]) and _shares(text, item["text"]))):
                    continue
                for term in item["terms"]:
                    found = find_spans(text, term)
                    if found:
                        terms.append(term)
                        spans += found
            phrases = [ph for item in page_neutral if find_spans(text, item["text"]) or find_spans(item["text"], text)
                       or _shares(text, item["text"]) for ph in item["phrases"] if find_spans(text, ph)]
            if terms:
                out.append(Example(path.name, a.id, where, text, 1, sorted(set(terms)), phrases, sorted(set(spans))))
            elif phrases or plain_page:
                out.append(Example(path.name, a.id, where, text, 0, [], phrases, []))
    return out


def _shares(a: str, b: str, share: float = 0.6) -> bool:
    wa, wb = set(re.findall(r"\w{3,}", fold(a))), set(re.findall(r"\w{3,}", fold(b)))
    return bool(wb) and len(wa & wb) >= share * min(len(wa), len(wb))


def bank_examples(clusters: list[Path] | None = None) -> list[Example]:
    """Examples of every development cluster (default: :func:`dev_clusters`)."""
    out: list[Example] = []
    for path in clusters if clusters is not None else dev_clusters():
        out += cluster_examples(path)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.loaded.bank_data", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the examples as JSONL here (outside the repository)")
    args = ap.parse_args(argv)
    ex = bank_examples()
    by: dict[str, list[int]] = {}
    for e in ex:
        by.setdefault(e.cluster, [0, 0])[1 - e.label] += 1
    for c, (pos, neg) in sorted(by.items()):
        print(f"{c:32s} loaded {pos:3d}  neutral {neg:4d}")
    print(f"{len(by)} clusters, {sum(e.label for e in ex)} loaded units, {sum(1 - e.label for e in ex)} neutral")
    if args.out:
        with args.out.open("w", encoding="utf-8") as fh:
            for e in ex:
                fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
