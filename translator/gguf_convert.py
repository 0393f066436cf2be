"""Convert a ``qwen2`` GGUF file into a CTranslate2 decoder model, without torch.

The layout follows CTranslate2's own ``Qwen2Loader`` for Hugging Face
checkpoints: a pre-norm decoder with RMSNorm, SwiGLU feed-forward, non-interleaved
rotary embeddings and a fused QKV projection with biases.  llama.cpp stores
``qwen2`` Q/K weights in Hugging Face order (it permutes them only for the
``llama`` architecture), so they are copied as they are; the tests check this
against a NumPy reference forward pass.

Memory stays bounded: tensors are dequantized one at a time from the
memory-mapped GGUF file and each decoder layer is quantized to int8 as soon as
it is complete, so only one layer is ever held in float32.
"""

from __future__ import annotations

import gc
import resource
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from termalign.kernel.errors import ModelError
from termalign.translator.gguf_tokenizer import GGUFVocabulary, save_tokenizer
from termalign.translator.progress import ProgressCallback, report

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "GGUFInfo",
    "ConversionReport",
    "GGUFConverter",
    "convert_gguf",
    "read_gguf_info",
    "peak_rss_bytes",
]

SUPPORTED_ARCHITECTURES = ("qwen2",)
QUANTIZATIONS = ("int8", "int8_float32", "int16", "float32", "float16")

_ROWS_PER_CHUNK = 8192
_LAYER_TENSORS = (
    "attn_norm.weight",
    "attn_q.weight",
    "attn_q.bias",
    "attn_k.weight",
    "attn_k.bias",
    "attn_v.weight",
    "attn_v.bias",
    "attn_output.weight",
    "ffn_norm.weight",
    "ffn_gate.weight",
    "ffn_up.weight",
    "ffn_down.weight",
)


@dataclass(frozen=True)
class GGUFInfo:
    """The hyper-parameters and tokenizer facts a conversion needs."""

    architecture: str
    name: str
    num_layers: int
    hidden_size: int
    ffn_size: int
    num_heads: int
    num_heads_kv: int
    rope_base: float
    rms_eps: float
    context_length: int
    vocab_size: int
    bos_token: str
    eos_token: str
    file_type: int | None
    chat_template: str | None


@dataclass(frozen=True)
class ConversionReport:
    """What a conversion produced and what it cost."""

    output_dir: Path
    info: GGUFInfo
    quantization: str
    seconds: float
    peak_rss_bytes: int
    tensor_types: dict[str, int]


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _open_reader(path: Path) -> Any:
    # Lazy: gguf (~0.5 s) to import (startup_bench.py).
    import gguf

    try:
        return gguf.GGUFReader(str(path), "r")
    except (ValueError, OSError, KeyError) as exc:
        raise ModelError(f"not a readable GGUF file ({exc})", path=path) from exc


def _field(reader: Any, key: str, path: Path, default: Any = ModelError) -> Any:
    field = reader.fields.get(key)
    if field is None:
        if default is ModelError:
            raise ModelError(f"GGUF metadata lacks {key!r}", path=path)
        return default
    return field.contents()


def read_gguf_info(path: Path, reader: Any | None = None) -> GGUFInfo:
    """Read the metadata of the GGUF file at ``path``."""
    reader = reader if reader is not None else _open_reader(path)
    arch = str(_field(reader, "general.architecture", path))
    if arch not in SUPPORTED_ARCHITECTURES:
        raise ModelError(
            f"GGUF architecture {arch!r} is not supported (supported: {', '.join(SUPPORTED_ARCHITECTURES)})",
            path=path,
        )
    tokens = _field(reader, "tokenizer.ggml.tokens", path)
    num_heads = int(_field(reader, f"{arch}.attention.head_count", path))
    embedding = next((t for t in reader.tensors if t.name == "token_embd.weight"), None)
    vocab_rows = int(embedding.shape[-1]) if embedding is not None else len(tokens)
    eos_id = int(_field(reader, "tokenizer.ggml.eos_token_id", path))
    bos_id = int(_field(reader, "tokenizer.ggml.bos_token_id", path, eos_id))
    file_type = _field(reader, "general.file_type", path, None)
    return GGUFInfo(
        architecture=arch,
        name=str(_field(reader, "general.name", path, path.stem)),
        num_layers=int(_field(reader, f"{arch}.block_count", path)),
        hidden_size=int(_field(reader, f"{arch}.embedding_length", path)),
        ffn_size=int(_field(reader, f"{arch}.feed_forward_length", path)),
        num_heads=num_heads,
        num_heads_kv=int(_field(reader, f"{arch}.attention.head_count_kv", path, num_heads)),
        rope_base=float(_field(reader, f"{arch}.rope.freq_base", path, 10000.0)),
        rms_eps=float(_field(reader, f"{arch}.attention.layer_norm_rms_epsilon", path, 1e-6)),
        context_length=int(_field(reader, f"{arch}.context_length", path, 32768)),
        vocab_size=vocab_rows,
        bos_token=str(tokens[bos_id]),
        eos_token=str(tokens[eos_id]),
        file_type=int(file_type) if file_type is not None else None,
        chat_template=_field(reader, "tokenizer.chat_template", path, None),
    )


