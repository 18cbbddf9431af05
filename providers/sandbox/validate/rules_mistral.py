"""Mistral: tool call ids (wire/tools-batch.md section 7).

* Every tool call id sent in history -- an assistant message's `tool_calls[].id` and a tool message's
  `tool_call_id` -- must be exactly 9 characters from a-z, A-Z, 0-9, ids minted by other providers
  included: 400 `Tool call id was turn1_0 but must be a-z, A-Z, 0-9, with a length of 9.` with
  `"type": "invalid_function_call", "code": "3280"` (nearai/ironclaw#1241; the same text with
  `invalid_request_error` in earlier reports, mistralai/client-js#69).
* A tool message needs its `tool_call_id` ("mandatory", Mistral release note 2024-05-23): 400
  `Tool call id has to be defined.` (langflow-ai/langflow#5335, Gage-Technologies/mistral-go#8).
* An assistant message's tool calls are each answered by a tool message right after it: 400
  `Not the same number of function calls and responses` (mistralai/client-ts#106; its JSON envelope
  beyond the message is UNCONFIRMED, the sandbox uses Mistral's usual one).
"""

from __future__ import annotations

import re
from typing import Any

from ..wire import Call, ProviderSpec, Reply

__all__ = ["RULES", "calls_answered", "tool_call_ids"]

_ID = re.compile(r"[a-zA-Z0-9]{9}")


def _bad(spec: ProviderSpec, value: Any, rid: str) -> Reply:
    shown = "null" if value is None else value
    message = f"Tool call id was {shown} but must be a-z, A-Z, 0-9, with a length of 9."
    return spec.error(400, message, rid, type_="invalid_function_call", code="3280")


def tool_call_ids(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 for a tool message without `tool_call_id`, or any tool call id that is not 9 alphanumerics."""
    messages = call.body.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        if message.get("role") == "tool":
            tid = message.get("tool_call_id")
            if tid is None:
                return spec.error(400, "Tool call id has to be defined.", call.request_id)
            if not (isinstance(tid, str) and _ID.fullmatch(tid)):
                return _bad(spec, tid, call.request_id)
        if message.get("role") == "assistant" and isinstance(message.get("tool_calls"), list):
            for tool_call in message["tool_calls"]:
                tid = tool_call.get("id") if isinstance(tool_call, dict) else None
                if not (isinstance(tid, str) and _ID.fullmatch(tid)):
                    return _bad(spec, tid, call.request_id)
    return None


def calls_answered(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 when the tool messages after an assistant message do not match its tool calls in number."""
    messages = call.body.get("messages")
    messages = messages if isinstance(messages, list) else []
    for n, message in enumerate(messages):
        if not (isinstance(message, dict) and message.get("role") == "assistant"):
            continue
        calls = message.get("tool_calls")
        if not isinstance(calls, list) or not calls or n == len(messages) - 1:
            continue  # (a last assistant message is a prefix to continue, not a finished turn)
        answers = 0
        for later in messages[n + 1 :]:
            if not (isinstance(later, dict) and later.get("role") == "tool"):
                break
            answers += 1
        if answers != len(calls):
            return spec.error(400, "Not the same number of function calls and responses", call.request_id)
    return None


RULES = (tool_call_ids, calls_answered)
