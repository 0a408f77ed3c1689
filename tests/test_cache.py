"""The persistent project cache: same findings cold and warm, nothing stale, nothing fatal.

Most tests run the engine in this process; a new ``ProjectIndex`` (``project_index``
cleared) stands for a new process. The flake8 tests run the real command.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from flake8_subprocess import flake8

from async_bridge import cli
from async_bridge.config import Settings, project_index, resolve_settings
from async_bridge.engine import check_source
from async_bridge.index import cache, project_files
from async_bridge.index.cache import CacheStore

from helpers import SHOP_MODELS as MODELS, SHOP_VIEWS as VIEWS, edit_keeping_size_and_mtime

SERVICES = """\
from shop.models import Order


async def fetch_orders():
    return [o async for o in Order.objects.all()]


def sync_orders():
    return list(Order.objects.all())
"""
FORGOTTEN_AWAIT = (5, "ABR401")


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch):
    """Files written by a test are seconds old at most: trust their stat at once (the
    window is for edits in the same clock tick as a run, tested on its own)."""
    monkeypatch.setattr(project_files, "_RACY_NS", 0)
    monkeypatch.setattr(cache, "_warned", False)  # each test is a run of its own
    yield
    project_index.cache_clear()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(MODELS)
    (root / "shop" / "services.py").write_text(SERVICES)
    (root / "shop" / "views.py").write_text(VIEWS)
    return root


def settings(root: Path, cache_dir: Path | None = None, **extra) -> Settings:
    """A new process's settings (its own project index)."""
    project_index.cache_clear()
    return Settings(project_root=str(root), cache_dir=str(cache_dir or root / ".async_bridge_cache"), **extra)


def lint(root: Path, name: str = "views.py", cache_dir: Path | None = None, **extra) -> tuple[list, Settings]:
    s = settings(root, cache_dir, **extra)
    path = root / "shop" / name
    found = [(f.line, f.code) for f in check_source(path.read_text(), str(path), s)]
    s.index.flush()
    return found, s


def cache_folder(root: Path) -> Path:
    [folder] = [p for p in (root / ".async_bridge_cache").iterdir() if p.is_dir()]
    return folder


# -- cold and warm -----------------------------------------------------------------------------

def test_cold_then_warm_same_findings_and_nothing_read_or_parsed(project: Path) -> None:
    cold, s = lint(project)
    assert cold == [FORGOTTEN_AWAIT]
    assert s.index.files.files_read == 4  # every file once
    assert (project / ".async_bridge_cache" / ".gitignore").read_text() == "*\n"

    warm, s = lint(project)
    assert warm == cold
    assert s.index.files.files_read == 0
    assert s.index.stats["parses"] == 0
    assert s.index.stats["findings records used"] == 1


def test_another_file_uses_the_summaries_of_the_first_run(project: Path) -> None:
    lint(project)  # summarises services.py while checking views.py
    (project / "shop" / "admin.py").write_text(
        "from shop.services import fetch_orders\n\n\nasync def tool():\n    fetch_orders()\n")
    found, s = lint(project, "admin.py")
    assert found == [(5, "ABR401")]
    assert s.index.files.files_read == 1  # the new file only
    assert s.index.stats["parses"] == 0  # services.py comes from its record
    assert s.index.stats["summary records used"] >= 1


def test_no_cache_option_writes_nothing(project: Path) -> None:
    found, s = lint(project, no_cache=True)
    assert found == [FORGOTTEN_AWAIT]
    assert s.index.store is None
    assert not (project / ".async_bridge_cache").exists()


# -- never stale -------------------------------------------------------------------------------

def test_dependency_edited_with_same_size_and_mtime_gives_the_new_findings(project: Path) -> None:
    assert lint(project)[0] == [FORGOTTEN_AWAIT]
    edit_keeping_size_and_mtime(project / "shop" / "services.py",
                                 "async def fetch_orders():", "def fetch_orders():      ")
    assert lint(project)[0] == []
    edit_keeping_size_and_mtime(project / "shop" / "services.py",
                                 "def fetch_orders():      ", "async def fetch_orders():")
    assert lint(project)[0] == [FORGOTTEN_AWAIT]


