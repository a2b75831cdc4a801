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
from parallax.stages.crosscheck import CrossCheck, fact_from_cluster, supports
from parallax.stages.loaded import flag_sentence, neutrality

_PRONOUN_START = re.compile(r"^(He|She|It|They|This|That|These|Those|His|Her|Its|Their|But|And|Also|However)\b")


@dataclass(slots=True)
class Candidate:
    members: list[int]
    rep: int
    score: float
    groups: int


def choose_representative(cc: CrossCheck, members: list[int], roots: set[str]) -> int:
    """The statement whose words the fact shows: central to its cluster, from an origin's original,
    neutral, self-contained, of a readable length, a finished sentence (weights in BriefConfig)."""
    cfg = settings().brief
    st = cc.statements
    vecs = cc.vectors[members]
    centre = vecs.mean(axis=0)
    best, best_score = members[0], -1e9
    for k, m in enumerate(members):
        s = st[m]
        n = len(s.text.split())
        score = float(vecs[k] @ centre)
        score += cfg.rep_original_bonus if s.article in roots else 0.0
        score -= cfg.rep_loaded_penalty if flag_sentence(s.text) else 0.0
        score -= cfg.rep_pronoun_penalty if _PRONOUN_START.match(s.text) else 0.0
        score -= cfg.rep_long_penalty * max(0, n - cfg.rep_long_words)
        score -= cfg.rep_short_penalty * max(0, cfg.rep_short_words - n)
        score -= cfg.rep_unfinished_penalty if not s.text.rstrip().endswith((".", "”", '"', "’", "!", "?")) else 0.0
        if score > best_score:
            best, best_score = m, score
    return best


def select_facts(cc: CrossCheck, articles: list[Article], *, max_facts: int, max_words: int) -> list[Fact]:
    cfg = settings().brief
    st = cc.statements
    if not st:
        return []
    roots = {a.id for a in articles if not a.derived_from}
    centroid = cc.vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    n_articles = max(1, len(articles))
    cands: list[Candidate] = []
    for members in cc.clusters:
        rep = choose_representative(cc, members, roots)
        # Only members that say what the representative says count towards its support.
        members = [m for m in range(len(st)) if m == rep or supports(cc, m, rep)]
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
        f = fact_from_cluster(cc, c.members, c.rep)
        f.score = round(c.score, 3)
        facts.append(f)
    return facts


def choose_headline(articles: list[Article]) -> tuple[str, str | None]:
    """The most neutral, most central of the sources' own headlines (or lead sentence when none is neutral)."""
    from parallax.text.embed import embed

    cfg = settings().brief
    titled = [a for a in articles if a.title and len(a.title.split()) >= cfg.headline_min_words]
    if titled:
        vecs = embed([a.title for a in titled])  # type: ignore[misc]
        centre = vecs.mean(axis=0)
        scored = []
        for a, v in zip(titled, vecs, strict=True):
            neutral = neutrality(a.title or "")
            group_size = sum(1 for o in articles if (o.group or o.id) == (a.group or a.id))
            score = neutral + cfg.headline_centrality_weight * float(v @ centre) + cfg.headline_group_weight * group_size
            scored.append((neutral >= cfg.headline_neutral, score, a))
        scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
        if scored[0][0]:
            a = scored[0][2]
            return a.title or "", a.id
    # No neutral headline: the first sentence of the most original article.
    for a in sorted(articles, key=lambda x: bool(x.derived_from)):
        for s in a.content_sentences():
            text = s.text_of(a.text)
            if not flag_sentence(text):
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
