"""Provenance: copies, near-copies, paraphrased rewrites and credited wires; articles grouped by origin.

The origin group, not the article, is the unit of independent support.
- exact and near copies: MinHash (`text.hashing`, datasketch's scheme) over word 5-gram shingles of the cleaned text;
- paraphrased rewrites (a machine rewrite of a wire story shares few exact words): sentences aligned by
  meaning (mutual best matches), then the longest order-preserving run of aligned sentences, weighted
  by how close each pair is; a rewrite keeps the original's facts in the original's order;
- credit lines: "according to Reuters", "(Reuters) -", "Source link", "Photo: Bloomberg";
- named credits of any outlet ("Source: APA", "Sources: CPS, The Serra Courier", "via the Ederly Echo",
  "the Gazette reports") and links (kinds "cite" and "link"): a page that credits another page of the story
  (its outlet, its agency, its URL) and restates part of it in order derives from it (`credits_page`); a page
  that does so for pages of two or more origins is a digest, which derives from each and merges none of them.
- translations (issue 23): a pair in which either page is not in English is aligned on the multilingual
  encoder's sentence vectors (`parallax.text.multilingual`) with thresholds of its own (`ProvenanceConfig.
  translation_*`): a page that restates another in order in another language is its "translation" (a
  derivative: same origin, never support), one in the same language its rewrite.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass

import numpy as np

from parallax.config import settings
from parallax.model import Article, Credit, Relation
from parallax.text.align import matches, order_preserving_run
from parallax.text.hashing import Signature, minhash_signature
from parallax.text.slots import dateline_length
from parallax.text.urls import url_key

log = logging.getLogger(__name__)


WIRES = [
    "Reuters", "Associated Press", "AP", "AFP", "Agence France-Presse", "Agence France Presse", "Bloomberg",
    "dpa", "Deutsche Presse-Agentur", "Xinhua", "Kyodo", "Kyodo News", "Yonhap", "ANI", "PTI", "Press Trust of India",
    "IANS", "EFE", "ANSA", "UPI", "TASS", "PA Media", "Press Association", "Anadolu", "Anadolu Agency", "CNA",
    "Central News Agency", "Jiji Press", "Bernama", "Antara", "Efe", "RIA Novosti", "Interfax", "AAP",
    "Australian Associated Press", "Canadian Press", "The Canadian Press", "NTB", "TT", "Belga", "APA",
]
_WIRE_ALT = "|".join(sorted((re.escape(w) for w in WIRES), key=len, reverse=True))
# An organisation named like a news agency: "Northwind Wire", "Meridian Press Agency", "Metro News Service".
_AGENCY = r"(?:[A-Z][\w&.'-]*\s){0,4}(?:Wire|Press(?: Agency)?|News Agency|News Service|Newswire|Agency)"
_ORG = rf"(?:the\s)?(?P<name>{_WIRE_ALT}|{_AGENCY})\b"
CREDIT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("wire", re.compile(rf"\baccording to {_ORG}")),
    ("wire", re.compile(rf"\((?P<name>{_WIRE_ALT}|{_AGENCY})\)\s*[-—–]")),
    ("wire", re.compile(rf"(?:[-—–]|\bvia|\bsource:|\bcredit:)\s*{_ORG}\s*$", re.MULTILINE | re.IGNORECASE)),
    ("wire", re.compile(rf"\b(?:reported|reports|told|said) {_ORG}(?=[\s.,;])")),
    ("wire", re.compile(rf"\b(?:[Rr]eporting|[Ww]riting|[Ee]diting) by [^\n]{{0,80}}?;?\s*{_ORG}")),
    ("wire", re.compile(rf"\b{_ORG} (?:reported|said|reports)\b")),
    ("source_link", re.compile(r"^(?:Source link|Source|Read (?:the )?(?:full|original) (?:story|article)[^\n]{0,60}"
                               r"|Originally published[^\n]{0,80}|This (?:article|story) (?:first |originally )?"
                               r"appeared (?:on|in|at)[^\n]{0,80})\s*$", re.MULTILINE | re.IGNORECASE)),
    ("photo", re.compile(r"^\(?(?:Photo|Image|Picture|Photograph|Photo credit)\s*(?:by\s+|:\s*)"
                         r"(?P<name>[^\n)]{1,60})\)?\s*$", re.MULTILINE | re.IGNORECASE)),
]


# Named credits of any outlet (kind "cite"): matched against the story's outlets (`credits_page`), never taken
# for a wire on their own (a ministry "according to" is no outlet of the story, and matches none).
_CITE_NAME = r"[A-Z][\w&'’-]*(?:[ \t](?:of[ \t]|&[ \t])?[A-Z][\w&'’-]*){0,5}"
_SOURCES_LINE = re.compile(r"^[ \t]*(?:Sources?|Via|Credits?|Adapted from|Based on reporting by)\s*:\s*"
                           r"(?P<list>[^\n]{1,300}?)[ \t.]*$", re.MULTILINE | re.IGNORECASE)
_CITE_INLINE = [
    re.compile(rf"\b(?:[Aa]ccording to|[Vv]ia|[Cc]iting|[Rr]eported by|[Ff]irst reported by)\s+(?:the\s)?"
               rf"(?P<name>{_CITE_NAME})"),
    re.compile(rf"(?P<the>\b[Tt]he[ \t])?(?P<name>{_CITE_NAME})[ \t](?:reports|reported|says|adds|notes|writes|wrote)\b"),
    # the same credits in the other languages of `text.multilingual` that a page may be in ("según la agencia OPS",
    # "(Traduction de l'Oriel Press Service)", "laut Nordwind-Agentur", "secondo il Corriere", "Fuente: EFE")
    re.compile(rf"\b(?:[Ss]egún|[Ss]elon|[Ss]econdo|[Ss]egundo|[Dd]e acordo com|[Ll]aut|[Tt]raducción de|[Tt]raduction de"
               rf"|[Tt]raduzione d[ai]|[Tt]radução d[eao]|[Üü]bersetzung (?:von|aus)|[Ff]uente\s?:|[Ff]onte\s?:"
               rf"|[Qq]uelle\s?:|[Ii]nformó|[Ii]nforma)\s+(?:la agencia |l['’]agence |l['’]agenzia |a agência "
               rf"|die Agentur |der Agentur |el |la |le |l['’]|il |lo |o |a |der |die |das |dem |des )?"
               rf"(?P<name>{_CITE_NAME})"),
]
_LIST_SPLIT = re.compile(r"\s*(?:[,;|/]|\band\b|&)\s*")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")


def _cite_credits(raw: str) -> list[Credit]:
    found = []
    for m in _SOURCES_LINE.finditer(raw):
        line = m.group("list")
        for part in _LIST_SPLIT.split(line):
            name = re.sub(r"^(?:the|The|THE)\s+", "", part.strip(" .:"))
            if name and name[:1].isupper() and len(name.split()) <= 6:
                found.append(Credit("cite", name, m.group(0).strip(), m.start(), m.end()))
    for k, pat in enumerate(_CITE_INLINE):
        for m in pat.finditer(raw):
            name = re.sub(r"['’]s$", "", m.group("name").strip())
            # "X says": a person says things too; only "the X", an acronym or a name of several words
            if k == 1 and not (m.group("the") or name.isupper() or len(name.split()) >= 2):
                continue
            found.append(Credit("cite", name, m.group(0).strip(), m.start(), m.end()))
    for m in _URL.finditer(raw):
        found.append(Credit("link", m.group(0), m.group(0), m.start(), m.end()))
    return found


def find_credits(article: Article) -> list[Credit]:
    """Credit lines anywhere in the page as read (removed parts included: "Source link" is a removal), named
    credits of any outlet ("cite") and links ("link")."""
    found: list[Credit] = []
    seen: set[tuple[int, int]] = set()
    for kind, pat in CREDIT_PATTERNS:
        for m in pat.finditer(article.raw):
            if (m.start(), m.end()) in seen:
                continue
            seen.add((m.start(), m.end()))
            name = m.groupdict().get("name")
            name = name.strip() if name else None
            if kind == "wire" and name and name.lower() in {"the", "press", "agency", "wire"}:
                continue
            found.append(Credit(kind, name, m.group(0).strip(), m.start(), m.end()))
    named = {(c.start, (c.name or "").lower()) for c in found}
    found += [c for c in _cite_credits(article.raw) if (c.start, (c.name or "").lower()) not in named]
    found.sort(key=lambda c: (c.start, c.kind, c.name or ""))
    return found


def _shingles(text: str, k: int = 5) -> set[str]:
    toks = re.findall(r"\w+", text.lower())
    return {" ".join(toks[i : i + k]) for i in range(max(1, len(toks) - k + 1))} if toks else set()


def minhash(text: str) -> Signature:
    """MinHash signature of the text's word 5-gram shingles (`num_perm` permutations, seed 7)."""
    return minhash_signature((s.encode("utf-8") for s in _shingles(text)), settings().provenance.num_perm, seed=7)


