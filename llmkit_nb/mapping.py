"""The notebook side of `map`: a progress display while it runs, and a result that renders as a table.

    rows = kit.map(["Classify: ...", ...], model="openai/gpt-6.1-terra", concurrency=16)
    rows                       # a table: input, answer, tokens, cost, latency; failures with their error
    rows.results, rows.errors, rows.to_dicts(), rows.to_pandas()

While it runs: an ipywidgets progress bar with done, failed, tokens, spend and time left (a notebook),
or one progress line (a terminal). Ctrl-C, or the kernel's stop button, stops it: calls in flight are
cancelled and closed, and `kit.map` returns every finished row, marked stopped (`rows.not_run`).
"""

from __future__ import annotations

import html
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from providers.errors import ProviderError
from providers.mapping import MapProgress, MapResult

from .display.mapping import progress_line, render_map, render_plain_map
from .display.objects import _select, in_notebook

if TYPE_CHECKING:
    from .kit import LLMKit

__all__ = ["LiveMap", "MapResponse", "run_map"]


class MapResponse(MapResult):
    """A map's rows that render as a table in Jupyter (every cell escaped)."""

    @classmethod
    def of(cls, result: MapResult) -> MapResponse:
        return cls(result.rows, model=result.model, progress=result.progress, template=result.template)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _select(
            {"text/plain": render_plain_map(self), "text/html": render_map(self)}, include, exclude
        )


class LiveMap:
    """A running map shown as it goes: an ipywidgets bar and a line (notebook), or a terminal line.

    `tick(progress)` while waiting (redrawn at most every `min_interval` seconds), then `finish`.
    """

    def __init__(
        self,
        total: int,
        *,
        notebook: bool | None = None,
        out: TextIO | None = None,
        min_interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.notebook = in_notebook() if notebook is None else notebook
        self.out = out
        self.min_interval = min_interval
        self._clock = clock
        self._last: float | None = None
        self._last_printed = ""
        self._printed_at = clock()  # (a pipe or log gets its first line after a few seconds)
        self.renders = 0
        self.bar: Any = None
        self.label: Any = None
        if self.notebook:
            self._widgets()

    def _widgets(self) -> None:
        import ipywidgets as w

        self.bar = w.IntProgress(
            value=0, min=0, max=self.total, bar_style="info", layout=w.Layout(width="100%")
        )
        self.label = w.HTML(value=self._label_html("starting…"))
        self.box = w.VBox([self.bar, self.label])
        from IPython.display import display

        display(self.box)

    def _label_html(self, line: str, hint: bool = True) -> str:
        tip = (
            ' <span style="opacity:.6">(interrupt the kernel ■ to stop; finished rows are kept)</span>'
            if hint
            else ""
        )
        return f'<span class="llmkit-map-progress">{html.escape(line)}</span>{tip}'

    def _stream(self) -> TextIO:
        return self.out if self.out is not None else sys.stdout

    def tick(self, progress: MapProgress, *, force: bool = False) -> None:
        """Redraw if the throttle allows it (or `force`)."""
        now = self._clock()
        if not force and self._last is not None and now - self._last < self.min_interval:
            return
        self._last = now
        self.renders += 1
        line = progress_line(progress)
        if self.notebook:
            self.bar.value = progress.finished
            if progress.failed:
                self.bar.bar_style = "warning"
            self.label.value = self._label_html(line)
            return
        stream = self._stream()
        isatty = getattr(stream, "isatty", None)
        if isatty is not None and isatty():
            stream.write("\r" + line.ljust(len(self._last_printed)))
            self._last_printed = line
        elif now - self._printed_at >= 5.0:
            stream.write(line + "\n")  # (a log or pipe: a line every few seconds, not a flood)
            self._printed_at = now
        stream.flush()

    def finish(self, result: MapResult) -> None:
        """The last state: the bar full (green, or orange with failures, red if stopped)."""
        p = result.progress
        line = progress_line(p)
        if self.notebook:
            self.bar.value = p.finished
            self.bar.bar_style = "danger" if p.stopped else ("warning" if p.failed else "success")
            self.label.value = self._label_html(line, hint=False)
            return
        stream = self._stream()
        isatty = getattr(stream, "isatty", None)
        prefix = "\r" if isatty is not None and isatty() else ""
        stream.write(prefix + line.ljust(len(self._last_printed)) + "\n")
        stream.flush()


def run_map(
    kit: LLMKit,
    inputs: Any,
    data: Any,
    *,
    model: str,
    concurrency: int,
    progress: bool,
    options: dict[str, Any],
) -> MapResponse:
    """Check the map (raises before anything is sent), run it with a live progress display, record every
    call in the ledger, and return its rows; an interrupt returns the rows finished so far."""
    run = kit.client.map_run(inputs, data, model=model, concurrency=concurrency, **options)
    view = LiveMap(len(run.rows)) if progress else None
    on_idle = (lambda: view.tick(run.progress)) if view is not None else None
    try:
        kit._runner.run(run.run(), on_idle=on_idle)
    except KeyboardInterrupt:
        run.progress.stopped = True  # (the run was cancelled and has unwound: its finished rows stand)
    result = MapResponse.of(run.result())
    for row in result.rows:
        if row.result is not None:
            kit.ledger.record_chat(row.result)
        elif isinstance(row.error, ProviderError):
            kit.ledger.record_error(model, row.error, sandbox=kit.sandbox)
    if view is not None:
        view.finish(result)
    return result
