"""The editor's warm path: a file's findings from the cache with nothing else loaded, trusted
only while the project is the one they were valid in (``warm_path``, ``index.snapshot``).

``warm`` is a new flake8 process trying the warm path for one file; ``engine`` is one that
runs the checks (and writes the records the warm path reads).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from textwrap import dedent

import pytest

from async_bridge import warm_path
from async_bridge.config import Settings, project_index
from async_bridge.engine import check_source
from async_bridge.index import cache, project_files, snapshot

from helpers import SHOP_MODELS as MODELS, SHOP_VIEWS as VIEWS, edit_keeping_size_and_mtime

SERVICES = """\
from shop.models import Order


async def fetch_orders():
    return [o async for o in Order.objects.all()]
"""
FORGOTTEN_AWAIT = [(5, "ABR401")]


@pytest.fixture(autouse=True)
def fresh_runs(monkeypatch):
    monkeypatch.setattr(project_files, "_RACY_NS", 0)  # files written by a test are trusted at once
    monkeypatch.setattr(cache, "_warned", False)
    yield
    warm_path.forget()
    project_index.cache_clear()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "shop").mkdir(parents=True)
    for name, text in (("__init__.py", ""), ("models.py", MODELS), ("services.py", SERVICES), ("views.py", VIEWS)):
        (root / "shop" / name).write_text(text)
    return root


def new_run(root: Path, **extra) -> Settings:
    """The settings of a new process (its own index, nothing learnt by the warm path)."""
    project_index.cache_clear()
    warm_path.forget()
    return Settings(project_root=str(root), cache_dir=str(root.parent / "abr-cache"), **extra)


def engine(root: Path, name: str = "views.py") -> list[tuple[int, str]]:
    s = new_run(root)
    path = root / "shop" / name
    found = [(f.line, f.code) for f in check_source(path.read_text(), str(path), s)]
    s.index.flush()
    return found


def warm(root: Path, name: str = "views.py", settings: Settings | None = None) -> list[tuple[int, str]] | None:
    path = root / "shop" / name
    found = warm_path.cached_findings(settings or new_run(root), str(path), path.read_text())
    return None if found is None else [(f.line, f.code) for f in found]


def _age_folders(root: Path, seconds: int = 60) -> None:
    """Folders listed long ago (files keep their fresh ctime: their stat is not trusted)."""
    past = time.time_ns() - seconds * 1_000_000_000
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(past, past))


# -- the same findings, from nothing but the cache ---------------------------------------------

def test_warm_findings_are_the_engines(project: Path) -> None:
    assert warm(project) is None  # nothing cached yet
    s = new_run(project)
    path = project / "shop" / "views.py"
    [finding] = check_source(path.read_text(), str(path), s)
    s.index.flush()
    [cached] = warm_path.cached_findings(new_run(project), str(path), path.read_text()) or []
    assert (cached.line, cached.col, cached.code, cached.message) == (finding.line, finding.col, finding.code,
                                                                      finding.message)
    assert cached.message.startswith("ABR401 ")


def test_another_text_or_settings_has_no_warm_findings(project: Path) -> None:
    assert engine(project) == FORGOTTEN_AWAIT
    path = project / "shop" / "views.py"
    s = new_run(project)
    assert warm_path.cached_findings(s, str(path), path.read_text() + "\n# unsaved edit\n") is None
    assert warm(project, settings=new_run(project, django_version=(4, 2))) is None
    assert warm(project, settings=new_run(project, no_cache=True)) is None
    assert warm(project) == FORGOTTEN_AWAIT


def test_a_file_outside_the_project_or_stdin_is_never_warm(project: Path, tmp_path: Path) -> None:
    assert engine(project) == FORGOTTEN_AWAIT
    s = new_run(project)
    assert warm_path.cached_findings(s, "-", VIEWS) is None
    outside = tmp_path / "elsewhere.py"
    outside.write_text(VIEWS)
    assert warm_path.cached_findings(s, str(outside), VIEWS) is None


# -- never stale: each change of the project sends the file to the engine -----------------------

def test_a_dependency_edited_in_place_with_same_size_and_mtime(project: Path) -> None:
    assert engine(project) == FORGOTTEN_AWAIT
    assert warm(project) == FORGOTTEN_AWAIT
    edit_keeping_size_and_mtime(project / "shop" / "services.py",
                                 "async def fetch_orders():", "def fetch_orders():      ")
    assert warm(project) is None
    assert engine(project) == []
    assert warm(project) == []  # the new record, valid in the new project


def test_an_added_file_that_changes_an_answer(project: Path) -> None:
    (project / "shop" / "views.py").write_text(VIEWS.replace("shop.services", "shop.helpers"))
    assert engine(project) == []  # shop.helpers is unknown: silent
    assert warm(project) == []
    (project / "shop" / "helpers.py").write_text("async def fetch_orders():\n    return 1\n")
    assert warm(project) is None
    assert engine(project) == FORGOTTEN_AWAIT


def test_an_added_package_folder_that_changes_an_answer(project: Path) -> None:
    (project / "shop" / "views.py").write_text(VIEWS.replace("shop.services", "shop.extra.helpers"))
    assert engine(project) == []
    assert warm(project) == []
    (project / "shop" / "extra").mkdir()
    (project / "shop" / "extra" / "__init__.py").write_text("")
    (project / "shop" / "extra" / "helpers.py").write_text("async def fetch_orders():\n    return 1\n")
    assert warm(project) is None
    assert engine(project) == FORGOTTEN_AWAIT


def test_a_removed_file(project: Path) -> None:
    assert engine(project) == FORGOTTEN_AWAIT
    (project / "shop" / "services.py").unlink()
    assert warm(project) is None
    assert engine(project) == []  # fetch_orders is unknown now


def test_a_new_caller_found_by_a_reverse_question(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(MODELS)
    (root / "shop" / "helper.py").write_text(dedent("""\
        import asyncio

        from shop.models import Order


        async def load():
            return await Order.objects.aget(pk=1)


        def run_load():
            return asyncio.run(load())
    """))
    (root / "shop" / "plain.py").write_text("from shop.helper import run_load\n\n\ndef f():\n    return run_load()\n")
    assert engine(root, "helper.py") == []
    assert warm(root, "helper.py") == []
    (root / "shop" / "tasks.py").write_text(
        "from celery import shared_task\n\nfrom shop.plain import f\n\n\n@shared_task\ndef job():\n    return f()\n")
    assert warm(root, "helper.py") is None
    assert engine(root, "helper.py") == [(11, "ABR101")]
    assert warm(root, "helper.py") == [(11, "ABR101")]


def test_a_name_made_async_elsewhere_brings_a_gated_out_check_back(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "jobs.py").write_text("def refresh():\n    return 1\n")
    (root / "shop" / "use.py").write_text(
        "import asyncio\n\nfrom shop.jobs import refresh\n\n\ndef tick():\n    refresh()\n    return asyncio\n")
    assert engine(root, "use.py") == []
    assert warm(root, "use.py") == []
    (root / "shop" / "jobs.py").write_text("async def refresh():\n    return 1\n")  # in place
    assert warm(root, "use.py") is None
    assert engine(root, "use.py") == [(7, "ABR401")]


def test_a_file_no_check_is_anchored_in_is_remembered_until_a_name_anchors_one(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "jobs.py").write_text("def refresh():\n    return 1\n")
    (root / "shop" / "use.py").write_text("from shop.jobs import refresh\n\n\ndef tick():\n    refresh()\n")
    assert warm(root, "use.py") is None
    assert engine(root, "use.py") == []  # no check anchored: no analysis, an empty record
    assert warm(root, "use.py") == []
    (root / "shop" / "jobs.py").write_text("async def refresh():\n    return 1\n")
    assert warm(root, "use.py") is None
    assert engine(root, "use.py") == [(5, "ABR401")]
    assert warm(root, "use.py") == [(5, "ABR401")]


def test_one_run_compares_the_project_once(project: Path, monkeypatch) -> None:
    assert engine(project) == FORGOTTEN_AWAIT
    assert engine(project, "services.py") == []
    compared = []
    real = snapshot.current_generation
    monkeypatch.setattr(snapshot, "current_generation", lambda *a: compared.append(1) or real(*a))
    s = new_run(project)
    assert warm(project, settings=s) == FORGOTTEN_AWAIT
    assert warm(project, "services.py", settings=s) == []
    assert len(compared) == 1
    # a project changed at the start of a run: every file of the run goes to the engine
    (project / "shop" / "helpers.py").write_text("X = 1\n")
    s = new_run(project)
    assert warm(project, settings=s) is None
    assert warm(project, "services.py", settings=s) is None
    assert len(compared) == 2


# -- the snapshot ----------------------------------------------------------------------------------

def _snapshot_file(root: Path) -> Path:
    [found] = (root.parent / "abr-cache").glob("v*/snapshot.json")
    return found


def test_recent_files_are_compared_by_content(project: Path, monkeypatch) -> None:
    """A file modified within the racy window has no stat to trust: the warm path reads it,
    and trusts the record only when its bytes are the ones recorded."""
    monkeypatch.setattr(project_files, "_RACY_NS", 10 * 1_000_000_000)
    _age_folders(project)
    assert engine(project) == FORGOTTEN_AWAIT
    files = json.loads(_snapshot_file(project).read_text())["files"]
    assert all(line.split("\t")[1].startswith("-1:") for line in files.split("\n"))
    assert warm(project) == FORGOTTEN_AWAIT
    edit_keeping_size_and_mtime(project / "shop" / "services.py",
                                 "async def fetch_orders():", "def fetch_orders():      ")
    assert warm(project) is None


def test_a_folder_listed_within_the_racy_window_makes_no_snapshot(project: Path, monkeypatch) -> None:
    monkeypatch.setattr(project_files, "_RACY_NS", 10 * 1_000_000_000)
    assert engine(project) == FORGOTTEN_AWAIT
    assert not list((project.parent / "abr-cache").glob("v*/snapshot.json"))
    assert warm(project) is None


@pytest.mark.parametrize("damage", ["missing", "garbage", "foreign", "wrong-shapes", "other-generation"])
def test_a_damaged_snapshot_is_never_trusted(project: Path, damage: str) -> None:
    assert engine(project) == FORGOTTEN_AWAIT
    path = _snapshot_file(project)
    data = json.loads(path.read_text())
    if damage == "missing":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"\x00{not json")
    elif damage == "foreign":
        path.write_text(json.dumps({"format": 99, **{k: v for k, v in data.items() if k != "format"}}))
    elif damage == "wrong-shapes":
        path.write_text(json.dumps({**data, "files": [1, 2], "folders": None}))
    else:
        path.write_text(json.dumps({**data, "generation": "0" * 24}))
    assert warm(project) is None
    assert engine(project) == FORGOTTEN_AWAIT
    if damage == "missing":  # a refresh that changed nothing writes the snapshot back
        assert path.is_file() and warm(project) == FORGOTTEN_AWAIT


def test_snapshot_lines_with_a_tab_or_newline_are_not_made() -> None:
    tree = {"": [1, {"a\tb.py": "1:2:3:4:x"}, []]}
    assert snapshot.snapshot_data(tree, "g") is None
    assert snapshot.snapshot_data({"": [1, {"ok.py": "1:2:3:4:x"}, []]}, "g") == {
        "format": snapshot.FORMAT, "generation": "g", "folders": "\t1", "files": "ok.py\t1:2:3:4:x"}


# -- the real command --------------------------------------------------------------------------------

HEAVY = ("async_bridge.engine", "async_bridge.checks", "async_bridge.analysis", "async_bridge.knowledge",
         "async_bridge.index.project", "yaml")
RUN_AND_LIST_MODULES = """\
import sys
from flake8.main.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("MODULES", " ".join(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""


def test_flake8_warm_run_loads_no_knowledge_checks_or_analysis(project: Path, tmp_path: Path) -> None:
    _age_folders(project)
    args = ["--isolated", "--select=ABR", f"--abr-cache-dir={tmp_path / 'c'}", "--format=%(row)d:%(col)d:%(code)s",
            "shop/views.py"]
    env = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}
    runs = [subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, *args], cwd=project, capture_output=True,
                           text=True, timeout=300, env=env) for _ in range(2)]
    cold, hot = ([m for line in r.stderr.splitlines() if line.startswith("MODULES ") for m in line.split()[1:]]
                 for r in runs)
    assert runs[0].stdout == runs[1].stdout == "5:5:ABR401\n"
    assert "async_bridge.engine" in cold
    assert [m for m in hot if m.startswith(HEAVY)] == []


