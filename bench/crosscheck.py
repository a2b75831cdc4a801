"""Fact-level cross-check on our own fictional clusters: corroboration, false corroboration, disputes, origins.

The clusters under ``bench/data/crosscheck/`` (see its README) are multi-outlet stories the Parallax developers
wrote: a wire story, its reprints and a partisan rewrite (one origin), and independent reports written from
scratch, with planted paraphrased corroboration, one-origin claims, real disagreements and things that look
like disagreements but are not (updates, different happenings, context figures, hedged figures that agree,
split votes). Each cluster's ``gold.json`` lists them sentence by sentence.

Parallax runs exactly as the product runs: ``parallax.pipeline.brief_paths([cluster_dir], single_story=True,
length=...)`` (``--length full`` by default, so that the word budget does not hide facts). Then, per cluster and
micro-averaged over clusters (counts summed first):

* A brief fact *states* a gold fact through a page when one of its citations (character spans into that page's
  cleaned text) overlaps one of the gold fact's sentences in that page (a brief fact without citations is
  matched on its text instead). Its *evidence groups* for that gold fact are the gold origin groups of the pages
  through which it states it.
* **Corroboration recall** (``corr_r``): of the gold facts with independent support >= 2, the share for which
  some brief fact is shown with support >= 2 and has evidence from >= 2 gold origin groups for it.
* **Corroboration precision** (``corr_p``): of the brief facts shown with support >= 2 that state some gold fact,
  the share that are such a correct corroboration (the gold fact has support >= 2 and the cited evidence really
  spans two origins). Brief facts shown with support >= 2 that state no gold fact are counted apart
  (``corr_unmatched``): the gold lists the facts we planted, not every sentence, so they are not scored.
* **False corroboration** (``false_corr``): of the one-origin gold facts that the brief states at all, the share
  stated by a brief fact shown with support >= 2 that is not a correct corroboration of another gold fact.
  ``copy_counted`` counts brief facts shown with support >= 2 whose cited pages all lie in one gold origin group
  (a copy or rewrite counted as a second origin).
* **Dispute recall** (``disp_r``): of the gold disputes, the share for which one brief dispute has two variants
  matching two different sides, and is about the same kind of slot (number, date, actor). A variant matches a
  side when its sources include a page of that side and its value names the side's value.
* **Dispute precision** (``disp_p``): of the brief disputes, the share that recall a gold dispute. The others
  are counted by cause: a planted non-dispute (update, different happenings, context figure, hedged agreement,
  split vote, a rewrite's own error), variants from one gold origin only, or nothing planted.
  ``nondisp_hit`` counts the planted non-disputes shown as disputes.
* **Origin-group accuracy** (``group_acc``): over all pairs of pages, the share where "same origin group" in the
  brief agrees with the gold. ``wire_origin``: the share of clusters whose wire story is not traced to one of
  its own copies or rewrites (the original is what the brief should quote, issue 12).

Diagnostics in the JSON: which gold facts and disputes were missed, which brief facts were false corroborations,
gold sentences not found in the cleaned text (``lost``: cleaning dropped or changed them), and brief facts that
cite page noise listed in the gold (``noise_facts``).

    .venv/bin/python -m bench.crosscheck [--data DIR] [--clusters a,b] [--length full] [--json OUT] [--details]
    .venv/bin/python -m bench.crosscheck --validate      # check the gold files against the pages only
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path
from typing import Any, ClassVar

from bench import _parallax as px
from bench import common

NAME = "crosscheck"
DATA_ROOT = common.REPO_ROOT / "bench" / "data" / "crosscheck"
COLUMNS = ("cluster", "corr_p", "corr_r", "corr_unmatched", "false_corr", "copy_counted", "disp_p", "disp_r",
           "nondisp_hit", "group_acc", "wire_origin", "facts", "noise_facts", "lost", "seconds")
FACT_KINDS = ("corroborated-paraphrase", "corroborated-hedged", "corroborated-quote", "single-origin",
              "single-origin-copied")
DISPUTE_KINDS = ("number", "date", "actor")
NON_DISPUTE_KINDS = ("update", "different-happenings", "context", "hedged-agreement", "split-vote", "price-update",
                     "rewrite-error")
PAGE_ROLES = ("wire", "reprint", "rewrite", "independent", "opinion")
CORROBORATED = 2  # independent origins needed for a fact to count as corroborated

# --- text matching -----------------------------------------------------------------------------------------

_CHAR_MAP = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
                           "‐": "-", "‑": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})


def fold(text: str) -> str:
    """Quotes, dashes and spaces unified and letters lower-cased, one character for one (offsets are kept)."""
    text = text.translate(_CHAR_MAP)
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _pattern(sub: str) -> re.Pattern[str]:
    words = fold(sub).split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def find_spans(text: str, sub: str) -> list[tuple[int, int]]:
    """Every place where ``sub`` occurs in ``text``, ignoring case, quote/dash style and runs of white space."""
    if not sub.strip():
        return []
    return [(m.start(), m.end()) for m in _pattern(sub).finditer(fold(text))]


def contains(text: str, sub: str) -> bool:
    return bool(find_spans(text, sub))


_NUMBER_WORDS = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"))}
_TENS = {w: 10 * i for i, w in enumerate(("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                          "ninety")) if w}
_VALUE_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:-[^\W\d_]+)*")


def _number_word(word: str) -> str | None:
    """"nine" -> "9", "forty-six" -> "46"; None for any other word."""
    if word in _NUMBER_WORDS:
        return str(_NUMBER_WORDS[word])
    head, _, tail = word.partition("-")
    if head in _TENS and (not tail or (tail in _NUMBER_WORDS and 0 < _NUMBER_WORDS[tail] < 10)):
        return str(_TENS[head] + (_NUMBER_WORDS[tail] if tail else 0))
    return None


def value_tokens(value: str) -> set[str]:
    """Words of a value, digits without thousands separators, number words as digits ("Forty-six" -> "46")."""
    out = set()
    for t in _VALUE_TOKEN.findall(fold(value)):
        if t[0].isdigit():
            t = t.replace(",", "")
            out.add(t[:-2] if t.endswith(".0") else t)
            continue
        number = _number_word(t)
        if number is not None:
            out.add(number)
        else:
            out.update(t.split("-"))
    return out


# --- gold --------------------------------------------------------------------------------------------------


class _Visible(HTMLParser):
    """The visible text of an HTML page, one line per block (for validating gold strings without Parallax)."""

    _SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "head", "template", "noscript"})
    _BLOCK: ClassVar[frozenset[str]] = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section", "article", "header",
              "footer", "aside", "nav", "figcaption", "ul", "ol", "main", "title", "time", "span", "a", "button"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _Visible()
    parser.feed(markup)
    return html.unescape("".join(parser.parts))


def page_texts(cluster: Path) -> dict[str, str]:
    """Page id -> its text as written (HTML reduced to visible text), as ``parallax.read`` names the pages."""
    out: dict[str, str] = {}
    for path in sorted(cluster.iterdir()):
        suffix = path.suffix.lower()
        if path.name.startswith((".", "_")) or path.name == "gold.json":
            continue
        if suffix in (".txt", ".text"):
            out[path.stem] = path.read_text(encoding="utf-8")
        elif suffix in (".html", ".htm"):
            out[path.stem] = visible_text(path.read_text(encoding="utf-8"))
        elif suffix in (".jsonl", ".ndjson"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    rec = json.loads(line)
                    body = rec.get("text") or visible_text(rec.get("html") or "")
                    out[str(rec.get("id") or f"{path.stem}-{n}")] = body
    return out


def load_gold(cluster: Path) -> dict[str, Any]:
    return json.loads((cluster / "gold.json").read_text(encoding="utf-8"))


def group_of(gold: dict[str, Any]) -> dict[str, int]:
    return {page: i for i, members in enumerate(gold["origin_groups"]) for page in members}


def _sides_statements(item: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for side in item["sides"]:
        for page, subs in side["statements"].items():
            for sub in subs:
                yield page, sub


def validate(cluster: Path) -> list[str]:
    """Problems with one cluster's gold: every string must occur once in its page, groups must partition the
    pages, fact kinds must agree with their support, and a dispute's sides must come from different origins."""
    problems: list[str] = []
    name = cluster.name
    try:
        gold = load_gold(cluster)
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{name}: cannot read gold.json ({exc})"]
    texts = page_texts(cluster)
    pages = gold.get("pages", {})
    if set(pages) != set(texts):
        problems.append(f"{name}: pages in gold {sorted(pages)} != pages on disk {sorted(texts)}")
    grouped = [p for g in gold["origin_groups"] for p in g]
    if sorted(grouped) != sorted(pages):
        problems.append(f"{name}: origin_groups do not partition the pages")
    groups = group_of(gold)
    for page, info in pages.items():
        if info.get("role") not in PAGE_ROLES:
            problems.append(f"{name}: {page} has role {info.get('role')!r}")
        if info.get("of") and groups.get(info["of"]) != groups.get(page):
            problems.append(f"{name}: {page} derives from {info['of']} but is not in its origin group")

    def check(page: str, sub: str, where: str) -> None:
        if page not in texts:
            problems.append(f"{name}: {where}: unknown page {page}")
            return
        n = len(find_spans(texts[page], sub))
        if n != 1:
            problems.append(f"{name}: {where}: {sub!r} occurs {n} times in {page}")

    seen: set[str] = set()
    for fact in gold["facts"]:
        fid = fact["id"]
        if fid in seen:
            problems.append(f"{name}: duplicate fact id {fid}")
        seen.add(fid)
        for page, subs in fact["statements"].items():
            for sub in subs:
                check(page, sub, f"fact {fid}")
        support = len({groups.get(p) for p in fact["statements"]})
        if fact.get("support") != support:
            problems.append(f"{name}: fact {fid} support {fact.get('support')} but statements span {support} groups")
        if fact["kind"] not in FACT_KINDS:
            problems.append(f"{name}: fact {fid} kind {fact['kind']!r}")
        elif (support >= CORROBORATED) != fact["kind"].startswith("corroborated"):
            problems.append(f"{name}: fact {fid} kind {fact['kind']} with support {support}")
        elif fact["kind"] == "single-origin-copied" and len(fact["statements"]) < 2:
            problems.append(f"{name}: fact {fid} is 'copied' but stated by one page")
    for key, kinds in (("disputes", DISPUTE_KINDS), ("non_disputes", NON_DISPUTE_KINDS)):
        for item in gold.get(key, []):
            iid = item["id"]
            if item["kind"] not in kinds:
                problems.append(f"{name}: {key} {iid} kind {item['kind']!r}")
            if len(item["sides"]) < 2:
                problems.append(f"{name}: {key} {iid} has fewer than two sides")
            for page, sub in _sides_statements(item):
                if page not in texts:
                    problems.append(f"{name}: {key} {iid}: unknown page {page}")
                elif not find_spans(texts[page], sub):
                    problems.append(f"{name}: {key} {iid}: {sub!r} not in {page}")
            if key == "disputes":
                side_groups = [{groups.get(p) for p in s["statements"]} for s in item["sides"]]
                if any(a & b for a, b in combinations(side_groups, 2)):
                    problems.append(f"{name}: dispute {iid}: one origin group on two sides")
    for key, field_name in (("loaded", "text"), ("neutral", "text"), ("noise", "contains")):
        for item in gold.get(key, []):
            page = item["page"]
            if page not in texts or not find_spans(texts[page], item[field_name]):
                problems.append(f"{name}: {key}: {item[field_name]!r} not in {page}")
    return problems


