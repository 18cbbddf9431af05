"""`python -m providers.catalog check`: each provider's own models list against the catalog, and the drift.

With a provider's key set (the same env vars and base URLs the client reads), its models endpoint is
listed -- OpenAI, xAI, DeepSeek and every OpenAI-compatible vendor `GET .../models`, Anthropic
`GET /v1/models` (paged), Gemini `models.list` (paged), Mistral `GET /v1/models`, ElevenLabs
`GET /v1/models` -- and compared with the catalog as of today:

* new: listed by the provider, unknown to the catalog (a dated snapshot of a known model counts as known);
* missing: in the catalog and not retired, but not listed (retired quietly, or not open to this key);
* retired: retired in the catalog (by record or by date) yet still listed;
* lifecycle: the provider's own lifecycle facts disagree with the catalog (Anthropic `lifecycle` /
  `retires_at`, Mistral `deprecation`).

Providers without a key are skipped and named. `--sandbox` runs it against the offline emulator.
Exit status 0; with `--strict`, 1 when any drift (or a failed listing) was found.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigurationError, LLMKitError, MissingKeyError, ProviderError, error_for_status
from .registry import ModelInfo, ProviderSpec, codec_for, list_models, list_provider_specs, today
from .types import HttpCall

__all__ = ["Drift", "check", "main", "render"]

_DATED = re.compile(r"^(?P<base>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")
_MAX_PAGES = 50


@dataclass
class Drift:
    """One provider's listing against the catalog (or why it was not listed)."""

    provider: str
    listed: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    lifecycle: list[str] = field(default_factory=list)
    note: str | None = None
    skipped: str | None = None  # why it was not checked (no key, no models endpoint)
    error: str | None = None  # the listing failed

    @property
    def drifted(self) -> bool:
        return bool(self.new or self.missing or self.retired or self.lifecycle or self.error)


# --- how each provider lists its models ---------------------------------------------------------------


@dataclass(frozen=True)
class Lister:
    path: str  # appended to the connection's base URL
    style: str  # openai | anthropic | gemini | mistral | elevenlabs
    relevant: Callable[[str], bool] = lambda _id: True  # which listed ids the catalog means to cover


def _openai_relevant(mid: str) -> bool:
    chat = mid.startswith(("gpt-", "chatgpt-")) or re.match(r"^o\d", mid) is not None
    other = (
        "audio",
        "realtime",
        "transcribe",
        "tts",
        "image",
        "search",
        "embedding",
        "moderation",
        "instruct",
    )
    return chat and not any(word in mid for word in other)


def _gemini_relevant(mid: str) -> bool:
    other = ("tts", "image", "live", "embedding", "native-audio", "computer-use", "robotics")
    return mid.startswith("gemini-") and not any(word in mid for word in other)


def _xai_relevant(mid: str) -> bool:
    return not any(word in mid for word in ("imagine", "image", "video"))


LISTERS: dict[str, Lister] = {
    "openai": Lister("/models", "openai", _openai_relevant),
    "xai": Lister("/models", "openai", _xai_relevant),
    "deepseek": Lister("/models", "openai"),
    "anthropic": Lister("/v1/models", "anthropic"),
    "gemini": Lister("/{version}/models", "gemini", _gemini_relevant),
    "mistral": Lister("/models", "mistral"),
    "elevenlabs": Lister("/v1/models", "elevenlabs", lambda mid: mid.startswith("eleven_")),  # (TTS only)
}
# compatible vendors whose model list is not an OpenAI-style `GET <base>/models`
NOT_OPENAI_LISTING = {
    "azure": "Azure lists deployments, not models, under the resource endpoint",
    "databricks": "Databricks lists serving endpoints through its own REST API",
}
_COMPAT = ("providers.chat.compat:OpenAICompatible", "providers.chat.openai_chat:OpenAIChat")


def lister_for(spec: ProviderSpec) -> Lister | None:
    """How a provider lists its models, or None when it has no endpoint this check reads."""
    if spec.name in LISTERS:
        return LISTERS[spec.name]
    if spec.codec in _COMPAT and spec.status != "unavailable" and spec.name not in NOT_OPENAI_LISTING:
        return Lister("/models", "openai")
    return None


# --- listing ------------------------------------------------------------------------------------------


@dataclass
class Listed:
    ids: list[str]
    lifecycle: dict[str, str] = field(
        default_factory=dict
    )  # id -> "deprecated" / "retired" (provider's word)
    retires: dict[str, str] = field(default_factory=dict)  # id -> YYYY-MM-DD the provider gives
    aliases: dict[str, list[str]] = field(default_factory=dict)


