"""parallax.stages.clean: each kind of page noise is removed with its kind; every paragraph of the article stays.

The pages in tests/fixtures/ferry are written for these tests (a fictional ferry grounding in a fictional
country); reprint.txt carries the noise of a scraped regional news site.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from parallax.stages.clean import REMOVAL_KINDS, clean_article, clean_text
from parallax.stages.read import read_paths

FERRY = Path(__file__).resolve().parent / "fixtures" / "ferry"


def _paragraphs(path) -> list[str]:
    return [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def reprint():
    (a,), errors = read_paths([FERRY / "reprint.txt"])
    assert errors == []
    return clean_article(a)


@pytest.fixture(scope="module")
def rewrite():
    (a,), _ = read_paths([FERRY / "rewrite.txt"])
    return clean_article(a)


@pytest.fixture(scope="module")
def independent():
    (a,), _ = read_paths([FERRY / "independent.txt"])
    return clean_article(a)


def _kind_of(article, needle: str) -> list[str]:
    return [r.kind for r in article.removed if needle in r.text]


REPRINT_NOISE = [
    ("site_header", "THE EDERLY ECHO"),
    ("site_header", "Your coast, your voice since 1956"),
    ("timestamp", "14 June 2026, 08:40"),
    ("media_player", "0:00"),
    ("media_player", "2:05"),
    ("media_player", "×"),
    ("photo_credit", "Photo: Lena Marsh/Northwind Wire"),
    ("related", "Related stories"),
    ("related", "Marrow Key music festival sells out in record time"),
    ("related", "Fish prices climb as cold spring keeps boats in port"),
    ("disclaimer", "drafted with an artificial intelligence tool"),
    ("author_bio", "Mira Castellan is a senior reporter"),
    ("share", "Share this article"),
    ("share", "Share: Facebook | X | WhatsApp | Email"),
    ("unrelated_story", "Vellmar doubles grants for hedgerow planting"),
    ("unrelated_story", "agriculture minister, Odile Fenwick"),
    ("unrelated_story", "Teachers in Vellmar vote on new pay offer"),
    ("unrelated_story", "its members could walk out before the"),
    ("comments", "14 Comments"),
    ("comments", "Glad everyone got off safely"),
    ("comments", "Those buoys have been in the wrong place"),
    ("comments", "Load more comments"),
]


@pytest.mark.parametrize(("kind", "needle"), REPRINT_NOISE, ids=[f"{k}:{n[:24]}" for k, n in REPRINT_NOISE])
def test_reprint_noise_is_removed_with_its_kind(reprint, kind, needle):
    assert needle in reprint.raw
    assert needle not in reprint.text
    assert kind in _kind_of(reprint, needle), [(r.kind, r.text[:60]) for r in reprint.removed]


@pytest.mark.parametrize(("kind", "needle"), [
    ("navigation", "Home » World » Travel"),
    ("subscribe", "Sign up for our free morning briefing."),
    ("related", "Celebrity Chef Opens Floating Restaurant"),
    ("related", "Study Finds Dogs Sleep Better Near The Coast"),
    ("media_player", "Close"),
])
def test_rewrite_noise_is_removed_with_its_kind(rewrite, kind, needle):
    assert needle not in rewrite.text
    assert kind in _kind_of(rewrite, needle)


@pytest.mark.parametrize(("kind", "needle"), [
    ("byline", "By Tomasz Harrowby"),
    ("author_bio", "Tomasz Harrowby is a reporter for the Marrow Key Chronicle"),
    ("comments", "Leave a Reply"),
    ("comments", "Your email address will not be published."),
])
def test_independent_noise_is_removed_with_its_kind(independent, kind, needle):
    assert needle not in independent.text
    assert kind in _kind_of(independent, needle)


def test_every_article_paragraph_and_heading_of_the_reprint_is_kept(reprint):
    wire_paras = _paragraphs(FERRY / "wire.txt")[1:]  # the wire page without its headline line
    assert "Investigators head to the shoal" in wire_paras
    for para in wire_paras:
        para = para.replace("PORT EDERLY, Vellmar —", "PORT EDERLY, Vellmar (Northwind Wire) —")
        assert para in reprint.text, para
    # A late, loosely related paragraph of the article itself (the operator's business) is not a glued story.
    assert "carried 1.3 million passengers on its routes last year" in reprint.text
    assert not [r for r in reprint.removed if "1.3 million passengers" in r.text]


def test_cleaned_reprint_keeps_article_order_and_nothing_else(reprint):
    kept = [p for p in reprint.text.split("\n\n") if p.strip()]
    wire_paras = _paragraphs(FERRY / "wire.txt")[1:]
    # The reprint holds the wire's paragraphs, in order, plus one late paragraph of its own.
    assert len(kept) == len(wire_paras) + 1
    assert kept[-1].startswith("Saltwind Ferries, which is owned by the Port Ederly harbour council")


def test_rewrite_and_independent_paragraphs_and_headings_are_kept(rewrite, independent):
    for path, art in ((FERRY / "rewrite.txt", rewrite), (FERRY / "independent.txt", independent)):
        for para in _paragraphs(path):
            first = para.splitlines()[0]
            if not any(first in r.text for r in art.removed) and first != art.title:
                assert para in art.text, para
    assert "Dredging was put off twice" in independent.text
    assert "Coastguard officials hope to float the ship free" in rewrite.text
    assert "Island shopkeepers said they feared a long suspension" in independent.text


def test_titles_are_found_on_the_page(reprint, rewrite, independent):
    assert reprint.title == "Ferry runs aground off Port Ederly, two crew members hurt"
    assert rewrite.title == "Terrifying Ordeal As Stricken Ferry Smashes Into Sandbank"
    assert independent.title.startswith("Passengers describe jolt")
    for a in (reprint, rewrite, independent):
        assert a.title not in a.text


def test_removal_offsets_point_into_raw(reprint, rewrite, independent):
    for a in (reprint, rewrite, independent):
        assert a.removed
        for r in a.removed:
            assert a.raw[r.start : r.end] == r.text, r
            assert r.kind in REMOVAL_KINDS
            assert r.reason


def test_removals_do_not_overlap_and_are_in_page_order(reprint):
    spans = [(r.start, r.end) for r in reprint.removed]
    assert spans == sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_every_word_of_the_page_is_kept_or_removed(reprint):
    # Each non-blank line of the page is in the cleaned text, in a removal, or is the headline.
    for line in reprint.raw.splitlines():
        line = line.strip()
        if not line:
            continue
        assert line in reprint.text or any(line in r.text for r in reprint.removed) or line == reprint.title, line


def test_clean_article_removes_nothing(fixtures_dir):
    raw = (fixtures_dir / "ferry" / "wire.txt").read_text(encoding="utf-8")
    text, removed, title = clean_text(raw)
    assert removed == []
    assert title == "Ferry runs aground off Port Ederly, two crew members hurt"
    assert text == "\n\n".join(_paragraphs(fixtures_dir / "ferry" / "wire.txt")[1:])


@pytest.mark.parametrize("name", ["rate-a.txt", "rate-b.txt"])
def test_short_clean_articles_remove_nothing(fixtures_dir, name):
    raw = (fixtures_dir / "bank" / name).read_text(encoding="utf-8")
    text, removed, _ = clean_text(raw)
    assert removed == []
    assert text.count("\n\n") == len(_paragraphs(fixtures_dir / "bank" / name)) - 2


def test_glued_story_detection_can_be_switched_off(fixtures_dir):
    raw = (fixtures_dir / "ferry" / "reprint.txt").read_text(encoding="utf-8")
    text, removed, _ = clean_text(raw, detect_glued=False)
    assert "unrelated_story" not in {r.kind for r in removed}
    assert "agriculture minister, Odile Fenwick" in text


def test_a_glued_story_in_the_same_country_is_cut_but_the_article_end_is_not():
    raw = "\n\n".join([
        "Storm floods the old town of Brisa",
        "Heavy rain flooded dozens of streets in the old town of Brisa on Monday night, and firefighters "
        "pumped water out of more than 80 cellars, the city council said.",
        "The river Ondel rose by almost two metres in six hours after a storm stalled over the hills north "
        "of the city, according to the national weather office.",
        "Three schools in the old town stayed closed on Tuesday while cleaners removed mud from their ground "
        "floors, and the council said the schools would reopen on Thursday.",
        "The council said the flood defences built along the Ondel in 2019 had held, but that the drains in "
        "the old town could not cope with so much rain falling so quickly.",
        "Tessaly’s tax office to close regional branches",
        "Tessaly’s finance ministry said on Friday it would close eleven regional tax offices by the end of "
        "next year and move their staff to a new call centre in the capital, a plan that unions said would "
        "cost hundreds of jobs in small towns where the offices are among the largest employers and where",
    ])
    text, removed, _ = clean_text(raw)
    glued = [r for r in removed if r.kind == "unrelated_story"]
    assert any("eleven regional tax offices" in r.text for r in glued)
    assert any("Tessaly’s tax office to close regional branches" in r.text for r in glued)
    assert "flood defences built along the Ondel in 2019 had held" in text
    assert "tax office" not in text


def test_comments_right_after_a_related_list_are_removed():
    raw = "\n".join([
        "Storm floods the old town of Brisa",
        "Heavy rain flooded dozens of streets in the old town of Brisa on Monday night, and firefighters "
        "pumped water out of more than 80 cellars, the city council said.",
        "The river Ondel rose by almost two metres in six hours after a storm stalled over the hills north "
        "of the city, according to the national weather office.",
        "Three schools in the old town stayed closed on Tuesday while cleaners removed mud from their floors.",
        "Related stories",
        "Brisa opens its new river museum",
        "Football club names new coach",
        "3 Comments",
        "Ana P. · 1 hour ago",
        "The firefighters were out on our street all night and never stopped working, thank you all.",
        "Reply",
    ])
    text, removed, _ = clean_text(raw, detect_glued=False)
    assert "never stopped working" not in text
    assert "comments" in {r.kind for r in removed if "never stopped working" in r.text}


def test_kinds_of_all_removals_are_known(reprint, rewrite, independent):
    for a in (reprint, rewrite, independent):
        assert {r.kind for r in a.removed} <= set(REMOVAL_KINDS)


def test_no_removal_holds_an_article_sentence(reprint):
    wire_text = (FERRY / "wire.txt").read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[.”])\s+", wire_text) if len(s.split()) > 8]
    for r in reprint.removed:
        for s in sentences:
            assert s.strip() not in r.text, (r.kind, s)