def clusters_in(root: Path, only: str = "") -> list[Path]:
    wanted = {c for c in only.split(",") if c}
    found = sorted(p for p in root.iterdir() if p.is_dir() and (p / "gold.json").exists()) if root.is_dir() else []
    if wanted:
        unknown = wanted - {p.name for p in found}
        if unknown:
            raise SystemExit(f"unknown cluster(s): {', '.join(sorted(unknown))}")
        found = [p for p in found if p.name in wanted]
    return found


# --- scoring -----------------------------------------------------------------------------------------------


@dataclass
class Score:
    """Counts for one cluster (summed over clusters for the micro-averaged total)."""

    gold_corr: int = 0
    corr_recalled: int = 0
    brief_corr: int = 0  # brief facts shown with support >= 2 that state a gold fact
    corr_correct: int = 0
    corr_unmatched: int = 0
    single_in_brief: int = 0
    single_false: int = 0
    copy_counted: int = 0
    gold_disputes: int = 0
    disp_recalled: int = 0
    brief_disputes: int = 0
    disp_correct: int = 0
    disp_nondispute: int = 0
    disp_same_origin: int = 0
    disp_other: int = 0
    nondisp_hit: int = 0
    nondisputes: int = 0
    pairs: int = 0
    pairs_agree: int = 0
    same_pairs: int = 0
    same_pairs_found: int = 0
    joined_pairs: int = 0
    joined_pairs_right: int = 0
    wires: int = 0
    wires_as_origin: int = 0
    facts: int = 0
    lost: int = 0
    noise_facts: int = 0
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            if name != "details":
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self, cluster: str) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float | None:
            return a / b if b else None

        return {
            "system": "parallax", "cluster": cluster,
            "corr_p": ratio(self.corr_correct, self.brief_corr), "corr_r": ratio(self.corr_recalled, self.gold_corr),
            "corr_unmatched": self.corr_unmatched,
            "false_corr": ratio(self.single_false, self.single_in_brief), "copy_counted": self.copy_counted,
            "disp_p": ratio(self.disp_correct, self.brief_disputes), "disp_r": ratio(self.disp_recalled, self.gold_disputes),
            "nondisp_hit": self.nondisp_hit, "group_acc": ratio(self.pairs_agree, self.pairs),
            "wire_origin": ratio(self.wires_as_origin, self.wires),
            "same_pairs_recall": ratio(self.same_pairs_found, self.same_pairs),
            "joined_pairs_precision": ratio(self.joined_pairs_right, self.joined_pairs),
            "facts": self.facts, "lost": self.lost, "noise_facts": self.noise_facts, "seconds": self.seconds,
            "counts": {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("details", "seconds")},
        }


