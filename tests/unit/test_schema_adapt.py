"""The Anthropic, Gemini and Mistral schema adapters, with the official SDKs' own helpers as oracles."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from providers.schemas import for_anthropic, for_gemini, for_mistral


class Address(BaseModel):
    street: str = Field(max_length=80)
    zip: str = Field(pattern=r"^\d{5}$")


class Person(BaseModel):
    """A person."""

    name: str = Field(description="Full name", min_length=1)
    age: int = Field(ge=0, le=150)
    kind: Literal["a", "b"] = "a"
    only: Literal["x"]
    nick: str | None = None
    born: date
    email: str = Field(json_schema_extra={"format": "email"})
    site: str = Field(json_schema_extra={"format": "hostname-ish"})
    tags: list[str] = Field(min_length=1, max_length=3)
    home: Address = Field(description="where")
    homes: list[Address] = []


MODELS = [Person, Address]


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_matches_the_sdk_transform(model: type[BaseModel]) -> None:
    transform = pytest.importorskip("anthropic.lib._parse._transform").transform_schema
    schema = model.model_json_schema()
    adapted = for_anthropic(schema)
    assert adapted.schema == transform(copy.deepcopy(schema)) and adapted.strict_ok
    assert schema == model.model_json_schema()  # the input is not changed


def test_anthropic_moves_what_it_cannot_take_and_says_what_it_cannot_adapt() -> None:
    adapted = for_anthropic(Person.model_json_schema())
    props = adapted.schema["properties"]
    assert props["age"] == {"type": "integer", "title": "Age", "description": "{maximum: 150, minimum: 0}"}
    assert props["kind"]["enum"] == ["a", "b"] and "type" not in props["kind"]  # a literal stands alone
    assert props["email"]["format"] == "email" and "format" not in props["site"]
    assert props["tags"]["minItems"] == 1 and "maxItems: 3" in props["tags"]["description"]
    assert "age.minimum" in adapted.moved and "site.format" in adapted.moved

    class Bad(BaseModel):
        counts: dict[str, int]
        pair: tuple[int, str]
        anything: Any

    bad = for_anthropic(Bad.model_json_schema())
    assert not bad.strict_ok
    assert bad.why == [
        "counts: a free-form mapping (additionalProperties)",
        "pair: a tuple (prefixItems)",
        "anything: a value of any type (no 'type')",
    ]
    listed = for_anthropic({"type": "object", "properties": {"x": {"type": ["string", "null"]}}})
    assert listed.schema["properties"]["x"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}


@pytest.mark.parametrize("model", MODELS)
def test_mistral_matches_the_sdk_helper(model: type[BaseModel]) -> None:
    helper = pytest.importorskip("mistralai.extra.utils._pydantic_helper").rec_strict_json_schema
    schema = model.model_json_schema()
    adapted = for_mistral(schema)
    assert adapted.schema == helper(copy.deepcopy(schema)) and adapted.strict_ok

    class Map(BaseModel):
        counts: dict[str, int]

    assert for_mistral(Map.model_json_schema()).why == ["counts: a free-form mapping (additionalProperties)"]


def test_gemini_keeps_its_keyword_list_and_moves_the_rest() -> None:
    adapted = for_gemini(Person.model_json_schema())
    props = adapted.schema["properties"]
    assert props["age"]["minimum"] == 0 and props["age"]["maximum"] == 150  # Gemini takes these
    assert props["name"]["description"] == "Full name\n\n{minLength: 1}"
    assert props["only"]["enum"] == ["x"] and "const" not in props["only"]
    assert props["tags"]["minItems"] == 1 and props["tags"]["maxItems"] == 3
    # a $ref with a sibling is inlined ("a $ref sub-schema may carry only $ siblings")
    assert props["home"]["description"] == "where" and props["home"]["properties"]["street"]
    assert props["homes"]["items"] == {"$ref": "#/$defs/Address"}  # a bare $ref stays
    assert props["born"] == {"format": "date", "title": "Born", "type": "string"}
    allowed = {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items",
        "prefixItems", "minItems", "maxItems", "minimum", "maximum", "anyOf", "oneOf", "properties",
        "additionalProperties", "required", "propertyOrdering",
    }  # fmt: skip

    def keys(node: Any) -> set[str]:
        if isinstance(node, list):
            return set().union(*(keys(n) for n in node)) if node else set()
        if not isinstance(node, dict):
            return set()
        own = set(node)
        for key, value in node.items():
            if key in ("properties", "$defs"):
                own |= set().union(*(keys(v) for v in value.values())) if value else set()
            elif key not in ("enum", "required"):
                own |= keys(value)
        return own

    assert keys(adapted.schema) <= allowed
    assert not for_gemini({"allOf": [{"type": "string"}, {"minLength": 1}]}).strict_ok
    merged = for_gemini({"allOf": [{"type": "string"}], "description": "d"})
    assert merged.schema == {"type": "string", "description": "d"}
