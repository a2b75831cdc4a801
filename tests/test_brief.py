"""parallax.stages.brief: a fact's wording by construction, bare quotes, filling the word budget, balance shown.

Every article here is fictional, written for these tests (invented places, people and outlets).
"""

from __future__ import annotations

import pytest

from parallax.config import Settings, settings, use
from parallax.model import Article, Relation
from parallax.pipeline import brief_records, brief_story_articles, limits_for, prepare
from parallax.render import to_json_text, to_markdown
from parallax.render.html import to_html
from parallax.stages.brief import clause_prefix, loaded_balance
from parallax.stages.loaded import find_loaded, flag_sentence
from parallax.stages.read import article_from_text

WIRE = ("The Tarrow County council voted on Tuesday to close the Elmbridge library for six months of repairs. "
        "The repairs will cost 1.2 million pounds, the council said. Work is due to start in March.")
REWRITE = ("Notably, in a stunning blow to book lovers, the Tarrow County council voted on Tuesday to shut the "
           "beloved Elmbridge library for six months of repairs, illustrating a shameful disregard for readers. "
           "The repairs will cost 1.2 million pounds, the council said.")
OTHER = ("Councillors in Tarrow County voted on Tuesday to close Elmbridge library for six months while it is "
         "repaired. A council spokesperson said work would begin in March.")


def _prepared(texts: dict[str, tuple[str, str]]) -> list[Article]:
    arts = [article_from_text(text, id=aid, input=aid, source=source) for aid, (source, text) in texts.items()]
    kept, errors = prepare(arts)
    assert not errors
    return kept


def test_the_brief_picks_the_original_plain_wording_over_a_rewrite_s_editorial_one():
    arts = _prepared({"wire": ("Harwick Wire", WIRE), "quill": ("Daily Quill", REWRITE),
                      "vale": ("Vale Post", OTHER)})
    by = {a.id: a for a in arts}
    by["quill"].derived_from = [Relation("wire", "rewrite", "fictional test")]
    by["quill"].group = by["wire"].group = "wire"
    by["vale"].group = "vale"
    assert flag_sentence(REWRITE.split(". ")[0] + ".")  # the rewrite's sentence is loaded
    story = brief_story_articles("s", arts)
    closing = [f for f in story.facts if "library" in f.text and "six months" in f.text]
    assert closing, [f.text for f in story.facts]
    assert all("Notably" not in f.text and "stunning" not in f.text for f in story.facts)
    assert closing[0].origin_article in {"wire", "vale"}
    assert closing[0].representative_reason


COLUMN = ("The corrupt mayor's thugs brutally crushed the peaceful protest outside Tarrow town hall. "
          "Lawmakers shamelessly rammed through a reckless power grab on Friday. "
          "The senator slammed the so-called reform as a pathetic joke. "
          "The mayor's plush new office cost the town 40,000 crowns.")
PLAIN = ("Tarrow town council approved the mayor's reform plan on Friday by nine votes to four. "
         "Police said about 200 people protested outside the town hall before the vote.")


def test_a_sentence_its_loaded_page_flags_is_never_printed_as_a_fact():
    """A page in a loaded voice flags its milder sentences too (`LoadedConfig.page_voice_min`); the brief treats
    such a sentence as loaded wording, as the reader sees it flagged: reported, never restated as a fact."""
    mild = COLUMN.split(". ")[-1]
    assert not flag_sentence(mild)  # not loaded on its own
    arts = _prepared({"column": ("Tarrow Clarion", COLUMN), "wire": ("Harwick Wire", PLAIN)})
    story = brief_story_articles("s", arts, length="full")
    assert any(fl.article == "column" and fl.text == mild for fl in story.loaded_language)
    assert all("plush" not in f.text for f in story.facts), [f.text for f in story.facts]


