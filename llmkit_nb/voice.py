"""The voice calls of LLMKit, synchronous: speak, transcribe (whole and live), realtime sessions.

Every call is checked on the caller's thread first (bad input raises with nothing sent, and a
DeprecationWarning for an old option name points at the caller's line), then runs on the kit's
runner (llmkit_nb/loop.py, the one sync bridge). Results render themselves in a notebook: speech as
a player, transcripts with their word timings, a realtime session as the conversation with its audio.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from providers.audio.types import AudioChunk, LiveResult, Speech, SpeechDone, Transcript, Utterance, Word
from providers.realtime.types import RealtimeEvent, RealtimeTurn

if TYPE_CHECKING:
    from .kit import LLMKit

__all__ = [
    "LiveTranscription",
    "RealtimeView",
    "SpeechResponse",
    "TranscriptResponse",
    "realtime",
    "speak",
    "speak_stream",
    "transcribe",
    "transcribe_live",
]


class SpeechResponse(Speech):
    """A Speech that renders as an inline player with its facts (duration, format, voice, tier, TTFB)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.audio import render_plain_speech, render_speech

        return {"text/plain": render_plain_speech(self), "text/html": render_speech(self)}

    @classmethod
    def of(cls, speech: Speech) -> SpeechResponse:
        return cls.model_construct(**{name: getattr(speech, name) for name in Speech.model_fields})


