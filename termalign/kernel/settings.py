"""The translation settings: what can be set, from where, and the one resolved object.

Every setting that reaches the translation stack is named once, in :data:`SPECS`.
A value comes from the first layer that sets it, in this order (resolved once,
at the CLI edge, by :func:`resolve_settings`):

    flag  >  environment ``TERMALIGN_*``  >  config file (``termalign.toml``)
          >  corpus manifest (``[translate]``, batch and run only)  >  default

The default is the library's own (``EngineConfig`` / ``TranslateConfig`` field
defaults, the model registry's default model): :class:`Settings` stores only
the values some layer set, so a default is never written down twice.

The config file is TOML with the same shape as a manifest's ``[translate]``
table::

    model = "qwen2.5-coder-0.5b"
    models_dir = "~/models"
    cache = "out/cache.sqlite"
    [decoding]            # EngineConfig fields
    beam_size = 2
    [terms]               # TranslateConfig fields
    term_injection = "list"

Unknown keys and values of the wrong type are all reported in one
:class:`~termalign.kernel.errors.ConfigError`.  Values that have the right type
but are out of range (``beam_size = 0``) are refused by the config dataclasses
themselves, again all at once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from termalign.kernel.errors import ConfigError

__all__ = [
    "SPECS",
    "ORIGINS",
    "CONFIG_FILE_NAME",
    "SettingSpec",
    "Settings",
    "ConfigFile",
    "load_config_file",
    "find_config_file",
    "resolve_settings",
    "spec",
]

CONFIG_FILE_NAME = "termalign.toml"
ORIGINS = ("flag", "env", "file", "manifest", "default")
GROUPS = ("", "decoding", "terms")


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key (``name`` or ``group.name``), type, variable and flag."""

    name: str
    kind: type  # str, int, float, bool, Path, or tuple (a list of strings)
    group: str = ""  # "" (top level), "decoding" (EngineConfig) or "terms" (TranslateConfig)
    flag: str | None = None  # the command-line flag of the shared options, if any
    env: str | None = None  # default: TERMALIGN_<NAME>
    help: str = ""

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}" if self.group else self.name

    @property
    def env_var(self) -> str:
        return self.env or f"TERMALIGN_{self.name.upper()}"


def _decoding(name: str, kind: type, flag: str | None = None, help: str = "") -> SettingSpec:
    return SettingSpec(name, kind, "decoding", flag, None, help)


def _terms(name: str, kind: type, flag: str | None = None, help: str = "") -> SettingSpec:
    return SettingSpec(name, kind, "terms", flag, None, help)


# The names under "decoding" and "terms" are the fields of translator.engine.EngineConfig and
# translator.terms.TranslateConfig (a test keeps the lists equal); the kernel cannot import them.
SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("model", str, flag="--model", help="Installed model name."),
    SettingSpec(
        "models_dir", Path, flag="--models-dir", env="TERMALIGN_MODELS",
        help="Model cache folder (default: the user cache folder).",
    ),
    SettingSpec(
        "cache", Path, flag="--cache", env="TERMALIGN_TRANSLATION_CACHE",
        help="SQLite translation cache, so re-runs decode nothing twice (default: in memory).",
    ),
    SettingSpec("server", str, flag="--server", help="Use a running `termalign serve` at this URL."),
    SettingSpec("server_termbase", str, flag="--server-termbase", help="With --server: its termbase NAME."),
    _decoding("device", str),
    _decoding("intra_threads", int),
    _decoding("inter_threads", int),
    _decoding("compute_type", str),
    _decoding("cuda_compute_type", str),
    _decoding("max_batch_tokens", int),
    _decoding("max_batch_size", int),
    _decoding("reuse_prefix", bool),
    _decoding("beam_size", int, "--beam-size", "Beam size (default 1: greedy)."),
    _decoding("max_new_tokens", int, "--max-new-tokens", "Longest translation in tokens."),
    _decoding("length_ratio", float),
    _decoding("source_language", str),
    _decoding("target_language", str),
    _terms("tm_reuse_threshold", float),
    _terms("tm_example_threshold", float),
    _terms("tm_examples", int),
    _terms("tm_example_min_chars", int),
    _terms("glossary", bool),
    _terms(
        "term_injection", str, "--term-injection",
        "How approved renderings reach the model: auto (names inline, common nouns listed;"
        " default), verify (names inline, common nouns only when a re-prompt needs them), inline,"
        " list, both.",
    ),
    _terms("term_repair", str),
    _terms("inline_numbers", bool),
    _terms("enforce_terms", bool),
    _terms("enforce_numbers", bool),
    _terms("repair", bool),
    _terms("first_pass_hypotheses", int),
    _terms("n_best", int),
    _terms("max_repair_prompts", int),
    _terms("substitute_forbidden", bool),
    _terms("sanity_check", bool),
    _terms("copy_check", bool),
    _terms("retry_leftover_chinese", bool),
    _terms("min_length_ratio", float),
    _terms("sanity_min_chars", int),
    _terms("max_han_share", float),
    _terms("chunk_size", int),
    _terms("checks", tuple),
)  # fmt: skip

_BY_KEY = {s.key: s for s in SPECS}


