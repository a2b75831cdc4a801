"""parallax.text.judge: the pair judge's runtime (model loading and checks, shapes, decisions on our own sentences)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from parallax.errors import ParallaxError
from parallax.text.judge import (
    CONTRADICTS,
    FEATURES,
    MODEL_DIR,
    MODEL_FILE,
    SUPPORTS,
    PairJudge,
    get_judge,
    join,
)

CLAIM = "The council evacuated 240 residents from the flooded district on Tuesday."
PARAPHRASE = "On Tuesday the council moved 240 people out of the flooded district."
OTHER_COUNT = "The council evacuated 410 residents from the flooded district on Tuesday."
UNRELATED = "The orchestra will open its winter season with a new symphony."
SOURCE = [
    "Heavy rain flooded the lower district of Marrowby overnight.",
    "The council evacuated 240 residents from the flooded district on Tuesday, a spokesperson said.",
    "Schools in the area stay closed until the water recedes.",
]


@pytest.fixture(scope="module")
def judge() -> PairJudge:
    j = get_judge()
    j.warm_up()
    return j


def test_probabilities_have_one_row_per_pair_and_sum_to_one(judge):
    p = judge.judge([CLAIM, CLAIM, CLAIM], [PARAPHRASE, OTHER_COUNT, UNRELATED])
    assert p.shape == (3, 3)
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert judge.judge([], []).shape == (0, 3)
    with pytest.raises(ValueError):
        judge.judge([CLAIM], [])


def test_paraphrase_supports_changed_count_contradicts_unrelated_neither(judge):
    p = judge.judge([CLAIM, CLAIM, CLAIM], [PARAPHRASE, OTHER_COUNT, UNRELATED])
    assert p[0].argmax() == SUPPORTS
    assert p[1, CONTRADICTS] > p[0, CONTRADICTS]
    assert p[1, SUPPORTS] < p[0, SUPPORTS]
    assert p[2, SUPPORTS] < 0.2


def test_windows_join_adjacent_sentences(judge):
    enc = judge.encode(SOURCE[:2])
    w = join(enc)
    assert w.text == SOURCE[0] + " " + SOURCE[1]
    assert len(w.toks) == len(enc[0].toks) + len(enc[1].toks)
    assert abs(float(np.linalg.norm(w.vec)) - 1.0) < 1e-4
    assert judge.features([CLAIM], [PARAPHRASE]).shape == (1, len(FEATURES))


def test_missing_model_is_px201(tmp_path):
    with pytest.raises(ParallaxError) as exc:
        PairJudge(model_dir=tmp_path).warm_up()
    assert exc.value.code == "PX201"
    assert MODEL_FILE in exc.value.input


def test_altered_model_is_px202(tmp_path):
    shutil.copy(MODEL_DIR / "SHA256SUMS", tmp_path / "SHA256SUMS")
    data = bytearray((MODEL_DIR / MODEL_FILE).read_bytes())
    data[-10] ^= 0xFF
    (tmp_path / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ParallaxError) as exc:
        PairJudge(model_dir=tmp_path).warm_up()
    assert exc.value.code == "PX202"


def test_model_without_hash_is_px202(tmp_path):
    shutil.copy(MODEL_DIR / MODEL_FILE, tmp_path / MODEL_FILE)
    with pytest.raises(ParallaxError) as exc:
        PairJudge(model_dir=tmp_path).warm_up()
    assert exc.value.code == "PX202"


def test_quantile20_is_numpys_quantile_to_the_bit():
    import numpy as np

    from parallax.text.judge import quantile20

    rng = np.random.default_rng(20)
    for n in [*range(1, 40), 97, 160]:
        for dtype in (np.float32, np.float64):
            x = rng.normal(size=n).astype(dtype)
            if np.lib.NumpyVersion(np.__version__) >= "2.0.0":  # numpy 2's promotion rules: the same bits
                assert quantile20(x) == float(np.quantile(x, 0.2)), (n, dtype)
            else:
                assert abs(quantile20(x) - float(np.quantile(x, 0.2))) <= 1e-6 * (1 + abs(x).max()), (n, dtype)
