"""%%llm and %llm_config in a real IPython shell, against the sandbox."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

import llmkit_nb
from llmkit_nb import LLMKit
from llmkit_nb.magics import LLMMagics, fill, parse_cell_args


@pytest.fixture
def shell():  # type: ignore[no-untyped-def]
    sh = InteractiveShell.instance()
    llmkit_nb.load_ipython_extension(sh)
    kit = LLMKit(sandbox=True)
    sh.user_ns["_llmkit_magics"]._kit = kit
    yield sh
    kit.close()
    InteractiveShell.clear_instance()


def test_cell_magic_fills_variables_streams_and_stores(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.user_ns["topic"] = "Rayleigh scattering"
    shell.run_cell_magic(
        "llm", "anthropic/claude-sonnet-5-5 --thinking high -o ans", "Explain {topic} in {{braces}}."
    )
    result = shell.user_ns["ans"]
    assert "Explain Rayleigh scattering in {braces}." in result.text
    assert result.sent["output_config"] == {"effort": "high"}
    out = capsys.readouterr().out
    assert "Rayleigh scattering" in out and "[sandbox]" in out  # streamed as it arrived (terminal mode)


def test_unknown_flag_prints_usage(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_cell_magic("llm", "--temprature 3", "hi")
    out = capsys.readouterr().out
    assert "usage: %%llm" in out and "--temprature" in out
    magics: LLMMagics = shell.user_ns["_llmkit_magics"]
    assert not magics.kit.client.sandbox_app.requests


def test_missing_variable_is_named(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_cell_magic("llm", "", "Tell me about {nothing_here}")
    assert "no variable 'nothing_here'" in capsys.readouterr().out


def test_config_shows_and_sets_defaults(shell: InteractiveShell) -> None:
    got = shell.run_line_magic("llm_config", "model=openai/gpt-6.1-terra thinking=low stream=false")
    assert got["model"] == "openai/gpt-6.1-terra" and got["thinking"] == "low" and got["stream"] is False
    r = shell.run_cell_magic("llm", "", "plain call")
    assert r.provider == "openai" and "plain call" in r.text


def test_parse_cell_args() -> None:
    assert parse_cell_args("openai/gpt-6.1-terra --thinking 4096 --no-stream") == {
        "model": "openai/gpt-6.1-terra",
        "thinking": 4096,
        "output": None,
        "system": None,
        "max_tokens": None,
        "stream": False,
        "tools": None,
        "output_type": None,
        "max_steps": None,
    }
    assert parse_cell_args("--tools a,b --output Clause")["tools"] == ["a", "b"]
    with pytest.raises(ValueError, match="names of notebook variables"):
        parse_cell_args("--tools a.b")
    assert parse_cell_args("")["stream"] is None  # the kit's default decides
    with pytest.raises(ValueError, match="usage"):
        parse_cell_args("-o 3x")
    assert fill("{a} and {{b}}", {"a": 1}) == "1 and {b}"


def test_tools_and_output_from_the_notebook(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    from pydantic import BaseModel

    class Distance(BaseModel):
        feet: float

    def convert(value: float, unit: str) -> float:
        """Convert to feet."""
        return value * 3.28084

    shell.user_ns.update(convert=convert, Distance=Distance)
    shell.run_cell_magic(
        "llm", "openai/gpt-6.1-terra --tools convert --output Distance -o r --no-stream", "How far is 2 km?"
    )
    r = shell.user_ns["r"]
    assert r.tool_calls[0].name == "convert" and r.tool_calls[0].ok and isinstance(r.output, Distance)
    shell.run_cell_magic("llm", "openai/gpt-6.1-terra --tools nope", "hi")
    assert "--tools 'nope': no such variable" in capsys.readouterr().out
