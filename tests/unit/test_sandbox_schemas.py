"""The strict sandbox's request schemas: package data that matches what the installed SDKs generate,
loaded only when the sandbox first checks a request."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from providers.sandbox.validate import ENDPOINTS, load

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "providers" / "sandbox" / "schemas"
STEMS = sorted(p.stem for p in SCHEMAS.glob("*.json"))


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_sandbox_schemas", ROOT / "scripts" / "gen_sandbox_schemas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def committed(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / f"{stem}.json").read_text("utf-8"))
    return data


def test_every_provider_has_its_schema_file() -> None:
    assert STEMS == ["anthropic", "deepgram", "elevenlabs", "gemini", "mistral", "openai"]
    assert set(STEMS) == set(generator().GENERATORS)


@pytest.mark.parametrize("stem", STEMS)
def test_each_file_says_where_it_came_from(stem: str) -> None:
    source = committed(stem)["source"]
    assert source["sdk"] and source["version"] and source["types"] and source["spec"]
    assert source["generator"] == "scripts/gen_sandbox_schemas.py"
    assert len(source["generated"]) == 10 and source["generated"].startswith("20")


def test_committed_schemas_match_what_the_installed_sdks_generate() -> None:
    # a fresh process, as the generator is meant to run (see its docstring on typing's Literal cache)
    script = ROOT / "scripts" / "gen_sandbox_schemas.py"
    out = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, cwd=ROOT)
    lines = dict(line.split(": ", 1) for line in out.stdout.splitlines())
    assert set(lines) == set(STEMS), out.stderr
    checked = [stem for stem, state in lines.items() if not state.startswith("skipped")]
    stale = [stem for stem in checked if lines[stem] != "up to date"]
    assert not stale, f"run scripts/gen_sandbox_schemas.py {' '.join(stale)} and review the diff"
    assert out.returncode == 0
    if not checked:
        pytest.skip("no SDK at the version the schemas were generated from is installed")


def test_every_endpoint_the_app_checks_is_in_its_schema_file() -> None:
    for table in ENDPOINTS().values():
        for endpoint in table.values():
            assert endpoint.key in load(endpoint.schema).endpoints


def test_schemas_ship_as_package_data() -> None:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"sandbox/schemas/*.json"' in text


def test_schemas_load_on_first_use_and_never_import_an_sdk() -> None:
    code = (
        "import asyncio, sys, httpx2, providers.sandbox\n"
        "app = providers.sandbox.SandboxApp()\n"
        "print('providers.sandbox.validate' in sys.modules)\n"
        "async def go():\n"
        "    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)) as c:\n"
        "        r = await c.post('https://api.openai.com/v1/chat/completions', headers={'authorization': 'Bearer k'},\n"
        "                         json={'model': 'm', 'messages': [{'role': 'user', 'content': 'x'}], 'zz': 1})\n"
        "        print(r.status_code)\n"
        "asyncio.run(go())\n"
        "print('providers.sandbox.validate' in sys.modules)\n"
        "print(any(m in sys.modules for m in ('openai', 'anthropic', 'mistralai', 'google.genai', 'jsonschema')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "400", "True", "False"]
