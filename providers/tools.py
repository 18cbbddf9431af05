"""Tools from Python: a function (its type hints and docstring), a pydantic model, or a JSON schema dict.

    def convert(value: float, from_unit: str, to_unit: str) -> float:
        \"\"\"Convert between units of length.

        Args:
            value: the number to convert
        \"\"\"
    tools = toolset([convert])          # -> [Tool]; tools[0].spec() is what the model sees

The schema is pydantic's: the signature becomes a model (`pydantic.create_model`) whose JSON Schema is the
tool's parameters, and the same model validates the model's arguments before the function runs. A
parameter without a type hint is refused, naming it. A pydantic model or a schema dict is a tool with
no function: the model may call it, and the call comes back unrun (a way to get arguments, not actions).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import inspect
import re
import types
import typing
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic

from .errors import InvalidParameterError, ToolDefinitionError
from .schemas import NameRule
from .types import ChatRequest, ToolSpec

__all__ = ["Tool", "as_tool", "check_names", "check_tool_choice", "tool", "toolset"]

_FUNCTIONS: weakref.WeakKeyDictionary[Any, Tool] = weakref.WeakKeyDictionary()
_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Keyword Args)\s*:?\s*$")
_HEADER = re.compile(r"^([A-Z][A-Za-z ]*):\s*$")
_GOOGLE_ARG = re.compile(r"^\s+(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ARG = re.compile(r"^(\w+)\s*:\s*[^\s].*()$")
_SPHINX_ARG = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")


@dataclass
class Tool:
    """One tool: what the model sees (name, description, parameters) and what runs (fn, validated)."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    fn: Callable[..., Any] | None = None
    args_model: type[pydantic.BaseModel] | None = None
    strict: bool | None = None
    positional: tuple[str, ...] = ()  # positional-only parameters, passed in order
    drop_none: frozenset[str] = frozenset()  # optional params that do not take None (strict sends null)

    def spec(self) -> ToolSpec:
        return ToolSpec(
            name=self.name, description=self.description, parameters=self.parameters, strict=self.strict
        )

    @property
    def runnable(self) -> bool:
        return self.fn is not None

    @property
    def is_async(self) -> bool:
        fn = self.fn
        while isinstance(fn, functools.partial):
            fn = fn.func
        call = type(fn).__dict__.get("__call__") if not inspect.isroutine(fn) else None
        return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(call)

    def validate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments checked and converted by the tool's model (raises pydantic.ValidationError)."""
        if self.args_model is None:
            return dict(arguments)
        given = {k: v for k, v in arguments.items() if not (v is None and k in self.drop_none)}
        model = self.args_model.model_validate(given)
        return {name: getattr(model, name) for name in type(model).model_fields}

    async def run(self, arguments: Mapping[str, Any]) -> Any:
        """Validate and call. A sync function runs in a worker thread, so the loop (and Ctrl-C) stay free."""
        if self.fn is None:
            raise ToolDefinitionError(f"tool {self.name!r} has no function to run", tool=self.name)
        kwargs = self.validate(arguments)
        args = [kwargs.pop(name) for name in self.positional]
        if self.is_async:
            result = await self.fn(*args, **kwargs)
        else:
            result = await asyncio.to_thread(self.fn, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


def _doc_parts(doc: str | None) -> tuple[str, dict[str, str]]:
    """The description (docstring without its sections) and each argument's description.

    Reads Google style (`Args:` then `name: text`), Sphinx (`:param name: text`) and NumPy style
    (`Parameters` / `----------` / `name : type` then indented text)."""
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    text: list[str] = []
    params: dict[str, str] = {}
    current: str | None = None
    section: str | None = None  # None (description), "args", or "other" (Returns:, Raises:, ...)
    for i, line in enumerate(lines):
        stripped = line.strip()
        underline = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
        header = _HEADER.match(line) or (underline and re.match(r"^[A-Z][A-Za-z ]*$", stripped))
        if header:
            section, current = ("args" if _SECTION.match(stripped.rstrip(":")) else "other"), None
            continue
        if stripped and set(stripped) == {"-"}:
            continue
        sphinx = _SPHINX_ARG.match(line)
        if sphinx:
            current, section = sphinx.group(1), "sphinx"
            params[current] = sphinx.group(2).strip()
            continue
        if stripped.startswith((":return", ":rtype", ":raises")):
            section, current = "other", None
            continue
        if section == "args":
            google = _GOOGLE_ARG.match(line) or _NUMPY_ARG.match(line)
            if google:
                current = google.group(1).lstrip("*")
                params[current] = google.group(2).strip()
            elif stripped and current:
                params[current] = f"{params[current]} {stripped}".strip()
        elif section is None:
            text.append(line)
        elif section == "sphinx" and current and stripped and line.startswith((" ", "\t")):
            params[current] = f"{params[current]} {stripped}".strip()  # a :param's next line
    return "\n".join(text).strip(), params


def _accepts_none(annotation: Any) -> bool:
    if annotation is Any or annotation is None or annotation is type(None):
        return True
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return any(_accepts_none(a) for a in get_args(annotation))
    if origin is Annotated:
        return _accepts_none(get_args(annotation)[0])
    return False


def _name_of(fn: Any) -> str:
    target = fn.func if isinstance(fn, functools.partial) else fn
    return str(getattr(target, "__name__", None) or type(target).__name__)


def _from_function(fn: Callable[..., Any], name: str | None, description: str | None) -> Tool:
    tool_name = name if name is not None else _name_of(fn)
    try:
        sig = inspect.signature(fn)
        hints = _hints(fn)
    except (TypeError, ValueError, NameError) as exc:
        raise ToolDefinitionError(
            f"tool {tool_name!r}: cannot read its signature ({exc})", tool=tool_name
        ) from exc
    summary, arg_docs = _doc_parts(inspect.getdoc(fn))
    fields: dict[str, Any] = {}
    positional: list[str] = []
    drop_none: set[str] = set()
    for pname, param in sig.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            star = "*" if param.kind == param.VAR_POSITIONAL else "**"
            raise ToolDefinitionError(
                f"tool {tool_name!r}: parameter {star}{pname} cannot be described to a model; "
                "give each argument its own named, typed parameter",
                tool=tool_name,
            )
        if pname not in hints:
            raise ToolDefinitionError(
                f"tool {tool_name!r}: parameter {pname!r} has no type hint; annotate it "
                f"(e.g. {pname}: str) so the model knows what to send",
                tool=tool_name,
            )
        annotation = hints[pname]
        default = ... if param.default is param.empty else param.default
        # (a description in Annotated[..., Field(description=...)] is kept unless the docstring gives one)
        info = pydantic.Field(default, description=arg_docs[pname]) if pname in arg_docs else default
        fields[pname] = (annotation, info)
        if param.kind == param.POSITIONAL_ONLY:
            positional.append(pname)
        if default is not ... and not _accepts_none(annotation):
            drop_none.add(pname)
    try:
        model = pydantic.create_model(f"{tool_name}_arguments", __config__=None, **fields)  # type: ignore[call-overload]
        schema = model.model_json_schema()
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError) as exc:
        raise ToolDefinitionError(
            f"tool {tool_name!r}: pydantic cannot make a schema from its type hints ({exc})", tool=tool_name
        ) from exc
    schema.pop("title", None)
    return Tool(
        name=tool_name,
        description=description if description is not None else summary,
        parameters=schema,
        fn=fn,
        args_model=model,
        positional=tuple(positional),
        drop_none=frozenset(drop_none),
    )


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    target = fn.func if isinstance(fn, functools.partial) else fn
    if not inspect.isfunction(target) and not inspect.ismethod(target):
        target = type(target).__dict__.get("__call__", target)  # a callable object: its __call__'s hints
    hints = typing.get_type_hints(target, include_extras=True)
    hints.pop("return", None)
    return hints


