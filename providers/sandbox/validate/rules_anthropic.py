"""Anthropic Messages: the rules beyond the schema, with the API's own 400 texts.

* API version 2026-10-21 removed `temperature`, `top_p` and `top_k` (platform.claude.com/docs/en/api/
  versioning; wire/delta-2026-11.md section 1.2): the SDK's schema has no such fields, so under that
  version they are refused as `temperature: Extra inputs are not permitted`; under an older
  `anthropic-version` (2023-06-01) they are still fields (`versioned_root`).
* `max_tokens` must exceed `thinking.budget_tokens` for manual thinking, unless the interleaved-thinking
  beta lets the budget span the whole turn (wire/tools-batch.md section 3.4). Text captured from the
  API through Vertex (liuw1535/antigravity2api-nodejs#149, 2026-02).
* Thinking blocks come back unmodified with their signatures (`ThinkingBlockParam` docstring; wire/
  tools-batch.md section 3.4). A signature the sandbox did not make (another provider's, a corrupted
  one) gives ``messages.1.content.0: Invalid `signature` in `thinking` block`` (anthropics/claude-code
  #10627); a block of the latest assistant message whose text changed under its signature gives
  "`thinking` and `redacted_thinking` blocks in the latest assistant message cannot be modified..."
  (quoted in minpeter/minpeter.v2#78). Earlier turns' modified blocks fail their signature check.
* Every `tool_use` needs its `tool_result` in the next message, and every `tool_result` its `tool_use`
  in the previous one (wire/tools-batch.md section 3.3; anthropics/claude-code#7929, #13460).
* With manual thinking on, the assistant turn before the last tool results must start with a thinking
  block (the 400 quoted in lbjlaq/Antigravity-Manager#139). Adaptive thinking may skip thinking, so
  the rule is for `thinking.type: "enabled"` only.
* A forced `tool_choice` (`any`, `tool`) with manual thinking: 400 "Thinking may not be enabled when
  tool_choice forces tool use." (mastra-ai/mastra#7507, can1357/oh-my-pi#341); with adaptive thinking
  it is accepted except on Opus 5.5, Sonnet 5.5, Fable 5.1 and Mythos 5.1, which return 400
  (wire/tools-batch.md 3.4 and 10.1; that 400's text is UNCONFIRMED: the manual one is used).
* A history with `tool_use`/`tool_result` blocks and no `tools`: 400 "Requests which include `tool_use`
  or `tool_result` blocks must define tools." (quoted in public reports, e.g. vercel/ai users' code).
* Tool names: `tools.N.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`; call ids in
  history: `messages.N.content.M.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'` (both
  quoted from live 400s in public reports, 2026; see providers/schemas.py and chat/tool_ids.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import text as T
from ..wire import Call, ProviderSpec, Reply
from .schema import SchemaDoc

__all__ = [
    "NEWEST_VERSION",
    "RULES",
    "budget_below_max_tokens",
    "forced_tool_choice_without_thinking",
    "thinking_blocks_intact",
    "thinking_starts_tool_turn",
    "tool_names_and_ids",
    "tool_results_follow_tool_uses",
    "versioned_root",
]

NEWEST_VERSION = "2026-10-21"
INTERLEAVED_BETA = "interleaved-thinking-2025-05-14"
DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
_SAMPLING = {"temperature": {"type": "number"}, "top_p": {"type": "number"}, "top_k": {"type": "integer"}}


_VERSIONED: dict[int, Mapping[str, Any]] = {}  # id(root) -> root with the sampling fields (roots are cached)


def versioned_root(call: Call, doc: SchemaDoc, root: Mapping[str, Any]) -> Mapping[str, Any]:
    """The Messages schema for the request's `anthropic-version`: before 2026-10-21 it still has the
    sampling parameters the SDK (which sends 2026-10-21) no longer declares."""
    if call.headers.get("anthropic-version", "").strip() == NEWEST_VERSION:
        return root
    found = _VERSIONED.get(id(root))
    if found is None:
        found = _VERSIONED[id(root)] = {**root, "properties": {**root["properties"], **_SAMPLING}}
    return found


def _error(spec: ProviderSpec, message: str, rid: str) -> Reply:
    return spec.error(400, message, rid)


def _blocks(message: Any) -> list[Any]:
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, list) else []


def _thinking(body: Mapping[str, Any]) -> Mapping[str, Any]:
    thinking = body.get("thinking")
    return thinking if isinstance(thinking, dict) else {}


def budget_below_max_tokens(call: Call, spec: ProviderSpec) -> Reply | None:
    """`max_tokens` must be greater than `thinking.budget_tokens` (manual thinking, no interleaving beta)."""
    thinking, body = _thinking(call.body), call.body
    budget, limit = thinking.get("budget_tokens"), body.get("max_tokens")
    if thinking.get("type") != "enabled" or not isinstance(budget, int) or not isinstance(limit, int):
        return None
    if INTERLEAVED_BETA in call.headers.get("anthropic-beta", ""):
        return None
    if budget < limit:
        return None
    message = (
        "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
        f"{DOCS}#max-tokens-and-context-window-size"
    )
    return _error(spec, message, call.request_id)


def thinking_blocks_intact(call: Call, spec: ProviderSpec) -> Reply | None:
    """Every thinking block sent back carries the signature the sandbox gave it, over the same text."""
    messages = call.body.get("messages")
    if not isinstance(messages, list):
        return None
    latest = max(
        (i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "assistant"),
        default=-1,
    )
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        for j, block in enumerate(_blocks(message)):
            if not isinstance(block, dict) or block.get("type") != "thinking":
                continue
            signature = block.get("signature")
            if T.verify_thinking(str(block.get("thinking", "")), signature):
                continue
            if i == latest and T.signed_here(signature):
                message_ = (
                    "`thinking` and `redacted_thinking` blocks in the latest assistant message cannot be "
                    "modified. These blocks must remain exactly as received to continue the conversation."
                )
                return _error(spec, message_, call.request_id)
            return _error(
                spec, f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block", call.request_id
            )
    return None


def _ids(message: Any, kind: str, key: str) -> list[tuple[int, str]]:
    return [
        (k, str(block.get(key)))
        for k, block in enumerate(_blocks(message))
        if isinstance(block, dict) and block.get("type") == kind
    ]


def tool_results_follow_tool_uses(call: Call, spec: ProviderSpec) -> Reply | None:
    """Each `tool_use` answered by a `tool_result` in the next message; each `tool_result` answering a
    `tool_use` of the previous message."""
    messages = call.body.get("messages")
    if not isinstance(messages, list):
        return None
    for n, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        if message.get("role") == "user":
            previous = messages[n - 1] if n > 0 else None
            asked = {
                tid
                for _, tid in _ids(previous, "tool_use", "id")
                if isinstance(previous, dict) and previous.get("role") == "assistant"
            }
            for k, tid in _ids(message, "tool_result", "tool_use_id"):
                if tid not in asked:
                    text = (
                        f"messages.{n}.content.{k}: unexpected `tool_use_id` found in `tool_result` blocks: {tid}. "
                        "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                    )
                    return _error(spec, text, call.request_id)
        elif message.get("role") == "assistant" and n + 1 < len(messages):
            uses = [tid for _, tid in _ids(message, "tool_use", "id")]
            nxt = messages[n + 1]
            answered = (
                {tid for _, tid in _ids(nxt, "tool_result", "tool_use_id")}
                if isinstance(nxt, dict) and nxt.get("role") == "user"
                else set()
            )
            missing = [tid for tid in uses if tid not in answered]
            if missing:
                text = (
                    f"messages.{n}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                    f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` block "
                    "in the next message."
                )
                return _error(spec, text, call.request_id)
    return None


def thinking_starts_tool_turn(call: Call, spec: ProviderSpec) -> Reply | None:
    """With manual thinking on, the assistant message answered by the last tool results starts with a
    thinking (or redacted_thinking) block."""
    if _thinking(call.body).get("type") != "enabled":
        return None
    messages = call.body.get("messages")
    if not isinstance(messages, list) or len(messages) < 2:
        return None
    last, before = messages[-1], messages[-2]
    if not (_ids(last, "tool_result", "tool_use_id") and isinstance(before, dict)):
        return None
    if before.get("role") != "assistant" or not _ids(before, "tool_use", "id"):
        return None
    first = _blocks(before)[0] if _blocks(before) else None
    kind = first.get("type") if isinstance(first, dict) else None
    if kind in ("thinking", "redacted_thinking"):
        return None
    text = (
        f"messages.{len(messages) - 2}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
        f"`{kind}`. When `thinking` is enabled, a final `assistant` message must start with a thinking block "
        "(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking "
        "blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our "
        f"documentation at {DOCS}"
    )
    return _error(spec, text, call.request_id)


_NAME = "^[a-zA-Z0-9_-]{1,128}$"
_ID = "^[a-zA-Z0-9_-]+$"
_FORCED_REFUSED_WITH_ADAPTIVE = re.compile(r"^claude-(opus-5-5|sonnet-5-5|fable-5-1|mythos-5-1)(?:$|[-@])")


def forced_tool_choice_without_thinking(call: Call, spec: ProviderSpec) -> Reply | None:
    """A forced tool_choice is refused with manual thinking, and with adaptive thinking on four models."""
    choice = call.body.get("tool_choice")
    if not (isinstance(choice, dict) and choice.get("type") in ("any", "tool")):
        return None
    kind = _thinking(call.body).get("type")
    model = str(call.body.get("model") or "")
    if kind == "enabled" or (kind == "adaptive" and _FORCED_REFUSED_WITH_ADAPTIVE.match(model)):
        return _error(spec, "Thinking may not be enabled when tool_choice forces tool use.", call.request_id)
    return None


def tool_names_and_ids(call: Call, spec: ProviderSpec) -> Reply | None:
    """Tool names and the tool_use ids of the history in the forms the API accepts."""
    tools = call.body.get("tools")
    for i, tool in enumerate(tools if isinstance(tools, list) else []):
        name = tool.get("name") if isinstance(tool, dict) else None
        if isinstance(name, str) and not re.match(_NAME, name):
            text = f"tools.{i}.custom.name: String should match pattern '{_NAME}'"
            return _error(spec, text, call.request_id)
    messages = call.body.get("messages")
    listed = messages if isinstance(messages, list) else []
    blocks = [_ids(m, kind, "type") for m in listed for kind in ("tool_use", "tool_result")]
    if any(blocks) and not tools:
        text = "Requests which include `tool_use` or `tool_result` blocks must define tools."
        return _error(spec, text, call.request_id)
    for n, message in enumerate(messages if isinstance(messages, list) else []):
        for k, tid in _ids(message, "tool_use", "id"):
            if not re.match(_ID, tid):
                text = f"messages.{n}.content.{k}.tool_use.id: String should match pattern '{_ID}'"
                return _error(spec, text, call.request_id)
    return None


RULES = (
    tool_names_and_ids,
    forced_tool_choice_without_thinking,
    budget_below_max_tokens,
    thinking_blocks_intact,
    tool_results_follow_tool_uses,
    thinking_starts_tool_turn,
)
