"""The pre-commit hook, through the real ``pre-commit try-repo``.

``try-repo`` clones the repository it is given; for a checkout with uncommitted
changes it commits the *tracked* changes into a shadow clone, but untracked files
(a new module, a hook file not yet added) are left out. So the test snapshots the
working tree as it is (tracked and untracked, minus what .gitignore drops) into a
throw-away repository and points ``try-repo`` at that: on a clean clone (CI) it
is exactly the checkout. pre-commit pip-installs the package into its own
environment (under a temporary PRE_COMMIT_HOME), like a user's first run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOOK_ID = "flake8-async-bridge"

BUGGY = '''\
import asyncio


async def refresh():
    asyncio.run(fetch())


async def fetch():
    return 1
'''

CLEAN = '''\
import asyncio


async def refresh():
    return await fetch()


async def fetch():
    await asyncio.sleep(0)
    return 1
'''


def _need(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is missing: install the 'test' extra (pip install -e '.[test]')")
        pytest.skip(f"{module} is not installed (the 'test' extra)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_AUTHOR_NAME="abr test", GIT_AUTHOR_EMAIL="abr@example.invalid",
        GIT_COMMITTER_NAME="abr test", GIT_COMMITTER_EMAIL="abr@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _snapshot(dest: Path, env: dict[str, str]) -> Path:
    """A one-commit repository holding the checkout's working tree."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    listed = _git(REPO, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    dest.mkdir()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.is_file():  # deleted but still in the index
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert (dest / ".pre-commit-hooks.yaml").is_file(), "the checkout has no .pre-commit-hooks.yaml"
    _git(dest, env, "init", "-q")
    _git(dest, env, "add", "-A")
    _git(dest, env, "commit", "-q", "-m", "snapshot")
    return dest


def _project(dest: Path, env: dict[str, str], files: dict[str, str]) -> Path:
    dest.mkdir()
    for name, text in files.items():
        (dest / name).write_text(text, encoding="utf-8")
    _git(dest, env, "init", "-q")
    _git(dest, env, "add", "-A")
    _git(dest, env, "commit", "-q", "-m", "init")
    return dest


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    _need("pre_commit")
    base = tmp_path_factory.mktemp("precommit")
    env = _env(base / "home")
    return _snapshot(base / "checkout", env), env, base


def _try_repo(project: Path, hook_repo: Path, env: dict[str, str], hook: str = HOOK_ID) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--all-files"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )


def test_hook_fails_on_a_finding(hook_repo):
    checkout, env, base = hook_repo
    project = _project(base / "buggy", env, {"tasks.py": BUGGY})
    done = _try_repo(project, checkout, env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"{HOOK_ID}" in output and "Failed" in output, output
    assert "tasks.py:5:5: ABR105 " in output, output
    assert "docs/rules/ABR105.md" in output, output


def test_hook_passes_a_clean_file(hook_repo):
    checkout, env, base = hook_repo
    project = _project(base / "clean", env, {"tasks.py": CLEAN})
    done = _try_repo(project, checkout, env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output and "ABR" not in output.replace(HOOK_ID, ""), output


def test_hook_manifest_selects_abr():
    """The hook runs flake8 with --select=ABR on Python files, in one process."""
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == HOOK_ID)
    assert hook["entry"] == "flake8"
    assert "--select=ABR" in hook["args"]
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]


FIXABLE = """\
async def fetch():
    return 1


async def view():
    fetch()
    return 1
"""


def test_fix_hook_rewrites_and_fails_then_passes(hook_repo):
    """async-bridge-fix rewrites the file (pre-commit fails: files were modified),
    and a second run over the fixed file passes."""
    checkout, env, base = hook_repo
    project = _project(base / "fixable", env, {"views.py": FIXABLE})
    first = _try_repo(project, checkout, env, hook="async-bridge-fix")
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    fixed = (project / "views.py").read_text(encoding="utf-8")
    assert "    await fetch()\n" in fixed, fixed
    _git(project, env, "add", "-A")
    second = _try_repo(project, checkout, env, hook="async-bridge-fix")
    assert second.returncode == 0, second.stdout + second.stderr
