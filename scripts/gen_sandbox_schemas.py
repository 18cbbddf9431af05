"""Derive the sandbox's request schemas from the newest official SDKs' generated request types.

Run by hand after upgrading an SDK, then commit the JSON it writes:

    .venv/bin/python scripts/gen_sandbox_schemas.py            # all providers
    .venv/bin/python scripts/gen_sandbox_schemas.py openai     # one
    .venv/bin/python scripts/gen_sandbox_schemas.py --check    # compare with the committed files

Run it as a script, in a fresh process: typing caches `Literal[...]` regardless of the order of its
values, so inside a process that imported the SDKs some other way (a test run) an enum's values can
come out in another order.

The sandbox (providers/sandbox/validate/) validates every request body against these files at run time
without the SDKs. Each SDK is generated from its vendor's published API description (OpenAI's and
Anthropic's OpenAPI specs through Stainless, Mistral's through Speakeasy, Deepgram's and ElevenLabs'
through Fern, Google's discovery documents for google-genai), so its request types are the closest
machine-readable copy of the public schema that ships offline. What is taken from where:

* openai: `types.chat.completion_create_params` and `types.responses.response_create_params`
  (TypedDicts); the body keys are the ones the SDK's `create` puts in `body=` (header-only
  parameters are left out).
* anthropic: `types.message_create_params` (TypedDicts), body keys as for openai.
* mistralai: `client.models.ChatCompletionRequest` (pydantic models; wire names are the aliases).
* google-genai: `types.Content`, `Tool`, `ToolConfig`, `SafetySetting`, `GenerationConfig` (pydantic
  models; camelCase aliases are the REST names); the top-level keys are the ones the SDK's request
  converters put on the request (`_GenerateContentConfig_to_mldev` / `_to_vertex` in `models.py`).
* elevenlabs, deepgram (Fern): the JSON body keys the raw clients send (`json={...}` in
  `raw_client.py`) with the types of the method's keyword arguments.

The output is a small JSON Schema subset: type, properties, required, additionalProperties, items,
enum, anyOf, $ref/$defs (see providers/sandbox/validate/schema.py). Every object is closed
(`additionalProperties: false`) unless the SDK types it as a free-form mapping.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import enum
import importlib
import importlib.metadata
import inspect
import json
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import typing_extensions as te

OUT = Path(__file__).resolve().parent.parent / "providers" / "sandbox" / "schemas"
Schema = dict[str, Any]

_DROPPED_CLASSES = {"Unset", "Omit", "NotGiven", "UnrecognizedStr", "UnrecognizedInt"}
_ARRAY_ORIGINS = {list, tuple, set, frozenset, Sequence, Iterable, typing.Iterable, typing.Sequence}


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and te.is_typeddict(tp)


def _is_model(tp: Any) -> bool:
    try:
        import pydantic
    except ImportError:  # pragma: no cover
        return False
    return isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)


class Builder:
    """Turns Python request types into JSON Schema nodes, sharing named objects through $defs."""

    def __init__(self, *, camel_paths: bool = False) -> None:
        self.defs: dict[str, Schema] = {}
        self._names: dict[Any, str] = {}
        self.camel_paths = camel_paths

    # --- naming -------------------------------------------------------------------------------

    def _name(self, cls: type) -> str:
        if cls in self._names:
            return self._names[cls]
        base = cls.__name__
        name, n = base, 2
        taken = set(self._names.values())
        while name in taken:
            name = f"{base}_{n}"
            n += 1
        self._names[cls] = name
        return name

    def ref(self, cls: type, build: Callable[[], Schema]) -> Schema:
        """A $ref to `cls`'s definition, building it once (recursion-safe)."""
        name = self._name(cls)
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: a recursive type refers to itself while being built
            self.defs[name] = build()
        return {"$ref": f"#/$defs/{name}"}

    # --- types --------------------------------------------------------------------------------

    def schema(self, tp: Any) -> Schema:
        """The schema node for one annotation."""
        origin, args = te.get_origin(tp), te.get_args(tp)
        if origin in (te.Required, te.NotRequired, te.ReadOnly) or origin is getattr(
            typing, "Required", None
        ):
            return self.schema(args[0])
        if origin is te.Annotated or origin is typing.Annotated:
            return self.schema(args[0])
        if isinstance(tp, te.TypeAliasType):
            return self.schema(tp.__value__)
        if isinstance(origin, te.TypeAliasType):
            return self.schema(origin.__value__[args] if args else origin.__value__)
        if tp is type(None) or tp is None:
            return {"type": "null"}
        if tp in (Any, object) or isinstance(tp, typing.TypeVar):
            return {}
        if origin is te.Literal or origin is typing.Literal:
            return {"enum": list(args)}
        if origin in (typing.Union, types.UnionType):
            return self._union(args)
        if origin in _ARRAY_ORIGINS or (origin is not None and _is_sequence(origin)):
            return {"type": "array", "items": self.schema(args[0]) if args else {}}
        if origin in (dict, Mapping, typing.Mapping) or (origin is not None and _is_mapping(origin)):
            value = self.schema(args[1]) if len(args) == 2 else {}
            return {"type": "object", "additionalProperties": value}
        if isinstance(tp, type):
            return self._class(tp)
        if isinstance(tp, str | typing.ForwardRef):
            raise TypeError(f"unresolved forward reference {tp!r}")
        return {}

    def _class(self, tp: type) -> Schema:
        if tp.__name__ in _DROPPED_CLASSES:
            return {"not": {}}
        if issubclass(tp, bool):
            return {"type": "boolean"}
        if issubclass(tp, enum.Enum):  # the class name is the proto enum's name in Google's errors
            return {"title": tp.__name__, "enum": [m.value for m in tp]}
        if issubclass(tp, str) or issubclass(tp, bytes | dt.datetime | dt.date):
            return {"type": "string"}  # bytes travel as base64, dates as RFC 3339 strings
        if issubclass(tp, int):
            return {"type": "integer"}
        if issubclass(tp, float):
            return {"type": "number"}
        if _is_typeddict(tp):
            return self.ref(tp, lambda: self.typeddict(tp))
        if _is_model(tp):
            return self.ref(tp, lambda: self.model(tp))
        if issubclass(tp, list | tuple):
            return {"type": "array", "items": {}}
        if issubclass(tp, dict):
            return {"type": "object", "additionalProperties": {}}
        return {}  # file handles, images and other SDK-side conveniences: not JSON, not checked

    def _union(self, args: tuple[Any, ...]) -> Schema:
        branches: list[Schema] = []
        for arg in args:
            node = self.schema(arg)
            if node == {"not": {}}:
                continue
            if node == {}:
                return {}
            for part in node.get("anyOf", [node]) if set(node) == {"anyOf"} else [node]:
                if part not in branches:
                    branches.append(part)
        if any(b == {"type": "string"} for b in branches):  # an open enum: any string goes
            branches = [b for b in branches if not _string_enum(b)]
        enums = [b for b in branches if set(b) == {"enum"}]  # (titled enums stay apart)
        if len(enums) > 1:  # Literal[a] | Literal[b] | None -> one enum
            merged: list[Any] = []
            for b in enums:
                merged += [v for v in b["enum"] if v not in merged]
            first = branches.index(enums[0])
            branches = [b for b in branches if b not in enums]
            branches.insert(first, {"enum": merged})
        return branches[0] if len(branches) == 1 else {"anyOf": branches}

    # --- objects ------------------------------------------------------------------------------

    def typeddict(self, td: type, keys: Iterable[str] | None = None) -> Schema:
        """A closed object from a TypedDict; `keys` keeps only those wire names (a request body)."""
        hints = te.get_type_hints(td, include_extras=True)
        required = _required_keys(td, hints)
        props: dict[str, Schema] = {}
        need: list[str] = []
        wanted = set(keys) if keys is not None else None
        for key, tp in hints.items():
            wire = _alias(tp) or key
            if wanted is not None and wire not in wanted:
                continue
            props[wire] = self.schema(tp)
            if key in required:
                need.append(wire)
        return _object(props, need)

    def model(self, cls: type) -> Schema:
        """A closed object from a pydantic model; wire names are the aliases."""
        props: dict[str, Schema] = {}
        need: list[str] = []
        for name, info in cls.model_fields.items():  # type: ignore[attr-defined]
            wire = info.serialization_alias or info.alias or name
            tp = info.annotation
            for meta in info.metadata:
                if _alias_of(meta):
                    wire = _alias_of(meta) or wire
            props[wire] = self.schema(tp)
            if info.is_required():
                need.append(wire)
        return _object(props, need)


