"""The recorded corpus itself: every file has its provenance, a permissive licence and no secrets."""

from __future__ import annotations

import json
import re

import httpx2

from . import corpus

LICENCES = {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause"}
SECRET = re.compile(
    r"(authorization|x-api-key|x-goog-api-key|api[_-]?key\"?\s*[:=]|bearer\s|cookie|set-cookie|sk-[a-z0-9]{8}|"
    r"openai-organization|openai-project|proj_[a-z0-9]{8}|@[a-z0-9-]+\.(com|org|io)\b)",
    re.IGNORECASE,
)


def test_every_file_is_in_the_manifest_once() -> None:
    listed: list[str] = []
    for rec in corpus.load():
        listed.append(rec.file)
        listed += [name for name in (rec.request, rec.next_request) if name]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    on_disk = {str(p.relative_to(corpus.ROOT)) for p in corpus.ROOT.rglob("*") if p.is_file()} - {
        "README.md",
        "manifest.json",
    }
    assert on_disk == set(listed)


def test_provenance_is_complete_and_permissive() -> None:
    for rec in corpus.load():
        source = rec.source
        assert set(source) == {"repo", "path", "commit", "licence"}, rec.file
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", source["repo"]), rec.file
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), rec.file
        assert source["licence"] in LICENCES, rec.file
        assert rec.recording.startswith(("live", "source fixture")), rec.file
        assert rec.changes and rec.model and rec.api, rec.file
        assert rec.format in ("json", "sse", "chunks"), rec.file


def test_the_readme_lists_every_file_with_its_source() -> None:
    readme = (corpus.ROOT / "README.md").read_text(encoding="utf-8")
    for rec in corpus.load():
        assert f"`{rec.file}`" in readme, rec.file
        assert rec.source["path"].rsplit("/", 1)[-1] in readme, rec.file


def test_bodies_are_well_formed() -> None:
    for rec in corpus.load():
        match rec.format:
            case "json":
                assert isinstance(rec.payload(), dict), rec.file
            case "chunks":
                assert rec.chunks(), rec.file
            case "sse":
                response = httpx2.Response(
                    200,
                    headers={"content-type": "text/event-stream"},
                    content=rec.wire(),
                    request=httpx2.Request("GET", "https://recorded.invalid/"),
                )
                events = list(httpx2.EventSource(response))
                assert events and all(json.loads(e.data) for e in events), rec.file
        if rec.request:
            assert isinstance(rec.recorded_request(), dict), rec.request
        if rec.next_request:
            assert isinstance(rec.recorded_next_request(), dict), rec.next_request


def test_no_secret_or_identifying_header_was_kept() -> None:
    """Only bodies are kept (no headers); nothing in them looks like a key, cookie, account or address."""
    for path in corpus.ROOT.rglob("*"):
        if path.is_file() and path.name not in ("README.md", "manifest.json"):
            hit = SECRET.search(path.read_text(encoding="utf-8"))
            assert hit is None, f"{path.name}: {hit.group(0) if hit else ''}"


def _protobuf_length_ok(blob: bytes) -> bool:
    """A serialized protobuf message that starts with a length-delimited field fills its length exactly
    (up to one trailing varint field, as Anthropic's redacted_thinking data has)."""
    if len(blob) < 3 or blob[0] != 0x12:
        return False
    length, shift, at = 0, 0, 1
    while blob[at] & 0x80:
        length |= (blob[at] & 0x7F) << shift
        shift, at = shift + 7, at + 1
    length |= blob[at] << shift
    end = at + 1 + length
    return end == len(blob) or (end + 2 == len(blob) and blob[end] == 0x18)


