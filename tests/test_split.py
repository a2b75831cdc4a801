"""parallax.stages.split: sentences with offsets into the cleaned text; abbreviations and quotes do not split."""

from __future__ import annotations

import itertools

import pytest

from parallax.model import Article
from parallax.stages.split import split_article, split_paragraph, split_text


def _texts(text: str) -> list[str]:
    return [s.text_of(text) for s in split_text(text)]


@pytest.mark.parametrize("sentence", [
    "The U.S. Navy sent two tugboats to help refloat the ferry on Tuesday.",
    "Officials said Martin Luther Hale Jr. would lead the inquiry into the grounding.",
    "Dr. Amara Quist, who treated the injured crew, said both were recovering well.",
    "The ship left at 7 p.m. and struck the shoal about an hour later.",
    "“The sea was calm. Nobody went into the water,” Brantley said.",
    "He said the ferry was “badly placed. Very badly placed.” on the chart.",
])
def test_abbreviations_and_quotes_do_not_break_a_sentence(sentence):
    assert _texts(sentence) == [sentence]


def test_sentences_are_split_and_offsets_slice_the_text_exactly():
    text = (
        "Ferry runs aground off Port Ederly\n\n"
        "A ferry ran aground on Saturday. All 212 people on board were safe, the U.S. embassy said. "
        "“We were lucky,” said Dr. Ana Fell.\n\n"
        "What happens next\n\n"
        "Investigators arrive on Monday.   The ferry will be refloated on Tuesday."
    )
    sents = split_text(text)
    got = [s.text_of(text) for s in sents]
    assert got == [
        "Ferry runs aground off Port Ederly",
        "A ferry ran aground on Saturday.",
        "All 212 people on board were safe, the U.S. embassy said.",
        "“We were lucky,” said Dr. Ana Fell.",
        "What happens next",
        "Investigators arrive on Monday.",
        "The ferry will be refloated on Tuesday.",
    ]
    for s in sents:
        assert text[s.start : s.end] == s.text_of(text)
        assert s.text_of(text) == s.text_of(text).strip()
    assert [s.is_heading for s in sents] == [True, False, False, False, True, False, False]
    # Paragraph indices increase and sentences of one paragraph share theirs.
    paras = [s.paragraph for s in sents]
    assert paras == sorted(paras)
    assert paras[1] == paras[2] == paras[3]
    assert len(set(paras)) == 4


def test_split_article_fills_sentences_and_helpers_respect_headings():
    text = "Rescue at sea\n\nThe crew was rescued. The ship was towed to port.\n\nNo one was hurt in the rescue."
    a = Article(id="x", raw=text, text=text)
    split_article(a)
    assert a.sentence_texts() == ["The crew was rescued.", "The ship was towed to port.",
                                  "No one was hurt in the rescue."]
    assert a.sentence_texts(include_headings=True)[0] == "Rescue at sea"
    assert [s.is_heading for s in a.content_sentences()] == [False, False, False]


def test_split_paragraph_loses_no_text():
    para = "First sentence here. Second one, with U.S. in it! Third? Yes — the fourth one ends here."
    spans = split_paragraph(para)
    assert len(spans) == 4
    joined = " ".join(para[s:e] for s, e in spans)
    assert joined == para
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2


def test_empty_text_has_no_sentences():
    assert split_text("") == []
    assert split_text("\n\n   \n") == []


def test_cleaned_fixture_offsets_round_trip(fixtures_dir):
    from parallax.stages.clean import clean_article
    from parallax.stages.read import read_paths

    articles, _ = read_paths([fixtures_dir / "ferry" / "reprint.txt"])
    a = split_article(clean_article(articles[0]))
    assert len(a.content_sentences()) >= 12
    headings = [s.text_of(a.text) for s in a.sentences if s.is_heading]
    assert headings == ["Investigators head to the shoal"]
    for s in a.sentences:
        piece = a.text[s.start : s.end]
        assert piece and piece == piece.strip() and "\n" not in piece
