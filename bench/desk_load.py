"""Load on a cold desk (issue 22): requests/s and latency of a mixed read load on a server whose stories were
never briefed, so the first read of each story computes its brief while cheap reads keep arriving.

    python -m bench.desk_load                          # 3 copies of examples/ (30 pages), 16 clients, 15 s
    python -m bench.desk_load --copies 20 --clients 32 --duration 30
    python -m bench.desk_load --db sqlite:///desk.db   # an existing store (cold only if never briefed)

The store is made from the fictional pages of examples/, posted as JSONL records: copy k of every page has
its places renamed, its years moved on and its date 60*k days on, so each copy files as stories of its own
and nothing is a duplicate. The
server (`parallax serve`) runs in a second process on a free loopback port; `--clients` threads each hold a
keep-alive connection and send, at random (seeded): a cheap read (the story list, an article as JSON or a
page, the sources), a story (JSON or page; cold until its brief is computed) or the daily page (briefs of
the day's stories). Figures are per kind: requests, requests/s, p50, p99, max (ms), 202s (a story whose
brief is being prepared, answered at once: an answered request, counted apart too), errors (neither 200 nor
202, time-outs). Cheap reads are what must not wait behind a cold brief.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from parallax.web.loadtest import get

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
MIX = (("cheap", 0.80), ("story", 0.15), ("daily", 0.05))  # the share of each kind of request
TIMEOUT_S = 60.0
SERVE = "import sys; from parallax.cli import main; sys.exit(main())"  # `parallax` without the script
# the fictional places of examples/, renamed in each copy
PLACES = ("Saltmere", "Keldria", "Lowmarsh", "Corvalla", "Arvonia", "Sable", "Lumeria", "Ardmoor")
COPY_DAYS = 60  # days between copies (stories look for candidates within parallax.config stories.window_days)
PRE = ("Bran", "Cor", "Dun", "Fen", "Gal", "Hal", "Kir", "Lor", "Mar", "Nor", "Ost", "Pel", "Quen", "Ros", "Tal",
       "Vel")
SUF = ("mere", "wick", "ford", "holm", "stead", "bury", "ton", "vale")


def _parallax() -> None:
    src = str(REPO_ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def place(j: int, k: int) -> str:
    """The name of place `j` of PLACES in copy `k` >= 1 (one name per copy up to copy 127); the places'
    adjectives (Keldrian, Arvonian) follow, as a name's prefix."""
    return PRE[(k + j) % len(PRE)] + SUF[(k // len(PRE) + j) % len(SUF)]


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day[:10]) + timedelta(days=days)).isoformat()


