"""Background-task frameworks: messages name the framework, the knowledge is the user's to
extend (rules/knowledge/workers.yaml, `task_frameworks`), bad entries are one clear line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import settings_for

from async_bridge import task_frameworks
from async_bridge.analysis import contexts
from async_bridge.engine import check_tree
from async_bridge.knowledge import builtin, with_extra

STORE = """\
import asyncio
from asgiref.sync import sync_to_async


async def store(order_id):
    await sync_to_async(print)(order_id)


"""


def _messages(tmp_path: Path, source: str, extra: str | None = None, name: str = "jobs.py") -> list[str]:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    knowledge: tuple[str, ...] = ()
    if extra is not None:
        extra_path = tmp_path / "knowledge.yaml"
        extra_path.write_text(extra, encoding="utf-8")
        knowledge = (str(extra_path),)
    settings = settings_for(tmp_path, extra_knowledge=knowledge)
    findings = check_tree(ast.parse(source), str(path), settings)
    return [f"{f.line}:{f.col + 1} {f.message}" for f in findings]


@pytest.mark.parametrize(
    ("imports", "decorator", "shown"),
    [
        ("from celery import shared_task", "@shared_task", "Celery task"),
        ("from django.tasks import task", "@task()", "Django task"),
        ("import dramatiq", "@dramatiq.actor(max_retries=1)", "dramatiq actor"),
        ("from huey.contrib.djhuey import db_task", "@db_task()", "huey task"),
        ("from django_rq import job", "@job", "RQ job"),
    ],
)
def test_abr101_names_the_framework(tmp_path: Path, imports: str, decorator: str, shown: str) -> None:
    source = f"{imports}\n{STORE}{decorator}\ndef pay(order_id):\n    asyncio.run(store(order_id))\n"
    [message] = _messages(tmp_path, source)
    assert message == f"12:5 ABR101 {shown} 'pay': `asyncio.run()` runs a DB-touching coroutine on a new loop: " \
        "use `async_to_sync(store)`"


def test_abr101_names_a_django_q_task_and_a_helper_it_reaches(tmp_path: Path) -> None:
    source = (
        f"from django_q.tasks import async_task\n{STORE}"
        "def helper(order_id):\n    asyncio.run(store(order_id))\n\n\n"
        "def pay(order_id):\n    helper(order_id)\n\n\n"
        "def on_paid(order_id):\n    async_task(pay, order_id)\n"
    )
    [message] = _messages(tmp_path, source)
    assert message.startswith("11:5 ABR101 'helper' (via django-q task): `asyncio.run()` runs a DB-touching coroutine")


def test_abr301_message_is_framework_neutral(tmp_path: Path) -> None:
    source = (
        "from huey import RedisHuey\nfrom celery import shared_task\n\nhuey = RedisHuey('shop')\n\n\n"
        "@huey.task()\nasync def refresh(shop_id):\n    ...\n\n\n"
        "@shared_task(bind=True)\nasync def sync(self, shop_id):\n    ...\n"
    )
    assert _messages(tmp_path, source) == [
        "8:1 ABR301 huey task 'refresh' (`@huey.task`) is an async def nobody awaits: "
        "make it sync and call `async_to_sync`",
        "13:1 ABR301 Celery task 'sync' (`@shared_task`) is an async def nobody awaits: "
        "make it sync and call `async_to_sync`",
    ]


def test_messages_stay_short(tmp_path: Path) -> None:
    source = "from huey.contrib.djhuey import db_periodic_task\n\n\n@db_periodic_task(None)\n" \
             "async def nightly():\n    ..."
    [message] = _messages(tmp_path, source)
    assert len(message.split(" ", 2)[2]) <= 125


USER_FRAMEWORK = """\
task_frameworks:
  acme:
    label: tenant task
    runs_async: false
    decorators: [acme.tasks.tenant_task]
"""

USER_SOURCE = f"""\
from acme.tasks import tenant_task
{STORE}@tenant_task(tenant="eu")
def pay(order_id):
    asyncio.run(store(order_id))


@tenant_task
async def refund(order_id):
    ...