class Located:
    """Gold strings located in the cleaned text of the brief's articles (spans cached per page and string)."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self._cache: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.lost: set[tuple[str, str]] = set()

    def spans(self, page: str, sub: str) -> list[tuple[int, int]]:
        key = (page, sub)
        if key not in self._cache:
            found = find_spans(self.texts[page], sub) if page in self.texts else []
            if not found:
                self.lost.add(key)
            self._cache[key] = found
        return self._cache[key]


def citations(fact: Any) -> list[tuple[str, int, int]]:
    return [(r.article, r.start, r.end) for r in getattr(fact, "refs", [])]


def stating_groups(fact: Any, statements: dict[str, list[str]], loc: Located, groups: dict[str, int]) -> set[int]:
    """Gold origin groups of the pages through which a brief fact states the gold statements."""
    out: set[int] = set()
    cites = citations(fact)
    if not cites:  # no spans to go by: match the fact's own words
        for page, subs in statements.items():
            if any(contains(fact.text, s) for s in subs) and page in groups:
                out.add(groups[page])
        return out
    for article, start, end in cites:
        for sub in statements.get(article, []):
            if any(s < end and start < e for s, e in loc.spans(article, sub)):
                if article in groups:
                    out.add(groups[article])
                break
    return out


def variant_matches(variant: Any, side: dict[str, Any]) -> bool:
    """A dispute variant matches a side: one of its sources is a page of that side, and its value names the
    side's value (or one of the side's alternative ``values``). The variant's sentence alone is not enough: a
    wire's opening sentence holds many slots, and its date is not its count."""
    if not set(side["statements"]) & set(variant.sources):
        return False
    have = value_tokens(variant.value)
    return any(value_tokens(v) and value_tokens(v) <= have for v in [side["value"], *side.get("values", [])])


