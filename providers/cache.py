"""The response cache: complete, successful replies kept on disk, keyed on what is actually sent.

    client = AsyncClient(cache=True)             # the user cache dir (see `default_cache_path`)
    client = AsyncClient(cache="runs/cache.db")  # a file of your choice
    await client.chat(..., cache=False)          # this call neither reads nor writes the cache
    await client.chat(..., cache="refresh")      # send again and overwrite what was stored
    client.cache.clear()

It wraps the transport's send (transport.py), so codecs never see it: a hit goes through the same
parse (or, for a stream, the same decoder fed the stored events) as a live reply.

- The key is a SHA-256 of the provider, the scope ("sandbox" or "live", so an emulated answer is never
  served for a real call), the method, URL, query parameters, the body (JSON with sorted keys) and the
  request headers that change an answer. Credentials are never part of it: Authorization, x-api-key,
  api-key, x-goog-api-key, cookies and any header or parameter whose name says key, token, secret or
  auth are left out, so nothing secret is stored, not even hashed.
- Stored: status, response headers (cookies dropped), the URL without its query, and the body or the
  stream's events. Only 2xx replies, and only streams that reached their final event.
- One SQLite file in WAL mode: many readers and a writer at once, across threads and processes
  (each thread has its own connection; writers wait up to 10 s for the lock).
- A size limit (default 1 GiB): past it, the least recently used entries go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError
from .types import HttpCall

__all__ = ["CacheMode", "CachedReply", "ResponseCache", "default_cache_path", "open_cache"]

CacheMode = bool | Literal["refresh"] | None
"""Per call: None or True (use the client's cache if it has one), False (bypass), "refresh" (re-send
and overwrite)."""

DEFAULT_MAX_BYTES = 1 << 30
_FILE = "responses.sqlite3"
_SECRET_WORDS = ("key", "token", "secret", "auth", "cookie", "password", "signature")
_NOT_ANSWER = frozenset({"x-stainless-retry-count", "accept-encoding", "user-agent", "content-length"})
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB,
    events TEXT,
    size INTEGER NOT NULL,
    created REAL NOT NULL,
    used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_used ON responses (used);
"""


def default_cache_path() -> Path:
    """The user cache dir, as platformdirs would pick it, with the standard library only:
    $LLMKIT_CACHE_DIR, else %LOCALAPPDATA%\\llmkit_nb\\Cache on Windows, ~/Library/Caches/llmkit_nb on
    macOS, $XDG_CACHE_HOME/llmkit_nb or ~/.cache/llmkit_nb elsewhere."""
    if os.environ.get("LLMKIT_CACHE_DIR"):
        return Path(os.environ["LLMKIT_CACHE_DIR"]).expanduser() / _FILE
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "llmkit_nb" / "Cache" / _FILE
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "llmkit_nb" / _FILE
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "llmkit_nb" / _FILE


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


@dataclass(frozen=True)
class CachedReply:
    """One stored reply: a body (a whole response) or events (a stream)."""

    status: int
    headers: list[tuple[str, str]]
    url: str
    body: bytes
    events: list[tuple[str, str]] | None


