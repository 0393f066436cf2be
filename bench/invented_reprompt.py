"""The invented-content re-prompt on the two article sentences of issue 14, with and without it.

Sentences from the DeepSeek corpus (`TERMALIGN_DATA`); prints each output, its issues and score,
and how many of the two invented names the re-prompt removed (the re-prompt writes the source's own
names into the source: CC-CEDICT's name, else the pinyin of a name jieba tags; see
``termbase.invented.write_names``)::

    .venv/bin/python bench/invented_reprompt.py [--model qwen2.5-coder-1.5b]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from termalign.termbase.store import load_termbase
from termalign.translator.engine import EngineConfig, open_engine
from termalign.translator.install import default_models_dir, get_model
from termalign.translator.stack import build_translator
from termalign.translator.terms import DEFAULT_CHECKS, TranslateConfig

ROOT = Path(__file__).resolve().parents[1]
INVENTED = ("Federal Reserve", "Lantern")  # what the 1.5B model wrote for 美銀證券 and 玄武門之變
# Cut from the DeepSeek articles at the sentences where the default model invented names.
SOURCES = (
    "美銀證券分析師Justin Post在報告中就認為,成本的降低將大大加速大模型的商業應用。",
    "此前,有網友嘗試讓DeepSeek寫一篇“玄武門之變后李世民內心獨白戲”,在思考8秒之后,"
    "DeepSeek寫下的700多字刷屏朋友圈。",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    args = parser.parse_args()
    engine = open_engine(get_model(args.model, default_models_dir()), EngineConfig())
    termbase = load_termbase(ROOT / "corpora" / "deepseek" / "termbase.tsv")
    without = tuple(c for c in DEFAULT_CHECKS if c != "invented-content")
    for label, checks in (("without the check", without), ("with check + re-prompt", DEFAULT_CHECKS)):
        started = time.perf_counter()
        translator = build_translator(engine, termbase=termbase, config=TranslateConfig(checks=checks))
        records = translator.translate(list(SOURCES))
        print(f"{label}: {time.perf_counter() - started:.1f} s")
        for r in records:
            print(f"  [{r.origin}, attempts {r.attempts}, score {r.quality}] {r.target}")
            for issue in r.issues:
                print(f"    * {issue.check}: {issue.message}")
        clean = [r for r in records if not any(i.check == "invented-content" for i in r.issues)]
        gone = [r for r in clean if not any(name in r.target for name in INVENTED)]
        print(f"  without an invented name left: {len(gone)}/{len(records)}")


if __name__ == "__main__":
    main()
