"""Conformance for video: the official SDKs against the sandbox server, and our requests against theirs.

1. runwayml 5.24.0 (the official SDK) pointed at the sandbox server parses every task state it sends,
   waits a task out with its own waiter, cancels and deletes, and raises its typed errors on refusals.
2. runware-sdk 1.8.0 (Runware's official Python SDK, REST transport) runs a videoInference task
   against the sandbox server: it polls getResponse until the result, and parses the refusals.
3. For the same call, our request equals the SDK's: RunwayML captured with an httpx MockTransport;
   Runware captured by a small local aiohttp server (the SDK speaks aiohttp). The Runware SDK passes
   task fields through as given, so what it pins for Runware is the envelope: URL, method, auth,
   content type and a one-task JSON array.
4. Our own client, in live mode, against the same server over real HTTP (output URL probed, not
   embedded, exactly as with the real providers).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx2
import pytest

runwayml = pytest.importorskip("runwayml")
runware = pytest.importorskip("runware")

from providers.client import AsyncClient  # noqa: E402
from providers.video.jobs import JobTiming  # noqa: E402
from tests.conformance.test_sdk_oracles import sandbox_url  # noqa: E402,F401  (the server fixture)
from tests.helpers import fixture_json  # noqa: E402

pytestmark = pytest.mark.conformance

NOW = JobTiming(first_s=0.0, factor=1.0, max_s=0.0, jitter=0.0)
KEY = "sk-video-conformance-1234"


@pytest.fixture
def runway(sandbox_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # noqa: F811
    import runwayml.lib.polling as polling

    monkeypatch.setattr(polling, "POLL_TIME", 0)  # the SDK's waiter sleeps 6 s +- 1.5 between polls
    monkeypatch.setattr(polling, "POLL_JITTER", 0)
    client = runwayml.RunwayML(api_key=KEY, base_url=f"{sandbox_url}/runwayml", max_retries=0)
    yield client
    client.close()


# --- 1. runwayml parses the sandbox ----------------------------------------------------------------


def test_runwayml_parses_every_task_state(runway: Any) -> None:
    from runwayml.types.task_retrieve_response import Pending, Running, Succeeded, Throttled

    created = runway.text_to_video.create(model="gen4.5", prompt_text="a fox", ratio="1280:720", duration=5)
    assert created.id and created.estimated_cost.credits == 60
    states = [runway.tasks.retrieve(created.id) for _ in range(6)]
    expected = [Pending, Throttled, Running, Running, Running, Succeeded]
    assert all(isinstance(s, kind) for s, kind in zip(states, expected, strict=True)), states
    assert [s.progress for s in states[2:5]] == sorted(s.progress for s in states[2:5])
    done = states[-1]
    assert done.output and done.cost.credits == 60 and done.created_at.year >= 2026
    assert httpx.get(done.output[0]).content[4:8] == b"ftyp"  # the output URL serves a real MP4


def test_runwayml_waiter_image_to_video_and_text_to_image(runway: Any) -> None:
    task = runway.image_to_video.create(
        model="gen4.5", prompt_image="https://example.com/a.png", prompt_text="x", ratio="960:960", duration=5
    )
    finished = task.wait_for_task_output()
    assert finished.status == "SUCCEEDED" and finished.output[0].endswith(".mp4")
    image = runway.text_to_image.create(model="gen4_image", prompt_text="a red apple", ratio="1024:1024")
    assert image.wait_for_task_output().output[0].endswith(".png")


def test_runwayml_cancel_delete_and_failure(runway: Any) -> None:
    from runwayml.lib.polling import TaskFailedError

    running = runway.text_to_video.create(model="veo3.1", prompt_text="x", ratio="1280:720", duration=4)
    runway.tasks.retrieve(running.id)
    runway.tasks.delete(running.id)
    assert runway.tasks.retrieve(running.id).status == "CANCELLED"
    done = runway.text_to_video.create(model="gen4.5", prompt_text="x", ratio="1280:720", duration=5)
    done.wait_for_task_output()
    runway.tasks.delete(done.id)
    with pytest.raises(runwayml.NotFoundError):
        runway.tasks.retrieve(done.id)
    failing = runway.text_to_video.create(
        model="gen4.5", prompt_text="x [sandbox:fail]", ratio="1280:720", duration=5
    )
    with pytest.raises(TaskFailedError) as info:
        failing.wait_for_task_output()
    assert info.value.task_details.failure_code == "SAFETY.INPUT.TEXT"


def test_runwayml_typed_errors(runway: Any, sandbox_url: str) -> None:  # noqa: F811
    with pytest.raises(runwayml.BadRequestError) as info:
        runway.text_to_video.create(model="gen4.5", prompt_text="x", ratio="960:960", duration=5)
    assert info.value.body["issues"][0]["path"] == ["ratio"]
    other = runwayml.RunwayML(
        api_key=KEY, base_url=f"{sandbox_url}/runwayml", runway_version="2099-01-01", max_retries=0
    )
    with pytest.raises(runwayml.BadRequestError):
        other.text_to_video.create(model="gen4.5", prompt_text="x", ratio="1280:720", duration=5)
    other.close()


def test_runwayml_types_accept_our_fixtures() -> None:
    from pydantic import TypeAdapter
    from runwayml.types import TaskRetrieveResponse

    adapter: TypeAdapter[Any] = TypeAdapter(TaskRetrieveResponse)
    for status, body in fixture_json("runwayml_tasks.json").items():
        assert adapter.validate_python(body).status == status


# --- 2. runware-sdk against the sandbox -------------------------------------------------------------


@pytest.fixture
def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    import runware.client as rc

    async def no_sleep(*_: Any, **__: Any) -> None:
        return None

    monkeypatch.setattr(
        rc, "_interruptible_sleep", no_sleep
    )  # the SDK waits 1 s, 0.5 s, x1.5... between polls


def _task(**kw: Any) -> dict[str, Any]:
    base = {
        "taskType": "videoInference",
        "model": "runway:1@2",
        "positivePrompt": "a fox",
        "width": 1280,
        "height": 720,
        "duration": 5,
        "includeCost": True,
    }
    return {**base, **kw}


async def test_runware_sdk_polls_the_sandbox_to_a_result(sandbox_url: str, no_waits: None) -> None:  # noqa: F811
    async with runware.Runware(
        api_key=KEY, transport="rest", http_base_url=f"{sandbox_url}/runware/v1"
    ) as rw:
        results = await rw.run(_task())
        assert len(results) == 1 and results[0]["status"] == "success" and results[0]["cost"] == 0.6
        async with httpx2.AsyncClient() as http:
            assert (await http.get(results[0]["videoURL"])).content[4:8] == b"ftyp"
        with pytest.raises(runware.RunwareError) as refused:
            await rw.run(_task(duration=7))
        assert refused.value.code == "validation" and refused.value.parameter == "duration"
        assert "5, 8, 10" in refused.value.message
        with pytest.raises(runware.RunwareError) as failed:
            await rw.run(_task(positivePrompt="a fox [sandbox:fail]"))
        assert failed.value.code == "safety" and "content moderation" in failed.value.message


# --- 3. our requests equal the SDKs' ---------------------------------------------------------------


class Captured:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json=self.body)


def _runway_capture(send: Any) -> httpx.Request:
    handler = Captured({"id": "t-1", "estimatedCost": {"credits": 1}})
    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = runwayml.RunwayML(api_key=KEY, max_retries=0, http_client=http)
    try:
        send(client)
    finally:
        client.close()
    assert len(handler.requests) == 1
    return handler.requests[0]


def _assert_same(ours: Any, theirs: httpx.Request) -> None:
    assert ours.method == theirs.method
    a, b = urlsplit(ours.url), urlsplit(str(theirs.url))
    assert (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path)
    headers = {k.lower(): v for k, v in ours.headers.items()}
    assert headers.get("authorization") == theirs.headers.get("authorization") == f"Bearer {KEY}"
    assert headers.get("x-runway-version") == theirs.headers.get("x-runway-version") == "2024-11-06"
    if ours.method == "POST":
        assert headers.get("content-type") == theirs.headers.get("content-type")
        assert ours.json_body == json.loads(theirs.content)
    else:
        assert ours.json_body is None and not theirs.content


RUNWAY_CASES: dict[str, tuple[dict[str, Any], Any]] = {
    "text_to_video": (
        {"model": "runwayml/gen4.5", "duration": 5, "size": "720x1280", "seed": 3},
        lambda c: c.text_to_video.create(
            model="gen4.5", prompt_text="a fox", ratio="720:1280", duration=5, seed=3
        ),
    ),
    "image_to_video": (
        {"model": "runwayml/gen4.5", "image": "https://example.com/a.png", "size": "960x960", "duration": 10},
        lambda c: c.image_to_video.create(
            model="gen4.5",
            prompt_image="https://example.com/a.png",
            prompt_text="a fox",
            ratio="960:960",
            duration=10,
        ),
    ),
    "first_and_last_frame": (
        {
            "model": "runwayml/veo3.1",
            "image": ("https://e.x/a.png", "https://e.x/b.png"),
            "duration": 6,
            "audio": False,
        },
        lambda c: c.image_to_video.create(
            model="veo3.1",
            prompt_image=[
                {"uri": "https://e.x/a.png", "position": "first"},
                {"uri": "https://e.x/b.png", "position": "last"},
            ],
            prompt_text="a fox",
            ratio="1280:720",
            duration=6,
            audio=False,
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(RUNWAY_CASES))
def test_our_runwayml_create_equals_the_sdks(case: str) -> None:
    kwargs, send = RUNWAY_CASES[case]
    ours = AsyncClient(api_keys={"runwayml": KEY}).media.prepare("a fox", kind="video", **kwargs).call
    _assert_same(ours, _runway_capture(send))


def test_our_runwayml_image_poll_and_cancel_equal_the_sdks() -> None:
    client = AsyncClient(api_keys={"runwayml": KEY})
    ours = client.media.prepare(
        "a red apple", model="runwayml/gen4_image", kind="image", size="1024x1024"
    ).call
    _assert_same(
        ours,
        _runway_capture(
            lambda c: c.text_to_image.create(model="gen4_image", prompt_text="a red apple", ratio="1024:1024")
        ),
    )
    from providers.registry import provider_spec
    from providers.video.runwayml import RunwayMLVideo

    conn = client.connection(provider_spec("runwayml"))
    _assert_same(RunwayMLVideo().poll("t-1", conn), _runway_capture(lambda c: c.tasks.retrieve("t-1")))
    theirs = _runway_capture(lambda c: c.tasks.delete("t-1"))
    ours_cancel = RunwayMLVideo().cancel("t-1", conn)
    _assert_same(ours_cancel, theirs)
    assert theirs.headers["accept"] == "*/*" == ours_cancel.headers["accept"]


async def test_our_runware_request_equals_the_sdks() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    seen: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(
            {"method": request.method, "path": request.path, "headers": dict(request.headers), "body": body}
        )
        task = body[0]
        return web.json_response(
            {
                "data": [
                    {
                        "taskType": task["taskType"],
                        "taskUUID": task["taskUUID"],
                        "status": "success",
                        "videoURL": "https://x/y.mp4",
                        "videoUUID": "v",
                    }
                ]
            }
        )

    app = web.Application()
    app.router.add_post("/v1", record)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        base = f"http://127.0.0.1:{server.port}/v1"
        client = AsyncClient(api_keys={"runware": KEY}, base_urls={"runware": base})
        prep = client.media.prepare(
            "a fox",
            model="runware/runway:1@2",
            kind="video",
            duration=8,
            size="1280x720",
            image="https://e.x/a.png",
            seed=5,
        )
        ours = json.loads(prep.call.content or b"")
        async with runware.Runware(api_key=KEY, transport="rest", http_base_url=base) as rw:
            await rw.run(dict(ours[0]))
    finally:
        await server.close()
    assert len(seen) == 1
    theirs = seen[0]
    assert prep.call.method == theirs["method"] == "POST"
    assert urlsplit(prep.call.url).path == theirs["path"] == "/v1"
    assert prep.call.headers["authorization"] == theirs["headers"]["Authorization"] == f"Bearer {KEY}"
    assert prep.call.headers["content-type"] == theirs["headers"]["Content-Type"] == "application/json"
    assert isinstance(theirs["body"], list) and theirs["body"] == ours  # one task, same fields
    assert ours[0]["deliveryMethod"] == "async" and ours[0]["inputs"]["frameImages"][0]["frame"] == "first"


# --- 4. our client, live mode, over real HTTP -------------------------------------------------------


async def test_our_client_over_http_in_live_mode(sandbox_url: str) -> None:  # noqa: F811
    client = AsyncClient(
        api_keys={"runware": KEY, "runwayml": KEY},
        base_urls={"runware": f"{sandbox_url}/runware/v1", "runwayml": f"{sandbox_url}/runwayml"},
    )
    client.media.timing = NOW
    async with client:
        for model in ("runware/runway:1@2", "runwayml/gen4.5"):
            video = await client.generate_video("a fox", model=model)
            assert not video.sandbox and video.data is None  # live mode: the URL is played, not embedded
            assert video.url.startswith(sandbox_url) and video.cost_usd == 0.6
        image = await client.generate_image("an apple", model="runwayml/gen4_image")
        assert image.url.endswith(".png")
        await asyncio.sleep(0)
