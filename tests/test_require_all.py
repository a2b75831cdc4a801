"""PARALLAX_REQUIRE_ALL: what .ci/run sets so that a test skipped for want of a service or data fails."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8").replace(
    'pytest_plugins = ["pytester"]\n', "")
TESTS = """
import pytest

def test_needs_a_server():
    pytest.skip("PostgreSQL tests skipped: no server")

def test_needs_the_seeds():
    pytest.skip("seed corpus not found at ../shared/corpus/seeds")
"""


@pytest.mark.parametrize(("value", "failed", "skipped"), [("", 0, 2), ("1", 2, 0), ("services", 1, 1)])
def test_skips_become_failures_when_required(pytester, monkeypatch, value, failed, skipped):
    monkeypatch.setenv("PARALLAX_REQUIRE_ALL", value)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_skips=TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=failed, skipped=skipped)


def test_a_known_limitation_stays_an_expected_failure(pytester, monkeypatch):
    monkeypatch.setenv("PARALLAX_REQUIRE_ALL", "1")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_known="""
import pytest

@pytest.mark.xfail(strict=True, reason="known limitation")
def test_limitation():
    assert False
""")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(xfailed=1)