"""


def test_a_users_own_framework(tmp_path: Path) -> None:
    assert _messages(tmp_path, USER_SOURCE) == []
    messages = _messages(tmp_path, USER_SOURCE, USER_FRAMEWORK)
    assert [m.split(" ", 2)[:2] for m in messages] == [["12:5", "ABR101"], ["16:1", "ABR301"]]
    assert "ABR101 tenant task 'pay': " in messages[0]
    assert messages[1].split(" ", 2)[2].startswith(
        "tenant task 'refund' (`@tenant_task`) is an async def nobody awaits")


def test_extending_a_builtin_framework_keeps_its_names(tmp_path: Path) -> None:
    extra = "task_frameworks:\n  celery:\n    decorators: [acme.tasks.tenant_task]\n"
    source = USER_SOURCE + "\n\nfrom celery import shared_task\n\n\n@shared_task\nasync def kept(order_id):\n    ...\n"
    messages = _messages(tmp_path, source, extra)
    assert [m.split(" ", 2)[:2] for m in messages] == [["12:5", "ABR101"], ["16:1", "ABR301"], ["24:1", "ABR301"]]
    assert "ABR101 Celery task 'pay': " in messages[0]


def test_a_pool_that_runs_coroutines_is_declared_in_knowledge(tmp_path: Path) -> None:
    source = "from celery import shared_task\n\n\n@shared_task\nasync def refresh(shop_id):\n    ...\n"
    assert len(_messages(tmp_path, source)) == 1
    assert _messages(tmp_path, source, "task_frameworks:\n  celery:\n    runs_async: true\n") == []


def test_earlier_releases_celery_keys_still_count(tmp_path: Path) -> None:
    extra = "celery_task_decorators: [acme.tasks.tenant_task]\n"
    messages = _messages(tmp_path, USER_SOURCE, extra)
    assert [m.split(" ", 2)[:2] for m in messages] == [["12:5", "ABR101"], ["16:1", "ABR301"]]
    assert "Celery task 'refund'" in messages[1]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("task_frameworks: [celery]", "'task_frameworks' must be a mapping of name -> mapping"),
        ("task_frameworks:\n  acme: [a.b]\n", "'task_frameworks' entry 'acme': expected a mapping"),
        ("task_frameworks:\n  acme:\n    decorators: a.b\n", "task_frameworks.acme.decorators must be a list of names"),
        ("task_frameworks:\n  acme:\n    runs_async: maybe\n", "task_frameworks.acme.runs_async must be true or false"),
        ("task_frameworks:\n  acme:\n    decorator: [a.b]\n", "task_frameworks.acme: unknown field 'decorator'"),
    ],
)
def test_malformed_entries_are_one_line(tmp_path: Path, entry: str, problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(entry, encoding="utf-8")
    with_extra.cache_clear()
    problems = with_extra((str(path),)).problems  # the bad entry is dropped, the rest kept
    assert len(problems) == 1 and "\n" not in problems[0] and problem in problems[0], problems


def test_builtin_frameworks_are_well_formed() -> None:
    lists = builtin().lists
    task_frameworks.check(lists[task_frameworks.KEY], "builtin")
    parsed = {fw.id: fw for fw in task_frameworks.parse(lists)}
    assert set(parsed) == {"celery", "django_tasks", "dramatiq", "huey", "rq", "django_q"}
    assert [fw.id for fw in parsed.values() if fw.runs_async] == ["django_tasks", "dramatiq", "rq"]
    assert not parsed["dramatiq"].runs_async_method


def test_task_contexts_are_worker_contexts() -> None:
    celery = contexts.task_context("celery")
    assert celery in contexts.WORKER_CONTEXTS and contexts.TASK in contexts.WORKER_CONTEXTS
    assert contexts.task_context("acme") in contexts.WORKER_CONTEXTS
    assert contexts.MANAGEMENT_COMMAND not in contexts.WORKER_CONTEXTS
    assert contexts.DESCRIPTIONS[celery] == "Celery task"
    assert contexts.DESCRIPTIONS[contexts.task_context("acme")] == "background task"
    assert contexts.describe(contexts.task_context("dramatiq"), builtin()) == "dramatiq actor"


def test_a_users_enqueue_function(tmp_path: Path) -> None:
    extra = (
        "task_frameworks:\n  reports:\n    label: report job\n    runs_async: false\n"
        "    enqueue_functions: [myco.reports.submit]\n"
    )
    source = (
        f"from myco.reports import submit\n{STORE}def build(order_id):\n    asyncio.run(store(order_id))\n\n\n"
        "async def build_async(order_id):\n    ...\n\n\n"
        "def on_paid(order_id):\n    submit(build, order_id)\n    submit(build_async, order_id)\n"
    )
    assert _messages(tmp_path, source) == []
    messages = _messages(tmp_path, source, extra)
    assert [m.split(" ", 2)[:2] for m in messages] == [["11:5", "ABR101"], ["20:5", "ABR301"]]
    assert "ABR101 report job 'build': " in messages[0]
    assert "report job 'build_async' (`submit(...)`)" in messages[1]
