"""Every rule is complete: examples both ways, an inline fixture, a page, a check, and a
fixer with cases when its YAML says it is fixable (CONTRIBUTING.md, "Add a rule")."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import expectations

from async_bridge import checks, fixes
from async_bridge.knowledge import RuleMeta, builtin

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
RULES = sorted(builtin().rules.values(), key=lambda r: r.code)


def _marked_codes() -> set[str]:
    """Codes that some inline fixture (single file or project) expects on a line."""
    paths = [*(TESTS / "fixtures").glob("*.py"), *(TESTS / "projects").rglob("*.py")]
    return {code for path in paths for _, _, code in expectations(path.read_text(encoding="utf-8"))}


def _rewriting_cases(code: str) -> list[Path]:
    """The fix cases of ``code`` whose after file differs from the before file."""
    found = []
    for before in sorted((TESTS / "fix_cases" / code).glob("*.before.py")):
        after = before.with_name(before.name.replace(".before.py", ".after.py"))
        if after.is_file() and after.read_bytes() != before.read_bytes():
            found.append(before)
    return found


MARKED_CODES = _marked_codes()
REPORTED = {code for cls in checks.load_all() for code in cls.codes}


def missing_pieces(rule: RuleMeta, docs_root: Path = ROOT) -> list[str]:
    """What ``rule`` lacks of a complete rule, one phrase each (empty: complete)."""
    missing = []
    if not rule.examples.get("bad"):
        missing.append("a bad example in its YAML")
    if not rule.examples.get("good"):
        missing.append("a good example in its YAML")
    if rule.code not in MARKED_CODES:
        missing.append(f"an inline fixture line marked `# error: {rule.code}` under tests/fixtures or tests/projects")
    if not (docs_root / "docs" / "rules" / f"{rule.code}.md").is_file():
        missing.append(f"docs/rules/{rule.code}.md (run `async-bridge docs`)")
    if rule.code not in REPORTED:
        missing.append("a check class whose `codes` has it")
    if rule.fixable:
        if rule.code not in fixes.load_all():
            missing.append("a fixer registered with @fixer (its YAML says fix.available)")
        if not _rewriting_cases(rule.code):
            missing.append(f"a fix case under tests/fix_cases/{rule.code}/ whose .after.py differs from its .before.py")
    return missing


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_complete(rule: RuleMeta) -> None:
    missing = missing_pieces(rule)
    assert not missing, f"{rule.code} lacks: " + "; ".join(missing)


def test_every_registered_code_has_a_rule() -> None:
    """The other way round: a check or fixer for a code no rules/ABRnnn.yaml defines."""
    known = {rule.code for rule in RULES}
    assert REPORTED - known == set(), "checks report codes without a rule YAML"
    assert set(fixes.load_all()) - known == set(), "fixers for codes without a rule YAML"


def test_an_incomplete_rule_is_told_every_missing_piece(tmp_path: Path) -> None:
    """The test above can fail: a made-up fixable rule with nothing behind it lacks all of it."""
    made_up = RuleMeta(code="ABR999", name="made-up", default_on=True, summary="s", message="m", rationale="r",
                       fixable=True, fix={"available": True}, examples={}, raw={})
    assert missing_pieces(made_up, docs_root=tmp_path) == [
        "a bad example in its YAML",
        "a good example in its YAML",
        "an inline fixture line marked `# error: ABR999` under tests/fixtures or tests/projects",
        "docs/rules/ABR999.md (run `async-bridge docs`)",
        "a check class whose `codes` has it",
        "a fixer registered with @fixer (its YAML says fix.available)",
        "a fix case under tests/fix_cases/ABR999/ whose .after.py differs from its .before.py",
    ]
    real = next(rule for rule in RULES if rule.code == "ABR206")
    assert missing_pieces(real, docs_root=tmp_path) == ["docs/rules/ABR206.md (run `async-bridge docs`)"]


def test_the_marker_reader_sees_the_fixtures() -> None:
    """A reader that found nothing would make every rule fail for the wrong reason."""
    assert {"ABR101", "ABR201", "ABR401"} <= MARKED_CODES
    assert _rewriting_cases("ABR206") and not _rewriting_cases("ABR104")
