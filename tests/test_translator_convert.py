"""GGUF → CTranslate2 conversion on a tiny real qwen2 model written in the test session."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import ctranslate2
import gguf
import numpy as np
import pytest
from tokenizers import Tokenizer

from termalign.kernel.errors import ModelError
from termalign.translator.gguf_convert import convert_gguf, read_gguf_info
from termalign.translator.gguf_tokenizer import GGUFVocabulary, build_tokenizer
from termalign.translator.tiny import TinyQwen2, write_tiny_qwen2_gguf

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ct2_model(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Variables and aliases of a CTranslate2 ``model.bin`` (an independent reader)."""
    data = path.read_bytes()
    pos = 0

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    def string() -> str:
        nonlocal pos
        (length,) = take("H")
        text = data[pos : pos + length - 1].decode()
        pos += length
        return text

    take("I")
    string()
    take("I")
    variables = {}
    for _ in range(take("I")[0]):
        name = string()
        (rank,) = take("B")
        shape = take(f"{rank}I") if rank else ()
        (dtype,) = take("B")
        (size,) = take("I")
        variables[name] = np.frombuffer(data, _DTYPES[dtype], size // np.dtype(_DTYPES[dtype]).itemsize, pos)
        variables[name] = variables[name].reshape(shape)
        pos += size
    aliases = {}
    for _ in range(take("I")[0]):
        alias = string()
        aliases[alias] = string()
    return variables, aliases


def reference_log_probs(tiny: TinyQwen2, ids: list[int]) -> np.ndarray:
    """Log-probability of each next token under a plain NumPy Qwen2 forward pass."""
    w = tiny.weights
    d = tiny.hidden // tiny.heads
    group = tiny.heads // tiny.kv_heads

    def rms(x: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + tiny.rms_eps) * gamma

    def rope(x: np.ndarray) -> np.ndarray:  # (T, heads, d), non-interleaved ("NeoX") halves
        inv = tiny.rope_base ** (-np.arange(0, d, 2) / d)
        angles = np.arange(len(x))[:, None] * inv[None]
        cos = np.concatenate([np.cos(angles)] * 2, -1)[:, None]
        sin = np.concatenate([np.sin(angles)] * 2, -1)[:, None]
        rotated = np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], -1)
        return x * cos + rotated * sin

    h = w["token_embd.weight"][ids].astype(np.float64)
    steps = len(ids)
    mask = np.triu(np.full((steps, steps), -np.inf), 1)
    for i in range(tiny.num_layers):
        p = f"blk.{i}."
        x = rms(h, w[p + "attn_norm.weight"])
        q = rope((x @ w[p + "attn_q.weight"].T + w[p + "attn_q.bias"]).reshape(steps, tiny.heads, d))
        k = rope((x @ w[p + "attn_k.weight"].T + w[p + "attn_k.bias"]).reshape(steps, tiny.kv_heads, d))
        v = (x @ w[p + "attn_v.weight"].T + w[p + "attn_v.bias"]).reshape(steps, tiny.kv_heads, d)
        k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
        scores = np.einsum("thd,shd->hts", q, k) / np.sqrt(d) + mask
        attn = np.exp(scores - scores.max(-1, keepdims=True))
        attn /= attn.sum(-1, keepdims=True)
        h = h + np.einsum("hts,shd->thd", attn, v).reshape(steps, -1) @ w[p + "attn_output.weight"].T
        x = rms(h, w[p + "ffn_norm.weight"])
        gate = x @ w[p + "ffn_gate.weight"].T
        h = h + ((gate / (1 + np.exp(-gate))) * (x @ w[p + "ffn_up.weight"].T)) @ w[p + "ffn_down.weight"].T
    out = w["token_embd.weight"] if tiny.tied else w["output.weight"]
    logits = rms(h, w["output_norm.weight"]) @ out.T
    log_probs = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True))
    log_probs -= logits.max(-1, keepdims=True)
    return np.array([log_probs[t, ids[t + 1]] for t in range(steps - 1)])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TinyQwen2:
    return write_tiny_qwen2_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.fixture(scope="module")
