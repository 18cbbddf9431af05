"""The speech, transcription, realtime and video/image faces of `LLMKit`, kept apart from chat.

Each method is a thin synchronous face over llmkit_nb/voice.py or llmkit_nb/media.py (imported on first
use), and each finished call is recorded in the kit's ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from providers.errors import ProviderError

if TYPE_CHECKING:
    from .defaults import KitDefaults
    from .kit import LLMKit
    from .ledger import Ledger

__all__ = ["MediaFaces"]


class MediaFaces:
    """Video and image generation, speech to text, text to speech and realtime voice."""

    # set by LLMKit.__init__
    sandbox: bool
    ledger: Ledger
    defaults: KitDefaults

    def _kit(self) -> LLMKit:
        return cast("LLMKit", self)  # this mixin only ever lives inside LLMKit

    def generate_video(
        self,
        prompt: str | None,
        *,
        model: str,
        duration: float | None = None,
        size: Any = None,
        image: Any = None,
        timeout: float | None = 600.0,
        on_progress: Any = None,
        progress: bool = True,
        cancel_on_interrupt: bool = True,
        **options: Any,
    ) -> Any:
        """Generate a video ("runware/runway:1@2", "runwayml/gen4.5", ...), showing its progress while
        it renders; returns a `VideoResponse` (a player; `.save(path)` downloads it). Ctrl-C cancels the
        remote task where the provider allows it and raises JobInterrupted with the job id."""
        from .media import generate

        return self._ledgered(
            "video",
            model,
            lambda: generate(
                self._kit(),
                "video",
                prompt,
                model=model,
                duration=duration,
                size=size,
                image=image,
                timeout=timeout,
                on_progress=on_progress,
                progress=progress,
                cancel_on_interrupt=cancel_on_interrupt,
                **options,
            ),
        )

    def video_job(
        self,
        job_id: str,
        *,
        model: str | None = None,
        timeout: float | None = 600.0,
        on_progress: Any = None,
        progress: bool = True,
    ) -> Any:
        """Resume a video job by id (after a timeout or an interrupt); `model` only for jobs this kit did
        not start."""
        from .media import resume

        return self._ledgered(
            "video",
            model or job_id,
            lambda: resume(
                self._kit(),
                job_id,
                model=model,
                kind="video",
                timeout=timeout,
                on_progress=on_progress,
                progress=progress,
            ),
        )

    def generate_image(
        self,
        prompt: str | None,
        *,
        model: str,
        size: Any = None,
        image: Any = None,
        timeout: float | None = 180.0,
        on_progress: Any = None,
        progress: bool = True,
        **options: Any,
    ) -> Any:
        """Generate an image ("runware/flux-dev", "runwayml/gen4_image", ...) through the same job
        machinery; returns an `ImageResponse`."""
        from .media import generate

        return self._ledgered(
            "image",
            model,
            lambda: generate(
                self._kit(),
                "image",
                prompt,
                model=model,
                size=size,
                image=image,
                timeout=timeout,
                on_progress=on_progress,
                progress=progress,
                **options,
            ),
        )

    # -- voice: thin sync faces over providers.audio / providers.realtime (llmkit_nb/voice.py) ----------

    def transcribe(self, audio: Any, *, model: str = "deepgram/nova-3", **options: Any) -> Any:
        """Speech to text from bytes, a path, a URL or a Speech; renders text + word timings + speaker turns."""
        from . import voice

        return self._ledgered(
            "transcription", model, lambda: voice.transcribe(self._kit(), audio, model=model, options=options)
        )

    def transcribe_live(self, chunks: Any, *, model: str = "deepgram/nova-3", **options: Any) -> Any:
        """Live transcription (Deepgram WebSocket): iterate it for interim and final results as they arrive."""
        from . import voice

        return voice.transcribe_live(self._kit(), chunks, model=model, options=options)

    def speak(
        self,
        text: str,
        *,
        model: str | None = None,
        voice: str | None = None,
        latency: Any = None,
        output_format: str | None = None,
        stream: bool = False,
        on_chunk: Any = None,
        **options: Any,
    ) -> Any:
        """Text to speech; renders an inline player. stream=True hands chunks to on_chunk as they arrive.

        Unset model/voice/latency come from kit.defaults (speech_model, voice, latency).
        """
        from . import voice as _voice

        return self._ledgered(
            "speech",
            model or self.defaults.speech_model or "",
            lambda: _voice.speak(
                self._kit(),
                text,
                model=model,
                voice=voice,
                latency=latency,
                output_format=output_format,
                stream=stream,
                on_chunk=on_chunk,
                options=options,
            ),
        )

    def speak_stream(
        self,
        text: str,
        *,
        model: str | None = None,
        voice: str | None = None,
        latency: Any = None,
        **options: Any,
    ) -> Any:
        """Streamed speech as an iterator: AudioChunk events as bytes arrive, then SpeechDone(speech)."""
        from . import voice as _voice

        return _voice.speak_stream(self._kit(), text, model=model, voice=voice, latency=latency, **options)

    def realtime(self, model: str = "xai/grok-voice-latest", **session: Any) -> Any:
        """An open realtime voice session: `.say(text)`, `.send_audio(pcm16)`; renders the conversation."""
        from . import voice

        return voice.realtime(self._kit(), model, session)

    def voice_picker(self) -> Any:
        """ipywidgets: speech provider, model, voice and latency tier, bound to kit.defaults (and a Try button)."""
        from .widgets_voice import VoicePicker

        return VoicePicker(self._kit())

    def _ledgered(self, kind: str, model: str, call: Any) -> Any:
        """Run a speech, transcription or generation call and record it in the ledger."""
        try:
            result = call()
        except ProviderError as exc:
            self.ledger.record_error(model, exc, kind=kind, sandbox=self.sandbox)
            raise
        self.ledger.record_result(result, kind=kind)
        return result
