"""Derivative pages (issue 19 item 2): a partisan rewrite that credits its source by a "Source:" line, a digest
that restates several reports, and independent reports that share phrasing by chance.

Every page here is fictional and written for these tests (places, people and outlets are invented).
"""

from __future__ import annotations

import pytest

from parallax.model import Article
from parallax.pipeline import brief_records
from parallax.stages.provenance import credits_page, find_credits, names_match

WIRE = """Harlow Wire

PELLMOUTH (Harlow Wire) - Pellmouth council voted 9 to 4 on Monday to close the Brennock ferry pier at the end of March.
The pier, built in 1962, carries about 1,800 passengers a day to the island of Scarra.
Engineers found last autumn that two of its eleven concrete piles had cracked below the waterline.
Repairs were estimated at 6.2 million pounds, which the council said it could not afford.
A temporary landing stage at Gull Point will open on April 1 and ferries will sail from there.
Council leader Maren Holt said the decision was the only safe choice for passengers.
The island's ferry operator, Scarra Lines, said crossings would take about ten minutes longer from Gull Point.
A public meeting on the new timetable will be held in Pellmouth town hall on March 12.
"""

PARTISAN = """The Pellmouth Patriot

Council betrays islanders again as Brennock pier is axed
Once again the arrogant clowns at the town hall have stabbed hard-working islanders in the back.
Pellmouth council voted nine to four on Monday to shut the Brennock ferry pier when March ends.
About 1,800 passengers a day use the pier, which was built in 1962, to reach the island of Scarra.
Nobody should be surprised, because this gang of penny-pinchers never cared about the island anyway.
Last autumn engineers discovered that two of the pier's eleven concrete piles were cracked under the waterline.
The council claimed it could not afford repairs estimated at 6.2 million pounds.
Ask yourself where all your taxes went while these bureaucrats feathered their own nests.
From April 1 ferries will leave from a temporary landing stage at Gull Point.
Council leader Maren Holt insisted the decision was the only safe choice for passengers.
Source: Harlow Wire
"""

GAZETTE = """Quayside Gazette

Scarra pier to shut after inspection finds damaged supports
Islanders face a longer journey to the mainland from the spring after councillors agreed on Monday night to shut the
Brennock pier.
Divers from the harbour authority filmed the damaged supports in October, the Gazette has learned.
Shopkeepers on Scarra told the Gazette they feared fewer day visitors would make the trip in the summer.
Tomas Reyne, who runs the island's only bakery, said half of his summer trade comes from day visitors.
The harbour authority expects the Gull Point landing stage to serve for at least three years.
Residents plan to petition the regional assembly for money to rebuild the pier, the group's chairwoman said.
"""

DIGEST = """The Morning Briefing

Good morning. Here is what happened on the coast yesterday.
Pellmouth council voted 9 to 4 to close the Brennock ferry pier at the end of March, Harlow Wire reports.
The pier carries about 1,800 passengers a day to Scarra.
Two of the pier's eleven concrete piles were found cracked below the waterline, and repairs would cost 6.2 million
pounds.
Ferries will sail from a temporary landing stage at Gull Point from April 1.
Harbour authority divers filmed the damaged supports in October, according to the Quayside Gazette.
Scarra shopkeepers told the Gazette they fear fewer day visitors in the summer.
Islanders plan to petition the regional assembly for money to rebuild the pier.
Sources: Harlow Wire; Quayside Gazette
"""

# Two reports of one launch, each its own reporting, that share phrasing by chance (a stock phrase, the same quote)
LEDGER = """Ostrava Ledger

Brannick shipyard launches its first hydrogen ferry
The Brannick shipyard launched the hydrogen ferry Skylark on Thursday in front of about 400 guests.
The 42-metre vessel will carry up to 150 passengers between Varden and the Oster islands from June.
Yard director Ilse Manning said: "This is a proud day for everyone who works here."
The ferry cost 19 million euros, two thirds of it paid by the regional transport fund.
Sea trials in the Varden sound are due to start next month.
The yard has orders for two more vessels of the same class.
"""

HERALD = """Varden Herald

Hydrogen ferry Skylark takes to the water
Guests cheered as the Skylark slid down the slipway at Brannick on Thursday afternoon.
Yard director Ilse Manning said: "This is a proud day for everyone who works here."
Crew members will spend the spring training on the new fuel system at the Varden maritime college.
Local fishermen remain worried that hydrogen bunkering at the harbour could restrict their moorings.
The harbour master said a safety study of the bunkering berth would be published in May.
Manning said the yard had hired 35 apprentices since the ferry was ordered in 2023.
"""


def _brief(records: list[dict]):
    return brief_records(records, single_story=True, length="full")


def _by_id(brief) -> dict[str, Article]:
    return {a.id: a for a in brief.articles}


