"""The expensive, model-bound part of the QE benchmark, cached on disk (not in the repository).

For the aligned FAQ pairs: the stack's translations (termbase, no TM), the
model's token log-probabilities of each final translation (forced decoding),
and a back-translation of each translation by the same model; then, by an
independent smaller model (the 0.5B), its own translation of every source and
its scores of the sources and of the stack's translations.  Each stage is
stored as JSON under ``~/.cache/termalign/qe-bench/`` keyed by model and the
hash of the sources (the second model's stages depend on the translations too,
which are themselves keyed by the sources), with the seconds it took, so a
rerun of ``bench/qe_bench.py`` costs seconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from termalign.kernel.atomic import atomic_write_text

ROOT = Path(__file__).resolve().parents[1]
TERMBASE = ROOT / "corpora" / "deepseek" / "termbase.tsv"
# The checks of the stack before the invented-content re-prompt existed: the translations the
# benchmark scores stay the same however the repair rules evolve (the check is a QE signal here).
BENCH_CHECKS = ("term-missing", "forbidden-term", "number-mismatch", "untranslated")


def cache_dir() -> Path:
    base = os.environ.get("TERMALIGN_QE_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "termalign" / "qe-bench"


def _key(model: str, sources: list[str], stage: str) -> Path:
    digest = hashlib.sha256("\n".join(sources).encode()).hexdigest()[:16]
    return cache_dir() / f"{stage}-{model}-{len(sources)}-{digest}.json"


def cached(model: str, sources: list[str], stage: str, compute: Callable[[], Any]) -> dict[str, Any]:
    """``{"seconds": s, "value": v}`` from the cache, or computed, timed and stored."""
    path = _key(model, sources, stage)
    if path.is_file():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    started = time.perf_counter()
    value = compute()
    data = {"seconds": round(time.perf_counter() - started, 2), "value": value, "model": model}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False) + "\n")
    return data


def open_model(model: str) -> Any:
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model

    return open_engine(get_model(model, default_models_dir()), EngineConfig())


def lazy_model(model: str) -> Callable[[], Any]:
    """A function that opens the model on its first call (only stages not cached need it)."""
    return functools.cache(lambda: open_model(model))


def model_stages(
    model: str, sources: list[str], ids: list[str], log: Callable[[str], None]
) -> dict[str, Any]:
    """The three cached stages: ``translate`` (records), ``logprob`` (per token), ``backtranslate``."""
    from termalign.termbase.store import load_termbase
    from termalign.translator.terms import TermAwareTranslator, TranslateConfig

    get_engine = lazy_model(model)

    def translate() -> list[dict[str, Any]]:
        translator = TermAwareTranslator(
            get_engine(), termbase=load_termbase(TERMBASE), config=TranslateConfig(checks=BENCH_CHECKS)
        )
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            log(f"translated {done[0]}/{len(sources)}")

        return [r.to_dict() for r in translator.translate(sources, ids=ids, progress=tick)]

    out: dict[str, Any] = {"translate": cached(model, sources, "translate", translate)}
    targets = [r["target"] for r in out["translate"]["value"]]
    log("translations ready")
    out["logprob"] = cached(
        model, sources, "logprob", lambda: get_engine().score_translations(sources, targets)
    )
    log("log-probabilities ready")

    def backtranslate() -> list[str]:
        reverse = get_engine().with_languages("English", "Chinese")
        texts: list[str] = []
        for start in range(0, len(targets), 32):
            hyps = reverse.translate_batch(targets[start : start + 32])
            texts.extend(h.best.text for h in hyps)
            log(f"back-translated {len(texts)}/{len(targets)}")
        return texts

    out["backtranslate"] = cached(model, sources, "backtranslate", backtranslate)
    log("back-translations ready")
    return out


SECOND_MODEL = "qwen2.5-coder-0.5b"


def second_model_stages(
    model: str, sources: list[str], targets: list[str], log: Callable[[str], None]
) -> dict[str, Any]:
    """The stages of an independent, smaller ``model`` (cached like the others):

    ``plain-translate`` (its own greedy translation, no termbase: the agreement signal),
    ``cross-logprob`` (its token log-probabilities of the stack's translation),
    ``source-lm`` / ``target-lm`` (its language-model log-probabilities of the source / translation).
    """
    get_engine = lazy_model(model)

    def translate() -> list[str]:
        texts: list[str] = []
        for start in range(0, len(sources), 32):
            texts.extend(h.best.text for h in get_engine().translate_batch(sources[start : start + 32]))
            log(f"{model}: translated {len(texts)}/{len(sources)}")
        return texts

    out = {"plain-translate": cached(model, sources, "plain-translate", translate)}
    log(f"{model}: translations ready")
    out["cross-logprob"] = cached(
        model, sources, "cross-logprob", lambda: get_engine().score_translations(sources, targets)
    )
    out["source-lm"] = cached(model, sources, "source-lm", lambda: get_engine().score_texts(sources))
    out["target-lm"] = cached(model, sources, "target-lm", lambda: get_engine().score_texts(targets))
    log(f"{model}: scores ready")
    return out


def extra_stages(
    model: str, second: str, sources: list[str], targets: list[str], log: Callable[[str], None]
) -> dict[str, Any]:
    """Cheaper or same-model signals (cached like the others):

    ``source-lm`` / ``target-lm`` of ``model`` itself (the translating model's language-model
    log-probabilities: no second model needed in production), and ``backtranslate-of-MODEL``
    by ``second`` (the smaller model back-translates ``model``'s translations: a cheaper round trip).
    """
    get_own, get_second = lazy_model(model), lazy_model(second)
    out = {
        "source-lm": cached(model, sources, "source-lm", lambda: get_own().score_texts(sources)),
        "target-lm": cached(model, sources, "target-lm", lambda: get_own().score_texts(targets)),
    }
    log(f"{model}: language-model scores ready")

    def backtranslate() -> list[str]:
        reverse = get_second().with_languages("English", "Chinese")
        texts: list[str] = []
        for start in range(0, len(targets), 32):
            texts.extend(h.best.text for h in reverse.translate_batch(targets[start : start + 32]))
            log(f"{second}: back-translated {len(texts)}/{len(targets)}")
        return texts

    out["backtranslate-small"] = cached(second, sources, f"backtranslate-of-{model}", backtranslate)
    log(f"{second}: back-translations ready")
    return out


def faq_pairs(path: Path, limit: int | None = None) -> list[Any]:
    """The aligned FAQ pairs with text on both sides (the evaluation's selection), first ``limit``."""
    from termalign.termbase.extract import load_pairs

    if not path.is_file():
        raise SystemExit(f"{path} not found: run `.venv/bin/termalign run --no-translate` first")
    pairs = [p for p in load_pairs(path) if p.source.strip() and p.target.strip()]
    return pairs[:limit] if limit else pairs


if __name__ == "__main__":  # python bench/qe_cache.py MODEL [LIMIT]: fill the cache only
    import sys

    chosen = sys.argv[1] if len(sys.argv) > 1 else "qwen2.5-coder-1.5b"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else None
    pairs = faq_pairs(ROOT / "out" / "deepseek" / "faq.jsonl", count)
    started = time.perf_counter()
    sources = [p.source for p in pairs]

    def say(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", flush=True)

    stages = model_stages(chosen, sources, [p.id or str(k) for k, p in enumerate(pairs)], say)
    targets = [r["target"] for r in stages["translate"]["value"]]
    second_model_stages(SECOND_MODEL, sources, targets, say)
    extra_stages(chosen, SECOND_MODEL, sources, targets, say)
