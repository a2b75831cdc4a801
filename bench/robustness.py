"""Robustness: peak memory and time per stage of ``parallax brief`` on one generated page at 1x, 2x and 4x
size, up to the size cap (``read.max_bytes``, 5,000,000 bytes): growth must be linear (or flatter) and the
largest page must brief in under 1 GB.

Pages are generated here (no data needed): news-like paragraphs of distinct sentences (a council, a
harbour, amounts and dates varying), as plain text and as HTML (one ``<p>`` per paragraph, plus a deep
``<div>`` nest and a navigation bar, so that the HTML guard's flattening runs too), and "lines": HTML of
nothing but short ``<p>`` lines (200,000 at 4 MB took minutes before the guard; over
``limits.html_max_elements`` it is read as its visible text). Each (kind, size) runs in a
fresh subprocess through ``parallax.pipeline.brief_paths`` — the product's code path and settings — with
its stage functions wrapped only to mark where each stage starts and ends. Memory per stage is the peak
resident set size sampled every 5 ms while the stage runs (native allocations included: ONNX Runtime,
numpy, lxml); ``peak_rss_mb`` is the process's ``ru_maxrss`` at the end; ``base_rss_mb`` the resident set
after imports and the model's warm-up, before the page is read. ``growth`` is log(x4 / x1) / log(4) of
time and of memory above the base: 1.0 is linear, below 1 flatter (the per-page caps of ``[limits]``).

    python -m bench.robustness [--cap BYTES] [--kinds text,html,lines] [--json OUT] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import common

NAME = "robustness"
STAGES = ("read", "clean", "split", "bound", "embed", "stories", "provenance", "crosscheck", "brief")
COLUMNS = ("kind", "bytes", "seconds", "peak_rss_mb", "base_rss_mb", "sentences", "briefed", "errors")
MB = 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

TOWNS = ["Arvel", "Brisk", "Corran", "Dunmere", "Estby", "Falk", "Garrow", "Hale", "Istra", "Jorvik"]
NOUNS = ["council", "harbour board", "school trust", "clinic", "ferry company", "library", "market hall",
         "rail operator", "quarry owner", "water board"]
VERBS = ["approved", "delayed", "rejected", "funded", "inspected", "reopened", "expanded", "closed"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def paragraphs(n_bytes: int, seed: int = 13) -> list[str]:
    """Distinct news-like paragraphs adding up to about `n_bytes` (UTF-8)."""
    r = random.Random(seed)
    out: list[str] = []
    size = 0
    i = 0
    while size < n_bytes:
        sents = []
        for _ in range(r.randint(2, 4)):
            i += 1
            town = f"{r.choice(TOWNS)}{i % 211}"
            sents.append(f"The {r.choice(NOUNS)} of {town} {r.choice(VERBS)} a plan worth {r.randint(2, 900)} "
                         f"thousand crowns on {r.choice(DAYS)}, item {i} of the agenda, officials said.")
        p = " ".join(sents)
        out.append(p)
        size += len(p) + 2
    return out


def make_page(kind: str, n_bytes: int) -> str:
    """A page of `kind`: "text", "html" (paragraphs, a 300-deep nest, a menu) or "lines" (nothing but
    short <p> lines, the shape that took minutes in issue 15)."""
    if kind == "lines":
        n = max(1, (n_bytes - 200) // 36)
        return ("<html><head><title>Harbour lines</title></head><body>"
                + "".join(f"<p>Line {i} of the harbour plan.</p>\n" for i in range(n)) + "</body></html>")
    if kind == "text":
        return "Arvel council weighs harbour plan\n\n" + "\n\n".join(paragraphs(n_bytes - 40))
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs(n_bytes - 2000))
    return ("<!doctype html><html><head><title>Arvel council weighs harbour plan</title></head><body>"
            "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>" + "<div>" * 300
            + f"<article><h1>Arvel council weighs harbour plan</h1>\n{body}</article>" + "</div>" * 300
            + "<footer>All rights reserved</footer></body></html>")


class RssSampler:
    """The resident set size, sampled in a thread; `peak()` since the last `mark()`."""

    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self._peak = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._peak = max(self._peak, self.rss())

    def mark(self) -> None:
        self._peak = self.rss()

    def peak(self) -> int:
        return max(self._peak, self.rss())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def worker(path: Path) -> dict[str, Any]:
    """Brief one page in this process; per-stage seconds and peak RSS."""
    from bench import _parallax as px

    pipeline = px._module("pipeline")
    embed_mod = px._module("text.embed")
    embed_mod.get_embedder().warm_up()
    sampler = RssSampler()
    base = sampler.rss()
    stats: dict[str, dict[str, float]] = {s: {"seconds": 0.0, "peak_rss_mb": 0.0} for s in STAGES}
    state = {"stage": None}

    def timed(stage: str, fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if state["stage"] is not None:  # nested in another stage: counted there
                return fn(*args, **kwargs)
            state["stage"] = stage
            sampler.mark()
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                s = stats[stage]
                s["seconds"] += time.perf_counter() - t0
                s["peak_rss_mb"] = max(s["peak_rss_mb"], sampler.peak() / MB)
                state["stage"] = None
        return run

    pipeline.read_paths = timed("read", pipeline.read_paths)
    from parallax.stages import prepare as prepare_steps

    prepare_steps.STEPS = tuple((n, timed(n, f)) for n, f in prepare_steps.STEPS)
    pipeline.embed = timed("embed", pipeline.embed)
    pipeline.group_stories = timed("stories", pipeline.group_stories)
    pipeline.trace = timed("provenance", pipeline.trace)
    pipeline.crosscheck = timed("crosscheck", pipeline.crosscheck)
    pipeline.build_story = timed("brief", pipeline.build_story)
    t0 = time.perf_counter()
    brief = pipeline.brief_paths([str(path)])
    total = time.perf_counter() - t0
    sampler.stop()
    arts = brief.articles
    limits = arts[0].meta.get("limits", {}) if arts else {}
    return {"bytes": path.stat().st_size, "seconds": round(total, 2), "peak_rss_mb": round(common.peak_rss_mb(), 1),
            "base_rss_mb": round(base / MB, 1), "errors": [e.to_dict() for e in brief.errors],
            "sentences": limits.get("sentences", len(arts[0].content_sentences()) if arts else 0),
            "briefed": len(arts[0].content_sentences()) if arts else 0,
            "html": {k: arts[0].meta.get(k) for k in ("html_flattened", "extraction") if arts and k in arts[0].meta},
            "stages": {k: {"seconds": round(v["seconds"], 2), "peak_rss_mb": round(v["peak_rss_mb"], 1)}
                       for k, v in stats.items()}}


def growth(small: float, big: float, factor: float) -> float | None:
    if small <= 0 or big <= 0:
        return None
    return round(math.log(big / small) / math.log(factor), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m bench.{NAME}", description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument("--quick", action="store_true", help="a 500,000-byte cap (125 KB, 250 KB, 500 KB pages)")
    parser.add_argument("--cap", type=int, default=None, help="the largest page in bytes (default: the size cap)")
    parser.add_argument("--kinds", default="text,html,lines", help="page kinds (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(Path(args.worker))))
        return 0
    sys.path.insert(0, str(common.REPO_ROOT / "src"))
    from parallax.config import settings

    cap = args.cap or (500_000 if args.quick else settings().read.max_bytes)
    sizes = [cap // 4, cap // 2, cap]
    results: list[dict[str, Any]] = []
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(common.REPO_ROOT / "src"), str(common.REPO_ROOT),
                                                       os.environ.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory(prefix="parallax-robust-") as tmp:
        for kind in args.kinds.split(","):
            for size in sizes:
                page = Path(tmp) / f"page-{size}.{'txt' if kind == 'text' else 'html'}"
                text = make_page(kind, size)
                page.write_bytes(text.encode("utf-8")[: settings().read.max_bytes])
                cmd = [sys.executable, "-m", f"bench.{NAME}", "--worker", str(page)]
                t0 = time.perf_counter()
                try:
                    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env,
                                         cwd=str(common.REPO_ROOT), check=False)
                except subprocess.TimeoutExpired:
                    results.append({"system": f"{kind} {size}", "kind": kind, "bytes": size,
                                    "available": False, "reason": f"over {args.timeout:.0f}s"})
                    continue
                if out.returncode != 0:
                    results.append({"system": f"{kind} {size}", "kind": kind, "bytes": size, "available": False,
                                    "reason": out.stderr.strip().splitlines()[-1][:200] if out.stderr else "failed"})
                    continue
                row = json.loads(out.stdout.strip().splitlines()[-1])
                row.update({"system": f"{kind} x{size * 4 // cap}", "kind": kind,
                            "wall_seconds": round(time.perf_counter() - t0, 1), "errors": len(row["errors"])})
                results.append(row)
                print(f"{kind} {row['bytes']} bytes: {row['seconds']}s, peak {row['peak_rss_mb']} MB", flush=True)
    common.print_table(f"Robustness: one generated page at 1x, 2x, 4x (cap {cap} bytes)", results, COLUMNS)
    summary = []
    for kind in args.kinds.split(","):
        rows = [r for r in results if r.get("kind") == kind and r.get("available") is not False]
        if len(rows) < 3:
            continue
        one, four = rows[0], rows[-1]
        factor = four["bytes"] / one["bytes"]
        line: dict[str, Any] = {"system": kind, "time_growth": growth(one["seconds"], four["seconds"], factor),
                                "memory_growth": growth(one["peak_rss_mb"] - one["base_rss_mb"],
                                                        four["peak_rss_mb"] - four["base_rss_mb"], factor),
                                "largest_peak_mb": four["peak_rss_mb"], "under_1gb": four["peak_rss_mb"] < 1024}
        for stage in STAGES:
            a, b = one["stages"][stage], four["stages"][stage]
            line[f"{stage}_s"] = f"{a['seconds']}->{b['seconds']}"
            line[f"{stage}_mb"] = f"{a['peak_rss_mb']}->{b['peak_rss_mb']}"
        summary.append(line)
    common.print_table("Growth 1x -> 4x (1.0 = linear) and the largest page", summary,
                       ("time_growth", "memory_growth", "largest_peak_mb", "under_1gb"))
    for line in summary:
        print(f"\n{line['system']}: per stage, seconds and peak RSS MB at 1x -> 4x")
        for stage in STAGES:
            print(f"  {stage:11} {line[f'{stage}_s']:>16} s   {line[f'{stage}_mb']:>18} MB")
    common.write_json(args.json, NAME, None, results, summary=summary, cap=cap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