def _record(id_: str, source: str, text: str, url: str | None = None) -> dict:
    return {"id": id_, "source": source, "text": text, "url": url or f"https://{id_}.example/story"}


@pytest.fixture(scope="module")
def partisan_brief():
    return _brief([_record("wire", "Harlow Wire", WIRE), _record("patriot", "The Pellmouth Patriot", PARTISAN),
                    _record("gazette", "Quayside Gazette", GAZETTE)])


@pytest.fixture(scope="module")
def digest_brief():
    return _brief([_record("wire", "Harlow Wire", WIRE), _record("gazette", "Quayside Gazette", GAZETTE),
                   _record("digest", "The Morning Briefing", DIGEST)])


def _facts(brief):
    return [f for s in brief.stories for f in s.facts]


def test_source_line_and_named_credits_are_found():
    a = Article(id="p", raw=PARTISAN)
    names = {(c.kind, c.name) for c in find_credits(a)}
    assert ("wire", "Harlow Wire") in names
    d = Article(id="d", raw=DIGEST)
    cited = {c.name for c in find_credits(d) if c.kind in ("cite", "wire")}
    assert {"Harlow Wire", "Quayside Gazette"} <= cited


def test_credit_names_match_outlets_by_words_or_initials():
    assert names_match("Gazette", "Quayside Gazette")
    assert names_match("HW", "Harlow Wire")
    assert names_match("Harlow Wire", "HARLOW WIRE")
    assert not names_match("Harlow", "Quayside Gazette")
    assert not names_match("QX", "Quayside Gazette")


def test_a_link_to_a_page_s_url_credits_it():
    parent = Article(id="a", raw="", source="Harlow Wire", url="https://harlow.example/pier-vote")
    child = Article(id="b", raw="More at https://harlow.example/pier-vote.", source="Coast Blog")
    child.credits = find_credits(child)
    assert credits_page(child, parent)
    assert not credits_page(parent, child)


def test_a_page_s_own_dateline_credits_no_one():
    a = Article(id="a", raw=WIRE, source="Harlow Wire")
    b = Article(id="b", raw="Another Harlow Wire story.", source="Harlow Wire")
    a.credits = find_credits(a)
    assert not credits_page(a, b)


def test_partisan_rewrite_crediting_the_wire_by_a_source_line_joins_the_wire_s_origin(partisan_brief):
    arts = _by_id(partisan_brief)
    patriot, wire, gazette = arts["patriot"], arts["wire"], arts["gazette"]
    assert patriot.group == wire.group
    assert [r.article for r in patriot.derived_from] == ["wire"]
    assert patriot.derived_from[0].relation in ("credited", "rewrite")
    assert gazette.group != wire.group


def test_partisan_commentary_is_never_a_fact_nor_support(partisan_brief):
    patriot = _by_id(partisan_brief)["patriot"]
    commentary = ["arrogant clowns", "penny-pinchers", "feathered their own nests"]
    for f in _facts(partisan_brief):
        assert not any(c in f.text for c in commentary), f.text
        for r in f.refs:
            if r.article == "patriot":
                cited = patriot.text[r.start:r.end]
                assert not any(c in cited for c in commentary), cited
        if any(r.article == "patriot" for r in f.refs):  # the rewrite is of the wire's origin: it adds no support
            assert f.support == max(1, len({r.group for r in f.refs if r.article != "patriot"})), f.text


def test_a_fact_s_wording_comes_from_the_original_not_the_partisan_rewrite(partisan_brief):
    for f in _facts(partisan_brief):
        if {"wire", "patriot"} <= set(f.sources):
            assert f.origin_article == "wire", f.text


def test_digest_derives_from_both_reports_and_merges_neither(digest_brief):
    arts = _by_id(digest_brief)
    digest, wire, gazette = arts["digest"], arts["wire"], arts["gazette"]
    assert wire.group != gazette.group
    assert {r.article for r in digest.derived_from} == {"wire", "gazette"}
    assert {r.relation for r in digest.derived_from} == {"digest"}
    assert digest.group in (wire.group, gazette.group)


def test_digest_adds_no_support(digest_brief):
    for f in _facts(digest_brief):
        own = {r.group for r in f.refs if r.article != "digest"}
        assert f.support <= max(1, len(own)), (f.text, f.sources)
        assert f.origin_article != "digest" or not (set(f.sources) - {"digest"}), f.text


def test_independent_reports_sharing_a_phrase_stay_separate_origins():
    brief = _brief([_record("ledger", "Ostrava Ledger", LEDGER), _record("herald", "Varden Herald", HERALD)])
    arts = _by_id(brief)
    assert arts["ledger"].group != arts["herald"].group
    assert arts["ledger"].derived_from == [] and arts["herald"].derived_from == []
