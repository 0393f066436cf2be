"""Issue 17, faults 5 and 6: export random entries to every termbase format and read them back.

The alphabet is hostile on purpose: control characters, bare CR, tabs, the
line separators U+2028/U+2029 and NEL, XML and PO metacharacters, the
multi-value separator and its escape, astral characters.  For every entry and
every format, either the export refuses it with a message (and writes
nothing), or the file reads back to exactly the entry that was written: no
crash, no unreadable file, no silently changed entry.

``TERMALIGN_FUZZ_EXAMPLES`` sets the number of examples (each one goes
through all six formats); the default is the issue's 2,000.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from termalign.kernel.errors import TermbaseError
from termalign.termbase import Entry, Status
from termalign.termbase.formats import FORMATS, export_entries, import_entries
from termalign.termbase.model import Provenance
from termalign.termbase.validate import check_entry, sort_key

EXAMPLES = int(os.environ.get("TERMALIGN_FUZZ_EXAMPLES", "2000"))

HOSTILE = "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x85\u2028\u2029\ufeff\ufffe\u3000"
CLEAN = list("蒸馏模型推理深度求索 abcXYZ019") + list("|\\\"'<>&;:#,.×-_/%{}[]") + ["😀", "\u00e9"]
HOSTILE_ALPHABET = st.sampled_from(CLEAN + list(HOSTILE))


def _text(min_size: int) -> st.SearchStrategy[str]:
    """Mostly printable text (so many entries are valid), often with hostile characters mixed in."""
    clean = st.text(st.sampled_from(CLEAN), min_size=min_size, max_size=10)
    hostile = st.text(HOSTILE_ALPHABET, min_size=min_size, max_size=10)
    return st.one_of(clean, clean, clean, clean, clean, hostile)


TEXT = _text(0)
WORD = _text(1)
POS = st.one_of(st.sampled_from(["", "noun", "verb", "propn", "adj", "adv", "properNoun", "Adjective"]), TEXT)

ENTRIES = st.builds(
    Entry,
    source=WORD,
    target=WORD,
    source_variants=st.lists(WORD, max_size=2).map(tuple),
    target_variants=st.lists(WORD, max_size=2).map(tuple),
    forbidden=st.lists(WORD, max_size=2).map(tuple),
    status=st.sampled_from(list(Status)),
    pos=POS,
    domain=TEXT,
    note=TEXT,
    enforce=st.booleans(),
    provenance=st.lists(
        st.builds(Provenance, source=TEXT, count=st.integers(-1, 20), example=TEXT), max_size=1
    ).map(tuple),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


@pytest.fixture(scope="module")
def tally() -> Counter[str]:
    return Counter()


def _round_trip(entry: Entry, folder: Path, tally: Counter[str]) -> None:
    refused = check_entry(entry)
    for name, fmt in FORMATS.items():
        path = folder / f"one.{name}{fmt.extensions[0] if fmt.extensions else '.tbx'}"
        path.unlink(missing_ok=True)
        try:
            export_entries([entry], path, format=name)
        except TermbaseError as exc:
            # a format may refuse what it cannot hold (OmegaT: a term starting with '#'), saying so
            assert refused or "cannot hold" in str(exc), f"{name}: refused a valid entry: {exc}"
            assert str(exc) and not path.exists()  # a message, and nothing half-written
            tally[f"{name} refused"] += 1
            continue
        assert not refused, f"{name}: wrote an entry check_entry refuses ({refused})"
        result = import_entries(path, format=name)  # an exported file must read back (no raise)
        # a lossy glossary format (OmegaT, DeepL) is held to what it says it keeps
        expected = [replace(e, id=None) for e in fmt.round_trip([entry])]
        got = sorted((replace(e, id=None) for e in result.entries), key=sort_key)
        assert got == expected, name
        tally[f"{name} round-tripped"] += 1


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
@given(entry=ENTRIES)
@example(entry=Entry("0", "0", note="0 \n0"))  # found by this test: a PO reader strips each comment line
def test_every_format_refuses_or_round_trips_exactly(entry: Entry, folder: Path, tally: Counter[str]) -> None:
    _round_trip(entry, folder, tally)


def test_the_fuzz_round_tripped_a_fair_share(tally: Counter[str]) -> None:
    """The suite above is only worth something if many entries were valid and really went through."""
    if not tally:
        pytest.skip("run together with the round-trip test")
    for name in FORMATS:
        kept = tally[f"{name} round-tripped"]
        assert kept >= EXAMPLES // 20, f"{name}: only {kept} of {EXAMPLES} entries went through"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", "first\rsecond", "the note contains a line break (U+000D)"),
        ("note", "一\u2028二", "the note contains a line break (U+2028)"),
        ("note", "first \nsecond", "the note has a line ending in spaces"),
        ("note", "first\n\u3000\nthird", "the note has a line ending in spaces"),
        ("note", "esc\x1b[0m", "the note contains a control character (U+001B)"),
        ("source", "蒸\x00馏", "source term '蒸\\x00馏' contains a control character (U+0000)"),
        ("domain", "a\nb", "the domain contains a line break (U+000A)"),
    ],
)
def test_a_bad_note_or_term_is_refused_naming_the_field(field: str, value: str, message: str) -> None:
    entry = replace(Entry("蒸馏", "distillation"), **{field: value})
    assert message in "; ".join(check_entry(entry))