def test_flake8_with_workers_after_an_edit_elsewhere(project: Path, tmp_path: Path) -> None:
    """With workers, the main process refreshed the project: the warm path compares records
    with that generation (under fork and spawn alike)."""
    (project / "shop" / "views2.py").write_text(VIEWS.replace("dashboard", "page"))
    for method in ("fork", "spawn"):
        wrapper = ("import multiprocessing, sys\nfrom flake8.main.cli import main\n"
                   f"multiprocessing.set_start_method({method!r}, force=True)\nsys.exit(main())\n")

        def run() -> list[str]:
            proc = subprocess.run(
                [sys.executable, "-c", wrapper, "--isolated", "--select=ABR", "-j2",
                 f"--abr-cache-dir={tmp_path / method}", "--format=%(path)s:%(row)d:%(code)s", "shop"],
                cwd=project, capture_output=True, text=True, timeout=300,
                env={k: v for k, v in os.environ.items() if k != "ABR_DEBUG"})
            assert proc.stderr == ""
            return sorted(proc.stdout.splitlines())

        assert run() == run() == ["shop/views.py:5:ABR401", "shop/views2.py:5:ABR401"]  # cold, warm
        edit_keeping_size_and_mtime(project / "shop" / "services.py",
                                     "async def fetch_orders():", "def fetch_orders():      ")
        assert run() == []
        edit_keeping_size_and_mtime(project / "shop" / "services.py",
                                     "def fetch_orders():      ", "async def fetch_orders():")


