"""parallax.text.embed: the real all-MiniLM-L6-v2 (int8 ONNX) model, its location and its pinned sha256
(the pins and the files are `parallax.text.encoder`'s, which every reader of the model goes through)."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

from parallax.errors import ParallaxError
from parallax.text import embed as embed_mod
from parallax.text import encoder as encoder_mod
from parallax.text.embed import DIM, OnnxEmbedder, embed, get_embedder, locate_model_files

SENTENCES = [
    "A passenger ferry ran aground on a sandbank outside the harbour on Saturday.",
    "On Saturday a ferry carrying passengers got stuck on a sandbank near the port.",
    "The central bank raised its main interest rate to 4.5 percent.",
]


def test_vectors_are_unit_length_and_384_dimensional():
    v = embed(SENTENCES)
    assert v.shape == (3, DIM) == (3, 384)
    assert v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


def test_similar_sentences_score_higher_than_unrelated_ones():
    v = embed(SENTENCES)
    same_event = float(v[0] @ v[1])
    unrelated = float(v[0] @ v[2])
    assert same_event > 0.7
    assert unrelated < 0.3
    assert same_event > unrelated + 0.4


def test_embedding_is_deterministic_and_order_independent():
    a = embed(SENTENCES)
    b = embed(SENTENCES[::-1])[::-1]
    assert np.allclose(a, b, atol=1e-5)
    fresh = OnnxEmbedder().embed(SENTENCES)
    assert np.allclose(a, fresh, atol=1e-5)


def test_empty_inputs():
    assert embed([]).shape == (0, DIM)
    v = embed([""])
    assert v.shape == (1, DIM) and np.isfinite(v).all()


def test_long_text_is_truncated_not_rejected():
    v = embed([" ".join(["harbour"] * 2000)])
    assert v.shape == (1, DIM) and abs(float(np.linalg.norm(v[0])) - 1.0) < 1e-4


def test_default_embedder_is_the_onnx_model():
    assert "MiniLM" in get_embedder().name


def test_missing_model_dir_is_px201_naming_it(tmp_path, monkeypatch):
    missing = tmp_path / "no-model-here"
    monkeypatch.setenv("PARALLAX_MODEL_DIR", str(missing))
    with pytest.raises(ParallaxError) as exc:
        locate_model_files()
    assert exc.value.code == "PX201"
    assert exc.value.input == str(missing)
    assert str(missing) in str(exc.value)
    with pytest.raises(ParallaxError) as exc:
        OnnxEmbedder().warm_up()
    assert exc.value.code == "PX201"


def test_model_dir_lacking_one_file_is_px201(tmp_path, monkeypatch):
    onnx, _ = locate_model_files()
    (tmp_path / "model.onnx").symlink_to(onnx)
    monkeypatch.setenv("PARALLAX_MODEL_DIR", str(tmp_path))
    with pytest.raises(ParallaxError) as exc:
        locate_model_files()
    assert exc.value.code == "PX201"


def test_model_dir_with_the_model_files_works(tmp_path, monkeypatch):
    onnx, tok = locate_model_files()
    (tmp_path / "model.onnx").symlink_to(onnx)
    (tmp_path / "tokenizer.json").symlink_to(tok)
    monkeypatch.setenv("PARALLAX_MODEL_DIR", str(tmp_path))
    assert locate_model_files() == (tmp_path / "model.onnx", tmp_path / "tokenizer.json")
    v = OnnxEmbedder().embed(SENTENCES[:1])
    monkeypatch.delenv("PARALLAX_MODEL_DIR")
    assert np.allclose(v, embed(SENTENCES[:1]), atol=1e-5)


def test_installed_model_files_match_the_pinned_sha256(monkeypatch):
    monkeypatch.delenv("PARALLAX_MODEL_DIR", raising=False)
    onnx, tok = locate_model_files()
    assert embed_mod.file_sha256(onnx) == encoder_mod.ONNX_SHA256
    assert embed_mod.file_sha256(tok) == encoder_mod.TOKENIZER_SHA256


def test_sha256_helper(tmp_path):
    p = tmp_path / "blob.bin"
    data = os.urandom(3 * (1 << 20) + 17)  # spans several read chunks
    p.write_bytes(data)
    assert embed_mod.file_sha256(p) == hashlib.sha256(data).hexdigest()


def test_wrong_model_file_is_px202(monkeypatch):
    monkeypatch.delenv("PARALLAX_MODEL_DIR", raising=False)
    monkeypatch.setattr(encoder_mod, "ONNX_SHA256", "0" * 64)
    onnx, _ = locate_model_files()
    with pytest.raises(ParallaxError) as exc:
        OnnxEmbedder().warm_up()
    assert exc.value.code == "PX202"
    assert exc.value.input == str(onnx)
    assert "0" * 64 in str(exc.value)


def test_wrong_tokenizer_file_is_px202(monkeypatch):
    monkeypatch.delenv("PARALLAX_MODEL_DIR", raising=False)
    monkeypatch.setattr(encoder_mod, "TOKENIZER_SHA256", "f" * 64)
    _, tok = locate_model_files()
    with pytest.raises(ParallaxError) as exc:
        OnnxEmbedder().warm_up()
    assert exc.value.code == "PX202" and exc.value.input == str(tok)


def test_verification_can_be_turned_off(monkeypatch):
    monkeypatch.delenv("PARALLAX_MODEL_DIR", raising=False)
    monkeypatch.setattr(encoder_mod, "ONNX_SHA256", "0" * 64)
    e = OnnxEmbedder(verify=False)
    assert e.embed(SENTENCES[:1]).shape == (1, DIM)


def test_the_torch_backend_without_its_extra_is_px201():
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(ParallaxError) as exc:
            embed_mod.TorchEmbedder().warm_up()
        assert exc.value.code == "PX201" and "torch" in str(exc.value)
    else:  # pragma: no cover - the optional extra is installed
        v = embed_mod.TorchEmbedder().embed(SENTENCES[:2])
        assert v.shape == (2, DIM) and np.allclose(embed(SENTENCES[:2]), v, atol=0.05)