async def _get(client: Any, spec: ProviderSpec, url: str, headers: dict[str, str]) -> Any:
    codec = codec_for(spec)

    def parse_error(status: int, headers_: Any, body: bytes) -> ProviderError:
        parser = getattr(codec, "parse_error", None)
        if parser is not None:
            return parser(spec.name, status, headers_, body)  # type: ignore[no-any-return]
        return error_for_status(status)(f"HTTP {status}", provider=spec.name, status=status)

    call = HttpCall(method="GET", url=url, headers=headers)
    reply = await client.transport.send(call, provider=spec.name, parse_error=parse_error)
    try:
        return reply.json()
    except ValueError as exc:
        raise ProviderError(
            f"{spec.name} listed its models in a body that is not JSON",
            provider=spec.name,
            status=reply.status,
        ) from exc


async def list_provider(client: Any, spec: ProviderSpec, lister: Lister) -> Listed:
    """The provider's own models list (every page), through the client's connection and transport."""
    from .chat.base import auth_headers

    conn = client.connection(spec)
    if conn.key is None and spec.key_required and conn.auth != "google-adc":
        # (a connector may leave the key out; a listing without one would only be refused)
        raise MissingKeyError(f"no key for {spec.name}", provider=spec.name, env_var=spec.env[0])
    headers = auth_headers(conn)
    if spec.name == "anthropic":
        headers["anthropic-version"] = conn.api_version or "2023-06-01"
    version = str(conn.settings.get("api_version") or conn.api_version or "v1beta")
    base = conn.base_url.rstrip("/") + lister.path.replace("{version}", version)
    listed = Listed(ids=[])
    if lister.style == "anthropic":
        after: str | None = None
        for _ in range(_MAX_PAGES):
            url = f"{base}?limit=1000" + (f"&after_id={after}" if after else "")
            page = await _get(client, spec, url, headers)
            for row in page.get("data") or []:
                listed.ids.append(row["id"])
                if row.get("lifecycle") in ("deprecated", "retired"):
                    listed.lifecycle[row["id"]] = row["lifecycle"]
                if row.get("retires_at"):
                    listed.retires[row["id"]] = str(row["retires_at"])[:10]
            if not page.get("has_more") or not page.get("last_id"):
                break
            after = page["last_id"]
    elif lister.style == "gemini":
        token = ""
        for _ in range(_MAX_PAGES):
            url = f"{base}?pageSize=1000" + (f"&pageToken={token}" if token else "")
            page = await _get(client, spec, url, headers)
            for row in page.get("models") or []:
                if "generateContent" in (row.get("supportedGenerationMethods") or []):
                    listed.ids.append(str(row["name"]).removeprefix("models/"))
            token = page.get("nextPageToken") or ""
            if not token:
                break
    elif lister.style == "elevenlabs":
        rows = await _get(client, spec, base, headers)
        listed.ids = [row["model_id"] for row in rows if row.get("can_do_text_to_speech", True)]
    else:
        page = await _get(client, spec, base, headers)
        for row in page.get("data") or []:
            if lister.style == "mistral" and not (row.get("capabilities") or {}).get("completion_chat", True):
                continue
            listed.ids.append(row["id"])
            if row.get("aliases"):
                listed.aliases[row["id"]] = list(row["aliases"])
            if row.get("deprecation"):
                listed.retires[row["id"]] = str(row["deprecation"])[:10]
    listed.ids = [mid for mid in dict.fromkeys(listed.ids) if lister.relevant(mid)]
    return listed


# --- comparing ----------------------------------------------------------------------------------------


def compare(
    provider: str, listed: Listed, *, on: dt.date, scope: Callable[[str], bool] = lambda _id: True
) -> Drift:
    """The drift between a provider's listing and the catalog as it stands `on` a date.

    `scope` picks the catalog rows the listing can show (ElevenLabs lists only its text-to-speech models).
    """
    rows = [r for r in list_models(provider, include_retired=True, on=on) if scope(r.id)]
    by_name: dict[str, ModelInfo] = {}
    for row in rows:
        for name in (row.id, *row.aliases):
            by_name[name] = row
    shown = set(listed.ids) | {a for names in listed.aliases.values() for a in names}

    def known(mid: str) -> ModelInfo | None:
        if mid in by_name:
            return by_name[mid]
        dated = _DATED.match(mid)
        return by_name.get(dated.group("base")) if dated else None

    drift = Drift(provider, listed=list(listed.ids))
    if not rows:  # a vendor the catalog keeps no model rows for: every name passes through as given
        drift.note = "the catalog keeps no models for it (names pass through)"
        return drift
    drift.new = sorted(
        mid for mid in listed.ids if known(mid) is None and not rows_of_alias(mid, listed, by_name)
    )
    for row in rows:
        names = (row.id, *row.aliases)
        seen = any(name in shown for name in names)
        if row.status == "retired":
            if seen:
                drift.retired.append(f"{row.id} (retired {row.retired_on})")
        elif row.status != "restricted" and not seen:
            drift.missing.append(row.id)
    for mid, word in sorted(listed.lifecycle.items()):
        found = known(mid)
        if found is not None and found.status in ("current", "legacy", "preview"):
            drift.lifecycle.append(f"{mid}: the provider says {word}; the catalog says {found.status}")
    for mid, date in sorted(listed.retires.items()):
        found = known(mid)
        if found is not None and date not in (found.retires_on, found.retired_on):
            have = found.retires_on or "no date"
            drift.lifecycle.append(f"{mid}: the provider retires it on {date}; the catalog has {have}")
    drift.missing.sort()
    return drift


