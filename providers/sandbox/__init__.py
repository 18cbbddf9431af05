"""An offline emulator that speaks the providers' real HTTP wire protocols (OpenAI, Anthropic).

    app = SandboxApp()                                   # an ASGI 3 app; no network, deterministic
    transport = httpx2.ASGITransport(app=app)            # in-process: routed by Host (api.openai.com, ...)
    app.inject(Fault("429", retry_after=1))              # the next matching request gets a 429

Or serve it: `python -m providers.sandbox --port 8765`, then use base URLs such as
`http://127.0.0.1:8765/openai/v1` and `http://127.0.0.1:8765/anthropic`. A request can also ask for
a fault itself with the header `x-sandbox-fault: <spec>` (see `Fault.parse`), and an answer of N
words (N stream deltas, for benchmarks) with `x-sandbox-answer-words: N`.

`app.rate_limit("openai", requests=60, window=60)` (or `--rate-limit openai=60/60` on the server)
limits a provider: its replies then carry its own rate-limit headers and a request past the limit
gets its 429 with retry-after (sandbox/limits.py).

The batch APIs are emulated too (sandbox/batches.py and batch_<provider>.py): OpenAI's files and
batches, Anthropic's message batches, Gemini's batchGenerateContent and Files API, Mistral's batch jobs.
A batch advances one step per poll; `[sandbox:fail]`, `[sandbox:expired]` and `[sandbox:stuck]` in a
request's text ask for a failed request, an expired batch and one that never ends (docs/batch.md).
`[sandbox:fail]` in an ordinary chat request gets the provider's 400 too (a map's error rows).
"""

from __future__ import annotations

from .app import ANSWER_WORDS_HEADER, FAULT_HEADER, Fault, RecordedRequest, SandboxApp

__all__ = ["ANSWER_WORDS_HEADER", "FAULT_HEADER", "Fault", "RecordedRequest", "SandboxApp"]
