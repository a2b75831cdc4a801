"""A scale run's input errors say their code once (issue 22, item 11: "PX102 …: PX102 empty input"); no Ray."""

from __future__ import annotations

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
