"""Shared helpers for the benchmarks: data paths, sampling, tables, JSON output, memory."""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_ROOT = REPO_ROOT.parent / "shared"
EVAL_ROOT = SHARED_ROOT / "eval"
OUT_ROOT = REPO_ROOT / "out" / "bench"


def default_data(folder: str, name: str = "dev.jsonl") -> Path:
    """The dev split of one evaluation folder under ``../shared/eval``."""
    return EVAL_ROOT / folder / name


def make_parser(name: str, description: str, folder: str | None) -> argparse.ArgumentParser:
    """The argument parser every bench module shares (``--data``, ``--json``, ``--quick``, ``--limit``)."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=description)
    default = str(default_data(folder)) if folder else None
    parser.add_argument(
        "--data",
        default=default,
        help=f"JSONL file in the format of ../shared/eval/{folder}/dev.jsonl (default: %(default)s)"
        if folder
        else "input data",
    )
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument("--quick", action="store_true", help="sample the data for a fast run")
    parser.add_argument("--limit", type=int, default=None, help="use at most N items (deterministic sample)")
    parser.add_argument("--seed", type=int, default=13, help="sampling seed (default: %(default)s)")
    parser.add_argument("--no-parallax", action="store_true", help="run the peers only")
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the arguments; ``--no-parallax`` makes every Parallax row report itself as skipped."""
    args = parser.parse_args(argv)
    PARALLAX_DISABLED[0] = "skipped (--no-parallax)" if args.no_parallax else ""
    return args


PARALLAX_DISABLED = [""]


def skip_if_absent(path: str | Path | None, what: str = "evaluation data") -> bool:
    """Print a skip message and return True when ``path`` does not exist (the caller exits 0)."""
    if path is None or not Path(path).exists():
        print(f"skip: {what} not found at {path} (../shared is absent?)", file=sys.stderr)
        return True
    return False


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def resolve(data_path: str | Path, relative: str) -> Path:
    """Resolve a path stored inside a data file relative to that file's folder."""
    return (Path(data_path).resolve().parent / relative).resolve()


def decode_html(raw: bytes) -> str:
    """Decode HTML bytes: a declared/UTF-8 decoding first, then charset detection."""
    head = raw[:4096].lower()
    for marker in (b"charset=", b'encoding="'):
        pos = head.find(marker)
        if pos >= 0:
            declared = head[pos + len(marker) : pos + len(marker) + 40].strip(b"\"' ")
            name = declared.split(b'"')[0].split(b"'")[0].split(b";")[0].split(b">")[0].split(b" ")[0].split(b"/")[0]
            try:
                return raw.decode(name.decode("ascii"))
            except (LookupError, UnicodeDecodeError, ValueError):
                break
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is not None:
            return str(best)
    except ImportError:  # pragma: no cover - charset-normalizer is a core dependency
        pass
    return raw.decode("utf-8", errors="replace")


def read_html(path: str | Path) -> str:
    raw = Path(path).read_bytes()
    if str(path).endswith(".gz"):
        raw = gzip.decompress(raw)
    return decode_html(raw)


def sample(items: Sequence[Any], n: int | None, seed: int = 13) -> list[Any]:
    """A deterministic sample of ``n`` items, in their original order (all items when n is None)."""
    items = list(items)
    if n is None or n >= len(items):
        return items
    keep = sorted(random.Random(seed).sample(range(len(items)), n))
    return [items[i] for i in keep]


def pick(args: argparse.Namespace, items: Sequence[Any], quick_n: int) -> list[Any]:
    """Apply ``--limit`` (or the ``--quick`` default size) to ``items``."""
    n = args.limit
    if n is None and args.quick:
        n = quick_n
    return sample(items, n, args.seed)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (``ru_maxrss`` is KiB on Linux)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there
        return kib / (1024 * 1024)
    return kib / 1024


class Timer:
    """Context manager measuring wall-clock seconds."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


def run_per_item(fn: Callable[[Any], Any], items: Iterable[Any], default: Any) -> tuple[list[Any], int, str]:
    """Apply ``fn`` to every item; an exception yields ``default``. Returns (outputs, errors, first error)."""
    outputs: list[Any] = []
    errors = 0
    first = ""
    for item in items:
        try:
            outputs.append(fn(item))
        except Exception as exc:  # a peer failing on one page must not stop the run
            errors += 1
            if not first:
                first = f"{type(exc).__name__}: {exc}"[:200]
            outputs.append(default)
    return outputs, errors, first


def unavailable(system: str, reason: str) -> dict[str, Any]:
    return {"system": system, "available": False, "reason": reason}


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def print_table(title: str, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Print a small fixed-width table; rows marked unavailable print their reason instead."""
    print(f"\n{title}")
    header = ["system", *columns]
    body: list[list[str]] = []
    notes: list[str] = []
    for row in rows:
        if row.get("available") is False:
            notes.append(f"{row['system']}: not available ({row.get('reason', 'unknown reason')})")
            continue
        body.append([str(row.get("system", "?")), *(_fmt(row.get(c)) for c in columns)])
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    print(line)
    print("-" * len(line))
    for r in body:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    for note in notes:
        print(note)


def write_json(out: str | Path | None, bench: str, data: str | Path | None, results: list[dict[str, Any]], **extra: Any) -> None:
    """Write ``{"bench", "data", "results", ...}`` to ``out`` (no-op when ``out`` is None)."""
    if not out:
        return
    payload: dict[str, Any] = {"bench": bench, "data": str(data) if data else None, "results": results}
    payload.update(extra)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")


def rounded(row: dict[str, Any], digits: int = 4) -> dict[str, Any]:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in row.items()}


def run_folders(name: str, args: argparse.Namespace, folders: Sequence[str],
                run_file: Callable[[Path, argparse.Namespace], list[dict[str, Any]]], **extra: Any) -> int:
    """Run a bench over `--data` or, by default, every folder's dev file; skip cleanly when none is there."""
    files = [Path(args.data)] if args.data else [default_data(f) for f in folders]
    present = [f for f in files if f.exists()]
    if not present:
        skip_if_absent(files[0])
        return 0
    results: list[dict[str, Any]] = []
    for path in present:
        results.extend(run_file(path, args))
    write_json(args.json, name, args.data or ", ".join(str(p) for p in present),
               [rounded(r) for r in results], **extra)
    return 0
