"""Before/after pairs under tests/fix_cases/<CODE>/: the fix, its idempotence, the check behind it.

A pair whose after file equals its before file documents shapes left for manual
work: the check must still fire there, and the fix must leave the file alone.
Cases of a rule whose check has not landed yet are skipped.
"""

from __future__ import annotations

import ast

import pytest
from fix_helpers import case_files, case_options, lint_counts, new_findings, run_fix
from helpers import all_codes

CASES = case_files()


def _param(code, before, after):
    marks = [pytest.mark.skipif(code not in all_codes(), reason=f"{code} check not available yet")]
    return pytest.param(code, before, after, id=f"{code}/{before.name[:-len('.before.py')]}", marks=marks)


@pytest.mark.parametrize("code,before,after", [_param(*case) for case in CASES])
def test_fix_case(code, before, after, tmp_path):
    assert after.exists(), f"{after.name} is missing"
    source = before.read_text(encoding="utf-8")
    expected = after.read_text(encoding="utf-8")
    options = case_options(source, code)
    name = before.name.replace(".before.py", ".py")

    result = run_fix(source, tmp_path / "first", name, options["codes"], options["django"])
    flagged = [f for f in result.remaining if f.code == code]
    assert result.applied[code] or flagged, f"the {code} check reports nothing in {before.name}"
    assert result.fixed == expected
    ast.parse(result.fixed)
    if expected == source:
        assert not result.applied, "a manual-only case was changed"

    again = run_fix(expected, tmp_path / "second", name, options["codes"], options["django"])
    assert again.fixed == expected, "a second run changed the fixed file"
    assert not again.applied


@pytest.mark.parametrize("code,before,after", [_param(*case) for case in CASES])
def test_fix_introduces_no_finding(code, before, after, tmp_path):
    """Every rule on, before and after the fix: no code is reported more often."""
    source = before.read_text(encoding="utf-8")
    options = case_options(source, code)
    name = before.name.replace(".before.py", ".py")
    result = run_fix(source, tmp_path / "fix", name, options["codes"], options["django"])
    counts_before = lint_counts(source, tmp_path / "before", name, options["django"])
    counts_after = lint_counts(result.fixed, tmp_path / "after", name, options["django"])
    assert new_findings(counts_before, counts_after) == {}


def test_every_fixable_code_has_cases():
    from async_bridge.fixes import fixable_codes

    codes = {code for code, _, _ in CASES}
    assert set(fixable_codes()) <= codes
