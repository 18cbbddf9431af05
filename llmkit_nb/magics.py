"""The %%llm cell magic and %llm_config.

    %load_ext llmkit_nb
    %%llm anthropic/claude-sonnet-5-5 --thinking high -o answer
    Summarize {topic} in three bullet points.

The cell streams into its output; `{name}` is filled from the notebook's variables (`{{` for a
literal brace); `-o name` stores the result. `--tools convert,lookup` offers those functions from the
notebook (the tool loop runs them); `--output Clause` asks for a structured answer validated into the
notebook's `Clause` (the stored result's `.output`). `%llm_config` shows the defaults, and
`%llm_config model=openai/gpt-6.1-terra thinking=low` sets them. The magics share one kit: the
notebook's own `LLMKit` when one is defined before the first %%llm (so its ledger and defaults are
shared), else a kit of their own: the sandbox when LLMKIT_SANDBOX is set or no provider key is.
"""

from __future__ import annotations

import argparse
import os
import shlex
import string
from typing import Any

__all__ = ["USAGE", "LLMMagics", "load_ipython_extension", "parse_cell_args"]

USAGE = """usage: %%llm [provider/model] [--thinking EFFORT|BUDGET|on|off] [-o NAME] [--system TEXT]
             [--max-tokens N] [--no-stream] [--tools NAME,NAME] [--output TYPE] [--max-steps N]
  The cell body is the prompt; {name} is filled from the notebook's variables ({{ for a brace).
  %llm_config                      show the defaults
  %llm_config key=value ...        set them (model, thinking, stream, max_tokens, system, sandbox)"""


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # never SystemExit inside a kernel
        raise _Usage(message)


def _parser() -> _Parser:
    p = _Parser(prog="%%llm", add_help=False)
    p.add_argument("model", nargs="?")
    p.add_argument("--thinking")
    p.add_argument("-o", "--out", dest="store")
    p.add_argument("--tools")
    p.add_argument("--output", dest="output_type")
    p.add_argument("--max-steps", type=int, dest="max_steps")
    p.add_argument("--system")
    p.add_argument("--max-tokens", type=int, dest="max_tokens")
    p.add_argument("--no-stream", action="store_true", dest="no_stream")
    return p


def _thinking(value: str | None) -> Any:
    if value is None:
        return None
    low = value.strip().lower()
    if low in ("on", "true", "yes"):
        return True
    if low in ("off", "false", "no", "none"):
        return False
    if low.isdigit():
        return int(low)
    return low


def parse_cell_args(line: str) -> dict[str, Any]:
    """Parse the %%llm line; raises ValueError with the usage text on unknown or bad flags."""
    try:
        ns = _parser().parse_args(shlex.split(line))
    except (_Usage, ValueError) as exc:
        raise ValueError(f"{exc}\n{USAGE}") from None
    if ns.store is not None and not ns.store.isidentifier():
        raise ValueError(f"-o needs a Python name, not {ns.store!r}\n{USAGE}")
    tools = [t.strip() for t in ns.tools.split(",") if t.strip()] if ns.tools is not None else None
    for name in [*(tools or []), *([ns.output_type] if ns.output_type else [])]:
        if not name.isidentifier():
            raise ValueError(f"--tools and --output take names of notebook variables, not {name!r}\n{USAGE}")
    return {
        "model": ns.model,
        "thinking": _thinking(ns.thinking),
        "output": ns.store,
        "system": ns.system,
        "max_tokens": ns.max_tokens,
        "stream": False if ns.no_stream else None,
        "tools": tools,
        "output_type": ns.output_type,
        "max_steps": ns.max_steps,
    }


def _lookup(ns: dict[str, Any], name: str, what: str) -> Any:
    if name not in ns:
        raise ValueError(f"{what} {name!r}: no such variable in the notebook; define it in a cell above")
    return ns[name]


