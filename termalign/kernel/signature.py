"""The one signature type: how an output was made, in one string form.

Like sacrebleu's metric signatures (``nrefs:1|case:mixed|...|version:2.4.0``),
a :class:`Signature` is an ordered list of ``key:value`` fields joined by ``|``.
It always starts with ``tool:termalign|version:<x>`` — written by the type
itself, so the tool is named in exactly one shape — and the termbase's content
hash is always the field ``termbase``.  Nested settings (an engine's inside a
translator's) become dotted keys (``engine.model``, ``engine.beam_size``).

Forms:

* ``str(sig)`` — the one string form, e.g. in TMX headers (``x-signature``),
  reports (``signature_text``) and the server's answers; :meth:`Signature.parse`
  reads it back;
* :meth:`Signature.as_dict` — the same fields as nested JSON (``{"engine":
  {"model": ...}}``) for reports;
* :meth:`Signature.digest` — a SHA-256 of the string form, for keys.

Older signature dicts are accepted by :meth:`Signature.of` and normalised:
``tool`` given as ``"termalign 0.1.0"`` or ``{"name", "version"}`` is replaced
by the type's own fields, ``termbase_hash`` is read as ``termbase``, and
``model_id`` as ``model``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from termalign.kernel.errors import ConfigError
from termalign.kernel.version import __version__

__all__ = ["Signature", "Scalar", "TOOL"]

TOOL = "termalign"
Scalar = str | int | float | bool | None
_ALIASES = {"termbase_hash": "termbase", "model_id": "model"}
_ESCAPES = (("%", "%25"), ("|", "%7C"), ("\n", "%0A"))


@dataclass(frozen=True)
class Signature(Mapping[str, Scalar]):
    """Ordered ``(key, value)`` fields; ``tool`` and ``version`` first.  Build with :meth:`of`.

    As a mapping its keys are the flat dotted ones (``dict(sig)`` gives
    ``{"engine.model": ...}``), which :meth:`of` reads back unchanged.
    """

    fields: tuple[tuple[str, Scalar], ...]

    def __post_init__(self) -> None:
        keys = [k for k, _ in self.fields]
        if keys[:2] != ["tool", "version"]:
            raise ConfigError("a signature starts with its tool and version fields")
        problems = [k for k in keys if not k or any(c in k for c in "|: ")]
        problems += [k for k in keys if any(other.startswith(k + ".") for other in keys)]
        if len(set(keys)) != len(keys) or problems:
            raise ConfigError(f"bad signature keys: {', '.join(problems) or 'a key repeats'}")

    @classmethod
    def of(cls, data: Mapping[str, Any] | Signature | None = None, /, **more: Any) -> Signature:
        """A signature of ``data`` and ``more`` (mappings nest as dotted keys; lists join with ``,``).

        Nested signatures keep their ``version`` (a server's may differ from
        ours) but not their ``tool``.
        """
        fields: dict[str, Scalar] = {}
        for source in (data, more):
            if isinstance(source, Signature):
                source = source.as_dict()
            for key, value in (source or {}).items():
                if key not in ("tool", "version"):
                    _flatten(_ALIASES.get(key, key), value, fields)
        return cls((("tool", TOOL), ("version", __version__), *fields.items()))

    @classmethod
    def parse(cls, text: str) -> Signature:
        """The signature whose string form is ``text`` (values come back as strings)."""
        fields = []
        for part in text.split("|"):
            key, sep, value = part.partition(":")
            if not sep:
                raise ConfigError(f"not a signature field: {part!r} (expected key:value)")
            fields.append((key, _unescape(value)))
        return cls(tuple(fields))

    def __str__(self) -> str:
        return "|".join(f"{k}:{_text(v)}" for k, v in self.fields)

    def __getitem__(self, key: str) -> Scalar:
        for k, v in self.fields:
            if k == key:
                return v
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return any(k == key for k, _ in self.fields)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def version(self) -> str:
        return str(self["version"])

    def bare(self) -> str:
        """The string form without ``tool`` and ``version`` (a key that survives upgrades)."""
        return "|".join(f"{k}:{_text(v)}" for k, v in self.fields[2:])

    def digest(self) -> str:
        return hashlib.sha256(str(self).encode("utf-8")).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        """The fields as nested JSON: ``engine.model`` becomes ``{"engine": {"model": ...}}``."""
        out: dict[str, Any] = {}
        for key, value in self.fields:
            *parents, leaf = key.split(".")
            node = out
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = value
        return out


def _flatten(key: str, value: Any, into: dict[str, Scalar]) -> None:
    if isinstance(value, Signature):
        value = value.as_dict()
    if isinstance(value, Mapping):
        for sub, item in value.items():
            if sub != "tool":  # a nested signature's tool is ours; its version is kept
                _flatten(f"{key}.{_ALIASES.get(sub, sub)}", item, into)
        return
    if isinstance(value, list | tuple | set | frozenset):
        value = ",".join(str(v) for v in value)
    elif not isinstance(value, str | int | float | bool | None):
        value = str(value)
    into[key] = value


def _text(value: Scalar) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _unescape(text: str) -> str:
    for raw, escaped in reversed(_ESCAPES):
        text = text.replace(escaped, raw)
    return text
