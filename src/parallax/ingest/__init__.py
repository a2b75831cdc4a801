"""Ingestion: files, directories, JSON/JSONL, WARC files, page URLs and RSS/Atom feeds into the store.

    from parallax.store import Store
    from parallax.ingest import ingest, watch

    with Store("desk.db") as store:
        summary = ingest(["pages/", "crawl.warc.gz", "https://news.example/feed.xml"], store)
        print(summary.new, summary.duplicate, summary.unchanged, summary.failed)
        for f in summary.failures:
            print(f.source, f.code, f.reason)

Each SOURCE is one of:
- a file (.txt, .html, .json, .jsonl — as `parallax brief` reads them) or a directory of them;
- a WARC/ARC file (.warc, .warc.gz, .arc, .arc.gz): each HTML response record is a page;
- an http(s) URL: fetched once; a feed (by content type or by its first bytes) has each item's link
  fetched as a full page, otherwise the body is the page;
- `-`: one page on standard input.

Every failure names its source or URL with a code and a reason; the batch goes on. URLs go through the
guarded, polite fetcher (`parallax.ingest.fetch`): SSRF guard, robots.txt, per-host rate limit, retries,
size cap, conditional GET with the ETag / Last-Modified kept in the store's fetch state.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parallax.config import settings
from parallax.errors import InputRejected, ParallaxError
from parallax.ingest.errors import INGEST_CODES, FetchError, fetch_error
from parallax.ingest.feeds import FeedItem, ParsedFeed, parse_feed
from parallax.ingest.fetch import DEFAULT_USER_AGENT, FetchConfig, Fetcher, FetchResult, sniff_feed
from parallax.ingest.guard import Resolver, check_url, parse_url
from parallax.ingest.warc import Skipped, WarcPage, is_warc, read_warc
from parallax.model import Article, InputError
from parallax.stages.read import (
    PAGE_EXT,
    article_from_text,
    invalid_date_message,
    looks_like_html,
    read_file,
    read_path,
    record_to_article,
    walk,
)
from parallax.store.articles import AddSummary
from parallax.store.engine import FATAL_CODES, translate

log = logging.getLogger(__name__)

_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_FEED_MIMES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "text/rss+xml",
               "text/atom+xml"}


@dataclass(slots=True)
class Failure:
    source: str  # the file, record, URL or feed item
    code: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "code": self.code, "reason": self.reason}


@dataclass(slots=True)
class IngestSummary:
    """What one run did. `failed` counts pages or sources that could not be added (see `failures`)."""

    new: int = 0
    duplicate: int = 0
    unchanged: int = 0  # 304 Not Modified, or a feed item already fetched before (not asked again)
    skipped: int = 0  # WARC records that are not pages (requests, images, redirects...)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)  # e.g. a malformed feed whose entries were kept
    ids: list[str] = field(default_factory=list)  # ids of the new articles
    requests: int = 0  # HTTP requests sent (every hop, retry and robots.txt)
    seconds: float = 0.0
    interrupted: bool = False
    stopped: Failure | None = None  # a store failure no later input could escape (read-only, disk full ...)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def pages(self) -> int:
        return self.new + self.duplicate + self.unchanged + self.failed

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def merge(self, other: IngestSummary) -> None:
        self.new += other.new
        self.duplicate += other.duplicate
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.failures.extend(other.failures)
        self.warnings.extend(other.warnings)
        self.ids.extend(other.ids)
        self.requests += other.requests
        self.seconds += other.seconds
        self.interrupted = self.interrupted or other.interrupted
        self.stopped = self.stopped or other.stopped

    def to_dict(self) -> dict[str, Any]:
        return {"new": self.new, "duplicate": self.duplicate, "unchanged": self.unchanged, "failed": self.failed,
                "skipped": self.skipped, "failures": [f.to_dict() for f in self.failures],
                "warnings": [w.to_dict() for w in self.warnings], "ids": list(self.ids),
                "requests": self.requests, "seconds": round(self.seconds, 3),
                "pages_per_second": round(self.pages_per_second, 2), "interrupted": self.interrupted,
                "stopped": self.stopped.to_dict() if self.stopped else None}

    def line(self) -> str:
        return (f"{self.new} new, {self.duplicate} duplicate, {self.unchanged} unchanged, {self.failed} failed"
                + (f", {self.skipped} skipped" if self.skipped else "")
                + f" in {self.seconds:.1f}s ({self.pages_per_second:.1f} pages/s)")


def make_config(config: FetchConfig | None = None, **options: Any) -> FetchConfig:
    """A FetchConfig from `config` (default: `settings().fetch`, the [fetch] table of --config) with
    `options` (FetchConfig field names) replaced; None values ignored."""
    cfg = config or settings().fetch
    names = {f.name for f in dataclasses.fields(FetchConfig)}
    bad = sorted(set(options) - names)
    if bad:
        raise TypeError(f"unknown fetch option(s): {', '.join(bad)}")
    changes = {k: v for k, v in options.items() if v is not None}
    if "allow_networks" in changes:
        changes["allow_networks"] = tuple(changes["allow_networks"])
    return dataclasses.replace(cfg, **changes) if changes else cfg


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Bar:
    """tqdm on stderr when wanted, else nothing."""

    def __init__(self, enabled: bool, total: int):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="page", desc="ingest", file=sys.stderr, dynamic_ncols=True)

    def grow(self, n: int) -> None:
        if self.bar is not None and n:
            self.bar.total = (self.bar.total or 0) + n
            self.bar.refresh()

    def done(self, n: int, summary: IngestSummary) -> None:
        if self.bar is not None and n:
            self.bar.update(n)
            self.bar.set_postfix(new=summary.new, dup=summary.duplicate, failed=summary.failed, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Stop(Exception):
    """Ends a run: the store failed in a way every later input would meet too."""


class Ingester:
    """One run over many sources into one store. `ingest()` is the usual way in."""

    def __init__(self, store: Any, fetcher: Fetcher, *, progress: bool = False, refetch: bool = False,
                 batch: int = 16, on_failure: Callable[[Failure], None] | None = None):
        self.store = store
        self.fetcher = fetcher
        self.refetch = refetch
        self.batch = max(1, batch)
        self.summary = IngestSummary()
        self.progress = progress
        self.on_failure = on_failure
        self._bar = _Bar(False, 0)
        self._buf: list[tuple[Article, str | None]] = []
        self._names: dict[str, str | None] = {}
        self._filed_in: set[str] = set()  # stories new pages went into: settled at the end of the run

    # -- bookkeeping
    def fail(self, source: str, code: str, reason: str, *, count: int = 1) -> None:
        f = Failure(source, code, reason)
        self.summary.failures.append(f)
        log.info("failed %s: %s %s", source, code, reason)
        if self.on_failure:
            self.on_failure(f)
        self._bar.done(count, self.summary)

    def _fail_exc(self, source: str, exc: ParallaxError) -> None:
        self.fail(exc.input or source, exc.code, exc.message)

    def _store_failed(self, source: str, exc: BaseException) -> None:
        """A store error for `source`: a coded failure; one that no later input can escape ends the run."""
        err = translate(exc, source)
        log.debug("store failed on %s", source, exc_info=True)
        if err.code in FATAL_CODES:
            self.summary.stopped = Failure(err.input or source, err.code, err.message)
            log.info("stopping: %s %s: %s", err.code, err.input or source, err.message)
            raise _Stop() from exc
        self.fail(source, err.code, err.message)

    # -- the run
    def run(self, sources: Iterable[str | Path], records: Iterable[tuple[str, Any]] = ()) -> IngestSummary:
        """Ingest `sources`, then `records` ((name, JSON record) pairs, read like JSONL records)."""
        t0 = time.perf_counter()
        req0 = self.fetcher.requests
        plan = list(self._plan(sources)) + [("record", r) for r in records]
        self._bar = _Bar(self.progress, len(plan))
        try:
            for kind, value in plan:
                if kind == "record":
                    self._record(*value)  # type: ignore[misc]
                elif kind == "error":
                    err = value
                    self.fail(err.input, err.code, err.message)  # type: ignore[union-attr]
                elif kind == "url":
                    self._url(str(value))
                elif kind == "warc":
                    self._warc(Path(value))
                elif kind == "file":
                    self._file(Path(value), explicit=True)
                elif kind == "dirfile":
                    self._file(Path(value), explicit=False)
                elif kind == "stdin":
                    self._stdin()
                else:
                    self.fail(str(value), "PX101", "not found: not a file, a directory or an http(s) URL")
            self._flush()
            self._settle()
        except _Stop:
            self._buf.clear()
        except KeyboardInterrupt:
            self.summary.interrupted = True
            log.warning("interrupted: %d items pending were not added", len(self._buf))
        finally:
            self._bar.close()
            self.summary.seconds = time.perf_counter() - t0
            self.summary.requests = self.fetcher.requests - req0
        return self.summary

    def _settle(self) -> None:
        """Re-cluster the stories this run filed into (`Store.settle`): the partition of a run does not
        depend on the order its pages came in. A store failure here is reported, never raised."""
        if not self._filed_in:
            return
        try:
            self.store.settle(self._filed_in)
        except Exception as exc:
            err = translate(exc, "settle")
            log.debug("settling failed", exc_info=True)
            self.fail("settle", err.code, err.message)
        self._filed_in = set()

    def _plan(self, sources: Iterable[str | Path]) -> Iterator[tuple[str, Any]]:
        for src in sources:
            s = str(src)
            if s == "-":
                yield "stdin", s
            elif isinstance(src, str) and _URL_RE.match(s):
                yield "url", s
            else:
                p = Path(s)
                try:
                    is_dir, is_file = p.is_dir(), p.is_file()
                except OSError as exc:  # e.g. a file under a directory we may not enter
                    yield "error", InputError(s, "PX101", f"cannot read ({exc.strerror or exc})")
                    continue
                if is_dir:
                    for f in _iter_dir(p):
                        if isinstance(f, InputError):
                            yield "error", f
                        else:
                            yield ("warc" if is_warc(f) else "dirfile"), f
                elif is_file:
                    yield ("warc" if is_warc(p) else "file"), p
                else:
                    yield "missing", s

    # -- local inputs (batched into the store: it embeds a batch at a time)
    def _queue(self, article: Article, html: str | None = None) -> None:
        invalid = article.meta.get("published_invalid")
        if invalid is not None:  # kept without its date: say so (a warning; --strict counts it)
            self.summary.warnings.append(Failure(article.input or article.id, "PX106", invalid_date_message(invalid)))
        self._buf.append((article, html))
        if len(self._buf) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        items, self._buf = self._buf, []
        res = AddSummary()  # filled as pages are filed: what was filed before a failure still counts
        try:
            self.store.add_articles(items, progress=False, settle=False, summary=res)
        except Exception as exc:  # the store failed as a whole: name every page of the batch not done
            self._count(res)
            rest = items[res.total :]
            err = translate(exc, (rest or items)[0][0].input or (rest or items)[0][0].id)
            if err.code in FATAL_CODES:
                self._store_failed(err.input, err)
            log.debug("store batch failed", exc_info=True)
            for a, _ in rest:
                self.fail(a.input or a.id, err.code, err.message)
            return
        self._count(res)

    def _count(self, res: AddSummary) -> None:
        """Add what the store filed (`add_articles`' summary) to the run's summary."""
        self.summary.new += res.new
        self.summary.duplicate += res.duplicate
        self.summary.ids.extend(res.ids)
        self._filed_in |= res.stories
        self._bar.done(res.new + res.duplicate, self.summary)
        for f in res.failures:
            self.fail(f.get("input", "?"), f.get("code", "PX414"), f.get("reason", ""))

    def _file(self, path: Path, *, explicit: bool) -> None:
        n = 0
        for it in read_file(path, explicit=explicit):  # a stream: a JSONL file is never held whole
            if n:
                self._bar.grow(1)
            n += 1
            if isinstance(it, InputError):
                self.fail(it.input, it.code, it.message)
            else:
                self._queue(it)
        if not n:  # a JSON file that holds no page records
            self._bar.done(1, self.summary)
            self.summary.skipped += 1

    def _stdin(self) -> None:
        for it in read_path("-"):
            if isinstance(it, InputError):
                self.fail(it.input, it.code, it.message)
            else:
                self._queue(it)

    def _record(self, name: str, rec: Any) -> None:
        try:
            self._queue(record_to_article(rec, name, name.replace("[", "-").strip("]")))
        except InputRejected as exc:
            self.fail(name, exc.code, exc.message)

    def _warc(self, path: Path) -> None:
        first = True
        for it in read_warc(path, max_bytes=self.fetcher.config.max_bytes):
            if isinstance(it, Skipped):
                self.summary.skipped += 1
                continue
            if not first:
                self._bar.grow(1)
            first = False
            if isinstance(it, InputError):
                self.fail(it.input, it.code, it.message)
            elif isinstance(it, WarcPage):
                name = self._registry_name(it.article.url)
                if name:
                    it.article.source = name
                self._queue(it.article, it.html)
        if first:  # nothing in it was a page
            self._bar.done(1, self.summary)

    # -- URLs
    def _state(self, url: str) -> dict[str, Any]:
        if self.refetch:
            return {}
        try:
            return self.store.get_fetch_state(url) or {}
        except Exception:  # a store without fetch state still ingests
            log.debug("no fetch state for %s", url, exc_info=True)
            return {}

    def _set_state(self, url: str, **fields: Any) -> None:
        try:
            self.store.set_fetch_state(url, **fields)
        except Exception as exc:
            log.warning("could not record the fetch state of %s: %s", url, translate(exc, url).message)
            log.debug("fetch state of %s", url, exc_info=True)

    def _conditional_fetch(self, url: str, kind: str, state: dict):
        """Fetch with If-None-Match / If-Modified-Since; None when it failed (recorded) or is unchanged."""
        try:
            res = self.fetcher.fetch(url, kind=kind, etag=state.get("etag"),
                                     last_modified=state.get("last_modified"))
        except FetchError as exc:
            self._set_state(url, status=exc.status, error=f"{exc.code} {exc.message}")
            self._fail_exc(url, exc)
            return None
        if res.not_modified:
            self.summary.unchanged += 1
            self._set_state(url, status=304, error=None)
            self._bar.done(1, self.summary)
            return None
        return res

    def _url(self, url: str) -> None:
        state = self._state(url)
        res = self._conditional_fetch(url, "any", state)
        if res is None:
            return
        if self._is_feed(res):
            self._feed(url, res)
        else:
            self._page(url, result=res)

    @staticmethod
    def _is_feed(res: FetchResult) -> bool:
        if res.content_type in _FEED_MIMES or sniff_feed(res.content):
            return True
        if res.content_type in ("application/xml", "text/xml"):
            return b"<html" not in res.content[:4096].lower()  # XHTML served as XML is a page
        return False

    def _feed(self, url: str, res: FetchResult) -> None:
        parsed = parse_feed(res.content, res.url, res.content_type + (f"; charset={res.charset}"
                                                                      if res.charset else ""))
        if parsed.problem:
            if parsed.items:
                w = fetch_error("PX411", url, f"{parsed.problem}; kept {len(parsed.items)} entries")
                self.summary.warnings.append(Failure(url, w.code, w.message))
                log.warning("%s: %s %s", url, w.code, w.message)
            else:
                err = fetch_error("PX411", url, f"{parsed.problem}; no entries could be read")
                self._set_state(url, status=res.status, error=f"{err.code} {err.message}")
                self._fail_exc(url, err)
                return
        elif not parsed.is_feed:
            err = fetch_error("PX409", url, f"{res.content_type or 'untyped'} body is neither a feed nor a page")
            self._fail_exc(url, err)
            return
        self._bar.grow(max(len(parsed.items), 1) - 1)
        if not parsed.items:
            self._bar.done(1, self.summary)
        for item in parsed.items:
            if not item.link:
                label = item.title or item.id or "untitled"
                self.fail(f"{url} item {label!r}", "PX413", fetch_error("PX413", url).message)
                continue
            self._page(item.link, item=item, feed=parsed)
        # Saved last: if the run stops half way, the next one does not get a 304 for items never fetched.
        self._set_state(url, etag=res.etag, last_modified=res.last_modified, status=res.status, error=None,
                        extra={"kind": "feed", "title": parsed.title, "items": len(parsed.items)})

    def _page(self, url: str, *, result: FetchResult | None = None, item: FeedItem | None = None,
              feed: ParsedFeed | None = None) -> None:
        res = result
        if res is None:
            state = self._state(url)
            if item is not None and state.get("status") == 200 and state.get("article_id"):
                self.summary.unchanged += 1  # fetched before: feed items are not asked again
                self._bar.done(1, self.summary)
                return
            res = self._conditional_fetch(url, "page", state)
            if res is None:
                return
        try:
            text = res.text()
            html = res.content_type != "text/plain" and (res.content_type != "" or looks_like_html(text))
            article = article_from_text(text, input=url, html=html, url=res.url,
                                        source=self._registry_name(res.url),
                                        title=item.title if item else None,
                                        published=item.published if item else None)
        except InputRejected as exc:
            self._set_state(url, status=res.status, error=f"{exc.code} {exc.message}")
            self.fail(url, exc.code, exc.message)
            return
        if item is not None:
            if item.author:
                article.meta["author"] = item.author
            if feed is not None:
                article.meta["feed"] = feed.url
        if res.redirects:
            article.meta["requested_url"] = url
        try:
            added = self.store.add_article(article, html=text if html else None)
        except Exception as exc:
            err = translate(exc, url)
            if err.code not in FATAL_CODES:
                self._set_state(url, status=res.status, error=f"{err.code} {err.message}")
            self._store_failed(url, err)
            return
        if added.status == "new":
            self.summary.new += 1
            self.summary.ids.append(added.id)
            if added.story_id:
                self._filed_in.add(added.story_id)
        else:
            self.summary.duplicate += 1
        self._set_state(url, etag=res.etag, last_modified=res.last_modified, status=res.status,
                        article_id=added.id, error=None)
        self._bar.done(1, self.summary)

    def _registry_name(self, url: str | None) -> str | None:
        """The outlet name the user registered for this URL's domain (never a guess)."""
        if not url:
            return None
        host = url.split("://", 1)[-1].split("/", 1)[0].lower()
        if host not in self._names:
            try:
                src = self.store.source_for(url)
            except Exception:
                src = None
            self._names[host] = (src or {}).get("name") or None
        return self._names[host]


def _iter_dir(root: Path) -> Iterator[Path | InputError]:
    """Pages and WARC files under a directory, in a stable order; hidden and _private names skipped; a
    directory or file that cannot be read is an InputError (PX101) and the walk goes on."""
    yield from walk(root, lambda p: p.suffix.lower() in PAGE_EXT or is_warc(p))


def ingest(sources: Iterable[str | Path], store: Any, *, allow_private: bool = False,
           config: FetchConfig | None = None, fetcher: Fetcher | None = None, resolver: Resolver | None = None,
           progress: bool | None = None, refetch: bool = False, batch: int = 16,
           on_failure: Callable[[Failure], None] | None = None, records: Iterable[tuple[str, Any]] = (),
           **options: Any) -> IngestSummary:
    """Ingest SOURCES (paths, directories, WARC files, page or feed URLs, '-') into `store`.

    `records`: (name, JSON record) pairs read like JSONL records (the web API's posted pages); failures
    name them. A store failure that every later input would meet (read-only PX505, disk full PX506 ...)
    ends the run at once: `summary.stopped` says which.

    `options` are FetchConfig fields (timeout, retries, backoff, min_interval, max_bytes, user_agent,
    respect_robots, allow_networks, max_redirects, ...). `progress`: a bar on stderr (None: when stderr is
    a terminal). `refetch`: ignore the stored fetch state (no conditional GET, feed items asked again).
    Interrupting (Ctrl-C) ends the run early: the summary says `interrupted`.
    """
    own = fetcher is None
    if fetcher is None:
        cfg = make_config(config, allow_private=allow_private or None, **options)
        fetcher = Fetcher(cfg, resolver=resolver)
    try:
        ing = Ingester(store, fetcher, progress=_stderr_is_tty() if progress is None else progress,
                       refetch=refetch, batch=batch, on_failure=on_failure)
        return ing.run(sources, records)
    finally:
        if own:
            fetcher.close()


def watch(feeds: Iterable[str], store: Any, *, interval: float = 900.0, once: bool = False,
          rounds: int | None = None, stop: threading.Event | None = None,
          on_round: Callable[[int, IngestSummary], None] | None = None, allow_private: bool = False,
          config: FetchConfig | None = None, resolver: Resolver | None = None, progress: bool | None = None,
          **options: Any) -> IngestSummary:
    """Poll FEEDS every `interval` seconds (conditional GET: an unchanged feed costs one 304).

    Stops after one round with `once`, after `rounds` rounds, when `stop` is set, or on Ctrl-C
    (returning the totals so far). Returns the totals over all rounds.
    """
    feeds = list(feeds)
    for f in feeds:
        parse_url(f)  # a clear PX401 for a non-URL before the first round (no DNS here)
    cfg = make_config(config, allow_private=allow_private or None, **options)
    total = IngestSummary()
    stop = stop or threading.Event()
    n = 0
    with Fetcher(cfg, resolver=resolver) as fetcher:
        try:
            while not stop.is_set():
                n += 1
                s = ingest(feeds, store, fetcher=fetcher, progress=progress)
                total.merge(s)
                if on_round:
                    on_round(n, s)
                if s.interrupted or s.stopped or once or (rounds is not None and n >= rounds):
                    break
                fetcher.robots.expire()
                stop.wait(interval)
        except KeyboardInterrupt:
            total.interrupted = True
    return total


__all__ = [
    "DEFAULT_USER_AGENT",
    "INGEST_CODES",
    "Failure",
    "FetchConfig",
    "FetchError",
    "Fetcher",
    "IngestSummary",
    "Ingester",
    "check_url",
    "ingest",
    "make_config",
    "watch",
]
