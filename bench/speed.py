"""Throughput and memory: Parallax end to end (``parallax.pipeline.brief_paths``) and per stage, vs trafilatura
extraction alone, on 500 → 2,000 pages; checks that time grows about linearly.

Pages: ../shared/corpus/seeds, the repository's examples/ pages (.txt/.html) and the Multi-News dev documents
(``--data``, default ../shared/eval/mds_multinews_longbench/dev.jsonl) written as .txt files and replicated (exact
copies) until there are enough pages. Each (system, size) runs in a fresh subprocess so peak RSS is its own.
trafilatura gets the same pages wrapped in minimal HTML (one <p> per paragraph).

    .venv/bin/python -m bench.speed [--data FILE.jsonl] [--sizes 500,1000,2000] [--json OUT] [--quick]
"""

from __future__ import annotations

import html as htmllib
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import _parallax as px
from bench import common

NAME = "speed"
FOLDER = "mds_multinews_longbench"
COLUMNS = ("pages", "seconds", "pages_per_s", "peak_rss_mb", "errors")


def build_corpus(data: Path, target: int, out: Path) -> list[Path]:
    """Write the page files into ``out``; returns them in a fixed order (originals first, then replicas)."""
    sources: list[tuple[str, str]] = []
    seeds = common.SHARED_ROOT / "corpus" / "seeds"
    for f in sorted(seeds.glob("*")) if seeds.is_dir() else []:
        if f.is_file():
            sources.append((f.name, f.read_text(encoding="utf-8", errors="replace")))
    examples = common.REPO_ROOT / "examples"
    for f in sorted(examples.rglob("*")) if examples.is_dir() else []:
        if f.is_file() and f.suffix.lower() in {".txt", ".html", ".htm"}:
            sources.append((f"ex-{f.parent.name}-{f.name}", f.read_text(encoding="utf-8", errors="replace")))
    fixed = len(sources)
    docs = [d["text"] for item in common.load_jsonl(data) for d in item["documents"] if (d.get("text") or "").strip()]
    if not docs and not sources:
        return []
    rounds = max(1, math.ceil((target - fixed) / max(1, len(docs)))) if docs else 0
    for r in range(rounds):
        for i, text in enumerate(docs):
            sources.append((f"mn-{r:02d}-{i:04d}.txt", text))
    paths = []
    for n, (name, text) in enumerate(sources):
        path = out / f"{n:05d}-{name}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _as_html(text: str, title: str) -> str:
    paras = "".join(f"<p>{htmllib.escape(p.strip())}</p>\n" for p in text.split("\n") if p.strip())
    return f"<html><head><title>{htmllib.escape(title)}</title></head><body><article>\n{paras}</article></body></html>"


def worker(system: str, listing: Path) -> dict[str, Any]:
    """Run one system on the pages listed in ``listing`` (one path per line) in this process."""
    paths = [line for line in listing.read_text(encoding="utf-8").splitlines() if line]
    errors = 0
    result: dict[str, Any] = {"system": system, "pages": len(paths)}
    if system == "parallax":
        with common.Timer() as timer:
            brief = px.brief_paths(paths)
        settings = getattr(brief, "settings", None) or {}
        result["stage_seconds"] = settings.get("timings") if isinstance(settings, dict) else None
        result["articles"] = len(getattr(brief, "articles", []) or [])
        result["stories"] = len(getattr(brief, "stories", []) or [])
        errors = len(getattr(brief, "errors", []) or [])
    else:
        import trafilatura

        pages = []
        for p in paths:
            text = Path(p).read_text(encoding="utf-8", errors="replace")
            pages.append(text if p.endswith((".html", ".htm")) else _as_html(text, text.split("\n", 1)[0][:80]))
        with common.Timer() as timer:
            for page in pages:
                try:
                    trafilatura.extract(page, include_comments=False)
                except Exception:
                    errors += 1
    result.update(seconds=timer.seconds, pages_per_s=len(paths) / timer.seconds if timer.seconds else 0.0,
                  peak_rss_mb=common.peak_rss_mb(), errors=errors)
    return result


