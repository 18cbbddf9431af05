"""Video and image generation end to end through the sandbox: LLMKit and AsyncClient, offline.

Sandbox jobs advance one step per poll, and the polling waits are set to zero here, so nothing in
these tests depends on the clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llmkit_nb import LLMKit
from llmkit_nb.media import ImageResponse, VideoResponse
from providers.client import AsyncClient
from providers.errors import (
    InvalidParameterError,
    JobCancelledError,
    JobFailedError,
    JobInterrupted,
    JobTimeoutError,
    ProviderUnavailable,
    ResultUnavailableError,
    UnknownModelError,
)
from providers.media_types import Job
from providers.sandbox import Fault
from providers.video.jobs import JobTiming
from tests.conftest import CANARY

NOW = JobTiming(first_s=0.0, factor=1.0, max_s=0.0, jitter=0.0)
PNG = (Path(__file__).resolve().parents[2] / "providers/sandbox/assets/sandbox_image.png").read_bytes()
TWO_MODELS = ["runware/runway:1@2", "runwayml/gen4.5"]


@pytest.fixture
def kit():  # type: ignore[no-untyped-def]
    k = LLMKit(sandbox=True)
    k.client.media.timing = NOW
    yield k
    k.close()


@pytest.fixture
def stepwise():  # type: ignore[no-untyped-def]
    """A kit whose loop runs the job step by step with the caller (loop="nest"), so an interrupt raised
    from on_progress lands exactly at that poll (the thread runner would have polled ahead)."""
    k = LLMKit(sandbox=True, loop="nest")
    k.client.media.timing = NOW
    yield k
    k.close()


def _stop_when_running(job: Job) -> None:
    if job.status == "running":
        raise KeyboardInterrupt


def _requests(kit: LLMKit) -> list[Any]:
    return list(kit.client.sandbox_app.requests)


@pytest.mark.parametrize("model", [*TWO_MODELS, "runware/kling-2.1-master", "runware/hailuo-2.3"])
def test_text_to_video_plays_a_real_mp4(kit: LLMKit, model: str) -> None:
    seen: list[Job] = []
    video = kit.generate_video(
        "A red fox runs through snow", model=model, progress=False, on_progress=seen.append
    )
    assert isinstance(video, VideoResponse)
    assert video.sandbox and video.data is not None and video.data[4:8] == b"ftyp"  # an MP4 file
    assert video.url.startswith("https://") and video.media_type == "video/mp4"
    assert video.width and video.height and video.duration_s
    assert video.cost_usd is not None and not video.cost_estimated  # what the provider reported
    assert "expire" in video.expires
    html = video._repr_mimebundle_()["text/html"]
    assert "<video controls" in html and 'src="data:video/mp4;base64,' in html and "SANDBOX" in html
    statuses = [j.status for j in seen]
    assert statuses[-1] == "succeeded" and "running" in statuses
    progress = [j.progress for j in seen if j.progress is not None]
    assert progress == sorted(progress) and len(set(progress)) >= 3  # it moved over several polls


def test_runwayml_goes_through_pending_throttled_running(kit: LLMKit) -> None:
    seen: list[Job] = []
    kit.generate_video("waves", model="runwayml/gen4.5", progress=False, on_progress=seen.append)
    raw = [j.raw_status for j in seen]
    assert raw[:4] == ["submitted", "PENDING", "THROTTLED", "RUNNING"] and raw[-1] == "SUCCEEDED"
    paths = [(r.method, r.path) for r in _requests(kit)]
    assert paths[0] == ("POST", "/v1/text_to_video") and ("GET", f"/v1/tasks/{seen[0].id}") in paths
    assert all(
        r.headers.get("x-runway-version") == "2024-11-06" for r in _requests(kit) if r.path.startswith("/v1")
    )


def test_image_to_video_sends_the_frame_on_both_providers(kit: LLMKit) -> None:
    runware = kit.generate_video("the fractal turns", model="runware/runway:1@2", image=PNG, progress=False)
    task = _requests(kit)[0].body[0]
    assert task["inputs"]["frameImages"][0]["frame"] == "first"
    assert task["inputs"]["frameImages"][0]["image"].startswith("data:image/png;base64,")
    assert runware.data is not None
    runway = kit.generate_video(
        "the fractal turns", model="runwayml/gen4.5", image=PNG, size="960x960", progress=False
    )
    create = next(r for r in _requests(kit) if r.path == "/v1/image_to_video")
    assert (
        create.body["promptImage"].startswith("data:image/png;base64,") and create.body["ratio"] == "960:960"
    )
    assert (runway.width, runway.height) == (960, 960)


def test_timeout_keeps_the_job_id_and_resume_finishes_it(kit: LLMKit) -> None:
    with pytest.raises(JobTimeoutError) as info:
        kit.generate_video("slow clouds", model="runwayml/gen4.5", timeout=0, progress=False)
    job_id = info.value.job_id
    assert job_id and job_id in str(info.value) and "video_job" in str(info.value)
    video = kit.video_job(job_id, progress=False)
    assert video.job_id == job_id and video.data is not None
    assert not any(
        r.method == "POST" and r.path == "/v1/text_to_video" for r in _requests(kit)[1:]
    )  # not resubmitted


def test_resume_by_id_in_a_fresh_kit_needs_the_model() -> None:
    first = LLMKit(sandbox=True)
    first.client.media.timing = NOW
    with pytest.raises(JobTimeoutError) as info:
        first.generate_video("slow clouds", model="runware/veo-3-fast", timeout=0, progress=False)
    job_id = info.value.job_id
    with pytest.raises(InvalidParameterError, match="name its model too"):
        first.client.media.jobs.clear() or first.video_job(job_id, progress=False)
    video = first.video_job(job_id, model="runware", progress=False)  # the provider is enough to poll
    assert video.job_id == job_id and video.model == "?"
    first.close()


def test_remote_failure_is_typed_with_the_job_id(kit: LLMKit) -> None:
    for model in TWO_MODELS:
        with pytest.raises(JobFailedError) as info:
            kit.generate_video("a forbidden scene [sandbox:fail]", model=model, progress=False)
        assert info.value.job_id and info.value.job_id in str(info.value) and info.value.code


def test_interrupt_cancels_the_runway_task_and_keeps_the_id(stepwise: LLMKit) -> None:
    with pytest.raises(JobInterrupted) as info:
        stepwise.generate_video(
            "a long take", model="runwayml/gen4.5", progress=False, on_progress=_stop_when_running
        )
    err = info.value
    assert isinstance(err, KeyboardInterrupt) and err.cancelled and err.job_id
    assert ("DELETE", f"/v1/tasks/{err.job_id}") in [(r.method, r.path) for r in _requests(stepwise)]
    with pytest.raises(JobCancelledError) as cancelled:
        stepwise.video_job(err.job_id, progress=False)
    assert cancelled.value.job_id == err.job_id


def test_interrupt_on_runware_leaves_it_running_and_resumable(stepwise: LLMKit) -> None:
    with pytest.raises(JobInterrupted) as info:
        stepwise.generate_video(
            "a long take", model="runware/runway:1@2", progress=False, on_progress=_stop_when_running
        )
    err = info.value
    assert not err.cancelled and "still running" in str(err) and f"kit.video_job({err.job_id!r})" in str(err)
    assert "no way to cancel" in str(err)
    assert stepwise.video_job(err.job_id, progress=False).job_id == err.job_id


def test_cancel_on_interrupt_can_be_turned_off(stepwise: LLMKit) -> None:
    with pytest.raises(JobInterrupted) as info:
        stepwise.generate_video(
            "x",
            model="runwayml/gen4.5",
            progress=False,
            on_progress=_stop_when_running,
            cancel_on_interrupt=False,
        )
    assert not info.value.cancelled
    assert not any(r.method == "DELETE" for r in _requests(stepwise))
    assert stepwise.video_job(info.value.job_id, progress=False).data is not None


def test_the_thread_runner_cancels_too(kit: LLMKit) -> None:
    # the default runner may have polled ahead of the interrupt; whatever it saw, the error says it
    with pytest.raises(JobInterrupted) as info:
        kit.generate_video(
            "a long take", model="runwayml/gen4.5", progress=False, on_progress=_stop_when_running
        )
    err = info.value
    deleted = ("DELETE", f"/v1/tasks/{err.job_id}") in [(r.method, r.path) for r in _requests(kit)]
    assert err.cancelled == deleted
    assert err.cancelled or "already finished" in str(err)


async def test_cancelling_the_coroutine_cancels_the_remote_task() -> None:
    import asyncio

    async with AsyncClient(sandbox=True) as client:
        client.media.timing = NOW
        task: asyncio.Task[Any] | None = None

        def cancel_when_running(job: Job) -> None:
            if job.status == "running" and task is not None:
                task.cancel()

        task = asyncio.ensure_future(
            client.generate_video("a long take", model="runwayml/gen4.5", on_progress=cancel_when_running)
        )
        with pytest.raises(asyncio.CancelledError):
            await task
        deletes = [r for r in client.sandbox_app.requests if r.method == "DELETE"]
        assert len(deletes) == 1
        job_id = deletes[0].path.rsplit("/", 1)[1]
        assert client.media.jobs[job_id].status == "running"  # the last poll it saw
        with pytest.raises(JobCancelledError):
            await client.video_job(job_id)


def test_bad_input_is_refused_before_anything_is_sent(kit: LLMKit) -> None:
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"model": "runware/runway:1@2", "duration": 7}, InvalidParameterError, "5, 8 or 10"),
        ({"model": "runwayml/gen4.5", "size": "1920x1080"}, InvalidParameterError, "1280x720, 720x1280"),
        ({"model": "runware/runway-gen-4-turbo"}, InvalidParameterError, "needs a first frame"),
        (
            {"model": "runwayml/gen4.5", "image": ["https://e.x/a.png", "https://e.x/b.png"]},
            InvalidParameterError,
            "last frame",
        ),
        ({"model": "runware/pika-1.0"}, UnknownModelError, "does not carry"),
        ({"model": "runware/leonardo-ultra"}, UnknownModelError, "runway:1@2"),
        ({"model": "diffusion_router/video-1"}, ProviderUnavailable, "no public API"),
    ]
    for kwargs, error, text in cases:
        with pytest.raises(error, match=text):
            kit.generate_video("a fox", progress=False, **kwargs)
    assert _requests(kit) == []


def test_an_expired_output_url_is_a_typed_error_with_the_job_id(kit: LLMKit) -> None:
    with pytest.raises(ResultUnavailableError) as info:
        kit.generate_video("a fox [sandbox:expired]", model="runware/hailuo-2.3", progress=False)
    assert info.value.status == 403 and info.value.job_id and info.value.url
    assert "expired" in str(info.value)


def test_an_unreachable_output_host_is_a_typed_error_with_the_job_id(kit: LLMKit) -> None:
    kit.client.sandbox_app.inject(Fault("503", provider="media_cdn"), times=3)  # every retry too
    with pytest.raises(ResultUnavailableError) as info:
        kit.generate_video("a fox", model="runwayml/gen4.5", progress=False)
    assert info.value.status == 503 and info.value.job_id


def test_output_urls_are_fetched_without_credentials(kit: LLMKit) -> None:
    kit.generate_video("a fox", model="runware/runway:1@2", progress=False)
    cdn = [r for r in _requests(kit) if r.path.startswith("/video/")]
    assert cdn and all("authorization" not in r.headers for r in cdn)
    assert all(CANARY not in str(r) for r in _requests(kit))


def test_images_through_the_same_jobs(kit: LLMKit, tmp_path: Path) -> None:
    for model in ("runware/flux-dev", "runwayml/gen4_image", "runware/runway:4@1"):
        image = kit.generate_image("a red apple", model=model, progress=False)
        assert (
            isinstance(image, ImageResponse) and image.data is not None and image.data.startswith(b"\x89PNG")
        )
        assert "<img" in image._repr_mimebundle_()["text/html"]
    saved = image.save(tmp_path)
    assert saved.parent == tmp_path and saved.read_bytes() == image.data


def test_save_writes_the_mp4(kit: LLMKit, tmp_path: Path) -> None:
    video = kit.generate_video("a fox", model="runware/veo-3", progress=False)
    path = video.save(tmp_path / "fox.mp4")
    assert path.read_bytes()[4:8] == b"ftyp" and path.read_bytes() == video.data


def test_progress_shows_as_lines_in_a_terminal(kit: LLMKit, capsys: pytest.CaptureFixture[str]) -> None:
    kit.generate_video("a fox", model="runwayml/gen4.5")
    lines = capsys.readouterr().out.splitlines()
    assert any("THROTTLED" in line for line in lines) and any("%" in line for line in lines)
    assert lines[-1].startswith("[sandbox] runwayml/gen4.5 job") and "succeeded" in lines[-1]


async def test_async_client_generates_and_resumes() -> None:
    async with AsyncClient(sandbox=True) as client:
        client.media.timing = NOW
        polls: list[str] = []
        video = await client.generate_video(
            "a fox", model="runware/minimax:4@1", on_progress=lambda j: polls.append(j.status)
        )
        assert video.data is not None and polls[-1] == "succeeded"
        with pytest.raises(JobTimeoutError) as info:
            await client.generate_video("a fox", model="runwayml/veo3.1_fast", timeout=0)
        resumed = await client.video_job(info.value.job_id)
        assert resumed.job_id == info.value.job_id
        image = await client.generate_image("an apple", model="runware/flux-dev", size="512x512")
        assert (image.width, image.height) == (512, 512)
