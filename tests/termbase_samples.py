"""Small hand-written termbase entries shared by the termbase tests (no corpus text)."""

from __future__ import annotations

from termalign.termbase.model import Entry, Provenance, Status


def sample_entries() -> list[Entry]:
    return [
        Entry(
            "蒸馏",
            "distillation",
            source_variants=("知识蒸馏",),
            target_variants=("knowledge distillation",),
            status=Status.APPROVED,
            pos="noun",
            domain="ai",
            note='train a small "student" model on a teacher | keep as noun',
            provenance=(Provenance("sample/faq", 3, "s12"), Provenance("sample/interview")),
        ),
        Entry(
            "混合专家",
            "mixture of experts",
            source_variants=("混合专家模型",),
            target_variants=("MoE", "mixture-of-experts"),
            forbidden=("mixed experts", "hybrid | experts"),
            status=Status.APPROVED,
            pos="noun",
        ),
        Entry("推理", "inference", target_variants=("reasoning",), enforce=False, note="ambiguous"),
        Entry("推理模型", "reasoning model", status=Status.CANDIDATE, pos="propn"),
        Entry("负载均衡", "load balancing", status=Status.DEPRECATED, note="line one\nline two"),
    ]
