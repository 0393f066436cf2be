"""Corpus manifests (``corpora/<name>/corpus.toml``) and the data directory.

The manifest names every document, its language, script, format and role; the
texts themselves live in a data directory outside the repository.  The data
directory is resolved at the CLI edge and passed in here, never read from the
environment deep inside (docs/architecture.md, "Settings") — :func:`default_data_dir` is
the one helper the CLI uses for that.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from termalign.align.documents import format_names
from termalign.kernel.errors import ConfigError

__all__ = ["CorpusDocument", "Corpus", "load_corpus", "default_data_dir", "ROLES"]

ROLES = ("parallel-source", "reference", "to-translate")


@dataclass(frozen=True)
class CorpusDocument:
    id: str
    path: Path  # absolute, resolved against the data directory
    lang: str
    script: str
    format: str
    role: str
    parallel: str = ""
    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class Corpus:
    name: str
    manifest: Path
    data_dir: Path
    source_lang: str
    target_lang: str
    documents: tuple[CorpusDocument, ...]
    termbase: Path | None = None
    # The whole parsed manifest, so other tables ([translate]) are read without parsing it again.
    tables: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def document(self, doc_id: str) -> CorpusDocument:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise ConfigError(f"the corpus {self.name!r} has no document {doc_id!r}", path=self.manifest)

    def by_role(self, role: str) -> tuple[CorpusDocument, ...]:
        return tuple(d for d in self.documents if d.role == role)

    def parallel_pair(self) -> tuple[CorpusDocument, CorpusDocument]:
        """The (source, reference) pair to align."""
        for doc in self.by_role("parallel-source"):
            if doc.parallel:
                return doc, self.document(doc.parallel)
        raise ConfigError("the corpus names no parallel-source document with a partner", path=self.manifest)


def default_data_dir(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """``$TERMALIGN_DATA`` if set, else ``../shared/corpora`` relative to ``cwd``."""
    env = os.environ if env is None else env
    value = env.get("TERMALIGN_DATA", "").strip()
    if value:
        return Path(value).expanduser()
    return (cwd or Path.cwd()).parent / "shared" / "corpora"


def load_corpus(manifest: str | Path, data_dir: Path) -> Corpus:
    """Read and validate a manifest; all problems are reported at once."""
    manifest = Path(manifest)
    try:
        raw = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("the corpus manifest does not exist", path=manifest) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the corpus manifest is not valid TOML ({exc})", path=manifest) from exc
    meta = raw.get("corpus", {})
    problems: list[str] = []
    documents: list[CorpusDocument] = []
    seen: set[str] = set()
    for k, entry in enumerate(raw.get("documents", []), start=1):
        name = repr(entry["id"]) if entry.get("id") else f"#{k}"
        missing = [key for key in ("id", "path", "lang", "role") if not entry.get(key)]
        if missing:
            problems.append(f"document {name} lacks {', '.join(missing)}")
        if entry.get("id") in seen:
            problems.append(f"document id {name} is used twice")
        seen.add(entry.get("id", ""))
        if entry.get("role") and entry["role"] not in ROLES:
            problems.append(f"document {name} has role {entry['role']!r}; expected one of {ROLES}")
        fmt = entry.get("format", "markdown")
        if fmt not in format_names():
            problems.append(f"document {name} has format {fmt!r}; expected one of {format_names()}")
        if missing:
            continue
        documents.append(
            CorpusDocument(
                id=entry["id"],
                path=(data_dir / entry["path"]).resolve(),
                lang=entry["lang"],
                script=entry.get("script", ""),
                format=fmt,
                role=entry["role"],
                parallel=entry.get("parallel", ""),
                title=entry.get("title", ""),
                url=entry.get("url", ""),
            )
        )
    for doc in documents:
        if doc.parallel and doc.parallel not in seen:
            problems.append(f"document {doc.id!r} names an unknown parallel document {doc.parallel!r}")
    if not raw.get("documents"):
        problems.append("it lists no documents")
    if problems:
        raise ConfigError("invalid corpus manifest: " + "; ".join(problems), path=manifest)
    termbase = raw.get("termbase", {}).get("path")
    return Corpus(
        name=meta.get("name", manifest.parent.name),
        manifest=manifest,
        data_dir=data_dir,
        source_lang=meta.get("source_lang", "zh"),
        target_lang=meta.get("target_lang", "en"),
        documents=tuple(documents),
        termbase=(manifest.parent / termbase) if termbase else None,
        tables=raw,
    )
