"""parallax.text.cross: the cross-encoder cascade (model checks, answers independent of batching, the band)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from parallax.config import JudgeConfig, settings
from parallax.errors import ParallaxError
from parallax.text.cross import HEAD_FILE, MODEL_FILE, CrossEncoder
from parallax.text.judge import MODEL_DIR, PairJudge

CLAIM = "The council evacuated 240 residents from the flooded district on Tuesday."
PARAPHRASE = "On Tuesday the council moved 240 people out of the district after the floods."
OTHER = "The council said the flooded district's schools would stay shut until Friday."
WIDER = "The council evacuated 240 residents on Tuesday and opened two shelters at the Marrowby sports hall."
PAIRS = [(CLAIM, PARAPHRASE), (PARAPHRASE, CLAIM), (CLAIM, OTHER), (CLAIM, WIDER), (WIDER, CLAIM)]


@pytest.fixture(scope="module")
def cross():
    c = CrossEncoder(MODEL_DIR)
    c.warm_up()
    return c


def test_missing_model_is_px201(tmp_path):
    shutil.copy(MODEL_DIR / "SHA256SUMS", tmp_path / "SHA256SUMS")
    shutil.copy(MODEL_DIR / HEAD_FILE, tmp_path / HEAD_FILE)
    with pytest.raises(ParallaxError) as exc:
        CrossEncoder(tmp_path).warm_up()
    assert exc.value.code == "PX201"


def test_altered_head_is_px202(tmp_path):
    shutil.copy(MODEL_DIR / "SHA256SUMS", tmp_path / "SHA256SUMS")
    shutil.copy(MODEL_DIR / MODEL_FILE, tmp_path / MODEL_FILE)
    (tmp_path / HEAD_FILE).write_text((MODEL_DIR / HEAD_FILE).read_text(encoding="utf-8") + " ", encoding="utf-8")
    with pytest.raises(ParallaxError) as exc:
        CrossEncoder(tmp_path).warm_up()
    assert exc.value.code == "PX202"


def test_logits_do_not_depend_on_the_batch_or_its_order(cross):
    a, b = zip(*PAIRS, strict=True)
    together = cross.logits(list(a), list(b))
    alone = np.stack([CrossEncoder(MODEL_DIR).logits([x], [y])[0] for x, y in PAIRS])
    backwards = CrossEncoder(MODEL_DIR).logits(list(a[::-1]), list(b[::-1]))[::-1]
    assert together.shape == (len(PAIRS), 2)
    assert np.array_equal(together, alone)
    assert np.array_equal(together, backwards)


def test_each_pair_runs_once(cross):
    c = CrossEncoder(MODEL_DIR)
    c.logits([CLAIM, CLAIM], [OTHER, OTHER])
    c.logits([CLAIM], [OTHER])
    assert c.runs == 1


def test_paraphrase_supports_and_a_different_fact_does_not(cross):
    cite = settings().crosscheck.cite_min
    unsure = np.array([0.8, 0.8])  # a support-head P inside the band: the cross-encoder decides
    p = cross.supports([CLAIM, CLAIM], [PARAPHRASE, OTHER], unsure)
    assert p[0] >= cite  # the same fact in other words
    assert p[1] < cite  # the same place and council, another fact


def test_cascade_changes_only_pairs_in_the_band():
    plain = PairJudge(config=JudgeConfig(cross_encoder=False))
    cascade = PairJudge(config=JudgeConfig(cross_encoder=True))
    texts = [t for pair in PAIRS for t in pair]
    enc = plain.encode(texts)
    a, b = enc[0::2], enc[1::2]
    before = plain.assess(a, b)
    after = cascade.assess(a, b)
    lo, hi = CrossEncoder(MODEL_DIR).head["band"]
    for key in ("b_supports_a", "a_supports_b"):
        outside = (before[key] < lo) | (before[key] >= hi)
        assert np.array_equal(before[key][outside], after[key][outside])
    assert np.array_equal(before["same"], after["same"])


HUNDREDS = "Hundreds of residents were moved out of the district as the floods spread."
BRIDGE = "Police closed the bridge into the district on Tuesday morning as the river rose."
RISING = "Water levels in the river kept rising on Tuesday."


def test_pairs_in_the_band_take_the_stacked_answer_when_it_may_promote():
    hundreds, bridge = HUNDREDS, BRIDGE
    plain = PairJudge(config=JudgeConfig(cross_encoder=False))
    cascade = PairJudge(config=JudgeConfig(cross_encoder=True, cross_encoder_promotes=True))
    enc = plain.encode([CLAIM, hundreds, bridge])
    a, b = [enc[1], enc[2]], [enc[0], enc[0]]
    before = plain.assess(a, b)["b_supports_a"]
    after = cascade.assess(a, b)["b_supports_a"]
    cross = CrossEncoder(MODEL_DIR)
    lo, hi = cross.head["band"]
    inside = (before >= lo) & (before < hi)
    assert inside.all()  # both pairs are ones the support head is unsure of
    want = cross.supports([hundreds, bridge], [CLAIM, CLAIM], before)
    assert np.array_equal(after, want)
    assert not np.array_equal(after, before)


def test_by_default_the_cross_encoder_only_takes_support_away():
    # ninth stop: its promotions did not hold on news written elsewhere; it reads only what the head accepts
    cite = settings().crosscheck.cite_min
    plain = PairJudge(config=JudgeConfig(cross_encoder=False))
    veto = PairJudge(config=JudgeConfig(cross_encoder=True))
    assert veto.config.cross_encoder_promotes is False
    texts = [t for pair in [*PAIRS, (HUNDREDS, CLAIM), (BRIDGE, CLAIM), (BRIDGE, RISING)] for t in pair]
    enc = plain.encode(texts)
    a, b = enc[0::2], enc[1::2]
    before, after = plain.assess(a, b), veto.assess(a, b)
    cross = CrossEncoder(MODEL_DIR)
    _, hi = cross.head["band"]
    asked_any = False
    for key, claims, cands in (("b_supports_a", a, b), ("a_supports_b", b, a)):
        x, y = before[key], after[key]
        assert (y <= x).all()  # never raised
        asked = (x >= cite) & (x < hi)
        asked_any |= bool(asked.any())
        assert np.array_equal(x[~asked], y[~asked])  # under cite_min (or sure) the head's P stands
        ks = np.flatnonzero(asked)
        want = np.minimum(x[ks], cross.supports([claims[k].text for k in ks], [cands[k].text for k in ks], x[ks]))
        assert np.array_equal(y[ks], want)
    assert (before["b_supports_a"] < cite).any() and asked_any  # both kinds of pair are in the test
