"""Sandbox emulation of self-hosted OpenAI-compatible servers: ChatLaw behind vLLM, any vLLM server.

vLLM's server speaks OpenAI's Chat Completions (https://docs.vllm.ai/en/latest/serving/
openai_compatible_server.html), so the sandbox reuses the OpenAI Chat Completions handler under the
provider's own name; the in-process client reaches it by path, at `/<provider>/v1/chat/completions`
(providers/chat/self_hosted.py sets that base URL in sandbox mode).
"""

from __future__ import annotations

import dataclasses

from .openai import OPENAI, chat_completions
from .wire import ProviderSpec

__all__ = ["CHATLAW", "VLLM", "self_hosted"]


def self_hosted(name: str) -> ProviderSpec:
    """An emulated OpenAI-compatible server for a self-hosted provider."""
    return dataclasses.replace(OPENAI, name=name, routes={"/v1/chat/completions": chat_completions})


CHATLAW = self_hosted("chatlaw")
VLLM = self_hosted("vllm")