def spec(key: str) -> SettingSpec:
    """The spec of ``key`` (``model``, ``decoding.beam_size``, ``terms.n_best``)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ConfigError(f"unknown setting {key!r}") from None


@dataclass(frozen=True)
class Settings:
    """The resolved settings: the values some layer set, and where each came from.

    A key no layer set is absent from ``values`` and its origin is ``default``:
    the consumer (the stack builder) applies the library default.
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    config_file: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))

    def get(self, key: str, default: Any = None) -> Any:
        spec(key)
        return self.values.get(key, default)

    def origin(self, key: str) -> str:
        spec(key)
        return self.origins.get(key, "default")

    def table(self, group: str) -> dict[str, Any]:
        """``{field: value}`` of the set keys of ``group`` (``decoding`` or ``terms``)."""
        prefix = group + "."
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}

    def given(self, *origins: str) -> list[str]:
        """The keys whose value came from one of ``origins`` (e.g. ``"flag"``)."""
        return [k for k in self.values if self.origins.get(k) in origins]


@dataclass(frozen=True)
class ConfigFile:
    """A parsed and type-checked config file: flat ``{key: value}`` (empty when there is none)."""

    path: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


def find_config_file(explicit: Path | None, cwd: Path) -> Path | None:
    """``explicit`` (which must exist), else ``termalign.toml`` in ``cwd`` if there is one."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("the config file does not exist", path=explicit)
        return explicit
    candidate = cwd / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def load_config_file(path: Path | None) -> ConfigFile:
    """Read and check a config file; every unknown key and badly typed value named at once."""
    if path is None:
        return ConfigFile()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the config file ({exc.strerror or exc})", path=path) from exc
    except UnicodeDecodeError:
        raise ConfigError("the config file is not UTF-8 text", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the config file is not valid TOML ({exc})", path=path) from exc
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in raw.items():
        if name in ("decoding", "terms"):
            if not isinstance(value, dict):
                problems.append(f"[{name}] must be a table")
                continue
            for sub, item in value.items():
                _take(f"{name}.{sub}", item, values, problems, base=path.parent)
        else:
            _take(name, value, values, problems, base=path.parent)
    if problems:
        raise ConfigError("invalid config file: " + "; ".join(problems), path=path)
    return ConfigFile(path, values)


def _take(key: str, value: Any, into: dict[str, Any], problems: list[str], *, base: Path) -> None:
    if key not in _BY_KEY:
        problems.append(f"unknown key {key!r}")
        return
    kind = _BY_KEY[key].kind
    ok = (
        (kind is bool and isinstance(value, bool))
        or (kind is int and isinstance(value, int) and not isinstance(value, bool))
        or (kind is float and isinstance(value, int | float) and not isinstance(value, bool))
        or (kind in (str, Path) and isinstance(value, str))
        or (kind is tuple and isinstance(value, list) and all(isinstance(v, str) for v in value))
    )
    if not ok:
        problems.append(f"{key} must be {_KIND_WORDS[kind]}, not {type(value).__name__} {value!r}")
        return
    if kind is Path:
        value = base / Path(value).expanduser()  # relative to the config file's folder
    elif kind is float:
        value = float(value)
    elif kind is tuple:
        value = tuple(value)
    into[key] = value


_KIND_WORDS: dict[type, str] = {
    bool: "true or false", int: "an integer", float: "a number", str: "a string",
    Path: "a path (string)", tuple: "a list of strings",
}  # fmt: skip
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _from_env(key: str, text: str, problems: list[str]) -> Any:
    s = _BY_KEY[key]
    kind = s.kind
    try:
        if kind is bool:
            if text.strip().lower() not in _TRUE | _FALSE:
                raise ValueError
            return text.strip().lower() in _TRUE
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if kind is Path:
            return Path(text).expanduser()
        if kind is tuple:
            return tuple(p.strip() for p in text.split(",") if p.strip())
        return text
    except ValueError:
        problems.append(f"${s.env_var} must be {_KIND_WORDS[kind]}, not {text!r}")
        return None


def resolve_settings(
    *,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    file: ConfigFile | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> Settings:
    """One :class:`Settings` from the layers (flag > env > file > manifest > default).

    ``flags`` maps keys to the values given on the command line (None: not
    given); ``env`` is the process environment (empty values count as unset);
    ``manifest`` maps keys to a corpus manifest's values.  Bad environment
    values are all named in one ConfigError.
    """
    file = file or ConfigFile()
    layers: list[tuple[str, Mapping[str, Any]]] = [("flag", {k: v for k, v in (flags or {}).items()})]
    problems: list[str] = []
    env_values: dict[str, Any] = {}
    for s in SPECS:
        text = (env or {}).get(s.env_var, "")
        if text.strip():
            env_values[s.key] = _from_env(s.key, text.strip(), problems)
    if problems:
        raise ConfigError("invalid environment: " + "; ".join(problems))
    layers += [("env", env_values), ("file", file.values), ("manifest", manifest or {})]
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for origin, layer in layers:
        for key, value in layer.items():
            spec(key)
            if value is not None and key not in values:
                values[key] = value
                origins[key] = origin
    return Settings(values, origins, file.path)
