"""Fix whole projects (the fixture projects and the example application): everything still
parses, a second run changes nothing, and no finding appears that was not there before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fix_helpers import new_findings_in_project, scan_project

from async_bridge import cli

HERE = Path(__file__).parent
PROJECTS = [*sorted(p for p in (HERE / "projects").iterdir() if p.is_dir()), HERE.parent / "examples"]


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_fix_round_trip_adds_no_finding(project: Path, tmp_path, monkeypatch, capsys):
    copy = tmp_path / project.name
    shutil.copytree(project, copy, symlinks=True)
    before = scan_project(copy)
    monkeypatch.chdir(copy)
    assert cli.main(["fix", "--project-root", ".", "."]) == 0
    capsys.readouterr()
    after = scan_project(copy)
    assert new_findings_in_project(before, after) == {}
    assert cli.main(["fix", "--check", "--project-root", ".", "."]) == 0
    assert " 0 would change" in capsys.readouterr().err


def test_the_round_trip_projects_have_fixes_to_make(tmp_path, monkeypatch, capsys):
    """Guard: the projects above keep exercising the fixers (else the test proves nothing)."""
    fixed: set[str] = set()
    for project in PROJECTS:
        monkeypatch.chdir(project)
        cli.main(["fix", "--check", "--project-root", ".", "."])
        for line in capsys.readouterr().err.splitlines():
            if line.strip().startswith("fixable:"):
                fixed.update(item.split()[0] for item in line.split(":", 1)[1].split(","))
    assert {"ABR101", "ABR102", "ABR201", "ABR202", "ABR203", "ABR206", "ABR401", "ABR403"} <= fixed
