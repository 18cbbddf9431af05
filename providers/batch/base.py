"""What every batch codec shares: the protocol, the batch facts from the catalog, JSONL and time helpers.

A batch codec is pure, like a chat codec: it builds `HttpCall`s (upload the input, create the batch,
poll it, cancel it, fetch its results) and parses what comes back (`BatchState`, `RawLine`s); the
driver (providers/batch_driver.py) sends them. The request bodies themselves come from the chat
codecs' `build()`, so a batch carries the same thinking, system and option mapping as `chat()`.

The facts per provider (discount and its source, input kinds, limits, states) are catalog data:
`providers/catalog/batch/<provider>.json`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Literal, Protocol

import httpx2

from ..chat.base import Connection
from ..errors import ConfigurationError, ProviderError
from ..fields import obj
from ..jobs import JobTiming
from ..types import HttpCall
from .types import BatchState, RawLine

__all__ = [
    "BatchCodec",
    "BatchFacts",
    "BatchSpec",
    "InputKind",
    "as_obj",
    "batch_facts",
    "batch_providers",
    "iso",
    "jsonl",
    "read_jsonl",
    "split_batch_id",
]

InputKind = Literal["inline", "file"]


@dataclass(frozen=True)
class BatchFacts:
    """One provider's batch API as the catalog describes it."""

    provider: str
    title: str
    codec: str | None
    discount: float | None
    discount_source: str
    window: str
    inputs: tuple[str, ...]
    endpoints: tuple[str, ...]
    limits: dict[str, int]
    states: str
    not_driven: str | None = None
    sources: tuple[str, ...] = ()


@functools.cache
def _all_facts() -> dict[str, BatchFacts]:
    root = resources.files("providers.catalog").joinpath("batch")
    found: dict[str, BatchFacts] = {}
    for entry in sorted(root.iterdir(), key=lambda f: f.name):
        if not entry.name.endswith(".json"):
            continue
        raw = json.loads(entry.read_text(encoding="utf-8"))
        found[raw["provider"]] = BatchFacts(
            provider=raw["provider"],
            title=raw["title"],
            codec=raw.get("codec"),
            discount=raw.get("discount"),
            discount_source=raw.get("discount_source", ""),
            window=raw.get("window", ""),
            inputs=tuple(raw.get("inputs", ())),
            endpoints=tuple(raw.get("endpoints", ())),
            limits=dict(raw.get("limits", {})),
            states=raw.get("states", ""),
            not_driven=raw.get("not_driven"),
            sources=tuple(raw.get("sources", ())),
        )
    return found


def batch_providers() -> list[str]:
    """The providers whose batch API this toolkit drives."""
    return sorted(name for name, facts in _all_facts().items() if facts.codec)


def batch_facts(provider: str) -> BatchFacts:
    """The catalog's batch facts for a provider; a provider without a driven batch API raises, naming those with one."""
    facts = _all_facts().get(provider)
    driven = ", ".join(batch_providers())
    if facts is None:
        raise ConfigurationError(
            f"{provider} has no batch API in this toolkit; batch APIs: {driven}. "
            "For many calls on any provider, use concurrent chat calls instead",
            provider=provider,
        )
    if facts.codec is None:
        raise ConfigurationError(
            f"{facts.not_driven}. Batch APIs this toolkit drives: {driven}",
            provider=provider,
        )
    return facts


def split_batch_id(job_id: str) -> tuple[str | None, str]:
    """('provider', 'native id') from 'provider:native id'; (None, id) when there is no provider prefix.

    A bare id is recognized by its shape where the provider's ids have one: batch_... (OpenAI),
    msgbatch_... (Anthropic), batches/... (Gemini). Mistral's ids are UUIDs: name the provider.
    """
    text = job_id.strip()
    head, sep, rest = text.partition(":")
    if sep and head in _all_facts() and rest:
        return head, rest
    if text.startswith("msgbatch_"):
        return "anthropic", text
    if text.startswith("batch_"):
        return "openai", text
    if text.startswith("batches/"):
        return "gemini", text
    return None, text


as_obj = obj
"""The value when it is a JSON object, else an empty one (providers/fields.py)."""


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    """JSON Lines: one compact object per line, UTF-8, newline-terminated."""
    return b"".join(
        json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for line in lines
    )


def read_jsonl(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """The objects of a JSONL body, and a note for every line that is not a JSON object (kept, not dropped)."""
    objects: list[dict[str, Any]] = []
    bad: list[str] = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append(f"line {number} is not JSON: {line[:80]!r}")
            continue
        if isinstance(obj, dict):
            objects.append(obj)
        else:
            bad.append(f"line {number} is not a JSON object: {line[:80]!r}")
    return objects, bad


def iso(value: Any) -> str | None:
    """A timestamp as ISO 8601 UTC: unix seconds (OpenAI, Mistral) or RFC 3339 text (Anthropic, Google)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC).isoformat().replace("+00:00", "Z")
    return str(value)


@dataclass
class BatchSpec:
    """What the create call needs: the model, the endpoint, the lines (inline) or the uploaded file."""

    model: str
    endpoint: str
    custom_ids: list[str]
    bodies: list[dict[str, Any]]
    input: InputKind
    file_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    display_name: str | None = None


class BatchCodec(Protocol):
    """One provider's batch wire format. Pure: builds HttpCalls and parses payloads, no I/O."""

    provider: str
    timing: JobTiming
    request_id_header: str

    def check_custom_id(self, custom_id: str) -> str | None:
        """Why the provider would refuse this custom id, or None when it takes it."""
        ...

    def endpoint(self, call: HttpCall, conn: Connection) -> str:
        """The batch endpoint for a chat call built by the chat codec ('/v1/responses', ...)."""
        ...

    def choose_input(self, count: int, size: int, wanted: InputKind | None) -> InputKind:
        """Inline requests or an uploaded file, for `count` requests of `size` bytes (raise if neither fits)."""
        ...

    def file_lines(self, spec: BatchSpec) -> list[dict[str, Any]]:
        """The JSONL lines of the input file."""
        ...

    def upload(self, data: bytes, conn: Connection, *, name: str) -> HttpCall:
        """The call that uploads the input file."""
        ...

    def parse_upload(
        self, status: int, headers: httpx2.Headers, payload: Any, *, data: bytes, conn: Connection
    ) -> str | HttpCall:
        """The uploaded file's id, or the next call of a multi-step upload (which sends `data`)."""
        ...

    def create(self, spec: BatchSpec, conn: Connection) -> HttpCall:
        """The call that creates the batch."""
        ...

    def poll(self, native_id: str, conn: Connection) -> HttpCall:
        """The call that asks for the batch's state."""
        ...

    def cancel(self, native_id: str, conn: Connection) -> HttpCall:
        """The call that asks the provider to cancel the batch."""
        ...

    def parse_job(self, payload: Any) -> BatchState:
        """A batch object (create, poll or cancel reply), normalized."""
        ...

    def result_calls(self, state: BatchState, conn: Connection) -> list[HttpCall]:
        """The calls that fetch the results (none when they came inline)."""
        ...

    def parse_results(self, state: BatchState, bodies: list[bytes]) -> tuple[list[RawLine], list[str]]:
        """Every result line, and notes on lines that could not be read."""
        ...

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        """The typed error for an HTTP error reply of a batch endpoint."""
        ...
