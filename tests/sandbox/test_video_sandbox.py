"""The Runware and RunwayML emulators at the HTTP level: auth, refusals, the per-poll lifecycle, files."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2
import pytest

from providers.asgi_transport import StreamingASGITransport
from providers.sandbox import SandboxApp

RUNWARE = "https://api.runware.ai/v1"
RUNWAY = "https://api.dev.runwayml.com"
AUTH = {"authorization": "Bearer sk-sandbox-test"}
RUNWAY_HEADERS = {**AUTH, "x-runway-version": "2024-11-06"}


@pytest.fixture
async def http():  # type: ignore[no-untyped-def]
    app = SandboxApp()
    async with httpx2.AsyncClient(transport=StreamingASGITransport(app)) as client:
        yield client


def _task(**kw: Any) -> dict[str, Any]:
    base = {
        "taskType": "videoInference",
        "taskUUID": str(uuid.uuid4()),
        "model": "runway:1@2",
        "positivePrompt": "a fox",
        "width": 1280,
        "height": 720,
        "duration": 5,
        "deliveryMethod": "async",
    }
    return {**base, **kw}


async def test_runware_needs_a_key_and_an_array(http: httpx2.AsyncClient) -> None:
    r = await http.post(RUNWARE, json=[_task()])
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "invalidApiKey"
    # the key may also come as an authentication task first in the array
    r = await http.post(RUNWARE, json=[{"taskType": "authentication", "apiKey": "k"}, _task()])
    assert r.status_code == 200 and r.json()["data"][1]["taskType"] == "videoInference"
    r = await http.post(RUNWARE, json=_task(), headers=AUTH)
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "invalidPayload"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"duration": 7}, "invalidDuration"),
        ({"width": 1920, "height": 1080}, "invalidDimensions"),
        ({"deliveryMethod": "sync"}, "invalidDeliveryMethod"),
        ({"taskUUID": "not-a-uuid"}, "invalidTaskUUID"),
        ({"positivePrompt": None}, "missingPositivePrompt"),
    ],
)
async def test_runware_refusals_come_back_in_errors(
    http: httpx2.AsyncClient, change: dict[str, Any], code: str
) -> None:
    r = await http.post(RUNWARE, json=[_task(**change)], headers=AUTH)
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["code"] == code and error["message"] and "parameter" in error


async def test_runware_job_moves_one_step_per_poll(http: httpx2.AsyncClient) -> None:
    task = _task()
    ack = (await http.post(RUNWARE, json=[task], headers=AUTH)).json()
    assert ack == {"data": [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]}
    seen = []
    for _ in range(6):
        poll = (
            await http.post(
                RUNWARE, json=[{"taskType": "getResponse", "taskUUID": task["taskUUID"]}], headers=AUTH
            )
        ).json()
        seen.append(poll["data"][0])
    assert [s["status"] for s in seen] == ["processing"] * 5 + ["success"]
    assert [s["progress"] for s in seen[:5]] == sorted(s["progress"] for s in seen[:5])
    done = seen[-1]
    assert done["videoURL"].startswith("https://vm.runware.ai/") and done["cost"] == 0.6
    video = await http.get(done["videoURL"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp" and 1000 < len(video.content) < 50_000


async def test_runware_failed_generation_is_in_errors_with_200(http: httpx2.AsyncClient) -> None:
    task = _task(positivePrompt="x [sandbox:fail]")
    await http.post(RUNWARE, json=[task], headers=AUTH)
    polls = [
        await http.post(
            RUNWARE, json=[{"taskType": "getResponse", "taskUUID": task["taskUUID"]}], headers=AUTH
        )
        for _ in range(4)
    ]
    last = polls[-1]
    assert last.status_code == 200 and last.json()["errors"][0]["status"] == "error"
    unknown = await http.post(
        RUNWARE, json=[{"taskType": "getResponse", "taskUUID": str(uuid.uuid4())}], headers=AUTH
    )
    assert unknown.json()["errors"][0]["code"] == "taskFailedOrNotFound"


async def test_runwayml_needs_the_version_header(http: httpx2.AsyncClient) -> None:
    body = {"model": "gen4.5", "promptText": "a fox", "ratio": "1280:720", "duration": 5}
    r = await http.post(f"{RUNWAY}/v1/text_to_video", json=body, headers=AUTH)
    assert r.status_code == 400 and "X-Runway-Version" in r.json()["error"]
    r = await http.post(f"{RUNWAY}/v1/text_to_video", json=body)
    assert r.status_code == 401
    r = await http.post(
        f"{RUNWAY}/v1/text_to_video", json={**body, "ratio": "960:960"}, headers=RUNWAY_HEADERS
    )
    assert r.status_code == 400 and r.json()["issues"][0]["path"] == ["ratio"]
    r = await http.post(
        f"{RUNWAY}/v1/text_to_video", json={**body, "model": "gen4_turbo"}, headers=RUNWAY_HEADERS
    )
    assert r.status_code == 400


async def test_runwayml_task_lifecycle_and_delete(http: httpx2.AsyncClient) -> None:
    body = {"model": "gen4.5", "promptText": "a fox", "ratio": "1280:720", "duration": 5}
    created = (await http.post(f"{RUNWAY}/v1/text_to_video", json=body, headers=RUNWAY_HEADERS)).json()
    assert created["estimatedCost"] == {"credits": 60.0}
    url = f"{RUNWAY}/v1/tasks/{created['id']}"
    states = [(await http.get(url, headers=RUNWAY_HEADERS)).json() for _ in range(6)]
    assert [s["status"] for s in states] == [
        "PENDING",
        "THROTTLED",
        "RUNNING",
        "RUNNING",
        "RUNNING",
        "SUCCEEDED",
    ]
    assert states[-1]["cost"] == {"credits": 60} and states[-1]["createdAt"].endswith("Z")
    gone = await http.delete(url, headers=RUNWAY_HEADERS)
    assert gone.status_code == 204 and gone.content == b""
    assert (await http.get(url, headers=RUNWAY_HEADERS)).status_code == 404
    second = (await http.post(f"{RUNWAY}/v1/text_to_video", json=body, headers=RUNWAY_HEADERS)).json()
    url = f"{RUNWAY}/v1/tasks/{second['id']}"
    await http.get(url, headers=RUNWAY_HEADERS)
    assert (await http.delete(url, headers=RUNWAY_HEADERS)).status_code == 204
    cancelled = (await http.get(url, headers=RUNWAY_HEADERS)).json()
    assert cancelled["status"] == "CANCELLED" and cancelled["cost"] == {"credits": 0}


async def test_each_app_keeps_its_own_jobs() -> None:
    body = {"model": "gen4.5", "promptText": "a fox", "ratio": "1280:720", "duration": 5}
    apps = [SandboxApp(), SandboxApp()]
    clients = [httpx2.AsyncClient(transport=StreamingASGITransport(a)) for a in apps]
    try:
        created = (
            await clients[0].post(f"{RUNWAY}/v1/text_to_video", json=body, headers=RUNWAY_HEADERS)
        ).json()
        other = await clients[1].get(f"{RUNWAY}/v1/tasks/{created['id']}", headers=RUNWAY_HEADERS)
        assert other.status_code == 404
        apps[0].reset()
        again = await clients[0].get(f"{RUNWAY}/v1/tasks/{created['id']}", headers=RUNWAY_HEADERS)
        assert again.status_code == 404
    finally:
        for c in clients:
            await c.aclose()
