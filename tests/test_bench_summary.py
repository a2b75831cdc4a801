"""bench.summary's protocols (issue 21 item 4): under "whole" no system's sentence is cut."""

from __future__ import annotations

from bench import peers

SENTS = ["The dam held through the night.", "Engineers from three towns checked every sluice gate before dawn.",
         "Nobody was hurt.", "The river fell by a metre on Sunday."]


def test_whole_sentences_never_cut_and_fill_with_what_fits():
    got = peers.whole_sentences(SENTS, 12)
    assert got == ["The dam held through the night.", "Nobody was hurt."]  # the 10-word one skipped, not cut
    assert all(s in SENTS for s in got)
    assert sum(len(s.split()) for s in got) <= 12


def test_cut_protocol_fills_the_budget_exactly():
    got = peers.fit(SENTS, 12, "cut")
    assert sum(len(s.split()) for s in got) == 12
    assert got[-1] not in SENTS  # the last one cut mid-way


def test_lead_round_robin_under_both_protocols():
    docs = [SENTS[:2], SENTS[2:]]
    assert peers.lead_round_robin(docs, 9, "whole") == [SENTS[0], SENTS[2]]
    assert sum(len(s.split()) for s in peers.lead_round_robin(docs, 9, "cut")) == 9
