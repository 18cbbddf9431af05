"""Batch conformance: the official SDKs' batch calls against the sandbox server, and ours against theirs.

1. openai (files.create, batches.create/retrieve/list/cancel, files.content), anthropic
   (messages.batches.create/retrieve/list/results/cancel/delete), google-genai (files.upload,
   batches.create/get/list/cancel, files.download) and mistralai (files.upload, batch.jobs.create/get/
   cancel, files.download) run whole batch lifecycles against `python -m providers.sandbox` and parse
   every answer with their own types.
2. For the same batch, the requests our codecs build equal the ones the SDKs send (method, path,
   auth and version headers, content type, body; multipart uploads field by field), captured with
   httpx2.MockTransport.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

anthropic = pytest.importorskip("anthropic")
openai = pytest.importorskip("openai")
genai = pytest.importorskip("google.genai")
mistralai = pytest.importorskip("mistralai.client")

from google.genai import types as gtypes  # noqa: E402

from providers.batch.base import jsonl  # noqa: E402
from providers.client import AsyncClient  # noqa: E402
from tests.conformance.test_gemini_sdk import normalized  # noqa: E402
from tests.conformance.test_sdk_oracles import sandbox_url  # noqa: E402, F401  (the server fixture)

pytestmark = pytest.mark.conformance

PROMPTS = ["Why is the sky blue?", "What is 2+2? [sandbox:fail]", "Name a colour."]


def _lines(data: bytes | str) -> list[dict[str, Any]]:
    text = data.decode() if isinstance(data, bytes) else data
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- 1. the SDKs against the sandbox server -----------------------------------------------------------


def test_openai_sdk_batch_lifecycle(sandbox_url: str) -> None:  # noqa: F811
    from openai.types.chat import ChatCompletion
    from openai.types.responses import Response

    plan = AsyncClient().prepare_batch(PROMPTS, model="openai/gpt-6.1-terra", thinking="low")
    assert plan.data is not None
    with openai.OpenAI(base_url=f"{sandbox_url}/openai/v1", api_key="sk-test", max_retries=0) as client:
        uploaded = client.files.create(file=("in.jsonl", plan.data, "application/jsonl"), purpose="batch")
        assert uploaded.purpose == "batch" and uploaded.bytes == len(plan.data)
        assert client.files.retrieve(uploaded.id).filename == "in.jsonl"
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/responses", completion_window="24h", metadata={"k": "v"}
        )
        assert batch.status == "validating" and batch.metadata == {"k": "v"}
        states = [client.batches.retrieve(batch.id).status for _ in range(3)]
        assert states == ["in_progress", "finalizing", "completed"]
        done = client.batches.retrieve(batch.id)
        assert done.request_counts is not None
        assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (
            3,
            2,
            1,
        )
        assert done.usage is not None and done.usage.output_tokens > 0
        assert done.output_file_id and done.error_file_id
        out = _lines(client.files.content(done.output_file_id).content)
        assert sorted(line["custom_id"] for line in out) == ["row-0", "row-2"]
        for line in out:
            assert line["response"]["status_code"] == 200
            assert Response.model_validate(line["response"]["body"]).output_text
        [err] = _lines(client.files.content(done.error_file_id).content)
        assert err["custom_id"] == "row-1" and err["response"]["status_code"] == 400
        assert [b.id for b in client.batches.list(limit=5).data][:1] == [batch.id]
        second = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/responses", completion_window="24h"
        )
        assert client.batches.cancel(second.id).status == "cancelling"
        assert client.batches.retrieve(second.id).status == "cancelled"
        with pytest.raises(openai.BadRequestError):
            client.batches.create(input_file_id=uploaded.id, endpoint="/v1/nope", completion_window="24h")  # type: ignore[arg-type]
        with pytest.raises(openai.NotFoundError):
            client.batches.retrieve("batch_missing")
        # a chat-completions batch too
        chat = AsyncClient().prepare_batch(PROMPTS[:1], model="openai/gpt-6.1-terra", api="chat")
        assert chat.data is not None
        f = client.files.create(file=("chat.jsonl", chat.data), purpose="batch")
        b = client.batches.create(
            input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        for _ in range(3):
            b = client.batches.retrieve(b.id)
        assert b.status == "completed" and b.output_file_id
        [line] = _lines(client.files.content(b.output_file_id).content)
        assert ChatCompletion.model_validate(line["response"]["body"]).choices[0].message.content


def test_anthropic_sdk_batch_lifecycle(sandbox_url: str) -> None:  # noqa: F811
    plan = AsyncClient().prepare_batch(PROMPTS, model="anthropic/claude-haiku-5-5", max_tokens=200)
    requests = [
        {"custom_id": c, "params": b} for c, b in zip(plan.spec.custom_ids, plan.spec.bodies, strict=True)
    ]
    with anthropic.Anthropic(base_url=f"{sandbox_url}/anthropic", api_key="sk-test", max_retries=0) as client:
        batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
        assert batch.processing_status == "in_progress" and batch.request_counts.processing == 3
        for _ in range(3):
            batch = client.messages.batches.retrieve(batch.id)
        assert batch.processing_status == "ended" and batch.results_url
        assert (batch.request_counts.succeeded, batch.request_counts.errored) == (2, 1)
        results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
        assert results["row-0"].type == "succeeded" and results["row-2"].type == "succeeded"
        assert any(b.type == "text" and b.text for b in results["row-0"].message.content)  # type: ignore[union-attr]
        assert results["row-1"].type == "errored"
        assert results["row-1"].error.error.type == "invalid_request_error"  # type: ignore[union-attr]
        assert batch.id in [b.id for b in client.messages.batches.list()]
        second = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
        assert client.messages.batches.cancel(second.id).processing_status == "canceling"
        ended = client.messages.batches.retrieve(second.id)
        assert ended.processing_status == "ended" and ended.cancel_initiated_at is not None
        kinds = {r.result.type for r in client.messages.batches.results(second.id)}
        assert kinds == {"canceled"}
        assert client.messages.batches.delete(batch.id).type == "message_batch_deleted"
        with pytest.raises(anthropic.NotFoundError):
            client.messages.batches.retrieve(batch.id)
        with pytest.raises(anthropic.BadRequestError):
            client.messages.batches.create(requests=requests * 2)  # type: ignore[arg-type]  # duplicate ids


def test_genai_sdk_batch_lifecycle(sandbox_url: str, tmp_path: Any) -> None:  # noqa: F811
    client = genai.Client(
        api_key="AIza-test", http_options=gtypes.HttpOptions(base_url=f"{sandbox_url}/gemini")
    )
    try:
        inline = [
            {"contents": [{"role": "user", "parts": [{"text": p}]}], "metadata": {"key": f"k{i}"}}
            for i, p in enumerate(PROMPTS)
        ]
        job = client.batches.create(model="gemini-3.8-flash", src=inline, config={"display_name": "d"})  # type: ignore[arg-type]
        assert job.name and job.name.startswith("batches/")
        assert job.state == "JOB_STATE_PENDING"  # the SDK rewrites BATCH_STATE_* to JOB_STATE_*
        states = [client.batches.get(name=job.name).state for _ in range(3)]
        assert states == ["JOB_STATE_RUNNING", "JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"]
        done = client.batches.get(name=job.name)
        responses = done.dest.inlined_responses  # type: ignore[union-attr]
        assert responses is not None and len(responses) == 3
        assert responses[0].response is not None and responses[0].response.text
        assert responses[1].error is not None and responses[1].error.code == 400
        assert job.name in [j.name for j in client.batches.list()]
        second = client.batches.create(model="gemini-3.8-flash", src=inline)  # type: ignore[arg-type]
        client.batches.cancel(name=second.name)  # type: ignore[arg-type]
        assert client.batches.get(name=second.name).state == "JOB_STATE_CANCELLED"  # type: ignore[arg-type]
        # file input: upload through the Files API, results in a responses file
        plan = AsyncClient().prepare_batch(PROMPTS, model="gemini/gemini-3.8-flash", input="file")
        assert plan.data is not None
        path = tmp_path / "in.jsonl"
        path.write_bytes(plan.data)
        uploaded = client.files.upload(file=path, config={"mime_type": "application/jsonl"})
        assert uploaded.name and uploaded.name.startswith("files/")
        filed = client.batches.create(model="gemini-3.8-flash", src=uploaded.name)
        for _ in range(3):
            filed = client.batches.get(name=filed.name)  # type: ignore[arg-type]
        assert filed.state == "JOB_STATE_SUCCEEDED" and filed.dest and filed.dest.file_name
        lines = _lines(client.files.download(file=filed.dest.file_name))
        assert sorted(line["key"] for line in lines) == ["row-0", "row-1", "row-2"]
        assert {line["key"] for line in lines if "error" in line} == {"row-1"}
    finally:
        client.close()


def test_mistral_sdk_batch_lifecycle(sandbox_url: str) -> None:  # noqa: F811
    from mistralai.client import Mistral

    plan = AsyncClient().prepare_batch(PROMPTS, model="mistral/mistral-small-2603", input="file")
    assert plan.data is not None
    with Mistral(api_key="test", server_url=f"{sandbox_url}/mistral") as client:
        uploaded = client.files.upload(file={"file_name": "in.jsonl", "content": plan.data}, purpose="batch")
        assert uploaded.purpose == "batch" and uploaded.num_lines == 3
        job = client.batch.jobs.create(
            endpoint="/v1/chat/completions", model="mistral-small-2603", input_files=[uploaded.id]
        )
        assert job.status == "QUEUED" and job.total_requests == 3
        states = [client.batch.jobs.get(job_id=job.id).status for _ in range(3)]
        assert states == ["RUNNING", "RUNNING", "SUCCESS"]
        done = client.batch.jobs.get(job_id=job.id)
        assert (done.succeeded_requests, done.failed_requests) == (2, 1)
        assert done.output_file and done.error_file
        out = _lines(client.files.download(file_id=done.output_file).read())
        assert sorted(line["custom_id"] for line in out) == ["row-0", "row-2"]
        inline = client.batch.jobs.create(
            endpoint="/v1/chat/completions",
            model="mistral-small-2603",
            requests=[
                {"custom_id": c, "body": b}
                for c, b in zip(plan.spec.custom_ids, plan.spec.bodies, strict=True)
            ],
        )
        assert client.batch.jobs.cancel(job_id=inline.id).status == "CANCELLATION_REQUESTED"
        assert client.batch.jobs.get(job_id=inline.id).status == "CANCELLED"


# --- 2. our requests equal the SDKs' ------------------------------------------------------------------


class Captured:
    """Records each request and answers with a canned JSON body (or bytes)."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        if isinstance(self.body, bytes):
            return httpx2.Response(200, content=self.body)
        return httpx2.Response(200, json=self.body)

    @property
    def only(self) -> httpx2.Request:
        assert len(self.requests) == 1, self.requests
        return self.requests[0]


