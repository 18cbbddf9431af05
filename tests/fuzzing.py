"""Fuzzing the codec boundary: malformed replies for every codec, fed through the real call paths.

The strategies start from real-shaped replies (the fixtures) and break them: a value of the wrong
type, a key removed, a frame replaced by `data: 1`, a nesting far too deep, a body that is not
JSON, an error body no parser expects, a Retry-After of `soon`. Each case runs through the same
code a user's call runs (AsyncClient over an httpx2.MockTransport, the transcription and job
calls), and its outcome is classified: a usable result, a typed error from providers.errors, or an
escape (any other exception). The property tests (tests/unit/test_fuzz_*.py) require no escape.

`python -m tests.fuzzing [--examples N]` tallies the outcomes per target instead of failing on the
first escape (how the numbers in issue 11 were counted). With `LLMKIT_FUZZ_TALLY=metadata` it tallies
instead how often a reply whose metadata alone is garbled (ids, model, usage, finish and stop details:
`metadata_garbled`) still gives its answer, per chat codec, plain and streamed.

Profiles: `LLMKIT_FUZZ=quick` (the default in `make test`: derandomized, few examples, seconds) or
`LLMKIT_FUZZ=long` (`make fuzz`: random, thousands of examples).
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx2
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from providers.errors import LLMKitError

from .helpers import FIXTURES

# -- profiles -------------------------------------------------------------------------------------

settings.register_profile(
    "fuzz-quick",
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile(
    "fuzz-long",
    max_examples=int(os.environ.get("LLMKIT_FUZZ_EXAMPLES", "1500")),
    derandomize=False,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
PROFILE = "fuzz-long" if os.environ.get("LLMKIT_FUZZ", "quick") == "long" else "fuzz-quick"
fuzz_settings = settings.get_profile(PROFILE)
"""Decorate a fuzz test with this (after @given): the quick profile in `make test`, the long one in `make fuzz`."""

# -- JSON: arbitrary values, and mutations of real-shaped documents --------------------------------

WIRE_KEYS = (
    "choices", "message", "content", "usage", "output", "type", "text", "candidates", "parts", "error",
    "delta", "index", "id", "model", "input_tokens", "output_tokens", "prompt_tokens", "completion_tokens",
    "finish_reason", "stop_reason", "thinking", "signature", "reasoning_content", "status", "results",
    "channel", "channels", "alternatives", "transcript", "words", "data", "taskUUID", "summary",
    "encrypted_content", "usageMetadata", "thought", "role", "message", "code", "details", "request_id",
    "content_block", "response", "item", "output_index", "prompt_tokens_details", "cached_tokens",
)  # fmt: skip

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "text", "message", "stop", "[DONE]", "thinking", "error", "0", "-1"])
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(WIRE_KEYS) | st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += _paths(value, (*prefix, i))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw: Any, doc: Any, max_mutations: int = 3) -> Any:
    """`doc` with one to three places broken: replaced, removed, nulled, wrapped or retyped."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, max_mutations))):
        path = draw(st.sampled_from(_paths(doc)))
        old = _get(doc, path)
        op = draw(st.sampled_from(["replace", "delete", "null", "wrap", "retype", "empty"]))
        new: Any
        if op == "delete" and path:
            parent = _get(doc, path[:-1])
            del parent[path[-1]]
            continue
        if op == "replace" or op == "delete":
            new = draw(json_values)
        elif op == "null":
            new = None
        elif op == "wrap":
            new = draw(st.sampled_from([[old], {"x": old}]))
        elif op == "retype":
            new = draw(st.sampled_from([str(old)[:20], 0, 1.5, -1, True, [], {}, "x"]))
        else:
            new = type(old)() if isinstance(old, dict | list | str) else None
        if not path:
            doc = new
        else:
            _get(doc, path[:-1])[path[-1]] = new
    return doc


