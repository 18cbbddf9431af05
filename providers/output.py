"""Structured output: `output=` (a pydantic model or any type pydantic validates) to a schema, and the
model's answer back to a validated value.

    plan = output_plan(Clause)          # OutputSpec for the codecs (name, JSON Schema, strict)
    value = parse_output(result, plan)  # a Clause, or a typed error

Each codec sends `request.output` its provider's way (Responses `text.format`, Chat `response_format`,
DeepSeek `json_object` with the schema in the prompt, ...); this module is the same for all. A schema
whose root is not an object (a list, a number) is wrapped as `{"value": ...}` -- providers want an
object -- and unwrapped here. What comes back is checked in order: a refusal (or a safety stop, Gemini's
way of refusing) raises `RefusalError`; an
answer cut off at the token limit, text that is not JSON (or blank, which DeepSeek's JSON mode can
send) or JSON that fails validation raise `OutputError`, which keeps the raw text and the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pydantic

from .errors import InvalidParameterError, OutputError, RefusalError
from .schemas import example, wrap_root
from .types import ChatResult, OutputSpec, TextPart

__all__ = ["OutputPlan", "output_plan", "parse_output", "schema_prompt"]

_NAME = re.compile(r"[^a-zA-Z0-9_-]")


@dataclass(frozen=True)
class OutputPlan:
    """What `output=` asked for: the spec sent, how to validate, whether the root was wrapped."""

    spec: OutputSpec
    adapter: pydantic.TypeAdapter[Any] | None  # None: a raw schema dict (the JSON is returned as parsed)
    wrapped: bool
    target: Any


def _name_of(target: Any) -> str:
    raw = getattr(target, "__name__", None) or "output"
    return _NAME.sub("_", str(raw))[:64] or "output"


def output_plan(target: Any, *, name: str | None = None, strict: bool = True) -> OutputPlan:
    """The plan for `output=`: a pydantic model, any type pydantic validates, or a JSON Schema dict."""
    if isinstance(target, OutputPlan):
        return target
    if isinstance(target, OutputSpec):
        return OutputPlan(target, None, False, target)
    if isinstance(target, dict):
        schema, wrapped = wrap_root(dict(target))
        spec = OutputSpec(
            name=name or str(target.get("title") or "output"), json_schema=schema, strict=strict
        )
        return OutputPlan(spec, None, wrapped, target)
    try:
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(target)
        schema = adapter.json_schema()
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError) as exc:
        raise InvalidParameterError(
            f"output= takes a pydantic model, a type pydantic validates (list[int], a TypedDict...) or a "
            f"JSON schema dict; {target!r} is none of these ({exc})"
        ) from exc
    # (a docstring is already the schema's description: not repeated beside it, as openai's SDK does)
    schema, wrapped = wrap_root(schema)
    spec = OutputSpec(name=name or _name_of(target), json_schema=schema, strict=strict)
    return OutputPlan(spec, adapter, wrapped, target)


def schema_prompt(spec: OutputSpec) -> str:
    """The instruction for providers that take JSON mode without a schema (DeepSeek) or no mode at all:
    the schema and an example, as DeepSeek's JSON-mode guide asks ("json" in the prompt, an example)."""
    sample = json.dumps(example(spec.json_schema), ensure_ascii=False)
    return (
        "Answer with one JSON object only, no prose and no code fences. It must match this JSON Schema:\n"
        f"```json\n{json.dumps(spec.json_schema, ensure_ascii=False)}\n```\n"
        f"An example of the form (not the content): {sample}"
    )


def _fenced(text: str) -> str:
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", text, re.S)
    return match.group(1) if match else text


def parse_output(result: ChatResult, plan: OutputPlan) -> Any:
    """The validated value of a structured answer, or RefusalError / OutputError (raw text kept)."""
    provider = result.provider
    refusal = "".join(p.text for p in result.parts if isinstance(p, TextPart) and p.refusal)
    if refusal or result.finish_reason == "refusal":
        raise RefusalError(
            f"{provider}/{result.model} refused to answer in the asked form: {refusal or result.text}"[:500],
            refusal=refusal or result.text,
            result=result,
            provider=provider,
        )
    if result.finish_reason == "content_filter":  # Gemini's refusal: a SAFETY (or similar) stop
        raise RefusalError(
            f"{provider}/{result.model} stopped the structured answer with its safety filter "
            f"(finish reason {result.raw_finish_reason})",
            refusal=result.text,
            result=result,
            provider=provider,
        )
    text = result.text
    if result.finish_reason == "length":
        raise OutputError(
            f"the structured answer was cut off at the token limit ({len(text)} characters arrived); "
            "raise max_tokens",
            raw_text=text,
            result=result,
            provider=provider,
        )
    if not text.strip():
        raise OutputError(
            f"{provider}/{result.model} sent a blank answer where JSON was asked (JSON mode does this when "
            "the model's output was not JSON); try again",
            raw_text=text,
            result=result,
            provider=provider,
        )
    try:
        data = json.loads(_fenced(text))
    except RecursionError as exc:
        raise OutputError(
            "the answer is JSON nested too deeply to read; the raw text is kept in .raw_text",
            raw_text=text,
            result=result,
            provider=provider,
        ) from exc
    except json.JSONDecodeError as exc:
        raise OutputError(
            f"the answer is not JSON ({exc.msg} at character {exc.pos}); the raw text is kept in .raw_text",
            raw_text=text,
            result=result,
            provider=provider,
        ) from exc
    if plan.wrapped:
        if not isinstance(data, dict) or "value" not in data:
            raise OutputError(
                'the answer lacks the "value" key the wrapped schema asked for',
                raw_text=text,
                result=result,
                provider=provider,
            )
        data = data["value"]
    if plan.adapter is None:
        return data
    try:
        return plan.adapter.validate_python(data)
    except pydantic.ValidationError as exc:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()
        ]
        where = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'answer'}: {e['msg']}" for e in errors[:5])
        raise OutputError(
            f"the answer does not fit {plan.spec.name}: {where}",
            raw_text=text,
            result=result,
            errors=errors,
            provider=provider,
        ) from exc
