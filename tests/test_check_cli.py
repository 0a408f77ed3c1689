"""``async-bridge check``: findings, exit codes, options, files, fixes, standard input, parallelism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from async_bridge import cli
from async_bridge.config import DOCS_BASE_URL
from async_bridge.knowledge import builtin

TASKS = dedent('''\
    import asyncio

    from celery import shared_task

    from shop.sync import import_orders


    @shared_task
    def refresh(shop_id):
        asyncio.run(import_orders(shop_id))


    def fetch(coro):
        loop = asyncio.new_event_loop()
        return loop.run_until_complete(coro)
''')
SYNC = dedent('''\
    from shop.models import Order


    async def import_orders(shop_id):
        await Order.objects.filter(shop_id=shop_id).aupdate(synced=True)
''')
TASKS_FINDINGS = [("shop/tasks.py", 10, 5, "ABR101"), ("shop/tasks.py", 14, 12, "ABR102")]
CLEAN = "def add(a, b):\n    return a + b\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, {"pyproject.toml": '[project]\nname = "shop"\n', "shop/__init__.py": "",
                     "shop/sync.py": SYNC, "shop/tasks.py": TASKS, "clean.py": CLEAN})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["check", "-j1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def positions(concise: str) -> list[tuple[str, int, int, str]]:
    found = []
    for line in concise.splitlines():
        path, row, col, rest = line.split(":", 3)
        found.append((path, int(row), int(col), rest.split()[0]))
    return found


def check_subprocess(cwd: Path, *args: str, stdin: bytes | None = None, start_method: str | None = None,
                     env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The console script as a user runs it (optionally under one multiprocessing start method)."""
    prelude = f"import multiprocessing; multiprocessing.set_start_method({start_method!r}); " if start_method else ""
    code = prelude + "import sys; from async_bridge.cli import main; sys.exit(main(sys.argv[1:]))"
    environ = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-c", code, "check", *args], cwd=cwd, input=stdin,
                          capture_output=True, timeout=300, env=environ)


# findings and exit codes -------------------------------------------------------
def test_concise_findings_and_exit_code(project, capsys):
    code, out, err = check(capsys, "--output-format", "concise")
    assert code == 1
    assert positions(out) == TASKS_FINDINGS
    assert out.splitlines()[0].endswith(f"(docs: {DOCS_BASE_URL}ABR101.md)")
    assert err == ("async-bridge check: found 2 finding(s) in 1 file(s), 4 checked; 2 may be fixed with --fix\n")


def test_clean_files_exit_zero(project, capsys):
    code, out, err = check(capsys, "clean.py", "shop/sync.py")
    assert (code, out) == (0, "")
    assert err == "async-bridge check: no findings, 2 file(s) checked\n"


def test_exit_zero_and_quiet(project, capsys):
    code, out, err = check(capsys, "--exit-zero", "-q", "--output-format", "concise")
    assert code == 0 and len(out.splitlines()) == 2 and err == ""


def test_full_is_the_default_format(project, capsys):
    code, out, _ = check(capsys, "shop/tasks.py")
    lines = out.splitlines()
    assert lines[0].startswith("shop/tasks.py:10:5: ABR101 Celery task 'refresh': `asyncio.run()` runs")
    assert lines[1:4] == ["    |", " 10 |     asyncio.run(import_orders(shop_id))",
                          "    |     " + "^" * len("asyncio.run(import_orders(shop_id))")]
    # the chain behind the finding: the query the coroutine reaches, in another module
    assert lines[4:7] == ["    = related:", "      1. shop/sync.py:5:11: `Order.objects.filter(...).aupdate()`",
                          f"    = docs: {DOCS_BASE_URL}ABR101.md"]


def test_show_why(project, capsys):
    code, out, _ = check(capsys, "--output-format", "concise", "--show-why", "shop/tasks.py")
    why = builtin().rules["ABR101"].why
    assert f" Why: {why} (docs: {DOCS_BASE_URL}ABR101.md)" in out.splitlines()[0]


def test_json_output_file_and_statistics(project, capsys):
    code, out, _ = check(capsys, "--output-format", "json", "-o", "report.json")
    assert code == 1 and out == ""
    data = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in data] == TASKS_FINDINGS
    code, out, _ = check(capsys, "--statistics")
    assert code == 1
    assert out == "1  ABR101  [*] event-loop-in-worker\n1  ABR102  [*] unclosed-event-loop\n"


