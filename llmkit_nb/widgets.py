"""ipywidgets controls over the same LLMKit: a capability-driven picker and a chat panel.

Nothing here is unavailable from code: the picker only sets `kit.defaults`, and the chat panel
calls the same streaming core as `kit.chat(..., stream=True)`. ipywidgets is imported when a
widget is made, never at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TYPE_CHECKING, Any

from .choices import efforts_for, latency_tiers_for, models_for, providers_for, regions_for

if TYPE_CHECKING:
    from .kit import LLMKit

__all__ = ["ChatPanel", "Picker"]


def _tooltip(field: str) -> str:
    from .defaults import KitDefaults

    return KitDefaults.model_fields[field].description or ""


def _thinking_value(choice: str | None) -> str | bool | None:
    if choice in (None, "default"):
        return None
    if choice == "off":
        return False
    return choice


class Picker:
    """provider -> model -> region -> latency tier -> thinking, each list filled from the registry."""

    def __init__(self, kit: LLMKit) -> None:
        import ipywidgets as w

        self.kit = kit
        residency = getattr(kit, "residency", None)
        provider, _, model = kit.defaults.model.partition("/")
        providers = providers_for(residency=residency)
        if provider not in providers and providers:
            provider = providers[0]
        self.provider = w.Dropdown(
            options=providers, value=provider, description="provider", tooltip="Who serves the call"
        )
        self.model = w.Dropdown(description="model", tooltip=_tooltip("model"))
        self.region = w.Dropdown(description="region", tooltip=_tooltip("region"))
        self.latency = w.Dropdown(description="latency", tooltip=_tooltip("latency"))
        self.thinking = w.Dropdown(description="thinking", tooltip=_tooltip("thinking"))
        self.summary = w.HTML()
        for control in (self.provider, self.model, self.region, self.latency, self.thinking):
            control.style = {"description_width": "70px"}
            control.layout = w.Layout(width="360px")
        self.widget = w.VBox(
            [self.provider, self.model, self.region, self.latency, self.thinking, self.summary]
        )
        self._residency = residency
        self._fill_models(preferred=model)
        self.provider.observe(lambda _: self._fill_models(), names="value")
        self.model.observe(lambda _: self._fill_model_bound(), names="value")
        for control in (self.region, self.latency, self.thinking):
            control.observe(lambda _: self._apply(), names="value")

    def _fill_models(self, preferred: str | None = None) -> None:
        provider = self.provider.value
        models = models_for(provider) if provider else []
        with self._hold():
            self.model.options = models
            self.model.value = preferred if preferred in models else (models[0] if models else None)
            regions = regions_for(provider, residency=self._residency) if provider else []
            self.region.options = regions
            self.region.value = regions[0] if regions else None
            self.region.layout.display = "" if regions else "none"
            tiers = latency_tiers_for(provider) if provider else []
            self.latency.options = tiers
            self.latency.value = tiers[0] if tiers else None
            self.latency.layout.display = "" if tiers else "none"
        self._fill_model_bound()

    def _fill_model_bound(self) -> None:
        efforts = efforts_for(self.provider.value, self.model.value) if self.model.value else []
        with self._hold():
            self.thinking.options = efforts
            self.thinking.value = efforts[0] if efforts else None
            self.thinking.layout.display = "" if efforts else "none"
        self._apply()

    @contextlib.contextmanager
    def _hold(self) -> Any:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def _apply(self) -> None:
        if getattr(self, "_holding", False) or not self.model.value:
            return
        d = self.kit.defaults
        d.model = f"{self.provider.value}/{self.model.value}"
        d.thinking = _thinking_value(self.thinking.value)
        d.region = self.region.value
        d.latency = self.latency.value
        from html import escape

        self.summary.value = f"<code>{escape(repr(self.value))}</code>"

    @property
    def value(self) -> dict[str, Any]:
        """The chosen settings as plain values (the same as kit.defaults)."""
        d = self.kit.defaults
        return {"model": d.model, "thinking": d.thinking, "region": d.region, "latency": d.latency}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class _WidgetHandle:
    """Lets LiveChat draw into an HTML widget instead of a notebook output."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget

    def shown(self, obj: Any) -> _WidgetHandle:
        self.update(obj)
        return self

    def update(self, obj: Any) -> None:
        self.widget.value = obj._repr_mimebundle_()["text/html"]


