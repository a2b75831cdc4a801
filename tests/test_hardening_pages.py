"""Issue 22, one page at a time: each defect reproduced and now handled. Numbers in the test names are the
issue's items (7: a large prose page; 8: a time budget inside an import; 10: reading leftovers)."""

from __future__ import annotations

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

    e = E.OnnxEmbedder(verify=False)
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
    assert e.embed(["The harbour board approved the plan."]).shape == (1, E.DIM)


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

    def split_paragraph(text):
        seen["split"] += 1
        return real_split(text)

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