def test_sarif_and_github_from_the_command(project, capsys):
    code, out, _ = check(capsys, "--output-format", "sarif")
    [run] = json.loads(out)["runs"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]] == [
        ("ABR101", 10), ("ABR102", 14)]
    code, out, _ = check(capsys, "--output-format", "github")
    assert out.splitlines()[0].startswith(
        "::error title=ABR101 event-loop-in-worker,file=shop/tasks.py,line=10,col=5,endLine=10,endColumn=40::ABR101 ")


# options ----------------------------------------------------------------------
def test_select_and_ignore(project, capsys):
    assert positions(check(capsys, "--output-format", "concise", "--select", "ABR102")[1]) == TASKS_FINDINGS[1:]
    assert check(capsys, "--output-format", "concise", "--ignore", "ABR1")[:2] == (0, "")
    assert positions(check(capsys, "--output-format", "concise", "--select", "abr1", "--ignore", "ABR102")[1]) == (
        TASKS_FINDINGS[:1])
    code, out, err = check(capsys, "--select", "XYZ9")
    assert code == 2 and out == "" and err == (
        "async-bridge check: --select/--ignore: unknown code or prefix 'XYZ9' (`async-bridge rules` lists them)\n")


OPT_IN = dedent('''\
    import asyncio
    from celery import shared_task
    from vendor_sdk import sync_everything


    @shared_task
    def nightly():
        asyncio.run(sync_everything())
''')


def test_enable_switches_an_opt_in_rule_on(project, capsys):
    write(project, {"nightly.py": OPT_IN})
    assert check(capsys, "nightly.py")[0] == 0
    assert check(capsys, "--select", "ABR106", "nightly.py")[0] == 0  # --select alone does not
    code, out, _ = check(capsys, "--output-format", "concise", "--enable", "ABR106", "nightly.py")
    assert positions(out) == [("nightly.py", 8, 5, "ABR106")]


VIEW = dedent('''\
    from shop.models import Order


    async def show(request, pk):
        return Order.objects.get(pk=pk)
''')


def test_django_version_changes_the_suggestion(project, capsys):
    write(project, {"views.py": VIEW})
    _, old, _ = check(capsys, "--output-format", "concise", "--django-version", "4.0", "views.py")
    _, new, _ = check(capsys, "--output-format", "concise", "--django-version", "4.1", "views.py")
    assert positions(old) == positions(new) == [("views.py", 5, 12, "ABR201")]
    assert "`aget()` needs Django 4.1" in old and "sync_to_async(Order.objects.get)" in old
    assert "aget(" in new and "needs Django" not in new


@pytest.mark.parametrize("argv, message", [
    (["--django-version", "banana"], "--django-version: expected a version like 4.2, got 'banana'"),
    (["--enable", "ABR999"], "--enable: unknown rule code 'ABR999'"),
    (["--project-root", "nowhere"], "--project-root: "),
    (["--project-root", "/"], "--project-root: '/' is the filesystem root"),
    (["--extra-knowledge", "missing.yaml"], "--extra-knowledge: no such file: "),
    (["--jobs", "0"], "--jobs: expected a number of processes"),
    (["missing.py"], "no such file or directory: missing.py"),
    (["--stdin-filename", "x.py", "clean.py"], "--stdin-filename reads standard input: give no PATH"),
])
def test_bad_usage_is_one_line_and_exit_2(project, capsys, argv, message):
    code, out, err = check(capsys, *argv)
    assert code == 2 and out == ""
    [line] = err.splitlines()
    assert line.startswith("async-bridge check: ") and message in line, line


def test_unknown_option_is_argparse_usage(project, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "--frobnicate"])
    assert exc.value.code == 2


# files ------------------------------------------------------------------------
def test_unparseable_and_undecodable_files_do_not_stop_the_run(project, capsys):
    write(project, {"broken.py": "def f(:\n    pass\n",
                    "cookie.py": b"# -*- coding: no-such-codec -*-\nx = 1\n",
                    "nul.py": b"x = 1\x00\n"})
    code, out, err = check(capsys, "--output-format", "concise")
    assert code == 1
    assert positions(out) == TASKS_FINDINGS
    lines = err.splitlines()
    assert lines[0] == "broken.py: syntax error, line 1: invalid syntax"
    assert lines[1].startswith("cookie.py: cannot decode: ")
    assert lines[2].startswith("nul.py: cannot parse: ")
    assert lines[3] == ("async-bridge check: found 2 finding(s) in 1 file(s), 7 checked; 2 may be fixed with "
                        "--fix; 3 file(s) could not be checked")
    assert len(lines) == 4


