"""Pages per core: CPU per page of the batch, the store and the cluster pipeline (Ray, 1 and 2 workers), per
stage, in one run; trafilatura extraction alone as the floor.

Pages: distinct Multi-News dev documents (``--data``, default ../shared/eval/mds_multinews_longbench/dev.jsonl)
written as .txt files at run time (never into the repository). Each system runs in a fresh process (the
embedding cache starts empty); CPU is the user+system time of that process and every process it starts (Ray's
raylet, GCS and workers included), read from /proc while they run. pages/s/core = pages / CPU seconds.

    python -m bench.speed [--pages 300] [--systems batch,store,ray1,ray2,trafilatura] [--json OUT] [--quick]

``--quick``: 100 pages. Runs of the same pages by an older tree: PYTHONPATH=OLD/src python -m bench.speed
(systems the older tree lacks are reported as not available).
"""

from __future__ import annotations

import html as htmllib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path
from typing import Any

from bench import common

NAME = "speed"
FOLDER = "mds_multinews_longbench"
SYSTEMS = ("batch", "store", "ray1", "ray2", "trafilatura")
COLUMNS = ("pages", "cpu_s", "ms_per_page", "pages_per_s_per_core", "wall_s", "pages_per_s", "peak_rss_mb")


def build_corpus(data: Path, n: int, out: Path) -> list[Path]:
    """Up to ``n`` distinct Multi-News documents as .txt pages under ``out``, in a fixed order."""
    paths: list[Path] = []
    for item in common.load_jsonl(data):
        for d in item["documents"]:
            text = (d.get("text") or "").strip()
            if text and len(paths) < n:
                p = out / f"{len(paths):05d}.txt"
                p.write_text(text, encoding="utf-8")
                paths.append(p)
    return paths


# ---- CPU of a process tree, from /proc ----------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user+system CPU seconds) of a live process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return None


class TreeCPU:
    """CPU seconds of this process and all its descendants, sampled while they live (a sampler thread):
    Ray's workers are grandchildren that no wait() accounts for."""

    def __init__(self, every: float = 0.2):
        self.root = os.getpid()
        self.seen: dict[int, float] = {}
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> float:
        stats = {int(p): s for p in os.listdir("/proc") if p.isdigit() for s in [_stat(int(p))] if s}
        tree, grew = {self.root}, True
        while grew:
            grew = False
            for pid, (ppid, _) in stats.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        for pid in tree:
            if pid in stats:
                self.seen[pid] = max(self.seen.get(pid, 0.0), stats[pid][1])
        own = os.times()
        self.seen[self.root] = own.user + own.system
        return sum(self.seen.values())

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> TreeCPU:
        self.start = self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# ---- one system, in this process ------------------------------------------------------------------------------


def _batch(paths: list[str], cpu: TreeCPU) -> dict[str, Any]:
    from parallax import pipeline

    # The pipeline times its stages with time.perf_counter; here that clock reads this process's CPU time
    # (the ONNX session runs on this thread), so Brief.settings["timings"] holds CPU seconds per stage.
    pipeline.time = types.SimpleNamespace(perf_counter=time.process_time)  # type: ignore[attr-defined]
    brief = pipeline.brief_paths(paths)
    return {"stage_cpu_s": brief.settings.get("timings", {}), "articles": len(brief.articles),
            "stories": len(brief.stories)}


def _store(paths: list[str], cpu: TreeCPU, tmp: str) -> dict[str, Any]:
    from parallax.stages.read import read_paths
    from parallax.store import Store

    stages = {"read": 0.0, "prepare (clean, split, embed)": 0.0, "commit (stories, provenance)": 0.0}

    class TimedStore(Store):
        def prepare(self, items):  # type: ignore[no-untyped-def]
            t0 = time.process_time()
            try:
                return super().prepare(items)
            finally:
                stages["prepare (clean, split, embed)"] += time.process_time() - t0

        def commit(self, prep):  # type: ignore[no-untyped-def]
            t0 = time.process_time()
            try:
                return super().commit(prep)
            finally:
                stages["commit (stories, provenance)"] += time.process_time() - t0

    t0 = time.process_time()
    arts, _errors = read_paths(paths)
    stages["read"] = time.process_time() - t0
    with TimedStore(str(Path(tmp) / "speed.db")) as store:
        summary = store.add_articles(arts, progress=False)
        n_stories = len(store.list_stories(limit=100000))
    return {"stage_cpu_s": stages, "articles": summary.new, "stories": n_stories}


