"""Translate sentences once with an installed model and keep the results on disk (for ``--similarity mt``).

``python bench/mt_cache.py MODEL FILE...`` translates every line of the files
(MAC-Dev's ``zh/*.zh``) with the installed model ``MODEL`` and appends each
translation to ``$TERMALIGN_MT_CACHE`` (default ``~/.cache/termalign/align-mt``)
``/MODEL.jsonl`` as ``{"source": ..., "translation": ...}``; lines already there
are skipped, so the job can be stopped and resumed.  Meant to run in the
background with ``nohup``: on the 2-core CPU the 0.5B model does about one
sentence per second, the 1.5B one about 0.35.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def cache_file(model: str) -> Path:
    root = Path(os.environ.get("TERMALIGN_MT_CACHE", Path.home() / ".cache" / "termalign" / "align-mt"))
    return root / f"{model}.jsonl"


def load_cache(model: str) -> dict[str, str]:
    path = cache_file(model)
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut off when the job was stopped
        out[record["source"]] = record["translation"]
    return out


def main() -> int:
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model

    model, files = sys.argv[1], sys.argv[2:]
    done = load_cache(model)
    todo: list[str] = []
    for file in files:
        for line in Path(file).read_text(encoding="utf-8").splitlines():
            if line.strip() and line not in done and line not in todo:
                todo.append(line)
    print(f"{len(done)} cached, {len(todo)} to translate with {model}", flush=True)
    engine = open_engine(get_model(model, default_models_dir()), EngineConfig(max_new_tokens=160))
    path = cache_file(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with path.open("a", encoding="utf-8") as out:
        for k in range(0, len(todo), 8):
            batch = todo[k : k + 8]
            for source, result in zip(batch, engine.translate_batch(batch), strict=True):
                record = {"source": source, "translation": result.best.text}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            rate = (k + len(batch)) / (time.perf_counter() - started)
            print(f"{k + len(batch)}/{len(todo)}  {rate:.2f} sentences/s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
