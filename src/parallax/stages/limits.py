"""Per-page bounds: a time budget (PX109 past it) and a cap on the sentences that go on to be briefed.

Both read `parallax.config.settings().limits`.

- `page_budget(input)`: a context manager around one page's reading, cleaning and splitting. On the main
  thread of a POSIX process it arms a real-time timer, so a stage stuck in a long loop is interrupted;
  elsewhere (the web app's worker threads) the budget is checked when the block ends. Either way the page
  becomes one PX109 error naming it, and the batch goes on. The timer never interrupts an import (a lazy
  `import onnxruntime` in the first page's cleaning): while one is under way it is put off in steps of
  `IMPORT_RETRY_SECONDS` and fires once the import is done, so a module is never left half-imported
  (which would fail every later page with a wrong "not installed").
- `bound_article(article)`: keeps the first `max_sentences` content sentences of a page that has more
  (the cross-check's memory grows with the square of a story's sentences); the text stays whole and
  `article.meta["limits"]` records what was left out (`split_article` splits no further than the cap, and
  the glued-story finder of cleaning looks no further: the page's cost is bounded by it).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from parallax.config import settings
from parallax.errors import InputRejected, rejected
from parallax.model import Article

log = logging.getLogger(__name__)


IMPORT_RETRY_SECONDS = 0.05  # how soon a budget that ran out during an import is looked at again


class _OverBudget(BaseException):
    """Raised by the timer inside the budgeted block (a BaseException, so `except Exception` lets it by)."""


def _importing(frame: FrameType | None) -> bool:
    """Whether the interrupted code runs inside an import (a frame of importlib's bootstrap on the stack)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith(("<frozen importlib", "<frozen zipimport")):
            return True
        frame = frame.f_back
    return False


def _can_use_timer() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0.0)


@contextlib.contextmanager
def page_budget(input: str, seconds: float | None = None) -> Iterator[None]:
    """Run the block within the per-page time budget; raise PX109 (InputRejected) naming `input` past it."""
    budget = settings().limits.page_seconds if seconds is None else seconds
    if budget <= 0:
        yield
        return
    t0 = time.monotonic()
    timer = _can_use_timer()
    previous = None
    if timer:
        def on_alarm(signum: int, frame: FrameType | None) -> None:
            if _importing(frame):  # never leave a module half-imported: fire once the import is done
                signal.setitimer(signal.ITIMER_REAL, IMPORT_RETRY_SECONDS)
                return
            raise _OverBudget()

        previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        if timer:  # armed inside the try: a budget that runs out at once is still this page's PX109
            signal.setitimer(signal.ITIMER_REAL, budget)
        yield
    except _OverBudget:
        raise _over(input, budget, time.monotonic() - t0) from None
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
    spent = time.monotonic() - t0
    if spent > budget:
        raise _over(input, budget, spent)


def _over(input: str, budget: float, spent: float) -> InputRejected:
    return rejected("PX109", input, f"{spent:.0f}s, the budget is {budget:g}s per page")


def bound_article(article: Article) -> Article:
    """Keep at most `limits.max_sentences` content sentences (and the headings before the last kept one)."""
    cap = settings().limits.max_sentences
    unsplit = article.meta.pop("unsplit_sentences", 0)  # about how many `split_article` left unsplit
    content = 0
    for k, s in enumerate(article.sentences):
        if s.is_heading:
            continue
        content += 1
        if content > cap:
            total = content + sum(1 for x in article.sentences[k + 1 :] if not x.is_heading) + unsplit
            article.sentences = article.sentences[:k]
            article.meta["limits"] = {"sentences": total, "briefed": cap, "briefed_chars": s.start,
                                      "reason": f"over limits.max_sentences ({cap})"}
            log.warning("%s: %d sentences; only the first %d are briefed (limits.max_sentences)",
                        article.input or article.id, total, cap)
            break
    return article
