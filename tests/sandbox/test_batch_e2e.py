"""Provider batch APIs end to end: AsyncClient and LLMKit against the in-process sandbox.

Each provider's batch goes through its real request path (uploads, create, polls, result files) and
comes back as one row per input, in input order; failures, expiry and cancellation are rows with
typed errors; bad input is refused before anything is sent.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from providers.batch.types import BatchJob
from providers.client import AsyncClient
from providers.errors import (
    BadRequestError,
    ConfigurationError,
    InvalidParameterError,
    JobCancelledError,
    JobExpiredError,
    JobTimeoutError,
    UnknownProviderError,
)
from providers.jobs import JobTiming

NOW = JobTiming(first_s=0.0, factor=1.0, max_s=0.0, jitter=0.0)
MODELS = {
    "openai": "openai/gpt-6.1-terra",
    "anthropic": "anthropic/claude-haiku-5-5",
    "gemini": "gemini/gemini-3.8-flash",
    "mistral": "mistral/mistral-small-2603",
}
PROMPTS = ["Why is the sky blue?", "What is 2+2? [sandbox:fail]", "Name a colour."]


@pytest.fixture
async def client() -> AsyncIterator[AsyncClient]:
    async with AsyncClient(sandbox=True) as c:
        c.batches.timing = NOW
        yield c


def paths(client: AsyncClient) -> list[str]:
    return [f"{r.method} {r.path}" for r in client.sandbox_app.requests]


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_a_batch_comes_back_in_input_order_with_its_failures(
    client: AsyncClient, provider: str
) -> None:
    job = await client.batch(PROMPTS, model=MODELS[provider], max_tokens=64)
    assert job.id.startswith(f"{provider}:")
    seen: list[BatchJob] = []
    ended = await job.wait(on_progress=seen.append)
    assert ended.status == "completed"
    assert [j.status for j in seen][-1] == "completed" and len(seen) >= 3
    results = await job.results()
    assert [r.custom_id for r in results] == ["row-0", "row-1", "row-2"]
    assert [r.status for r in results] == ["succeeded", "failed", "succeeded"]
    assert "sky is blue" in results[0].result.text.lower() or "sky blue" in results[0].result.text.lower()
    assert "colour" in results[2].result.text
    error = results[1].error
    assert isinstance(error, BadRequestError) and error.status == 400
    assert "asked to fail" in str(error) and "row-1" in str(error)
    # priced at the batch discount: half the catalog's standard price
    r = results[0].result
    assert r.cost_usd is not None and r.sandbox
    info = client.prepare(MODELS[provider], "x").info
    assert info.price is not None and info.price.input_per_1m is not None
    standard = (
        r.usage.input_tokens * info.price.input_per_1m + r.usage.output_tokens * info.price.output_per_1m
    ) / 1e6
    assert r.cost_usd == pytest.approx(standard * 0.5)
    assert results.cost_usd == pytest.approx(sum(x.cost_usd for x in results.results))


async def test_openai_uploads_a_jsonl_file_then_reads_two_result_files(client: AsyncClient) -> None:
    job = await client.batch(PROMPTS, model=MODELS["openai"], thinking="low")
    await job.wait()
    await job.results()
    calls = paths(client)
    assert calls[:2] == ["POST /v1/files", "POST /v1/batches"]
    assert calls.count(f"GET /v1/batches/{job.job.native_id}") == job.job.polls
    assert [c for c in calls if c.endswith("/content")] == [
        f"GET /v1/files/{job.job.output.output_file_id}/content",
        f"GET /v1/files/{job.job.output.error_file_id}/content",
    ]
    create = client.sandbox_app.requests[1].body
    assert create["endpoint"] == "/v1/responses" and create["completion_window"] == "24h"


async def test_openai_chat_completions_endpoint(client: AsyncClient) -> None:
    job = await client.batch(["hello"], model=MODELS["openai"], api="chat")
    assert job.job.endpoint == "/v1/chat/completions"
    await job.wait()
    [row] = await job.results()
    assert row.status == "succeeded" and row.result is not None and row.result.text


async def test_the_request_bodies_are_the_chat_codecs(client: AsyncClient) -> None:
    plan = client.prepare_batch(
        ["a", "b"], model=MODELS["anthropic"], thinking="high", max_tokens=2048, system="Be brief."
    )
    single = client.prepare(
        MODELS["anthropic"], "a", thinking="high", max_tokens=2048, system="Be brief."
    ).call
    assert plan.spec.bodies[0] == single.json_body
    assert plan.spec.bodies[0]["thinking"]["type"] == "adaptive"
    assert "stream" not in plan.spec.bodies[0]


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_expiry_keeps_what_finished_and_marks_the_rest_expired(
    client: AsyncClient, provider: str
) -> None:
    job = await client.batch(["a", "b", "c [sandbox:expired]", "d"], model=MODELS[provider])
    assert (await job.wait()).status == "expired"
    results = await job.results()
    assert [r.status for r in results] == ["succeeded", "succeeded", "expired", "expired"]
    assert all(isinstance(r.error, JobExpiredError) for r in results.errors)
    assert results.errors[0].error.job_id == job.id


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_cancel_keeps_finished_requests_and_cancels_the_rest(
    client: AsyncClient, provider: str
) -> None:
    job = await client.batch(["a", "b", "c", "d"], model=MODELS[provider])
    await job.refresh()  # half done
    cancelled = await job.cancel()
    assert cancelled.status in ("cancelling", "cancelled")
    assert (await job.wait()).status == "cancelled"
    results = await job.results()
    assert [r.status for r in results] == ["succeeded", "succeeded", "cancelled", "cancelled"]
    assert all(isinstance(r.error, JobCancelledError) for r in results.errors)


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_resume_by_id_in_a_new_client_keeps_input_order(provider: str) -> None:
    async with AsyncClient(sandbox=True) as first:
        first.batches.timing = NOW
        job = await first.batch(["zero", "one [sandbox:fail]", "two"], model=MODELS[provider])
        job_id = job.id
        # a "restart": a new client on the same sandbox, knowing nothing of the job
        first.__dict__.pop("_batches")
        first.batches.timing = NOW
        again = await first.batch_job(job_id)
        assert again.job.provider == provider and again.job.custom_ids == []
        await again.wait()
        results = await again.results()
        assert [(r.index, r.custom_id, r.status) for r in results] == [
            (0, "row-0", "succeeded"),
            (1, "row-1", "failed"),
            (2, "row-2", "succeeded"),
        ]
        assert "two" in results[2].result.text


async def test_a_bare_id_resumes_where_its_shape_names_the_provider(client: AsyncClient) -> None:
    job = await client.batch(["a"], model=MODELS["anthropic"])
    client.__dict__.pop("_batches")
    client.batches.timing = NOW
    again = await client.batch_job(job.job.native_id)
    assert again.id == job.id
    mistral = await client.batch(["a"], model=MODELS["mistral"])
    client.__dict__.pop("_batches")
    with pytest.raises(InvalidParameterError, match="provider"):
        await client.batch_job(mistral.job.native_id)
    found = await client.batch_job(mistral.job.native_id, provider="mistral")
    assert found.id == mistral.id


@pytest.mark.parametrize("provider", ["gemini", "mistral"])
async def test_file_input(client: AsyncClient, provider: str) -> None:
    job = await client.batch(["a", "b [sandbox:fail]"], model=MODELS[provider], input="file")
    assert job.job.input == "file" and job.job.input_file_id
    await job.wait()
    results = await job.results()
    assert [r.status for r in results] == ["succeeded", "failed"]
    if provider == "gemini":
        assert paths(client)[:3] == [
            "POST /upload/v1/files",
            "POST /upload/v1/files",
            "POST /v1/models/gemini-3.8-flash:batchGenerateContent",
        ]
        assert job.job.output.responses_file


async def test_a_stuck_batch_times_out_and_can_be_waited_on_again(client: AsyncClient) -> None:
    job = await client.batch(["a [sandbox:stuck]"], model=MODELS["openai"])
    clock = iter(range(0, 1000, 10))
    client.batches.clock = lambda: float(next(clock))
    with pytest.raises(JobTimeoutError) as info:
        await job.wait(timeout=25)
    assert info.value.job_id == job.id and f"kit.batch_job({job.id!r})" in str(info.value)
    with pytest.raises(ConfigurationError, match="wait for it"):
        await job.results()


async def test_per_request_errors_from_the_provider_itself(client: AsyncClient) -> None:
    """A request the API refuses (here: an effort the model does not take) fails in its own row."""
    job = await client.batch(["a", "b"], model=MODELS["openai"], reasoning={"effort": "extreme"})
    await job.wait()
    results = await job.results()
    assert [r.status for r in results] == ["failed", "failed"]
    assert "Invalid value: 'extreme'" in str(results[0].error)


@pytest.mark.parametrize(
    ("provider", "words"),
    [
        ("openai", "Unknown parameter: 'foo'."),
        ("anthropic", "foo: Extra inputs are not permitted"),
        ("gemini", 'Unknown name "foo": Cannot find field.'),
        ("mistral", "foo: Extra inputs are not permitted"),
    ],
)
async def test_each_request_meets_the_strict_sandbox(client: AsyncClient, provider: str, words: str) -> None:
    """A batch request is checked as its chat endpoint checks it: a field the API does not know fails that
    row in the API's words (a batch used to skip the strict schema, so such a body passed here)."""
    job = await client.batch(["a", "b"], model=MODELS[provider], foo=1)
    await job.wait()
    results = await job.results()
    assert [r.status for r in results] == ["failed", "failed"]
    assert words in str(results[0].error)


