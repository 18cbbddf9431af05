"""OpenAI-compatible vendors: the Chat Completions codec, driven by each catalog entry's `wire` options.

Dozens of vendors (Groq, Together, Fireworks, OpenRouter, Maritaca, LightOn Paradigm, Azure OpenAI, local
servers...) speak OpenAI's Chat Completions (`POST {base}/chat/completions`, data-only SSE ending in
`data: [DONE]`). What differs between them is data, kept in `catalog/providers/<name>.json`:

* `wire.path` -- the path after the base URL (default `/chat/completions`);
* `wire.max_tokens_field` -- `max_tokens` (default; what compatible servers accept) or `max_completion_tokens`;
* `wire.stream_usage` -- send `stream_options: {"include_usage": true}` (default true; the usage arrives in a
  final chunk with `choices: []`);
* `wire.query` -- query parameters, whose `{name}` parts are filled from the connection's settings
  (Azure: `{"api-version": "{api_version}"}`);
* `wire.headers` -- fixed extra headers;
* `wire.sandbox` -- values the sandbox uses for settings the base URL needs (an Azure endpoint...).

A base URL may hold `{name}` placeholders filled from the provider's settings by `template_connection`
(Cloudflare `{account_id}`, Azure `{endpoint}`, Bedrock `{region}`), and `{model}`, filled with the model
name when the call is built (Azure puts the deployment in the path, as openai-python's AzureOpenAI does).

Reasoning text comes back from compatible servers as `reasoning_content` (DeepSeek, vLLM, SGLang, Qwen) or
`reasoning` (OpenRouter, Groq, newer vLLM); both are kept as a thinking part.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from string import Formatter
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigurationError
from ..registry import ModelInfo, ProviderSpec, provider_spec
from ..thinking import Resolved
from ..types import ChatRequest, ChatResult, HttpCall, TextDelta, ThinkingDelta, ThinkingPart
from ..urls import clean_base_url
from .base import Connection
from .openai_chat import ChatStreamDecoder, OpenAIChat, chat_messages

__all__ = ["CompatOptions", "CompatStreamDecoder", "OpenAICompatible", "options_for", "template_connection"]

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")  # one DNS label
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$")  # one path segment, nothing that changes the path
SANDBOX_VALUE = "llmkit-sandbox"


class CompatOptions(BaseModel):
    """How one OpenAI-compatible vendor differs from OpenAI on the wire (catalog field `wire`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str = Field("/chat/completions", description="Path after the base URL.")
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = Field(
        "max_tokens", description="The body field that caps output tokens."
    )
    stream_usage: bool = Field(
        True, description="Ask for a final usage chunk with stream_options.include_usage."
    )
    query: dict[str, str] = Field(
        default_factory=dict, description="Query parameters; '{setting}' is filled in."
    )
    headers: dict[str, str] = Field(default_factory=dict, description="Fixed extra headers.")
    reasoning_field: Literal["reasoning_content", "reasoning"] = Field(
        "reasoning_content",
        description="Where the vendor puts reasoning text (both are read; the sandbox sends this).",
    )
    sandbox: dict[str, str] = Field(
        default_factory=dict, description="Setting values the sandbox uses when none is configured."
    )
    structured_output: Literal["json_schema", "json_object", "prompt"] = Field(
        "json_schema",
        description="How output= is asked: response_format json_schema, json_object with the schema in the "
        "prompt, or the prompt only.",
    )


@functools.cache
def options_for(provider: str) -> CompatOptions:
    """The validated `wire` options of a provider's catalog entry."""
    return CompatOptions(**provider_spec(provider).wire)


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(template) if name]


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


