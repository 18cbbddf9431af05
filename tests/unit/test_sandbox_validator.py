"""The strict sandbox's small JSON Schema validator (providers/sandbox/validate/schema.py) and the way
each provider words what it finds (report.py), on hand-made schemas."""

from __future__ import annotations

from typing import Any

import pytest

from providers.sandbox.validate import report as R
from providers.sandbox.validate.schema import SchemaDoc, Violation, validate
from providers.sandbox.wire import Reply

TEXT = {
    "type": "object",
    "properties": {"type": {"enum": ["text"]}, "text": {"type": "string"}},
    "required": ["type", "text"],
    "additionalProperties": False,
}
IMAGE = {
    "type": "object",
    "properties": {
        "type": {"enum": ["image"]},
        "source": {"anyOf": [{"$ref": "#/$defs/Base64"}, {"$ref": "#/$defs/Url"}]},
    },
    "required": ["type", "source"],
    "additionalProperties": False,
}
DOC = SchemaDoc(
    endpoints={
        "root": {
            "type": "object",
            "properties": {
                "model": {"type": "string"},
                "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "temperature": {"type": "number"},
                "stream": {"enum": [False, True]},
                "tier": {"anyOf": [{"enum": ["auto", "flex"]}, {"type": "null"}]},
                "meta": {"type": "object", "additionalProperties": {"type": "string"}},
                "content": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/Text"}, IMAGE]}},
                    ]
                },
                "tree": {"$ref": "#/$defs/Node"},
            },
            "required": ["model"],
            "additionalProperties": False,
        }
    },
    defs={
        "Text": TEXT,
        "Base64": {
            "type": "object",
            "properties": {"type": {"enum": ["base64"]}, "media_type": {"enum": ["image/png", "image/jpeg"]}},
            "required": ["type", "media_type"],
            "additionalProperties": False,
        },
        "Url": {
            "type": "object",
            "properties": {"type": {"enum": ["url"]}, "url": {"type": "string"}},
            "required": ["type", "url"],
            "additionalProperties": False,
        },
        "Node": {
            "type": "object",
            "properties": {"child": {"$ref": "#/$defs/Node"}, "name": {"type": "string"}},
            "additionalProperties": False,
        },
    },
    source={},
)
ROOT = DOC.endpoints["root"]


def check(body: dict[str, Any], **kw: Any) -> list[Violation]:
    return validate(DOC, ROOT, body, **kw)


def err(status: int, message: str, rid: str, **fields: Any) -> Reply:
    return Reply(status=status, body={"message": message, **fields})


def test_a_valid_body_has_no_violations() -> None:
    body = {
        "model": "m",
        "n": None,
        "temperature": 1,  # an integer is a number
        "stream": True,
        "tier": "flex",
        "meta": {"a": "b"},
        "content": [{"type": "text", "text": "hi"}, {"type": "image", "source": {"type": "url", "url": "u"}}],
        "tree": {"child": {"child": {"name": "leaf"}}},
    }
    assert check(body) == []
    assert check({"model": "m", "content": "plain"}) == []


@pytest.mark.parametrize(
    ("body", "kind", "path"),
    [
        ({}, "missing", ("model",)),
        ({"model": "m", "zzz": 1}, "unknown", ("zzz",)),
        ({"model": "m", "n": "2"}, "type", ("n",)),
        ({"model": "m", "n": True}, "type", ("n",)),  # a boolean is not an integer
        ({"model": "m", "n": 1.5}, "type", ("n",)),
        ({"model": "m", "stream": 1}, "type", ("stream",)),  # 1 is not true
        ({"model": "m", "tier": "bogus"}, "enum", ("tier",)),
        ({"model": "m", "meta": {"k": 7}}, "type", ("meta", "k")),
        ({"model": "m", "content": 7}, "type", ("content",)),
        ({"model": "m", "content": [{"type": "video"}]}, "tag", ("content", 0, "type")),
        ({"model": "m", "content": [{"text": "x"}]}, "no_tag", ("content", 0)),
        ({"model": "m", "content": [{"type": "text"}]}, "missing", ("content", 0, "text")),
        ({"model": "m", "tree": {"child": {"nme": "x"}}}, "unknown", ("tree", "child", "nme")),
    ],
)
def test_each_kind_of_violation(body: dict[str, Any], kind: str, path: tuple[Any, ...]) -> None:
    [v] = check(body)
    assert (v.kind, v.path) == (kind, path)