def test_a_spawned_worker_takes_the_generation_its_main_process_refreshed_to(project: Path, tmp_path: Path,
                                                                               monkeypatch) -> None:
    """Under spawn/forkserver each worker parses the options again: it must not refresh the
    project once more, but compare records with the generation the main process shared."""
    import argparse
    import multiprocessing

    from async_bridge import flake8_plugin

    monkeypatch.chdir(project)
    monkeypatch.delenv(flake8_plugin.GENERATION_ENV, raising=False)
    options = argparse.Namespace(abr_project_root=str(project), abr_cache_dir=str(tmp_path / "c"),
                                 filenames=["shop"], jobs=None)
    project_index.cache_clear()
    flake8_plugin.Plugin.parse_options(options)  # the main process: prepares, shares
    main = flake8_plugin.Plugin.settings
    assert flake8_plugin.Plugin.prepared and flake8_plugin.Plugin.inherited is None
    generation = main.index.files.generation
    assert generation and os.environ[flake8_plugin.GENERATION_ENV].endswith("\t" + generation)

    project_index.cache_clear()
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())  # a spawned worker
    flake8_plugin.Plugin.parse_options(options)
    worker = flake8_plugin.Plugin.settings
    assert worker is not main and not flake8_plugin.Plugin.prepared
    assert flake8_plugin.Plugin.inherited == generation
    assert not worker.index.files._loaded  # nothing refreshed in the worker

    other = argparse.Namespace(abr_project_root=str(tmp_path), abr_cache_dir=str(tmp_path / "c"),
                               filenames=["x"], jobs=None)
    project_index.cache_clear()
    flake8_plugin.Plugin.parse_options(other)  # a worker of another project ignores it
    assert flake8_plugin.Plugin.inherited is None
    monkeypatch.setattr(flake8_plugin.Plugin, "settings", Settings())


def test_a_cold_check_does_not_load_openssl(project: Path, tmp_path: Path) -> None:
    """``hashlib`` loads OpenSSL (3.5 MB resident): the cache's digests use blake2 itself."""
    script = ("import sys\nfrom async_bridge.cli import main\ncode = main(sys.argv[1:])\n"
              "print('hashlib' in sys.modules, file=sys.stderr)\nsys.exit(code)\n")
    env = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}
    run = subprocess.run([sys.executable, "-c", script, "check", f"--cache-dir={tmp_path / 'c'}", "shop/views.py"],
                         cwd=project, capture_output=True, text=True, timeout=300, env=env)
    assert "ABR401" in run.stdout
    assert run.stderr.splitlines()[-1] == "False"
