"""Shared fixtures: paths to the test pages, the bundled examples and the seed corpus; pipeline runs
are made once per session (the embedding model is real, and its cache is process-wide)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from parallax.model import Article, Brief

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def two_event_brief() -> Brief:
    """The ferry pages (wire, near-verbatim reprint, paraphrased rewrite, independent report) and two
    reports of an unrelated central-bank decision, briefed together."""
    from parallax.pipeline import brief_paths

    return brief_paths([FIXTURES / "ferry", FIXTURES / "bank"])


@pytest.fixture(scope="session")
def examples_brief() -> Brief:
    from parallax.pipeline import brief_paths

    return brief_paths([EXAMPLES])


def by_id(brief: Brief) -> dict[str, Article]:
    return {a.id: a for a in brief.articles}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs the suite on pytest-xdist workers (`-n auto`, issue 20 item 4): the cluster-pipeline
    tests (tests/scale) share one local Ray cluster and its runs, so they go to one worker as one scope, while
    every other test is a scope of its own and spreads over the workers. (xdist's `--dist loadgroup` would say
    this with a mark, but it renames node ids, which pytest 9.2 no longer lets it do.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ScaleTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/scale" if nodeid.startswith("tests/scale/") else nodeid

    return ScaleTogether(config, log)


# PARALLAX_REQUIRE_ALL=1 (set by .ci/run) turns every skip into a failure: a test that cannot run because
# PostgreSQL, Chromium or the ../shared data is missing must not pass silently. "services" requires the
# servers and the browser but lets the tests that read ../shared skip (for checkouts without it).
_REQUIRE = os.environ.get("PARALLAX_REQUIRE_ALL", "").strip().lower()
_SHARED_WORDS = ("seed", "../shared", "shared/", "corpus")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or _REQUIRE not in ("1", "true", "yes", "services"):
        return
    if hasattr(report, "wasxfail"):  # an expected failure that failed: a known limitation, not a missing service
        return
    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if _REQUIRE == "services" and any(w in reason.lower() for w in _SHARED_WORDS):
        return
    report.outcome = "failed"
    report.longrepr = f"PARALLAX_REQUIRE_ALL={_REQUIRE}: this test was skipped ({reason})"


def _get_ready(client, path: str):
    """GET `path` until it is no longer 202 "preparing" (the desk answers a story whose brief is not computed
    yet at once with 202 and computes it on its brief pool: issue 22)."""
    import time

    for _ in range(1200):
        res = client.get(path)
        if res.status_code != 202:
            return res
        time.sleep(0.05)
    raise AssertionError(f"{path} stayed 202")


@pytest.fixture
def get_ready():
    """`get_ready(client, path)`: the answer to GET `path` once the desk has prepared it (no longer 202)."""
    return _get_ready
