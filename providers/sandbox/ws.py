"""WebSockets in the sandbox: the ASGI `websocket` scope, routed per provider like HTTP.

`serve_websocket` is what `SandboxApp` calls for a `websocket` scope. It finds the handler for the
provider and path (`WEBSOCKETS`), checks auth with the provider's own check (a refused handshake is
an HTTP error response, through the ASGI WebSocket Denial Response extension when the server offers
it), applies faults (a status fault refuses the handshake; `drop` cuts the first paced batch of
frames in half and drops the connection; `slow` waits before accepting), records the handshake, and
runs the handler with a `SandboxSocket`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from .wire import Reply, dumps

if TYPE_CHECKING:
    from .app import SandboxApp

__all__ = ["SandboxSocket", "WebSocketHandler", "serve_websocket", "websocket_routes"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _Drop(Exception):
    sandbox_fault = "drop"


class SandboxSocket:
    """The server side of one sandbox WebSocket, as a handler sees it."""

    def __init__(
        self,
        receive: Receive,
        send: Send,
        *,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        request_id: str,
        delay: float,
        drop: bool,
        provider: str,
    ) -> None:
        self._receive = receive
        self._send = send
        self.query = query
        self.headers = headers
        self.request_id = request_id
        self.delay = delay
        self.provider = provider
        self._drop = drop
        self.drop_after: int | None = None  # with a drop fault: drop once this many frames went out
        self.closed = False
        self.sent = 0

    async def receive(self) -> str | bytes | None:
        """The next client message (text or bytes); None once the client has gone."""
        while True:
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.disconnect":
                self.closed = True
                return None
            if kind == "websocket.receive":
                if message.get("text") is not None:
                    return str(message["text"])
                if message.get("bytes") is not None:
                    return bytes(message["bytes"])

    def _check_drop(self) -> None:
        if self._drop and self.drop_after is not None and self.sent >= self.drop_after:
            self._drop = False
            raise _Drop("sandbox drop fault: connection lost mid-stream")

    async def send_json(self, obj: Any) -> None:
        """Send one JSON text frame."""
        self._check_drop()
        await self._send({"type": "websocket.send", "text": dumps(obj)})
        self.sent += 1

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary frame."""
        self._check_drop()
        await self._send({"type": "websocket.send", "bytes": data})
        self.sent += 1

    async def send_frames(self, frames: list[Any]) -> None:
        """Send a batch (JSON objects or bytes), paced by the app's delay; a `drop` fault cuts it midway."""
        cut = max(1, len(frames) // 2) if self._drop and self.drop_after is None else None
        for i, frame in enumerate(frames):
            if i == cut:
                self._drop = False
                raise _Drop("sandbox drop fault: connection lost mid-stream")
            if i and self.delay > 0:
                await asyncio.sleep(self.delay)
            if isinstance(frame, bytes):
                await self.send_bytes(frame)
            else:
                await self.send_json(frame)

    async def pause(self, units: float = 1.0) -> None:
        """Wait `units` pacing delays (nothing in tests, where the delay is 0)."""
        if self.delay > 0 and units > 0:
            await asyncio.sleep(self.delay * units)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket from the server side."""
        if not self.closed:
            self.closed = True
            await self._send({"type": "websocket.close", "code": code, "reason": reason})


WebSocketHandler = Callable[[SandboxSocket], Awaitable[None]]


def websocket_routes() -> dict[str, dict[str, WebSocketHandler]]:
    """provider -> path -> handler for every sandbox WebSocket (imported lazily)."""
    from .live import listen_live
    from .realtime import openai_realtime, xai_realtime

    return {
        "deepgram": {"/v1/listen": listen_live},
        "xai": {"/v1/realtime": xai_realtime},
        "openai": {"/v1/realtime": openai_realtime},
    }


def _bearer(headers: Mapping[str, str], request_id: str) -> Reply | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return None
    body = {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "code": "invalid_api_key",
            "message": "Missing bearer authentication in header",
        },
    }
    return Reply(status=401, body=body)


async def _deny(send: Send, scope: Message, reply: Reply) -> None:
    """Refuse the handshake with an HTTP response (Denial Response extension), else close 1008."""
    body = dumps(reply.body if reply.body is not None else {}).encode()
    if "websocket.http.response" in (scope.get("extensions") or {}) or scope.get("_llmkit_in_process"):
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
        await send({"type": "websocket.http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
        return
    await send({"type": "websocket.close", "code": 1008, "reason": body.decode()[:120]})


async def serve_websocket(app: SandboxApp, scope: Message, receive: Receive, send: Send) -> None:
    """Handle one ASGI `websocket` scope for the sandbox app."""
    first = await receive()  # websocket.connect
    if first.get("type") != "websocket.connect":
        return
    headers: dict[str, str] = {}
    for k, v in scope.get("headers", []):
        headers[k.decode("latin-1").lower()] = v.decode("latin-1")
    path = scope.get("path", "/")
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    # httpx2's in-process transport understands the denial response though it does not advertise it
    scope.setdefault("_llmkit_in_process", "extensions" not in scope)
    app._count += 1
    request_id = (
        hashlib.sha256(f"socket-{app._count}".encode()).hexdigest()[:8]
        + "-sbx-4000-8000-"
        + (hashlib.sha256(f"ws-{app._count}".encode()).hexdigest()[:12])
    )
    provider, route = app.route(headers.get("host", ""), path)
    app._record("WEBSOCKET", path, headers, {"query": query})
    handler = websocket_routes().get(provider or "", {}).get(route)
    spec = app.PROVIDERS.get(provider or "")
    if handler is None:
        await _deny(
            send, scope, Reply(status=404, body={"error": {"message": f"No sandbox WebSocket at {path}"}})
        )
        return
    check = spec.check_auth if spec is not None else _bearer
    if (denied := check(headers, request_id)) is not None:
        await _deny(send, scope, denied)
        return
    try:
        fault = app._take_fault(provider or "", route, headers)
    except ValueError as exc:
        await _deny(
            send, scope, Reply(status=400, body={"error": {"message": f"invalid fault header: {exc}"}})
        )
        return
    if fault is not None and fault.kind == "slow":
        await asyncio.sleep(fault.seconds)
    if fault is not None and fault.status is not None:
        reply = (
            spec.fault(fault.status, request_id) if spec is not None else Reply(status=fault.status, body={})
        )
        if fault.status == 429 or fault.retry_after > 0:
            reply.headers["retry-after"] = f"{fault.retry_after:g}"
        await _deny(send, scope, reply)
        return
    id_header = spec.request_id_header if spec is not None else "x-request-id"
    await send(
        {
            "type": "websocket.accept",
            "headers": [(id_header.encode(), request_id.encode()), (b"x-llmkit-sandbox", b"1")],
        }
    )
    sock = SandboxSocket(
        receive,
        send,
        query=query,
        headers=headers,
        request_id=request_id,
        delay=app.delay,
        drop=fault is not None and fault.kind == "drop",
        provider=provider or "",
    )
    await handler(sock)
    if not sock.closed:
        await sock.close(1000)


def loads(message: str | bytes | None) -> Any:
    """A client text frame as JSON (None when it is not JSON)."""
    if not isinstance(message, str):
        return None
    try:
        return json.loads(message)
    except ValueError:
        return None
