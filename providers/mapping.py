"""`map`: one chat call per input, many at once, under the providers' own rate limits.

    rows = await client.map(["Classify: ...", ...], model="openai/gpt-6.1-terra", concurrency=16)
    rows = await client.map("Classify: {review}", reviews, model=..., output=Label)   # a template
    rows.results          # in input order (None where a row failed); rows.errors: the failed rows
    rows.to_dicts()       # one dict per row; rows.to_pandas() when pandas is installed

It sits beside the client and drives `AsyncClient.chat` (so every call is checked, retried, priced and
cached the same way as a single one), with chat options passed through unchanged (thinking=, tools=,
output=, max_tokens=, cache=...). What it guarantees:

* Nothing is sent until every input is checked (providers/map_inputs.py) and the first one has been
  prepared with the options: a bad model, option, prompt or template row fails at once, named.
* At most `concurrency` calls in flight. While it runs, a `RateLimits` (providers/ratelimit.py) watches
  every response's rate-limit headers and holds new calls back before the provider's window runs out,
  and pauses after a 429 for as long as the provider asks. A row whose call still ends in a
  RateLimitError (the transport retried and gave up) is put back in the queue, up to
  `rate_limit_retries` times, after the pause.
* Results come back in input order. A failure is that row's typed error; nothing is dropped.
* Cancelled (Ctrl-C in the notebook layer, `run.stop()`), it stops at once, closes what was in flight,
  and keeps every finished row: `MapRun.result()` is the partial result, marked `stopped`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .errors import ConfigurationError, InvalidParameterError, RateLimitError
from .map_inputs import MapInputs, map_inputs
from .ratelimit import RateLimits
from .registry import split_model
from .types import ChatResult

if TYPE_CHECKING:
    from .client import AsyncClient

__all__ = ["DEFAULT_CONCURRENCY", "MapCalls", "MapProgress", "MapResult", "MapRow", "MapRun"]

DEFAULT_CONCURRENCY = 8
RATE_LIMIT_RETRIES = 4
_RATE_LIMIT_BACKOFF_S = 2.0


@dataclass
class MapRow:
    """One input and what became of it: a result, an error, or neither (not run: the map was stopped)."""

    index: int
    input: Any
    data: Mapping[str, Any] | None = None
    result: ChatResult | None = None
    error: BaseException | None = None
    attempts: int = 0

    @property
    def status(self) -> str:
        """ "ok", "error" or "not run"."""
        if self.result is not None:
            return "ok"
        return "error" if self.error is not None else "not run"

    @property
    def text(self) -> str | None:
        return self.result.text if self.result is not None else None

    @property
    def output(self) -> Any:
        """The validated structured output (with output=), else None."""
        return getattr(self.result, "output", None) if self.result is not None else None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict: the input (and template fields), the answer, usage, cost and the error, if any."""
        row: dict[str, Any] = {"index": self.index}
        if self.data is not None:
            row.update({k: v for k, v in self.data.items() if k not in ("index", "input")})
        row["input"] = self.input if isinstance(self.input, str) else repr(self.input)
        r = self.result
        row.update(
            status=self.status,
            text=r.text if r is not None else None,
            output=self.output,
            input_tokens=r.usage.input_tokens if r is not None else None,
            output_tokens=r.usage.output_tokens if r is not None else None,
            reasoning_tokens=r.usage.reasoning_tokens if r is not None else None,
            cost_usd=r.cost_usd if r is not None else None,
            latency_s=r.latency_s if r is not None else None,
            cached=r.cached if r is not None else False,
            error=_describe(self.error) if self.error is not None else None,
        )
        return row


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"


