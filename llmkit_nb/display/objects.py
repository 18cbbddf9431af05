"""Display objects: mimebundles for results and errors, and the live view of a stream.

IPython is imported only when a notebook display is actually made, so this module is cheap to
import in scripts and tests.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TextIO

from providers.errors import IncompleteStreamError, LLMKitError
from providers.types import ChatResult, TextPart, ThinkingPart, ToolCall, ToolCallDelta, ToolCallPart

from .render import (
    render_chat,
    render_error,
    render_plain_chat,
    render_plain_error,
    render_plain_footer,
)

__all__ = [
    "ChatView",
    "ErrorView",
    "LiveChat",
    "MimeBundle",
    "chat_mimebundle",
    "error_mimebundle",
    "in_notebook",
    "install_error_display",
    "show",
]

MimeBundle = dict[str, str]

_DIM, _RESET = "\x1b[2m", "\x1b[0m"
_SHOWN = "_llmkit_displayed"  # set on an exception a live view has already drawn


def _select(bundle: MimeBundle, include: Iterable[str] | None, exclude: Iterable[str] | None) -> MimeBundle:
    if include:
        bundle = {k: v for k, v in bundle.items() if k in set(include)}
    if exclude:
        bundle = {k: v for k, v in bundle.items() if k not in set(exclude)}
    return bundle


def chat_mimebundle(result: ChatResult, *, streaming: bool = False) -> MimeBundle:
    """The `text/plain` + `text/html` bundle that displays a chat result."""
    return {"text/plain": render_plain_chat(result), "text/html": render_chat(result, streaming=streaming)}


def error_mimebundle(exc: BaseException) -> MimeBundle:
    """The `text/plain` + `text/html` bundle that displays an error as a readable panel."""
    return {"text/plain": render_plain_error(exc), "text/html": render_error(exc)}


class _Bundle:
    """A fixed mimebundle that IPython can display."""

    def __init__(self, bundle: MimeBundle) -> None:
        self.bundle = bundle

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> MimeBundle:
        return _select(self.bundle, include, exclude)

    def __repr__(self) -> str:
        return self.bundle.get("text/plain", "")


class ChatView:
    """Wraps a ChatResult so a notebook draws it with the rich chat display."""

    def __init__(self, result: ChatResult) -> None:
        self.result = result

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> MimeBundle:
        return _select(chat_mimebundle(self.result), include, exclude)

    def __repr__(self) -> str:
        return render_plain_chat(self.result)


class ErrorView:
    """Wraps an exception so a notebook draws it as a readable panel instead of a traceback."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> MimeBundle:
        return _select(error_mimebundle(self.exc), include, exclude)

    def __repr__(self) -> str:
        return render_plain_error(self.exc)


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where rich, updatable displays work), False in a terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(obj: Any, *, out: TextIO | None = None) -> None:
    """Display a chat result or an error: rich in a notebook, readable text in a terminal."""
    view: Any = obj
    if isinstance(obj, ChatResult):
        view = ChatView(obj)
    elif isinstance(obj, BaseException):
        view = ErrorView(obj)
    if in_notebook():
        from IPython.display import display

        display(view)
    else:
        print(repr(view) if view is not obj else obj, file=out if out is not None else sys.stdout)


def _error_handler(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """Draw the error's panel, then report the error as IPython would, so the cell still fails.

    `shell.showtraceback(exception_only=True)` sends the kernel's `error` output (its type, message and
    a line saying `%tb` shows the full traceback) and records sys.last_* for %tb and %debug; the
    execute reply is already marked failed by IPython. So "Run All" stops here, nbval and
    `jupyter nbconvert --execute` fail with the error's type and message.
    """
    if not getattr(value, _SHOWN, False):
        from IPython.display import display

        display(ErrorView(value))
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset, exception_only=True)
    return []


