"""The good and bad examples of every rules/ABRnnn.yaml, run as tests (Fixit style)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_findings_match, expectations, lint_file, settings_for

from async_bridge.knowledge import builtin

RULES = builtin().rules


def _examples():
    for code, rule in sorted(RULES.items()):
        for kind in ("bad", "good"):
            for number, example in enumerate(rule.examples.get(kind) or [], start=1):
                yield pytest.param(code, kind, example, id=f"{code}-{kind}-{number}")


@pytest.mark.parametrize("code,kind,example", list(_examples()))
def test_rule_example(tmp_path: Path, code: str, kind: str, example: dict) -> None:
    source = example["code"]
    marks = expectations(source)
    if kind == "bad":
        assert marks, f"{code}: a bad example must mark the line that fires"
        assert all(m[2] == code for m in marks), f"{code}: a bad example marks only its own rule"
    else:
        assert not marks, f"{code}: a good example must not carry error markers"
    path = tmp_path / example.get("file", "example.py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    for name, text in (example.get("files") or {}).items():
        extra = tmp_path / name
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(text, encoding="utf-8")
    # an example documents its own rule: other rules may fire on it too
    findings = [f for f in lint_file(path, settings_for(tmp_path)) if f[2] == code]
    assert_findings_match(path, findings, source)


def test_every_rule_has_examples() -> None:
    for code, rule in RULES.items():
        assert rule.examples.get("bad"), f"{code} has no bad example"
        assert rule.examples.get("good"), f"{code} has no good example"
