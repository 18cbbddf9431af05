"""Audio in the notebook: speech as an inline player, transcripts with word timings, realtime conversations.

Pure renderers (`render_*(obj) -> str`) plus `LiveSpeech`, the in-place view of a speech stream.
Players are `<audio controls>` with a `data:` URL built from the bytes (raw PCM / mu-law / A-law
is wrapped in WAV first, so the browser can play it); every provider string is escaped; there is no
script and no external resource. Sandbox output carries the SANDBOX badge.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from providers.audio.types import AudioChunk, Speech, Transcript
from providers.credentials import redact
from providers.realtime.types import RealtimeTurn

from .render import SANDBOX_TITLE, _e, _style, endpoint_label

__all__ = [
    "LiveSpeech",
    "audio_player",
    "render_plain_realtime",
    "render_plain_speech",
    "render_plain_transcript",
    "render_realtime",
    "render_speech",
    "render_transcript",
]

_CSS = """
.llmkit-audio{font-family:var(--jp-content-font-family,inherit);color:var(--jp-content-font-color1,inherit);
 line-height:1.5;max-width:100%}
.llmkit-audio audio{width:100%;max-width:520px;margin:.2em 0;display:block}
.llmkit-audio table{border-collapse:collapse;font-size:.85em;margin:.3em 0}
.llmkit-audio td,.llmkit-audio th{border-bottom:1px solid var(--jp-border-color2,rgba(128,128,128,.3));
 padding:.1em .6em;text-align:left;vertical-align:top}
