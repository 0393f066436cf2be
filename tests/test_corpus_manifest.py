"""The corpus manifest and the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from termalign.align.corpus import ROLES, default_data_dir, load_corpus
from termalign.kernel.errors import ConfigError

MANIFEST = Path(__file__).resolve().parents[1] / "corpora" / "deepseek" / "corpus.toml"


def test_default_data_dir_prefers_environment(tmp_path: Path) -> None:
    assert default_data_dir({"TERMALIGN_DATA": str(tmp_path)}) == tmp_path
    assert default_data_dir({}, cwd=tmp_path / "repo") == tmp_path / "shared" / "corpora"


def test_deepseek_manifest_names_every_document(tmp_path: Path) -> None:
    corpus = load_corpus(MANIFEST, tmp_path)
    assert len(corpus.documents) == 6
    assert {d.role for d in corpus.documents} <= set(ROLES)
    source, reference = corpus.parallel_pair()
    assert (source.lang, reference.lang) == ("zh", "en")
    assert source.url == reference.url
    assert [d.id for d in corpus.by_role("to-translate")] == [
        "huyong",
        "shockwave",
        "huyong-plain",
        "dw-interview",
    ]
    assert corpus.document("shockwave").script == "Hant"
    assert all(d.path.is_relative_to(tmp_path.resolve()) for d in corpus.documents)
    assert corpus.termbase is not None and corpus.termbase.name.startswith("termbase.")


def test_manifest_problems_reported_together(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text(
        '[[documents]]\nid = "x"\npath = "x"\nlang = "zh"\nrole = "nonsense"\nformat = "docx"\n'
        '[[documents]]\nid = "x"\npath = "y"\nlang = "en"\nrole = "reference"\nparallel = "zz"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_corpus(bad, tmp_path)
    message = str(info.value)
    for fragment in ("nonsense", "docx", "used twice", "'zz'"):
        assert fragment in message


def test_manifest_not_toml(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[[documents\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_corpus(bad, tmp_path)