def example_copies(copies: int, out: Path) -> Path:
    """`copies` copies of examples/ as JSONL files under `out`: copy k has its places renamed, every year 20xx
    moved 2k on in the text and its publication dates COPY_DAYS*k days on (an undated page takes its folder
    feed's first date), so each copy files as stories of its own (out of each other's story window)."""
    pages = []
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        records = [json.loads(line) for f in sorted(folder.glob("*.jsonl"))
                   for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        day = next((r["published"] for r in records if r.get("published")), None) or "2026-01-01"
        pages += [{**r, "published": r.get("published") or day} for r in records]
        for page in sorted(folder.iterdir()):
            if page.suffix in (".html", ".txt"):
                kind = "html" if page.suffix == ".html" else "text"
                pages.append({"id": page.stem, kind: page.read_text(encoding="utf-8"), "published": day})
    for k in range(copies):
        with open(out / f"copy{k}.jsonl", "w", encoding="utf-8") as fh:
            for rec in pages:
                rec = dict(rec)
                if k:
                    text = json.dumps(rec, ensure_ascii=False)
                    text = re.sub(r"\b20(\d\d)\b", lambda m, k=k: str(2000 + int(m.group(1)) + 2 * k), text)
                    for j, name in enumerate(PLACES):
                        text = text.replace(name, place(j, k))
                    rec = json.loads(text)
                    rec["id"] = f"{rec['id']}-c{k}"
                rec["published"] = _shift(rec["published"], COPY_DAYS * k)
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def build_store(db: str, copies: int) -> None:
    _parallax()
    from parallax.ingest import ingest
    from parallax.store import Store

    with tempfile.TemporaryDirectory(prefix="parallax-pages-") as tmp, Store(db) as store:
        t0 = time.perf_counter()
        summary = ingest([str(example_copies(copies, Path(tmp)))], store, progress=False)
        print(f"store: {summary.line()} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)


def _targets(host: str, port: int) -> dict[str, list[str]]:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
    status, body = get(conn, "/api/stories?limit=200")
    conn.close()
    if status != 200:
        raise SystemExit(f"/api/stories answered {status}")
    stories = json.loads(body)["stories"]
    arts = [a for s in stories for a in s["articles"]]
    return {"cheap": ["/api/stories", "/api/stories?limit=10", "/sources", "/api/sources"]
            + [f"/api/articles/{a}" for a in arts] + [f"/articles/{a}" for a in arts],
            "story": [f"/api/stories/{s['id']}" for s in stories] + [f"/stories/{s['id']}" for s in stories],
            "daily": ["/", "/api/daily"]}


def drive(host: str, port: int, targets: dict[str, list[str]], clients: int, duration: float,
          seed: int = 22) -> tuple[dict[str, list[float]], dict[str, int], dict[str, int], float]:
    """Each client sends random requests of the mix for `duration` s; latencies (s), errors and 202s by
    kind, and the seconds it took."""
    kinds, weights = zip(*MIX, strict=True)
    lat: dict[str, list[float]] = {k: [] for k in kinds}
    errors = dict.fromkeys(kinds, 0)
    accepted = dict.fromkeys(kinds, 0)
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
        while time.perf_counter() < stop:
            kind = rng.choices(kinds, weights)[0]
            path = rng.choice(targets[kind])
            t0 = time.perf_counter()
            try:
                status, _ = get(conn, path)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
            took = time.perf_counter() - t0
            with lock:
                lat[kind].append(took)
                errors[kind] += status not in (200, 202)
                accepted[kind] += status == 202
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, accepted, time.perf_counter() - t0


def summarise(lat: dict[str, list[float]], errors: dict[str, int], seconds: float,
              accepted: dict[str, int] | None = None) -> list[dict[str, Any]]:
    accepted = accepted or {}

    def row(kind: str, xs: list[float], errs: int, n202: int) -> dict[str, Any]:
        xs = sorted(xs)
        n = len(xs)

        def pct(p: float) -> float:
            return round(xs[min(n - 1, int(p * n))] * 1000, 1) if n else float("nan")

        return {"kind": kind, "requests": n, "rps": round(n / seconds, 1), "p50_ms": pct(0.5), "p99_ms": pct(0.99),
                "max_ms": round(xs[-1] * 1000, 1) if n else float("nan"), "accepted_202": n202, "errors": errs}

    rows = [row(k, xs, errors[k], accepted.get(k, 0)) for k, xs in lat.items()]
    rows.append(row("all", [x for xs in lat.values() for x in xs], sum(errors[k] for k in lat),
                    sum(accepted.values())))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.desk_load", description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="an existing store to serve (default: a temporary one of example copies)")
    ap.add_argument("--copies", type=int, default=3, help="copies of examples/ in the store (default 3)")
    ap.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients (default 16)")
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of load (default 15)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if args.copies < 1 or args.clients < 1 or args.duration <= 0:
        ap.error("--copies and --clients must be at least 1, --duration above 0")
    _parallax()
    from parallax.web.loadtest import free_port, wait_ready

    with tempfile.TemporaryDirectory(prefix="parallax-desk-load-") as tmp:
        db = args.db
        if not db:
            db = str(Path(tmp) / "desk.db")
            build_store(db, args.copies)
        host, port = "127.0.0.1", free_port()
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=os.pathsep.join(
            filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")])))
        env.pop("PARALLAX_API_TOKEN", None)
        proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--db", db, "--host", host,
                                 "--port", str(port), "--log-level", "error"], env=env)
        try:
            wait_ready(host, port, proc)
            targets = _targets(host, port)
            lat, errors, accepted, seconds = drive(host, port, targets, args.clients, args.duration)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    rows = summarise(lat, errors, seconds, accepted)
    stories = len(targets["story"]) // 2
    if args.json:
        print(json.dumps({"cores": os.cpu_count(), "clients": args.clients, "seconds": round(seconds, 1),
                          "stories": stories, "results": rows}, indent=2))
        return 0
    print(f"cold desk: {stories} stories never briefed, {args.clients} clients, {seconds:.1f} s, "
          f"{os.cpu_count()} cores")
    print(f"{'kind':<6} {'requests':>9} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'202s':>7} "
          f"{'errors':>7}")
    for r in rows:
        print(f"{r['kind']:<6} {r['requests']:>9} {r['rps']:>8.1f} {r['p50_ms']:>9.1f} {r['p99_ms']:>9.1f} "
              f"{r['max_ms']:>9.1f} {r['accepted_202']:>7} {r['errors']:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
