"""The response cache's store: keys without credentials, what is kept, the size limit, threads, processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from providers.cache import ResponseCache, default_cache_path, open_cache
from providers.errors import ConfigurationError
from providers.types import HttpCall

URL = "https://api.openai.com/v1/chat/completions"


def call(body: dict | None = None, **headers: str) -> HttpCall:
    return HttpCall(
        url=URL,
        headers={"content-type": "application/json", "authorization": "Bearer sk-one", **headers},
        json_body=body
        if body is not None
        else {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    )


def test_key_ignores_credentials_but_not_what_changes_the_answer() -> None:
    base = ResponseCache.key("openai", call())
    assert base is not None and len(base) == 64
    assert ResponseCache.key("openai", call(authorization="Bearer sk-two")) == base
    assert ResponseCache.key("openai", call(**{"x-api-key": "k", "x-stainless-retry-count": "1"})) == base
    assert ResponseCache.key("openai", call({"model": "m", "messages": [], "x": 1})) != base
    assert ResponseCache.key("openai", call(**{"anthropic-version": "2026-10-21"})) != base
    assert ResponseCache.key("openai", call(), "sandbox") != ResponseCache.key("openai", call(), "live")
    assert ResponseCache.key("azure", call()) != base
    # key order in the body does not matter; a key in the URL's query does not count
    reordered = call({"messages": [{"content": "hi", "role": "user"}], "model": "m"})
    assert ResponseCache.key("openai", reordered) == base
    with_key = call().model_copy(update={"url": URL + "?key=secret-1", "params": {"api_key": "secret-2"}})
    assert ResponseCache.key("openai", with_key) == base
    assert ResponseCache.key("openai", call().model_copy(update={"method": "GET"})) is None


def test_stores_only_successes_and_drops_cookies(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite3")
    headers = {"x-request-id": "req_1", "set-cookie": "session=abc", "content-length": "2"}
    cache.put("k1", "openai", 200, headers, URL + "?key=secret", body=b"{}")
    cache.put("k2", "openai", 429, {}, URL, body=b"{}")
    cache.put("k3", "openai", 200, {}, URL, events=[("message", '{"a":1}'), ("done", "[DONE]")])
    hit = cache.get("k1")
    assert hit is not None and hit.body == b"{}" and hit.events is None
    assert dict(hit.headers) == {"x-request-id": "req_1"} and hit.url == URL
    assert cache.get("k2") is None
    stream = cache.get("k3")
    assert stream is not None and stream.events == [("message", '{"a":1}'), ("done", "[DONE]")]
    assert len(cache) == 2
    assert cache.clear() == 2 and len(cache) == 0 and cache.get("k1") is None


def test_size_limit_drops_least_recently_used(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite3", max_bytes=3000)
    for i in range(4):
        cache.put(f"k{i}", "openai", 200, {}, URL, body=b"x" * 600)
        assert cache.get("k0") is not None or i == 3  # k0 stays the most recently used
    cache.put("k4", "openai", 200, {}, URL, body=b"x" * 600)
    assert cache.size_bytes() <= 3000 * 0.9
    assert cache.get("k0") is not None and cache.get("k4") is not None
    assert cache.get("k1") is None  # the least recently used went first


def test_unwritable_path_fails_at_construction(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigurationError, match=r"cannot use .* as the response cache"):
        open_cache(blocker / "cache.sqlite3")
    with pytest.raises(ConfigurationError, match="cache= takes"):
        open_cache(42)
    with pytest.raises(ConfigurationError, match="max_bytes"):
        ResponseCache(tmp_path / "c.sqlite3", max_bytes=0)
    assert open_cache(None) is None and open_cache(False) is None
    assert open_cache(tmp_path).path == tmp_path / "responses.sqlite3"  # a directory gets the file name


def test_default_path_follows_the_platform_conventions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMKIT_CACHE_DIR", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_path() == tmp_path / "xdg" / "llmkit_nb" / "responses.sqlite3"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_cache_path() == Path.home() / ".cache" / "llmkit_nb" / "responses.sqlite3"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_cache_path() == Path.home() / "Library" / "Caches" / "llmkit_nb" / "responses.sqlite3"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert default_cache_path() == tmp_path / "local" / "llmkit_nb" / "Cache" / "responses.sqlite3"
    monkeypatch.setenv("LLMKIT_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_path() == tmp_path / "mine" / "responses.sqlite3"
    cache = open_cache(True)
    assert cache is not None and cache.path == tmp_path / "mine" / "responses.sqlite3"


def test_threads_share_one_cache(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite3")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(40):
                cache.put(f"t{n}-{i}", "openai", 200, {}, URL, body=str(i).encode())
                hit = cache.get(f"t{n}-{i}")
                assert hit is not None and hit.body == str(i).encode()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache) == 240
    cache.close()


def test_processes_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    script = textwrap.dedent(
        f"""
        import sys
        from providers.cache import ResponseCache
        cache = ResponseCache({str(path)!r})
        n = sys.argv[1]
        for i in range(60):
            cache.put(f"p{{n}}-{{i}}", "openai", 200, {{}}, "https://x/y", body=b"b" * 100)
            assert cache.get(f"p{{n}}-{{i}}") is not None
        """
    )
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(n)], cwd=root, stderr=subprocess.PIPE)
        for n in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    assert len(ResponseCache(path)) == 240