def test_default_excludes_and_virtualenvs(project, capsys):
    for folder in (".git/hooks", "venv", "custom_env/lib", "node_modules/x", "build/lib/shop", "dist",
                   ".tox/py", "shop/__pycache__", "pkg.egg-info"):
        write(project, {f"{folder}/tasks.py": TASKS})
    write(project, {"custom_env/pyvenv.cfg": "home = /usr\n", "notes.txt": "asyncio.run(x())\n"})
    code, out, _ = check(capsys, "--show-files")
    assert (code, out.splitlines()) == (0, ["clean.py", "shop/__init__.py", "shop/sync.py", "shop/tasks.py"])
    # a folder named on the command line is walked even when its name is a default exclude
    code, out, _ = check(capsys, "--show-files", "build")
    assert out.splitlines() == ["build/lib/shop/tasks.py"]


def test_exclude_and_extend_exclude_from_pyproject(project, capsys):
    write(project, {"build/gen.py": CLEAN, "legacy/old.py": TASKS, "shop/migrations/0001.py": TASKS})
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('[tool.async-bridge]\nextend-exclude = ["migrations", "legacy/*.py"]\n')
    code, out, _ = check(capsys, "--show-files")
    assert out.splitlines() == ["clean.py", "shop/__init__.py", "shop/sync.py", "shop/tasks.py"]
    # a file named explicitly is excluded too (pre-commit passes every staged file)
    code, out, _ = check(capsys, "--output-format", "concise", "legacy/old.py", "shop/tasks.py")
    assert positions(out) == TASKS_FINDINGS
    # exclude replaces the default folders
    (project / "pyproject.toml").write_text('[tool.async-bridge]\nexclude = ["shop"]\n', encoding="utf-8")
    code, out, _ = check(capsys, "--show-files")
    assert out.splitlines() == ["build/gen.py", "clean.py", "legacy/old.py"]
    # and the command line adds its own
    code, out, _ = check(capsys, "--show-files", "--extend-exclude", "build,legacy")
    assert out.splitlines() == ["clean.py"]


def test_project_root_is_found_upward(project, capsys, monkeypatch):
    (project / "pyproject.toml").write_text('[tool.async-bridge]\nenable = ["ABR106"]\n', encoding="utf-8")
    write(project, {"shop/nightly.py": OPT_IN})
    monkeypatch.chdir(project / "shop")
    code, out, _ = check(capsys, "--output-format", "concise")
    # imports resolve from the root (ABR101 needs shop.sync), the settings are the root's
    assert positions(out) == [("nightly.py", 8, 5, "ABR106"), ("tasks.py", 10, 5, "ABR101"),
                              ("tasks.py", 14, 12, "ABR102")]
    code, out, _ = check(capsys, "--show-settings")
    assert out.splitlines()[:2] == [f"project root: {project}", f"read: {project / 'pyproject.toml'}"]


# configuration problems: reported, linted anyway, exit 2 ---------------------------
def test_invalid_toml_is_one_line_and_linting_goes_on(project, capsys):
    (project / "pyproject.toml").write_text("[tool.async-bridge\nenable = [\n", encoding="utf-8")
    code, out, err = check(capsys, "--output-format", "concise")
    assert code == 2
    assert positions(out) == TASKS_FINDINGS
    first, summary = err.splitlines()
    assert first.startswith(f"async-bridge check: {project / 'pyproject.toml'}: invalid TOML (")
    assert first.endswith("; [tool.async-bridge] ignored")
    assert summary.startswith("async-bridge check: found 2 finding(s)")


def test_bad_value_in_pyproject_is_reported_and_ignored(project, capsys):
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('[tool.async-bridge]\ndjango-version = "four"\ncolour = "red"\n')
    code, out, err = check(capsys, "--output-format", "concise", "--exit-zero")
    assert code == 2 and positions(out) == TASKS_FINDINGS
    lines = err.splitlines()
    assert "[tool.async-bridge]: unknown key 'colour'" in lines[0]
    assert "[tool.async-bridge] django-version: expected a version like 4.2, got 'four'; ignoring it" in lines[1]


# fixes --------------------------------------------------------------------------
def test_diff_writes_nothing(project, capsys):
    code, out, err = check(capsys, "--diff")
    assert code == 1
    assert out.startswith("--- a/shop/tasks.py\n+++ b/shop/tasks.py\n")
    assert "+    async_to_sync(import_orders)(shop_id)\n" in out and "+        loop.close()\n" in out
    assert (project / "shop" / "tasks.py").read_text(encoding="utf-8") == TASKS
    assert err == ("async-bridge check: would fix 2: ABR101 x1, ABR102 x1; 1 file(s) would change, 4 checked\n")


