"""The cross-check's judge-made decisions on a fictional story of our own (the Merrow Lark ferry fire in the port
of Quellstead: invented ship, port, people and outlets, written for these tests).

Two independent reports state the same facts in different words; one report carries a claim nobody else makes;
the two disagree on how many cabins burned; a follow-up a day later reports a count that rose (an update).
"""

from __future__ import annotations

import pytest

from parallax.pipeline import brief_records
from parallax.stages.crosscheck import is_specific, same_fact, slot_tests, stance, supported

GAZETTE = (
    "A fire broke out on the passenger ferry Merrow Lark in the port of Quellstead on Tuesday morning. "
    "About 240 passengers were taken off the ship in lifeboats, the port authority said. "
    "The fire damaged 14 cabins on the upper deck, according to the port authority. "
    "Five passengers were treated for smoke inhalation at the quayside. "
    "The ferry operator, Lindqvist Sound Lines, said it would refund every passenger's ticket in full."
)
RADIO = (
    "Smoke poured from the Merrow Lark in Quellstead harbour on Tuesday morning. "
    "Crews evacuated some 240 people from the ferry by lifeboat. "
    "Nineteen cabins on the upper deck were damaged by the blaze, the harbour fire service said. "
    "Firefighters from three stations brought the fire under control within two hours. "
    "The cause of the fire is not yet known, a fire service spokesperson said."
)
FOLLOW_UP = (
    "The number of Merrow Lark passengers treated for smoke inhalation rose to 12 on Wednesday from five on "
    "Tuesday, the regional health board said. "
    "Investigators boarded the ferry at its berth in Quellstead on Wednesday to look for the cause of the fire. "
    "The ship will not sail again before the inspection is finished, the port authority said."
)


@pytest.fixture(scope="module")
def story():
    brief = brief_records([
        {"id": "gazette", "source": "Quellstead Gazette", "title": "Fire on the ferry Merrow Lark", "text": GAZETTE},
        {"id": "radio", "source": "Coastline Radio", "title": "Ferry evacuated after fire", "text": RADIO},
        {"id": "follow-up", "source": "Northshore Herald", "title": "More ferry passengers treated",
         "text": FOLLOW_UP},
    ], single_story=True, length="full")
    assert not brief.errors
    groups = {a.id: a.group for a in brief.articles}
    assert len(set(groups.values())) == 3, groups  # three independent origins
    return brief.stories[0]


def _facts_with(story, words: str):
    return [f for f in story.facts if words.lower() in f.text.lower()]


def test_paraphrased_corroboration_is_counted(story):
    """"About 240 passengers were taken off the ship in lifeboats" and "Crews evacuated some 240 people from the
    ferry by lifeboat" are one fact stated by two independent origins."""
    facts = [f for f in story.facts if "240" in f.text]
    assert facts, [f.text for f in story.facts]
    assert any(f.support == 2 and {"gazette", "radio"} <= set(f.sources) for f in facts), \
        [(f.text, f.sources, f.support) for f in facts]


def test_a_claim_made_by_one_origin_is_not_supported_twice(story):
    refund = _facts_with(story, "refund")
    assert refund, [f.text for f in story.facts]
    for f in refund:
        assert f.support == 1 and f.sources == ["gazette"], (f.sources, f.support)


def test_a_planted_numeric_dispute_is_surfaced(story):
    cabins = [d for d in story.disputes if d.kind == "number" and "cabin" in d.about]
    assert len(cabins) == 1, [(d.about, [v.value for v in d.variants]) for d in story.disputes]
    by_source = {s: v.value.lower() for v in cabins[0].variants for s in v.sources}
    assert "14" in by_source["gazette"] and "nineteen" in by_source["radio"]
    assert all(len(v.groups) == 1 for v in cabins[0].variants)


def test_an_update_is_not_a_dispute(story):
    """Five treated on Tuesday and "rose to 12 on Wednesday from five" is a change over time, not a dispute."""
    assert not [d for d in story.disputes if any("12" in v.value or "five" in v.value.lower() for v in d.variants)]
    assert not [d for d in story.disputes if d.kind == "date"]  # Tuesday's fire, Wednesday's inspection


@pytest.mark.xfail(strict=True, reason="known limitation: a paraphrase that adds two facts of its own is taken "
                   "for another fact (P(same fact) 0.29)")
def test_a_paraphrase_with_details_of_its_own_is_the_same_fact():
    assert same_fact("About 240 passengers were taken off the ship in lifeboats, the port authority said.",
                     "Crews evacuated some 240 people from the Merrow Lark by lifeboat after smoke poured from the "
                     "ferry on Tuesday morning in Quellstead harbour.")


def test_one_claim_decisions_share_the_story_rule():
    assert same_fact("About 240 passengers were taken off the ship in lifeboats.",
                     "Crews evacuated some 240 people from the ferry by lifeboat.")
    assert not same_fact("About 240 passengers were taken off the ship in lifeboats.",
                         "The orchestra will open its winter season with a new symphony.")
    sentences = [s + "." for s in GAZETTE.split(". ")]
    assert supported("Some 240 people left the ferry in lifeboats.", sentences)
    assert not supported("The ferry operator blamed a faulty fuel pump for the fire.", sentences)
    assert stance("City library extends its opening hours", sentences) == "unrelated"
    assert stance("Nineteen cabins on the ferry Merrow Lark were damaged by the fire.", sentences) == "disagree"


