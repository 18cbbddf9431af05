"""xAI on the wire: `POST /v1/responses`, JSON and SSE, with reasoning returned encrypted only.

OpenAI's Responses shapes (sandbox/openai.py, through a dialect) plus xAI's differences (wire/chat.md
section 7; docs.x.ai reasoning and best-practices pages; vercel/ai packages/xai):

* `reasoning.effort` only on models that take it, with each model's values and default; the grok-4.20
  reasoning / non-reasoning models refuse the parameter whatever its value.
* Reasoning comes back as a reasoning item with an empty summary and, when `include` asks for
  `reasoning.encrypted_content`, the encrypted blob; usage counts the reasoning tokens.
* Sent-back `encrypted_content` the sandbox did not make is refused (400).
* `presence_penalty`, `frequency_penalty` and `stop` are refused by the reasoning models.
* Errors use the /v1/responses envelope `{"code": "<status text>", "error": "<message>"}` (vercel/ai
  xai-error.test.ts); the status texts below are gRPC-style names, an approximation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import openai as O
from .wire import Call, ProviderSpec, Reply

__all__ = ["MODELS", "XAI", "error", "responses"]

_STATUS_TEXT = {
    400: "Client specified an invalid argument",
    401: "Unauthenticated",
    403: "Permission denied",
    404: "Some requested entity was not found",
    429: "Too many requests",
    503: "Service unavailable",
    529: "Service unavailable",
}


@dataclass(frozen=True)
class _Model:
    efforts: tuple[str, ...]  # () = the model takes no reasoning.effort
    default: str | None  # the effort it reasons at when none is sent (None: it does not reason)


_LEVELS = ("low", "medium", "high", "xhigh")
MODELS: dict[str, _Model] = {
    "grok-4.7": _Model(_LEVELS, "high"),
    "grok-4.6": _Model(_LEVELS, "high"),
    "grok-4.5": _Model(("low", "medium", "high"), "high"),
    "grok-4.5-latest": _Model(("low", "medium", "high"), "high"),
    "grok-4.3": _Model(("none", "low", "medium", "high"), "low"),
    "grok-4.3-latest": _Model(("none", "low", "medium", "high"), "low"),
    "grok-4.20-multi-agent": _Model(_LEVELS, "high"),
    "grok-4.20-multi-agent-0309": _Model(_LEVELS, "high"),
    "grok-build-0.1": _Model((), "medium"),
    "grok-build-latest": _Model((), "medium"),
    **{
        name: _Model((), "high")
        for name in ("grok-4.20-reasoning", "grok-4.20-0309-reasoning", "grok-4.20-reasoning-latest")
    },
    **{
        name: _Model((), None)
        for name in (
            "grok-4.20-non-reasoning",
            "grok-4.20-0309-non-reasoning",
            "grok-4.20-non-reasoning-latest",
        )
    },
}
REJECTED = ("presence_penalty", "frequency_penalty", "stop")


def error(status: int, message: str, request_id: str, **_: Any) -> Reply:
    """An error reply in xAI's Responses envelope."""
    return Reply(status=status, body={"code": _STATUS_TEXT.get(status, "Internal error"), "error": message})


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """None for a non-empty Bearer token, else a 401 (the key is never echoed)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return None
    return error(401, "No API key provided. Pass it as 'Authorization: Bearer <key>' (sandbox).", request_id)


def fault(status: int, request_id: str) -> Reply:
    """The error reply for an injected status fault (429, 500, 503, 529)."""
    messages = {429: "Rate limit reached (sandbox fault).", 529: "The service is overloaded (sandbox fault)."}
    return error(status, messages.get(status, "The server had an error (sandbox fault)."), request_id)


DIALECT = O.ResponsesDialect(summaries=False, error=error, whole_calls=True)


def responses(call: Call) -> Reply:
    """Handle `POST /v1/responses` the way xAI does (per-model effort, encrypted reasoning only)."""
    if (bad := O.check_responses_request(call, O.EFFORTS, DIALECT)) is not None:
        return bad
    body, rid = call.body, call.request_id
    model = MODELS.get(body["model"])
    if model is None:
        message = f"The model {body['model']} does not exist or your team does not have access to it."
        return error(404, message, rid)
    reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else {}
    effort = reasoning.get("effort")
    if effort is not None and not model.efforts:
        return error(400, f"Model {body['model']} does not support parameter reasoningEffort.", rid)
    if effort is not None and effort not in model.efforts:
        allowed = ", ".join(model.efforts)
        return error(
            400, f"Invalid reasoning effort '{effort}' for {body['model']}; supported: {allowed}.", rid
        )
    used = effort or model.default
    if used not in (None, "none"):
        given = [p for p in REJECTED if p in body]
        if given:
            return error(400, f"Argument not supported on reasoning models: {', '.join(given)}.", rid)
    return O.respond(call, used, DIALECT)


XAI = ProviderSpec(
    name="xai",
    routes={"/v1/responses": responses},
    request_id_header="x-request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
