"""Shared test set-up: no test reaches the real network; loopback is allowed (the sandbox server)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    else:
        return True  # unix sockets and the like
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkBlocked(RuntimeError):
    pass


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise NetworkBlocked(f"tests may not reach the network (tried {address!r}); use the sandbox")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise NetworkBlocked(f"tests may not reach the network (tried {address!r}); use the sandbox")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if (
        isinstance(host, str | bytes)
        and host not in ("localhost", b"localhost")
        and not _is_loopback((host if isinstance(host, str) else host.decode(),))
    ):
        raise NetworkBlocked(f"tests may not resolve {host!r}; use the sandbox")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("live"):
        return
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


CANARY = "sk-canary-DO-NOT-LEAK-7f3a9c2e51"


@pytest.fixture(autouse=True)
def _canary_keys(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Every offline test runs with canary keys for every provider, so any leak is caught."""
    if request.node.get_closest_marker("live"):
        return
    from providers.registry import list_provider_specs

    for spec in list_provider_specs():
        for i, var in enumerate(spec.env):
            if i == 0:
                monkeypatch.setenv(var, f"{CANARY}-{spec.name}")
            else:
                monkeypatch.delenv(var, raising=False)
        for var in (spec.base_url_env, *spec.settings_env):
            if var:
                monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def _catalog_day(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Offline tests judge retirement dates on the day the catalog describes, not the calendar's.

    The catalog retires models by date (gpt-5-mini on 2026-12-11, gpt-4.1 on 2027-01-14...), so a
    suite judged by the calendar would start failing on a later day with no change to the code. Tests
    that are about the calendar set or delete LLMKIT_TODAY themselves; live tests use the real date.
    """
    if request.node.get_closest_marker("live"):
        return
    from providers.registry import TODAY_ENV, catalog_date

    monkeypatch.setenv(TODAY_ENV, catalog_date())


@pytest.fixture(autouse=True)
def _fresh_deprecations() -> None:
    """Old names warn once per process (providers/deprecation.py); each test starts as a new process would."""
    from providers import deprecation

    deprecation.reset()
