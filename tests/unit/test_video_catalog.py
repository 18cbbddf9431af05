"""The media catalog and request checks: names, aliases, what each model takes, errors before sending."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.errors import InvalidParameterError, UnknownModelError
from providers.video.catalog import estimate_cost, list_media_models, media_model, parse_size
from providers.video.plan import plan

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _plan(name: str, prompt: str | None = "a fox in the snow", kind: str = "video", **kw):  # type: ignore[no-untyped-def]
    provider, _, model = name.partition("/")
    return plan(
        media_model(provider, model, kind), prompt, max_inline_bytes=kw.pop("max_bytes", 5_000_000), **kw
    )  # type: ignore[arg-type]


def test_rows_are_complete_and_consistent() -> None:
    rows = list_media_models()
    assert rows
    for m in rows:
        assert m.sources and m.title, m.name
        for size in (*m.sizes, *m.image_sizes, *m.size_durations):
            w, h, aspect = parse_size(size)
            assert w > 0 and h > 0 and not aspect, (m.name, size)
        if m.kind == "video" and m.known:
            assert m.durations and m.default_duration in m.durations, m.name
            assert m.sizes or m.image_sizes, m.name
        assert set(m.requires) <= set(m.inputs), m.name
    for provider in ("runware", "runwayml"):
        names = [n.lower() for m in list_media_models(provider) for n in (m.id, *m.aliases)]
        assert len(names) == len(set(names)), provider


def test_runware_carries_the_five_named_video_models_and_more() -> None:
    ids = {m.id for m in list_media_models("runware", "video")}
    assert {"runway:1@2", "klingai:5@3", "google:3@0", "google:3@1", "minimax:4@1"} <= ids
    assert len(ids) >= 5
    assert media_model("runware", "runway-gen-4.5", "video").id == "runway:1@2"
    assert media_model("runware", "Kling-2.0", "video").id == "klingai:4@3"


@pytest.mark.parametrize("name", ["pika-1.0", "leonardo-ultra", "hailuo-mini"])
def test_plan_names_runware_does_not_carry_list_what_it_does(name: str) -> None:
    with pytest.raises(UnknownModelError) as info:
        media_model("runware", name, "video")
    text = str(info.value)
    assert f"does not carry {name!r}" in text and "runway:1@2" in text and "minimax:4@1" in text


def test_unknown_names_error_but_unknown_air_ids_pass_through_marked() -> None:
    with pytest.raises(UnknownModelError, match="it carries: runway:1@2"):
        media_model("runware", "sora-9", "video")
    air = media_model("runware", "vidu:4@1", "video")
    assert not air.known
    req = _plan("runware/vidu:4@1", duration=7, size="1000x500")
    assert req.duration == 7 and req.size == "1000x500"
    assert any("not in the catalog" in n for n in req.notes)
    with pytest.raises(UnknownModelError, match="makes images, not videos"):
        media_model("runware", "flux-dev", "video")


def test_a_duration_the_model_does_not_take_lists_the_allowed_ones() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"runware/runway:1@2 takes a duration of 5, 8 or 10 seconds; got 7"
    ):
        _plan("runware/runway:1@2", duration=7)
    with pytest.raises(InvalidParameterError, match=r"2 to 10 seconds; got 12"):
        _plan("runwayml/gen4.5", duration=12)
    with pytest.raises(InvalidParameterError, match="at 1920x1080; got 10"):
        _plan("runware/hailuo-2.3", duration=10, size="1920x1080")
    assert _plan("runware/hailuo-2.3", duration=10, size="1366x768").duration == 10
    with pytest.raises(InvalidParameterError, match="number of seconds"):
        _plan("runware/runway:1@2", duration="5")


def test_a_size_the_model_does_not_take_lists_the_allowed_ones() -> None:
    with pytest.raises(
        InvalidParameterError, match="does not take size 1920x1080; it takes 1280x720, 720x1280"
    ):
        _plan("runwayml/gen4.5", size="1920x1080")
    assert _plan("runwayml/gen4.5", size="9:16").size == "720x1280"
    with pytest.raises(InvalidParameterError, match="16:9 fits several"):
        _plan("runware/veo-3", size="16:9")
    with pytest.raises(InvalidParameterError, match="no 4:3 size"):
        _plan("runwayml/gen4.5", size="4:3")
    # with an image, Runway's image_to_video takes more ratios than text_to_video
    assert _plan("runwayml/gen4.5", size="960:960", image="https://e.x/a.png").size == "960x960"
    with pytest.raises(InvalidParameterError, match="cannot read"):
        _plan("runwayml/gen4.5", size="big")


def test_image_models_take_a_range_of_sizes() -> None:
    assert _plan("runware/flux-dev", kind="image", size="640x384").size == "640x384"
    with pytest.raises(InvalidParameterError, match="from 128 to 2048 in steps of 64"):
        _plan("runware/flux-dev", kind="image", size="1000x1000")
    with pytest.raises(InvalidParameterError, match="duration= does not apply"):
        _plan("runware/flux-dev", kind="image", duration=5)


def test_inputs_the_model_does_not_take() -> None:
    with pytest.raises(InvalidParameterError, match=r"needs a first frame: pass image="):
        _plan("runware/runway-gen-4-turbo")
    with pytest.raises(
        InvalidParameterError, match="does not take a last frame; it takes a prompt and a first frame"
    ):
        _plan("runware/runway:1@2", image=("https://e.x/a.png", "https://e.x/b.png"))
    with pytest.raises(InvalidParameterError, match="needs reference images"):
        _plan("runwayml/gen4_image_turbo", kind="image")
    with pytest.raises(InvalidParameterError, match="pass a prompt"):
        _plan("runware/runway:1@2", prompt="  ")
    with pytest.raises(InvalidParameterError, match="either a frame image or a size"):
        _plan("runware/veo-3", image="https://e.x/a.png", size="1280x720")
    with pytest.raises(InvalidParameterError, match="makes no audio"):
        _plan("runware/runway:1@2", options={"audio": True})
    req = _plan("runware/veo-3", image="https://e.x/a.png")
    assert req.size is None and req.frames == {"first": "https://e.x/a.png"}


def test_images_from_files_and_bytes_become_data_urls(tmp_path: Path) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    req = _plan("runwayml/gen4.5", image=path)
    assert req.frames["first"].startswith("data:image/png;base64,")
    assert _plan("runwayml/gen4.5", image=str(path)).frames == req.frames
    with pytest.raises(InvalidParameterError, match="not a PNG, JPEG, WEBP or GIF"):
        _plan("runwayml/gen4.5", image=b"hello")
    with pytest.raises(InvalidParameterError, match="up to 100 bytes"):
        _plan("runwayml/gen4.5", image=PNG * 4, max_bytes=100)
    with pytest.raises(InvalidParameterError, match="file that exists"):
        _plan("runwayml/gen4.5", image="no/such/file.png")


def test_estimated_costs_follow_the_catalog_prices() -> None:
    hailuo = media_model("runware", "hailuo-2.3", "video")
    assert estimate_cost(hailuo, duration=10, width=1366, height=768) == 0.56
    veo = media_model("runware", "veo-3", "video")
    assert estimate_cost(veo, duration=8, width=1280, height=720) == 1.6
    assert estimate_cost(veo, duration=8, width=1280, height=720, audio=True) == 3.2
    runway = media_model("runwayml", "gen4.5", "video")
    assert estimate_cost(runway, duration=5, width=1280, height=720) == 0.6  # 12 credits/s at $0.01
    image = media_model("runwayml", "gen4_image", "image")
    assert estimate_cost(image, duration=None, width=1920, height=1080) == 0.08
    assert (
        estimate_cost(media_model("runware", "minimax-01", "video"), duration=6, width=1366, height=768)
        is None
    )
    assert _plan("runware/runway:1@2", duration=10).estimated_cost_usd == 1.2
