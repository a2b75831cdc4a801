"""Brief: a neutral headline and a minimal, ordered set of facts, each with its sources and support.

Importance = independent support first, then centrality to the story and how early the sources state
it. Repeats are dropped (a fact too close in meaning to one already chosen). A fact's words are one
source's own sentence; the sentence chosen is the most neutral, self-contained one of its cluster.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from parallax.config import settings
from parallax.model import Article, Fact, LoadedFlag, SourceRef, Story
from parallax.stages.crosscheck import (
    RESTATING,
    CrossCheck,
    fact_from_cluster,
    is_specific,
    states_part,
    supporters,
    supports,
)
from parallax.stages.loaded import analyse_many, flag_sentence, neutrality
from parallax.text.slots import dateline_length

_THING_PRONOUNS = "It|Its|This|That|These|Those"  # a thing or an event
_PERSON_PRONOUNS = "He|She|They|His|Her|Their"
_PRONOUN_START = re.compile(rf"^(?:{_THING_PRONOUNS}|{_PERSON_PRONOUNS}|But|And|Also|However)\b")  # or a connective
_BARE_PRONOUN_START = re.compile(rf"^[\"“‘']?(?:{_THING_PRONOUNS}|{_PERSON_PRONOUNS}|Them)\b")
_THING_PRONOUN_START = re.compile(rf"^[\"“‘']?(?:{_THING_PRONOUNS})\b")
_PRONOUN_SAID = re.compile(r"\b(?:he|she|they)\s+(?:said|says|added|adds|told|tells|wrote|writes)\b", re.IGNORECASE)


@dataclass(slots=True)
class Candidate:
    members: list[int]
    rep: int
    score: float
    groups: int


def choose_representative(cc: CrossCheck, members: list[int], roots: set[str]) -> int:
    """The statement whose words the fact shows, decided in this order: from an origin's original (not a
    copy or a rewrite of it); not loaded language; not a line the writer exclaims (`is_exclaimed`); then the best
    of central to the cluster, self-contained, of a readable length and a finished sentence (weights in
    BriefConfig)."""
    return max(members, key=lambda m: _wording_key(cc, members, m, roots))


def is_loaded_statement(cc: CrossCheck, m: int) -> bool:
    """Is statement m loaded: by the detector on its own (`flag_sentence`) or as a sentence its page flags
    (`CrossCheck.loaded_at`: a page in a loaded voice)?"""
    s = cc.statements[m]
    return (s.article, s.start) in cc.loaded_at or flag_sentence(s.text)


def representative_reason(cc: CrossCheck, members: list[int], rep: int, roots: set[str]) -> str:
    """Why these words were chosen, for the reader (recorded as `representative_reason`)."""
    s = cc.statements[rep]
    others = [m for m in members if m != rep]
    parts = ["the original's wording" if s.article in roots else "no original states it"]
    if any(is_loaded_statement(cc, m) for m in others) and not is_loaded_statement(cc, rep):
        parts.append("plainer than the other wordings")
    elif is_loaded_statement(cc, rep):
        parts.append("every wording is loaded")
    if others:
        parts.append(f"{len(others)} other wording{'s' if len(others) > 1 else ''}")
    return "; ".join(parts)


def _wording_key(cc: CrossCheck, members: list[int], m: int, roots: set[str]) -> tuple:
    cfg = settings().brief
    st = cc.statements
    vecs = cc.vectors[members]
    centre = vecs.mean(axis=0)
    s = st[m]
    n = len(s.text.split())
    score = float(cc.vectors[m] @ centre)
    score -= cfg.rep_pronoun_penalty if _PRONOUN_START.match(s.text) else 0.0
    score -= cfg.rep_long_penalty * max(0, n - cfg.rep_long_words)
    score -= cfg.rep_short_penalty * max(0, cfg.rep_short_words - n)
    score -= cfg.rep_unfinished_penalty if not s.text.rstrip().endswith((".", "”", '"', "’", "!", "?")) else 0.0
    return (s.article in roots, not is_loaded_statement(cc, m), not is_exclaimed(s.text), round(score, 6), -m)


def _restated_by_parent(cc: CrossCheck, articles: list[Article]) -> set[int]:
    """The statements of derivative pages that restate a statement of their parent (bi-encoder cosine >=
    `CrosscheckConfig.derivative_min_cos`, the measure that kept them, `crosscheck.restatements_only`): the
    parent's sentence states it, so the derivative's words are never the printed wording."""
    parents = {a.id: {r.article for r in a.derived_from if r.relation in RESTATING} for a in articles}
    floor = settings().crosscheck.derivative_min_cos
    st = cc.statements
    by_article: dict[str, list[int]] = {}
    for k, s in enumerate(st):
        by_article.setdefault(s.article, []).append(k)
    out = set()
    for m, s in enumerate(st):
        idx = [j for p in sorted(parents.get(s.article, ())) for j in by_article.get(p, [])]
        if idx and float(np.max(np.round(cc.vectors[idx] @ cc.vectors[m], 5))) >= floor:
            out.add(m)
    return out


def _supporters(cc: CrossCheck, m: int, memo: dict[int, list[int]]) -> list[int]:
    """`supporters` of statement m, each asked of the judge's matrices once per brief (`memo`)."""
    if m not in memo:
        memo[m] = supporters(cc, m)
    return memo[m]