def sides_hit(dispute: Any, item: dict[str, Any], same_kind: bool = False) -> bool:
    """Two different variants of a brief dispute match two different sides of a gold item (of the same kind
    of slot, when ``same_kind``: a weekday dispute does not recall a dispute about a count)."""
    if same_kind and dispute.kind in DISPUTE_KINDS and dispute.kind != item["kind"]:
        return False
    matches = [{k for k, side in enumerate(item["sides"]) if variant_matches(v, side)} for v in dispute.variants]
    return any(x != y for ma, mb in combinations(matches, 2) for x in ma for y in mb)


def score_cluster(brief: Any, gold: dict[str, Any]) -> Score:
    """Score one cluster's brief against its gold (see the module docstring for the definitions)."""
    sc = Score()
    groups = group_of(gold)
    articles = {a.id: a for a in brief.articles}
    loc = Located({aid: a.text for aid, a in articles.items()})
    facts = [f for story in brief.stories for f in story.facts]
    disputes = [d for story in brief.stories for d in story.disputes]
    sc.facts = len(facts)
    gold_facts = gold["facts"]
    # evidence[i][g] = gold groups through which brief fact i states gold fact g
    evidence = [[stating_groups(f, g["statements"], loc, groups) for g in gold_facts] for f in facts]
    correct = [any(len(ev) >= CORROBORATED and g["support"] >= CORROBORATED for ev, g in zip(row, gold_facts, strict=True))
               and f.support >= CORROBORATED for f, row in zip(facts, evidence, strict=True)]
    missed, false_ids, wrong_facts = [], [], []
    for gi, g in enumerate(gold_facts):
        stated = [i for i in range(len(facts)) if evidence[i][gi]]
        if g["support"] >= CORROBORATED:
            sc.gold_corr += 1
            if any(facts[i].support >= CORROBORATED and len(evidence[i][gi]) >= CORROBORATED for i in stated):
                sc.corr_recalled += 1
            else:
                shown = max((facts[i].support for i in stated), default=0)
                missed.append({"fact": g["id"], "kind": g["kind"], "in_brief": bool(stated), "best_support": shown})
        elif stated:
            sc.single_in_brief += 1
            if any(facts[i].support >= CORROBORATED and not correct[i] for i in stated):
                sc.single_false += 1
                false_ids.append(g["id"])
    for i, f in enumerate(facts):
        if f.support < CORROBORATED:
            continue
        cited_groups = {groups[a] for a, _, _ in citations(f) if a in groups}
        if len(cited_groups) == 1:
            sc.copy_counted += 1
        if not any(evidence[i]):
            sc.corr_unmatched += 1
            continue
        sc.brief_corr += 1
        if correct[i]:
            sc.corr_correct += 1
        else:
            wrong_facts.append({"text": f.text[:160], "support": f.support,
                                "gold": [g["id"] for g, ev in zip(gold_facts, evidence[i], strict=True) if ev]})
    # disputes
    gold_disputes = gold.get("disputes", [])
    non_disputes = gold.get("non_disputes", [])
    sc.gold_disputes, sc.nondisputes = len(gold_disputes), len(non_disputes)
    recalled = {d["id"] for d in gold_disputes if any(sides_hit(bd, d, same_kind=True) for bd in disputes)}
    sc.disp_recalled = len(recalled)
    hit_nd = {n["id"] for n in non_disputes if any(sides_hit(bd, n) for bd in disputes)}
    sc.nondisp_hit = len(hit_nd)
    verdicts = []
    for bd in disputes:
        sc.brief_disputes += 1
        if any(sides_hit(bd, d, same_kind=True) for d in gold_disputes):
            sc.disp_correct += 1
            verdict = "correct"
        elif any(sides_hit(bd, n) for n in non_disputes):
            sc.disp_nondispute += 1
            verdict = "non-dispute: " + ", ".join(n["id"] for n in non_disputes if sides_hit(bd, n))
        elif len({groups.get(a) for v in bd.variants for a in v.sources if a in groups}) <= 1:
            sc.disp_same_origin += 1
            verdict = "same origin"
        else:
            sc.disp_other += 1
            verdict = "nothing planted"
        verdicts.append({"about": bd.about, "kind": bd.kind, "values": [v.value for v in bd.variants],
                         "verdict": verdict})
    # origin groups, pairwise
    pages = [p for p in gold["pages"] if p in articles]
    for a, b in combinations(pages, 2):
        gold_same = groups[a] == groups[b]
        brief_same = (articles[a].group or a) == (articles[b].group or b)
        sc.pairs += 1
        sc.pairs_agree += gold_same == brief_same
        sc.same_pairs += gold_same
        sc.same_pairs_found += gold_same and brief_same
        sc.joined_pairs += brief_same
        sc.joined_pairs_right += gold_same and brief_same
    # the wire is its group's origin: not traced to one of its own copies or rewrites
    for page, info in gold["pages"].items():
        if info.get("role") == "wire" and page in articles:
            sc.wires += 1
            own = {p for p in gold["pages"] if groups[p] == groups[page]}
            sc.wires_as_origin += not any(r.article in own for r in articles[page].derived_from)
    # diagnostics: gold strings the cleaning lost, facts quoting page noise
    for g in gold_facts:
        for page, subs in g["statements"].items():
            for sub in subs:
                loc.spans(page, sub)
    for item in gold_disputes:
        for page, sub in _sides_statements(item):
            loc.spans(page, sub)
    sc.lost = len(loc.lost)
    noise = [(n["page"], n["contains"]) for n in gold.get("noise", [])]
    for f in facts:
        if any(a == page and any(s < e2 and s2 < e for s2, e2 in loc.spans(page, sub))
               for a, s, e in citations(f) for page, sub in noise):
            sc.noise_facts += 1
    loc.lost -= {(p, s) for p, s in noise}
    sc.lost = len(loc.lost)
    sc.details = {
        "missed_corroborations": missed, "false_corroborations": false_ids, "wrong_corroborations": wrong_facts,
        "missed_disputes": [d["id"] for d in gold_disputes if d["id"] not in recalled],
        "non_disputes_shown": sorted(hit_nd), "brief_disputes": verdicts,
        "groups": {p: articles[p].group for p in pages}, "gold_groups": gold["origin_groups"],
        "derived_from": {p: [r.to_dict() for r in articles[p].derived_from] for p in pages},
        "lost": sorted(f"{p}: {s}" for p, s in loc.lost),
        "missing_pages": sorted(set(gold["pages"]) - set(articles)),
    }
    return sc


