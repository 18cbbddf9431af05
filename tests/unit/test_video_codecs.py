"""Video and image codecs, dict in / dict out: Runware task arrays and getResponse, RunwayML tasks."""

from __future__ import annotations

import json

import httpx2
import pytest

from providers.chat.base import Connection
from providers.credentials import Secret
from providers.errors import BadRequestError, PermissionDeniedError, ProviderUnavailable, StreamError
from providers.image.runware import RunwareImage
from providers.image.runwayml import RunwayMLImage
from providers.video.catalog import media_model
from providers.video.diffusion_router import DiffusionRouter
from providers.video.jobs import JobTiming
from providers.video.plan import plan
from providers.video.runware import RunwareVideo
from providers.video.runwayml import RunwayMLVideo
from tests.helpers import fixture_json

KEY = "rw-test-key-123456"
RUNWARE = Connection(provider="runware", base_url="https://api.runware.ai/v1", key=Secret(KEY))
RUNWAY = Connection(
    provider="runwayml", base_url="https://api.dev.runwayml.com", key=Secret(KEY), api_version="2024-11-06"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TASK = "24cd5dff-cb81-4db5-8506-b72a9425f9d1"


def _req(
    provider: str,
    name: str,
    prompt: str | None = "A cat playing with a ball of yarn",
    kind: str = "video",
    **kw,
):  # type: ignore[no-untyped-def]
    return plan(media_model(provider, name, kind), prompt, max_inline_bytes=5_000_000, **kw)  # type: ignore[arg-type]


# --- Runware ------------------------------------------------------------------------------------


def test_runware_task_matches_the_documented_example() -> None:
    doc = fixture_json("runware_video_task.json")[0]
    req = _req(
        "runware",
        "klingai:5@3",
        duration=10,
        size="1920x1080",
        options={"seed": 42, "negative_prompt": "blurry", "fps": 24},
    )
    call = RunwareVideo().submit(req, RUNWARE, job_id=TASK)
    body = json.loads(call.content or b"")
    assert isinstance(body, list) and len(body) == 1  # the body is always an array of tasks
    task = body[0]
    for key in (
        "taskType",
        "taskUUID",
        "model",
        "positivePrompt",
        "negativePrompt",
        "duration",
        "width",
        "height",
        "fps",
        "seed",
        "numberResults",
        "deliveryMethod",
        "outputType",
        "includeCost",
    ):
        assert task[key] == doc[key], key
    assert call.method == "POST" and call.url == "https://api.runware.ai/v1"
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.headers["content-type"] == "application/json"
    assert call.json_body is None


def test_runware_frames_go_where_the_model_takes_them() -> None:
    newer = _req("runware", "runway:1@2", image="https://example.com/first.jpg")
    task = RunwareVideo().task(newer, job_id=TASK)
    assert task["inputs"] == {"frameImages": [{"image": "https://example.com/first.jpg", "frame": "first"}]}
    assert "frameImages" not in task
    older = _req("runware", "minimax:1@1", image="https://example.com/first.jpg")
    task = RunwareVideo().task(older, job_id=TASK)
    assert task["frameImages"] == [{"inputImage": "https://example.com/first.jpg", "frame": "first"}]


def test_runware_inline_images_are_sent_whole_but_shown_short() -> None:
    req = _req("runware", "runway:1@2", image=PNG)
    call = RunwareVideo().submit(req, RUNWARE, job_id=TASK)
    sent_ref = json.loads(call.content or b"")[0]["inputs"]["frameImages"][0]["image"]
    assert sent_ref.startswith("data:image/png;base64,") and len(sent_ref) > 40
    shown = call.sent["inputs"]["frameImages"][0]["image"]
    assert shown.startswith("data:image/png;base64,…") and "bytes" in shown


def test_runware_audio_and_options_merge_into_provider_settings() -> None:
    req = _req(
        "runware", "veo-3", options={"audio": True, "providerSettings": {"google": {"enhancePrompt": True}}}
    )
    task = RunwareVideo().task(req, job_id=TASK)
    assert task["providerSettings"] == {"google": {"generateAudio": True, "enhancePrompt": True}}
    assert task["duration"] == 8 and (task["width"], task["height"]) == (1280, 720)


def test_runware_poll_is_a_get_response_task_for_the_same_uuid() -> None:
    call = RunwareVideo().poll(TASK, RUNWARE)
    assert json.loads(call.content or b"") == [{"taskType": "getResponse", "taskUUID": TASK}]
    assert RunwareVideo().cancel(TASK, RUNWARE) is None  # Runware has no cancel task


def test_runware_processing_then_success() -> None:
    codec = RunwareVideo()
    state = codec.parse_poll(fixture_json("runware_poll_processing.json"), job_id=TASK)
    assert (state.status, state.raw_status, state.progress) == ("running", "processing", None)
    job = "fc8f53de-cc6f-4188-b718-c811a106fece"
    done = codec.parse_poll(fixture_json("runware_poll_success.json"), job_id=job)
    assert done.status == "succeeded"
    assert done.outputs == [
        "https://vm.runware.ai/video/os/a17d13/ws/5/vi/6dba7728-9f04-40bf-bb0e-8c36b9aec934.mp4"
    ]
    assert (done.cost_usd, done.seed) == (0.965, 48281)


def test_runware_progress_and_statuses_from_the_sdk_tests() -> None:
    codec = RunwareVideo()
    state = codec.parse_poll({"data": [{"taskUUID": "u1", "imageUUID": "i1", "progress": 25}]}, job_id="u1")
    assert (state.status, state.progress) == ("running", 0.25)
    assert (
        codec.parse_poll({"data": [{"taskUUID": "u1", "status": "pending"}]}, job_id="u1").status == "queued"
    )
    assert codec.parse_poll({"data": []}, job_id="u1").status == "queued"
    other = {"data": [{"taskUUID": "someone-else", "status": "success", "videoURL": "https://x/y.mp4"}]}
    assert codec.parse_poll(other, job_id="u1").status == "queued"  # results are matched by taskUUID


def test_runware_failures_in_errors_and_in_items() -> None:
    codec = RunwareVideo()
    failed = codec.parse_poll(fixture_json("runware_poll_error.json"), job_id=TASK)
    assert (failed.status, failed.error_code, failed.error) == (
        "failed",
        "timeoutProvider",
        "Provider timeout",
    )
    item = {
        "data": [
            {
                "taskUUID": "u",
                "status": "error",
                "error": {"code": "inferenceError", "message": "one of N failed"},
            }
        ]
    }
    nested = codec.parse_poll(item, job_id="u")
    assert (nested.status, nested.error_code, nested.error) == ("failed", "inferenceError", "one of N failed")
    snake = {"errors": [{"error": True, "error_message": "boom", "task_uuid": "u", "error_code": "x1"}]}
    assert codec.parse_poll(snake, job_id="u").error == "boom"


def test_runware_submit_acknowledged_or_refused() -> None:
    codec = RunwareVideo()
    ack = codec.parse_submit({"data": [{"taskType": "videoInference", "taskUUID": TASK}]}, job_id=TASK)
    assert ack.job_id == TASK and ack.state is None
    body = fixture_json("runware_error_400.json")
    with pytest.raises(BadRequestError, match="Image width must be") as info:
        codec.parse_submit(body, job_id="019c42a0-c3ff-7138-be83-ee257abc5331")
    assert info.value.code == "invalidWidth"


def test_runware_http_error_names_the_code_and_parameter() -> None:
    raw = json.dumps(fixture_json("runware_error_400.json")).encode()
    err = RunwareVideo().parse_error("runware", 400, httpx2.Headers(), raw)
    assert isinstance(err, BadRequestError) and err.code == "invalidWidth"
    assert "width" in err.message and err.status == 400


def test_runware_image_inference_task() -> None:
    req = _req(
        "runware",
        "runway:4@1",
        prompt="a red apple",
        kind="image",
        size="1024x1024",
        image="https://e.x/r.png",
    )
    task = json.loads(RunwareImage().submit(req, RUNWARE, job_id=TASK).content or b"")[0]
    assert task["taskType"] == "imageInference" and task["deliveryMethod"] == "async"
    assert task["inputs"] == {"referenceImages": ["https://e.x/r.png"]}
    assert "duration" not in task and (task["width"], task["height"]) == (1024, 1024)
    state = RunwareImage().parse_poll(
        {
            "data": [
                {
                    "taskType": "imageInference",
                    "taskUUID": TASK,
                    "imageURL": "https://im.runware.ai/i.png",
                    "cost": 0.01,
                }
            ]
        },
        job_id=TASK,
    )
    assert state.status == "succeeded" and state.outputs == ["https://im.runware.ai/i.png"]


# --- RunwayML -----------------------------------------------------------------------------------


def test_runwayml_text_to_video_body_and_headers() -> None:
    req = _req("runwayml", "gen4.5", duration=5, size="720x1280", options={"seed": 7})
    call = RunwayMLVideo().submit(req, RUNWAY, job_id="ignored")
    assert call.method == "POST" and call.url == "https://api.dev.runwayml.com/v1/text_to_video"
    assert call.json_body == {
        "model": "gen4.5",
        "promptText": "A cat playing with a ball of yarn",
        "ratio": "720:1280",
        "duration": 5,
        "seed": 7,
    }
    assert call.headers["x-runway-version"] == "2024-11-06"
    assert call.headers["authorization"] == f"Bearer {KEY}"


def test_runwayml_image_to_video_first_and_last_frames() -> None:
    one = RunwayMLVideo().submit(_req("runwayml", "gen4.5", image="https://e.x/a.png"), RUNWAY, job_id="")
    assert one.url.endswith("/v1/image_to_video") and one.json_body is not None
    assert one.json_body["promptImage"] == "https://e.x/a.png" and one.json_body["ratio"] == "1280:720"
    both = _req("runwayml", "veo3.1", image={"first": "https://e.x/a.png", "last": "https://e.x/b.png"})
    body = RunwayMLVideo().body(both)
    assert body["promptImage"] == [
        {"uri": "https://e.x/a.png", "position": "first"},
        {"uri": "https://e.x/b.png", "position": "last"},
    ]
    assert body["duration"] == 8


def test_runwayml_poll_and_cancel_calls() -> None:
    codec = RunwayMLVideo()
    poll = codec.poll("abc", RUNWAY)
    assert (poll.method, poll.url) == ("GET", "https://api.dev.runwayml.com/v1/tasks/abc")
    assert poll.headers["x-runway-version"] == "2024-11-06" and poll.json_body is None
    cancel = codec.cancel("abc", RUNWAY)
    assert cancel is not None and (cancel.method, cancel.url) == (
        "DELETE",
        "https://api.dev.runwayml.com/v1/tasks/abc",
    )


@pytest.mark.parametrize(
    ("raw", "status", "progress"),
    [
        ("PENDING", "queued", None),
        ("THROTTLED", "queued", None),
        ("RUNNING", "running", 0.42),
        ("SUCCEEDED", "succeeded", None),
        ("FAILED", "failed", None),
        ("CANCELLED", "cancelled", None),
    ],
)
def test_runwayml_every_task_status(raw: str, status: str, progress: float | None) -> None:
    state = RunwayMLVideo().parse_poll(fixture_json("runwayml_tasks.json")[raw], job_id="x")
    assert (state.status, state.raw_status, state.progress) == (status, raw, progress)
    if raw == "SUCCEEDED":
        assert state.outputs and state.cost_credits == 60 and state.cost_usd == 0.6 and not state.estimated
    if raw == "RUNNING":
        assert state.estimated and state.cost_credits == 60
    if raw == "FAILED":
        assert state.error_code == "SAFETY.INPUT.TEXT" and "moderation" in (state.error or "")


def test_runwayml_documented_success_without_cost() -> None:
    state = RunwayMLVideo().parse_poll(fixture_json("runwayml_task_succeeded.json"), job_id="x")
    assert state.status == "succeeded" and state.outputs[0].startswith(
        "https://dnznrvs05pmza.cloudfront.net/"
    )
    assert state.cost_usd is None


def test_runwayml_submit_reply_and_errors() -> None:
    codec = RunwayMLVideo()
    sub = codec.parse_submit({"id": "t-1", "estimatedCost": {"credits": 60}}, job_id="")
    assert sub.job_id == "t-1" and sub.state is not None and sub.state.cost_usd == 0.6 and sub.state.estimated
    with pytest.raises(StreamError):
        codec.parse_submit({"nope": 1}, job_id="")
    err = codec.parse_error(
        "runwayml", 403, httpx2.Headers(), b'{"error": "Model variant gen4.5 is not available"}'
    )
    assert isinstance(err, PermissionDeniedError) and err.message == "Model variant gen4.5 is not available"
    issues = b'{"error": "Validation of body failed", "issues": [{"path": ["ratio"], "message": "Invalid enum value"}]}'
    assert "Invalid enum value" in codec.parse_error("runwayml", 400, httpx2.Headers(), issues).message


def test_runwayml_text_to_image_body() -> None:
    req = _req(
        "runwayml", "gen4_image_turbo", prompt="a red apple", kind="image", image=["https://e.x/r.png"]
    )
    call = RunwayMLImage().submit(req, RUNWAY, job_id="")
    assert call.url.endswith("/v1/text_to_image")
    assert call.json_body == {
        "model": "gen4_image_turbo",
        "promptText": "a red apple",
        "ratio": "1920:1080",
        "referenceImages": [{"uri": "https://e.x/r.png"}],
    }


# --- the rest -----------------------------------------------------------------------------------


def test_diffusion_router_refuses_every_operation() -> None:
    codec = DiffusionRouter()
    for op in (codec.submit, codec.poll, codec.cancel, codec.parse_submit, codec.parse_poll):
        with pytest.raises(ProviderUnavailable, match="no public API"):
            op()


def test_job_timing_backs_off_to_its_cap() -> None:
    timing = JobTiming(first_s=2.0, factor=1.5, max_s=10.0, jitter=0.0)
    assert [timing.delay(n) for n in (1, 2, 3, 4, 5, 9)] == [2.0, 3.0, 4.5, 6.75, 10.0, 10.0]
    jittered = JobTiming(first_s=2.0, jitter=0.1)
    assert all(1.8 <= jittered.delay(1) <= 2.2 for _ in range(50))
