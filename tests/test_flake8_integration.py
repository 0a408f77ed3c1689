"""The plugin through the real flake8: registration, positions, opt-in rules, noqa, config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from flake8_subprocess import flake8

from async_bridge import __version__

TASKS = dedent('''\
    import asyncio

    from celery import shared_task

    from shop.sync import import_orders
    from vendor_sdk import push_everything


    @shared_task
    def refresh(shop_id):
        asyncio.run(import_orders(shop_id))


    @shared_task
    def push(shop_id):
        asyncio.run(push_everything(shop_id))
''')
SYNC = dedent('''\
    from shop.models import Order


    async def import_orders(shop_id):
        await Order.objects.filter(shop_id=shop_id).aupdate(synced=True)
''')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shop" / "tasks.py").write_text(TASKS, encoding="utf-8")
    (tmp_path / "shop" / "sync.py").write_text(SYNC, encoding="utf-8")
    return tmp_path


def test_flake8_lists_the_plugin() -> None:
    proc = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0
    assert f"flake8-async-bridge: {__version__}" in proc.stdout


def test_finding_with_exact_line_and_column(project: Path) -> None:
    run = flake8(project, "--select=ABR", "shop")
    assert run.returncode == 1, run.stderr
    assert run.findings() == [("shop/tasks.py", 11, 5, "ABR101")]
    line = run.stdout.splitlines()[0]
    assert line.startswith("shop/tasks.py:11:5: ABR101 Celery task 'refresh': `asyncio.run()` runs a DB-touching coroutine on a new loop: use `async_to_sync(import_orders)`")
    assert "async_to_sync(import_orders)" in line
    assert run.stderr == ""


def test_default_flake8_format(project: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=ABR", "shop/tasks.py"],
                          cwd=project, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.stdout.startswith("shop/tasks.py:11:5: ABR101 ")


def test_opt_in_rule_stays_off_with_select_abr(project: Path) -> None:
    assert "ABR106" not in flake8(project, "--select=ABR", "shop").codes()
    assert "ABR106" not in flake8(project, "--select=ABR106", "shop").codes()
    assert "ABR106" not in flake8(project, "--select=ABR", "--extend-select=ABR106", "shop").codes()


def test_opt_in_rule_with_abr_enable(project: Path) -> None:
    run = flake8(project, "--select=ABR", "--abr-enable=ABR106", "shop")
    assert run.findings() == [("shop/tasks.py", 11, 5, "ABR101"), ("shop/tasks.py", 16, 5, "ABR106")]
    # lower case works too; --select still filters what is shown
    run = flake8(project, "--select=ABR106", "--abr-enable=abr106", "shop")
    assert run.findings() == [("shop/tasks.py", 16, 5, "ABR106")]


def test_options_from_the_flake8_config(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\nselect = ABR\nabr-enable = ABR106\n", encoding="utf-8")
    run = flake8(project, "shop", isolated=False)
    assert run.codes() == {"ABR101", "ABR106"}, run.stdout + run.stderr


def test_noqa(project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    source = tasks.read_text(encoding="utf-8")
    line = "    asyncio.run(import_orders(shop_id))"
    tasks.write_text(source.replace(line, line + "  # noqa: ABR101"), encoding="utf-8")
    assert flake8(project, "--select=ABR", "shop").findings() == []
    tasks.write_text(source.replace(line, line + "  # noqa: E501"), encoding="utf-8")
    assert flake8(project, "--select=ABR", "shop").codes() == {"ABR101"}
    tasks.write_text(source.replace(line, line + "  # noqa"), encoding="utf-8")
    assert flake8(project, "--select=ABR", "shop").findings() == []
    # --disable-noqa brings it back
    assert flake8(project, "--select=ABR", "--disable-noqa", "shop").codes() == {"ABR101"}


def test_parallel_jobs_report_the_same(project: Path) -> None:
    for name in ("a", "b", "c", "d"):
        (project / "shop" / f"tasks_{name}.py").write_text(TASKS, encoding="utf-8")
    serial = flake8(project, "--select=ABR", "shop").findings()
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "-j2", "--select=ABR",
         "--format=%(path)s:%(row)d:%(col)d: %(code)s", "shop"],
        cwd=project, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    parallel = sorted(tuple(line.split(":")[:3]) for line in proc.stdout.splitlines())
    assert len(serial) == 5
    assert parallel == sorted((p, str(r), str(c)) for p, r, c, _ in serial)


def test_stdin_with_display_name(project: Path) -> None:
    run = flake8(project, "--select=ABR", "--stdin-display-name=shop/tasks.py", "-", stdin=TASKS)
    assert run.findings() == [("shop/tasks.py", 11, 5, "ABR101")], run.stdout + run.stderr


def test_other_plugins_codes_unaffected(project: Path) -> None:
    (project / "shop" / "style.py").write_text("import os\n", encoding="utf-8")
    run = flake8(project, "--select=F401,ABR", "shop")
    assert run.codes() == {"F401", "ABR101"}
