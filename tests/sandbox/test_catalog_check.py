"""`python -m providers.catalog check`: each provider's models endpoint against the catalog (issue 11).

Checked against the sandbox, which serves every models endpoint in its provider's shape (the SDKs'
own listings of it are in tests/conformance/test_models_endpoints.py), in-process and over real TCP,
and the path without keys.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from providers.catalog_check import Listed, check, compare, main, render
from providers.client import AsyncClient
from providers.registry import list_models, list_provider_specs, provider_spec
from providers.sandbox import SandboxApp
from tests.loopback import serve

CHAT = ("openai", "anthropic", "gemini", "mistral", "deepseek", "xai")
DAY = dt.date(2026, 12, 4)


async def test_the_sandbox_lists_what_the_catalog_says_so_nothing_drifts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLMKIT_TODAY", DAY.isoformat())  # (the sandbox lists the catalog as of today too)
    async with AsyncClient(sandbox=True) as client:
        drifts = {d.provider: d for d in await check(client, [*CHAT, "elevenlabs", "groq"], on=DAY)}
    for name in (*CHAT, "elevenlabs"):
        d = drifts[name]
        assert d.skipped is None and d.error is None and d.listed, name
        assert not d.drifted, (name, d)
    assert "claude-sonnet-4-5" not in drifts["anthropic"].listed  # retired on 2026-11-30: no longer listed
    assert "eleven_v4" in drifts["elevenlabs"].listed
    assert drifts["groq"].note and not drifts["groq"].drifted  # no catalog rows: names pass through


async def test_drift_is_found_and_named() -> None:
    async with AsyncClient(sandbox=True) as client:
        app = client.sandbox_app
        listed = [m.id for m in list_models("openai", on=DAY)]
        app.state["models"] = {
            "openai": [
                *[m for m in listed if m != "gpt-6-luna"],  # missing
                "gpt-7-nova",  # new
                "gpt-6.1-terra-2026-10-26",  # a dated snapshot of a known model: not new
                "o1",  # retired in the catalog (2026-10-23), still listed
                "text-embedding-4-large",  # out of the check's scope (not a chat model)
            ],
            "gemini": ["gemini-3.8-flash"],
        }
        drifts = {d.provider: d for d in await check(client, ["openai", "gemini"], on=DAY)}
    openai = drifts["openai"]
    assert openai.new == ["gpt-7-nova"] and openai.missing == ["gpt-6-luna"]
    assert openai.retired == ["o1 (retired 2026-10-23)"]
    assert "text-embedding-4-large" not in openai.listed
    gemini = drifts["gemini"]
    assert "gemini-3.5-flash-lite" in gemini.missing and not gemini.new
    text = render(list(drifts.values()), on=DAY)
    assert "new (not in the catalog): gpt-7-nova" in text
    assert "missing (in the catalog, not listed): gpt-6-luna" in text
    assert "retired in the catalog, still listed: o1 (retired 2026-10-23)" in text


async def test_anthropic_listing_is_read_page_by_page() -> None:
    many = [f"claude-test-{i:04d}" for i in range(1500)]
    async with AsyncClient(sandbox=True) as client:
        client.sandbox_app.state["models"] = {"anthropic": many}
        (drift,) = await check(client, ["anthropic"], on=DAY)
        pages = [r for r in client.sandbox_app.requests if r.path.endswith("/v1/models")]
    assert len(drift.listed) == 1500 and len(pages) == 2  # limit=1000, then after_id
    assert drift.new == sorted(many) and "claude-sonnet-5-5" in drift.missing


def test_the_providers_own_lifecycle_facts_are_compared() -> None:
    listed = Listed(
        ids=["claude-sonnet-5-5", "claude-opus-4-5"],
        lifecycle={"claude-sonnet-5-5": "deprecated"},
        retires={"claude-opus-4-5": "2027-02-01"},
    )
    drift = compare("anthropic", listed, on=DAY)
    assert "claude-sonnet-5-5: the provider says deprecated; the catalog says current" in drift.lifecycle
    assert (
        "claude-opus-4-5: the provider retires it on 2027-02-01; the catalog has 2027-01-22"
        in drift.lifecycle
    )
    same = compare(
        "anthropic", Listed(ids=["claude-opus-4-5"], retires={"claude-opus-4-5": "2027-01-22"}), on=DAY
    )
    assert not same.lifecycle


def test_the_command_over_real_http_with_keys_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(SandboxApp()) as server:
        for name in CHAT:
            spec = provider_spec(name)
            assert spec.base_url_env
            monkeypatch.setenv(spec.base_url_env, server.url(name, spec.base_url))
        args = ["check", *[a for name in CHAT for a in ("--provider", name)], "--strict"]
        code = main(args)
    out = capsys.readouterr().out
    assert code == 0, out
    for name in CHAT:
        assert f"{name}: " in out and "matches the catalog" in out.split(f"{name}: ", 1)[1].splitlines()[0]
    assert len(server.clients) == len(CHAT)  # one listing each (Anthropic and Gemini fit one page)


def test_without_keys_it_says_what_it_skipped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for spec in list_provider_specs():
        for var in (*spec.env, *[v for s in spec.settings.values() for v in s.env]):
            monkeypatch.delenv(var, raising=False)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    no_key = next(line for line in out.splitlines() if line.startswith("skipped, no key"))
    for name in (*CHAT, "groq", "openrouter"):
        assert name in no_key
    assert "ollama: needs no key (a local server)" in out and "lambda: Lambda Inference API is opt-in" in out
    assert "nothing was checked" in out
    assert not any(os.environ.get(v) for v in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"))


def test_an_unknown_provider_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--provider", "nope", "--sandbox"]) == 2
    assert "no provider named nope" in capsys.readouterr().err


def test_strict_fails_on_drift(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    original = SandboxApp.__init__

    def with_listing(self: SandboxApp, *a: object, **kw: object) -> None:
        original(self, *a, **kw)  # type: ignore[arg-type]
        self.state["models"] = {"deepseek": ["deepseek-flash", "deepseek-v5"]}

    monkeypatch.setattr(SandboxApp, "__init__", with_listing)
    assert main(["check", "--sandbox", "--provider", "deepseek", "--strict"]) == 1
    out = capsys.readouterr().out
    assert (
        "new (not in the catalog): deepseek-v5" in out
        and "missing (in the catalog, not listed): deepseek-v4-pro" in out
    )
