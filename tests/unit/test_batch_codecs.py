"""Batch codecs: pure wire mapping, a dict in and a dict out (shapes from the official SDKs' types).

OpenAI: openai 3.60.0 types/batch.py, file_object.py; Anthropic: anthropic 2.17.0
types/messages/message_batch.py and the result types; Gemini: google-genai 3.6.1 batches.py
(_BatchJob_from_mldev) and _transformers.t_job_state; Mistral: mistralai 3.7.0 models/batchjob.py.
"""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx2
import pytest

from providers.batch.anthropic import AnthropicBatch
from providers.batch.base import (
    BatchSpec,
    batch_facts,
    batch_providers,
    iso,
    jsonl,
    read_jsonl,
    split_batch_id,
)
from providers.batch.gemini import GeminiBatch, state_of
from providers.batch.mistral import MistralBatch
from providers.batch.openai import OpenAIBatch
from providers.batch.rows import assemble, default_custom_id, index_of
from providers.batch.types import BatchCounts, BatchJob, RawLine
from providers.chat.base import Connection
from providers.credentials import Secret
from providers.errors import (
    BadRequestError,
    ConfigurationError,
    InvalidParameterError,
    JobCancelledError,
    JobExpiredError,
    JobFailedError,
    ResultUnavailableError,
    StreamError,
)
from providers.types import ChatResult, HttpCall, TextPart

OPENAI = Connection("openai", "https://api.openai.com/v1", Secret("sk-o"))
ANTHROPIC = Connection(
    "anthropic", "https://api.anthropic.com", Secret("sk-a"), auth="x-api-key", api_version="2026-10-21"
)
GEMINI = Connection(
    "gemini",
    "https://generativelanguage.googleapis.com",
    Secret("AIza"),
    auth="x-goog-api-key",
    api_version="v1",
)
MISTRAL = Connection("mistral", "https://api.mistral.ai/v1", Secret("ms"))


def spec(kind: str = "inline", **kw: Any) -> BatchSpec:
    base: dict[str, Any] = dict(
        model="m-1",
        endpoint="/v1/responses",
        custom_ids=["row-0", "row-1"],
        bodies=[{"model": "m-1", "input": "a"}, {"model": "m-1", "input": "b"}],
        input=kind,
    )
    return BatchSpec(**(base | kw))


def form_fields(call: HttpCall) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {call.headers['content-type']}\r\n\r\n".encode() + (call.content or b"")
    )
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        out[str(name)] = (part.get_filename(), data) if part.get_filename() else data.decode()
    return out


# --- catalog facts and ids -----------------------------------------------------------------------


def test_catalog_names_the_driven_batch_apis_with_their_discount_and_source() -> None:
    assert batch_providers() == ["anthropic", "gemini", "mistral", "openai"]
    for name in batch_providers():
        facts = batch_facts(name)
        assert facts.discount == 0.5
        assert "50%" in facts.discount_source
        assert facts.sources


def test_a_provider_without_a_batch_api_is_refused_naming_those_with_one() -> None:
    with pytest.raises(ConfigurationError) as info:
        batch_facts("deepseek")
    assert "anthropic, gemini, mistral, openai" in str(info.value)
    with pytest.raises(ConfigurationError) as vertex:
        batch_facts("vertex")
    assert "Cloud Storage" in str(vertex.value) and "model='gemini/" in str(vertex.value)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("openai:batch_abc", ("openai", "batch_abc")),
        ("batch_abc", ("openai", "batch_abc")),
        ("msgbatch_01", ("anthropic", "msgbatch_01")),
        ("gemini:batches/x1", ("gemini", "batches/x1")),
        ("batches/x1", ("gemini", "batches/x1")),
        ("mistral:0cdcd2bc-75ca", ("mistral", "0cdcd2bc-75ca")),
        ("0cdcd2bc-75ca", (None, "0cdcd2bc-75ca")),
    ],
)
def test_batch_ids_carry_their_provider(given: str, expected: tuple[str | None, str]) -> None:
    assert split_batch_id(given) == expected


def test_jsonl_round_trip_keeps_bad_lines_as_notes() -> None:
    data = jsonl([{"a": "é"}, {"b": 2}]) + b"not json\n[1]\n"
    objects, bad = read_jsonl(data)
    assert objects == [{"a": "é"}, {"b": 2}]
    assert len(bad) == 2 and "line 3" in bad[0] and "line 4" in bad[1]