def _declared(td: type) -> list[tuple[str, bool]]:
    """(key, class is total) for every key a TypedDict and its TypedDict bases declare."""
    out: list[tuple[str, bool]] = []
    for base in getattr(td, "__orig_bases__", ()):
        if _is_typeddict(base):
            out += _declared(base)
    total = bool(getattr(td, "__total__", True))
    out += [(key, total) for key in inspect.get_annotations(td)]
    return out


def _required_keys(td: type, hints: Mapping[str, Any]) -> set[str]:
    """The keys a TypedDict requires. `__required_keys__` cannot be trusted here: the SDKs use
    `from __future__ import annotations`, so `Required[...]` is a string when the class is built."""
    required: set[str] = set()
    for key, total in _declared(td):
        origin = te.get_origin(hints.get(key))
        if origin is te.Required or (total and origin is not te.NotRequired):
            required.add(key)
        else:
            required.discard(key)
    return required


def _object(props: dict[str, Schema], required: list[str]) -> Schema:
    node: Schema = {"type": "object", "properties": props}
    if required:
        node["required"] = required
    node["additionalProperties"] = False
    return node


def _string_enum(node: Schema) -> bool:
    return set(node) == {"enum"} and all(isinstance(v, str) for v in node["enum"])


def _is_sequence(origin: Any) -> bool:
    import collections.abc as cabc

    return (
        isinstance(origin, type) and issubclass(origin, cabc.Iterable) and not issubclass(origin, str | dict)
    )


