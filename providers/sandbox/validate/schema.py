"""A small JSON Schema validator for the subset the sandbox's request schemas use.

The schemas (providers/sandbox/schemas/*.json, written by scripts/gen_sandbox_schemas.py) use only:
`type` (object, array, string, integer, number, boolean, null), `properties`, `required`,
`additionalProperties` (false, true or a schema), `items`, `enum` (with an optional `title`, the enum's
name), `anyOf`, `$ref` into `$defs`, `{}` (anything) and `{"not": {}}` (nothing).

Values nested deeper than 100 levels are not looked into (only recursive schemas, such as Gemini's
`Schema`, go that deep), so a hostile body cannot exhaust the stack.

Validation collects `Violation`s instead of stopping at the first, because each provider reports a
different one first (OpenAI a missing or unknown parameter, Anthropic and Mistral in pydantic's order,
Gemini every unknown name at once). A union of objects that share a tag property (`type`, `role`) is
treated as a discriminated union: a value is checked only against the members its tag names, and the
tag joins the error location the way pydantic reports it (`messages.0.content.0.text.text`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SchemaDoc", "Violation", "json_type", "validate"]

Schema = Mapping[str, Any]
Path = tuple[str | int, ...]
_LIMIT = 50  # violations collected per request: enough for any report, bounded for hostile bodies
_MAX_DEPTH = 100  # deeper values (only recursive schemas reach this far) are not looked into
_TAG_KEYS = ("type", "role")


@dataclass(frozen=True)
class Violation:
    """One way a request body breaks its schema.

    `kind` is one of: `unknown` (a key the schema does not have), `missing` (a required key),
    `type` (wrong JSON type; `expected` holds the schema that was expected), `enum` (a value outside
    `expected["enum"]`), `tag` (a union tag no member takes; `tags` lists those it takes), `no_tag`
    (an object without the tag its union needs). `path` is where, in data terms; `loc` is the same
    with the union tags inserted (pydantic's location).
    """

    kind: str
    path: Path
    loc: Path
    value: Any = None
    expected: Schema = field(default_factory=dict)
    tag_key: str = ""
    tags: tuple[Any, ...] = ()


@dataclass(frozen=True)
class SchemaDoc:
    """One provider's schema file: its endpoints' root schemas and the shared `$defs`."""

    endpoints: Mapping[str, Schema]
    defs: Mapping[str, Schema]
    source: Mapping[str, Any]

    def resolve(self, node: Schema) -> Schema:
        """The schema a `$ref` points to (followed to the end), or the node itself."""
        seen = 0
        while "$ref" in node:
            node = self.defs[str(node["$ref"]).rsplit("/", 1)[-1]]
            seen += 1
            if seen > 64:
                raise ValueError("schema $ref cycle")
        return node


def json_type(value: Any) -> str:
    """The JSON type name of a parsed JSON value ('integer' for whole numbers written without a point)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _same(a: Any, b: Any) -> bool:
    return json_type(a) == json_type(b) and a == b


def _accepts_type(node: Schema, kind: str) -> bool:
    """Whether a (resolved, non-union) schema node can hold a value of JSON type `kind` at all."""
    if not node:
        return True
    if "not" in node:
        return False
    if "enum" in node:
        return any(
            json_type(v) == kind or (kind == "integer" and json_type(v) == "number") for v in node["enum"]
        )
    expected = node.get("type")
    if expected is None:
        return True
    types = expected if isinstance(expected, list) else [expected]
    return kind in types or (kind == "integer" and "number" in types)


class _Run:
    def __init__(self, doc: SchemaDoc, extras: bool, key_alias: Callable[[str], str] | None) -> None:
        self.doc = doc
        self.extras = extras  # False: unknown keys are ignored (FastAPI's default), not reported
        self.key_alias = key_alias
        self.out: list[Violation] = []

    def add(self, violation: Violation) -> None:
        if len(self.out) < _LIMIT:
            self.out.append(violation)

    def check(self, node: Schema, value: Any, path: Path, loc: Path) -> None:
        if len(self.out) >= _LIMIT or len(path) > _MAX_DEPTH:
            return
        node = self.doc.resolve(node)
        if not node:
            return
        if "anyOf" in node:
            self.union(node, value, path, loc)
            return
        kind = json_type(value)
        if "not" in node or not _accepts_type(node, kind):
            self.add(Violation("type", path, loc, value, node))
            return
        if "enum" in node:
            if not any(_same(value, v) for v in node["enum"]):
                self.add(Violation("enum", path, loc, value, node))
            return
        if kind == "object":
            self.object(node, value, path, loc)
        elif kind == "array":
            items = node.get("items", {})
            for i, item in enumerate(value):
                self.check(items, item, (*path, i), (*loc, i))

    def object(self, node: Schema, value: dict[str, Any], path: Path, loc: Path) -> None:
        props: Mapping[str, Schema] = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        present: dict[str, str] = {}  # schema name -> the key as sent
        unknown: list[str] = []
        for key in value:
            name = key if key in props or self.key_alias is None else self.key_alias(key)
            if name in props:
                present[name] = key
            else:
                unknown.append(key)
        for name, sub in props.items():
            if name in present:
                key = present[name]
                self.check(sub, value[key], (*path, key), (*loc, key))
            elif name in node.get("required", ()):
                self.add(Violation("missing", (*path, name), (*loc, name), None, sub))
        for key in unknown:
            if extra is False:
                if self.extras:
                    self.add(Violation("unknown", (*path, key), (*loc, key), value[key]))
            elif isinstance(extra, Mapping):
                self.check(extra, value[key], (*path, key), (*loc, key))

    def _tag_key(self, members: list[Schema]) -> str | None:
        """The property every object member of a union declares as an enum (its discriminator)."""
        for key in _TAG_KEYS:
            if all("enum" in self.doc.resolve(m.get("properties", {}).get(key, {})) for m in members):
                return key
        return None

    def union(self, node: Schema, value: Any, path: Path, loc: Path) -> None:
        kind = json_type(value)
        members = [self.doc.resolve(m) for m in node["anyOf"]]
        fits = [m for m in members if _accepts_type(m, kind) and "anyOf" not in m]
        nested = [m for m in members if "anyOf" in m]
        if nested:  # a union inside a union: flatten once
            flat: list[Schema] = []
            for m in members:
                flat += [self.doc.resolve(x) for x in m["anyOf"]] if "anyOf" in m else [m]
            self.union({"anyOf": flat}, value, path, loc)
            return
        if not fits:
            self.add(Violation("type", path, loc, value, node))
            return
        tagged, tag_key = None, None
        if kind == "object" and len(fits) > 1:
            key = tag_key = self._tag_key(fits)
            if key is not None:
                tags = [t for m in fits for t in self.doc.resolve(m["properties"][key])["enum"]]
                if key in value:
                    tag = value[key]
                    fits = [
                        m
                        for m in fits
                        if any(_same(tag, t) for t in self.doc.resolve(m["properties"][key])["enum"])
                    ]
                    if not fits:
                        self.add(
                            Violation("tag", (*path, key), loc, tag, node, key, tuple(dict.fromkeys(tags)))
                        )
                        return
                    tagged = tag
                else:
                    fits = [m for m in fits if key not in m.get("required", ())]
                    if not fits:
                        self.add(Violation("no_tag", path, loc, value, node, key, tuple(dict.fromkeys(tags))))
                        return
        best: list[Violation] | None = None
        for member in fits:
            trial = _Run(self.doc, self.extras, self.key_alias)
            # pydantic puts a `type` tag into the location (`content.0.image.source.base64`); a role is
            # an ordinary field there
            tag_loc = (*loc, tagged) if isinstance(tagged, str) and tag_key == "type" else loc
            trial.check(member, value, path, tag_loc)
            if not trial.out:
                return
            if best is None or _better(trial.out, best):
                best = trial.out
        for violation in best or []:
            self.add(violation)


def _better(new: list[Violation], old: list[Violation]) -> bool:
    """Whether `new` explains a failed union member better than `old`: it got deeper into the value,
    then it has fewer complaints (the member the sender most likely meant)."""
    depth = max(len(v.path) for v in new) - max(len(v.path) for v in old)
    return depth > 0 or (depth == 0 and len(new) < len(old))


def validate(
    doc: SchemaDoc,
    root: Schema,
    value: Any,
    *,
    extras: bool = True,
    key_alias: Callable[[str], str] | None = None,
) -> list[Violation]:
    """Every way `value` breaks `root` (up to a bound), in pydantic's order: at each object its
    declared fields first, then its unknown keys. `extras=False` ignores unknown keys; `key_alias`
    maps a key the schema lacks to another spelling of it (Google's snake_case for camelCase)."""
    run = _Run(doc, extras, key_alias)
    run.check(root, value, (), ())
    return run.out