def install_error_display(shell: Any = None) -> bool:
    """In a notebook, show toolkit errors as a readable panel above a short error (the cell still fails).

    Leaves an existing custom exception handler alone; returns whether ours is in place.
    `%tb` still prints the full traceback.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, "_llmkit_error_display", False):
        return True
    if tuple(getattr(shell, "custom_exceptions", ())):
        return False
    shell.set_custom_exc((LLMKitError,), _error_handler)
    shell._llmkit_error_display = True
    return True


class DisplayHandle(Protocol):
    def update(self, obj: Any) -> None: ...


def _ipython_display(obj: Any) -> DisplayHandle | None:
    from IPython.display import display

    handle: DisplayHandle | None = display(obj, display_id=True)
    return handle


class LiveChat:
    """A streaming reply shown as it arrives: one notebook output updated in place, or terminal text.

    In a notebook the output is re-rendered at most once per `min_interval` seconds; deltas that
    arrive in between are kept and shown at the next allowed moment (call `flush()` when the
    stream is idle) and always by `finish`/`fail`. In a terminal, deltas are printed to `out`.
    `clock` and `display_fn` exist so the throttle can be tested without IPython.
    """

    def __init__(
        self,
        *,
        provider: str,
        model: str,
        sandbox: bool = False,
        min_interval: float = 0.1,
        out: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        display_fn: Callable[[Any], DisplayHandle | None] | None = None,
        notebook: bool | None = None,
    ) -> None:
        self.provider = provider
        self.model = model
        self.sandbox = sandbox
        self.min_interval = min_interval
        self.out = out
        self._clock = clock
        self.notebook = (display_fn is not None or in_notebook()) if notebook is None else notebook
        self._display_fn = display_fn or _ipython_display
        # (kind, pieces): consecutive same-kind deltas kept together, joined when read (a string grown
        # by += would be copied whole on every delta: quadratic on a long answer)
        self._segments: list[tuple[str, list[str]]] = []
        self._handle: DisplayHandle | None = None
        self._displayed = False
        self._last_render: float | None = None
        self._dirty = False
        self._closed = False
        self._term_mode: str | None = None
        self.renders = 0
        self._printed = False  # (terminal) whether any delta was printed
        self._steps: list[ChatResult] = []  # a tool loop's finished turns
        self._calls: list[ToolCall] = []  # its calls that ran
        self._pending: dict[int, list[str]] = {}  # this turn's calls as they stream: index -> [name, args]

    # -- incoming deltas -------------------------------------------------------------------

    def add_thinking(self, text: str) -> None:
        """Take a piece of reasoning text from the stream."""
        self._add("thinking", text)

    def add_text(self, text: str) -> None:
        """Take a piece of answer text from the stream."""
        self._add("text", text)

    def add_tool_delta(self, delta: ToolCallDelta) -> None:
        """Take a piece of a tool call (its name first, then argument fragments)."""
        if self._closed:
            return
        entry = self._pending.setdefault(delta.index, ["", ""])
        if delta.name:
            entry[0] = delta.name
            if not self.notebook:
                if self._term_mode == "tool":
                    self._write(")")  # (the previous call of this turn ends where the next one starts)
                self._end_terminal_line()
                self._write(f"[tool] {delta.name}(")
                self._term_mode = "tool"
        entry[1] += delta.arguments_delta
        if self.notebook:
            self._dirty = True
            self.flush()
        elif delta.arguments_delta:
            self._write(delta.arguments_delta)

    def add_step(self, result: ChatResult) -> None:
        """A tool loop finished one turn: keep it, start the next."""
        if self._closed:
            return
        self._steps.append(result)
        self._segments, self._pending = [], {}
        if not self.notebook and self._term_mode == "tool":
            self._write(")")
            self._end_terminal_line()

    def add_tool_result(self, call: ToolCall) -> None:
        """A tool ran; its result goes back to the model next."""
        if self._closed:
            return
        self._calls.append(call)
        if self.notebook:
            self._dirty = True
            self.flush(force=True)
        else:
            from .render_tools import call_summary

            self._write(f"[tool] {call_summary(call)}\n")

    def _add(self, kind: str, text: str) -> None:
        if self._closed or not text:
            return
        if self._segments and self._segments[-1][0] == kind:
            self._segments[-1][1].append(text)
        else:
            self._segments.append((kind, [text]))
        if self.notebook:
            self._dirty = True
            self.flush()
        else:
            self._print_delta(kind, text)

    def flush(self, *, force: bool = False) -> None:
        """Render pending deltas now if the throttle allows it (or `force`); safe to call often."""
        if not self.notebook or self._closed or not self._dirty:
            return
        now = self._clock()
        if force or self._last_render is None or now - self._last_render >= self.min_interval:
            self._show(chat_mimebundle(self.partial(), streaming=True), now)

    # -- end of stream ---------------------------------------------------------------------

    def finish(self, result: ChatResult) -> None:
        """Show the final result (always rendered, whatever the throttle says)."""
        if self._closed:
            return
        self._closed = True
        if self.notebook:
            self._show(chat_mimebundle(result), self._clock())
            return
        if not self._printed and result.text:
            self._print_delta("text", result.text)
        self._end_terminal_line()
        self._write(render_plain_footer(result) + "\n")

    def fail(self, exc: BaseException) -> None:
        """Show an error in place of the stream, keeping whatever text had already arrived."""
        if self._closed:
            return
        self._closed = True
        try:
            setattr(exc, _SHOWN, True)  # the error panel is drawn here; the notebook need not repeat it
        except AttributeError:
            pass
        if not self.notebook:
            self._end_terminal_line()
            self._write(render_plain_error(exc, with_partial=False) + "\n")
            return
        bundle = error_mimebundle(exc)
        if self._segments and not isinstance(exc, IncompleteStreamError):
            partial = chat_mimebundle(self.partial(incomplete=True))
            bundle = {k: bundle[k] + ("\n\n" if k == "text/plain" else "") + partial[k] for k in bundle}
        self._show(bundle, self._clock())

    # -- state -----------------------------------------------------------------------------

    def partial(self, *, incomplete: bool = False) -> ChatResult:
        """What has arrived so far, as a ChatResult (for rendering)."""
        parts: list[TextPart | ThinkingPart | ToolCallPart] = []
        for kind, pieces in self._segments:
            text = "".join(pieces)
            if kind == "thinking":
                parts.append(ThinkingPart(text=text, provider=self.provider))
            else:
                parts.append(TextPart(text=text))
        for index in sorted(self._pending):
            name, args = self._pending[index]
            call = ToolCallPart(
                id=f"streaming-{index}",
                name=name or "…",
                raw_arguments=args,
                invalid_json=True,
                provider=self.provider,
            )
            parts.append(call)
        current = ChatResult(
            provider=self.provider,
            model=self.model,
            parts=list(parts),
            visibility="full" if any(k == "thinking" for k, _ in self._segments) else "none",
            sandbox=self.sandbox,
            incomplete=incomplete,
        )
        if not self._steps:
            return current
        ran = {c.id for c in self._calls}
        step = len(self._steps)
        calls = [*self._calls]
        calls += [
            ToolCall(part=p, step=step)
            for p in current.parts
            if isinstance(p, ToolCallPart) and p.id not in ran
        ]
        return current.model_copy(update={"steps": [*self._steps, current], "calls": calls})

    def _show(self, bundle: MimeBundle, now: float) -> None:
        obj = _Bundle(bundle)
        if not self._displayed:
            self._handle = self._display_fn(obj)
            self._displayed = True
        elif self._handle is not None:
            self._handle.update(obj)
        self.renders += 1
        self._last_render = now
        self._dirty = False

    # -- terminal --------------------------------------------------------------------------

    def _stream(self) -> TextIO:
        return self.out if self.out is not None else sys.stdout

    def _write(self, text: str) -> None:
        stream = self._stream()
        stream.write(text)
        stream.flush()

    def _dim(self) -> bool:
        isatty = getattr(self._stream(), "isatty", None)
        return bool(isatty and isatty())

    def _print_delta(self, kind: str, text: str) -> None:
        self._printed = True
        if kind != self._term_mode:
            if self._term_mode is not None:
                self._end_terminal_line(blank=True)
            if kind == "thinking":
                self._write((_DIM if self._dim() else "") + "[thinking] ")
            self._term_mode = kind
        self._write(text)

    def _end_terminal_line(self, *, blank: bool = False) -> None:
        if self._term_mode == "thinking" and self._dim():
            self._write(_RESET)
        if self._term_mode is not None:
            self._write("\n\n" if blank else "\n")
        self._term_mode = None