def _is_mapping(origin: Any) -> bool:
    import collections.abc as cabc

    return isinstance(origin, type) and issubclass(origin, cabc.Mapping)


def _alias_of(meta: Any) -> str | None:
    alias = getattr(meta, "alias", None)
    return alias if isinstance(alias, str) else None


def _alias(tp: Any) -> str | None:
    """The wire name an Annotated[..., PropertyInfo(alias=...)] field declares, if any."""
    while True:
        origin, args = te.get_origin(tp), te.get_args(tp)
        if origin in (te.Required, te.NotRequired, te.ReadOnly):
            tp = args[0]
            continue
        if origin is te.Annotated or origin is typing.Annotated:
            for meta in tp.__metadata__:
                if type(meta).__name__ == "PropertyInfo" and _alias_of(meta):
                    return _alias_of(meta)
            tp = args[0]
            continue
        return None


# --- where the body keys come from -------------------------------------------------------------


def _method_source(cls: type, name: str) -> ast.FunctionDef:
    """The last definition of `name` in `cls` (Stainless puts the real one after its overloads)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    ]
    if not found:
        raise LookupError(f"{cls.__name__}.{name} not found")
    return found[-1]  # type: ignore[return-value]


def body_keys(cls: type, method: str, keyword: str = "body") -> list[str]:
    """The string keys of the dict literal the SDK method passes as `keyword=` (its JSON body)."""
    fn = _method_source(cls, method)
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg != keyword:
                continue
            for inner in ast.walk(kw.value):
                if isinstance(inner, ast.Dict):
                    return [k.value for k in inner.keys if isinstance(k, ast.Constant)]
    raise LookupError(f"no {keyword}= dict literal in {cls.__name__}.{method}")


def parent_entries(module: Any, function: str) -> list[tuple[str, str, str | None, bool]]:
    """What a google-genai converter puts on the request: (REST key, config field, converted type, list?).

    It reads `setv(parent_object, ['restKey'], <value>)`: the config field is the `getv(from_object,
    ['field'])` inside the value, the converted type the `_Type_to_mldev` function applied to it (the
    REST shape, e.g. `Content` for a `system_instruction` given as a string), `list?` whether the value
    is a list comprehension."""
    fn = next(
        node
        for node in ast.walk(ast.parse(inspect.getsource(module)))
        if isinstance(node, ast.FunctionDef) and node.name == function
    )
    out: list[tuple[str, str, str | None, bool]] = []
    for node in ast.walk(fn):
        if not (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "setv"
            and len(node.args) >= 3
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "parent_object"
            and isinstance(node.args[1], ast.List)
            and len(node.args[1].elts) == 1
            and isinstance(node.args[1].elts[0], ast.Constant)
        ):
            continue
        key, value = node.args[1].elts[0].value, node.args[2]
        field = converted = None
        for inner in ast.walk(value):
            if isinstance(inner, ast.Call) and getattr(inner.func, "id", "").startswith("_"):
                name = inner.func.id  # type: ignore[attr-defined]
                if name.endswith(("_to_mldev", "_to_vertex")) and converted is None:
                    converted = name[1:].rsplit("_to_", 1)[0]
            if (
                isinstance(inner, ast.Call)
                and getattr(inner.func, "id", None) == "getv"
                and isinstance(inner.args[1], ast.List)
                and isinstance(inner.args[1].elts[0], ast.Constant)
            ):
                field = inner.args[1].elts[0].value
        if field is None:
            raise LookupError(f"{function}: no config field behind {key!r}")
        if key not in [e[0] for e in out]:
            out.append((key, field, converted, isinstance(value, ast.ListComp)))
    return out


# --- providers ---------------------------------------------------------------------------------


def _stream_schema(b: Builder, *variants: type) -> Schema:
    hints = [te.get_type_hints(v, include_extras=True)["stream"] for v in variants]
    return b.schema(typing.Union[tuple(hints)])  # noqa: UP007


def _stainless_body(b: Builder, base: type, variants: tuple[type, ...], keys: list[str]) -> Schema:
    node = b.typeddict(base, keys)
    if "stream" in keys:
        node["properties"]["stream"] = _stream_schema(b, *variants)
    missing = [k for k in keys if k not in node["properties"]]
    if missing:
        raise LookupError(f"{base.__name__}: body keys without a type: {missing}")
    order = {k: i for i, k in enumerate(keys)}
    node["properties"] = dict(sorted(node["properties"].items(), key=lambda kv: order[kv[0]]))
    return node


def gen_openai() -> tuple[dict[str, Any], dict[str, Schema]]:
    from openai.resources.chat.completions.completions import Completions
    from openai.resources.responses.responses import Responses
    from openai.types.chat import completion_create_params as cc
    from openai.types.responses import response_create_params as rc

    b = Builder()
    chat = _stainless_body(
        b,
        cc.CompletionCreateParamsBase,
        (cc.CompletionCreateParamsNonStreaming, cc.CompletionCreateParamsStreaming),
        body_keys(Completions, "create"),
    )
    resp = _stainless_body(
        b,
        rc.ResponseCreateParamsBase,
        (rc.ResponseCreateParamsNonStreaming, rc.ResponseCreateParamsStreaming),
        body_keys(Responses, "create"),
    )
    endpoints = {"POST /v1/chat/completions": chat, "POST /v1/responses": resp}
    source = {
        "sdk": "openai",
        "types": [
            "openai/types/chat/completion_create_params.py",
            "openai/types/responses/response_create_params.py",
        ],
        "body_keys": [
            "openai/resources/chat/completions/completions.py Completions.create",
            "openai/resources/responses/responses.py Responses.create",
        ],
        "spec": "OpenAI's OpenAPI spec (github.com/openai/openai-openapi), which the SDK is generated from",
    }
    return source, {"endpoints": endpoints, "$defs": b.defs}  # type: ignore[dict-item]


def _require(defs: dict[str, Schema], name: str, keep: list[str]) -> None:
    node = defs[name]
    node["required"] = [k for k in node.get("required", []) if k in keep]
    if not node["required"]:
        del node["required"]


def correct_openai(defs: dict[str, Schema]) -> list[str]:
    """Where the live API is known to differ from the SDK's types; each correction says why."""
    # Responses: an assistant turn goes back as a plain string or as output parts, without the id and
    # status the SDK's ResponseOutputMessageParam requires (how clients replay history; the live API's
    # only complaint is input parts on an assistant turn: "Invalid value: 'input_text'. Supported
    # values are: 'output_text' and 'refusal'.", param input[1].content[0], reported in several
    # public projects). So assistant messages are ResponseOutputMessageParam, not EasyInputMessage.
    easy = defs["EasyInputMessageParam"]["properties"]["role"]
    easy["enum"] = [r for r in easy["enum"] if r != "assistant"]
    out = defs["ResponseOutputMessageParam"]
    out["properties"]["content"] = {"anyOf": [{"type": "string"}, out["properties"]["content"]]}
    _require(defs, "ResponseOutputMessageParam", ["content", "role"])
    _require(defs, "ResponseOutputTextParam", ["text", "type"])
    # Chat Completions: a message with no content is accepted (captured against api.openai.com on
    # 2026-08-30: `{"role": "user"}`, and `content: null` on an assistant message).
    for name in (
        "ChatCompletionUserMessageParam",
        "ChatCompletionSystemMessageParam",
        "ChatCompletionDeveloperMessageParam",
    ):
        _require(defs, name, ["role"])
    return [
        "Responses: assistant messages take a string or output_text/refusal parts, id/status/type optional; "
        "input parts on an assistant message are refused",
        "Responses: output_text parts need no annotations",
        "Chat Completions: user/system/developer messages need no content",
    ]


