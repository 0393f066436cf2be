"""A held-out evaluation on the Kubernetes docs: a termbase nobody here curated, pages never tuned on.

The corpus (``k8s-docs/``: twelve concept pages in English and Chinese, and the
site's own bilingual glossary) is read as it is:

* **termbase**: ``glossary.tsv`` imported mechanically (:func:`glossary_entries`):
  Chinese renderings → English title, nothing added or chosen by us;
* **split**: the pages sorted by name, alternating: even positions (0, 2, …)
  are the test, odd ones may serve as translation memory (:func:`split_pages`);
* **test**: each test page's Chinese sentences (HTML comments, which keep the
  English, are dropped by the reader and never reach the model or the TM) are
  aligned with the English page by the project's aligner; the first
  ``per_page`` aligned beads with Chinese text are translated (the same subset
  for every arm) and scored against the English side bead by bead
  (segment-level) and page by page (document-level);
* **arms**: the model alone; model + glossary in each injection mode; model +
  glossary + TM from the other half.  Each reports BLEU/chrF, term usage, the
  numbers the target gets right, the structure dropped and the seconds taken.

Markup is protected as in document translation (markdown placeholders, Hugo
shortcodes, heading anchors); scores compare visible text on both sides.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termalign.align.script import HAN
from termalign.kernel.errors import ConfigError
from termalign.kernel.version import __version__

if TYPE_CHECKING:
    from termalign.termbase.model import Entry
    from termalign.translator.engine import Engine
    from termalign.translator.memory import TranslationMemory

__all__ = [
    "ARMS",
    "Arm",
    "HeldoutConfig",
    "TestBead",
    "glossary_entries",
    "split_pages",
    "heldout_beads",
    "page_memory",
    "run_heldout",
    "slice_config",
    "table_lines",
]

_CJK_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u3000-\u9fff\uff00-\uffef])")
_SPACE = re.compile(r"\s+")
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class Arm:
    """One system of the comparison: which resources reach the translator."""

    name: str
    glossary: bool = False
    injection: str = "auto"
    memory: bool = False
    beam_size: int = 1
    note: str = ""
    repair: str = "inline"  # how a re-prompt asks for a missing rendering (TranslateConfig.term_repair)
    n_best: int = 1  # hypotheses of a re-prompt (TranslateConfig.n_best)


ARMS: dict[str, Arm] = {
    a.name: a
    for a in (
        Arm("model", note="the model alone: no glossary, no TM, no amounts written in"),
        Arm("glossary-inline", True, "inline", note="every rendering written into the source"),
        Arm("glossary-list", True, "list", note="every rendering listed in the instruction"),
        Arm(
            "glossary-auto",
            True,
            "auto",
            note="the default: names/acronyms inline, common nouns listed; a missing rendering is "
            "written inline into the re-prompt",
        ),
        Arm(
            "glossary-auto-demand",
            True,
            "auto",
            repair="demand",
            note="as glossary-auto, the re-prompt only names the missing rendering (the default before)",
        ),
        Arm(
            "glossary-verify",
            True,
            "verify",
            repair="demand",
            note="names/acronyms inline; a common noun only named in the re-prompt of an output lacking it",
        ),
        Arm(
            "glossary-verify-inline",
            True,
            "verify",
            note="names/acronyms inline; a missing common noun written into the re-prompt only",
        ),
        Arm(
            "glossary-verify-inline-n2",
            True,
            "verify",
            n_best=2,
            note="as glossary-verify-inline, the re-prompt searches a 2-best list (beam 2)",
        ),
        Arm("glossary-auto+tm", True, "auto", True, note="+ TM aligned from the other half of the pages"),
    )
}


@dataclass(frozen=True)
class HeldoutConfig:
    """What to run: the corpus folder, the beads per test page, the arms and their order."""

    data_dir: Path
    per_page: int | None = 5  # None: every aligned bead of every test page
    arms: tuple[str, ...] = tuple(ARMS)
    pages: tuple[str, ...] | None = None  # test pages to keep (default: the whole test half)
    beam_sizes: tuple[int, ...] = ()  # extra arms: ``beam_arm`` decoded with these beam sizes
    beam_arm: str = "glossary-auto"

    def __post_init__(self) -> None:
        unknown = [a for a in (*self.arms, self.beam_arm) if a not in ARMS]
        if unknown:
            raise ConfigError(f"unknown held-out arm(s) {', '.join(unknown)}; known: {', '.join(ARMS)}")
        if self.per_page is not None and self.per_page < 1:
            raise ConfigError("per_page must be at least 1")


def slice_config(data_dir: Path) -> HeldoutConfig:
    """The main job's small held-out slice: the first two test pages, 4 beads each, model vs glossary."""
    test, _ = split_pages(data_dir)
    return HeldoutConfig(data_dir, per_page=4, arms=("model", "glossary-auto"), pages=tuple(test[:2]))


