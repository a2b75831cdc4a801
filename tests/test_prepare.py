"""Issue 20 item 0: one per-article path. The batch, the store's ingest, the scale map and `parallax clean` all
run `parallax.stages.prepare.prepare_article`: a step added, capped or failing there is added, capped or failing
everywhere, with the same coded error for the same page, and the rest of the batch goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from parallax.config import Settings, use

PAGE = ("{name} council approved a new bus depot on Tuesday after a two-hour debate, the council's clerk said.\n\n"
        "The depot will hold 40 electric buses and open in the spring of next year, according to the plan.\n\n"
        "Residents of {name} had asked for the depot to be built away from the river, the clerk added.")


@pytest.fixture
def pages(tmp_path: Path) -> list[Path]:
    out = []
    for name in ("Orrin", "Pellow", "Quarne"):
        p = tmp_path / f"{name.lower()}.txt"
        p.write_text(PAGE.format(name=name), encoding="utf-8")
        out.append(p)
    return out


def _broken_on(monkeypatch: pytest.MonkeyPatch, needle: str) -> None:
    """A step added to the shared steps that fails on the page containing `needle`."""
    from parallax.stages import prepare

    def breaks(a: Any) -> Any:
        if needle in a.text:
            raise RuntimeError("step broke")
        return a

    monkeypatch.setattr(prepare, "STEPS", (*prepare.STEPS, ("breaks", breaks)))


def _batch(paths: list[Path]) -> dict[str, str]:
    from parallax.pipeline import brief_paths

    brief = brief_paths([str(p) for p in paths])
    return {Path(e.input).name: e.code for e in brief.errors} | {Path(a.input).name: "ok" for a in brief.articles}


def _store(paths: list[Path], tmp_path: Path) -> dict[str, str]:
    from parallax.ingest import ingest
    from parallax.store import Store

    with Store(str(tmp_path / "one-path.db")) as store:
        summary = ingest([str(p) for p in paths], store, progress=False)
        kept = {Path(a.input).name: "ok" for a in store.articles()}
    return {Path(f.source).name: f.code for f in summary.failures} | kept


def _scale(paths: list[Path]) -> dict[str, str]:
    from parallax.scale.stages import list_inputs, map_articles, read_one

    rows = []
    for n, (path, explicit) in enumerate(list_inputs([str(p) for p in paths])):
        rows += read_one(path, n, explicit)[0]
    return {Path(r["input"]).name: r.get("error_code") or "ok" for r in map_articles(rows)}


def _clean_cli(paths: list[Path]) -> tuple[int, str]:
    from parallax.cli import main

    res = CliRunner().invoke(main, ["clean", *map(str, paths)])
    return res.exit_code, res.output


def test_a_step_added_to_the_shared_steps_runs_on_every_path(pages: list[Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _broken_on(monkeypatch, "Pellow")
    expected = {"orrin.txt": "ok", "pellow.txt": "PX110", "quarne.txt": "ok"}
    assert _batch(pages) == expected
    assert _store(pages, tmp_path) == expected
    assert _scale(pages) == expected
    code, out = _clean_cli(pages)
    assert code == 1 and "PX110" in out and "pellow.txt" in out and "== " in out  # the others still shown


def test_the_page_budget_holds_on_every_path(pages: list[Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The scale map once ran the steps outside the page's time budget; now every path reports PX109."""
    import time

    from parallax.stages import prepare

    def slow(a: Any) -> Any:
        if "Quarne" in (a.raw or a.text or ""):
            time.sleep(0.4)
        return a

    monkeypatch.setattr(prepare, "STEPS", (("slow", slow), *prepare.STEPS))
    expected = {"orrin.txt": "ok", "pellow.txt": "ok", "quarne.txt": "PX109"}
    with use(Settings().replace(limits={"page_seconds": 0.2})):
        assert _batch(pages) == expected
        assert _store(pages, tmp_path) == expected
        assert _scale(pages) == expected
