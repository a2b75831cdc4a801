"""parallax.stages.read: every input form, and bad inputs that become coded errors while the batch goes on."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest

from parallax.stages.read import read_paths

STORY = (
    "Harbour officials in Port Ederly said on Saturday that a passenger ferry had run aground on a sandbank "
    "outside the harbour, and that all 212 people on board had been brought ashore by lifeboats.\n\n"
    "The coastguard said it hoped to refloat the vessel on Tuesday's high tide.\n"
)
LATIN_STORY = (
    "The café on the harbour front in Port Ederly stayed open all night to serve tea to the passengers of the "
    "stranded ferry, its owner said. Crème brûlée and soup were handed out for free, and the façade was lit "
    "so that the lifeboat crews could see the quay.\n"
)


def _write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _codes(errors) -> dict[str, str]:
    return {e.input: e.code for e in errors}


# ------------------------------------------------------------------------------------------ good input


def test_txt_file_id_is_stem_and_text_is_read(tmp_path):
    p = _write(tmp_path / "ferry-story.txt", STORY)
    articles, errors = read_paths([p])
    assert errors == []
    assert [a.id for a in articles] == ["ferry-story"]
    assert "all 212 people on board" in articles[0].raw
    assert articles[0].input == str(p)


def test_html_file_is_reduced_to_text_with_title(tmp_path):
    html = (
        "<!doctype html><html><head><title>Ferry runs aground off Port Ederly</title></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Ferry runs aground off Port Ederly</h1>"
        + "".join(f"<p>{para}</p>" for para in STORY.split("\n\n"))
        + "</article></body></html>"
    )
    p = _write(tmp_path / "ferry.html", html)
    articles, errors = read_paths([p])
    assert errors == []
    (a,) = articles
    assert a.id == "ferry"
    assert "<p>" not in a.raw and "all 212 people on board" in a.raw
    assert a.title == "Ferry runs aground off Port Ederly"
    assert a.meta["format"] == "html"


def test_malformed_html_with_unclosed_tags_still_yields_text(tmp_path):
    html = (
        "<html><head><title>Ferry aground</title><body><div class='story'><p>" + STORY.replace("\n\n", "<p>")
        + "<div><span>"
    )
    p = _write(tmp_path / "broken.html", html)
    articles, errors = read_paths([p])
    assert errors == []
    assert "all 212 people on board" in articles[0].raw
    assert "<p>" not in articles[0].raw


def test_json_record_keeps_its_id_and_metadata(tmp_path):
    rec = {"id": "echo-1", "source": "The Ederly Echo", "title": "Ferry aground", "published": "2026-06-14",
           "url": "https://echo.example.org/ferry", "text": STORY}
    p = _write(tmp_path / "one.json", json.dumps(rec))
    articles, errors = read_paths([p])
    assert errors == []
    (a,) = articles
    assert (a.id, a.source, a.title, a.published, a.url) == (
        "echo-1", "The Ederly Echo", "Ferry aground", "2026-06-14", "https://echo.example.org/ferry")


def test_json_record_without_id_uses_file_stem(tmp_path):
    p = _write(tmp_path / "nameless.json", json.dumps({"text": STORY}))
    articles, _ = read_paths([p])
    assert [a.id for a in articles] == ["nameless"]


def test_jsonl_records_get_their_ids_and_a_bad_line_does_not_stop_the_others(tmp_path):
    lines = [
        json.dumps({"id": "a1", "text": STORY}),
        "{this is not json",
        json.dumps({"id": "a3", "title": "no body here"}),
        json.dumps({"id": "a4", "text": STORY.replace("Saturday", "Sunday")}),
    ]
    p = _write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    articles, errors = read_paths([p])
    assert [a.id for a in articles] == ["a1", "a4"]
    assert _codes(errors) == {f"{p}:2": "PX106", f"{p}:3": "PX106"}
    assert all(a.input.startswith(str(p) + ":") for a in articles)


def test_jsonl_record_without_id_is_named_after_file_and_line(tmp_path):
    p = _write(tmp_path / "feed.jsonl", json.dumps({"text": STORY}) + "\n")
    articles, _ = read_paths([p])
    assert articles[0].id.startswith("feed")


def test_stdin_dash_is_read(tmp_path):
    articles, errors = read_paths(["-"], stdin=io.BytesIO(STORY.encode("utf-8")))
    assert errors == []
    assert len(articles) == 1 and articles[0].input == "-"
    assert "all 212 people on board" in articles[0].raw


def test_stdin_html_is_extracted():
    html = f"<html><body><article><h1>Ferry aground</h1><p>{STORY}</p></article></body></html>"
    articles, errors = read_paths(["-"], stdin=io.BytesIO(html.encode("utf-8")))
    assert errors == []
    assert "<article>" not in articles[0].raw and "212 people" in articles[0].raw


def test_directory_walk_skips_non_record_json_and_readme(tmp_path):
    d = tmp_path / "batch"
    (d / "sub").mkdir(parents=True)
    _write(d / "story.txt", STORY)
    _write(d / "sub" / "feed.jsonl", json.dumps({"id": "rec-1", "text": STORY}) + "\n")
    _write(d / "expected.json", json.dumps({"story": "ferry", "articles": ["story"], "must_keep": []}))
    _write(d / "README.md", "# Notes\n\nThese are test pages.\n")
    _write(d / ".hidden.txt", STORY)
    articles, errors = read_paths([d])
    assert errors == []
    assert sorted(a.id for a in articles) == ["rec-1", "story"]


def test_examples_directory_reads_ten_pages_without_errors():
    root = Path(__file__).resolve().parents[1] / "examples"
    articles, errors = read_paths([root])
    assert errors == []
    assert len(articles) == 10
    assert "port-independent" in {a.id for a in articles}
    assert "expected" not in {a.id for a in articles}


def test_duplicate_ids_are_made_unique(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _write(tmp_path / "a" / "story.txt", STORY)
    _write(tmp_path / "b" / "story.txt", STORY.replace("212", "213"))
    articles, _ = read_paths([tmp_path / "a", tmp_path / "b"])
    ids = [a.id for a in articles]
    assert len(ids) == 2 and len(set(ids)) == 2


# ---------------------------------------------------------------------------------------- encodings


def test_cp1252_text_is_decoded(tmp_path):
    text = LATIN_STORY.replace("Crème brûlée", "Hot soup") + "It cost 5 € a bowl – “free” for children.\n"
    p = _write(tmp_path / "latin.txt", text.encode("cp1252"))
    articles, errors = read_paths([p])
    assert errors == []
    assert "café" in articles[0].raw and "façade" in articles[0].raw
    assert "5 € a bowl – “free”" in articles[0].raw


def test_cp1252_accents_beyond_cafe_are_decoded(tmp_path):
    p = _write(tmp_path / "latin.txt", LATIN_STORY.encode("cp1252"))
    articles, errors = read_paths([p])
    assert errors == []
    assert "Crème brûlée" in articles[0].raw


def test_latin1_text_is_decoded(tmp_path):
    p = _write(tmp_path / "latin1.txt", LATIN_STORY.encode("latin-1"))
    articles, errors = read_paths([p])
    assert errors == []
    assert "café" in articles[0].raw


def test_utf16_with_bom_is_decoded(tmp_path):
    p = _write(tmp_path / "wide.txt", LATIN_STORY.encode("utf-16"))
    assert p.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    articles, errors = read_paths([p])
    assert errors == []
    assert articles[0].raw.startswith("The café on the harbour front")


def test_utf8_bom_is_stripped(tmp_path):
    p = _write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + STORY.encode("utf-8"))
    articles, _ = read_paths([p])
    assert articles[0].raw.startswith("Harbour officials")


def test_crlf_line_endings_are_normalised(tmp_path):
    p = _write(tmp_path / "crlf.txt", STORY.replace("\n", "\r\n").encode("utf-8"))
    articles, _ = read_paths([p])
    assert "\r" not in articles[0].raw


# ---------------------------------------------------------------------------------------- bad input


def test_bad_inputs_each_get_their_code_and_the_batch_survives(tmp_path):
    good = _write(tmp_path / "good.txt", STORY)
    empty = _write(tmp_path / "empty.txt", "")
    blank = _write(tmp_path / "blank.txt", "  \n\n \t\n")
    png = _write(tmp_path / "picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3)
    noise = _write(tmp_path / "noise.txt", random.Random(7).randbytes(900))
    huge = _write(tmp_path / "huge.txt", STORY * 40)
    no_text = _write(tmp_path / "record.json", json.dumps({"id": "x", "title": "A title but no body"}))
    bad_json = _write(tmp_path / "broken.json", "{\"text\": ")
    missing = tmp_path / "does-not-exist.txt"
    also_good = _write(tmp_path / "also-good.txt", LATIN_STORY)
    paths = [good, empty, blank, png, noise, huge, no_text, bad_json, missing, also_good]
    articles, errors = read_paths(paths, max_bytes=1000)
    assert sorted(a.id for a in articles) == ["also-good", "good"]
    codes = _codes(errors)
    assert codes == {
        str(empty): "PX102",
        str(blank): "PX102",
        str(png): "PX103",
        str(noise): "PX103",
        str(huge): "PX105",
        str(no_text): "PX106",
        str(bad_json): "PX106",
        str(missing): "PX101",
    }
    for e in errors:
        assert e.message, e


@pytest.mark.parametrize("code", ["PX102", "PX103", "PX105"])
def test_bad_stdin_is_an_error_naming_dash(code):
    data = {"PX102": b"", "PX103": b"%PDF-1.7\n" + bytes(range(256)), "PX105": STORY.encode() * 40}[code]
    articles, errors = read_paths(["-"], stdin=io.BytesIO(data), max_bytes=1000)
    assert articles == []
    assert [(e.input, e.code) for e in errors] == [("-", code)]


def test_missing_path_is_px101_and_names_it(tmp_path):
    missing = tmp_path / "nowhere" / "page.html"
    articles, errors = read_paths([missing])
    assert articles == []
    assert [(e.input, e.code) for e in errors] == [(str(missing), "PX101")]


def test_size_cap_applies_to_each_jsonl_record(tmp_path):
    from parallax.stages import read

    big = "word " * (read.MAX_BYTES // 5 + 10)
    p = _write(tmp_path / "feed.jsonl", json.dumps({"id": "big", "text": big}) + "\n"
               + json.dumps({"id": "ok", "text": STORY}) + "\n")
    articles, errors = read_paths([p])
    assert [a.id for a in articles] == ["ok"]
    assert [(e.input, e.code) for e in errors] == [(f"{p}:1", "PX105")]


def test_json_list_with_a_bad_record_keeps_the_good_ones(tmp_path):
    p = _write(tmp_path / "list.json", json.dumps([{"id": "r1", "text": STORY}, {"id": "r2"}, "nonsense"]))
    articles, errors = read_paths([p])
    assert [a.id for a in articles] == ["r1"]
    assert {e.code for e in errors} == {"PX106"}
    assert {e.input for e in errors} == {f"{p}[1]", f"{p}[2]"}