def _two_page_facts(a: tuple[str, str], b: tuple[str, str]) -> list[str]:
    """The printed facts of a one-story brief of two pages, each (outlet, text); at least one."""
    brief = brief_records([{"id": "a", "source": a[0], "text": a[1]}, {"id": "b", "source": b[0], "text": b[1]}],
                          single_story=True)
    facts = [f.text for s in brief.stories for f in s.facts]
    assert facts
    return facts


def test_a_bare_quote_is_not_a_fact_but_a_quote_with_a_position_or_figure_can_be():
    text_a = ("The Marlow Bay ferry service will stop running on Sundays from next month, the operator said. "
              "\u201cWe are ready,\u201d he said. "
              "\u201cWe will cut 40 sailings a year because fuel costs have doubled,\u201d said operator chief "
              "Ines Parrow.")
    text_b = ("The operator of the Marlow Bay ferry said on Monday that Sunday sailings will end next month. "
              "\u201cWe are ready,\u201d he said.")
    facts = _two_page_facts(("Bay Herald", text_a), ("Coast Radio", text_b))
    assert not any(f.startswith("\u201cWe are ready") for f in facts), facts


def test_a_sentence_the_writer_exclaims_is_not_printed_as_a_fact():
    # "108' GOAL - Rovers 2-1!" (a live page's shout) was printed as a corroborated fact; a quoted exclamation
    # is the speaker's and may be
    text_a = ("Harwick Rovers beat Saltmere 2-1 in the Lindmark Cup final on Saturday, with Tobias Quist scoring "
              "the winner in the 108th minute. Quist said: \u201cI have dreamt of this since I was six!\u201d he said.")
    text_b = ("108' GOAL - Quist wins it for Rovers, 2-1 against Saltmere in the Lindmark Cup final!\n\n"
              "Rovers beat Saltmere 2-1 after extra time on Saturday to lift the Lindmark Cup.")
    facts = _two_page_facts(("Lindmark Sport", text_a), ("Cup Live", text_b))
    assert not any(f.rstrip().endswith("!") for f in facts), facts


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("The bridge reopened on Monday after three weeks of repairs, with traffic limited to one lane.", 11,
     "The bridge reopened on Monday after three weeks of repairs"),
    ("The bridge reopened on Monday after three weeks of repairs, the council said.", 10, None),
    ("The bridge reopened on Monday after repairs costing 3 million pounds.", 6, None),
])
def test_clause_prefix_cuts_at_a_clause_and_never_drops_attribution(text, limit, expected):
    assert clause_prefix(text, limit) == expected


def test_the_brief_stays_within_its_word_budget_and_a_cut_fact_is_the_source_s_own_opening():
    text_a = ("Flood barriers were raised along the Orm river in Kestle on Friday, with 200 homes told to prepare "
              "for water levels not seen since 1998. The town's two schools will stay closed until Monday, the "
              "county said. Volunteers filled sandbags at the fire station through the night, and a rest centre "
              "opened in the sports hall for families who had to leave their homes.")
    text_b = ("Kestle raised its flood barriers on the Orm on Friday as 200 households were told to prepare for "
              "the highest water since 1998. A rest centre opened in the sports hall, where families who left "
              "their homes were given beds, and the county said both schools would stay closed until Monday.")
    for budget in (20, 35, 50, 70):
        brief = brief_records([{"id": "a", "source": "Kestle Gazette", "text": text_a},
                               {"id": "b", "source": "Orm Valley News", "text": text_b}], single_story=True,
                              max_words=budget)
        texts = {a.id: a.text for a in brief.articles}
        facts = [f for s in brief.stories for f in s.facts]
        assert sum(len(f.text.split()) for f in facts) <= budget
        for f in facts:
            if f.text.endswith("\u2026"):
                assert any(t.find(f.text[:-1]) >= 0 for t in texts.values()), f.text
                assert "cut at a clause" in f.representative_reason