@dataclass(slots=True)
class PairEvidence:
    a: str
    b: str
    relation: str  # copy | near-copy | rewrite | credited | same-wire | independent
    jaccard: float
    run: int
    run_score: float
    mean_cos: float
    evidence: str
    a_only: int = 0  # for copies and excerpts (`is_verbatim`): sentences of `a` with no counterpart in `b` ...
    b_only: int = 0  # ... and of `b` with none in `a`


def _rewrite_stats(ea: np.ndarray, eb: np.ndarray, floor: float | None = None) -> tuple[int, float, float]:
    if len(ea) == 0 or len(eb) == 0:
        return 0, 0.0, 0.0
    sim = ea @ eb.T
    floor = settings().provenance.align_floor if floor is None else floor
    run = order_preserving_run(matches(sim, floor))
    if not run:
        return 0, 0.0, 0.0
    weight = sum(c - floor for _, _, c in run) / min(len(ea), len(eb))
    return len(run), float(weight), float(np.mean([c for _, _, c in run]))


def outlet(a: Article) -> str | None:
    """Who published the page: its declared outlet, else the masthead cleaning removed from its top."""
    return a.source or a.meta.get("masthead")


def note_masthead(a: Article) -> None:
    """Keep the page's masthead (the first line of a removed site header, when it reads like a name, not an
    account or menu line) in `meta["masthead"]`: a page with no declared outlet still says who publishes it. And
    the agency its text's opening dateline names ("VALDORO, Aug 6 (CPS) - …") in `meta["dateline_agency"]`
    (`files_dateline`): recorded with the page, so the store's provenance reads what the batch's reads."""
    first = a.text.lstrip()[:300]
    n = dateline_length(first)
    m = _AGENCY_DATELINE.search(first[: n + 2]) if n else None
    if m:
        a.meta["dateline_agency"] = m.group(0).strip(" -–—()")
    for r in a.removed:
        if r.kind == "site_header":
            line = r.text.strip().splitlines()[0].strip() if r.text.strip() else ""
            words = line.split()
            if 1 <= len(words) <= settings().provenance.masthead_max_words and line[:1].isupper() \
                    and not _DATEISH.search(line) and not _ACCOUNT.search(line):
                a.meta["masthead"] = line
            return


