"""The pipeline: read -> clean -> split -> stories -> provenance -> cross-check -> brief.

`Article`s flow through a plain list of per-article steps; the batch steps (stories, provenance per story,
cross-check) then work on the whole set. `brief_story_articles` is the one story-level call: the batch,
the store (`parallax.desk`) and the cluster pipeline all brief a story through it, from its articles in
id order, so that a story's brief is a function of its articles, never of the order they arrived in.
Timings per stage are kept in `Brief.settings["timings"]`; the settings used in `Brief.settings["config"]`.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from parallax.config import Settings, settings, use
from parallax.errors import error
from parallax.model import Article, Brief, InputError, Story
from parallax.stages.brief import build_story
from parallax.stages.crosscheck import crosscheck
from parallax.stages.prepare import prepare_article, stage
from parallax.stages.provenance import trace
from parallax.stages.read import article_from_text, read_paths
from parallax.stages.stories import group_stories
from parallax.text.embed import embed, get_embedder
from parallax.text.judge import get_judge
from parallax.version import __version__

log = logging.getLogger(__name__)



def story_id_of(ids: list[str]) -> str:
    """A batch story's id: a hash of its article ids (the store keeps its own, stable across updates)."""
    return "story-" + hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:10]


def limits_for(length: str, max_facts: int | None = None, max_words: int | None = None) -> dict[str, int]:
    """A story's ``max_facts`` and ``max_words``: the length's preset, each overridden when given (PX302 when
    not a positive whole number)."""
    lengths = settings().brief.lengths
    if length not in lengths:
        raise error("PX302", "length", f"length must be one of {', '.join(lengths)}, not {length!r}")
    out = dict(lengths[length])
    if max_facts is not None:
        out["max_facts"] = max_facts
    if max_words is not None:
        if max_facts is None and isinstance(max_words, int) and max_words > out["max_words"]:
            # a word budget past the length's own, with no fact cap asked for: facts in the length's proportion
            # (a 330-word brief at "standard", 12 facts per 250 words, may show 16), so the words can be used
            out["max_facts"] = math.ceil(max_words * out["max_facts"] / out["max_words"])
        out["max_words"] = max_words
    for k, v in out.items():
        if not isinstance(v, int) or v < 1:
            raise error("PX302", k, f"{k} must be a positive whole number, not {v!r}")
    return out


def prepare(articles: list[Article], timings: dict[str, float] | None = None) -> tuple[list[Article], list[InputError]]:
    """Run the per-article steps (`stages.prepare.prepare_article`, as the store and the scale map do); a
    page that cannot go on (PX107 no text, PX109 over its budget, PX110 a step failed) becomes an error
    naming its input."""
    timings = timings if timings is not None else {}
    kept, errors = [], []
    for a in articles:
        err = prepare_article(a, timings)
        if err is None:
            kept.append(a)
        else:
            errors.append(err)
    return kept, errors


def brief_story_articles(story_id: str, articles: list[Article], *, length: str = "standard",
                         max_facts: int | None = None, max_words: int | None = None,
                         timings: dict[str, float] | None = None) -> Story:
    """One story's brief from its traced articles (origin groups set): cross-check, then the brief.

    Articles are taken in id order whatever order they come in."""
    members = sorted(articles, key=lambda a: a.id)
    timings = timings if timings is not None else {}
    with stage(timings, "crosscheck"):
        cc = crosscheck(members)
    with stage(timings, "brief"):
        story = build_story(story_id, members, cc, **limits_for(length, max_facts, max_words))
    return story


def record_settings(length: str, limits: dict[str, int], timings: dict[str, float] | None = None,
                    **extra: Any) -> dict[str, Any]:
    """What a Brief records of how it was made (`Brief.settings`)."""
    out: dict[str, Any] = {"length": length, **limits, "embedder": get_embedder().name, "version": __version__,
                           "config": settings().to_dict(), **extra}
    if timings is not None:
        out["timings"] = {k: round(v, 3) for k, v in timings.items()}
    return out


def brief_articles(articles: list[Article], *, errors: list[InputError] | None = None, length: str = "standard",
                   max_facts: int | None = None, max_words: int | None = None, single_story: bool = False,
                   timings: dict[str, float] | None = None, settings: Settings | None = None) -> Brief:
    """Articles (read, not yet cleaned) -> Brief."""
    with use(settings):
        limits = limits_for(length, max_facts, max_words)
        timings = timings if timings is not None else {}
        errors = list(errors or [])
        with stage(timings, "models"):
            get_embedder().warm_up()
            get_judge().warm_up()  # the cross-check's judge: loaded (hashes checked) once per process
        articles, errs = prepare(articles, timings)
        errors += errs
        with stage(timings, "embed"):
            vectors = {a.id: embed(a.sentence_texts()) for a in articles}
        with stage(timings, "stories"):
            groups = [articles] if single_story or len(articles) <= 1 else group_stories(articles)
        # Copies and rewrites of one story are in that story: comparing pairs within stories keeps the
        # cost linear in the number of stories instead of quadratic in the number of articles.
        with stage(timings, "provenance"):
            for members in groups:
                trace(members, vectors)
        stories = [brief_story_articles(story_id_of([a.id for a in members]), members, length=length,
                                        timings=timings, **limits) for members in groups if members]
        # Most independently covered stories first.
        stories.sort(key=lambda s: (-s.coverage.get("origin_groups", 0), -len(s.articles), s.id))
        # in id order, like each story's members: the brief does not depend on the order pages came in
        return Brief(articles=sorted(articles, key=lambda a: a.id), stories=stories, errors=errors,
                     settings=record_settings(length, limits, timings))


def brief_paths(paths: Iterable[str | Path], *, stdin: Any = None, settings: Settings | None = None,
                timings: dict[str, float] | None = None, **kwargs: Any) -> Brief:
    """Files, directories and '-' -> Brief (the library call behind `parallax brief`). `timings`: where the
    stages' seconds go (a `Timings` gets their CPU seconds too); recorded in the brief's settings."""
    with use(settings):
        timings = timings if timings is not None else {}
        with stage(timings, "read"):
            articles, errors = read_paths(paths, stdin=stdin)
        return brief_articles(articles, errors=errors, timings=timings, **kwargs)


def brief_records(records: list[dict], *, max_words: int | None = None, max_facts: int | None = None,
                  single_story: bool = False, length: str = "standard", settings: Settings | None = None) -> Brief:
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
                          single_story=single_story, length=length, settings=settings)
