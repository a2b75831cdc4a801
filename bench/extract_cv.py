"""HTML → article text, cross-validated: 5 folds by web site over both extraction benchmarks, peers in the same run.

Sets (read at run time from ../shared/eval, never copied): the Zyte/scrapinghub article-extraction dev pages
(shingle P/R/F1, as bench.extract) and trafilatura's evaluation dev pages (must-have / must-not-have segment
P/R/F, as bench.extract_segments). Pages are put in 5 folds by web site (a site's pages share a fold, so a
choice made on four folds is scored on sites it never saw). Every row reports F1 per fold, their mean and
spread (population sd, min, max):

- ``parallax``: the product, exactly as ``parallax`` reads and cleans a page
  (``parallax.stages.clean.extract_article``: ``stages.read`` then ``clean_article``, default settings);
- ``parallax -step`` / ``parallax +step`` (``--ablate``): one cleaning step for HTML pages left out or added
  (``CleanConfig``); ``parallax extract=MODE``: another extraction mode (``CleanConfig.extract_mode``);
- ``parallax CV-selected``: for each fold, the variant above with the best mean F1 over both sets on the
  *other* four folds, scored on this fold: what choosing the steps on dev is worth out of sample;
- peers: trafilatura alone (default settings, no comments), readability-lxml, newspaper4k, jusText.

The extractors' outputs are memoised on disk (``--memo``, default ``out/cache/extract_memo``) by page digest
and arguments, so a rerun does not parse every page again; the code path is unchanged.

    .venv/bin/python -m bench.extract_cv [--json OUT] [--limit N] [--ablate] [--no-peers] [--memo DIR]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import pickle
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

from bench import common, metrics, peers

NAME = "extract_cv"
K = 5
SETS = {"scrapinghub": "article_extraction_scrapinghub", "segments": "article_extraction_trafilatura"}
PEERS = ("trafilatura", "readability-lxml", "newspaper4k", "justext")


@dataclass(slots=True)
class Page:
    set: str
    id: str
    url: str | None
    site: str
    html_path: Path
    truth: str = ""
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    fold: int = -1


def site_of(url: str | None, fallback: str) -> str:
    """A page's web site (host without "www."; an archived page counts as the site it archives)."""
    host = urlparse(url or "").netloc.lower().removeprefix("www.")
    if host == "web.archive.org":
        m = re.search(r"/web/\d+\w*/(?:https?://)?(?:www\.)?([^/]+)", url or "")
        host = m.group(1).lower() if m else host
    return host or fallback


def assign_folds(pages: list[Page], k: int = K) -> None:
    """Whole sites to folds, largest site first into the smallest fold (ties by a hash of the site name)."""
    for set_name in SETS:
        members = [p for p in pages if p.set == set_name]
        by_site: dict[str, list[Page]] = {}
        for p in members:
            by_site.setdefault(p.site, []).append(p)
        sizes = [0] * k
        order = sorted(by_site, key=lambda s: (-len(by_site[s]), hashlib.sha1(s.encode()).hexdigest()))
        for s in order:
            f = min(range(k), key=lambda i: (sizes[i], i))
            for p in by_site[s]:
                p.fold = f
            sizes[f] += len(by_site[s])


def load_pages(eval_root: Path) -> list[Page]:
    pages: list[Page] = []
    for set_name, folder in SETS.items():
        path = eval_root / folder / "dev.jsonl"
        for row in common.load_jsonl(path):
            pages.append(Page(set=set_name, id=row["id"], url=row.get("url"), site=site_of(row.get("url"), row["id"]),
                              html_path=common.resolve(path, row["html_path"]), truth=row.get("article_body") or "",
                              with_=row.get("with") or [], without=row.get("without") or []))
    assign_folds(pages)
    return pages


# --- memo of the extractors (deterministic functions of the page and their arguments) -----------------


