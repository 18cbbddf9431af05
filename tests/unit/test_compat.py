"""OpenAI-compatible vendors: connections from catalog data, checked before anything is sent.

Opt-in providers, self-hosted weights, URL templates (Azure, Cloudflare, Bedrock), local servers without
keys, base URLs from the environment, and the codec's data-driven differences.
"""

from __future__ import annotations

import json

import httpx2
import pytest

from providers.chat.compat import CompatOptions, OpenAICompatible, options_for
from providers.client import AsyncClient
from providers.errors import ConfigurationError, MissingKeyError, ResidencyError
from providers.registry import list_provider_specs
from providers.types import ChatRequest, Message, TextDelta, ThinkingDelta

KEY = "k-test-123456"


def _client(env: dict[str, str], **kw: object) -> AsyncClient:
    return AsyncClient(env=env, **kw)  # type: ignore[arg-type]


def test_every_compat_entry_has_valid_wire_options() -> None:
    for spec in list_provider_specs():
        if spec.codec.startswith("providers.chat.compat:") or spec.wire:
            CompatOptions(**spec.wire)  # extra keys or bad values raise


# --- LightOn: opt-in --------------------------------------------------------------------------------


def test_lighton_refuses_without_opt_in_and_says_keys_come_from_an_admin() -> None:
    with pytest.raises(ConfigurationError) as info:
        _client({"PARADIGM_API_KEY": KEY}).prepare("lighton/alfred-4.2", "Bonjour")
    message = str(info.value)
    assert (
        "company admin" in message and "opt_in=['lighton']" in message and "LLMKIT_OPT_IN=lighton" in message
    )


@pytest.mark.parametrize("how", ["argument", "env"])
def test_lighton_after_opt_in(how: str) -> None:
    env = {"PARADIGM_API_KEY": KEY} | ({"LLMKIT_OPT_IN": "lighton"} if how == "env" else {})
    client = _client(env, opt_in=["lighton"] if how == "argument" else ())
    call = client.prepare("lighton/alfred-4.2", "Bonjour").call
    assert call.url == "https://paradigm.lighton.ai/api/v2/chat/completions"
    assert call.headers["authorization"] == f"Bearer {KEY}"
    own = _client(env | {"PARADIGM_BASE_URL": "https://paradigm.example.fr/api/v2"}, opt_in=["lighton"])
    assert (
        own.prepare("lighton/alfred-4.2", "Bonjour").call.url
        == "https://paradigm.example.fr/api/v2/chat/completions"
    )


# --- LatamGPT: your own server ---------------------------------------------------------------------


def test_latamgpt_without_a_server_says_how_to_serve_it() -> None:
    with pytest.raises(ConfigurationError) as info:
        _client({}).prepare("latamgpt/latamgpt", "Hola")
    message = str(info.value)
    assert "vllm serve" in message and "LATAMGPT_BASE_URL" in message and "latamgpt.org" in message


def test_latamgpt_on_a_local_vllm_needs_no_key() -> None:
    call = (
        _client({"LATAMGPT_BASE_URL": "http://localhost:8000/v1"}).prepare("latamgpt/latamgpt", "Hola").call
    )
    assert call.url == "http://localhost:8000/v1/chat/completions" and "authorization" not in call.headers
    with_key = _client({"LATAMGPT_BASE_URL": "http://localhost:8000/v1", "LATAMGPT_API_KEY": KEY})
    assert with_key.prepare("latamgpt/latamgpt", "Hola").call.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("ftp://gpu-box/v1", r"http\(s\) URL"),
        ("localhost:8000/v1", r"http\(s\) URL"),
        ("https://me:hunter2pass@gpu-box/v1", "credentials"),
    ],
)
def test_base_urls_from_env_are_checked_and_never_echoed(url: str, fix: str) -> None:
    with pytest.raises(ConfigurationError, match=fix) as info:
        _client({"LATAMGPT_BASE_URL": url}).prepare("latamgpt/latamgpt", "Hola")
    assert "hunter2pass" not in str(info.value) and "LATAMGPT_BASE_URL" in str(info.value)


