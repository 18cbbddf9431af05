"""OpenAI: Responses reasoning items travel with the items they produced (wire/tools-batch.md section 1.4);
Chat Completions tool messages answer the assistant message that asked for them.

The live API answers 400 `invalid_request_error` with `param: "input"`:

* `Item 'rs_…' of type 'reasoning' was provided without its required following item.`
  (continuedev/continue#8933): a reasoning item sent back must be followed by the output item it
  produced -- an assistant `message` with its `msg_…` id, a `function_call`, or another tool call --
  not by a user message, a tool output, another reasoning item, an assistant message without its id,
  or nothing. When the sandbox made that response, the follower must be the very item it produced.
* `Item 'fc_…' of type 'function_call' was provided without its required 'reasoning' item: 'rs_…'.`
  (continuedev/continue#10018, cline/cline#12242, mastra-ai/mastra#8738): an output item the sandbox
  produced after a reasoning item cannot come back without that reasoning item before it.

The second rule needs to know which reasoning item produced which item. The live API knows from its
own records; the sandbox remembers the output of every response it served (`remember_output`, called
by the app after the handler), keyed by item id, in the app's state. Ids it never made are judged by
the first rule alone. With `previous_response_id` the earlier items live on the server, so the second
rule does not apply to them.

Chat Completions (400 `invalid_request_error`, `code: null`, `param: "messages.[N].role"`, the API's own
odd path style; captured in many public issues, e.g. JetBrains/koog and litellm reports):

* `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with
  'tool_calls'.` (the typo is the API's).
* `An assistant message with 'tool_calls' must be followed by tool messages responding to each
  'tool_call_id'. The following tool_call_ids did not have response messages: call_…, call_…`
  (the `param` for this one is UNCONFIRMED; the same style is used).
"""

from __future__ import annotations

import json
from typing import Any

from ..wire import Call, ProviderSpec, Reply

__all__ = [
    "CHAT_RULES",
    "RULES",
    "chat_tool_messages",
    "following_item",
    "remember_output",
    "required_reasoning",
]

_STATE_KEY = "responses_reasoning"  # app.state: {"follower": {rs_id: item_id}, "requires": {item_id: rs_id}}
_MAX_REMEMBERED = 5000
# output items a reasoning item can produce (what may follow it in the input)
_FOLLOWERS = frozenset(
    {
        "message",
        "function_call",
        "custom_tool_call",
        "web_search_call",
        "file_search_call",
        "computer_call",
        "code_interpreter_call",
        "image_generation_call",
        "local_shell_call",
        "shell_call",
        "apply_patch_call",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "tool_search_call",
    }
)


def _memory(call: Call) -> dict[str, dict[str, str]]:
    return call.state.setdefault(_STATE_KEY, {"follower": {}, "requires": {}})


def _kind(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    return str(item.get("type") or ("message" if "role" in item else ""))


def _output_items(reply: Reply) -> list[Any]:
    """The `output` of the response a reply carries, whole or as the final SSE event."""
    if isinstance(reply.body, dict):
        output = reply.body.get("output")
        return output if isinstance(output, list) else []
    for frame in reversed(reply.events or []):
        for line in frame.decode("utf-8", "replace").splitlines():
            if not line.startswith("data: {"):
                continue
            try:
                event = json.loads(line[len("data: ") :])
            except json.JSONDecodeError:
                continue
            response = event.get("response") if isinstance(event, dict) else None
            if isinstance(response, dict) and isinstance(response.get("output"), list):
                return response["output"]
    return []


def remember_output(call: Call, reply: Reply) -> None:
    """Record, for each reasoning item a response produced, the item right after it, and for each item
    after a reasoning item, that reasoning item's id."""
    memory = _memory(call)
    reasoning: str | None = None
    previous: str | None = None
    for item in _output_items(reply):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        if item.get("type") == "reasoning":
            reasoning = previous = item["id"]
            continue
        if previous is not None:
            memory["follower"][previous] = item["id"]
            previous = None
        if reasoning is not None:
            memory["requires"][item["id"]] = reasoning
    for table in memory.values():
        while len(table) > _MAX_REMEMBERED:
            table.pop(next(iter(table)))


def _error(spec: ProviderSpec, message: str, rid: str) -> Reply:
    return spec.error(400, message, rid, param="input", code=None)


def following_item(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 when a reasoning item in `input` is not followed by the output item it produced."""
    items = call.body.get("input")
    if not isinstance(items, list):
        return None
    follower = _memory(call)["follower"]
    for i, item in enumerate(items):
        if _kind(item) != "reasoning" or not isinstance(item.get("id"), str):
            continue
        rs_id = item["id"]
        nxt = items[i + 1] if i + 1 < len(items) else None
        ok = (
            isinstance(nxt, dict)
            and _kind(nxt) in _FOLLOWERS
            and isinstance(nxt.get("id"), str)
            and (_kind(nxt) != "message" or nxt.get("role") == "assistant")
            and follower.get(rs_id, nxt["id"]) == nxt["id"]
        )
        if not ok:
            message = f"Item '{rs_id}' of type 'reasoning' was provided without its required following item."
            return _error(spec, message, call.request_id)
    return None


def required_reasoning(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 when an item the sandbox produced after a reasoning item comes back without that item."""
    items = call.body.get("input")
    if not isinstance(items, list) or call.body.get("previous_response_id"):
        return None
    requires = _memory(call)["requires"]
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        needed = requires.get(item["id"])
        if needed is not None and needed not in seen:
            message = (
                f"Item '{item['id']}' of type '{_kind(item)}' was provided without its required "
                f"'reasoning' item: '{needed}'."
            )
            return _error(spec, message, call.request_id)
        if _kind(item) == "reasoning":
            seen.add(item["id"])
    return None


RULES = (required_reasoning, following_item)


def chat_tool_messages(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 for a tool message that answers no preceding `tool_calls`, or `tool_calls` left unanswered."""
    messages = call.body.get("messages")
    if not isinstance(messages, list):
        return None
    pending: list[str] = []  # ids the last assistant message asked for, not yet answered
    asker = -1
    for n, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "tool":
            tid = message.get("tool_call_id")
            if asker < 0 or tid not in pending:
                text = (
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                    "with 'tool_calls'."
                )
                return spec.error(400, text, call.request_id, param=f"messages.[{n}].role", code=None)
            pending.remove(tid)
            continue
        if pending:
            return _unanswered(spec, call, asker, pending)
        calls = message.get("tool_calls") if role == "assistant" else None
        ids = [c.get("id") for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
        pending, asker = [str(i) for i in ids], (n if ids else -1)
    return _unanswered(spec, call, asker, pending) if pending else None


def _unanswered(spec: ProviderSpec, call: Call, asker: int, pending: list[str]) -> Reply:
    text = (
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
        f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(pending)}"
    )
    return spec.error(400, text, call.request_id, param=f"messages.[{asker}].role", code=None)


CHAT_RULES = (chat_tool_messages,)
