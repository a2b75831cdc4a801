"""The cluster bank: the product path scored on multi-story, multi-outlet clusters with fact-level gold.

Reads any folder of clusters in the format of ``../shared/clusters/FORMAT.md`` (``<cluster>/pages/`` +
``<cluster>/gold.json``): by default ``../shared/clusters`` (for development only) and ``bench/data/bank`` (our
own bench.crosscheck clusters, converted by ``tools/convert_crosscheck_gold.py``; its README and ``splits.json``
name the held-out ones, ``--split`` selects). Parallax runs exactly as users run it, once per cluster and with
nothing carried from one cluster to the next: ``parallax.pipeline.brief_paths([cluster/pages], length="full")``
(stories are found, not assumed). Then, per cluster and summed over clusters (micro-averaged):

* **stories**: pairwise accuracy of "same story" over the gold pages and B³ precision/recall/F1; ``stories right``
  = gold stories whose page set is exactly one brief story's.
* **origin groups**: a gold page's origin roots are itself when ``derives_from`` is null, else the roots of what it
  derives from (an aggregator's list: several roots). Two pages are *same-origin* when their roots meet. A page's
  origin group is *right* when its brief group mates (same ``Article.group``) among the pages of its gold story
  are exactly its same-origin pages there, digests left aside; a digest (several roots) is right when its mates
  are some of its parents' origins' pages and nothing else. ``origin_pair_acc`` is the pairwise agreement within
  gold stories over pages of one root.
  The number of independent origins among a set of pages is the largest number of them whose roots are pairwise
  disjoint (a digest adds nothing beside a page it restates).
* **facts**: a printed fact *states* gold fact F *through* page P when one of its citations (``refs``: spans into
  P's cleaned ``Article.text``) overlaps a mention of F on P, located in the cleaned text ignoring case, quote style
  and white space (a mention not found there is ``lost``), or when its text contains a mention on a cited page.
  A citation that overlaps only a ``partial`` sentence of F makes the fact match F without stating it there.
  Printed facts shown with support >= 2 (``corr``) that match a gold fact: **corr_p** = share that are right (F is
  corroborated, i.e. its mentions span >= 2 independent origins, and the pages through which the fact states F
  span >= 2); **over** = those whose printed support exceeds the independent origins of the cited pages that
  state the gold fact (partial sentences, other claims, derivatives and other facts counted); **unmatched** =
  facts shown with support >= 2 that match no gold fact (the gold is not exhaustive: reported apart, not scored).
  **corr_r** = share of corroborated gold facts stated by some printed fact with support >= 2 through >= 2
  origins. ``partial_worded``: printed facts whose wording is a gold partial sentence; ``partial_support``: gold
  partial sentences cited by a fact shown with support >= 2. ``across_right``: of those matched facts that cite
  a page whose gold language is not English (support counted across languages), how many are right (corr_p's rule).
* **parts shown corroborated** (a third table, apart from the sentence-level figures above): the reader is also told
  "this part stated by N independent origins" for a part of a printed sentence that has more support than the
  sentence (``Fact.claims``). Each such part (support >= 2) is scored like a printed fact, its own citation narrowed
  to the part's span (``claims_shown``): ``corr_p_parts``, ``over_parts`` and ``unmatched_parts`` over facts and
  parts together; ``corr_r_parts`` = corroborated gold facts shown corroborated by a printed fact or a part.
* **disputes**: a printed variant matches a gold side when its sources include the page of one of the side's
  mentions and its text overlaps that mention, or its value names the side's value (numbers and number words
  normalised). A printed dispute recalls gold dispute D when two of its variants match two different sides;
  **disp_r** over gold disputes, **disp_p** over printed disputes; ``notdisp`` = printed disputes whose variants
  match both ends of a gold not_dispute.
* **loaded**: gold loaded terms flagged (a ``LoadedFlag`` on the page overlapping the sentence, one of whose terms
  overlaps the term); ``neutral`` = gold neutral phrases flagged (lower is better).
* **noise**: gold ``noise.remove`` lines still in the cleaned text, ``noise.keep`` lines lost (neither in the
  cleaned text nor the title); ``keep_lost_meta`` (in the JSON counts) = those of the lost lines that were removed
  as a byline or a date line (the article's metadata, recorded in ``Article.removed``).
* **deriv_worded**: printed facts worded from a derivative page (gold ``derives_from`` set; translations left out)
  while a gold fact they state has a mention on an original page (issue 21: never worded from a derivative when its
  original states it), over all printed facts.
* **speakers**: gold quotes whose printed fact (or, when no printed fact holds the quote, the product's own
  statement from ``parallax.stages.crosscheck.collect_statements``) names the right speaker (surname).
* **headlines**: each gold story beside the headline of its best-overlapping brief story (word overlap).
* **cosine peer**: the same articles, sentences (``collect_statements``) and origin groups; facts = sentences
  grouped by embedding cosine >= T (a leader sentence takes the closest sentence of each other article at or above
  T); support = distinct origin groups. T is chosen leave-one-cluster-out (best corroboration F1 on the other
  clusters of the run) and the held-out cluster is scored at it.

    python -m bench.bank [--data DIR ...] [--clusters c02,c03] [--split dev|heldout|all] [--json OUT] [--details]
                         [--no-peer]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench import _parallax as px
from bench import common
from bench.crosscheck import Located, citations, fold, value_tokens

NAME = "bank"
SHARED_BANK = common.SHARED_ROOT / "clusters"
OWN_BANK = common.REPO_ROOT / "bench" / "data" / "bank"
SPLITS = OWN_BANK / "splits.json"
CORROBORATED = 2
PEER_GRID = tuple(round(0.3 + 0.05 * k, 2) for k in range(14))  # 0.30 .. 0.95
PEER_DEFAULT = 0.8  # used only when a run has a single cluster (nothing to choose T on)

# --- text ----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Folded (case, quotes, dashes) with runs of white space made one space: substring tests on it are
    ``bench.crosscheck.contains``."""
    return " ".join(fold(text).split())