# --- local servers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "url"),
    [
        ("ollama", "http://localhost:11434/v1"),
        ("lmstudio", "http://localhost:1234/v1"),
        ("llamacpp", "http://127.0.0.1:8080/v1"),
        ("localai", "http://localhost:8080/v1"),
        ("textgen", "http://127.0.0.1:5000/v1"),
    ],
)
def test_local_servers_run_without_a_key_at_their_default_url(provider: str, url: str) -> None:
    call = _client({}).prepare(f"{provider}/some-model", "hi").call
    assert call.url == f"{url}/chat/completions" and "authorization" not in call.headers


def test_a_key_is_still_required_where_the_server_demands_one() -> None:
    with pytest.raises(MissingKeyError, match="JAN_API_KEY"):
        _client({}).prepare("jan/llama3.2-3b-instruct", "hi")
    with pytest.raises(MissingKeyError, match="GROQ_API_KEY"):
        _client({}).prepare("groq/llama-3.3-70b-versatile", "hi")


def test_local_is_allowed_under_residency_a_remote_base_url_is_not() -> None:
    assert _client({}, residency="eu").prepare("ollama/llama3.2", "hi")
    remote = {"OLLAMA_BASE_URL": "https://gpu.example.com/v1"}
    with pytest.raises(ResidencyError, match="custom base URL"):
        _client(remote, residency="eu").prepare("ollama/llama3.2", "hi")


# --- URL templates: Azure, Cloudflare, Bedrock -----------------------------------------------------

AZURE = {"AZURE_OPENAI_API_KEY": KEY, "AZURE_OPENAI_ENDPOINT": "https://my-res.openai.azure.com/"}


def test_azure_deployment_url_api_version_and_api_key_header() -> None:
    call = _client(AZURE).prepare("azure/gpt-prod", "hi", max_tokens=50).call
    assert call.url == "https://my-res.openai.azure.com/openai/deployments/gpt-prod/chat/completions"
    assert call.params == {"api-version": "2024-10-21"}
    assert call.headers["api-key"] == KEY and "authorization" not in call.headers
    assert call.json_body["max_completion_tokens"] == 50
    newer = _client(AZURE | {"OPENAI_API_VERSION": "2025-04-01-preview"}).prepare("azure/gpt-prod", "hi").call
    assert newer.params == {"api-version": "2025-04-01-preview"}


def test_azure_endpoint_is_required_and_checked() -> None:
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_ENDPOINT"):
        _client({"AZURE_OPENAI_API_KEY": KEY}).prepare("azure/gpt-prod", "hi")
    bad = AZURE | {"AZURE_OPENAI_ENDPOINT": "https://u:s3cretpw@my-res.openai.azure.com"}
    with pytest.raises(ConfigurationError, match="credentials") as info:
        _client(bad).prepare("azure/gpt-prod", "hi")
    assert "s3cretpw" not in str(info.value)


def test_azure_region_is_declared_not_seen() -> None:
    with pytest.raises(ResidencyError, match="swedencentral"):
        _client(AZURE, residency="eu").prepare("azure/gpt-prod", "hi")
    prep = _client(AZURE | {"AZURE_OPENAI_REGION": "swedencentral"}, residency="eu").prepare(
        "azure/gpt-prod", "hi"
    )
    assert prep.call.url.startswith("https://my-res.openai.azure.com/")  # the host does not change
    assert any("declared region 'swedencentral'" in n for n in prep.notes)
    with pytest.raises(ResidencyError, match="'uk'"):
        _client(AZURE, residency="eu").prepare("azure/gpt-prod", "hi", region="uksouth")


def test_cloudflare_account_id_fills_the_path() -> None:
    env = {"CLOUDFLARE_API_KEY": KEY}
    with pytest.raises(ConfigurationError, match="CLOUDFLARE_ACCOUNT_ID"):
        _client(env).prepare("cloudflare/@cf/meta/llama-3.1-8b-instruct", "hi")
    with pytest.raises(ConfigurationError, match="path segment"):
        _client(env | {"CLOUDFLARE_ACCOUNT_ID": "../../evil"}).prepare("cloudflare/@cf/x", "hi")
    call = _client(env | {"CLOUDFLARE_ACCOUNT_ID": "abc123"}).prepare("cloudflare/@cf/x", "hi").call
    assert call.url == "https://api.cloudflare.com/client/v4/accounts/abc123/ai/v1/chat/completions"


