"""Offline machine translation: model installation, GGUF conversion and plain engines.

Nothing is loaded at import; heavy dependencies (ctranslate2, gguf, tokenizers,
sentencepiece) are imported when a model is converted or first used.
"""

from translator.cache import CachedEngine
from translator.document import assemble, plan_segments, translate_document
from translator.engine import Engine, EngineConfig, Hypotheses, Hypothesis, open_engine
from translator.generator import GeneratorEngine
from translator.gguf_convert import ConversionReport, GGUFConverter, convert_gguf
from translator.identity import IdentityEngine
from translator.install import InstalledModel, get_model, install_model, list_models, remove_model
from translator.markup import Protected, Restored, protect, restore
from translator.memory import MemoryConfig, TmMatch, TranslationMemory
from translator.progress import ProgressCallback, ProgressEvent
from translator.records import SegmentRecord
from translator.registry import DEFAULT_MODEL, REGISTRY, ModelSpec, get_spec
from translator.seq2seq import Seq2SeqEngine
from translator.terms import TermAwareTranslator, TranslateConfig
from translator.writeback import rebuild, replace_front_matter, translate_front_matter

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