def files_dateline(a: Article) -> bool:
    """Does the page open with a dateline naming an agency that is its own (`meta["dateline_agency"]` on a page
    that names no other outlet, or whose outlet is that agency: "Continental Press Service" for "(CPS)")? An
    agency files its copy so; an outlet's reprint that keeps the dateline names another outlet as its own."""
    agency = a.meta.get("dateline_agency")
    if not agency:
        return False
    own = outlet(a)
    return own is None or names_match(agency, own)


_AGENCY_DATELINE = re.compile(r"\([A-Z][A-Za-z.&' ]{1,40}\)\s*[-–—]")
# A site header's account line ("Log in for subscribers", "Log in  Register", "Sign in") or a section's name: no
# masthead. ("Register" alone is left: a paper may be called so.)
_ACCOUNT = re.compile(r"\b(?:log ?in|sign ?in|sign ?up|subscribe|my account)\b"
                      # a section's name alone ("CULTURE", "World | Sport") names a page's part, not its publisher
                      r"|^(?:(?:news|world|culture|sport|sports|business|politics|opinion|health|science|tech"
                      r"|technology|entertainment|lifestyle|local|national|international|economy|travel|weather"
                      r"|home)\s*[|/·•,]?\s*)+$", re.IGNORECASE)
_DATEISH = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*day\b|\b\d{1,2}:\d{2}\b|\b(?:19|20)\d\d\b")
_NAME_WORDS = re.compile(r"[a-z0-9&]+")


