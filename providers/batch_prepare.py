"""Preparing a provider batch: every check that can fail without the network, and every request built,
before anything is sent (`AsyncClient.prepare_batch`; providers/batch_driver.py submits the plan).

Refused here: a provider without a batch API (the error names those with one), options a batch cannot
take (stream=True, the tool loop's max_steps= and run_tools=True), an empty input list, custom ids that
are duplicated or that the provider would refuse, and every request through the same `prepare()` as
`chat()` -- the bodies are the chat codecs' `build()` output.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .batch.base import BatchCodec, BatchFacts, BatchSpec, InputKind, batch_facts, jsonl
from .batch.rows import default_custom_id
from .chat.base import Connection
from .errors import InvalidParameterError
from .messages import to_messages
from .registry import ModelInfo, split_model
from .types import ChatRequest

if TYPE_CHECKING:
    from .client import AsyncClient

__all__ = ["BatchPlan", "load_codec", "prepare_batch"]

_NOT_IN_BATCH = {
    "stream": "a batch request cannot stream: its results come back as files when the batch ends",
}
# the tool loop's own settings: a batch makes one turn per request and runs no tools (its results carry
# the calls the model asked for), so these would otherwise reach each request body as unknown fields
_LOOP_ONLY = ("max_steps", "run_tools")


@dataclass
class BatchPlan:
    """A batch ready to submit: every request built and checked, nothing sent."""

    provider: str
    model: str
    facts: BatchFacts
    codec: BatchCodec
    conn: Connection
    spec: BatchSpec
    chat_codec: Any
    request: ChatRequest
    info: ModelInfo
    data: bytes | None = None  # the JSONL file to upload (file input only)
    output: Any = None  # the OutputPlan of output=, each result validated into `result.output`
    notes: list[str] = field(default_factory=list)
    sent: dict[str, Any] = field(default_factory=dict)


def load_codec(facts: BatchFacts) -> BatchCodec:
    assert facts.codec is not None  # batch_facts() refuses providers without one
    module, _, cls = facts.codec.partition(":")
    codec: BatchCodec = getattr(importlib.import_module(module), cls)()
    return codec


def _items(inputs: Any, custom_ids: Any) -> tuple[list[Any], list[str] | None]:
    """The prompts, and the caller's ids (from custom_ids= or a {custom_id: prompt} mapping)."""
    if isinstance(inputs, str):
        raise InvalidParameterError(
            "batch takes a list of prompts, not one string: kit.batch(['first', 'second'], model=...)"
        )
    if isinstance(inputs, Mapping):
        if custom_ids is not None:
            raise InvalidParameterError(
                "give the ids once: as the mapping's keys or as custom_ids=, not both"
            )
        keys = list(inputs)
        if not all(isinstance(k, str) for k in keys):
            raise InvalidParameterError("a {custom_id: prompt} mapping needs string keys")
        return list(inputs.values()), keys
    try:
        items = list(inputs)
    except TypeError:
        raise InvalidParameterError(
            f"batch takes a list of prompts (strings, message lists or dicts), not {type(inputs).__name__}"
        ) from None
    if custom_ids is None:
        return items, None
    if isinstance(custom_ids, str):
        raise InvalidParameterError("custom_ids= is a list with one id per input, not one string")
    ids = list(custom_ids)
    if len(ids) != len(items):
        raise InvalidParameterError(
            f"custom_ids= has {len(ids)} ids for {len(items)} inputs; give one per input"
        )
    if not all(isinstance(i, str) for i in ids):
        raise InvalidParameterError("custom ids are strings")
    return items, ids


def _check_ids(ids: list[str], codec: BatchCodec) -> None:
    seen: dict[str, int] = {}
    for index, custom_id in enumerate(ids):
        if custom_id in seen:
            raise InvalidParameterError(
                f"custom id {custom_id!r} is given twice (inputs {seen[custom_id]} and {index}); "
                "a batch joins each result to its input by id, so every id must be unique"
            )
        seen[custom_id] = index
        why = codec.check_custom_id(custom_id)
        if why is not None:
            raise InvalidParameterError(f"custom id {custom_id!r} (input {index}) is refused: {why}")