def has(text: str, sub: str) -> bool:
    return bool(sub.strip()) and norm(sub) in norm(text)


_WORD = re.compile(r"[^\W_]+")


def words(text: str, least: int = 3) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if len(w) >= least}


def overlaps_text(a: str, b: str, share: float = 0.6) -> bool:
    """One text holds the other, or most of ``b``'s words are in ``a``."""
    if has(a, b) or has(b, a):
        return True
    wb = words(b)
    return bool(wb) and len(wb & words(a)) >= share * len(wb)


def _hit(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def ratio(a: float, b: float) -> float | None:
    return a / b if b else None


# --- gold ------------------------------------------------------------------------------------------------------


class Gold:
    """One cluster's gold.json with its origin relation."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.pages: dict[str, dict[str, Any]] = raw.get("pages", {})
        self.stories: list[dict[str, Any]] = raw.get("stories", [])
        self.story_of = {p: s["id"] for s in self.stories for p in s["pages"]}
        self.facts: list[dict[str, Any]] = raw.get("facts", [])
        self.partial: dict[str, list[dict[str, Any]]] = {}
        for p in raw.get("partial", []):
            self.partial.setdefault(p["fact"], []).append(p)
        self._roots: dict[str, frozenset[str]] = {}
        self.corroborated = {f["id"]: self.origins(m["page"] for m in f["mentions"]) >= CORROBORATED
                             for f in self.facts}

    def roots(self, page: str, seen: tuple[str, ...] = ()) -> frozenset[str]:
        if page not in self._roots:
            parents = (self.pages.get(page) or {}).get("derives_from")
            if isinstance(parents, str):
                parents = [parents]
            parents = [p for p in parents or [] if p in self.pages and p not in seen]
            self._roots[page] = (frozenset().union(*(self.roots(p, (*seen, page)) for p in parents)) if parents
                                 else frozenset({page}))
        return self._roots[page]

    def same_origin(self, a: str, b: str) -> bool:
        return bool(self.roots(a) & self.roots(b))

    def origins(self, pages: Iterable[str]) -> int:
        """Independent origins among ``pages``: the most pages whose roots are pairwise disjoint (greedy, fewest
        roots first; exact when no page has several parents)."""
        taken: set[str] = set()
        n = 0
        for roots in sorted({self.roots(p) for p in pages if p in self.pages}, key=lambda r: (len(r), sorted(r))):
            if not roots & taken:
                taken |= roots
                n += 1
        return n


@dataclass
class Cluster:
    name: str
    path: Path
    split: str


def heldout_names() -> set[str]:
    if SPLITS.exists():
        return set(json.loads(SPLITS.read_text(encoding="utf-8")).get("heldout", []))
    return set()


def find_clusters(roots: list[Path], only: str = "", split: str = "all") -> list[Cluster]:
    held = heldout_names()
    found: list[Cluster] = []
    for root in roots:
        if root.is_dir():
            found += [Cluster(p.name, p, "heldout" if p.name in held else "dev") for p in sorted(root.iterdir())
                      if (p / "gold.json").exists() and (p / "pages").is_dir()]
    wanted = {c for c in only.split(",") if c}
    if wanted:
        unknown = wanted - {c.name for c in found}
        if unknown:
            raise SystemExit(f"unknown cluster(s): {', '.join(sorted(unknown))}")
        found = [c for c in found if c.name in wanted]
    return [c for c in found if split == "all" or c.split == split]


# --- facts -----------------------------------------------------------------------------------------------------


@dataclass
class Ref:
    article: str
    start: int
    end: int


@dataclass
class PeerFact:
    """A fact of the cosine peer, shaped like ``parallax.model.Fact`` for the scorer."""

    text: str
    support: int
    refs: list[Ref]
    origin_article: str
    sources: list[str] = field(default_factory=list)
    speaker: str | None = None


@dataclass
class ClaimShown:
    """A part of a printed sentence shown with more support than the sentence ("this part stated by N independent
    origins", `parallax.render.common.claim_notes`), scored as what the reader is told: its words, its support,
    and citations narrowed to it (the printed sentence's own citation cut to the part's span; the other articles
    stating it cited whole)."""

    text: str
    support: int
    refs: list[Any]
    origin_article: str
    sources: list[str] = field(default_factory=list)
    partial: list[Any] = field(default_factory=list)


def claims_shown(facts: list[Any]) -> list[ClaimShown]:
    """The parts of printed facts shown corroborated where their sentence is not (support >= 2 and above the
    sentence's)."""
    out = []
    for f in facts:
        for c in getattr(f, "claims", None) or []:
            if c.get("support", 0) < CORROBORATED or c["support"] <= f.support:
                continue
            srcs = set(c.get("sources", []))
            refs = []
            for r in [*f.refs, *(getattr(f, "partial", None) or [])]:
                if r.article not in srcs:
                    continue
                if r.article == f.origin_article and (r.end - r.start) >= c["end"]:
                    r = SimpleNamespace(article=r.article, start=r.start + c["start"], end=r.start + c["end"])
                refs.append(r)
            out.append(ClaimShown(c["text"], c["support"], refs, f.origin_article, sorted(srcs)))
    return out


class FactScorer:
    """Printed facts against the gold facts of one cluster (cleaned texts located once)."""

    def __init__(self, gold: Gold, loc: Located) -> None:
        self.gold, self.loc = gold, loc

    def own_facts(self, fact: Any, cites: list[tuple[str, int, int]]) -> set[str] | None:
        """The gold facts the printed sentence itself states: a mention overlaps the citation of the article whose
        words it prints, or a mention's words are in the printed text. None when the fact carries no such
        citation (a hand-made fact in the tests): every gold fact it reaches through any citation then counts."""
        origin = getattr(fact, "origin_article", "")
        own = [(a, s, e) for a, s, e in cites if a == origin][:1]
        if not own:
            return None
        a, s, e = own[0]
        return {g["id"] for g in self.gold.facts for m in g["mentions"]
                if (m["page"] == a and _hit(self.loc.spans(a, m["text"]), s, e)) or has(fact.text, m["text"])}

    def evidence(self, fact: Any) -> dict[str, tuple[set[str], set[str]]]:
        """Gold fact id -> (pages through which the printed fact states it, cited pages holding only a partial),
        for the gold facts the printed sentence itself states (`own_facts`): a citation that states another gold
        fact does not make the printed sentence state it."""
        cites = citations(fact)
        cited = {a for a, _, _ in cites} | set(getattr(fact, "sources", []) or [])
        own = self.own_facts(fact, cites)
        out: dict[str, tuple[set[str], set[str]]] = {}
        for g in self.gold.facts:
            if own is not None and g["id"] not in own:
                continue
            stating: set[str] = set()
            text_match = False
            for m in g["mentions"]:
                page = m["page"]
                if any(a == page and _hit(self.loc.spans(page, m["text"]), s, e) for a, s, e in cites):
                    stating.add(page)
                elif has(fact.text, m["text"]):
                    text_match = True
                    if page in cited:
                        stating.add(page)
            part = {p["page"] for p in self.gold.partial.get(g["id"], [])
                    for a, s, e in cites if a == p["page"] and _hit(self.loc.spans(a, p["text"]), s, e)} - stating
            if stating or part or text_match:
                out[g["id"]] = (stating, part)
        return out

    def worded_from_partial(self, fact: Any) -> bool:
        own = [(a, s, e) for a, s, e in citations(fact) if a == getattr(fact, "origin_article", "")]
        return any(p["page"] == a and _hit(self.loc.spans(a, p["text"]), s, e)
                   for plist in self.gold.partial.values() for p in plist for a, s, e in own[:1])

    def score(self, facts: list[Any], details: bool = True) -> tuple[Counter[str], dict[str, Any]]:
        gold = self.gold
        c: Counter[str] = Counter()
        d: dict[str, list[Any]] = {"missed_corroborations": [], "false_corroborations": [], "over_supported": [],
                                   "unmatched": []}
        evid = [self.evidence(f) for f in facts]
        c["facts"] = len(facts)
        partial_cited: set[tuple[str, str]] = set()
        for f, ev in zip(facts, evid, strict=True):
            if details and self.worded_from_partial(f):
                c["partial_worded"] += 1
            if f.support < CORROBORATED:
                continue
            c["corr_printed"] += 1
            cited_pages = sorted({a for a, _, _ in citations(f)})
            if not ev:
                c["unmatched"] += 1
                d["unmatched"].append({"text": f.text[:200], "support": f.support, "cited": cited_pages})
                continue
            c["corr_matched"] += 1
            for fid, (_, part) in ev.items():
                partial_cited |= {(fid, p) for p in part}
            honest = max(gold.origins(st) for st, _ in ev.values())
            right = any(gold.corroborated[fid] and gold.origins(st) >= CORROBORATED for fid, (st, _) in ev.items())
            item = {"text": f.text[:200], "support": f.support, "origins_stating": honest, "cited": cited_pages,
                    "gold": {fid: {"stating": sorted(st), "partial": sorted(pt)} for fid, (st, pt) in ev.items()}}
            if any((gold.pages.get(pg) or {}).get("language", "en") != "en" for pg in cited_pages):
                c["across_matched"] += 1  # support counted across languages: it cites a page not in English
                c["across_correct"] += right
            if right:
                c["corr_correct"] += 1
            else:
                d["false_corroborations"].append(item)
            if f.support > honest:
                c["over"] += 1
                d["over_supported"].append(item)
        # The parts of printed sentences shown corroborated (`claims_shown`): scored like facts, apart.
        d["claims_false"], d["claims_unmatched"] = [], []
        claims = claims_shown(facts)
        cev = [self.evidence(x) for x in claims]
        for x, ev in zip(claims, cev, strict=True):
            c["claims_printed"] += 1
            item = {"text": x.text[:200], "support": x.support, "cited": x.sources}
            if not ev:
                c["claims_unmatched"] += 1
                d["claims_unmatched"].append(item)
                continue
            c["claims_matched"] += 1
            honest = max(gold.origins(st) for st, _ in ev.values())
            if any(gold.corroborated[fid] and gold.origins(st) >= CORROBORATED for fid, (st, _) in ev.items()):
                c["claims_correct"] += 1
            else:
                d["claims_false"].append(item | {"origins_stating": honest})
            c["claims_over"] += x.support > honest
        c["partial_support"] = len(partial_cited)
        c["partial_total"] = sum(len(v) for v in gold.partial.values())
        for g in gold.facts:
            stated = [(f, ev[g["id"]][0]) for f, ev in zip(facts, evid, strict=True) if g["id"] in ev]
            c["gold_facts"] += 1
            c["gold_shown"] += any(st for _, st in stated)
            if not gold.corroborated[g["id"]]:
                continue
            c["gold_corr"] += 1
            shown_part = any(x.support >= CORROBORATED and gold.origins(ev[g["id"]][0]) >= CORROBORATED
                             for x, ev in zip(claims, cev, strict=True) if g["id"] in ev)
            if any(f.support >= CORROBORATED and gold.origins(st) >= CORROBORATED for f, st in stated):
                c["corr_recalled"] += 1
                c["corr_recalled_parts"] += 1
            else:
                c["corr_recalled_parts"] += shown_part
                d["missed_corroborations"].append({
                    "fact": g["id"], "claim": g.get("claim", ""), "in_brief": any(st for _, st in stated),
                    "best_support": max((f.support for f, st in stated if st), default=0),
                    "best_origins": max((gold.origins(st) for _, st in stated), default=0)})
        return c, d


# --- the other scores ------------------------------------------------------------------------------------------


def score_stories(brief: Any, gold: Gold, present: list[str]) -> tuple[Counter[str], dict[str, Any]]:
    c: Counter[str] = Counter()
    brief_story = {a: k for k, s in enumerate(brief.stories) for a in s.articles}
    for a, b in combinations(present, 2):
        c["story_pairs"] += 1
        c["story_pairs_agree"] += (gold.story_of.get(a) == gold.story_of.get(b)) == (
            brief_story.get(a, a) == brief_story.get(b, b))
    for p in present:
        gmates = {q for q in present if gold.story_of.get(q) == gold.story_of.get(p)}
        bmates = {q for q in present if brief_story.get(q, q) == brief_story.get(p, p)}
        c["b3_pages"] += 1
        c["b3_p"] += len(gmates & bmates) / len(bmates)
        c["b3_r"] += len(gmates & bmates) / len(gmates)
    brief_sets = [set(s.articles) for s in brief.stories]
    headlines = []
    for s in gold.stories:
        c["stories"] += 1
        c["stories_right"] += set(s["pages"]) in brief_sets
        best = max(range(len(brief_sets)), key=lambda k: len(brief_sets[k] & set(s["pages"])), default=None)
        shown = brief.stories[best].headline if best is not None and brief_sets[best] & set(s["pages"]) else ""
        wg, wb = words(s.get("headline", "")), words(shown)
        headlines.append({"story": s["id"], "gold": s.get("headline", ""), "brief": shown,
                          "overlap": round(len(wg & wb) / len(wg | wb), 3) if wg | wb else 0.0,
                          "right": set(s["pages"]) in brief_sets})
    c["headline_overlap"] = sum(h["overlap"] for h in headlines)
    return c, {"headlines": headlines, "brief_stories": [sorted(s) for s in brief_sets]}


def score_origins(articles: dict[str, Any], gold: Gold, present: list[str]) -> tuple[Counter[str], dict[str, Any]]:
    """Pages in the right origin group, and pairwise agreement. "Same origin" is not transitive once a digest
    restates two origins, so no partition gets a digest and both its parents' groups right; a digest is scored on
    its own: right when its brief group mates are all of its parents' origins and it has some (alone, it would be
    an origin of its own). Single-origin pages and pairs are compared among single-origin pages only."""
    c: Counter[str] = Counter()
    wrong = []

    def group(p: str) -> str:
        return articles[p].group or p

    single = [p for p in present if len(gold.roots(p)) == 1]
    for p in present:
        mates = [q for q in present if q != p and gold.story_of.get(q) == gold.story_of.get(p)]
        if len(gold.roots(p)) == 1:
            mates = [q for q in mates if q in single]
        gmates = {q for q in mates if gold.same_origin(p, q)}
        bmates = {q for q in mates if group(q) == group(p)}
        c["origin_pages"] += 1
        if gmates == bmates if len(gold.roots(p)) == 1 else (bmates and bmates <= gmates):
            c["origin_right"] += 1
        else:
            wrong.append({"page": p, "role": gold.pages[p].get("role"), "gold_mates": sorted(gmates),
                          "brief_mates": sorted(bmates)})
    for a, b in combinations(single, 2):
        if gold.story_of.get(a) == gold.story_of.get(b):
            c["origin_pairs"] += 1
            c["origin_pairs_agree"] += gold.same_origin(a, b) == (group(a) == group(b))
    return c, {"wrong_origin_groups": wrong}


def variant_side(variant: Any, mentions: list[dict[str, Any]], values: list[str]) -> bool:
    """A printed variant matches a gold side: a source of it is a page of one of the side's mentions, and its
    text overlaps that mention or its value names the side's value."""
    sources = set(variant.sources)
    pages = [m for m in mentions if m.get("page") in sources]
    if not pages:
        return False
    if any(overlaps_text(variant.text, m["text"]) for m in pages):
        return True
    have = value_tokens(variant.value)
    return any(value_tokens(v) and value_tokens(v) <= have for v in values if v)


def two_sides(dispute: Any, sides: list[tuple[list[dict[str, Any]], list[str]]]) -> bool:
    matches = [{k for k, (ms, vs) in enumerate(sides) if variant_side(v, ms, vs)} for v in dispute.variants]
    return any(x != y for ma, mb in combinations(matches, 2) for x in ma for y in mb)


def score_disputes(disputes: list[Any], gold: Gold) -> tuple[Counter[str], dict[str, Any]]:
    c: Counter[str] = Counter()
    gd = [(d, [(s.get("mentions", []), [s.get("value", ""), *s.get("values", [])]) for s in d.get("sides", [])])
          for d in gold.raw.get("disputes", [])]
    nd = [(n, [([n["a"]], [n["a"].get("value", "")]), ([n["b"]], [n["b"].get("value", "")])])
          for n in gold.raw.get("not_disputes", [])]
    c["gold_disputes"], c["printed_disputes"], c["not_disputes"] = len(gd), len(disputes), len(nd)
    recalled = {d["id"] for d, sides in gd if any(two_sides(bd, sides) for bd in disputes)}
    c["disp_recalled"] = len(recalled)
    wrong, shown_nd = [], []
    for bd in disputes:
        hits = [d["id"] for d, sides in gd if two_sides(bd, sides)]
        nds = [n.get("id") or n.get("kind") for n, sides in nd if two_sides(bd, sides)]
        c["disp_correct"] += bool(hits)
        c["notdisp_shown"] += bool(nds)
        if nds:
            shown_nd.append({"about": bd.about, "not_disputes": nds, "values": [v.value for v in bd.variants]})
        if not hits:
            wrong.append({"about": bd.about, "kind": bd.kind, "not_dispute": nds,
                          "variants": [{"value": v.value, "text": v.text[:160], "sources": list(v.sources)}
                                       for v in bd.variants]})
    return c, {"missed_disputes": [{"id": d["id"], "about": d.get("about", "")} for d, _ in gd
                                   if d["id"] not in recalled],
               "wrong_disputes": wrong, "not_disputes_shown": shown_nd}


def _term_words(term: str) -> str:
    """The page's words of a flag's term: a pattern's term names them after its label ("all caps: slams",
    "scare quotes: reforms", `parallax.stages.loaded.LoadedTerm`)."""
    label, sep, words = term.partition(": ")
    return words if sep and label in ("all caps", "scare quotes") else term


def score_loaded(flags: list[Any], gold: Gold, loc: Located) -> tuple[Counter[str], dict[str, Any]]:
    c: Counter[str] = Counter()

    def flagged(page: str, sentence: str, term: str) -> bool:
        spans = loc.spans(page, sentence)
        for fl in flags:
            if fl.article != page:
                continue
            near = (fl.where == "body" and _hit(spans, fl.start, fl.end)) or overlaps_text(fl.text, sentence, 0.8)
            if near and any(has(term, w) or has(w, term) for w in map(_term_words, fl.terms)):
                return True
        return False

    def tally(key: str, words_key: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        hit, miss = [], []
        for item in gold.raw.get(key, []):
            for term in item.get(words_key, []):
                entry = {"page": item["page"], "term": term, "sentence": item["text"][:160]}
                (hit if flagged(item["page"], item["text"], term) else miss).append(entry)
        return hit, miss

    found, missed = tally("loaded", "terms")
    neutral_flagged, neutral_left = tally("neutral", "phrases")
    c["loaded_terms"], c["loaded_found"] = len(found) + len(missed), len(found)
    c["neutral_phrases"], c["neutral_flagged"] = len(neutral_flagged) + len(neutral_left), len(neutral_flagged)
    return c, {"loaded_missed": missed, "neutral_flagged": neutral_flagged}


# Removal kinds that are the article's own metadata, kept in `Article.removed` by design (bylines, date lines):
# the shared bank's gold keeps them as article lines, our converted clusters' gold removes them as noise.
METADATA_KINDS = {"byline", "timestamp"}


def score_noise(articles: dict[str, Any], gold: Gold) -> tuple[Counter[str], dict[str, Any]]:
    c: Counter[str] = Counter()
    kept, lost = [], []
    for page, lists in gold.raw.get("noise", {}).items():
        art = articles.get(page)
        text = art.text if art else ""
        title = (art.title or "") if art else ""
        for line in lists.get("remove", []):
            c["noise_lines"] += 1
            if has(text, line):
                c["noise_kept"] += 1
                kept.append({"page": page, "line": line[:160]})
        for line in lists.get("keep", []):
            c["keep_lines"] += 1
            if not (has(text, line) or has(title, line)):
                c["keep_lost"] += 1
                kinds = sorted({r.kind for r in (art.removed if art else []) if has(r.text, line)})
                if kinds and set(kinds) <= METADATA_KINDS:
                    c["keep_lost_meta"] += 1
                lost.append({"page": page, "line": line[:160], "removed_as": kinds or ["?"]})
    return c, {"noise_kept": kept, "article_lines_lost": lost}


def score_wording(facts: list[Any], gold: Gold) -> tuple[Counter[str], dict[str, Any]]:
    """Printed facts whose words come from a derivative page (gold ``derives_from`` set: a copy, reprint, rewrite,
    partisan rewrite or digest; translations left out) while a gold fact they state has a mention on an original
    page (``derives_from`` null): issue 21's "never worded from a derivative when its original states it"."""
    c: Counter[str] = Counter()
    worded = []
    for f in facts:
        c["printed_facts"] += 1
        page = getattr(f, "origin_article", "") or ""
        info = gold.pages.get(page) or {}
        if not info.get("derives_from") or info.get("role") == "translation":
            continue
        stated = [g for g in gold.facts if any(m["page"] == page and (has(f.text, m["text"]) or has(m["text"], f.text))
                                               for m in g["mentions"])]
        originals = sorted({m["page"] for g in stated for m in g["mentions"]
                            if m["page"] in gold.pages and not (gold.pages[m["page"]] or {}).get("derives_from")})
        if originals:
            c["deriv_worded"] += 1
            worded.append({"page": page, "role": info.get("role"), "originals": originals, "fact": f.text[:160]})
    return c, {"derivative_worded": worded}


def _surname_match(gold_name: str, printed: str | None) -> bool:
    g, p = words(gold_name, 2), words(printed or "", 2)
    return bool(g and p and (g & p))


def score_speakers(facts: list[Any], articles: list[Any], gold: Gold) -> tuple[Counter[str], dict[str, Any]]:
    c: Counter[str] = Counter()
    wrong = []
    items = gold.raw.get("speakers", [])
    statements = None
    for item in items:
        c["speakers"] += 1
        printed = [f for f in facts if item["page"] in set(getattr(f, "sources", []) or [])
                   and has(f.text, item["quote"])]
        if printed:
            c["speakers_in_facts"] += 1
            got = [f.speaker for f in printed]
        else:
            if statements is None:
                statements = px.get("stages.crosscheck", "collect_statements")(articles)
            got = [s.speaker for s in statements if s.article == item["page"] and
                   (has(s.text, item["quote"]) or has(item["quote"], s.text))]
        if any(_surname_match(item["speaker"], g) for g in got):
            c["speakers_right"] += 1
        else:
            wrong.append({"page": item["page"], "quote": item["quote"][:120], "speaker": item["speaker"],
                          "printed": sorted({g or "-" for g in got}), "from": "facts" if printed else "statements"})
    return c, {"speakers_wrong": wrong}


# --- the cosine peer -------------------------------------------------------------------------------------------


def peer_facts(statements: list[Any], sim: Any, threshold: float) -> list[PeerFact]:
    """Leader grouping: each statement not yet taken, in order, takes the closest untaken statement of every
    other article at cosine >= threshold; support = distinct origin groups."""
    taken = [False] * len(statements)
    out = []
    for i, s in enumerate(statements):
        if taken[i]:
            continue
        taken[i] = True
        best: dict[str, tuple[float, int]] = {}
        for j, t in enumerate(statements):
            if (not taken[j] and t.article != s.article and sim[i, j] >= threshold
                    and sim[i, j] > best.get(t.article, (-2.0, -1))[0]):
                best[t.article] = (float(sim[i, j]), j)
        members = [i] + [j for _, j in best.values()]
        for j in members:
            taken[j] = True
        ms = [statements[j] for j in members]
        out.append(PeerFact(s.text, len({m.group for m in ms}), [Ref(m.article, m.start, m.end) for m in ms],
                            s.article, sorted({m.article for m in ms})))
    return out


def peer_grid(brief: Any, scorer: FactScorer) -> dict[float, dict[str, int]]:
    """Corroboration counts of the cosine peer at every threshold of the grid, for one cluster."""
    collect = px.get("stages.crosscheck", "collect_statements")
    embed = common_embed()
    by_id = {a.id: a for a in brief.articles}
    per_story = []
    for story in brief.stories:
        st = collect([by_id[a] for a in story.articles if a in by_id])
        if st:
            vec = embed([s.text for s in st])
            per_story.append((st, vec @ vec.T))
    grid = {}
    keys = ("corr_printed", "corr_matched", "corr_correct", "gold_corr", "corr_recalled", "unmatched", "over")
    for t in PEER_GRID:
        facts = [f for st, sim in per_story for f in peer_facts(st, sim, t)]
        c, _ = scorer.score(facts, details=False)
        grid[t] = {k: c[k] for k in keys}
    return grid


def common_embed() -> Any:
    return px.get("text.embed", "embed")


def _f1(c: dict[str, int]) -> float:
    p, r = ratio(c["corr_correct"], c["corr_matched"]) or 0.0, ratio(c["corr_recalled"], c["gold_corr"]) or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def choose_thresholds(grids: dict[str, dict[float, dict[str, int]]]) -> dict[str, float]:
    """Leave one cluster out: for each cluster, the grid threshold with the best summed corroboration F1 on the
    other clusters (the default when there are none)."""
    out = {}
    for name in grids:
        others = [g for n, g in grids.items() if n != name]
        if not others:
            out[name] = PEER_DEFAULT
            continue
        out[name] = max(PEER_GRID, key=lambda t: (_f1(_add(Counter(), {k: sum(g[t][k] for g in others)
                                                                        for k in others[0][t]})),
                                                  -abs(t - PEER_DEFAULT)))
    return out


# --- one cluster -----------------------------------------------------------------------------------------------


def score_cluster(brief: Any, gold: Gold) -> tuple[Counter[str], dict[str, Any], FactScorer]:
    articles = {a.id: a for a in brief.articles}
    loc = Located({aid: a.text for aid, a in articles.items()})
    present = [p for p in gold.pages if p in articles]
    facts = [f for s in brief.stories for f in s.facts]
    disputes = [d for s in brief.stories for d in s.disputes]
    flags = [fl for s in brief.stories for fl in s.loaded_language]
    counts: Counter[str] = Counter(pages=len(gold.pages), pages_missing=len(gold.pages) - len(present),
                                   disputes_printed=len(disputes))
    details: dict[str, Any] = {"missing_pages": sorted(set(gold.pages) - set(articles)),
                               "extra_pages": sorted(set(articles) - set(gold.pages)),
                               "input_errors": [f"{e.code} {e.input}" for e in brief.errors]}
    scorer = FactScorer(gold, loc)
    parts = [score_stories(brief, gold, present), score_origins(articles, gold, present), scorer.score(facts),
             score_disputes(disputes, gold), score_loaded(flags, gold, loc), score_noise(articles, gold),
             score_speakers(facts, brief.articles, gold), score_wording(facts, gold)]
    for c, d in parts:
        counts.update(c)
        details.update(d)
    for g in gold.facts:  # every mention located, so that `lost` lists the ones cleaning dropped or changed
        for m in g["mentions"]:
            loc.spans(m["page"], m["text"])
    details["lost"] = sorted(f"{p}: {s[:120]}" for p, s in loc.lost if any(
        m["page"] == p and m["text"] == s for g in gold.facts for m in g["mentions"]))
    counts["lost"] = len(details["lost"])
    return counts, details, scorer


def run_cluster(cluster: Cluster, peer: bool) -> dict[str, Any]:
    brief_paths = px.get("pipeline", "brief_paths")
    gold = Gold(json.loads((cluster.path / "gold.json").read_text(encoding="utf-8")))
    with common.Timer() as timer:
        brief = brief_paths([str(cluster.path / "pages")], length="full")
    counts, details, scorer = score_cluster(brief, gold)
    out = {"cluster": cluster.name, "split": cluster.split, "counts": counts, "details": details,
           "seconds": timer.seconds}
    if peer:
        with common.Timer() as t2:
            out["peer_grid"] = peer_grid(brief, scorer)
        out["peer_seconds"] = t2.seconds
    return out


# --- tables ----------------------------------------------------------------------------------------------------

TABLE1 = ("cluster", "pages", "stories_right", "story_pair_acc", "b3_f1", "origin_right", "origin_pair_acc",
          "corr_p", "corr_r", "over", "unmatched", "peer_p", "peer_r", "peer_T", "seconds")
# Corroboration as the reader is told it: facts and the parts of printed sentences shown corroborated
# ("this part stated by N independent origins"), each part scored like a fact (`claims_shown`).
TABLE3 = ("cluster", "parts_shown", "corr_p_parts", "corr_r_parts", "over_parts", "unmatched_parts")
TABLE2 = ("cluster", "across_right", "disp_r", "disp_p", "notdisp", "partial_worded", "partial_support", "loaded_found",
          "neutral_flagged", "noise_kept", "keep_lost", "speakers", "deriv_worded", "headline_overlap", "lost")


def _frac(a: int, b: int) -> str:
    return f"{a}/{b}"


def row(name: str, c: Counter[str], seconds: float | None, peer: dict[str, int] | None,
        threshold: Any = None) -> dict[str, Any]:
    b3p, b3r = ratio(c["b3_p"], c["b3_pages"]), ratio(c["b3_r"], c["b3_pages"])
    r: dict[str, Any] = {
        "system": "parallax", "cluster": name, "pages": c["pages"],
        "stories_right": _frac(c["stories_right"], c["stories"]),
        "story_pair_acc": ratio(c["story_pairs_agree"], c["story_pairs"]),
        "b3_p": b3p, "b3_r": b3r, "b3_f1": 2 * b3p * b3r / (b3p + b3r) if b3p and b3r else None,
        "origin_right": _frac(c["origin_right"], c["origin_pages"]),
        "origin_pair_acc": ratio(c["origin_pairs_agree"], c["origin_pairs"]),
        "corr_p": ratio(c["corr_correct"], c["corr_matched"]), "corr_r": ratio(c["corr_recalled"], c["gold_corr"]),
        "over": _frac(c["over"], c["corr_matched"]), "over_share": ratio(c["over"], c["corr_matched"]),
        "unmatched": _frac(c["unmatched"], c["corr_printed"]), "unmatched_share": ratio(c["unmatched"],
                                                                                       c["corr_printed"]),
        "parts_shown": c["claims_printed"],
        "corr_p_parts": ratio(c["corr_correct"] + c["claims_correct"], c["corr_matched"] + c["claims_matched"]),
        "corr_r_parts": ratio(c["corr_recalled_parts"], c["gold_corr"]),
        "over_parts": _frac(c["over"] + c["claims_over"], c["corr_matched"] + c["claims_matched"]),
        "unmatched_parts": _frac(c["unmatched"] + c["claims_unmatched"], c["corr_printed"] + c["claims_printed"]),
        "across_right": _frac(c["across_correct"], c["across_matched"]),
        "disp_r": _frac(c["disp_recalled"], c["gold_disputes"]), "disp_recall": ratio(c["disp_recalled"],
                                                                                      c["gold_disputes"]),
        "disp_p": ratio(c["disp_correct"], c["printed_disputes"]),
        "notdisp": _frac(c["notdisp_shown"], c["printed_disputes"]),
        "partial_worded": c["partial_worded"], "partial_support": _frac(c["partial_support"], c["partial_total"]),
        "loaded_found": _frac(c["loaded_found"], c["loaded_terms"]),
        "neutral_flagged": _frac(c["neutral_flagged"], c["neutral_phrases"]),
        "noise_kept": _frac(c["noise_kept"], c["noise_lines"]), "keep_lost": _frac(c["keep_lost"], c["keep_lines"]),
        "speakers": _frac(c["speakers_right"], c["speakers"]),
        "deriv_worded": _frac(c["deriv_worded"], c["printed_facts"]),
        "headline_overlap": ratio(c["headline_overlap"], c["stories"]), "lost": c["lost"],
        "seconds": seconds, "counts": dict(sorted(c.items())),
    }
    if peer is not None:
        r["peer_p"] = ratio(peer["corr_correct"], peer["corr_matched"])
        r["peer_r"] = ratio(peer["corr_recalled"], peer["gold_corr"])
        r["peer_T"] = threshold
        r["peer_counts"] = peer
    return r


def _cites(w: dict[str, Any]) -> str:
    return f"cites {', '.join(w['cited'])}"


# (details key, how one item prints) in the order --details prints them
DETAIL_LINES: tuple[tuple[str, Any], ...] = (
    ("headlines", lambda h: f"story {h['story']} ({'right' if h['right'] else 'wrong'}): gold {h['gold']!r}\n"
                            f"      brief {h['brief']!r}"),
    ("wrong_origin_groups", lambda w: f"origin group wrong: {w['page']} ({w['role']}): gold mates {w['gold_mates']}, "
                                      f"brief mates {w['brief_mates']}"),
    ("missed_corroborations", lambda m: f"missed corroboration {m['fact']} (" + (
        f"in brief, best support {m['best_support']}, origins {m['best_origins']}" if m["in_brief"]
        else "not stated through a gold mention") + f"): {m['claim'][:100]}"),
    ("false_corroborations", lambda w: f"false corroboration (support {w['support']}, origins stating "
                                       f"{w['origins_stating']}; {_cites(w)}; gold {w['gold']}): {w['text'][:140]}"),
    ("over_supported", lambda w: f"over-supported (support {w['support']} > {w['origins_stating']}; {_cites(w)}; "
                                 f"gold {w['gold']}): {w['text'][:140]}"),
    ("unmatched", lambda w: f"unmatched (support {w['support']}; {_cites(w)}): {w['text'][:140]}"),
    ("claims_false", lambda w: f"part shown corroborated, wrongly (support {w['support']}, origins stating "
                               f"{w['origins_stating']}; {_cites(w)}): {w['text'][:140]}"),
    ("claims_unmatched", lambda w: f"part shown corroborated, unmatched (support {w['support']}; {_cites(w)}): "
                                   f"{w['text'][:140]}"),
    ("missed_disputes", lambda m: f"missed dispute {m['id']}: {m['about']}"),
    ("wrong_disputes", lambda w: "wrong dispute" + (f" = not-dispute {', '.join(w['not_dispute'])}"
                                                    if w["not_dispute"] else "")
     + f": {w['about']} [{w['kind']}]: " + " | ".join(f"{v['value']} ({', '.join(v['sources'])})"
                                                       for v in w["variants"])),
    ("loaded_missed", lambda m: f"loaded term not flagged: {m['page']}: {m['term']!r}"),
    ("neutral_flagged", lambda m: f"neutral phrase flagged: {m['page']}: {m['term']!r}"),
    ("noise_kept", lambda m: f"noise kept: {m['page']}: {m['line']!r}"),
    ("article_lines_lost", lambda m: f"article line lost ({', '.join(m['removed_as'])}): {m['page']}: "
                                     f"{m['line']!r}"),
    ("speakers_wrong", lambda m: f"speaker wrong ({m['from']}): {m['page']}: {m['quote']!r} is {m['speaker']}, "
                                 f"printed {m['printed']}"),
    ("derivative_worded", lambda w: f"worded from a derivative: {w['page']} ({w['role']}) while "
                                    f"{', '.join(w['originals'])} state it: {w['fact'][:120]}"),
    ("lost", lambda s: f"gold mention not in cleaned text: {s}"),
)


def print_details(res: dict[str, Any]) -> None:
    d = res["details"]
    print(f"\n[{res['cluster']}]")
    for k in ("missing_pages", "extra_pages", "input_errors"):
        if d[k]:
            print(f"  {k.replace('_', ' ')}: {', '.join(d[k])}")
    for key, line in DETAIL_LINES:
        for item in d[key]:
            print("  " + line(item))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bank", description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append", default=None,
                        help=f"folder of FORMAT.md clusters (repeatable; default: {SHARED_BANK} and {OWN_BANK})")
    parser.add_argument("--clusters", default="", help="comma-separated subset of the cluster folders")
    parser.add_argument("--split", default="all", choices=("dev", "heldout", "all"),
                        help="dev / held-out clusters (bench/data/bank/splits.json) or all (default)")
    parser.add_argument("--json", metavar="OUT", help="also write the results (with every detail) as JSON to OUT")
    parser.add_argument("--details", action="store_true", help="print each cluster's misses")
    parser.add_argument("--no-peer", action="store_true", help="skip the cosine-rule peer")
    args = parser.parse_args(argv)
    roots = [Path(d) for d in args.data] if args.data else [SHARED_BANK, OWN_BANK]
    clusters = find_clusters(roots, args.clusters, args.split)
    if not clusters:
        print(f"skip: no bank clusters found in {', '.join(map(str, roots))} (../shared is absent?)", file=sys.stderr)
        return 0
    try:
        px.check(("pipeline", "brief_paths"))
    except px.Unavailable as exc:
        print(f"parallax: not available ({exc})", file=sys.stderr)
        return 0
    results = []
    for cl in clusters:
        res = run_cluster(cl, peer=not args.no_peer)
        results.append(res)
        extra = f", peer {res['peer_seconds']:.1f} s" if "peer_seconds" in res else ""
        print(f"{cl.name}: {res['seconds']:.1f} s{extra}", file=sys.stderr)
    thresholds = choose_thresholds({r["cluster"]: r["peer_grid"] for r in results}) if not args.no_peer else {}
    rows = []
    totals: dict[str, tuple[Counter[str], Counter[str], float]] = {}
    for res in results:
        peer = res["peer_grid"][thresholds[res["cluster"]]] if thresholds else None
        rows.append(row(res["cluster"], res["counts"], res["seconds"], peer, thresholds.get(res["cluster"])))
        rows[-1]["split"] = res["split"]
        rows[-1]["details"] = res["details"]
        for key in (res["split"], "all"):
            c, p, s = totals.get(key, (Counter(), Counter(), 0.0))
            totals[key] = (_add(c, res["counts"]), _add(p, peer or {}), s + res["seconds"])
    for key in ("dev", "heldout", "all"):
        if key in totals and (key == "all" or len(totals) > 2):
            c, p, s = totals[key]
            rows.append(row(f"TOTAL {key} ({sum(r['split'] == key or key == 'all' for r in results)})", c, s,
                            dict(p) if thresholds else None, "loco" if thresholds else None))
    title = f"bench.bank — {len(clusters)} clusters from {', '.join(str(r) for r in roots if r.is_dir())}"
    common.print_table(title + " (stories, origin groups, corroboration; over/unmatched: of facts shown "
                       "corroborated; peer: cosine rule, T leave-one-cluster-out)", rows, TABLE1)
    common.print_table("bench.bank — disputes, partial sentences, loaded language, noise, speakers, headlines", rows,
                       TABLE2)
    common.print_table("bench.bank — corroboration with the parts of sentences shown corroborated (claims)", rows,
                       TABLE3)
    if args.details:
        for res in results:
            print_details(res)
    common.write_json(args.json, NAME, ", ".join(map(str, roots)),
                      [common.rounded(r) for r in rows],
                      peer_grid={r["cluster"]: r.get("peer_grid") for r in results}, peer_thresholds=thresholds,
                      split=args.split)
    return 0


def _add(a: Counter[str], b: dict[str, Any]) -> Counter[str]:
    out = Counter(a)
    for k, v in b.items():
        out[k] += v
    return out


if __name__ == "__main__":
    sys.exit(main())