def test_bedrock_region_is_the_aws_region() -> None:
    env = {"AWS_BEARER_TOKEN_BEDROCK": KEY, "AWS_REGION": "eu-central-1"}
    call = _client(env, residency="eu").prepare("bedrock/openai.gpt-oss-120b-1:0", "hi").call
    assert call.url == "https://bedrock-runtime.eu-central-1.amazonaws.com/openai/v1/chat/completions"
    picked = _client(env).prepare("bedrock/x", "hi", region="eu-west-3").call
    assert picked.url.startswith("https://bedrock-runtime.eu-west-3.amazonaws.com/")
    with pytest.raises(ResidencyError):
        _client(env, residency="eu").prepare("bedrock/x", "hi", region="us-east-1")
    with pytest.raises(ConfigurationError, match="host name label"):
        _client(env).prepare("bedrock/x", "hi", region="eu central 1")
    with pytest.raises(ConfigurationError, match="AWS_REGION"):
        _client({"AWS_BEARER_TOKEN_BEDROCK": KEY}).prepare("bedrock/x", "hi")


def test_region_hosts_for_compat_vendors() -> None:
    env = {"OPENROUTER_API_KEY": KEY, "DASHSCOPE_API_KEY": KEY}
    assert _client(env, region={"openrouter": "eu"}).prepare("openrouter/x", "hi").call.url == (
        "https://eu.openrouter.ai/api/v1/chat/completions"
    )
    with pytest.raises(ConfigurationError, match="DASHSCOPE_WORKSPACE_ID"):
        _client(env, region={"dashscope": "eu"}).prepare("dashscope/qwen-plus", "hi")
    ws = _client(env | {"DASHSCOPE_WORKSPACE_ID": "ws123"}, region={"dashscope": "eu"})
    assert ws.prepare("dashscope/qwen-plus", "hi").call.url == (
        "https://ws123.eu-central-1.maas.aliyuncs.com/compatible-mode/v1/chat/completions"
    )


def test_sarvam_sends_its_own_key_header() -> None:
    call = _client({"SARVAM_API_KEY": KEY}).prepare("sarvam/sarvam-m", "hi").call
    assert call.headers["api-subscription-key"] == KEY and "authorization" not in call.headers


# --- the codec ---------------------------------------------------------------------------------------


def _request(provider: str, stream: bool = False) -> ChatRequest:
    return ChatRequest(provider=provider, model="m", messages=[Message.user("hi")], stream=stream)


def test_reasoning_is_kept_from_either_field() -> None:
    codec = OpenAICompatible()
    for field in ("reasoning_content", "reasoning"):
        payload = {
            "id": "c1",
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", field: "2+2 is 4.", "content": "4"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
        }
        result = codec.parse(payload, _request("openrouter"))
        assert result.reasoning == "2+2 is 4." and result.text == "4" and result.usage.output_tokens == 5
        decoder = codec.decoder(_request("openrouter", stream=True))
        chunk = {
            "id": "c1",
            "model": "m",
            "choices": [{"index": 0, "delta": {field: "2+2"}, "finish_reason": None}],
        }
        assert decoder.feed("", json.dumps(chunk)) == [ThinkingDelta(text="2+2")]
        chunk = {
            "id": "c1",
            "model": "m",
            "choices": [{"index": 0, "delta": {"content": "4"}, "finish_reason": "stop"}],
        }
        assert decoder.feed("", json.dumps(chunk)) == [TextDelta(text="4")]
        decoder.feed("", "[DONE]")
        assert decoder.done and decoder.result().reasoning == "2+2"


def test_stream_options_follow_the_catalog() -> None:
    assert options_for("groq").stream_usage and options_for("groq").max_tokens_field == "max_tokens"
    call = _client({"GROQ_API_KEY": KEY}).prepare("groq/x", "hi", stream=True, max_tokens=9).call
    assert call.json_body["stream_options"] == {"include_usage": True} and call.json_body["max_tokens"] == 9


def test_compat_errors_use_the_openai_envelope() -> None:
    body = b'{"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}}'
    err = OpenAICompatible().parse_error("groq", 401, httpx2.Headers({"x-request-id": "r1"}), body)
    assert err.status == 401 and err.code == "invalid_api_key" and "Invalid API Key" in str(err)
