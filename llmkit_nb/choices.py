"""What the pickers may offer, derived from the registry's capabilities (pure, no widgets).

Each function answers one question — which providers, which models, which regions, which latency
tiers, which thinking levels — so a combination that cannot work is never offered.
"""

from __future__ import annotations

from providers.registry import ProviderSpec, list_models, list_provider_specs, lookup_model

__all__ = ["efforts_for", "latency_tiers_for", "models_for", "providers_for", "regions_for"]

PICKABLE = ("chat", "tts", "stt", "video", "image")


def providers_for(*, modality: str | None = None, residency: str | None = None) -> list[str]:
    """Providers that are callable (not 'unavailable'), optionally with a modality and residency."""
    out = []
    for spec in list_provider_specs():
        if spec.status == "unavailable":
            continue
        if modality and modality not in spec.modalities:
            continue
        if not modality and not set(spec.modalities) & set(PICKABLE):
            continue
        if residency and not regions_for(spec.name, residency=residency):
            continue
        out.append(spec.name)
    return sorted(out)


def models_for(provider: str) -> list[str]:
    """Catalog models a provider still serves: current ones first, newest first within a status."""
    rank = {"current": 0, "preview": 1, "legacy": 2, "deprecated": 3, "restricted": 4}
    models = sorted(list_models(provider), key=lambda m: m.id)
    models.sort(key=lambda m: m.released or "", reverse=True)
    models.sort(key=lambda m: rank.get(m.status, 5))
    return [m.id for m in models]


def _spec(provider: str) -> ProviderSpec | None:
    return next((s for s in list_provider_specs() if s.name == provider), None)


def regions_for(provider: str, *, residency: str | None = None) -> list[str]:
    """Region names a provider offers (from its catalog entry), only EU ones under residency='eu'."""
    spec = _spec(provider)
    regions = spec.regions if spec is not None else {}
    # an announced region is not offered: a call to it would refuse (providers/regions.py)
    names = [n for n, r in regions.items() if r.status == "live"]
    if residency:
        names = [n for n in names if regions[n].residency in (residency, "local")]
    return names


def latency_tiers_for(provider: str) -> list[str]:
    """Speech latency tiers, only for providers that synthesize speech."""
    spec = _spec(provider)
    if spec is None or "tts" not in spec.modalities:
        return []
    try:
        from providers.audio.types import Latency  # type: ignore[import-not-found]
    except ImportError:
        return []
    return [tier.value if hasattr(tier, "value") else str(tier) for tier in Latency]


def efforts_for(provider: str, model: str) -> list[str]:
    """Thinking levels a model accepts ('default' first); empty for models that cannot think."""
    try:
        caps = lookup_model(provider, model).thinking
    except Exception:  # a retired or unknown name: nothing to offer
        return []
    if not caps.can_think:
        return []
    levels = [e for e in caps.efforts if e != "none"]
    if not levels and caps.budget_min is not None:
        levels = ["low", "medium", "high"]  # budget models: levels map onto budgets (docs/thinking.md)
    off = ["off"] if caps.can_disable and not caps.always_on else []
    return ["default", *levels, *off]