def run_cluster(cluster: Path, length: str) -> tuple[Score, Any]:
    brief_paths = px.get("pipeline", "brief_paths")
    with common.Timer() as timer:
        brief = brief_paths([str(cluster)], single_story=True, length=length)
    sc = score_cluster(brief, load_gold(cluster))
    sc.seconds = timer.seconds
    return sc, brief


def _print_details(name: str, sc: Score) -> None:
    d = sc.details
    print(f"\n[{name}]")
    for m in d["missed_corroborations"]:
        where = f"in brief, best support {m['best_support']}" if m["in_brief"] else "not in brief"
        print(f"  missed corroboration: {m['fact']} ({m['kind']}; {where})")
    for fid in d["false_corroborations"]:
        print(f"  false corroboration: {fid}")
    for w in d["wrong_corroborations"]:
        print(f"  wrong support {w['support']} ({', '.join(w['gold'])}): {w['text']}")
    for did in d["missed_disputes"]:
        print(f"  missed dispute: {did}")
    for v in d["brief_disputes"]:
        print(f"  brief dispute [{v['verdict']}]: {v['about']} = {' | '.join(v['values'])}")
    for s in d["lost"]:
        print(f"  gold string not in cleaned text: {s}")
    if d["missing_pages"]:
        print(f"  pages missing from the brief: {', '.join(d['missing_pages'])}")


