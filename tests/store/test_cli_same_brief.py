"""`parallax brief DIR` and `parallax ingest DIR` + `parallax brief --story` give the same JSON.

For every example folder the stored story's brief must equal the batch brief field by field. The only
differences allowed are the ones a store adds by design: the story's stable id (a store keeps one id while a
story grows; a batch names the story by its members), the `settings.story` it was asked for, and the store's
coverage bookkeeping (`coverage.version`, `coverage.by_outlet`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from parallax.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())

STORE_ONLY_COVERAGE = {"version", "by_outlet"}


def _run(*args: str) -> str:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def _comparable(brief: dict) -> dict:
    brief = json.loads(json.dumps(brief))
    brief["settings"].pop("story", None)
    for story in brief["stories"]:
        story.pop("id")
        for key in STORE_ONLY_COVERAGE:
            story.get("coverage", {}).pop(key, None)
    return brief


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_stored_story_brief_equals_the_batch_brief(folder, db_url, tmp_path):
    batch_file = tmp_path / "batch.json"
    _run("brief", str(folder), "--format", "json", "-o", str(batch_file))
    batch = json.loads(batch_file.read_text(encoding="utf-8"))

    _run("ingest", str(folder), "--db", db_url, "--no-progress")
    listed = json.loads(_run("stories", "--db", db_url, "--format", "json"))
    assert len(listed["stories"]) == len(batch["stories"]) == 1
    story_file = tmp_path / "story.json"
    _run("brief", "--story", listed["stories"][0]["id"], "--db", db_url, "--format", "json", "--no-record",
         "-o", str(story_file))
    stored = json.loads(story_file.read_text(encoding="utf-8"))

    assert stored["stories"][0]["facts"], "the example must brief to facts for this comparison to mean anything"
    assert _comparable(stored) == _comparable(batch)