def test_a_type_tag_joins_the_pydantic_location() -> None:
    body = {
        "model": "m",
        "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/bmp"}}],
    }
    [v] = check(body)
    assert v.path == ("content", 0, "source", "media_type")
    assert v.loc == ("content", 0, "image", "source", "base64", "media_type")
    assert R.anthropic_report(DOC, [v], "r", err).body["message"] == (
        "content.0.image.source.base64.media_type: Input should be 'image/png' or 'image/jpeg'"
    )


def test_violations_come_in_pydantic_order_fields_first_then_extras() -> None:
    kinds = [v.kind for v in check({"zzz": 1, "n": "x"})]
    assert kinds == ["missing", "type", "unknown"]


def test_extras_can_be_ignored_and_keys_aliased() -> None:
    assert check({"model": "m", "zzz": 1}, extras=False) == []
    assert check({"model": "m", "temp_erature": 1}, key_alias=lambda k: k.replace("_", "")) == []


def test_hostile_bodies_are_bounded() -> None:
    many = {"model": "m", **{f"k{i}": i for i in range(10_000)}}
    assert len(check(many)) == 50
    deep: dict[str, Any] = {"name": "x"}
    for _ in range(5_000):  # deeper than any stack would take, validated without recursing that far
        deep = {"child": deep}
    assert check({"model": "m", "tree": deep}) == []


# --- OpenAI's words (captured texts: see report.py) ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "message", "param", "code"),
    [
        ({"model": "m", "zzz": 1}, "Unknown parameter: 'zzz'.", "zzz", "unknown_parameter"),
        (
            {"model": "m", "n": "2"},
            "Invalid type for 'n': expected an integer, but got a string instead.",
            "n",
            "invalid_type",
        ),
        (
            {"model": "m", "temperature": "hot"},
            "Invalid type for 'temperature': expected a decimal, but got a string instead.",
            "temperature",
            "invalid_type",
        ),
        (
            {"model": "m", "n": 1.5},
            "Invalid type for 'n': expected an integer, but got a decimal number instead.",
            "n",
            "invalid_type",
        ),
        (
            {"model": "m", "tier": {"a": 1}},
            "Invalid type for 'tier': expected one of 'auto' or 'flex', but got an object instead.",
            "tier",
            "invalid_type",
        ),
        (
            {"model": "m", "content": 7},
            "Invalid type for 'content': expected one of a string or array of objects, but got an integer instead.",
            "content",
            "invalid_type",
        ),
        (
            {"model": "m", "tier": "bogus"},
            "Invalid value: 'bogus'. Supported values are: 'auto' and 'flex'.",
            "tier",
            "invalid_value",
        ),
        (
            {"model": "m", "content": [{"type": "video"}]},
            "Invalid value: 'video'. Supported values are: 'text' and 'image'.",
            "content[0].type",
            "invalid_value",
        ),
        ({}, "Missing required parameter: 'model'.", "model", "missing_required_parameter"),
        (
            {"model": "m", "content": [{"type": "text"}]},
            "Missing required parameter: 'content[0].text'.",
            "content[0].text",
            "missing_required_parameter",
        ),
    ],
)
def test_openai_words(body: dict[str, Any], message: str, param: str, code: str) -> None:
    reply = R.openai_report(DOC, check(body), "r", err)
    assert reply.status == 400
    assert (reply.body["message"], reply.body["param"], reply.body["code"]) == (message, param, code)


def test_openai_reports_an_unknown_parameter_before_a_bad_type() -> None:
    reply = R.openai_report(DOC, check({"n": "x", "zzz": 1, "model": "m"}), "r", err)
    assert reply.body["message"] == "Unknown parameter: 'zzz'."


def test_openai_list_style() -> None:
    assert R._quoted(["a", "b", "c"], "and") == "'a', 'b', and 'c'"
    assert R.openai_path(("input", 4, "action", "query")) == "input[4].action.query"


def test_google_paths_are_snake_case_and_list_every_unknown_name() -> None:
    reply = R.gemini_report(
        DOC,
        [
            Violation("unknown", ("contents", 1, "parts", 0, "functionCall", "idx"), ()),
            Violation("unknown", ("generationConfig", "bar"), ()),
        ],
        "r",
        lambda status, message, rid: Reply(
            status=status, body={"error": {"code": status, "message": message}}
        ),
        package="google.ai.generativelanguage.v1beta",
    )
    assert reply.body["error"]["message"] == (
        "Invalid JSON payload received. Unknown name \"idx\" at 'contents[1].parts[0].function_call': Cannot find field.\n"
        "Invalid JSON payload received. Unknown name \"bar\" at 'generation_config': Cannot find field."
    )
    assert reply.body["error"]["details"][0]["fieldViolations"][1]["field"] == "generation_config"
    assert (
        R.camel("thought_signature") == "thoughtSignature"
        and R.snake("thoughtSignature") == "thought_signature"
    )
