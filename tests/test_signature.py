"""The one signature type: fixed start, one string form that parses back, legacy shapes normalised."""

from __future__ import annotations

import pytest

from termalign.kernel.errors import ConfigError
from termalign.kernel.signature import Signature
from termalign.kernel.version import __version__
from termalign.translator.cache import CachedEngine
from termalign.translator.identity import IdentityEngine


def test_string_form_starts_with_tool_and_version_and_parses_back() -> None:
    sig = Signature.of(engine={"model": "tiny@ab12", "beam_size": 1}, termbase=None, repair=True)
    text = str(sig)
    tail = "engine.model:tiny@ab12|engine.beam_size:1|termbase:none|repair:yes"
    assert text == f"tool:termalign|version:{__version__}|{tail}"
    back = Signature.parse(text)
    assert str(back) == text and back["engine.model"] == "tiny@ab12"
    assert sig.as_dict() == {
        "tool": "termalign", "version": __version__, "engine": {"model": "tiny@ab12", "beam_size": 1},
        "termbase": None, "repair": True,
    }  # fmt: skip


def test_separators_inside_values_survive() -> None:
    sig = Signature.of(remote="http://h:5000/a|b", note="two\nlines 100%")
    assert Signature.parse(str(sig))["remote"] == "http://h:5000/a|b"
    assert Signature.parse(str(sig))["note"] == "two\nlines 100%"
    assert str(sig).count("|") == 3


def test_the_three_old_tool_shapes_and_two_termbase_names_become_one() -> None:
    shapes = [
        {"tool": "termalign 0.0.9", "termbase": "abc"},
        {"tool": {"name": "termalign", "version": "0.0.9"}, "termbase_hash": "abc"},
        {"tool": "termalign", "version": "0.0.9", "termbase": "abc"},
    ]
    assert len({str(Signature.of(s)) for s in shapes}) == 1
    assert Signature.of(shapes[1])["termbase"] == "abc"


def test_nested_signatures_keep_their_version_not_their_tool() -> None:
    inner = Signature.of(layer="x")
    outer = Signature.of(translator=inner, manifest={"sha256": "f" * 64})
    assert "translator.tool" not in outer and outer["translator.version"] == __version__
    assert Signature.of(dict(outer)) == outer  # the flat mapping view reads back unchanged


def test_bad_keys_are_refused() -> None:
    with pytest.raises(ConfigError):
        Signature((("version", "1"), ("tool", "termalign")))
    with pytest.raises(ConfigError):
        Signature.of({"a|b": 1})
    with pytest.raises(ConfigError):
        Signature.parse("tool:termalign|version")


def test_the_cache_key_follows_the_engine_signature_not_the_tool_version() -> None:
    a, b = CachedEngine(IdentityEngine("m1")), CachedEngine(IdentityEngine("m2"))
    assert a.key("x", None, None, 1) != b.key("x", None, None, 1)
    assert a.key("x", None, None, 1) == CachedEngine(IdentityEngine("m1")).key("x", None, None, 1)
