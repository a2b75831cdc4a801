"""Acceptance over the seed corpus (../shared/corpus/seeds: five scraped reports of one summit).

The seed pages are read at run time and never copied into the repository; what the tests hardcode are
short facts ("most significant upgrade") and the short noise lines the issue names. Skipped when the
folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.stages.brief import choose_representative
from parallax.stages.crosscheck import crosscheck, fact_from_cluster
from parallax.stages.loaded import flag_headline

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"

pytestmark = [pytest.mark.seeds,
              pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed corpus not found at {SEEDS}")]

# Per seed: the line where the article ends (what follows is page furniture), and the noise lines inside it.
ARTICLE_END = {"000": "Share news", "001": "FREEDOM OF NAVIGATION", "002": "No tags", "003": "AI Disclaimer",
               "004": "Source link"}
INNER_NOISE = {"001": ["Photo: Bloomberg"], "002": ["by"],
               "003": ["Budapest Post"],
               "004": ["World News", "Related Stories"]}


@pytest.fixture(scope="module")
def brief():
    from parallax.pipeline import brief_paths

    return brief_paths([SEEDS])


@pytest.fixture(scope="module")
def seeds(brief):
    """'000' … '004' -> Article."""
    return {a.id[:3]: a for a in brief.articles}


@pytest.fixture(scope="module")
def story(brief):
    assert len(brief.stories) == 1
    return brief.stories[0]


def _removed(article, needle: str, kinds: set[str] | None = None) -> None:
    assert needle in article.raw, needle
    assert needle not in article.text, needle
    found = {r.kind for r in article.removed if needle in r.text}
    assert found, f"{needle!r} is not listed among the removals of {article.id}"
    if kinds is not None:
        assert found & kinds, (needle, found)


def test_five_seeds_read_without_errors(brief, seeds):
    assert brief.errors == []
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]


def test_000_share_button(seeds):
    _removed(seeds["000"], "Share news", {"share"})


def test_001_photo_credit(seeds):
    _removed(seeds["001"], "Photo: Bloomberg", {"photo_credit"})


@pytest.mark.parametrize("marker", [
    "FREEDOM OF NAVIGATION",  # the UK's freedom-of-navigation operations
    "House of Representatives committees",  # House committees on the Czech car-collision plot
    "Czech officials have confirmed",  # the Czech collision plot
    "kill web",  # the US Air Force "kill web"
])
def test_001_glued_stories_are_removed(seeds, marker):
    a = seeds["001"]
    line = next(ln.strip() for ln in a.raw.splitlines() if marker in ln)
    assert line not in a.text and marker not in a.text
    kinds = {r.kind for r in a.removed if line in r.text or (r.text in line and len(r.text) > 40)}
    assert kinds == {"unrelated_story"}, kinds


def test_001_four_unrelated_stories_are_listed(seeds):
    assert len([r for r in seeds["001"].removed if r.kind == "unrelated_story"]) >= 4


@pytest.mark.parametrize(("needle", "kinds"), [
    ("Budapest Post", {"site_header"}),
    ("AI Disclaimer", {"disclaimer"}),
    ("Newsletter", {"subscribe", "related"}),
    ("Related Articles", {"related"}),
    ("0:00", {"media_player"}),
    ("Close", {"media_player"}),
    ("×", {"media_player"}),
])
def test_003_page_furniture(seeds, needle, kinds):
    a = seeds["003"]
    assert needle in a.raw
    found = {r.kind for r in a.removed if needle in r.text}
    assert found & kinds, (needle, found)
    for line in a.text.splitlines():
        assert line.strip() != needle


def test_003_masthead_lines_above_the_headline_are_site_header(seeds):
    # The site name, its motto and tagline: every line above 003's headline, read from the seed at run time.
    a = seeds["003"]
    lines = [ln.strip() for ln in a.raw.splitlines() if ln.strip()]
    masthead = lines[: lines.index(a.title)]
    assert len(masthead) >= 3
    for line in masthead:
        assert line not in a.text.splitlines()
        assert any(line in r.text and r.kind == "site_header" for r in a.removed), line


def test_003_every_related_headline_is_removed(seeds):
    a = seeds["003"]
    lines = [ln.strip() for ln in a.raw.splitlines() if ln.strip()]
    start = lines.index("Related Articles")
    headlines = [ln for ln in lines[start + 1 :] if len(ln.split()) >= 3]
    assert len(headlines) >= 45
    for h in headlines:
        assert h not in a.text, h
        assert any(h in r.text and r.kind == "related" for r in a.removed), h


@pytest.mark.parametrize(("needle", "kinds"), [
    ("Related Stories", {"related"}),
    ("Source link", {"source_link"}),
    ("I'm TruthUSA", {"author_bio"}),
    ("Leave a Reply", {"comments"}),
    ("Akismet", {"comments"}),
])
def test_004_page_furniture(seeds, needle, kinds):
    _removed(seeds["004"], needle, kinds)


def test_004_related_headlines_are_removed(seeds):
    a = seeds["004"]
    lines = [ln.strip() for ln in a.raw.splitlines() if ln.strip()]
    k = lines.index("Related Stories")
    for h in lines[k + 1 : k + 3]:
        _removed(a, h, {"related"})


@pytest.mark.parametrize("needle", ["No tags 0 Comments 0", "No Comments Yet."])
def test_002_counters(seeds, needle):
    _removed(seeds["002"], needle, {"tags", "comments"})


def _article_lines(article) -> list[str]:
    """The lines of the article itself (title excluded), picked from the seed page at run time."""
    key = article.id[:3]
    lines = [ln.strip() for ln in article.raw.splitlines() if ln.strip()]
    if article.title in lines:  # the masthead above the headline is not the article
        lines = lines[lines.index(article.title) + 1 :]
    end = next(i for i, ln in enumerate(lines) if ln.startswith(ARTICLE_END[key]))
    noise = list(INNER_NOISE.get(key, []))
    if key == "004":
        k = lines.index("Related Stories")
        noise += lines[k + 1 : k + 3]
    return [ln for ln in lines[:end] if ln not in noise and ln != article.title]


@pytest.mark.parametrize("key", ["000", "001", "002", "003", "004"])
def test_every_article_paragraph_is_kept(seeds, key):
    a = seeds[key]
    paras = _article_lines(a)
    assert len(paras) >= 9
    long_paras = [p for p in paras if len(p.split()) >= 12]
    picks = [long_paras[0], long_paras[len(long_paras) // 2], long_paras[-1]]
    for p in picks:
        words = p.split()
        snippet = " ".join(words[2:9])  # a short distinctive piece of the paragraph
        assert snippet in a.text, (key, snippet)
    for p in paras:
        assert p in a.text, (key, p[:60])


@pytest.mark.parametrize(("key", "fact"), [
    ("001", "most significant upgrade"),
    ("004", "most significant upgrade"),
    ("001", "astronauts are to participate"),
    ("002", "two Japanese astronauts"),
    ("003", "Japanese astronaut to join"),
])
def test_key_facts_are_kept(seeds, key, fact):
    assert fact in seeds[key].text


def test_origin_groups(seeds):
    assert seeds["000"].group == seeds["001"].group == seeds["003"].group
    others = {seeds["002"].group, seeds["004"].group}
    assert len(others) == 2 and seeds["000"].group not in others
    for key in ("000", "003"):
        assert seeds[key].derived_from, key
        assert seeds[key].derived_from[0].article in (seeds["001"].id, seeds["000"].id, seeds["003"].id)


def test_one_story_holds_all_five(story, seeds):
    assert sorted(story.articles) == sorted(a.id for a in seeds.values())
    assert story.coverage["origin_groups"] == 3


def _has(text: str, *needles: str) -> bool:
    low = text.lower()
    return all(n.lower() in low for n in needles)


@pytest.mark.parametrize(("label", "check"), [
    ("air/missile defence network with Australia",
     lambda t: _has(t, "australia", "air") and ("defen" in t.lower())),
    ("most significant upgrade", lambda t: _has(t, "most significant") and "upgrade" in t.lower()),
    ("Japanese astronauts join NASA moon missions",
     lambda t: _has(t, "japanese astronaut") and ("nasa" in t.lower() or "moon" in t.lower())),
])
def test_corroborated_facts(story, label, check):
    hits = [f for f in story.facts if check(f.text)]
    assert hits, f"no fact about {label}"
    assert max(f.support for f in hits) >= 2, [(f.text, f.support) for f in hits]


def test_no_corroborated_fact_says_japan_ceased_relations_with_russia(brief, story, seeds):
    for f in story.facts:
        if "ceased" in f.text.lower():
            assert f.support < 2 and f.status != "corroborated", f.text
    # Nor does any fact the cross-check found before the budget chose.
    members = [a for a in brief.articles if a.id in story.articles]
    cc = crosscheck(members)
    roots = {a.id for a in members if not a.derived_from}
    for ms in cc.clusters:
        f = fact_from_cluster(cc, ms, choose_representative(cc, ms, roots))
        if "ceased" in f.text.lower():
            assert f.support < 2, (f.text, f.sources)


def test_astronaut_count_dispute(story, seeds):
    ds = [d for d in story.disputes if d.kind == "number" and "astronaut" in d.about]
    assert len(ds) == 1, [d.about for d in story.disputes]
    values = [v.value.lower() for v in ds[0].variants]
    assert any(v.split()[0] in ("two", "2") for v in values), values
    assert any(v.split()[0] in ("a", "one", "1") for v in values), values
    sources = {s for v in ds[0].variants for s in v.sources}
    assert seeds["002"].id in sources and seeds["003"].id in sources


def test_the_rewrites_framing_does_not_word_the_brief(story, seeds):
    # 003 is a machine rewrite of the wire story (001): the brief's headline is not its title, and no fact
    # the wire also states is worded in 003's sentence. (An earlier test required 003's headline and lede
    # to be flagged; that held only through lexicon entries taken from this page, removed in issue 12.)
    a = seeds["003"]
    assert story.headline != a.title
    for f in story.facts:
        if f.origin_article == a.id:
            assert seeds["001"].id not in f.sources, f.text


def test_brief_headline_is_neutral(story):
    assert story.headline
    assert flag_headline(story.headline) == []


def test_brief_size(story):
    assert 0 < len(story.facts) <= 15
    assert sum(len(f.text.split()) for f in story.facts) <= 350


def test_every_fact_is_words_of_its_cited_sources(story, seeds):
    texts = {a.id: a.text for a in seeds.values()}
    groups = {a.id: a.group for a in seeds.values()}
    for f in story.facts:
        assert f.origin_article in f.sources
        assert f.text in texts[f.origin_article]
        for r in f.refs:
            assert texts[r.article][r.start : r.end].strip()
        assert f.support == len({groups[s] for s in f.sources})
