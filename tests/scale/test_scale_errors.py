"""`parallax scale run` errors: an input error says its code once (issue 22, item 11); bad inputs and options are
one coded line each, checked before Ray starts (item 4). Only the last test starts Ray (marked `scale`)."""

from __future__ import annotations

import json

import pytest

from parallax.scale import stages as S


def test_an_input_error_row_reads_back_with_its_code_said_once(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    rows, errors = S.read_one(str(empty), 0)
    assert rows == [] and [e.code for e in errors] == ["PX102"]
    reported = S.read_error(S.error_row(errors[0], 0, 0))
    assert reported["code"] == "PX102" and reported["input"] == str(empty)
    assert "PX102" not in reported["message"] and reported["message"] == errors[0].message
    line = f"parallax: {reported['code']} {reported['input']}: {reported['message']}"  # as `scale run` prints it
    assert line.count("PX102") == 1


# ---- issue 22, item 4: bad input and bad options are one coded line each, before Ray starts ----------------


def _no_ray(monkeypatch):
    """Fail the test if a run gets as far as starting Ray."""
    from parallax.scale import runner

    def refuse(*args, **kwargs):
        raise AssertionError("Ray was started")

    monkeypatch.setattr(runner, "start", refuse)


def test_4_inputs_are_checked_as_brief_names_them(tmp_path, monkeypatch):
    good, empty = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text("The harbour board approved the plan on Monday.", encoding="utf-8")
    empty.write_bytes(b"")
    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "a.html").write_text("<p>x</p>", encoding="utf-8")
    (folder / "notes.md").write_text("not a page", encoding="utf-8")
    (folder / "hidden").mkdir()
    denied = folder / "denied.txt"
    denied.write_text("secret", encoding="utf-8")
    real_open = type(denied).open

    def open_(self, *args, **kwargs):
        if self == denied:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(denied), "open", open_)  # as chmod 000 does for a normal user (tests run as root)
    files, errors = S.check_inputs([str(good), str(tmp_path / "missing.txt"), str(empty), str(folder)])
    assert files == [(str(good), True), (str(folder / "a.html"), False)]
    assert [(e.input, e.code) for e in errors] == [(str(tmp_path / "missing.txt"), "PX101"), (str(empty), "PX102"),
                                                   (str(denied), "PX101")]
    assert "not found" in errors[0].message and "Permission denied" in errors[2].message


@pytest.mark.parametrize("what", ["missing", "empty", "folder without pages"])
def test_4_no_readable_input_is_one_coded_line_and_exit_2_without_starting_ray(tmp_path, monkeypatch, what):
    pytest.importorskip("ray")
    from click.testing import CliRunner

    from parallax.cli import main

    _no_ray(monkeypatch)
    path = tmp_path / "input.txt"
    if what == "empty":
        path.write_bytes(b"")
    elif what == "folder without pages":
        path = tmp_path / "folder"
        path.mkdir()
        (path / "readme.md").write_text("no page here", encoding="utf-8")
    res = CliRunner().invoke(main, ["scale", "run", str(path), "--out", str(tmp_path / "run")])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "PX000" not in res.output
    assert "PX301" in res.output and "no readable article" in res.output
    if what != "folder without pages":
        code = "PX101" if what == "missing" else "PX102"
        assert f"parallax: {code} {path}:" in res.output  # the input is named, with its code
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("args, option", [
    (["--cpus", "0"], "--cpus"), (["--cpus", "-2"], "--cpus"), (["--workers", "0"], "--workers"),
    (["--workers", "-1"], "--workers"), (["--workers", "100001"], "--workers"),
    (["--workers", "4", "--cpus", "2"], "--workers"), (["--cpus", "2", "--address", "ray://head:10001"], "--cpus"),
])
def test_4_options_are_range_checked_before_ray_starts(tmp_path, monkeypatch, args, option):
    pytest.importorskip("ray")
    from click.testing import CliRunner

    from parallax.cli import main

    _no_ray(monkeypatch)
    page = tmp_path / "page.txt"
    page.write_text("The harbour board approved the plan on Monday.", encoding="utf-8")
    res = CliRunner().invoke(main, ["scale", "run", str(page), "--out", str(tmp_path / "run"), *args])
    assert res.exit_code == 2, res.output
    assert f"PX302 {option}: bad option" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "run").exists()


def test_4_stdin_is_refused(tmp_path):
    pytest.importorskip("ray")
    from click.testing import CliRunner

    from parallax.cli import main

    res = CliRunner().invoke(main, ["scale", "run", "-", "--out", str(tmp_path / "run")])
    assert res.exit_code == 2 and "PX302" in res.output and "standard input" in res.output


def test_4_library_run_checks_options_too(tmp_path):
    from parallax.errors import UsageError
    from parallax.scale import run

    with pytest.raises(UsageError) as exc:
        run([str(tmp_path)], tmp_path / "run", workers=0)
    assert exc.value.code == "PX302"


@pytest.mark.scale
def test_4_an_input_of_only_bad_pages_stops_after_the_read_stage(local_ray, tmp_path):
    from parallax.scale import run

    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    report = run([str(binary), str(tmp_path / "missing.txt")], tmp_path / "run", workers=2)
    assert report.articles == 0 and report.ran == ["read"]
    assert sorted(e["code"] for e in report.errors) == ["PX101", "PX103"]
    assert json.loads((tmp_path / "run" / "errors.json").read_text(encoding="utf-8")) == report.errors
