"""The per-article steps, in one place: every path that briefs or files a page (the batch, the store's ingest,
the scale map and `parallax clean`) runs them through `prepare_article`, so a step added or capped here is
added or capped everywhere.

`STEPS`: clean (extraction, boilerplate and glued stories out), language (ISO 639-1 in `meta["language"]`,
`text.language`), split (sentences, by that language's rules), bound (at most `limits.max_sentences` briefed),
all within the page's time budget (`limits.page_seconds`). A page that
cannot go on is one `InputError` naming its input: PX109 over its budget, PX107 no text left, the code of a
coded rejection, PX110 for an unexpected failure of a step (a bug; the rest of the batch goes on).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from parallax.errors import ParallaxError
from parallax.model import Article, InputError
from parallax.stages.clean import clean_article
from parallax.stages.limits import bound_article, page_budget
from parallax.stages.split import split_article
from parallax.text.language import set_language

log = logging.getLogger(__name__)

ArticleStep = Callable[[Article], Article]
STEPS: tuple[tuple[str, ArticleStep], ...] = (("clean", clean_article), ("language", set_language),
                                              ("split", split_article), ("bound", bound_article))


class Timings(dict):
    """Seconds per stage (wall clock, as `Brief.settings["timings"]` records them), with this process's CPU
    seconds per stage beside them in `cpu` (what `parallax brief --profile` prints)."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = {}


@contextmanager
def stage(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the block's wall seconds to `timings[name]` (and its CPU seconds to `timings.cpu[name]` when
    `timings` is a `Timings`); nothing when `timings` is None."""
    if timings is None:
        yield
        return
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - w0
        cpu = getattr(timings, "cpu", None)
        if cpu is not None:
            cpu[name] = cpu.get(name, 0.0) + time.process_time() - c0


def prepare_article(a: Article, timings: dict[str, float] | None = None) -> InputError | None:
    """Run `STEPS` on `a` in place within its page time budget: None when it is kept, else the one coded
    error naming its input (the article is then not to be used)."""
    where = a.input or a.id
    try:
        with page_budget(where):
            for name, step in STEPS:
                with stage(timings, name):
                    step(a)
    except ParallaxError as exc:  # PX109 over the budget, or a step's own coded rejection
        return InputError(getattr(exc, "input", None) or where, exc.code, exc.message)
    except Exception as exc:
        log.debug("preparing %s failed", where, exc_info=True)
        return InputError(where, "PX110", f"cleaning failed: {type(exc).__name__}: {exc}")
    if not a.content_sentences():
        return InputError(where, "PX107", "no article text left after cleaning")
    return None
