"""Property: base URLs and Retry-After headers of any shape end in a clear typed error or a sane value."""

from __future__ import annotations

import math

import httpx2
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from providers.errors import ConfigurationError
from providers.transport import retry_after_seconds
from providers.urls import clean_base_url, safe_url
from tests.fuzzing import base_url_case, base_urls, fuzz_settings, retry_after_values


@fuzz_settings
@given(url=base_urls)
@example(url="http://localhost:99999/v1")
@example(url="http://localhost:abc/v1")
@example(url="http://[::1/v1")
@example(url="http://exa mple.com/v1")
def test_base_urls_are_refused_before_any_request_or_usable(url: str) -> None:
    outcome = base_url_case(url)
    if outcome.kind == "escape":
        raise AssertionError(f"{outcome.label} escaped for {url!r}") from outcome.value
    if outcome.kind == "typed":
        assert isinstance(outcome.value, ConfigurationError)
        assert "base_urls['openai']" in str(outcome.value)
    else:
        assert isinstance(outcome.value, httpx2.Request)  # the transport can send what prepare accepted
    assert isinstance(safe_url(url), str)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://localhost:99999/v1", "port"),
        ("http://localhost:abc/v1", "port"),
        ("http://localhost:0/v1", "port"),
        ("http://[::1/v1", "IPv6"),
        ("http://exa mple.com/v1", "spaces"),
        ("https://api.example.com\r\n/v1", "control characters"),
        ("ftp://example.com", "http(s)"),
        ("https://user:pw@example.com/v1", "credentials"),
    ],
)
def test_bad_base_urls_say_what_is_wrong(url: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match="base_urls") as info:
        clean_base_url(url, "base_urls['openai']")
    assert words in str(info.value)
    assert "pw" not in str(info.value)


def test_good_base_urls_are_kept() -> None:
    assert clean_base_url(" http://[::1]:8080/v1/ ", "x") == "http://[::1]:8080/v1"
    assert clean_base_url("https://gw.example.com/openai/deployments/{model}", "x").endswith("/{model}")


@fuzz_settings
@given(ms=st.none() | retry_after_values, seconds=st.none() | retry_after_values)
@example(ms=None, seconds="soon")
@example(ms="nan", seconds="-5")
@example(ms=None, seconds="Mon, 99 Foo 0000 99:99:99 GMT")
def test_retry_after_is_a_finite_wait_or_none(ms: str | None, seconds: str | None) -> None:
    headers = httpx2.Headers(
        {k: v for k, v in (("retry-after-ms", ms), ("retry-after", seconds)) if v is not None}
    )
    wait = retry_after_seconds(headers)
    assert wait is None or (math.isfinite(wait) and wait >= 0)


def test_retry_after_forms() -> None:
    assert retry_after_seconds(httpx2.Headers({"retry-after": "soon"})) is None
    assert retry_after_seconds(httpx2.Headers({"retry-after": "2"})) == 2.0
    assert retry_after_seconds(httpx2.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_seconds(httpx2.Headers({"retry-after-ms": "inf", "retry-after": "3"})) == 3.0
    assert retry_after_seconds(httpx2.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after_seconds(httpx2.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00"})) == 0.0
    assert retry_after_seconds(httpx2.Headers({"retry-after": "-1"})) is None