def same_organisation(x: str | None, y: str | None) -> bool:
    """"Oriel Press" and "Oriel Press Service", "The Ederly Echo" and "THE EDERLY ECHO": one's words
    (articles dropped) are all among the other's."""
    if not x or not y:
        return False
    wx = set(_NAME_WORDS.findall(x.lower())) - {"the"}
    wy = set(_NAME_WORDS.findall(y.lower())) - {"the"}
    return bool(wx and wy) and (wx <= wy or wy <= wx)


_OWN_COPY = re.compile(r"^\(|\b(?:[Rr]eporting|[Ww]riting|[Ee]diting) by\b")
_NAME_STOP = {"the", "of", "and", "&"}


def own_wires(a: Article) -> set[str]:
    """The agency whose copy the page is: a dateline "(APA) -", "Reporting by ...; APA"."""
    return {c.name for c in a.credits if c.kind == "wire" and c.name and _OWN_COPY.search(c.text)}


def own_names(a: Article) -> set[str]:
    """Who the page is by: its outlet, and the agency whose copy it is."""
    own = outlet(a)
    return own_wires(a) | ({own} if own else set())


def _initials(name: str) -> str:
    return "".join(w[0] for w in _NAME_WORDS.findall(name.lower()) if w not in _NAME_STOP)


def names_match(credit: str, name: str) -> bool:
    """A credited name names an outlet: one's words are among the other's ("the Courier", "THE SERRA
    COURIER"), or the credit is the outlet's initials ("CPS", "Continental Press Service")."""
    if same_organisation(credit, name):
        return True
    c = credit.strip()
    return c.isalpha() and c.isupper() and 2 <= len(c) <= 6 and c.lower() == _initials(name)


def credits_page(a: Article, b: Article) -> bool:
    """Does page `a` credit page `b`: name b's outlet or the agency whose copy b is ("Source: APA",
    "according to the Serra Courier", "Sources: CPS; ..."), or link to b's URL? A's own names (its outlet,
    its own agency's dateline) credit no one."""
    mine = own_names(a)
    theirs = own_names(b) - {n for n in mine}
    key_b = url_key(b.url) if b.url else None
    for c in a.credits:
        if c.kind == "link":
            if key_b and url_key(c.name) == key_b:
                return True
        elif c.kind in ("cite", "wire") and c.name and not _OWN_COPY.search(c.text) \
                and not any(names_match(c.name, n) for n in mine) and any(names_match(c.name, n) for n in theirs):
            return True
    return False


def _unmatched(ea: np.ndarray, eb: np.ndarray, same: float) -> tuple[int, int]:
    """Sentences of each text without a near-identical counterpart (cosine >= `same`) in the other."""
    if len(ea) == 0 or len(eb) == 0:
        return len(ea), len(eb)
    sim = ea @ eb.T
    return int((sim.max(axis=1) < same).sum()), int((sim.max(axis=0) < same).sum())


