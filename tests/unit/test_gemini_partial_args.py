"""Vertex AI's streamed function-call arguments (`partialArgs`) assembled into one call.

The recorded Vertex streams (tests/fixtures/recorded/vertex/) cover the shapes seen live; these cases
pin the rules on small hand-made streams: continued strings, numbers/booleans/nulls, quoted keys, a
call that ends on its last argument, a new call starting before the previous one closed, a stream cut
while a call is open, paths that cannot be placed, and the deltas a streaming consumer sees.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from providers.chat.gemini_partial import apply_partial_args, parse_path
from providers.chat.gemini_response import GeminiStreamDecoder
from providers.types import ChatRequest, Message, ToolCallDelta, ToolCallPart


def _request() -> ChatRequest:
    return ChatRequest(
        provider="vertex", model="gemini-3.5-flash", messages=[Message.user("hi")], stream=True
    )


def _chunk(*parts: dict[str, Any], finish: str | None = None) -> str:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}}
    if finish:
        candidate["finishReason"] = finish
    return json.dumps({"candidates": [candidate], "responseId": "r1", "modelVersion": "gemini-3.5-flash"})


def _arg(path: str, more: bool = False, **value: Any) -> dict[str, Any]:
    return {"jsonPath": path, **value, **({"willContinue": True} if more else {})}


def _decode(*chunks: str) -> tuple[GeminiStreamDecoder, list[Any]]:
    decoder = GeminiStreamDecoder(_request())
    deltas: list[Any] = []
    for chunk in chunks:
        deltas += decoder.feed("", chunk)
    return decoder, deltas


def _calls(decoder: GeminiStreamDecoder) -> list[ToolCallPart]:
    return [p for p in decoder.result().parts if isinstance(p, ToolCallPart)]


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("$.a", ["a"]),
        ("$.recipe.ingredients[0].amount", ["recipe", "ingredients", 0, "amount"]),
        ("$.steps[12]", ["steps", 12]),
        ("$['a b'].c", ["a b", "c"]),
        ('$["x\\"y"]', ['x"y']),
        ("$", []),
    ],
)
def test_paths(path: str, steps: list[Any]) -> None:
    assert parse_path(path) == steps


@pytest.mark.parametrize("path", ["a.b", "$..a", "$.a[*]", "$.a[-1]", "$[99999999]", "$.a.", "", None, 3])
def test_paths_that_are_not_one_value(path: Any) -> None:
    assert parse_path(path) is None


def test_values_of_every_kind_and_continued_strings() -> None:
    args: dict[str, Any] = {}
    going_on: set[str] = set()
    refused = apply_partial_args(
        args,
        [
            _arg("$.s", True, stringValue="Hel"),
            _arg("$.n", numberValue=2.5),
            _arg("$.s", True, stringValue="lo"),
            _arg("$.b", boolValue=False),
            _arg("$.z", nullValue="NULL_VALUE"),
            _arg("$.s", stringValue=""),
            _arg("$.list[1].k", stringValue="v"),
        ],
        going_on,
    )
    assert refused == [] and going_on == set()
    assert args == {"s": "Hello", "n": 2.5, "b": False, "z": None, "list": [None, {"k": "v"}]}
    # a path set again after its string ended starts over (it is not appended)
    apply_partial_args(args, [_arg("$.s", stringValue="new")], going_on)
    assert args["s"] == "new"


def test_what_cannot_be_placed_is_reported_and_the_rest_applied() -> None:
    args: dict[str, Any] = {"a": "text"}
    refused = apply_partial_args(
        args,
        [
            _arg("$.a.b", stringValue="x"),
            _arg("$.ok", stringValue="y"),
            {"jsonPath": "$.novalue"},
            "junk",
            _arg("$"),
        ],
        set(),
    )
    assert args == {"a": "text", "ok": "y"}
    assert refused == ["$.a.b", "$.novalue", "'junk'", "$"]
    assert apply_partial_args(args, None, set()) == []
    assert apply_partial_args(args, {"not": "a list"}, set()) != []


def test_a_streamed_call_becomes_one_call_and_one_argument_fragment() -> None:
    decoder, deltas = _decode(
        _chunk({"functionCall": {"name": "get", "willContinue": True}, "thoughtSignature": "c2ln"}),
        _chunk(
            {"functionCall": {"partialArgs": [_arg("$.city", True, stringValue="San")], "willContinue": True}}
        ),
        _chunk({"functionCall": {"willContinue": True}}),
        _chunk(
            {"functionCall": {"partialArgs": [_arg("$.city", stringValue=" Jose")], "willContinue": True}}
        ),
        _chunk({"functionCall": {}}, finish="STOP"),
    )
    (call,) = _calls(decoder)
    assert (call.name, call.arguments, call.signature, call.invalid_json) == (
        "get",
        {"city": "San Jose"},
        "c2ln",
        False,
    )
    tool_deltas = [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert [(d.index, d.name) for d in tool_deltas] == [(0, "get"), (0, None)]
    assert json.loads("".join(d.arguments_delta for d in tool_deltas)) == {"city": "San Jose"}
    assert decoder.result().finish_reason == "tool_calls"


def test_a_call_ends_on_its_last_argument_and_a_new_name_starts_the_next() -> None:
    decoder, _ = _decode(
        _chunk({"functionCall": {"name": "a", "willContinue": True}}),
        _chunk({"functionCall": {"partialArgs": [_arg("$.x", numberValue=1)]}}),  # ends call a
        _chunk({"functionCall": {"name": "b", "willContinue": True}}),
        _chunk({"functionCall": {"partialArgs": [_arg("$.y", boolValue=True)], "willContinue": True}}),
        _chunk({"functionCall": {"name": "c", "args": {"z": 1}}}),  # b never closed: a new call ends it
        _chunk({"text": ""}, finish="STOP"),
    )
    assert [(c.name, c.arguments) for c in _calls(decoder)] == [
        ("a", {"x": 1}),
        ("b", {"y": True}),
        ("c", {"z": 1}),
    ]


def test_a_stream_cut_while_a_call_streams_keeps_no_half_call() -> None:
    decoder, _ = _decode(
        _chunk({"functionCall": {"name": "done_one", "args": {"k": 1}}}),
        _chunk({"functionCall": {"name": "half", "willContinue": True}}),
        _chunk(
            {
                "functionCall": {
                    "partialArgs": [_arg("$.q", True, stringValue="partial")],
                    "willContinue": True,
                }
            }
        ),
    )
    assert not decoder.done
    assert [c.name for c in _calls(decoder)] == ["done_one"]


def test_arguments_that_could_not_be_placed_mark_the_call_and_say_so() -> None:
    decoder, _ = _decode(
        _chunk({"functionCall": {"name": "f", "willContinue": True}}),
        _chunk({"functionCall": {"partialArgs": [_arg("$.a[*]", stringValue="x")], "willContinue": True}}),
        _chunk({"functionCall": {}}, finish="STOP"),
    )
    (call,) = _calls(decoder)
    assert call.invalid_json
    assert any("could not place ($.a[*])" in note for note in decoder.result().notes)


def test_whole_calls_on_the_gemini_api_are_unchanged() -> None:
    decoder, deltas = _decode(
        _chunk(
            {"functionCall": {"name": "a", "args": {"x": 1}}, "thoughtSignature": "c2ln"},
            {"functionCall": {"name": "b", "args": {}}},
            finish="STOP",
        )
    )
    assert [(c.name, c.arguments, c.signature) for c in _calls(decoder)] == [
        ("a", {"x": 1}, "c2ln"),
        ("b", {}, None),
    ]
    assert [(d.index, d.name, d.arguments_delta) for d in deltas] == [(0, "a", '{"x": 1}'), (1, "b", "{}")]


# -- asking for them: Vertex only, joined with tool_choice= ------------------------------------------------

TOOL = {
    "name": "get",
    "description": "d",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
STREAM_ARGS = {"toolConfig": {"functionCallingConfig": {"streamFunctionCallArguments": True}}}


def _body(model: str, **kwargs: Any) -> dict[str, Any]:
    from providers.client import AsyncClient

    prepared = AsyncClient(sandbox=True).prepare(model, "hi", tools=[TOOL], stream=True, **kwargs)
    assert prepared.call.json_body is not None
    return prepared.call.json_body


def test_vertex_can_ask_for_streamed_arguments_alongside_tool_choice() -> None:
    body = _body("vertex/gemini-3.5-flash", tool_choice="get", **STREAM_ARGS)
    assert body["toolConfig"] == {
        "functionCallingConfig": {
            "streamFunctionCallArguments": True,
            "mode": "ANY",
            "allowedFunctionNames": ["get"],
        }
    }
    assert _body("vertex/gemini-3.5-flash", **STREAM_ARGS)["toolConfig"] == STREAM_ARGS["toolConfig"]
    snake = {"tool_config": {"function_calling_config": {"streamFunctionCallArguments": True}}}
    body = _body("vertex/gemini-3.5-flash", tool_choice="auto", **snake)
    assert "tool_config" not in body
    assert body["toolConfig"]["functionCallingConfig"] == {
        "streamFunctionCallArguments": True,
        "mode": "AUTO",
    }


def test_the_gemini_api_refuses_streamed_arguments_before_sending() -> None:
    from providers.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="Vertex AI option"):
        _body("gemini/gemini-3.5-flash", **STREAM_ARGS)
