"""Each provider's models endpoint, in its real shape, listing what the catalog says the provider serves today.

`python -m providers.catalog check` compares these listings with the catalog; the sandbox answers them so
that check (and any SDK's `models.list()`) runs offline. The shapes, from the official SDKs' types:

* OpenAI-style (OpenAI, xAI, DeepSeek, the compatible vendors): `GET .../models` ->
  `{"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}` (openai `types/model.py`);
* Anthropic: `GET /v1/models?limit=&after_id=` -> `{"data": [ModelInfo], "has_more", "first_id", "last_id"}`,
  a ModelInfo carrying `lifecycle` and `retires_at` (anthropic `types/model_info.py`; limit 1..1000, default 20);
* Gemini: `GET /v1beta/models?pageSize=&pageToken=` -> `{"models": [{"name": "models/<id>", ...,
  "supportedGenerationMethods"}], "nextPageToken"}` (google-genai `_Model_from_mldev`; default 50, max 1000);
* Mistral: `GET /v1/models` -> `{"object": "list", "data": [BaseModelCard]}` with `capabilities`, `aliases`,
  `deprecation`, `deprecation_replacement_model` (mistralai `basemodelcard.py`);
* ElevenLabs: `GET /v1/models` -> a JSON array of text-to-speech models (elevenlabs `types/model.py`).

What is listed: the catalog's models for the provider as of today, retired ones and invitation-only
(restricted) ones left out; a compatible vendor without catalog rows lists its example model. A test can
replace a provider's listing with `app.state["models"] = {"openai": ["gpt-x", ...]}`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .wire import Call, Handler, ProviderSpec, Reply

__all__ = ["listed_ids", "with_models_route"]

_EPOCH = 1_700_000_000  # (a fixed `created` for rows without a release date)


def _rows(provider: str) -> list[Any]:
    from ..registry import list_models

    return [m for m in list_models(provider) if m.status != "restricted"]


def listed_ids(provider: str, state: dict[str, Any] | None = None) -> list[str]:
    """The model ids the sandbox lists for a provider (a test's override in `state["models"]` wins)."""
    override = (state or {}).get("models", {}).get(provider)
    if override is not None:
        return list(override)
    rows = _rows(provider)
    if rows:
        return [m.id for m in rows]
    from ..registry import provider_spec

    example = provider_spec(provider).example_model
    return [example] if example else []


def _created(info: Any) -> int:
    try:  # (a release date may carry a note: "2026-09-29 (Azure snapshot date; approx.)")
        day = dt.date.fromisoformat((info.released or "")[:10]) if info is not None else None
    except ValueError:
        day = None
    if day is None:
        return _EPOCH
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _info(provider: str) -> dict[str, Any]:
    return {m.id: m for m in _rows(provider)}


def _openai_style(provider: str, owner: str) -> Handler:
    def models(call: Call) -> Reply:
        info = _info(provider)
        data = [
            {"id": mid, "object": "model", "created": _created(info.get(mid)), "owned_by": owner}
            for mid in listed_ids(provider, call.state)
        ]
        return Reply(body={"object": "list", "data": data})

    return models


def _anthropic(call: Call) -> Reply:
    info = _info("anthropic")
    try:
        limit = int(call.query.get("limit", "20"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        return Reply(
            status=400,
            body={
                "type": "error",
                "error": {"type": "invalid_request_error", "message": "limit: must be between 1 and 1000"},
            },
        )
    ids = listed_ids("anthropic", call.state)
    after = call.query.get("after_id")
    start = ids.index(after) + 1 if after in ids else 0
    page = ids[start : start + limit]
    data = []
    for mid in page:
        row = info.get(mid)
        data.append(
            {
                "type": "model",
                "id": mid,
                "display_name": mid.replace("-", " ").title(),
                "created_at": dt.datetime.fromtimestamp(_created(row), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "lifecycle": "deprecated" if row is not None and row.status == "deprecated" else "active",
                "retires_at": f"{row.retires_on}T00:00:00Z" if row is not None and row.retires_on else None,
                "max_input_tokens": row.context_window if row is not None else None,
                "max_tokens": row.max_output_tokens if row is not None else None,
            }
        )
    return Reply(
        body={
            "data": data,
            "has_more": start + limit < len(ids),
            "first_id": page[0] if page else None,
            "last_id": page[-1] if page else None,
        }
    )


def _gemini(call: Call) -> Reply:
    info = _info("gemini")
    try:
        size = min(int(call.query.get("pageSize", "50")), 1000)
        start = int(call.query.get("pageToken", "0") or "0")
    except ValueError:
        return Reply(
            status=400,
            body={
                "error": {"code": 400, "message": "Invalid page token or size.", "status": "INVALID_ARGUMENT"}
            },
        )
    ids = listed_ids("gemini", call.state)
    models = []
    for mid in ids[start : start + max(size, 1)]:
        row = info.get(mid)
        models.append(
            {
                "name": f"models/{mid}",
                "version": "001",
                "displayName": mid.replace("-", " ").title(),
                "description": f"{mid} (sandbox)",
                "inputTokenLimit": row.context_window if row is not None else 1_048_576,
                "outputTokenLimit": row.max_output_tokens if row is not None else 65_536,
                "supportedGenerationMethods": ["generateContent", "countTokens", "batchGenerateContent"],
                "temperature": 1.0,
                "maxTemperature": 2.0,
                "topP": 0.95,
                "topK": 64,
                "thinking": bool(row is not None and row.thinking.can_think),
            }
        )
    body: dict[str, Any] = {"models": models}
    if start + max(size, 1) < len(ids):
        body["nextPageToken"] = str(start + max(size, 1))
    return Reply(body=body)


def _mistral(call: Call) -> Reply:
    info = _info("mistral")
    data = []
    for mid in listed_ids("mistral", call.state):
        row = info.get(mid)
        data.append(
            {
                "id": mid,
                "object": "model",
                "created": _created(row),
                "owned_by": "mistralai",
                "capabilities": {
                    "completion_chat": True,
                    "function_calling": row is None or row.tools is not False,
                    "reasoning": bool(row is not None and row.thinking.can_think),
                    "completion_fim": False,
                    "fine_tuning": False,
                    "vision": False,
                    "classification": False,
                },
                "name": mid,
                "description": f"{mid} (sandbox)",
                "max_context_length": (row.context_window if row is not None else None) or 131_072,
                "aliases": list(row.aliases) if row is not None else [],
                "deprecation": f"{row.retires_on}T12:00:00Z" if row is not None and row.retires_on else None,
                "deprecation_replacement_model": row.successor if row is not None else None,
                "default_model_temperature": 0.7,
                "type": "base",
            }
        )
    return Reply(body={"object": "list", "data": data})


def _elevenlabs(call: Call) -> Reply:
    tts = [mid for mid in listed_ids("elevenlabs", call.state) if mid.startswith("eleven_")]
    return Reply(
        body=[
            {
                "model_id": mid,
                "name": mid.replace("_", " ").title(),
                "can_be_finetuned": False,
                "can_do_text_to_speech": True,
                "can_do_voice_conversion": False,
                "can_use_style": True,
                "can_use_speaker_boost": True,
                "serves_pro_voices": False,
                "token_cost_factor": 1.0,
                "description": f"{mid} (sandbox)",
                "requires_alpha_access": False,
                "languages": [],
            }
            for mid in tts
        ]
    )


_ROUTES: dict[str, tuple[str, Callable[[], Handler]]] = {
    "openai": ("GET /v1/models", lambda: _openai_style("openai", "openai")),
    "xai": ("GET /v1/models", lambda: _openai_style("xai", "xai")),
    "deepseek": ("GET /models", lambda: _openai_style("deepseek", "deepseek")),
    "anthropic": ("GET /v1/models", lambda: _anthropic),
    "gemini": ("GET /{version}/models", lambda: _gemini),
    "mistral": ("GET /v1/models", lambda: _mistral),
    "elevenlabs": ("GET /v1/models", lambda: _elevenlabs),
}
_WITH: dict[tuple[str, int], ProviderSpec] = {}


def with_models_route(spec: ProviderSpec) -> ProviderSpec:
    """The spec with its provider's models endpoint added (OpenAI-style for the catalog's compatible vendors)."""
    key = (spec.name, id(spec))
    if key in _WITH:
        return _WITH[key]
    routes: dict[str, Handler] = {}
    if spec.name in _ROUTES:
        route, make = _ROUTES[spec.name]
        routes[route] = make()
    else:
        from ..errors import UnknownProviderError
        from ..registry import provider_spec

        try:
            entry = provider_spec(spec.name)
        except UnknownProviderError:  # (a sandbox-only host: the media CDN)
            entry = None
        compat = entry is not None and entry.codec.endswith(
            ("compat:OpenAICompatible", "openai_chat:OpenAIChat")
        )
        if entry is not None and compat and not entry.base_url.startswith("{"):
            path = urlsplit(entry.base_url).path.rstrip("/")
            handler = _openai_style(spec.name, spec.name)
            routes[f"GET {path}/models"] = handler
            routes["GET /v1/models"] = handler  # (reached by path on the sandbox host: /<name>/v1/models)
    made = dataclasses.replace(spec, routes={**spec.routes, **routes}) if routes else spec
    _WITH[key] = made
    return made