class Memo:
    """A disk-backed memo of `fn(html, *args, **kwargs)` keyed by function name, page digest and arguments."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / "memo.pkl" if folder else None
        self.data: dict[str, Any] = {}
        self.dirty = 0
        if self.path and self.path.exists():
            try:
                self.data = pickle.loads(self.path.read_bytes())
            except Exception:  # a broken memo is rebuilt
                self.data = {}

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def memoised(html: str, *args: Any, **kwargs: Any) -> Any:
            digest = hashlib.sha1(html.encode("utf-8", "surrogatepass")).hexdigest()
            key = f"{name}:{digest}:{args!r}:{sorted(kwargs.items())!r}"
            if key not in self.data:
                self.data[key] = fn(html, *args, **kwargs)
                self.dirty += 1
                if self.dirty >= 200:
                    self.save()
            return copy.deepcopy(self.data[key])

        return memoised

    def save(self) -> None:
        if self.path and self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(self.data))
            tmp.replace(self.path)
        self.dirty = 0


def install_memo(memo: Memo) -> None:
    """Memoise trafilatura's extract and metadata calls wherever they are made (product and peer alike)."""
    import trafilatura

    trafilatura.extract = memo.wrap("trafilatura.extract", trafilatura.extract)
    def metadata(html: str, *args: Any, **kwargs: Any) -> Any:
        doc = original(html, *args, **kwargs)  # holds lxml trees: keep the plain fields
        if doc is None:
            return None
        return SimpleNamespace(**{k: getattr(doc, k, None) for k in ("title", "date", "sitename", "url", "author",
                                                                      "description", "hostname")})

    original = trafilatura.extract_metadata
    trafilatura.extract_metadata = memo.wrap("trafilatura.extract_metadata", metadata)


# --- scoring ---------------------------------------------------------------------------------------------


def score(set_name: str, pages: list[Page], outputs: list[str]) -> dict[str, float]:
    if set_name == "scrapinghub":
        return metrics.shingle_prf([p.truth for p in pages], outputs)
    return metrics.segment_prf(outputs, [p.with_ for p in pages], [p.without for p in pages])


def per_fold(set_name: str, pages: list[Page], outputs: list[str], folds: range = range(K)) -> list[dict[str, float]]:
    out = []
    for k in folds:
        idx = [i for i, p in enumerate(pages) if p.set == set_name and p.fold == k]
        if not idx:
            continue
        out.append(score(set_name, [pages[i] for i in idx], [outputs[i] for i in idx]))
    return out


def summarise(system: str, set_name: str, folds: list[dict[str, float]], pages: int, whole: dict[str, float],
              seconds: float | None = None) -> dict[str, Any]:
    f1 = [r["f1"] for r in folds]
    row: dict[str, Any] = {
        "system": system, "set": set_name, "f1_mean": statistics.fmean(f1), "f1_sd": statistics.pstdev(f1),
        "f1_min": min(f1), "f1_max": max(f1), "f1_all": whole["f1"],
        "precision": whole["precision"], "recall": whole["recall"],
        "folds": " ".join(f"{x:.3f}" for x in f1), "pages": pages,
    }
    if seconds is not None:
        row["ms_per_page"] = 1000 * seconds / max(pages, 1)
    return row


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"python -m bench.{NAME}", description=__doc__.splitlines()[0])
    p.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    p.add_argument("--limit", type=int, default=None, help="at most N pages per set (deterministic sample)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--ablate", action="store_true", help="also score each cleaning step left out / added")
    p.add_argument("--no-peers", action="store_true", help="skip the peers")
    p.add_argument("--memo", default=str(common.REPO_ROOT / "out" / "cache" / "extract_memo"),
                   help="folder of the extractors' memo ('' for none; default: %(default)s)")
    return p


