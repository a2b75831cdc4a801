"""The fact-level cross-check benchmark: its gold files agree with their pages, and its scorer counts what its
docstring says (on a hand-made brief, so these tests do not run the pipeline)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import crosscheck as xc

from parallax.model import Article, Brief, Dispute, Fact, Relation, SourceRef, Story, Variant

CLUSTERS = xc.clusters_in(xc.DATA_ROOT)


def test_at_least_six_clusters_of_four_to_eight_pages() -> None:
    assert len(CLUSTERS) >= 6
    for cluster in CLUSTERS:
        gold = xc.load_gold(cluster)
        assert 4 <= len(gold["pages"]) <= 8, cluster.name
        roles = [p["role"] for p in gold["pages"].values()]
        assert roles.count("wire") == 1 and "rewrite" in roles and roles.count("independent") >= 2, cluster.name
        assert gold["disputes"] and gold["non_disputes"], cluster.name


@pytest.mark.parametrize("cluster", CLUSTERS, ids=[c.name for c in CLUSTERS])
def test_gold_matches_its_pages(cluster: Path) -> None:
    assert xc.validate(cluster) == []


def test_validate_reports_a_string_missing_from_its_page(tmp_path: Path) -> None:
    src = CLUSTERS[0]
    dst = tmp_path / src.name
    dst.mkdir()
    for f in src.iterdir():
        dst.joinpath(f.name).write_bytes(f.read_bytes())
    gold = (dst / "gold.json").read_text(encoding="utf-8")
    first = xc.load_gold(src)["facts"][0]
    page, subs = next(iter(first["statements"].items()))
    (dst / "gold.json").write_text(gold.replace(subs[0], subs[0] + " and more", 1), encoding="utf-8")
    problems = xc.validate(dst)
    assert any(first["id"] in p and page in p for p in problems)


def test_value_tokens_normalise_numbers() -> None:
    assert xc.value_tokens("about 1,150 residents") >= {"1150"}
    assert "46" in xc.value_tokens("Forty-six vessels")
    assert xc.value_tokens("nine") == {"9"}
    assert xc.value_tokens("1 September") == {"1", "september"}


# --- the scorer on a hand-made brief -----------------------------------------------------------------------

GOLD = {
    "pages": {"w": {"role": "wire"}, "r": {"role": "rewrite", "of": "w"}, "a": {"role": "independent"},
              "b": {"role": "independent"}},
    "origin_groups": [["w", "r"], ["a"], ["b"]],
    "facts": [
        {"id": "gap", "kind": "corroborated-paraphrase", "support": 2,
         "statements": {"w": ["a gap of about 60 metres"], "a": ["A 60-metre section gave way."]}},
        {"id": "quote", "kind": "single-origin-copied", "support": 1,
         "statements": {"w": ["We will rebuild it."], "r": ["promised to rebuild it"]}},
        {"id": "rail", "kind": "single-origin", "support": 1, "statements": {"b": ["Trains were stopped."]}},
    ],
    "disputes": [
        {"id": "count", "kind": "number", "sides": [
            {"value": "1,150", "statements": {"w": ["1,150 people left"], "r": ["1,150 fled"]}},
            {"value": "1,400", "statements": {"a": ["1,400 people left"]}}]},
    ],
    "non_disputes": [
        {"id": "days", "kind": "different-happenings", "sides": [
            {"value": "Sunday", "statements": {"w": ["on Sunday"]}},
            {"value": "Monday", "statements": {"b": ["on Monday"]}}]},
    ],
}
TEXTS = {
    "w": "The bank broke on Sunday, leaving a gap of about 60 metres. 1,150 people left. We will rebuild it.",
    "r": "Shocking: the bank failed, 1,150 fled. The boss promised to rebuild it.",
    "a": "A 60-metre section gave way. 1,400 people left.",
    "b": "Trains were stopped. Repairs began on Monday.",
}
GROUPS = {"w": "g1", "r": "g1", "a": "g2", "b": "g3"}


def _ref(article: str, sentence: str) -> SourceRef:
    start = TEXTS[article].index(sentence)
    return SourceRef(article, start, start + len(sentence), GROUPS[article])


def _fact(support: int, *cites: tuple[str, str]) -> Fact:
    refs = [_ref(a, s) for a, s in cites]
    return Fact(cites[0][1], [r.article for r in refs], support, "corroborated" if support > 1 else "single-source",
                refs=refs)


def _brief(facts: list[Fact], disputes: list[Dispute], groups: dict[str, str] | None = None) -> Brief:
    groups = groups or GROUPS
    articles = [Article(id=k, raw=v, text=v, group=groups[k]) for k, v in TEXTS.items()]
    return Brief(articles=articles, stories=[Story("s", list(TEXTS), facts=facts, disputes=disputes)])


def test_scorer_counts_corroboration_and_false_corroboration() -> None:
    facts = [
        _fact(2, ("w", "The bank broke on Sunday, leaving a gap of about 60 metres."),
              ("a", "A 60-metre section gave way.")),  # a paraphrase found: correct
        _fact(2, ("w", "We will rebuild it."), ("r", "The boss promised to rebuild it.")),  # a rewrite counted
        _fact(1, ("b", "Trains were stopped.")),
    ]
    sc = xc.score_cluster(_brief(facts, []), GOLD)
    row = sc.row("toy")
    assert (sc.gold_corr, sc.corr_recalled) == (1, 1)
    assert (sc.brief_corr, sc.corr_correct) == (2, 1) and row["corr_p"] == 0.5
    assert (sc.single_in_brief, sc.single_false) == (2, 1) and row["false_corr"] == 0.5
    assert sc.copy_counted == 1
    assert sc.details["false_corroborations"] == ["quote"]


def test_support_two_from_one_origin_does_not_recall_a_fact() -> None:
    facts = [_fact(2, ("w", "The bank broke on Sunday, leaving a gap of about 60 metres."),
                   ("r", "Shocking: the bank failed, 1,150 fled."))]
    sc = xc.score_cluster(_brief(facts, []), GOLD)
    assert sc.corr_recalled == 0 and sc.corr_correct == 0 and sc.brief_corr == 1


def test_scorer_classifies_disputes() -> None:
    real = Dispute("how many: people", "number", [Variant("1,150 people left.", "1,150 people", ["w", "r"], ["g1"]),
                                                   Variant("1,400 people left.", "1,400 people", ["a"], ["g2"])])
    days = Dispute("the day of the week", "date", [Variant("x", "Sunday", ["w"], ["g1"]),
                                                   Variant("y", "Monday", ["b"], ["g3"])])
    # the right values but a date dispute: it does not recall the count
    wrong_kind = Dispute("the date", "date", [Variant("1,150 people left.", "1,150", ["w"], ["g1"]),
                                              Variant("1,400 people left.", "1,400", ["a"], ["g2"])])
    sc = xc.score_cluster(_brief([], [real, days, wrong_kind]), GOLD)
    assert (sc.gold_disputes, sc.disp_recalled) == (1, 1)
    assert (sc.brief_disputes, sc.disp_correct, sc.disp_nondispute) == (3, 1, 1)
    assert sc.nondisp_hit == 1
    assert [v["verdict"] for v in sc.details["brief_disputes"]] == ["correct", "non-dispute: days", "nothing planted"]


def test_origin_group_accuracy_is_pairwise() -> None:
    sc = xc.score_cluster(_brief([], []), GOLD)
    assert sc.pairs == 6 and sc.pairs_agree == 6
    split_rewrite = dict(GROUPS, r="g4")  # the rewrite taken for an independent origin
    sc = xc.score_cluster(_brief([], [], split_rewrite), GOLD)
    assert sc.pairs_agree == 5 and sc.same_pairs_found == 0


def test_wire_traced_to_its_own_copy_is_not_the_origin() -> None:
    brief = _brief([], [])
    assert xc.score_cluster(brief, GOLD).wires_as_origin == 1
    wire = next(a for a in brief.articles if a.id == "w")
    wire.derived_from.append(Relation("r", "rewrite", "aligned sentences"))
    sc = xc.score_cluster(brief, GOLD)
    assert (sc.wires, sc.wires_as_origin) == (1, 0)