def test_copied_blobs_are_intact() -> None:
    """The long base64 blobs copied from pydantic-ai cassettes decode to whole protobuf messages."""
    import base64

    blobs: list[str] = []
    for name in ("gemini/pydantic_thinking_part.1.json", "gemini/pydantic_thinking_part.2.json"):
        parts = corpus.by_file(name).payload()["candidates"][0]["content"]["parts"]
        blobs += [p["thoughtSignature"] for p in parts if "thoughtSignature" in p]
    sse = corpus.by_file("anthropic/pydantic_redacted_stream.1.sse").text()
    blobs += re.findall(r'"type":"redacted_thinking","data":"([^"]+)"', sse)
    assert len(blobs) == 21
    for blob in blobs:
        assert _protobuf_length_ok(base64.b64decode(blob, validate=True)), blob[:16]
    # the follow-up request carries turn 1's signature URL-safe: the same bytes
    request = json.loads((corpus.ROOT / "gemini/pydantic_thinking_part.2.request.json").read_text())
    echoed = request["contents"][1]["parts"][1]["thoughtSignature"]
    assert base64.urlsafe_b64decode(echoed) == base64.b64decode(blobs[0])


# The content-length each cassette recorded for a body we re-serialized from its YAML: the file has
# exactly that many bytes (the API's and the SDK's own formatting), so no character was lost or added.
RECORDED_LENGTHS = {
    "openai_responses/pydantic_gpt5_thinking.1.json": 20017,
    "openai_responses/pydantic_gpt5_thinking.1.request.json": 190,
    "openai_responses/pydantic_gpt5_thinking.2.request.json": 18766,
    "tools/anthropic_pydantic_tool_thinking.1.request.json": 421,
    "tools/anthropic_pydantic_tool_thinking.1.json": 1851,
    "tools/anthropic_pydantic_tool_thinking.2.request.json": 2011,
    "tools/anthropic_pydantic_tool_thinking.2.json": 1085,
}


def test_re_serialized_bodies_have_the_recorded_content_length() -> None:
    for name, length in RECORDED_LENGTHS.items():
        assert (corpus.ROOT / name).stat().st_size == length, name


def _fernet_ok(token: str) -> bool:
    """An OpenAI encrypted_content is a Fernet token: version 0x80, 8-byte time, 16-byte IV, whole AES
    blocks, 32-byte HMAC."""
    import base64

    raw = base64.urlsafe_b64decode(token)
    return raw[0] == 0x80 and len(raw) >= 57 + 16 and (len(raw) - 57) % 16 == 0


def _length_prefixed_fields(blob: bytes) -> bool:
    """A Gemini 3 thoughtSignature: repeated length-delimited field 1, filling the blob exactly."""
    at = 0
    while at < len(blob):
        if blob[at] != 0x0A:
            return False
        length, shift, at = 0, 0, at + 1
        while blob[at] & 0x80:
            length |= (blob[at] & 0x7F) << shift
            shift, at = shift + 7, at + 1
        length |= blob[at] << shift
        at += 1 + length
    return at == len(blob)


def test_new_blobs_are_intact() -> None:
    """The encrypted reasoning copied from the gpt-5 cassette (and echoed in its next request), and the
    Vertex signatures that are protobuf messages, decode whole."""
    import base64

    response = corpus.by_file("openai_responses/pydantic_gpt5_thinking.1.json").payload()
    token = response["output"][0]["encrypted_content"]
    assert _fernet_ok(token)
    follow_up = json.loads(
        (corpus.ROOT / "openai_responses/pydantic_gpt5_thinking.2.request.json").read_text()
    )
    assert follow_up["input"][1]["encrypted_content"] == token
    codex = corpus.by_file("openai_responses/vercel_codex_reasoning_tool_stream.chunks.txt").text()
    tokens = re.findall(r'"encrypted_content":"([^"]+)"', codex)
    assert len(tokens) == 3 and len(set(tokens)) == 3 and all(_fernet_ok(t) for t in tokens)
    for name in (
        "vertex/vercel_stream_parallel_partial_args.chunks.txt",
        "vertex/vercel_stream_nested_partial_args.chunks.txt",
    ):
        first = corpus.by_file(name).chunks()[0]
        signature = first["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
        assert _length_prefixed_fields(base64.b64decode(signature, validate=True)), name
