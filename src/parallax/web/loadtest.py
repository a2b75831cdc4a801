"""Load benchmark of the reader's desk (not a test): requests/s and p50/p99 latency of cached reads.

    python -m parallax.web.loadtest                       # temp store from examples/, server in a 2nd process
    python -m parallax.web.loadtest --db sqlite:///desk.db --duration 15 --concurrency 16
    python -m parallax.web.loadtest --url http://127.0.0.1:8000 --path /api/stories/story-abc --path /

Without --url it starts `parallax serve` in a separate process on a free loopback port and drives it from
this one with keep-alive HTTP/1.1 connections (one thread per connection). Each path is measured on its
own for --duration seconds after a warm-up. Goal: >= 200 req/s and p99 < 200 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

GOAL_RPS, GOAL_P99_MS = 200.0, 200.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def measure(host: str, port: int, path: str, duration: float, concurrency: int) -> dict:
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop = time.perf_counter() + duration

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        lat = latencies[k]
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                status, _ = get(conn, path)
            except (OSError, http.client.HTTPException):
                errors[k] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
                continue
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors[k] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    all_lat = sorted(x for lat in latencies for x in lat)
    n = len(all_lat)

    def pct(p: float) -> float:
        return all_lat[min(n - 1, int(p * n))] * 1000 if n else float("nan")

    return {"path": path, "requests": n, "errors": sum(errors), "seconds": round(elapsed, 2),
            "rps": round(n / elapsed, 1) if elapsed else 0.0, "p50_ms": round(pct(0.50), 2),
            "p99_ms": round(pct(0.99), 2), "mean_ms": round(statistics.fmean(all_lat) * 1000, 2) if n else None,
            "concurrency": concurrency}


def _build_store(db: str) -> None:
    from parallax.ingest import ingest
    from parallax.store import Store

    root = Path(__file__).resolve().parents[3] / "examples"
    if not root.is_dir():
        raise SystemExit(f"no examples/ at {root}: pass --db or --url")
    with Store(db) as store:
        summary = ingest([str(root)], store, progress=False)
        print(f"built a store from {root}: {summary.line()}", file=sys.stderr)


def wait_ready(host: str, port: int, proc: subprocess.Popen | None, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            status, _ = get(conn, "/healthz")
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up in time")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m parallax.web.loadtest", description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="an already running desk (default: start one in a second process)")
    ap.add_argument("--db", help="store URL for the server it starts (default: a temp store of examples/)")
    ap.add_argument("--path", action="append", dest="paths",
                    help="path to drive (repeatable; default: / and /api/stories/<top story>)")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per path (default 10)")
    ap.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    proc = None
    tmp = None
    if args.url:
        parts = urlsplit(args.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
    else:
        host, port = "127.0.0.1", free_port()
        db = args.db
        if not db:
            tmp = tempfile.TemporaryDirectory(prefix="parallax-load-")
            db = str(Path(tmp.name) / "desk.db")
            _build_store(db)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.pop("PARALLAX_API_TOKEN", None)
        serve = "import sys; from parallax.cli import main; sys.exit(main())"  # parallax.cli has no __main__
        proc = subprocess.Popen([sys.executable, "-c", serve, "serve", "--db", db, "--host", host,
                                 "--port", str(port), "--log-level", "error"], env=env)
    try:
        wait_ready(host, port, proc)
        paths = args.paths
        if not paths:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            status, body = get(conn, "/api/stories?limit=1")
            conn.close()
            stories = json.loads(body).get("stories", []) if status == 200 else []
            paths = ["/"] + ([f"/api/stories/{stories[0]['id']}"] if stories else [])
        results = []
        for path in paths:
            conn = http.client.HTTPConnection(host, port, timeout=120)
            for _ in range(3):  # warm-up: the first read briefs the story and fills the cache
                get(conn, path)
            conn.close()
            results.append(measure(host, port, path, args.duration, args.concurrency))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            tmp.cleanup()

    if args.json:
        print(json.dumps({"cores": os.cpu_count(), "results": results}, indent=2))
    else:
        print(f"cores: {os.cpu_count()}  concurrency: {args.concurrency}  duration: {args.duration}s per path")
        print(f"{'path':<44} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}  goal")
        for r in results:
            ok = r["rps"] >= GOAL_RPS and r["p99_ms"] < GOAL_P99_MS and not r["errors"]
            print(f"{r['path'][:44]:<44} {r['rps']:>9.1f} {r['p50_ms']:>9.2f} {r['p99_ms']:>9.2f} "
                  f"{r['errors']:>7}  {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
