"""Where a call goes: `AsyncClient.connection()` -- base URL, key, settings and region for a provider,
from explicit arguments, then the environment -- kept apart from the calls themselves.

Everything here is pure (no I/O): a missing key, an unknown setting, a region that disagrees with a
setting or a residency policy an endpoint cannot keep is refused before anything is sent.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from .chat.base import Connection
from .credentials import Secret, clean_key, resolve_key
from .errors import ConfigurationError, MissingKeyError
from .regions import RegionChoice, check_region_model, check_residency, resolve_region
from .registry import ModelInfo, ProviderSpec, connector_for, provider_spec
from .urls import clean_base_url as _clean_base_url

__all__ = ["ConnectionSetup", "check_settings"]

SANDBOX_KEY = "sandbox-key-not-secret"


def check_settings(settings: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Per-provider settings as given to AsyncClient, checked against each provider's spec."""
    checked: dict[str, dict[str, Any]] = {}
    for name, values in (settings or {}).items():
        spec = provider_spec(name)
        if not isinstance(values, Mapping):
            raise ConfigurationError(
                f"settings[{name!r}] must be a dict such as {{'location': ...}}, not {type(values).__name__}"
            )
        unknown = sorted(set(values) - set(spec.settings))
        if unknown:
            known = ", ".join(sorted(spec.settings)) or "none"
            raise ConfigurationError(f"{name} has no setting {unknown[0]!r}; its settings: {known}")
        checked[name] = dict(values)
    return checked


def _resolve_settings(
    spec: ProviderSpec, given: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each setting from the argument, else its env vars in order, else its default; and where it came from."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, setting in spec.settings.items():
        value: Any = given.get(name)
        source = "argument"
        if value is None or (isinstance(value, str) and not value.strip()):
            value = None
            for var in setting.env:
                if env.get(var, "").strip():
                    value, source = env[var].strip(), var
                    break
        if value is None and setting.default is not None:
            value, source = setting.default, "default"
        if value is None:
            continue
        if setting.secret:  # stripped; a key no header can carry is refused here, never shown
            where = f"settings[{spec.name!r}][{name!r}]" if source == "argument" else source
            value = clean_key(value, provider=spec.name, source=where)
            if value is None:
                continue
        values[name], sources[name] = value, source
    return values, sources


class ConnectionSetup:
    """`AsyncClient`'s connection set-up: what a provider's calls are sent with."""

    # set by AsyncClient.__init__
    sandbox: bool
    regions: dict[str, str]
    residency: str | None
    _env: Mapping[str, str] | None
    _opt_in: set[str]
    _keys: dict[str, Secret]
    _base_urls: dict[str, str]
    _settings: dict[str, dict[str, Any]]

    def _check_opt_in(self, spec: ProviderSpec, env: Mapping[str, str]) -> None:
        """Providers marked opt-in (catalog status) are refused until the caller opts in, by argument or env."""
        if spec.status != "opt-in":
            return
        from_env = {n.strip().lower() for n in env.get("LLMKIT_OPT_IN", "").split(",") if n.strip()}
        if spec.name in self._opt_in | from_env:
            return
        why = f" {spec.status_note}" if spec.status_note else ""
        raise ConfigurationError(
            f"{spec.title} is opt-in.{why} To use it, pass opt_in=['{spec.name}'] "
            f"(LLMKit(opt_in=...) or AsyncClient(opt_in=...)) or set LLMKIT_OPT_IN={spec.name}",
            provider=spec.name,
        )

    def connection(
        self, spec: ProviderSpec, *, region: str | None = None, info: ModelInfo | None = None
    ) -> Connection:
        """Base URL, key and region for a provider: explicit arguments, then the environment.

        The region comes from `region=`, then the client's per-provider choice, then the provider's region
        env var, then its default (providers/regions.py). Under a residency policy an endpoint that does not
        keep data where the policy asks is refused here, before anything is sent.
        """
        env = os.environ if self._env is None else self._env
        self._check_opt_in(spec, env)
        key = resolve_key(spec.name, spec.env, self._keys.get(spec.name), env=env)
        if key is None and self.sandbox:
            key = Secret(SANDBOX_KEY)
        connector = connector_for(spec)
        if key is None and connector is None and spec.key_required:
            names = " or ".join(spec.env)
            raise MissingKeyError(
                f"no key for {spec.name}: pass api_keys={{'{spec.name}': ...}} or set {names}"
                " (or use sandbox=True to try it offline)",
                provider=spec.name,
                env_var=spec.env[0],
            )
        settings, sources = _resolve_settings(spec, self._settings.get(spec.name, {}), env)
        choice = self._region(spec, region, settings, sources, env)
        base = spec.base_url
        if choice.region and choice.region.base_url and not spec.region_setting:
            base = choice.region.base_url  # (a setting-based region's host is the connector's to build)
        custom = False
        if not self.sandbox:
            if spec.name in self._base_urls:
                base = _clean_base_url(self._base_urls[spec.name], f"base_urls[{spec.name!r}]")
                custom = True
            elif spec.base_url_env and env.get(spec.base_url_env):
                base = _clean_base_url(env[spec.base_url_env], spec.base_url_env)
                custom = True
        conn = Connection(
            provider=spec.name,
            base_url=base,
            key=key,
            auth=spec.auth,
            api_version=spec.api_version,
            settings=settings,
            setting_sources=sources,
        )
        # a connector turns settings into the real endpoint and auth (Vertex: project, location,
        # token or express key) and refuses what cannot work, naming the fix; it does no I/O
        if connector is not None:
            conn = connector(conn, spec, sandbox=self.sandbox)
        if spec.region_setting:  # the connector may have normalized the setting (a Vertex location)
            where = conn.settings.get(spec.region_setting)
            name = str(where).strip().lower() if where is not None else None
            choice = RegionChoice(name, spec.regions.get(name or ""), choice.source)
        if info is not None:
            check_region_model(spec, choice, info.id)
        allowed = check_residency(self.residency, spec, info, choice, conn.base_url, custom_url=custom)
        return dataclasses.replace(conn, region=choice.name, residency=allowed)

    def _region(
        self,
        spec: ProviderSpec,
        region: str | None,
        settings: dict[str, Any],
        sources: dict[str, str],
        env: Mapping[str, str],
    ) -> RegionChoice:
        """Resolve the call's region; for setting-based regions (Vertex location) write it into the settings."""
        current = settings.get(spec.region_setting) if spec.region_setting else None
        choice = resolve_region(
            spec, call=region, chosen=self.regions, env=env, setting=str(current) if current else None
        )
        if spec.region_setting and choice.name and choice.source not in ("setting", "none"):
            if sources.get(spec.region_setting) == "argument" and str(current).lower() != choice.name:
                raise ConfigurationError(
                    f"{spec.name}: {spec.region_setting}={current!r} in settings and region {choice.name!r} "
                    f"(from {choice.source}) disagree; give one of them",
                    provider=spec.name,
                )
            settings[spec.region_setting], sources[spec.region_setting] = choice.name, choice.source
        return choice
