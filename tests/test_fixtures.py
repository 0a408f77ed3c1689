"""Every fixture file and fixture project, checked against its inline expectations.

A fixture whose syntax needs a newer Python than the oldest supported one starts with
``# requires-python: 3.12``; it runs only where it parses, and is skipped, saying
so, elsewhere.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from helpers import assert_findings_match, expectations, lint_file, settings_for

from async_bridge.engine import check_tree

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
PROJECTS = HERE / "projects"

single_files = sorted(FIXTURES.glob("*.py"))
project_files = sorted(p for p in PROJECTS.rglob("*.py"))


REQUIRES_PYTHON = re.compile(r"#\s*requires-python:\s*(\d+)\.(\d+)\s*$")


def required_python(source: str) -> tuple[int, int]:
    """The ``# requires-python: X.Y`` of a fixture's first line ((3, 0) without one)."""
    match = REQUIRES_PYTHON.match(source.split("\n", 1)[0])
    return (int(match.group(1)), int(match.group(2))) if match else (3, 0)


def skip_unless_parses_here(source: str) -> None:
    needed = required_python(source)
    if sys.version_info[:2] < needed:
        pytest.skip(f"its syntax needs Python {needed[0]}.{needed[1]} (this is {sys.version_info[0]}."
                    f"{sys.version_info[1]})")


@pytest.mark.parametrize("path", single_files, ids=lambda p: p.name)
def test_fixture_file(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    skip_unless_parses_here(source)
    findings = lint_file(path, settings_for(FIXTURES))
    assert_findings_match(path, findings, source)


@pytest.mark.parametrize("path", project_files, ids=lambda p: str(p.relative_to(PROJECTS)))
def test_fixture_project_file(path: Path) -> None:
    root = PROJECTS / path.relative_to(PROJECTS).parts[0]
    source = path.read_text(encoding="utf-8")
    skip_unless_parses_here(source)
    findings = lint_file(path, settings_for(root))
    assert_findings_match(path, findings, source)


@pytest.mark.parametrize("path", single_files + project_files, ids=lambda p: str(p.relative_to(HERE)))
def test_text_gate_keeps_every_finding(path: Path) -> None:
    """Given its text, a file is checked only by the checks anchored in it
    (analysis/relevance.py); every check on it finds exactly the same."""
    root = FIXTURES if path.parent == FIXTURES else PROJECTS / path.relative_to(PROJECTS).parts[0]
    source = path.read_text(encoding="utf-8")
    skip_unless_parses_here(source)
    settings = settings_for(root)
    gated = check_tree(ast.parse(source), str(path), settings, source)
    everything = check_tree(ast.parse(source), str(path), settings)
    assert [(f.line, f.col, f.code, f.message) for f in gated] == \
        [(f.line, f.col, f.code, f.message) for f in everything]


def test_the_gate_skips_a_module_without_anchors() -> None:
    """A models module of plain Django runs no check at all; one `async def` brings the
    checks of async code back."""
    from async_bridge.engine import relevant_checks

    settings = settings_for(FIXTURES)
    plain = "from django.db import models\n\nclass Order(models.Model):\n    total = models.IntegerField()\n"
    assert relevant_checks(settings, plain) == []
    codes = {code for cls in relevant_checks(settings, plain + "\nasync def f():\n    pass\n") for code in cls.codes}
    assert {"ABR201", "ABR202", "ABR301"} <= codes
    assert "ABR210" not in codes and "ABR402" not in codes


def test_fixtures_exist_and_have_markers() -> None:
    """Guard against a glob that silently matches nothing."""
    assert single_files and project_files
    marked = [p for p in single_files + project_files if expectations(p.read_text(encoding="utf-8"))]
    assert len(marked) >= 5


def test_version_gated_fixtures_really_need_their_version() -> None:
    """A marker must be honest: the file parses on its version and not on the one before."""
    import ast

    gated = [(p, required_python(p.read_text(encoding="utf-8"))) for p in single_files + project_files]
    gated = [(p, v) for p, v in gated if v != (3, 0)]
    assert gated, "no fixture exercises newer syntax"
    for path, (major, minor) in gated:
        if sys.version_info[:2] == (major, minor - 1):
            with pytest.raises(SyntaxError):
                ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        elif sys.version_info[:2] >= (major, minor):
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