@dataclass(frozen=True)
class TestBead:
    """One aligned bead of a test page: the sentences to translate and the English to compare with."""

    page: str
    ids: tuple[str, ...]  # "page:sentence-id" of each source sentence
    segments: tuple[str, ...]  # engine text of each sentence (markup as placeholders)
    source: str  # visible Chinese text (for term and number checks)
    reference: str  # visible English text


# -- the corpus ------------------------------------------------------------------------------------


def glossary_entries(path: Path) -> list[Entry]:
    """``glossary.tsv`` as termbase entries, mechanically: zh (``|``-joined variants) → en title.

    A trailing parenthesis of the English title is the title's own gloss
    (``cgroup (control group)``) and becomes an accepted variant; one saying
    ``disambiguation`` is dropped.  Every entry is approved and enforced: the
    site's glossary is the authority, nothing here is curated.
    """
    from termalign.termbase.model import Entry, Provenance, Status

    if not path.is_file():
        raise ConfigError(f"the glossary {path} does not exist")
    entries: list[Entry] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            zh = [v.strip() for v in (row.get("zh") or "").split("|") if v.strip()]
            en = (row.get("en") or "").strip()
            if not zh or not en:
                continue
            variants: list[str] = []
            paren = _PAREN.match(en)
            if paren:
                en = paren.group(1)
                if "disambiguation" not in paren.group(2).lower():
                    variants.append(paren.group(2))
            variants += [v.strip() for v in (row.get("en_aka") or "").split("|") if v.strip()]
            entries.append(
                Entry(
                    zh[0], en, tuple(zh[1:]), tuple(dict.fromkeys(v for v in variants if v != en)),
                    status=Status.APPROVED, domain="kubernetes",
                    provenance=(Provenance("k8s-docs/glossary.tsv", 1, row.get("term_id", "")),),
                    extra={"zh_keeps_en": row.get("zh_keeps_en", "")},
                )
            )  # fmt: skip
    return entries


def split_pages(data_dir: Path) -> tuple[list[str], list[str]]:
    """``(test, memory)`` page names: sorted by name, even positions test, odd positions memory."""
    names = sorted(p.stem for p in (data_dir / "zh").glob("*.md") if (data_dir / "en" / p.name).is_file())
    if len(names) < 2:
        raise ConfigError(f"{data_dir} holds fewer than two page pairs (zh/<name>.md with en/<name>.md)")
    return names[0::2], names[1::2]


def visible(raw: str) -> str:
    """The words a reader sees: placeholders dropped (a tooltip keeps its text), CJK line breaks joined."""
    from termalign.translator.markup import PLACEHOLDER_RE, protect
    from termalign.translator.shortcodes import protect_shortcodes

    text = PLACEHOLDER_RE.sub("", protect_shortcodes(protect(raw, "markdown")).text)
    return _SPACE.sub(" ", _CJK_BREAK.sub("", text)).strip()


def _aligned(data_dir: Path, page: str) -> tuple[Any, Any, Any]:
    from termalign.align.aligner import AlignConfig, align_documents
    from termalign.align.reader import read_document

    zh = read_document(data_dir / "zh" / f"{page}.md", lang="zh")
    en = read_document(data_dir / "en" / f"{page}.md", lang="en")
    return zh, en, align_documents(zh, en, AlignConfig())


