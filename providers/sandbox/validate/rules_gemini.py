"""Gemini API and Vertex: thought signatures on function calls (Gemini 3 and later).

"When using Gemini 3 models, you must pass back thought signatures during function calling, otherwise
you will get a validation error (4xx)" (ai.google.dev/gemini-api/docs/thought-signatures; the Vertex
page says 400). The check covers the current turn -- every model content after the last user content
that holds text rather than function responses -- and in each such model content only the first
`functionCall` part (with parallel calls only the first carries a signature). Earlier turns are not
validated. The text is the one the API returns (wire/tools-batch.md section 4.4; captured in
lbjlaq/Antigravity-Manager#139 and erain/glue v1.8.0): `position N` is read here as the model
content's 1-based place in `contents` (both captures say `position 2` for a session's first tool call;
UNCONFIRMED). The documented dummy signatures (`skip_thought_signature_validator`,
`context_engineering_is_the_way_to_go`) count as present; whether a signature is valid is the
handler's business (sandbox/gemini.py).
"""

from __future__ import annotations

from typing import Any

from ..wire import Call, ProviderSpec, Reply

__all__ = ["RULES", "function_call_signatures"]


def _get(obj: Any, camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake)) if isinstance(obj, dict) else None


def _gemini3(model: str) -> bool:
    from ..gemini import _model  # the sandbox's model table: Gemini 3 models take thinking levels

    spec = _model(model)
    return spec is not None and bool(spec.levels)


def _parts(content: Any) -> list[Any]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return parts if isinstance(parts, list) else []


def _starts_turn(content: Any) -> bool:
    if not isinstance(content, dict) or content.get("role", "user") != "user":
        return False
    return any(isinstance(p, dict) and isinstance(p.get("text"), str) for p in _parts(content))


def function_call_signatures(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 when a Gemini 3 model turn of the current turn has a first functionCall part without its
    thoughtSignature."""
    contents = call.body.get("contents")
    if not isinstance(contents, list) or not _gemini3(call.params.get("model", "")):
        return None
    start = max((i for i, c in enumerate(contents) if _starts_turn(c)), default=-1)
    for i in range(start + 1, len(contents)):
        content = contents[i]
        if not isinstance(content, dict) or content.get("role") != "model":
            continue
        calls = [
            p for p in _parts(content) if isinstance(p, dict) and _get(p, "functionCall", "function_call")
        ]
        if not calls or _get(calls[0], "thoughtSignature", "thought_signature"):
            continue
        name = _get(_get(calls[0], "functionCall", "function_call"), "name", "name")
        message = (
            "Function call is missing a thought_signature in functionCall parts. This is required for tools "
            "to work correctly, and missing thought_signature may lead to degraded model performance. "
            f"Additional data, function call `default_api:{name}` , position {i + 1}. Please refer to "
            "https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
        )
        return spec.error(400, message, call.request_id)
    return None


RULES = (function_call_signatures,)
