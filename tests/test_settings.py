"""The settings layers: config file checks, environment parsing, precedence, ``config show``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.kernel.errors import ConfigError
from termalign.kernel.settings import SPECS, load_config_file, resolve_settings
from termalign.translator.engine import ENGINES, EngineConfig, engine_class
from termalign.translator.stack import check_settings
from termalign.translator.terms import TranslateConfig


def test_the_spec_table_names_every_config_field_once() -> None:
    for group, cls in (("decoding", EngineConfig), ("terms", TranslateConfig)):
        names = [s.name for s in SPECS if s.group == group]
        assert names == [f.name for f in dataclasses.fields(cls)], group
    assert len({s.key for s in SPECS}) == len(SPECS)
    assert len({s.env_var for s in SPECS}) == len(SPECS)


def test_a_bad_config_file_names_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "termalign.toml"
    path.write_text(
        'modle = "x"\ncache = 3\n[decoding]\nbeam_size = "two"\nlength_ratio = true\n[terms]\nrepair = 1\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    message = str(caught.value)
    fragments = (
        "unknown key 'modle'",
        "cache must be a path",
        "decoding.beam_size must be an integer",
        "decoding.length_ratio must be a number",
        "terms.repair must be true or false",
    )
    for fragment in fragments:
        assert fragment in message
    assert message.startswith(str(path))


def test_out_of_range_values_of_both_tables_are_named_together(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[decoding]\nbeam_size = 0\n[terms]\nn_best = 0\n")
    settings = resolve_settings(file=load_config_file(path))
    with pytest.raises(ConfigError, match="beam_size must be at least 1.*n_best must be at least 1"):
        check_settings(settings)


def test_paths_in_a_config_file_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "c.toml"
    path.write_text('cache = "cache.sqlite"\n')
    assert load_config_file(path).values["cache"] == tmp_path / "sub" / "cache.sqlite"


def test_precedence_and_origins(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('model = "file-model"\n[decoding]\nbeam_size = 2\nmax_new_tokens = 50\n')
    settings = resolve_settings(
        flags={"decoding.beam_size": 9, "model": None},
        env={"TERMALIGN_MAX_NEW_TOKENS": "40", "TERMALIGN_MODEL": ""},
        file=load_config_file(path),
        manifest={"model": "manifest-model", "decoding.length_ratio": 1.5},
    )
    assert settings.get("decoding.beam_size") == 9 and settings.origin("decoding.beam_size") == "flag"
    assert (
        settings.get("decoding.max_new_tokens") == 40 and settings.origin("decoding.max_new_tokens") == "env"
    )
    assert settings.get("model") == "file-model" and settings.origin("model") == "file"
    assert settings.origin("decoding.length_ratio") == "manifest"
    assert settings.origin("decoding.device") == "default" and settings.get("decoding.device") is None
    with pytest.raises(TypeError):
        settings.values["model"] = "x"  # type: ignore[index]


def test_bad_environment_values_are_named_at_once() -> None:
    with pytest.raises(ConfigError, match="TERMALIGN_BEAM_SIZE must be an integer.*TERMALIGN_REPAIR"):
        resolve_settings(env={"TERMALIGN_BEAM_SIZE": "wide", "TERMALIGN_REPAIR": "maybe"})


def test_config_show_says_where_each_value_came_from(tmp_path: Path) -> None:
    _register()
    path = tmp_path / "c.toml"
    path.write_text('[terms]\nterm_injection = "both"\n')
    args = ["--config", str(path), "config", "show", "--json", "--beam-size", "3"]
    result = CliRunner().invoke(cli, args, env={"TERMALIGN_MAX_NEW_TOKENS": "64"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = data["settings"]
    assert data["config_file"] == str(path)
    assert rows["decoding.beam_size"] == {"value": 3, "origin": "flag", "env": "TERMALIGN_BEAM_SIZE"}
    assert (
        rows["decoding.max_new_tokens"]["value"] == 64 and rows["decoding.max_new_tokens"]["origin"] == "env"
    )
    assert rows["terms.term_injection"] == {
        "value": "both",
        "origin": "file",
        "env": "TERMALIGN_TERM_INJECTION",
    }
    assert rows["decoding.compute_type"] == {
        "value": "int8",
        "origin": "default",
        "env": "TERMALIGN_COMPUTE_TYPE",
    }
    table = CliRunner().invoke(cli, ["--config", str(path), "config", "show"])
    assert table.exit_code == 0 and "term_injection" in table.output and "file" in table.output


def test_a_bad_config_file_is_one_sentence_for_any_command(tmp_path: Path) -> None:
    _register()
    path = tmp_path / "c.toml"
    path.write_text("[decoding\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "config", "show"])
    assert result.exit_code == 2 and "not valid TOML" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.toml"), "config", "show"])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_the_engine_registry_has_one_line_per_engine() -> None:
    assert set(ENGINES) == {"generator", "seq2seq"}
    assert engine_class("generator").__name__ == "GeneratorEngine"
    assert engine_class("seq2seq").__name__ == "Seq2SeqEngine"
    with pytest.raises(Exception, match="no engine for models of kind 'nmt'.*generator, seq2seq"):
        engine_class("nmt")