def test_fix_writes_and_reports_what_is_left(project, capsys):
    code, out, err = check(capsys, "--fix", "--output-format", "concise")
    assert (code, out) == (0, "")
    fixed = (project / "shop" / "tasks.py").read_text(encoding="utf-8")
    assert "async_to_sync(import_orders)(shop_id)" in fixed and "loop.close()" in fixed
    assert err == "async-bridge check: fixed 2: ABR101 x1, ABR102 x1; no findings, 4 file(s) checked\n"
    assert check(capsys)[0] == 0


def test_fix_respects_select(project, capsys):
    code, out, _ = check(capsys, "--fix", "--select", "ABR102", "--output-format", "concise")
    assert code == 0
    fixed = (project / "shop" / "tasks.py").read_text(encoding="utf-8")
    assert "loop.close()" in fixed and "asyncio.run(import_orders(shop_id))" in fixed


# standard input ------------------------------------------------------------------
BUFFER = TASKS.replace("def fetch(coro):", "def fetch_more(coro):")


def test_stdin_filename_uses_the_buffer_and_the_project_on_disk(project):
    (project / "shop" / "tasks.py").write_text(CLEAN, encoding="utf-8")  # the file on disk is clean
    done = check_subprocess(project / "shop", "--stdin-filename", "tasks.py", "--output-format", "json",
                            "-j2", stdin=BUFFER.encode("utf-8"))
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    # ABR101 needs shop.sync.import_orders, read from disk; reported under the given name
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in data] == [
        ("tasks.py", 10, 5, "ABR101"), ("tasks.py", 14, 12, "ABR102")]


def test_stdin_fix_prints_the_fixed_text(project):
    done = check_subprocess(project, "--stdin-filename", "shop/tasks.py", "--fix", "--output-format", "concise",
                            stdin=TASKS.encode("utf-8"))
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")
    assert "async_to_sync(import_orders)(shop_id)" in text and "loop.close()" in text
    assert (project / "shop" / "tasks.py").read_text(encoding="utf-8") == TASKS


def test_stdin_with_a_syntax_error(project):
    done = check_subprocess(project, "--stdin-filename", "x.py", stdin=b"def f(:\n")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[0] == "x.py: syntax error, line 1: invalid syntax"


# parallel runs ---------------------------------------------------------------------
@pytest.mark.parametrize("start_method", ["fork", "forkserver", "spawn"])
def test_process_pool_under_every_start_method(project, start_method):
    import multiprocessing

    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{start_method} is not available on this platform")
    for index in range(6):  # enough files for several workers and chunks
        write(project, {f"shop/copy{index}.py": TASKS})
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('[tool.async-bridge]\ncolour = "red"\n')  # one problem, to count its messages
    serial = check_subprocess(project, "-j1", "--output-format", "concise")
    parallel = check_subprocess(project, "-j2", "--output-format", "concise", start_method=start_method)
    assert parallel.returncode == serial.returncode == 2, parallel.stderr
    assert parallel.stdout == serial.stdout
    assert len(parallel.stdout.splitlines()) == 14
    warnings = [line for line in parallel.stderr.decode().splitlines() if "unknown key 'colour'" in line]
    assert len(warnings) == 1, parallel.stderr
    assert b"Traceback" not in parallel.stderr


def test_stdin_fix_of_an_unparseable_buffer_echoes_it(project):
    """An editor replaces its buffer with stdout: never with nothing."""
    buffer = b"# -*- coding: latin-1 -*-\ndef f(:\n    x = '\xe9'\n"
    done = check_subprocess(project, "--stdin-filename", "x.py", "--fix", stdin=buffer)
    assert done.stdout == buffer
    assert done.returncode == 1 and b"x.py: syntax error, line 2" in done.stderr


def test_stdin_fix_keeps_the_encoding(project):
    buffer = ("# -*- coding: latin-1 -*-\n" + TASKS.replace("def fetch(coro):", "def fetch(coro):  # caf\u00e9"))
    done = check_subprocess(project, "--stdin-filename", "shop/tasks.py", "--fix", stdin=buffer.encode("latin-1"))
    assert done.returncode == 0, done.stderr
    fixed = done.stdout.decode("latin-1")
    assert "def fetch(coro):  # caf\u00e9\n" in fixed and "loop.close()" in fixed


def test_checking_never_imports_libcst(project):
    """libcst is for fixing only: checking (even in workers) never parses with it."""
    code = ("import sys; from async_bridge.cli import main; rc = main(['check', '-j1', '-q']); "
            "assert 'libcst' not in sys.modules, 'libcst imported'; sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "libcst imported" not in done.stderr, done.stderr