def test_timestamps_become_iso() -> None:
    assert iso(1733300000) == "2024-12-04T08:13:20Z"
    assert iso("2026-12-04T10:00:00Z") == "2026-12-04T10:00:00Z"
    assert iso(None) is None


# --- OpenAI ----------------------------------------------------------------------------------------


def test_openai_upload_is_multipart_with_purpose_batch_and_jsonl_lines() -> None:
    codec = OpenAIBatch()
    s = spec("file")
    data = jsonl(codec.file_lines(s))
    call = codec.upload(data, OPENAI, name="in.jsonl")
    assert call.url == "https://api.openai.com/v1/files" and call.method == "POST"
    assert call.headers["authorization"] == "Bearer sk-o"
    fields = form_fields(call)
    assert fields["purpose"] == "batch"
    filename, content = fields["file"]
    assert filename == "in.jsonl"
    lines = [json.loads(line) for line in content.splitlines()]
    assert lines[0] == {"custom_id": "row-0", "method": "POST", "url": "/v1/responses", "body": s.bodies[0]}
    assert codec.parse_upload(200, httpx2.Headers(), {"id": "file-1"}, data=data, conn=OPENAI) == "file-1"


def test_openai_create_poll_cancel_and_result_calls() -> None:
    codec = OpenAIBatch()
    create = codec.create(spec("file", file_id="file-1", metadata={"k": "v"}), OPENAI)
    assert create.url == "https://api.openai.com/v1/batches"
    assert create.json_body == {
        "input_file_id": "file-1",
        "endpoint": "/v1/responses",
        "completion_window": "24h",
        "metadata": {"k": "v"},
    }
    assert codec.poll("batch_1", OPENAI).url.endswith("/v1/batches/batch_1")
    assert codec.poll("batch_1", OPENAI).method == "GET"
    assert codec.cancel("batch_1", OPENAI).url.endswith("/v1/batches/batch_1/cancel")
    state = codec.parse_job(
        {
            "id": "batch_1",
            "object": "batch",
            "endpoint": "/v1/responses",
            "status": "completed",
            "input_file_id": "file-1",
            "completion_window": "24h",
            "created_at": 1733300000,
            "completed_at": 1733300100,
            "output_file_id": "file-out",
            "error_file_id": "file-err",
            "request_counts": {"total": 3, "completed": 2, "failed": 1},
            "usage": {
                "input_tokens": 10,
                "output_tokens": 20,
                "output_tokens_details": {"reasoning_tokens": 5},
            },
        }
    )
    assert (state.status, state.raw_status) == ("completed", "completed")
    assert (state.counts.total, state.counts.succeeded, state.counts.failed) == (3, 2, 1)
    assert state.usage is not None and state.usage.reasoning_tokens == 5
    assert state.ended_at == "2024-12-04T08:15:00Z"
    calls = codec.result_calls(state, OPENAI)
    assert [c.url for c in calls] == [
        "https://api.openai.com/v1/files/file-out/content",
        "https://api.openai.com/v1/files/file-err/content",
    ]
    assert calls[0].headers["accept"] == "application/binary"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("validating", "queued"),
        ("in_progress", "running"),
        ("finalizing", "finalizing"),
        ("completed", "completed"),
        ("failed", "failed"),
        ("expired", "expired"),
        ("cancelling", "cancelling"),
        ("cancelled", "cancelled"),
    ],
)
def test_openai_states(raw: str, status: str) -> None:
    assert OpenAIBatch().parse_job({"id": "b", "status": raw}).status == status


def test_openai_validation_errors_are_kept_with_their_line() -> None:
    state = OpenAIBatch().parse_job(
        {
            "id": "b",
            "status": "failed",
            "errors": {
                "data": [{"code": "duplicate_custom_id", "line": 2, "message": "dup", "param": "custom_id"}]
            },
        }
    )
    assert state.errors == ["line 2: dup (duplicate_custom_id)"]


