"""Provider batch APIs for an `AsyncClient` (the I/O beside the client): prepare, submit, poll, cancel,
resume, results. `AsyncClient.batch` / `batch_job` / `prepare_batch` (client_batch.py) hand over here.

    job = await client.batch(["Classify: ...", ...], model="anthropic/claude-haiku-5-5")
    await job.wait()                     # polls with backoff (providers/jobs.py), like video jobs
    results = await job.results()        # one row per input, in input order, joined on custom_id
    job = await client.batch_job("anthropic:msgbatch_...")    # after a restart: resume by id

Every check that can fail without the network happens in `prepare_batch` (providers/batch_prepare.py),
before anything is sent. The wire mapping is the pure codecs in providers/batch/; this module does the I/O.

A job's `id` is "provider:native id" (e.g. "openai:batch_abc"), so `batch_job(id)` finds its
provider after a kernel restart; a bare native id works where its shape names the provider
(batch_..., msgbatch_..., batches/...) or with `provider=`. Interrupting a wait does not cancel
the batch: it keeps running remotely; `cancel()` does that.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx2

from .batch.base import BatchCodec, BatchFacts, batch_facts, split_batch_id
from .batch.rows import assemble
from .batch.types import BatchJob, BatchResults, BatchState, RawLine
from .batch_prepare import BatchPlan, load_codec, prepare_batch
from .boundary import guarded_error_parser, reading
from .chat.base import Connection
from .errors import (
    ConfigurationError,
    InvalidParameterError,
    JobTimeoutError,
    LLMKitError,
    ModelRetiredError,
    ProviderError,
)
from .jobs import JobTiming, poll_loop
from .registry import ModelInfo, codec_for, lookup_model, provider_spec
from .types import ChatRequest, ChatResult, HttpCall

if TYPE_CHECKING:
    from .client import AsyncClient

__all__ = ["SANDBOX_TIMING", "AsyncBatch", "BatchPlan", "Batches", "batches", "prepare_batch"]

SANDBOX_TIMING = JobTiming(first_s=0.2, factor=1.2, max_s=0.5, jitter=0.0)  # quick, yet visible


@dataclass
class _Context:
    """What it takes to poll a job and read its results: codecs, connection, price."""

    codec: BatchCodec
    facts: BatchFacts
    conn: Connection
    chat_codec: Any
    request: ChatRequest
    info: ModelInfo | None
    output: Any = None  # the OutputPlan each result is validated against


def _model_id(provider: str, model: str | None) -> str | None:
    """'anthropic/claude-x' or 'claude-x' -> 'claude-x' (a model of another provider is refused)."""
    if not model:
        return None
    head, sep, rest = model.strip().partition("/")
    if sep and head.lower() == provider:
        return rest
    if sep and head.lower() != provider and provider_exists(head.lower()):
        raise InvalidParameterError(f"model {model!r} is not a {provider} model")
    return model.strip()


def provider_exists(name: str) -> bool:
    try:
        provider_spec(name)
    except ConfigurationError:
        return False
    return True


class Batches:
    """The batch side of one AsyncClient: it remembers the jobs it started (so results keep input order)."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.jobs: dict[str, BatchJob] = {}
        self._contexts: dict[str, _Context] = {}
        self.timing: JobTiming | None = SANDBOX_TIMING if client.sandbox else None
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    # -- sending ------------------------------------------------------------------------------

    def _parser(self, codec: BatchCodec) -> Callable[[int, httpx2.Headers, bytes], ProviderError]:
        def parse(status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
            return codec.parse_error(codec.provider, status, headers, body)

        return guarded_error_parser(parse, codec.provider)

    async def _send(self, codec: BatchCodec, call: HttpCall) -> tuple[int, httpx2.Headers, bytes]:
        reply = await self.client.transport.send(
            call, provider=codec.provider, parse_error=self._parser(codec)
        )
        return reply.status, reply.headers, reply.body

    async def _json(self, codec: BatchCodec, call: HttpCall) -> tuple[Any, httpx2.Headers, int]:
        status, headers, body = await self._send(codec, call)
        if not body.strip():
            return None, headers, status
        with reading(codec.provider, "a batch reply", body, status=status, request_id=_request_id(headers)):
            return json.loads(body), headers, status

    # -- submit, resume ---------------------------------------------------------------------------

    async def submit(self, plan: BatchPlan) -> AsyncBatch:
        """Upload the input (file batches), create the batch; the job is remembered for resume."""
        codec, conn, spec = plan.codec, plan.conn, plan.spec
        if spec.input == "file":
            assert plan.data is not None
            call: HttpCall = codec.upload(plan.data, conn, name="llmkit-batch.jsonl")
            while True:
                payload, headers, status = await self._json(codec, call)
                with reading(codec.provider, "a batch upload reply", payload, status=status):
                    step = codec.parse_upload(status, headers, payload, data=plan.data, conn=conn)
                if isinstance(step, str):
                    spec.file_id = step
                    break
                call = step
        payload, _, _ = await self._json(codec, codec.create(spec, conn))
        state = _job_state(codec, payload)
        job = BatchJob(
            id=f"{plan.provider}:{state.native_id}",
            native_id=state.native_id,
            provider=plan.provider,
            model=plan.model,
            input=spec.input,
            input_file_id=spec.file_id,
            endpoint=spec.endpoint,
            custom_ids=list(spec.custom_ids),
            discount=plan.facts.discount,
            sandbox=self.client.sandbox,
            notes=list(plan.notes),
            sent=plan.sent,
        ).with_state(state, elapsed_s=0.0, poll=False)
        context = _Context(codec, plan.facts, conn, plan.chat_codec, plan.request, plan.info, plan.output)
        return self._remember(job, context)

    def _remember(self, job: BatchJob, context: _Context) -> AsyncBatch:
        self.jobs[job.id] = job
        self._contexts[job.id] = context
        return AsyncBatch(self, job.id)

    def _context_for(
        self, provider: str, model: str | None, endpoint: str | None, region: str | None = None
    ) -> _Context:
        facts = batch_facts(provider)
        spec = provider_spec(provider)
        chat_codec = codec_for(spec)
        options = {"api": "chat"} if provider == "openai" and endpoint == "/v1/chat/completions" else {}
        request = ChatRequest(provider=provider, model=model or "?", messages=[], options=options)
        if hasattr(chat_codec, "pick"):
            chat_codec, request = chat_codec.pick(request)
        info: ModelInfo | None = None
        if model:
            try:
                info = lookup_model(provider, model)
            except ModelRetiredError:
                info = None  # still readable; just not priced
        conn = self.client.connection(spec, region=region, info=info)
        return _Context(load_codec(facts), facts, conn, chat_codec, request, info)

    async def resume(
        self,
        job_id: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        output: Any = None,
        region: str | None = None,
    ) -> AsyncBatch:
        """A job by id: one this client started, else fetched from the provider (one poll).

        `output=` (the type the batch was asked for) validates each result into `result.output` again;
        `region=` is the region it was submitted to, when that is not the client's choice for the provider."""
        if not isinstance(job_id, str) or not job_id.strip():
            raise InvalidParameterError(
                f"a batch id is a non-empty string such as 'openai:batch_abc', not {job_id!r}"
            )
        plan = None
        if output is not None:
            from .output import output_plan

            plan = output_plan(output)
        if job_id in self.jobs and provider is None:
            if plan is not None:
                self._contexts[job_id].output = plan
            return AsyncBatch(self, job_id)
        found, native = split_batch_id(job_id)
        if provider is not None and found is not None and provider != found:
            raise InvalidParameterError(f"batch {job_id!r} belongs to {found}, not provider={provider!r}")
        provider = provider or found
        if provider is None:
            raise InvalidParameterError(
                f"cannot tell which provider batch {job_id!r} belongs to: pass it as 'provider:id' "
                f"(e.g. 'mistral:{native}') or give provider="
            )
        qualified = f"{provider}:{native}"
        if qualified in self.jobs:
            if plan is not None:
                self._contexts[qualified].output = plan
            return AsyncBatch(self, qualified)
        model_id = _model_id(provider, model)
        context = self._context_for(provider, model_id, None, region)
        payload, _, _ = await self._json(context.codec, context.codec.poll(native, context.conn))
        state = _job_state(context.codec, payload)
        job = BatchJob(
            id=f"{provider}:{state.native_id}",
            native_id=state.native_id,
            provider=provider,
            model=model_id,
            discount=context.facts.discount,
            sandbox=self.client.sandbox,
            notes=["resumed by id"],
        ).with_state(state)
        if job.model != model_id or job.endpoint:  # the batch names its model / endpoint: parse with those
            context = self._context_for(provider, job.model, job.endpoint, region)
        context.output = plan
        return self._remember(job, context)

    # -- polling, cancel --------------------------------------------------------------------------

    async def refresh(self, job_id: str, *, elapsed_s: float | None = None) -> BatchJob:
        """Poll once; the job as the provider sees it now."""
        job, context = self.jobs[job_id], self._contexts[job_id]
        payload, _, _ = await self._json(context.codec, context.codec.poll(job.native_id, context.conn))
        job = job.with_state(_job_state(context.codec, payload), elapsed_s=elapsed_s)
        self.jobs[job_id] = job
        return job

    async def watch(
        self, job_id: str, *, timeout: float | None = None, wait_first: bool = True
    ) -> AsyncIterator[BatchJob]:
        """Poll until the batch ends, yielding the job after every poll (backoff: the provider's timing)."""
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0
        ):
            raise InvalidParameterError(
                f"timeout= is a number of seconds >= 0 (or None to wait until it ends), not {timeout!r}"
            )
        job, context = self.jobs[job_id], self._contexts[job_id]
        if job.done:
            yield job
            return
        started, before = self.clock(), job.elapsed_s

        async def fetch() -> BatchJob:
            return await self.refresh(job_id, elapsed_s=before + self.clock() - started)

        def timed_out(current: BatchJob, waited: float) -> JobTimeoutError:
            return JobTimeoutError(
                f"{current.provider} batch {current.native_id} is still {current.raw_status or current.status} "
                f"after {waited:.0f} s (timeout={timeout:g}); it keeps running: wait again, or resume it "
                f"later with kit.batch_job({current.id!r})",
                job_id=current.id,
                model=current.model,
                provider=current.provider,
            )

        polls = poll_loop(
            fetch,
            done=lambda current: current.done,
            timing=self.timing or context.codec.timing,
            timeout=timeout,
            timed_out=timed_out,
            wait_first=wait_first,
            clock=self.clock,
            sleep=self.sleep,
        )
        try:
            async for current in polls:
                yield current
        finally:
            await polls.aclose()

    async def cancel(self, job_id: str) -> BatchJob:
        """Ask the provider to cancel the batch; finished requests keep their results."""
        job, context = self.jobs[job_id], self._contexts[job_id]
        if job.done:
            return job
        payload, _, _ = await self._json(context.codec, context.codec.cancel(job.native_id, context.conn))
        if isinstance(payload, dict) and payload:
            job = job.with_state(_job_state(context.codec, payload), poll=False)
        else:  # Gemini answers a cancel with an empty body: look again
            job = await self.refresh(job_id)
        if not job.done and job.status != "cancelling":
            job = job.model_copy(update={"status": "cancelling"})
        self.jobs[job_id] = job
        return job

    # -- results ----------------------------------------------------------------------------------

    async def results(self, job_id: str) -> BatchResults:
        """Fetch and parse the results of an ended batch: one row per input, in input order."""
        job, context = self.jobs[job_id], self._contexts[job_id]
        if not job.done:
            raise ConfigurationError(
                f"{job.provider} batch {job.native_id} is still {job.raw_status or job.status}: wait for it "
                "first (job.wait()), or check job.status",
                provider=job.provider,
            )
        state = BatchState(
            native_id=job.native_id, status=job.status, raw_status=job.raw_status, output=job.output
        )
        bodies = [
            (await self._send(context.codec, call))[2]
            for call in context.codec.result_calls(state, context.conn)
        ]
        with reading(job.provider, "a batch results file", b"\n".join(bodies)):
            lines, notes = context.codec.parse_results(state, bodies)
        results = assemble(
            job,
            lines,
            parse_ok=lambda line: self._parse_ok(job, context, line),
            parse_failed=lambda line: self._parse_failed(job, context, line),
            notes=[*job.errors, *notes],
        )
        return results

    def _parse_ok(self, job: BatchJob, context: _Context, line: RawLine) -> ChatResult:
        assert line.body is not None
        where = f"batch result {line.custom_id!r}"
        with reading(job.provider, where, line.body, request_id=line.request_id) as boundary:
            result: ChatResult = context.chat_codec.parse(boundary.json_object(line.body), context.request)
        cost = None
        price = context.info.price if context.info is not None else None
        usage = result.usage
        if (
            price
            and price.input_per_1m is not None
            and usage.input_tokens is not None
            and usage.output_tokens is not None
        ):
            standard = (
                usage.input_tokens * price.input_per_1m + usage.output_tokens * (price.output_per_1m or 0)
            ) / 1e6
            cost = standard * (context.facts.discount if context.facts.discount is not None else 1.0)
        note = f"{job.provider} batch {job.native_id}, request {line.custom_id!r}"
        result = result.model_copy(
            update={
                "endpoint": job.endpoint or "",
                "sandbox": self.client.sandbox,
                "request_id": line.request_id,
                "cost_usd": cost,
                "notes": [note, *result.notes],
            }
        )
        if context.output is not None:  # a refusal or invalid JSON raises here: the row keeps that error
            from .output import parse_output

            result = result.model_copy(update={"output": parse_output(result, context.output)})
        return result

    def _parse_failed(self, job: BatchJob, context: _Context, line: RawLine) -> LLMKitError:
        body = line.body if line.body is not None else {"error": {"message": line.message, "code": line.code}}
        parse = guarded_error_parser(
            lambda status, headers, raw: context.chat_codec.parse_error(job.provider, status, headers, raw),
            job.provider,
        )
        error = parse(_status(line.status), httpx2.Headers(), json.dumps(body, default=str).encode())
        message = error.message if line.body is not None or not line.message else line.message
        return type(error)(
            f"request {line.custom_id!r} of {job.provider} batch {job.native_id}: {message}",
            provider=job.provider,
            status=line.status,
            request_id=line.request_id or error.request_id,
            code=line.code or error.code,
            body=error.body,
        )


