"""Internal errors are bugs, isolated per check and reported so a user can send them in.

A check that raises loses only its own findings for that file; the other checks'
findings are still reported, and the one stderr line names the check, its rule
codes, the file and the node's line:col. ``ABR_DEBUG=1`` turns it into a traceback.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from helpers import settings_for

from async_bridge.checks.base import Check, Finding, InternalError, run_checks
from async_bridge.engine import analyse

SOURCE = dedent('''\
    import asyncio

    from celery import shared_task
    from shop.models import Order


    async def touch(pk):
        await Order.objects.filter(pk=pk).aupdate(seen=True)


    @shared_task
    def refresh(pk):
        asyncio.run(touch(pk))
        explode()
''')


class ExplodingCheck(Check):
    """Reports every call as ABR106 until it meets `explode()`, where it raises."""

    codes = ("ABR106",)
    nodes = (ast.Call,)

    def visit(self, node: ast.AST, scope: object) -> list[Finding]:
        assert isinstance(node, ast.Call)
        if isinstance(node.func, ast.Name) and node.func.id == "explode":
            raise ZeroDivisionError("boom at the explode() call")
        return [Finding(node.lineno, node.col_offset, "ABR106", "ABR106 a call")]


class FinishingBadly(Check):
    codes = ("ABR402",)
    nodes = ()

    def finish(self) -> list[Finding]:
        raise KeyError("missing")


def _run(tmp_path: Path, extra: list[type[Check]]) -> tuple[list[tuple[int, int, str]], list[InternalError]]:
    path = tmp_path / "tasks.py"
    path.write_text(SOURCE, encoding="utf-8")
    settings = settings_for(tmp_path)
    analysis, checks = analyse(ast.parse(SOURCE), str(path), settings)
    checks += [cls(analysis, settings) for cls in extra]
    errors: list[InternalError] = []
    found = [(f.line, f.col + 1, f.code) for f in run_checks(checks, analysis, report=errors.append)]
    return sorted(found), errors


def test_a_raising_check_loses_only_its_own_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABR_DEBUG", raising=False)
    found, errors = _run(tmp_path, [ExplodingCheck, FinishingBadly])
    assert found == [(13, 5, "ABR101")]
    assert [(e.where, e.node and (e.node.lineno, e.node.col_offset)) for e in errors] == [
        ("the check ExplodingCheck (ABR106)", (14, 4)),
        ("the check FinishingBadly (ABR402)", None),
    ]
    message = errors[0].message()
    assert message == (
        f"{tmp_path / 'tasks.py'}:14:5: internal error in the check ExplodingCheck (ABR106), its findings in "
        "this file are dropped: ZeroDivisionError: boom at the explode() call (ABR_DEBUG=1 gives a traceback "
        "to report)"
    )
    assert "\n" not in message


class FailingOnComprehensions(Check):
    """Raises on a node with no position of its own (a ``comprehension``)."""

    codes = ("ABR202",)
    nodes = (ast.comprehension,)

    def visit(self, node: ast.AST, scope: object) -> list[Finding]:
        raise ValueError("no position here")


def test_an_error_on_a_node_without_a_position_is_still_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABR_DEBUG", raising=False)
    path = tmp_path / "views.py"
    path.write_text("async def rows():\n    return [r for r in range(3)]\n", encoding="utf-8")
    settings = settings_for(tmp_path)
    analysis, _checks = analyse(ast.parse(path.read_text()), str(path), settings)
    errors: list[InternalError] = []
    assert list(run_checks([FailingOnComprehensions(analysis, settings)], analysis, report=errors.append)) == []
    assert [e.message() for e in errors] == [
        f"{path}: internal error in the check FailingOnComprehensions (ABR202), its findings in this file are "
        "dropped: ValueError: no position here (ABR_DEBUG=1 gives a traceback to report)"
    ]


def test_abr_debug_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABR_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        _run(tmp_path, [ExplodingCheck])


# flake8 itself, with a broken check planted in its process --------------------------------

PLANT = dedent('''\
    import ast, sys
    from async_bridge.checks import base, load_all

    load_all()

    @base.register
    class ExplodingCheck(base.Check):
        codes = ("ABR101",)
        nodes = (ast.Call,)

        def visit(self, node, scope):
            if isinstance(node.func, ast.Name) and node.func.id == "explode":
                raise ZeroDivisionError("boom")
            return ()

    from flake8.main.cli import main
    sys.exit(main(sys.argv[1:]))
''')


def _flake8_with_a_broken_check(cwd: Path, debug: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}
    if debug:
        env["ABR_DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-c", PLANT, "--isolated", "-j1", "--select=ABR", "."],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL,
    )


def test_flake8_reports_the_check_and_keeps_the_other_findings(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "other.py").write_text(SOURCE.replace("    explode()\n", ""), encoding="utf-8")
    run = _flake8_with_a_broken_check(tmp_path, debug=False)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stderr.splitlines() == [
        "flake8-async-bridge: ./tasks.py:14:5: internal error in the check ExplodingCheck (ABR101), its findings "
        "in this file are dropped: ZeroDivisionError: boom (ABR_DEBUG=1 gives a traceback to report)"
    ]
    # the real ABR101 check still reports both files; the broken one lost only its own
    assert sorted(line.split(" ", 2)[:2] for line in run.stdout.splitlines()) == [
        ["./other.py:13:5:", "ABR101"],
        ["./tasks.py:13:5:", "ABR101"],
    ], run.stdout
    assert run.returncode == 1


def test_flake8_with_abr_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text(SOURCE, encoding="utf-8")
    run = _flake8_with_a_broken_check(tmp_path, debug=True)
    assert "Traceback" in run.stderr and "ZeroDivisionError: boom" in run.stderr
    assert run.returncode != 0


def test_an_analysis_error_skips_the_file_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from async_bridge import engine
    from async_bridge.flake8_plugin import Plugin

    def broken_analyse(tree: ast.Module, filename: str, settings: object, project: object = None,
                       classes: object = None) -> None:
        node = tree.body[1]  # the node being looked at is named in the report
        raise RuntimeError(f"cannot analyse {type(node).__name__}")

    monkeypatch.delenv("ABR_DEBUG", raising=False)
    monkeypatch.setattr(engine, "analyse", broken_analyse)
    monkeypatch.setattr(Plugin, "settings", settings_for(tmp_path))
    assert list(Plugin(ast.parse(SOURCE), "shop/tasks.py").run()) == []
    assert capsys.readouterr().err.splitlines() == [
        "flake8-async-bridge: shop/tasks.py:3:1: internal error in the analysis, file skipped: RuntimeError: "
        "cannot analyse ImportFrom (ABR_DEBUG=1 gives a traceback to report)"
    ]


# the evaluation counts them, and its --check fails on any ----------------------------------

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def test_evaluation_counts_internal_errors_and_check_fails(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    package = corpus / "alpha-1.0" / "alpha"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "boom.py").write_text("def f():\n    explode()\n", encoding="utf-8")
    (corpus / "MANIFEST.tsv").write_text("name\tversion\tpy_files\tlines\nalpha\t1.0\t2\t2\n", encoding="utf-8")
    triage = tmp_path / "triage.yaml"
    triage.write_text("findings: []\n", encoding="utf-8")
    plant = tmp_path / "planted_flake8.py"
    plant.write_text(PLANT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}

    def evaluate(flake8: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(BENCH / "evaluate.py"), "--corpus", str(corpus), "--triage", str(triage),
             "--flake8", flake8, "--check"],
            capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL,
        )

    healthy = evaluate(f"{sys.executable} -m flake8")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "0 internal error(s)" in healthy.stdout

    broken = evaluate(f"{sys.executable} {plant}")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "total: 0 findings, FP share n/a, 0 untriaged, 1 internal error(s)" in broken.stdout
    assert ("internal error: alpha: flake8-async-bridge: ./alpha/boom.py:2:5: internal error in the check "
            "ExplodingCheck (ABR101)") in broken.stdout
    assert "check failed: 1 internal error(s) in the flake8 runs (each one is a bug)" in broken.stdout