def compare(a: Article, b: Article, ea: np.ndarray, eb: np.ndarray, mha=None, mhb=None,
            multilingual: bool = False, sentences: tuple[list[str], list[str]] | None = None) -> PairEvidence:
    """Decide copy / near-copy / rewrite / same-wire / independent for one pair, with the evidence.
    `multilingual`: `ea` and `eb` are the multilingual encoder's sentence vectors (a pair with a page not in
    English), decided by `_compare_across`. Both read the pages' figures (`_own_figures`): from `sentences`, the
    two pages' sentence texts, where `a` and `b` carry no text, as the store's stand-ins do."""
    jac = float(mha.jaccard(mhb)) if mha is not None and mhb is not None else 0.0
    if multilingual:
        sa, sb = sentences if sentences is not None else (a.sentence_texts(), b.sentence_texts())
        return _compare_across(a, b, ea, eb, jac, page_figures(sa), page_figures(sb))
    run, score, mean = _rewrite_stats(ea, eb)
    na, nb = len(ea), len(eb)
    own: int | None = None  # figures each page states that the other does not, read only for an aligned pair
    # both are one agency's copy: a dateline or "Reporting by" line names it (quoting an agency is no copy of it)
    shared_wire = ({n.lower() for n in own_wires(a)} & {n.lower() for n in own_names(b)}) | (
        {n.lower() for n in own_wires(b)} & {n.lower() for n in own_names(a)})
    cfg = settings().provenance
    credit = [x.id for x, y in ((a, b), (b, a)) if credits_page(x, y)]
    copied = _copy_relation(jac)
    if copied:
        rel, ev = copied
    elif credit and run >= cfg.credited_min_run and score >= cfg.credited_score:
        rel = "credited"
        who = " and ".join(f"{x} credits {y}" for x, y in ((a.id, b.id), (b.id, a.id)) if x in credit)
        ev = (f"{who} and restates it: {run} of {min(na, nb)} sentences align by meaning in the same order "
              f"(mean cosine {mean:.2f})")
    elif run >= cfg.rewrite_min_run and score >= cfg.rewrite_score and run >= cfg.rewrite_coverage * min(na, nb) \
            and (own := _own_figures(a, b, sentences)) < cfg.rewrite_own_figures:
        rel = "rewrite"
        ev = (f"{run} of {min(na, nb)} sentences align by meaning in the same order "
              f"(mean cosine {mean:.2f}); shared wording {jac:.2f}")
    elif shared_wire and run >= cfg.same_wire_min_run and score >= cfg.rewrite_score * cfg.same_wire_score_share \
            and run >= cfg.rewrite_coverage * min(na, nb):
        rel = "same-wire"
        ev = f"both carry {', '.join(sorted(shared_wire))} copy; {run} sentences align in order (mean cosine {mean:.2f})"
    else:
        rel, ev = "independent", f"{run} sentences align in order (score {score:.3f}); shared wording {jac:.2f}"
        if own is not None:
            ev += f"; each states {own} or more figures the other does not"
    a_only, b_only = _unmatched(ea, eb, cfg.copy_sentence_cos) if is_verbatim(rel, mean) else (0, 0)
    return PairEvidence(a.id, b.id, rel, jac, run, score, mean, ev, a_only, b_only)


def is_verbatim(relation: str, mean_cos: float) -> bool:
    """A copy, or a page whose sentences align in order with another's word for word (mean cosine at least
    `copy_sentence_cos`) while their shingles differ because one page holds only part of the other: an excerpt.
    For such pairs each side's sentences without a counterpart are counted (`PairEvidence.a_only`)."""
    return relation in ("copy", "near-copy") or (relation == "rewrite"
                                                  and mean_cos >= settings().provenance.copy_sentence_cos)


def _copy_relation(jac: float) -> tuple[str, str] | None:
    """("copy" | "near-copy", evidence) when the shingle Jaccard says one text is the other, else None."""
    cfg = settings().provenance
    if jac >= cfg.copy_jaccard:
        return "copy", f"same text (MinHash Jaccard {jac:.2f} of 5-word shingles)"
    if jac >= cfg.near_copy_jaccard:
        return "near-copy", f"near-identical text (MinHash Jaccard {jac:.2f} of 5-word shingles)"
    return None


def page_figures(sentences: list[str]) -> set[str]:
    """The figures a page states, in any notation (`crosscheck.figures_any_locale`)."""
    from parallax.stages.crosscheck import figures_any_locale

    out: set[str] = set()
    for s in sentences:
        out |= figures_any_locale(s)
    return out


def _own_figures(a: Article, b: Article, sentences: tuple[list[str], list[str]] | None) -> int:
    """How many figures each of two pages states that the other does not (the smaller count; any notation,
    `page_figures`): a restatement adds at most a figure or two of its own (a rounded total, a rewrite's error);
    two reports of one event told in the same order each have several."""
    sa, sb = sentences if sentences is not None else (a.sentence_texts(), b.sentence_texts())
    fa, fb = page_figures(sa), page_figures(sb)
    return min(len(fa - fb), len(fb - fa))