def read_gguf_vocabulary(path: Path, reader: Any | None = None) -> GGUFVocabulary:
    """The tokenizer fields of the GGUF file at ``path``."""
    reader = reader if reader is not None else _open_reader(path)
    return GGUFVocabulary(
        tokens=[str(t) for t in _field(reader, "tokenizer.ggml.tokens", path)],
        token_types=[int(t) for t in _field(reader, "tokenizer.ggml.token_type", path)],
        merges=[str(m) for m in _field(reader, "tokenizer.ggml.merges", path)],
        pre=str(_field(reader, "tokenizer.ggml.pre", path, "default")),
        model=str(_field(reader, "tokenizer.ggml.model", path)),
    )


class GGUFConverter:
    """GGUF → CTranslate2: :meth:`convert` validates, then :meth:`_load` does the work."""

    def __init__(self, gguf_path: Path, *, quantization: str = "int8") -> None:
        self.gguf_path = Path(gguf_path)
        self.quantization = quantization

    def convert(
        self, output_dir: Path, *, force: bool = False, progress: ProgressCallback | None = None
    ) -> ConversionReport:
        """Write the CTranslate2 model and ``tokenizer.json`` into ``output_dir``."""
        output_dir = Path(output_dir)
        if self.quantization not in QUANTIZATIONS:
            raise ModelError(
                f"unknown quantization {self.quantization!r}; choose one of {', '.join(QUANTIZATIONS)}"
            )
        if not self.gguf_path.is_file():
            raise ModelError("GGUF file not found", path=self.gguf_path)
        if output_dir.exists() and any(output_dir.iterdir()):
            if not force:
                raise ModelError("output folder exists and is not empty", path=output_dir)
            shutil.rmtree(output_dir)
        reader = _open_reader(self.gguf_path)
        info = read_gguf_info(self.gguf_path, reader)
        tensors = {t.name: t for t in reader.tensors}
        self._check_tensors(info, tensors)
        output_dir.mkdir(parents=True, exist_ok=True)
        try:
            return self._load(reader, info, tensors, output_dir, progress)
        except BaseException:
            shutil.rmtree(output_dir, ignore_errors=True)
            raise

    def _check_tensors(self, info: GGUFInfo, tensors: dict[str, Any]) -> None:
        expected = ["token_embd.weight", "output_norm.weight"] + [
            f"blk.{i}.{name}" for i in range(info.num_layers) for name in _LAYER_TENSORS
        ]
        missing = [name for name in expected if name not in tensors]
        if missing:
            shown = ", ".join(missing[:20]) + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
            raise ModelError(f"GGUF lacks {len(missing)} required tensors: {shown}", path=self.gguf_path)

    def _load(
        self,
        reader: Any,
        info: GGUFInfo,
        tensors: dict[str, Any],
        output_dir: Path,
        progress: ProgressCallback | None,
    ) -> ConversionReport:
        started = time.perf_counter()
        tensor_types: dict[str, int] = {}

        def weight(name: str) -> np.ndarray:
            return _dequantize(tensors[name], self.gguf_path, tensor_types)

        spec = _decoder_spec(info)
        decoder = spec.decoder
        total = info.num_layers + 2
        report(progress, "convert", 0, total, "embeddings")
        decoder.embeddings.weight = weight("token_embd.weight")
        self._finish(decoder.embeddings)
        tied = "output.weight" not in tensors
        if not tied:
            decoder.projection.weight = weight("output.weight")
            self._finish(decoder.projection)
        decoder.layer_norm.gamma = weight("output_norm.weight")
        report(progress, "convert", 1, total, "output")

        for i, layer in enumerate(decoder.layer):
            self._fill_layer(layer, f"blk.{i}.", weight)
            self._finish(layer)
            gc.collect()
            report(progress, "convert", i + 2, total, f"layer {i + 1}/{info.num_layers}")

        vocab = read_gguf_vocabulary(self.gguf_path, reader)
        self._finish_model(spec, info, vocab, tied)
        report(progress, "convert", total, total, "saving")
        spec.save(str(output_dir))
        save_tokenizer(vocab, output_dir / "tokenizer.json")
        return ConversionReport(
            output_dir=output_dir,
            info=info,
            quantization=self.quantization,
            seconds=time.perf_counter() - started,
            peak_rss_bytes=peak_rss_bytes(),
            tensor_types=tensor_types,
        )

    def _finish_model(self, spec: Any, info: GGUFInfo, vocab: GGUFVocabulary, tied: bool) -> None:
        """Vocabulary, config, validation and the tied-embedding alias."""
        # Lazy: ctranslate2 (~0.3 s) to import (startup_bench.py).
        from ctranslate2.specs import model_spec

        tokens = list(vocab.tokens)
        tokens += [f"<extra_id_{i}>" for i in range(info.vocab_size - len(tokens))]
        spec.register_vocabulary(tokens)
        spec.config.bos_token = info.bos_token
        spec.config.eos_token = info.eos_token
        spec.config.unk_token = ""
        spec.config.layer_norm_epsilon = info.rms_eps
        if tied:
            spec.decoder.projection.weight = model_spec.OPTIONAL  # becomes an alias after validation
        try:
            spec.validate()
        except ValueError as exc:
            raise ModelError(f"converted model is incomplete: {exc}", path=self.gguf_path) from exc
        if tied:
            # What LayerSpec._alias_variables would find, without its all-pairs comparison;
            # CTranslate2 resolves the matching "_scale" alias when it loads the model.
            spec.decoder.projection.weight = "decoder/embeddings/weight"

    @staticmethod
    def _fill_layer(layer: Any, prefix: str, weight: Any) -> None:
        attention = layer.self_attention
        attention.layer_norm.gamma = weight(prefix + "attn_norm.weight")
        fused = attention.linear[0]
        fused.weight = np.concatenate([weight(prefix + f"attn_{p}.weight") for p in "qkv"], axis=0)
        fused.bias = np.concatenate([weight(prefix + f"attn_{p}.bias") for p in "qkv"], axis=0)
        attention.linear[1].weight = weight(prefix + "attn_output.weight")
        ffn = layer.ffn
        ffn.layer_norm.gamma = weight(prefix + "ffn_norm.weight")
        ffn.linear_0.weight = weight(prefix + "ffn_gate.weight")
        ffn.linear_0_noact.weight = weight(prefix + "ffn_up.weight")
        ffn.linear_1.weight = weight(prefix + "ffn_down.weight")

    def _finish(self, layer_spec: Any) -> None:
        """Wrap and quantize one finished sub-spec now, so its float32 copy can be freed.

        CTranslate2 offers only whole-model ``optimize()``; ``_quantize`` is the
        per-layer step it runs, so the int8 values match its own converter.
        """
        try:
            layer_spec.validate()
        except ValueError as exc:
            raise ModelError(f"conversion left weights unset: {exc}", path=self.gguf_path) from exc
        layer_spec._quantize(self.quantization)