def _from_model(model: type[pydantic.BaseModel], name: str | None, description: str | None) -> Tool:
    schema = model.model_json_schema()  # (its title kept, as openai's pydantic_function_tool keeps it)
    doc = description if description is not None else (inspect.getdoc(model) or "")
    if doc == inspect.getdoc(pydantic.BaseModel):
        doc = ""
    return Tool(
        name=name if name is not None else model.__name__,
        description=doc,
        parameters=schema,
        args_model=model,
    )


def _from_dict(spec: Mapping[str, Any]) -> Tool:
    inner = spec.get("function") if isinstance(spec.get("function"), Mapping) else spec
    assert isinstance(inner, Mapping)
    name = inner.get("name")
    if not isinstance(name, str):
        raise ToolDefinitionError(
            "a tool given as a dict needs 'name' and 'parameters' (a JSON schema), e.g. "
            "{'name': 'lookup', 'description': '...', 'parameters': {'type': 'object', ...}}"
        )
    params = inner.get("parameters", inner.get("input_schema", {"type": "object", "properties": {}}))
    if not isinstance(params, Mapping):
        raise ToolDefinitionError(f"tool {name!r}: 'parameters' must be a JSON schema dict", tool=name)
    return Tool(
        name=name,
        description=str(inner.get("description") or ""),
        parameters=dict(params),
        strict=inner.get("strict"),
    )


