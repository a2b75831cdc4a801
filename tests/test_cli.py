"""The command line: help for every command, output formats, bad inputs reported, stdin, --version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from parallax import __version__
from parallax.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "brief.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.fixture()
def ferry_dir(tmp_path, fixtures_dir):
    d = tmp_path / "pages"
    shutil.copytree(fixtures_dir / "ferry", d)
    return d


def test_main_help(runner):
    r = runner.invoke(main, ["--help"])
    assert r.exit_code == 0
    for name in main.commands:
        assert name in r.output


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_answers_help(runner, name):
    r = runner.invoke(main, [name, "--help"])
    assert r.exit_code == 0, r.output
    assert "Usage:" in r.output and name in r.output


def test_brief_json_to_file_is_valid(runner, tmp_path):
    out = tmp_path / "out" / "brief.json"
    r = runner.invoke(main, ["brief", str(ROOT / "examples"), "--format", "json", "-o", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    assert len(doc["stories"]) == 2 and len(doc["articles"]) == 10
    assert f"wrote {out}" in r.stderr
    assert r.stdout == ""


def test_brief_markdown_to_stdout(runner, fixtures_dir):
    r = runner.invoke(main, ["brief", str(fixtures_dir / "ferry"), str(fixtures_dir / "bank")])
    assert r.exit_code == 0, r.output
    md = r.stdout
    assert md.startswith("# ")
    assert "Halcyon Tern" in md and "Rosmark" in md
    assert "Where sources differ" in md


def test_brief_html(runner, fixtures_dir, tmp_path):
    out = tmp_path / "brief.html"
    r = runner.invoke(main, ["brief", str(fixtures_dir / "ferry"), "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "</html>" in html and "Halcyon Tern" in html


def test_brief_length_option(runner):
    # The examples hold more facts than the short budget: short is cut to its limits, full says more.
    from parallax.config import DEFAULT

    got = {}
    for length in ("short", "full"):
        r = runner.invoke(main, ["brief", str(ROOT / "examples"), "--format", "json", "--length", length])
        assert r.exit_code == 0, r.output
        doc = json.loads(r.stdout)
        assert doc["settings"]["length"] == length
        limits = DEFAULT.brief.lengths[length]
        for s in doc["stories"]:
            assert len(s["facts"]) <= limits["max_facts"]
            assert sum(len(f["text"].split()) for f in s["facts"]) <= limits["max_words"]
        got[length] = {s["id"]: len(s["facts"]) for s in doc["stories"]}
    assert got["short"].keys() == got["full"].keys()
    assert any(got["full"][k] > got["short"][k] for k in got["short"]), got


def test_single_story_flag(runner, fixtures_dir):
    r = runner.invoke(main, ["brief", str(fixtures_dir / "ferry"), str(fixtures_dir / "bank"), "--format", "json",
                             "--single-story"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["stories"]) == 1


def test_bad_file_among_good_ones_is_reported_and_the_brief_still_made(runner, ferry_dir):
    bad = ferry_dir / "broken.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    empty = ferry_dir / "empty.txt"
    empty.write_text("")
    r = runner.invoke(main, ["brief", str(ferry_dir), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert f"PX103 {bad}" in r.stderr
    assert f"PX102 {empty}" in r.stderr
    doc = json.loads(r.stdout)
    assert {e["code"] for e in doc["errors"]} == {"PX102", "PX103"}
    assert {"wire", "reprint", "rewrite", "independent"} <= {a["id"] for a in doc["articles"]}
    assert doc["stories"]


def test_missing_file_is_reported_by_name(runner, fixtures_dir, tmp_path):
    missing = tmp_path / "nope.txt"
    r = runner.invoke(main, ["brief", str(fixtures_dir / "bank"), str(missing)])
    assert r.exit_code == 0
    assert f"PX101 {missing}" in r.stderr
    assert "Rosmark" in r.stdout


def test_strict_exits_1_on_a_bad_input(runner, fixtures_dir, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    r = runner.invoke(main, ["brief", str(fixtures_dir / "bank"), str(empty), "--strict"])
    assert r.exit_code == 1
    assert "PX102" in r.stderr
    assert "Rosmark" in r.stdout


def test_no_readable_input_is_an_error(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    r = runner.invoke(main, ["brief", str(empty)])
    assert r.exit_code == 2  # nothing could be done
    assert "PX102" in r.stderr
    assert "no readable article" in r.stderr


def test_brief_reads_stdin(runner, fixtures_dir):
    page = (fixtures_dir / "bank" / "rate-a.txt").read_text(encoding="utf-8")
    r = runner.invoke(main, ["brief", "-", "--format", "json"], input=page)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [a["input"] for a in doc["articles"]] == ["-"]
    assert "4.5 percent" in doc["articles"][0]["text"]


def test_unknown_format_is_a_usage_error(runner, fixtures_dir):
    r = runner.invoke(main, ["brief", str(fixtures_dir / "bank"), "--format", "pdf"])
    assert r.exit_code == 2


def test_clean_command_lists_removals(runner, fixtures_dir):
    r = runner.invoke(main, ["clean", str(fixtures_dir / "ferry" / "reprint.txt")])
    assert r.exit_code == 0, r.output
    assert "== reprint" in r.stdout
    for kind in ("site_header", "photo_credit", "unrelated_story", "comments", "share"):
        assert f"removed {kind}:" in r.stdout
    assert "kept " in r.stdout


def test_version_in_a_subprocess():
    exe = Path(sys.executable).parent / "parallax"
    if not exe.exists():
        exe = ROOT / ".venv" / "bin" / "parallax"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert __version__ in out.stdout and "parallax" in out.stdout


CONFIG = """
[stories]
threshold = 0.5

