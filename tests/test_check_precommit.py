"""The ``async-bridge-check`` pre-commit hook (no flake8 involved), through the real ``pre-commit try-repo``.

Same machinery as tests/test_precommit.py: a snapshot of the working tree, a
throw-away project, pre-commit installing the package in its own environment.
"""

from __future__ import annotations

import pytest
from test_precommit import BUGGY, CLEAN, _env, _need, _project, _snapshot, _try_repo

HOOK_ID = "async-bridge-check"

HELPER = '''\
import asyncio

from shop.sync import import_orders


def run_import(shop_id):
    asyncio.run(import_orders(shop_id))
'''
TASK = '''\
from celery import shared_task

from shop.helpers import run_import


@shared_task
def refresh(shop_id):
    run_import(shop_id)
'''
SYNC = '''\
from shop.models import Order


async def import_orders(shop_id):
    await Order.objects.filter(shop_id=shop_id).aupdate(synced=True)
'''


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    _need("pre_commit")
    base = tmp_path_factory.mktemp("precommit-check")
    env = _env(base / "home")
    return _snapshot(base / "checkout", env), env, base


def test_check_hook_fails_on_a_finding(hook_repo):
    checkout, env, base = hook_repo
    project = _project(base / "check-buggy", env, {"tasks.py": BUGGY, "clean.py": CLEAN})
    done = _try_repo(project, checkout, env, hook=HOOK_ID)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "async-bridge check" in output and "Failed" in output, output
    assert "tasks.py:5:5: ABR105 " in output and "docs/rules/ABR105.md" in output, output
    assert "flake8" not in output.replace("flake8-async-bridge", ""), output


def test_check_hook_passes_a_clean_file(hook_repo):
    checkout, env, base = hook_repo
    project = _project(base / "check-clean", env, {"tasks.py": CLEAN})
    done = _try_repo(project, checkout, env, hook=HOOK_ID)
    assert done.returncode == 0 and "Passed" in done.stdout + done.stderr, done.stdout + done.stderr


def test_check_hook_answers_across_files(hook_repo):
    """pre-commit passes file names; the project index still follows the helper into other modules."""
    checkout, env, base = hook_repo
    project = _project(base / "check-project", env, {"pyproject.toml": '[project]\nname = "shop"\n'})
    for name, text in {"shop/__init__.py": "", "shop/helpers.py": HELPER, "shop/tasks.py": TASK,
                       "shop/sync.py": SYNC}.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    from test_precommit import _git

    _git(project, env, "add", "-A")
    _git(project, env, "commit", "-q", "-m", "shop")
    done = _try_repo(project, checkout, env, hook=HOOK_ID)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "shop/helpers.py:7:5: ABR101 " in output, output


def test_check_hook_manifest():
    import yaml
    from test_precommit import REPO

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == HOOK_ID)
    assert hook["entry"] == "async-bridge check"  # the package's console script: no flake8
    assert hook["language"] == "python" and hook["types"] == ["python"]
    assert hook["require_serial"] is True  # one run: check's own process pool and project index