def dumps(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


DEEP = b"[" * 100_000 + b"]" * 100_000
SPECIAL_BODIES = (
    b"null", b"[]", b"{}", b"1", b'"x"', b"true", b"", b" ", b"{", b"<html>502 Bad Gateway</html>",
    b"\xff\xfe\x00garbage", b"NaN", b"[" * 5000, DEEP, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"9" * 5000,
)  # fmt: skip


def bodies(seed: Any) -> st.SearchStrategy[bytes]:
    """Reply bodies: the seed broken in places (most cases), any JSON, any bytes, and classic failures."""
    return st.one_of(
        mutated(seed).map(dumps),
        mutated(seed).map(dumps),
        json_values.map(dumps),
        st.binary(max_size=64),
        st.sampled_from(SPECIAL_BODIES),
    )


# -- SSE streams ----------------------------------------------------------------------------------

Frame = tuple[str, str]


def sse_frames(name: str) -> list[Frame]:
    from .helpers import sse_events

    return sse_events(name)


def frames_of(body: bytes) -> list[Frame]:
    """(event, data) pairs of an SSE body, parsed the way the transport parses them."""
    request = httpx2.Request("GET", "https://fixture.invalid/")
    response = httpx2.Response(
        200, headers={"content-type": "text/event-stream"}, content=body, request=request
    )
    return [(e.event, e.data) for e in httpx2.EventSource(response)]


def sse_bytes(frames: list[Frame]) -> bytes:
    out = []
    for event, data in frames:
        lines = [f"event: {event}"] if event else []
        lines += [f"data: {line}" for line in data.split("\n")]
        out.append("\n".join(lines) + "\n\n")
    return "".join(out).encode("utf-8", "surrogatepass")


RAW_FRAMES = ("1", "null", "[]", "{}", '"x"', "[DONE]", "", "{", "true", "[" * 3000, "[" * 100_000)


@st.composite
def mutated_stream(draw: Any, frames: list[Frame]) -> list[Frame]:
    """A real-shaped stream with one to three frames broken, dropped, duplicated, renamed, or the rest cut."""
    frames = list(frames)
    names = sorted({e for e, _ in frames} | {"error", "ping", "message_stop", ""})
    for _ in range(draw(st.integers(1, 3))):
        if not frames:
            break
        i = draw(st.integers(0, len(frames) - 1))
        event, data = frames[i]
        op = draw(st.sampled_from(["json", "json", "json", "raw", "drop", "event", "cut", "dup"]))
        if op == "json":
            try:
                doc = json.loads(data)
            except (ValueError, RecursionError):
                doc = data
            frames[i] = (event, json.dumps(draw(mutated(doc)), allow_nan=True))
        elif op == "raw":
            frames[i] = (event, draw(st.sampled_from(RAW_FRAMES) | st.text(max_size=16)))
        elif op == "drop":
            del frames[i]
        elif op == "event":
            frames[i] = (
                draw(st.sampled_from(names) | st.text("abcdefghijklmnopqrstuvwxyz_.", max_size=12)),
                data,
            )
        elif op == "cut":
            frames = frames[:i]
        else:
            frames.insert(i, frames[i])
    return frames


# -- metadata garbled, the answer intact ---------------------------------------------------------

METADATA_LEAVES = frozenset(
    {
        "id", "model", "modelVersion", "responseId", "response_id", "created", "created_at", "completed_at",
        "createTime", "object", "system_fingerprint", "service_tier", "status", "finish_reason",
        "finishReason", "stop_reason", "stop_sequence", "finishMessage", "avgLogprobs", "sequence_number",
    }
)  # fmt: skip
"""Keys that say something about a reply, never what it says: ids, model, finish and stop details."""
METADATA_TREES = frozenset(
    {"usage", "usageMetadata", "usage_metadata", "stop_details", "incomplete_details", "logprobs"}
)
"""Keys whose whole value is metadata (token counts, stop details)."""

garbage = st.one_of(
    st.sampled_from(
        [[], {}, [1], {"a": 1}, 0, -1, 1.5, True, False, "x", "", None, 2**70, [[]], {"x": [1]}, "12", "stop"]
    ),
    json_values,
)


def metadata_paths(doc: Any) -> list[tuple[Any, ...]]:
    """The places in `doc` that hold metadata (METADATA_LEAVES keys, and anything under METADATA_TREES)."""
    return [
        path
        for path in _paths(doc)
        if path
        and (path[-1] in METADATA_LEAVES or any(isinstance(k, str) and k in METADATA_TREES for k in path))
    ]


@st.composite
def metadata_garbled(draw: Any, doc: Any) -> Any:
    """`doc` with one to three metadata values replaced by a value of any type (the content untouched)."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = metadata_paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        _get(doc, path[:-1])[path[-1]] = copy.deepcopy(draw(garbage))
    return doc


@st.composite
def metadata_garbled_stream(draw: Any, frames: list[Frame]) -> list[Frame]:
    """A stream with the metadata of one to three of its frames garbled (every frame still there)."""
    frames = list(frames)
    docs = {}
    for i, (_, data) in enumerate(frames):
        try:
            doc = json.loads(data)
        except ValueError:
            continue
        if metadata_paths(doc):
            docs[i] = doc
    if not docs:
        return frames
    for i in draw(st.lists(st.sampled_from(sorted(docs)), min_size=1, max_size=3, unique=True)):
        frames[i] = (frames[i][0], json.dumps(draw(metadata_garbled(docs[i])), allow_nan=True))
    return frames


def answer_of(outcome: Outcome) -> str | None:
    """The answer text of a case that ended in a result, else None."""
    return outcome.value.text if outcome.kind == "result" else None


def metadata_label(outcome: Outcome, answer: str) -> str:
    """`kept` when the answer came through whole; `kept:partial` when a stream whose final marker was
    garbled to null (which reads as "not sent") ended in an IncompleteStreamError holding the whole
    answer on `.partial`; otherwise how it was lost."""
    from providers.errors import IncompleteStreamError

    if outcome.kind == "result":
        return "kept" if outcome.value.text == answer else "lost:text"
    if isinstance(outcome.value, IncompleteStreamError) and outcome.value.partial.text == answer:
        return "kept:partial"
    return outcome.label


# -- headers --------------------------------------------------------------------------------------

header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
retry_after_values = st.one_of(
    st.sampled_from(
        [
            "soon",
            "-1",
            "0",
            "1",
            "nan",
            "inf",
            "-inf",
            "1e400",
            "",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 07:28:00",
            "Mon, 99 Foo 0000 99:99:99 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Tue, 01 Jan 0001 00:00:00 GMT",
            "1.5",
            " 2 ",
            "0x10",
            "1_000",
        ]
    ),
    header_text,
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def reply_headers(draw: Any, request_id_header: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    if draw(st.booleans()):
        headers[request_id_header] = "req_" + draw(st.text("abcdef0123456789", min_size=1, max_size=12))
    if draw(st.booleans()):
        headers["retry-after"] = draw(retry_after_values)
    if draw(st.booleans()):
        headers["retry-after-ms"] = draw(retry_after_values)
    if draw(st.booleans()):
        headers["x-should-retry"] = draw(st.sampled_from(["true", "false", "maybe"]))
    return headers


# -- chat targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatTarget:
    """One chat codec, with the fixtures its replies are grown from."""

    name: str
    model: str
    plain: str | None
    stream: str
    error: Any
    request_id_header: str = "x-request-id"
    options: dict[str, Any] = field(default_factory=dict)

    def plain_seed(self) -> Any:
        if self.plain is None:
            return OPENAI_CHAT_REPLY
        return json.loads((FIXTURES / self.plain).read_text(encoding="utf-8"))


OPENAI_CHAT_REPLY = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-5",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi", "reasoning_content": "think", "refusal": None},
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 12,
        "completion_tokens": 34,
        "total_tokens": 46,
        "completion_tokens_details": {"reasoning_tokens": 20},
        "prompt_tokens_details": {"cached_tokens": 4},
    },
}
OPENAI_ERROR = {"error": {"message": "bad", "type": "invalid_request_error", "param": "x", "code": "c"}}
ANTHROPIC_ERROR = {
    "type": "error",
    "error": {"type": "invalid_request_error", "message": "bad", "details": {"error_code": "x"}},
    "request_id": "req_1",
}
GEMINI_ERROR = {
    "error": {
        "code": 400,
        "message": "bad",
        "status": "INVALID_ARGUMENT",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
    }
}
MISTRAL_ERROR = {"object": "error", "message": "bad", "type": "invalid", "param": None, "code": "1000"}

CHAT_TARGETS = [
    ChatTarget("openai-responses", "openai/gpt-6.1-terra", "openai_response.json", "openai_response_stream.sse", OPENAI_ERROR),
    ChatTarget("openai-chat", "openai/gpt-6.1-terra", None, "openai_chat_stream.sse", OPENAI_ERROR, options={"api": "chat"}),
    ChatTarget("compat", "openrouter/vendor/some-model", None, "openai_chat_stream.sse", OPENAI_ERROR),
    ChatTarget("anthropic", "anthropic/claude-sonnet-5-5", "anthropic_message.json", "anthropic_stream.sse", ANTHROPIC_ERROR, "request-id"),
    ChatTarget("gemini", "gemini/gemini-3.5-flash", "gemini_response.json", "gemini_thinking_stream.sse", GEMINI_ERROR),
    ChatTarget("vertex", "vertex/gemini-3.5-flash", "gemini_response.json", "gemini_thinking_stream.sse", GEMINI_ERROR),
    ChatTarget("deepseek", "deepseek/deepseek-v4-pro", "deepseek_chat.json", "deepseek_stream.sse", OPENAI_ERROR),
    ChatTarget("xai", "xai/grok-4.3", "xai_response.json", "xai_response_stream.sse", OPENAI_ERROR),
    ChatTarget("mistral", "mistral/mistral-medium-3-5", "mistral_chat.json", "mistral_stream.sse", MISTRAL_ERROR),
]  # fmt: skip
TARGETS_BY_NAME = {t.name: t for t in CHAT_TARGETS}


@dataclass
class Outcome:
    """What one case ended in: a result, a typed error, or an escape (any other exception)."""

    kind: str  # "result" | "typed" | "escape"
    value: Any = None

    @property
    def label(self) -> str:
        return self.kind if self.kind == "result" else f"{self.kind}:{type(self.value).__name__}"


async def _no_sleep(_: float) -> None:
    return None


def mock_client(respond: Callable[[httpx2.Request], httpx2.Response], **kwargs: Any) -> Any:
    """A sandbox-keyed AsyncClient whose every request gets `respond(request)`; retries do not wait."""
    from providers.client import AsyncClient

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(respond))
    client = AsyncClient(sandbox=True, http_client=http, max_retries=1, **kwargs)
    client.transport.sleep = _no_sleep
    return client


def run(coro: Coroutine[Any, Any, Any]) -> Outcome:
    """Run one case to its end and classify it."""
    try:
        return Outcome("result", asyncio.run(coro))
    except LLMKitError as exc:
        return Outcome("typed", exc)
    except Exception as exc:
        return Outcome("escape", exc)


def chat_case(
    target: ChatTarget, *, status: int, body: bytes, headers: dict[str, str], stream: bool
) -> Outcome:
    """One chat call (plain or streamed) whose reply is `status`, `headers`, `body`."""

    def respond(request: httpx2.Request) -> httpx2.Response:
        kind = "text/event-stream" if stream and status < 400 else "application/json"
        return httpx2.Response(status, headers={"content-type": kind, **headers}, content=body)

    async def call() -> Any:
        client = mock_client(respond)
        try:
            if not stream:
                return await client.chat(target.model, "hi", **target.options)
            events = [e async for e in client.stream(target.model, "hi", **target.options)]
            return events[-1].result
        finally:
            await client.aclose()

    return run(call())


# -- speech and video targets ---------------------------------------------------------------------

SPEECH_WAV = (FIXTURES / "audio" / "speech.wav").read_bytes()


@dataclass(frozen=True)
class SpeechTarget:
    name: str
    model: str
    seed: str
    request_id_header: str


SPEECH_TARGETS = [
    SpeechTarget("deepgram", "deepgram/nova-3", "deepgram_listen.json", "dg-request-id"),
    SpeechTarget("elevenlabs", "elevenlabs/scribe_v2", "elevenlabs_stt.json", "request-id"),
]


def transcription_case(target: SpeechTarget, *, status: int, body: bytes, headers: dict[str, str]) -> Outcome:
    def respond(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, headers={"content-type": "application/json", **headers}, content=body)

    async def call() -> Any:
        client = mock_client(respond)
        try:
            return await client.transcribe(SPEECH_WAV, model=target.model)
        finally:
            await client.aclose()

    return run(call())


@dataclass(frozen=True)
class JobTarget:
    name: str
    model: str
    seeds: tuple[str, ...]
    request_id_header: str = "x-request-id"

    def seed_docs(self) -> list[Any]:
        docs: list[Any] = []
        for name in self.seeds:
            doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
            docs += list(doc.values()) if name == "runwayml_tasks.json" else [doc]
        return docs


JOB_TARGETS = [
    JobTarget(
        "runware",
        "runware/runway:1@2",
        ("runware_poll_success.json", "runware_poll_processing.json", "runware_poll_error.json"),
    ),
    JobTarget("runwayml", "runwayml/gen4.5", ("runwayml_tasks.json", "runwayml_task_succeeded.json")),
]


def job_case(target: JobTarget, *, step: str, status: int, body: bytes, headers: dict[str, str]) -> Outcome:
    """Submit a video job (`step="submit"`) or poll one once (`step="poll"`) against the given reply."""
    from providers.media_types import Job
    from providers.video.jobs import JobTracker, poll_job, submit_job

    def respond(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, headers={"content-type": "application/json", **headers}, content=body)

    async def call() -> Any:
        client = mock_client(respond)
        try:
            prep = client.media.prepare("a cat", model=target.model, kind="video")
            if step == "submit":
                return await submit_job(
                    client.transport, prep.codec, prep.conn, prep.request, job_id=prep.job_id
                )
            tracker = JobTracker(job=Job(id=prep.job_id, provider=prep.spec.name, model=prep.model.id))
            polls = poll_job(
                client.transport, prep.codec, prep.conn, tracker, timeout=None, wait_first=False,
                sleep=_no_sleep, cancel_on_interrupt=False,
            )  # fmt: skip
            try:
                return await polls.__anext__()
            finally:
                await polls.aclose()
        finally:
            await client.aclose()

    return run(call())


# -- provider batches: a real sandbox run recorded once, then replayed with its replies broken -------

BATCH_MODELS = {
    "openai": "openai/gpt-6.1-terra",
    "anthropic": "anthropic/claude-haiku-5-5",
    "gemini": "gemini/gemini-3.8-flash",
    "mistral": "mistral/mistral-small-2603",
}


@dataclass
class BatchRecording:
    """One batch run against the sandbox: its id, the job reply of the last poll, the results replies."""

    job_id: str
    replies: dict[tuple[str, str], tuple[int, dict[str, str], bytes]]
    job_key: tuple[str, str]
    result_keys: list[tuple[str, str]]


class _Recorder(httpx2.AsyncBaseTransport):
    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[tuple[str, str], tuple[int, dict[str, str], bytes]]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-encoding")
        }
        self.seen.append(((request.method, request.url.path), (response.status_code, headers, body)))
        return httpx2.Response(response.status_code, headers=headers, content=body, request=request)


_BATCHES: dict[str, BatchRecording] = {}


def batch_recording(provider: str) -> BatchRecording:
    """Run a two-request batch on the sandbox once per process and keep what it answered."""
    if provider in _BATCHES:
        return _BATCHES[provider]
    from providers.asgi_transport import StreamingASGITransport
    from providers.client import AsyncClient
    from providers.jobs import JobTiming
    from providers.sandbox import SandboxApp

    async def record() -> BatchRecording:
        recorder = _Recorder(StreamingASGITransport(SandboxApp()))
        async with httpx2.AsyncClient(transport=recorder) as http:
            client = AsyncClient(sandbox=True, http_client=http)
            client.batches.timing = JobTiming(first_s=0.0, factor=1.0, max_s=0.0, jitter=0.0)
            job = await client.batch(["Why is the sky blue?", "Name a colour."], model=BATCH_MODELS[provider])
            await job.wait()
            polled = len(recorder.seen)
            await job.results()
        replies = dict(recorder.seen)
        job_key = recorder.seen[polled - 1][0]
        result_keys = [key for key, _ in recorder.seen[polled:]]
        return BatchRecording(job.id, replies, job_key, result_keys)

    _BATCHES[provider] = asyncio.run(record())
    return _BATCHES[provider]


def jsonl_bodies(body: bytes) -> st.SearchStrategy[bytes]:
    """A results body broken in places: JSONL with one line mutated or replaced, or a JSON body mutated."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        doc = None
    if doc is not None:
        return bodies(doc)
    lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]

    @st.composite
    def broken(draw: Any) -> bytes:
        out = [json.dumps(line) for line in lines]
        if out:
            i = draw(st.integers(0, len(out) - 1))
            out[i] = draw(
                mutated(lines[i]).map(lambda v: json.dumps(v, allow_nan=True)) | st.sampled_from(RAW_FRAMES)
            )
        return "\n".join(out).encode()

    return st.one_of(broken(), st.binary(max_size=32), st.sampled_from(SPECIAL_BODIES))


