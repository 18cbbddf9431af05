"""xAI (Grok) through its Responses API: the OpenAI Responses codec with xAI's differences.

Wire facts (wire/chat.md section 7; docs.x.ai best-practices, reasoning and generate-text pages, stored
snapshots; vercel/ai packages/xai/src/responses for shapes seen on live traffic):

* `POST https://api.x.ai/v1/responses`, Bearer auth, the OpenAI Responses body. xAI's Chat Completions is
  deprecated ("it has no field for the model's encrypted reasoning"), so this codec has no chat switch.
* `reasoning.effort` only on models that take it (grok-4.7: low..xhigh; grok-4.3: none..high; grok-4.5);
  the grok-4.20 reasoning/non-reasoning models reject it for every value, even "none": there the model is
  the knob (thinking style "model_choice", nothing sent).
* Reasoning text is not returned raw. `include: ["reasoning.encrypted_content"]` returns it encrypted in
  `output[type=reasoning].encrypted_content`; it must go back with every later turn (the reasoning item, in
  its place), so it is always asked for when the model reasons. Some responses also carry a
  `summary` (a live grok-4.3 response did): it is shown when present.
* usage `output_tokens_details.reasoning_tokens` (included in `output_tokens`),
  `input_tokens_details.cached_tokens`.
* `presence_penalty`, `frequency_penalty` and `stop` make reasoning models (and the grok-4 family, per
  LiteLLM) fail: refused here before sending.
* Tools: the Responses shape (wire/tools-batch.md 6); at most 200 tools; a streamed call's arguments arrive
  whole, in one delta. Turns go back item by item with their ids, as for OpenAI (openai_items.py).
* Errors from /v1/responses look like `{"code": "Client specified an invalid argument", "error": "..."}`
  (vercel/ai xai-error.test.ts); the OpenAI envelope is understood too.
"""

from __future__ import annotations

from typing import Any

import httpx2

from ..errors import InvalidParameterError, ProviderError
from ..registry import ModelInfo
from ..thinking import Resolved
from ..types import ChatRequest, ThinkingPart
from .base import error_from_body, foreign_call_notes, loads
from .openai import OpenAIResponses
from .openai_common import check_tools, openai_error, output_notes

__all__ = ["ENCRYPTED_INCLUDE", "REJECTED_BY_REASONING_MODELS", "XAI"]

ENCRYPTED_INCLUDE = "reasoning.encrypted_content"
REJECTED_BY_REASONING_MODELS = ("presence_penalty", "frequency_penalty", "stop")
MAX_TOOLS = 200


def _rejects_penalties(info: ModelInfo) -> bool:
    return info.thinking.can_think or info.id.startswith("grok-4")


class XAI(OpenAIResponses):
    """The xAI codec: Responses API, effort only where a model takes it, encrypted reasoning kept."""

    name = "xai"

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        where = f"{request.provider}/{info.id}"
        if "api" in request.options:
            raise InvalidParameterError(
                f"{where} is called through xAI's Responses API only (its Chat Completions is deprecated); drop api="
            )
        rejected = [p for p in REJECTED_BY_REASONING_MODELS if p in request.options]
        if rejected and _rejects_penalties(info):
            raise InvalidParameterError(
                f"{where} rejects {', '.join(rejected)} (xAI's reasoning models and the grok-4 family "
                f"return an error for them); drop {', '.join(p + '=' for p in rejected)}"
            )
        if len(request.tools) > MAX_TOOLS:
            raise InvalidParameterError(
                f"xAI takes at most {MAX_TOOLS} tools per request (docs.x.ai function-calling); got {len(request.tools)}"
            )
        notes: list[str] = check_tools(request) + output_notes(request, info, self.structured_output)
        notes += foreign_call_notes(request.messages, request.provider)
        caps = info.thinking
        if caps.style == "xai_effort" and resolved.mode == "default":
            if request.thinking is None and caps.default:
                notes.append(f"xAI's default applies: reasoning effort '{caps.default}' (nothing sent)")
            elif request.thinking is not None:
                notes.append("reasoning on at xAI's default effort (no effort sent)")
        parts = [p for m in request.messages for p in m.parts if isinstance(p, ThinkingPart)]
        foreign = sum(p.provider != request.provider for p in parts)
        if foreign:
            notes.append(
                f"{foreign} thinking part(s) from other providers not sent: reasoning goes back only to its maker"
            )
        lost = sum(p.provider == request.provider and (p.truncated or not p.id) for p in parts)
        if lost:
            notes.append(f"{lost} xAI reasoning item(s) cut short or without an id: not sent back")
        return notes

    def reasoning_fields(self, request: ChatRequest, resolved: Resolved, info: ModelInfo) -> dict[str, Any]:
        """`reasoning.effort` where the model takes one, and the encrypted reasoning whenever it reasons."""
        caps = info.thinking
        if not caps.can_think:
            return {}
        fields: dict[str, Any] = {}
        if caps.style == "xai_effort" and resolved.effort:
            fields["reasoning"] = {"effort": resolved.effort}
        if resolved.effort != "none":
            fields["include"] = [ENCRYPTED_INCLUDE]
        return fields

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        message, code = openai_error(body)
        try:
            data = loads(body)
        except ValueError:
            data = None
        # /v1/responses errors: {"code": "<gRPC-style status text>", "error": "<message>"}
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            status_text = data.get("code")
            message = f"{status_text}: {data['error']}" if isinstance(status_text, str) else data["error"]
            code = status_text if isinstance(status_text, str) else code
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=code,
            request_id_header=self.request_id_header,
        )
