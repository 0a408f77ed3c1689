"""examples/ (a small buggy Django shop) through real flake8 against tests/examples_expected.txt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flake8_subprocess import flake8

from async_bridge.knowledge import builtin

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
EXPECTED = Path(__file__).with_name("examples_expected.txt")
ENTRY = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+)(?::(?P<col>\d+))?\s+(?P<code>ABR\d{3})$")

RULES = builtin().rules
OFF_BY_DEFAULT = sorted(code for code, rule in RULES.items() if not rule.default_on)


def read_expected() -> list[tuple[str, int, int | None, str]]:
    entries = []
    for number, raw in enumerate(EXPECTED.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = ENTRY.match(line)
        assert match, f"{EXPECTED.name}:{number}: cannot read {raw!r}"
        col = match.group("col")
        entries.append((match.group("path"), int(match.group("line")), int(col) if col else None, match.group("code")))
    return entries


def run_flake8(*extra: str) -> list[tuple[str, int, int, str]]:
    run = flake8(EXAMPLES, "--select=ABR", f"--abr-project-root={EXAMPLES}", *extra, ".")
    assert "Traceback" not in run.stderr and run.stderr == "", run.stderr
    assert run.returncode in (0, 1), run.stderr
    return run.findings()


def compare(found, expected) -> list[str]:
    unmatched = list(found)
    problems = []
    for path, line, col, code in expected:
        for item in unmatched:
            if item[0] == path and item[1] == line and item[3] == code and (col is None or item[2] == col):
                unmatched.remove(item)
                break
        else:
            problems.append(f"expected but not reported: {path}:{line}:{col or '?'} {code}")
    problems += [f"reported but not expected: {p}:{l}:{c} {k}" for p, l, c, k in sorted(unmatched)]
    return problems


def test_expectations_file_is_well_formed() -> None:
    entries = read_expected()
    assert len(entries) >= 20
    for path, line, _col, code in entries:
        source = EXAMPLES / path
        assert source.is_file(), f"{path} does not exist"
        assert line <= len(source.read_text(encoding="utf-8").splitlines()), f"{path}:{line} past the end"
    families = {code[:4] for _p, _l, _c, code in entries}
    assert families == {"ABR1", "ABR2", "ABR3", "ABR4"}, families


def test_examples_default_run() -> None:
    expected = [e for e in read_expected() if e[3] in RULES and RULES[e[3]].default_on]
    assert expected, "no expectation for a known rule"
    problems = compare(run_flake8(), expected)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not OFF_BY_DEFAULT, reason="no off-by-default rule")
def test_examples_with_opt_in_rules() -> None:
    expected = [e for e in read_expected() if e[3] in RULES]
    problems = compare(run_flake8(f"--abr-enable={','.join(OFF_BY_DEFAULT)}"), expected)
    assert not problems, "\n".join(problems)


def test_examples_lint_from_the_repository_root() -> None:
    """The README's quick start: `flake8 --select=ABR examples/` from the checkout."""
    run = flake8(REPO, "--select=ABR", "examples/")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert {"ABR101", "ABR102", "ABR103"} <= run.codes(), run.stdout