def batch_case(provider: str, *, job_body: bytes | None = None, results_body: bytes | None = None) -> Outcome:
    """Resume the recorded batch by id and read its results, with the job or the results reply replaced."""
    rec = batch_recording(provider)

    def respond(request: httpx2.Request) -> httpx2.Response:
        key = (request.method, request.url.path)
        status, headers, body = rec.replies.get(key, (404, {}, b"{}"))
        if key == rec.job_key and job_body is not None:
            body = job_body
        elif key in rec.result_keys and results_body is not None:
            body = results_body
        return httpx2.Response(status, headers=headers, content=body)

    async def call() -> Any:
        client = mock_client(respond)
        try:
            job = await client.batch_job(rec.job_id, model=BATCH_MODELS[provider])
            return await job.results()
        finally:
            await client.aclose()

    return run(call())


# -- base URLs ------------------------------------------------------------------------------------

url_hosts = st.sampled_from(
    ["api.example.com", "localhost", "[::1]", "[::1", "::1]", "127.0.0.1", "exa mple.com", "é.com", "", "a_b", "[zz]", "h\n"]
) | st.text(max_size=10)  # fmt: skip
url_ports = st.sampled_from(
    ["", ":", ":0", ":80", ":99999", ":abc", ":-1", ":+8", ": 80", ":65535", ":65536"]
) | (st.integers(-(2**20), 2**20).map(lambda p: f":{p}"))
base_urls = st.one_of(
    st.builds(
        lambda s, u, h, p, path: f"{s}{u}{h}{p}{path}",
        st.sampled_from(["http://", "https://", "ftp://", "", "http:/", "HTTPS://"]),
        st.sampled_from(["", "user:pw@", "@", "u@"]),
        url_hosts,
        url_ports,
        st.sampled_from(["", "/", "/v1", "/v1/", "/{model}", "/a b", "?q=1", "#f"]) | st.text(max_size=8),
    ),
    st.text(max_size=30),
)


