"""Display layer: safe Markdown, chat/error renderers, mimebundles and the live streaming view."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from IPython.core.interactiveshell import InteractiveShell

from llmkit_nb.display.markdown import render_markdown
from llmkit_nb.display.render import (
    render_chat,
    render_error,
    render_plain_chat,
    render_plain_error,
)
from providers.errors import IncompleteStreamError, MissingKeyError, RateLimitError
from providers.types import ChatResult, Retry, TextPart, ThinkingPart, Usage

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '"><svg onload=alert(1)>',
    "[y](JaVaScRiPt:alert(1))",
    "[z](&#106;avascript:alert(1))",
    "[v](vbscript:msgbox(1))",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href='javascript:alert(1)'>a</a>",
    "<iframe src=//evil></iframe>",
    "![i](javascript:alert(1))",
    "![s](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
]


class _Tags(HTMLParser):
    """Collects every real start tag (name, attrs) a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_inert(html: str) -> None:
    """No live script, event handler, dangerous URL or external resource in the markup."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert 'href="javascript:' not in lowered
    assert "<svg" not in lowered and "<iframe" not in lowered
    assert not re.search(r"<[^>]*\son\w+\s*=", html), "event-handler attribute inside a tag"
    assert "@import" not in lowered and "url(" not in lowered and "<link" not in lowered
    for tag, attrs in tags(html):
        assert tag not in {"script", "svg", "iframe", "object", "embed", "link", "meta", "base", "form"}
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src"}:
                v = (value or "").strip().lower()
                assert not v.startswith(("javascript:", "vbscript:", "data:text")), (tag, name, value)
                if name == "src":
                    assert v.startswith("data:image/"), "external resource loaded"


def make_result(**kw: object) -> ChatResult:
    base: dict[str, object] = {
        "provider": "anthropic",
        "model": "claude-sonnet-5-5",
        "parts": [
            ThinkingPart(text="Let me *think*.", provider="anthropic", signature="s"),
            TextPart(text="The answer is **42**."),
        ],
        "usage": Usage(input_tokens=10, output_tokens=50, reasoning_tokens=30),
        "finish_reason": "stop",
        "visibility": "full",
        "endpoint": "https://api.anthropic.com/v1/messages",
        "latency_s": 1.2378,
        "sent": {"thinking": {"type": "enabled", "budget_tokens": 1024}},
    }
    base.update(kw)
    return ChatResult(**base)  # type: ignore[arg-type]


def reasoning_details(html: str) -> dict[str, str | None]:
    found = [a for t, a in tags(html) if t == "details" and "llmkit-reasoning" in (a.get("class") or "")]
    assert len(found) == 1, html
    return found[0]


def text_of(html: str) -> str:
    """The visible text, entities decoded, style blocks dropped."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    parser = _Text()
    parser.feed(html)
    return "".join(parser.chunks)


# --- Markdown -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", HOSTILE)
def test_markdown_never_produces_live_markup(payload: str) -> None:
    html = render_markdown(f"before {payload} after\n\n{payload}")
    assert_inert(html)


def test_markdown_shows_raw_html_as_text() -> None:
    html = render_markdown("<script>alert(1)</script> and <img src=x onerror=alert(1)>")
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in text_of(html)
    assert "onerror=alert(1)" in text_of(html)


def test_markdown_links_open_safely_in_new_tab() -> None:
    html = render_markdown("see [docs](https://example.com/a?b=1&c=2) or <https://x.org>")
    links = [a for t, a in tags(html) if t == "a"]
    assert [a["href"] for a in links] == ["https://example.com/a?b=1&c=2", "https://x.org"]
    for a in links:
        assert a["target"] == "_blank"
        assert a["rel"] == "noopener noreferrer"


