"""The tool loop: ask the model, run the tools it calls, send the results back, until it answers.

    r = await client.chat("openai/gpt-6.1-terra", "How many feet is 3.2 km?", tools=[convert])
    r.text, r.tool_calls, r.steps          # the answer; every call with its result; every turn

It drives `AsyncClient` one turn at a time (each turn is an ordinary call: checked before it is sent,
retried, priced), so it sits beside the client, not in a codec. What it guarantees:

* A call to an unknown tool, arguments that are not JSON or fail the tool's own validation, and a tool
  that raises all become error results sent back to the model (so it can recover), never a crash.
* Async tools are awaited on the client's loop; sync tools run in a worker thread (`asyncio.to_thread`),
  so a slow tool does not freeze other work and a cancel (Ctrl-C) returns at once -- the thread itself
  cannot be stopped and finishes on its own, its result unused.
* Several calls in one turn run concurrently; their results go back in the order of the calls.
* `max_steps` bounds the model turns; when reached, the result is marked `stopped="max_steps"`, every
  turn kept. A cancel keeps every finished turn in `ToolRun.partial()`.
* `tool_choice="required"` (or a tool's name) applies to the first turn only; later turns use "auto",
  or the loop could never end.
* A tool without a function (a pydantic model or a schema dict) is a way to get arguments: when the model
  calls one, the loop returns with that call unrun.
* `output=` (providers/output.py) rides on every turn; the answer that ends the loop is validated into
  `result.output` (a refusal or invalid JSON is a typed error that keeps the result and the raw text).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pydantic

from .errors import IncompleteStreamError, InvalidParameterError
from .messages import to_messages
from .output import OutputPlan, output_plan, parse_output
from .tools import Tool, toolset
from .types import (
    ChatResult,
    Done,
    Message,
    StepDone,
    StreamEvent,
    ToolCall,
    ToolCallPart,
    ToolResultEvent,
    ToolResultPart,
    Usage,
)

if TYPE_CHECKING:
    from .client import AsyncClient

__all__ = ["DEFAULT_MAX_STEPS", "ToolRun", "result_content", "sum_usage"]

DEFAULT_MAX_STEPS = 10
_ERROR_LIMIT = 2000


def result_content(value: Any) -> str:
    """A tool's return value as the text the model reads: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump_json()
    try:
        return json.dumps(value, ensure_ascii=False, default=_default)
    except (TypeError, ValueError):
        return str(value)


