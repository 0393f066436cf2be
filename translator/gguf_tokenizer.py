"""Rebuild a Hugging Face ``tokenizer.json`` from the tokenizer fields of a GGUF file.

GGUF files made by llama.cpp's converter keep the byte-level BPE vocabulary
(``tokenizer.ggml.tokens``), its merges, a type per token and the name of the
pre-tokenizer (``tokenizer.ggml.pre``).  For ``qwen2`` that is enough to
rebuild the reference tokenizer: NFC normalisation, Qwen2's split regex, then
GPT-2 byte-level mapping, plus the ChatML special tokens as added tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from termalign.kernel.errors import ModelError

__all__ = ["GGUFVocabulary", "build_tokenizer", "save_tokenizer", "QWEN2_SPLIT_PATTERN"]

# The split regex of the Qwen2 tokenizer (like GPT-4's cl100k, but digits are split one by one).
QWEN2_SPLIT_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# gguf.TokenType values, repeated here so this module stays importable without gguf.
TOKEN_NORMAL = 1
TOKEN_CONTROL = 3
TOKEN_USER_DEFINED = 4

_PAD_PLACEHOLDER = re.compile(r"\[PAD\d+\]")
_SUPPORTED_PRE = {"qwen2"}


@dataclass(frozen=True)
class GGUFVocabulary:
    """The tokenizer fields of a GGUF file."""

    tokens: Sequence[str]
    token_types: Sequence[int]
    merges: Sequence[str]
    pre: str
    model: str = "gpt2"

    def added_tokens(self) -> list[tuple[int, str, bool]]:
        """``(id, content, special)`` for tokens matched before BPE runs.

        Control tokens (``<|im_start|>``…) are special; user-defined ones such as
        ``<tool_call>`` are added but not special, as in the reference tokenizer.
        llama.cpp's ``[PADnnn]`` fillers, which exist only to round the
        embedding matrix, are left out so they can never be produced from text.
        """
        added = []
        for index, (token, kind) in enumerate(zip(self.tokens, self.token_types, strict=True)):
            if kind == TOKEN_CONTROL or (
                kind == TOKEN_USER_DEFINED and not _PAD_PLACEHOLDER.fullmatch(token)
            ):
                added.append((index, token, kind == TOKEN_CONTROL))
        return added


def build_tokenizer(vocab: GGUFVocabulary):  # -> tokenizers.Tokenizer (untyped library)
    """A ``tokenizers.Tokenizer`` equivalent to the model's reference tokenizer."""
    # Lazy: tokenizers (~60 ms) to import (startup_bench.py).
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    if vocab.model != "gpt2" or vocab.pre not in _SUPPORTED_PRE:
        raise ModelError(
            f"cannot rebuild tokenizer {vocab.model!r} with pre-tokenizer {vocab.pre!r}; "
            f"supported: gpt2 with {', '.join(sorted(_SUPPORTED_PRE))}"
        )
    if len(vocab.tokens) != len(vocab.token_types):
        raise ModelError(f"tokenizer has {len(vocab.tokens)} tokens but {len(vocab.token_types)} token types")
    token_to_id: dict[str, int] = {}
    for index, token in enumerate(vocab.tokens):
        token_to_id.setdefault(token, index)
    merges: list[tuple[str, str]] = []
    for line, merge in enumerate(vocab.merges):
        left, sep, right = merge.partition(" ")
        if not sep or not left or not right:
            raise ModelError(f"merge {line} is not two tokens separated by a space: {merge!r}")
        merges.append((left, right))

    tokenizer = Tokenizer(
        models.BPE(
            vocab=token_to_id,
            merges=merges,
            continuing_subword_prefix="",
            end_of_word_suffix="",
            fuse_unk=False,
            byte_fallback=False,
        )
    )
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    added = [
        (AddedToken(content, single_word=False, lstrip=False, rstrip=False, normalized=False), special)
        for _, content, special in vocab.added_tokens()
    ]
    tokenizer.add_special_tokens([token for token, special in added if special])
    tokenizer.add_tokens([token for token, special in added if not special])
    return tokenizer


def save_tokenizer(vocab: GGUFVocabulary, path: Path) -> Path:
    """Write the rebuilt ``tokenizer.json`` to ``path`` and return it."""
    tokenizer = build_tokenizer(vocab)
    for index, content, _ in vocab.added_tokens():
        if tokenizer.token_to_id(content) != index:
            raise ModelError(f"added token {content!r} did not keep id {index}", path=path)
    tokenizer.save(str(path))
    return path
