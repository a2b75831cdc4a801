"""Ingest throughput: N local pages (files, or the same pages over HTTP from a local server) into SQLite.

    .venv/bin/python tests/ingest/bench_ingest.py --pages 2000              # files in a temp dir
    .venv/bin/python tests/ingest/bench_ingest.py --pages 500 --mode http   # a local server + a feed
    .venv/bin/python tests/ingest/bench_ingest.py --pages 2000 --store null # the ingest layer alone

`--store null` files nothing (reading, HTML extraction, fetching and bookkeeping only): it measures the
ingest layer without the store's cleaning, embedding and provenance.

Pages are the bundled examples and our test pages, replicated with small changes (a numbered dateline,
a changed figure and a closing sentence) so none is a duplicate. Not a test: nothing here is collected.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOWNS = ["Kestrel Bay", "Saltwick", "Tarn Island", "Gullhaven", "Marrowby", "Fenwick Cross", "Skerry Point",
         "Oddmoor", "Brackenholt", "Wyndle"]


def seeds() -> list[tuple[str, str]]:
    """(suffix, text) of every example and fixture page."""
    out = []
    for p in sorted([*ROOT.glob("examples/*/*.txt"), *ROOT.glob("examples/*/*.html"),
                     *(HERE / "fixtures" / "site" / "news").glob("*")]):
        out.append((p.suffix, p.read_text(encoding="utf-8")))
    return out


def variant(text: str, suffix: str, i: int) -> str:
    town = TOWNS[i % len(TOWNS)]
    # Change the first figure, and add a dateline and a closing sentence that differ per copy.
    text = re.sub(r"\b(\d{2,})\b", lambda m: str(int(m.group(1)) + i), text, count=1)
    line = f"{town}, report {i}: this copy was filed by desk {i % 37} for the regional edition {i}."
    close = f"Readers in {town} can send tips to the {town} desk, reference number {1000 + i}."
    # ... and mark the first sentence of the body, which no cleaning rule removes.
    start = max(0, text.find("<body"))
    m = re.compile(r"[a-z]{3}(?=\.(\s|</p>))").search(text, start)
    if m:
        text = text[: m.end()] + f" (copy {i}, {town} edition)" + text[m.end():]
    if suffix == ".html":
        text = re.sub(r"(<article[^>]*>|<body[^>]*>)", lambda m: m.group(1) + f"<p>{line}</p>", text, count=1)
        return re.sub(r"(</article>|</body>)", f"<p>{close}</p>\\1", text, count=1)
    head, _, rest = text.partition("\n\n")
    return f"{head}\n\n{line}\n\n{rest}\n\n{close}\n"


def paragraphs() -> list[str]:
    out = []
    for suffix, text in seeds():
        parts = re.findall(r"<p[^>]*>([^<]{80,})</p>", text) if suffix == ".html" else text.split("\n")
        out += [" ".join(p.split()) for p in parts if len(p) >= 80]
    return out


def mixed(i: int, pool: list[str]) -> tuple[str, str]:
    """A page of five paragraphs drawn from all the seeds (different pages rarely share more than one)."""
    import random

    rng = random.Random(i)
    town = TOWNS[i % len(TOWNS)]
    paras = [re.sub(r"\b(\d{2,})\b", lambda m: str(int(m.group(1)) + i), p, count=1) for p in rng.sample(pool, 5)]
    title = f"{town} desk report {i}: {' '.join(paras[0].split()[:8])}"
    if i % 2:
        body = "".join(f"<p>{p}</p>" for p in paras)
        return ".html", f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>" \
                        f"{body}</article></body></html>"
    return ".txt", title + "\n\n" + "\n\n".join(paras) + "\n"


def write_pages(root: Path, n: int, mix: bool = False) -> list[Path]:
    pool = seeds()
    para_pool = paragraphs() if mix else []
    paths = []
    for i in range(n):
        if mix:
            suffix, text = mixed(i, para_pool)
        else:
            suffix, text = pool[i % len(pool)]
            text = variant(text, suffix, i)
        p = root / f"page-{i:05d}{suffix}"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def serve(root: Path, n: int) -> tuple[str, object]:
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    items = "".join(f"<item><title>Page {i}</title><link>{base}/{p.name}</link></item>"
                    for i, p in enumerate(sorted(root.glob("page-*"))[:n]))
    (root / "feed.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
                                   f"{items}</channel></rss>", encoding="utf-8")
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return base, httpd


class NullStore:
    """Takes every page as new and keeps nothing."""

    def __enter__(self) -> NullStore:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def add_article(self, article, *, html=None):
        from parallax.store import AddResult

        return AddResult(article.id, "new", None)

    def add_articles(self, items, progress=False):
        from parallax.store import AddSummary

        items = list(items)
        return AddSummary(new=len(items), ids=[a.id for a, _ in items])

    def get_fetch_state(self, url):
        return None

    def set_fetch_state(self, url, **fields):
        pass

    def source_for(self, url):
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--mode", choices=["files", "http"], default="files")
    ap.add_argument("--store", choices=["sqlite", "null"], default="sqlite")
    ap.add_argument("--mix", action="store_true",
                    help="pages of paragraphs mixed from all seeds (few near-copies) instead of copies of each seed")
    ap.add_argument("--keep", help="write the pages and the database here instead of a temp dir")
    args = ap.parse_args()

    from parallax.ingest import ingest
    from parallax.store import Store
    from parallax.text.embed import get_embedder

    tmp = Path(args.keep or tempfile.mkdtemp(prefix="px-bench-"))
    pages = tmp / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    write_pages(pages, args.pages, mix=args.mix)
    get_embedder().warm_up()  # the model load is not ingest time
    with (Store(str(tmp / "bench.db")) if args.store == "sqlite" else NullStore()) as store:
        t0 = time.perf_counter()
        if args.mode == "files":
            s = ingest([str(pages)], store, progress=None)
        else:
            base, httpd = serve(pages, args.pages)
            s = ingest([f"{base}/feed.xml"], store, allow_private=True, min_interval=0.0, progress=None)
            httpd.shutdown()  # type: ignore[attr-defined]
        wall = time.perf_counter() - t0
    out = {"mode": args.mode, "store": args.store, "mix": args.mix, "pages": args.pages, **{k: v for k, v in s.to_dict().items() if k != "failures"},
           "wall_seconds": round(wall, 2), "pages_per_second_wall": round(args.pages / wall, 2),
           "failures": s.to_dict()["failures"][:5]}
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
