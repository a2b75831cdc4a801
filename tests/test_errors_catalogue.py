"""The error catalogue: every code in it is raised somewhere, every code raised is in it, and the
documentation (docs/ERRORS.md) is the catalogue's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from parallax.errors import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "parallax"
CODE = re.compile(r"[\"'](PX\d{3})[\"']")


def _codes_in_source() -> dict[str, list[str]]:
    """Catalogue codes written as string literals in the package, by file (the catalogue itself aside)."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "errors.py":
            continue
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_catalogue_code_is_raised_somewhere():
    used = _codes_in_source()
    # PX100 and PX500 are their family's default (InputRejected.code, StoreError.code) besides being raised.
    missing = sorted(c for c in CATALOGUE if c not in used)
    assert missing == [], f"codes in the catalogue that nothing raises: {missing}"


def test_every_code_raised_is_in_the_catalogue():
    unknown = {c: files for c, files in _codes_in_source().items() if c not in CATALOGUE}
    assert unknown == {}


def test_errors_doc_is_generated_from_the_catalogue():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "errors_doc.py"), "--check"], capture_output=True,
                       text=True, check=False)
    assert r.returncode == 0, r.stderr
    doc = (ROOT / "docs" / "ERRORS.md").read_text(encoding="utf-8")
    for code, (name, _) in CATALOGUE.items():
        assert f"| {code} | {name} |" in doc
    for status in ("| 0 |", "| 1 |", "| 2 |"):
        assert status in doc
