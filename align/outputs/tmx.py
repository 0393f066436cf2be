"""TMX 1.4b through :mod:`align.tmx`; unaligned (1-0 / 0-1) beads are left out."""

from __future__ import annotations

from pathlib import Path

from termalign.align.aligner import Alignment
from termalign.align.tmx import TranslationUnit, write_tmx
from termalign.kernel.signature import Signature

__all__ = ["write", "tmx_lang"]


def tmx_lang(lang: str) -> str:
    """The language code written in TMX: ``zh-CN`` for Chinese, the code itself otherwise."""
    return "zh-CN" if lang.lower() in ("zh", "zh-hans", "zh-cn", "cmn") else lang


def write(alignment: Alignment, path: Path) -> None:
    units = [
        TranslationUnit(
            source=b.source,
            target=b.target,
            properties=(
                ("x-score", f"{b.score:.4f}"),
                ("x-source-ids", " ".join(b.source_ids)),
                ("x-target-ids", " ".join(b.target_ids)),
                ("x-block", b.block_id),
                ("x-kind", b.kind),
                ("x-flagged", "yes" if b.flagged else "no"),
            ),
            tuid=f"{n}",
        )
        for n, b in enumerate((b for b in alignment.beads if not b.is_unaligned), start=1)
    ]
    props = {f"x-{k}": v for k, v in alignment.signature.items()}
    props["x-source-document"] = alignment.source_path
    props["x-target-document"] = alignment.target_path
    write_tmx(
        path,
        units,
        source_lang=tmx_lang(alignment.source_lang),
        target_lang=tmx_lang(alignment.target_lang),
        properties=props,
        signature=Signature.of(alignment.signature),
    )