def _own_candidate(cc: CrossCheck, m: int, centroid: np.ndarray, n_articles: int,
                   memo: dict[int, list[int]]) -> Candidate:
    """Statement m as a fact of its own: its words, cited to the statements that support it, scored for importance
    (independent origins, then centrality to the story, how early the sources state it and how many articles do)."""
    cfg = settings().brief
    st = cc.statements
    members = sorted(set(_supporters(cc, m, memo)))
    groups = len({st[k].group for k in members})
    arts = len({st[k].article for k in members})
    centrality = float(np.mean(cc.vectors[members] @ centroid))
    early = 1.0 - min(st[k].position for k in members)
    score = groups + cfg.w_centrality * centrality + cfg.w_early * early + cfg.w_articles * arts / n_articles
    return Candidate(members, m, score, groups)


def _candidate(cc: CrossCheck, members: list[int], roots: set[str], centroid: np.ndarray,
               n_articles: int, memo: dict[int, list[int]]) -> Candidate:
    """A fact candidate from statements that say one thing: its wording chosen by construction, its members
    narrowed to the statements that support that wording (an original's plain sentence may sit elsewhere,
    so the wording is chosen again among them), scored for importance."""
    st = cc.statements
    # The fact is the statement among `members` with the most independent support (the judge's: statements
    # that support it); its words are chosen among every statement that states it (an original's plain
    # sentence first; it may sit in another cluster), and it is cited to every statement supporting either.
    support = {m: _supporters(cc, m, memo) for m in members}
    most = max(members, key=lambda m: (len({st[k].group for k in support[m]}), len(support[m]), -m))
    # Its words: among the statements that state exactly what it states (each supports the other), so that
    # every citation states everything the printed sentence states; cited to the statements supporting those.
    same = [m for m in support[most] if m == most or supports(cc, most, m)]
    return _own_candidate(cc, choose_representative(cc, same, roots), centroid, n_articles, memo)


_FIGURE = re.compile(r"\d")
_QUOTE_SPAN = re.compile(r"[“\"]([^”\"]+)[”\"]")
_ATTRIBUTION = re.compile(r"\b(?:said|says|say|told|tells|according|stated|announced|added|wrote|claimed|argued)\b",
                          re.IGNORECASE)


def is_bare_quote(cc: CrossCheck, m: int) -> bool:
    """A sentence that is a short quotation and little else, with no figure, count or date ("“I'm feeling
    great,” he said."): it carries neither a fact nor a position, so it earns no place as a fact."""
    s = cc.statements[m]
    quoted = _QUOTE_SPAN.findall(s.text)
    if not quoted or s.counts or s.dates or _FIGURE.search(s.text):
        return False
    inside = sum(len(q.split()) for q in quoted)
    outside = len(_QUOTE_SPAN.sub(" ", s.text).split())
    return inside < settings().brief.quote_min_words and outside <= inside


def leans_on_context(cc: CrossCheck, m: int, corroborated: bool = False) -> bool:
    """Does a sentence open with a bare pronoun, or quote someone it names only as "he" or "she", with no speaker
    resolved ("They commend Japan for undergoing essential changes.", "“We will be watching the savings side,” she
    said.")? What it refers to is in a sentence the brief does not show, so one source's sentence is not printed so.
    A `corroborated` one is held back only when it opens with a pronoun for a thing or an event ("It ended with a 3%
    pay settlement.": the strike of 2019, read as this week's); "They will also set up a relief fund of $380
    million", stated by several origins, is about the story's own actors and keeps its place; so does one source's
    sentence that another origin states in part (its corroborated part is shown) (`BriefConfig.self_contained_only`)."""
    s = cc.statements[m]
    if s.speaker:
        return False
    if corroborated:
        return bool(_THING_PRONOUN_START.match(s.text))
    if not (_BARE_PRONOUN_START.match(s.text) or _PRONOUN_SAID.search(s.text)):
        return False
    # one source's sentence that another origin states in part carries a corroborated claim (shown as a part:
    # "They will also set up a drought relief fund worth $380 million …"): it keeps its place
    return not any(o.group != s.group and states_part(cc, k, m) for k, o in enumerate(cc.statements))


