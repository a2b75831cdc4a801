"""The cluster pipeline on a local Ray cluster gives the batch's answer, survives a killed actor, resumes
from its markers, and its daily merge serves what `parallax ingest` serves.

A few hundred pages are generated from our fixtures (copies, trimmed copies, word-swapped rewrites,
second events of one kind); the killed-actor and resume checks run on two of the generated shards and a mixed
cluster (about seventy pages: a run's cost is mostly its stages' fixed overhead, issue 20 item 4). Marked `scale` (`pytest -m scale` selects
them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.scale


@pytest.fixture(scope="module")
def finished_run(local_ray: Any, scale_pages: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from parallax.scale import run

    out = tmp_path_factory.mktemp("scale-run") / "day"
    report = run([str(p) for p in scale_pages], out, workers=2)
    assert report.ran == ["read", "dedupe", "articles", "idf", "candidates", "edges", "stories", "provenance",
                          "briefs"]
    return out


def test_pages_hold_copies_rewrites_and_two_event_stories(batch_brief):
    relations = {d.relation for a in batch_brief.articles for d in a.derived_from}
    assert {"copy", "near-copy", "rewrite"} <= relations
    assert len(batch_brief.articles) >= 180
    assert not batch_brief.errors
    assert sum(len(s.articles) > 1 for s in batch_brief.stories) >= 10


def test_cluster_run_gives_the_batch_groups_stories_and_facts(finished_run, batch_brief, outcome_of):
    from parallax.scale import load_outcome

    want, got = outcome_of["brief"](batch_brief), outcome_of["run"](load_outcome(finished_run))
    assert got["groups"] == want["groups"]
    assert set(got["stories"]) == set(want["stories"])
    assert got["stories"] == want["stories"]


@pytest.fixture(scope="module")
def small_run(local_ray: Any, small_pages: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A run of the small pages in which one article-map actor is killed mid-map: (OUT, its report)."""
    from parallax.scale import run

    base = tmp_path_factory.mktemp("small-run")
    marker = base / "crashed"
    report = run([str(p) for p in small_pages], base / "day", workers=2, crash_marker=str(marker))
    assert marker.exists()  # one actor did die in the article map
    return base / "day", report


def test_killed_actor_mid_map_gives_the_same_answer(small_run, small_batch_brief, outcome_of):
    from parallax.scale import load_outcome

    want, got = outcome_of["brief"](small_batch_brief), outcome_of["run"](load_outcome(small_run[0]))
    assert got == want


def test_rerun_with_markers_skips_finished_stages(small_run, small_pages, monkeypatch):
    from parallax.scale import STAGES, run, runner

    out, first = small_run
    with monkeypatch.context() as m:  # a finished run's rerun reads its report from its markers: no Ray at all
        m.setattr(runner, "start", lambda *a, **k: pytest.fail("a finished run's rerun started Ray"))
        again = run([str(p) for p in small_pages], out, workers=2)
    assert again.ran == [] and again.skipped == list(STAGES)
    assert (again.articles, again.errors) == (first.articles, first.errors)
    assert [s["rows"] for s in again.stages] == [s["rows"] for s in first.stages]
    (out / "_markers" / "briefs.json").unlink()  # as if the run had failed in its last stage
    resumed = run([str(p) for p in small_pages], out, workers=2)
    assert resumed.ran == ["briefs"] and resumed.articles == first.articles


def test_rerun_with_other_inputs_or_settings_is_refused_not_answered_from_markers(finished_run, local_ray,
                                                                                    scale_pages):
    """Issue 22, item 5: a finished run's folder answered any rerun with its old results."""
    from parallax.config import Settings
    from parallax.errors import UsageError
    from parallax.scale import run

    base = Settings()
    other = base.replace(stories={"threshold": base.stories.threshold + 0.05})
    for inputs, sets, what in ([scale_pages[1:], base, "inputs differ"], [scale_pages, other, "settings differ"]):
        with pytest.raises(UsageError) as exc:
            run([str(p) for p in inputs], finished_run, workers=2, settings_obj=sets)
        assert exc.value.code == "PX305" and what in exc.value.message
    assert (finished_run / "_markers" / "provenance.json").exists()  # refused: nothing discarded


def _api_stories(store: Any, get_ready: Any) -> dict[str, Any]:
    """GET /api/stories/{id} for every story, keyed by its sorted article ids; the story id (which differs:
    the store's ids are its own) replaced by a placeholder."""
    from fastapi.testclient import TestClient

    from parallax.web import create_app

    out = {}
    with TestClient(create_app(store, revision_ttl=0.0), base_url="http://testserver") as client:
        for row in store.list_stories(limit=1000):
            res = get_ready(client, f"/api/stories/{row['id']}")
            assert res.status_code == 200, res.text
            body = json.loads(re.sub(re.escape(row["id"]), "STORY", res.text))
            for story in body["stories"]:  # how many briefs the store wrote for the story: its history, not
                story["coverage"].pop("version")  # the answer (a day merged at once and pages filed one by one)
            out[json.dumps(sorted(row["articles"]))] = body
    return out


def test_merged_postgresql_store_serves_what_ingest_serves(finished_run, ingested_store, make_pg_database, get_ready):
    from parallax.store import Store
    from parallax.store.bulk import merge_run

    with Store(make_pg_database()) as merged:
        summary = merge_run(merged, finished_run)
        assert summary["articles"] >= 180
        again = merge_run(merged, finished_run)  # a second merge of the same day files nothing
        assert again["articles"] == 0 and again["duplicates"] == summary["articles"]
        got = _api_stories(merged, get_ready)
    with Store(str(ingested_store)) as ingested:  # the pages filed as `parallax ingest` files them
        want = _api_stories(ingested, get_ready)
    assert set(got) == set(want)
    for key in want:
        assert got[key] == want[key], key


def test_merge_command_files_a_finished_run(finished_run, tmp_path):
    from click.testing import CliRunner

    from parallax.cli import main
    from parallax.store import Store

    res = CliRunner().invoke(main, ["scale", "merge", str(finished_run), "--db", str(tmp_path / "m.db")])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output.strip().splitlines()[-1])
    with Store(str(tmp_path / "m.db")) as store:
        assert summary["articles"] == store.info()["counts"]["articles"] >= 180

