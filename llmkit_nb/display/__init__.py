"""Rich notebook display: pure HTML/text renderers and the display objects that wrap them."""

from __future__ import annotations

from .markdown import render_markdown
from .objects import (
    ChatView,
    ErrorView,
    LiveChat,
    chat_mimebundle,
    error_mimebundle,
    in_notebook,
    install_error_display,
    show,
)
from .render import (
    endpoint_label,
    render_chat,
    render_error,
    render_plain_chat,
    render_plain_error,
    render_plain_footer,
)

__all__ = [
    "ChatView",
    "ErrorView",
    "LiveChat",
    "chat_mimebundle",
    "endpoint_label",
    "error_mimebundle",
    "in_notebook",
    "install_error_display",
    "render_chat",
    "render_error",
    "render_markdown",
    "render_plain_chat",
    "render_plain_error",
    "render_plain_footer",
    "show",
]
