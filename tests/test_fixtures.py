"""Every fixture file and fixture project, checked against its inline expectations."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_findings_match, expectations, lint_file, settings_for

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
PROJECTS = HERE / "projects"

single_files = sorted(FIXTURES.glob("*.py"))
project_files = sorted(p for p in PROJECTS.rglob("*.py"))


@pytest.mark.parametrize("path", single_files, ids=lambda p: p.name)
def test_fixture_file(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    findings = lint_file(path, settings_for(FIXTURES))
    assert_findings_match(path, findings, source)


@pytest.mark.parametrize("path", project_files, ids=lambda p: str(p.relative_to(PROJECTS)))
def test_fixture_project_file(path: Path) -> None:
    root = PROJECTS / path.relative_to(PROJECTS).parts[0]
    source = path.read_text(encoding="utf-8")
    findings = lint_file(path, settings_for(root))
    assert_findings_match(path, findings, source)


def test_fixtures_exist_and_have_markers() -> None:
    """Guard against a glob that silently matches nothing."""
    assert single_files and project_files
    marked = [p for p in single_files + project_files if expectations(p.read_text(encoding="utf-8"))]
    assert len(marked) >= 5
