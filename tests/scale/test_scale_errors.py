"""`parallax scale run` errors: an input error says its code once (issue 22, item 11); bad inputs and options are
one coded line each, checked before Ray starts (item 4); a run folder of other inputs or settings is refused
(PX305) instead of resumed (item 5). Only the tests marked `scale` start Ray."""

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


# ---- issue 22, item 5: a run folder is fingerprinted by its inputs and settings ---------------------------------


class _Started(Exception):
    """Raised where Ray would start: the run got past its checks."""


def _stop_at_ray(monkeypatch):
    from parallax.scale import runner

    def started(*args, **kwargs):
        raise _Started

    monkeypatch.setattr(runner, "start", started)


def _pages(tmp_path, n=2):
    paths = []
    for i in range(n):
        p = tmp_path / f"page-{i}.txt"
        p.write_text(f"The harbour board approved plan {i} on Monday, a spokesman said.", encoding="utf-8")
        paths.append(str(p))
    return paths


def _finish(out, stages=("read", "dedupe")):
    """Markers of finished stages, as a run leaves them."""
    (out / "_markers").mkdir(parents=True, exist_ok=True)
    for s in stages:
        (out / s).mkdir(exist_ok=True)
        (out / "_markers" / f"{s}.json").write_text('{"rows": 2, "seconds": 1.0}', encoding="utf-8")


def _started_run(inputs, out, **kwargs):
    from parallax.scale import run

    with pytest.raises(_Started):
        run(inputs, out, **kwargs)


def _refused(inputs, out, **kwargs):
    from parallax.errors import UsageError
    from parallax.scale import run

    with pytest.raises(UsageError) as exc:
        run(inputs, out, **kwargs)
    assert exc.value.code == "PX305" and exc.value.input == str(out)
    assert "--fresh" in exc.value.message
    return exc.value.message


def test_5_the_same_inputs_and_settings_resume(tmp_path, monkeypatch):
    _stop_at_ray(monkeypatch)
    pages, out = _pages(tmp_path), tmp_path / "run"
    _started_run(pages, out)
    fp = json.loads((out / "_run.json").read_text(encoding="utf-8"))
    assert [p for p, *_ in fp["inputs"]] == [str((tmp_path / f"page-{i}.txt").resolve()) for i in range(2)]
    assert fp["settings"]["stories"]["threshold"] is not None and fp["length"] == "standard"
    _finish(out)
    _started_run(pages, out)  # the same run: resumed
    _started_run([str(tmp_path / "page-0.txt"), str(tmp_path / ".." / tmp_path.name / "page-1.txt")], out)


def test_5_other_inputs_are_refused_naming_what_differs(tmp_path, monkeypatch):
    _stop_at_ray(monkeypatch)
    pages, out = _pages(tmp_path, 3), tmp_path / "run"
    _started_run(pages[:2], out)
    _finish(out)
    msg = _refused(pages[1:], out)
    assert "inputs differ" in msg and "1 not in the run" in msg and "page-2.txt" in msg
    assert "1 of the run not given" in msg and "page-0.txt" in msg
    assert "another order" in _refused(pages[1::-1], out)
    # a file rewritten since (another size), and one only touched (same size, another modification time)
    (tmp_path / "page-0.txt").write_text("Another page altogether, longer than the first one was.", encoding="utf-8")
    assert "changed since" in _refused(pages[:2], out)
    assert (out / "_markers" / "dedupe.json").exists()  # a refusal discards nothing


def test_5_a_touched_input_reads_as_changed(tmp_path, monkeypatch):
    import os

    _stop_at_ray(monkeypatch)
    pages, out = _pages(tmp_path), tmp_path / "run"
    _started_run(pages, out)
    st = os.stat(pages[0])
    os.utime(pages[0], ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert "1 changed since" in _refused(pages, out)


def test_5_other_settings_or_length_are_refused(tmp_path, monkeypatch):
    from parallax.config import Settings

    _stop_at_ray(monkeypatch)
    pages, out = _pages(tmp_path), tmp_path / "run"
    base = Settings()
    _started_run(pages, out, settings_obj=base)
    _finish(out, ("read", "dedupe", "articles", "idf", "candidates", "edges", "stories", "provenance", "briefs"))
    _started_run(pages, out, settings_obj=Settings())  # equal settings: the same run
    other = base.replace(stories={"threshold": base.stories.threshold + 0.1})
    msg = _refused(pages, out, settings_obj=other)
    assert "settings differ: stories.threshold" in msg and "inputs differ" not in msg
    assert "--length differs: standard -> full" in _refused(pages, out, settings_obj=base, length="full")


def test_5_fresh_discards_the_old_run_and_starts_again(tmp_path, monkeypatch):
    _stop_at_ray(monkeypatch)
    pages, out = _pages(tmp_path, 3), tmp_path / "run"
    _started_run(pages[:2], out)
    _finish(out)
    (out / "errors.json").write_text("[]", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    _refused(pages[1:], out)
    _started_run(pages[1:], out, fresh=True)
    assert not (out / "_markers").exists() and not (out / "read").exists() and not (out / "errors.json").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # only the run's own files go
    fp = json.loads((out / "_run.json").read_text(encoding="utf-8"))
    assert [p.rsplit("/", 1)[-1] for p, *_ in fp["inputs"]] == ["page-1.txt", "page-2.txt"]
    _started_run(pages[1:], out)


def test_5_stages_without_a_fingerprint_or_an_unreadable_one_are_refused(tmp_path, monkeypatch):
    _stop_at_ray(monkeypatch)
    pages, out = _pages(tmp_path), tmp_path / "run"
    _finish(out)  # a run of an older Parallax: markers, no _run.json
    assert "no fingerprint" in _refused(pages, out)
    (out / "_run.json").write_text("{not json", encoding="utf-8")
    assert "cannot be read" in _refused(pages, out)
    _started_run(pages, out, fresh=True)


def test_5_cli_names_the_folder_and_what_differs_and_fresh_starts_afresh(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    from click.testing import CliRunner

    from parallax.cli import main

    _stop_at_ray(monkeypatch)
    pages, out = _pages(tmp_path), tmp_path / "run"
    res = CliRunner().invoke(main, ["scale", "run", *pages, "--out", str(out)])
    assert "(_Started" in res.output  # the CLI reached Ray's start (reported as PX000 by the CLI's guard)
    _finish(out)
    conf = tmp_path / "parallax.toml"
    conf.write_text("[stories]\nthreshold = 0.61\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--config", str(conf), "scale", "run", *pages, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert f"PX305 {out}: another run in --out (settings differ: stories.threshold" in res.output
    assert "-> 0.61" in res.output and "--fresh" in res.output and "Traceback" not in res.output
    assert res.output.count("PX305") == 1
    res = CliRunner().invoke(main, ["--config", str(conf), "scale", "run", *pages, "--out", str(out), "--fresh"])
    assert "(_Started" in res.output and "PX305" not in res.output
    assert not (out / "_markers").exists()