def test_openai_result_lines_success_failure_and_expiry() -> None:
    out = jsonl(
        [
            {
                "id": "r1",
                "custom_id": "a",
                "response": {"status_code": 200, "request_id": "q1", "body": {"id": "resp_1"}},
                "error": None,
            }
        ]
    )
    err = jsonl(
        [
            {
                "id": "r2",
                "custom_id": "b",
                "response": {"status_code": 400, "request_id": "q2", "body": {"error": {"message": "bad"}}},
                "error": None,
            },
            {
                "id": "r3",
                "custom_id": "c",
                "response": None,
                "error": {"code": "batch_expired", "message": "late"},
            },
        ]
    )
    lines, notes = OpenAIBatch().parse_results(
        OpenAIBatch().parse_job({"id": "b", "status": "expired"}), [out, err]
    )
    assert notes == []
    assert [(line.custom_id, line.outcome, line.status) for line in lines] == [
        ("a", "succeeded", 200),
        ("b", "failed", 400),
        ("c", "expired", None),
    ]
    assert lines[0].body == {"id": "resp_1"} and lines[0].request_id == "q1"


def test_openai_endpoint_comes_from_the_chat_codecs_url() -> None:
    codec = OpenAIBatch()
    assert codec.endpoint(HttpCall(url="https://api.openai.com/v1/responses"), OPENAI) == "/v1/responses"
    assert (
        codec.endpoint(HttpCall(url="https://api.openai.com/v1/chat/completions"), OPENAI)
        == "/v1/chat/completions"
    )


def test_openai_takes_files_only_and_at_most_50000_requests() -> None:
    codec = OpenAIBatch()
    assert codec.choose_input(10, 100, None) == "file"
    with pytest.raises(InvalidParameterError, match="file only"):
        codec.choose_input(10, 100, "inline")
    with pytest.raises(InvalidParameterError, match="50,000"):
        codec.choose_input(50_001, 100, None)


# --- Anthropic -------------------------------------------------------------------------------------


def test_anthropic_create_is_inline_with_params_and_the_messages_headers() -> None:
    codec = AnthropicBatch()
    call = codec.create(spec(bodies=[{"model": "c", "max_tokens": 5, "messages": []}] * 2), ANTHROPIC)
    assert call.url == "https://api.anthropic.com/v1/messages/batches"
    assert call.headers["x-api-key"] == "sk-a" and call.headers["anthropic-version"] == "2026-10-21"
    assert call.json_body == {
        "requests": [
            {"custom_id": "row-0", "params": {"model": "c", "max_tokens": 5, "messages": []}},
            {"custom_id": "row-1", "params": {"model": "c", "max_tokens": 5, "messages": []}},
        ]
    }
    with pytest.raises(InvalidParameterError):
        codec.choose_input(1, 1, "file")


@pytest.mark.parametrize("bad", ["", "has space", "x" * 65, "dot.ted"])
def test_anthropic_custom_id_pattern(bad: str) -> None:
    assert AnthropicBatch().check_custom_id(bad) is not None
    assert AnthropicBatch().check_custom_id("ok_id-1") is None


