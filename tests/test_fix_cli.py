"""``async-bridge fix``: --diff / --check, writes, file discovery, noqa, encodings, errors."""

from __future__ import annotations

import ast
import os
import shutil
import stat
import subprocess
import sys

import pytest

from async_bridge import cli
from async_bridge.sources import noqa_codes, suppressed
from async_bridge.checks.base import Finding

TASKS = '''\
import asyncio

from asgiref.sync import sync_to_async
from celery import shared_task


async def sync_orders(shop_id):
    await sync_to_async(print)(shop_id)


@shared_task
def refresh(shop_id):
    asyncio.run(sync_orders(shop_id))


def fetch(coro):
    loop = asyncio.new_event_loop()
    return loop.run_until_complete(coro)
'''

TASKS_FIXED = '''\
import asyncio

from asgiref.sync import async_to_sync, sync_to_async
from celery import shared_task


async def sync_orders(shop_id):
    await sync_to_async(print)(shop_id)


@shared_task
def refresh(shop_id):
    async_to_sync(sync_orders)(shop_id)


def fetch(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()
'''

CLEAN = "def add(a, b):\n    return a + b\n"


def fix(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["fix", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tasks.py").write_text(TASKS, encoding="utf-8")
    return tmp_path


def test_fix_writes_and_summarises(project, capsys):
    code, out, err = fix(capsys, "tasks.py")
    assert code == 0
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS_FIXED
    assert out == ""
    assert "1 changed" in err
    assert "ABR101 x1" in err and "ABR102 x1" in err
    # second run: nothing left to do
    code, _, err = fix(capsys, "tasks.py")
    assert code == 0 and "0 changed" in err


def test_diff_writes_nothing_and_applies_with_git(project, capsys):
    before = (project / "tasks.py").stat().st_mtime_ns
    code, out, err = fix(capsys, "--diff", "tasks.py")
    assert code == 0
    assert out.startswith("--- a/tasks.py\n+++ b/tasks.py\n")
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS
    assert (project / "tasks.py").stat().st_mtime_ns == before
    (project / "fix.patch").write_text(out, encoding="utf-8")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        subprocess.run(["git", "apply", "fix.patch"], cwd=project, check=True)
    elif shutil.which("patch"):
        subprocess.run(["patch", "-p1", "-i", "fix.patch"], cwd=project, check=True)
    else:
        pytest.skip("neither git nor patch available")
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS_FIXED


def test_diff_of_a_file_without_final_newline_applies(project, capsys):
    (project / "tasks.py").write_text(TASKS.rstrip("\n"), encoding="utf-8")
    code, out, _ = fix(capsys, "--diff", "tasks.py")
    assert code == 0 and "\\ No newline at end of file" in out
    if not shutil.which("git"):
        pytest.skip("git not available")
    (project / "fix.patch").write_text(out, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "apply", "fix.patch"], cwd=project, check=True)
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS_FIXED.rstrip("\n")


def test_check_exit_codes(project, capsys):
    code, out, err = fix(capsys, "--check", "tasks.py")
    assert code == 1
    assert out == "" and "would change" in err
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS
    code, out, _ = fix(capsys, "--check", "--diff", "tasks.py")
    assert code == 1 and out.startswith("--- a/tasks.py")
    fix(capsys, "tasks.py")
    code, _, _ = fix(capsys, "--check", "tasks.py")
    assert code == 0


def test_unchanged_file_keeps_its_mtime(project, capsys):
    clean = project / "clean.py"
    clean.write_text(CLEAN, encoding="utf-8")
    os.utime(clean, ns=(1_000_000_000, 1_000_000_000))
    manual = project / "manual.py"
    manual.write_text(TASKS.replace("asyncio.run(sync_orders(shop_id))",
                                    "asyncio.run(sync_orders(shop_id))  # noqa: ABR101")
                      .replace("    return loop.run_until_complete(coro)\n", "    loop.run_until_complete(coro)\n"
                               "    loop.close()  # noqa\n    loop.close()\n"), encoding="utf-8")
    os.utime(manual, ns=(1_000_000_000, 1_000_000_000))
    fix(capsys, "clean.py")
    assert clean.stat().st_mtime_ns == 1_000_000_000
    code, _, err = fix(capsys, "--select", "ABR101", "manual.py")
    assert code == 0 and "0 changed" in err
    assert manual.stat().st_mtime_ns == 1_000_000_000


def test_write_keeps_permissions_and_leaves_no_temp_files(project, capsys):
    target = project / "tasks.py"
    os.chmod(target, 0o640)
    fix(capsys, "tasks.py")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8") == TASKS_FIXED
    assert sorted(p.name for p in project.iterdir()) == ["tasks.py"]


def test_failed_replace_keeps_the_original(project, capsys, monkeypatch):
    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    code, _, err = fix(capsys, "tasks.py")
    assert code == 1 and "No space left on device" in err
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS
    assert sorted(p.name for p in project.iterdir()) == ["tasks.py"]


def test_symlinked_file_is_written_through(project, capsys):
    (project / "real.py").write_text(TASKS, encoding="utf-8")
    (project / "tasks.py").unlink()
    (project / "tasks.py").symlink_to("real.py")
    fix(capsys, "tasks.py")
    assert (project / "tasks.py").is_symlink()
    assert (project / "real.py").read_text(encoding="utf-8") == TASKS_FIXED


def test_select_and_ignore(project, capsys):
    code, out, _ = fix(capsys, "--diff", "--select", "ABR102", "tasks.py")
    assert code == 0 and "loop.close()" in out and "async_to_sync" not in out
    code, out, _ = fix(capsys, "--diff", "--ignore", "ABR1", "tasks.py")
    assert code == 0 and out == ""
    code, out, _ = fix(capsys, "--diff", "--select", "abr1", "--ignore", "ABR102", "tasks.py")
    assert "async_to_sync" in out and "finally" not in out
    code, _, err = fix(capsys, "--select", "XYZ9", "tasks.py")
    assert code == 2 and "XYZ9" in err


def test_usage_errors(project, capsys):
    assert fix(capsys, "missing.py")[0] == 2
    assert fix(capsys, "--django-version", "five", "tasks.py")[0] == 2
    assert fix(capsys, "--project-root", "nowhere", "tasks.py")[0] == 2
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS


def test_directories_recurse_and_skip_vcs_and_venvs(project, capsys):
    for folder in ("pkg/sub", ".git/hooks", "venv/lib", "custom_env/lib", "node_modules/x", "pkg/__pycache__"):
        (project / folder).mkdir(parents=True)
        (project / folder / "tasks.py").write_text(TASKS, encoding="utf-8")
    (project / "custom_env" / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    (project / "pkg" / "sub" / "notes.txt").write_text("asyncio.run(x())\n", encoding="utf-8")
    code, _, err = fix(capsys, ".")
    assert code == 0
    assert "2 file(s) checked" in err
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS_FIXED
    assert (project / "pkg/sub/tasks.py").read_text(encoding="utf-8") == TASKS_FIXED
    for folder in (".git/hooks", "venv/lib", "custom_env/lib", "node_modules/x", "pkg/__pycache__"):
        assert (project / folder / "tasks.py").read_text(encoding="utf-8") == TASKS


def test_syntax_errors_skip_the_file_only(project, capsys):
    (project / "broken.py").write_text("def f(:\n    asyncio.run(x())\n", encoding="utf-8")
    code, _, err = fix(capsys, "broken.py", "tasks.py")
    assert code == 1
    assert "broken.py: skipped: syntax error" in err
    assert (project / "broken.py").read_text(encoding="utf-8") == "def f(:\n    asyncio.run(x())\n"
    assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS_FIXED


def test_crlf_bom_and_encoding_cookie_are_kept(project, capsys):
    crlf = project / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbf" + TASKS.replace("\n", "\r\n").encode("utf-8"))
    latin = project / "latin.py"
    source = "# -*- coding: latin-1 -*-\n" + TASKS.replace(
        "    asyncio.run(sync_orders(shop_id))",
        '    label = "caf\u00e9"; asyncio.run(sync_orders(shop_id))  # d\u00e9j\u00e0',
    )
    latin.write_bytes(source.encode("latin-1"))
    code, _, err = fix(capsys, "crlf.py", "latin.py")
    assert code == 0, err
    assert crlf.read_bytes() == b"\xef\xbb\xbf" + TASKS_FIXED.replace("\n", "\r\n").encode("utf-8")
    fixed = latin.read_bytes().decode("latin-1")
    assert '    label = "caf\u00e9"; async_to_sync(sync_orders)(shop_id)  # d\u00e9j\u00e0\n' in fixed
    ast.parse(latin.read_bytes())


def test_non_ascii_columns_map_to_the_right_node(tmp_path):
    from fix_helpers import run_fix

    source = (
        "async def notify(x):\n    return x\n\n\n"
        "async def handler():\n    \u00e9t\u00e9 = 1; notify(\u00e9t\u00e9)\n"
    )
    result = run_fix(source, tmp_path, codes=["ABR401"])
    assert result.fixed.endswith("    \u00e9t\u00e9 = 1; await notify(\u00e9t\u00e9)\n")


@pytest.mark.parametrize("line,expected", [
    ("x()", None),
    ("x()  # noqa", frozenset()),
    ("x()  # NOQA", frozenset()),
    ("x()  # noqa: ABR101", frozenset({"ABR101"})),
    ("x()  # noqa:ABR101,E501", frozenset({"ABR101", "E501"})),
    ("x()  # noqa: ABR2 E501", frozenset({"ABR2", "E501"})),
    ("x()  # type: ignore  # noqa:abr403", frozenset({"ABR403"})),
])
def test_noqa_parsing(line, expected):
    assert noqa_codes(line) == expected


@pytest.mark.parametrize("comment,skipped", [
    ("# noqa", True), ("# noqa: ABR101", True), ("# noqa: ABR1", True), ("# noqa:ABR", True),
    ("# noqa: ABR102", False), ("# noqa: E501", False), ("# noqa: ABR10", True), ("", False),
])
def test_noqa_decides_per_code(comment, skipped):
    lines = ["x = 1", f"asyncio.run(work())  {comment}"]
    finding = Finding(line=2, col=0, code="ABR101", message="", end_line=2, end_col=20)
    assert suppressed(finding, lines) is skipped


def test_noqa_on_any_line_of_a_multiline_node():
    lines = ["asyncio.run(", "    work()  # noqa: ABR101", ")"]
    finding = Finding(line=1, col=0, code="ABR101", message="", end_line=3, end_col=1)
    assert suppressed(finding, lines)


def test_check_path_never_imports_libcst(tmp_path):
    script = f"""
import ast, sys
from async_bridge.flake8_plugin import Plugin
import async_bridge.cli
import async_bridge.fixes.cli
source = {TASKS!r}
tree = ast.parse(source)
found = list(Plugin(tree, "tasks.py").run())
assert found, "the check found nothing"
async_bridge.cli.build_parser()
assert "libcst" not in sys.modules, sorted(m for m in sys.modules if m.startswith("libcst"))
print("ok", len(found))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")