def _compare_across(a: Article, b: Article, ea: np.ndarray, eb: np.ndarray, jac: float, fa: set[str],
                    fb: set[str]) -> PairEvidence:
    """`compare` for a pair with a page not in English, on multilingual sentence vectors: copies by shingles as
    ever; a credited restatement, or a restatement in order of most of the shorter text ("translation" when the
    two languages differ, else "rewrite"), by the `translation_*` thresholds, unless each page states figures of
    its own (`fa`, `fb`: the pages' figures); or a looser restatement in order by a page that adds no figure of
    its own; else independent."""
    from parallax.text.language import language_of

    cfg = settings().provenance
    run, score, mean = _rewrite_stats(ea, eb, cfg.translation_align_floor)
    na, nb = len(ea), len(eb)
    la, lb = language_of(a), language_of(b)
    credit = [x.id for x, y in ((a, b), (b, a)) if credits_page(x, y)]
    own = min(len(fa - fb), len(fb - fa))  # figures each page states that the other does not
    kind = "translation" if la != lb else "rewrite"
    aligned = run >= cfg.rewrite_min_run and score >= cfg.translation_score and \
        run >= cfg.translation_coverage * min(na, nb)
    loose, _s, loose_mean = _rewrite_stats(ea, eb, cfg.translation_loose_floor)
    restated = any(len(x) >= cfg.translation_loose_figures and x <= y for x, y in ((fa, fb), (fb, fa)))
    copied = _copy_relation(jac)
    if copied:
        rel, ev = copied
    elif credit and run >= cfg.credited_min_run and score >= cfg.translation_credited_score:
        who = " and ".join(f"{x} credits {y}" for x, y in ((a.id, b.id), (b.id, a.id)) if x in credit)
        rel, ev = "credited", (f"{who} and restates it ({la}/{lb}): {run} of {min(na, nb)} sentences align by "
                               f"meaning in the same order (mean multilingual cosine {mean:.2f})")
    elif aligned and own < cfg.translation_own_figures:
        rel = kind
        ev = (f"{run} of {min(na, nb)} sentences align by meaning in the same order across languages ({la}/{lb}; "
              f"mean multilingual cosine {mean:.2f})")
    elif restated and loose >= cfg.rewrite_min_run and loose >= cfg.translation_loose_coverage * min(na, nb):
        rel = kind
        ev = (f"{loose} of {min(na, nb)} sentences align by meaning in the same order across languages ({la}/{lb}; "
              f"mean multilingual cosine {loose_mean:.2f}), and one states no figure the other does not")
    else:
        rel = "independent"
        ev = (f"{run} sentences align in order across languages ({la}/{lb}; score {score:.3f}); "
              + (f"each states {own} or more figures the other does not" if aligned else f"shared wording {jac:.2f}"))
    a_only, b_only = _unmatched(ea, eb, cfg.copy_sentence_cos) if rel in ("copy", "near-copy") else (0, 0)
    return PairEvidence(a.id, b.id, rel, jac, run, score, mean, ev, a_only, b_only)