def _anthropic_batch(**kw: Any) -> dict[str, Any]:
    return {
        "id": "msgbatch_1",
        "type": "message_batch",
        "processing_status": "in_progress",
        "request_counts": {"processing": 3, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
        "created_at": "2026-12-04T10:00:00Z",
        "expires_at": "2026-12-05T10:00:00Z",
        "ended_at": None,
        "cancel_initiated_at": None,
        "archived_at": None,
        "results_url": None,
    } | kw


def test_anthropic_states_ended_is_split_by_how_it_ended() -> None:
    codec = AnthropicBatch()
    assert codec.parse_job(_anthropic_batch()).status == "running"
    assert codec.parse_job(_anthropic_batch(processing_status="canceling")).status == "cancelling"
    ended = {"processing": 0, "succeeded": 2, "errored": 1, "canceled": 0, "expired": 0}
    done = codec.parse_job(
        _anthropic_batch(
            processing_status="ended",
            request_counts=ended,
            results_url="https://api.anthropic.com/v1/messages/batches/msgbatch_1/results",
        )
    )
    assert (done.status, done.counts.total, done.counts.failed) == ("completed", 3, 1)
    assert done.created_at == "2026-12-04T10:00:00Z"
    expired = codec.parse_job(
        _anthropic_batch(processing_status="ended", request_counts=ended | {"expired": 1})
    )
    assert expired.status == "expired"
    cancelled = codec.parse_job(
        _anthropic_batch(processing_status="ended", cancel_initiated_at="2026-12-04T10:01:00Z")
    )
    assert cancelled.status == "cancelled"


def test_anthropic_results_url_on_another_host_is_rebuilt_on_ours() -> None:
    codec = AnthropicBatch()
    state = codec.parse_job(
        _anthropic_batch(processing_status="ended", results_url="https://evil.example/steal")
    )
    [call] = codec.result_calls(state, ANTHROPIC)
    assert call.url == "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"
    assert call.headers["accept"] == "application/binary"
    same = codec.parse_job(
        _anthropic_batch(
            processing_status="ended",
            results_url="https://api.anthropic.com/v1/messages/batches/msgbatch_1/results?x=1",
        )
    )
    assert codec.result_calls(same, ANTHROPIC)[0].url.endswith("/results?x=1")


def test_anthropic_result_lines() -> None:
    body = jsonl(
        [
            {"custom_id": "a", "result": {"type": "succeeded", "message": {"id": "msg_1"}}},
            {
                "custom_id": "b",
                "result": {
                    "type": "errored",
                    "error": {
                        "type": "error",
                        "error": {"type": "invalid_request_error", "message": "bad"},
                        "request_id": "req_9",
                    },
                },
            },
            {"custom_id": "c", "result": {"type": "expired"}},
            {"custom_id": "d", "result": {"type": "canceled"}},
        ]
    )
    lines, _ = AnthropicBatch().parse_results(AnthropicBatch().parse_job(_anthropic_batch()), [body])
    assert [(line.custom_id, line.outcome, line.status) for line in lines] == [
        ("a", "succeeded", None),
        ("b", "failed", 400),
        ("c", "expired", None),
        ("d", "cancelled", None),
    ]
    assert lines[1].request_id == "req_9" and lines[1].message == "bad"


# --- Gemini ----------------------------------------------------------------------------------------


def test_gemini_inline_create_keys_each_request() -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    call = GeminiBatch().create(spec(model="gemini-3.8-flash", bodies=[body, body], display_name="d"), GEMINI)
    assert (
        call.url
        == "https://generativelanguage.googleapis.com/v1/models/gemini-3.8-flash:batchGenerateContent"
    )
    assert call.headers["x-goog-api-key"] == "AIza"
    assert call.json_body == {
        "batch": {
            "displayName": "d",
            "inputConfig": {
                "requests": {
                    "requests": [
                        {"request": body, "metadata": {"key": "row-0"}},
                        {"request": body, "metadata": {"key": "row-1"}},
                    ]
                }
            },
        }
    }


def test_gemini_file_upload_is_resumable_in_two_steps() -> None:
    codec = GeminiBatch()
    data = jsonl(codec.file_lines(spec("file")))
    assert json.loads(data.splitlines()[0]) == {"key": "row-0", "request": {"model": "m-1", "input": "a"}}
    start = codec.upload(data, GEMINI, name="in.jsonl")
    assert start.url == "https://generativelanguage.googleapis.com/upload/v1/files"
    assert start.headers["x-goog-upload-protocol"] == "resumable"
    assert start.headers["x-goog-upload-command"] == "start"
    assert start.headers["x-goog-upload-header-content-length"] == str(len(data))
    url = "https://generativelanguage.googleapis.com/upload/v1/files?upload_id=u1"
    step = codec.parse_upload(200, httpx2.Headers({"x-goog-upload-url": url}), None, data=data, conn=GEMINI)
    assert isinstance(step, HttpCall)
    assert step.url == url and step.content == data
    assert step.headers["x-goog-upload-command"] == "upload, finalize"
    done = codec.parse_upload(200, httpx2.Headers(), {"file": {"name": "files/abc"}}, data=data, conn=GEMINI)
    assert done == "files/abc"
    create = codec.create(spec("file", file_id="files/abc", model="gemini-3.8-flash"), GEMINI)
    assert create.json_body == {
        "batch": {"displayName": "llmkit batch", "inputConfig": {"fileName": "files/abc"}}
    }


def test_gemini_refuses_an_upload_url_on_another_host() -> None:
    with pytest.raises(StreamError, match="another host"):
        GeminiBatch().parse_upload(
            200, httpx2.Headers({"x-goog-upload-url": "https://evil.example/u"}), None, data=b"", conn=GEMINI
        )


def test_gemini_chooses_inline_up_to_20_mb() -> None:
    codec = GeminiBatch()
    assert codec.choose_input(10, 1_000, None) == "inline"
    assert codec.choose_input(10, 25_000_000, None) == "file"
    assert codec.choose_input(10, 1_000, "file") == "file"
    with pytest.raises(InvalidParameterError, match="20 MB"):
        codec.choose_input(10, 25_000_000, "inline")


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("BATCH_STATE_PENDING", "queued"),
        ("JOB_STATE_PENDING", "queued"),
        ("BATCH_STATE_RUNNING", "running"),
        ("JOB_STATE_RUNNING", "running"),
        ("BATCH_STATE_SUCCEEDED", "completed"),
        ("JOB_STATE_SUCCEEDED", "completed"),
        ("BATCH_STATE_FAILED", "failed"),
        ("JOB_STATE_CANCELLED", "cancelled"),
        ("BATCH_STATE_EXPIRED", "expired"),
        ("JOB_STATE_EXPIRED", "expired"),
        ("JOB_STATE_CANCELLING", "cancelling"),
        ("JOB_STATE_PARTIALLY_SUCCEEDED", "completed"),
    ],
)
def test_gemini_states_in_both_spellings(raw: str, status: str) -> None:
    assert state_of(raw) == status


