"""map: inputs and templates checked before sending, bounded concurrency, rate limits from headers,
results in order, failures kept, a stop that keeps finished rows, and the notebook face."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from llmkit_nb import LLMKit
from llmkit_nb.mapping import LiveMap, MapResponse
from providers.client import AsyncClient
from providers.errors import ConfigurationError, InvalidParameterError, ModelRetiredError, ServerError
from providers.mapping import MapProgress

GPT = "openai/gpt-6.1-terra"


def prompts(n: int) -> list[str]:
    return [f"Classify item {i}" for i in range(n)]


class FakeSeries:
    """Looks like a pandas Series to map (recognised by module and methods, never imported)."""

    __module__ = "pandas.core.series"

    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def tolist(self) -> list[Any]:
        return list(self.values)


class FakeFrame:
    __module__ = "polars.dataframe.frame"

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.columns = list(rows[0])

    def to_dicts(self) -> list[dict[str, Any]]:
        return list(self.rows)


async def test_results_come_back_in_input_order() -> None:
    async with AsyncClient(sandbox=True) as client:
        rows = await client.map(prompts(40), model=GPT, concurrency=7)
    assert [row.index for row in rows] == list(range(40))
    assert all(f'"Classify item {i}"' in (text or "") for i, text in enumerate(rows.texts))
    assert rows.errors == [] and rows.progress.done == 40 and not rows.stopped
    assert rows.progress.tokens == sum(
        (r.usage.input_tokens or 0) + (r.usage.output_tokens or 0) for r in rows.results if r
    )
    assert rows.progress.cost_usd == pytest.approx(sum(r.cost_usd or 0 for r in rows.results if r))


async def test_templates_columns_and_frames() -> None:
    async with AsyncClient(sandbox=True) as client:
        data = [{"review": "great soup", "lang": "en"}, {"review": "sopa fría", "lang": "es"}]
        rows = await client.map("Classify ({lang}): {review}", data, model=GPT)
        assert rows.texts[1] is not None and "Classify (es): sopa fría" in rows.texts[1]
        assert rows.to_dicts()[0]["review"] == "great soup" and rows.template == "Classify ({lang}): {review}"
        column = await client.map(FakeSeries(["one", "two"]), model=GPT)
        assert '"two"' in (column.texts[1] or "")
        frame = await client.map("Say {word}", FakeFrame([{"word": "hi"}, {"word": "bye"}]), model=GPT)
        assert '"Say bye"' in (frame.texts[1] or "")
        convo = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
        messages = await client.map([convo], model=GPT)
        assert messages.results[0] is not None


@pytest.mark.parametrize(
    ("inputs", "data", "options", "match"),
    [
        ([], None, {}, "empty list of inputs"),
        (["a", "  ", "c"], None, {}, r"inputs\[1\]: the prompt is empty"),
        ("Classify: {review}", None, {}, "pass its rows too"),
        ("Classify: {review}", [], {}, "no rows"),
        ("Classify: {review}", [{"review": "ok"}, {"text": "no"}], {}, r"rows\[1\] has no field 'review'"),
        ("Classify: {}", [{"a": 1}], {}, "positional field"),
        ("Classify: {review", [{"review": 1}], {}, "not a valid format string"),
        ("Classify: {review}", [{"review": "x"}, "not a dict"], {}, r"rows\[1\] is a str"),
        (["a"], [{"a": 1}], {}, "rows go with a template string"),
        ({"a": "b"}, None, {}, "map takes a list of prompts"),
        (FakeFrame([{"a": 1}]), None, {}, "through a template"),
        (["a"], None, {"concurrency": 0}, "concurrency must be"),
        (["a"], None, {"concurrency": True}, "concurrency must be"),
        (["a"], None, {"concurrency": 2.5}, "concurrency must be"),
        (["a"], None, {"stream": True}, "leave out stream="),
        (["a"], None, {"max_tokens": -1}, "max_tokens"),
    ],
)
async def test_bad_input_fails_before_anything_is_sent(
    inputs: Any, data: Any, options: dict[str, Any], match: str
) -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(InvalidParameterError, match=match):
            await client.map(inputs, data, model=GPT, **options)
        assert client.sandbox_app.requests == []


async def test_an_unknown_model_fails_before_anything_is_sent() -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(ConfigurationError):
            await client.map(["a", "b"], model="nosuchprovider/x")
        with pytest.raises(ModelRetiredError, match="gpt-6-luna"):
            await client.map(["a", "b"], model="openai/o4-mini")  # retired: names its successor
        assert client.sandbox_app.requests == []


async def test_failures_are_kept_as_typed_error_rows() -> None:
    async with AsyncClient(sandbox=True, max_retries=0) as client:
        client.sandbox_app.inject("500", times=3)
        rows = await client.map(prompts(10), model=GPT, concurrency=1)
    failed = rows.errors
    assert [row.index for row in failed] == [0, 1, 2]
    assert all(isinstance(row.error, ServerError) for row in failed)
    assert rows.results[:3] == [None] * 3 and all(rows.results[3:])
    assert rows.progress.failed == 3 and rows.progress.done == 7
    as_dicts = rows.to_dicts()
    assert as_dicts[0]["status"] == "error" and as_dicts[0]["error"].startswith("ServerError")
    assert as_dicts[5]["status"] == "ok" and as_dicts[5]["error"] is None


async def test_at_most_concurrency_calls_in_flight() -> None:
    async with AsyncClient(sandbox=True) as client:
        app = client.sandbox_app
        dispatch = app._dispatch
        now = 0
        most = 0

        async def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal now, most
            now += 1
            most = max(most, now)
            try:
                await asyncio.sleep(0.01)
                return await dispatch(*args, **kwargs)
            finally:
                now -= 1

        app._dispatch = counted  # type: ignore[method-assign]
        await client.map(prompts(30), model=GPT, concurrency=4)
        assert most == 4
        most = 0
        await client.map(prompts(30), model=GPT, concurrency=1)
        assert most == 1


async def test_slows_down_before_the_window_runs_out() -> None:
    """OpenAI's x-ratelimit-* headers: the map waits for the window to reset instead of hitting 429."""
    async with AsyncClient(sandbox=True) as client:
        client.sandbox_app.rate_limit("openai", requests=4, window=0.5)
        rows = await client.map(prompts(10), model=GPT, concurrency=8)
        limit = client.rate_limits.get("openai")
        assert rows.progress.done == 10
        assert limit.limited == 0  # not one 429
        assert limit.waits > 0  # it held calls back
        assert len(client.sandbox_app.requests) == 10  # and sent each call once
        assert client.transport.observers == []  # plain calls are not watched after the map