def tool(
    fn: Any = None, *, name: str | None = None, description: str | None = None, strict: bool | None = None
) -> Any:
    """Make a Tool from a function (or use as a decorator: `@tool(name="...")`), overriding what it says."""

    def make(target: Any) -> Tool:
        made = as_tool(target, name=name, description=description)
        # (a schema dict or a Tool carries its own name and description: the overrides still win)
        changes: dict[str, Any] = {"name": name, "description": description, "strict": strict}
        changes = {k: v for k, v in changes.items() if v is not None and getattr(made, k) != v}
        return dataclasses.replace(made, **changes) if changes else made

    return make if fn is None else make(fn)


def as_tool(obj: Any, *, name: str | None = None, description: str | None = None) -> Tool:
    """A Tool from a function, a pydantic model class, a schema dict or a Tool."""
    if isinstance(obj, Tool):
        return obj
    if isinstance(obj, ToolSpec):
        return Tool(name=obj.name, description=obj.description, parameters=obj.parameters, strict=obj.strict)
    if isinstance(obj, type) and issubclass(obj, pydantic.BaseModel):
        return _from_model(obj, name, description)
    if isinstance(obj, Mapping):
        return _from_dict(obj)
    if callable(obj):
        if name is not None or description is not None:
            return _from_function(obj, name, description)
        try:  # the schema is made once per function (pydantic's create_model costs milliseconds)
            cached = _FUNCTIONS.get(obj)
        except TypeError:  # (an unhashable or not weak-referenceable callable)
            return _from_function(obj, None, None)
        if cached is None:
            cached = _from_function(obj, None, None)
            with contextlib.suppress(TypeError):
                _FUNCTIONS[obj] = cached
        return cached
    raise ToolDefinitionError(
        f"a tool must be a function, a pydantic model class or a schema dict, not {type(obj).__name__}"
    )


def toolset(tools: Iterable[Any]) -> list[Tool]:
    """The tools as Tools, refusing two with the same name."""
    if isinstance(tools, str | bytes) or callable(tools) or isinstance(tools, Mapping):
        tools = [tools]
    made = [as_tool(t) for t in tools]
    seen: set[str] = set()
    for t in made:
        if t.name in seen:
            raise ToolDefinitionError(
                f"two tools are named {t.name!r}; rename one (tool(fn, name='...'))", tool=t.name
            )
        seen.add(t.name)
    return made


def check_names(tools: Iterable[Tool | ToolSpec], rule: NameRule, provider: str) -> None:
    """Refuse a tool name the provider would reject, before any request."""
    for t in tools:
        if not rule.pattern.match(t.name):
            raise ToolDefinitionError(
                f"{provider} rejects the tool name {t.name!r}: it takes {rule.text}; "
                "rename it (tool(fn, name='...'))",
                tool=t.name,
                provider=provider,
            )


def check_tool_choice(request: ChatRequest, choices: tuple[str, ...]) -> None:
    """Refuse a `tool_choice` that is neither one of the provider's `choices` nor an offered tool's name,
    and a choice other than "none" without tools, before anything is sent."""
    choice = request.tool_choice
    if choice is None:
        return
    if not request.tools and choice != "none":
        raise InvalidParameterError(f"tool_choice={choice!r} needs tools=[...]")
    names = {t.name for t in request.tools}
    if choice not in choices and choice not in names:
        offered = ", ".join(sorted(names)) or "none"
        raise InvalidParameterError(
            f"tool_choice takes {', '.join(choices)} or the name of an offered tool ({offered}); got {choice!r}"
        )