def test_markdown_inline_images_only() -> None:
    html = render_markdown(
        "![ok](data:image/png;base64,iVBORw0KGgo=) ![leak](https://evil.test/p.png?q=secret)"
    )
    imgs = [a for t, a in tags(html) if t == "img"]
    assert [i["src"] for i in imgs] == ["data:image/png;base64,iVBORw0KGgo="]
    assert "image: leak" in text_of(html)
    assert_inert(html)


def test_markdown_renders_tables_and_emphasis() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| *1* | 2 |")
    assert "<table>" in html and "<em>1</em>" in html


@pytest.mark.parametrize(
    "math",
    [
        r"$\frac{a}{b}$",
        r"$a_1 * b_2 * c_3$",
        "$$\n\\sum_{i=1}^n x_i \\\\ y_{*}\n$$",
        r"\(\alpha_1\)",
        r"\[\beta_{2}\]",
        r"$\{x \mid x > 0\}$",
    ],
)
def test_markdown_keeps_latex_intact(math: str) -> None:
    html = render_markdown(f"Formula: {math} done.")
    assert math in text_of(html)
    assert "<em>" not in html


def test_markdown_escapes_html_inside_math() -> None:
    html = render_markdown(r"$a<b$ and $\text{<script>}$")
    assert "$a&lt;b$" in html
    assert_inert(html)


def test_markdown_leaves_prices_and_code_alone() -> None:
    html = render_markdown("It costs $5 and $10, and *that* is it. `echo $HOME$`")
    assert "$5 and $10" in text_of(html)
    # MathJax (JupyterLab typesets HTML outputs) must not pair the two prices into a formula
    assert html.count('<span class="tex2jax_ignore">$</span>') == 2
    assert "<em>that</em>" in html
    assert "<code>echo $HOME$</code>" in html


# --- render_chat ----------------------------------------------------------------------------


def test_chat_hostile_strings_everywhere_stay_inert() -> None:
    evil = '"><svg onload=alert(1)><script>alert(2)</script><img src=x onerror=alert(3)>'
    result = make_result(
        provider=evil,
        model=evil,
        parts=[
            ThinkingPart(text=evil + " [t](javascript:alert(4))", provider=evil, truncated=True),
            TextPart(text=evil + " [x](javascript:alert(1))"),
        ],
        notes=[evil],
        sent={evil: evil, "nested": [evil, {"k": evil}]},
        endpoint=f"https://api.test/{evil}",
        request_id=evil,
        finish_reason=evil,
        raw_finish_reason=evil,
        retries=[Retry(attempt=1, reason=evil, wait_s=0.5)],
        sandbox=True,
        incomplete=True,
    )
    for streaming in (False, True):
        html = render_chat(result, streaming=streaming)
        assert_inert(html)
    html = render_chat(result)
    assert "&lt;svg onload=alert(1)&gt;" in html  # shown, as text
    assert evil in text_of(html)


def test_reasoning_panel_open_while_only_thinking_streams() -> None:
    thinking_only = make_result(parts=[ThinkingPart(text="hmm", provider="anthropic")], usage=Usage())
    assert "open" in reasoning_details(render_chat(thinking_only, streaming=True))
    assert "thinking…" in text_of(render_chat(thinking_only, streaming=True))


def test_reasoning_panel_collapses_once_answer_starts_and_when_done() -> None:
    result = make_result()
    assert "open" not in reasoning_details(render_chat(result, streaming=True))
    assert "open" not in reasoning_details(render_chat(result))


def test_reasoning_summary_counts_tokens() -> None:
    result = make_result(usage=Usage(input_tokens=5, output_tokens=2000, reasoning_tokens=1234))
    html = render_chat(result)
    assert "<summary>Reasoning · 1,234 tokens</summary>" in html
    assert "Let me <em>think</em>." in html
    summary = make_result(visibility="summary", usage=Usage(reasoning_tokens=77))
    assert "<summary>Reasoning · summary · 77 tokens</summary>" in render_chat(summary)