class _Namespace(string.Formatter):
    """Fills {name} from the user namespace; a missing name is a clear error, not a KeyError."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self.ns = ns

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        if isinstance(key, int):
            raise ValueError("positional {} fields are not supported; name a variable, e.g. {text}")
        if key not in self.ns:
            raise ValueError(
                f"{{{key}}} in the cell, but no variable {key!r} in the notebook (use {{{{ for a brace)"
            )
        return self.ns[key]


def fill(template: str, ns: dict[str, Any]) -> str:
    """The cell text with {name} filled from `ns`."""
    return _Namespace(ns).format(template)


def _default_kit() -> Any:
    from providers.registry import list_provider_specs

    from .kit import LLMKit

    has_key = any(os.environ.get(v) for s in list_provider_specs() for v in s.env)
    return LLMKit(sandbox=bool(os.environ.get("LLMKIT_SANDBOX")) or not has_key)


class LLMMagics:
    """Holds the shared kit and implements the magics (registered by load_ipython_extension)."""

    def __init__(self, shell: Any, kit: Any = None) -> None:
        self.shell = shell
        self._kit = kit

    @property
    def kit(self) -> Any:
        """The notebook's own LLMKit if it has one (the last defined), else a shared default kit."""
        if self._kit is None:
            from .kit import LLMKit

            kits = [
                v for k, v in self.shell.user_ns.items() if isinstance(v, LLMKit) and not k.startswith("_")
            ]
            self._kit = kits[-1] if kits else _default_kit()
        return self._kit

    def llm(self, line: str, cell: str) -> Any:
        """%%llm: send the cell to a model, streaming into the output."""
        try:
            args = parse_cell_args(line)
            prompt = fill(cell, self.shell.user_ns).strip()
        except ValueError as exc:
            print(exc)
            return None
        if not prompt:
            print("the cell is empty: write the prompt below the %%llm line\n" + USAGE)
            return None
        skip = ("output", "model", "tools", "output_type")
        overrides = {k: v for k, v in args.items() if k not in skip and v is not None}
        if args["model"]:
            overrides["model"] = args["model"]
        try:
            if args["tools"]:
                overrides["tools"] = [_lookup(self.shell.user_ns, n, "--tools") for n in args["tools"]]
            if args["output_type"]:
                overrides["output"] = _lookup(self.shell.user_ns, args["output_type"], "--output")
        except ValueError as exc:
            print(exc)
            return None
        result = self.kit.ask(prompt, **overrides)
        if args["output"]:
            self.shell.user_ns[args["output"]] = result
        return None if overrides.get("stream", self.kit.defaults.stream) else result

    def llm_config(self, line: str) -> Any:
        """%llm_config [key=value ...]: show or set the magic's defaults."""
        d = self.kit.defaults
        for item in shlex.split(line):
            key, sep, value = item.partition("=")
            if not sep:
                print(f"expected key=value, got {item!r}\n{USAGE}")
                return None
            if key == "sandbox":
                from .kit import LLMKit

                self._kit = LLMKit(sandbox=value.lower() in ("1", "true", "yes", "on"))
                self._kit.defaults = d
                continue
            if key not in type(d).model_fields:
                print(f"unknown setting {key!r}; settable: sandbox, {', '.join(type(d).model_fields)}")
                return None
            parsed: Any = value
            if key == "thinking":
                parsed = _thinking(value)
            elif key == "stream":
                parsed = value.lower() in ("1", "true", "yes", "on")
            elif key == "max_tokens":
                parsed = int(value) if value else None
            setattr(d, key, parsed if parsed != "" else None)
        return {"sandbox": self.kit.sandbox, **d.model_dump()}


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext llmkit_nb`: register %%llm and %llm_config."""
    magics = LLMMagics(shell)
    shell.register_magic_function(magics.llm, magic_kind="cell", magic_name="llm")
    shell.register_magic_function(magics.llm_config, magic_kind="line", magic_name="llm_config")
    shell.user_ns.setdefault("_llmkit_magics", magics)
