"""Names to providers: "provider/model" resolution, capabilities, and the catalog behind the docs.

The registry is explicit and lazy: `catalog/providers/<name>.json` maps each provider name to its
codec ("module:Class") and connection facts; `catalog/models/<provider>.json` holds the dated model
catalog. No file is read, and no provider module is imported, until first use.
"""

from __future__ import annotations

import functools
import importlib
import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ModelRetiredError, UnknownProviderError
from .thinking import ThinkingCaps

__all__ = [
    "ModelInfo",
    "Price",
    "ProviderSpec",
    "Setting",
    "catalog_date",
    "codec_for",
    "connector_for",
    "list_models",
    "list_provider_specs",
    "list_providers",
    "lookup_model",
    "provider_spec",
    "split_model",
]


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    input_per_1m: float | None = None
    output_per_1m: float | None = None
    notes: str | None = None
    date: str | None = None
    source: str | None = None


class ModelInfo(BaseModel):
    """One catalog row: what a model is, whether it is still served, how it thinks, what it costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    provider: str
    id: str
    aliases: tuple[str, ...] = ()
    status: Literal["current", "legacy", "deprecated", "retired", "restricted", "preview"]
    released: str | None = None
    retires_on: str | None = None
    retired_on: str | None = None
    successor: str | None = None
    thinking: ThinkingCaps = Field(default_factory=ThinkingCaps)
    sampling: Literal["accepts", "rejects", "unless_effort_none", "removed_in_api_version"] = "accepts"
    context_window: int | None = None
    max_output_tokens: int | None = None
    price: Price | None = None
    sources: tuple[str, ...] = ()
    confidence: str | None = None
    notes: str | None = None
    known: bool = Field(True, description="False for a name the catalog does not know (passed through).")


class Setting(BaseModel):
    """One named connection setting of a provider (a project, a location...): an argument or env vars."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    env: tuple[str, ...] = Field((), description="Env vars read in order when no argument is given.")
    default: str | None = Field(None, description="The value when neither an argument nor an env var is set.")
    secret: bool = Field(False, description="Held as a Secret: never shown in a repr, a display or an error.")
    description: str = ""


