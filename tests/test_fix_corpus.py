"""Round trip on real packages: fix a copy, everything still parses, no finding appears
that was not there before (every rule on, compared per file and code), fixable findings
only go down, a second run changes nothing.

Skipped unless ``ABR_CORPUS`` points at the corpus directory (one folder per
package, as fetched by shared/corpus/fetch.sh); a few small packages by default,
every package with ``ABR_CORPUS_ALL=1`` (minutes). The corpus itself is never
modified: each package is copied to a temporary directory first.
"""

from __future__ import annotations

import ast
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from fix_helpers import new_findings_in_project, scan_project

from async_bridge import cli
from async_bridge.config import Settings, project_index
from async_bridge.engine import check_tree
from async_bridge.fixes import fixable_codes
from async_bridge.discovery import python_files

CORPUS = os.environ.get("ABR_CORPUS")
# small packages with async code; the first ones present are used
PREFERRED = ("channels-redis", "channels-", "adrf", "django-async-extensions", "daphne", "asgiref")
LIMIT = 4
EVERY_PACKAGE = os.environ.get("ABR_CORPUS_ALL") == "1"

pytestmark = pytest.mark.skipif(not CORPUS or not Path(CORPUS).is_dir(), reason="ABR_CORPUS not set")


def _packages() -> list[Path]:
    found: list[Path] = []
    folders = sorted(p for p in Path(CORPUS).iterdir() if p.is_dir() and not p.name.startswith("."))
    if EVERY_PACKAGE:
        return folders
    for prefix in PREFERRED:
        for folder in folders:
            if folder.name.startswith(prefix) and folder not in found:
                found.append(folder)
                break
    return found[:LIMIT]


def _scan(root: Path) -> tuple[Counter, set[str]]:
    """Fixable findings per code, and the files that parse."""
    project_index.cache_clear()
    settings = Settings(project_root=str(root))
    counts: Counter = Counter()
    parsed: set[str] = set()
    for path in python_files([root]).files:
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError):
            continue
        parsed.add(str(path.relative_to(root)))
        counts.update(f.code for f in check_tree(tree, str(path), settings) if f.code in fixable_codes())
    return counts, parsed


@pytest.mark.parametrize("package", _packages() if CORPUS and Path(CORPUS).is_dir() else [], ids=lambda p: p.name)
def test_fix_round_trip(package: Path, tmp_path, monkeypatch, capsys):
    copy = tmp_path / package.name
    shutil.copytree(package, copy, symlinks=True)
    before, parsed_before = _scan(copy)
    every_before = scan_project(copy)
    monkeypatch.chdir(copy)
    code = cli.main(["fix", "--project-root", ".", "."])
    capsys.readouterr()
    assert code in (0, 1)  # 1: a file of the package has a syntax error and was skipped
    after, parsed_after = _scan(copy)
    assert parsed_before <= parsed_after, f"no longer parse: {sorted(parsed_before - parsed_after)}"
    assert new_findings_in_project(every_before, scan_project(copy)) == {}
    for fixable in fixable_codes():
        assert after[fixable] <= before[fixable], (fixable, before, after)
    # a second run changes nothing
    assert cli.main(["fix", "--check", "--project-root", ".", "."]) in (0, 1)
    err = capsys.readouterr().err
    assert " 0 would change" in err