@pytest.mark.parametrize(
    ("visibility", "phrase"),
    [
        ("omitted", "returned only a signature"),
        ("encrypted", "returned it encrypted (kept for the next turn)"),
        ("none", "shows no reasoning"),
    ],
)
def test_hidden_reasoning_is_stated_honestly(visibility: str, phrase: str) -> None:
    parts: list[object] = [TextPart(text="Answer.")]
    if visibility != "none":
        parts.insert(0, ThinkingPart(text="", provider="openai", signature="SIG-XYZ", encrypted="BLOB-XYZ"))
    result = make_result(
        provider="openai",
        parts=parts,
        visibility=visibility,
        usage=Usage(output_tokens=400, reasoning_tokens=320),
    )
    html = render_chat(result)
    text = text_of(html)
    assert phrase in text
    assert "it reported 320 reasoning tokens" in text
    assert "Reasoning · hidden · 320 tokens" in text
    assert "open" not in reasoning_details(html)
    assert "SIG-XYZ" not in html and "BLOB-XYZ" not in html


def test_no_reasoning_panel_without_reasoning() -> None:
    result = make_result(parts=[TextPart(text="hi")], usage=Usage(input_tokens=1, output_tokens=1))
    assert not [
        a for t, a in tags(render_chat(result)) if t == "details" and "reasoning" in str(a.get("class"))
    ]
    assert "[reasoning" not in render_plain_chat(result)


def test_truncated_thinking_is_marked_cut_short() -> None:
    cut = make_result(
        parts=[ThinkingPart(text="and then", provider="anthropic", truncated=True)], incomplete=True
    )
    assert "(cut short)" in text_of(render_chat(cut))
    assert "(cut short)" not in text_of(render_chat(make_result()))


def test_footer_shows_model_provider_endpoint_latency_usage_cost_retries() -> None:
    result = make_result(
        endpoint="https://user:pw@generativelanguage.googleapis.com/v1beta/models/x:generateContent?key=SECRET123",
        cost_usd=0.00123,
        retries=[Retry(attempt=1, reason="429", wait_s=0.5), Retry(attempt=2, reason="500", wait_s=1.0)],
    )
    text = text_of(render_chat(result))
    footer = text_of(render_chat(result).split('class="llmkit-footer')[1].split("</div>")[0] + "</div>")
    for piece in (
        "claude-sonnet-5-5",
        "anthropic",
        "generativelanguage.googleapis.com/v1beta/models/x:generateContent",
        "1.24 s",
        "10 in / 50 out / 30 reasoning",
        "$0.0012",
        "retried 2× (429, 500)",
    ):
        assert piece in footer, piece
    assert "SECRET123" not in text and "pw@" not in text and "user:" not in text


def test_finish_reason_shown_only_when_not_stop() -> None:
    assert "stopped:" not in text_of(render_chat(make_result()))
    html = render_chat(make_result(finish_reason="length"))
    assert "stopped: length — raise max_tokens" in text_of(html)


def test_sandbox_badge_and_incomplete_banner() -> None:
    plain = render_chat(make_result())
    assert "SANDBOX" not in plain and "Incomplete" not in plain
    html = render_chat(make_result(sandbox=True, incomplete=True))
    badges = [a for t, a in tags(html) if t == "span" and "llmkit-badge" in (a.get("class") or "")]
    assert len(badges) == 1
    assert badges[0]["title"] == "Offline emulator output — not a real model"
    assert ">SANDBOX</span>" in html
    assert "Incomplete" in text_of(html) and "cut short" in text_of(html)


def test_what_was_sent_is_pretty_escaped_json_with_notes() -> None:
    result = make_result(
        sent={"reasoning": {"effort": "high"}, "x": "<b>"}, notes=["effort=high mapped to budget 8192"]
    )
    html = render_chat(result)
    sent = [a for t, a in tags(html) if t == "details" and "llmkit-sent" in (a.get("class") or "")]
    assert len(sent) == 1 and "open" not in sent[0]
    assert "What was sent" in text_of(html)
    assert "{\n  &quot;reasoning&quot;: {\n    &quot;effort&quot;: &quot;high&quot;" in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "<li>effort=high mapped to budget 8192</li>" in html


