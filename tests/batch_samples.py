"""Shared helpers for batch, server and evaluation tests: a tiny real model and a small corpus.

The sentences are written for these tests (no corpus text is copied).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from termalign.translator.identity import IdentityEngine
from termalign.translator.records import SegmentRecord
from termalign.translator.terms import TermAwareTranslator

REPO = Path(__file__).resolve().parent.parent
TERMBASE = REPO / "corpora" / "deepseek" / "termbase.tsv"

SENTENCES = (
    "今天的会议讨论了开源模型的成本。",
    "工程师们把推理速度提高了两倍。",
    "这家公司发布了一个新的大语言模型。",
    "训练数据来自公开的网页。",
    "我们需要更多的芯片来训练模型。",
    "研究人员比较了三种不同的方法。",
    "这个结果让很多投资者感到意外。",
    "用户可以在手机上免费使用这个应用。",
    "模型在数学题上的表现很好。",
    "团队计划下个月公布更多细节。",
)


def write_corpus(folder: Path, *, docs: int = 3, repeat: int = 1, translate: str = "") -> Path:
    """A manifest with ``docs`` to-translate markdown documents; returns the manifest path."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    entries = []
    for k in range(docs):
        lines = [f"# 第{k + 1}篇文章", ""]
        for r in range(repeat):
            for i, sentence in enumerate(SENTENCES):
                lines.append(f"{sentence}（{k}-{r}-{i}）这是**第{i + 1}段**。")
                lines.append("")
        (data / f"doc{k}.md").write_text("\n".join(lines), encoding="utf-8")
        entries.append(
            f'[[documents]]\nid = "doc{k}"\npath = "doc{k}.md"\nlang = "zh"\nformat = "markdown"\n'
            'role = "to-translate"\n'
        )
    manifest = folder / "corpus.toml"
    manifest.write_text(
        '[corpus]\nname = "sample"\nsource_lang = "zh"\ntarget_lang = "en"\n\n'
        + "\n".join(entries)
        + f'\n[termbase]\npath = "{TERMBASE}"\n'
        + (f"\n[translate]\n{translate}\n" if translate else ""),
        encoding="utf-8",
    )
    return manifest


def install_tiny(models_dir: Path) -> Path:
    """Install the tiny random-weight qwen2 model as ``tiny`` into ``models_dir``."""
    from termalign.translator.install import install_model
    from termalign.translator.tiny import write_tiny_qwen2_gguf

    models_dir.mkdir(parents=True, exist_ok=True)
    gguf = models_dir.parent / "tiny.gguf"
    if not gguf.exists():
        write_tiny_qwen2_gguf(gguf)
    install_model(gguf, models_dir, name="tiny")
    return models_dir


def tiny_engine(models_dir: Path, **settings: object):  # type: ignore[no-untyped-def]
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import get_model

    config = EngineConfig(intra_threads=1, max_new_tokens=12, **settings)  # type: ignore[arg-type]
    return open_engine(get_model("tiny", models_dir), config)


class Recorder:
    """The identity translator, remembering the segments each call was given."""

    def __init__(self) -> None:
        self.inner = TermAwareTranslator(IdentityEngine())
        self.calls: list[list[str]] = []

    @property
    def signature(self) -> dict[str, Any]:
        return self.inner.signature

    def translate(self, segments: Sequence[str], **kwargs: Any) -> list[SegmentRecord]:
        self.calls.append(list(segments))
        return self.inner.translate(segments, **kwargs)
