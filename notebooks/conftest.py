"""nbval, taught one message it does not know: `update_display_data`.

A streamed answer, a video's progress line and a speech stream draw one output and then update it in
place (IPython display handles). Jupyter, and nbclient when `make notebooks` writes the committed
outputs, keep the last state; nbval 0.11 keeps the first draw and prints "unhandled iopub msg". This
applies each update to the output it names, so nbval compares what the notebook really shows.
"""

from __future__ import annotations

from typing import Any

from nbformat import from_dict
from nbval.plugin import IPyNbFile

_get_kernel_message = IPyNbFile.get_kernel_message


def _get_kernel_message_following_updates(self: Any, timeout: Any = None, stream: str = "iopub") -> Any:
    msg = _get_kernel_message(self, timeout=timeout, stream=stream)
    if stream != "iopub":
        return msg
    content = msg["content"]
    display_id = (content.get("transient") or {}).get("display_id")
    if display_id is None:
        return msg
    shown: dict[str, list[Any]] = self.__dict__.setdefault("_llmkit_displays", {})
    if msg["msg_type"] in ("display_data", "execute_result"):
        # nbval stores `content["data"]` itself as the output's data: keep a handle on that object
        content["data"] = from_dict(content["data"])
        shown.setdefault(display_id, []).append(content["data"])
    elif msg["msg_type"] == "update_display_data":
        for data in shown.get(display_id, []):
            data.clear()
            data.update(from_dict(content["data"]))
    return msg


IPyNbFile.get_kernel_message = _get_kernel_message_following_updates
