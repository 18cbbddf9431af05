"""llmkit_nb: the notebook layer -- a synchronous LLMKit, rich display, and (later) widgets and magics.

    from llmkit_nb import LLMKit
    kit = LLMKit(sandbox=True)
    kit.chat("anthropic/claude-sonnet-5-5", "Why is the sky blue?", thinking="high")

Importing is cheap: the HTTP stack, IPython display code and the Markdown renderer load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "ChatResponse",
    "DomainPreset",
    "LLMKit",
    "Latency",
    "Message",
    "ThinkingConfig",
    "errors",
    "for_medical_domain",
    "for_scientific_domain",
    "show",
]

__version__: str  # resolved lazily by __getattr__ below

if TYPE_CHECKING:
    from providers import errors
    from providers.audio.types import Latency
    from providers.domains import DomainPreset, for_medical_domain, for_scientific_domain
    from providers.thinking import ThinkingConfig
    from providers.types import Message

    from .display.objects import show
    from .kit import ChatResponse, LLMKit

_LAZY = {
    "LLMKit": ("llmkit_nb.kit", "LLMKit"),
    "ChatResponse": ("llmkit_nb.kit", "ChatResponse"),
    "Message": ("providers.types", "Message"),
    "Latency": ("providers.audio.types", "Latency"),
    "ThinkingConfig": ("providers.thinking", "ThinkingConfig"),
    "errors": ("providers.errors", None),
    # domain presets: kit.domain(for_medical_domain(region="europe-west4"))
    "DomainPreset": ("providers.domains", "DomainPreset"),
    "for_medical_domain": ("providers.domains", "for_medical_domain"),
    "for_scientific_domain": ("providers.domains", "for_scientific_domain"),
    "show": ("llmkit_nb.display.objects", "show"),
}


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext llmkit_nb` registers the %%llm and %llm_config magics."""
    from .magics import load_ipython_extension as load

    load(shell)


def __getattr__(name: str) -> Any:
    if name == "__version__":  # the distribution's version, from the installed metadata on first access
        from providers._version import version

        return version()
    if name not in _LAZY:
        raise AttributeError(f"module 'llmkit_nb' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
