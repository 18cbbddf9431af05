"""Serve the sandbox on 127.0.0.1: `python -m providers.sandbox --port 8765 [--delay 0.02] [--lenient]`."""

from __future__ import annotations

import argparse
import logging

from .app import SandboxApp


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the sandbox with uvicorn until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m providers.sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--delay", type=float, default=0.02, help="seconds between streamed events (default 0.02)"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="skip the providers' request schemas and cross-item rules (only the handlers' own checks)",
    )
    parser.add_argument(
        "--rate-limit",
        action="append",
        default=[],
        metavar="PROVIDER=REQUESTS[/SECONDS][,tokens=N]",
        help="limit a provider (e.g. openai=60/60: 60 requests a minute); its replies carry its "
        "rate-limit headers and a request past the limit gets a 429 with retry-after (repeatable)",
    )
    args = parser.parse_args(argv)
    from .limits import parse_rate_limit

    try:
        limits = [parse_rate_limit(spec) for spec in args.rate_limit]
    except ValueError as exc:
        parser.error(str(exc))

    import uvicorn  # only the server needs it

    app = SandboxApp(delay=args.delay, strict=not args.lenient)
    for provider, limit in limits:
        app.limiter.set(provider, limit)
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level=args.log_level, access_log=False, lifespan="on"
    )
    logging.getLogger("uvicorn.error").addFilter(_quiet_drops)  # after Config, which sets up logging
    base = f"http://{args.host}:{args.port}"
    print(
        f"llmkit sandbox on {base} (openai: {base}/openai/v1, anthropic: {base}/anthropic, "
        f"gemini: {base}/gemini, vertex: {base}/vertex)",
        flush=True,
    )
    uvicorn.Server(config).run()


def _quiet_drops(record: logging.LogRecord) -> bool:
    """Log a deliberate `drop` fault as one line instead of a traceback."""
    exc = record.exc_info[1] if record.exc_info else None
    if getattr(exc, "sandbox_fault", None) == "drop":
        record.msg, record.args = "sandbox: dropped a connection (drop fault)", ()
        record.exc_info, record.exc_text = None, None
    return True


if __name__ == "__main__":
    main()
