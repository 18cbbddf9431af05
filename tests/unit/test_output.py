"""providers/output.py: output= into a schema, the answer back into a value, each failure typed."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from providers.errors import InvalidParameterError, OutputError, RefusalError
from providers.output import output_plan, parse_output, schema_prompt
from providers.types import ChatResult, TextPart


class Point(BaseModel):
    """A point."""

    x: int
    y: int = 0


class Pair(TypedDict):
    a: str


def result(text: str, finish: str = "stop", refusal: bool = False) -> ChatResult:
    return ChatResult(
        provider="p", model="m", parts=[TextPart(text=text, refusal=refusal)], finish_reason=finish
    )


def test_plans_name_and_wrap() -> None:
    plan = output_plan(Point)
    assert (
        plan.spec.name == "Point" and plan.spec.json_schema["description"] == "A point." and not plan.wrapped
    )
    assert output_plan(Pair).spec.name == "Pair"
    listed = output_plan(list[int])
    assert listed.wrapped and listed.spec.name == "list" and listed.spec.json_schema["required"] == ["value"]
    raw = output_plan({"type": "object", "title": "My Thing", "properties": {}})
    assert raw.adapter is None and raw.spec.name == "My Thing"
    with pytest.raises(InvalidParameterError, match="output= takes"):
        output_plan(object())


def test_parse_values_fences_and_wrapping() -> None:
    assert parse_output(result('{"x": 1}'), output_plan(Point)) == Point(x=1)
    assert parse_output(result('```json\n{"x": 2, "y": 3}\n```'), output_plan(Point)) == Point(x=2, y=3)
    assert parse_output(result('{"value": [1, 2]}'), output_plan(list[int])) == [1, 2]
    assert parse_output(result('{"a": "b"}'), output_plan(Pair)) == {"a": "b"}


def test_each_failure_is_typed_and_keeps_the_text() -> None:
    plan = output_plan(Point)
    with pytest.raises(RefusalError) as refused:
        parse_output(result("no", "refusal", refusal=True), plan)
    assert refused.value.refusal == "no" and refused.value.result is not None
    with pytest.raises(OutputError, match="cut off"):
        parse_output(result('{"x": ', "length"), plan)
    with pytest.raises(OutputError, match="blank answer"):
        parse_output(result("   "), plan)
    with pytest.raises(OutputError, match="not JSON") as bad:
        parse_output(result("x = 1"), plan)
    assert bad.value.raw_text == "x = 1"
    with pytest.raises(OutputError, match="does not fit Point: x:") as invalid:
        parse_output(result('{"x": "many"}'), plan)
    assert invalid.value.errors[0]["loc"] == ["x"]
    with pytest.raises(OutputError, match='lacks the "value" key'):
        parse_output(result("[1]"), output_plan(list[int]))


def test_schema_prompt_has_the_schema_and_an_example() -> None:
    text = schema_prompt(output_plan(Point).spec)
    assert "JSON Schema" in text and '"x"' in text and '{"x": 1}' in text