class TranscriptResponse(Transcript):
    """A Transcript that renders its text with a collapsible table of word timings and speaker turns."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.audio import render_plain_transcript, render_transcript

        return {"text/plain": render_plain_transcript(self), "text/html": render_transcript(self)}

    @classmethod
    def of(cls, transcript: Transcript) -> TranscriptResponse:
        return cls.model_construct(**{name: getattr(transcript, name) for name in Transcript.model_fields})


def _kit_defaults(
    kit: LLMKit, model: str | None, voice: str | None, latency: Any
) -> tuple[str, str | None, Any]:
    d = kit.defaults
    model = model or getattr(d, "speech_model", None) or "elevenlabs/eleven_flash_v2_5"
    voice = voice if voice is not None else d.voice
    if latency is None and model.startswith("elevenlabs/"):
        latency = d.latency
    return model, voice, latency


def speak(
    kit: LLMKit,
    text: Any,
    *,
    model: str | None,
    voice: str | None,
    latency: Any,
    output_format: str | None,
    stream: bool,
    on_chunk: Callable[[AudioChunk], Any] | None,
    options: dict[str, Any],
) -> SpeechResponse:
    """kit.speak: the whole Speech; with stream=True chunks are handed to `on_chunk` as they arrive."""
    model, voice, latency = _kit_defaults(kit, model, voice, latency)
    plan = kit.client.prepare_speech(
        text, model=model, voice=voice, latency=latency, output_format=output_format, stream=stream, **options
    )
    if not stream:
        return SpeechResponse.of(kit._runner.run(kit.client.speak(plan)))
    from .display.audio import LiveSpeech

    live = LiveSpeech(plan.provider, plan.model, sandbox=kit.sandbox)
    try:
        for event in kit._runner.iterate(kit.client.speak_stream(plan), on_idle=live.flush):
            if isinstance(event, AudioChunk):
                live.add(event)
                if on_chunk is not None:
                    on_chunk(event)
            elif isinstance(event, SpeechDone):
                result = SpeechResponse.of(event.speech)
                live.finish(result)
                return result
    except BaseException as exc:
        live.fail(exc)
        raise
    raise AssertionError("the speech stream ended without a result")  # pragma: no cover


def speak_stream(
    kit: LLMKit, text: Any, *, model: str | None, voice: str | None, latency: Any, **options: Any
) -> Iterator[Any]:
    """kit.speak_stream: AudioChunk events as bytes arrive, then SpeechDone (its speech renders as a player)."""
    model, voice, latency = _kit_defaults(kit, model, voice, latency)
    plan = kit.client.prepare_speech(text, model=model, voice=voice, latency=latency, stream=True, **options)

    def events() -> Iterator[Any]:
        for event in kit._runner.iterate(kit.client.speak_stream(plan)):
            if isinstance(event, SpeechDone):
                yield SpeechDone.model_construct(kind="done", speech=SpeechResponse.of(event.speech))
            else:
                yield event

    return events()


def transcribe(kit: LLMKit, audio: Any, *, model: str, options: dict[str, Any]) -> TranscriptResponse:
    """kit.transcribe: checked here, sent on the runner."""
    plan = kit.client.prepare_transcription(audio, model=model, **options)
    return TranscriptResponse.of(kit._runner.run(kit.client.transcribe(plan)))


class LiveTranscription:
    """A live transcription: iterate it for interim and final results as they arrive (once).

    After (or while) iterating, `.results` holds everything received, `.text` the settled text, and
    `transcript()` the finals as a Transcript. In a notebook it renders the settled text so far.
    """

    def __init__(self, kit: LLMKit, plan: Any) -> None:
        self._kit = kit
        self._plan = plan
        self._started = False
        self.results: list[LiveResult] = []

    def __iter__(self) -> Iterator[LiveResult]:
        if self._started:
            yield from list(self.results)
            return
        self._started = True
        for result in self._kit._runner.iterate(self._kit.client.transcribe_live(self._plan)):
            self.results.append(result)
            yield result

    def run(self) -> LiveTranscription:
        """Consume the whole stream (when you only want the end result)."""
        for _ in self:
            pass
        return self

    @property
    def finals(self) -> list[LiveResult]:
        return [r for r in self.results if r.is_final and r.text]

    @property
    def text(self) -> str:
        return " ".join(r.text for r in self.finals)

    def transcript(self) -> TranscriptResponse:
        """The settled results as one Transcript (words with their timings, utterances per final)."""
        words: list[Word] = [w for r in self.finals for w in r.words]
        utterances = [
            Utterance(text=r.text, start=r.start, end=r.start + r.duration, words=r.words)
            for r in self.finals
        ]
        last = self.results[-1] if self.results else None
        return TranscriptResponse(
            text=self.text,
            words=words,
            utterances=utterances,
            duration=(max((r.start + r.duration for r in self.results), default=0.0) or None),
            model=self._plan.model,
            provider=self._plan.provider,
            endpoint=self._plan.url.split("?", 1)[0],
            sandbox=self._kit.sandbox,
            request_id=last.request_id if last else None,
            notes=[*self._plan.notes, f"live: {len(self.results)} results, {len(self.finals)} final"],
        )

    def __repr__(self) -> str:
        return f"LiveTranscription({len(self.results)} results, {len(self.finals)} final)"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return self.transcript()._repr_mimebundle_(include, exclude)


def transcribe_live(kit: LLMKit, chunks: Any, *, model: str, options: dict[str, Any]) -> LiveTranscription:
    """kit.transcribe_live: checked here (the first chunk included); connects when iterated."""
    return LiveTranscription(kit, kit.client.prepare_live(chunks, model=model, **options))


class RealtimeView:
    """A realtime voice session driven from synchronous code; renders as the conversation with its audio.

    with kit.realtime("xai/grok-voice-latest") as s:
        turn = s.say("Hello!")             # text in, the spoken answer back (turn.text, turn.audio)
        turn = s.send_audio(pcm16)         # PCM16 in (e.g. speech.pcm()), the answer back
    """

    def __init__(self, kit: LLMKit, model: str, session: dict[str, Any]) -> None:
        self._kit = kit
        self.model = model
        self.session = kit.client.realtime(model, **session)  # checks model, voice, rates: nothing sent yet
        kit._runner.run(self.session.open())

    @property
    def conversation(self) -> list[RealtimeTurn]:
        return self.session.conversation

    def say(self, text: str, *, timeout: float | None = None) -> RealtimeTurn:
        """Send a text turn; return the assistant's answer (transcript + audio)."""
        self._kit._runner.run(self.session.send_text(text))
        return self.response(timeout=timeout)

    def send_text(self, text: str, *, respond: bool = True) -> None:
        """Send a text turn without waiting (then `response()` or `events()`)."""
        self._kit._runner.run(self.session.send_text(text, respond=respond))

    def send_audio(
        self, pcm: Any, *, respond: bool = True, timeout: float | None = None
    ) -> RealtimeTurn | None:
        """Send raw PCM16 audio (committed as one user turn); with respond=True wait for the answer."""
        from providers.realtime.session import check_pcm16

        check_pcm16(pcm, self.session.input_rate)  # refuse here, on the caller's thread
        self._kit._runner.run(self.session.send_audio(pcm, respond=respond))
        return self.response(timeout=timeout) if respond else None

    def response(self, *, timeout: float | None = None) -> RealtimeTurn:
        """Wait for the next finished answer."""
        turn: RealtimeTurn = self._kit._runner.run(self.session.response(timeout))
        return turn

    def events(self) -> Iterator[RealtimeEvent]:
        """Server events as they arrive (deltas included)."""
        return self._kit._runner.iterate(self.session.events())

    def close(self) -> None:
        """Close the session's socket."""
        self._kit._runner.run(self.session.close())

    def __enter__(self) -> RealtimeView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RealtimeView({self.session.provider}/{self.session.model}, {len(self.conversation)} turns)"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.audio import render_plain_realtime, render_realtime

        return {"text/plain": render_plain_realtime(self.session), "text/html": render_realtime(self.session)}


def realtime(kit: LLMKit, model: str, session: dict[str, Any]) -> RealtimeView:
    """kit.realtime: an open session (connected and configured)."""
    return RealtimeView(kit, model, session)
