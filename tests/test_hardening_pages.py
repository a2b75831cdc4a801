"""Issue 22, one page at a time: each defect reproduced and now handled. Numbers in the test names are the
issue's items (7: a large prose page; 8: a time budget inside an import; 10: reading leftovers)."""

from __future__ import annotations

import json
import sys
import time

import pytest

from parallax.config import Settings, use
from parallax.errors import InputRejected

# ---- #8 the page time budget never interrupts an import ----------------------------------------------------

# A module that, like a C extension registering its types (onnxruntime's pybind11 module), cannot be imported
# a second time in one process once its first import got under way; its import takes a while.
SLOW_MODULE = '''
import sys, time
if getattr(sys, "_px_slow_registered", False):
    raise ImportError("generic_type: type already registered")
sys._px_slow_registered = True
time.sleep({sleep})
READY = True
'''


@pytest.fixture
def slow_module(tmp_path, monkeypatch):
    name = "px_slow_import_probe"
    (tmp_path / f"{name}.py").write_text(SLOW_MODULE.format(sleep=0.4), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    yield name
    sys.modules.pop(name, None)
    if hasattr(sys, "_px_slow_registered"):
        del sys._px_slow_registered


def test_8_a_budget_running_out_during_an_import_waits_for_it_and_later_pages_work(slow_module):
    import importlib

    from parallax.stages.limits import page_budget

    t0 = time.monotonic()
    with pytest.raises(InputRejected) as exc, page_budget("first.txt", seconds=0.1):
        importlib.import_module(slow_module)  # the budget runs out in the middle of this import
    assert exc.value.code == "PX109" and exc.value.input == "first.txt"
    assert time.monotonic() - t0 < 5
    mod = sys.modules[slow_module]  # the import was let finish: the module is whole
    assert mod.READY is True
    with page_budget("second.txt", seconds=5):  # the next page imports it again (a no-op) and goes on
        assert importlib.import_module(slow_module).READY is True


def test_8_the_budget_still_interrupts_ordinary_work_after_an_import():
    from parallax.stages.limits import page_budget

    t0 = time.monotonic()
    with pytest.raises(InputRejected) as exc, page_budget("slow.txt", seconds=0.1):
        while time.monotonic() - t0 < 3:
            sum(range(1000))
    assert exc.value.code == "PX109" and time.monotonic() - t0 < 1.5


def test_8_an_embedder_interrupted_while_loading_is_loaded_whole_by_the_next_page(monkeypatch):
    """The model's session and tokenizer are kept together: an interruption between the two loads leaves
    neither set (the next page loads both), never a session without its tokenizer (an AssertionError)."""
    from parallax.text import embed as E

    embedder = E.OnnxEmbedder(verify=False)
    e = embedder.encoder  # the one encoder pass (text/encoder.py) holds the session and the tokenizer
    real = e._load
    calls = []

    def interrupted_once():
        calls.append(1)
        got = real()
        if len(calls) == 1:
            raise KeyboardInterrupt  # as the budget's exception would, after the session was made
        return got

    monkeypatch.setattr(e, "_load", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        e.warm_up()
    assert e._session is None and e._tokenizer is None
    assert embedder.embed(["The harbour board approved the plan."]).shape == (1, E.DIM)


# ---- #7 a multi-megabyte prose page is briefed: cleaning and splitting go no further than the sentence cap ----

TOWNS = ["Arvel", "Saltmere", "Korrin", "Vessa", "Daleport", "Minton"]
OBJECTS = ["the harbour plan", "a new quay", "the ferry timetable", "the school budget", "a bridge repair"]


def _prose_page(paragraphs: int) -> str:
    """A long fictional report: three-sentence paragraphs, a section headline every seventh (each one a
    place a glued story could open), a long paragraph every eleventh (what a squashed story looks like)."""
    out = ["The Arvel harbour plan, week by week"]
    for k in range(1, paragraphs + 1):
        town, what = TOWNS[k % len(TOWNS)], OBJECTS[k % len(OBJECTS)]
        sentence = (f"The council of {town} discussed {what} at meeting {k}, officials said. "
                    f"About {k % 90 + 10} residents attended and {k % 7 + 2} of them spoke. "
                    f"A decision on {what} is due next month, the mayor of {town} told reporters.")
        if k % 7 == 0:
            out.append(f"Meeting {k} in {town}")
        out.append(sentence * (4 if k % 11 == 0 else 1))
    return "\n\n".join(out)


def _count_work(monkeypatch):
    from parallax.stages import split as split_mod
    from parallax.text import embed as embed_mod

    seen = {"embedded": 0, "split": 0}
    real_embed, real_split = embed_mod.embed, split_mod.split_paragraph

    def embed(texts):
        seen["embedded"] += len(texts)
        return real_embed(texts)

    def split_paragraph(text, language="en"):
        seen["split"] += 1
        return real_split(text, language)

    monkeypatch.setattr(embed_mod, "embed", embed)
    monkeypatch.setattr(split_mod, "split_paragraph", split_paragraph)
    return seen


@pytest.mark.parametrize("paragraphs", [300, 1200])
def test_7_a_page_past_the_sentence_cap_costs_what_a_page_at_the_cap_costs(monkeypatch, paragraphs):
    """The glued-story finder embeds, and the splitter splits, only the paragraphs of about the first
    `max_sentences` sentences: the work is the same for a page 4x as long (it was linear in its length, and a
    2 MB page ran past its time budget, PX109)."""
    from parallax.pipeline import prepare
    from parallax.stages.read import article_from_text

    seen = _count_work(monkeypatch)
    cap = 60
    with use(Settings().replace(limits={"max_sentences": cap})):
        (a,), errors = prepare([article_from_text(_prose_page(paragraphs), id="long", input="long.txt")])
    assert errors == []
    assert len(a.content_sentences()) == cap
    # embedded: the head, the title, the segments' openings and the body paragraphs of the window only
    assert 0 < seen["embedded"] <= 3 * cap, seen
    assert seen["split"] <= cap + 2, seen  # paragraphs of three sentences: about cap / 3 of them split
    limits = a.meta["limits"]
    assert limits["briefed"] == cap
    assert abs(limits["sentences"] - 3 * paragraphs - paragraphs // 11 * 9) <= paragraphs // 7 + 3  # about all


def test_7_glued_stories_are_still_found_within_the_window():
    from parallax.stages.clean.topic import briefed_paragraphs, find_glued_stories

    article = ["The harbour board of Arvel approved a plan for a new quay on Monday, officials said.",
               "Work on the quay starts in spring and should take two years, the board's chair said.",
               "Fishermen had asked for more moorings for a decade, a spokesperson for the harbour said.",
               "The plan also adds a ferry berth and a fish market beside the quay, the chair added."]
    glued = ["Storm closes mountain pass",
             "HEAVY SNOW: The mountain pass above Korrin was closed on Tuesday after a night of heavy snow, and "
             "drivers were told to wait in the valley until the ploughs had cleared the road, police said."]
    paragraphs = article + glued
    assert find_glued_stories(paragraphs, "Arvel approves new quay", strict=False) != []
    # past the window (the cap is reached in the article) nothing is embedded or cut
    assert briefed_paragraphs(paragraphs, 2) == 2
    assert find_glued_stories(paragraphs, "Arvel approves new quay", strict=False, max_sentences=2) == []


def test_7_a_generated_megabyte_page_is_briefed_within_a_small_budget(monkeypatch):
    """A 1 MB prose page (about 12,000 sentences) under a budget that a page at the cap fits in."""
    from parallax.pipeline import prepare
    from parallax.stages.read import article_from_text

    page = _prose_page(4200)
    assert len(page) > 1_000_000
    with use(Settings().replace(limits={"max_sentences": 60, "page_seconds": 60.0})):
        t0 = time.monotonic()
        (a,), errors = prepare([article_from_text(page, id="big", input="big.txt")])
    assert errors == [] and len(a.content_sentences()) == 60
    assert time.monotonic() - t0 < 60


# ---- #10 reading: a stray NUL, legacy Central European and Greek encodings, dates that are no dates -----------

PARA = ("The harbour board of Arvel approved a plan worth 400 thousand crowns on Monday, officials said. "
        "Work on the new quay starts in the spring, the mayor told reporters.")


def test_10_one_nul_byte_does_not_make_a_text_page_binary(tmp_path):
    from parallax.stages.read import read_paths

    p = tmp_path / "nul.txt"
    p.write_bytes((PARA + "\n\n").encode() + b"A stray \x00 byte from a broken scraper.\n\n" + PARA.encode())
    (a,), errors = read_paths([p])
    assert errors == [] and "\x00" not in a.raw and "A stray  byte" in a.raw


def test_10_a_binary_file_without_a_magic_number_is_still_binary(tmp_path):
    from parallax.stages.read import read_paths

    p = tmp_path / "blob.txt"
    p.write_bytes(b"header" + bytes([0, 0, 0, 7, 1, 0, 2, 0]) * 200 + PARA.encode())
    assert [e.code for e in read_paths([p])[1]] == ["PX103"]


LEGACY = {
    "cs": ("Vláda schválila v pondělí nový plán na opravu přístavu. Podle ministra dopravy budou práce stát "
           "přes dvě stě milionů korun a začnou na jaře, řekl mluvčí radnice. Obyvatelé žádali opravu léta."),
    "el": ("Η κυβέρνηση ενέκρινε τη Δευτέρα νέο σχέδιο για την επισκευή του λιμανιού. Σύμφωνα με τον υπουργό, "
           "οι εργασίες θα κοστίσουν πάνω από διακόσια εκατομμύρια ευρώ και θα ξεκινήσουν την άνοιξη."),
    "pl": ("Rząd zatwierdził w poniedziałek nowy plan naprawy portu. Według ministra prace będą kosztować "
           "ponad dwieście milionów złotych i rozpoczną się wiosną, powiedział rzecznik."),
    "hu": ("A kormány hétfőn jóváhagyta a kikötő felújításának új tervét. A miniszter szerint a munkálatok "
           "több mint kétszáz millió forintba kerülnek, és tavasszal kezdődnek."),
    "fr": ("Le gouvernement a approuvé lundi un nouveau plan de rénovation du port. Selon le ministre, les "
           "travaux coûteront plus de deux cents millions d'euros et commenceront au printemps, a-t-il déclaré."),
    "de": ("Die Regierung hat am Montag einen neuen Plan zur Sanierung des Hafens gebilligt. Die Arbeiten "
           "werden über zweihundert Millionen Euro kosten und im Frühjahr beginnen. Größere Schäden folgen."),
    "es": ("El gobierno aprobó el lunes un nuevo plan para la reparación del puerto. Según el ministro, las "
           "obras costarán más de doscientos millones y comenzarán en primavera. «Es un día histórico», añadió."),
}


@pytest.mark.parametrize(("lang", "enc"), [
    ("cs", "cp1250"), ("cs", "iso8859_2"), ("el", "cp1253"), ("el", "iso8859_7"), ("pl", "cp1250"),
    ("pl", "iso8859_2"), ("hu", "cp1250"), ("fr", "cp1252"), ("de", "cp1252"), ("es", "cp1252"), ("fr", "latin-1"),
])
def test_10_legacy_encodings_are_read_as_written_not_as_cp1252_mojibake(lang, enc):
    from parallax.stages.read import decode_bytes

    text = LEGACY[lang]
    assert decode_bytes(text.encode(enc), f"{lang}.txt") == text  # Czech was "pondìlí … pøístavu"


def test_10_short_czech_is_not_read_as_western():
    from parallax.stages.read import decode_bytes

    assert decode_bytes("Přístav byl uzavřen.".encode("cp1250"), "cs.txt") == "Přístav byl uzavřen."


def test_10_a_cp1252_reading_whose_words_fit_no_language_is_warned_about(caplog, monkeypatch):
    """When no other reading fits (here: none is offered), Windows-1252 is kept, with a warning that names
    the input: its accented words fit no one language."""
    import logging

    from parallax.stages.read import decode_bytes
    from parallax.text import legacy

    garbled = "Pøístav byl uzavøen a pøístaviš tì zavøeli, øekl mluvèí; høištì a nádraží také."
    assert legacy.fit(garbled, legacy.WESTERN) < Settings().read.legacy_fit
    monkeypatch.setattr(legacy, "CANDIDATES", [("cp1252", legacy.WESTERN)])
    with caplog.at_level(logging.WARNING, logger="parallax.stages.read"):
        assert decode_bytes(garbled.encode("cp1252"), "garbled.txt") == garbled
    assert any("mojibake" in r.getMessage() and "garbled.txt" in r.getMessage() for r in caplog.records)


def _records(tmp_path):
    p = tmp_path / "feed.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"id": "good", "text": PARA, "published": "2026-05-01"},
        {"id": "typo", "text": PARA.replace("400", "500"), "published": "2026-13-45"},
        {"id": "words", "text": PARA.replace("400", "600"), "date": "yesterday evening"},
    ]), encoding="utf-8")
    return p


