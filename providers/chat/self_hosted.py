"""Self-hosted OpenAI-compatible servers (ChatLaw, a vLLM server): a connection only you can name.

Some models have no hosted API -- ChatLaw is published as academic open weights, FinGPT and
AdaptLLM as Hugging Face checkpoints -- so the only way to call them is a server you run, e.g.
`vllm serve <weights> --served-model-name <name>`, which speaks OpenAI's Chat Completions at
`http://<host>:8000/v1` (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html).
The wire format is the shared Chat Completions codec; this module is only the connection:

* the endpoint must be configured (`<NAME>_BASE_URL` or `base_urls={name: ...}`): the catalog's
  base URL is a placeholder under `.invalid` (RFC 2606), never a guess such as localhost, so a call
  with nothing configured fails before sending and says how to serve the model;
* the key is optional (vLLM only checks one when started with `--api-key`);
* in the sandbox the server is emulated under `/<name>/v1` on the sandbox host.
"""

from __future__ import annotations

import dataclasses

from ..errors import ConfigurationError
from ..registry import ProviderSpec
from .base import Connection

__all__ = ["SANDBOX_BASE", "self_hosted_connection"]

SANDBOX_BASE = "https://sandbox.invalid"  # the in-process sandbox routes /<provider>/... by path


def self_hosted_connection(conn: Connection, spec: ProviderSpec, *, sandbox: bool) -> Connection:
    """The connection to the user's own server; refuses, naming the fix, when none is configured."""
    if sandbox:
        return dataclasses.replace(conn, base_url=f"{SANDBOX_BASE}/{spec.name}/v1")
    if conn.base_url.rstrip("/") == spec.base_url.rstrip("/"):
        env = spec.base_url_env or f"{spec.name.upper()}_BASE_URL"
        raise ConfigurationError(
            f"{spec.name} has no hosted API ({spec.title}): serve the model behind an OpenAI-compatible "
            f"server, e.g. `vllm serve <weights> --served-model-name <model>` (http://localhost:8000/v1), "
            f"then set {env}=http://localhost:8000/v1 or pass base_urls={{'{spec.name}': ...}}; see {spec.docs} "
            "(or use sandbox=True to try it offline)",
            provider=spec.name,
        )
    return conn
