"""parallax.stages.loaded: the learned loaded-language detector. Every sentence here is written for these tests."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from parallax.errors import ParallaxError
from parallax.model import Article, LoadedFlag, Sentence
from parallax.stages import loaded
from parallax.stages.loaded import (
    LOADED_THRESHOLD,
    LoadedConfig,
    analyse,
    analyse_many,
    find_loaded,
    flag_headline,
    flag_sentence,
    neutrality,
    score_sentence,
    source_spans,
)

# A fictional content-farm paragraph; each sentence carries planted loaded terms.
FARM = [
    ("The corrupt regime's thugs brutally crushed the peaceful protest.", ["corrupt", "thugs", "brutally"]),
    ("Radical left activists are pushing a disastrous scheme that will destroy the economy.",
     ["radical left", "disastrous"]),
    ("Lawmakers shamelessly rammed through a reckless power grab on Friday.",
     ["shamelessly", "reckless", "power grab"]),
    ("The outrageous decision is a slap in the face for hardworking families.", ["outrageous"]),
    ("The senator slammed the so-called reform as a pathetic joke.", ["slammed", "so-called", "pathetic"]),
]

# Plain wire copy, including words whose loaded senses are common elsewhere.
NEUTRAL = [
    "Both countries are making territorial claims over the islands.",
    "Emergency services reached the site within an hour.",
    "The opposition leader met the prime minister on Tuesday.",
    "Doctors are studying the threat posed by the virus to older patients.",
    "The council met on Tuesday and approved the budget for next year.",
    "The company reported revenue of $4 billion in the third quarter.",
    "A fire destroyed three warehouses near the port overnight.",
    "Officials said about 70 agreements were signed.",
    "The two leaders announced that astronauts will join the moon missions.",
]

PLAIN_HEADLINES = [
    "Council Approves Budget After Two-Day Session",
    "Fire Destroys Warehouses Near the Port",
    "Ministers Meet in Brussels to Discuss Fishing Quotas",
]
LOADED_HEADLINE = "Corrupt Mayor SLAMMED Over Disastrous Budget Scheme"


# ---------------------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(("text", "planted"), FARM)
def test_content_farm_terms_are_flagged(text, planted):
    terms = flag_sentence(text)
    assert terms, text
    for term in planted:
        assert term in terms, (term, terms)
    assert score_sentence(text) >= LOADED_THRESHOLD


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_sentences_are_not_flagged(text):
    assert flag_sentence(text) == []
    assert not analyse(text).loaded


def test_terms_carry_offsets_into_the_sentence():
    text = FARM[2][0]
    r = analyse(text)
    assert r.loaded and r.where == "body"
    for t in r.terms:
        assert text[t.start : t.end].lower() == t.text
        assert t.source == "outlet"
        assert 0.0 <= t.score <= 1.0


def test_batch_and_single_reading_agree():
    texts = [FARM[0][0], NEUTRAL[0], FARM[1][0]]
    many = analyse_many(texts)
    assert [r.score for r in many] == [analyse(t).score for t in texts]
    assert [r.loaded for r in many] == [True, False, True]


def test_exclamation_mark_is_listed_outside_quotes_only():
    text = "The reckless vote passed with a single ballot to spare!"
    assert "!" in flag_sentence(text)
    assert "!" not in flag_sentence('The crowd chanted "we will win!" as the results came in.')


# ---------------------------------------------------------------------------------------- attribution


@pytest.mark.parametrize(
    "text",
    [
        '"This is a reckless, disastrous plan," the minister said.',
        "The minister said: “This is a reckless, disastrous plan.”",
        "The union leader called it ‘a shocking betrayal of workers’ on Monday.",
        "The union leader called it a shocking betrayal of workers.",
        "The mayor called the decision a disgrace.",
        "The allies met to coordinate against what they see as a growing threat from the regime.",
        "Residents described the new tower as a monstrous eyesore.",
    ],
)
def test_quoted_and_attributed_views_are_not_held_against_the_outlet(text):
    r = analyse(text)
    assert not r.loaded, (r.score, r.term_texts)
    assert flag_sentence(text) == []
    assert all(t.source in ("quoted", "attributed") for t in r.attributed)


def test_quoted_loaded_words_are_reported_apart():
    r = analyse('"This is a reckless, disastrous plan," the minister said.')
    assert {"reckless", "disastrous"} & {t.text for t in r.attributed}
    assert all(t.source == "quoted" for t in r.attributed)
    assert not r.terms


def test_loaded_word_outside_the_quote_still_counts():
    text = 'The senator slammed the plan, calling it "a betrayal of taxpayers."'
    r = analyse(text)
    assert r.loaded
    assert "slammed" in r.term_texts


def test_source_spans():
    text = 'Critics call it "a betrayal", while what they see as a growing threat remains.'
    kinds = {(text[a:b], k) for a, b, k in source_spans(text)}
    assert ('"a betrayal"', "quoted") in kinds
    assert ("a growing threat remains", "attributed") in kinds
    # scare quotes are the outlet's framing, not a source's words
    assert source_spans('The "reforms" will cost billions.') == []


def test_scare_quotes_are_the_outlet_s():
    r = analyse('The government\'s "reforms" are a disaster for the reckless elite.')
    assert "scare quotes: reforms" in r.term_texts


def test_a_config_that_changes_the_features_refuses_the_shipped_heads():
    # the heads were trained with attribution on: without it their inputs would mean something else
    det = loaded.Detector(dataclasses.replace(LoadedConfig(), attribution=False))
    with pytest.raises(ParallaxError):
        det.analyse("The council approved the budget.")
    # a decision value (not a feature) can change freely
    strict = loaded.Detector(dataclasses.replace(LoadedConfig(), threshold=0.99, word_loaded=1.0))
    assert not strict.analyse(FARM[4][0]).loaded
    assert strict.analyse(FARM[4][0]).score == analyse(FARM[4][0]).score

# ---------------------------------------------------------------------------------------- headlines


def test_loaded_headline_is_flagged_with_caps():
    terms = flag_headline(LOADED_HEADLINE)
    assert terms
    assert "corrupt" in terms
    assert "all caps: slammed" in terms


@pytest.mark.parametrize("text", PLAIN_HEADLINES)
def test_plain_headlines_are_neutral(text):
    assert flag_headline(text) == []
    assert neutrality(text) == 1.0


def test_neutrality_prefers_the_plain_headline():
    plain = PLAIN_HEADLINES[0]
    assert neutrality(LOADED_HEADLINE) < 0.5
    assert max([LOADED_HEADLINE, plain], key=neutrality) == plain


def _article(title: str | None, paragraphs: list[list[str]], headings: tuple[int, ...] = ()) -> Article:
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


def test_find_loaded_reports_the_headline_separately():
    article = _article("  " + LOADED_HEADLINE + " ", [[NEUTRAL[4], NEUTRAL[5]], [NEUTRAL[6]]])
    flags = find_loaded(article)
    assert len(flags) == 1
    head = flags[0]
    assert isinstance(head, LoadedFlag)
    assert head.where == "headline"
    assert article.title[head.start : head.end] == LOADED_HEADLINE == head.text


def test_find_loaded_flags_the_right_body_sentences():
    article = _article(PLAIN_HEADLINES[0], [[NEUTRAL[4], FARM[2][0]], [NEUTRAL[7], FARM[4][0]]])
    flags = find_loaded(article)
    assert [f.where for f in flags] == ["body", "body"]
    assert [f.text for f in flags] == [FARM[2][0], FARM[4][0]]
    for f, k in zip(flags, (1, 3), strict=True):
        assert (f.start, f.end) == (article.sentences[k].start, article.sentences[k].end)
        assert article.text[f.start : f.end] == f.text
    assert "slammed" in flags[1].terms
    assert flags[0].to_dict()["terms"] == flags[0].terms


MILD = "The mayor's plush new office cost the town 40,000 crowns."  # under the body threshold on its own


def test_a_page_in_a_loaded_voice_flags_its_milder_sentences_too():
    """An outlet's voice holds across its page (`LoadedConfig.page_voice_min` / `page_threshold`): on a page with
    three loaded sentences a milder one is flagged with its word; on a plain page the same sentence is not, and a
    plain sentence on the loaded page stays unflagged."""
    cfg = LoadedConfig()
    r = analyse(MILD)
    assert not r.loaded and cfg.page_threshold <= r.score < cfg.threshold
    voiced = _article(PLAIN_HEADLINES[0], [[FARM[0][0], MILD], [FARM[2][0], NEUTRAL[4]], [FARM[4][0]]])
    flags = {f.text: f for f in find_loaded(voiced)}
    assert MILD in flags and "plush" in flags[MILD].terms
    assert NEUTRAL[4] not in flags and len(flags) == 4
    plain = _article(PLAIN_HEADLINES[0], [[NEUTRAL[1], MILD], [FARM[2][0], NEUTRAL[4]], [NEUTRAL[6]]])
    assert [f.text for f in find_loaded(plain)] == [FARM[2][0]]


@pytest.mark.parametrize(("word_loaded", "flagged"), [(1.0, False), (0.5, True)])
def test_on_a_page_in_a_loaded_voice_a_word_the_head_names_is_enough(word_loaded, flagged):
    """`LoadedConfig.page_word_loaded`: on a voiced page a sentence is loaded when one of the outlet's words reaches
    it, whatever the sentence head says (here the page threshold is set out of reach to show the word alone)."""
    from parallax.config import settings, use

    sets = settings().replace(loaded={"page_threshold": 0.99, "page_word_loaded": word_loaded})
    with use(sets):  # the detector in effect is the one for these settings (`get_detector`)
        voiced = _article(PLAIN_HEADLINES[0], [[FARM[0][0], MILD], [FARM[2][0], NEUTRAL[4]], [FARM[4][0]]])
        flags = {f.text: f for f in find_loaded(voiced)}
    assert (MILD in flags) is flagged and NEUTRAL[4] not in flags
    if flagged:
        assert "plush" in flags[MILD].terms


def test_find_loaded_on_a_neutral_article_and_no_title():
    article = _article(PLAIN_HEADLINES[1], [NEUTRAL[:2], NEUTRAL[4:6]])
    assert find_loaded(article) == []
    article.title = None
    assert find_loaded(article) == []


def test_find_loaded_reads_headings_with_headline_rules():
    article = _article("Budget Vote", [["Governor SLAMS Lawmakers"], [NEUTRAL[4]]], headings=(0,))
    flags = find_loaded(article)
    assert len(flags) == 1
    assert flags[0].where == "body"
    assert "all caps: slams" in flags[0].terms
    assert article.text[flags[0].start : flags[0].end] == "Governor SLAMS Lawmakers"


# ---------------------------------------------------------------------------------------- model and lexicon


def test_config_is_frozen_and_documents_its_threshold():
    cfg = LoadedConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.threshold = 0.1  # type: ignore[misc]
    assert cfg.threshold == LOADED_THRESHOLD
    assert "threshold" in (LoadedConfig.__doc__ or "")


def test_shipped_model_matches_its_pinned_sha256_and_the_lexicon():
    path = loaded.model_path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == loaded.MODEL_SHA256
    heads = loaded.load_heads()
    assert heads.meta["lexicon_sha256"] == loaded.lexicon_sha256()  # retrain after editing the lexicon
    assert heads.meta["feature_key"] == LoadedConfig().feature_key()
    assert (path.parent / "MODEL_CARD.md").exists()


def test_a_tampered_model_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "heads.json"
    bad.write_text(loaded.model_path().read_text(encoding="utf-8").replace("0", "1", 1), encoding="utf-8")
    monkeypatch.setattr(loaded, "model_path", lambda: bad)
    loaded.load_heads.cache_clear()
    try:
        with pytest.raises(ParallaxError):
            loaded.load_heads()
    finally:
        loaded.load_heads.cache_clear()


def test_seed_only_phrases_are_gone_from_the_lexicon():
    text = Path(loaded.__file__).parents[1].joinpath("data").joinpath("loaded_terms.txt").read_text(encoding="utf-8")
    terms = {line.split("\t")[0] for line in text.splitlines() if line and not line.startswith(("#", "@"))}
    assert not {"unite against", "threat posed by", "clear demonstration of", "growing threat"} & terms
    assert loaded.lexicon_size() > 500


def test_lexicon_only_detector_still_works():
    assert "shocking" in loaded.lexicon_terms("The shocking plan would cost taxpayers billions.")
    assert loaded.lexicon_terms(NEUTRAL[4]) == []
    assert loaded.lexicon_score('"A shocking plan," she said.') == 0.0


def test_inflections():
    forms = loaded.inflections("slam")
    assert {"slams", "slammed", "slamming"} <= forms
    assert "bizarrely" in loaded.inflections("bizarre")
    assert "dramatically" in loaded.inflections("dramatic")


# ---------------------------------------------------------------------------------------- issue 21: an outlet's own voice
# Fictional sentences written for these tests in the register of a campaigning page, a quoting report and a wire.

PARTISAN = [
    ("Greedy harbour bosses have left the Tollmere ferry to rot while fat cats pocket the profits.",
     ["greedy", "rot", "fat cats"]),
    ("The out-of-touch council rubber-stamped yet another fare grab on Thursday.",
     ["out-of-touch", "fare grab"]),
    ("Hapless ministers sat on the warning for months, and families are paying the price.",
     ["hapless"]),
]

# Plain wire copy with technical nouns whose words sound alarming out of context.
TECHNICAL = [
    "Investigators said the ransomware attack encrypted files on about 40 servers at the depot.",
    "The rocket's second-stage engine shut down two minutes after launch, as planned.",
    "Firefighters contained the blaze at the timber yard by early evening.",
    pytest.param("The court dismissed the insurer's claim for damages on Monday.",
                 marks=pytest.mark.xfail(reason="issue 21: 'claim' in its legal sense still reads as BABE's "
                                                "'claimed' (word head 0.9); known limitation", strict=False)),
]


@pytest.mark.parametrize(("text", "planted"), PARTISAN)
def test_partisan_wording_is_flagged_as_the_outlet_s(text, planted):
    r = analyse(text)
    assert r.loaded, (r.score, r.term_texts)
    listed = " | ".join(r.term_texts)
    found = [p for p in planted if any(p in t or t in p for t in r.term_texts)]
    assert len(found) >= 2 or found == planted, (planted, listed)
    assert all(t.source == "outlet" for t in r.terms)


@pytest.mark.parametrize("text", TECHNICAL)
def test_plain_wire_sentence_with_a_technical_noun_is_not_flagged(text):
    r = analyse(text)
    assert not r.loaded, (r.score, r.term_texts)
    assert flag_sentence(text) == []


def test_a_quoted_loaded_phrase_is_the_source_s_not_the_outlet_s():
    text = 'The dockers\' leader said the offer was "a slap in the face for every greedy boss to laugh at".'
    r = analyse(text)
    assert not r.loaded, (r.score, r.term_texts)
    assert r.attributed and all(t.source == "quoted" for t in r.attributed)
    assert not any("greedy" in t for t in r.term_texts)
    # the same words in the outlet's own voice are the outlet's
    own = analyse("The offer is a slap in the face, and every greedy boss is laughing at the dockers.")
    assert own.loaded and any("greedy" in t for t in own.term_texts)


def test_an_attributed_view_stays_the_source_s():
    r = analyse("Campaigners described the new bypass as a reckless vanity project.")
    assert not r.loaded, (r.score, r.term_texts)
    assert {t.source for t in r.attributed} <= {"attributed", "quoted"}


def test_headline_and_body_decisions_use_their_own_thresholds():
    cfg = LoadedConfig()
    assert 0.0 < cfg.headline_threshold <= 1.0 and 0.0 < cfg.threshold <= 1.0
    det = loaded.Detector(dataclasses.replace(cfg, threshold=0.99, headline_threshold=0.99, word_loaded=1.0))
    assert not det.analyse(FARM[4][0]).loaded
    assert not det.analyse(LOADED_HEADLINE, "headline").loaded
    assert loaded.Detector(dataclasses.replace(cfg, word_loaded=0.0)).analyse(NEUTRAL[4]).loaded
