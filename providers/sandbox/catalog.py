"""The sandbox for every OpenAI-compatible vendor in the catalog, derived from the catalog itself.

A vendor that speaks OpenAI's Chat Completions needs no sandbox code of its own: its catalog entry already
says where it lives (base URL, regional hosts), how it authenticates and which path it serves. From that
data this module builds, for each such vendor without a hand-written sandbox module:

* a host map: the real host (and every regional host) -> the vendor, so the in-process client reaches it
  by its real name; `{name}` parts of a host (Azure `{endpoint}`, Bedrock `bedrock-runtime.{region}...`)
  become wildcards, a local server keeps its port (`localhost:11434` is Ollama, `localhost:1234` LM Studio);
* a provider spec reusing the OpenAI Chat Completions handler through a dialect: the route is the base
  URL's path plus the `wire.path` (placeholders become route parameters), the auth check follows the
  catalog's `auth` (and accepts no key where the catalog says none is needed), and reasoning comes back in
  the field the catalog names (`wire.reasoning_field`).

It also maps the regional hosts of vendors that do have their own sandbox module (eu.api.openai.com ->
openai), so a region picked through the catalog is always served.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from . import openai as O
from . import openai_tools as OT
from . import text as T
from .wire import Call, ProviderSpec, Reply

__all__ = ["catalog_route", "catalog_specs", "compat_spec"]

COMPAT_CODECS = frozenset({"providers.chat.compat:OpenAICompatible", "providers.chat.openai_chat:OpenAIChat"})
_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")


def _pattern(url: str, sandbox: Mapping[str, str]) -> tuple[str, str]:
    """(host pattern, path pattern) of a base URL that may hold `{name}` placeholders."""
    if url.startswith("{"):  # the whole base is a setting (Azure {endpoint}): the sandbox's own value
        name, _, rest = url[1:].partition("}")
        url = sandbox.get(name, f"https://{name}.sandbox.invalid") + rest
    parts = urlsplit(url.replace("{", "%7B").replace("}", "%7D"))
    host = (parts.netloc or "").replace("%7B", "{").replace("%7D", "}").lower()
    path = parts.path.replace("%7B", "{").replace("%7D", "}")
    if "{" in host:
        host = "".join("*" if piece.startswith("{") else piece for piece in _split_fields(host))
    return host, path.rstrip("/")


def _split_fields(text: str) -> list[str]:
    out, buf, depth = [], "", 0
    for ch in text:
        if ch == "{":
            if buf:
                out.append(buf)
            buf, depth = "{", 1
        elif ch == "}" and depth:
            out.append(buf + "}")
            buf, depth = "", 0
        else:
            buf += ch
    if buf:
        out.append(buf)
    return out


def _auth_check(
    header: str, scheme: str | None, optional: bool
) -> Callable[[Mapping[str, str], str], Reply | None]:
    def check(headers: Mapping[str, str], request_id: str) -> Reply | None:
        value = headers.get(header, "")
        if scheme:
            given, _, token = value.partition(" ")
            ok = given.lower() == scheme and bool(token.strip())
        else:
            ok = bool(value.strip())
        if ok or (optional and not value):
            return None
        shown = f"{header}: {scheme.title() + ' ' if scheme else ''}<key>"
        return O.error(
            401, f"Missing or invalid API key: send {shown} (sandbox)", request_id, code="invalid_api_key"
        )

    return check


def _dialect(field: str) -> O.ChatDialect:
    def message(plan: O.Plan) -> dict[str, Any]:
        out: dict[str, Any] = {"content": plan.answer}
        if plan.reasoning:
            out[field] = plan.reasoning
        return out

    def deltas(plan: O.Plan) -> list[dict[str, Any]]:
        thinking = [{field: piece} for piece in T.chunk_words(plan.reasoning)] if plan.reasoning else []
        return [*thinking, *({"content": piece} for piece in T.chunk_words(plan.answer))]

    # compatible servers (vLLM, Groq, Together...) send no service_tier and no refusal field
    return O.ChatDialect(
        message=message,
        deltas=deltas,
        extra={"system_fingerprint": None},
        role_delta={"role": "assistant", "content": ""},
        keep_alive=False,
    )


def _handler(dialect: O.ChatDialect) -> Callable[[Call], Reply]:
    def chat(call: Call) -> Reply:
        if (bad := O.check_chat_request(call, _EFFORTS)) is not None:
            return bad
        body = call.body
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        question, prompt = O.chat_prompt(body["messages"])
        view, schema = OT.chat_view(body, call.headers), OT.chat_format(body)
        plan = O.plan(question, prompt, body.get("reasoning_effort"), limit, view, schema)
        return O.chat_reply(call, plan, dialect)

    return chat


def compat_spec(spec: Any) -> ProviderSpec:
    """The sandbox spec for one OpenAI-compatible catalog provider (a registry ProviderSpec)."""
    from ..chat.compat import CompatOptions

    opts = CompatOptions(**spec.wire)
    _, path = _pattern(spec.base_url, opts.sandbox)
    header, scheme = {
        "bearer": ("authorization", "bearer"),
        "token": ("authorization", "token"),
    }.get(spec.auth, (spec.auth, None))
    handler = _handler(_dialect(opts.reasoning_field))
    routes = {path + opts.path: handler}
    if spec.connector and spec.connector.endswith(":self_hosted_connection"):
        routes["/v1" + opts.path] = handler  # reached by path on the sandbox host: /<name>/v1/...
    return dataclasses.replace(
        O.OPENAI, name=spec.name, routes=routes, check_auth=_auth_check(header, scheme, not spec.key_required)
    )


@functools.cache
def _tables(
    known: frozenset[str],
) -> tuple[dict[str, ProviderSpec], dict[str, str], tuple[tuple[str, str], ...]]:
    from ..chat.compat import CompatOptions
    from ..registry import list_provider_specs

    specs: dict[str, ProviderSpec] = {}
    hosts: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for spec in list_provider_specs():
        ours = spec.name not in known and spec.codec in COMPAT_CODECS and "chat" in spec.modalities
        if ours:
            specs[spec.name] = compat_spec(spec)
        elif spec.name not in known:
            continue
        sandbox = CompatOptions(**spec.wire).sandbox if ours else {}
        urls = [spec.base_url, *(r.base_url for r in spec.regions.values() if r.base_url)]
        for url in urls:
            host, _ = _pattern(url, sandbox)
            if "*" in host:
                patterns.append((host, spec.name))
            elif host and host != "self-hosted.invalid":
                hosts.setdefault(host, spec.name)
    return specs, hosts, tuple(patterns)


def catalog_specs(known: Mapping[str, Any]) -> dict[str, ProviderSpec]:
    """Sandbox specs for the catalog's OpenAI-compatible providers that `known` (hand-written) lacks."""
    return _tables(frozenset(known))[0]


def catalog_route(host: str, known: Mapping[str, Any]) -> str | None:
    """The provider the catalog places at a host (with its port for local servers), or None."""
    _, hosts, patterns = _tables(frozenset(known))
    name = host.strip().lower()
    bare = name.rsplit(":", 1)[0]
    found = hosts.get(name) or hosts.get(bare)  # host:port first: local servers differ only by port
    return found or next((p for pattern, p in patterns if fnmatch.fnmatchcase(bare, pattern)), None)