.llmkit-audio .llmkit-said{margin:.3em 0;white-space:pre-wrap}
.llmkit-audio .llmkit-turn{margin:.4em 0;padding:.2em .6em;border-left:3px solid var(--jp-border-color1,#999)}
.llmkit-audio .llmkit-turn-assistant{border-left-color:var(--jp-brand-color1,#1976d2)}
.llmkit-audio .llmkit-role{font-weight:700;font-size:.85em}
.llmkit-audio details{margin:.3em 0}
.llmkit-audio summary{cursor:pointer;font-size:.9em}
"""


def _box(inner: str) -> str:
    return f'<div class="llmkit-audio llmkit-chat">{_style()}<style>{_CSS}</style>{inner}</div>'


def _badge(sandbox: bool) -> str:
    return f'<span class="llmkit-badge" title="{_e(SANDBOX_TITLE)}">SANDBOX</span>' if sandbox else ""


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _secs(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f} s"


def audio_player(data: bytes, media_type: str) -> str:
    """An `<audio controls>` element playing `data` from a data: URL."""
    if not data:
        return ""
    src = f"data:{_e(media_type)};base64,{base64.b64encode(data).decode('ascii')}"
    return f'<audio controls preload="metadata" src="{src}"></audio>'


def _playable(speech: Speech) -> tuple[bytes, str]:
    """Bytes a browser plays: raw audio wrapped in WAV; compressed formats as they are."""
    if speech.format in ("pcm", "ulaw", "alaw"):
        return speech.wav(), "audio/wav"
    media = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "flac": "audio/flac"}.get(
        speech.format, speech.media_type
    )
    return speech.audio, media


def _facts(speech: Speech) -> list[str]:
    bits = [f"{speech.provider}/{speech.model}" if speech.provider else speech.model]
    if speech.voice:
        bits.append(f"voice {speech.voice}")
    if speech.duration is not None:
        bits.append(_secs(speech.duration))
    fmt = speech.format + (f" {speech.sample_rate} Hz" if speech.sample_rate else "")
    bits.append(fmt)
    if speech.output_format and speech.output_format not in fmt.replace(" ", "_").replace("hz", ""):
        bits.append(f"asked {speech.output_format}")
    if speech.latency is not None:
        bits.append(f"latency tier {speech.latency.value} (level {speech.latency.level})")
    if speech.ttfb_s is not None:
        bits.append(f"first byte {_ms(speech.ttfb_s)}")
    if speech.latency_s is not None:
        bits.append(f"total {_ms(speech.latency_s)}")
    if speech.streamed:
        bits.append(f"streamed in {speech.chunks} chunks")
    bits.append(f"{len(speech.audio):,} bytes")
    if speech.endpoint:
        bits.append(endpoint_label(speech.endpoint))
    return [b for b in bits if b]


def _notes(notes: list[str], sent: dict[str, Any], request_id: str | None) -> str:
    if not (notes or sent or request_id):
        return ""
    body = ""
    if sent:
        body += f"<pre>{_e(redact(json.dumps(sent, indent=2, ensure_ascii=False, default=str)))}</pre>"
    if notes:
        body += "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"
    if request_id:
        body += f'<div class="llmkit-muted">request id: {_e(request_id)}</div>'
    label = "What was sent" + (f" · {len(notes)} note{'s' if len(notes) > 1 else ''}" if notes else "")
    return f"<details><summary>{_e(label)}</summary>{body}</details>"


def render_speech(speech: Speech) -> str:
    """HTML: the player, what was said, and the facts (duration, format, voice, latency tier, TTFB)."""
    data, media = _playable(speech)
    said = f'<div class="llmkit-said">“{_e(speech.text)}”</div>' if speech.text else ""
    facts = " · ".join(_e(b) for b in _facts(speech))
    return _box(
        _badge(speech.sandbox)
        + audio_player(data, media)
        + said
        + f'<div class="llmkit-footer llmkit-muted">{facts}</div>'
        + _notes(speech.notes, speech.sent, speech.request_id)
    )


def render_plain_speech(speech: Speech) -> str:
    """text/plain: one line of facts (and what was said)."""
    head = "[sandbox] " if speech.sandbox else ""
    line = head + " · ".join(_facts(speech))
    return f"{line}\n“{speech.text}”" if speech.text else line


def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _word_table(transcript: Transcript) -> str:
    if not transcript.words:
        return ""
    speakers = any(w.speaker is not None for w in transcript.words)
    head = (
        "<tr><th>start</th><th>end</th><th>word</th><th>confidence</th>"
        + ("<th>speaker</th>" if speakers else "")
        + "</tr>"
    )
    rows = "".join(
        f"<tr><td>{_fmt(w.start)}</td><td>{_fmt(w.end)}</td><td>{_e(w.shown)}</td><td>{_fmt(w.confidence)}</td>"
        + (f"<td>{_e('' if w.speaker is None else w.speaker)}</td>" if speakers else "")
        + "</tr>"
        for w in transcript.words
    )
    return f"<details><summary>{len(transcript.words)} words with timings</summary><table>{head}{rows}</table></details>"


def _turn_table(transcript: Transcript) -> str:
    turns = transcript.turns()
    if not turns or (len(turns) == 1 and turns[0].speaker is None and not transcript.utterances):
        return ""
    rows = "".join(
        f"<tr><td>{_fmt(t.start)}–{_fmt(t.end)}</td><td>{_e('' if t.speaker is None else t.speaker)}</td><td>{_e(t.text)}</td></tr>"
        for t in turns
    )
    label = "utterances" if transcript.utterances else "speaker turns"
    return (
        f"<details><summary>{len(turns)} {label}</summary><table>"
        f"<tr><th>time</th><th>speaker</th><th>text</th></tr>{rows}</table></details>"
    )


def _transcript_facts(transcript: Transcript) -> list[str]:
    bits = [f"{transcript.provider}/{transcript.model}" if transcript.provider else transcript.model]
    if transcript.duration is not None:
        bits.append(f"{_secs(transcript.duration)} of audio")
    if transcript.language:
        bits.append(f"language {transcript.language}")
    if transcript.speakers:
        bits.append(f"{len(transcript.speakers)} speaker{'s' if len(transcript.speakers) > 1 else ''}")
    if transcript.latency_s is not None:
        bits.append(_ms(transcript.latency_s))
    if transcript.endpoint:
        bits.append(endpoint_label(transcript.endpoint))
    return [b for b in bits if b]


def render_transcript(transcript: Transcript) -> str:
    """HTML: the text, then collapsible tables of word timings and speaker turns, then the facts."""
    text = (
        _e(transcript.text) if transcript.text else '<span class="llmkit-muted">(no speech recognised)</span>'
    )
    facts = " · ".join(_e(b) for b in _transcript_facts(transcript))
    return _box(
        _badge(transcript.sandbox)
        + f'<div class="llmkit-said">{text}</div>'
        + _word_table(transcript)
        + _turn_table(transcript)
        + f'<div class="llmkit-footer llmkit-muted">{facts}</div>'
        + _notes(transcript.notes, transcript.sent, transcript.request_id)
    )


def render_plain_transcript(transcript: Transcript) -> str:
    """text/plain: the text and one line of facts."""
    head = "[sandbox] " if transcript.sandbox else ""
    return f"{transcript.text}\n{head}" + " · ".join(_transcript_facts(transcript))


def _turn(turn: RealtimeTurn) -> str:
    player = audio_player(turn.wav(), "audio/wav") if turn.audio else ""
    text = _e(turn.text) if turn.text else '<span class="llmkit-muted">(no words)</span>'
    facts = []
    if turn.audio:
        facts.append(f"{turn.duration:.2f} s audio")
    if turn.ttfb_s is not None:
        facts.append(f"first delta {_ms(turn.ttfb_s)}")
    if turn.status not in ("completed", ""):
        facts.append(turn.status)
    if turn.usage:
        total = turn.usage.get("total_tokens")
        if total:
            facts.append(f"{total} tokens")
    meta = f'<div class="llmkit-muted">{_e(" · ".join(facts))}</div>' if facts else ""
    return (
        f'<div class="llmkit-turn llmkit-turn-{_e(turn.role)}"><div class="llmkit-role">{_e(turn.role)}</div>'
        f'<div class="llmkit-said">{text}</div>{player}{meta}</div>'
    )


def render_realtime(session: Any) -> str:
    """HTML: a realtime session's conversation, each turn with its text and (for audio) a player."""
    turns = (
        "".join(_turn(t) for t in session.conversation) or '<div class="llmkit-muted">(no turns yet)</div>'
    )
    facts = [f"{session.provider}/{session.model}", f"voice {session.voice}"]
    if getattr(session, "endpoint", ""):
        facts.append(endpoint_label(session.endpoint))
    notes = "".join(f'<div class="llmkit-muted">{_e(n)}</div>' for n in getattr(session, "notes", []))
    return _box(
        _badge(session.sandbox)
        + turns
        + f'<div class="llmkit-footer llmkit-muted">{" · ".join(_e(f) for f in facts)}</div>'
        + notes
    )


def render_plain_realtime(session: Any) -> str:
    """text/plain: the conversation, one line per turn."""
    lines = [
        f"{t.role}: {t.text}" + (f" [{t.duration:.2f} s audio]" if t.audio else "")
        for t in session.conversation
    ]
    head = "[sandbox] " if session.sandbox else ""
    lines.append(f"{head}{session.provider}/{session.model} · voice {session.voice}")
    return "\n".join(lines)


class LiveSpeech:
    """A speech stream shown as it arrives: bytes and time to first byte, updated in place; the player at the end.

    In a terminal it prints one line when the first byte arrives and one at the end.
    """

    def __init__(
        self,
        provider: str,
        model: str,
        *,
        sandbox: bool = False,
        min_interval: float = 0.1,
        out: TextIO | None = None,
        display_fn: Callable[[Any], Any] | None = None,
        notebook: bool | None = None,
    ) -> None:
        from .objects import in_notebook

        self.provider, self.model, self.sandbox = provider, model, sandbox
        self.notebook = (display_fn is not None or in_notebook()) if notebook is None else notebook
        self._display_fn = display_fn
        self._handle: Any = None
        self._out = out
        self.chunks = 0
        self.bytes = 0
        self.first: float | None = None
        self.min_interval = min_interval
        self._last = 0.0
        self._dirty = False

    def _show(self, bundle: dict[str, str]) -> None:
        from .objects import _Bundle, _ipython_display

        obj = _Bundle(bundle)
        if self._handle is None:
            self._handle = (self._display_fn or _ipython_display)(obj)
        else:
            self._handle.update(obj)

    def _progress(self) -> dict[str, str]:
        text = f"streaming {self.provider}/{self.model}: {self.chunks} chunks, {self.bytes:,} bytes" + (
            f", first byte after {_ms(self.first)}" if self.first is not None else ""
        )
        return {
            "text/plain": text,
            "text/html": _box(_badge(self.sandbox) + f'<div class="llmkit-muted">{_e(text)}…</div>'),
        }

    def add(self, chunk: AudioChunk) -> None:
        """Count a chunk (and show progress, throttled)."""
        self.chunks += 1
        self.bytes += len(chunk.data)
        if self.first is None:
            self.first = chunk.elapsed_s
            if not self.notebook:
                self._write(f"first audio byte after {_ms(self.first)}\n")
        self._dirty = True
        self.flush()

    def flush(self) -> None:
        """Redraw the progress if it changed and the throttle allows."""
        if not self.notebook or not self._dirty:
            return
        now = time.monotonic()
        if now - self._last >= self.min_interval:
            self._show(self._progress())
            self._last, self._dirty = now, False

    def finish(self, speech: Speech) -> None:
        """Show the final count (the returned Speech renders the player, so it is not drawn twice)."""
        if self.notebook:
            self._dirty = False
            done = self._progress()
            done["text/html"] = done["text/html"].replace("…</div>", " — done</div>")
            self._show(done)
        else:
            self._write(render_plain_speech(speech) + "\n")

    def fail(self, exc: BaseException) -> None:
        """Show the error in place of the progress."""
        if self.notebook:
            from .objects import error_mimebundle

            self._show(error_mimebundle(exc))
            try:
                exc._llmkit_displayed = True  # type: ignore[attr-defined]
            except AttributeError:
                pass

    def _write(self, text: str) -> None:
        stream = self._out if self._out is not None else sys.stdout
        stream.write(text)
        stream.flush()