def test_gemini_operation_with_inline_responses() -> None:
    codec = GeminiBatch()
    state = codec.parse_job(
        {
            "name": "batches/b1",
            "metadata": {
                "model": "models/gemini-3.8-flash",
                "state": "BATCH_STATE_SUCCEEDED",
                "createTime": "2026-12-04T10:00:00Z",
                "batchStats": {"requestCount": "3", "successfulRequestCount": "2", "failedRequestCount": "1"},
                "output": {
                    "inlinedResponses": {
                        "inlinedResponses": [
                            {"response": {"candidates": []}, "metadata": {"key": "row-1"}},
                            {
                                "error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"},
                                "metadata": {"key": "row-0"},
                            },
                        ]
                    }
                },
            },
            "done": True,
        }
    )
    assert (state.native_id, state.status, state.model) == ("batches/b1", "completed", "gemini-3.8-flash")
    assert (state.counts.total, state.counts.succeeded, state.counts.failed) == (3, 2, 1)
    assert codec.result_calls(state, GEMINI) == []
    lines, _ = codec.parse_results(state, [])
    assert [(line.custom_id, line.outcome, line.status, line.code) for line in lines] == [
        ("row-1", "succeeded", None, None),
        ("row-0", "failed", 400, "INVALID_ARGUMENT"),
    ]


def test_gemini_responses_file_is_downloaded_and_read() -> None:
    codec = GeminiBatch()
    state = codec.parse_job(
        {
            "name": "batches/b1",
            "metadata": {"state": "JOB_STATE_SUCCEEDED"},
            "response": {"responsesFile": "files/batch-b1"},
        }
    )
    [call] = codec.result_calls(state, GEMINI)
    assert call.url == "https://generativelanguage.googleapis.com/v1/files/batch-b1:download"
    assert call.params == {"alt": "media"}
    body = jsonl(
        [
            {"key": "k1", "response": {"candidates": []}},
            {"key": "k2", "status": {"code": 429, "message": "slow"}},
        ]
    )
    lines, _ = codec.parse_results(state, [body])
    assert [(line.custom_id, line.outcome, line.status) for line in lines] == [
        ("k1", "succeeded", None),
        ("k2", "failed", 429),
    ]


# --- Mistral ---------------------------------------------------------------------------------------


