"""Shared fixtures: paths to the test pages, the bundled examples and the seed corpus; pipeline runs
are made once per session (the embedding model is real, and its cache is process-wide)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.model import Article, Brief

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
