"""Regions and data residency: one data-driven model for every provider that has regions.

A provider's regions are data in its catalog entry (`catalog/providers/<name>.json`, field `regions`):
each region names the base URL it uses (Mistral `eu` -> api.eu.mistral.ai), or the request fields it adds
(Anthropic `us` -> `inference_geo: "us"`: one host, the geography is a parameter), or -- for providers whose
region is a connection setting (Vertex `location`, Bedrock's AWS region) -- only where the data stays.
Each region says whether it keeps data in a place (`residency`: "eu", "us", "br", "local", ...), whether
it is live or only announced, and where that fact comes from.

Which region a call uses, first match wins:

1. `region=` on the call (`kit.chat(..., region="eu")`);
2. the client's per-provider choice (`LLMKit(region={"mistral": "eu"})`);
3. the provider's region env var (`MISTRAL_REGION=eu`; for setting-based providers the setting's own
   env vars, e.g. GOOGLE_CLOUD_LOCATION);
4. the provider's default region (`default_region`), if it has one.

`LLMKit(residency="eu")` then lets a call through only when the endpoint it resolves to is marked as
keeping data in the EU (or is a server on this machine), and refuses the rest before any request,
naming the EU options. Everything here is pure: no I/O, no globals beyond the catalog.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from .errors import ConfigurationError, ResidencyError, UnknownProviderError

if TYPE_CHECKING:
    from .registry import ModelInfo, ProviderSpec

__all__ = [
    "LOCAL",
    "Option",
    "Region",
    "RegionChoice",
    "check_region_map",
    "check_residency",
    "eu_options",
    "is_local_host",
    "known_residencies",
    "region_env",
    "residency_options",
    "resolve_region",
]

LOCAL = "local"  # a server on this machine: the data never leaves it, whatever the policy


class Region(BaseModel):
    """One region of one provider: how to reach it, where the data stays, and whether it is live."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    base_url: str | None = Field(
        None, description="The base URL this region uses; None when the region is a parameter or a setting."
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Request-body fields the region adds (e.g. Anthropic's inference_geo); the call's own win.",
    )
    residency: str | None = Field(
        None,
        description="Where the data stays: 'eu', 'us', 'br', 'uk', 'ch', ... or 'local'; None = no guarantee.",
    )
    status: Literal["live", "announced"] = Field(
        "live", description="'announced' regions are documented as coming but not served yet: calls refuse."
    )
    title: str | None = Field(None, description="A short human label, e.g. 'Frankfurt'.")
    source: str | None = Field(None, description="Where the host and the residency claim come from.")
    notes: str | None = None
    models: tuple[str, ...] = Field(
        (),
        description="Model-id patterns (fnmatch) the region serves when it serves only some: calls for others refuse.",
    )

    def serves(self, model: str) -> bool:
        """Whether this region serves a model id (every model, unless `models` lists some)."""
        return not self.models or any(fnmatch.fnmatchcase(model, pattern) for pattern in self.models)

    @property
    def host(self) -> str | None:
        """The host name of the base URL, if the region has one."""
        return urlsplit(self.base_url).hostname if self.base_url else None


@dataclass(frozen=True)
class RegionChoice:
    """The region a call resolved to, and where that choice came from (for errors and notes)."""

    name: str | None
    region: Region | None
    source: str  # "call", "region[...]", an env var name, "setting", "default" or "none"


def region_env(spec: ProviderSpec) -> str | None:
    """The env var that picks a provider's region (MISTRAL_REGION), or None when a setting carries it."""
    if not spec.regions or spec.region_setting:
        return None
    return spec.region_env or f"{spec.name.upper().replace('-', '_')}_REGION"


def _all_region_names() -> list[str]:
    from .registry import list_provider_specs

    return sorted({name for s in list_provider_specs() for name in s.regions})


def _providers_with_regions() -> list[str]:
    from .registry import list_provider_specs

    return sorted(s.name for s in list_provider_specs() if s.regions)


def _describe(spec: ProviderSpec) -> str:
    names = ", ".join(f"{n} (announced)" if r.status == "announced" else n for n, r in spec.regions.items())
    return names


