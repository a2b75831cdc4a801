"""Issue 20 item 2: a brief does not depend on how it was computed. The same pages briefed with other batch
sizes, another input order, two encoder threads instead of one, and with both cores kept busy by other
processes give the same JSON (the settings that record the run's choices aside)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CLI = "import sys; from parallax.cli import main; sys.exit(main())"


def _pages() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".html", ".txt", ".jsonl"))


def _brief(paths: list[Path], tmp: Path, *, threads: int = 1, config: str | None = None) -> dict[str, Any]:
    args = [sys.executable, "-c", CLI]
    if config is not None:
        cfg = tmp / "run.toml"
        cfg.write_text(config, encoding="utf-8")
        args += ["--config", str(cfg)]
    env = dict(os.environ, PARALLAX_EMBED_THREADS=str(threads))
    out = subprocess.run([*args, "brief", "--format", "json", *map(str, paths)], capture_output=True, text=True,
                         env=env, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    brief = json.loads(out.stdout)
    brief["settings"].pop("config", None)  # records batch sizes and threads: the run's choices, not its answer
    return brief


def _spin(seconds: float) -> None:
    import time

    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x += 1


def test_the_brief_is_the_same_however_it_was_computed(tmp_path: Path) -> None:
    pages = _pages()
    assert len(pages) >= 8
    want = _brief(pages, tmp_path)
    assert want["stories"] and any(s["facts"] for s in want["stories"])
    small_batches = "[embed]\nbatch_size = 1\n[scale]\nbatch_size = 1\n"
    assert _brief(pages, tmp_path, config=small_batches) == want, "another batch size"
    assert _brief(list(reversed(pages)), tmp_path) == want, "another input order"
    assert _brief(pages, tmp_path, threads=2) == want, "two encoder threads"
    ctx = multiprocessing.get_context("spawn")
    busy = [ctx.Process(target=_spin, args=(600.0,), daemon=True) for _ in range(os.cpu_count() or 2)]
    for p in busy:
        p.start()
    try:
        assert _brief(pages, tmp_path, threads=2) == want, "both cores busy"
    finally:
        for p in busy:
            p.terminate()
            p.join(10)