def test_10_an_invalid_publication_date_is_warned_about_by_brief(tmp_path):
    from click.testing import CliRunner

    from parallax.cli import main

    r = CliRunner().invoke(main, ["brief", str(_records(tmp_path)), "--format", "json"])
    assert r.exit_code == 0, r.output
    warnings = [line for line in r.stderr.splitlines() if line.startswith("parallax: warning PX106")]
    assert len(warnings) == 2
    assert "'2026-13-45'" in warnings[0] and "feed.jsonl:2" in warnings[0] and "kept without" in warnings[0]
    assert "'yesterday evening'" in warnings[1]


def test_10_an_invalid_publication_date_is_an_ingest_warning(tmp_path):
    from click.testing import CliRunner

    from parallax.cli import main

    db = str(tmp_path / "desk.db")
    r = CliRunner().invoke(main, ["ingest", str(_records(tmp_path)), "--db", db, "--no-progress", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["new"] == 3
    assert [(w["code"], "2026-13-45" in w["reason"]) for w in summary["warnings"]] == [("PX106", True), ("PX106", False)]
    assert r.stderr.count("warning PX106") == 2
    strict = CliRunner().invoke(main, ["ingest", str(_records(tmp_path)), "--db", str(tmp_path / "b.db"),
                                       "--no-progress", "--strict"])
    assert strict.exit_code == 1  # --strict counts warnings
