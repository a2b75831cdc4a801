"""The renderers: the JSON contract (docs/brief.schema.json), Markdown content, HTML safety and structure."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import lxml.html
import pytest

from parallax.model import (
    Article,
    Brief,
    Credit,
    Dispute,
    Fact,
    InputError,
    LoadedFlag,
    Relation,
    Removal,
    Sentence,
    SourceRef,
    Story,
    Variant,
)
from parallax.render import FORMATS, render, to_json

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "brief.schema.json"
EVIL = '<script>alert(1)</script> and " onerror="x'


def _sentences(text: str) -> list[Sentence]:
    out, pos = [], 0
    for part in text.split(". "):
        end = min(len(text), pos + len(part) + 1)
        out.append(Sentence(pos, end, 0))
        pos = end + 1
    return out


def _article(aid: str, source: str, title: str, text: str, group: str, **kw) -> Article:
    return Article(
        id=aid,
        raw=text,
        input=f"pages/{aid}.html",
        source=source,
        title=title,
        published="2024-05-02",
        url=kw.pop("url", f"https://{source.lower().replace(' ', '')}.example/{aid}"),
        text=text,
        sentences=_sentences(text),
        group=group,
        **kw,
    )


def make_brief() -> Brief:
    a1 = _article(
        "001",
        "Wire Service",
        "Four astronauts launch to the station",
        "Four astronauts launched on Thursday. NASA said the mission will last six months.",
        "g1",
        removed=[
            Removal("navigation", 0, 10, "Home | World | Science", "menu links"),
            Removal("ad", 40, 60, "Advertisement", "ad marker"),
            Removal("ad", 70, 90, "Sponsored content", "ad marker"),
        ],
        credits=[Credit("wire", "Wire Service", "(Wire Service) —", 0, 16)],
    )
    a2 = _article(
        "002",
        "Daily Echo",
        "Four astronauts launch to the station",
        "Four astronauts launched on Thursday. NASA said the mission will last six months.",
        "g1",
        removed=[Removal("related", 0, 20, "Read more: other stories", "related links")],
        credits=[Credit("wire", "Wire Service", "according to Wire Service", 5, 30)],
        derived_from=[Relation("001", "copy", "identical body", 0.98765)],
    )
    a3 = _article(
        "003",
        "Orbit News",
        "Crew of three blasts off in reckless gamble",
        "Three astronauts launched on Thursday. Critics call the reckless mission a gamble. " + EVIL,
        "g2",
        url="javascript:alert(1)",
        removed=[Removal("boilerplate", 0, 5, '<img src=x onerror="alert(2)">', "footer")],
    )
    a4 = _article(
        "004",
        "Harbour Times",
        "Port reopens after storm",
        "The port reopened on Monday. Officials said damage was limited.",
        "g3",
    )
    f_corr = Fact(
        text="Four astronauts launched on Thursday.",
        sources=["001", "002", "003"],
        support=2,
        status="corroborated",
        refs=[SourceRef("001", 0, 37, "g1"), SourceRef("002", 0, 37, "g1"), SourceRef("003", 0, 38, "g2")],
        origin_article="001",
    )
    f_single = Fact(
        text="NASA said the mission will last six months.",
        sources=["001", "002"],
        support=1,
        status="single-source",
        speaker="NASA",
        refs=[SourceRef("001", 38, 81, "g1")],
        origin_article="001",
    )
    f_disp = Fact(
        text="Three astronauts launched on Thursday.",
        sources=["003"],
        support=1,
        status="disputed",
        refs=[SourceRef("003", 0, 38, "g2")],
        origin_article="003",
    )
    f_evil = Fact(text=EVIL, sources=["003"], support=1, status="single-source", origin_article="003")
    dispute = Dispute(
        about="number of astronauts",
        kind="number",
        variants=[
            Variant("Four astronauts launched on Thursday.", "Four", ["001", "002"], ["g1"]),
            Variant("Three astronauts launched on Thursday.", "Three", ["003"], ["g2"]),
        ],
    )
    flag = LoadedFlag(
        "003", "Critics call the reckless mission a gamble.", ["reckless", "gamble"], "body", 39, 83
    )
    flag_h = LoadedFlag(
        "003", "Crew of three blasts off in reckless gamble", ["reckless"], "headline", 28, 36
    )
    s1 = Story(
        id="s1",
        articles=["001", "002", "003"],
        headline="Four astronauts launch to the station",
        headline_from="001",
        facts=[f_corr, f_single, f_disp, f_evil],
        disputes=[dispute],
        loaded_language=[flag, flag_h],
        coverage={
            "articles": 3,
            "outlets": 3,
            "origin_groups": 2,
            "removed": {"navigation": 1, "ad": 2, "related": 1, "boilerplate": 1},
        },
    )
    s2 = Story(
        id="s2",
        articles=["004"],
        headline="Port reopens after storm",
        headline_from="004",
        facts=[
            Fact(
                "The port reopened on Monday.",
                ["004"],
                1,
                "single-source",
                refs=[SourceRef("004", 0, 28, "g3")],
                origin_article="004",
            )
        ],
        coverage={},  # the renderers fall back to counting from the articles
    )
    return Brief(
        articles=[a1, a2, a3, a4],
        stories=[s1, s2],
        errors=[InputError("pages/broken.pdf", "PX103", 'binary input: <b>not</b> a "page"')],
        settings={"threshold": 0.8, "model": "minilm", "timings": {"clean": 0.12}},
    )


@pytest.fixture(scope="module")
def brief() -> Brief:
    return make_brief()


# --- JSON ---------------------------------------------------------------------------------------------


def test_json_validates_against_schema(brief):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = to_json(brief)
    jsonschema.Draft202012Validator(schema).validate(data)
    # the text form validates too, and round-trips
    text = render(brief, "json")
    assert json.loads(text) == data
    assert json.loads(json.dumps(data)) == data


def test_json_content(brief):
    data = to_json(brief)
    assert data["schema"] == "parallax.brief/1"
    assert data["generated_by"]["name"] == "parallax"
    assert "timings" not in data["settings"] and data["settings"]["threshold"] == 0.8
    assert data["errors"] == [
        {"input": "pages/broken.pdf", "code": "PX103", "message": 'binary input: <b>not</b> a "page"'}
    ]
    arts = {a["id"]: a for a in data["articles"]}
    assert arts["002"]["derived_from"] == [
        {"article": "001", "relation": "copy", "evidence": "identical body", "score": 0.988}
    ]
    assert [r["kind"] for r in arts["001"]["removed"]] == ["navigation", "ad", "ad"]
    assert arts["001"]["credits"][0]["name"] == "Wire Service"
    assert arts["001"]["sentences"] == 2 and arts["003"]["text"].endswith(EVIL)
    # every fact, with its sources, in every story
    for story, out in zip(brief.stories, data["stories"], strict=True):
        assert [(f.text, f.sources, f.status) for f in story.facts] == [
            (f["text"], f["sources"], f["status"]) for f in out["facts"]
        ]
    s1 = data["stories"][0]
    assert s1["disputes"][0]["variants"][1]["value"] == "Three"
    assert s1["loaded_language"][0]["terms"] == ["reckless", "gamble"]
    assert s1["facts"][0]["citations"][2] == {"article": "003", "start": 0, "end": 38, "group": "g2"}
    assert data["origin_groups"] == [
        {"id": "g1", "articles": ["001", "002"], "root": "001"},
        {"id": "g2", "articles": ["003"], "root": "003"},
        {"id": "g3", "articles": ["004"], "root": "004"},
    ]


def test_origin_group_root_is_the_article_others_derive_from():
    b = make_brief()
    a1, a2 = b.articles[0], b.articles[1]
    a1.derived_from, a2.derived_from = [Relation("002", "copy", "same text", 1.0)], []
    b.articles[0], b.articles[1] = a1, a2
    assert to_json(b)["origin_groups"][0] == {"id": "g1", "articles": ["001", "002"], "root": "002"}


def test_json_handles_odd_settings():
    b = make_brief()
    b.settings = {"paths": (Path("a"), Path("b")), "nan": float("nan"), "kinds": {"ad", "nav"}}
    data = json.loads(render(b, "json"))
    assert data["settings"] == {"paths": ["a", "b"], "nan": None, "kinds": ["ad", "nav"]}


# --- Markdown -----------------------------------------------------------------------------------------


def test_markdown_content(brief):
    md = render(brief, "md")
    assert "# Four astronauts launch to the station" in md
    assert "# Port reopens after storm" in md
    assert "3 articles from 3 outlets, 2 independent origins; cleaning removed 5 blocks" in md
    assert "1 article from 1 outlet, 1 independent origin; cleaning removed 0 blocks" in md
    assert "1. Four astronauts launched on Thursday. [1][2][3]" in md
    assert "corroborated by 2 independent origins" in md
    assert "single source" in md and "speaker: NASA" in md
    assert "**disputed**" in md
    assert "## Where sources differ" in md and "number of astronauts" in md
    assert "> Four astronauts launched on Thursday." in md
    assert "> Three astronauts launched on Thursday." in md
    assert "**Four**" in md and "**Three**" in md
    assert "## Loaded language" in md
    assert "Critics call the **reckless** mission a **gamble**." in md
    assert "## What was removed" in md and "navigation: 1, ad: 2" in md
    # sources: copies under their origin
    assert "\n  - [2] **Daily Echo**" in md and "reprint of `001` [1]" in md
    assert "# Inputs that could not be read" in md and "`PX103`" in md


def test_markdown_escapes_article_text(brief):
    md = render(brief, "md")
    assert "<script>" not in md and "\\<script\\>" in md
    assert "<b>" not in md
    # an unsafe URL is shown as text, never as an autolink
    assert "<javascript:" not in md


# --- HTML ---------------------------------------------------------------------------------------------


class _Checker(HTMLParser):
    VOID = frozenset(
        {"meta", "link", "br", "hr", "img", "input", "wbr", "source", "col", "area", "base", "embed"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]!r}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()


def _parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


def test_html_is_safe(brief):
    page = render(brief, "html")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onerror="' not in page
    checker = _parse(page)
    tags = [t for t, _ in checker.tags]
    assert "script" not in tags and "img" not in tags
    for tag, attrs in checker.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("#", "http://", "https://")), href
    assert not any("javascript:" in (attrs.get("href") or "") for _, attrs in checker.tags)
    metas = [attrs for tag, attrs in checker.tags if tag == "meta"]
    assert {"charset": "utf-8"} in metas
    csp = [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    # the error message is escaped too
    assert "&lt;b&gt;not&lt;/b&gt; a &quot;page&quot;" in page


def test_html_structure(brief):
    page = render(brief, "html")
    checker = _parse(page)
    assert checker.problems == [] and checker.stack == []
    doc = lxml.html.document_fromstring(page)
    assert [h.text_content() for h in doc.iter("h1")][:2] == [
        "Four astronauts launch to the station",
        "Port reopens after storm",
    ]
    assert len(doc.cssselect("ol.facts > li")) == 5
    pills = [p.text_content() for p in doc.cssselect(".pill")]
    assert pills == [
        "corroborated by 2 independent origins",
        "single source",
        "disputed",
        "single source",
        "single source",
    ]
    # every citation link points to an article anchor that exists
    ids = {el.get("id") for el in doc.iter() if el.get("id")}
    cites = [a.get("href") for a in doc.cssselect(".cites a")]
    assert cites and all(h[1:] in ids for h in cites)
    assert {"src-1", "src-2", "src-3", "src-4"} <= ids
    # removed blocks in <details> labelled by kind; the copy sits under its origin
    summaries = [s.text_content() for s in doc.iter("summary")]
    assert "Removed: ad (2)" in summaries and "Removed: navigation (1)" in summaries
    assert doc.get_element_by_id("src-2").getparent().get("class") == "copies"
    assert doc.cssselect("#src-1 a[href^='https://']")
    assert not doc.cssselect("#src-3 .meta a")  # javascript: URL is not a link
    assert "javascript:alert(1)" in doc.get_element_by_id("src-3").text_content()
    marks = [m.text_content() for m in doc.iter("mark")]
    assert marks == ["reckless", "gamble", "reckless"]
    assert doc.cssselect("#errors li code")[0].text_content() == "PX103"
    assert doc.cssselect("meter")


def test_render_rejects_unknown_format(brief):
    assert FORMATS == ("md", "json", "html")
    with pytest.raises(ValueError, match="unknown output format"):
        render(brief, "pdf")


def test_empty_brief_renders():
    b = Brief(articles=[], stories=[])
    for fmt in FORMATS:
        assert render(b, fmt)
    assert to_json(b)["stories"] == [] and to_json(b)["origin_groups"] == []


def test_render_rejects_unknown_format_with_a_code(brief):
    from parallax.errors import UsageError

    with pytest.raises(UsageError) as info:
        render(brief, "pdf")
    assert info.value.code == "PX302"


def test_atom_ids_and_entries(brief):
    import xml.etree.ElementTree as ET
    from datetime import date

    from parallax.render.atom import daily_entry, daily_entry_id, feed_xml, story_entry, story_entry_id

    assert story_entry_id("story-1", 3) == "urn:parallax:story:story-1:v3"
    assert story_entry_id("story-1", None) == "urn:parallax:story:story-1:v1"  # a brief never recorded
    assert daily_entry_id(date(2026, 3, 10)) == "urn:parallax:daily:2026-03-10"
    story = brief.stories[0]
    e1 = story_entry(story, updated="2026-03-10T08:00:00", link="https://example.org/stories/x")
    e2 = story_entry(story, version=4, updated="2026-03-11T09:30:00+01:00")
    day = daily_entry(date(2026, 3, 10), brief.stories, updated="2026-03-10T12:00:00Z")
    assert e1.id == f"urn:parallax:story:{story.id}:v1" and e2.id.endswith(":v4") and "(update 4)" in e2.title
    assert e2.updated == "2026-03-11T08:30:00Z"  # instants in UTC
    xml = feed_xml([e1, e2, day], title="T", self_url="https://example.org/feed.atom")
    root = ET.fromstring(xml)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.find("a:id", ns).text for e in root.findall("a:entry", ns)] == [e2.id, day.id, e1.id]  # newest first
    assert root.find("a:updated", ns).text == e2.updated
    assert root.find("a:link", ns).get("href") == "https://example.org/feed.atom"
    first = root.findall("a:entry", ns)[-1]
    assert first.find("a:link", ns).get("href") == "https://example.org/stories/x"
    content = first.find("a:content", ns)
    assert content.get("type") == "html" and story.facts[0].text.split()[0] in content.text
    assert {c.get("term") for c in root.iter(f"{{{ns['a']}}}category")} == {"story-update", "daily"}


def test_atom_survives_hostile_text(brief):
    import xml.etree.ElementTree as ET

    from parallax.render.atom import feed_xml, story_entry

    story = brief.stories[0]
    hostile = Story(id=story.id, articles=story.articles, headline=EVIL + "\x00\x08 bell\x07",
                    facts=story.facts, disputes=story.disputes, coverage=dict(story.coverage))
    root = ET.fromstring(feed_xml([story_entry(hostile)], title="T\x01"))  # would raise on invalid XML
    ns = {"a": "http://www.w3.org/2005/Atom"}
    title = root.find("a:entry/a:title", ns).text
    assert title.startswith("<script>") and "\x00" not in title and "bell" in title
    assert root.find("a:title", ns).text == "T"


def test_markdownish_html_escapes_and_forbids_scripts():
    from parallax.render.html import markdownish_html

    page = markdownish_html(f"# Title {EVIL}\n\n## Part\n- item\n  - sub\nplain", title=EVIL)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<h1>" in page and "<h2>Part</h2>" in page and "• item" in page
    assert "Content-Security-Policy" in page


def _claims_brief() -> Brief:
    """A lead sentence stated whole by one origin (two copies) whose second part an independent report states."""
    b = make_brief()
    text = "Four astronauts launched on Thursday, and the mission will last six months."
    f = Fact(text=text, sources=["001", "002"], support=1, status="single-source",
             refs=[SourceRef("001", 0, 37, "g1"), SourceRef("002", 0, 37, "g1")], origin_article="001",
             partial=[SourceRef("003", 39, 83, "g2")],
             claims=[{"text": "Four astronauts launched on Thursday", "start": 0, "end": 36,
                      "sources": ["001", "002"], "support": 1},
                     {"text": "and the mission will last six months.", "start": 38, "end": len(text),
                      "sources": ["001", "002", "003"], "support": 2}])
    b.stories[0].facts = [f]
    return b


def test_claims_are_in_every_format():
    b = _claims_brief()
    data = to_json(b)
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(data)
    fact = data["stories"][0]["facts"][0]
    assert fact["support"] == 1 and [p["article"] for p in fact["partly_stated_by"]] == ["003"]
    assert [c["support"] for c in fact["claims"]] == [1, 2]
    assert fact["claims"][1]["sources"] == ["001", "002", "003"]
    md_text = render(b, "md")
    assert "“and the mission will last six months.”: this part stated by 2 independent origins" in md_text
    html_text = render(b, "html")
    assert "this part stated by 2 independent origins" in html_text
    assert "“Four astronauts launched on Thursday”" not in html_text  # a part with the whole's support: no note


@pytest.mark.parametrize(("given", "shown"), [
    ("/srv/desk/pages/harbour.txt", "harbour.txt"),  # absolute: the file name only
    ("/srv/desk/wire.jsonl:3", "wire.jsonl:3"),  # a JSONL record keeps its line
    ("../../etc/pages/a.html", "a.html"),
    ("~/pages/a.html", "a.html"),
    ("C:\\Users\\desk\\a.html", "a.html"),
    ("pages/harbour.txt", "pages/harbour.txt"),  # relative, as given
    ("https://news.example.com/a?id=1", "https://news.example.com/a?id=1"),
    ("-", "-"),
    ("", ""),
])
def test_an_articles_input_never_names_a_server_folder(given, shown):
    """issue 22, item 9: `brief --format json`, /api/stories/{id} and /api/articles/{id} showed `input` as
    given, absolute paths included."""
    from parallax.model import Article
    from parallax.render.jsonout import article_to_dict

    assert article_to_dict(Article(id="a", raw="Text.", input=given))["input"] == shown