# --- bad input, refused before anything is sent ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"model": "deepseek/deepseek-chat"}, ConfigurationError, "anthropic, gemini, mistral, openai"),
        ({"model": "vertex/gemini-3.8-flash"}, ConfigurationError, "Cloud Storage"),
        ({"model": "xai/grok-4"}, ConfigurationError, "not driven"),
        ({"model": "gpt-6.1-terra"}, UnknownProviderError, "provider/model"),
        ({"model": MODELS["openai"], "stream": True}, InvalidParameterError, "cannot stream"),
        ({"model": MODELS["anthropic"], "max_steps": 3}, InvalidParameterError, "runs no tools"),
        ({"model": MODELS["gemini"], "run_tools": True}, InvalidParameterError, "runs no tools"),
        ({"model": MODELS["openai"], "custom_ids": ["x", "x", "y"]}, InvalidParameterError, "given twice"),
        ({"model": MODELS["openai"], "custom_ids": ["x"]}, InvalidParameterError, "one per input"),
        (
            {"model": MODELS["anthropic"], "custom_ids": ["a b", "c", "d"]},
            InvalidParameterError,
            "letters, digits",
        ),
        ({"model": MODELS["anthropic"], "input": "file"}, InvalidParameterError, "inline requests only"),
        ({"model": MODELS["openai"], "input": "inline"}, InvalidParameterError, "file only"),
        ({"model": MODELS["openai"], "input": "disk"}, InvalidParameterError, "input="),
        (
            {"model": MODELS["openai"], "max_tokens": 0},
            InvalidParameterError,
            "max_tokens must be a positive",
        ),
        (
            {"model": MODELS["anthropic"], "output": dict},
            ConfigurationError,
            "output= cannot be sent to anthropic as a JSON schema: the root: a free-form mapping",
        ),
    ],
)
async def test_bad_input_is_refused_before_anything_is_sent(
    client: AsyncClient, kwargs: dict[str, Any], error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        await client.batch(PROMPTS, **kwargs)
    assert client.sandbox_app.requests == []


def test_tool_loop_settings_never_reach_a_request_body(client: AsyncClient) -> None:
    """run_tools=False is what a batch does anyway: accepted, and not sent as a field the API would refuse."""
    for model in MODELS.values():
        plan = client.prepare_batch(PROMPTS, model=model, run_tools=False)
        for body in plan.spec.bodies:
            assert "run_tools" not in json.dumps(body)


@pytest.mark.parametrize("inputs", [[], {}, "one string", 42])
async def test_inputs_must_be_a_non_empty_list(client: AsyncClient, inputs: Any) -> None:
    with pytest.raises(InvalidParameterError):
        await client.batch(inputs, model=MODELS["openai"])
    assert client.sandbox_app.requests == []


async def test_a_bad_prompt_names_its_input(client: AsyncClient) -> None:
    with pytest.raises(InvalidParameterError, match=r"input 1 \('row-1'\)"):
        await client.batch(["fine", "   "], model=MODELS["openai"])
    assert client.sandbox_app.requests == []


async def test_a_mapping_names_its_requests(client: AsyncClient) -> None:
    job = await client.batch({"first": "a", "second": "b"}, model=MODELS["anthropic"])
    await job.wait()
    results = await job.results()
    assert [r.custom_id for r in results] == ["first", "second"]


# --- the sandbox checks what each API checks ----------------------------------------------------------


async def _raw(client: AsyncClient, method: str, url: str, **kw: Any) -> Any:
    http = client.transport.client
    return await http.request(method, url, **kw)


async def test_sandbox_openai_fails_a_batch_whose_file_is_invalid(client: AsyncClient) -> None:
    auth = {"authorization": "Bearer sk-test"}
    lines = [
        {"custom_id": "a", "method": "POST", "url": "/v1/responses", "body": {"model": "m", "input": "x"}},
        {
            "custom_id": "a",
            "method": "GET",
            "url": "/v1/chat/completions",
            "body": {"model": "n", "input": "y"},
        },
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode() + b"{oops\n"
    up = await _raw(
        client,
        "POST",
        "https://api.openai.com/v1/files",
        headers=auth,
        data={"purpose": "batch"},
        files={"file": ("in.jsonl", io.BytesIO(data))},
    )
    assert up.status_code == 200, up.text
    file_id = up.json()["id"]
    bad = await _raw(
        client,
        "POST",
        "https://api.openai.com/v1/batches",
        headers=auth,
        json={"input_file_id": file_id, "endpoint": "/v1/nope", "completion_window": "24h"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "endpoint"
    bad = await _raw(
        client,
        "POST",
        "https://api.openai.com/v1/batches",
        headers=auth,
        json={"input_file_id": file_id, "endpoint": "/v1/responses", "completion_window": "1h"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "completion_window"
    created = await _raw(
        client,
        "POST",
        "https://api.openai.com/v1/batches",
        headers=auth,
        json={"input_file_id": file_id, "endpoint": "/v1/responses", "completion_window": "24h"},
    )
    assert created.json()["status"] == "validating"
    polled = (
        await _raw(client, "GET", f"https://api.openai.com/v1/batches/{created.json()['id']}", headers=auth)
    ).json()
    assert polled["status"] == "failed"
    codes = {(e["code"], e["line"]) for e in polled["errors"]["data"]}
    assert {
        ("duplicate_custom_id", 2),
        ("invalid_method", 2),
        ("invalid_url", 2),
        ("model_mismatch", 2),
        ("invalid_json_line", 3),
    } <= codes


async def test_sandbox_anthropic_refuses_duplicate_and_malformed_ids(client: AsyncClient) -> None:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    params = {"model": "claude-haiku-5-5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    dup = await _raw(
        client,
        "POST",
        "https://api.anthropic.com/v1/messages/batches",
        headers=headers,
        json={"requests": [{"custom_id": "a", "params": params}] * 2},
    )
    assert dup.status_code == 400 and "Duplicate custom_id" in dup.json()["error"]["message"]
    bad = await _raw(
        client,
        "POST",
        "https://api.anthropic.com/v1/messages/batches",
        headers=headers,
        json={"requests": [{"custom_id": "a b", "params": params}]},
    )
    assert bad.status_code == 400 and "pattern" in bad.json()["error"]["message"]
    empty = await _raw(
        client,
        "POST",
        "https://api.anthropic.com/v1/messages/batches",
        headers=headers,
        json={"requests": []},
    )
    assert empty.status_code == 400
    early = await _raw(
        client,
        "POST",
        "https://api.anthropic.com/v1/messages/batches",
        headers=headers,
        json={"requests": [{"custom_id": "a", "params": params}]},
    )
    results = await _raw(
        client,
        "GET",
        f"https://api.anthropic.com/v1/messages/batches/{early.json()['id']}/results",
        headers=headers,
    )
    assert results.status_code == 400 and "not yet ended" in results.json()["error"]["message"]


async def test_sandbox_requires_each_providers_auth_on_batch_routes(client: AsyncClient) -> None:
    for url in ("https://api.openai.com/v1/batches", "https://api.mistral.ai/v1/batch/jobs"):
        assert (await _raw(client, "GET", url)).status_code == 401
    assert (await _raw(client, "GET", "https://api.anthropic.com/v1/messages/batches")).status_code == 401
    assert (
        await _raw(client, "GET", "https://generativelanguage.googleapis.com/v1/batches")
    ).status_code in (400, 401, 403)
    start = await _raw(
        client,
        "POST",
        "https://generativelanguage.googleapis.com/upload/v1/files",
        headers={"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"},
        json={"file": {}},
    )
    assert start.status_code in (400, 401, 403)


async def test_sandbox_mistral_checks_the_job_request(client: AsyncClient) -> None:
    auth = {"authorization": "Bearer k"}
    url = "https://api.mistral.ai/v1/batch/jobs"
    body = {"custom_id": "a", "body": {"messages": [{"role": "user", "content": "hi"}]}}
    assert (
        await _raw(
            client, "POST", url, headers=auth, json={"model": "mistral-small-2603", "requests": [body]}
        )
    ).status_code == 422
    bad = await _raw(
        client, "POST", url, headers=auth, json={"endpoint": "/v1/nope", "model": "m", "requests": [body]}
    )
    assert bad.status_code == 422
    both = await _raw(
        client,
        "POST",
        url,
        headers=auth,
        json={"endpoint": "/v1/chat/completions", "model": "m", "requests": [body], "input_files": ["f"]},
    )
    assert both.status_code == 400
    dup = await _raw(
        client,
        "POST",
        url,
        headers=auth,
        json={"endpoint": "/v1/chat/completions", "model": "m", "requests": [body, body]},
    )
    assert dup.status_code == 400 and "Duplicate" in dup.json()["message"]


async def test_tools_carry_over_into_the_batch_requests(client: AsyncClient) -> None:
    from providers.types import ToolCallPart, ToolSpec

    tool = ToolSpec(
        name="get_weather",
        description="The weather in a city",
        parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )
    plan = client.prepare_batch(["Weather in Paris?"], model=MODELS["openai"], tools=[tool])
    assert plan.spec.bodies[0]["tools"][0]["name"] == "get_weather"
    job = await client.batch(plan, model=MODELS["openai"])
    await job.wait()
    [row] = await job.results()
    assert row.result is not None
    calls = [p for p in row.result.parts if isinstance(p, ToolCallPart)]
    assert calls and calls[0].name == "get_weather"


async def test_output_is_validated_per_row_and_again_on_resume(client: AsyncClient) -> None:
    from typing import Literal

    from pydantic import BaseModel

    class Label(BaseModel):
        sentiment: Literal["positive", "negative", "neutral"]

    plan = client.prepare_batch(["Great!", "Awful"], model=MODELS["openai"], output=Label)
    assert plan.spec.bodies[0]["text"]["format"]["type"] == "json_schema"
    job = await client.batch(plan, model=MODELS["openai"])
    await job.wait()
    rows = await job.results()
    assert all(isinstance(r.result.output, Label) for r in rows)
    client.__dict__.pop("_batches")
    client.batches.timing = NOW
    plain = await (await client.batch_job(job.id)).results()
    assert [r.result.output for r in plain] == [None, None]
    again = await (await client.batch_job(job.id, output=Label)).results()
    assert all(isinstance(r.result.output, Label) for r in again)


async def test_a_batch_goes_to_the_chosen_region_and_resumes_there(client: AsyncClient) -> None:
    job = await client.batch(["a"], model=MODELS["mistral"], region="eu")
    assert client.sandbox_app.requests[0].headers["host"] == "api.eu.mistral.ai"
    client.__dict__.pop("_batches")
    client.batches.timing = NOW
    again = await client.batch_job(job.id, region="eu")
    assert client.sandbox_app.requests[-1].headers["host"] == "api.eu.mistral.ai"
    await again.wait()
    assert [r.status for r in await again.results()] == ["succeeded"]