def test_a_word_budget_past_the_length_s_own_gets_facts_in_the_same_proportion():
    preset = settings().brief.lengths["standard"]
    words, facts = preset["max_words"], preset["max_facts"]
    assert limits_for("standard") == preset
    assert limits_for("standard", max_words=2 * words) == {"max_facts": 2 * facts, "max_words": 2 * words}
    assert limits_for("standard", max_words=words // 2)["max_facts"] == facts  # a smaller budget: the words bind
    assert limits_for("standard", max_facts=3, max_words=2 * words)["max_facts"] == 3  # a cap asked for stands


def test_a_sentence_that_leans_on_a_pronoun_is_not_printed_as_a_fact_corroborated_or_not():
    page_a = ("The Orm Valley council approved the new footbridge at Kestle on Tuesday by nine votes to two. "
              "They praised the engineers at Harl & Daw for a design that keeps the towpath open. "
              "It will be the first footbridge over the Orm since 1998. "
              "Work on the Kestle footbridge will start in March and cost 4.2 million florins.")
    page_b = ("Councillors in the Orm Valley approved the Kestle footbridge on Tuesday by nine votes to two. "
              "It will be the first footbridge across the Orm since 1998. "
              "The footbridge will cost 4.2 million florins, and building work starts in March.")
    records = [{"id": "a", "source": "Kestle Gazette", "text": page_a},
               {"id": "b", "source": "Orm Valley News", "text": page_b}]

    def printed() -> list[str]:
        return [f.text for s in brief_records(records, single_story=True, length="full").stories for f in s.facts]

    shown = printed()
    assert not any(t.startswith(("They praised", "It will be")) for t in shown), shown
    assert any("nine votes to two" in t for t in shown), shown  # the self-contained facts are still there
    with use(Settings().replace(brief={"self_contained_only": False})):
        again = printed()
        assert any(t.startswith("They praised") for t in again) and any(t.startswith("It will be") for t in again)


FARM_PAGE = ("The corrupt regime's thugs brutally crushed the peaceful protest in Dunmore Square on Saturday. "
             "Lawmakers shamelessly rammed through a reckless power grab on Friday. "
             "The outrageous decision is a slap in the face for hardworking families.")
PLAIN_PAGE = ("Police cleared a protest in Dunmore Square on Saturday. "
              "The assembly passed the emergency powers bill on Friday by 61 votes to 40. "
              "The opposition leader said the party would challenge the law in court.")
PLAIN_PAGE_2 = ("Officers removed protesters from Dunmore Square on Saturday afternoon. "
                "The emergency powers bill was approved by the assembly on Friday. "
                "Emergency services treated four people for minor injuries.")


def test_balance_counts_loaded_sentences_per_origin_and_notes_the_outlier():
    arts = _prepared({"farm": ("Patriot Pulse", FARM_PAGE), "wire": ("Dunmore Wire", PLAIN_PAGE),
                      "post": ("Square Post", PLAIN_PAGE_2)})
    for a in arts:
        a.group = a.id
    flags = [f for a in arts for f in find_loaded(a)]
    by_origin, note = loaded_balance(arts, flags)
    assert by_origin["Patriot Pulse"].split(" of ")[0] in {"2", "3"}
    assert by_origin["Dunmore Wire"].startswith("0 of") and by_origin["Square Post"].startswith("0 of")
    assert note.startswith("Patriot Pulse's wording is loaded in")
    plain = [a for a in arts if a.id != "farm"]
    assert loaded_balance(plain, [f for f in flags if f.article != "farm"])[1] == ""


def test_the_wording_note_reaches_json_markdown_and_html():
    brief = brief_records([{"id": "farm", "source": "Patriot Pulse", "text": FARM_PAGE},
                           {"id": "wire", "source": "Dunmore Wire", "text": PLAIN_PAGE},
                           {"id": "post", "source": "Square Post", "text": PLAIN_PAGE_2}], single_story=True)
    story = brief.stories[0]
    assert "wording" in story.coverage and "Patriot Pulse" in story.coverage["wording"]
    assert "loaded_by_origin" in story.coverage
    assert story.coverage["wording"] in to_json_text(brief)
    assert "Patriot Pulse" in to_markdown(brief) and "wording" in to_markdown(brief)
    assert "Patriot Pulse&#x27;s wording" in to_html(brief) or "Patriot Pulse's wording" in to_html(brief)
    assert not any(flag_sentence(f.text) for f in story.facts)


def test_claims_are_cut_at_clauses_a_passive_infinitive_included():
    from parallax.stages.brief import claim_spans

    def parts(t):
        return [t[a:b] for a, b in claim_spans(t)]

    assert parts("The states will set up a relief fund worth 380 million crowns, to be paid in over five years.") == [
        "The states will set up a relief fund worth 380 million crowns", "to be paid in over five years."]
    assert parts("Kallas took money from about 1,900 investors, promising annual returns of 12 percent.") == [
        "Kallas took money from about 1,900 investors", "promising annual returns of 12 percent."]
    assert len(parts("The ferry to the island was cancelled on Tuesday morning.")) == 1
    # who says so is no claim of its own
    assert len(parts("About 1,300 operations were called off on the first day of the strike, according to the "
                     "Hospital Managers' Association.")) == 1


def _cc(texts: list[tuple[str, str]], vectors: list[list[float]], clusters: list[list[int]],
        states: list[tuple[int, int]]):
    """A cross-check over `texts` ((article, sentence)) whose judge says: statement m states everything statement r
    states for each (m, r) in `states`, and nothing else."""
    import numpy as np

    from parallax.stages.crosscheck import CrossCheck, Statement

    n = len(texts)
    st = [Statement(a, a, 0, len(t), t, 0.0, None) for a, t in texts]
    vecs = np.array(vectors, dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    entail = np.eye(n, dtype=np.float32)
    for m, r in states:
        entail[r, m] = 1.0
    return CrossCheck(st, vecs, clusters, [], set(), entail.copy(), np.zeros((n, n), np.float32), entail=entail)


def test_a_statement_of_a_fact_already_printed_in_other_words_stands_as_its_own_fact_while_words_are_left():
    """The closure is printed; the herald's sentence states the closure and more, so it is a repeat, but the
    radio's sentence, which supports the herald's and was cited with it, says something else: it is printed when
    words are left, and never beyond the budget."""
    from parallax.stages.brief import select_facts

    texts = [("wire", "The Kestle bridge will close for repairs, the county said."),
             ("herald", "The Kestle bridge will close for repairs and the Orm ferry will run extra sailings."),
             ("radio", "The Orm ferry will add sailings for travellers while the bridge is shut.")]
    cc = _cc(texts, [[1, 0.3, 0], [1, 0.5, 0.3], [0.2, 0.1, 1]], [[0], [1, 2]], [(1, 0), (2, 1)])
    arts = [Article(id=a, raw=t, input=a, text=t) for a, t in texts]
    wide = [f.text for f in select_facts(cc, arts, max_facts=6, max_words=60)]
    assert wide[0] == texts[0][1] and texts[2][1] in wide and texts[1][1] not in wide, wide
    tight = [f.text for f in select_facts(cc, arts, max_facts=6, max_words=20)]
    assert tight == [texts[0][1]], tight


def test_a_derivative_s_restatement_is_never_the_printed_wording_even_when_only_it_finds_support():
    """The rewrite restates the wire's sentence (close by the bi-encoder, the measure that keeps a derivative's
    sentence) and another outlet's sentence supports the rewrite's words, not the wire's: the wire's own sentence
    is printed, the rewrite's never."""
    from parallax.stages.brief import select_facts

    texts = [("wire", "The company said the notice would stay in place for at least a week."),
             ("rewrite", "Residents should expect to boil water for at least a week, the company says."),
             ("radio", "Residents may have to boil their water for seven days or more.")]
    cc = _cc(texts, [[1, 0.2, 0], [1, 0.6, 0.1], [0.3, 1, 0.2]], [[0], [1, 2]], [(2, 1)])
    cc.statements[1].group = "wire"
    arts = [Article(id=a, raw=t, input=a, text=t) for a, t in texts]
    arts[1].derived_from = [Relation("wire", "rewrite", "fictional test")]
    facts = [f.text for f in select_facts(cc, arts, max_facts=6, max_words=100)]
    assert texts[0][1] in facts and texts[1][1] not in facts, facts
    arts[1].derived_from = []  # an original of its own: its words may be printed
    assert texts[1][1] in [f.text for f in select_facts(cc, arts, max_facts=6, max_words=100)]


def test_a_vague_part_of_a_printed_sentence_gets_no_support_of_its_own():
    """A part that carries nothing checkable ("it could have been far worse": no figure, name, day or quote) is
    not shown as stated by another origin, even when the judge takes the other's line for it: a vague line
    corroborates nothing, whole or in part."""
    from parallax.model import Fact, SourceRef
    from parallax.stages.brief import claims_of

    texts = [("wire", "Two workers died in the fire at the Kestle flour mill on Monday, and it could have been far "
                      "worse."),
             ("radio", "It could have been far worse, the crews said afterwards.")]
    cc = _cc(texts, [[1, 0.2, 0], [0.6, 1, 0]], [[0], [1]], [])
    f = Fact(texts[0][1], ["wire"], 1, "single-source", refs=[SourceRef("wire", 0, len(texts[0][1]), "wire")],
             origin_article="wire")
    f.partial = [SourceRef("radio", 0, len(texts[1][1]), "radio")]
    parts = claims_of(cc, 0, f)
    assert [p["text"] for p in parts] == ["Two workers died in the fire at the Kestle flour mill on Monday",
                                          "and it could have been far worse."]
    assert all(p["support"] == 1 and p["sources"] == ["wire"] for p in parts), parts


def test_a_sentence_that_states_a_chosen_fact_and_more_is_printed_too():
    # issue 19: a corroborated lead ("Halden Marine won the contract … at the Skarvik yard") was dropped as a repeat
    # of the better-supported "The frigates will be built at the Skarvik yard", which it states and more; only a
    # sentence a chosen fact states in full is a repeat. The judge's matrices are set by hand to that case.
    import numpy as np

    from parallax.stages.brief import select_facts
    from parallax.stages.crosscheck import crosscheck
    from parallax.stages.split import split_article

    texts = {
        "a": "The frigates will be built at the Skarvik yard. Halden Marine won the contract to build the frigates "
             "at the Skarvik yard.",
        "b": "The frigates will be built at the Skarvik yard, the navy said. Halden Marine has won the contract to "
             "build the frigates at its Skarvik yard.",
        "c": "The frigates will be built at the Skarvik yard.",
    }
    arts = [split_article(Article(id=k, raw=v, text=v, group=k)) for k, v in texts.items()]
    cc = crosscheck(arts)
    yard = [k for k, s in enumerate(cc.statements) if s.text.startswith("The frigates")]
    lead = [k for k, s in enumerate(cc.statements) if s.text.startswith("Halden")]
    assert len(yard) == 3 and len(lead) == 2
    n = len(cc.statements)
    ent = np.zeros((n, n), dtype=np.float32)
    ent[np.ix_(yard, range(n))] = 1.0  # every statement states the shipyard ...
    ent[np.ix_(lead, lead)] = 1.0  # ... and only the other lead states all of a lead
    np.fill_diagonal(ent, 0.0)
    vec = np.zeros((n, 384), dtype=np.float32)
    vec[yard, 0] = vec[lead, 1] = 1.0  # not as close as a restatement
    cc.entail, cc.support, cc.vectors, cc.clusters = ent, np.maximum(ent, ent.T), vec, [yard, lead]
    facts = select_facts(cc, arts, max_facts=10, max_words=200)
    assert [f.support for f in facts] == [3, 2]
    assert facts[1].text.startswith("Halden Marine")
