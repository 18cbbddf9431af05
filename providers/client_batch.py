"""The batch calls of `AsyncClient`, kept apart from chat (the work is in providers/batch_driver.py).

    job = await client.batch(["...", "..."], model="anthropic/claude-haiku-5-5")
    await job.wait(); results = await job.results()
    job = await client.batch_job("anthropic:msgbatch_...")      # after a restart

These methods are thin and import the driver on first use, so importing the client stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .batch_driver import AsyncBatch, Batches
    from .batch_prepare import BatchPlan
    from .client import AsyncClient

__all__ = ["BatchCalls"]


class BatchCalls:
    """Provider batch APIs: submit many chat requests as one job, poll it, resume it by id."""

    def _client(self) -> AsyncClient:
        return cast("AsyncClient", self)  # this mixin only ever lives inside AsyncClient

    @property
    def batches(self) -> Batches:
        """This client's batch jobs (`providers.batch_driver.Batches`): it remembers the jobs it started."""
        from .batch_driver import batches

        return batches(self._client())

    def prepare_batch(self, inputs: Any, *, model: str, **options: Any) -> BatchPlan:
        """Check a batch and build its requests (custom_ids=, input=, metadata=, chat options), sending nothing."""
        from .batch_prepare import prepare_batch

        return prepare_batch(self._client(), inputs, model=model, **options)

    async def batch(self, inputs: Any, *, model: str, **options: Any) -> AsyncBatch:
        """Submit many chat requests as one provider batch (half price, results within the provider's window).

        `inputs` is a list of prompts (strings, message lists or dicts) or a {custom_id: prompt} mapping;
        `custom_ids=` names them otherwise; chat options (thinking=, max_tokens=, system=, tools=, output=,
        ...) apply to every request: `output=` validates each result into `result.output` (a refusal or
        invalid JSON makes that row's error); tools are not run in a batch, the results carry the calls. Returns an `AsyncBatch` right after submitting: `await job.wait()`, then
        `await job.results()`. A prepared `BatchPlan` is submitted as it is.
        """
        from .batch_prepare import BatchPlan

        plan = inputs if isinstance(inputs, BatchPlan) else self.prepare_batch(inputs, model=model, **options)
        return await self.batches.submit(plan)

    async def batch_job(self, job_id: str, **kwargs: Any) -> AsyncBatch:
        """A batch by id ("openai:batch_abc", or a bare id with `provider=`), e.g. after a restart;
        `output=` (the type the batch asked for) validates its results again; `region=` names the region
        it went to when that is not this client's choice for the provider."""
        return await self.batches.resume(job_id, **kwargs)
