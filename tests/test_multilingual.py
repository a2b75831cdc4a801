"""Issue 23 items 2 and 4: pages in other languages join their stories, a translation is a derivative of the
page it translates (never independent support), an independent report in another language supports the English
facts it states, and an English-only batch never loads the multilingual encoder (its brief is unchanged).

The mixed clusters in bench/data/bank-multilingual are written by the Parallax developers (fictional, like every
fixture): English pages of two stories plus Spanish, German, French, Italian and Portuguese pages about them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MIXED = ROOT / "bench" / "data" / "bank-multilingual"


def test_anchors_are_the_same_terms_in_any_language():
    from parallax.stages.stories import anchor_counts

    es = anchor_counts("El puente Strell, en Dunraith, quedó cerrado. Unos 42.000 vehículos lo cruzan, dijo Vorhees.")
    en = anchor_counts("The Strell Bridge in Dunraith was closed. About 42,000 vehicles cross it, Vorhees said.")
    assert {"strell", "dunraith", "42000", "vorhees"} <= set(es) & set(en)
    assert "el" not in es and "unos" not in es and "the" not in en  # a sentence's first word is no name


def test_figures_are_read_in_any_notation():
    from parallax.stages.crosscheck import figures_any_locale

    assert figures_any_locale("Unos 42.000 vehículos y 3,5 millones en 2026") == {"42000", "35"}
    assert figures_any_locale("About 42,000 vehicles and 3.5 million") == {"42000", "35"}
    # digits grouped by plain spaces, times of day in any notation, ordinals left out
    assert figures_any_locale("Sorvell a obtenu 6 406 voix, contre 6 389") == {"6406", "6389"}
    assert figures_any_locale("at 7:40 p.m.") == figures_any_locale("à 19 h 40") == figures_any_locale(
        "um 19.40 Uhr") == {"1940"}
    assert figures_any_locale("alarm at 3:40 a.m.") == figures_any_locale("a las 3.40 horas") == {"340"}
    assert figures_any_locale("the 19th-century painter, le 1er novembre") == set()
    assert figures_any_locale("between 10 and 12 people") == {"10", "12"}


def _pair(sa: list[str], sb: list[str], cos: list[float], la: str = "de", lb: str = "en"):
    """`provenance.compare` of two made-up pages whose i-th sentences have multilingual cosine cos[i] (every
    other pair of sentences 0): the alignment is what the test says, the figures are the sentences'."""
    from parallax.model import Article
    from parallax.stages.provenance import compare

    n = max(len(sa), len(sb))
    ea = np.eye(len(sa), 2 * n, dtype=np.float32)
    eb = np.zeros((len(sb), 2 * n), dtype=np.float32)
    for i in range(len(sb)):
        c = cos[i] if i < len(cos) else 0.0
        eb[i, i], eb[i, n + i] = c, (1 - c * c) ** 0.5
    a = Article(id="a", raw="", meta={"language": la})
    b = Article(id="b", raw="", meta={"language": lb})
    return compare(a, b, ea, eb, multilingual=True, sentences=(sa, sb))


