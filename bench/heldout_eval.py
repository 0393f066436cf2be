"""Held-out evaluation on the Kubernetes docs: model alone vs + glossary (each injection mode) vs + TM.

    python bench/heldout_eval.py [--model qwen2.5-coder-1.5b] [--per-page 6] [--arms model,glossary-auto]
                                 [--beam-sizes 2,4] [--json out/heldout.json]

The split (pages sorted by name, even positions test, odd positions TM), the
subset (first N aligned beads with Chinese text per test page, the same for
every arm) and the termbase (the site's glossary, imported mechanically) are
described in ``translator/heldout.py`` and repeated in the JSON report.  Every
arm runs in this one process on the same beads, so the model-alone arm is the
baseline of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from termalign.translator.cache import CachedEngine
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.heldout import ARMS, HeldoutConfig, run_heldout, table_lines
    from termalign.translator.install import default_models_dir, get_model

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--models-dir", type=Path, default=None)
    default_data = Path(os.environ.get("TERMALIGN_DATA", ROOT.parent / "shared" / "corpora")) / "k8s-docs"
    parser.add_argument("--data", type=Path, default=default_data, help="the k8s-docs folder")
    parser.add_argument("--per-page", type=int, default=6, help="aligned beads per test page (0: all)")
    parser.add_argument("--arms", default=",".join(ARMS), help=f"comma-separated, from {', '.join(ARMS)}")
    parser.add_argument(
        "--pages", default=None, help="comma-separated test pages (default: the whole test half)"
    )
    parser.add_argument("--beam-sizes", default="", help="extra glossary-auto arms decoded with these beams")
    parser.add_argument("--beam-arm", default="glossary-auto", help="the arm the --beam-sizes arms repeat")
    parser.add_argument("--json", type=Path, default=None, help="write the full report here")
    parser.add_argument(
        "--cache", type=Path, default=None, help="a SQLite result cache kept across runs (default: in memory)"
    )
    args = parser.parse_args()

    # A result cache, as in `termalign run`: a prompt two arms share is decoded once, so arms differ
    # only where their prompts do (no batch-shape noise); an arm's seconds are those of its new prompts.
    model = get_model(args.model, args.models_dir or default_models_dir())
    engine = CachedEngine(open_engine(model, EngineConfig()), args.cache)
    config = HeldoutConfig(
        args.data,
        per_page=args.per_page or None,
        arms=tuple(a for a in args.arms.split(",") if a),
        pages=tuple(args.pages.split(",")) if args.pages else None,
        beam_sizes=tuple(int(b) for b in args.beam_sizes.split(",") if b),
        beam_arm=args.beam_arm,
    )
    report = run_heldout(engine, config, progress=lambda line: print(line, file=sys.stderr, flush=True))
    subset = report["subset"]
    print(
        f"held-out k8s-docs, {args.model}: test pages {', '.join(report['split']['test'])}; "
        f"{subset['beads']} beads / {subset['segments']} segments (first {subset['per_page']} per page)"
    )
    print("\n".join(table_lines(report)))
    base = report["arms"].get("model")
    for name, arm in report["arms"].items():
        if base is not None and name != "model":
            d_chrf = arm["segment"]["chrF"] - base["segment"]["chrF"]
            d_bleu = arm["segment"]["BLEU"] - base["segment"]["BLEU"]
            ratio = arm["seconds"] / base["seconds"] if base["seconds"] else float("nan")
            pair = arm["paired_vs_model"]
            print(
                f"{name}: chrF {d_chrf:+.2f}, BLEU {d_bleu:+.2f} vs model alone; {ratio:.2f}x its time; "
                f"{pair['identical']}/{pair['beads']} beads identical, sentence chrF wins {pair['wins']} / "
                f"losses {pair['losses']}, mean {pair['mean_sentence_chrF_gain']:+.2f}"
            )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