class _UnionFind:
    def __init__(self, items: list[str]):
        self.parent = {i: i for i in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


_AGENCY_NAME = re.compile(rf"(?:the\s)?(?:{_WIRE_ALT}|(?:[A-Z][\w&.'-]*\s){{0,4}}(?:Wire|Newswire|News Agency"
                          rf"|News Service|Press Agency|Press Association|Press Service|Agency))")


def is_agency(name: str | None) -> bool:
    """A news agency's name ("Reuters", "Northwind Wire", "Oriel Press Service"): agencies originate copy
    that others reprint."""
    return bool(name) and bool(_AGENCY_NAME.fullmatch(name.strip()))


def credits_other(a: Article) -> bool:
    """Does the page attribute its content to someone other than its own outlet (a wire, a source link)?"""
    own = outlet(a)
    return any(c.kind == "source_link" or (c.kind == "wire" and not same_organisation(c.name, own))
               for c in a.credits)


def originality_key(a: Article, centrality: float, *, credited: frozenset[str] = frozenset(),
                    trimmed: bool = False, use_dates: bool = True) -> tuple:
    """Sort key of an origin group's members, most original first, decided by content, never by arrival:
    the outlet the others credit (`credited`: names credited inside the group); then the agency's filed copy
    (`files_dateline`: its own dateline); then a page that attributes
    its content to no one else; then a news agency's own page (agencies originate the copy others reprint);
    then a page that is not a trimmed copy of another member (`trimmed`: every
    sentence of it is in a fuller copy); then the earliest publication when every member's time is known
    (`use_dates`: an undated page is not taken for a later one); then the most central text (the most copy
    and rewrite evidence tying it to the others); then the id."""
    own = outlet(a)
    not_credited = not any(same_organisation(own, name) for name in credited)
    when = (a.published or "9999") if use_dates else ""
    return (not_credited, not files_dateline(a), credits_other(a), not is_agency(own), trimmed, when,
            -round(centrality, 6), a.id)


def compare_all(articles: list[Article], embeddings: dict[str, np.ndarray], minhashes: dict | None = None,
                ml_embeddings: dict[str, np.ndarray] | None = None) -> list[PairEvidence]:
    """Every pair of the articles compared once, in id order (a.id < b.id in each PairEvidence). A pair with a
    page not in English is compared on `ml_embeddings` (`multilingual_sentence_vectors`; computed here when
    not given)."""
    arts = sorted(articles, key=lambda a: a.id)
    mhs = minhashes if minhashes is not None else {a.id: minhash(a.text) for a in arts}
    other = {a.id for a in arts if not_english(a)}
    if other and ml_embeddings is None:
        ml_embeddings = multilingual_sentence_vectors(arts)
    out = []
    for a, b in itertools.combinations(arts, 2):
        if a.id in other or b.id in other:
            assert ml_embeddings is not None
            out.append(compare(a, b, ml_embeddings[a.id], ml_embeddings[b.id], mhs[a.id], mhs[b.id], multilingual=True))
        else:
            out.append(compare(a, b, embeddings[a.id], embeddings[b.id], mhs[a.id], mhs[b.id]))
    return out


def not_english(a: Article) -> bool:
    from parallax.stages.stories import is_other_language
    from parallax.text.language import language_of

    return is_other_language(language_of(a))


def multilingual_sentence_vectors(articles: list[Article]) -> dict[str, np.ndarray]:
    """Each article's sentences through the multilingual encoder (for the pairs with a page not in English)."""
    from parallax.text.multilingual import embed_multilingual

    return {a.id: embed_multilingual(a.sentence_texts()) for a in articles}


def _credited_parents(by_id: dict[str, Article], linked: dict[tuple[str, str], PairEvidence]) -> dict[str, set[str]]:
    """For each page, the pages it credits and restates (a "credited" pair, this page the crediting side)."""
    out: dict[str, set[str]] = {aid: set() for aid in by_id}
    for (x, y), p in linked.items():
        if p.relation == "credited":
            for child, parent in ((x, y), (y, x)):
                if credits_page(by_id[child], by_id[parent]) and not credits_page(by_id[parent], by_id[child]):
                    out[child].add(parent)
    return out


def find_digests(by_id: dict[str, Article], linked: dict[tuple[str, str], PairEvidence]) -> dict[str, list[str]]:
    """Digests and the pages each restates: a page that credits a page it restates (`credited`), is a copy of
    none, and whose restatements (credited or rewrite ties) reach two or more origins once the ties of such
    pages are left out. Its ties would otherwise merge origins that are independent."""
    credited = _credited_parents(by_id, linked)
    ties: dict[str, set[str]] = {aid: set() for aid in by_id}
    copied: set[str] = set()
    for (x, y), p in linked.items():
        ties[x].add(y)
        ties[y].add(x)
        if p.relation in ("copy", "near-copy"):
            copied |= {x, y}
    candidates = {aid for aid in by_id if credited[aid] and len(ties[aid]) >= 2 and aid not in copied}
    uf = _UnionFind(sorted(by_id))
    for (x, y) in sorted(linked):
        if x not in candidates and y not in candidates:
            uf.union(x, y)
    out = {}
    for d in sorted(candidates):
        restated = sorted(q for q in ties[d] if q not in candidates)
        if len({uf.find(q) for q in restated}) >= 2:
            out[d] = restated
    return out


def origin_groups(articles: list[Article], pairs: list[PairEvidence]) -> dict[str, tuple[str, list[Relation]]]:
    """Origin group id and `derived_from` of each article, from the compared pairs among them.

    A pure function of the set of articles (their ids, publication times, URLs and credits) and the evidence of
    their pairs: union-find over the linked pairs (copy, near-copy, rewrite, credited, same-wire); in each group
    the most original member (`originality_key`) is the root and names the group `g-<root id>`; every other
    member derives from the more original member it is most closely tied to (a near-copy first, then the
    root, then the strongest rewrite evidence). A digest — a page that credits and restates pages that are of
    two or more origins once its own ties are left out — merges none of them: it derives from each (one
    `Relation` per origin, relation "digest") and sits in the group of the most original of them. The batch
    and the store both call this, so both give one answer whatever the order in which the pages arrived.
    """
    near_copy = settings().provenance.near_copy_jaccard
    by_id = {a.id: a for a in articles}
    linked: dict[tuple[str, str], PairEvidence] = {}
    for p in pairs:
        if p.relation != "independent" and p.a in by_id and p.b in by_id:
            linked[(min(p.a, p.b), max(p.a, p.b))] = p
    digests = find_digests(by_id, linked)
    uf = _UnionFind(sorted(by_id))
    for (x, y) in sorted(linked):
        if x not in digests and y not in digests:
            uf.union(x, y)
    linked = {k: p for k, p in linked.items() if k[0] not in digests and k[1] not in digests}
    groups: dict[str, list[str]] = {}
    for aid in sorted(by_id):
        if aid not in digests:
            groups.setdefault(uf.find(aid), []).append(aid)
    central = {aid: 0.0 for aid in by_id}
    for (x, y), p in linked.items():
        central[x] += p.run_score
        central[y] += p.run_score
    trimmed = {aid: False for aid in by_id}  # a copy (or excerpt) all of whose sentences are in a fuller copy
    for (x, y), p in linked.items():
        if is_verbatim(p.relation, p.mean_cos):
            ax, ay = (p.a_only, p.b_only) if p.a == x else (p.b_only, p.a_only)
            if ax == 0 and ay > 0:
                trimmed[x] = True
            elif ay == 0 and ax > 0:
                trimmed[y] = True
    key: dict[str, tuple] = {}
    for members in groups.values():
        credited = frozenset(c.name for m in members for c in by_id[m].credits
                             if c.kind == "wire" and c.name and not same_organisation(c.name, outlet(by_id[m])))
        dated = all(by_id[m].published for m in members)
        for m in members:
            key[m] = originality_key(by_id[m], central[m], credited=credited, trimmed=trimmed[m], use_dates=dated)
    ties_of: dict[str, list[tuple[PairEvidence, str]]] = {aid: [] for aid in by_id}
    for (x, y), p in linked.items():
        ties_of[x].append((p, y))
        ties_of[y].append((p, x))
    out: dict[str, tuple[str, list[Relation]]] = {}
    for members in groups.values():
        root = min(members, key=key.__getitem__)
        gid = f"g-{root}"
        for m in members:
            derived: list[Relation] = []
            ties = [(p, o) for p, o in ties_of[m] if key[o] < key[m]]
            if m != root and ties:
                p, other = max(ties, key=lambda t: (t[0].jaccard >= near_copy, t[1] == root,
                                                    round(t[0].run_score, 6), t[1]))
                derived.append(Relation(other, p.relation, p.evidence, max(p.jaccard, p.run_score)))
            out[m] = (gid, derived)
    evidence = {k: p for k, p in (((min(p.a, p.b), max(p.a, p.b)), p) for p in pairs)}
    for d, ps in digests.items():
        # one parent per origin: the most original of the pages it credits there
        per_origin: dict[str, str] = {}
        for q in ps:
            r = uf.find(q)
            if r not in per_origin or key[q] < key[per_origin[r]]:
                per_origin[r] = q
        chosen = sorted(per_origin.values(), key=key.__getitem__)
        derived = []
        for q in chosen:
            p = evidence[(min(d, q), max(d, q))]
            derived.append(Relation(q, "digest", f"a digest of {len(chosen)} origins; " + p.evidence, p.run_score))
        out[d] = (out[chosen[0]][0], derived)
    return out


def trace(articles: list[Article], embeddings: dict[str, np.ndarray]) -> list[PairEvidence]:
    """Fill `credits`, `derived_from` and `group` of each article; returns the pairwise evidence."""
    for a in articles:
        a.credits = find_credits(a)
        note_masthead(a)
    pairs = compare_all(articles, embeddings)
    result = origin_groups(articles, pairs)
    for a in articles:
        a.group, a.derived_from = result[a.id]
    return pairs
