"""Pages per core: CPU per page of the batch, the store and the cluster pipeline (Ray, 1 and 2 workers), per
stage, and a cold `parallax brief` of a 5-page example, in one run, with an older commit (milestone 1 by
default) run as a peer on the same pages in the same run; trafilatura extraction alone as the floor.

Pages: distinct Multi-News dev documents (``--data``, default ../shared/eval/mds_multinews_longbench/dev.jsonl)
written as .txt files at run time (never into the repository). Each system runs in a fresh process (the
embedding cache starts empty); CPU is the user+system time of that process and every process it starts (Ray's
raylet, GCS and workers included), read from /proc while they run. pages/s/core = pages / CPU seconds.

    python -m bench.speed [--pages 300] [--systems batch,store,ray1,ray2,cli,trafilatura] [--json OUT] [--quick]
                          [--peer m1=ad19401 ...] [--no-peer] [--cli-runs 5]

``cli``: `parallax brief examples/sable-basin-summit` in a fresh process, ``--cli-runs`` times; median wall,
CPU (user+system of that process, from wait4) and peak RSS. Peers: each ``--peer NAME=REV`` (default
``m1=ad19401``, milestone 1) is the commit's ``src/`` taken with ``git archive`` into ``.bench-cache/`` and run
with this venv (its dependencies are a subset of today's), first on ``PYTHONPATH``; it runs the systems
``batch``, ``store`` and ``cli`` on the same pages and example, interleaved with today's tree so that both see
the same machine load. A system a peer lacks is reported as not available. ``--quick``: 100 pages.
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
SYSTEMS = ("batch", "store", "ray1", "ray2", "cli", "trafilatura")
PEER_SYSTEMS = ("batch", "store", "cli")  # what a peer tree runs (Ray's API changed since milestone 1)
PEERS = ("m1=ad19401",)  # milestone 1
COLUMNS = ("tree", "pages", "cpu_s", "ms_per_page", "pages_per_s_per_core", "wall_s", "pages_per_s", "peak_rss_mb")
CLI_EXAMPLE = common.REPO_ROOT / "examples" / "sable-basin-summit"
CACHE = common.REPO_ROOT / ".bench-cache" / "trees"
CLI = "import sys; from parallax.cli import main; sys.exit(main())"  # `parallax` of whichever tree is first on sys.path


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
    pipeline.time = types.SimpleNamespace(perf_counter=time.process_time,  # type: ignore[attr-defined]
                                          process_time=time.process_time)
    brief = pipeline.brief_paths(paths)
    return {"stage_cpu_s": brief.settings.get("timings", {}), "articles": len(brief.articles),
            "stories": len(brief.stories)}


def _store(paths: list[str], cpu: TreeCPU, tmp: str) -> dict[str, Any]:
    from parallax.pipeline import read_paths  # (where every tree since milestone 1 exposes it)
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


def peer_tree(rev: str) -> Path:
    """The `src/` of commit `rev` under .bench-cache/trees/REV (taken once with git archive)."""
    out = CACHE / rev
    if (out / "src" / "parallax").is_dir():
        return out
    tmp = CACHE / f".{rev}.partial"
    subprocess.run(["rm", "-rf", str(tmp)], check=True)
    tmp.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(common.REPO_ROOT), "archive", rev, "src"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    tmp.rename(out)
    return out


def _env(tree: Path | None) -> dict[str, str]:
    """The environment of a run of `tree` (None: today's): its src/ first on PYTHONPATH, then this repository
    (for `bench` itself)."""
    env = dict(os.environ)
    src = str(tree / "src") if tree is not None else str(common.REPO_ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, str(common.REPO_ROOT)])
    return env


def cli_runs(tree: Path | None, runs: int, timeout: float) -> dict[str, Any]:
    """`parallax brief` of the 5-page example, cold, `runs` times: median wall, CPU and peak RSS of a run."""
    walls, cpus, rss = [], [], []
    with tempfile.TemporaryDirectory(prefix="parallax-speed-cli-") as cwd:
        for _ in range(runs):
            t0 = time.perf_counter()
            errfile = Path(cwd) / "stderr.txt"
            with open(errfile, "wb") as err_out:  # a file, not a pipe: a full pipe would block the run before wait4
                proc = subprocess.Popen([sys.executable, "-W", "ignore", "-c", CLI, "brief", str(CLI_EXAMPLE)],
                                        cwd=cwd, env=_env(tree), stdout=subprocess.DEVNULL, stderr=err_out)
                try:
                    _, status, usage = os.wait4(proc.pid, 0)
                except ChildProcessError:
                    return common.unavailable("cli", "the run could not be waited for")
            walls.append(time.perf_counter() - t0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            err = errfile.read_text(encoding="utf-8", errors="replace")
            if proc.returncode != 0:
                tail = (err.strip().splitlines() or ["no output"])[-1]
                return common.unavailable("cli", f"exit {proc.returncode}: {tail[:200]}")
            cpus.append(usage.ru_utime + usage.ru_stime)
            rss.append(usage.ru_maxrss / 1024)
            if walls[-1] > timeout:
                break
    mid = sorted(range(len(walls)), key=lambda i: walls[i])[len(walls) // 2]
    return {"system": "cli", "pages": 5, "runs": len(walls), "wall_s": walls[mid], "cpu_s": cpus[mid],
            "ms_per_page": 1000 * cpus[mid] / 5, "pages_per_s_per_core": 5 / cpus[mid], "pages_per_s": 5 / walls[mid],
            "peak_rss_mb": rss[mid], "walls_s": [round(w, 2) for w in walls]}


def _spawn(system: str, listing: Path, timeout: float, tree: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-W", "ignore", "-m", "bench.speed", "--worker", system, "--listing", str(listing)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=common.REPO_ROOT,
                              env=_env(tree))
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
    parser.add_argument("--peer", action="append", default=None, metavar="NAME=REV",
                        help="an older commit run as a peer (repeatable; default m1=ad19401)")
    parser.add_argument("--no-peer", action="store_true", help="today's tree only")
    parser.add_argument("--cli-runs", type=int, default=5, help="cold `parallax brief` runs per tree (median)")
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
        trees: list[tuple[str, Path | None]] = [("main", None)]
        for spec in ([] if args.no_peer else (args.peer or list(PEERS))):
            name, _, rev = spec.partition("=")
            try:
                trees.append((name or rev, peer_tree(rev or name)))
            except (OSError, subprocess.CalledProcessError) as exc:
                print(f"  peer {spec}: not available ({exc})", flush=True)
        for system in [s.strip() for s in args.systems.split(",") if s.strip()]:
            for name, tree in trees:  # today's and each peer's run of one system one after the other
                if tree is not None and system not in PEER_SYSTEMS:
                    continue
                if system == "cli":
                    row = cli_runs(tree, args.cli_runs, args.timeout)
                else:
                    row = _spawn(system, listing, args.timeout, tree)
                row["tree"] = name
                row["load_after"] = round(os.getloadavg()[0], 2)
                results.append(row)
                if row.get("available", True):
                    print(f"  {system:12s} {name:6s} {row['ms_per_page']:7.0f} CPU-ms/page  "
                          f"{row['pages_per_s_per_core']:5.2f} pages/s/core  wall {row['wall_s']:.1f} s  "
                          f"peak {row['peak_rss_mb']:.0f} MB  stages (CPU-ms/page): {row.get('stage_ms_per_page', {})}",
                          flush=True)
                else:
                    print(f"  {system:12s} {name:6s} not available ({row['reason']})", flush=True)
    common.print_table("bench.speed — CPU per page (process tree), fresh process per system", results,
                       (*COLUMNS, "load_after"))
    _print_ratios(results)
    common.write_json(args.json, NAME, args.data, [common.rounded(r) for r in results], pages=n,
                      load_before=[round(x, 2) for x in load])
    return 0


def _print_ratios(results: list[dict[str, Any]]) -> None:
    """Today's figures over each peer's, per system (CPU per page, wall, peak RSS)."""
    main = {r["system"]: r for r in results if r.get("tree") == "main" and r.get("available", True)}
    lines = []
    for r in results:
        if r.get("tree") in (None, "main") or not r.get("available", True) or r["system"] not in main:
            continue
        m = main[r["system"]]
        lines.append(f"  {r['system']:8s} main / {r['tree']}: CPU per page {m['ms_per_page'] / r['ms_per_page']:.2f}x, "
                     f"wall {m['wall_s'] / r['wall_s']:.2f}x, peak RSS {m['peak_rss_mb'] / r['peak_rss_mb']:.2f}x")
    if lines:
        print("\ntoday against the peers (below 1 = today is cheaper):")
        print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
