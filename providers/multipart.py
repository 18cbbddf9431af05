"""multipart/form-data bodies (RFC 7578), built in memory: speech-to-text uploads, batch input files."""

from __future__ import annotations

from typing import Any

__all__ = ["multipart"]


def multipart(fields: dict[str, Any], file: tuple[str, bytes, str] | None) -> tuple[str, bytes]:
    """A multipart/form-data body (RFC 7578): text fields (lists repeated), then the file part."""
    import hashlib

    boundary = hashlib.sha256((file[1] if file else b"") + repr(sorted(fields.items())).encode()).hexdigest()[
        :32
    ]
    parts: list[bytes] = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + str(item).encode("utf-8")
                + b"\r\n"
            )
    if file is not None:
        filename, data, media_type = file
        safe = filename.replace('"', "%22").replace("\r", "").replace("\n", "")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body