def is_exclaimed(text: str) -> bool:
    """Does a sentence end in the writer's own exclamation mark ("108' GOAL - Rovers 2-1!", a live page's
    shout)? A neutral brief never prints one as a fact; a quotation that exclaims ("“We did it!” she said.") is
    not the writer's."""
    return text.rstrip().endswith("!")


_CLAUSE_CUT = re.compile(r"\s*(?:[,;:]|\s[—–-])\s+|\s+(?=(?:and|but|while|as|after|before|amid|which|who|because|following|including|despite|with)\s)")


def clause_prefix(text: str, max_words: int) -> str | None:
    """The longest opening of ``text`` that ends at a clause boundary (, ; : or a dash), has between
    ``BriefConfig.fill_clause_min_words`` and ``max_words`` words and drops no attribution, figure or open
    quotation; None when there is none. The words are the source's own, cut, never changed."""
    cfg = settings().brief
    best = None
    for m in _CLAUSE_CUT.finditer(text):
        head, tail = text[: m.start()].rstrip(), text[m.start():]
        n = len(head.split())
        if n < cfg.fill_clause_min_words or n > max_words:
            continue
        if _ATTRIBUTION.search(tail):
            continue  # the cut would drop who said it
        if head.count("“") != head.count("”") or head.count('"') % 2 or head.count("(") != head.count(")"):
            continue
        best = head
    return best