def _decoder_spec(info: GGUFInfo) -> Any:
    """The decoder layout CTranslate2's Qwen2Loader builds for Hugging Face checkpoints."""
    # Lazy: ctranslate2 (~0.3 s) to import (startup_bench.py).
    from ctranslate2.specs import common_spec, transformer_spec

    spec = transformer_spec.TransformerDecoderModelSpec.from_config(
        info.num_layers,
        info.num_heads,
        activation=common_spec.Activation.SWISH,
        pre_norm=True,
        ffn_glu=True,
        rms_norm=True,
        rotary_dim=0,
        rotary_interleave=False,
        rotary_base=info.rope_base,
        num_heads_kv=info.num_heads_kv if info.num_heads_kv != info.num_heads else None,
    )
    spec.decoder.scale_embeddings = False
    return spec


def _dequantize(tensor: Any, path: Path, tensor_types: dict[str, int]) -> np.ndarray:
    # Lazy: gguf (~0.5 s) to import (startup_bench.py).
    import gguf

    qtype = gguf.GGMLQuantizationType(tensor.tensor_type)
    tensor_types[qtype.name] = tensor_types.get(qtype.name, 0) + 1
    # ggml lists dimensions innermost first; NumPy wants them outermost first.
    shape = tuple(int(d) for d in reversed(tensor.shape.tolist()))
    data = tensor.data
    try:
        if data.ndim < 2 or data.shape[0] <= _ROWS_PER_CHUNK:
            values = gguf.quants.dequantize(data, qtype)
            if qtype == gguf.GGMLQuantizationType.F32:
                values = values.copy()  # a view into the memory map otherwise
            return np.ascontiguousarray(values, dtype=np.float32).reshape(shape)
        # Row chunks keep the dequantizer's temporaries small for embedding-sized tensors.
        out = np.empty((data.shape[0], int(np.prod(shape)) // data.shape[0]), dtype=np.float32)
        for start in range(0, data.shape[0], _ROWS_PER_CHUNK):
            chunk = gguf.quants.dequantize(data[start : start + _ROWS_PER_CHUNK], qtype)
            out[start : start + _ROWS_PER_CHUNK] = chunk.reshape(len(chunk), -1)
    except NotImplementedError as exc:
        raise ModelError(f"tensor {tensor.name}: {exc}", path=path) from exc
    return out.reshape(shape)


def convert_gguf(
    gguf_path: Path,
    output_dir: Path,
    *,
    quantization: str = "int8",
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> ConversionReport:
    """Convert ``gguf_path`` into a CTranslate2 model folder ``output_dir``."""
    return GGUFConverter(gguf_path, quantization=quantization).convert(
        output_dir, force=force, progress=progress
    )
