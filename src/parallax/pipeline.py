"""The pipeline: read -> clean -> split -> provenance -> stories -> cross-check -> brief.

`Article`s flow through a plain list of per-article steps; the batch steps (provenance, stories,
cross-check) then work on the whole set. Timings per stage are kept in `Brief.settings["timings"]`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from parallax import __version__
from parallax.model import Article, Brief, InputError
from parallax.stages.brief import LENGTHS, build_story
from parallax.stages.clean import clean_article
from parallax.stages.crosscheck import crosscheck
from parallax.stages.provenance import trace
from parallax.stages.read import article_from_text, read_paths
from parallax.stages.split import split_article
from parallax.stages.stories import group_stories
from parallax.text.embed import embed, get_embedder

log = logging.getLogger(__name__)

ArticleStep = Callable[[Article], Article]
ARTICLE_STEPS: list[tuple[str, ArticleStep]] = [("clean", clean_article), ("split", split_article)]


def _story_id(ids: list[str]) -> str:
    return "story-" + hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:10]


def prepare(articles: list[Article], timings: dict[str, float] | None = None) -> tuple[list[Article], list[InputError]]:
    """Run the per-article steps; an article left with no text becomes an error naming its input."""
    timings = timings if timings is not None else {}
    kept, errors = [], []
    for name, step in ARTICLE_STEPS:
        t0 = time.perf_counter()
        for a in articles:
            step(a)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    for a in articles:
        if not a.content_sentences():
            errors.append(InputError(a.input or a.id, "PX107", "no article text left after cleaning"))
        else:
            kept.append(a)
    return kept, errors


def brief_articles(articles: list[Article], *, errors: list[InputError] | None = None, length: str = "standard",
                   max_facts: int | None = None, max_words: int | None = None, single_story: bool = False,
                   timings: dict[str, float] | None = None) -> Brief:
    """Articles (read, not yet cleaned) -> Brief."""
    if length not in LENGTHS:
        raise ValueError(f"length must be one of {', '.join(LENGTHS)}")
    timings = timings if timings is not None else {}
    errors = list(errors or [])
    get_embedder().warm_up()
    articles, errs = prepare(articles, timings)
    errors += errs
    t0 = time.perf_counter()
    vectors = {a.id: embed(a.sentence_texts()) for a in articles}
    timings["embed"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    groups = [articles] if single_story or len(articles) <= 1 else group_stories(articles)
    timings["stories"] = time.perf_counter() - t0
    # Copies and rewrites of one story are in that story: comparing pairs within stories keeps the
    # cost linear in the number of stories instead of quadratic in the number of articles.
    t0 = time.perf_counter()
    for members in groups:
        trace(members, vectors)
    timings["provenance"] = time.perf_counter() - t0
    stories = []
    t_cc = t_brief = 0.0
    for members in groups:
        if not members:
            continue
        t0 = time.perf_counter()
        cc = crosscheck(members)
        t_cc += time.perf_counter() - t0
        t0 = time.perf_counter()
        stories.append(build_story(_story_id([a.id for a in members]), members, cc, length=length,
                                   max_facts=max_facts, max_words=max_words))
        t_brief += time.perf_counter() - t0
    timings["crosscheck"] = t_cc
    timings["brief"] = t_brief
    # Most independently covered stories first.
    stories.sort(key=lambda s: (-s.coverage.get("origin_groups", 0), -len(s.articles)))
    settings: dict[str, Any] = {"length": length, "max_facts": max_facts or LENGTHS[length]["max_facts"],
                                "max_words": max_words or LENGTHS[length]["max_words"],
                                "embedder": get_embedder().name, "version": __version__,
                                "timings": {k: round(v, 3) for k, v in timings.items()}}
    return Brief(articles=articles, stories=stories, errors=errors, settings=settings)


def brief_paths(paths: Iterable[str | Path], *, stdin: Any = None, **kwargs: Any) -> Brief:
    """Files, directories and '-' -> Brief (the library call behind `parallax brief`)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    articles, errors = read_paths(paths, stdin=stdin)
    timings["read"] = time.perf_counter() - t0
    return brief_articles(articles, errors=errors, timings=timings, **kwargs)


def brief_records(records: list[dict], *, max_words: int | None = None, max_facts: int | None = None,
                  single_story: bool = False, length: str = "standard") -> Brief:
    """Dict records (id, source, title, published, url, text or html) -> Brief."""
    articles, errors = [], []
    for n, rec in enumerate(records):
        body = rec.get("html") or rec.get("text") or ""
        try:
            articles.append(article_from_text(body, id=str(rec.get("id") or f"doc-{n}"), input=f"record {n}",
                                              html=bool(rec.get("html")), url=rec.get("url"),
                                              source=rec.get("source"), title=rec.get("title"),
                                              published=rec.get("published")))
        except Exception as exc:  # one bad record must not lose the batch
            errors.append(InputError(f"record {n}", getattr(exc, "code", "PX106"), str(exc)))
    return brief_articles(articles, errors=errors, max_words=max_words, max_facts=max_facts,
                          single_story=single_story, length=length)
