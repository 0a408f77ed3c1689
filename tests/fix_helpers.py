"""Helpers for the fix tests: run ``async-bridge fix``'s core on a source text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from helpers import settings_for

from async_bridge.config import parse_django_version
from async_bridge.engine import check_source
from async_bridge.discovery import python_files
from async_bridge.sources import SourceError, read_source
from async_bridge.fixes import fixable_codes
from async_bridge.fixes.driver import FixResult, fix_source

CASES = Path(__file__).parent / "fix_cases"
# ``# fix-case: codes=ABR201,ABR205 django=4.2`` anywhere in a before file
DIRECTIVE = re.compile(r"#\s*fix-case:(?P<body>.*)$", re.MULTILINE)


def case_options(source: str, code: str) -> dict:
    options = {"codes": [code], "django": None}
    for match in DIRECTIVE.finditer(source):
        for item in match.group("body").split():
            key, _, value = item.partition("=")
            if key == "codes":
                options["codes"] = [c.strip() for c in value.split(",") if c.strip()]
            elif key == "django":
                options["django"] = value
    return options


def run_fix(source: str, root: Path, name: str = "module.py", codes=None, django: str | None = None) -> FixResult:
    """Fix ``source`` as file ``root/name`` (project root ``root``)."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    settings = settings_for(root, django_version=parse_django_version(django))
    return fix_source(source, str(path), settings, codes or fixable_codes())


def case_files() -> list[tuple[str, Path, Path]]:
    found = []
    for before in sorted(CASES.glob("ABR*/*.before.py")):
        after = before.with_name(before.name.replace(".before.py", ".after.py"))
        found.append((before.parent.name, before, after))
    return found


def lint_counts(source: str, root: Path, name: str = "module.py", django: str | None = None) -> Counter:
    """Findings per code, every rule on, ``# noqa`` honoured, for ``source`` as file ``root/name``."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    settings = settings_for(root, django_version=parse_django_version(django))
    return Counter(f.code for f in check_source(source, str(path), settings))


def new_findings(before: Counter, after: Counter) -> dict[str, int]:
    """Codes reported more often after a fix than before (lines move, so counts are compared)."""
    return {code: count - before[code] for code, count in sorted(after.items()) if count > before[code]}


def scan_project(root: Path) -> dict[str, Counter]:
    """Findings per code of every file that parses under ``root`` (every rule on, noqa honoured)."""
    settings = settings_for(root)
    found: dict[str, Counter] = {}
    for path in python_files([root]).files:
        try:
            text, _ = read_source(path)
            findings = check_source(text, str(path), settings)
        except (SourceError, SyntaxError, ValueError):
            continue
        found[path.relative_to(root).as_posix()] = Counter(f.code for f in findings)
    return found


def new_findings_in_project(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, dict[str, int]]:
    """Per file, the codes a fix made appear (files that stopped parsing count as a finding)."""
    problems = {name: new_findings(before[name], after.get(name, Counter())) for name in before}
    problems.update({name: {"no longer parses": 1} for name in before if name not in after})
    return {name: codes for name, codes in problems.items() if codes}
