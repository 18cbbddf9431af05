"""The sandbox served over real TCP on 127.0.0.1 by uvicorn in a thread, counting the connections it accepts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

STARTUP_TIMEOUT_S = 15.0


@dataclass
class Served:
    """A running loopback server: its base URL and the client address of every HTTP request it answered."""

    base: str
    clients: list[tuple[str, int]] = field(default_factory=list)

    @property
    def connections(self) -> int:
        """Distinct TCP connections the requests arrived on (one client port per connection)."""
        return len(set(self.clients))

    def url(self, provider: str, base_url: str) -> str:
        """The server's URL for a provider whose real base URL is `base_url` (its path kept, host replaced)."""
        from urllib.parse import urlsplit

        return f"{self.base}/{provider}{urlsplit(base_url).path}".rstrip("/")


@contextmanager
def serve(app: Any) -> Iterator[Served]:
    """Serve an ASGI app on a free loopback port until the block ends."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    served = Served(base=f"http://127.0.0.1:{sock.getsockname()[1]}")

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            served.clients.append(tuple(scope["client"]))
        await app(scope, receive, send)

    server = uvicorn.Server(uvicorn.Config(counting, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the loopback sandbox server did not start")
        time.sleep(0.01)
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
