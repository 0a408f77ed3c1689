"""The package type-checks with the project's mypy configuration ([tool.mypy]), with
no error: typed records, checks narrowed per node type, fixers typed by the node they
edit. CI runs it; it is slow (tens of seconds on a cold mypy cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_reports_no_error(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is in the test extra: pip install -e '.[test]'")
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path),
                                str(ROOT / "src" / "async_bridge")])
    assert status == 0, out + err
    assert "Success: no issues found" in out


def test_every_fix_hint_survives_the_findings_cache() -> None:
    """A cached finding gives its fixer the same typed hint the check made."""
    from async_bridge.records import fix_hints as h

    hints = [h.AwaitTwin("aget"), h.AwaitTwin("alogin", "django.contrib.auth"), h.AwaitCall(), h.PassCallable(),
             h.Parenthesize(2), h.AsyncFor("comprehension"), h.LoopRun("asyncio.run"),
             h.Replacement("(await request.auser())")]
    assert {type(hint) for hint in hints} == set(h._KINDS.values())
    import json

    for hint in hints:
        assert h.hint_from_data(json.loads(json.dumps(h.hint_to_data(hint)))) == hint
    for damaged in (None, [], ["Nope"], ["Parenthesize"], ["AwaitTwin", 1, 2, 3], "AwaitCall", [3]):
        assert h.hint_from_data(damaged) is None
