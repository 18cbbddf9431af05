"""One exception tree for the whole toolkit.

    LLMKitError
    ├── ConfigurationError (also ValueError)      bad input, caught before any request
    │   ├── UnknownProviderError
    │   ├── UnknownModelError
    │   ├── ModelRetiredError                     names the successor and the date
    │   ├── MissingKeyError                       names the env var and the argument
    │   ├── InvalidKeyError                       a key with a control or non-ASCII character (never shown)
    │   ├── ThinkingNotSupportedError
    │   ├── ResidencyError                        the endpoint does not keep data where residency= asks
    │   ├── ToolsNotSupportedError                tools or output= on a model/codec that cannot take them
    │   └── InvalidParameterError                 a value the model or provider rejects
    │       └── ToolDefinitionError               a tool without type hints, a bad or duplicate name, a schema
    │                                             the provider cannot take
    ├── ProviderUnavailable                       no public API exists; never faked
    └── ProviderError                             the provider (or the way to it) failed
        ├── APIStatusError                        an HTTP error status
        │   ├── BadRequestError            400, 422
        │   ├── AuthenticationError        401
        │   ├── PermissionDeniedError      403
        │   ├── NotFoundError              404
        │   ├── ConflictError              409
        │   ├── RateLimitError             429   (retry_after)
        │   └── ServerError                5xx
        │       └── OverloadedError        529
        ├── APIConnectionError                    could not reach the provider
        │   └── APITimeoutError
        ├── OutputError                           structured output that is not what was asked: `.raw_text`
        │   └── RefusalError                      the model refused: `.refusal`
        ├── StreamError                           the stream broke or sent garbage
        │   ├── IncompleteStreamError             cut short: `.partial` keeps what arrived
        │   ├── IncompleteSessionError            a session (WebSocket, audio stream) dropped: `.partial` keeps what arrived
        │   └── ResponseFormatError               a reply not in its API's shape: `.excerpt` of what arrived, `.where`
        └── JobError                              a job (video, image, batch) gave no result: `.job_id`
            ├── JobFailedError                    the provider reports the job failed (`.code`)
            ├── JobCancelledError                 the job (or a batch request) was cancelled or deleted
            ├── JobExpiredError                   a batch (or one of its requests) expired before it ran
            ├── JobTimeoutError                   still running when the wait ended: resume by `.job_id`
            └── ResultUnavailableError            the job finished but its output cannot be fetched

    KeyboardInterrupt
    ├── JobInterrupted                            Ctrl-C while waiting for a job: `.job_id`, `.cancelled`
    └── ToolLoopInterrupted                       Ctrl-C during a tool loop: `.partial` keeps every step

Every ProviderError carries `provider`, `status`, `request_id` and (where given) `retry_after`.
Errors never contain credentials: the message and every attribute (a code, a body, a stream's error
frame) pass through `credentials.redact` when set, and so does the exception an error is raised
from (its `__cause__` / `__context__`: the one being handled when the error is made).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .credentials import redact, scrub, scrub_exception

if TYPE_CHECKING:
    from .types import ChatResult

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "IncompleteSessionError",
    "IncompleteStreamError",
    "InvalidKeyError",
    "InvalidParameterError",
    "JobCancelledError",
    "JobError",
    "JobExpiredError",
    "JobFailedError",
    "JobInterrupted",
    "JobTimeoutError",
    "LLMKitError",
    "MissingKeyError",
    "ModelRetiredError",
    "NotFoundError",
    "OutputError",
    "OverloadedError",
    "PermissionDeniedError",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimitError",
    "RefusalError",
    "ResidencyError",
    "ResponseFormatError",
    "ResultUnavailableError",
    "ServerError",
    "StreamError",
    "ThinkingNotSupportedError",
    "ToolDefinitionError",
    "ToolLoopInterrupted",
    "ToolsNotSupportedError",
    "UnknownModelError",
    "UnknownProviderError",
    "error_for_status",
]


class LLMKitError(Exception):
    """Base of every error this toolkit raises."""

    def __init__(self, message: str, *, provider: str | None = None) -> None:
        self.message = redact(message)
        self.provider = provider
        super().__init__(self.message)
        scrub_exception(sys.exc_info()[1])  # what is being handled becomes this error's cause/context

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, scrub(value))  # codes, bodies, frames, excerpts: never a key

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(LLMKitError, ValueError):
    """The call cannot be made as asked; nothing was sent. The message names the fix."""


class UnknownProviderError(ConfigurationError):
    pass


class UnknownModelError(ConfigurationError):
    pass


class ModelRetiredError(ConfigurationError):
    def __init__(self, message: str, *, provider: str, successor: str | None, retired_on: str | None) -> None:
        super().__init__(message, provider=provider)
        self.successor = successor
        self.retired_on = retired_on


class MissingKeyError(ConfigurationError):
    def __init__(self, message: str, *, provider: str, env_var: str) -> None:
        super().__init__(message, provider=provider)
        self.env_var = env_var


class InvalidKeyError(ConfigurationError):
    """A key that no HTTP header can carry (a control or non-ASCII character inside); nothing was sent.

    The message names the provider, where the key came from (`.source`: `api_keys['openai']`, an env
    var, a setting) and the position, never the key.
    """

    def __init__(self, message: str, *, provider: str, source: str) -> None:
        super().__init__(message, provider=provider)
        self.source = source


class ThinkingNotSupportedError(ConfigurationError):
    pass


class InvalidParameterError(ConfigurationError):
    pass


class ToolDefinitionError(InvalidParameterError):
    """A tool that cannot be offered as given: a parameter without a type hint, a name the provider would
    reject or a duplicate, a schema feature the provider cannot take. `.tool` names it."""

    def __init__(self, message: str, *, tool: str | None = None, provider: str | None = None) -> None:
        super().__init__(message, provider=provider)
        self.tool = tool


class ToolsNotSupportedError(ConfigurationError):
    """Tools (or structured output) asked of a model or codec that cannot take them; nothing was sent."""


class ResidencyError(ConfigurationError):
    """residency= refused the endpoint before any request; `.options` lists the endpoints it would allow."""

    def __init__(self, message: str, *, provider: str, options: list[str] | None = None) -> None:
        super().__init__(message, provider=provider)
        self.options = list(options or [])


class ProviderUnavailable(LLMKitError):
    """The provider has no public API we can call; the toolkit will not pretend otherwise."""


class ProviderError(LLMKitError):
    """The provider, or the network on the way to it, failed."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        code: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, provider=provider)
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after
        self.code = code
        self.body = body

    def __str__(self) -> str:
        bits = [b for b in (self.provider, str(self.status) if self.status else None) if b]
        head = f"[{' '.join(bits)}] " if bits else ""
        tail = f" (request id {self.request_id})" if self.request_id else ""
        return f"{head}{self.message}{tail}"


