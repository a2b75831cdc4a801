"""parallax.stages.loaded: loaded / framing language. All fixtures are written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.model import Article, LoadedFlag, Sentence
from parallax.stages import loaded
from parallax.stages.loaded import (
    LOADED_THRESHOLD,
    find_loaded,
    flag_headline,
    flag_sentence,
    neutrality,
    score_sentence,
)

LOADED_HEADLINE = "Nations Unite Against Rising Threat From Rogue Regime"
LOADED_LEDE = ("In a clear demonstration of unity, the leaders unveiled their plan to collaborate against "
               "the threat posed by the regime.")
PLAIN = [
    "The two leaders announced that astronauts will join the moon missions.",
    "Officials said about 70 agreements were signed.",
    "The council met on Tuesday and approved the budget for next year.",
    "The company reported revenue of $4 billion in the third quarter.",
    "A fire destroyed three warehouses near the port overnight.",
    "The new tax regime takes effect in January.",
]
PLAIN_HEADLINES = [
    "U.S. and Canada Unveil Plans for Joint Border Patrols",
    "Council Approves Budget After Two-Day Session",
    "Fire Destroys Warehouses Near the Port",
    "NATO Ministers Meet in Brussels",
]


# ---------------------------------------------------------------------------------------- sentences


def test_lede_framing_is_flagged():
    terms = flag_sentence(LOADED_LEDE)
    assert "clear demonstration of" in terms
    assert "threat posed by" in terms


@pytest.mark.parametrize("text", PLAIN)
def test_plain_sentences_are_not_flagged(text):
    assert flag_sentence(text) == []
    assert score_sentence(text) < LOADED_THRESHOLD


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("The senator slammed the proposal as the committee met.", "slammed"),
        ("Critics are slamming the measure.", "slamming"),
        ("The rollout was a chaotic, disastrous mess.", "disastrous"),
        ("The so-called reform would gut the program.", "so-called"),
        ("Radical left activists gathered outside.", "radical left"),
        ("The mayor bizarrely blamed the weather.", "bizarrely"),
        ("The shocking plan would cost taxpayers billions!", "shocking"),
    ],
)
def test_loaded_terms_and_inflections_are_flagged(text, term):
    terms = flag_sentence(text)
    assert term in terms
    assert score_sentence(text) >= LOADED_THRESHOLD


def test_terms_are_lower_cased_as_they_appear():
    assert "shocking" in flag_sentence("SHOCKING numbers came out of the review.")


def test_exclamation_mark_is_flagged_outside_quotes_only():
    assert "!" in flag_sentence("The vote passed with a single ballot to spare!")
    assert flag_sentence('The crowd chanted "we will win!" as the results came in.') == []


# ---------------------------------------------------------------------------------------- quotations


@pytest.mark.parametrize(
    "text",
    [
        'The minister said: "This is a reckless, disastrous plan."',
        "The minister said: “This is a reckless, disastrous plan.”",
        "The union leader called it ‘a shocking betrayal of workers’ on Monday.",
        "The union leader called it 'a shocking betrayal of workers' on Monday.",
        '"The regime has shown its true face," the spokesman told reporters.',
    ],
)
def test_words_inside_quotations_are_not_flagged(text):
    assert flag_sentence(text) == []


def test_quote_continuing_from_previous_sentence_is_not_flagged():
    # the opening mark was in the sentence before; this one only closes the quotation
    assert flag_sentence('It was a shocking and reckless decision," she added.') == []
    # and one that opens a quotation it does not close is quoted to its end
    assert flag_sentence('She added: "It was a shocking and reckless decision.') == []


def test_loaded_word_outside_the_quote_still_counts():
    terms = flag_sentence('The senator slammed the bill, saying "it costs too much."')
    assert terms == ["slammed"]


def test_apostrophes_are_not_quotes():
    terms = flag_sentence("The government's reckless plan won't survive the leaders' summit.")
    assert "reckless" in terms


def test_scare_quotes_are_flagged():
    terms = flag_sentence("The ministry defended its ‘reforms’ of the election law.")
    assert "scare quotes: reforms" in terms


def test_short_quote_introduced_as_someone_s_word_is_not_scare_quotes():
    assert flag_sentence('The spokesman described the talks as "productive" on Monday.') == []


def test_title_case_short_quote_is_not_scare_quotes():
    assert flag_sentence('The film "Northern Lights" opens on Friday.') == []


# ---------------------------------------------------------------------------------------- headlines


def test_loaded_headline_is_flagged():
    terms = flag_headline(LOADED_HEADLINE)
    assert "unite against" in terms
    assert "rising threat" in terms
    assert "rogue" in terms


@pytest.mark.parametrize("text", PLAIN_HEADLINES)
def test_plain_headlines_are_not_flagged(text):
    assert flag_headline(text) == []
    assert neutrality(text) == 1.0


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Governor Slams Lawmakers Over Delayed Budget", "slams"),
        ("Minister Blasts Critics in Fiery Speech", "blasts"),
        ("Two Allies Unite Against Neighbour", "unite against"),
        ("Report Exposes Senator's Secret Deals", "exposes"),
        ("Governor CRUSHES Rivals in Debate", "all caps: crushes"),
    ],
)
def test_headline_framing_verbs_and_caps(text, term):
    assert term in flag_headline(text)


def test_headline_verbs_count_only_in_headlines():
    # "blasts" in a body sentence is usually an explosion, not an attack
    assert flag_sentence("Two blasts were heard near the station.") == []
    assert "blasts" in flag_headline("Mayor Blasts Council")


def test_all_caps_heading_is_not_emphasis():
    assert flag_headline("RESULTS OF THE VOTE") == []


def test_neutrality_prefers_the_plain_headline():
    plain = "Leaders Agree on Joint Defence Plan"
    loaded_one = "Leaders Unite Against Rising Threat in Shocking Show of Force"
    assert neutrality(plain) == 1.0
    assert neutrality(loaded_one) < 0.5
    assert max([loaded_one, plain], key=neutrality) == plain


def test_score_is_bounded_and_grows_with_more_terms():
    one = score_sentence("The reckless plan passed.")
    two = score_sentence("The reckless, disastrous plan passed.")
    assert 0.0 <= one < two <= 1.0


def test_lexicon_is_loaded_from_package_data():
    assert loaded.lexicon_size() > 500


def test_inflections():
    forms = loaded._inflections("slam")
    assert {"slams", "slammed", "slamming"} <= forms
    assert "bizarrely" in loaded._inflections("bizarre")
    assert "dramatically" in loaded._inflections("dramatic")


# ---------------------------------------------------------------------------------------- articles


def _article(title: str, paragraphs: list[list[str]], headings: tuple[int, ...] = ()) -> Article:
    """An Article whose sentences point into its text; paragraphs in `headings` are marked as headings."""
    text = ""
    sentences: list[Sentence] = []
    for p, sents in enumerate(paragraphs):
        if text:
            text += "\n\n"
        for k, s in enumerate(sents):
            if k:
                text += " "
            start = len(text)
            text += s
            sentences.append(Sentence(start=start, end=len(text), paragraph=p, is_heading=p in headings))
    return Article(id="a1", raw=text, title=title, text=text, sentences=sentences)


def test_find_loaded_flags_headline_and_the_right_body_sentences():
    article = _article(
        "  " + LOADED_HEADLINE + " ",
        [
            [LOADED_LEDE, PLAIN[0]],
            [PLAIN[1], "The opposition slammed the deal as a reckless giveaway."],
        ],
    )
    flags = find_loaded(article)
    assert all(isinstance(f, LoadedFlag) for f in flags)
    assert [f.where for f in flags] == ["headline", "body", "body"]

    head = flags[0]
    assert head.article == "a1"
    assert article.title[head.start : head.end] == LOADED_HEADLINE == head.text
    assert "unite against" in head.terms

    lede, other = flags[1], flags[2]
    assert article.text[lede.start : lede.end] == LOADED_LEDE == lede.text
    assert (lede.start, lede.end) == (article.sentences[0].start, article.sentences[0].end)
    assert article.text[other.start : other.end] == "The opposition slammed the deal as a reckless giveaway."
    assert (other.start, other.end) == (article.sentences[3].start, article.sentences[3].end)
    assert "slammed" in other.terms
    assert lede.to_dict()["terms"] == lede.terms


def test_find_loaded_on_a_neutral_article_and_no_title():
    article = _article("U.S. and Canada Unveil Plans for Joint Border Patrols", [PLAIN[:2], PLAIN[2:4]])
    assert find_loaded(article) == []
    article.title = None
    assert find_loaded(article) == []


def test_find_loaded_reads_headings_with_headline_rules():
    article = _article("Budget Vote", [["Governor Slams Lawmakers"], [PLAIN[2]]], headings=(0,))
    flags = find_loaded(article)
    assert len(flags) == 1
    assert flags[0].where == "body"
    assert flags[0].terms == ["slams"]
    assert article.text[flags[0].start : flags[0].end] == "Governor Slams Lawmakers"


# ---------------------------------------------------------------------------------------- seeds

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"


@pytest.mark.seeds
def test_seed_rewrite_headline_and_lede_are_flagged():
    """The content-farm rewrite in the seed corpus: its headline and first paragraph read as framing."""
    paths = sorted(SEEDS.glob("003_*.txt"))
    if not paths:
        pytest.skip("seed corpus not available")
    lines = [ln.strip() for ln in paths[0].read_text(encoding="utf-8").splitlines() if ln.strip()]
    lede_at = next(i for i, ln in enumerate(lines) if len(ln) > 100)
    headline = lines[lede_at - 1]
    assert flag_headline(headline), headline
    assert flag_sentence(lines[lede_at]), lines[lede_at]
    # the paragraph after the lede is plain reporting
    assert flag_sentence(lines[lede_at + 1]) == []