class ChatPanel:
    """Prompt box, Send and Stop, a live answer with its reasoning panel, and the history above it.

    The call runs on the kit's background loop, so the kernel stays free to hear the Stop button;
    Stop cancels the call (closing its connection) and keeps what arrived.
    """

    MIN_INTERVAL_S = 0.1

    def __init__(self, kit: LLMKit) -> None:
        import ipywidgets as w

        self.kit = kit
        self.prompt = w.Textarea(
            placeholder="Ask something, then Send", layout=w.Layout(width="100%", height="70px")
        )
        self.send = w.Button(
            description="Send", button_style="primary", icon="paper-plane", tooltip="Send the prompt"
        )
        self.stop = w.Button(
            description="Stop", icon="stop", disabled=True, tooltip="Cancel the running call"
        )
        self.status = w.HTML()
        self.live = w.HTML()
        self.history = w.VBox([])
        self.widget = w.VBox(
            [self.history, self.live, self.prompt, w.HBox([self.send, self.stop, self.status])]
        )
        self.widget.add_class("llmkit-chat-panel")
        self.turns: list[Any] = []
        self._future: Any = None
        self._idle = threading.Event()
        self._idle.set()
        self.send.on_click(lambda _: self.submit())
        self.stop.on_click(lambda _: self.cancel())

    # -- actions (callable from code and tests too) ---------------------------------------------

    def submit(self, text: str | None = None) -> None:
        """Send the prompt box's text (or `text`); an empty prompt does nothing and says why."""
        from html import escape

        prompt = (self.prompt.value if text is None else text).strip()
        if not prompt:
            self.status.value = '<span class="llmkit-muted">Type a prompt first — nothing was sent.</span>'
            return
        if not self._idle.is_set():
            self.status.value = '<span class="llmkit-muted">A call is running; Stop it or wait.</span>'
            return
        self.prompt.value = ""
        self.status.value = ""
        self._add_history(f'<div class="llmkit-prompt"><strong>You:</strong> {escape(prompt)}</div>')
        self.turns.append({"role": "user", "content": prompt})
        self.send.disabled, self.stop.disabled = True, False
        self._idle.clear()
        runner = self.kit._runner
        loop = getattr(runner, "loop", None)
        if loop is None or not hasattr(runner, "_submit"):
            self._run_blocking()
            return
        self._future = asyncio.run_coroutine_threadsafe(self._consume(), loop)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running call (if any) has finished and the panel is drawn; True if idle."""
        return self._idle.wait(timeout)

    def cancel(self) -> None:
        """Stop the running call (it is cancelled and its connection closed)."""
        if self._future is not None and not self._future.done():
            self._future.cancel()

    # -- the call ------------------------------------------------------------------------------

    def _kwargs(self) -> dict[str, Any]:
        d = self.kit.defaults
        return {"thinking": d.thinking, "max_tokens": d.max_tokens, "system": d.system}

    async def _consume(self) -> None:
        from providers.errors import IncompleteStreamError, LLMKitError
        from providers.types import Done, TextDelta, ThinkingDelta

        from .display.objects import LiveChat

        model = self.kit.defaults.model
        provider, _, name = model.partition("/")
        live = LiveChat(
            provider=provider,
            model=name,
            sandbox=self.kit.sandbox,
            min_interval=self.MIN_INTERVAL_S,
            display_fn=_WidgetHandle(self.live).shown,
        )
        try:
            async for event in self.kit.client.stream(model, list(self.turns), **self._kwargs()):
                match event:
                    case ThinkingDelta():
                        live.add_thinking(event.text)
                    case TextDelta():
                        live.add_text(event.text)
                    case Done():
                        self._finish(event.result)
        except asyncio.CancelledError:
            self._finish(live.partial(incomplete=True), note="stopped")
            raise
        except IncompleteStreamError as exc:
            self._finish(exc.partial, error=exc)
        except LLMKitError as exc:
            self._finish(None, error=exc)
        finally:
            self.send.disabled, self.stop.disabled = False, True
            self._idle.set()

    def _run_blocking(self) -> None:
        try:
            result = self.kit.chat(self.kit.defaults.model, list(self.turns), stream=False, **self._kwargs())
            self._finish(result)
        except Exception as exc:  # shown in place, as the panel promises
            self._finish(None, error=exc)
        finally:
            self.send.disabled, self.stop.disabled = False, True
            self._idle.set()

    def _show_partial(self, live: Any) -> None:
        from .display.render import render_chat

        self.live.value = render_chat(live.partial(), streaming=True)

    def _finish(self, result: Any, *, error: BaseException | None = None, note: str | None = None) -> None:
        from .display.render import render_chat, render_error

        self.live.value = ""
        if result is not None:
            self.kit.ledger.record_chat(result)
            self.turns.append(result)
            self._add_history(render_chat(result))
        if error is not None:
            self._add_history(render_error(error))
        if note:
            self.status.value = f'<span class="llmkit-muted">{note}: kept what arrived.</span>'

    def _add_history(self, html: str) -> None:
        import ipywidgets as w

        self.history.children = (*self.history.children, w.HTML(html))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
