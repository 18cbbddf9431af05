"""WebSockets for the transport layer: one open socket, held by its own task, with typed failures.

httpx2 brings WebSockets (`AsyncClient.websocket()`, the `httpx2[ws]` extra) and, for the in-process
sandbox, `httpx2.websockets.ASGIWebSocketTransport` (which must be entered as an async context
manager: it starts a task group). Both hold anyio task groups, which must be left by the task that
entered them -- so the socket lives in a task of its own and everyone else talks to it through
`send_*` / `receive()`. That makes one session usable from a notebook's sync facade, whose calls
each run in a fresh task, as well as from `async with` code.

A failed handshake becomes the provider's typed error (401 -> AuthenticationError, ...); a socket
that closes with anything but a normal close raises `WebSocketDropped`, which the session code
turns into `IncompleteSessionError` carrying what had arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2

from .errors import APIConnectionError, APITimeoutError, ProviderError

__all__ = ["MAX_MESSAGE_BYTES", "WebSocket", "WebSocketDropped", "open_websocket", "ws_url"]

MAX_MESSAGE_BYTES = (
    16 * 1024 * 1024
)  # realtime audio deltas and live results are far larger than the 65 KiB default
NORMAL_CLOSE = 1000
_CLOSED = object()

ErrorParser = Callable[[int, httpx2.Headers, bytes], ProviderError]


class WebSocketDropped(Exception):
    """The socket ended without a normal close (a network error, or a close code other than 1000)."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        where = f"close code {code}" if code is not None else "the connection was lost"
        super().__init__(f"{where}{': ' + reason if reason else ''}")


def ws_url(base_url: str, path: str) -> str:
    """`https://host/v1` + `/realtime` -> `wss://host/v1/realtime` (http -> ws)."""
    scheme, _, rest = base_url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest.rstrip('/')}{path}"


class WebSocket:
    """An open WebSocket. `receive()` gives text (str) or binary (bytes) messages, None after a normal close."""

    def __init__(self, url: str, provider: str) -> None:
        self.url = url
        self.provider = provider
        self.close_code: int | None = None
        self.close_reason = ""
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._closing = asyncio.Event()
        self._session: Any = None
        self._task: asyncio.Task[None] | None = None
        self.subprotocol: str | None = None

    @property
    def closed(self) -> bool:
        return self._closing.is_set()

    async def send_text(self, text: str) -> None:
        """Send a text frame (raises WebSocketDropped when the socket is gone)."""
        await self._send("send_text", text)

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary frame."""
        await self._send("send_bytes", data)

    async def send_json(self, obj: Any) -> None:
        """Send a JSON text frame (compact, non-ASCII kept)."""
        await self._send("send_text", json.dumps(obj, ensure_ascii=False, separators=(",", ":")))

    async def _send(self, method: str, payload: Any) -> None:
        if self._closing.is_set() or self._session is None:
            raise WebSocketDropped(self.close_code, self.close_reason or "the socket is closed")
        try:
            await getattr(self._session, method)(payload)
        except Exception as exc:  # wsproto/httpcore2 errors once the peer is gone
            raise WebSocketDropped(self.close_code, f"send failed: {exc!r}") from exc

    async def receive(self, timeout: float | None = None) -> str | bytes | None:
        """The next message; None once the server closed normally; WebSocketDropped otherwise."""
        item = await (asyncio.wait_for(self._inbox.get(), timeout) if timeout else self._inbox.get())
        if item is _CLOSED:
            self._inbox.put_nowait(_CLOSED)  # every later receive sees the end too
            if self.close_code == NORMAL_CLOSE:
                return None
            raise WebSocketDropped(self.close_code, self.close_reason)
        assert isinstance(item, str | bytes)
        return item

    async def close(self) -> None:
        """Close the socket (a normal close) and wait for its task to finish."""
        if not self._closing.is_set() and self.close_code is None:
            self.close_code = NORMAL_CLOSE  # we ended it: later receives see a normal end
        self._closing.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _read(self, session: Any) -> None:
        from httpx2.websockets import WebSocketDisconnect, WebSocketNetworkError

        try:
            while True:
                event = await session.receive()
                data = getattr(event, "data", None)
                if isinstance(data, str | bytes | bytearray):
                    self._inbox.put_nowait(data if isinstance(data, str) else bytes(data))
        except WebSocketDisconnect as exc:
            self.close_code, self.close_reason = exc.code, exc.reason or ""
        except WebSocketNetworkError as exc:
            self.close_code, self.close_reason = None, f"network error {exc!r}"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a protocol error from wsproto: the socket is unusable
            self.close_code, self.close_reason = None, repr(exc)
        finally:
            self._inbox.put_nowait(_CLOSED)
            self._closing.set()

    async def _hold(
        self,
        client: httpx2.AsyncClient | None,
        asgi_app: Any,
        headers: dict[str, str],
        subprotocols: list[str] | None,
        ready: asyncio.Future[None],
    ) -> None:
        from httpx2.websockets import ASGIWebSocketTransport

        transport: Any = None
        try:
            async with contextlib.AsyncExitStack() as stack:
                if asgi_app is not None:
                    transport = await stack.enter_async_context(ASGIWebSocketTransport(app=asgi_app))
                    client = await stack.enter_async_context(httpx2.AsyncClient(transport=transport))
                assert client is not None
                session = await stack.enter_async_context(
                    client.websocket(
                        self.url,
                        headers=headers,
                        subprotocols=subprotocols,
                        max_message_size_bytes=MAX_MESSAGE_BYTES,
                    )
                )
                self._session = session
                self.subprotocol = getattr(session, "subprotocol", None)
                ready.set_result(None)
                reader = asyncio.create_task(self._read(session))
                await self._closing.wait()
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
                if transport is not None:
                    # the in-process app may still be waiting on us: end its task group with the socket
                    transport._task_group.cancel_scope.cancel()
        except asyncio.CancelledError:
            if not ready.done():
                ready.cancel()
            raise
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(_unwrap(exc))
            # after the session opened, a failure while tearing it down changes nothing the caller can use
        finally:
            self._closing.set()
            self._inbox.put_nowait(_CLOSED)


def _unwrap(exc: BaseException) -> BaseException:
    """The first real error inside anyio's exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


