"""``termalign align SOURCE TARGET -o OUT``: sentence-align two documents."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from termalign.commands.paths import check_paths
from termalign.kernel.langtags import language_tag
from termalign.output import console, summarise_alignment

if TYPE_CHECKING:
    from termalign.align.similarity import Similarity, TranslationSimilarity

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).


def _tag(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a tag that is not BCP 47 before any work (``xx``, ``chinese``; ``zh_CN`` passes).

    The value is kept as given: the outputs normalise it, with the script found in the text.
    """
    if value is not None:
        language_tag(value)  # LanguageTagError: one sentence, exit code 2
    return value


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file; its extension picks the format: .tmx, .jsonl, .tsv or .html. Repeatable.",
)
@click.option(
    "--source-lang", default=None, callback=_tag, help="Source language, BCP 47 (default: detected)."
)
@click.option(
    "--target-lang", default=None, callback=_tag, help="Target language, BCP 47 (default: detected)."
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Flag beads scoring below this confidence (default: the aligner's).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "text", "lines"]),
    default=None,
    help="Read both files in this format (default: detected; 'lines' = one sentence per line, pre-split).",
)
@click.option(
    "--similarity",
    type=click.Choice(["none", "lexicon", "mt", "likelihood"]),
    default="none",
    show_default=True,
    help="Extra sentence similarity: 'lexicon' learns an IBM-1 table from the pair (slower); "
    "'mt' translates the source once with --mt-model (cached on disk; slow on a CPU); "
    "'likelihood' lets --mt-model's translation likelihood re-decide the beads the aligner is "
    "unsure of (pre-split input; cached; minutes per chapter on a CPU).",
)
@click.option(
    "--mt-model",
    default="qwen2.5-coder-0.5b",
    show_default=True,
    help="Installed model for --similarity mt and likelihood.",
)
@click.option(
    "--mt-only-unsure",
    is_flag=True,
    help="With --similarity mt, translate only the sentences of beads the first pass scored below 0.5.",
)
@click.option(
    "--tmx-segments",
    type=click.Choice(["sentence", "paragraph", "both"]),
    default="sentence",
    show_default=True,
    help="TMX units: one per sentence bead, one per aligned paragraph pair (segtype=paragraph: "
    "the CAT tool cuts them with its own rules), or both.",
)
@click.option(
    "--tmx-markup",
    type=click.Choice(["codes", "text"]),
    default=None,
    help="TMX markup as inline codes (default), or as the file's own characters, for a CAT tool "
    "that reads the document as plain text (OmegaT 3.6 on markdown); 'text' with --tmx-srx.",
)
@click.option(
    "--tmx-srx",
    "tmx_srx",
    default="",
    metavar="RULES",
    help="Cut TMX units as the CAT tool cuts segments: an SRX 2.0 file of its rules, or 'omegat' "
    "(OmegaT 3.6's default rules). For OmegaT: --tmx-segments both --tmx-srx omegat.",
)
def align(
    source: Path,
    target: Path,
    outputs: tuple[Path, ...],
    source_lang: str | None,
    target_lang: str | None,
    threshold: float | None,
    fmt: str | None,
    similarity: str,
    mt_model: str,
    mt_only_unsure: bool,
    tmx_segments: str,
    tmx_markup: str | None,
    tmx_srx: str,
) -> None:
    """Align SOURCE with its translation TARGET, sentence by sentence.

    Blocks (questions, paragraphs, quotes, list items) are aligned first, then
    sentences inside them; pre-split files (one sentence per line) are aligned
    sentence by sentence with beads up to 1-4/4-1. Low-confidence beads are
    flagged in every output.
    """
    from termalign.align.outputs import tmx
    from termalign.align.srx import srx_rules
    from termalign.pipeline import align_files

    check_paths(inputs={"SOURCE": source, "TARGET": target}, outputs={"-o": outputs})
    markup = tmx_markup or ("text" if tmx_srx else "codes")
    layout = tmx.TmxLayout(segments=tmx_segments, markup=markup, srx=tmx_srx)  # type: ignore[arg-type]
    if tmx_srx:
        srx_rules(tmx_srx)  # a missing or bad rules file: one sentence, before any work
    laid_out = [p for p in outputs if p.suffix.lower() == ".tmx"] if layout != tmx.TmxLayout() else []
    alignment = align_files(
        source,
        target,
        [p for p in outputs if p not in laid_out],
        source_lang=source_lang,
        target_lang=target_lang,
        threshold=threshold,
        source_format=fmt,
        target_format=fmt,
        similarity=_model_similarity(similarity, mt_model, mt_only_unsure, source_lang, target_lang),
    )
    for path in laid_out:
        tmx.write(alignment, path, layout)
    console().print(summarise_alignment(alignment, outputs))


def _model_similarity(
    name: str, model: str, only_unsure: bool, source_lang: str | None, target_lang: str | None
) -> str | Similarity:
    """The similarity named ``name``; the two model-backed ones are built here, above the align layer."""
    if name == "mt":
        return _mt_similarity(model, only_unsure)
    if name == "likelihood":
        return _likelihood_similarity(model, source_lang, target_lang)
    return name


def _likelihood_similarity(model: str, source_lang: str | None, target_lang: str | None) -> Similarity:
    """Translation likelihood of ``model`` for the pair, cached as JSON lines.

    The cache is ``$TERMALIGN_MT_CACHE/likelihood-MODEL.jsonl`` (default under
    ``~/.cache/termalign/align-mt``).  The prompt names the languages from
    ``--source-lang``/``--target-lang`` (default Chinese to English).
    """

    from termalign.align.likelihood import LikelihoodSimilarity
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model
    from termalign.translator.pair_likelihood import pair_scorer

    names = {"zh": "Chinese", "en": "English"}
    source = names.get((source_lang or "zh").split("-")[0].lower(), source_lang or "Chinese")
    target = names.get((target_lang or "en").split("-")[0].lower(), target_lang or "English")
    root = _mt_cache_root()
    engine = open_engine(
        get_model(model, default_models_dir()), EngineConfig(source_language=source, target_language=target)
    )
    return LikelihoodSimilarity(pair_scorer(engine, root / f"likelihood-{model}.jsonl"))


def _mt_cache_root() -> Path:
    """Where the model-backed similarities keep what the model computed: ``$TERMALIGN_MT_CACHE``, by
    default ``~/.cache/termalign/align-mt`` (outside the repository)."""
    import os

    return Path(os.environ.get("TERMALIGN_MT_CACHE", Path.home() / ".cache" / "termalign" / "align-mt"))


def _mt_similarity(model: str, only_unsure: bool) -> TranslationSimilarity:
    """Bleualign-style similarity: the source translated once by ``model``, cached as JSON lines.

    The cache lives outside the repository, in ``$TERMALIGN_MT_CACHE`` (default
    ``~/.cache/termalign/align-mt``), keyed by the source sentence.
    """
    import json

    from termalign.align.similarity import TranslationSimilarity
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model

    path = _mt_cache_root() / f"{model}.jsonl"

    def translate(sentences: list[str]) -> list[str]:
        cache: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut off when a run was stopped
                cache[record["source"]] = record["translation"]
        todo = list(dict.fromkeys(s for s in sentences if s not in cache))
        if todo:
            engine = open_engine(get_model(model, default_models_dir()), EngineConfig(max_new_tokens=160))
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                for k in range(0, len(todo), 8):
                    batch = todo[k : k + 8]
                    for source, result in zip(batch, engine.translate_batch(batch), strict=True):
                        cache[source] = result.best.text
                        record = {"source": source, "translation": result.best.text}
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return [cache[s] for s in sentences]

    return TranslationSimilarity(translate, only_unsure=only_unsure)
