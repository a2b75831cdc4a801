"""parallax.stages.provenance: copies, near-copies, paraphrased rewrites and credits; articles grouped by origin.

Fixtures: tests/fixtures/ferry holds an original wire report (wire.txt), a near-verbatim reprint with page
noise (reprint.txt), a sentence-by-sentence paraphrase of the wire (rewrite.txt: same facts, same order,
different words) and an independent report of the same event (independent.txt).
"""

from __future__ import annotations

import shutil

import pytest

from parallax.model import Article
from parallax.stages.clean import clean_article
from parallax.stages.provenance import compare, find_credits, minhash, trace
from parallax.stages.read import read_paths
from parallax.stages.split import split_article
from parallax.text.embed import embed


def _by_id(brief) -> dict[str, Article]:
    return {a.id: a for a in brief.articles}


def _prepared(paths) -> list[Article]:
    articles, errors = read_paths(paths)
    assert errors == []
    return [split_article(clean_article(a)) for a in articles]


def _vectors(articles):
    return {a.id: embed(a.sentence_texts()) for a in articles}


def test_near_verbatim_reprint_is_a_near_copy_of_the_wire(two_event_brief):
    reprint = _by_id(two_event_brief)["reprint"]
    assert [r.article for r in reprint.derived_from] == ["wire"]
    rel = reprint.derived_from[0]
    assert rel.relation in ("near-copy", "copy")
    assert "Jaccard" in rel.evidence
    assert rel.score >= 0.6


def test_paraphrased_rewrite_is_a_rewrite_of_the_wire(two_event_brief):
    rewrite = _by_id(two_event_brief)["rewrite"]
    assert [r.article for r in rewrite.derived_from] == ["wire"]
    assert rewrite.derived_from[0].relation == "rewrite"
    assert "align by meaning in the same order" in rewrite.derived_from[0].evidence


def test_independent_report_and_other_event_stand_alone(two_event_brief):
    arts = _by_id(two_event_brief)
    for aid in ("independent", "rate-a", "rate-b", "wire"):
        assert arts[aid].derived_from == [], aid


def test_origin_groups(two_event_brief):
    groups: dict[str, set[str]] = {}
    for a in two_event_brief.articles:
        assert a.group
        groups.setdefault(a.group, set()).add(a.id)
    assert sorted(map(sorted, groups.values())) == sorted(
        [["reprint", "rewrite", "wire"], ["independent"], ["rate-a"], ["rate-b"]])
    # The group is named after its original.
    assert _by_id(two_event_brief)["rewrite"].group == "g-wire"


def test_credits_found_on_the_fixture_pages(two_event_brief):
    arts = _by_id(two_event_brief)
    rep = {(c.kind, c.name) for c in arts["reprint"].credits}
    assert ("wire", "Northwind Wire") in rep
    assert ("photo", "Lena Marsh/Northwind Wire") in rep
    assert ("wire", "Northwind Wire") in {(c.kind, c.name) for c in arts["rewrite"].credits}
    assert arts["wire"].credits == []
    for a in (arts["reprint"], arts["rewrite"]):
        for c in a.credits:
            assert a.raw[c.start : c.end].strip() == c.text


@pytest.mark.parametrize(("line", "kind", "name"), [
    ("The ship struck the shoal at 7 p.m., according to Reuters.", "wire", "Reuters"),
    ("PORT EDERLY, Vellmar (Northwind Wire) — A ferry ran aground on Saturday.", "wire", "Northwind Wire"),
    ("Nobody was hurt, the Associated Press reported on Sunday.", "wire", "Associated Press"),
    ("Reporting by Lena Marsh; editing by Ivo Kant; Meridian Press Agency", "wire", "Meridian Press Agency"),
    ("Source link", "source_link", None),
    ("Photo: Bloomberg", "photo", "Bloomberg"),
])
def test_find_credits_kinds_and_names(line, kind, name):
    raw = "A ferry ran aground outside the harbour and all passengers were safe.\n\n" + line + "\n"
    credits = find_credits(Article(id="x", raw=raw))
    assert (kind, name) in {(c.kind, c.name) for c in credits}, credits
    c = next(c for c in credits if c.kind == kind)
    assert raw[c.start : c.end].strip() == c.text


def test_no_credit_in_plain_reporting():
    raw = "The coastguard said the ferry would be refloated on Tuesday. Press officers gave no further details.\n"
    assert find_credits(Article(id="x", raw=raw)) == []


def test_exact_copy_is_a_copy_and_points_to_the_page_that_credits_no_one(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "ferry" / "wire.txt", tmp_path / "original.txt")
    text = (fixtures_dir / "ferry" / "wire.txt").read_text(encoding="utf-8")
    (tmp_path / "copy.txt").write_text(text + "\nSource link\n", encoding="utf-8")
    articles = _prepared([tmp_path / "copy.txt", tmp_path / "original.txt"])
    trace(articles, _vectors(articles))
    arts = {a.id: a for a in articles}
    assert arts["original"].derived_from == []
    assert [(r.article, r.relation) for r in arts["copy"].derived_from] == [("original", "copy")]
    assert arts["copy"].group == arts["original"].group == "g-original"


