"""Tiny real models for tests: a qwen2 GGUF file and an Argos-style seq2seq package.

Tests must exercise the real conversion, loading and batching code without
downloading anything, so these builders write genuine files (seeded random
weights, a real BPE vocabulary, a real SentencePiece model) in milliseconds.
They are used by this project's tests and by layers built on the engines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TinyQwen2", "write_tiny_qwen2_gguf", "byte_level_alphabet", "write_tiny_seq2seq"]

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
_MERGES = ("Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r")


def byte_level_alphabet() -> list[str]:
    """GPT-2's printable stand-in character for each byte 0..255, in byte order."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    mapping = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + extra)
            extra += 1
    return [mapping[b] for b in range(256)]


@dataclass(frozen=True)
class TinyQwen2:
    """What :func:`write_tiny_qwen2_gguf` wrote: dimensions and the exact float32 weights."""

    path: Path
    tokens: list[str]
    weights: dict[str, np.ndarray]
    num_layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int
    rope_base: float
    rms_eps: float
    tied: bool


def write_tiny_qwen2_gguf(
    path: Path,
    *,
    num_layers: int = 2,
    hidden: int = 32,
    heads: int = 4,
    kv_heads: int = 2,
    ffn: int = 64,
    tied: bool = True,
    quantized: Sequence[tuple[str, str]] = (
        ("blk.0.ffn_up.weight", "Q8_0"),
        ("blk.1.ffn_down.weight", "Q4_0"),
    ),
    seed: int = 0,
) -> TinyQwen2:
    """Write a qwen2-architecture GGUF with a byte-level BPE vocabulary.

    ``quantized`` names tensors stored as GGML block types; the recorded
    weights are their dequantized values, i.e. exactly what a reader gets back.
    """
    # Lazy: gguf (~0.5 s) to import (startup_bench.py).
    import gguf

    rng = np.random.default_rng(seed)
    tokens = byte_level_alphabet() + [m.replace(" ", "") for m in _MERGES] + list(SPECIAL_TOKENS)
    types = [gguf.TokenType.NORMAL] * (len(tokens) - len(SPECIAL_TOKENS)) + [gguf.TokenType.CONTROL] * len(
        SPECIAL_TOKENS
    )
    shapes = _qwen2_shapes(len(tokens), num_layers, hidden, heads, kv_heads, ffn, tied)
    qtypes = {name: gguf.GGMLQuantizationType[kind] for name, kind in quantized}
    writer = gguf.GGUFWriter(str(path), "qwen2")
    _write_metadata(writer, tokens, types, num_layers, hidden, heads, kv_heads, ffn)
    weights: dict[str, np.ndarray] = {}
    for name, shape in shapes.items():
        if name.endswith("norm.weight"):
            value = (1.0 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
        else:
            value = (0.3 * rng.standard_normal(shape)).astype(np.float32)
        if name in qtypes:
            raw = gguf.quants.quantize(value, qtypes[name])
            writer.add_tensor(name, raw, raw_dtype=qtypes[name])
            value = gguf.quants.dequantize(raw, qtypes[name]).reshape(shape).astype(np.float32)
        else:
            writer.add_tensor(name, value)
        weights[name] = value
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return TinyQwen2(
        path=Path(path), tokens=tokens, weights=weights, num_layers=num_layers, hidden=hidden, heads=heads,
        kv_heads=kv_heads, ffn=ffn, rope_base=10000.0, rms_eps=1e-6, tied=tied,
    )  # fmt: skip


def _qwen2_shapes(
    vocab: int, num_layers: int, hidden: int, heads: int, kv_heads: int, ffn: int, tied: bool
) -> dict[str, tuple[int, ...]]:
    """GGUF tensor names of a qwen2 model and their NumPy shapes (rows first)."""
    head_dim = hidden // heads
    shapes: dict[str, tuple[int, ...]] = {
        "token_embd.weight": (vocab, hidden),
        "output_norm.weight": (hidden,),
    }
    if not tied:
        shapes["output.weight"] = (vocab, hidden)
    for i in range(num_layers):
        p = f"blk.{i}."
        shapes.update(
            {
                p + "attn_norm.weight": (hidden,),
                p + "attn_q.weight": (heads * head_dim, hidden),
                p + "attn_q.bias": (heads * head_dim,),
                p + "attn_k.weight": (kv_heads * head_dim, hidden),
                p + "attn_k.bias": (kv_heads * head_dim,),
                p + "attn_v.weight": (kv_heads * head_dim, hidden),
                p + "attn_v.bias": (kv_heads * head_dim,),
                p + "attn_output.weight": (hidden, heads * head_dim),
                p + "ffn_norm.weight": (hidden,),
                p + "ffn_gate.weight": (ffn, hidden),
                p + "ffn_up.weight": (ffn, hidden),
                p + "ffn_down.weight": (hidden, ffn),
            }
        )
    return shapes


def _write_metadata(
    writer: Any,
    tokens: list[str],
    types: list[Any],
    num_layers: int,
    hidden: int,
    heads: int,
    kv_heads: int,
    ffn: int,
) -> None:
    writer.add_name("tiny-qwen2")
    writer.add_block_count(num_layers)
    writer.add_context_length(256)
    writer.add_embedding_length(hidden)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(list(_MERGES))
    writer.add_bos_token_id(tokens.index("<|endoftext|>"))
    writer.add_eos_token_id(tokens.index("<|im_end|>"))
    writer.add_chat_template(
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    )


_SPM_TEXT = (
    "今天天气很好。\n我们去公园散步。\n请把这个文件发给我。\n模型可以降低成本。\n"
    "the weather is nice today .\nwe go for a walk in the park .\nplease send me this file .\n"
    "the model can reduce the cost .\n"
) * 20


def write_tiny_seq2seq(folder: Path, *, layout: str = "argos", seed: int = 0) -> Path:
    """Write a random-weight CTranslate2 Transformer with a real SentencePiece model.

    ``layout="argos"``: ``folder/model/`` + ``folder/sentencepiece.model`` +
    ``metadata.json``; ``layout="opus"``: one folder with ``source.spm`` and
    ``target.spm``.  Returns ``folder``.
    """
    # Lazy: sentencepiece (~80 ms) and ctranslate2 (~0.3 s) to import (startup_bench.py).
    import sentencepiece
    from ctranslate2.specs import transformer_spec

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    corpus.write_text(_SPM_TEXT, encoding="utf-8")
    prefix = folder / "spm"
    sentencepiece.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(prefix), vocab_size=64, character_coverage=1.0,
        model_type="unigram", minloglevel=2,
    )  # fmt: skip
    corpus.unlink()
    Path(f"{prefix}.vocab").unlink()
    processor = sentencepiece.SentencePieceProcessor(model_file=f"{prefix}.model")
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]

    spec = transformer_spec.TransformerSpec.from_config(2, 2)
    _fill_random(spec, vocab=len(pieces), eos=processor.eos_id(), seed=seed)
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    spec.validate()
    spec.optimize(quantization="int8")
    model_dir = folder / "model" if layout == "argos" else folder
    model_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))
    spm = Path(f"{prefix}.model")
    if layout == "argos":
        spm.rename(folder / "sentencepiece.model")
        meta = {"package_version": "0.0", "from_code": "zh", "to_code": "en", "license": "test-only"}
        (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    else:
        (folder / "source.spm").write_bytes(spm.read_bytes())
        spm.rename(folder / "target.spm")
    return folder


def _fill_random(spec: Any, *, vocab: int, eos: int, seed: int, d: int = 16, ffn: int = 32) -> None:
    rng = np.random.default_rng(seed)

    def rand(*shape: int) -> np.ndarray:
        return (0.5 * rng.standard_normal(shape)).astype(np.float32)

    def norm(ln: Any) -> None:
        ln.gamma = np.ones(d, np.float32)
        ln.beta = np.zeros(d, np.float32)

    spec.encoder.embeddings[0].weight = rand(vocab, d)
    spec.decoder.embeddings.weight = rand(vocab, d)
    spec.decoder.projection.weight = rand(vocab, d)
    bias = np.zeros(vocab, np.float32)
    bias[eos] = -20.0  # never stop early: outputs then have a predictable length
    spec.decoder.projection.bias = bias
    for stack in (spec.encoder, spec.decoder):
        norm(stack.layer_norm)
        for layer in stack.layer:
            norm(layer.self_attention.layer_norm)
            layer.self_attention.linear[0].weight = rand(3 * d, d)
            layer.self_attention.linear[1].weight = rand(d, d)
            norm(layer.ffn.layer_norm)
            layer.ffn.linear_0.weight = rand(ffn, d)
            layer.ffn.linear_1.weight = rand(d, ffn)
            if hasattr(layer, "attention"):
                norm(layer.attention.layer_norm)
                layer.attention.linear[0].weight = rand(d, d)
                layer.attention.linear[1].weight = rand(2 * d, d)
                layer.attention.linear[2].weight = rand(d, d)