class AsyncBatch:
    """A handle on one batch: `.job` (its last known state), `refresh()`, `watch()`, `wait()`, `cancel()`,
    `results()`. `.id` is "provider:native id": what `batch_job()` takes to resume it."""

    def __init__(self, batches: Batches, job_id: str) -> None:
        self._batches = batches
        self._id = job_id

    def __repr__(self) -> str:
        job = self.job
        return f"AsyncBatch({job.id!r}, {job.status}, {job.counts.done}/{job.counts.total or '?'})"

    @property
    def id(self) -> str:
        return self._id

    @property
    def job(self) -> BatchJob:
        """The job as of its last poll."""
        return self._batches.jobs[self._id]

    async def refresh(self) -> BatchJob:
        """Poll once."""
        return await self._batches.refresh(self._id)

    def watch(self, *, timeout: float | None = None, wait_first: bool = True) -> AsyncIterator[BatchJob]:
        """Poll until the batch ends, yielding the job after each poll."""
        return self._batches.watch(self._id, timeout=timeout, wait_first=wait_first)

    async def wait(
        self, *, timeout: float | None = None, on_progress: Callable[[BatchJob], Any] | None = None
    ) -> BatchJob:
        """Poll until the batch ends (or `timeout` seconds pass: JobTimeoutError); returns the ended job."""
        async for job in self.watch(timeout=timeout):
            if on_progress is not None:
                on_progress(job)
        return self.job

    async def cancel(self) -> BatchJob:
        """Cancel the batch (requests already done keep their results)."""
        return await self._batches.cancel(self._id)

    async def results(self) -> BatchResults:
        """The results of an ended batch, one row per input in input order."""
        return await self._batches.results(self._id)


def batches(client: AsyncClient) -> Batches:
    """The client's Batches, made on first use (kept on the client, so started jobs are remembered)."""
    found: Batches | None = client.__dict__.get("_batches")
    if found is None:
        found = Batches(client)
        client.__dict__["_batches"] = found
    return found


def _job_state(codec: BatchCodec, payload: Any) -> BatchState:
    """The codec's reading of a batch job, at the codec boundary."""
    with reading(codec.provider, "a batch job", payload):
        return codec.parse_job(payload)


def _request_id(headers: httpx2.Headers) -> str | None:
    return headers.get("x-request-id") or headers.get("request-id")


def _status(status: Any) -> int:
    """A result line's HTTP status, or 500 when the line gives none (or something that is not one)."""
    return (
        status if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599 else 500
    )