# --- plain text -----------------------------------------------------------------------------


def test_plain_chat_forms() -> None:
    text = render_plain_chat(make_result(sandbox=True, cost_usd=0.5))
    lines = text.splitlines()
    assert lines[0] == "The answer is **42**."
    assert "[reasoning: 30 tokens, shown]" in lines
    assert lines[-1].startswith("[sandbox] claude-sonnet-5-5 · anthropic · api.anthropic.com/v1/messages")
    assert "$0.5000" in lines[-1]
    hidden = make_result(parts=[TextPart(text="A.")], visibility="omitted", usage=Usage(reasoning_tokens=320))
    assert "[reasoning: 320 tokens, hidden]" in render_plain_chat(hidden)
    assert "[sandbox]" not in render_plain_chat(hidden)


# --- errors ---------------------------------------------------------------------------------


def test_error_panel_fields_and_escaping() -> None:
    exc = RateLimitError(
        "slow down <script>alert(1)</script>",
        provider="openai",
        status=429,
        request_id="req_<b>1",
        retry_after=12.0,
    )
    html = render_error(exc)
    assert_inert(html)
    text = text_of(html)
    for piece in (
        "RateLimitError",
        "provider: openai",
        "status: 429",
        "request id: req_<b>1",
        "retry after: 12 s",
    ):
        assert piece in text, piece
    assert "slow down <script>alert(1)</script>" in text
    assert "Traceback" not in text
    plain = render_plain_error(exc)
    assert plain.startswith(
        "RateLimitError (provider openai, status 429, request id req_<b>1, retry after 12 s)"
    )


def test_error_panel_for_configuration_error_names_the_fix() -> None:
    exc = MissingKeyError("no key for anthropic: set ANTHROPIC_API_KEY", provider="anthropic", env_var="X")
    text = text_of(render_error(exc))
    assert "MissingKeyError" in text and "set ANTHROPIC_API_KEY" in text
    assert "status" not in text


def test_incomplete_stream_error_shows_partial_result() -> None:
    partial = make_result(parts=[TextPart(text="half an ans")], incomplete=True, finish_reason=None)
    exc = IncompleteStreamError("connection reset", provider="anthropic", partial=partial)
    html = render_error(exc)
    assert_inert(html)
    text = text_of(html)
    assert text.index("connection reset") < text.index("half an ans")
    assert "Incomplete" in text
    plain = render_plain_error(exc)
    assert "connection reset" in plain and "half an ans" in plain


def test_foreign_exception_renders_without_crashing() -> None:
    html = render_error(ValueError("bad <thing>"))
    assert "ValueError" in text_of(html) and "bad <thing>" in text_of(html)
    assert_inert(html)


# --- display objects ------------------------------------------------------------------------