def _default(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    return pydantic.TypeAdapter(Any).dump_python(value, mode="json") if value is not None else None


def _validation_text(exc: pydantic.ValidationError) -> str:
    bits = []
    for err in exc.errors()[:8]:
        where = ".".join(str(x) for x in err.get("loc", ())) or "arguments"
        bits.append(f"{where}: {err.get('msg')}")
    return "; ".join(bits)


def sum_usage(results: Sequence[ChatResult]) -> Usage:
    """Token counts added over turns (a field stays None only if no turn reported it)."""
    total: dict[str, int | None] = {}
    for name in Usage.model_fields:
        values = [getattr(r.usage, name) for r in results if getattr(r.usage, name) is not None]
        total[name] = sum(values) if values else None
    return Usage(**total)


def _sum_cost(results: Sequence[ChatResult]) -> float | None:
    costs = [r.cost_usd for r in results if r.cost_usd is not None]
    return round(sum(costs), 10) if costs else None


class ToolRun:
    """One tool loop: its settings, and every turn and call so far (readable after a cancel)."""

    def __init__(
        self,
        client: AsyncClient,
        model: str,
        prompt: Any,
        *,
        tools: Sequence[Any] = (),
        tool_choice: str | None = None,
        parallel_tool_calls: bool | None = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        run_tools: bool = True,
        output: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 1:
            raise InvalidParameterError(f"max_steps must be a positive integer, got {max_steps!r}")
        self.client = client
        self.model = model
        self.tools: list[Tool] = toolset(tools)
        self.by_name = {t.name: t for t in self.tools}
        self.tool_choice = tool_choice
        self.parallel_tool_calls = parallel_tool_calls
        self.max_steps = max_steps
        self.run_tools = run_tools
        self.plan: OutputPlan | None = output_plan(output) if output is not None else None
        self.kwargs = kwargs
        self.messages, system = to_messages(prompt)
        given = kwargs.pop("system", None)
        self.system = "\n\n".join(s for s in (given, system) if s) or None
        self.steps: list[ChatResult] = []
        self.calls: list[ToolCall] = []
        self.conversation: list[Message] = []
        self.notes: list[str] = []
        self.started = time.perf_counter()
        # everything that can fail without the network fails here, before the first request
        self.client.prepare(model, self._prompt(), **self._call_kwargs(0))

    # -- one turn --------------------------------------------------------------------------------

    def _prompt(self) -> list[Message]:
        return [*self.messages, *self.conversation]

    def _call_kwargs(self, step: int) -> dict[str, Any]:
        choice = self.tool_choice
        if step > 0 and choice not in (None, "auto", "none"):
            choice = "auto"
        return {
            **self.kwargs,
            "system": self.system,
            "tools": [t.spec() for t in self.tools],
            "tool_choice": choice,
            "parallel_tool_calls": self.parallel_tool_calls,
            "output": self.plan.spec if self.plan is not None else None,
        }

    async def _turn(self, step: int) -> ChatResult:
        return await self.client._chat_one(self.model, self._prompt(), **self._call_kwargs(step))

    async def _run_call(self, part: ToolCallPart, step: int) -> ToolCall:
        started = time.perf_counter()
        tool = self.by_name.get(part.name)
        if tool is None:
            known = ", ".join(sorted(self.by_name)) or "none"
            content, is_error = f"unknown tool {part.name!r}; the tools are: {known}", True
        elif part.invalid_json:
            raw = (part.raw_arguments or "")[:300]
            content, is_error = f"the arguments were not a JSON object: {raw!r}", True
        else:
            try:
                content, is_error = result_content(await tool.run(part.arguments)), False
            except pydantic.ValidationError as exc:
                content, is_error = f"invalid arguments for {part.name}: {_validation_text(exc)}", True
            except Exception as exc:  # the tool's own failure goes back to the model, which may recover
                content, is_error = f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT], True
        result = ToolResultPart(call_id=part.id, name=part.name, content=content, is_error=is_error)
        return ToolCall(
            part=part, result=result, step=step, duration_s=round(time.perf_counter() - started, 4)
        )

    def _pending(self, result: ChatResult) -> list[ToolCallPart] | None:
        """The calls to run after this turn, or None when the loop ends here."""
        parts = [p for p in result.parts if isinstance(p, ToolCallPart)]
        if not parts or not self.run_tools:
            return None
        declared = [p.name for p in parts if p.name in self.by_name and not self.by_name[p.name].runnable]
        if declared:
            self.notes.append(
                f"the model called {', '.join(sorted(set(declared)))}, which has no function: returned unrun"
            )
            return None
        return parts

    async def _run_calls(self, step: int, parts: list[ToolCallPart]) -> list[ToolCall]:
        calls = list(await asyncio.gather(*(self._run_call(p, step) for p in parts)))
        self.calls += calls
        self.conversation.append(Message.tool_results(*(c.result for c in calls if c.result is not None)))
        return calls

    # -- the loop --------------------------------------------------------------------------------

    async def run(self) -> ChatResult:
        """Run the loop to the model's answer (or max_steps); return the combined result."""
        for step in range(self.max_steps):
            result = await self._turn(step)
            self._keep(result)
            parts = self._pending(result)
            if parts is None:
                return self.answer()
            if step + 1 == self.max_steps:
                return self.final(stopped="max_steps")
            await self._run_calls(step, parts)
        raise AssertionError("unreachable")  # pragma: no cover

    async def stream(self) -> AsyncIterator[StreamEvent]:
        """The loop, live: each turn's deltas, StepDone after each turn, ToolResultEvent per call, Done."""
        for step in range(self.max_steps):
            result: ChatResult | None = None
            try:
                async for event in self.client._stream_one(
                    self.model, self._prompt(), **self._call_kwargs(step)
                ):
                    if isinstance(event, Done):
                        result = event.result
                    else:
                        yield event
            except IncompleteStreamError as exc:
                self._keep(exc.partial)
                raise IncompleteStreamError(
                    exc.message, partial=self.final(stopped="error"), provider=exc.provider, status=exc.status
                ) from exc
            assert result is not None
            self._keep(result)
            yield StepDone(result=result)
            parts = self._pending(result)
            if parts is None:
                yield Done(result=self.answer())
                return
            if step + 1 == self.max_steps:
                yield Done(result=self.final(stopped="max_steps"))
                return
            for call in await self._run_calls(step, parts):
                yield ToolResultEvent(call=call)

    def _keep(self, result: ChatResult) -> None:
        self.steps.append(result)
        self.conversation.append(result.to_message())

    def final(self, stopped: str | None = None) -> ChatResult:
        """The combined result: the last turn's parts, every turn and call, usage and cost summed."""
        last = self.steps[-1]
        unrun = [
            ToolCall(part=p, step=len(self.steps) - 1) for p in last.parts if isinstance(p, ToolCallPart)
        ]
        ran = {c.id for c in self.calls}
        calls = [*self.calls, *(c for c in unrun if c.id not in ran)]
        notes: list[str] = []
        for r in self.steps:
            notes += [n for n in r.notes if n not in notes]
        notes += [n for n in self.notes if n not in notes]
        if stopped == "max_steps":
            notes.append(
                f"stopped after max_steps={self.max_steps} turns; the last turn's calls were not run"
            )
        if len(self.steps) > 1 and self.tool_choice not in (None, "auto", "none"):
            notes.append(
                f"tool_choice={self.tool_choice!r} applied to the first turn; later turns used 'auto'"
            )
        return last.model_copy(
            update={
                "steps": list(self.steps) if len(self.steps) > 1 or self.calls else [],
                "calls": calls if self.calls else [],
                "conversation": list(self.conversation) if self.calls else [],
                "usage": sum_usage(self.steps),
                "cost_usd": _sum_cost(self.steps),
                "latency_s": round(time.perf_counter() - self.started, 4),
                "retries": [x for r in self.steps for x in r.retries],
                "notes": notes,
                "stopped": stopped,
            }
        )

    def answer(self) -> ChatResult:
        """The final result of a loop that ended with the model's answer, its structured output validated."""
        result = self.final()
        if self.plan is None or any(isinstance(p, ToolCallPart) for p in result.parts):
            return result
        return result.model_copy(update={"output": parse_output(result, self.plan)})

    def partial(self, stopped: str = "cancelled") -> ChatResult | None:
        """What the loop has so far (after a cancel), or None if no turn finished."""
        return self.final(stopped=stopped) if self.steps else None


def check_tools_arg(tools: Any) -> Sequence[Any]:
    """tools= as a sequence (a single function is accepted too)."""
    if tools is None:
        return ()
    if callable(tools) or isinstance(tools, Mapping):
        return [tools]
    return list(tools)