def test_mistral_inline_and_file_create() -> None:
    codec = MistralBatch()
    s = spec(endpoint="/v1/chat/completions", bodies=[{"model": "m-1", "messages": []}] * 2)
    call = codec.create(s, MISTRAL)
    assert call.url == "https://api.mistral.ai/v1/batch/jobs"
    assert call.json_body == {
        "endpoint": "/v1/chat/completions",
        "model": "m-1",
        "requests": [
            {"custom_id": "row-0", "body": s.bodies[0]},
            {"custom_id": "row-1", "body": s.bodies[1]},
        ],
        "timeout_hours": 24,
    }
    filed = codec.create(spec("file", file_id="f-1", endpoint="/v1/chat/completions"), MISTRAL)
    assert (
        filed.json_body is not None
        and filed.json_body["input_files"] == ["f-1"]
        and "requests" not in filed.json_body
    )
    upload = codec.upload(jsonl(codec.file_lines(s)), MISTRAL, name="in.jsonl")
    fields = form_fields(upload)
    assert fields["purpose"] == "batch" and fields["visibility"] == "workspace"
    assert json.loads(fields["file"][1].splitlines()[0]) == {"custom_id": "row-0", "body": s.bodies[0]}
    assert codec.choose_input(1_000, 0, None) == "inline" and codec.choose_input(1_001, 0, None) == "file"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("QUEUED", "queued"),
        ("RUNNING", "running"),
        ("SUCCESS", "completed"),
        ("FAILED", "failed"),
        ("TIMEOUT_EXCEEDED", "expired"),
        ("CANCELLATION_REQUESTED", "cancelling"),
        ("CANCELLED", "cancelled"),
    ],
)
def test_mistral_states(raw: str, status: str) -> None:
    assert MistralBatch().parse_job({"id": "j", "status": raw}).status == status


def test_mistral_results_from_files_or_inline() -> None:
    codec = MistralBatch()
    job = {
        "id": "j",
        "status": "SUCCESS",
        "total_requests": 2,
        "succeeded_requests": 1,
        "failed_requests": 1,
        "output_file": "f-out",
        "error_file": "f-err",
        "errors": [{"message": "bad thing", "count": 2}],
    }
    state = codec.parse_job(job)
    assert state.errors == ["bad thing (x2)"]
    assert [c.url for c in codec.result_calls(state, MISTRAL)] == [
        "https://api.mistral.ai/v1/files/f-out/content",
        "https://api.mistral.ai/v1/files/f-err/content",
    ]
    ok = jsonl([{"custom_id": "0", "response": {"status_code": 200, "body": {"id": "c"}}, "error": None}])
    bad = jsonl([{"custom_id": "1", "response": {"status_code": 422, "body": {"detail": []}}, "error": None}])
    lines, _ = codec.parse_results(state, [ok, bad])
    assert [(line.custom_id, line.outcome, line.status) for line in lines] == [
        ("0", "succeeded", 200),
        ("1", "failed", 422),
    ]
    bare = codec.parse_job({"id": "j", "status": "SUCCESS"})
    [inline] = codec.result_calls(bare, MISTRAL)
    assert inline.params == {"inline": "true"} and inline.url.endswith("/batch/jobs/j")
    lines, _ = codec.parse_results(
        bare,
        [
            json.dumps(
                {"outputs": [{"custom_id": "0", "response": {"status_code": 200, "body": {}}, "error": None}]}
            ).encode()
        ],
    )
    assert [(line.custom_id, line.outcome) for line in lines] == [("0", "succeeded")]


# --- rows: joined on custom_id, never on order; nothing dropped --------------------------------------


def _job(ids: list[str], status: str = "completed", total: int | None = None) -> BatchJob:
    return BatchJob(
        id="openai:b",
        native_id="b",
        provider="openai",
        model="m",
        status=status,  # type: ignore[arg-type]
        custom_ids=ids,
        counts=BatchCounts(total=total),
    )


def _ok(line: RawLine) -> ChatResult:
    assert line.body is not None
    return ChatResult(provider="openai", model="m", parts=[TextPart(text=line.body["text"])])


def _bad(line: RawLine) -> BadRequestError:
    return BadRequestError(f"failed: {line.custom_id}", provider="openai", status=line.status)


def test_rows_follow_input_order_whatever_the_output_order() -> None:
    ids = [default_custom_id(i) for i in range(4)]
    lines = [
        RawLine("row-3", "succeeded", body={"text": "three"}),
        RawLine("row-1", "failed", status=400),
        RawLine("row-0", "succeeded", body={"text": "zero"}),
    ]
    results = assemble(_job(ids), lines, parse_ok=_ok, parse_failed=_bad)
    assert [r.custom_id for r in results] == ids
    assert [r.status for r in results] == ["succeeded", "failed", "missing", "succeeded"]
    assert results.texts == ["zero", None, None, "three"]
    assert isinstance(results[1].error, BadRequestError)
    assert isinstance(results[2].error, ResultUnavailableError)
    assert [r.index for r in results.errors] == [1, 2]