def test_slot_tests_skip_updates_other_years_and_other_quantities():
    assert slot_tests("The fire damaged 14 cabins.", "Nineteen cabins were damaged by the fire.")
    assert not slot_tests("Five passengers were treated.", "The number treated rose to 12 from five.")
    assert not slot_tests("About 240 passengers were evacuated.", "In 2019 about 300 passengers were evacuated.")
    assert not slot_tests("The fire damaged 14 cabins.", "The fire damaged 400 cabins.")  # an order apart
    assert not slot_tests("The fire damaged 14 cabins.", "Firefighters from 19 stations came.")


def test_a_bare_from_is_no_update_and_a_year_counts_only_in_its_own_clause():
    """"heard from 40 witnesses" reports no change, so the trial's length can still be disputed; a year in another
    clause of the sentence ("..., and that its losses had narrowed since 2021") does not make the figure a past one,
    while a year in the figure's own clause still does, and a change with its earlier figure is still an update."""
    latest = 2026
    assert slot_tests("The jury retired after a hearing lasting nine days.",
                      "The court heard from 40 witnesses over eight days.", latest)
    assert slot_tests("The ferry line said it would refit four vessels by 2028, and that its losses had narrowed "
                      "since 2021.", "A spokesman said the line would refit three vessels before the end of 2028.",
                      latest)
    assert not slot_tests("The ferry line refitted four vessels in 2021.", "The line will refit three vessels.",
                          latest)
    assert not slot_tests("The fleet grew to 14 vessels from 11.", "The line runs 12 vessels.", latest)
    assert not slot_tests("The line ran 11 vessels from 2016 to 2022.", "The line runs 14 vessels.", latest)


def test_a_share_in_words_is_a_rounded_figure():
    """"a third" stands for any share nearer to a third than to a quarter or a half (29.2-37.5 %): set against "30
    percent" it is the same share rounded, not a dispute; against 38 percent or 28 percent it still is one."""
    third = "A third of the new flats in the harbour scheme will be let at social rents."
    assert not slot_tests("Exactly 30 percent of the new flats in the harbour scheme will be let at social rents.",
                          third)
    assert slot_tests("Exactly 38 percent of the new flats in the harbour scheme will be let at social rents.", third)
    assert slot_tests("Exactly 28 percent of the new flats in the harbour scheme will be let at social rents.", third)
    assert slot_tests("Exactly 40 percent of the new flats in the harbour scheme will be let at social rents.",
                      "Half of the new flats in the harbour scheme will be let at social rents.")


def test_two_speakers_are_no_actor_dispute():
    """Issue 19, item 5: quotes or reported speech by two different people are two statements, not a "who"
    dispute; who did an act (ordered, confirmed, declared) still can be disputed."""
    assert not slot_tests("Its chair, Rutger Vane, said the committee had ignored the flood evidence.",
                          "Councillor Ines Harrow, who voted against, said the committee had ignored the flood "
                          "evidence.")
    assert not slot_tests("“We were never asked,” said harbour master Tove Lind.",
                          "“We were never asked,” said union leader Aksel Brun.")
    assert slot_tests("Regional governor Hedda Marrant ordered the evacuation of the three villages.",
                      "Fire commander Oskar Tevelin ordered the evacuation of the three villages.")


def test_a_vague_line_is_not_specific():
    """Issue 19: a commentary line ("The jury heard all of it.") was counted as support for a witness count. A
    statement with nothing checkable neither gives nor gets support across origins."""
    for vague in ("The jury heard all of it.", "By then the crew had gone.", "Other ferries have recovered.",
                  "There was no answer at the door.", "Nobody expected that."):
        assert not is_specific(vague), vague
    for specific in ("The jury heard 41 witnesses.", "Talks resume on Wednesday.", "The ferry left Quellstead.",
                     "“We are ready,” she said.", "Three cabins were damaged by the fire on the upper deck.",
                     # a count of none of the hurt or dead is a figure
                     "There were no injuries.", "Nobody was hurt in the raid.", "No deaths were reported."):
        assert is_specific(specific), specific


def test_a_hedged_figure_reaches_as_far_as_its_rounding():
    """Issue 19, item 5: "some 80,000" and "71,400" are two counts (a flat 15% tolerance took them for one);
    "about 240" and "238" are one count rounded."""
    assert slot_tests("Some 71,400 pupils sat the papers, the board said.",
                      "Some 80,000 pupils sat the papers nationwide this year.")
    assert not slot_tests("About 240 passengers were taken off the ferry.", "238 passengers were taken off the ferry.")
    # a count of people and a count of residents can be one count
    assert slot_tests("About 3,000 people were moved out of their homes on Tuesday.",
                      "More than 3,600 residents were moved out of their homes on Tuesday.")
