"""ipywidgets for speech: a latency-tier control (five tiers) and a voice picker, bound to kit.defaults.

Nothing here is unavailable from code: the controls only set `kit.defaults.speech_model`,
`kit.defaults.voice` and `kit.defaults.latency`, which `kit.speak` uses when a call leaves them out.
The "Try" button calls `kit.speak` with those defaults and shows the player. ipywidgets is imported
when a widget is made, never at import time.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from providers.audio.types import Latency
from providers.audio.voices import list_voices
from providers.registry import list_models, list_provider_specs

if TYPE_CHECKING:
    from .kit import LLMKit

__all__ = ["VoicePicker", "latency_options", "speech_models", "speech_providers", "voice_options"]

SAMPLE = "Hello! This is how I sound at this latency tier."
_UNSET = "provider default"


def speech_providers() -> list[str]:
    """Providers that synthesize speech (modality 'tts')."""
    return sorted(
        s.name for s in list_provider_specs() if "tts" in s.modalities and s.status != "unavailable"
    )


def speech_models(provider: str) -> list[str]:
    """A provider's current speech models, as 'provider/model' (Deepgram: the Aura family)."""
    rank = {"current": 0, "preview": 1, "legacy": 2, "deprecated": 3}
    rows = [m for m in list_models(provider) if m.id.startswith(("eleven_", "aura"))]
    return [f"{provider}/{m.id}" for m in sorted(rows, key=lambda m: (rank.get(m.status, 5), m.id))]


def voice_options(provider: str) -> list[str]:
    """Voice names for a provider (ElevenLabs premade names, Deepgram Aura-2 voice-language pairs)."""
    return list_voices(provider)


def latency_options(provider: str) -> list[tuple[str, str | None]]:
    """(label, value) pairs for the tier control: 'provider default' plus the five tiers (ElevenLabs only)."""
    if provider != "elevenlabs":
        return [(_UNSET, None)]
    return [(_UNSET, None)] + [(f"{t.level} · {t.value}", t.value) for t in Latency]


class VoicePicker:
    """provider -> model -> voice -> latency tier, each filled from the catalog, setting kit.defaults."""

    def __init__(self, kit: LLMKit) -> None:
        import ipywidgets as w

        self.kit = kit
        current = getattr(kit.defaults, "speech_model", "elevenlabs/eleven_flash_v2_5")
        provider = current.partition("/")[0]
        providers = speech_providers()
        if provider not in providers and providers:
            provider = providers[0]
        layout = w.Layout(width="380px")
        style = {"description_width": "70px"}
        self.provider = w.Dropdown(
            options=providers, value=provider, description="provider", layout=layout, style=style
        )
        self.model = w.Dropdown(
            description="model", layout=layout, style=style, tooltip="kit.defaults.speech_model"
        )
        self.voice = w.Dropdown(description="voice", layout=layout, style=style, tooltip="kit.defaults.voice")
        self.latency = w.ToggleButtons(
            description="latency",
            style={"description_width": "70px", "button_width": "118px"},
            tooltips=["no latency setting sent"] + [t.description for t in Latency],
        )
        self.try_button = w.Button(description="Try", icon="play", tooltip=f"kit.speak({SAMPLE!r})")
        self.output = w.Output()
        self.summary = w.HTML()
        self.widget = w.VBox(
            [
                self.provider,
                self.model,
                self.voice,
                self.latency,
                w.HBox([self.try_button, self.summary]),
                self.output,
            ]
        )
        self._filling = False
        self._fill(provider, current)
        self.provider.observe(self._on_provider, names="value")
        for control in (self.model, self.voice, self.latency):
            control.observe(self._on_change, names="value")
        self.try_button.on_click(self._on_try)

    def _fill(self, provider: str, model: str | None = None) -> None:
        self._filling = True
        try:
            models = speech_models(provider)
            self.model.options = models
            self.model.value = model if model in models else (models[0] if models else None)
            voices = voice_options(provider)
            self.voice.options = voices
            default = {"elevenlabs": "George", "deepgram": "thalia-en"}.get(provider)
            by_name = {v.lower(): v for v in voices}
            current = (self.kit.defaults.voice or "").lower()
            self.voice.value = (
                by_name.get(current)
                or by_name.get((default or "").lower())
                or (voices[0] if voices else None)
            )
            tiers = latency_options(provider)
            self.latency.options = tiers
            self.latency.value = self.kit.defaults.latency if provider == "elevenlabs" else None
            self.latency.disabled = provider != "elevenlabs"
        finally:
            self._filling = False
        self._apply()

    def _on_provider(self, change: dict[str, Any]) -> None:
        self._fill(change["new"])

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._filling:
            self._apply()

    def _apply(self) -> None:
        d = self.kit.defaults
        if self.model.value:
            d.speech_model = self.model.value
        d.voice = self.voice.value
        d.latency = self.latency.value
        tier = f", latency={d.latency!r}" if d.latency else ""
        self.summary.value = f"<code>kit.speak(text)</code> uses <code>{d.speech_model}</code>, voice <code>{d.voice}</code>{tier}"

    def _on_try(self, _button: Any) -> None:
        self.try_button.disabled = True

        def run() -> None:
            # a worker thread keeps the kernel free; Output.append_display_data is safe from threads
            try:
                result: Any = self.kit.speak(SAMPLE)
            except Exception as exc:
                from .display.objects import ErrorView

                result = ErrorView(exc)
            finally:
                self.try_button.disabled = False
            self.output.clear_output()
            self.output.append_display_data(result)

        threading.Thread(target=run, name="llmkit-voice-try", daemon=True).start()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        d = self.kit.defaults
        return f"VoicePicker(model={d.speech_model!r}, voice={d.voice!r}, latency={d.latency!r})"