def _spawn(system: str, listing: Path, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-W", "ignore", "-m", "bench.speed", "--worker", system, "--listing", str(listing)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=common.REPO_ROOT)
    except subprocess.TimeoutExpired:
        return common.unavailable(system, f"timed out after {timeout:.0f} s")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return common.unavailable(system, f"worker failed (exit {proc.returncode}): {tail[:200]}")


def growth(rows: list[dict[str, Any]]) -> float | None:
    """Exponent k in time ∝ pages^k between the smallest and the largest size (1.0 = linear)."""
    ok = [r for r in rows if r.get("seconds")]
    if len(ok) < 2:
        return None
    a, b = ok[0], ok[-1]
    if a["pages"] == b["pages"] or a["seconds"] <= 0:
        return None
    return math.log(b["seconds"] / a["seconds"]) / math.log(b["pages"] / a["pages"])


def main(argv: list[str] | None = None) -> int:
    parser = common.make_parser(NAME, __doc__.splitlines()[0], FOLDER)
    parser.add_argument("--sizes", default=None, help="comma-separated page counts (default 500,1000,2000; --quick 50,200)")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds for all Parallax runs; a size whose projected time exceeds what is left is "
                             "skipped (default: none; --quick 420)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per (system, size) run")
    parser.add_argument("--worker", help=argparse_hidden())
    parser.add_argument("--listing", help=argparse_hidden())
    args = common.parse(parser, argv)
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.listing))))
        return 0
    if common.skip_if_absent(args.data):
        return 0
    sizes = [int(s) for s in (args.sizes or ("50,200" if args.quick else "500,1000,2000")).split(",")]
    if args.limit:
        sizes = [min(s, args.limit) for s in sizes]
    systems = ["parallax", "trafilatura"]
    try:
        px.check(("pipeline", "brief_paths"))
    except px.Unavailable as exc:
        systems = ["trafilatura"]
        skipped = common.unavailable("parallax", str(exc))
    else:
        skipped = None
    results: list[dict[str, Any]] = []
    budget = args.budget if args.budget is not None else (420.0 if args.quick else None)
    spent = 0.0
    with tempfile.TemporaryDirectory(prefix="parallax-speed-") as tmp:
        corpus = Path(tmp) / "pages"
        corpus.mkdir()
        paths = build_corpus(Path(args.data), max(sizes), corpus)
        print(f"corpus: {len(paths)} pages in {corpus}")
        for size in sizes:
            listing = Path(tmp) / f"list-{size}.txt"
            listing.write_text("\n".join(str(p) for p in paths[:size]) + "\n", encoding="utf-8")
            for system in systems:
                if system == "parallax" and budget is not None:
                    done = [r for r in results if r.get("system") == "parallax" and r.get("seconds")]
                    projected = done[-1]["seconds"] * size / done[-1]["pages"] if done else 0.0
                    if projected > budget - spent:
                        row = common.unavailable("parallax", f"skipped: projected {projected:.0f} s exceeds the "
                                                             f"remaining budget of {budget - spent:.0f} s")
                        row["size"] = size
                        results.append(row)
                        print(f"  parallax     {size:5d} pages: {row['reason']}", flush=True)
                        continue
                row = _spawn(system, listing, args.timeout)
                if system == "parallax":
                    spent += row.get("seconds", 0.0)
                row["size"] = size
                results.append(row)
                print(f"  {system:12s} {size:5d} pages: "
                      + (f"{row['seconds']:.1f} s, {row['pages_per_s']:.1f} pages/s, peak RSS {row['peak_rss_mb']:.0f} MB"
                         if row.get("available", True) else f"not available ({row['reason']})"), flush=True)
    if skipped:
        results.insert(0, skipped)
    summary = []
    for system in systems:
        rows = [r for r in results if r.get("system") == system and r.get("available", True)]
        k = growth(rows)
        summary.append({"system": system, "growth_exponent": k})
        for r in rows:
            r["growth_exponent"] = k
    common.print_table("bench.speed — pages/s and peak RSS per run (fresh process each)", results,
                       ("size", *COLUMNS, "growth_exponent"))
    for r in results:
        if r.get("stage_seconds"):
            stages = ", ".join(f"{k} {v:.1f}s" for k, v in r["stage_seconds"].items())
            print(f"parallax stages at {r['pages']} pages: {stages}")
    common.write_json(args.json, NAME, args.data, [common.rounded(r) for r in results], growth=summary, sizes=sizes)
    return 0


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    sys.exit(main())