CORRECTIONS: dict[str, Callable[[dict[str, Schema]], list[str]]] = {"openai": correct_openai}


def gen_anthropic() -> tuple[dict[str, Any], dict[str, Schema]]:
    from anthropic.resources.messages.messages import Messages
    from anthropic.types import message_create_params as mc

    b = Builder()
    body = _stainless_body(
        b,
        mc.MessageCreateParamsBase,
        (mc.MessageCreateParamsNonStreaming, mc.MessageCreateParamsStreaming),
        body_keys(Messages, "create"),
    )
    source = {
        "sdk": "anthropic",
        "types": ["anthropic/types/message_create_params.py"],
        "body_keys": ["anthropic/resources/messages/messages.py Messages.create"],
        "spec": "Anthropic's OpenAPI spec (the Stainless spec the SDK is generated from)",
    }
    return source, {"endpoints": {"POST /v1/messages": body}, "$defs": b.defs}  # type: ignore[dict-item]


def gen_mistralai() -> tuple[dict[str, Any], dict[str, Schema]]:
    from mistralai.client.models import ChatCompletionRequest

    b = Builder()
    body = b.model(ChatCompletionRequest)
    source = {
        "sdk": "mistralai",
        "types": ["mistralai/client/models/chatcompletionrequest.py"],
        "spec": "Mistral's OpenAPI spec (docs.mistral.ai/api), which the SDK is generated from (Speakeasy)",
    }
    return source, {"endpoints": {"POST /v1/chat/completions": body}, "$defs": b.defs}  # type: ignore[dict-item]