async def test_anthropic_headers_too() -> None:
    async with AsyncClient(sandbox=True) as client:
        client.sandbox_app.rate_limit("anthropic", requests=3, window=1)
        rows = await client.map(prompts(6), model="anthropic/claude-haiku-5-5", concurrency=6)
        limit = client.rate_limits.get("anthropic")
        assert rows.progress.done == 6 and limit.limited == 0 and limit.waits > 0


async def test_backs_off_on_429_without_headers() -> None:
    """Gemini sends no rate-limit headers: the 429s' retry-after pauses the map and every row gets done."""
    async with AsyncClient(sandbox=True) as client:
        client.sandbox_app.rate_limit("gemini", requests=3, window=1)
        rows = await client.map(prompts(7), model="gemini/gemini-3.8-flash", concurrency=4)
        assert rows.progress.done == 7 and rows.errors == []
        assert client.rate_limits.get("gemini").limited > 0


async def test_rows_the_transport_gave_up_on_are_requeued() -> None:
    async with AsyncClient(sandbox=True, max_retries=0) as client:
        client.sandbox_app.rate_limit("gemini", requests=2, window=0.5)
        rows = await client.map(prompts(5), model="gemini/gemini-3.8-flash", concurrency=5)
        assert rows.progress.done == 5 and rows.errors == []
        assert rows.progress.rate_limited > 0
        assert max(row.attempts for row in rows) > 1


async def test_a_cancel_keeps_every_finished_row() -> None:
    async with AsyncClient(sandbox=True) as client:
        client.sandbox_app.inject("slow:0.05", times=100)
        run = client.map_run(prompts(20), model=GPT, concurrency=2)
        task = asyncio.create_task(run.run())
        while run.progress.done < 4:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        result = run.result()
        assert result.stopped
        done = [row for row in result if row.status == "ok"]
        assert len(done) >= 4 and len(result.not_run) >= 10
        assert all(row.result is not None for row in done)
        assert client.transport.observers == []


async def test_chat_options_pass_through() -> None:
    class Label(BaseModel):
        label: str
        confidence: float

    def word_count(text: str) -> int:
        """Count the words in a text."""
        return len(text.split())

    async with AsyncClient(sandbox=True) as client:
        thought = await client.map(["2+2?"], model="anthropic/claude-sonnet-5-5", thinking="high")
        assert thought.results[0] is not None and thought.results[0].reasoning
        labelled = await client.map(["Classify: great", "Classify: awful"], model=GPT, output=Label)
        assert all(isinstance(o, Label) for o in labelled.outputs)
        tooled = await client.map(["How many words in 'a b c'?"], model=GPT, tools=[word_count])
        result = tooled.results[0]
        assert result is not None and result.tool_calls and result.tool_calls[0].name == "word_count"