def capture(make: Callable[[httpx2.Client], Any], body: Any, send: Callable[[Any], Any]) -> httpx2.Request:
    handler = Captured(body)
    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = make(http)
    try:
        send(client)
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
        http.close()
    return handler.only


def same_target(ours: Any, theirs: httpx2.Request, *, headers: tuple[str, ...] = ("authorization",)) -> None:
    our_url, their_url = urlsplit(ours.url), urlsplit(str(theirs.url))
    assert ours.method == theirs.method
    assert (our_url.scheme, our_url.netloc, our_url.path) == (
        their_url.scheme,
        their_url.netloc,
        their_url.path,
    )
    mine = {k.lower(): v for k, v in ours.headers.items()}
    for name in headers:
        assert mine.get(name) == theirs.headers.get(name), name


def form_fields(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        data = part.get_payload(decode=True)
        out[name] = (part.get_filename(), data) if part.get_filename() else data.decode()
    return out


BATCH = {
    "id": "batch_1",
    "object": "batch",
    "endpoint": "/v1/responses",
    "input_file_id": "file-1",
    "completion_window": "24h",
    "status": "validating",
    "created_at": 1,
}
FILE = {
    "id": "file-1",
    "object": "file",
    "bytes": 1,
    "created_at": 1,
    "filename": "x.jsonl",
    "purpose": "batch",
    "status": "processed",
}


def test_openai_batch_requests_match_the_sdk() -> None:
    plan = AsyncClient().prepare_batch(
        PROMPTS, model="openai/gpt-6.1-terra", thinking="low", metadata={"k": "v"}
    )
    assert plan.data is not None
    key = os.environ["OPENAI_API_KEY"]

    def sdk(http: httpx2.Client) -> Any:
        return openai.OpenAI(api_key=key, max_retries=0, http_client=http)

    ours = plan.codec.upload(plan.data, plan.conn, name="in.jsonl")
    theirs = capture(
        sdk,
        FILE,
        lambda c: c.files.create(file=("in.jsonl", plan.data, "application/jsonl"), purpose="batch"),
    )
    same_target(ours, theirs)
    assert form_fields(ours.headers["content-type"], ours.content or b"") == form_fields(
        theirs.headers["content-type"], theirs.content
    )
    lines = _lines(plan.data)
    assert [line["body"] for line in lines] == [p for p in plan.spec.bodies]
    assert (
        lines[0]["body"]
        == AsyncClient().prepare("openai/gpt-6.1-terra", PROMPTS[0], thinking="low").call.json_body
    )

    plan.spec.file_id = "file-1"
    ours = plan.codec.create(plan.spec, plan.conn)
    theirs = capture(
        sdk,
        BATCH,
        lambda c: c.batches.create(
            input_file_id="file-1", endpoint="/v1/responses", completion_window="24h", metadata={"k": "v"}
        ),
    )
    same_target(ours, theirs, headers=("authorization", "content-type"))
    assert ours.json_body == json.loads(theirs.content)

    for our_call, send in (
        (plan.codec.poll("batch_1", plan.conn), lambda c: c.batches.retrieve("batch_1")),
        (plan.codec.cancel("batch_1", plan.conn), lambda c: c.batches.cancel("batch_1")),
    ):
        same_target(our_call, capture(sdk, BATCH, send))
    state = plan.codec.parse_job(BATCH | {"status": "completed", "output_file_id": "file-9"})
    [content] = plan.codec.result_calls(state, plan.conn)
    same_target(
        content, capture(sdk, b"", lambda c: c.files.content("file-9")), headers=("authorization", "accept")
    )


MESSAGE_BATCH = {
    "id": "msgbatch_1",
    "type": "message_batch",
    "processing_status": "ended",
    "request_counts": {"processing": 0, "succeeded": 1, "errored": 0, "canceled": 0, "expired": 0},
    "created_at": "2026-12-04T10:00:00Z",
    "expires_at": "2026-12-05T10:00:00Z",
    "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results",
}


def test_anthropic_batch_requests_match_the_sdk() -> None:
    plan = AsyncClient().prepare_batch(
        PROMPTS, model="anthropic/claude-sonnet-5-5", thinking="high", max_tokens=2048
    )
    key = os.environ["ANTHROPIC_API_KEY"]
    headers = ("x-api-key", "anthropic-version")

    def sdk(http: httpx2.Client) -> Any:
        return anthropic.Anthropic(api_key=key, max_retries=0, http_client=http)

    requests = [
        {"custom_id": c, "params": b} for c, b in zip(plan.spec.custom_ids, plan.spec.bodies, strict=True)
    ]
    ours = plan.codec.create(plan.spec, plan.conn)
    theirs = capture(sdk, MESSAGE_BATCH, lambda c: c.messages.batches.create(requests=requests))
    same_target(ours, theirs, headers=(*headers, "content-type"))
    assert ours.json_body == json.loads(theirs.content)
    assert (
        plan.spec.bodies[0]
        == AsyncClient()
        .prepare("anthropic/claude-sonnet-5-5", PROMPTS[0], thinking="high", max_tokens=2048)
        .call.json_body
    )
    for our_call, send in (
        (plan.codec.poll("msgbatch_1", plan.conn), lambda c: c.messages.batches.retrieve("msgbatch_1")),
        (plan.codec.cancel("msgbatch_1", plan.conn), lambda c: c.messages.batches.cancel("msgbatch_1")),
    ):
        same_target(our_call, capture(sdk, MESSAGE_BATCH, send), headers=headers)
    handler = Captured(MESSAGE_BATCH)
    with httpx2.Client(transport=httpx2.MockTransport(handler)) as http, sdk(http) as client:
        handler.body = MESSAGE_BATCH
        try:
            list(client.messages.batches.results("msgbatch_1"))
        except Exception:  # the canned body is not JSONL; only the request matters
            pass
    results_request = handler.requests[-1]
    [ours_results] = plan.codec.result_calls(plan.codec.parse_job(MESSAGE_BATCH), plan.conn)
    same_target(ours_results, results_request, headers=(*headers, "accept"))


def test_gemini_inline_batch_request_matches_the_sdk() -> None:
    plan = AsyncClient().prepare_batch(
        PROMPTS, model="gemini/gemini-3.8-flash", thinking="high", max_tokens=100, display_name="d"
    )
    from providers.registry import provider_spec

    key = os.environ[provider_spec("gemini").env[0]]
    src = [
        {
            "contents": [{"role": "user", "parts": [{"text": p}]}],
            "config": {
                "max_output_tokens": 100,
                "thinking_config": {"thinking_level": "HIGH", "include_thoughts": True},
            },
            "metadata": {"key": c},
        }
        for p, c in zip(PROMPTS, plan.spec.custom_ids, strict=True)
    ]
    operation = {"name": "batches/b1", "metadata": {"state": "BATCH_STATE_PENDING"}}

    def sdk(http: httpx2.Client) -> Any:
        return genai.Client(api_key=key, http_options=gtypes.HttpOptions(httpx_client=http))

    ours = plan.codec.create(plan.spec, plan.conn)
    theirs = capture(
        sdk,
        operation,
        lambda c: c.batches.create(model="gemini-3.8-flash", src=src, config={"display_name": "d"}),
    )
    same_target(ours, theirs, headers=("x-goog-api-key", "content-type"))
    mine, sent = ours.json_body, json.loads(theirs.content)
    assert mine is not None
    assert mine["batch"]["displayName"] == sent["batch"]["displayName"]
    our_requests = mine["batch"]["inputConfig"]["requests"]["requests"]
    their_requests = sent["batch"]["inputConfig"]["requests"]["requests"]
    assert [r["metadata"] for r in our_requests] == [r["metadata"] for r in their_requests]
    assert [normalized(r["request"]) for r in our_requests] == [
        normalized(r["request"]) for r in their_requests
    ]
    for our_call, send in (
        (plan.codec.poll("batches/b1", plan.conn), lambda c: c.batches.get(name="batches/b1")),
        (plan.codec.cancel("batches/b1", plan.conn), lambda c: c.batches.cancel(name="batches/b1")),
    ):
        same_target(our_call, capture(sdk, operation, send), headers=("x-goog-api-key",))


def test_mistral_batch_requests_match_the_sdk() -> None:
    from mistralai.client import Mistral

    plan = AsyncClient().prepare_batch(PROMPTS, model="mistral/mistral-small-2603", metadata={"k": "v"})
    key = os.environ["MISTRAL_API_KEY"]
    job = {
        "id": "j1",
        "object": "batch",
        "input_files": [],
        "endpoint": "/v1/chat/completions",
        "errors": [],
        "status": "QUEUED",
        "created_at": 1,
        "total_requests": 3,
        "completed_requests": 0,
        "succeeded_requests": 0,
        "failed_requests": 0,
    }

    def sdk(http: httpx2.Client) -> Any:
        return Mistral(api_key=key, client=http)

    ours = plan.codec.create(plan.spec, plan.conn)
    requests = [
        {"custom_id": c, "body": b} for c, b in zip(plan.spec.custom_ids, plan.spec.bodies, strict=True)
    ]
    theirs = capture(
        sdk,
        job,
        lambda c: c.batch.jobs.create(
            endpoint="/v1/chat/completions",
            model="mistral-small-2603",
            requests=requests,
            metadata={"k": "v"},
            timeout_hours=24,
        ),
    )
    same_target(ours, theirs, headers=("authorization", "content-type"))
    assert ours.json_body == json.loads(theirs.content)
    for our_call, send in (
        (plan.codec.poll("j1", plan.conn), lambda c: c.batch.jobs.get(job_id="j1")),
        (plan.codec.cancel("j1", plan.conn), lambda c: c.batch.jobs.cancel(job_id="j1")),
    ):
        same_target(our_call, capture(sdk, job, send))
    data = jsonl(plan.codec.file_lines(plan.spec))
    upload = plan.codec.upload(data, plan.conn, name="in.jsonl")
    uploaded = {
        "id": "f1",
        "object": "file",
        "bytes": 1,
        "created_at": 1,
        "filename": "in.jsonl",
        "purpose": "batch",
        "sample_type": "batch_request",
        "source": "upload",
    }
    theirs = capture(
        sdk,
        uploaded,
        lambda c: c.files.upload(file={"file_name": "in.jsonl", "content": data}, purpose="batch"),
    )
    same_target(upload, theirs)
    mine, sent = (
        form_fields(upload.headers["content-type"], upload.content or b""),
        form_fields(theirs.headers["content-type"], theirs.content),
    )
    assert mine["purpose"] == sent["purpose"] == "batch"
    assert mine.get("visibility") == sent.get("visibility")
    assert mine["file"][0] == sent["file"][0] and mine["file"][1] == sent["file"][1]