def test_a_page_that_credits_the_wire_is_not_the_original_even_when_dated_earlier(fixtures_dir):
    # The rewrite says "according to Northwind Wire": whatever its timestamp, it derives from the wire.
    articles = _prepared([fixtures_dir / "ferry" / "wire.txt", fixtures_dir / "ferry" / "rewrite.txt"])
    arts = {a.id: a for a in articles}
    arts["rewrite"].published = "2026-06-13"
    arts["wire"].published = "2026-06-14"
    trace(articles, _vectors(articles))
    assert arts["wire"].derived_from == []
    assert [r.article for r in arts["rewrite"].derived_from] == ["wire"]


def test_earlier_publication_is_the_original_when_no_one_credits(tmp_path, fixtures_dir):
    text = (fixtures_dir / "ferry" / "wire.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text.replace("Saturday evening", "Saturday night"), encoding="utf-8")
    for early, late in (("a", "b"), ("b", "a")):
        articles = _prepared([tmp_path / "a.txt", tmp_path / "b.txt"])
        arts = {a.id: a for a in articles}
        arts[early].published, arts[late].published = "2026-06-13T08:00", "2026-06-13T09:30"
        trace(articles, _vectors(articles))
        assert arts[early].derived_from == [] and arts[late].group == f"g-{early}"


def test_a_trimmed_copy_derives_from_the_fuller_one(tmp_path, fixtures_dir):
    # A reprint that dropped the last paragraphs (and the credit) is the copy, whatever the dates say.
    text = (fixtures_dir / "ferry" / "wire.txt").read_text(encoding="utf-8")
    paras = [p for p in text.split("\n\n") if p.strip()]
    (tmp_path / "full.txt").write_text(text, encoding="utf-8")
    (tmp_path / "cut.txt").write_text("\n\n".join(paras[:-2]) + "\n", encoding="utf-8")
    articles = _prepared([tmp_path / "full.txt", tmp_path / "cut.txt"])
    arts = {a.id: a for a in articles}
    arts["cut"].published, arts["full"].published = "2026-06-13T08:00", "2026-06-13T09:30"
    trace(articles, _vectors(articles))
    assert arts["full"].derived_from == []
    assert [(r.article, r.relation) for r in arts["cut"].derived_from] == [("full", "near-copy")]


def test_a_page_s_own_masthead_credit_is_not_a_credit_to_someone_else():
    from parallax.model import Credit, Removal
    from parallax.stages.provenance import credits_other, note_masthead

    a = Article(id="w", raw="", removed=[Removal("site_header", 0, 20, "Kestrel Press Agency\nWorld | Business")],
                credits=[Credit("wire", "Kestrel Press", "Reporting by A. Byrne; Kestrel Press", 0, 0)])
    assert credits_other(a)  # before the masthead is known, the credit reads as someone else's
    note_masthead(a)
    assert a.meta["masthead"] == "Kestrel Press Agency" and not credits_other(a)


def test_the_agency_s_filed_copy_is_the_original_of_an_outlet_s_reprint():
    """A page that opens with an agency's dateline and names no other outlet (or names that agency, by its initials
    too) is the agency's filed copy; an outlet's page with the same dateline is a reprint that credits it; a site
    header's account line is no masthead."""
    from parallax.model import Removal
    from parallax.stages.provenance import files_dateline, note_masthead, originality_key

    text = "VALDORO, Aug 6 (CPS) - A wildfire in the Serra Alta hills forced 3,000 people to leave their homes."
    wire = Article(id="z-wire", raw=text, text=text,
                   removed=[Removal("site_header", 0, 30, "Log in for subscribers\nWorld | Sport")])
    agency = Article(id="y-cps", raw=text, text=text, source="Continental Press Service")
    reprint = Article(id="a-reprint", raw=text, text=text, source="Sarrosa Daily News")
    plain = Article(id="b-plain", raw=text[24:], text=text[24:], source="Sarrosa Daily News")
    for a in (wire, agency, reprint, plain):
        note_masthead(a)
    assert "masthead" not in wire.meta and wire.meta["dateline_agency"] == "CPS"
    section = Article(id="s", raw=text, text=text, removed=[Removal("site_header", 0, 7, "CULTURE\nArts | Books")])
    note_masthead(section)  # a section's name is no publisher
    assert "masthead" not in section.meta and files_dateline(section)
    assert files_dateline(wire) and files_dateline(agency)
    assert not files_dateline(reprint) and not files_dateline(plain)
    assert originality_key(wire, 0.0) < originality_key(plain, 1.0)


def test_an_undated_page_is_not_taken_for_the_later_one(tmp_path, fixtures_dir):
    # Only one of the two pages has a date: time cannot decide, so a date alone does not make the original.
    text = (fixtures_dir / "ferry" / "wire.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "z.txt").write_text(text, encoding="utf-8")
    articles = _prepared([tmp_path / "a.txt", tmp_path / "z.txt"])
    arts = {a.id: a for a in articles}
    arts["z"].published = "2026-06-13"
    trace(articles, _vectors(articles))
    assert arts["a"].derived_from == []  # equal evidence: the stable tie-break (id), not the lone date


def test_compare_says_independent_for_the_independent_report(fixtures_dir):
    articles = _prepared([fixtures_dir / "ferry" / "wire.txt", fixtures_dir / "ferry" / "independent.txt",
                          fixtures_dir / "ferry" / "rewrite.txt"])
    arts = {a.id: a for a in articles}
    vecs = _vectors(articles)
    mh = {a.id: minhash(a.text) for a in articles}

    def rel(x, y):
        return compare(arts[x], arts[y], vecs[x], vecs[y], mh[x], mh[y])

    ind = rel("wire", "independent")
    assert ind.relation == "independent"
    assert ind.jaccard < 0.2
    rw = rel("wire", "rewrite")
    assert rw.relation == "rewrite"
    assert rw.run >= 8 and rw.jaccard < 0.2
    assert rel("rewrite", "independent").relation == "independent"


def test_pairwise_evidence_covers_every_pair(fixtures_dir):
    articles = _prepared([fixtures_dir / "ferry"])
    pairs = trace(articles, _vectors(articles))
    n = len(articles)
    assert len(pairs) == n * (n - 1) // 2
    assert {p.relation for p in pairs} >= {"near-copy", "rewrite", "independent"}


def test_a_news_agency_s_own_page_is_the_original_of_an_uncredited_reprint(tmp_path, fixtures_dir):
    # The reprint stripped the credit and carries a date; the agency's page has neither: the agency originates.
    text = (fixtures_dir / "ferry" / "wire.txt").read_text(encoding="utf-8")
    (tmp_path / "agency.txt").write_text(text, encoding="utf-8")
    (tmp_path / "paper.txt").write_text(text, encoding="utf-8")
    articles = _prepared([tmp_path / "agency.txt", tmp_path / "paper.txt"])
    arts = {a.id: a for a in articles}
    arts["agency"].source, arts["paper"].source = "Kestrel Press Agency", "The Marrow Key Courier"
    arts["paper"].published = "2026-06-13T08:00"
    trace(articles, _vectors(articles))
    assert arts["agency"].derived_from == [] and arts["paper"].group == "g-agency"


def test_an_excerpt_is_not_taken_for_the_original_of_the_page_it_cuts():
    """A feed's verbatim excerpt of a local report (its first paragraphs, word for word) aligns as a rewrite
    (shingles differ: it is shorter); with no dates and no credit it was taken for the origin by its id. Its
    sentences are all in the fuller page: it is the trimmed one."""
    from parallax.stages.provenance import is_verbatim

    assert is_verbatim("copy", 0.5) and is_verbatim("rewrite", 0.99)
    assert not is_verbatim("rewrite", 0.8) and not is_verbatim("independent", 1.0)
    full = ("Ambulance crews in the Tarrow region will refuse all overtime from Monday after rejecting a pay offer, "
            "the crews' union said. The ban affects about 410 paramedics employed by the regional service. "
            "Crews will still answer every emergency call, the union said. The regional health board made its "
            "offer of 3.5 percent last Thursday. The union wants the same rise as the region's hospital nurses. "
            "\"Our crews cover gaps on every shift already,\" said Mira Osk, the union's organiser. Osk said the "
            "union had no plans for a full strike. The health board said rural response times could lengthen. "
            "The union said it would meet the board again on Friday. Tarrow's service answered 38,000 calls "
            "last year, according to its annual report. The last industrial action by ambulance staff in the region "
            "was in 2015.")
    excerpt = full[: full.index("The health board said")].strip()
    arts = [Article(id="a-feed", raw=excerpt, text=excerpt, source="Feedline"),
            Article(id="b-courier", raw=full, text=full, source="Tarrow Courier")]
    arts = [split_article(a) for a in arts]
    trace(arts, _vectors(arts))
    by = {a.id: a for a in arts}
    assert by["a-feed"].group == by["b-courier"].group == "g-b-courier"


def test_a_report_told_in_the_wire_s_order_with_figures_of_its_own_is_independent(fixtures_dir):
    # issue 19: an independent short report aligns like a rewrite (5 of its 8 sentences in the wire's order); a
    # restatement adds at most a figure or two of its own, two reports several each
    from parallax.config import DEFAULT, use

    wire, courier = _prepared([fixtures_dir / "crane" / "wire.txt", fixtures_dir / "crane" / "courier.txt"])
    vecs = _vectors([wire, courier])

    def rel():
        return compare(wire, courier, vecs[wire.id], vecs[courier.id], minhash(wire.text), minhash(courier.text))

    ev = rel()
    assert ev.relation == "independent"
    assert ev.run >= 4 and "figures the other does not" in ev.evidence
    with use(DEFAULT.replace(provenance={"rewrite_own_figures": 1000})):
        assert rel().relation == "rewrite"  # the order alone would make it one
