"""Fuzzing: generated programs through the engine, every rule on, the project index on.

The bar is no exception and no internal error: ``ABR_DEBUG=1`` makes an internal error
raise instead of being reported as "file skipped", so hypothesis shrinks it to a small
program. Bounded for CI (a few hundred examples, derandomised); ``scripts/fuzz.py``
runs the same generators for longer, and mutates real files too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402

from async_bridge.engine import check_source  # noqa: E402

from fuzz_programs import django_programs, project_files  # noqa: E402
from helpers import settings_for  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    for rel, text in project_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def lint(source: str, root: Path) -> None:
    """Run every rule on ``source`` as ``app/tasks.py`` of the project; raises on any error."""
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)  # the generator (or this Python) cannot parse it: not an engine input
    settings = settings_for(root, no_cache=True)
    check_source(source, str(root / "app" / "tasks.py"), settings)


@FUZZ
@given(source=django_programs())
def test_django_shaped_programs(source: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABR_DEBUG", "1")
    lint(source, project)


@settings(FUZZ, max_examples=60)
@given(source=hypothesmith.from_grammar())
def test_grammar_generated_programs(source: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABR_DEBUG", "1")
    lint(source, project)


@settings(FUZZ, max_examples=60)
@given(source=hypothesmith.from_node())
def test_node_generated_programs(source: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABR_DEBUG", "1")
    lint(source, project)


def test_the_generator_makes_parseable_programs_that_reach_the_rules(project: Path) -> None:
    """A fuzz run that only ever hit parse errors, or never a finding, would prove nothing."""
    from hypothesis import find

    found = find(django_programs(), lambda s: _parses(s) and bool(_findings(s, project)),
                 settings=settings(max_examples=300, database=None, derandomize=True,
                                   suppress_health_check=list(HealthCheck)))
    assert _findings(found, project)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def _findings(source: str, root: Path) -> list:
    return check_source(source, str(root / "app" / "tasks.py"), settings_for(root, no_cache=True))
