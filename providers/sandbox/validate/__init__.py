"""The strict sandbox: every request body checked against the provider's published request schema,
then against the cross-item rules the live API enforces, each refused the way that API refuses it.

One entry point for the app (`check`, called before a handler runs) and one after it (`observe`, which
remembers what a response produced, as the live API does for the Responses item rules).

* Schemas: providers/sandbox/schemas/<provider>.json, derived from the newest official SDKs' generated
  request types by scripts/gen_sandbox_schemas.py (source, SDK version and date in each file's
  `source`). Loaded on first use and cached; the SDKs are never imported here.
* Reports: report.py words a violation as each API does.
* Rules: rules_openai.py (and rules_openai_strict.py: strict schemas), rules_anthropic.py, rules_gemini.py, rules_mistral.py (DeepSeek's
  `reasoning_content` rule lives in sandbox/deepseek.py).

`SandboxApp(strict=False)` turns all of this off (the handlers' own checks stay).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, cast

from ..wire import Call, ProviderSpec, Reply, match_route
from . import report as R
from .schema import SchemaDoc, Violation, validate

__all__ = ["ENDPOINTS", "Endpoint", "check", "load", "observe"]

GENERATE = ("generateContent", "streamGenerateContent")  # (batchGenerateContent has its own body)

Rule = Callable[[Call, ProviderSpec], Reply | None]
Reporter = Callable[[SchemaDoc, list[Violation], str, Callable[..., Reply]], Reply]


@functools.cache
def load(stem: str) -> SchemaDoc:
    """One provider's schema file (package data), parsed once."""
    text = resources.files("providers.sandbox").joinpath("schemas", f"{stem}.json").read_text("utf-8")
    data = json.loads(text)
    return SchemaDoc(endpoints=data["endpoints"], defs=data["$defs"], source=data["source"])


def _gemini_report(package: str) -> Reporter:
    return functools.partial(R.gemini_report, package=package)


@dataclass(frozen=True)
class Endpoint:
    """How one served route is checked: which schema, how a violation is reported, which rules follow."""

    schema: str  # schema file stem
    key: str  # endpoint key inside it
    reporter: Reporter
    extras: bool = True  # unknown keys refused (False: ignored, as FastAPI does by default)
    key_alias: Callable[[str], str] | None = None
    root: Callable[[Call, SchemaDoc, Mapping[str, Any]], Mapping[str, Any]] | None = None
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    methods: tuple[str, ...] = ()  # for a `{method}` route: the methods this schema is for


def _endpoints() -> dict[str, dict[str, Endpoint]]:
    from . import rules_anthropic, rules_gemini, rules_mistral, rules_openai, rules_openai_strict

    gemini = Endpoint(
        "gemini",
        "POST /{version}/models/{model}:{method}",
        _gemini_report("google.ai.generativelanguage.v1beta"),
        key_alias=R.camel,
        rules=rules_gemini.RULES,
        methods=GENERATE,
    )
    vertex = Endpoint(
        "gemini",
        "vertex POST /{version}/.../models/{model}:{method}",
        _gemini_report("google.cloud.aiplatform.v1"),
        key_alias=R.camel,
        rules=rules_gemini.RULES,
        methods=GENERATE,
    )
    return {
        "openai": {
            "/v1/chat/completions": Endpoint(
                "openai",
                "POST /v1/chat/completions",
                R.openai_report,
                rules=(*rules_openai.CHAT_RULES, rules_openai_strict.chat_strict_schemas),
            ),
            "/v1/responses": Endpoint(
                "openai",
                "POST /v1/responses",
                R.openai_report,
                rules=(*rules_openai.RULES, rules_openai_strict.responses_strict_schemas),
            ),
        },
        "anthropic": {
            "/v1/messages": Endpoint(
                "anthropic",
                "POST /v1/messages",
                R.anthropic_report,
                root=rules_anthropic.versioned_root,
                rules=rules_anthropic.RULES,
            ),
        },
        "mistral": {
            "/v1/chat/completions": Endpoint(
                "mistral", "POST /v1/chat/completions", R.mistral_report, rules=rules_mistral.RULES
            ),
        },
        "gemini": {"/{version}/models/{model}:{method}": gemini},
        "vertex": {
            "/{version}/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}": vertex,
            "/{version}/publishers/google/models/{model}:{method}": vertex,
        },
        "elevenlabs": {
            "/v1/text-to-speech/{voice_id}": Endpoint(
                "elevenlabs", "POST /v1/text-to-speech/{voice_id}", R.fastapi_report, extras=False
            ),
            "/v1/text-to-speech/{voice_id}/stream": Endpoint(
                "elevenlabs", "POST /v1/text-to-speech/{voice_id}/stream", R.fastapi_report, extras=False
            ),
        },
        "deepgram": {
            "/v1/speak": Endpoint("deepgram", "POST /v1/speak", R.deepgram_report, extras=False),
            "/v1/listen": Endpoint("deepgram", "POST /v1/listen", R.deepgram_report, extras=False),
        },
    }


ENDPOINTS: Callable[[], dict[str, dict[str, Endpoint]]] = functools.cache(_endpoints)


def check(spec: ProviderSpec, method: str, route: str, call: Call) -> Reply | None:
    """The provider's error reply when a request body breaks its schema or a cross-item rule, else None.

    Only JSON object bodies of POST routes with a schema are checked; anything else (audio uploads,
    multipart forms, bodies that are not JSON) is left to the handler, which answers it as the API does.
    """
    table = ENDPOINTS().get(spec.name)
    if method != "POST" or table is None or not isinstance(call.body, dict):
        return None
    found = match_route(cast(Mapping[str, Any], table), route)  # the sandbox's own route patterns
    if found is None:
        return None
    endpoint, params = cast(Endpoint, found[0]), found[1]
    if endpoint.methods and params.get("method") not in endpoint.methods:
        return None
    doc = load(endpoint.schema)
    root = doc.endpoints[endpoint.key]
    if endpoint.root is not None:
        root = endpoint.root(call, doc, root)
    violations = validate(doc, root, call.body, extras=endpoint.extras, key_alias=endpoint.key_alias)
    if violations:
        return endpoint.reporter(doc, violations, call.request_id, spec.error)
    for rule in endpoint.rules:
        if (bad := rule(call, spec)) is not None:
            return bad
    return None


def observe(spec: ProviderSpec, method: str, route: str, call: Call, reply: Reply) -> None:
    """Remember what a successful response produced where a later request's rules depend on it."""
    if method == "POST" and spec.name == "openai" and route == "/v1/responses" and reply.status == 200:
        from .rules_openai import remember_output

        remember_output(call, reply)
