"""One fact, one place: the rule YAML says which codes are fixable, ``@fixer`` says how."""

from __future__ import annotations

import subprocess
import sys

import pytest

from async_bridge.fixes import fixable_codes, fixer, fixer_modules, load_all
from async_bridge.fixes.cli import register
from async_bridge.knowledge import builtin


def test_every_fixable_code_has_exactly_one_fixer_and_vice_versa():
    registry = load_all()
    assert sorted(registry) == list(fixable_codes())
    # one fixer per code: the decorator refuses a second one, and each is a module's ``fix``
    for code, func in registry.items():
        assert func.__module__.startswith("async_bridge.fixes."), code


def test_fixable_codes_come_from_the_rule_files():
    rules = builtin().rules
    assert set(fixable_codes()) == {code for code, rule in rules.items() if rule.fix.get("available") is True}
    assert "ABR101" in fixable_codes() and "ABR104" not in fixable_codes()


def test_fixer_modules_are_discovered():
    modules = fixer_modules()
    assert "abr101" in modules and "abr2_twins" in modules
    assert not {"base", "cli", "driver", "writing"} & set(modules)
    owners = {func.__module__ for func in load_all().values()}
    assert owners == {f"async_bridge.fixes.{name}" for name in modules}  # each module registers a fixer


def test_a_second_fixer_for_a_code_is_refused():
    load_all()

    def other(ctx, finding):
        return None

    with pytest.raises(ValueError, match="two fixers for ABR101"):
        fixer("ABR101")(other)


def test_help_lists_the_fixable_codes():
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    text = parser._subparsers._group_actions[0].choices["fix"].format_help()
    flat = " ".join(text.split())
    assert ", ".join(fixable_codes()) in flat


def test_registry_and_help_need_no_libcst():
    script = (
        "import sys\n"
        "from async_bridge.fixes import fixable_codes\n"
        "import async_bridge.fixes.cli\n"
        "import async_bridge.cli\n"
        "async_bridge.cli.build_parser()\n"
        "assert fixable_codes()\n"
        "assert 'libcst' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
