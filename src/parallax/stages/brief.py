"""Brief: a neutral headline and a minimal, ordered set of facts, each with its sources and support.

Importance = independent support first, then centrality to the story and how early the sources state
it. Repeats are dropped (a fact too close in meaning to one already chosen). A fact's words are one
source's own sentence; the sentence chosen is the most neutral, self-contained one of its cluster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from parallax.config import settings
from parallax.model import Article, Fact, Story
from parallax.stages.crosscheck import CrossCheck, fact_from_cluster, supporters, supports
from parallax.stages.loaded import analyse_many, flag_sentence, neutrality

_PRONOUN_START = re.compile(r"^(He|She|It|They|This|That|These|Those|His|Her|Its|Their|But|And|Also|However)\b")


@dataclass(slots=True)
class Candidate:
    members: list[int]
    rep: int
    score: float
    groups: int


def choose_representative(cc: CrossCheck, members: list[int], roots: set[str]) -> int:
    """The statement whose words the fact shows, decided in this order: from an origin's original (not a
    copy or a rewrite of it); not loaded language; then the best of central to the cluster, self-contained,
    of a readable length and a finished sentence (weights in BriefConfig)."""
    return max(members, key=lambda m: _wording_key(cc, members, m, roots))


def representative_reason(cc: CrossCheck, members: list[int], rep: int, roots: set[str]) -> str:
    """Why these words were chosen, for the reader (recorded as `representative_reason`)."""
    s = cc.statements[rep]
    others = [m for m in members if m != rep]
    parts = ["the original's wording" if s.article in roots else "no original states it"]
    if any(flag_sentence(cc.statements[m].text) for m in others) and not flag_sentence(s.text):
        parts.append("plainer than the other wordings")
    elif flag_sentence(s.text):
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
    return (s.article in roots, not flag_sentence(s.text), round(score, 6), -m)


def select_facts(cc: CrossCheck, articles: list[Article], *, max_facts: int, max_words: int) -> list[Fact]:
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
    for cluster in cc.clusters:
        # The fact is the cluster's statement with the most independent support (the judge's: statements that
        # support it); its words are chosen among the statements of the cluster that state it (an original's
        # plain sentence first), and it is cited to every statement that supports either.
        support = {m: supporters(cc, m) for m in cluster}
        most = max(cluster, key=lambda m: (len({st[k].group for k in support[m]}), len(support[m]), -m))
        same = [m for m in range(len(st)) if m == most or supports(cc, m, most)]  # (an original's plain
        # sentence may sit in another cluster)
        rep = choose_representative(cc, same, roots)
        members = sorted(set(support[most]) | set(supporters(cc, rep)))
        groups = len({st[m].group for m in members})
        arts = len({st[m].article for m in members})
        centrality = float(np.mean(cc.vectors[members] @ centroid))
        early = 1.0 - min(st[m].position for m in members)
        score = groups + cfg.w_centrality * centrality + cfg.w_early * early + cfg.w_articles * arts / n_articles
        cands.append(Candidate(members, rep, score, groups))
    cands.sort(key=lambda c: -c.score)
    chosen: list[Candidate] = []
    used = {"words": 0, "single": 0}
    max_single = max(1, round(max_facts * cfg.max_single_source_share))

    def take(c: Candidate) -> None:
        text = st[c.rep].text
        n = len(text.split())
        if len(chosen) >= max_facts or used["words"] + n > max_words:
            return
        if flag_sentence(text):
            return  # the brief is neutral: a loaded sentence is reported, never restated
        v = cc.vectors[c.rep]
        if any(float(v @ cc.vectors[o.rep]) >= cfg.repeat_similarity or supports(cc, c.rep, o.rep) for o in chosen):
            return  # a repeat of a fact already in the brief
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
    # Order for reading: most supported first, then as the sources tell it.
    chosen.sort(key=lambda c: (-c.groups, min(st[m].position for m in c.members)))
    facts = []
    for c in chosen:
        f = fact_from_cluster(cc, c.members, c.rep, cited=c.members)
        f.score = round(c.score, 3)
        f.representative_reason = representative_reason(cc, c.members, c.rep, roots)
        facts.append(f)
    return facts


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
            if is_headline_like(text) and not flag_sentence(text):
                return text, a.id
    a = articles[0]
    return (a.title or a.id), a.id


def build_story(story_id: str, articles: list[Article], cc: CrossCheck, *, max_facts: int,
                max_words: int) -> Story:
    """The story's brief from its cross-check: headline, facts within the budgets, loaded language, coverage."""
    from parallax.stages.loaded import find_loaded

    headline, headline_from = choose_headline(articles)
    facts = select_facts(cc, articles, max_facts=max_facts, max_words=max_words)
    loaded = [flag for a in articles for flag in find_loaded(a)]
    removed: dict[str, int] = {}
    for a in articles:
        for r in a.removed:
            removed[r.kind] = removed.get(r.kind, 0) + 1
    outlets = {(a.source or a.url or a.id).lower() for a in articles}
    coverage = {
        "articles": len(articles),
        "outlets": len(outlets),
        "origin_groups": len({a.group or a.id for a in articles}),
        "removed": removed,
        "facts_considered": len(cc.clusters),
        "words": sum(len(f.text.split()) for f in facts),
    }
    return Story(id=story_id, articles=[a.id for a in articles], headline=headline, headline_from=headline_from,
                 facts=facts, disputes=cc.disputes, loaded_language=loaded, coverage=coverage)