def select_facts(cc: CrossCheck, articles: list[Article], *, max_facts: int, max_words: int) -> list[Fact]:
    """The brief's facts within ``max_facts`` and ``max_words``: corroborated facts first (most origin groups,
    then most central and earliest), a bounded share of single-source ones, no repeats, no loaded wording,
    no bare quotes. Every statement of the story is a candidate: a cross-check cluster's, and a statement
    that supports no cluster's chosen wording stands as its own fact. While words are left, every statement not
    yet shown stands as its own fact too (a fact that was a repeat leaves the other things its statements say).
    When no whole fact fits the words left, the best remaining one that can be cut at a clause boundary fills
    them (:func:`clause_prefix`)."""
    cfg = settings().brief
    st = cc.statements
    if not st:
        return []
    roots = {a.id for a in articles if not a.derived_from}
    analyse_many([x.text for x in st])  # one encoder batch for every wording the choices below compare
    centroid = cc.vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    n_articles = max(1, len(articles))
    cands: list[Candidate] = []
    covered: set[int] = set()
    memo: dict[int, list[int]] = {}  # supporters of a statement, asked for again by the fill below
    for members in cc.clusters:
        c = _candidate(cc, members, roots, centroid, n_articles, memo)
        cands.append(c)
        covered.update(c.members)
    for m in range(len(st)):  # statements that support no cluster's wording say something else
        if m not in covered:
            c = _candidate(cc, _supporters(cc, m, memo), roots, centroid, n_articles, memo)
            cands.append(c)
            covered.update(c.members)
            covered.add(m)
    cands.sort(key=lambda c: (-c.score, c.rep))
    chosen: list[Candidate] = []
    trimmed: dict[int, str] = {}
    used = {"words": 0, "single": 0}
    max_single = max(1, round(max_facts * cfg.max_single_source_share))

    restated = _restated_by_parent(cc, articles)

    def eligible(c: Candidate) -> bool:
        if len(chosen) >= max_facts or is_loaded_statement(cc, c.rep) or is_bare_quote(cc, c.rep) \
                or is_exclaimed(cc.statements[c.rep].text):
            return False  # the brief is neutral: a loaded sentence is reported, never restated
        if cfg.self_contained_only and leans_on_context(cc, c.rep, corroborated=c.groups >= 2):
            return False  # "It ended with a 3% pay settlement": what it means is in a sentence not shown
        if c.rep in restated:
            return False  # a derivative's restatement: its parent's own sentence is the fact's wording
        v = cc.vectors[c.rep]
        # not a repeat of a fact already chosen: not as close as a restatement, nor stated in full by one (a
        # sentence that states a chosen fact and more is another fact: a lead that also names the shipyard)
        return not any(float(v @ cc.vectors[o.rep]) >= cfg.repeat_similarity or supports(cc, o.rep, c.rep)
                       for o in chosen)

    def take(c: Candidate) -> None:
        n = len(st[c.rep].text.split())
        if used["words"] + n > max_words or not eligible(c):
            return
        chosen.append(c)
        used["words"] += n
        used["single"] += c.groups < 2

    # Corroborated facts first claim the budget; single-source facts get a share of it, and the rest
    # only when nothing corroborated is left to say.
    deferred = []
    for c in cands:
        if c.groups < 2 and used["single"] >= max_single:
            deferred.append(c)
        else:
            take(c)
    for c in deferred:
        take(c)
    # A fact already printed in other words may leave a statement of its cluster that says something else:
    # while words are left, each statement not yet shown stands as its own candidate (its own support).
    if max_words - used["words"] >= cfg.fill_clause_min_words and len(chosen) < max_facts:
        shown = {c.rep for c in chosen}
        own = [_own_candidate(cc, m, centroid, n_articles, memo) for m in range(len(st)) if m not in shown]
        own.sort(key=lambda c: (-c.score, c.rep))
        for c in own:
            take(c)
    # Fill what is left of the budget: the best-ranked remaining fact that can be cut at a clause boundary.
    for c in cands:
        left = max_words - used["words"]
        if left < cfg.fill_clause_min_words:
            break
        if c in chosen or not eligible(c):
            continue
        head = clause_prefix(st[c.rep].text, left)
        if head is not None:
            chosen.append(c)
            trimmed[c.rep] = head + "…"
            used["words"] += len(head.split())
            used["single"] += c.groups < 2
    # Order for reading: most supported first, then as the sources tell it.
    chosen.sort(key=lambda c: (-c.groups, min(st[m].position for m in c.members)))
    facts = []
    for c in chosen:
        f = fact_from_cluster(cc, c.members, c.rep, cited=c.members)
        f.partial = partial_refs(cc, c.rep, {r.article for r in f.refs})
        f.claims = claims_of(cc, c.rep, f)
        f.score = round(c.score, 3)
        f.representative_reason = representative_reason(cc, c.members, c.rep, roots)
        if c.rep in trimmed:
            f.text = trimmed[c.rep]
            f.representative_reason += "; cut at a clause to fit the word budget"
        facts.append(f)
    return facts


def partial_refs(cc: CrossCheck, rep: int, cited: set[str]) -> list[SourceRef]:
    """The sentences of other articles that state part of statement `rep` (not all of it): one per article,
    the most probable, never an article already cited in full."""
    st = cc.statements
    best: dict[str, int] = {}
    for m in range(len(st)):
        if st[m].article in cited or not states_part(cc, m, rep):
            continue
        if st[m].article not in best or cc.support[rep, m] > cc.support[rep, best[st[m].article]]:
            best[st[m].article] = m
    return [SourceRef(st[m].article, st[m].start, st[m].end, st[m].group) for _, m in sorted(best.items())]


# Where one claim ends and another begins: a semicolon, a dash, or a comma before a conjunction, a relative
# pronoun, a participle or a passive infinitive that starts a clause of its own ("…, promising annual returns of
# 12 percent", "…, to be paid in over five years").
# ("according to", "citing" open an attribution of the clause before them, not a claim of its own)
_CLAIM_CUT = re.compile(r"\s*;\s+|\s+[—–]\s+|,\s+(?=(?:and|but|while|whereas|which|who|after|before|when|as|"
                        r"including|following|despite|although|though|to\s+be|(?!according\b|citing\b)[a-z]+ing)\s)")


def claim_spans(text: str) -> list[tuple[int, int]]:
    """A sentence cut into its claims at clause boundaries (the cuts `clause_prefix` uses), each part at least
    `BriefConfig.claim_min_words` words (a shorter piece joins the part before it); one span when it is one claim."""
    cfg = settings().brief
    cuts = [0, *(m.end() for m in _CLAIM_CUT.finditer(text)), len(text)]
    spans: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(cuts):
        if spans and (len(text[a:b].split()) < cfg.claim_min_words or
                      len(text[spans[-1][0]:spans[-1][1]].split()) < cfg.claim_min_words):
            spans[-1] = (spans[-1][0], b)
        elif b > a:
            spans.append((a, b))
    if len(spans) > 1 and len(text[spans[-1][0]:spans[-1][1]].split()) < cfg.claim_min_words:
        last = spans.pop()
        spans[-1] = (spans[-1][0], last[1])
    return [(a, len(text[:b].rstrip(" ,;:—–-"))) for a, b in spans]


