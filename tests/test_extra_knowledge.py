"""User knowledge (--abr-extra-knowledge): loop-bound types and task decorators."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import lint_file, settings_for

FLAKE8 = Path(sys.executable).parent / "flake8"
if not FLAKE8.exists():
    FLAKE8 = Path("/work/venv/bin/flake8")

KNOWLEDGE = """\
loop_bound_types:
  - gqlkit.AsyncGraphQLClient
  - shop.clients.make_broker_client
celery_task_decorators:
  - shop.jobs.job
"""

SOURCE = """\
from gqlkit import AsyncGraphQLClient
from shop.clients import make_broker_client
from shop.jobs import job

GRAPHQL = AsyncGraphQLClient("https://api.example/graphql")
BROKER = make_broker_client()


@job
async def sync_orders(shop_id):
    ...


async def inside():
    return AsyncGraphQLClient("https://api.example/graphql")
"""


def _project(tmp_path: Path, knowledge: str = KNOWLEDGE) -> tuple[Path, Path]:
    module = tmp_path / "sync_module.py"
    module.write_text(SOURCE, encoding="utf-8")
    extra = tmp_path / "abr-knowledge.yaml"
    extra.write_text(knowledge, encoding="utf-8")
    return module, extra


def test_builtin_knowledge_does_not_know_them(tmp_path: Path) -> None:
    module, _ = _project(tmp_path)
    assert lint_file(module, settings_for(tmp_path)) == []


def test_extra_loop_bound_types_and_task_decorators(tmp_path: Path) -> None:
    module, extra = _project(tmp_path)
    findings = lint_file(module, settings_for(tmp_path, extra_knowledge=(str(extra),)))
    assert findings == [(5, 11, "ABR402"), (6, 10, "ABR402"), (10, 1, "ABR301")]


def _flake8(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FLAKE8), "-j1", "--select=ABR", *args, "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )


def test_flake8_option_reads_the_user_file(tmp_path: Path) -> None:
    _, extra = _project(tmp_path)
    result = _flake8(tmp_path, f"--abr-extra-knowledge={extra}")
    lines = sorted(result.stdout.splitlines())
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["./sync_module.py:10:1:", "ABR301"],
        ["./sync_module.py:5:11:", "ABR402"],
        ["./sync_module.py:6:10:", "ABR402"],
    ], result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_user_yaml_is_one_line_and_other_findings_remain(tmp_path: Path) -> None:
    _, extra = _project(tmp_path, knowledge="loop_bound_types: [gqlkit.AsyncGraphQLClient\n  - : :\n")
    (tmp_path / "builtin_case.py").write_text("import asyncio\n\nLOCK = asyncio.Lock()\n", encoding="utf-8")
    result = _flake8(tmp_path, f"--abr-extra-knowledge={extra}")
    assert "Traceback" not in result.stderr
    messages = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(messages) == 1, result.stderr
    assert str(extra) in messages[0] and "invalid YAML" in messages[0]
    # built-in knowledge still applies: the asyncio lock is reported, the user's type is not
    assert "./builtin_case.py:3:8: ABR402" in result.stdout, result.stdout
    assert "sync_module.py:5:" not in result.stdout


def test_wrong_shape_user_knowledge_is_reported_not_raised(tmp_path: Path) -> None:
    module, extra = _project(tmp_path, knowledge="loop_bound_types: 3\n")
    findings = lint_file(module, settings_for(tmp_path, extra_knowledge=(str(extra),)))
    assert findings == []


WRAPPER_SOURCE = """\
from django.db import models
from shop.pagination import FastPaginator


class Row(models.Model):
    n = models.IntegerField()


async def rows(page):
    pages = FastPaginator(Row.objects.all(), 10)
    return pages.total, pages.fetch(page), pages.per_page
"""


def test_extra_queryset_wrapper_evaluates_its_queryset(tmp_path: Path) -> None:
    """A project's own paginator, described as knowledge, is a QuerySet wrapper like Django's;
    a malformed entry (members not a list) is read as having none, never a crash."""
    module = tmp_path / "views.py"
    module.write_text(WRAPPER_SOURCE, encoding="utf-8")
    assert lint_file(module, settings_for(tmp_path)) == []
    extra = tmp_path / "abr-knowledge.yaml"
    extra.write_text("queryset_wrappers:\n  shop.pagination.FastPaginator:\n"
                     "    reads: [total]\n    calls: [fetch]\n", encoding="utf-8")
    findings = lint_file(module, settings_for(tmp_path, extra_knowledge=(str(extra),)))
    assert findings == [(11, 12, "ABR201"), (11, 25, "ABR201")]
    malformed = tmp_path / "abr-malformed.yaml"
    malformed.write_text("queryset_wrappers:\n  shop.pagination.FastPaginator:\n    reads: total\n    calls: 3\n",
                         encoding="utf-8")
    assert lint_file(module, settings_for(tmp_path, extra_knowledge=(str(malformed),))) == []
