"""Offline machine translation: model installation, GGUF conversion and plain engines.

Nothing is loaded at import; heavy dependencies (ctranslate2, gguf, tokenizers,
sentencepiece) are imported when a model is converted or first used.
"""

from termalign.align.documents.writeback import rebuild, replace_front_matter, translate_front_matter
from termalign.translator.cache import CachedEngine
from termalign.translator.document import assemble, plan_segments, translate_document
from termalign.translator.engine import Engine, EngineConfig, Hypotheses, Hypothesis, open_engine
from termalign.translator.generator import GeneratorEngine
from termalign.translator.gguf_convert import ConversionReport, GGUFConverter, convert_gguf
from termalign.translator.identity import IdentityEngine
from termalign.translator.install import InstalledModel, get_model, install_model, list_models, remove_model
from termalign.translator.markup import Protected, Restored, protect, restore
from termalign.translator.memory import MemoryConfig, TmMatch, TranslationMemory
from termalign.translator.progress import ProgressCallback, ProgressEvent
from termalign.translator.records import SegmentRecord
from termalign.translator.registry import DEFAULT_MODEL, REGISTRY, ModelSpec, get_spec
from termalign.translator.seq2seq import Seq2SeqEngine
from termalign.translator.terms import TermAwareTranslator, TranslateConfig

__all__ = [
    "CachedEngine",
    "assemble",
    "plan_segments",
    "translate_document",
    "SegmentRecord",
    "TermAwareTranslator",
    "TranslateConfig",
    "IdentityEngine",
    "Protected",
    "Restored",
    "protect",
    "restore",
    "MemoryConfig",
    "TmMatch",
    "TranslationMemory",
    "rebuild",
    "replace_front_matter",
    "translate_front_matter",
    "DEFAULT_MODEL",
    "REGISTRY",
    "ConversionReport",
    "Engine",
    "EngineConfig",
    "GGUFConverter",
    "GeneratorEngine",
    "Hypotheses",
    "Hypothesis",
    "InstalledModel",
    "ModelSpec",
    "ProgressCallback",
    "ProgressEvent",
    "Seq2SeqEngine",
    "convert_gguf",
    "get_model",
    "get_spec",
    "install_model",
    "list_models",
    "open_engine",
    "remove_model",
]