def claims_of(cc: CrossCheck, rep: int, fact: Fact) -> list[dict]:
    """The parts of a printed sentence that states more than one thing, each with the articles that state it:
    every full citation of the fact states every part; a sentence that states part of the fact
    (`Fact.partial`) is listed with the parts the support head finds it states (`cite_min`). Empty for a
    one-claim sentence."""
    from parallax.text.judge import get_judge

    text = cc.statements[rep].text
    if not fact.partial:
        return []  # every citation states all of it: its parts have the fact's support
    spans = claim_spans(text)
    if len(spans) < 2:
        return []
    by_article = {(s.article, s.start): s for s in cc.statements}
    partial = [by_article[(r.article, r.start)] for r in fact.partial if (r.article, r.start) in by_article]
    parts = [text[a:b] for a, b in spans]
    judge = get_judge()
    probs = np.zeros((len(parts), len(partial)), dtype=np.float32)
    if partial:
        enc = judge.encode([*parts, *(p.text for p in partial)])
        pairs = [(i, j) for i in range(len(parts)) for j in range(len(partial))]
        got = judge.supports([enc[i] for i, _ in pairs], [enc[len(parts) + j] for _, j in pairs])
        for (i, j), p in zip(pairs, got, strict=True):
            probs[i, j] = p
    cite_min = settings().crosscheck.cite_min
    out = []
    for i, (a, b) in enumerate(spans):
        refs = list(fact.refs)
        if is_specific(text[a:b]):  # a vague part corroborates nothing, as a vague sentence (`is_specific`)
            refs += [r for j, r in enumerate(fact.partial) if probs[i, j] >= cite_min]
        out.append({"text": text[a:b], "start": a, "end": b, "sources": sorted({r.article for r in refs}),
                    "support": max(1, len({r.group for r in refs}))})
    return out


_NOT_A_HEADLINE = re.compile(
    r"^\s*(?:by\s|updated\b|posted\b|published\b|last\s+updated)|\b\d{1,2}:\d{2}\b|\b(?:GMT|UTC|EDT|EST|BST|CET)\b"
    r"|\b\d+\s+(?:minutes?|hours?|days?)\s+ago\b|\b(?:staff|correspondent|reporter)\b.*\b(?:19|20)\d\d\b",
    re.IGNORECASE)


def is_headline_like(text: str) -> bool:
    """A title or sentence that can say what happened: not a dateline, timestamp or byline line."""
    return len(text.split()) >= settings().brief.headline_min_words and not _NOT_A_HEADLINE.search(text)


def choose_headline(articles: list[Article]) -> tuple[str, str | None]:
    """A headline in the sources' own words, chosen like a fact's wording: the title of an origin's
    original (not a copy's or a rewrite's) first, then a neutral one, then the most central (weights in
    BriefConfig); never a dateline, timestamp or byline line. With no neutral title, the first plain
    sentence of the most original article."""
    from parallax.text.embed import embed

    cfg = settings().brief
    titled = [a for a in articles if a.title and is_headline_like(a.title)]
    if titled:
        vecs = embed([a.title for a in titled])  # type: ignore[misc]
        centre = vecs.mean(axis=0)
        scored = []
        for a, v in zip(titled, vecs, strict=True):
            neutral = neutrality(a.title or "")
            group_size = sum(1 for o in articles if (o.group or o.id) == (a.group or a.id))
            score = neutral + cfg.headline_centrality_weight * float(v @ centre) + cfg.headline_group_weight * group_size
            scored.append((neutral >= cfg.headline_neutral, not a.derived_from, round(score, 6), a.id, a))
        scored.sort(key=lambda t: t[:4], reverse=True)
        if scored[0][0]:
            a = scored[0][-1]
            return a.title or "", a.id
    # No neutral headline: the first sentence of the most original article.
    for a in sorted(articles, key=lambda x: (bool(x.derived_from), x.id)):
        for s in a.content_sentences():
            text = s.text_of(a.text)
            text = text[dateline_length(text):]
            if is_headline_like(text) and not flag_sentence(text):
                return text, a.id
    a = articles[0]
    return (a.title or a.id), a.id