@contextlib.asynccontextmanager
async def open_websocket(
    url: str,
    *,
    provider: str,
    headers: dict[str, str],
    parse_error: ErrorParser,
    client: httpx2.AsyncClient | None = None,
    asgi_app: Any = None,
    subprotocols: list[str] | None = None,
) -> AsyncIterator[WebSocket]:
    """Open a WebSocket (over `client`, or in-process to `asgi_app`) and close it on exit.

    Handshake failures become typed errors: an HTTP error status through `parse_error`, a network
    failure as APIConnectionError / APITimeoutError.
    """
    try:
        from httpx2.websockets import WebSocketDisconnect, WebSocketUpgradeError
    except ImportError as exc:  # pragma: no cover - httpx2[ws] is a dependency
        raise APIConnectionError("WebSockets need the httpx2[ws] extra (wsproto)", provider=provider) from exc

    socket = WebSocket(url, provider)
    ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    socket._task = asyncio.create_task(socket._hold(client, asgi_app, headers, subprotocols, ready))
    try:
        await ready
    except WebSocketUpgradeError as exc:
        response = exc.response
        try:
            body = response.content
        except Exception:  # a streamed handshake response whose body was not read
            body = b""
        raise parse_error(response.status_code, response.headers, body) from None
    except WebSocketDisconnect as exc:
        raise ProviderError(
            f"{provider} closed the WebSocket during the handshake (code {exc.code}{': ' + exc.reason if exc.reason else ''})",
            provider=provider,
        ) from None
    except httpx2.TimeoutException as exc:
        raise APITimeoutError(
            f"{provider} did not accept the WebSocket in time: {exc}", provider=provider
        ) from exc
    except (httpx2.TransportError, OSError) as exc:
        raise APIConnectionError(f"could not reach {provider}: {exc}", provider=provider) from exc
    try:
        yield socket
    finally:
        await socket.close()