class OpenAICompatible(OpenAIChat):
    """Chat Completions for OpenAI-compatible vendors; what differs is the catalog's `wire` options."""

    name = "openai-compatible"
    strict_tools = "explicit"  # compatible servers differ on `strict`: sent only when a tool asks

    def output_style(self, request: ChatRequest) -> str:
        return options_for(request.provider).structured_output

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        opts = options_for(request.provider)
        request, output = self.output_fields(request, info)
        body: dict[str, Any] = {"model": request.model, "messages": chat_messages(request)}
        body.update(self.thinking_fields(resolved))
        body.update(self.tool_fields(request))
        body.update(output)
        if request.max_tokens is not None:
            body[opts.max_tokens_field] = request.max_tokens
        if request.stream:
            body["stream"] = True
            if opts.stream_usage:
                body["stream_options"] = {"include_usage": True}
        body.update(request.options)
        call = self.http_call(request, conn, body)
        base = conn.base_url.replace("{model}", quote(request.model, safe=""))
        params = {
            k: _fill(v, {n: str(conn.settings.get(n, "")) for n in _fields(v)}) for k, v in opts.query.items()
        }
        headers = {**call.headers, **opts.headers}
        return call.model_copy(update={"url": base + opts.path, "params": params, "headers": headers})

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        result = super().parse(payload, request)
        message = ((payload.get("choices") or [{}])[0] or {}).get("message") or {}
        reasoning = message.get("reasoning")
        if isinstance(reasoning, str) and reasoning and not result.reasoning:
            thinking = ThinkingPart(text=reasoning, provider=request.provider)
            result = result.model_copy(update={"parts": [thinking, *result.parts], "visibility": "full"})
        return result

    def decoder(self, request: ChatRequest) -> CompatStreamDecoder:
        return CompatStreamDecoder(request)


class CompatStreamDecoder(ChatStreamDecoder):
    """Chat Completions chunks, reading reasoning from `reasoning_content` or `reasoning`."""

    def delta(self, delta: dict[str, Any]) -> list[TextDelta | ThinkingDelta]:
        if (
            not delta.get("reasoning_content")
            and isinstance(delta.get("reasoning"), str)
            and delta["reasoning"]
        ):
            delta = {**delta, "reasoning_content": delta["reasoning"]}
        return super().delta(delta)


def _check_value(spec: ProviderSpec, name: str, value: str, where: str, source: str) -> str:
    """A setting value fit for its place in the URL, or ConfigurationError naming the fix."""
    how = _how(spec, name)
    if where == "url":
        return clean_base_url(value, f"{spec.name} {name} (from {source})")
    pattern = _LABEL if where == "host" else _SEGMENT
    if not pattern.match(value):
        kind = "a host name label" if where == "host" else "a path segment"
        raise ConfigurationError(
            f"{spec.name} {name} {value!r} (from {source}) is not {kind} (letters, digits, '-'); {how}",
            provider=spec.name,
        )
    return value


_OFFLINE = " (or use sandbox=True to try it offline)"


def _how(spec: ProviderSpec, name: str) -> str:
    setting = spec.settings.get(name)
    env = " or ".join(setting.env) if setting and setting.env else None
    hint = f"pass settings={{'{spec.name}': {{'{name}': ...}}}}"
    return (f"{hint} or set {env}" if env else hint) + _OFFLINE


def _place(template: str, name: str) -> str:
    """Where a placeholder sits in a URL template: the whole URL, a host label, or a path segment."""
    if template.startswith("{" + name + "}"):
        return "url"
    probe = template
    for other in _fields(template):
        probe = probe.replace("{" + other + "}", "x" if other != name else "PLACEHOLDER")
    return "host" if "PLACEHOLDER" in (urlsplit(probe).hostname or "").upper() else "path"


def template_connection(conn: Connection, spec: ProviderSpec, *, sandbox: bool = False) -> Connection:
    """Fill `{setting}` placeholders in the base URL from the provider's settings; refuse missing ones."""
    template = conn.base_url
    opts = CompatOptions(**spec.wire)
    values: dict[str, str] = {}
    for name in _fields(template):
        if name == "model":
            continue  # filled per call by the codec
        value = conn.settings.get(name)
        source = conn.setting_sources.get(name, "argument")
        if source == "argument":
            source = f"settings['{spec.name}'][{name!r}]"
        if sandbox and _place(template, name) == "url":
            value = None  # a whole-URL setting (an Azure endpoint) is the sandbox's own host offline
        if value is None or not str(value).strip():
            if not sandbox:
                raise ConfigurationError(f"{spec.title} needs {name}: {_how(spec, name)}", provider=spec.name)
            value, source = opts.sandbox.get(name, SANDBOX_VALUE), "the sandbox default"
        values[name] = _check_value(spec, name, str(value).strip(), _place(template, name), source).rstrip(
            "/"
        )
    filled = _fill(template, values)
    settings = dict(conn.settings)
    for name in _fields(" ".join(opts.query.values())):
        if name not in settings and sandbox:
            settings[name] = opts.sandbox.get(name, SANDBOX_VALUE)
        if name not in settings:
            raise ConfigurationError(f"{spec.title} needs {name}: {_how(spec, name)}", provider=spec.name)
    return dataclasses.replace(conn, base_url=filled, settings=settings)