def loaded_balance(articles: list[Article], flags: list[LoadedFlag]) -> tuple[dict[str, str], str]:
    """Per origin group (named by its original's outlet, else its id): loaded sentences out of its
    sentences, as "k of n"; and a one-line wording note when one origin's framing differs markedly from the
    others' (``BriefConfig.wording_min_loaded``, ``wording_share_gap``), else "". Headline flags are counted
    with the sentences: a title is the outlet's wording too."""
    cfg = settings().brief
    group_of = {a.id: a.group or a.id for a in articles}
    label: dict[str, str] = {}
    sentences: dict[str, int] = {}
    for a in sorted(articles, key=lambda x: (bool(x.derived_from), x.id)):
        g = group_of[a.id]
        label.setdefault(g, a.source or g)
        sentences[g] = sentences.get(g, 0) + len(a.sentences) + bool((a.title or "").strip())
    loaded_n = {g: 0 for g in sentences}
    for f in flags:
        loaded_n[group_of.get(f.article, f.article)] = loaded_n.get(group_of.get(f.article, f.article), 0) + 1
    by_origin = {label[g]: f"{loaded_n[g]} of {sentences[g]}" for g in sorted(sentences, key=lambda g: label[g])}
    note = ""
    if len(sentences) >= 2:
        shares = {g: loaded_n[g] / max(1, sentences[g]) for g in sentences}
        top = max(shares, key=lambda g: (shares[g], g))
        rest_loaded = sum(loaded_n[g] for g in sentences if g != top)
        rest_total = sum(sentences[g] for g in sentences if g != top)
        rest_share = rest_loaded / max(1, rest_total)
        if loaded_n[top] >= cfg.wording_min_loaded and shares[top] - rest_share >= cfg.wording_share_gap:
            note = (f"{label[top]}'s wording is loaded in {loaded_n[top]} of {sentences[top]} sentences; "
                    f"the other origins' in {rest_loaded} of {rest_total}")
    return by_origin, note


def build_story(story_id: str, articles: list[Article], cc: CrossCheck, *, max_facts: int,
                max_words: int) -> Story:
    """The story's brief from its cross-check: headline, facts within the budgets, loaded language, coverage."""
    from parallax.stages.loaded import find_loaded
    from parallax.text.language import checked, language_of

    headline, headline_from = choose_headline(articles)
    # the detector reads English only: a page in another language is not checked rather than misread
    loaded = [flag for a in articles if checked(a) for flag in find_loaded(a)]
    # a sentence its page flags is loaded wording too: never printed, never chosen over a plain one
    cc = replace(cc, loaded_at=frozenset((f.article, f.start) for f in loaded if f.where == "body"))
    facts = select_facts(cc, articles, max_facts=max_facts, max_words=max_words)
    removed: dict[str, int] = {}
    for a in articles:
        for r in a.removed:
            removed[r.kind] = removed.get(r.kind, 0) + 1
    outlets = {(a.source or a.url or a.id).lower() for a in articles}
    by_origin, note = loaded_balance(articles, loaded)
    coverage = {
        "articles": len(articles),
        "outlets": len(outlets),
        "origin_groups": len({a.group or a.id for a in articles}),
        "removed": removed,
        "facts_considered": len(cc.clusters),
        "words": sum(len(f.text.split()) for f in facts),
        "loaded_by_origin": by_origin,
    }
    if note:
        coverage["wording"] = note
    langs = Counter(language_of(a) for a in articles)
    if set(langs) != {"en"}:  # said only where a page is not in English: an English brief is unchanged
        coverage["languages"] = dict(sorted(langs.items()))
        from parallax.text.multilingual import LANGUAGES

        across = sorted(a.id for a in articles if not checked(a) and language_of(a) in LANGUAGES)
        unchecked = sorted(a.id for a in articles if not checked(a) and language_of(a) not in LANGUAGES)
        if across:  # support counted across languages (multilingual encoder); no disputes, no loaded wording
            coverage["checked_across_languages"] = across
        if unchecked:  # shown with their own sentences, never counted as support, disputes or loaded wording
            coverage["not_checked"] = unchecked
    return Story(id=story_id, articles=[a.id for a in articles], headline=headline, headline_from=headline_from,
                 facts=facts, disputes=cc.disputes, loaded_language=loaded, coverage=coverage)
