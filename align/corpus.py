"""Corpus manifests (``corpora/<name>/corpus.toml``) and the data directory.

The manifest names every document, its language, script, format and role; the
texts themselves live in a data directory outside the repository.  The data
directory is resolved at the CLI edge and passed in here, never read from the
environment deep inside (docs/architecture.md, "Settings") — :func:`default_data_dir` is
the one helper the CLI uses for that.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from termalign.align.documents import format_names
from termalign.kernel.errors import ConfigError

__all__ = ["CorpusDocument", "Corpus", "load_corpus", "default_data_dir", "ROLES"]

ROLES = ("parallel-source", "reference", "to-translate")
# ids and corpus names become file names of outputs: plain names only, never a path
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TEXT_FIELDS = ("id", "path", "lang", "role", "format", "script", "parallel", "title", "url")


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


def _is_name(value: object) -> bool:
    return isinstance(value, str) and bool(_NAME.match(value)) and ".." not in value


def _inside(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder.resolve())


def _read_manifest(manifest: Path) -> dict[str, object]:
    try:
        return tomllib.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("the corpus manifest does not exist", path=manifest) from exc
    except IsADirectoryError as exc:
        raise ConfigError("the corpus manifest is a folder, not a file", path=manifest) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("the corpus manifest is not UTF-8 text (not a TOML file)", path=manifest) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the corpus manifest ({exc.strerror or exc})", path=manifest) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the corpus manifest is not valid TOML ({exc})", path=manifest) from exc


def _document_problems(k: int, entry: object, data_dir: Path) -> tuple[str, list[str]]:
    """The document's display name and what is wrong with its fields (types, id, path)."""
    if not isinstance(entry, dict):
        return f"#{k}", [f"document #{k} must be a table"]
    name = repr(entry["id"]) if entry.get("id") else f"#{k}"
    problems = [
        f"document {name} field {key} must be a string"
        for key in _TEXT_FIELDS
        if key in entry and not isinstance(entry[key], str)
    ]
    if problems:
        return name, problems
    if entry.get("id") and not _is_name(entry["id"]):
        problems.append(f"document {name} field id must be a name (letters, digits, - _ .)")
    if entry.get("parallel") and not _is_name(entry["parallel"]):
        problems.append(f"document {name} field parallel must be a name (letters, digits, - _ .)")
    if entry.get("path") and not _inside((data_dir / entry["path"]).resolve(), data_dir):
        problems.append(f"document {name} field path {entry['path']!r} leads outside the data directory")
    return name, problems


def load_corpus(manifest: str | Path, data_dir: Path) -> Corpus:
    """Read and validate a manifest; all problems are reported at once.

    Document ids (and the corpus name) are plain names, since outputs are named
    after them; document paths must stay inside ``data_dir``.
    """
    manifest = Path(manifest)
    raw = _read_manifest(manifest)
    meta = raw.get("corpus", {})
    if not isinstance(meta, dict):
        raise ConfigError("invalid corpus manifest: [corpus] must be a table", path=manifest)
    listed = raw.get("documents", [])
    if not isinstance(listed, list):
        raise ConfigError("invalid corpus manifest: documents must be an array of tables", path=manifest)
    problems: list[str] = []
    for key in ("name", "source_lang", "target_lang"):
        if key in meta and not isinstance(meta[key], str):
            problems.append(f"[corpus] field {key} must be a string")
    if isinstance(meta.get("name"), str) and not _is_name(meta["name"]):
        problems.append("[corpus] field name must be a name (letters, digits, - _ .)")
    documents: list[CorpusDocument] = []
    seen: set[str] = set()
    for k, entry in enumerate(listed, start=1):
        name, bad = _document_problems(k, entry, data_dir)
        if bad:
            problems.extend(bad)
            continue
        assert isinstance(entry, dict)
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
    table = raw.get("termbase", {})
    termbase = table.get("path") if isinstance(table, dict) else None
    if termbase is not None and not isinstance(termbase, str):
        raise ConfigError("invalid corpus manifest: [termbase] field path must be a string", path=manifest)
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
