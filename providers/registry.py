"""Names to providers: "provider/model" resolution, capabilities, and the catalog behind the docs.

The registry is explicit and lazy: `catalog/providers/<name>.json` maps each provider name to its
codec ("module:Class") and connection facts; `catalog/models/<provider>.json` holds the dated model
catalog. No file is read, and no provider module is imported, until first use.

The catalog stays true as time passes: a model whose `retires_on` date has come is retired from that
day on (`today()`: the system's date in UTC, or `LLMKIT_TODAY=YYYY-MM-DD`), exactly as one the
catalog marks retired. A retired model is refused (ModelRetiredError names the date and the
successor) unless the caller asks to try it anyway: `allow_retired=True` on `AsyncClient` / `LLMKit`,
or `LLMKIT_ALLOW_RETIRED=1`; the call then goes out with a note saying so.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import os
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import ModelRetiredError, UnknownProviderError
from .regions import Region
from .thinking import ThinkingCaps

__all__ = [
    "ModelInfo",
    "Price",
    "ProviderSpec",
    "Region",
    "Setting",
    "allow_retired_from_env",
    "catalog_date",
    "codec_for",
    "connector_for",
    "list_models",
    "list_provider_specs",
    "list_providers",
    "lookup_model",
    "provider_spec",
    "retired_message",
    "split_model",
    "today",
]

TODAY_ENV = "LLMKIT_TODAY"
ALLOW_RETIRED_ENV = "LLMKIT_ALLOW_RETIRED"


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
    successor_call: str | None = Field(
        None,
        description="How to call the successor for what this model did, e.g. 'thinking=False' (retired aliases).",
    )
    thinking: ThinkingCaps = Field(default_factory=ThinkingCaps)
    sampling: Literal["accepts", "rejects", "unless_effort_none", "removed_in_api_version"] = "accepts"
    tools: bool | None = Field(
        None, description="Whether the model can call tools (None: not recorded; assumed it can)."
    )
    structured_output: bool | None = Field(
        None, description="Whether the model takes a JSON schema for its answer (None: not recorded)."
    )
    context_window: int | None = None
    max_output_tokens: int | None = None
    price: Price | None = None
    sources: tuple[str, ...] = ()
    confidence: str | None = None
    notes: str | None = None
    residency: str | None = Field(
        None, description="Where this model keeps data whatever the endpoint (Maritaca's *-br-sp: 'br')."
    )
    known: bool = Field(True, description="False for a name the catalog does not know (passed through).")

    def as_of(self, day: dt.date) -> ModelInfo:
        """This row as it stands on `day`: once its `retires_on` date has come, it is retired (on that date)."""
        if self.status == "retired" or not self.retires_on or dt.date.fromisoformat(self.retires_on) > day:
            return self
        return self.model_copy(update={"status": "retired", "retired_on": self.retires_on})


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
    auth: Literal[
        "bearer",
        "x-api-key",
        "x-goog-api-key",
        "token",
        "xi-api-key",
        "api-key",
        "api-subscription-key",
        "authorization",  # the raw key in the Authorization header, no scheme (AssemblyAI)
    ]
    env: tuple[str, ...]
    key_required: bool = Field(
        True, description="False for servers that run without a key (local servers): no key, no auth header."
    )
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
    regions: dict[str, Region] = Field(
        default_factory=dict,
        description="Region name -> Region (base URL or request params, residency, live/announced, source).",
    )
    default_region: str | None = Field(None, description="The region used when none is chosen.")
    region_env: str | None = Field(
        None, description="Env var naming the region; defaults to <NAME>_REGION for providers with regions."
    )
    region_setting: str | None = Field(
        None, description="A connection setting that carries the region (Vertex: location), if any."
    )
    residency_note: str | None = Field(
        None,
        description="What the provider offers instead of regional hosts, if anything (shown in refusals).",
    )
    wire: dict[str, Any] = Field(
        default_factory=dict, description="Codec options (providers.chat.compat: path, max_tokens field...)."
    )
    example_model: str | None = Field(None, description="A model id to try it with (docs, tests).")
    docs: str
    status: Literal["available", "unavailable", "opt-in"] = "available"
    status_note: str | None = Field(None, description="Why the status is what it is; how to opt in.")
    confidence: Literal["high", "medium", "low"] | None = Field(
        None, description="How well the connection facts are sourced (wire/providers.md scale)."
    )
    sources: tuple[str, ...] = ()

    @field_validator("regions", mode="before")
    @classmethod
    def _region_urls(cls, value: Any) -> Any:
        # a bare URL is the short form of {"base_url": URL}
        if isinstance(value, dict):
            return {k: {"base_url": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _settings_env(self) -> ProviderSpec:
        # every env var a setting reads is one the connection reads: tests clear them all
        extra = tuple(v for s in self.settings.values() for v in s.env if v not in self.settings_env)
        if self.regions and not self.region_setting:
            var = self.region_env or f"{self.name.upper().replace('-', '_')}_REGION"
            extra += (var,) if var not in self.settings_env else ()
        if self.default_region is not None and self.default_region not in self.regions:
            raise ValueError(f"default_region {self.default_region!r} is not one of the regions")
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


def today() -> dt.date:
    """The date retirement dates are judged against: `LLMKIT_TODAY` (YYYY-MM-DD) if set, else today in UTC."""
    given = os.environ.get(TODAY_ENV, "").strip()
    if given:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            from .errors import ConfigurationError

            raise ConfigurationError(
                f"{TODAY_ENV} must be a date such as 2026-12-04, not {given!r}"
            ) from None
    return dt.datetime.now(dt.UTC).date()


def allow_retired_from_env(env: Any = None) -> bool:
    """Whether `LLMKIT_ALLOW_RETIRED` asks to try retired models anyway (1, true, yes)."""
    value = (os.environ if env is None else env).get(ALLOW_RETIRED_ENV, "")
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def retired_message(info: ModelInfo, name: str | None = None) -> str:
    """'<provider>/<model> was retired on <date>; use <provider>/<successor>' (the catalog's facts)."""
    succ = f"; use {info.provider}/{info.successor}" if info.successor else ""
    if info.successor and info.successor_call:
        succ += f" with {info.successor_call}"
    when = f" on {info.retired_on}" if info.retired_on else ""
    return f"{info.provider}/{name or info.id} was retired{when}{succ}"


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


def lookup_model(
    provider: str, model: str, *, on: dt.date | None = None, allow_retired: bool = False
) -> ModelInfo:
    """The catalog row for a model as it stands `on` a date (default: `today()`). Retired models raise;
    unknown names pass through, marked.

    A model retired in the catalog, or whose `retires_on` date has come, raises ModelRetiredError
    naming the date and the successor; with `allow_retired=True` its (retired) row is returned instead.
    """
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
    if not (model != info.id and model.endswith("latest")):  # (a -latest alias moves on; it never retires)
        info = info.as_of(on or today())
    if info.status == "retired" and not allow_retired:
        raise ModelRetiredError(
            f"{retired_message(info, model)}. To try it anyway, pass allow_retired=True "
            f"(LLMKit(...) or AsyncClient(...)) or set {ALLOW_RETIRED_ENV}=1",
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
    """Every provider: name, title, modalities, thinking, regions, key env var, docs URL, status."""
    return [
        {
            "name": s.name,
            "title": s.title,
            "modalities": list(s.modalities),
            "thinking": s.thinking,
            "regions": list(s.regions),
            "env": s.env[0] if s.env else None,
            "key_required": s.key_required,
            "docs": s.docs,
            "status": s.status,
        }
        for s in _providers().values()
    ]


def list_models(
    provider: str | None = None,
    *,
    thinking: bool | None = None,
    include_retired: bool = False,
    on: dt.date | None = None,
) -> list[ModelInfo]:
    """Catalog models as they stand `on` a date (default: `today()`), optionally for one provider and/or
    only those that can (or cannot) think.

    A model whose `retires_on` date has come counts as retired (left out unless `include_retired`).
    """
    day = on or today()
    seen: dict[tuple[str, str], ModelInfo] = {}
    for row in _models().values():
        info = row.as_of(day)
        if provider and info.provider != provider:
            continue
        if not include_retired and info.status == "retired":
            continue
        if thinking is not None and info.thinking.can_think != thinking:
            continue
        seen[(info.provider, info.id)] = info
    return list(seen.values())