def prepare_batch(
    client: AsyncClient,
    inputs: Any,
    *,
    model: str,
    custom_ids: Any = None,
    input: InputKind | None = None,
    metadata: Mapping[str, str] | None = None,
    display_name: str | None = None,
    **options: Any,
) -> BatchPlan:
    """Check a batch and build everything it will send, without sending anything."""
    provider, _ = split_model(model)
    facts = batch_facts(provider)
    for name, why in _NOT_IN_BATCH.items():
        if options.get(name):
            raise InvalidParameterError(f"{name}={options[name]!r} is not possible in a batch: {why}")
        options.pop(name, None)
    for name in _LOOP_ONLY:
        if name not in options:
            continue
        value = options.pop(name)
        if name == "run_tools" and value is False:
            continue  # (what a batch does anyway)
        raise InvalidParameterError(
            f"{name}={value!r} is not possible in a batch: a batch runs no tools, it makes one turn per "
            f"request and its results carry the tool calls the model asked for; drop {name}="
        )
    if input not in (None, "inline", "file"):
        raise InvalidParameterError(
            f"input= takes 'inline', 'file' or None (the provider's default), not {input!r}"
        )
    codec = load_codec(facts)
    items, ids = _items(inputs, custom_ids)
    if not items:
        raise InvalidParameterError("the batch is empty: pass at least one prompt")
    ids = ids if ids is not None else [default_custom_id(i) for i in range(len(items))]
    _check_ids(ids, codec)
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    output = _structured(options)
    for index, item in enumerate(items):  # a bad prompt is named by its input; option errors need no index
        try:
            to_messages(item)
        except InvalidParameterError as exc:
            raise InvalidParameterError(f"input {index} ({ids[index]!r}): {exc.message}") from exc
    preps = [client.prepare(model, item, **options) for item in items]
    first = preps[0]
    endpoint = codec.endpoint(first.call, cast(Connection, first.conn))
    bodies = [cast(dict[str, Any], p.call.json_body) for p in preps]
    size = sum(len(json.dumps(b, ensure_ascii=False)) for b in bodies)
    kind = codec.choose_input(len(items), size, input)
    spec = BatchSpec(
        model=first.request.model,
        endpoint=endpoint,
        custom_ids=ids,
        bodies=bodies,
        input=kind,
        metadata=meta,
        display_name=display_name,
    )
    data = jsonl(codec.file_lines(spec)) if kind == "file" else None
    notes = list(dict.fromkeys(n for p in preps for n in p.notes))
    if facts.discount is not None:
        notes.append(f"batch price: {facts.discount:.0%} of the standard price ({facts.discount_source})")
    sent = {
        "requests": len(items),
        "input": kind,
        "endpoint": endpoint,
        "first request": first.call.sent,
        **({"metadata": meta} if meta else {}),
    }
    return BatchPlan(
        provider=provider,
        model=first.request.model,
        facts=facts,
        codec=codec,
        conn=cast(Connection, first.conn),
        spec=spec,
        chat_codec=first.codec,
        request=first.request,
        info=first.info,
        data=data,
        notes=notes,
        sent=sent,
        output=output,
    )


def _structured(options: dict[str, Any]) -> Any:
    """tools= and output= as the chat call takes them (functions, pydantic models...), made into the
    wire-neutral specs `prepare()` takes; the output plan is returned to validate each result.
    A batch runs no tools: the results carry the tool calls the model asked for."""
    if options.get("tools") is not None:
        from .tools import toolset

        options["tools"] = [t.spec() for t in toolset(options["tools"])]
    if options.get("output") is None:
        options.pop("output", None)
        return None
    from .output import output_plan

    plan = output_plan(options["output"])
    options["output"] = plan.spec
    return plan
