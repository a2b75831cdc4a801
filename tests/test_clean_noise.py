"""Page-level noise that extractors keep in an article's body is removed as whole blocks, with its kind (#13).

tests/fixtures/noise/wire_page.html is a fictional page written for these tests: a timestamp line, a byline
line, an agency's trust-principles footer, a self-promoting author bio, a newsroom contact line, a call to
join a club and an unrelated story glued on after the article. The product's path reads and cleans it
(`stages.read` + `clean_article`); prose that merely looks like noise stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.model import Article
from parallax.stages.clean import clean_article, clean_articles, clean_text, noise, site_boilerplate
from parallax.stages.clean.site import fingerprint, site_key
from parallax.stages.read import article_from_text

PAGE = Path(__file__).resolve().parent / "fixtures" / "noise" / "wire_page.html"

ARTICLE = [
    "Dockers at Port Arvel walked off the job on Monday morning",
    "four night shifts in a row instead of two",
    "A spokeswoman for the port authority, Ines Calloway",
    "refrigerated containers cannot wait long on the quay",
    "The regional transport minister, Haldor Wenn",
    "Dockers last stopped work at Port Arvel in 2019",
]
NOISE = [
    ("timestamp", "Updated 14 June 2026, 09:12 CEST · 3 hours ago"),
    ("byline", "By Tomas Reyes, Staff Reporter | Northwind Wire | 14 June 2026"),
    ("standards", "The Northwind Wire Trust Principles"),
    ("author_bio", "Hi friends, I'm Dale Rourke"),
    ("contact", "tips@coastline-daily.example"),
    ("subscribe", "Join our Coast Readers club"),
]
GLUED_HEADLINE = "Mountain village celebrates record cheese harvest"
GLUED_LAST = "the fair's brass band played until midnight on the village square, the organisers said."


@pytest.fixture(scope="module")
def page() -> Article:
    return clean_article(article_from_text(PAGE.read_text(encoding="utf-8"), html=True, input=PAGE.name))


@pytest.mark.parametrize(("kind", "needle"), NOISE, ids=[k for k, _ in NOISE])
def test_each_noise_line_is_removed_whole_with_its_kind(page: Article, kind: str, needle: str) -> None:
    assert needle not in page.text
    hits = [r for r in page.removed if needle in r.text]
    assert [r.kind for r in hits] == [kind], [(r.kind, r.text[:60]) for r in page.removed]
    (r,) = hits
    # the whole line goes, not a piece of it
    line = next(x for x in page.raw.splitlines() if needle in x).strip()
    assert r.text == line and r.reason


@pytest.mark.parametrize("needle", ARTICLE)
def test_every_paragraph_of_the_article_stays(page: Article, needle: str) -> None:
    assert needle in page.text


def test_the_headline_is_found_and_not_in_the_body(page: Article) -> None:
    assert page.title == "Harbour cranes stop as Port Arvel dockers strike over night shifts"
    assert page.text.startswith("Dockers at Port Arvel walked off the job")


def test_a_glued_story_is_removed_whole_from_its_headline_to_its_end(page: Article) -> None:
    glued = [r for r in page.removed if r.kind == "unrelated_story"]
    assert len(glued) == 1, [(r.kind, r.text[:60]) for r in page.removed]
    (g,) = glued
    assert g.text.startswith(GLUED_HEADLINE)
    assert g.text.endswith(GLUED_LAST)
    assert "forty tonnes of hard cheese" in g.text and "two new cellars" in g.text
    for piece in (GLUED_HEADLINE, "forty tonnes", "two new cellars", "brass band"):
        assert piece not in page.text


def test_removal_offsets_point_at_the_removed_text(page: Article) -> None:
    last = 0
    for r in page.removed:
        assert page.raw[r.start : r.end] == r.text
        assert r.start >= last
        last = r.end


# ---- the same noise in a plain-text scrape ------------------------------------------------------------------

LEAD = ("Dockers at Port Arvel walked off the job on Monday morning, leaving eleven container ships waiting at "
        "anchor after talks over a new night-shift roster broke down late on Sunday, the dockers' union said.")
BODY = [
    "The union said the port authority wanted crews to work four night shifts in a row instead of two, and that "
    "its members had voted by a large majority to stop work until the plan was withdrawn.",
    "A spokeswoman for the port authority said the new roster was needed to clear a backlog of ships that had "
    "built up during the spring storms, and that the authority remained open to talks.",
    "Shipping agents said the strike could cost exporters of frozen fish and timber several million crowns a "
    "day if it lasted beyond the week.",
]
STORY_B = [
    "Mountain village celebrates record cheese harvest",
    "Cheesemakers in the mountain village of Oberlind sold more than forty tonnes of hard cheese at their "
    "autumn fair, a record for the co-operative, which was founded by six farming families in 1921.",
    "The co-operative's chairwoman said demand from restaurants in the capital had doubled since a television "
    "cookery programme filmed in the village last winter.",
]
STORY_C = [
    "Students build a solar boat for the summer regatta",
    "A team of twelve engineering students at the technical college in Velden has built a boat powered only "
    "by solar panels and hopes to sail it across the lake at the summer regatta in July.",
    "Their teacher said the hull was made from recycled sails and that the boat could reach nine knots on a "
    "clear afternoon, fast enough to beat most of the rowing crews.",
]


def test_two_glued_stories_in_a_text_page_are_two_whole_removals() -> None:
    raw = "\n\n".join(["Harbour cranes stop as Port Arvel dockers strike", LEAD, *BODY, *STORY_B, *STORY_C])
    text, removed, _ = clean_text(raw)
    glued = [r for r in removed if r.kind == "unrelated_story"]
    assert [g.text.split("\n")[0] for g in glued] == [STORY_B[0], STORY_C[0]], [(r.kind, r.text[:50]) for r in removed]
    assert glued[0].text.endswith(STORY_B[-1]) and glued[1].text.endswith(STORY_C[-1])
    assert all(p in text for p in [LEAD, *BODY])
    assert "cheese" not in text and "solar" not in text


# ---- the detectors, one kind at a time: what they take and what they leave ---------------------------------

POSITIVE = [
    ("timestamp", "June 4, 2026 10:32 AM EDT"),
    ("timestamp", "Published 08:15 GMT, Tuesday 3 March 2026 | Updated 2 hours ago"),
    ("timestamp", "Last updated: 12 minutes ago"),
    ("byline", "By Mara Lindqvist and Joel Okafor, Associated Correspondents"),
    ("byline", "Reporting by Anil Dasari; Editing by Petra Holm"),
    ("byline", "Kasia Brandt | Staff Writer"),
    ("standards", "Our Standards: The Harbourline Agency Trust Principles."),
    ("standards", "Read about our editorial standards and corrections policy."),
    ("author_bio", "Hello there, I'm Rex Tolland. The legacy media will never tell you what I tell you. "
                   "Subscribe to my channel and join my patriots club."),
    ("author_bio", "Nadia Ferrow is a senior correspondent who covers energy and climate for the agency."),
    ("contact", "Questions or corrections? Email news@valley-post.example"),
    ("subscribe", "Subscribe to our free weekly digest of regional news."),
    ("subscribe", "Become a member today and support independent local reporting through our club."),
]
NEGATIVE = [
    "By Monday the river had risen two metres, and the council said it would open two more shelters.",
    "The minister said on 14 June 2026 at 09:00 that the talks would resume within a week.",
    "Residents who want to join the clean-up can sign up at the town hall, the mayor said on Tuesday.",
    "The agency said in a statement that it was committed to accuracy and would review the figures.",
    "“I'm Dale, and I have lived on this street for forty years,” one neighbour said as the water rose.",
    "The ministry said it had received more than 300 e-mails from residents about the plan.",
    "From Monday, buses will run every ten minutes between the harbour and the station.",
    "The strike began on June 4.",
    "Jane Ortiz, the port's chief engineer, said the cranes would be checked before work resumed.",
    "Anyone who saw the crash is asked to contact the police at witnesses@arvel-police.example.",
]


@pytest.mark.parametrize(("kind", "line"), POSITIVE, ids=[f"{k}:{t[:20]}" for k, t in POSITIVE])
def test_noise_detectors_take_their_kind(kind: str, line: str) -> None:
    found = noise.classify(line)
    assert found is not None and found[0] == kind, found


@pytest.mark.parametrize("line", NEGATIVE, ids=[t[:24] for t in NEGATIVE])
def test_noise_detectors_leave_prose_alone(line: str) -> None:
    assert noise.classify(line) is None


# ---- repetition across one site's pages ---------------------------------------------------------------------

FOOTER = "Coastline Daily is an independent newspaper owned by its readers."
CALL = "Tell us what you think on the letters page."


def _site_page(n: int, lead: str, extra: list[str] | None = None) -> str:
    return "\n".join(["Coastline Daily", f"Story number {n} of the week", lead, *(extra or []), CALL, FOOTER])


LEADS = [
    "The council approved a new cycle lane along the harbour road on Tuesday after a two-year dispute with shop "
    "owners, who feared it would take away parking spaces in front of their stores.",
    "A fishing boat with four crew was towed back to port after its engine failed in heavy seas, the coast "
    "guard said, adding that nobody had been hurt during the night.",
    "The town's only cinema will reopen in September after a year of repairs paid for by a crowd-funding "
    "campaign that raised more than twice its target in a month.",
    "Water rates will rise by four percent next year, the utility said, blaming the cost of replacing pipes "
    "laid more than a century ago under the old town.",
]


def test_site_boilerplate_finds_blocks_on_many_pages_of_one_site() -> None:
    pages = [_site_page(i, lead) for i, lead in enumerate(LEADS)]
    found = site_boilerplate(pages)
    assert fingerprint(FOOTER) in found and fingerprint(CALL) in found and fingerprint("Coastline Daily") in found
    assert not any(fingerprint(lead) in found for lead in LEADS)
    # numbers are ignored: "Story number 1 of the week" and "... 2 ..." are one block
    assert fingerprint("Story number 0 of the week") in found


def test_versions_of_one_story_count_as_one_page() -> None:
    # The same story three times (updates) and one other page: the shared paragraph is not boilerplate.
    background = ("The harbour road has been closed to lorries since March, when a survey found cracks in the "
                  "old sea wall that runs beneath it, and repairs are due to finish in the autumn.")
    pages = [_site_page(1, LEADS[0], [background]), _site_page(2, LEADS[0], [background]),
             _site_page(3, LEADS[0], [background]), _site_page(4, LEADS[1])]
    assert site_boilerplate(pages) == frozenset()  # two distinct stories are too few to call anything boilerplate
    pages.append(_site_page(5, LEADS[2]))
    found = site_boilerplate(pages)
    assert fingerprint(FOOTER) in found
    assert fingerprint(background) not in found and fingerprint(LEADS[0]) not in found


def test_too_few_pages_give_no_boilerplate() -> None:
    assert site_boilerplate([_site_page(1, LEADS[0]), _site_page(2, LEADS[1])]) == frozenset()


def test_clean_articles_removes_a_sites_repeated_blocks_with_the_reason() -> None:
    arts = [Article(id=f"a{i}", raw=_site_page(i, lead, [LEADS[(i + 1) % 4]]), url=f"https://www.coastline.example/{i}")
            for i, lead in enumerate(LEADS)]
    other = Article(id="b", raw="\n".join([LEADS[0], FOOTER]), url="https://other.example/x")
    clean_articles([*arts, other])
    for a in arts:
        assert FOOTER not in a.text and CALL not in a.text
        assert any(FOOTER in r.text and "repeated on many of this site's pages" in r.reason for r in a.removed)
        assert a.raw.split("\n")[2] in a.text  # the article's own lead stays
    assert site_key("https://www.coastline.example/1") == "coastline.example"
    assert "repeated on many" not in " ".join(r.reason for r in other.removed)  # one page of its site


def test_a_bio_like_sentence_inside_the_article_is_news_and_stays() -> None:
    detained = ("Lena Marsh is a freelance journalist who was held for two days at the border after "
                "photographing the protest, her lawyer said on Tuesday.")
    bio = "Petra Holm is a staff writer who covers courts and crime for the paper."
    raw = "\n\n".join(["Journalist freed after two days at the border", LEAD, detained, *BODY, bio])
    text, removed, _ = clean_text(raw, detect_glued=False)
    assert detained in text
    assert bio not in text and [r.kind for r in removed if bio in r.text] == ["author_bio"]