def gen_google_genai() -> tuple[dict[str, Any], dict[str, Schema]]:
    from google.genai import models as gm
    from google.genai import types as gt

    b = Builder()
    config_fields = gt.GenerateContentConfig.model_fields
    bodies: dict[str, Schema] = {}
    for door, converter in (
        ("gemini", "_GenerateContentConfig_to_mldev"),
        ("vertex", "_GenerateContentConfig_to_vertex"),
    ):
        props: dict[str, Schema] = {
            "contents": {"type": "array", "items": b.schema(gt.Content)},
            "generationConfig": b.schema(gt.GenerationConfig),
        }
        for key, field, converted, many in parent_entries(gm, converter):
            if field not in config_fields:
                raise LookupError(
                    f"{converter} sets {key!r} from {field!r}, which GenerateContentConfig lacks"
                )
            node = (
                b.schema(getattr(gt, converted)) if converted else b.schema(config_fields[field].annotation)
            )
            props[key] = {"type": "array", "items": node} if many and converted else node
        bodies[door] = _object(props, [])
    endpoints = {
        "POST /{version}/models/{model}:{method}": bodies["gemini"],
        "vertex POST /{version}/.../models/{model}:{method}": bodies["vertex"],
    }
    source = {
        "sdk": "google-genai",
        "types": ["google/genai/types.py Content, GenerationConfig, GenerateContentConfig"],
        "body_keys": [
            "google/genai/models.py _GenerateContentConfig_to_mldev",
            "google/genai/models.py _GenerateContentConfig_to_vertex",
        ],
        "spec": "Google's discovery documents (generativelanguage v1/v1beta, aiplatform v1), which the types follow",
        "names": "REST names are lowerCamelCase; the API also accepts the proto's snake_case names",
    }
    return source, {"endpoints": endpoints, "$defs": b.defs}  # type: ignore[dict-item]