def test_checked_file_edited_with_same_size_and_mtime_gives_the_new_findings(project: Path) -> None:
    assert lint(project)[0] == [FORGOTTEN_AWAIT]
    edit_keeping_size_and_mtime(project / "shop" / "views.py", "    fetch_orders()", "# ( fetch_orders()")
    assert lint(project)[0] == []


def test_file_edited_in_the_same_clock_tick_is_hashed_again(project: Path, monkeypatch) -> None:
    monkeypatch.setattr(project_files, "_RACY_NS", 10 * 1_000_000_000)
    lint(project)
    _, s = lint(project)
    assert s.index.files.files_read == 4  # modified seconds ago: its stat does not vouch for it


def test_a_new_caller_is_found_by_the_reverse_question(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    helper = dedent("""\
        import asyncio

        from app.models import Order


        async def load():
            return await Order.objects.aget(pk=1)


        def run_load():
            return asyncio.run(load())
    """)
    (root / "app" / "helper.py").write_text(helper)
    (root / "app" / "plain.py").write_text("from app.helper import run_load\n\n\ndef f():\n    return run_load()\n")

    def lint_helper() -> list:
        path = root / "app" / "helper.py"
        return [(f.line, f.code) for f in check_source(path.read_text(), str(path), settings(root))]

    assert lint_helper() == []
    (root / "app" / "tasks.py").write_text(
        "from celery import shared_task\n\nfrom app.plain import f\n\n\n@shared_task\ndef job():\n    return f()\n")
    assert lint_helper() == [(11, "ABR101")]
    (root / "app" / "tasks.py").unlink()
    assert lint_helper() == []


def _lint_app_use(root: Path) -> list:
    """``app/use.py``'s findings in a new process, its records written."""
    path = root / "app" / "use.py"
    s = settings(root)
    found = [(f.line, f.code) for f in check_source(path.read_text(), str(path), s)]
    s.index.flush()
    return found


def test_a_name_that_becomes_an_async_def_elsewhere_brings_its_check_back(tmp_path: Path) -> None:
    """The text gate left ABR401 out of ``app/use.py`` (``refresh`` was a plain def) while the
    loop checks ran and saved its record; once another file makes ``refresh`` an ``async
    def``, the warm cache must not give the old answer."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "jobs.py").write_text("def refresh():\n    return 1\n")
    (root / "app" / "use.py").write_text(
        "import asyncio\n\nfrom app.jobs import refresh\n\n\ndef tick():\n    refresh()\n    return asyncio\n")

    assert _lint_app_use(root) == []
    assert _lint_app_use(root) == []  # warm
    (root / "app" / "jobs.py").write_text("async def refresh():\n    return 1\n")
    assert _lint_app_use(root) == [(7, "ABR401")]
    (root / "app" / "jobs.py").write_text("def refresh():\n    return 1\n")
    assert _lint_app_use(root) == []


AGENT_MODELS = """\
from django.db import models


class Settings(models.Model):
    tz = models.CharField(max_length=40)


class Agent(models.Model):
    {decorator}
    def timezone(self):
        return {body}
"""


def test_a_property_made_or_unmade_in_another_file_is_seen_by_a_warm_cache(tmp_path: Path) -> None:
    """Whether ``agent.timezone`` calls a getter depends on another file (is it a property?
    does any file define a property at all?): a warm cache must follow both edits."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    models = root / "app" / "models.py"
    (root / "app" / "helpers.py").write_text(
        "from app.models import Agent\n\n\ndef zone_of(agent: Agent):\n    return agent.timezone\n")
    (root / "app" / "use.py").write_text(
        "from app.helpers import zone_of\nfrom app.models import Agent\n\n\nasync def tick(pk):\n"
        "    agent = await Agent.objects.aget(pk=pk)\n    return agent.timezone, zone_of(agent)\n")
    queries, plain = "Settings.objects.first().tz", '"UTC"'

    models.write_text(AGENT_MODELS.format(decorator="", body=queries))  # a method: no file has a property
    assert _lint_app_use(root) == []
    assert _lint_app_use(root) == []  # warm
    models.write_text(AGENT_MODELS.format(decorator="@property", body=queries))
    assert _lint_app_use(root) == [(7, "ABR201"), (7, "ABR201")]
    assert _lint_app_use(root) == [(7, "ABR201"), (7, "ABR201")]  # warm
    models.write_text(AGENT_MODELS.format(decorator="@property", body=plain))
    assert _lint_app_use(root) == []
    (root / "app" / "other.py").write_text(
        "class Clock:\n    @property\n    def timezone(self):\n        return 'UTC'\n")
    models.write_text(AGENT_MODELS.format(decorator="@property", body=queries))
    assert _lint_app_use(root) == [(7, "ABR201"), (7, "ABR201")]
    models.write_text(AGENT_MODELS.format(decorator="", body=queries))  # a property of that name remains elsewhere
    assert _lint_app_use(root) == []


def test_a_file_touched_without_edit_keeps_every_files_names(tmp_path: Path) -> None:
    """A run that sees only changed stats (a checkout, ``touch``) saves the file list again;
    the names scanned from every file must survive it, or a later edit elsewhere would
    make ``refresh`` a stranger and drop ABR401."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "jobs.py").write_text("async def refresh():\n    return 1\n")
    (root / "app" / "other.py").write_text("X = 1\n")
    (root / "app" / "use.py").write_text("from app.jobs import refresh\n\n\ndef tick():\n    refresh()\n")

    assert _lint_app_use(root) == [(5, "ABR401")]
    jobs = root / "app" / "jobs.py"
    later = jobs.stat().st_mtime_ns + 5_000_000_000
    os.utime(jobs, ns=(later, later))  # stats only: same content
    assert _lint_app_use(root) == [(5, "ABR401")]
    (root / "app" / "other.py").write_text("X = 2\n")  # an edit elsewhere: the saved names are used
    assert _lint_app_use(root) == [(5, "ABR401")]


def test_an_edit_that_keeps_every_files_names_does_not_assemble_or_save_them_again(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    """The usual edit (a body, a comment) leaves every file's scan as it was: the project's
    names stand, ``scans.json`` is not written again, and the next process still trusts it."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "jobs.py").write_text("async def refresh():\n    return 1\n")
    (root / "app" / "use.py").write_text("from app.jobs import refresh\n\n\ndef tick():\n    refresh()\n")
    assert _lint_app_use(root) == [(5, "ABR401")]
    scans = cache_folder(root) / "scans.json"
    saved = scans.read_bytes()
    os.utime(scans, ns=(1, 1))
    assembled = []
    original = project_files.ProjectFiles._assemble
    monkeypatch.setattr(project_files.ProjectFiles, "_assemble",
                        lambda self, *a: assembled.append(1) or original(self, *a))

    (root / "app" / "jobs.py").write_text("async def refresh():\n    return 2  # a body edit\n")
    (root / "app" / "use.py").write_text("from app.jobs import refresh\n\n\ndef tick():\n    refresh()\n\n")
    assert _lint_app_use(root) == [(5, "ABR401")]
    assert assembled == [] and scans.stat().st_mtime_ns == 1 and scans.read_bytes() == saved

    (root / "app" / "other.py").write_text("X = 1\n")  # a new file with no names: they stand too
    assert _lint_app_use(root) == [(5, "ABR401")]
    assert assembled == []
    (root / "app" / "jobs.py").write_text("def refresh():\n    return 2\n")  # the name goes
    assert _lint_app_use(root) == []
    assert assembled == [1] and scans.read_bytes() != saved
    s = settings(root)
    assert "refresh" not in s.index.source_names().awaitable
    assert s.index.files.files_read == 0  # the saved scans go with the saved files


def test_an_edit_that_makes_an_alias_of_an_alias_assembles_the_names(tmp_path: Path) -> None:
    """A file whose own scan stays empty can still bring a name: ``db2 = run_db`` where
    ``run_db`` is a bridge alias elsewhere (the second level of aliases)."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "bridges.py").write_text("from asgiref.sync import sync_to_async\n\nrun_db = sync_to_async\n")
    (root / "app" / "more.py").write_text("X = 1\n")
    assert "db2" not in settings(root).index.source_names().bridge_candidates
    (root / "app" / "more.py").write_text("from app.bridges import run_db\n\ndb2 = run_db\n")
    assert "db2" in settings(root).index.source_names().bridge_candidates
    assert "db2" in settings(root).index.source_names().bridge_candidates  # and as saved
    (root / "app" / "more.py").unlink()
    assert "db2" not in settings(root).index.source_names().bridge_candidates


# -- damaged, foreign and other versions' files --------------------------------------------------

def _records(root: Path) -> dict[str, Path]:
    folder = cache_folder(root)
    found = {"files": folder / "files.json", "scans": folder / "scans.json", "meta": folder / "meta.json",
             "mentions": folder / "mentions" / "current.json"}
    found["summary"] = next((folder / "summaries").rglob("*.json"))
    found["findings"] = next((folder / "findings").rglob("*.json"))
    found["shard"] = next(p for p in (folder / "mentions").rglob("*.json") if p.name != "current.json")
    found["questions"] = next((folder / "questions").rglob("*.json"))
    return found


@pytest.mark.parametrize("damage", ["truncated", "garbage", "foreign", "empty", "wrong-shapes"])
@pytest.mark.parametrize("record", ["files", "scans", "meta", "mentions", "summary", "findings", "shard", "questions"])
def test_damaged_cache_files_change_nothing(project: Path, record: str, damage: str, capsys) -> None:
    lint(project)
    if record in ("questions", "scans"):  # read only when the project changed since: change it
        (project / "shop" / "other.py").write_text("x = 1\n")
    path = _records(project)[record]
    text = path.read_text()
    path.write_bytes({
        "truncated": text[: len(text) // 2].encode(),
        "garbage": b"\x00\xff\xfe not json at all",
        "foreign": json.dumps({"hello": "world", "files": 3}).encode(),
        "empty": b"",
        "wrong-shapes": json.dumps(_wrong_shapes(json.loads(text))).encode(),
    }[damage])
    found, _ = lint(project)
    assert found == [FORGOTTEN_AWAIT]
    assert capsys.readouterr().err == ""
    found, _ = lint(project)  # and after the rebuild
    assert found == [FORGOTTEN_AWAIT]


def _wrong_shapes(data):
    """Every value replaced by one of another type (lists for mappings, numbers for text)."""
    if isinstance(data, dict):
        return {key: [1, "x", None] if isinstance(value, dict) else 7 if isinstance(value, str) else {"a": 1}
                for key, value in data.items()}
    return {"not": "a list"}


def test_a_record_whose_answers_no_longer_hold_is_not_used(project: Path) -> None:
    """A findings record written when ``fetch_orders`` was not async (its recorded answers
    say so) and in another project state: asked again, the answers differ, so the file
    is checked again instead of reporting the record's (empty) findings."""
    lint(project)
    record = _records(project)["findings"]
    data = json.loads(record.read_text())
    questions_file = cache_folder(project) / "questions" / data["questions"][:2] / f"{data['questions']}.json"
    questions = json.loads(questions_file.read_text())
    flipped = [[key, (not answer) if isinstance(answer, bool) else answer] for key, answer in questions]
    assert flipped != questions
    questions_file.write_text(json.dumps(flipped))
    data.update(findings=[], generation="another-project-state")
    record.write_text(json.dumps(data))
    found, s = lint(project)
    assert found == [FORGOTTEN_AWAIT]
    assert s.index.stats["findings records used"] == 0


def test_records_of_another_format_are_ignored(project: Path, monkeypatch) -> None:
    lint(project)
    from async_bridge.index import entries, findings_lookup

    monkeypatch.setattr(entries, "FORMAT", entries.FORMAT + 1)  # summaries
    monkeypatch.setattr(findings_lookup, "FORMAT", findings_lookup.FORMAT + 1)  # findings
    found, s = lint(project)
    assert found == [FORGOTTEN_AWAIT]
    assert s.index.stats["findings records used"] == 0 and s.index.stats["summary records used"] == 0


def test_another_plugin_version_uses_its_own_folder(project: Path, monkeypatch) -> None:
    lint(project)
    first = cache_folder(project)
    monkeypatch.setattr(cache, "code_digest", lambda: "another-plugin-build")
    found, s = lint(project)
    assert found == [FORGOTTEN_AWAIT]
    assert s.index.store.folder != first
    assert s.index.files.files_read == 4  # nothing taken from the other version
    assert json.loads((s.index.store.folder / "meta.json").read_text())["root"] == str(project.resolve())


def test_extra_knowledge_is_part_of_the_version(project: Path, tmp_path: Path) -> None:
    lint(project)
    extra = tmp_path / "extra.yaml"
    extra.write_text("runner_functions: [shop.services.run_it]\n")
    _, first = lint(project)
    _, second = lint(project, extra_knowledge=(str(extra),))
    assert first.index.store.folder != second.index.store.folder
    assert second.index.files.files_read == 4


# -- disks that refuse ---------------------------------------------------------------------------

def test_unwritable_cache_location_one_warning_and_the_findings(project: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    found, s = lint(project, cache_dir=blocker / "cache")
    assert found == [FORGOTTEN_AWAIT]
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and "cache not written" in errors[0]
    assert not s.index.store.writable


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_cache_folder(project: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        found, _ = lint(project, cache_dir=folder)
    finally:
        folder.chmod(0o755)
    assert found == [FORGOTTEN_AWAIT]
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_read_only_cache_with_flake8_jobs_warns_once(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    run = flake8(project, "--select=ABR", "-j2", f"--abr-cache-dir={blocker / 'cache'}", "shop")
    assert ("shop/views.py", 5, 5, "ABR401") in run.findings()
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "cache not written" in lines[0], run.stderr


def test_full_disk_one_warning_then_no_more_writes(project: Path, monkeypatch, capsys) -> None:
    attempts = []

    def full(self, target, data):
        attempts.append(target)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(CacheStore, "_replace", full)
    found, s = lint(project)
    assert found == [FORGOTTEN_AWAIT]
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and "No space left on device" in errors[0]
    assert len(attempts) == 1  # writing stopped at the first failure
    found, _ = lint(project, "services.py")  # the same process goes on, silently
    assert found == [] and capsys.readouterr().err == ""


def test_cache_folder_deleted_mid_run(project: Path, capsys) -> None:
    import shutil

    s = settings(project)
    views = project / "shop" / "views.py"
    assert [(f.line, f.code) for f in check_source(views.read_text(), str(views), s)] == [FORGOTTEN_AWAIT]
    shutil.rmtree(project / ".async_bridge_cache")
    admin = project / "shop" / "admin.py"
    admin.write_text(VIEWS)
    assert [(f.line, f.code) for f in check_source(admin.read_text(), str(admin), s)] == [FORGOTTEN_AWAIT]
    s.index.flush()
    assert capsys.readouterr().err == ""
    assert (project / ".async_bridge_cache" / ".gitignore").is_file()
    assert lint(project)[0] == [FORGOTTEN_AWAIT]


# -- processes at once ------------------------------------------------------------------------

def _lint_everything(args: tuple[str, str]) -> list:
    root, cache_dir = args
    from async_bridge.config import Settings as S
    from async_bridge.engine import check_source as check

    found = []
    for _round in range(3):
        project_index.cache_clear()
        s = S(project_root=root, cache_dir=cache_dir)
        for path in sorted(Path(root, "shop").glob("*.py")):
            found.append((path.name, [(f.line, f.code) for f in check(path.read_text(), str(path), s)]))
        s.index.flush()
    return found


def test_four_processes_writing_at_once(project: Path) -> None:
    for i in range(12):
        (project / "shop" / f"extra_{i}.py").write_text(VIEWS.replace("dashboard", f"page_{i}"))
    cache_dir = project / "shared-cache"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_lint_everything, [(str(project), str(cache_dir))] * 4)
    assert all(result == results[0] for result in results)
    expected = _lint_everything((str(project), str(cache_dir)))
    assert expected == results[0]
    assert dict(expected)["views.py"] == [FORGOTTEN_AWAIT]
    for record in cache_dir.rglob("*.json"):
        json.loads(record.read_text())  # every record whole
    assert not [p for p in cache_dir.rglob(".tmp-*")]


# -- unsaved editor buffers ------------------------------------------------------------------

def test_overlay_wins_and_is_never_written(project: Path) -> None:
    services = project / "shop" / "services.py"
    s = settings(project)
    s.index.overlay[str(services.resolve())] = SERVICES.replace("async def fetch_orders", "def fetch_orders")
    views = project / "shop" / "views.py"
    assert check_source(views.read_text(), str(views), s) == []
    s.index.flush()
    records = [p.read_text() for p in cache_folder(project).rglob("*.json")] if (
        project / ".async_bridge_cache").exists() else []
    assert not any('"module":"shop.services"' in r and "async" not in r for r in records)
    assert lint(project)[0] == [FORGOTTEN_AWAIT]  # the file on disk still has the async def


# -- options and commands ----------------------------------------------------------------------

def test_flake8_cache_options(project: Path, tmp_path: Path) -> None:
    run = flake8(project, "--select=ABR", "--abr-no-cache", "shop")
    assert ("shop/views.py", 5, 5, "ABR401") in run.findings()
    assert not (project / ".async_bridge_cache").exists()
    elsewhere = tmp_path / "elsewhere"
    run = flake8(project, "--select=ABR", f"--abr-cache-dir={elsewhere}", "shop")
    assert ("shop/views.py", 5, 5, "ABR401") in run.findings()
    assert (elsewhere / ".gitignore").read_text() == "*\n"
    assert not (project / ".async_bridge_cache").exists()


def test_flake8_default_cache_location_and_warm_rerun(project: Path) -> None:
    env_dir = os.environ.pop("ABR_CACHE_DIR", None)
    try:
        first = flake8(project, "--select=ABR", "shop")
        second = flake8(project, "--select=ABR", "shop")
    finally:
        if env_dir is not None:
            os.environ["ABR_CACHE_DIR"] = env_dir
    assert first.findings() == second.findings() == [("shop/views.py", 5, 5, "ABR401")]
    assert (project / ".async_bridge_cache" / ".gitignore").is_file()
    assert first.stderr == second.stderr == ""


def test_pyproject_cache_keys(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.async-bridge]\ncache-dir = "build/abr"\nno-cache = true\n')
    problems: list[str] = []
    s = resolve_settings(project_root=str(project), report=problems.append)
    assert problems == []
    assert s.cache_dir == str(project / "build" / "abr")
    assert s.no_cache is True
    (project / "pyproject.toml").write_text('[tool.async-bridge]\nno-cache = "maybe"\n')
    s = resolve_settings(project_root=str(project), report=problems.append)
    assert s.no_cache is False and "no-cache" in problems[0] and "true or false" in problems[0]


def test_environment_switch(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("ABR_NO_CACHE", "1")
    _, s = lint(project)
    assert s.index.store is None


def test_cache_info_and_clear(project: Path, capsys) -> None:
    lint(project)
    assert cli.main(["cache", "info", "--project-root", str(project),
                     "--cache-dir", str(project / ".async_bridge_cache")]) == 0
    out = capsys.readouterr().out
    assert str(project / ".async_bridge_cache") in out
    assert "state: on" in out and "(this project, these settings)" in out
    assert "1 file findings" in out and "module summaries" in out
    assert cli.main(["cache", "clear", "--project-root", str(project),
                     "--cache-dir", str(project / ".async_bridge_cache")]) == 0
    assert "removed" in capsys.readouterr().out
    assert not (project / ".async_bridge_cache").exists()


def test_cache_clear_refuses_a_folder_it_did_not_make(tmp_path: Path, capsys) -> None:
    precious = tmp_path / "precious"
    (precious / "v1-data").mkdir(parents=True)
    assert cli.main(["cache", "clear", "--cache-dir", str(precious)]) == 2
    assert "nothing deleted" in capsys.readouterr().err
    assert (precious / "v1-data").is_dir()


def test_flake8_under_forkserver_and_spawn(project: Path, tmp_path: Path) -> None:
    for i in range(6):
        (project / "shop" / f"extra_{i}.py").write_text(VIEWS.replace("dashboard", f"page_{i}"))
    expected = flake8(project, "--select=ABR", "-j1", "--abr-no-cache", "shop").findings()
    for method in ("forkserver", "spawn"):
        wrapper = ("import multiprocessing, sys\nfrom flake8.main.cli import main\n"
                   f"multiprocessing.set_start_method({method!r}, force=True)\nsys.exit(main())\n")
        for _round in range(2):  # cold, then warm
            proc = subprocess.run(
                [sys.executable, "-c", wrapper, "--isolated", "--select=ABR", "-j2",
                 f"--abr-cache-dir={tmp_path / method}", "--format=%(path)s:%(row)d:%(col)d: %(code)s", "shop"],
                cwd=project, capture_output=True, text=True, timeout=300,
                env={k: v for k, v in os.environ.items() if k != "ABR_DEBUG"})
            got = sorted(tuple(line.split(":")[:3]) + (line.split()[-1],) for line in proc.stdout.splitlines())
            assert got == sorted((p, str(r), str(c), code) for p, r, c, code in expected), proc.stderr
            assert proc.stderr == ""


# -- the bound of issue 15: reverse questions read what changed, not the project ------------------

def _generate(root: Path, modules: int, callers: int) -> None:
    app = root / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "helper.py").write_text(dedent("""\
        import asyncio

        from app.models import Order


        async def work():
            return await Order.objects.aget(pk=1)


        def run_helper():
            return asyncio.run(work())
    """))
    step = modules // callers
    for i in range(modules):
        if i % step == 0 and i // step == callers - 1:
            body = (f"from celery import shared_task\n\nfrom app.helper import run_helper\n\n\n"
                    f"@shared_task\ndef caller_{i}():\n    return run_helper()\n")
        elif i % step == 0 and i // step < callers:
            body = f"from app.helper import run_helper\n\n\ndef caller_{i}():\n    return run_helper()\n"
        else:
            body = f"def plain_{i}(x):\n    return x + {i}\n"
        (app / f"m{i:05d}.py").write_text(body)


def test_linting_a_helper_with_500_callers_in_5000_modules_reads_each_file_at_most_once(tmp_path: Path) -> None:
    root = tmp_path / "big"
    _generate(root, 5000, 500)
    files = 5003
    helper = root / "app" / "helper.py"

    def run() -> tuple[list, Settings]:
        s = settings(root)
        found = [(f.line, f.code) for f in check_source(helper.read_text(), str(helper), s)]
        s.index.flush()
        return found, s

    found, s = run()  # cold
    assert found == [(11, "ABR101")]
    assert s.index.files.files_read <= files  # each file read once, by the text scan
    assert max(s.index.parse_counts.values()) == 1  # and parsed at most once
    assert s.index.stats["parses"] <= 502  # the helper's callers (+ the models module)

    found, s = run()  # warm, nothing changed
    assert found == [(11, "ABR101")]
    assert s.index.files.files_read == 0 and s.index.stats["parses"] == 0

    helper.write_text(helper.read_text() + "\n# edited\n")  # the file being linted changed
    found, s = run()
    assert found == [(11, "ABR101")]
    assert s.index.files.files_read == 1 and s.index.stats["parses"] == 0

    (root / "app" / "m00010.py").write_text("from app.helper import run_helper\n\n\ndef again():\n"
                                            "    return run_helper()\n")  # a new caller
    found, s = run()
    assert found == [(11, "ABR101")]
    assert s.index.files.files_read == 1 and s.index.stats["parses"] == 1


def _fix_check_work(root: Path) -> int:
    """Files read and parsed by the index during ``async-bridge fix --check`` of a project."""
    project_index.cache_clear()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        cli.main(["fix", "--check", "--project-root", str(root), str(root / "app")])
    finally:
        os.chdir(cwd)
    index = project_index(str(root), (), None, False)
    return index.files.files_read + index.stats["parses"]


def test_fix_check_of_the_whole_project_is_linear_in_files(tmp_path: Path, capsys) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    _generate(small, 400, 40)
    _generate(large, 1600, 160)
    work_small, work_large = _fix_check_work(small), _fix_check_work(large)
    capsys.readouterr()
    assert work_small > 0
    assert work_large <= 4.4 * work_small  # 4x the files: 4x the work, not 16x
