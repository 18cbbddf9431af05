"""Tools from Python (pydantic schemas, docstrings, validation) and the per-provider schema adapters."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

import pydantic
import pytest

from providers.errors import ToolDefinitionError
from providers.schemas import NAME_RULES, example, for_openai, wrap_root
from providers.tools import as_tool, check_names, tool, toolset


def convert(value: float, unit: Literal["m", "ft"] = "m", *, note: str | None = None) -> float:
    """Convert a length.

    Longer explanation.

    Args:
        value: the number
        unit: its unit,
            metric or not
    Returns:
        the result
    """
    return value


def test_function_schema_comes_from_pydantic_with_docstring_descriptions() -> None:
    t = as_tool(convert)
    assert t.name == "convert" and t.description == "Convert a length.\n\nLonger explanation."
    props = t.parameters["properties"]
    assert props["value"] == {"description": "the number", "title": "Value", "type": "number"}
    assert props["unit"]["enum"] == ["m", "ft"] and props["unit"]["description"] == "its unit, metric or not"
    assert t.parameters["required"] == ["value"]
    assert "title" not in t.parameters


def test_sphinx_and_annotated_descriptions() -> None:
    def f(x: Annotated[int, pydantic.Field(description="from Field", ge=0)], y: str) -> None:
        """Do.

        :param y: from sphinx
        """

    t = as_tool(f)
    assert t.parameters["properties"]["x"]["description"] == "from Field"
    assert t.parameters["properties"]["x"]["minimum"] == 0
    assert t.parameters["properties"]["y"]["description"] == "from sphinx"


def test_missing_hint_and_star_args_are_named() -> None:
    def no_hint(a: int, b):  # type: ignore[no-untyped-def]
        pass

    def star(*args: int) -> None:
        pass

    with pytest.raises(ToolDefinitionError, match="parameter 'b' has no type hint") as info:
        as_tool(no_hint)
    assert info.value.tool == "no_hint"
    with pytest.raises(ToolDefinitionError, match=r"\*args cannot be described"):
        as_tool(star)


def test_validation_converts_and_strict_nulls_fall_back_to_defaults() -> None:
    t = as_tool(convert)
    assert t.validate({"value": "2.5", "unit": None, "note": None}) == {
        "value": 2.5,
        "unit": "m",
        "note": None,
    }
    with pytest.raises(pydantic.ValidationError):
        t.validate({"value": "many"})
    assert asyncio.run(t.run({"value": 3})) == 3.0


def test_async_and_callable_objects_and_overrides() -> None:
    async def fetch(url: str) -> str:
        return url

    class Counter:
        def __call__(self, n: int) -> int:
            return n + 1

    assert as_tool(fetch).is_async and asyncio.run(as_tool(fetch).run({"url": "u"})) == "u"
    counter = as_tool(Counter())
    assert counter.name == "Counter" and not counter.is_async
    assert asyncio.run(counter.run({"n": 1})) == 2
    renamed = tool(convert, name="to_feet", description="d", strict=False)
    assert (renamed.name, renamed.description, renamed.strict) == ("to_feet", "d", False)


def test_overrides_win_whatever_the_tool_is_made_from() -> None:
    """tool(..., name=, description=) on a schema dict or a Tool is not dropped; an empty name is kept
    (and refused by the provider's name rule), not replaced by the function's."""
    spec = {"name": "f", "description": "old", "parameters": {"type": "object"}}
    for made in (tool(spec, name="g", description="new"), tool(as_tool(spec), name="g", description="new")):
        assert (made.name, made.description) == ("g", "new")
    assert tool(convert, name="").name == ""
    with pytest.raises(ToolDefinitionError, match="rejects the tool name ''"):
        check_names([tool(convert, name="")], NAME_RULES["openai"], "openai")


def test_models_and_dicts_are_tools_without_functions() -> None:
    class Clause(pydantic.BaseModel):
        """A clause."""

        party: str

    t = as_tool(Clause)
    assert t.name == "Clause" and t.description == "A clause." and not t.runnable
    d = as_tool({"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}})
    assert d.name == "f" and d.parameters == {"type": "object"}
    with pytest.raises(ToolDefinitionError, match="needs 'name'"):
        as_tool({"parameters": {}})


def test_duplicates_and_provider_name_rules() -> None:
    with pytest.raises(ToolDefinitionError, match="two tools are named 'convert'"):
        toolset([convert, convert])
    long = as_tool({"name": "x" * 65, "parameters": {"type": "object"}})
    with pytest.raises(ToolDefinitionError, match="at most 64"):
        check_names([long], NAME_RULES["openai"], "openai")
    check_names([as_tool({"name": "a.b:c", "parameters": {}})], NAME_RULES["gemini"], "gemini")
    with pytest.raises(ToolDefinitionError):
        check_names([as_tool({"name": "1abc", "parameters": {}})], NAME_RULES["gemini"], "gemini")


def test_openai_strict_closes_objects_and_requires_everything() -> None:
    class Inner(pydantic.BaseModel):
        a: int
        b: str = "x"

    class Outer(pydantic.BaseModel):
        inner: Inner
        tags: list[str] = pydantic.Field(default_factory=list, min_length=1, max_length=3)
        name: str = pydantic.Field("n", min_length=2)
        choice: int | str

    adapted = for_openai(Outer.model_json_schema())
    s = adapted.schema
    assert adapted.strict_ok and s["additionalProperties"] is False
    assert s["required"] == ["inner", "tags", "name", "choice"]
    inner = s["$defs"]["Inner"]
    assert inner["required"] == ["a", "b"] and inner["properties"]["b"]["type"] == ["string", "null"]
    assert s["properties"]["tags"]["maxItems"] == 3  # strict mode takes array bounds
    assert "minLength" not in str(s["properties"]["name"]) or "{minLength: 2}" in str(s["properties"]["name"])
    assert "name.minLength" in adapted.moved


def test_openai_strict_refuses_what_it_cannot_take() -> None:
    mapping = pydantic.TypeAdapter(dict[str, int]).json_schema()
    assert not for_openai({"type": "object", "properties": {"m": mapping}}).strict_ok
    tup = pydantic.TypeAdapter(tuple[int, str]).json_schema()
    adapted = for_openai({"type": "object", "properties": {"t": tup}, "required": ["t"]})
    assert not adapted.strict_ok and "tuple" in adapted.why[0]
    assert not for_openai({"type": "array", "items": {"type": "integer"}}).strict_ok


def test_openai_strict_gives_every_node_a_type() -> None:
    """The API answers 400 "schema must have a 'type' key" for a node without one: an enum's or a
    const's type comes from its values, and a field of any type (Any) makes the schema non-strict."""

    class Loose(pydantic.BaseModel):
        anything: Any
        maybe: Any | None = None
        mixed: list[Any]

    adapted = for_openai(Loose.model_json_schema())
    assert not adapted.strict_ok
    assert adapted.why == [
        "anything: a value of any type (no 'type')",
        "maybe: a value of any type (no 'type')",
        "mixed[]: a value of any type (no 'type')",
    ]
    typed = for_openai(
        {
            "type": "object",
            "properties": {"k": {"const": "fact"}, "e": {"enum": [1, "a", None]}, "o": {"properties": {}}},
            "required": ["k", "e", "o"],
        }
    )
    assert typed.strict_ok, typed.why
    props = typed.schema["properties"]
    assert props["k"]["type"] == "string" and props["e"]["type"] == ["integer", "string", "null"]
    assert props["o"]["type"] == "object"


def test_wrap_root_for_non_object_outputs() -> None:
    schema: dict[str, Any] = pydantic.TypeAdapter(list[int]).json_schema()
    wrapped, did = wrap_root(schema)
    assert did and wrapped["properties"]["value"] == schema and wrapped["required"] == ["value"]
    assert wrap_root({"type": "object"}) == ({"type": "object"}, False)


def test_a_function_schema_is_made_once_and_overrides_do_not_leak() -> None:
    assert as_tool(convert) is as_tool(convert)
    loose = tool(convert, strict=False)
    assert loose.strict is False and as_tool(convert).strict is None


class Tree(pydantic.BaseModel):
    name: str
    children: list[Tree]


class Chain(pydantic.BaseModel):
    name: str
    parent: Chain | None


def test_examples_of_recursive_schemas_end_and_validate() -> None:
    """The example a schema gets (DeepSeek's prompt, the sandbox's answers) takes a recursive schema's way
    out -- an empty list, a null -- after a few levels; it recursed until RecursionError before."""
    for model in (Tree, Chain):
        for schema in (model.model_json_schema(), for_openai(model.model_json_schema()).schema):
            model.model_validate(example(schema))
    no_way_out = {
        "$defs": {"N": {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}, "required": ["n"]}},
        "$ref": "#/$defs/N",
    }
    value, depth = example(no_way_out), 0
    while isinstance(value, dict):  # it stops, even where the schema allows no end
        value, depth = value["n"], depth + 1
    assert value is None and depth > 3