async def test_cached_rows_cost_nothing(tmp_path: Path) -> None:
    async with AsyncClient(sandbox=True, cache=tmp_path / "c.sqlite3") as client:
        await client.map(prompts(5), model=GPT)
        sent = len(client.sandbox_app.requests)
        again = await client.map(prompts(5), model=GPT)
        assert len(client.sandbox_app.requests) == sent
        assert again.progress.cached == 5 and again.progress.cost_usd == 0.0
        fresh = await client.map(prompts(5), model=GPT, cache=False)
        assert fresh.progress.cached == 0


def test_kit_map_renders_escaped_and_records_the_ledger() -> None:
    with LLMKit(sandbox=True) as kit:
        rows = kit.map(["<script>alert(1)</script>", "fine", "also fine"], model=GPT, progress=False)
        assert isinstance(rows, MapResponse)
        bundle = rows._repr_mimebundle_()
        assert "<script>" not in bundle["text/html"] and "&lt;script&gt;" in bundle["text/html"]
        assert "3 / 3 done" in bundle["text/plain"]
        assert len(kit.usage()) == 3
        with pytest.raises(InvalidParameterError, match="concurrency"):
            kit.map(["a"], model=GPT, concurrency=0)


def test_kit_map_shows_failures_in_the_table() -> None:
    with LLMKit(sandbox=True, max_retries=0) as kit:
        kit.client.sandbox_app.inject("500", times=1)
        rows = kit.map(prompts(3), model=GPT, concurrency=1, progress=False)
        html = rows._repr_mimebundle_()["text/html"]
        assert "ServerError" in html and "1 failed" in html
        assert [e.kind for e in kit.usage()] == ["chat"] * 3
        assert sum(1 for e in kit.usage() if e.error) == 1


def test_interrupt_returns_the_finished_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (here raised where the caller's thread waits) stops the map; finished rows come back."""
    with LLMKit(sandbox=True) as kit:
        kit.client.sandbox_app.inject("slow:0.05", times=100)
        ticks = 0

        def interrupt(self: LiveMap, progress: MapProgress, *, force: bool = False) -> None:
            nonlocal ticks
            ticks += 1
            if progress.done >= 3:
                raise KeyboardInterrupt

        monkeypatch.setattr(LiveMap, "tick", interrupt)
        rows = kit.map(prompts(40), model=GPT, concurrency=2, progress=True)
        assert rows.stopped and ticks > 0
        assert rows.progress.done >= 3 and len(rows.not_run) > 20
        assert "Stopped" in rows._repr_mimebundle_()["text/html"]
        assert len(kit.usage()) == rows.progress.done  # the ledger has what was finished


def test_progress_display_terminal_and_widgets() -> None:
    out = io.StringIO()
    view = LiveMap(10, notebook=False, out=out, clock=lambda: 100.0)
    p = MapProgress(total=10, done=4, failed=1, tokens=1234, cost_usd=0.01, priced=True)
    view.tick(p)
    assert out.getvalue() == ""  # a pipe gets no line in the first seconds
    with LLMKit(sandbox=True) as kit:
        rows = kit.map(prompts(3), model=GPT, progress=False)
    view.finish(rows)
    assert "3 / 3 done" in out.getvalue()
    widget = LiveMap(10, notebook=True)
    widget.tick(p)
    assert widget.bar.value == 5 and widget.bar.bar_style == "warning"
    assert "4 / 10 done · 1 failed · 1,234 tokens · $0.0100" in widget.label.value
    widget.finish(rows)
    assert widget.bar.bar_style == "success"


def test_to_pandas_needs_pandas() -> None:
    with LLMKit(sandbox=True) as kit:
        rows = kit.map(prompts(2), model=GPT, progress=False)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError, match="pip install pandas"):
            rows.to_pandas()
    else:
        frame = rows.to_pandas()
        assert list(frame["index"]) == [0, 1]


async def test_marked_rows_fail_wherever_they_are() -> None:
    """`[sandbox:fail]` in a chat request gets the provider's 400, so error rows do not depend on timing."""
    async with AsyncClient(sandbox=True) as client:
        inputs = prompts(12)
        inputs[3] += " [sandbox:fail]"
        inputs[9] += " [sandbox:fail]"
        rows = await client.map(inputs, model="anthropic/claude-haiku-5-5", concurrency=5)
    assert [row.index for row in rows.errors] == [3, 9]
    assert all(type(row.error).__name__ == "BadRequestError" for row in rows.errors)


def test_kit_sandbox_rate_limit_and_progress_callback() -> None:
    seen: list[int] = []
    with LLMKit(sandbox=True) as kit:
        kit.sandbox_rate_limit("openai", requests=3, window=0.5)
        rows = kit.map(
            prompts(5),
            model=GPT,
            concurrency=5,
            progress=False,
            on_progress=lambda p: seen.append(p.finished),
        )
        assert rows.progress.done == 5 and kit.client.rate_limits.get("openai").limited == 0
        assert seen[-1] == 5 and seen == sorted(seen)
        kit.sandbox_rate_limit("openai")
        assert kit.client.sandbox_app.limiter.limits == {}