def float32_dir(tiny: TinyQwen2, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ct2") / "f32"
    convert_gguf(tiny.path, out, quantization="float32")
    return out


@pytest.fixture(scope="module")
def int8_dir(tiny: TinyQwen2, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ct2") / "int8"
    report = convert_gguf(tiny.path, out)
    assert report.quantization == "int8"
    assert report.tensor_types == {"F32": 24, "Q8_0": 1, "Q4_0": 1}
    assert report.peak_rss_bytes > 0
    return out


def test_metadata_is_read(tiny: TinyQwen2) -> None:
    info = read_gguf_info(tiny.path)
    assert (info.architecture, info.num_layers, info.hidden_size) == ("qwen2", 2, 32)
    assert (info.num_heads, info.num_heads_kv, info.ffn_size) == (4, 2, 64)
    assert (info.eos_token, info.bos_token, info.vocab_size) == (
        "<|im_end|>",
        "<|endoftext|>",
        len(tiny.tokens),
    )


def test_float32_weights_equal_the_written_ones(tiny: TinyQwen2, float32_dir: Path) -> None:
    variables, aliases = read_ct2_model(float32_dir / "model.bin")
    w = tiny.weights
    qkv = np.concatenate([w[f"blk.0.attn_{p}.weight"] for p in "qkv"])
    np.testing.assert_array_equal(variables["decoder/layer_0/self_attention/linear_0/weight"], qkv)
    bias = np.concatenate([w[f"blk.0.attn_{p}.bias"] for p in "qkv"])
    np.testing.assert_array_equal(variables["decoder/layer_0/self_attention/linear_0/bias"], bias)
    # Q8_0 and Q4_0 tensors come back exactly as the GGUF reader dequantizes them.
    np.testing.assert_array_equal(
        variables["decoder/layer_0/ffn/linear_0_noact/weight"], w["blk.0.ffn_up.weight"]
    )
    np.testing.assert_array_equal(
        variables["decoder/layer_1/ffn/linear_1/weight"], w["blk.1.ffn_down.weight"]
    )
    np.testing.assert_array_equal(variables["decoder/layer_norm/gamma"], w["output_norm.weight"])
    assert aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}


def test_int8_weights_are_row_quantized(tiny: TinyQwen2, int8_dir: Path) -> None:
    variables, _ = read_ct2_model(int8_dir / "model.bin")
    weight = variables["decoder/layer_1/ffn/linear_0/weight"]
    scale = variables["decoder/layer_1/ffn/linear_0/weight_scale"]
    assert weight.dtype == np.int8
    original = tiny.weights["blk.1.ffn_gate.weight"]
    step = np.abs(original).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(weight / scale[:, None] - original) <= step / 2 + 1e-6)


def test_scores_match_a_numpy_forward_pass(tiny: TinyQwen2, float32_dir: Path) -> None:
    generator = ctranslate2.Generator(str(float32_dir), compute_type="float32", intra_threads=1)
    tokens = ["<|im_start|>", "Ġthe", "Ġ", "a", "b", "in", "er", "h", "e", "Ċ", "Ġt", "x", "y"]
    ids = [tiny.tokens.index(t) for t in tokens]
    result = generator.score_batch([tokens])[0]
    assert result.tokens == tokens[1:]
    np.testing.assert_allclose(result.log_probs, reference_log_probs(tiny, ids), atol=2e-4)


def test_untied_output_projection(tmp_path: Path) -> None:
    tiny = write_tiny_qwen2_gguf(tmp_path / "untied.gguf", tied=False, num_layers=1, seed=3)
    out = tmp_path / "ct2"
    convert_gguf(tiny.path, out, quantization="float32")
    variables, aliases = read_ct2_model(out / "model.bin")
    assert aliases == {}
    np.testing.assert_array_equal(variables["decoder/projection/weight"], tiny.weights["output.weight"])
    tokens = ["<|im_start|>", "h", "e", "Ġthe", "x"]
    result = ctranslate2.Generator(str(out), compute_type="float32").score_batch([tokens])[0]
    expected = reference_log_probs(tiny, [tiny.tokens.index(t) for t in tokens])
    np.testing.assert_allclose(result.log_probs, expected, atol=2e-4)


