"""Issue 15, reading: each defect reproduced and now handled (bounded pages, pathological HTML, unreadable
paths, encodings, record validation, streaming). Numbers in the test names are the issue's."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from parallax.config import Settings, use
from parallax.model import Article, Sentence
from parallax.stages.read import article_from_text, read_paths

PARA = ("The harbour board of Arvel approved a plan worth {n} thousand crowns on Monday, officials said. "
        "Work on the new quay starts in the spring, the mayor told reporters.")
HTML_ARTICLE = ("<article><h1>Arvel harbour plan approved</h1>"
                + "".join(f"<p>{PARA.format(n=n)}</p>" for n in range(6)) + "</article>")


def _page(depth: int) -> str:
    return ("<html><head><title>Arvel harbour plan approved</title></head><body>" + "<div>" * depth
            + HTML_ARTICLE + "</div>" * depth + "</body></html>")


# ---- #1 memory grows faster than input: the sentences a page sends on are capped --------------------------


def test_1_a_page_longer_than_the_sentence_cap_is_briefed_on_its_first_sentences():
    from parallax.stages.limits import bound_article

    text = " ".join(f"Sentence {i} says something." for i in range(50))
    a = Article(id="long", raw=text, text=text,
                sentences=[Sentence(i * 10, i * 10 + 9, 0, is_heading=(i == 0)) for i in range(50)])
    with use(Settings().replace(limits={"max_sentences": 20})):
        bound_article(a)
    assert len(a.content_sentences()) == 20
    assert a.sentences[0].is_heading  # headings before the cut stay
    assert a.meta["limits"]["sentences"] == 49 and a.meta["limits"]["briefed"] == 20
    assert a.text == text  # the text is whole: only what is briefed is bounded


def test_1_pipeline_applies_the_cap(tmp_path):
    from parallax.pipeline import prepare

    page = "\n\n".join(PARA.format(n=n) for n in range(40))
    with use(Settings().replace(limits={"max_sentences": 15})):
        arts, errs = prepare([article_from_text(page, id="p", input="p")])
    assert not errs and len(arts[0].content_sentences()) == 15


# ---- #2 pathological HTML: deep nesting, very many elements, the time budget -------------------------------


@pytest.mark.parametrize("depth", [252, 254, 300, 3000])
def test_2_deep_html_keeps_its_article(depth):
    from parallax.stages.clean import clean_article

    a = article_from_text(_page(depth), input=f"deep-{depth}", html=True)  # was PX107 from depth 253 on
    clean_article(a)
    assert "thousand crowns" in a.text
    assert a.meta["html_flattened"]["depth"] >= depth


def test_2_shallow_html_is_left_as_it_is():
    a = article_from_text(_page(10), input="shallow", html=True)
    assert "html_flattened" not in a.meta


def test_2_page_with_very_many_elements_skips_the_extractor(monkeypatch):
    import trafilatura

    def no_extractor(*args, **kwargs):
        raise AssertionError("the extractor ran on an over-sized page")

    monkeypatch.setattr(trafilatura, "extract", no_extractor)
    lines = "".join(f"<p>Line {i} of the harbour plan, said the board.</p>\n" for i in range(500))
    html = f"<html><head><title>Harbour lines</title></head><body>{lines}</body></html>"
    with use(Settings().replace(limits={"html_max_elements": 200})):
        a = article_from_text(html, input="lines", html=True)
    assert a.meta["extraction"].startswith("visible text: 50")
    assert a.title == "Harbour lines"
    assert "Line 499 of the harbour plan" in a.raw


def test_2_a_page_over_its_time_budget_is_px109_and_the_batch_goes_on(monkeypatch, tmp_path):
    import time

    from parallax import pipeline

    def slow(a):
        time.sleep(0.5)
        return a

    from parallax.stages import prepare

    monkeypatch.setattr(prepare, "STEPS", (("slow", slow), *prepare.STEPS))
    with use(Settings().replace(limits={"page_seconds": 0.2})):
        kept, errors = pipeline.prepare([article_from_text(PARA.format(n=1), id="a", input="a.txt")])
    assert kept == [] and [(e.input, e.code) for e in errors] == [("a.txt", "PX109")]


def test_2_the_budget_is_also_checked_off_the_main_thread():
    import threading
    import time

    from parallax.errors import InputRejected
    from parallax.stages.limits import page_budget

    out = []

    def run():
        try:
            with page_budget("x", seconds=0.05):
                time.sleep(0.2)
        except InputRejected as exc:
            out.append(exc.code)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert out == ["PX109"]


# ---- #6 one unreadable file stops the batch; an unreadable directory gives no output ----------------------


def _deny(monkeypatch, denied: Path):
    """Make `denied` unreadable as chmod 000 does for a normal user (we run as root, whom modes do not stop)."""
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path="."):
        if Path(path) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if Path(path).parent == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)


def test_6_unreadable_file_and_directory_are_px101_and_the_good_pages_are_kept(tmp_path, monkeypatch):
    good = tmp_path / "good.txt"
    good.write_text(PARA.format(n=1), encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(PARA.format(n=2), encoding="utf-8")
    _deny(monkeypatch, locked)
    articles, errors = read_paths([good, locked / "inside.txt", locked])
    assert [a.id for a in articles] == ["good"]
    assert {(e.input, e.code) for e in errors} == {(str(locked / "inside.txt"), "PX101"), (str(locked), "PX101")}
    assert all("Permission denied" in e.message for e in errors)


def test_6_cli_exit_status_for_an_unreadable_directory(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from parallax.cli import main

    locked = tmp_path / "locked"
    locked.mkdir()
    _deny(monkeypatch, locked)
    r = CliRunner().invoke(main, ["brief", str(locked)])
    assert r.exit_code == 2 and f"PX101 {locked}" in r.stderr  # was: no output and exit 0


# ---- #10 encodings ---------------------------------------------------------------------------------------


def test_10_utf8_file_with_one_latin1_paragraph(tmp_path):
    utf8 = "Le café du port est resté ouvert toute la nuit, a déclaré sa gérante.\n\n"
    latin = "La crème brûlée était offerte aux passagers du ferry échoué.\n\n"
    p = tmp_path / "mixed.txt"
    p.write_bytes(utf8.encode("utf-8") + latin.encode("latin-1") + utf8.encode("utf-8"))
    (a,), errors = read_paths([p])
    assert not errors
    assert "café du port est resté" in a.raw and "crème brûlée était offerte" in a.raw
    assert "Ã" not in a.raw and "Ž" not in a.raw  # no mojibake


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_10_utf16_without_bom_is_text_not_binary(tmp_path, enc):
    p = tmp_path / "wide.txt"
    p.write_bytes(("Le café du port est resté ouvert.\n\n" + PARA.format(n=3)).encode(enc))
    (a,), errors = read_paths([p])
    assert not errors and a.raw.startswith("Le café du port")


def test_10_binary_is_still_binary(tmp_path):
    p = tmp_path / "blob.txt"
    p.write_bytes(bytes(range(256)) * 8)
    assert [e.code for e in read_paths([p])[1]] == ["PX103"]


# ---- #11 validation --------------------------------------------------------------------------------------


def test_11_jsonl_fields_of_the_wrong_type_are_px106_not_their_repr(tmp_path):
    recs = [{"id": "ok", "text": PARA.format(n=1), "title": "Harbour"},
            {"id": "t", "text": PARA.format(n=2), "title": {"nested": 1}},
            {"id": "s", "text": PARA.format(n=3), "source": ["a", "b"]},
            {"id": 7, "text": PARA.format(n=4)},
            {"id": "x", "text": 12}]
    p = tmp_path / "recs.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    articles, errors = read_paths([p])
    assert sorted(a.id for a in articles) == ["7", "ok"]
    assert {e.input: e.code for e in errors} == {f"{p}:2": "PX106", f"{p}:3": "PX106", f"{p}:5": "PX106"}
    assert "`title` must be a string" in next(e.message for e in errors if e.input.endswith(":2"))


def test_11_ids_and_text_are_made_safe(tmp_path):
    p = tmp_path / "recs.jsonl"
    p.write_text(json.dumps({"id": "a\tb\x00c", "text": "Nul\x00 in\x01 text. " + PARA.format(n=1),
                             "title": "T\x00itle", "published": "not a date"}) + "\n", encoding="utf-8")
    (a,), _ = read_paths([p])
    assert a.id == "a-b-c"  # a tab in an id made a page that 404s
    assert "\x00" not in a.raw and "\x01" not in a.raw and a.title == "Title"
    assert a.published is None
    long = read_paths([_jsonl(tmp_path, {"id": "z" * 300, "text": PARA.format(n=2)})])[0][0]
    assert len(long.id) <= 40


def _jsonl(tmp_path: Path, rec: dict) -> Path:
    p = tmp_path / "one.jsonl"
    p.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return p


def test_11_jsonl_is_streamed_and_an_oversized_line_does_not_stop_it(tmp_path):
    from parallax.stages.read import read_jsonl

    p = tmp_path / "big.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "first", "text": PARA.format(n=1)}) + "\n")
        fh.write(json.dumps({"id": "huge", "text": "word " * 20_000}) + "\n")
        fh.write(json.dumps({"id": "last", "text": PARA.format(n=2)}) + "\n")
    items = read_jsonl(p, max_bytes=1000)
    first = next(items)  # a generator: records come one at a time
    assert first.id == "first"
    rest = list(items)
    assert [getattr(x, "id", None) or (x.input, x.code) for x in rest] == [(f"{p}:2", "PX105"), "last"]


def test_11_stdin_is_read_no_further_than_the_cap():
    asked: list[int] = []

    class Stream(io.BytesIO):
        def read(self, n=-1):
            asked.append(n)
            return super().read(n)

    s = Stream(b"x" * 5000)
    _, errors = read_paths(["-"], stdin=s, max_bytes=1000)
    assert [e.code for e in errors] == ["PX105"] and asked == [1001]


def test_11_px105_hint_names_options_that_exist(tmp_path):
    from click.testing import CliRunner

    from parallax.cli import main

    p = tmp_path / "page.txt"
    p.write_text(PARA.format(n=1) * 20, encoding="utf-8")
    r = CliRunner().invoke(main, ["brief", str(p), "--max-bytes", "100"])
    assert "PX105" in r.stderr and "--max-bytes" in r.stderr
    assert "No such option" not in r.output


def test_11_documents_and_media_named_explicitly_are_px108(tmp_path):
    p = tmp_path / "report.pdf"
    p.write_bytes(b"%PDF-1.7\n")
    assert [e.code for e in read_paths([p])[1]] == ["PX108"]
