"""A smoke test of an installed llmkit-nb, run by `make dist` with a fresh venv's python, from outside
the checkout, so it imports the wheel and nothing else.

    python /tmp/x/smoke.py --version 0.2.0 --checkout /path/to/llmkit_nb     # from /tmp/x

It proves the wheel is whole: the package data it needs (the catalog JSON, the sandbox's assets and
request schemas, the domain presets) is inside it, and the main calls work end to end against the
offline sandbox: chat with thinking and a signed follow-up turn, a stream, a strict-schema refusal, a
speech round trip (speak, then transcribe what was spoken), a video job saved as a real MP4, a domain
preset, and `python -m providers.sandbox --help`. Exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def check(name: str, step: Callable[[], str]) -> None:
    start = time.perf_counter()
    detail = step()
    print(f"ok  {name:<28} {(time.perf_counter() - start) * 1000:6.0f} ms  {detail}", flush=True)


def installed_not_source(version: str, checkout: Path) -> str:
    import llmkit_nb
    import providers

    for package in (providers, llmkit_nb):
        where = Path(package.__file__ or "").resolve()
        assert checkout not in where.parents, f"{package.__name__} imported from the checkout: {where}"
        assert "site-packages" in where.parts, f"{package.__name__} imported from {where}, not an install"
    assert providers.__version__ == llmkit_nb.__version__ == version, (providers.__version__, version)
    return f"llmkit-nb {providers.__version__} from {Path(providers.__file__ or '').parent.parent}"


def catalog() -> str:
    import providers

    names = providers.list_providers()
    models = providers.list_models()
    assert len(names) >= 70 and len(models) >= 100, (len(names), len(models))
    return f"{len(names)} providers, {len(models)} models (catalog JSON in the wheel)"


def chat_with_thinking(kit: Any) -> str:
    model = "anthropic/claude-sonnet-5-5"
    r = kit.chat(model, "Why is the sky blue?", thinking="high")
    assert r.text and r.reasoning, r
    assert r.sent["thinking"]["type"] == "adaptive" and r.sent["output_config"]["effort"] == "high"
    signed = [p for p in r.parts if p.kind == "thinking" and p.signature]
    assert signed, "no signed thinking block"
    # the signed block goes back unchanged; the strict sandbox refuses a tampered or foreign one
    follow = kit.chat(model, [{"role": "user", "content": "Why is the sky blue?"}, r, "And at sunset?"])
    assert "sunset" in follow.text.lower(), follow.text
    return f"{len(r.reasoning)} chars of reasoning, {len(signed)} signed block(s) sent back"


def stream() -> str:
    from providers import AsyncClient
    from providers.types import Done, TextDelta, ThinkingDelta

    async def run() -> tuple[int, int, Any]:
        texts = thoughts = 0
        final = None
        async with AsyncClient(sandbox=True) as client:
            async for event in client.stream("openai/gpt-6.1-terra", "Explain a prism.", thinking="low"):
                if isinstance(event, TextDelta):
                    texts += 1
                elif isinstance(event, ThinkingDelta):
                    thoughts += 1
                elif isinstance(event, Done):
                    final = event.result
        return texts, thoughts, final

    texts, thoughts, final = asyncio.run(run())
    assert final is not None and texts > 1 and thoughts > 1 and final.text, (texts, thoughts, final)
    return f"{thoughts} reasoning and {texts} text deltas, then Done"


def strict_schema() -> str:
    from providers import AsyncClient, errors

    async def run() -> str:
        async with AsyncClient(sandbox=True) as client:
            try:
                await client.chat("openai/gpt-6.1-terra", "hi", zzz=1)
            except errors.BadRequestError as err:
                return str(err)
        raise AssertionError("the strict sandbox accepted an unknown parameter")

    message = asyncio.run(run())
    assert "Unknown parameter: 'zzz'" in message, message
    return "an unknown field gets OpenAI's own 400 (sandbox schemas in the wheel)"


def speech_round_trip(kit: Any) -> str:
    said = "The wheel speaks and listens."
    speech = kit.speak(said, output_format="wav_16000", latency="lowest")
    assert speech.audio[:4] == b"RIFF" and speech.sent["optimize_streaming_latency"] == 4
    heard = kit.transcribe(speech, model="deepgram/nova-3", smart_format=True)
    words = re.findall(r"[a-z]+", heard.text.lower())
    assert words == re.findall(r"[a-z]+", said.lower()), heard.text
    return f"{len(speech.audio):,} bytes of WAV heard back as {heard.text!r}"


def video_job(kit: Any, where: Path) -> str:
    video = kit.generate_video(
        "A red fox in fresh snow", model="runware/runway-gen-4.5", duration=5, size="16:9", progress=False
    )
    path = video.save(where / "fox.mp4")
    data = path.read_bytes()
    assert data[4:8] == b"ftyp" and len(data) > 1000, data[:16]
    return f"job done, {len(data):,}-byte MP4 saved (sandbox asset in the wheel)"


def domain_preset(kit: Any) -> str:
    from llmkit_nb import for_medical_domain

    preset = for_medical_domain(region="europe-west4")
    r = kit.chat("What is the remainder of 2^100 divided by 7?", domain="scientific")
    assert preset.disclaimer and r.text, (preset, r)
    return f"medical preset ({preset.model}, {preset.region}) and a scientific answer"


def sandbox_help() -> str:
    out = subprocess.run(
        [sys.executable, "-m", "providers.sandbox", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "--port" in out.stdout, out.stdout + out.stderr
    return "python -m providers.sandbox --help exits 0"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", required=True, help="the version the install must report")
    parser.add_argument("--checkout", type=Path, required=True, help="the source tree it must not import")
    args = parser.parse_args()
    checkout, here = args.checkout.resolve(), Path.cwd().resolve()
    assert here != checkout and checkout not in here.parents, "run it from outside the checkout"
    os.environ.pop("PYTHONPATH", None)
    check("installed, not the source", lambda: installed_not_source(args.version, checkout))
    check("catalog", catalog)
    from llmkit_nb import LLMKit

    with tempfile.TemporaryDirectory() as tmp, LLMKit(sandbox=True) as kit:
        check("chat with thinking", lambda: chat_with_thinking(kit))
        check("stream", stream)
        check("strict sandbox", strict_schema)
        check("speech round trip", lambda: speech_round_trip(kit))
        check("video job", lambda: video_job(kit, Path(tmp)))
        check("domain presets", lambda: domain_preset(kit))
    check("sandbox server", sandbox_help)
    print("smoke: all passed")


if __name__ == "__main__":
    main()