def heldout_beads(data_dir: Path, page: str, per_page: int | None) -> list[TestBead]:
    """The first ``per_page`` beads of ``page`` with Chinese text on one side and English on the other."""
    from termalign.translator.markup import protect
    from termalign.translator.shortcodes import protect_shortcodes

    zh, en, alignment = _aligned(data_dir, page)
    zh_raw = {s.id: zh.text[s.start : s.end] for s in zh.sentences}
    en_raw = {s.id: en.text[s.start : s.end] for s in en.sentences}
    beads: list[TestBead] = []
    for bead in alignment.beads:
        if bead.is_unaligned:
            continue
        raws = [zh_raw[i] for i in bead.source_ids]
        source = " ".join(visible(r) for r in raws)
        reference = " ".join(visible(en_raw[i]) for i in bead.target_ids)
        if not HAN.search(source) or not reference.strip():
            continue
        segments = tuple(_CJK_BREAK.sub("", protect_shortcodes(protect(r, "markdown")).text) for r in raws)
        beads.append(
            TestBead(page, tuple(f"{page}:{i}" for i in bead.source_ids), segments, source, reference)
        )
        if per_page is not None and len(beads) >= per_page:
            break
    return beads


def page_memory(data_dir: Path, pages: Sequence[str]) -> TranslationMemory:
    """A translation memory of the aligned beads of ``pages`` (visible text on both sides)."""
    from termalign.translator.memory import TranslationMemory

    memory = TranslationMemory(source_lang="zh")
    for page in pages:
        zh, en, alignment = _aligned(data_dir, page)
        zh_raw = {s.id: zh.text[s.start : s.end] for s in zh.sentences}
        en_raw = {s.id: en.text[s.start : s.end] for s in en.sentences}
        for bead in alignment.beads:
            if bead.is_unaligned:
                continue
            source = " ".join(visible(zh_raw[i]) for i in bead.source_ids)
            target = " ".join(visible(en_raw[i]) for i in bead.target_ids)
            if HAN.search(source) and target:
                memory.add(source, target, f"k8s-docs/{page}#{bead.source_ids[0]}")
    return memory


# -- running the arms ------------------------------------------------------------------------------


@dataclass
class _Run:
    hypotheses: list[str] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)
    seconds: float = 0.0


def _translate(arm: Arm, engine: Engine, beads: Sequence[TestBead], termbase: Any, memory: Any) -> _Run:
    from termalign.translator.markup import PLACEHOLDER_RE
    from termalign.translator.terms import TermAwareTranslator, TranslateConfig

    if arm.glossary:
        config = TranslateConfig(term_injection=arm.injection, term_repair=arm.repair, n_best=arm.n_best)
    else:
        config = TranslateConfig(glossary=False, inline_numbers=False, enforce_numbers=False)
    if arm.beam_size > 1:
        engine = _with_beam(engine, arm.beam_size)
    translator = TermAwareTranslator(
        engine, termbase if arm.glossary else None, memory if arm.memory else None, config
    )
    segments = [s for b in beads for s in b.segments]
    ids = [i for b in beads for i in b.ids]
    started = time.perf_counter()
    records = translator.translate(segments, ids=ids)
    run = _Run(records=records, seconds=time.perf_counter() - started)
    k = 0
    for bead in beads:
        parts = [PLACEHOLDER_RE.sub("", r.target) for r in records[k : k + len(bead.segments)]]
        run.hypotheses.append(_SPACE.sub(" ", " ".join(parts)).strip())
        k += len(bead.segments)
    return run


def _with_beam(engine: Any, beam: int) -> Any:
    """The same loaded model decoding with ``beam`` (a shallow copy sharing the weights)."""
    import copy

    from termalign.translator.cache import CachedEngine

    if isinstance(engine, CachedEngine):  # its own cache: the beam is part of the engine signature
        return CachedEngine(_with_beam(engine.engine, beam), engine.path)
    if not hasattr(engine, "config"):
        raise ConfigError(f"the engine {engine.model_id} has no decoding settings to set a beam of {beam}")
    other = copy.copy(engine)
    other.config = dataclasses.replace(engine.config, beam_size=beam)
    return other


