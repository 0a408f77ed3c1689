"""The three commands agree: ``flake8 --select=ABR``, ``async-bridge check`` and ``async-bridge fix --check``.

On the same project, from the same directory, with the same settings:

- ``check`` reports exactly the (path, line, column, code) set flake8 reports, and
  its concise lines are flake8's lines, character for character;
- ``fix --check`` counts the same findings per code (fixed + left for manual work)
  as ``check`` reports.

Run on the fixture projects, examples/, a project of ``# noqa`` corner cases, and one
package of the real-world corpus (``~/.cache/abr-corpus``, skipped when absent).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from textwrap import dedent

import pytest
from flake8_subprocess import FORMAT, Run

REPO = Path(__file__).resolve().parents[1]
PROJECTS = sorted(p for p in (REPO / "tests" / "projects").iterdir() if p.is_dir())
CORPUS = Path(os.environ.get("ABR_CORPUS", Path.home() / ".cache" / "abr-corpus"))
CORPUS_PACKAGE = "channels-redis-4.3.0"  # 12 files, with findings of two rules

Finding = tuple[str, int, int, str]


# The console scripts, as users run them: ``python -m`` would put the current folder on
# sys.path, where a project module named ``queue.py`` shadows the standard library.
SCRIPTS = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}


def async_bridge(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPTS / "async-bridge"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=ENV, stdin=subprocess.DEVNULL)


def flake8(cwd: Path, *args: str) -> Run:
    done = subprocess.run([str(SCRIPTS / "flake8"), "--isolated", "-j1", f"--format={FORMAT}", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=ENV, stdin=subprocess.DEVNULL)
    return Run(done.returncode, done.stdout, done.stderr)


def check_findings(cwd: Path, *args: str) -> list[Finding]:
    done = async_bridge(cwd, "check", "--output-format", "json", "-j2", *args, ".")
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return sorted((d["path"], d["line"], d["column"], d["code"]) for d in json.loads(done.stdout))


from async_bridge.fixes import fixable_codes  # noqa: E402

_COUNTS = re.compile(r"^\s+(fixable|fixed|manual):\s+(.*)$")


def fix_counts(cwd: Path, *args: str) -> Counter[str]:
    """Findings per code that ``fix --check`` saw: fixable ones plus those left for manual work."""
    done = async_bridge(cwd, "fix", "--check", *args, ".")
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and "skipped" not in done.stderr, done.stderr
    counts: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        match = _COUNTS.match(line)
        if match:
            for part in match.group(2).split(", "):
                code, _, number = part.partition(" x")
                counts[code] += int(number)
    return counts


def assert_agree(cwd: Path, flake8_args: tuple[str, ...] = (), our_args: tuple[str, ...] = ()) -> list[Finding]:
    run = flake8(cwd, "--select=ABR", *flake8_args, ".")
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    expected = sorted(run.findings())
    assert check_findings(cwd, "--isolated", *our_args) == expected
    # the lines themselves: check's concise format is flake8's default one
    done = async_bridge(cwd, "check", "--isolated", "--output-format", "concise", "-q", *our_args, ".")
    assert sorted(done.stdout.splitlines()) == sorted(line.removeprefix("./") for line in run.stdout.splitlines())
    fixable = Counter(code for *_, code in expected if code in fixable_codes())
    counted = fix_counts(cwd, "--isolated", *our_args)
    assert Counter({code: n for code, n in counted.items() if code in fixable_codes()}) == fixable
    return expected


def copy_project(source: Path, dest: Path) -> Path:
    """A fixture project on its own, as a real checkout: a pyproject.toml marks its root
    (in the repository, the nearest marker upward would be the repository's own)."""
    shutil.copytree(source, dest)
    (dest / "pyproject.toml").write_text(f'[project]\nname = "{source.name}"\n', encoding="utf-8")
    return dest


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_fixture_projects(project, tmp_path):
    root = copy_project(project, tmp_path / project.name)
    expected = assert_agree(root)
    assert expected  # every fixture project has findings to compare
    # from a package folder: check finds the root upward; flake8 takes the folder it runs
    # in (SPEC.md), so there the user names the root, and both agree
    package = next(p for p in sorted(root.iterdir()) if (p / "__init__.py").is_file()
                   and any(path.startswith(p.name + "/") for path, *_ in expected))
    inside = assert_agree(package, (f"--abr-project-root={root}",))
    assert inside == sorted((path.removeprefix(package.name + "/"), line, col, code)
                            for path, line, col, code in expected if path.startswith(package.name + "/"))


def test_examples_with_the_opt_in_rule():
    expected = assert_agree(REPO / "examples", ("--abr-enable=ABR106",), ("--enable", "ABR106"))
    assert len(expected) >= 20 and "ABR106" in {code for *_, code in expected}


NOQA_CASES = dedent('''\
    import asyncio


    async def refresh():
        asyncio.run(fetch())  # noqa: ABR105
        asyncio.run(fetch())  # noqa:ABR1
        asyncio.run(fetch())  # NOQA : ABR105
        asyncio.run(fetch())  # noqa: abr105
        asyncio.run(fetch())  #noqa
        asyncio.run(fetch())  # noqa: E501
        asyncio.run(fetch())  # noqa: E501,ABR105 trailing words
        asyncio.run(
            fetch())  # noqa: ABR105
        asyncio.run(fetch(
            """
            """))  # noqa: ABR105
        asyncio.run(fetch()); \\
            x = 1  # noqa
        asyncio.run(fetch())  # noqa: ABR


    async def fetch(*args):
        return 1


    def later():
        fetch()  # noqa: ABR401
        fetch()  # noqa: ABR4
        fetch(
        )  # noqa: ABR401
        fetch()
''')


def test_noqa_corner_cases(tmp_path):
    """Where a ``# noqa`` counts, spelled every way flake8 accepts or ignores."""
    (tmp_path / "cases.py").write_text(NOQA_CASES, encoding="utf-8")
    (tmp_path / "exempt.py").write_text("# flake8: noqa\n" + NOQA_CASES, encoding="utf-8")
    (tmp_path / "not_exempt.py").write_text("x = 1  # flake8: noqa\n" + NOQA_CASES, encoding="utf-8")
    expected = assert_agree(tmp_path)
    lines = sorted(line for path, line, _, _ in expected if path == "cases.py")
    # kept: a lower-case code, `#noqa`, another code, a comment on the call's last line or
    # after a multi-line string; gone: `# NOQA : X` (a bare noqa), a backslash continuation
    assert lines == [8, 9, 10, 12, 14, 29, 31], expected
    assert not any(path == "exempt.py" for path, *_ in expected)
    assert any(path == "not_exempt.py" for path, *_ in expected)


def test_a_corpus_package():
    package = CORPUS / CORPUS_PACKAGE
    if not package.is_dir():
        pytest.skip(f"corpus package {CORPUS_PACKAGE} not found under {CORPUS} (benchmarks/ fetches it)")
    expected = assert_agree(package)
    assert expected, "the package is expected to have findings to compare"


def test_flake8_format_is_the_one_compared():
    assert FORMAT == "%(path)s:%(row)d:%(col)d: %(code)s %(text)s"
