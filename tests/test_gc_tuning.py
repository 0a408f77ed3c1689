"""The collector settings of a lint run: no collection while a file is checked."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest
from helpers import settings_for

from async_bridge.engine import check_tree
from async_bridge.gc_tuning import collector_paused


@pytest.fixture
def collector_on() -> object:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_and_back_after_an_error(collector_on: object) -> None:
    with pytest.raises(ZeroDivisionError):
        with collector_paused():
            assert not gc.isenabled()
            1 / 0
    assert gc.isenabled()


def test_left_off_when_someone_switched_it_off(collector_on: object) -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()


def test_a_file_is_checked_with_the_collector_paused(collector_on: object, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from async_bridge.checks import base

    seen: list[bool] = []
    original = base.run_checks

    def spying(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr("async_bridge.engine.run_checks", spying)
    source = "import asyncio\n\nasync def f():\n    asyncio.sleep(1)\n"
    path = tmp_path / "m.py"
    path.write_text(source)
    found = check_tree(ast.parse(source), str(path), settings_for(tmp_path), source)
    assert [(f.line, f.col + 1, f.code) for f in found] == [(4, 5, "ABR401")]
    assert seen == [False]
    assert gc.isenabled()