def rows_of_alias(mid: str, listed: Listed, by_name: dict[str, ModelInfo]) -> bool:
    """Whether a listed id is known through the aliases the provider lists with it (Mistral's cards)."""
    return any(alias in by_name for alias in listed.aliases.get(mid, ()))


def _base_url_set(client: Any, spec: ProviderSpec) -> bool:
    import os

    env = os.environ if client._env is None else client._env
    return spec.name in client._base_urls or bool(spec.base_url_env and env.get(spec.base_url_env))


async def check(
    client: Any, providers: Sequence[str] | None = None, *, on: dt.date | None = None
) -> list[Drift]:
    """List every provider that has a models endpoint and a key, and compare it with the catalog."""
    day = on or today()
    specs = [s for s in list_provider_specs() if not providers or s.name in providers]
    if providers:
        unknown = sorted(set(providers) - {s.name for s in specs})
        if unknown:
            raise ConfigurationError(f"no provider named {', '.join(unknown)} in the catalog")

    async def one(spec: ProviderSpec) -> Drift:
        lister = lister_for(spec)
        if lister is None:
            return Drift(
                spec.name, skipped=NOT_OPENAI_LISTING.get(spec.name, "no models endpoint this check reads")
            )
        if not spec.key_required and not client.sandbox and not providers and not _base_url_set(client, spec):
            return Drift(
                spec.name, skipped="needs no key (a local server): name it with --provider to check it"
            )
        try:
            listed = await list_provider(client, spec, lister)
        except MissingKeyError:
            return Drift(spec.name, skipped=f"no key ({' or '.join(spec.env)})")
        except ConfigurationError as exc:  # (an opt-in provider not opted into, a setting missing)
            return Drift(spec.name, skipped=exc.message.split(". ")[0])
        except LLMKitError as exc:
            return Drift(spec.name, error=f"{type(exc).__name__}: {exc}")
        return compare(spec.name, listed, on=day, scope=lister.relevant)

    return list(await asyncio.gather(*(one(s) for s in specs)))


def render(drifts: Sequence[Drift], *, on: dt.date) -> str:
    """The report as text: one block per provider checked, then the skipped ones on one line each kind."""
    from .registry import catalog_date

    lines = [f"catalog check on {on.isoformat()} (catalog as of {catalog_date()})"]
    checked = [d for d in drifts if d.skipped is None]
    rowless = [d for d in checked if d.note and not d.error]
    for d in checked:
        if d in rowless:
            continue
        if d.error:
            lines.append(f"{d.provider}: listing failed: {d.error}")
            continue
        state = "drift" if d.drifted else "matches the catalog"
        lines.append(f"{d.provider}: {len(d.listed)} models listed; {state}")
        for label, items in (
            ("new (not in the catalog)", d.new),
            ("missing (in the catalog, not listed)", d.missing),
            ("retired in the catalog, still listed", d.retired),
            ("lifecycle", d.lifecycle),
        ):
            if items:
                lines.append(f"  {label}: {', '.join(items)}")
    if rowless:
        lines.append(
            f"listed, no catalog rows to compare ({len(rowless)}; names pass through): "
            + ", ".join(f"{d.provider} ({len(d.listed)})" for d in rowless)
        )
    no_key = [d for d in drifts if d.skipped and d.skipped.startswith("no key")]
    other = [d for d in drifts if d.skipped and not d.skipped.startswith("no key")]
    if no_key:
        lines.append(f"skipped, no key ({len(no_key)}): " + ", ".join(f"{d.provider}" for d in no_key))
    if other:
        lines.append(f"skipped, nothing to list ({len(other)}):")
        lines += [f"  {d.provider}: {d.skipped}" for d in other]
    if not checked:
        lines.append("nothing was checked: set a provider's key (e.g. OPENAI_API_KEY), or pass --sandbox")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: `python -m providers.catalog check [--provider NAME ...] [--sandbox] [--strict]`."""
    parser = argparse.ArgumentParser(prog="python -m providers.catalog", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("check", help="compare each provider's models list with the catalog")
    cmd.add_argument("--provider", action="append", help="check only this provider (repeatable)")
    cmd.add_argument(
        "--sandbox", action="store_true", help="ask the offline emulator instead of the providers"
    )
    cmd.add_argument("--strict", action="store_true", help="exit 1 when drift is found")
    args = parser.parse_args(argv)

    from .client import AsyncClient

    async def run() -> list[Drift]:
        async with AsyncClient(sandbox=args.sandbox, max_retries=1) as client:
            return await check(client, args.provider)

    day = today()
    try:
        drifts = asyncio.run(run())
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(drifts, on=day))
    return 1 if args.strict and any(d.drifted for d in drifts if d.skipped is None) else 0
