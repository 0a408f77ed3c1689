"""ABR106 is reported only when switched on with the plugin's own option."""
from pathlib import Path

from helpers import lint_file, settings_for

FIXTURE = Path(__file__).parent / "fixtures" / "abr106_unverified.py"


def test_abr106_off_by_default():
    settings = settings_for(FIXTURE.parent, enable=frozenset())
    assert [f for f in lint_file(FIXTURE, settings) if f[2] == "ABR106"] == []


def test_abr106_on_with_enable():
    settings = settings_for(FIXTURE.parent, enable=frozenset({"ABR106"}))
    assert [f for f in lint_file(FIXTURE, settings) if f[2] == "ABR106"] == [(10, 5, "ABR106"), (15, 5, "ABR106")]