def _scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    from sacrebleu.metrics import BLEU, CHRF

    return {
        "BLEU": round(BLEU().corpus_score(list(hypotheses), [list(references)]).score, 2),
        "chrF": round(CHRF().corpus_score(list(hypotheses), [list(references)]).score, 2),
    }


def _terms(sources: Sequence[str], targets: Sequence[str], termbase: Any, latin: set[str]) -> dict[str, Any]:
    from termalign.termbase.checks import check_pairs

    report = check_pairs(list(zip(sources, targets, strict=True)), termbase, checks=["term-missing"])
    zh_terms = [t for t in report.terms if t.source not in latin]
    expected = sum(t.expected for t in zh_terms)
    used = sum(t.used for t in zh_terms)
    return {
        "expected": report.summary.expected,
        "used": report.summary.used,
        "usage": _ratio(report.summary.used, report.summary.expected),
        # entries whose Chinese form is the English unchanged (Pod, DaemonSet) are scored apart
        "chinese_entries": {"expected": expected, "used": used, "usage": _ratio(used, expected)},
    }


def _numbers(sources: Sequence[str], targets: Sequence[str]) -> dict[str, Any]:
    from termalign.termbase.amounts import amount_problems, source_amounts

    total = sum(len(source_amounts(s)) for s in sources)
    wrong = [(a, why) for s, t in zip(sources, targets, strict=True) for a, why in amount_problems(s, t)]
    strict = sum(1 for a, _ in wrong if a.strict)
    return {
        "numbers": total,
        "wrong": len(wrong),
        "wrong_amounts": strict,
        "right": _ratio(total - len(wrong), total),
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _arm_report(run: _Run, beads: Sequence[TestBead], termbase: Any, latin: set[str]) -> dict[str, Any]:
    from termalign.translator.terms import STRUCTURE_NOTE

    sources = [b.source for b in beads]
    references = [b.reference for b in beads]
    pages = list(dict.fromkeys(b.page for b in beads))
    doc_hyp = [" ".join(h for h, b in zip(run.hypotheses, beads, strict=True) if b.page == p) for p in pages]
    doc_ref = [" ".join(b.reference for b in beads if b.page == p) for p in pages]
    reshaped = [n for r in run.records for n in r.notes if n.startswith(STRUCTURE_NOTE)]
    segments = len(run.records)
    return {
        "segment": _scores(run.hypotheses, references),
        "document": _scores(doc_hyp, doc_ref),
        "terms": _terms(sources, run.hypotheses, termbase, latin),
        "numbers": _numbers(sources, run.hypotheses),
        "structure_removed": len(reshaped),
        "origins": dict(sorted(_count(r.origin for r in run.records).items())),
        "seconds": round(run.seconds, 1),
        "segments_per_second": round(segments / run.seconds, 3) if run.seconds > 0 else None,
    }


def _count(items: Any) -> dict[str, int]:
    from collections import Counter

    return dict(Counter(items))


def run_heldout(
    engine: Engine, config: HeldoutConfig, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Run every arm of ``config`` on the same test beads and return the report (JSON-ready)."""
    from termalign.termbase.store import Termbase

    say = progress or (lambda _: None)
    data_dir = Path(config.data_dir)
    test_pages, memory_pages = split_pages(data_dir)
    if config.pages is not None:
        test_pages = [p for p in test_pages if p in config.pages]
    entries = glossary_entries(data_dir / "glossary.tsv")
    latin = {e.source for e in entries if e.extra.get("zh_keeps_en") == "yes"}
    termbase = Termbase.memory(entries)
    beads = [b for page in test_pages for b in heldout_beads(data_dir, page, config.per_page)]
    if not beads:
        raise ConfigError(f"no aligned test segment found in {data_dir}")
    arms = [ARMS[a] for a in config.arms]
    arms += [dataclasses.replace(ARMS[config.beam_arm], name=f"{config.beam_arm} beam {n}", beam_size=n)
             for n in config.beam_sizes]  # fmt: skip
    memory = page_memory(data_dir, memory_pages) if any(a.memory for a in arms) else None
    sources = [b.source for b in beads]
    references = [b.reference for b in beads]
    report: dict[str, Any] = {
        "tool": {"name": "termalign", "version": __version__},
        "engine": dict(engine.signature),
        "corpus": str(data_dir),
        "held_out": True,
        "split": {
            "rule": "pages sorted by name; even positions (0, 2, ...) are the test, odd positions the TM",
            "test": test_pages,
            "memory": memory_pages,
        },
        "subset": {
            "per_page": config.per_page,
            "rule": "the first N aligned beads with Chinese text of each test page, the same for every arm",
            "beads": len(beads),
            "segments": sum(len(b.segments) for b in beads),
        },
        "termbase": {
            "source": "glossary.tsv, imported mechanically (zh -> en title), nothing curated",
            "entries": len(entries),
            "hash": termbase.hash(),
        },
        "memory": {"pages": memory_pages, "entries": len(memory) if memory is not None else 0},
        "reference": {
            "terms": _terms(sources, references, termbase, latin),
            "numbers": _numbers(sources, references),
        },
        "arms": {},
    }
    engine.translate_batch(["你好。"])  # load the model now: its loading time belongs to no arm
    for arm in arms:
        say(f"held-out: {arm.name} ({len(beads)} beads)")
        run = _translate(arm, engine, beads, termbase, memory)
        data = _arm_report(run, beads, termbase, latin)
        data["resources"] = {
            "glossary": f"k8s glossary, {arm.injection}" if arm.glossary else None,
            "tm": "aligned memory pages (none of the test pages)" if arm.memory else None,
            "beam_size": arm.beam_size,
            "note": arm.note,
        }
        data["hypotheses"] = run.hypotheses
        report["arms"][arm.name] = data
    base = report["arms"].get("model")
    for name, data in report["arms"].items():
        if base is not None and name != "model":
            data["paired_vs_model"] = paired(base["hypotheses"], data["hypotheses"], references)
    return report


def paired(base: Sequence[str], other: Sequence[str], references: Sequence[str]) -> dict[str, Any]:
    """Bead-by-bead comparison of two arms: identical outputs, sentence-chrF wins and losses, mean gain.

    The corpus scores of a few dozen beads move by tenths with one flipped bead; the
    counts say whether a difference is many small gains or one or two large ones.
    """
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    diffs = [
        chrf.sentence_score(o, [r]).score - chrf.sentence_score(b, [r]).score
        for b, o, r in zip(base, other, references, strict=True)
    ]
    return {
        "beads": len(diffs),
        "identical": sum(b == o for b, o in zip(base, other, strict=True)),
        "wins": sum(d > 0 for d in diffs),
        "losses": sum(d < 0 for d in diffs),
        "mean_sentence_chrF_gain": round(sum(diffs) / len(diffs), 3) if diffs else None,
    }


def table_lines(report: dict[str, Any]) -> list[str]:
    """The report as a fixed-width table (the CLI and the bench print these lines)."""
    head = f"{'arm':<24}{'BLEU seg':>9}{'chrF seg':>9}{'BLEU doc':>9}{'chrF doc':>9}"
    head += f"{'terms':>8}{'zh terms':>9}{'numbers':>9}{'struct':>7}{'seconds':>9}"
    lines = [head]

    def row(name: str, data: dict[str, Any]) -> str:
        seg, doc = data.get("segment", {}), data.get("document", {})
        terms, numbers = data["terms"], data["numbers"]
        cells = [f"{name:<24}"]
        for value in (seg.get("BLEU"), seg.get("chrF"), doc.get("BLEU"), doc.get("chrF")):
            cells.append(f"{value:>9.2f}" if value is not None else f"{'':>9}")
        cells.append(f"{_pct(terms['usage']):>8}{_pct(terms['chinese_entries']['usage']):>9}")
        cells.append(f"{numbers['numbers'] - numbers['wrong']:>5}/{numbers['numbers']:<3}")
        cells.append(f"{data.get('structure_removed', ''):>7}{data.get('seconds', ''):>9}")
        return "".join(cells)

    for name, data in report["arms"].items():
        lines.append(row(name, data))
    lines.append(row("(human English)", report["reference"]))
    return lines


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