def variants(ablate: bool) -> dict[str, Any]:
    """name -> CleanConfig: the product's, and with --ablate each step left out or added, and the other
    extraction mode."""
    from dataclasses import fields, replace

    from parallax.config import CleanConfig

    base = CleanConfig()
    out: dict[str, Any] = {"parallax": base}
    if not ablate:
        return out
    for f in fields(CleanConfig):
        if f.name.startswith("html_") and isinstance(getattr(base, f.name), bool):
            on = getattr(base, f.name)
            out[f"parallax {'-' if on else '+'}{f.name.removeprefix('html_')}"] = replace(base, **{f.name: not on})
    for mode in ("default", "precision", "vote"):
        if mode != base.extract_mode:
            out[f"parallax extract={mode}"] = replace(base, extract_mode=mode)
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not all((common.EVAL_ROOT / f / "dev.jsonl").exists() for f in SETS.values()):
        common.skip_if_absent(common.EVAL_ROOT / SETS["scrapinghub"] / "dev.jsonl")
        return 0
    from parallax.config import Settings, use
    from parallax.stages.clean import extract_article

    memo = Memo(Path(args.memo) if args.memo else None)
    install_memo(memo)
    pages = load_pages(common.EVAL_ROOT)
    if args.limit:
        pages = [p for s in SETS for p in common.sample([q for q in pages if q.set == s], args.limit, args.seed)]
    htmls = [common.read_html(p.html_path) for p in pages]
    print(f"{len(pages)} pages; fold sizes: " + ", ".join(
        f"{s} {[sum(1 for p in pages if p.set == s and p.fold == k) for k in range(K)]}" for s in SETS), flush=True)

    configs = variants(args.ablate)
    outputs: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    for name, cfg in configs.items():
        outs = []
        t0 = time.perf_counter()
        with use(Settings(clean=cfg)):
            for html, p in zip(htmls, pages, strict=True):
                try:
                    outs.append(extract_article(html, p.url))
                except Exception as exc:  # the product must not fail on a page; count it as empty
                    print(f"{name}: {p.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    outs.append("")
        outputs[name], seconds[name] = outs, time.perf_counter() - t0
        memo.save()
        print(f"{name}: {seconds[name]:.0f} s", flush=True)
    if not args.no_peers:
        for name in PEERS:
            fn = peers.EXTRACTORS[name]
            if name != "trafilatura":
                fn = memo.wrap(f"peer.{name}", fn)
            t0 = time.perf_counter()
            outs, _, _ = common.run_per_item(lambda hp, fn=fn: fn(hp[0], hp[1].url), zip(htmls, pages, strict=True), "")
            outputs[name], seconds[name] = outs, time.perf_counter() - t0
            memo.save()
            print(f"{name}: {seconds[name]:.0f} s", flush=True)

    # Choosing among the variants on dev, honestly: fold k gets the variant best on the other folds.
    if len(configs) > 1:
        sel = [""] * len(pages)
        chosen = []
        for k in range(K):
            def train_f1(name: str, k: int = k) -> float:
                return statistics.fmean(
                    score(s, [p for p in pages if p.set == s and p.fold != k],
                          [o for o, p in zip(outputs[name], pages, strict=True) if p.set == s and p.fold != k])["f1"]
                    for s in SETS)
            best = max(configs, key=train_f1)
            chosen.append(best)
            for i, p in enumerate(pages):
                if p.fold == k:
                    sel[i] = outputs[best][i]
        outputs["parallax CV-selected"] = sel
        print("CV-selected variant per fold: " + "; ".join(f"{k}: {c}" for k, c in enumerate(chosen)))

    rows = []
    for set_name in SETS:
        idx = [i for i, p in enumerate(pages) if p.set == set_name]
        n = len(idx)
        for name, outs in outputs.items():
            whole = score(set_name, [pages[i] for i in idx], [outs[i] for i in idx])
            secs = seconds[name] * n / len(pages) if name in seconds else None
            rows.append(summarise(name, set_name, per_fold(set_name, pages, outs), n, whole, secs))
    cols = ("f1_mean", "f1_sd", "f1_min", "f1_max", "f1_all", "precision", "recall", "folds", "pages", "ms_per_page")
    for set_name in SETS:
        common.print_table(f"bench.extract_cv — {set_name} dev, {K} folds by site (F1 mean, sd, min, max across "
                           "folds; f1_all, P, R over all pages)", [r for r in rows if r["set"] == set_name], cols)
    print("\nms_per_page: with the extractors' memo warm it is the cleaning only; see bench.speed for fresh costs")
    versions = {n: peers.version(p) for n, p in (("trafilatura", "trafilatura"), ("readability-lxml", "readability-lxml"),
                                                  ("newspaper4k", "newspaper4k"), ("justext", "jusText"))}
    common.write_json(args.json, NAME, ", ".join(SETS.values()), [common.rounded(r) for r in rows], folds=K,
                      peer_versions=versions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
