"""Issue 23 items 1 and 4: each page's language is recorded; a page in a language the judge and the
loaded-language detector do not cover is shown in its own words, marked with its language, and never counted
as a side of a dispute or as loaded wording; it supports a fact across languages only where the multilingual
encoder covers its language (Spanish here), and not at all otherwise (Swedish). An English-only brief is
unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

WIRE = ("Harbour officials in Velmora said on Monday that a cargo crane collapsed onto the north pier, injuring "
        "four dock workers.\n\nThe crane, operated by Tessary Lines, fell shortly after 7 a.m. during strong "
        "winds, the port authority said.\n\nThe north pier will stay closed until Friday while inspectors "
        "examine the other cranes, a spokesperson for the authority said.")
REPORT = ("A cargo crane collapsed onto Velmora's north pier on Monday morning, injuring four dock workers, the "
          "port authority said.\n\nThe authority said the north pier would stay closed until Friday while "
          "inspectors check the remaining cranes.\n\nUnion officials called the collapse a disgraceful, "
          "reckless failure by the operator, Tessary Lines.")
SPANISH = ("Una grúa de carga se desplomó el lunes sobre el muelle norte de Velmora y dejó cuatro estibadores "
           "heridos, según informó la autoridad portuaria.\n\nEl muelle norte permanecerá cerrado hasta el "
           "viernes mientras los inspectores revisan las demás grúas, añadió un portavoz.\n\nEl sindicato "
           "calificó el derrumbe de vergonzoso e imprudente y culpó a la naviera Tessary Lines.")
SWEDISH = ("En lastkran rasade på måndagen ned över den norra piren i Velmora och skadade fyra hamnarbetare, "
           "uppgav hamnmyndigheten.\n\nDen norra piren förblir stängd till fredag medan inspektörerna "
           "kontrollerar de andra kranarna, sade en talesperson.\n\nFacket kallade raset skamligt och "
           "vårdslöst och lade skulden på rederiet Tessary Lines.")


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("wire", WIRE), ("report", REPORT), ("agencia", SPANISH), ("byran", SWEDISH)):
        p = tmp_path / f"{name}.txt"
        p.write_text(text, encoding="utf-8")
        out[name] = p
    return out


def test_the_language_of_a_text():
    from parallax.text.language import identify

    assert identify(WIRE).code == "en"
    assert identify(WIRE).method == "function words"  # no model loaded for an English page
    es = identify(SPANISH)
    assert es.code == "es" and es.method == "py3langid" and es.confidence >= 0.6
    assert identify("").code == "und"


def test_a_page_in_another_language_is_shown_and_supports_only_across_languages(pages: dict[str, Path]):
    from parallax.pipeline import brief_paths
    from parallax.render import render

    brief = brief_paths(list(pages.values()), single_story=True)
    langs = {a.id: a.meta["language"] for a in brief.articles}
    assert langs == {"wire": "en", "report": "en", "agencia": "es", "byran": "sv"}
    story = brief.stories[0]
    assert story.coverage["languages"] == {"en": 2, "es": 1, "sv": 1}
    assert story.coverage["checked_across_languages"] == ["agencia"]
    assert story.coverage["not_checked"] == ["byran"]
    assert not [f for f in story.loaded_language if f.article in ("agencia", "byran")]
    for fact in story.facts:  # Swedish (no multilingual model) supports nothing and is supported by nothing
        if "byran" in fact.sources:
            assert fact.sources == ["byran"] and fact.status == "single-source"
    for d in story.disputes:  # no dispute is read in a language the judge does not cover
        assert all("agencia" not in v.sources and "byran" not in v.sources for v in d.variants)
    # the Spanish report states the wire's closure until Friday: it supports that fact across languages
    friday = [f for f in story.facts if "agencia" in f.sources and "wire" in f.sources]
    assert friday and all(f.status == "corroborated" for f in friday)
    assert any("Friday" in f.text or "viernes" in f.text for f in friday)
    # the English pages still check each other
    assert any(f.status == "corroborated" and {"wire", "report"} <= set(f.sources) for f in story.facts)
    md = render(brief, "md")
    assert "in sv, the source's own words (not cross-checked)" in md
    assert '"language": "es"' in render(brief, "json")


def test_an_english_brief_says_nothing_about_languages(pages: dict[str, Path]):
    from parallax.pipeline import brief_paths
    from parallax.render import render

    brief = brief_paths([pages["wire"], pages["report"]], single_story=True)
    assert "languages" not in brief.stories[0].coverage and "not_checked" not in brief.stories[0].coverage
    assert "the source's own words" not in render(brief, "md")


def test_every_view_marks_a_fact_in_another_language(pages: dict[str, Path]):
    """Markdown, HTML and the desk's story page mark the Spanish page's fact with its language (an HTML
    lang attribute too), and never translate it."""
    from fastapi.testclient import TestClient

    from parallax.pipeline import brief_paths
    from parallax.render import render
    from parallax.web import create_app

    brief = brief_paths(list(pages.values()), single_story=True)
    swedish = next(f for f in brief.stories[0].facts if f.sources == ["byran"])
    assert swedish.text in SWEDISH
    html = render(brief, "html")
    assert 'lang="sv"' in html and "in sv, the source&#x27;s own words (not cross-checked)" in html.replace("'", "&#x27;")
    with TestClient(create_app(brief)) as client:
        sid = brief.stories[0].id
        page = client.get(f"/stories/{sid}")
        assert page.status_code == 200
        assert 'lang="sv"' in page.text and "not cross-checked" in page.text


def test_a_page_is_split_by_its_own_languages_rules():
    """German ordinal dates ("am 3. Mai") end no sentence under German rules; English rules cut there."""
    from parallax.model import Article
    from parallax.stages.prepare import prepare_article

    text = ("Laut Prof. Dr. Weber bleibt der Hafen von Velmora bis Freitag geschlossen, wie die Behörde mitteilte. "
            "Die Anwohner protestierten am 3. Mai vor dem Rathaus gegen die Schließung des Nordkais.")
    a = Article(id="de-page", raw=text, input="de-page.txt")
    assert prepare_article(a) is None
    assert a.meta["language"] == "de"
    assert [a.text[s.start:s.end].split()[0] for s in a.sentences] == ["Laut", "Die"]


def test_an_article_filed_before_languages_were_recorded_is_identified_when_read():
    """A store filed by an older version holds no language: its English pages are still checked."""
    from parallax.model import Article
    from parallax.text.language import checked, language_of

    old = Article(id="old", raw=WIRE, text=WIRE)
    assert "language" not in old.meta
    assert language_of(old) == "en" and checked(old)
    assert language_of(Article(id="viejo", raw=SPANISH, text=SPANISH)) == "es"


@pytest.mark.parametrize(("text", "page", "want"), [
    ("«La gente merece saber cómo ha pasado esto, no solo cuándo va a terminar», afirmó la portavoz.", "en", "es"),
    ("„Wir wissen noch nicht, wie lange die Brücke gesperrt bleibt“, sagte die Bürgermeisterin.", "en", "de"),
    ('"We do not yet know how long the pier will stay closed," the mayor told reporters on Tuesday.', "es", "en"),
    ("The harbour master said the pier would stay closed until Friday at the earliest.", "en", "en"),
    ("Buses between Brannick and Velden take about two hours each way.", "en", "en"),  # few function words
    ("Hola, buenos días.", "en", "en"),  # too short to tell: the page's
    ("A proposta foi aprovada com 31 votos a favor e 14 contra.", "pt", "pt"),
])
def test_a_sentence_has_its_own_language_where_a_page_mixes_them(text: str, page: str, want: str):
    from parallax.text.language import sentence_language

    assert sentence_language(text, page) == want


def test_a_quotation_left_in_its_language_is_checked_as_that_language():
    """An English page quoting a Spanish sentence: the sentence is recorded in the article (JSON
    `sentence_languages`), is not read by the English judge (support across languages only) and is marked
    with its language where it is printed."""
    from parallax.pipeline import brief_articles, prepare
    from parallax.render.jsonout import to_json
    from parallax.stages.crosscheck import collect_statements
    from parallax.stages.read import article_from_text

    quote = "«El muelle norte seguirá cerrado hasta que sepamos por qué cayó la grúa», afirmó la alcaldesa Irene Sastre."
    text = WIRE + "\n\n" + quote
    arts, errors = prepare([article_from_text(text, id="wire-es-quote")])
    assert not errors and arts[0].meta["language"] == "en"
    st = {s.text: s for s in collect_statements(arts)}
    assert st[quote].language == "es" and not st[quote].checked
    assert all(s.language == "en" and s.checked for t, s in st.items() if t != quote)
    brief = brief_articles([article_from_text(text, id="wire-es-quote")])
    (art,) = to_json(brief)["articles"]
    spans = [(x["language"], art["text"][x["start"]:x["end"]]) for x in art["sentence_languages"]]
    assert spans == [("es", quote)]