def test_views_give_plain_and_html_bundles() -> None:
    from IPython.core.formatters import DisplayFormatter

    from llmkit_nb.display import ChatView, ErrorView, chat_mimebundle, error_mimebundle

    result = make_result(sandbox=True)
    bundle = chat_mimebundle(result)
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/plain"] == render_plain_chat(result)
    data, _ = DisplayFormatter().format(ChatView(result))
    assert data["text/html"] == render_chat(result)
    assert data["text/plain"].startswith("The answer is")

    exc = RateLimitError("slow", provider="openai", status=429)
    assert error_mimebundle(exc)["text/html"] == render_error(exc)
    view = ErrorView(exc)
    assert view._repr_mimebundle_(include=["text/plain"]) == {"text/plain": render_plain_error(exc)}
    assert set(view._repr_mimebundle_(exclude=["text/plain"])) == {"text/html"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeDisplay:
    """Stands in for IPython's display(..., display_id=True) and its handle."""

    def __init__(self) -> None:
        self.shown: list[dict[str, str]] = []
        self.displays = 0

    def __call__(self, obj: object) -> FakeDisplay:
        self.displays += 1
        self.shown.append(obj._repr_mimebundle_())  # type: ignore[attr-defined]
        return self

    def update(self, obj: object) -> None:
        self.shown.append(obj._repr_mimebundle_())  # type: ignore[attr-defined]


def live(clock: FakeClock, shown: FakeDisplay, **kw: object):  # type: ignore[no-untyped-def]
    from llmkit_nb.display import LiveChat

    return LiveChat(provider="anthropic", model="claude-sonnet-5-5", clock=clock, display_fn=shown, **kw)  # type: ignore[arg-type]


def test_live_chat_throttles_updates_and_always_renders_final_state() -> None:
    clock, shown = FakeClock(), FakeDisplay()
    view = live(clock, shown, min_interval=0.1)
    for i in range(100):  # 100 deltas over one simulated second
        clock.now = i * 0.01
        (view.add_thinking if i < 30 else view.add_text)(f"w{i} ")
    assert shown.displays == 1  # one output, updated in place
    assert 5 <= len(shown.shown) <= 11  # ~one render per 0.1 s, not one per delta
    assert "w99" not in shown.shown[-1]["text/html"]  # the last delta is still waiting for its tick
    final = make_result(parts=[TextPart(text="".join(f"w{i} " for i in range(30, 100)))])
    view.finish(final)
    assert len(shown.shown) <= 12
    assert shown.shown[-1]["text/html"] == render_chat(final)
    assert shown.displays == 1
    view.add_text("late")  # after finish nothing changes
    assert shown.shown[-1]["text/html"] == render_chat(final)


def test_live_chat_flush_shows_pending_delta_once_interval_passes() -> None:
    clock, shown = FakeClock(), FakeDisplay()
    view = live(clock, shown, min_interval=0.1)
    view.add_text("first ")
    clock.now = 0.05
    view.add_text("second")
    view.flush()
    assert len(shown.shown) == 1 and "second" not in shown.shown[-1]["text/html"]
    clock.now = 0.2
    view.flush()
    assert len(shown.shown) == 2 and "first second" in shown.shown[-1]["text/html"]
    view.flush()
    assert len(shown.shown) == 2  # nothing new, no re-render


def test_live_chat_reasoning_panel_open_then_collapsed() -> None:
    clock, shown = FakeClock(), FakeDisplay()
    view = live(clock, shown, min_interval=0.0, sandbox=True)
    view.add_thinking("pondering <script>x</script>")
    html = shown.shown[-1]["text/html"]
    assert "open" in reasoning_details(html)
    assert "SANDBOX" in html
    assert_inert(html)
    clock.now = 1.0
    view.add_text("Answer")
    html = shown.shown[-1]["text/html"]
    assert "open" not in reasoning_details(html)
    assert "Answer" in text_of(html) and "pondering" in text_of(html)


def test_live_chat_fail_keeps_what_arrived() -> None:
    clock, shown = FakeClock(), FakeDisplay()
    view = live(clock, shown, min_interval=10.0)
    view.add_text("partial words")
    view.add_text(" more")  # throttled
    view.fail(RateLimitError("overloaded <now>", provider="anthropic", status=429))
    final = shown.shown[-1]
    assert "RateLimitError" in final["text/plain"] and "partial words more" in final["text/plain"]
    text = text_of(final["text/html"])
    assert "overloaded <now>" in text and "partial words more" in text and "Incomplete" in text
    assert_inert(final["text/html"])


def test_live_chat_prints_deltas_in_order_outside_a_notebook() -> None:
    import io

    from llmkit_nb.display import LiveChat, in_notebook

    assert not in_notebook()
    out = io.StringIO()
    view = LiveChat(provider="anthropic", model="claude-sonnet-5-5", sandbox=True, out=out)
    assert not view.notebook
    for piece in ("Let me ", "think."):
        view.add_thinking(piece)
    assert out.getvalue() == "[thinking] Let me think."
    for piece in ("The answer", " is 42."):
        view.add_text(piece)
    view.finish(make_result(sandbox=True))
    lines = out.getvalue().split("\n")
    assert lines[0] == "[thinking] Let me think."
    assert lines[1] == ""
    assert lines[2] == "The answer is 42."
    assert lines[3].startswith("[sandbox] claude-sonnet-5-5 · anthropic")
    assert out.getvalue().count("[thinking]") == 1
    assert "\x1b[" not in out.getvalue()  # no colour codes into a non-terminal


def test_live_chat_dims_thinking_on_a_terminal_and_reports_failure() -> None:
    import io

    from llmkit_nb.display import LiveChat

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    view = LiveChat(provider="openai", model="gpt-6", sandbox=False, out=out, notebook=False)
    view.add_thinking("hmm")
    view.add_text("Half")
    view.fail(IncompleteStreamError("connection reset", provider="openai", partial=make_result()))
    value = out.getvalue()
    assert value.startswith("\x1b[2m[thinking] hmm\x1b[0m\n\nHalf\n")
    assert value.rstrip().endswith("connection reset")
    assert value.count("Half") == 1


def test_show_prints_readable_text_outside_a_notebook() -> None:
    import io

    from llmkit_nb.display import show

    out = io.StringIO()
    show(make_result(sandbox=True), out=out)
    show(RateLimitError("slow down", provider="openai", status=429), out=out)
    show("just a string", out=out)
    text = out.getvalue()
    assert text.startswith("The answer is **42**.\n")
    assert "[sandbox] claude-sonnet-5-5" in text
    assert "RateLimitError (provider openai, status 429): slow down" in text
    assert text.endswith("just a string\n")
    assert "<div" not in text


class FakeShell:
    """Just enough of an IPython shell: the real set_custom_exc, no kernel, no history file."""

    set_custom_exc = InteractiveShell.set_custom_exc

    def __init__(self) -> None:
        self.custom_exceptions: tuple[type[BaseException], ...] = ()
        self.reported: list[tuple[object, dict[str, object]]] = []

    def showtraceback(self, exc_tuple: object = None, **kw: object) -> None:
        self.reported.append((exc_tuple, kw))


def test_error_display_draws_a_panel_once_and_still_reports_the_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    import IPython.display

    from llmkit_nb.display import ErrorView, install_error_display

    drawn: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: drawn.append(obj))
    shell = FakeShell()
    assert install_error_display(shell) is True
    assert install_error_display(shell) is True  # idempotent
    try:
        raise RateLimitError("slow down", provider="openai", status=429)
    except RateLimitError:
        etype, value, tb = sys.exc_info()
    # IPython's run_code catches `shell.custom_exceptions` (subclasses included) and calls CustomTB
    assert issubclass(etype, shell.custom_exceptions)  # type: ignore[arg-type]
    shell.CustomTB(etype, value, tb)  # type: ignore[attr-defined]
    assert len(drawn) == 1 and isinstance(drawn[0], ErrorView) and drawn[0].exc is value
    # the panel is drawn AND the error is reported as an error (the kernel's `error` output: the cell fails)
    assert shell.reported == [((etype, value, tb), {"tb_offset": None, "exception_only": True})]

    # an error a live view already drew is not drawn a second time, but it is still reported
    live_view = live(FakeClock(), FakeDisplay())
    live_view.fail(value)  # type: ignore[arg-type]
    shell.CustomTB(etype, value, tb)  # type: ignore[attr-defined]
    assert len(drawn) == 1
    assert len(shell.reported) == 2


def test_error_display_leaves_someone_elses_handler_alone() -> None:
    from llmkit_nb.display import install_error_display

    shell = FakeShell()
    shell.custom_exceptions = (KeyError,)
    assert install_error_display(shell) is False
    assert shell.custom_exceptions == (KeyError,)
