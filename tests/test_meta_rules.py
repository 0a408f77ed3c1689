"""Every rule is complete: examples both ways, an inline fixture, a page, a check, and a
fixer with cases when its YAML says it is fixable (CONTRIBUTING.md, "Add a rule")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from async_bridge import checks, fixes
from async_bridge.knowledge import builtin

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
RULES = sorted(builtin().rules.values(), key=lambda r: r.code)


def _marked_codes() -> set[str]:
    """Codes that some inline fixture (single file or project) expects on a line."""
    found: set[str] = set()
    for path in [*(TESTS / "fixtures").glob("*.py"), *(TESTS / "projects").rglob("*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "# error:" in line:
                found.update(re.findall(r"ABR\d{3}", line.split("# error:", 1)[1]))
    return found


MARKED_CODES = _marked_codes()
REPORTED = {code for cls in checks.load_all() for code in cls.codes}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_complete(rule) -> None:
    missing = []
    if not rule.examples.get("bad"):
        missing.append("a bad example in its YAML")
    if not rule.examples.get("good"):
        missing.append("a good example in its YAML")
    if rule.code not in MARKED_CODES:
        missing.append("an inline fixture line marked `# error: " + rule.code + "` under tests/fixtures or tests/projects")
    if not (ROOT / "docs" / "rules" / f"{rule.code}.md").is_file():
        missing.append(f"docs/rules/{rule.code}.md (run `async-bridge docs`)")
    if rule.code not in REPORTED:
        missing.append("a check class whose `codes` has it")
    if rule.fixable:
        if rule.code not in fixes.load_all():
            missing.append("a fixer registered with @fixer (its YAML says fix.available)")
        if not sorted((TESTS / "fix_cases" / rule.code).glob("*.before.py")):
            missing.append(f"fix cases under tests/fix_cases/{rule.code}/")
    assert not missing, f"{rule.code} lacks: " + "; ".join(missing)


def test_the_marker_reader_sees_the_fixtures() -> None:
    """A reader that found nothing would make every rule fail for the wrong reason."""
    assert {"ABR101", "ABR201", "ABR401"} <= MARKED_CODES