@pytest.mark.parametrize(
    ("status", "error"), [("expired", JobExpiredError), ("cancelled", JobCancelledError)]
)
def test_inputs_without_a_line_take_the_batch_ending(status: str, error: type) -> None:
    results = assemble(
        _job(["a", "b"], status),
        [RawLine("a", "succeeded", body={"text": "x"})],
        parse_ok=_ok,
        parse_failed=_bad,
    )
    assert results[1].status == status and isinstance(results[1].error, error)
    assert results[1].error.job_id == "openai:b"


def test_lines_no_input_claims_are_kept() -> None:
    lines = [
        RawLine("a", "succeeded", body={"text": "x"}),
        RawLine("zzz", "succeeded", body={"text": "y"}),
        RawLine(None, "failed"),
    ]
    results = assemble(_job(["a"]), lines, parse_ok=_ok, parse_failed=_bad)
    assert len(results) == 3
    assert [r.index for r in results] == [0, None, None]
    assert results.notes


def test_a_resumed_batch_of_ours_gets_its_input_order_back_from_the_ids() -> None:
    lines = [RawLine("row-2", "succeeded", body={"text": "two"}), RawLine("row-0", "expired")]
    results = assemble(_job([], "expired", total=3), lines, parse_ok=_ok, parse_failed=_bad)
    assert [(r.index, r.custom_id, r.status) for r in results] == [
        (0, "row-0", "expired"),
        (1, "row-1", "expired"),
        (2, "row-2", "succeeded"),
    ]
    assert index_of("row-12") == 12 and index_of("mine") is None


def test_a_result_that_cannot_be_parsed_is_a_failed_row() -> None:
    def broken(line: RawLine) -> ChatResult:
        raise StreamError("unreadable", provider="openai")

    results = assemble(_job(["a"]), [RawLine("a", "succeeded", body={})], parse_ok=broken, parse_failed=_bad)
    assert results[0].status == "failed" and isinstance(results[0].error, StreamError)


def test_docs_batch_md_names_every_driven_provider_with_its_catalog_discount() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "batch.md").read_text(encoding="utf-8")
    table = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")}
    for name in batch_providers():
        facts = batch_facts(name)
        row = table.get(f"`{name}`")
        assert row is not None, name
        assert f"{facts.discount:.0%}" in row
        assert facts.discount_source.split(" ")[0].split(":")[0] in row, (name, facts.discount_source)


def test_a_failed_batch_gives_every_input_a_failed_row_with_the_reason() -> None:
    job = _job(["a", "b"], "failed").model_copy(update={"errors": ["line 2: dup (duplicate_custom_id)"]})
    results = assemble(job, [], parse_ok=_ok, parse_failed=_bad)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all(isinstance(r.error, JobFailedError) and "duplicate_custom_id" in str(r.error) for r in results)


def test_the_job_and_results_render_escaped() -> None:
    from llmkit_nb.display.batch import render_batch_job, render_batch_results, render_plain_batch_job
    from providers.batch.types import BatchResults, BatchRow

    evil = "<script>alert(1)</script>"
    job = _job(["a"], "running", total=2).model_copy(
        update={
            "raw_status": evil,
            "errors": [evil],
            "sandbox": True,
            "counts": BatchCounts(total=2, succeeded=1),
        }
    )
    html = render_batch_job(job)
    assert evil not in html and "&lt;script&gt;" in html
    assert '<progress max="1" value="0.500">' in html and "1/2 done" in html and "SANDBOX" in html
    assert "kit.batch_job(&#x27;openai:b&#x27;)" in html
    assert "running" in render_plain_batch_job(job)
    result = ChatResult(provider="openai", model="m", parts=[TextPart(text=evil)])
    rows = BatchResults(
        job=job,
        rows=[
            BatchRow(0, evil, "succeeded", result=result),
            BatchRow(1, "b", "failed", error=BadRequestError(evil)),
        ],
    )
    table = render_batch_results(rows)
    assert evil not in table and table.count("&lt;script&gt;") >= 3
