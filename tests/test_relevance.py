"""The text gate (analysis/relevance.py): a library's API the analysis knows by its
qualified name is anchored by the library's name, which every import of it holds; a
common leaf (``run``, ``sleep``, ``Queue``) alone walks nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from async_bridge.analysis.relevance import Anchors
from async_bridge.config import Settings, project_index
from async_bridge.engine import check_source, relevant_checks
from async_bridge.index.source_names import scan_file
from async_bridge.knowledge import builtin


@pytest.fixture
def settings(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    project_index.cache_clear()
    yield Settings(project_root=str(tmp_path), enable=frozenset(builtin().rules), no_cache=True)
    project_index.cache_clear()


def _codes(settings: Settings, text: str) -> set[str]:
    return {code for cls in relevant_checks(settings, text) for code in cls.codes}


@pytest.mark.parametrize("text", [
    "import subprocess\nsubprocess.run(['ls'])\n",
    "def job(session):\n    session.run('pytest')\n",
    "import time\ntime.sleep(1)\nthreading.Event().wait()\n",
    "import queue\nJOBS = queue.Queue()\nLOCK = threading.Lock()\n",
])
def test_a_common_leaf_alone_anchors_no_loop_or_awaitable_check(settings: Settings, text: str) -> None:
    assert _codes(settings, text) & {"ABR101", "ABR102", "ABR104", "ABR105", "ABR106", "ABR401", "ABR402"} == set()


@pytest.mark.parametrize("text, code", [
    ("import asyncio\ndef job():\n    asyncio.run(main())\n", "ABR106"),
    ("from asyncio import run as go\ndef job():\n    go(main())\n", "ABR106"),
    ("import asyncio as aio\ndef job():\n    aio.sleep(1)\n", "ABR401"),
    ("from asyncio import Queue\nJOBS = Queue()\n", "ABR402"),
    ("from redis.asyncio import Redis\nCLIENT = Redis()\n", "ABR402"),
])
def test_every_import_of_the_library_anchors_its_checks(settings: Settings, text: str, code: str) -> None:
    assert code in _codes(settings, text)


def test_the_findings_behind_those_anchors_are_still_reported(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "app" / "jobs.py"
    text = "from asyncio import Queue, sleep as nap\nJOBS = Queue()\n\ndef tick():\n    nap(1)\n"
    path.write_text(text)
    found = [(f.line, f.col + 1, f.code) for f in check_source(text, str(path), settings)]
    assert found == [(2, 8, "ABR402"), (5, 5, "ABR401")]


def test_a_project_package_of_that_name_keeps_the_leaf() -> None:
    """``from .loops import run`` inside the project's own ``tools`` package names no
    package: knowledge naming ``tools.loops.run`` must anchor on ``run`` there."""

    class Gate:
        awaitable = runner_candidates = bridge_candidates = frozenset()

    knowledge = builtin()
    library = Anchors(knowledge, Gate())  # type: ignore[arg-type]  # a stand-in scan
    assert "run" not in library.loop_runs and "asyncio" in library.loop_runs
    assert "sleep" not in library.awaitables and "Queue" not in library.loop_bound_types
    own = Anchors(knowledge, Gate(), local=lambda module: module == "asyncio")  # type: ignore[arg-type]
    assert {"run"} <= own.loop_runs and "sleep" in own.awaitables and "Queue" in own.loop_bound_types


@pytest.mark.parametrize("text, runners", [
    ("import asyncio\ndef a(c):\n    return asyncio.run(c)\ndef b(s):\n    s.run('x')\n", ("a",)),
    ("import asyncio as aio, os\ndef a(c):\n    aio.run(c)\ndef b():\n    subprocess.run(1)\n", ("a",)),
    ("from asyncio import (\n    sleep,\n    run as go,\n)\ndef a(c):\n    go(c)\ndef b():\n    run(1)\n", ("a",)),
    ("from asyncio import runners\ndef a(c):\n    runners.run(c)\n", ("a",)),
    ("import asyncio.runners as r\ndef a(c):\n    r.run(c)\n", ("a",)),
    ("from asyncio.runners import run\ndef a(c):\n    run(c)\n", ("a",)),
    ("from asyncio import *\ndef a(c):\n    run(c)\n", ("a",)),
    ("def a(loop, c):\n    loop.run_until_complete(c)\n", ("a",)),
    ("import os, \\\n    asyncio as aio\ndef a(c):\n    aio.run(c)\n", ("a",)),
    ("from asyncio import sleep, \\\n    run as go\ndef a(c):\n    go(c)\n", ("a",)),
    ("import asyncio\n\ndef test(session):\n    session.run('pytest')\n\ndef docs(c):\n    c.run('make')\n", ()),
])
def test_a_runner_candidate_runs_asyncio_however_the_file_spells_it(text: str, runners: tuple[str, ...]) -> None:
    """A def is a runner candidate (a name that anchors the loop checks everywhere) only
    when its text runs a loop: a nox session's ``session.run`` in a file that also
    imports asyncio makes ``test`` no anchor."""
    assert scan_file(text.encode()).runners == runners