def _ray(paths: list[str], cpu: TreeCPU, tmp: str, workers: int) -> dict[str, Any]:
    from parallax.scale import run

    stages: dict[str, float] = {}
    last = [cpu.sample()]

    def progress(line: dict[str, Any]) -> None:
        now = cpu.sample()
        stages[line["stage"]] = now - last[0]
        last[0] = now

    report = run(paths, Path(tmp) / "run", workers=workers, num_cpus=2, progress=progress)
    rows = {s["stage"]: s["rows"] for s in report.stages}
    import ray

    ray.shutdown()
    cpu.sample()
    return {"stage_cpu_s": stages, "articles": rows.get("articles"), "stories": rows.get("briefs")}


def _trafilatura(paths: list[str], cpu: TreeCPU) -> dict[str, Any]:
    import trafilatura

    for p in paths:
        text = Path(p).read_text(encoding="utf-8")
        paras = "".join(f"<p>{htmllib.escape(x.strip())}</p>" for x in text.split("\n") if x.strip())
        trafilatura.extract(f"<html><body><article>{paras}</article></body></html>")
    return {"stage_cpu_s": {}}


def worker(system: str, listing: Path) -> dict[str, Any]:
    paths = [line for line in listing.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory(prefix="parallax-speed-w-") as tmp, TreeCPU() as cpu:
        w0 = time.perf_counter()
        if system == "batch":
            out = _batch(paths, cpu)
        elif system == "store":
            out = _store(paths, cpu, tmp)
        elif system.startswith("ray"):
            out = _ray(paths, cpu, tmp, int(system[3:]))
        else:
            out = _trafilatura(paths, cpu)
        wall = time.perf_counter() - w0
        used = cpu.sample() - cpu.start
    n = len(paths)
    out.update(system=system, pages=n, cpu_s=used, ms_per_page=1000 * used / n, pages_per_s_per_core=n / used,
               wall_s=wall, pages_per_s=n / wall, peak_rss_mb=common.peak_rss_mb(),
               stage_ms_per_page={k: round(1000 * v / n, 1) for k, v in out.get("stage_cpu_s", {}).items()})
    return out


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


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = common.make_parser(NAME, __doc__.splitlines()[0], FOLDER)
    parser.add_argument("--pages", type=int, default=None, help="distinct pages (default 300; --quick 100)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated, of: " + ", ".join(SYSTEMS))
    parser.add_argument("--timeout", type=float, default=2400, help="seconds per system")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--listing", help=argparse.SUPPRESS)
    args = common.parse(parser, argv)
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.listing))))
        return 0
    if common.skip_if_absent(args.data):
        return 0
    n = args.pages or (100 if args.quick else 300)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores; load average before the run {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    results = []
    with tempfile.TemporaryDirectory(prefix="parallax-speed-") as tmp:
        corpus = Path(tmp) / "pages"
        corpus.mkdir()
        paths = build_corpus(Path(args.data), n, corpus)
        listing = Path(tmp) / "pages.txt"
        listing.write_text("\n".join(str(p) for p in paths) + "\n", encoding="utf-8")
        print(f"corpus: {len(paths)} distinct pages")
        for system in [s.strip() for s in args.systems.split(",") if s.strip()]:
            row = _spawn(system, listing, args.timeout)
            row["load_after"] = round(os.getloadavg()[0], 2)
            results.append(row)
            if row.get("available", True):
                print(f"  {system:12s} {row['ms_per_page']:7.0f} CPU-ms/page  {row['pages_per_s_per_core']:5.2f} "
                      f"pages/s/core  wall {row['wall_s']:.0f} s  stages (CPU-ms/page): {row['stage_ms_per_page']}",
                      flush=True)
            else:
                print(f"  {system:12s} not available ({row['reason']})", flush=True)
    common.print_table("bench.speed — CPU per page (process tree), fresh process per system", results,
                       (*COLUMNS, "load_after"))
    common.write_json(args.json, NAME, args.data, [common.rounded(r) for r in results], pages=n,
                      load_before=[round(x, 2) for x in load])
    return 0


if __name__ == "__main__":
    sys.exit(main())