def test_a_report_in_the_same_order_with_figures_of_its_own_is_independent():
    wire = ["Polls closed at 8 p.m.", "Turnout was 58%.", "Sorvell won 6,406 votes.", "Halk won 6,389.",
            "A recount was ordered.", "It took two days.", "The court met on Friday.", "Appeals close in 14 days."]
    close = [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    translated = ["Die Wahllokale schlossen um 20 Uhr.", "Die Beteiligung lag bei 58 %.", "Sorvell erhielt 6.406",
                  "Halk 6.389.", "Es gab eine Neuauszählung.", "Sie dauerte zwei Tage.", "Das Gericht tagte.",
                  "Einspruch binnen 14 Tagen."]
    assert _pair(translated, wire, close).relation == "translation"
    own = ["Die Wahllokale schlossen.", "Die Beteiligung lag bei 61 %.", "In 47 Urnen lagen 1.210 Stimmzettel.",
           "Halk sprach von 3 Fehlern.", "Es gab eine Neuauszählung.", "Sie dauerte zwei Tage.",
           "Das Gericht tagte.", "Einspruch binnen 10 Tagen."]
    ev = _pair(own, wire, close)
    assert ev.relation == "independent" and "figures the other does not" in ev.evidence


def test_a_loosely_aligned_rewrite_that_adds_no_figure_restates_its_source():
    wire = ["About 6,000 homes may drink tap water again.", "Fourteen people were treated in hospital.",
            "Two remain there.", "Tests found E. coli in 5 patients.", "A chamber let surface water in.",
            "It has been sealed.", "The regulator will investigate.", "Customers get a 30-crown credit."]
    partisan = ["Rund 6.000 Haushalte dürfen angeblich wieder trinken.", "Vierzehn Opfer!", "Zwei liegen noch dort.",
                "Bei 5 Patienten fand man den Keim. Noch Fragen?", "Ein Schacht war schuld.", "Reichlich spät.",
                "Die Aufsicht ermittelt, angeblich.", "Lächerliche 30 Kronen."]
    loose = [0.82, 0.55, 0.56, 0.56, 0.52, 0.3, 0.55, 0.45]
    assert _pair(partisan, wire, loose).relation == "translation"
    # the same alignment with a figure of its own on each side is no evidence of a restatement
    partisan[7], wire[7] = "Lächerliche 25 Kronen.", "Customers get a 30-crown credit on 1 bill."
    assert _pair(partisan, wire, loose).relation == "independent"


def test_translation_credits_are_read():
    from parallax.model import Article
    from parallax.stages.provenance import find_credits

    names = {c.name for t in ("(Traduction de l’Oriel Press Service)", "dos vigas de acero, según la agencia OPS.",
                              "laut Caldrith Times") for c in find_credits(Article(id="x", raw=t)) if c.kind == "cite"}
    assert names == {"Oriel Press Service", "OPS", "Caldrith Times"}


def test_multilingual_vectors_do_not_depend_on_the_batch():
    from parallax.text.multilingual import MultilingualEncoder

    enc = MultilingualEncoder()
    a = "Die Brücke wurde am Dienstag gesperrt, nachdem Prüfer Risse in zwei Stahlträgern gefunden hatten."
    b = "The bridge was closed on Tuesday after inspectors found cracks in two steel beams."
    alone = enc.embed([a])[0]
    fresh = MultilingualEncoder()
    together = fresh.embed([b, "Otra frase que no tiene nada que ver.", a])[2]
    assert np.array_equal(alone, together)
    assert float(alone @ enc.embed([b])[0]) > 0.6  # a sentence and its translation land close together


def test_a_wrong_model_file_is_refused(monkeypatch):
    from parallax.errors import ParallaxError
    from parallax.text import multilingual

    monkeypatch.setattr(multilingual, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(ParallaxError) as exc:
        multilingual.MultilingualEncoder().warm_up()
    assert exc.value.code == "PX202"


def test_an_english_batch_never_loads_the_multilingual_encoder(monkeypatch):
    """The examples are English: no pair is scored on the multilingual views, so the encoder is never asked."""
    from parallax.pipeline import brief_paths
    from parallax.text import multilingual

    def refuse(*_a, **_k):
        raise AssertionError("the multilingual encoder was used for an English-only batch")

    monkeypatch.setattr(multilingual, "embed_multilingual", refuse)
    monkeypatch.setattr(multilingual.MultilingualEncoder, "embed", refuse)
    brief = brief_paths([str(ROOT / "examples")])
    assert len(brief.stories) == 2
    assert all("languages" not in s.coverage for s in brief.stories)


@pytest.fixture(scope="module")
def mixed_brief():
    from parallax.pipeline import brief_paths

    cluster = MIXED / "ml-dock-wildfire"
    gold = json.loads((cluster / "gold.json").read_text(encoding="utf-8"))
    return brief_paths([str(cluster / "pages")], length="full"), gold


def test_pages_in_other_languages_join_their_stories(mixed_brief):
    brief, gold = mixed_brief
    story_of = {a: s.id for s in brief.stories for a in s.articles}
    foreign = [p for p, v in gold["pages"].items() if v.get("language", "en") != "en"]
    assert {gold["pages"][p]["language"] for p in foreign} == {"fr", "it"}
    for s in gold["stories"]:
        english = [p for p in s["pages"] if gold["pages"][p].get("language", "en") == "en"]
        home = max({story_of[p] for p in english}, key=lambda sid: sum(story_of[p] == sid for p in english))
        for p in s["pages"]:
            if p in foreign:
                assert story_of[p] == home, f"{p} is not in the story of its English pages"


def test_a_translation_derives_from_the_page_it_translates(mixed_brief):
    brief, _ = mixed_brief
    by_id = {a.id: a for a in brief.articles}
    for page, want in (("calvergate-fr-echo", "calvergate-ops"), ("sarn-it-mattino", "sarn-bpa")):
        rel = by_id[page].derived_from  # from the original or one of its reprints: one origin
        assert rel and rel[0].relation in ("translation", "credited"), (page, rel)
        assert by_id[page].group == by_id[want].group == by_id[rel[0].article].group
    # the independent Italian report keeps an origin of its own
    assert by_id["calvergate-it-gazzetta"].group not in {by_id["calvergate-ops"].group,
                                                       by_id["calvergate-harbour-times"].group}


def test_an_independent_report_in_another_language_supports_english_facts(mixed_brief):
    brief, _ = mixed_brief
    by_id = {a.id: a for a in brief.articles}
    across = [f for s in brief.stories for f in s.facts
              if f.status == "corroborated" and any(by_id[a].meta.get("language") != "en" for a in f.sources)
              and any(by_id[a].meta.get("language") == "en" for a in f.sources)]
    assert across, "no fact is supported across languages"
    for f in across:  # support counts origins: a translation never adds one to its original
        groups = {by_id[a].group for a in f.sources}
        assert f.support == len(groups)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_store_groups_and_checks_across_languages_as_the_batch(seed):
    """Filed in a random order, in small batches, the store gives the batch's stories, origin groups and facts."""
    import random

    from parallax import desk
    from parallax.pipeline import brief_paths
    from parallax.stages.read import read_paths
    from parallax.store import Store

    def outcome(briefs):
        groups, stories, facts = {}, [], []
        for b in briefs:
            groups.update({a.id: a.group for a in b.articles})
            stories += [sorted(s.articles) for s in b.stories]
            facts += [(f.text, tuple(f.sources), f.support, f.status) for s in b.stories for f in s.facts]
        return groups, sorted(stories), sorted(facts)

    pages = str(MIXED / "ml-dock-wildfire" / "pages")
    brief = brief_paths([pages])  # the store's story briefs are of the standard length
    arts, errors = read_paths([pages])
    assert not errors
    arts = sorted(arts, key=lambda a: a.id)
    random.Random(seed).shuffle(arts)
    with Store("sqlite://") as store:
        store.add_articles(arts, progress=False, batch=3)
        got = outcome([desk.story_brief(store, r["id"], record=False) for r in store.list_stories(limit=1000)])
    assert got == outcome([brief])


def test_a_store_filed_before_languages_were_recorded_stays_english(tmp_path, monkeypatch):
    """Articles filed by an older version carry no language: the store treats them as English (they were filed
    and grouped under the English rules), so re-tracing their story never asks the multilingual encoder."""
    from sqlalchemy import select, update

    from parallax.stages.read import read_paths
    from parallax.store import Store
    from parallax.store import schema as S
    from parallax.text import multilingual

    arts, _ = read_paths([str(ROOT / "examples")])
    arts = sorted(arts, key=lambda a: a.id)
    with Store(str(tmp_path / "old.db")) as store:
        store.add_articles(arts[:-1], progress=False)
        with store.engine.begin() as conn:  # as an older version filed them: no language in the meta
            for aid, meta in conn.execute(select(S.articles.c.id, S.articles.c.meta_json)).all():
                m = json.loads(meta or "{}")
                m.pop("language", None)
                conn.execute(update(S.articles).where(S.articles.c.id == aid).values(meta_json=json.dumps(m)))

        def refuse(*_a, **_k):
            raise AssertionError("the multilingual encoder was used for English articles")

        monkeypatch.setattr(multilingual, "embed_multilingual", refuse)
        got = store.add_articles(arts[-1:], progress=False)
        assert got.new == 1 and not got.failed