def _lookup(spec: ProviderSpec, name: Any, where: str) -> tuple[str, Region | None]:
    """Validate a region name for a provider; errors list what exists.

    For providers whose region is a setting (a Vertex location) an unlisted name passes through as None:
    the provider has more locations than the catalog places, and its connector checks the name.
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError(
            f"{where}: a region is a name such as 'eu', not {name!r}", provider=spec.name
        )
    key = name.strip().lower()
    if not spec.regions:
        note = f" ({spec.residency_note})" if spec.residency_note else ""
        others = ", ".join(_providers_with_regions())
        raise ConfigurationError(
            f"{spec.name} has no regions: one endpoint, {spec.base_url}{note}; providers with regions: {others}",
            provider=spec.name,
        )
    region = spec.regions.get(key)
    if region is None and spec.region_setting:
        return key, None
    if region is None:
        if key in _all_region_names():
            raise ConfigurationError(
                f"{spec.name} has no region {key!r} (from {where}); it has: {_describe(spec)}",
                provider=spec.name,
            )
        raise ConfigurationError(
            f"unknown region {key!r} (from {where}); {spec.name}'s regions: {_describe(spec)}",
            provider=spec.name,
        )
    if region.status == "announced":
        live = ", ".join(n for n, r in spec.regions.items() if r.status == "live")
        host = f" ({region.host})" if region.host else ""
        source = f" [{region.source}]" if region.source else ""
        raise ConfigurationError(
            f"{spec.name} region {key!r}{host} is announced but not live yet{source}; use one of: {live}"
            + (
                f", or pass base_urls={{'{spec.name}': '{region.base_url}'}} to try it anyway"
                if region.base_url
                else ""
            ),
            provider=spec.name,
        )
    return key, region


def check_region_map(regions: Mapping[str, Any] | str | None) -> dict[str, str]:
    """Validate `LLMKit(region={provider: name})` up front: unknown providers and regions raise here."""
    if regions is None:
        return {}
    if isinstance(regions, str):
        raise ConfigurationError(
            f"region= on the kit takes one region per provider, e.g. region={{'mistral': {regions!r}}}; "
            f"to allow only EU endpoints everywhere, pass residency={regions!r}"
        )
    if not isinstance(regions, Mapping):
        raise ConfigurationError(
            f"region= must be a dict such as {{'mistral': 'eu'}}, not {type(regions).__name__}"
        )
    from .registry import provider_spec

    checked: dict[str, str] = {}
    for provider, name in regions.items():
        try:
            spec = provider_spec(str(provider))
        except UnknownProviderError as exc:
            raise UnknownProviderError(f"region={{{provider!r}: ...}}: {exc.message}") from None
        checked[spec.name], _ = _lookup(spec, name, f"region[{provider!r}]")
    return checked


def resolve_region(
    spec: ProviderSpec,
    *,
    call: str | None = None,
    chosen: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    setting: str | None = None,
) -> RegionChoice:
    """The region a call to this provider uses (see the module docstring for the order)."""
    if call is not None:
        name, region = _lookup(spec, call, "region=")
        return RegionChoice(name, region, "call")
    if chosen and spec.name in chosen:
        name, region = _lookup(spec, chosen[spec.name], f"region[{spec.name!r}]")
        return RegionChoice(name, region, f"region[{spec.name!r}]")
    var = region_env(spec)
    if var and env is not None and env.get(var, "").strip():
        name, region = _lookup(spec, env[var], var)
        return RegionChoice(name, region, var)
    if spec.region_setting and setting:
        # a setting-based region (a Vertex location) may be one the catalog does not list: pass it through
        key = setting.strip().lower()
        return RegionChoice(key, spec.regions.get(key), "setting")
    if spec.default_region:
        return RegionChoice(spec.default_region, spec.regions.get(spec.default_region), "default")
    return RegionChoice(None, None, "none")


def check_region_model(spec: ProviderSpec, choice: RegionChoice, model: str) -> None:
    """Refuse, before sending, a model the chosen region does not serve (AssemblyAI's EU gateway: Claude, Gemini)."""
    region = choice.region
    if region is None or region.serves(model):
        return
    others = [n for n, r in spec.regions.items() if r.status == "live" and r.serves(model)]
    where = f" (from {choice.source})" if choice.source not in ("call", "default") else ""
    raise ConfigurationError(
        f"{spec.name} region {choice.name!r}{where} serves only {', '.join(region.models)} models, "
        f"not {model!r}"
        + (f"; use region {others[0]!r} for it" if others else "")
        + (f" [{region.source}]" if region.source else ""),
        provider=spec.name,
    )


def is_local_host(url: str) -> bool:
    """Whether a URL points at this machine (localhost or a loopback address)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_residency(
    spec: ProviderSpec, choice: RegionChoice, base_url: str, *, custom_url: bool
) -> tuple[str | None, str]:
    """Where an endpoint keeps data, and a phrase naming the endpoint (for the refusal message)."""
    host = urlsplit(base_url).hostname or base_url
    if is_local_host(base_url):
        return LOCAL, f"{host} (this machine)"
    if custom_url:
        # a base URL from base_urls= or an env var: trust it only when it is one of the catalog's hosts
        for name, region in spec.regions.items():
            if region.host and region.host == host:
                return region.residency, f"{host} (region {name!r})"
        return None, f"{host} (a custom base URL the catalog cannot place)"
    if choice.region is not None:
        # a region with neither host nor parameter is only your word for it (an Azure resource's region)
        declared = "declared " if choice.region.base_url is None and not choice.region.params else ""
        return choice.region.residency, f"{host} ({declared}region {choice.name!r})"
    if choice.name is not None:
        return None, f"{host} ({choice.name!r}, which the catalog does not place)"
    return None, host


def known_residencies() -> list[str]:
    """Every residency value the catalog uses (for validating residency=)."""
    from .registry import list_models, list_provider_specs

    found = {r.residency for s in list_provider_specs() for r in s.regions.values() if r.residency}
    found |= {m.residency for m in list_models() if m.residency}
    return sorted(found - {LOCAL})


@dataclass(frozen=True)
class Option:
    """One way to satisfy a residency: a provider region, or a model that keeps data in place itself."""

    provider: str
    kind: Literal["region", "model"]
    name: str
    host: str | None = None

    def __str__(self) -> str:
        host = f" ({self.host})" if self.host else ""
        return f"{self.provider} {self.kind} {self.name!r}{host}"


def residency_options(where: str = "eu") -> list[Option]:
    """Live provider regions, and models, that keep data in `where`."""
    from .registry import list_models, list_provider_specs

    out: list[Option] = []
    for spec in list_provider_specs():
        if spec.status == "unavailable":
            continue
        for name, region in spec.regions.items():
            if region.residency == where and region.status == "live":
                out.append(Option(spec.name, "region", name, region.host))
    out += [Option(m.provider, "model", m.id) for m in list_models() if m.residency == where]
    return sorted(out, key=lambda o: (o.provider, o.kind, o.name))


def eu_options(where: str = "eu", *, first: str | None = None) -> list[str]:
    """residency_options as text, `first`'s own first."""
    options = residency_options(where)
    return [str(o) for o in sorted(options, key=lambda o: o.provider != first)]


def check_residency(
    policy: str | None,
    spec: ProviderSpec,
    info: ModelInfo | None,
    choice: RegionChoice,
    base_url: str,
    *,
    custom_url: bool,
) -> str | None:
    """None without a policy; else a phrase saying why the endpoint satisfies it, or ResidencyError first."""
    if policy is None:
        return None
    where, endpoint = endpoint_residency(spec, choice, base_url, custom_url=custom_url)
    model_where = getattr(info, "residency", None)
    if model_where and where != LOCAL:
        where = model_where  # e.g. Maritaca's *-br-sp models keep inference in Brazil on the shared host
        endpoint = f"{endpoint}, model {info.provider}/{info.id}" if info else endpoint
    if where in (policy, LOCAL):
        return f"{endpoint} keeps data in {where!r}" if where != LOCAL else f"{endpoint}: data stays here"
    kept = f"keeps data in {where!r}" if where else "makes no residency promise the catalog records"
    options = residency_options(policy)
    own = [o for o in options if o.provider == spec.name]
    others = [o for o in options if o.provider != spec.name]
    hints = []
    regions = [o for o in own if o.kind == "region"]
    if regions:
        names = ", ".join(f"{o.name!r}" + (f" ({o.host})" if o.host else "") for o in regions)
        first = regions[0].name
        hints.append(
            f"{spec.name} offers {names}: pass region={{'{spec.name}': '{first}'}} (or region='{first}' on the call)"
        )
    models = [o for o in own if o.kind == "model"]
    if models:
        hints.append(
            f"Use a model that keeps data there: {', '.join(f'{spec.name}/{o.name}' for o in models)}"
        )
    if not hints and spec.residency_note:
        hints.append(f"{spec.name}: {spec.residency_note}")
    hint = "".join(f" {h}." for h in hints)
    listed = _grouped(others) or "none in the catalog"
    raise ResidencyError(
        f"residency={policy!r} refuses {spec.name} via {endpoint}: it {kept}.{hint} "
        f"Other {policy.upper()} options: {listed}",
        provider=spec.name,
        options=[str(o) for o in [*own, *others]],
    )


def _grouped(options: list[Option]) -> str:
    """'openai (eu); vertex (eu, europe-west4); maritaca models (sabia-4-br-sp)' -- short enough to read."""
    by: dict[tuple[str, str], list[str]] = {}
    for o in options:
        by.setdefault((o.provider, o.kind), []).append(o.name)
    return "; ".join(
        f"{provider}{' models' if kind == 'model' else ''} ({', '.join(names)})"
        for (provider, kind), names in by.items()
    )


def validate_policy(policy: Any) -> str | None:
    """Check `residency=`: None, or a residency the catalog knows ('eu', ...); errors list the known ones."""
    if policy is None:
        return None
    known = known_residencies()
    if not isinstance(policy, str) or policy.strip().lower() not in known:
        raise ConfigurationError(
            f"residency={policy!r} is not one the catalog knows; use one of: {', '.join(known)}"
        )
    return policy.strip().lower()


def region_hosts(spec: ProviderSpec) -> Iterable[str]:
    """Every host a provider's regions use (the sandbox answers on all of them)."""
    return [r.host for r in spec.regions.values() if r.host]
