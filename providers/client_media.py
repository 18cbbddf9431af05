"""The speech, realtime and generation calls of `AsyncClient`, kept apart from chat.

`AsyncClient` inherits these thin methods; each hands over to its own package (providers/audio,
providers/realtime, providers/video), imported on first use.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .client import AsyncClient

__all__ = ["MediaCalls"]


class MediaCalls:
    """Speech to text, text to speech, realtime voice, and video/image jobs."""

    def _client(self) -> AsyncClient:
        return cast("AsyncClient", self)  # this mixin only ever lives inside AsyncClient

    # -- speech and realtime voice (providers/audio, providers/realtime) -------------------------

    def prepare_transcription(self, audio: Any, *, model: str = "deepgram/nova-3", **options: Any) -> Any:
        """Check a transcription and build its request, sending nothing (bad input raises here)."""
        from .audio.calls import prepare_transcription

        return prepare_transcription(self._client(), audio, model=model, **options)

    async def transcribe(self, audio: Any, *, model: str = "deepgram/nova-3", **options: Any) -> Any:
        """Speech to text from bytes, a path, an http(s) URL or a Speech (or a prepared plan): a Transcript."""
        from .audio.calls import TranscriptionPlan, run_transcription

        plan = (
            audio
            if isinstance(audio, TranscriptionPlan)
            else self.prepare_transcription(audio, model=model, **options)
        )
        return await run_transcription(self._client(), plan)

    def prepare_live(self, chunks: Any, *, model: str = "deepgram/nova-3", **options: Any) -> Any:
        """Check a live transcription (Deepgram; the first chunk must be audio), connecting nothing."""
        from .audio.calls import prepare_live

        return prepare_live(self._client(), chunks, model=model, **options)

    async def transcribe_live(
        self, chunks: Any, *, model: str = "deepgram/nova-3", **options: Any
    ) -> AsyncIterator[Any]:
        """Live transcription over Deepgram's WebSocket: interim and final LiveResults as audio chunks go out."""
        from .audio.calls import LivePlan, run_live

        plan = chunks if isinstance(chunks, LivePlan) else self.prepare_live(chunks, model=model, **options)
        async for result in run_live(self._client(), plan):
            yield result

    def prepare_speech(
        self,
        text: Any,
        *,
        model: str = "elevenlabs/eleven_flash_v2_5",
        stream: bool = False,
        **options: Any,
    ) -> Any:
        """Check a speech request (text, voice, latency tier, output format) and build it, sending nothing."""
        from .audio.calls import prepare_speech

        return prepare_speech(self._client(), text, model=model, stream=stream, **options)

    async def speak(
        self,
        text: Any,
        *,
        model: str = "elevenlabs/eleven_flash_v2_5",
        stream: bool = False,
        **options: Any,
    ) -> Any:
        """Text to speech (voice=, latency=, output_format=, ...): a Speech with its time to first byte."""
        from .audio.calls import SpeechPlan, run_speech

        plan = (
            text
            if isinstance(text, SpeechPlan)
            else self.prepare_speech(text, model=model, stream=stream, **options)
        )
        return await run_speech(self._client(), plan)

    async def speak_stream(
        self, text: Any, *, model: str = "elevenlabs/eleven_flash_v2_5", **options: Any
    ) -> AsyncIterator[Any]:
        """Streamed text to speech: AudioChunk events as the bytes arrive, then SpeechDone(speech)."""
        from .audio.calls import SpeechPlan, run_speech_stream

        plan = (
            text
            if isinstance(text, SpeechPlan)
            else self.prepare_speech(text, model=model, stream=True, **options)
        )
        async for event in run_speech_stream(self._client(), plan):
            yield event

    def realtime(self, model: str = "xai/grok-voice-latest", **session: Any) -> Any:
        """A realtime voice session (`async with client.realtime(...) as s`): send text or PCM16, read transcript + audio."""
        from .realtime.session import RealtimeSession

        return RealtimeSession(self._client(), model, **session)

    # -- video and image generation: providers/video/service.py ----------------------------------

    @property
    def media(self) -> Any:
        """The generation side of this client (`providers.video.service.MediaJobs`): prepare, submit,
        watch, cancel and download jobs; it remembers the jobs it started so they can be resumed."""
        from .video.service import media

        return media(self._client())

    async def generate_video(
        self,
        prompt: str | None,
        *,
        model: str,
        duration: float | None = None,
        size: Any = None,
        image: Any = None,
        timeout: float | None = 600.0,
        on_progress: Any = None,
        cancel_on_interrupt: bool = True,
        **options: Any,
    ) -> Any:
        """Generate a video ("runware/runway:1@2", "runwayml/gen4.5", ...): submit, poll with backoff
        (calling `on_progress(job)` after each poll) and return a `Video`. A duration, size or input the
        model does not take raises before anything is sent; a job still running after `timeout` seconds
        raises JobTimeoutError with its id (resume with `video_job`)."""
        prep = self.media.prepare(
            prompt, model=model, kind="video", duration=duration, size=size, image=image, **options
        )
        job = await self.media.submit(prep)
        return await self.media.run(
            job, timeout=timeout, on_progress=on_progress, cancel_on_interrupt=cancel_on_interrupt
        )

    async def video_job(
        self,
        job_id: str,
        *,
        model: str | None = None,
        timeout: float | None = 600.0,
        on_progress: Any = None,
    ) -> Any:
        """Resume waiting for a video job by id (after a timeout or an interrupt) and return its `Video`.
        `model` is needed only for jobs this client did not start ("runware/runway:1@2" or "runware")."""
        job = self.media.job(job_id, model, "video")
        return await self.media.run(job, timeout=timeout, on_progress=on_progress, wait_first=False)

    async def generate_image(
        self,
        prompt: str | None,
        *,
        model: str,
        size: Any = None,
        image: Any = None,
        timeout: float | None = 180.0,
        on_progress: Any = None,
        **options: Any,
    ) -> Any:
        """Generate an image ("runware/flux-dev", "runwayml/gen4_image", ...) through the same job
        machinery; `image=` gives reference images where the model takes them. Returns an `Image`."""
        prep = self.media.prepare(prompt, model=model, kind="image", size=size, image=image, **options)
        job = await self.media.submit(prep)
        return await self.media.run(job, timeout=timeout, on_progress=on_progress)