class ResponseCache:
    """An on-disk store of replies (SQLite, WAL), safe across threads and processes."""

    def __init__(self, path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
            raise ConfigurationError(f"cache max_bytes must be a positive number of bytes, not {max_bytes!r}")
        self.path = Path(path).expanduser()
        self.max_bytes = max_bytes
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._size_estimate = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._conn()
            with conn:
                conn.executescript(_SCHEMA)
            self._size_estimate = int(
                conn.execute("SELECT COALESCE(SUM(size), 0) FROM responses").fetchone()[0]
            )
            # a write proves the file and its WAL can be written, now rather than at the first reply
            with conn:
                conn.execute("DELETE FROM responses WHERE key = ''")
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise ConfigurationError(
                f"cannot use {self.path} as the response cache ({exc}); pass cache='a/writable/file.sqlite3' "
                "or set LLMKIT_CACHE_DIR, or cache=False"
            ) from exc

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.path)!r}, {len(self)} replies, {self.size_bytes() / 1e6:.1f} MB)"

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.isolation_level = "DEFERRED"  # (back to implicit transactions, committed by `with conn`)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    # -- the key: what is sent, without credentials -----------------------------------------------

    @staticmethod
    def key(provider: str, call: HttpCall, scope: str = "") -> str | None:
        """The cache key for a call, or None when the call is not cacheable (not a POST with a body)."""
        if call.method != "POST" or (call.json_body is None and call.content is None):
            return None
        parts = urlsplit(call.url)
        query = sorted((k, v) for k, v in call.params.items() if not _secret(k))
        if parts.query:
            from urllib.parse import parse_qsl

            query += sorted((k, v) for k, v in parse_qsl(parts.query) if not _secret(k))
        headers = sorted(
            (k.lower(), v) for k, v in call.headers.items() if not _secret(k) and k.lower() not in _NOT_ANSWER
        )
        material: dict[str, Any] = {
            "v": 1,
            "scope": scope,
            "provider": provider,
            "method": call.method,
            "url": urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", "")),
            "query": query,
            "headers": headers,
            "stream": call.stream,
        }
        if call.json_body is not None:
            material["json"] = call.json_body
        if call.content is not None:
            material["content"] = hashlib.sha256(call.content).hexdigest()
        blob = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    # -- reads and writes -------------------------------------------------------------------------

    def get(self, key: str) -> CachedReply | None:
        """The stored reply for a key, or None."""
        conn = self._conn()
        row = conn.execute(
            "SELECT status, headers, url, body, events FROM responses WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        with contextlib.suppress(sqlite3.OperationalError), conn:  # (a busy writer elsewhere: skip it)
            conn.execute("UPDATE responses SET used = ? WHERE key = ?", (time.time(), key))
        status, headers, url, body, events = row
        return CachedReply(
            status=status,
            headers=[tuple(h) for h in json.loads(headers)],  # type: ignore[misc]
            url=url,
            body=bytes(body or b""),
            events=[tuple(e) for e in json.loads(events)] if events is not None else None,  # type: ignore[misc]
        )

    def put(
        self,
        key: str,
        provider: str,
        status: int,
        headers: Mapping[str, str] | Any,
        url: str,
        *,
        body: bytes | None = None,
        events: list[tuple[str, str]] | None = None,
    ) -> None:
        """Store a complete, successful reply (a body or a stream's events)."""
        if not 200 <= status < 300:
            return
        items = headers.multi_items() if hasattr(headers, "multi_items") else list(headers.items())
        kept = [(k, v) for k, v in items if k.lower() not in ("set-cookie", "content-encoding")]
        kept = [(k, v) for k, v in kept if k.lower() != "content-length"]
        parts = urlsplit(url)
        clean_url = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
        header_text = json.dumps(kept, ensure_ascii=False)
        event_text = json.dumps(events, ensure_ascii=False) if events is not None else None
        size = len(body or b"") + len(event_text or "") + len(header_text) + len(clean_url) + 200
        now = time.time()
        conn = self._conn()
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, provider, clean_url, status, header_text, body, event_text, size, now, now),
            )
        self._size_estimate += size
        if self._size_estimate > self.max_bytes:
            self.prune()

    def prune(self, target: float = 0.9) -> int:
        """Drop the least recently used replies until the store is under `target` x the size limit."""
        conn = self._conn()
        with conn:
            total = int(conn.execute("SELECT COALESCE(SUM(size), 0) FROM responses").fetchone()[0])
            dropped = 0
            if total > self.max_bytes * target:
                excess = total - self.max_bytes * target
                for key, size in conn.execute("SELECT key, size FROM responses ORDER BY used").fetchall():
                    if excess <= 0:
                        break
                    conn.execute("DELETE FROM responses WHERE key = ?", (key,))
                    excess -= size
                    total -= size
                    dropped += 1
        self._size_estimate = total
        return dropped

    def clear(self) -> int:
        """Forget every stored reply; returns how many there were."""
        conn = self._conn()
        with conn:
            count = int(conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
            conn.execute("DELETE FROM responses")
        conn.execute("VACUUM")
        self._size_estimate = 0
        return count

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def size_bytes(self) -> int:
        """What the stored replies take (bodies, events, headers), in bytes."""
        return int(self._conn().execute("SELECT COALESCE(SUM(size), 0) FROM responses").fetchone()[0])

    def entries(self) -> Iterator[dict[str, Any]]:
        """What is stored, newest first: provider, URL, status, size and times (no bodies)."""
        rows = self._conn().execute(
            "SELECT provider, url, status, size, created, used FROM responses ORDER BY created DESC"
        )
        for provider, url, status, size, created, used in rows:
            yield {
                "provider": provider,
                "url": url,
                "status": status,
                "size": size,
                "created": created,
                "used": used,
            }

    def close(self) -> None:
        """Close every connection this object opened."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()


def open_cache(cache: Any) -> ResponseCache | None:
    """What `AsyncClient(cache=...)` takes: None/False (no cache), True (the default path), a path, or a
    ResponseCache. Raises ConfigurationError, before any call, when the path cannot be written."""
    if cache is None or cache is False:
        return None
    if isinstance(cache, ResponseCache):
        return cache
    if cache is True:
        return ResponseCache(default_cache_path())
    if isinstance(cache, str | os.PathLike):
        path = Path(cache).expanduser()
        if path.is_dir():
            path = path / _FILE
        return ResponseCache(path)
    raise ConfigurationError(f"cache= takes True, a file path or a ResponseCache, not {type(cache).__name__}")
