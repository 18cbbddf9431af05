"""providers: the async core of llmkit_nb -- one API over many AI providers.

Importing this package is cheap: it loads no HTTP client, no IPython and no provider module until
one is used. See `AsyncClient`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "AsyncClient",
    "ChatResult",
    "Message",
    "ThinkingConfig",
    "errors",
    "list_models",
    "list_providers",
]

__version__: str  # resolved lazily by __getattr__ below

if TYPE_CHECKING:
    from . import errors
    from .client import AsyncClient
    from .registry import list_models, list_providers
    from .thinking import ThinkingConfig
    from .types import ChatResult, Message

_LAZY = {
    "AsyncClient": ("providers.client", "AsyncClient"),
    "ChatResult": ("providers.types", "ChatResult"),
    "Message": ("providers.types", "Message"),
    "ThinkingConfig": ("providers.thinking", "ThinkingConfig"),
    "list_models": ("providers.registry", "list_models"),
    "list_providers": ("providers.registry", "list_providers"),
    "errors": ("providers.errors", None),
}


def __getattr__(name: str) -> Any:
    if name == "__version__":  # from the installed metadata, read on first access (providers/_version.py)
        from ._version import version

        return version()
    if name not in _LAZY:
        raise AttributeError(f"module 'providers' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
