"""Video/image display: the player, the facts under it, hostile strings, and live job progress."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

from llmkit_nb.display.media import render_job, render_media, render_plain_media, safe_src
from llmkit_nb.media import LiveJob
from providers.errors import JobFailedError
from providers.media_types import Image, Job, Video

MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _video(**kw: Any) -> Video:
    base: dict[str, Any] = dict(
        provider="runwayml",
        model="gen4.5",
        job_id="job-1",
        url="https://dnznrvs05pmza.cloudfront.net/v.mp4?_jwt=abc",
        width=1280,
        height=720,
        duration_s=5,
        cost_usd=0.6,
        cost_credits=60,
        elapsed_s=42.0,
        polls=7,
        expires="RunwayML output URLs expire within 24-48 hours: download with .save(path)",
    )
    base.update(kw)
    return Video(**base)


def test_video_plays_the_provider_url_with_its_facts() -> None:
    html = render_media(_video())
    videos = [a for t, a in tags(html) if t == "video"]
    assert len(videos) == 1 and "controls" in videos[0]
    assert videos[0]["src"] == "https://dnznrvs05pmza.cloudfront.net/v.mp4?_jwt=abc"
    for fact in (
        "runwayml/gen4.5",
        "5 s",
        "1280×720",
        "$0.60",
        "60 credits",
        "42.0 s",
        "expire within 24-48 hours",
        "job-1",
    ):
        assert fact in html, fact
    assert "SANDBOX" not in html
    assert "script" not in html.lower().replace("description", "")


def test_sandbox_video_embeds_its_bytes_and_says_so() -> None:
    html = render_media(_video(data=MP4, sandbox=True, url="https://vm.runware.ai/video/x.mp4"))
    src = next(a for t, a in tags(html) if t == "video")["src"] or ""
    assert src.startswith("data:video/mp4;base64,")
    assert "SANDBOX" in html
    assert render_plain_media(_video(sandbox=True)).startswith("[sandbox] video: https://")


def test_estimated_cost_is_marked_as_such() -> None:
    assert "~$0.60 estimated" in render_media(_video(cost_estimated=True, cost_credits=None))
    assert "cost not reported" in render_media(_video(cost_usd=None, cost_credits=None))


def test_hostile_provider_strings_stay_inert() -> None:
    evil = "<script>alert(1)</script>"
    html = render_media(
        _video(
            model=evil,
            job_id=evil,
            url="javascript:alert(1)",
            poster_url="data:image/svg+xml;base64,PHN2Zz4=",
            notes=[evil],
            sent={"promptText": evil},
        )
    )
    assert evil not in html and "&lt;script&gt;" in html
    assert not any(t == "video" for t, _ in tags(html))  # no player for a javascript: URL
    for _, attrs in tags(html):
        for value in attrs.values():
            assert not (value or "").lower().startswith(("javascript:", "data:image/svg"))
    assert safe_src("data:text/html;base64,AAAA", "video") is None
    assert safe_src("data:image/svg+xml;base64,AAAA", "image") is None
    assert safe_src("data:image/png;base64,AAAA", "image") == "data:image/png;base64,AAAA"


def test_image_renders_as_an_img() -> None:
    image = Image(provider="runware", model="runware:101@1", job_id="j", url="https://im.runware.ai/i.png")
    found = [a for t, a in tags(render_media(image)) if t == "img"]
    assert found and found[0]["src"] == "https://im.runware.ai/i.png"


def test_job_progress_bar_is_determinate_only_with_a_percentage() -> None:
    job = Job(
        id="j",
        provider="runwayml",
        model="gen4.5",
        status="running",
        raw_status="RUNNING",
        progress=0.5,
        polls=3,
        elapsed_s=12,
        estimated_cost_usd=0.6,
    )
    bar = next(a for t, a in tags(render_job(job)) if t == "progress")
    assert bar["value"] == "0.500" and bar["max"] == "1"
    assert (
        "50%" in render_job(job)
        and "~$0.60 estimated" in render_job(job)
        and "12.0 s elapsed" in render_job(job)
    )
    waiting = job.model_copy(update={"progress": None, "raw_status": "processing"})
    bar = next(a for t, a in tags(render_job(waiting)) if t == "progress")
    assert "value" not in bar  # indeterminate: the provider reports no percentage


class _Handle:
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def update(self, obj: Any) -> None:
        self.log.append(("update", obj))


def test_live_job_updates_one_display_in_place() -> None:
    log: list[Any] = []

    def display(obj: Any) -> _Handle:
        log.append(("display", obj))
        return _Handle(log)

    clock = [0.0]
    view = LiveJob(display_fn=display, clock=lambda: clock[0])
    job = Job(id="j", provider="runware", model="runway:1@2", status="queued")
    view.update(job)
    view.update(job.model_copy(update={"status": "running", "progress": 0.4, "polls": 1}))
    view.tick()  # under a second since the last poll: nothing new
    clock[0] = 2.5
    view.tick()
    view.finish(_video())
    kinds = [k for k, _ in log]
    assert kinds == ["display", "update", "update", "update"]
    assert "40%" in log[1][1].bundle["text/html"]
    assert "2.5 s elapsed" in log[2][1].bundle["text/html"]
    assert "done" in log[3][1].bundle["text/html"]


def test_live_job_in_a_terminal_prints_progress_lines_and_errors() -> None:
    out = io.StringIO()
    view = LiveJob(notebook=False, out=out)
    job = Job(id="j", provider="runware", model="runway:1@2", status="queued")
    view.update(job)
    view.update(job)  # unchanged: not printed twice when the stream is not a terminal
    view.update(job.model_copy(update={"status": "running", "progress": 0.5, "polls": 1}))
    err = JobFailedError("runware/runway:1@2 job j failed: moderation", job_id="j", provider="runware")
    view.fail(err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and "50%" in lines[1] and lines[2].startswith("JobFailedError")


def test_live_job_in_a_notebook_leaves_the_error_panel_to_show() -> None:
    log: list[Any] = []

    def display(obj: Any) -> _Handle:
        log.append(("display", obj))
        return _Handle(log)

    view = LiveJob(display_fn=display)
    view.update(Job(id="j", provider="runwayml", model="gen4.5", status="failed", raw_status="FAILED"))
    err = JobFailedError("runwayml/gen4.5 job j failed: moderation", job_id="j", provider="runwayml")
    view.fail(err)
    final = log[-1][1].bundle["text/html"]
    assert "failed · " in final and "JobFailedError" in final and 'class="llmkit-error"' not in final
    assert not getattr(err, "_llmkit_displayed", False)  # show(err) or the notebook's handler draws the panel
