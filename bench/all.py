"""Run every benchmark (``make bench``), each in its own process, and write JSON results to out/bench/.

Default is the sampled ``--quick`` mode of every module so the whole run stays within 30 minutes on 2 cores;
``--full`` runs every module on its complete dev file (much longer).

    .venv/bin/python -m bench.all [--full] [--only extract,cluster] [--out out/bench]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench import common

BENCHES = ("extract", "extract_segments", "cluster", "crosscheck", "rewrite", "summary", "support", "loaded", "stance",
           "speed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run on the complete dev files (no sampling)")
    parser.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(BENCHES))
    parser.add_argument("--out", default=str(common.OUT_ROOT), help="folder for the JSON results (default: %(default)s)")
    args = parser.parse_args(argv)
    if not common.EVAL_ROOT.exists():
        print(f"skip: evaluation data not found at {common.EVAL_ROOT} (../shared is absent)")
        return 0
    names = [n for n in args.only.split(",") if n] or list(BENCHES)
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        parser.error(f"unknown bench: {', '.join(unknown)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    start = time.perf_counter()
    for name in names:
        cmd = [sys.executable, "-W", "ignore", "-m", f"bench.{name}", "--json", str(out / f"{name}.json")]
        if not args.full:
            cmd.append("--quick")
        print(f"\n=== {' '.join(cmd[3:])}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call(cmd, cwd=common.REPO_ROOT)
        print(f"=== bench.{name}: exit {code}, {time.perf_counter() - t0:.0f} s", flush=True)
        if code:
            failed.append(name)
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s; results in {out}"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
