"""bench.bank: the scorer counts what its docstring says, on hand-made briefs over a tiny fictional cluster
(tests/fixtures/cluster-bank/t01-ferry-fire: a wire, its verbatim copy, two independent reports), and the product path on
that cluster keeps the copy out of the origin count."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from bench import bank

from parallax.model import Article, Brief, Dispute, Fact, SourceRef, Story, Variant

FIXTURES = Path(__file__).parent / "fixtures" / "cluster-bank"
CLUSTER = FIXTURES / "t01-ferry-fire"
GOLD = bank.Gold(json.loads((CLUSTER / "gold.json").read_text(encoding="utf-8")))
TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in (CLUSTER / "pages").iterdir()}
GROUP = {"w_wire": "g-w", "w_copy": "g-w", "x_gazette": "g-x", "y_radio": "g-y"}


def ref(page: str, sub: str) -> SourceRef:
    start = TEXTS[page].index(sub)
    return SourceRef(page, start, start + len(sub), GROUP[page])


def fact(text: str, *refs: SourceRef, support: int = 0) -> Fact:
    support = support or len({r.group for r in refs})
    return Fact(text, [r.article for r in refs], support, "corroborated" if support > 1 else "single-source",
                refs=list(refs), origin_article=refs[0].article)


def brief(facts: list[Fact], disputes: list[Dispute] | None = None, stories: list[list[str]] | None = None,
          groups: dict[str, str] | None = None) -> Brief:
    groups = groups or GROUP
    arts = [Article(p, t, text=t, group=groups[p]) for p, t in sorted(TEXTS.items())]
    stories = stories or [sorted(TEXTS)]
    return Brief(arts, [Story(f"s{k}", s, facts=facts if k == 0 else [], disputes=(disputes or []) if k == 0 else [])
                        for k, s in enumerate(stories)])


def score(b: Brief) -> Counter[str]:
    counts, _, _ = bank.score_cluster(b, GOLD)
    return counts


INJURED = "No one was injured, harbour master Ansel Drury told reporters."


def test_origins_copy_is_not_an_origin_and_a_digest_belongs_with_its_parents() -> None:
    assert GOLD.origins(["w_wire", "w_copy"]) == 1
    assert GOLD.origins(["w_wire", "w_copy", "x_gazette"]) == 2
    assert GOLD.corroborated["A1"] and not GOLD.corroborated["A3"]
    digest = bank.Gold({"pages": {"a": {"derives_from": None}, "b": {"derives_from": None},
                                  "d": {"derives_from": ["a", "b"]}, "c": {"derives_from": "d"}}})
    assert digest.same_origin("d", "a") and digest.same_origin("c", "b") and not digest.same_origin("a", "b")
    assert digest.origins(["d", "a"]) == 1 and digest.origins(["a", "b", "d", "c"]) == 2


def test_a_cross_origin_corroboration_is_right_and_recalled() -> None:
    c = score(brief([fact(INJURED, ref("w_wire", INJURED), ref("x_gazette", "Nobody was hurt in the blaze"))]))
    assert (c["corr_printed"], c["corr_matched"], c["corr_correct"], c["over"], c["unmatched"]) == (1, 1, 1, 0, 0)
    assert c["corr_recalled"] == 1 and c["gold_corr"] == 3


def test_a_copy_counted_as_support_is_over_support_and_wrong() -> None:
    b = brief([fact(INJURED, ref("w_wire", INJURED), ref("w_copy", INJURED), support=2)],
              groups={**GROUP, "w_copy": "g-copy"})  # the product took the copy for its own origin
    c = score(b)
    assert (c["corr_matched"], c["corr_correct"], c["over"], c["corr_recalled"]) == (1, 0, 1, 0)
    assert c["origin_right"] == 2  # the wire and the copy are both wrong; the other two right


def test_a_partial_sentence_counted_as_support_is_over_support() -> None:
    put_out = "The fire was put out within forty minutes by the ship's crew and two harbour fire boats."
    c = score(brief([fact(put_out, ref("w_wire", put_out), ref("y_radio", "Fire boats were sent from the harbour."))]))
    assert (c["corr_matched"], c["corr_correct"], c["over"], c["partial_support"]) == (1, 0, 1, 1)


def test_unmatched_corroboration_is_reported_apart() -> None:
    c = score(brief([fact("Islanders", ref("x_gazette", "Islanders on Hobb said"), ref("y_radio", "Ferry fire"))]))
    assert (c["corr_printed"], c["corr_matched"], c["unmatched"]) == (1, 0, 1)


def test_disputes_and_not_disputes() -> None:
    real = Dispute("passengers", "number", [
        Variant("forcing 212 passengers to leave the ship", "212", ["w_wire", "w_copy"], ["g-w"]),
        Variant("230 passengers were taken off", "230", ["y_radio"], ["g-y"])])
    fake = Dispute("when", "date", [
        Variant("will stay in port for at least a week", "a week", ["w_wire"], ["g-w"]),
        Variant("a replacement ship would run from Tuesday", "Tuesday", ["y_radio"], ["g-y"])])
    c = score(brief([], [real, fake]))
    assert (c["disp_recalled"], c["gold_disputes"], c["printed_disputes"], c["disp_correct"]) == (1, 1, 2, 1)
    assert c["notdisp_shown"] == 1


def test_stories_split_is_scored() -> None:
    c = score(brief([], stories=[["w_copy", "w_wire", "x_gazette"], ["y_radio"]]))
    assert (c["stories_right"], c["story_pairs"], c["story_pairs_agree"]) == (0, 6, 3)


def test_peer_leader_grouping_counts_origin_groups() -> None:
    import numpy as np

    class St:
        def __init__(self, article: str, group: str) -> None:
            self.article, self.group, self.start, self.end, self.text = article, group, 0, 1, article

    st = [St("w_wire", "g-w"), St("w_copy", "g-w"), St("x_gazette", "g-x")]
    sim = np.array([[1, 0.95, 0.7], [0.95, 1, 0.7], [0.7, 0.7, 1]])
    assert [f.support for f in bank.peer_facts(st, sim, 0.9)] == [1, 1]
    assert [f.support for f in bank.peer_facts(st, sim, 0.6)] == [2]
    grids = {"a": {t: {"corr_correct": 1, "corr_matched": 1, "corr_recalled": int(t == 0.7), "gold_corr": 1}
                   for t in bank.PEER_GRID}, "b": {t: {"corr_correct": 1, "corr_matched": 1, "corr_recalled": 0,
                                                       "gold_corr": 1} for t in bank.PEER_GRID}}
    assert bank.choose_thresholds(grids)["b"] == 0.7


def test_cli_skips_loudly_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bank.main(["--data", str(tmp_path / "nothing"), "--no-peer"]) == 0
    assert "skip" in capsys.readouterr().err


def test_product_path_on_the_fixture() -> None:
    res = bank.run_cluster(bank.Cluster(CLUSTER.name, CLUSTER, "dev"), peer=False)
    c, d = res["counts"], res["details"]
    assert c["pages_missing"] == 0 and c["lost"] == 0, d
    assert c["stories_right"] == 1
    assert c["origin_right"] == 4, d["wrong_origin_groups"]  # the copy joins the wire: not a second origin
    assert "A1" not in {m["fact"] for m in d["missed_corroborations"]}  # wire and gazette: a real corroboration
    assert c["noise_kept"] == 0


def test_a_digest_is_right_with_one_of_its_parents_and_wrong_alone() -> None:
    gold = bank.Gold({"stories": [{"id": "A", "pages": ["a", "a2", "b", "d"]}],
                      "pages": {"a": {"derives_from": None}, "a2": {"derives_from": "a"}, "b": {"derives_from": None},
                                "d": {"derives_from": ["a", "b"]}}})

    def right(groups: dict[str, str]) -> int:
        arts = {p: Article(p, "", group=g) for p, g in groups.items()}
        return bank.score_origins(arts, gold, list(groups))[0]["origin_right"]

    assert right({"a": "g1", "a2": "g1", "b": "g2", "d": "g1"}) == 4
    assert right({"a": "g1", "a2": "g1", "b": "g2", "d": "g3"}) == 3  # the digest alone: an origin of its own
    # the copy with the other origin: a, a2 and b wrong; the digest's mates are still its parents' pages
    assert right({"a": "g1", "a2": "g2", "b": "g2", "d": "g2"}) == 1


def test_a_part_shown_corroborated_is_scored_like_a_fact_and_apart() -> None:
    """A single-source sentence whose first part another origin states ("this part stated by 2 independent
    origins"): the part is recalled as shown corroborated (corr_recalled_parts), the sentence-level figures do not
    move; a part shown with a copy's support is over-supported."""
    lead = ("A fire broke out in the engine room of the passenger ferry Marit Vale on Sunday morning, forcing 212 "
            "passengers to leave the ship at Quillmere harbour, the harbour authority said.")
    part = "A fire broke out in the engine room of the passenger ferry Marit Vale on Sunday morning"
    gazette = ref("x_gazette", "Passengers on the Marit Vale were sent ashore at Quillmere harbour on Sunday morning "
                               "after fire broke out in the ship's engine room.")
    f = fact(lead, ref("w_wire", lead))
    f.partial = [gazette]
    f.claims = [{"text": part, "start": 0, "end": len(part), "sources": ["w_wire", "x_gazette"], "support": 2},
                {"text": lead[len(part) + 2:], "start": len(part) + 2, "end": len(lead), "sources": ["w_wire"],
                 "support": 1}]
    c = score(brief([f]))
    assert (c["corr_printed"], c["corr_recalled"]) == (0, 0)
    assert (c["claims_printed"], c["claims_matched"], c["claims_correct"], c["claims_over"]) == (1, 1, 1, 0)
    assert c["corr_recalled_parts"] == 1
    f.claims[0]["sources"] = ["w_wire", "w_copy"]  # the copy taken for a second origin
    f.partial = [ref("w_copy", lead)]
    c = score(brief([f]))
    assert (c["claims_matched"], c["claims_correct"], c["claims_over"], c["corr_recalled_parts"]) == (1, 0, 1, 0)