_NEVER = httpx2.MockTransport(lambda request: httpx2.Response(599))


def base_url_case(url: str) -> Outcome:
    """Prepare a call with `url` as the OpenAI base URL and build the request the transport would send."""
    from providers.client import AsyncClient

    async def call() -> Any:
        async with httpx2.AsyncClient(transport=_NEVER) as http:
            client = AsyncClient(
                base_urls={"openai": url}, api_keys={"openai": "sk-fuzz-000000"}, http_client=http
            )
            prep = client.prepare("openai/gpt-6.1-terra", "hi")
            return client.transport._request(prep.call, 0)

    return run(call())


# -- tally: `python -m tests.fuzzing` -------------------------------------------------------------


def drive_labelled(
    table: dict[str, Any],
    config: Any,
    name: str,
    strategy: st.SearchStrategy[Any],
    case: Callable[[Any], str],
) -> None:
    """Run `case` over `strategy` and count the labels it returns."""
    from collections import Counter

    from hypothesis import given

    @config
    @given(strategy)
    def body(arg: Any) -> None:
        table.setdefault(name, Counter())[case(arg)] += 1

    body()


def tally(examples: int) -> dict[str, dict[str, int]]:
    """Run every target `examples` times per kind of case; count outcomes (escapes by type)."""
    from collections import Counter

    from hypothesis import given

    table: dict[str, Counter[str]] = {}

    def record(name: str, outcome: Outcome) -> None:
        table.setdefault(name, Counter())[outcome.label] += 1

    config = settings(
        max_examples=examples, derandomize=True, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip

    def drive(name: str, strategy: st.SearchStrategy[Any], case: Callable[[Any], Outcome]) -> None:
        @config
        @given(strategy)
        def body(arg: Any) -> None:
            record(name, case(arg))

        body()

    statuses = st.sampled_from([400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 529])
    if os.environ.get("LLMKIT_FUZZ_TALLY") == "metadata":
        for t in CHAT_TARGETS:
            plain = answer_of(chat_case(t, status=200, body=dumps(t.plain_seed()), headers={}, stream=False))
            frames = sse_frames(t.stream)
            streamed = answer_of(chat_case(t, status=200, body=sse_bytes(frames), headers={}, stream=True))
            assert plain and streamed, t.name
            drive_labelled(
                table, config, f"{t.name} metadata plain", metadata_garbled(t.plain_seed()),
                lambda d, t=t, a=plain: metadata_label(chat_case(t, status=200, body=dumps(d), headers={}, stream=False), a),
            )  # fmt: skip
            drive_labelled(
                table, config, f"{t.name} metadata stream", metadata_garbled_stream(frames),
                lambda f, t=t, a=streamed: metadata_label(chat_case(t, status=200, body=sse_bytes(f), headers={}, stream=True), a),
            )  # fmt: skip
        return {name: dict(counts) for name, counts in table.items()}
    for t in CHAT_TARGETS:
        drive(
            f"{t.name} plain",
            bodies(t.plain_seed()),
            lambda b, t=t: chat_case(t, status=200, body=b, headers={}, stream=False),
        )
        drive(
            f"{t.name} stream",
            mutated_stream(sse_frames(t.stream)),
            lambda f, t=t: chat_case(t, status=200, body=sse_bytes(f), headers={}, stream=True),
        )
        drive(
            f"{t.name} error",
            st.tuples(statuses, bodies(t.error), reply_headers(t.request_id_header)),
            lambda a, t=t: chat_case(t, status=a[0], body=a[1], headers=a[2], stream=False),
        )
    for s in SPEECH_TARGETS:
        seed = json.loads((FIXTURES / s.seed).read_text(encoding="utf-8"))
        drive(
            f"{s.name} transcript",
            bodies(seed),
            lambda b, s=s: transcription_case(s, status=200, body=b, headers={}),
        )
    for j in JOB_TARGETS:
        seeds = st.sampled_from(j.seed_docs()).flatmap(bodies)
        for step in ("submit", "poll"):
            drive(
                f"{j.name} {step}",
                seeds,
                lambda b, j=j, step=step: job_case(j, step=step, status=200, body=b, headers={}),
            )
    drive("base urls", base_urls, base_url_case)
    if os.environ.get("LLMKIT_FUZZ_TALLY_BATCH", "1") == "1":  # (off when tallying code without batches)
        for provider in sorted(BATCH_MODELS):
            rec = batch_recording(provider)
            job = json.loads(rec.replies[rec.job_key][2])
            drive(f"{provider} batch job", bodies(job), lambda b, p=provider: batch_case(p, job_body=b))
            if rec.result_keys:
                results = rec.replies[rec.result_keys[0]][2]
                drive(
                    f"{provider} batch results",
                    jsonl_bodies(results),
                    lambda b, p=provider: batch_case(p, results_body=b),
                )
    return {name: dict(counts) for name, counts in table.items()}  # fmt: skip


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="cases per target and kind")
    args = parser.parse_args()
    table = tally(args.examples)
    if os.environ.get("LLMKIT_FUZZ_TALLY") == "metadata":
        total = lost = 0
        for name, counts in table.items():
            n = sum(counts.values())
            bad = n - counts.get("kept", 0) - counts.get("kept:partial", 0)
            total, lost = total + n, lost + bad
            detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "kept")
            print(f"{name:32} {n:5} cases, answer lost in {bad:4} ({100 * bad / n:4.1f}%)  {detail}")
        print(f"{'total':32} {total:5} cases, answer lost in {lost:4} ({100 * lost / max(total, 1):4.1f}%)")
        return
    total = escapes = 0
    for name, counts in table.items():
        n = sum(counts.values())
        bad = sum(v for k, v in counts.items() if k.startswith("escape"))
        total, escapes = total + n, escapes + bad
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k.startswith("escape"))
        print(f"{name:28} {n:5} cases, {bad:4} escaped  {detail}")
    print(f"{'total':28} {total:5} cases, {escapes:4} escaped")


if __name__ == "__main__":
    main()
