"""Vertex AI's streamed function-call arguments (`partialArgs`), assembled into the arguments object.

With `functionCallingConfig.streamFunctionCallArguments: true` (Vertex only; wire/tools-batch.md 4.1) a
call arrives over several chunks: first `functionCall {name, willContinue: true}` (with the turn's
`thoughtSignature` beside it), then parts `functionCall {partialArgs: [...], willContinue: true}`, and
the call ends with a part whose `willContinue` is absent (often `functionCall {}`). Each PartialArg
(google-genai 3.6.1 `types.PartialArg`) sets one value at `jsonPath` (RFC 9535, e.g.
`$.recipe.ingredients[0].amount`): `stringValue`, `numberValue`, `boolValue` or `nullValue`; its own
`willContinue` says that more of the same path follows, and a continued string is the concatenation
of its pieces (recorded: "Cook lasagna ... set aside" then "." then "").
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

__all__ = ["apply_partial_args", "parse_path"]

_STEP = re.compile(r"""\.([A-Za-z_][\w-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]""")
_MAX_INDEX = 10_000  # an array index beyond this is not a real argument list (no huge padding)


def parse_path(path: str) -> list[str | int] | None:
    """`$.a.b[0]['c d']` as ['a', 'b', 0, 'c d']; None when it is not a simple JSONPath to one value."""
    if not isinstance(path, str) or not path.startswith("$"):
        return None
    steps: list[str | int] = []
    at = 1
    while at < len(path):
        match = _STEP.match(path, at)
        if match is None:
            return None
        name, index, single, double = match.groups()
        if index is not None:
            if int(index) > _MAX_INDEX:
                return None
            steps.append(int(index))
        else:
            key = name if name is not None else (single if single is not None else double)
            steps.append(re.sub(r"\\(.)", r"\1", key) if name is None else key)
        at = match.end()
    return steps


def _value(arg: dict[str, Any]) -> tuple[bool, Any]:
    """(has a value, the value) of one PartialArg."""
    for key in ("stringValue", "string_value"):
        if key in arg:
            return True, arg[key]
    for key in ("numberValue", "number_value", "boolValue", "bool_value"):
        if key in arg:
            return True, arg[key]
    if "nullValue" in arg or "null_value" in arg:
        return True, None
    return False, None


def _get(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        if not isinstance(node, list):
            raise _Conflict
        node.extend([None] * (step + 1 - len(node)))
        return node[step]
    if not isinstance(node, dict):
        raise _Conflict
    return node.get(step)


class _Conflict(Exception):
    """A path through a value of another kind (a key into a list, an index into a string...)."""


def _set(root: dict[str, Any], steps: list[str | int], value: Any, append: bool) -> bool:
    """Put `value` at `steps` under `root` (containers made on the way); False on a shape conflict."""
    if not steps:
        return False
    node: Any = root
    try:
        for step, following in pairwise(steps):
            child = _get(node, step)
            if child is None:
                child = [] if isinstance(following, int) else {}
                node[step] = child
            node = child
        current = _get(node, steps[-1])
    except _Conflict:
        return False
    if append and isinstance(current, str) and isinstance(value, str):
        value = current + value
    node[steps[-1]] = value
    return True


def apply_partial_args(root: dict[str, Any], args: Any, continuing: set[str]) -> list[str]:
    """Apply one part's `partialArgs` to `root`; `continuing` holds the paths whose string goes on.

    Returns the paths that could not be placed (an unreadable path, a value of no kind, or a shape that
    contradicts what arrived before), for the result's notes; everything else is applied.
    """
    if not isinstance(args, list):
        return [] if args is None else [repr(args)[:40]]
    refused: list[str] = []
    for arg in args:
        if not isinstance(arg, dict):
            refused.append(repr(arg)[:40])
            continue
        path = str(arg.get("jsonPath", arg.get("json_path")))
        steps = parse_path(path)
        has_value, value = _value(arg)
        if steps is None or not has_value:
            refused.append(path[:80])
            continue
        if not _set(root, steps, value, append=path in continuing):
            refused.append(path[:80])
            continue
        if arg.get("willContinue", arg.get("will_continue")):
            continuing.add(path)
        else:
            continuing.discard(path)
    return refused