@dataclass
class MapProgress:
    """How far a map has got: counts, tokens, spend and time, for a progress display."""

    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    cached: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = False
    rate_limited: int = 0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    stopped: bool = False

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def elapsed_s(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the pace so far (None before the first row finishes)."""
        if not self.finished or self.ended is not None:
            return None
        return self.elapsed_s / self.finished * (self.total - self.finished)


class MapResult:
    """A map's rows in input order. Iterate it for `MapRow`s; `.results`, `.errors`, `.to_dicts()`."""

    def __init__(
        self, rows: list[MapRow], *, model: str, progress: MapProgress, template: str | None = None
    ) -> None:
        self.rows = rows
        self.model = model
        self.progress = progress
        self.template = template

    def __repr__(self) -> str:
        p = self.progress
        state = " (stopped)" if p.stopped else ""
        return f"MapResult({self.model}: {p.done} ok, {p.failed} failed of {p.total}{state})"

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[MapRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> MapRow:
        return self.rows[index]

    @property
    def stopped(self) -> bool:
        """True when the map was stopped before every row ran (see `.not_run`)."""
        return self.progress.stopped

    @property
    def results(self) -> list[ChatResult | None]:
        """One entry per input, in order: the result, or None where the row failed or did not run."""
        return [row.result for row in self.rows]

    @property
    def texts(self) -> list[str | None]:
        """Each row's answer text, in input order (None where it failed or did not run)."""
        return [row.text for row in self.rows]

    @property
    def outputs(self) -> list[Any]:
        """Each row's structured output (with output=), in input order."""
        return [row.output for row in self.rows]

    @property
    def errors(self) -> list[MapRow]:
        """The rows that failed, each with its typed error (`row.error`) and its index."""
        return [row for row in self.rows if row.error is not None]

    @property
    def not_run(self) -> list[MapRow]:
        """The rows a stopped map did not get to."""
        return [row for row in self.rows if row.status == "not run"]

    def to_dicts(self) -> list[dict[str, Any]]:
        """One plain dict per row (see `MapRow.to_dict`)."""
        return [row.to_dict() for row in self.rows]

    def to_pandas(self) -> Any:
        """A pandas DataFrame of `to_dicts()` (needs pandas, which this toolkit does not install)."""
        try:
            import pandas
        except ImportError:
            raise ConfigurationError(
                "to_pandas needs pandas: pip install pandas (or use .to_dicts())"
            ) from None
        return pandas.DataFrame(self.to_dicts())


def _check_concurrency(concurrency: Any) -> int:
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise InvalidParameterError(
            f"concurrency must be a whole number of calls at once, 1 or more; got {concurrency!r}"
        )
    return concurrency


class MapRun:
    """One map, checked and ready (nothing sent): `await run.run()`; `run.progress`, `run.result()`.

    Keep the object to read `run.result()` after a cancel: every finished row is there.
    """

    def __init__(
        self,
        client: AsyncClient,
        inputs: Any,
        data: Any = None,
        *,
        model: str,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: Callable[[MapProgress], Any] | None = None,
        rate_limit_retries: int = RATE_LIMIT_RETRIES,
        **options: Any,
    ) -> None:
        self.client = client
        self.model = model
        self.concurrency = _check_concurrency(concurrency)
        if options.get("stream"):
            raise InvalidParameterError("map collects whole results; leave out stream=")
        options.pop("stream", None)
        self.options = options
        self.inputs: MapInputs = map_inputs(inputs, data)
        self.provider, _ = split_model(model)
        self.on_progress = on_progress
        self.rate_limit_retries = rate_limit_retries
        rows = self.inputs.rows
        self.rows = [
            MapRow(index=i, input=p, data=rows[i] if rows is not None else None)
            for i, p in enumerate(self.inputs.prompts)
        ]
        self.progress = MapProgress(total=len(self.rows))
        self._check_call(self.inputs.prompts[0])
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _check_call(self, prompt: Any) -> None:
        """Prepare the first call with every option (nothing sent): a bad model or option fails now."""
        if self.options.get("tools") is not None or self.options.get("output") is not None:
            self.client.tool_run(self.model, prompt, **self.options)
        else:
            self.client.prepare(self.model, prompt, **self.options)

    def result(self) -> MapResult:
        """The rows so far (all of them once `run()` returns), in input order."""
        return MapResult(self.rows, model=self.model, progress=self.progress, template=self.inputs.template)

    def stop(self) -> None:
        """Stop the map from any thread: calls in flight are cancelled, finished rows are kept."""
        task, loop = self._task, self._loop
        if task is not None and loop is not None and not task.done():
            loop.call_soon_threadsafe(task.cancel)

    async def run(self) -> MapResult:
        """Run every row; returns the result. Cancelled, it marks the progress stopped and re-raises."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        client = self.client
        limits = cast(MapCalls, client).rate_limits
        limits.get(self.provider).seen = False  # a map's first call goes alone: its reply gives the limits
        transport = client.transport
        transport.observers.append(limits.observe)
        queue = deque(range(len(self.rows)))
        self.progress.started = time.monotonic()  # (from the start of the run, not of the object)
        try:
            workers = [
                asyncio.create_task(self._worker(queue, limits))
                for _ in range(min(self.concurrency, len(self.rows)))
            ]
            try:
                await asyncio.gather(*workers)
            except BaseException:
                for w in workers:
                    w.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                raise
        except asyncio.CancelledError:
            self.progress.stopped = True
            raise
        finally:
            self.progress.ended = time.monotonic()
            self.progress.running = 0
            transport.observers.remove(limits.observe)
            self._notify()
        return self.result()

    async def _worker(self, queue: deque[int], limits: RateLimits) -> None:
        progress = self.progress
        limit = limits.get(self.provider)
        while queue:
            i = queue.popleft()
            row = self.rows[i]
            await limits.acquire(self.provider)
            progress.running += 1
            row.attempts += 1
            tokens: int | None = None
            try:
                result = await self.client.chat(self.model, row.input, **self.options)
            except RateLimitError as exc:
                if row.attempts <= self.rate_limit_retries:
                    progress.rate_limited += 1
                    limit.pause(exc.retry_after if exc.retry_after is not None else _RATE_LIMIT_BACKOFF_S)
                    queue.append(i)  # (its place in the results is its index, not its turn)
                else:
                    row.error = exc
                    progress.failed += 1
            except Exception as exc:  # a row's failure is that row's, whatever it is; the map goes on
                row.error = exc
                progress.failed += 1
            else:
                row.result = result
                usage = result.usage
                tokens = (usage.input_tokens or 0) + (usage.output_tokens or 0)
                progress.done += 1
                progress.tokens += tokens
                progress.cached += result.cached
                if result.cost_usd is not None:
                    progress.cost_usd += result.cost_usd
                    progress.priced = True
            finally:
                progress.running -= 1
                limit.release(tokens)
            self._notify()

    def _notify(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress)


class MapCalls:
    """`AsyncClient.map`: kept apart from chat; the loop above does the work."""

    _rate_limits: RateLimits | None = None

    @property
    def rate_limits(self) -> RateLimits:
        """What this client has learned of each provider's rate limits (while a map runs)."""
        if self._rate_limits is None:
            self._rate_limits = RateLimits()
        return self._rate_limits

    def map_run(self, inputs: Any, data: Any = None, *, model: str, **options: Any) -> MapRun:
        """A map, checked and ready (nothing sent); keep it to read `run.result()` after a cancel."""
        return MapRun(cast("AsyncClient", self), inputs, data, model=model, **options)

    async def map(
        self,
        inputs: Any,
        data: Any = None,
        *,
        model: str,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: Callable[[MapProgress], Any] | None = None,
        **options: Any,
    ) -> MapResult:
        """One chat call per input, `concurrency` at a time, under the provider's rate limits.

        `inputs`: a list of prompts (strings or message lists), a pandas/polars column, or a template
        string with `data` rows (a list of dicts or a DataFrame): `map("Classify: {review}", rows, ...)`.
        Chat options (thinking=, tools=, output=, max_tokens=, cache=, ...) apply to every call.
        Returns a `MapResult` in input order; a failed row keeps its typed error.
        """
        run = self.map_run(
            inputs, data, model=model, concurrency=concurrency, on_progress=on_progress, **options
        )
        return await run.run()