[brief.lengths]
short = {max_facts = 6, max_words = 120}
standard = {max_facts = 2, max_words = 60}
full = {max_facts = 30, max_words = 700}
"""


def test_config_file_changes_the_brief_and_is_recorded(runner, fixtures_dir, tmp_path):
    default = runner.invoke(main, ["brief", str(fixtures_dir / "ferry"), "--format", "json"])
    assert default.exit_code == 0, default.output
    assert any(len(s["facts"]) > 2 for s in json.loads(default.stdout)["stories"])  # so the cap below can bite
    cfg = tmp_path / "parallax.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    r = runner.invoke(main, ["--config", str(cfg), "brief", str(fixtures_dir / "ferry"), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["settings"]["config"]["stories"]["threshold"] == 0.5
    assert doc["settings"]["config"]["brief"]["lengths"]["standard"] == {"max_facts": 2, "max_words": 60}
    assert doc["settings"]["max_facts"] == 2
    assert doc["stories"] and all(len(s["facts"]) <= 2 for s in doc["stories"])
    # the settings apply to that run only
    again = json.loads(runner.invoke(main, ["brief", str(fixtures_dir / "ferry"), "--format", "json"]).stdout)
    assert again["settings"]["config"]["stories"]["threshold"] != 0.5


@pytest.mark.parametrize(("text", "needle"), [
    ("[stories]\nthreshhold = 0.5\n", "threshhold"),  # a misspelt setting
    ("[nowhere]\nx = 1\n", "nowhere"),  # no such stage
    ("[stories]\nthreshold = 'high'\n", "stories.threshold"),  # wrong type
    ("[stories\nthreshold = 0.5\n", "not valid TOML"),
    (None, "cannot read"),  # no such file
])
def test_bad_config_file_is_px303_with_exit_2(runner, fixtures_dir, tmp_path, text, needle):
    cfg = tmp_path / "bad.toml"
    if text is not None:
        cfg.write_text(text, encoding="utf-8")
    r = runner.invoke(main, ["--config", str(cfg), "brief", str(fixtures_dir / "bank")])
    assert r.exit_code == 2, r.output
    assert "Error: PX303" in r.stderr and needle in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize(("args", "code", "status"), [
    (["brief"], "PX301", 2),
    (["brief", "x", "--story", "s"], "PX302", 2),
    (["brief", "x", "--since-last"], "PX302", 2),
    (["stories", "--since", "yesterday"], "PX302", 2),
    (["daily", "--date", "2026-13-45"], "PX302", 2),
    (["sources", "export", "registry.txt"], "PX302", 2),
])
def test_command_line_mistakes_carry_a_code(runner, tmp_path, args, code, status):
    r = runner.invoke(main, [*args, "--db", str(tmp_path / "x.db")] if args[0] != "brief" else args)
    assert r.exit_code == status, r.output
    assert code in r.stderr, r.stderr


def test_unexpected_errors_are_px000(runner, fixtures_dir, monkeypatch):
    import parallax.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(parallax.pipeline, "brief_paths", broken)
    r = runner.invoke(main, ["brief", str(fixtures_dir / "bank")])
    assert r.exit_code == 2
    assert "Error: PX000 unexpected error (RuntimeError: boom)" in r.stderr
    assert "Traceback" not in r.output


def test_brief_profile_prints_each_stage_on_stderr(tmp_path, fixtures_dir):
    """--profile: a table of wall and CPU seconds per stage on stderr; the brief itself unchanged on stdout."""
    cmd = [sys.executable, "-c", "import sys; from parallax.cli import main; sys.exit(main())", "brief",
           str(fixtures_dir)]
    plain = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    profiled = subprocess.run([*cmd, "--profile"], capture_output=True, text=True, timeout=600)
    assert plain.returncode == profiled.returncode == 0, profiled.stderr[-2000:]
    assert profiled.stdout == plain.stdout
    table = profiled.stderr[profiled.stderr.index("parallax: profile of"):]
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[2:]}
    for name in ("start-up", "read", "models", "clean", "split", "embed", "stories", "provenance", "crosscheck",
                 "brief", "output", "total"):
        assert name in rows, (name, table)
    walls = {k: float(v[0]) for k, v in rows.items()}
    assert walls["total"] >= walls["crosscheck"] > 0
    assert "profile of" not in plain.stderr


def test_a_brief_of_files_imports_no_database_driver(fixtures_dir):
    """SQLAlchemy (≈0.3 s to import) is for the store; briefing files never loads it."""
    code = ("import sys; from parallax.cli import main\n"
            "try:\n    main(['brief', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(fixtures_dir)], capture_output=True, text=True, timeout=600)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr[-2000:]