class ProviderSpec(BaseModel):
    """Connection facts and the codec for one provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    title: str
    codec: str
    base_url: str
    auth: Literal["bearer", "x-api-key", "x-goog-api-key", "token", "xi-api-key"]
    env: tuple[str, ...]
    base_url_env: str | None = None
    settings_env: tuple[str, ...] = Field(
        (), description="Other env vars the connection reads (region, project...)."
    )
    modalities: tuple[str, ...] = ("chat",)
    thinking: bool = False
    default_api: str | None = None
    api_version: str | None = None
    unknown_model_thinking: ThinkingCaps = Field(default_factory=ThinkingCaps)
    settings: dict[str, Setting] = Field(
        default_factory=dict,
        description="Named connection settings: AsyncClient(settings={provider: {name: value}}) or their env vars.",
    )
    connector: str | None = Field(
        None,
        description="'module:function' that finishes the Connection from its settings (pure; may refuse it).",
    )
    regions: dict[str, str] = Field(
        default_factory=dict, description="Base URL per region name (base_url is the default one)."
    )
    docs: str
    status: Literal["available", "unavailable", "opt-in"] = "available"
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _settings_env(self) -> ProviderSpec:
        # every env var a setting reads is one the connection reads: tests clear them all
        extra = tuple(v for s in self.settings.values() for v in s.env if v not in self.settings_env)
        if extra:
            object.__setattr__(self, "settings_env", (*self.settings_env, *extra))
        return self


def _load_dir(folder: str) -> list[dict[str, Any]]:
    """Every JSON document in catalog/<folder>/, in name order (one file per provider)."""
    root = resources.files("providers.catalog").joinpath(folder)
    files = sorted((f for f in root.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


@functools.cache
def _providers() -> dict[str, ProviderSpec]:
    specs: dict[str, ProviderSpec] = {}
    for doc in _load_dir("providers"):
        for name, spec in doc.items():
            specs[name] = ProviderSpec(name=name, **spec)
    return specs


@functools.cache
def _models() -> dict[tuple[str, str], ModelInfo]:
    table: dict[tuple[str, str], ModelInfo] = {}
    for doc in _load_dir("models"):
        for row in doc["models"]:
            info = ModelInfo(**row)
            for name in (info.id, *info.aliases):
                table[(info.provider, name)] = info
    return table


def catalog_date() -> str:
    """The date the model catalog describes (the newest of its files)."""
    return max(str(doc["as_of"]) for doc in _load_dir("models"))


def provider_spec(name: str) -> ProviderSpec:
    """The spec for a provider name, or UnknownProviderError listing the known ones."""
    specs = _providers()
    if name not in specs:
        known = ", ".join(sorted(specs))
        raise UnknownProviderError(f"unknown provider {name!r}; known providers: {known}")
    return specs[name]


def split_model(name: str) -> tuple[str, str]:
    """'anthropic/claude-sonnet-5-5' -> ('anthropic', 'claude-sonnet-5-5')."""
    if not isinstance(name, str) or "/" not in name.strip("/"):
        raise UnknownProviderError(
            f"name the model as 'provider/model', e.g. 'anthropic/claude-sonnet-5-5' or 'openai/gpt-6.1-terra' "
            f"(got {name!r})"
        )
    provider, _, model = name.strip().partition("/")
    if not model:
        raise UnknownProviderError(f"no model after {provider!r}/ in {name!r}")
    return provider.lower(), model


def lookup_model(provider: str, model: str) -> ModelInfo:
    """The catalog row for a model. Retired models raise; unknown names pass through, marked."""
    spec = provider_spec(provider)
    info = _models().get((provider, model))
    if info is None:
        return ModelInfo(
            provider=provider,
            id=model,
            status="current",
            thinking=spec.unknown_model_thinking,
            sampling="accepts",
            known=False,
        )
    if info.status == "retired":
        succ = f"; use {provider}/{info.successor}" if info.successor else ""
        when = f" on {info.retired_on}" if info.retired_on else ""
        raise ModelRetiredError(
            f"{provider}/{model} was retired{when}{succ}",
            provider=provider,
            successor=info.successor,
            retired_on=info.retired_on,
        )
    return info


def codec_for(spec: ProviderSpec) -> Any:
    """Import and instantiate the provider's codec class (lazily, on first use)."""
    return _codec(spec.codec)


@functools.cache
def _codec(path: str) -> Any:
    module_name, _, cls = path.partition(":")
    return getattr(importlib.import_module(module_name), cls)()


def connector_for(spec: ProviderSpec) -> Any:
    """The provider's connector function (lazily imported), or None when base URL + key suffice."""
    if not spec.connector:
        return None
    module_name, _, name = spec.connector.partition(":")
    return getattr(importlib.import_module(module_name), name)


def list_provider_specs() -> list[ProviderSpec]:
    """Every provider's full spec."""
    return list(_providers().values())


def list_providers() -> list[dict[str, Any]]:
    """Every provider: name, title, modalities, thinking, key env var, docs URL, status."""
    return [
        {
            "name": s.name,
            "title": s.title,
            "modalities": list(s.modalities),
            "thinking": s.thinking,
            "env": s.env[0] if s.env else None,
            "docs": s.docs,
            "status": s.status,
        }
        for s in _providers().values()
    ]


def list_models(
    provider: str | None = None, *, thinking: bool | None = None, include_retired: bool = False
) -> list[ModelInfo]:
    """Catalog models, optionally for one provider and/or only those that can (or cannot) think."""
    seen: dict[tuple[str, str], ModelInfo] = {}
    for info in _models().values():
        if provider and info.provider != provider:
            continue
        if not include_retired and info.status == "retired":
            continue
        if thinking is not None and info.thinking.can_think != thinking:
            continue
        seen[(info.provider, info.id)] = info
    return list(seen.values())
