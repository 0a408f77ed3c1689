"""The async-bridge console script: rules, explain, --version, extension commands."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from async_bridge import __version__, cli, docs
from async_bridge.knowledge import builtin

RULES = builtin().rules


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"async-bridge {__version__}"


def test_rules_lists_every_rule_with_default_and_fix(capsys) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["CODE", "NAME", "DEFAULT", "FIX"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == set(RULES)
    for rule_code, rule in RULES.items():
        assert rows[rule_code][1] == rule.name
        assert rows[rule_code][2] == ("on" if rule.default_on else "off")
        assert rows[rule_code][3] == ("yes" if rule.fixable else "no")


def test_rules_shows_opt_in_rule_off(capsys) -> None:
    _, out, _ = run(capsys, "rules")
    row = next(line for line in out.splitlines() if line.startswith("ABR106"))
    assert row.split()[2] == "off"


@pytest.mark.parametrize("key", ["ABR101", "abr101", " ABR101 ", "event-loop-in-worker"])
def test_explain_prints_the_rule_page(capsys, key: str) -> None:
    code, out, _ = run(capsys, "explain", key)
    assert code == 0
    assert out.startswith("# ABR101: event-loop-in-worker\n")
    assert out == docs.render_rule(RULES["ABR101"], generated_note=False)
    assert "## Why is this bad?" in out and "# error: ABR101" in out


def test_explain_unknown_code_exits_2_with_one_line(capsys) -> None:
    code, out, err = run(capsys, "explain", "ABR999")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown rule 'ABR999'" in err and "async-bridge rules" in err


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    code, _, err = run(capsys)
    assert code == 2 and "usage: async-bridge" in err


def test_unknown_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 2


def test_optional_command_module_is_registered(tmp_path: Path, monkeypatch, capsys) -> None:
    package = tmp_path / "abr_ext_demo"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "cli.py").write_text(
        "def register(sub):\n"
        "    p = sub.add_parser('hello', help='demo')\n"
        "    p.add_argument('name')\n"
        "    p.set_defaults(handler=lambda args: print('hi', args.name) or 3)\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "OPTIONAL_COMMANDS", ("abr_ext_demo.cli", "abr_not_installed.cli"))
    code, out, _ = run(capsys, "hello", "you")
    assert (code, out) == (3, "hi you\n")
    # a missing optional module is skipped, the built-in commands still work
    assert run(capsys, "rules")[0] == 0


def test_broken_optional_command_module_is_not_hidden(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "abr_ext_broken"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "cli.py").write_text("import abr_dependency_that_is_missing\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "OPTIONAL_COMMANDS", ("abr_ext_broken.cli",))
    with pytest.raises(ModuleNotFoundError):
        cli.main(["rules"])


def test_fix_command_is_listed_when_its_module_exists(capsys) -> None:
    try:
        import async_bridge.fixes.cli  # noqa: F401
    except ModuleNotFoundError:
        pytest.skip("async_bridge.fixes.cli not present")
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "fix" in capsys.readouterr().out


def test_every_command_lives_in_cli_commands_or_a_package_cli() -> None:
    """Where a newcomer looks for a command: cli.py, commands/, or its package's cli.py."""
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices
    homes = {name: sub.get_default("handler").__module__ for name, sub in commands.items()}
    assert {"check", "rules", "explain", "docs", "cache", "fix"} <= set(homes)
    assert homes["cache"] == "async_bridge.commands.cache"
    for name, home in homes.items():
        assert (home == "async_bridge.cli" or home.startswith("async_bridge.commands.")
                or home.endswith(".cli")), f"`{name}` is handled in {home}"


def test_console_script_is_installed() -> None:
    scripts = Path(sysconfig.get_path("scripts"))
    exe = scripts / ("async-bridge.exe" if os.name == "nt" else "async-bridge")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "async_bridge.cli"]
    proc = subprocess.run([*command, "explain", "ABR102"], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# ABR102: unclosed-event-loop")
    proc = subprocess.run([*command, "explain", "nope"], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
