"""An in-process ASGI transport that streams.

httpx2's own `ASGITransport` awaits the app to the end and hands back the whole body at once, so an
offline stream would arrive in one lump. Here the app runs in a task and each body chunk goes
through a queue the moment the app sends it: the response starts as soon as the app sends its
headers, and closing the response cancels the app. An app that raises mid-body looks to the client
exactly like a dropped connection (`httpx2.RemoteProtocolError`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import httpx2

__all__ = ["StreamingASGITransport"]

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]
_END = object()


class _Body(httpx2.AsyncByteStream):
    def __init__(self, queue: asyncio.Queue[object], task: asyncio.Task[None]) -> None:
        self._queue = queue
        self._task = task

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise httpx2.RemoteProtocolError(
                    f"peer closed connection without sending complete message body ({item!r})"
                )
            assert isinstance(item, bytes)
            yield item

    async def aclose(self) -> None:
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


class StreamingASGITransport(httpx2.AsyncBaseTransport):
    """Send requests to an ASGI app in-process, delivering the response body as it is produced."""

    def __init__(self, app: ASGIApp, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self.app = app
        self.client = client

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for (k, v) in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": self.client,
            "root_path": "",
        }
        queue: asyncio.Queue[object] = asyncio.Queue()
        started: asyncio.Future[tuple[int, list[tuple[bytes, bytes]]]] = (
            asyncio.get_running_loop().create_future()
        )
        request_sent = False
        finished = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.set_result((message["status"], list(message.get("headers", []))))
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if chunk:
                    await queue.put(bytes(chunk))
                if not message.get("more_body", False):
                    finished.set()
                    await queue.put(_END)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the app "dropped the connection"
                if not started.done():
                    started.set_exception(
                        httpx2.RemoteProtocolError(f"server disconnected without a response ({exc!r})")
                    )
                else:
                    await queue.put(exc)
                return
            if not started.done():
                started.set_exception(httpx2.RemoteProtocolError("server sent no response"))
            elif not finished.is_set():
                await queue.put(_END)

        task = asyncio.create_task(run())
        try:
            status, headers = await started
        except BaseException:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise
        return httpx2.Response(status, headers=headers, stream=_Body(queue, task), request=request)