def _fern_body(b: Builder, cls: type, method: str) -> Schema:
    keys = body_keys(cls, method, "json")
    hints = te.get_type_hints(getattr(cls, method), include_extras=True)
    required = {
        name
        for name, p in inspect.signature(getattr(cls, method)).parameters.items()
        if p.default is inspect.Parameter.empty and p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    props = {k: b.schema(hints[k]) for k in keys}
    return _object(props, [k for k in keys if k in required])


def gen_elevenlabs() -> tuple[dict[str, Any], dict[str, Schema]]:
    from elevenlabs.text_to_speech.raw_client import RawTextToSpeechClient

    b = Builder()
    endpoints = {
        "POST /v1/text-to-speech/{voice_id}": _fern_body(b, RawTextToSpeechClient, "convert"),
        "POST /v1/text-to-speech/{voice_id}/stream": _fern_body(b, RawTextToSpeechClient, "stream"),
    }
    source = {
        "sdk": "elevenlabs",
        "types": ["elevenlabs/text_to_speech/raw_client.py RawTextToSpeechClient.convert, .stream"],
        "spec": "ElevenLabs' OpenAPI spec (api.elevenlabs.io/openapi.json), which the SDK is generated from (Fern)",
        "extra_fields": "ignored (FastAPI's default), not refused",
    }
    return source, {"endpoints": endpoints, "$defs": b.defs}  # type: ignore[dict-item]


def gen_deepgram() -> tuple[dict[str, Any], dict[str, Schema]]:
    from deepgram.listen.v1.media.raw_client import RawMediaClient
    from deepgram.speak.v1.audio.raw_client import RawAudioClient

    b = Builder()
    endpoints = {
        "POST /v1/speak": _fern_body(b, RawAudioClient, "generate"),
        "POST /v1/listen": _fern_body(b, RawMediaClient, "transcribe_url"),
    }
    source = {
        "sdk": "deepgram-sdk",
        "types": [
            "deepgram/speak/v1/audio/raw_client.py RawAudioClient.generate",
            "deepgram/listen/v1/media/raw_client.py RawMediaClient.transcribe_url",
        ],
        "spec": "Deepgram's OpenAPI spec (github.com/deepgram/deepgram-api-specs), which the SDK is generated from (Fern)",
        "extra_fields": "ignored, not refused",
    }
    return source, {"endpoints": endpoints, "$defs": b.defs}  # type: ignore[dict-item]


GENERATORS: dict[str, tuple[str, Callable[[], tuple[dict[str, Any], dict[str, Schema]]]]] = {
    # file stem: (distribution whose version is recorded, generator)
    "openai": ("openai", gen_openai),
    "anthropic": ("anthropic", gen_anthropic),
    "mistral": ("mistralai", gen_mistralai),
    "gemini": ("google-genai", gen_google_genai),
    "elevenlabs": ("elevenlabs", gen_elevenlabs),
    "deepgram": ("deepgram-sdk", gen_deepgram),
}


def generate(stem: str) -> dict[str, Any]:
    """The schema document for one provider, as the installed SDK gives it (without the date)."""
    dist, fn = GENERATORS[stem]
    source, doc = fn()
    if stem in CORRECTIONS:
        source["corrections"] = CORRECTIONS[stem](doc["$defs"])  # type: ignore[arg-type]
    source["version"] = importlib.metadata.version(dist)
    source["generator"] = "scripts/gen_sandbox_schemas.py"
    return {"source": source, **doc}


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(doc))
    out["source"].pop("generated", None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("providers", nargs="*", default=sorted(GENERATORS), help="schema files to (re)build")
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    stale = 0
    for stem in args.providers:
        path = OUT / f"{stem}.json"
        old = json.loads(path.read_text()) if path.exists() else None
        dist = GENERATORS[stem][0]
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            print(f"{stem}: skipped ({dist} is not installed)")
            continue
        if args.check and old is not None and old["source"]["version"] != installed:
            print(
                f"{stem}: skipped ({dist} {installed} installed, generated from {old['source']['version']})"
            )
            continue
        doc = generate(stem)
        same = old is not None and _comparable(old) == _comparable(doc)
        if args.check:
            print(f"{stem}: {'up to date' if same else 'STALE'}")
            stale += not same
            continue
        if same:
            print(f"{stem}: unchanged")
            continue
        doc["source"]["generated"] = dt.date.today().isoformat()
        OUT.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        print(f"{stem}: wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