def test_int8_generation_is_deterministic_and_bounded(int8_dir: Path) -> None:
    generator = ctranslate2.Generator(str(int8_dir), compute_type="int8", intra_threads=1)
    prompts = [["<|im_start|>", "h", "e"], ["<|im_start|>", "Ġthe", "Ġ", "a", "b", "c", "d"]]
    kwargs = {"max_length": 6, "sampling_topk": 1, "include_prompt_in_result": False, "return_scores": True}
    first = generator.generate_batch(prompts, **kwargs)
    second = generator.generate_batch(prompts, **kwargs)
    vocab = set(json.loads((int8_dir / "vocabulary.json").read_text("utf-8")))
    for a, b in zip(first, second, strict=True):
        assert a.sequences == b.sequences and a.scores == b.scores
        assert 1 <= len(a.sequences[0]) <= 6
        assert set(a.sequences[0]) <= vocab


def test_tokenizer_rebuild_round_trips(tiny: TinyQwen2, int8_dir: Path) -> None:
    tokenizer = Tokenizer.from_file(str(int8_dir / "tokenizer.json"))
    for text in ["the theory", "你好，世界！", "tab\there\n\nnew", "emoji 🙂 and ünïcode", "it's 2024"]:
        encoding = tokenizer.encode(text)
        assert tokenizer.decode(encoding.ids, skip_special_tokens=False) == text
    assert tokenizer.encode(" the in").tokens == ["Ġthe", "Ġ", "in"]
    assert tokenizer.encode("12").tokens == ["1", "2"]  # Qwen2 splits digits one by one
    end = tokenizer.encode("x<|im_end|>")
    assert end.tokens == ["x", "<|im_end|>"] and end.ids[1] == tiny.tokens.index("<|im_end|>")
    assert tokenizer.decode(end.ids, skip_special_tokens=True) == "x"
    # NFC: a decomposed "é" is tokenized like the composed one.
    assert tokenizer.encode("e\u0301").ids == tokenizer.encode("\u00e9").ids


def test_tokenizer_rejects_unknown_pre_tokenizer(tiny: TinyQwen2) -> None:
    vocab = GGUFVocabulary(tokens=tiny.tokens, token_types=[1] * len(tiny.tokens), merges=[], pre="llama-bpe")
    with pytest.raises(ModelError, match="llama-bpe"):
        build_tokenizer(vocab)


def test_missing_tensors_are_reported_together(tiny: TinyQwen2, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    reader = gguf.GGUFReader(str(tiny.path))
    writer = gguf.GGUFWriter(str(broken), "qwen2")
    for field in reader.fields.values():
        if field.name.startswith(("GGUF.", "general.architecture")):
            continue
        value = field.contents()
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, value, vtype, sub_type=sub)
    for tensor in reader.tensors:
        if tensor.name not in {"blk.0.attn_q.bias", "blk.1.ffn_up.weight"}:
            writer.add_tensor(tensor.name, np.array(tensor.data), raw_dtype=tensor.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(ModelError) as error:
        convert_gguf(broken, tmp_path / "out")
    assert "2 required tensors" in str(error.value)
    assert "blk.0.attn_q.bias" in str(error.value) and "blk.1.ffn_up.weight" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_bad_inputs_raise_model_errors(tiny: TinyQwen2, tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a gguf file at all" * 10)
    with pytest.raises(ModelError, match="GGUF"):
        convert_gguf(junk, tmp_path / "a")
    with pytest.raises(ModelError, match="not found"):
        convert_gguf(tmp_path / "missing.gguf", tmp_path / "b")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("x")
    with pytest.raises(ModelError, match="not empty"):
        convert_gguf(tiny.path, occupied)
    with pytest.raises(ModelError, match="quantization"):
        convert_gguf(tiny.path, tmp_path / "c", quantization="int3")
