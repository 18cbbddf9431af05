"""What `map` takes: a list of prompts, a column, or a template with rows -- checked before anything is sent.

    client.map(["Classify: ...", "Classify: ..."], model=...)          # prompts (or message lists)
    client.map(df["review"], model=...)                                # a pandas or polars column
    client.map("Classify: {review}", rows, model=...)                  # a template and a list of dicts
    client.map("Classify: {review}", df, model=...)                    # ... or a DataFrame's rows

pandas and polars are never imported here: a column or frame is recognised by its methods.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameterError
from .messages import to_messages

__all__ = ["MapInputs", "map_inputs", "template_fields"]


@dataclass(frozen=True)
class MapInputs:
    """The prompts to send, in order, and (for a template) the row each was made from."""

    prompts: list[Any]
    rows: list[Mapping[str, Any]] | None = None
    template: str | None = None


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def _is_frame(obj: Any) -> bool:
    return _module(obj) in ("pandas", "polars") and hasattr(obj, "columns")


def _column_values(obj: Any) -> list[Any] | None:
    """The values of a pandas/polars Series (or a numpy array), else None."""
    if _module(obj) in ("pandas", "polars", "numpy") and not hasattr(obj, "columns"):
        for method in ("tolist", "to_list"):
            if callable(getattr(obj, method, None)):
                return list(getattr(obj, method)())
    return None


def _frame_rows(obj: Any) -> list[Mapping[str, Any]]:
    if _module(obj) == "pandas":
        return list(obj.to_dict("records"))
    return list(obj.to_dicts())


def template_fields(template: str) -> list[str]:
    """The names a template fills in, in order of first use ("{review}", "{user.name}" -> "user")."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InvalidParameterError(
            f"the template is not a valid format string ({exc}); write a literal brace as {{{{ or }}}}"
        ) from None
    for _, field, _, _ in parsed:
        if field is None:
            continue
        name = field.split(".", 1)[0].split("[", 1)[0]
        if not name or name.isdigit():
            raise InvalidParameterError(
                "the template has a positional field ({} or {0}); name each field after a key of the rows, "
                "e.g. 'Classify: {review}'"
            )
        if name not in names:
            names.append(name)
    return names


def _render(template: str, fields: list[str], rows: list[Any]) -> list[str]:
    prompts = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidParameterError(
                f"rows[{i}] is a {type(row).__name__}; a template takes rows that are dicts (or a DataFrame)"
            )
        missing = [f for f in fields if f not in row]
        if missing:
            have = ", ".join(repr(k) for k in list(row)[:12]) or "none"
            raise InvalidParameterError(
                f"rows[{i}] has no field {missing[0]!r}, which the template uses as {{{missing[0]}}} "
                f"(that row's fields: {have})"
            )
        try:
            prompts.append(template.format_map(row))
        except (AttributeError, IndexError, KeyError, ValueError, TypeError) as exc:
            raise InvalidParameterError(f"rows[{i}] does not fill the template: {exc!r}") from None
    return prompts


def map_inputs(inputs: Any, data: Any = None) -> MapInputs:
    """Normalize and check what `map` was given: every prompt is checked (an empty one is named by its
    index), a template's fields are checked against every row. Raises InvalidParameterError."""
    if isinstance(inputs, str):
        if data is None:
            raise InvalidParameterError(
                "a string is a template for map: pass its rows too, e.g. map('Classify: {review}', rows, "
                "model=...), or pass a list of prompts"
            )
        rows = _frame_rows(data) if _is_frame(data) else data
        if isinstance(rows, Mapping) or not isinstance(rows, Iterable) or isinstance(rows, str | bytes):
            raise InvalidParameterError(
                f"a template's rows are a list of dicts or a DataFrame, not {type(data).__name__}"
            )
        rows = list(rows)
        if not rows:
            raise InvalidParameterError("map got no rows: pass at least one")
        prompts = _render(inputs, template_fields(inputs), rows)
        _check_prompts(prompts, "rows")
        return MapInputs(prompts=prompts, rows=rows, template=inputs)
    if data is not None:
        raise InvalidParameterError(
            "rows go with a template string: map('Classify: {review}', rows, model=...); "
            "with a list of prompts, pass only the prompts"
        )
    if _is_frame(inputs):
        columns = ", ".join(str(c) for c in list(inputs.columns)[:8])
        raise InvalidParameterError(
            f"map takes a DataFrame's rows through a template, e.g. map('Classify: {{{columns.split(', ')[0]}}}', "
            f"df, model=...), or one column, map(df['col'], ...) (its columns: {columns})"
        )
    values = _column_values(inputs)
    if values is None:
        if isinstance(inputs, (Mapping, bytes)) or not isinstance(inputs, Iterable):
            raise InvalidParameterError(
                f"map takes a list of prompts (strings or message lists), a column, or a template with rows; "
                f"got {type(inputs).__name__}"
            )
        values = list(inputs)
    if not values:
        raise InvalidParameterError("map got an empty list of inputs: pass at least one prompt")
    _check_prompts(values, "inputs")
    return MapInputs(prompts=values)


def _check_prompts(prompts: list[Any], label: str) -> None:
    for i, prompt in enumerate(prompts):
        try:
            to_messages(prompt)
        except InvalidParameterError as exc:
            raise InvalidParameterError(f"{label}[{i}]: {exc.message}") from None