class APIStatusError(ProviderError):
    pass


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class ServerError(APIStatusError):
    pass


class OverloadedError(ServerError):
    pass


class APIConnectionError(ProviderError):
    pass


class APITimeoutError(APIConnectionError):
    pass


class OutputError(ProviderError):
    """The structured answer is not what `output=` asked for (not JSON, or failing validation).

    `.raw_text` keeps the text as it came; `.result` is the whole ChatResult; `.errors` the validation
    errors (a list of dicts), when it was JSON but did not validate."""

    def __init__(
        self,
        message: str,
        *,
        raw_text: str,
        result: ChatResult | None = None,
        errors: list[dict[str, Any]] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.raw_text = raw_text
        self.result = result
        self.errors = list(errors or [])


class RefusalError(OutputError):
    """The model refused to give the structured answer; `.refusal` is what it said instead."""

    def __init__(self, message: str, *, refusal: str, **kw: Any) -> None:
        super().__init__(message, raw_text=refusal, **kw)
        self.refusal = refusal


class StreamError(ProviderError):
    pass


class IncompleteStreamError(StreamError):
    """The stream ended early. `.partial` is a ChatResult (incomplete=True) with what arrived."""

    def __init__(self, message: str, *, partial: ChatResult, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.partial = partial


class IncompleteSessionError(StreamError):
    """A streamed session (live transcription, realtime voice, a streamed speech response) ended early.

    `.partial` keeps what arrived before the drop (the live results, the realtime conversation so
    far, or the audio received); `.close_code` is the WebSocket close code when the server sent one.
    """

    def __init__(self, message: str, *, partial: Any, close_code: int | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.partial = partial
        self.close_code = close_code


class ResponseFormatError(StreamError):
    """A reply arrived but is not in the shape its API documents (not JSON, a field of the wrong type,
    a stream event without what it must carry), so the toolkit cannot read it.

    `.where` says which part (the reply body, a stream event, an error body, a job status);
    `.excerpt` is a short, redacted start of what arrived. The foreign exception the parser raised
    is kept as `__cause__`. Raised at the codec boundary only (providers/boundary.py).
    """

    def __init__(self, message: str, *, where: str, excerpt: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.where = where
        self.excerpt = redact(excerpt)


class JobError(ProviderError):
    """A job (generation or batch) did not give its result. `.job_id` names it, so it can be resumed or inspected."""

    def __init__(self, message: str, *, job_id: str, model: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.job_id = job_id
        self.model = model


class JobFailedError(JobError):
    """The provider reports that the job failed (`.code` is its failure code, where it gives one)."""


class JobCancelledError(JobError):
    """The job was cancelled (or deleted) before it produced a result."""


class JobExpiredError(JobError):
    """A batch (or one request in it) expired: the provider's window closed before it was processed."""


class JobTimeoutError(JobError):
    """The wait ended while the job was still running; it may still finish: resume it by `.job_id`."""


class ResultUnavailableError(JobError):
    """The job finished, but its output URL could not be fetched (expired or unreachable). `.url` is it."""

    def __init__(self, message: str, *, url: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.url = url


class JobInterrupted(KeyboardInterrupt):
    """Ctrl-C (or the kernel's stop button) while waiting for a job. Still a KeyboardInterrupt, so it
    stops a script; `.job_id` resumes the job and `.cancelled` says whether the remote task was cancelled."""

    def __init__(self, message: str, *, job_id: str, provider: str, model: str, cancelled: bool) -> None:
        self.message = redact(message)
        self.job_id = job_id
        self.provider = provider
        self.model = model
        self.cancelled = cancelled
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ToolLoopInterrupted(KeyboardInterrupt):
    """Ctrl-C (or a cancel) during a tool loop. Still a KeyboardInterrupt; `.partial` is a ChatResult with
    every step that finished (and the calls that ran), marked `stopped="cancelled"` (None if none finished)."""

    def __init__(self, message: str, *, partial: ChatResult | None) -> None:
        self.message = redact(message)
        self.partial = partial
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
    529: OverloadedError,
}


def error_for_status(status: int) -> type[APIStatusError]:
    """The error class for an HTTP status (5xx -> ServerError, other 4xx -> BadRequestError)."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return BadRequestError