def main(argv: list[str] | None = None) -> int:
    parser = common.make_parser(NAME, __doc__.splitlines()[0], None)
    parser.add_argument("--clusters", default="", help="comma-separated subset of the cluster folders")
    parser.add_argument("--length", default="full", choices=("short", "standard", "full"),
                        help="brief length passed to the pipeline (default: %(default)s)")
    parser.add_argument("--details", action="store_true", help="print what was missed and what was wrong")
    parser.add_argument("--validate", action="store_true", help="only check the gold files against the pages")
    args = common.parse(parser, argv)
    root = Path(args.data) if args.data else DATA_ROOT
    if common.skip_if_absent(root, "cross-check clusters"):
        return 0
    clusters = clusters_in(root, args.clusters)
    # --quick and --limit: the set is small; a limit takes the first N clusters in name order
    if args.limit:
        clusters = clusters[: args.limit]
    problems = [p for c in clusters for p in validate(c)]
    for p in problems:
        print(f"gold: {p}", file=sys.stderr)
    if args.validate:
        print(f"{len(clusters)} clusters, {len(problems)} problems")
        return 1 if problems else 0
    results: list[dict[str, Any]] = []
    total = Score()
    try:
        px.check(("pipeline", "brief_paths"))
        for cluster in clusters:
            sc, _ = run_cluster(cluster, args.length)
            total.add(sc)
            row = sc.row(cluster.name)
            row["details"] = sc.details
            results.append(row)
            if args.details:
                _print_details(cluster.name, sc)
        results.append(total.row("TOTAL (micro)"))
    except px.Unavailable as exc:
        results.append(common.unavailable("parallax", str(exc)))
    common.print_table(f"bench.crosscheck — {len(clusters)} fictional clusters from {root} (length={args.length}; "
                       "corr/disp: precision, recall; false_corr: share of one-origin facts shown as corroborated)",
                       results, COLUMNS)
    common.write_json(args.json, NAME, root, [common.rounded(r) for r in results], length=args.length,
                      gold_problems=problems)
    return 0


if __name__ == "__main__":
    sys.exit(main())
