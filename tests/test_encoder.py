"""parallax.text.encoder: one MiniLM pass per text for the embedder, the pair judge and the loaded-language
detector, cut to each view's own token cap, the same whatever the batch or the thread count."""

from __future__ import annotations

import numpy as np
import pytest
from tokenizers import Tokenizer

from parallax.stages import loaded
from parallax.text.embed import MAX_TOKENS, OnnxEmbedder, embed, get_embedder
from parallax.text.encoder import Encoder, locate_model_files, shared_encoder
from parallax.text.judge import TokenEncoder, get_judge

SENTENCES = [
    "A passenger ferry ran aground on a sandbank outside the harbour on Saturday.",
    "On Saturday a ferry carrying passengers got stuck on a sandbank near the port.",
    "The central bank raised its main interest rate to 4.5 percent.",
    "Critics slammed the reckless plan as a disastrous giveaway.",
    "Officials said 14 people were hurt.",
    "",
]
# 2 + 140 word pieces: over the embedder's and the detector's cap (128), under the judge's (160)
LONG = " ".join(["harbour"] * 140)


def _counting(enc: Encoder, monkeypatch) -> list[int]:
    """Count the texts in each model run of `enc` (the session's own `run`, patched)."""
    enc.warm_up()
    sizes: list[int] = []
    session = enc._session  # the test counts the model runs themselves
    real = session.run

    class Counting:
        def __getattr__(self, name):
            return getattr(session, name)

        def run(self, names, feeds):
            sizes.append(len(feeds["input_ids"]))
            return real(names, feeds)

    monkeypatch.setattr(enc, "_session", Counting())
    return sizes


def test_a_sentence_embedded_judged_and_loaded_scored_runs_through_the_model_once(monkeypatch):
    enc = Encoder()
    sizes = _counting(enc, monkeypatch)
    text = SENTENCES[3]
    vec = OnnxEmbedder(encoder=enc).embed([text])
    judged = TokenEncoder(encoder=enc).encode([text])
    feats = loaded.featurize([text], config=loaded.DEFAULT_CONFIG, encoder=enc)
    assert sizes == [1] and enc.runs == 1 and enc.texts_run == 1
    assert vec.shape == (1, 384) and judged[0].vec.shape == (384,) and feats[0].words
    # the views agree on what they share: the sentence vector (up to the judge's float64 normalisation)
    assert np.allclose(vec[0], judged[0].vec, atol=1e-6)


def test_the_process_wide_embedder_judge_and_detector_share_one_encoder():
    enc = shared_encoder()
    assert get_embedder().inner.encoder is enc
    assert get_judge().encoder.encoder is enc
    assert loaded.get_detector().encoder is enc
    before = enc.texts_run
    text = "A sentence that no other test of this session encodes, about the Qarvennic ferry."
    embed([text])
    get_judge().encode([text])
    loaded.analyse_many([text])
    loaded.analyse_many([text], "headline")
    assert enc.texts_run - before == 1


def test_each_view_keeps_its_own_token_cap(monkeypatch):
    enc = Encoder()
    _counting(enc, monkeypatch)
    TokenEncoder(max_tokens=160, encoder=enc).encode([LONG, SENTENCES[0]])
    assert enc.texts_run == 2
    OnnxEmbedder(encoder=enc).embed([LONG, SENTENCES[0]])  # the long one again, cut to 128
    assert enc.texts_run == 3
    a, b = enc.encode([LONG], 160)[0], enc.encode([LONG], MAX_TOKENS)[0]
    assert enc.texts_run == 3  # both cached
    assert len(a.ids) == a.length == 142 and len(b.ids) == MAX_TOKENS and b.length == 142
    # the cut pass is the pass of a fresh encoder asked for that cap only, bit for bit
    fresh = Encoder().encode([LONG], MAX_TOKENS)[0]
    assert np.array_equal(fresh.states, b.states) and np.array_equal(fresh.pooled, b.pooled)


def test_cutting_is_the_tokenizers_own_truncation():
    _, tok_path = locate_model_files()
    enc = Encoder()
    text = "The committee's 2,400-page report, released on Tuesday, " * 30
    for cap in (8, MAX_TOKENS, 160):
        tok = Tokenizer.from_file(str(tok_path))
        tok.no_padding()
        tok.enable_truncation(cap)
        want = tok.encode(text)
        got = enc.encode([text], cap)[0]
        assert got.ids.tolist() == want.ids
        assert [tuple(o) for o in got.offsets.tolist()] == want.offsets


def test_states_do_not_depend_on_the_batch_or_the_thread_count():
    texts = [*SENTENCES, LONG, "Short.", "Another, somewhat longer sentence about the harbour authority's plans."]
    alone = [Encoder(threads=1).encode([t], MAX_TOKENS)[0] for t in texts[:3]]
    together = Encoder(threads=2, batch_size=4).encode(texts, MAX_TOKENS)
    for a, b in zip(alone, together, strict=False):
        assert np.array_equal(a.ids, b.ids)
        assert np.array_equal(a.states, b.states)
        assert np.array_equal(a.mean, b.mean) and np.array_equal(a.pooled, b.pooled)


def test_the_cache_is_bounded_and_an_evicted_text_is_encoded_again():
    enc = Encoder(cache_bytes=1)  # keeps nothing past each call
    enc.encode(SENTENCES[:2], MAX_TOKENS)
    assert enc.texts_run == 2 and enc.cached() == 0
    enc.encode(SENTENCES[:1], MAX_TOKENS)
    assert enc.texts_run == 3
    roomy = Encoder()
    roomy.encode([*SENTENCES, *SENTENCES], MAX_TOKENS)
    roomy.encode(SENTENCES[::-1], MAX_TOKENS)
    assert roomy.texts_run == len(SENTENCES) and roomy.cached() == len(SENTENCES)


def test_a_cap_below_two_pieces_is_refused():
    with pytest.raises(ValueError):
        Encoder().encode(["x"], 1)
