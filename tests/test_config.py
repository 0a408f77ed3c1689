"""Settings from every place a user can put them.

- flake8's config files (``[flake8]`` in ``.flake8``, ``setup.cfg``, ``tox.ini``),
  read by flake8 itself: checked in-process through flake8's own ``parse_args``
  and end to end through a real ``flake8`` run;
- ``[tool.async-bridge]`` in ``pyproject.toml``;
- flake8 wins when both set a key; bad values and unknown keys are one stderr
  line naming the key, never a traceback, and the other findings still come out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from async_bridge import config
from async_bridge.config import DOCS_BASE_URL, Settings, resolve_settings, rule_doc_url
from async_bridge.flake8_plugin import Plugin

REPO = Path(__file__).resolve().parents[1]

# ABR106 is off by default; it fires here once enabled. With the extra knowledge
# below, `@job` makes `nightly` a Celery task, so ABR106 needs both settings.
TASKS = '''\
import asyncio
from celery import shared_task
from myco.jobs import job
from vendor_sdk import sync_everything


@shared_task
def nightly():
    asyncio.run(sync_everything())


@job
def hourly():
    asyncio.run(sync_everything())


async def refresh():
    asyncio.run(sync_everything())
'''
KNOWLEDGE = "celery_task_decorators:\n  - myco.jobs.job\n"
ABR106_TASK = (9, "ABR106")
ABR106_JOB = (14, "ABR106")
ABR105 = (18, "ABR105")


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "tasks.py").write_text(TASKS, encoding="utf-8")
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "jobs.yaml").write_text(KNOWLEDGE, encoding="utf-8")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path)
    saved = Plugin.settings
    yield tmp_path
    Plugin.settings = saved
    config.project_index.cache_clear()


def _flake8(cwd: Path, *args: str) -> tuple[list[tuple[int, str]], str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=ABR", *args, "tasks.py"],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    found = []
    for line in done.stdout.splitlines():
        _, lineno, _, rest = line.split(":", 3)
        found.append((int(lineno), rest.split()[0]))
    assert done.returncode == (1 if found else 0), (done.stdout, done.stderr)
    return found, done.stdout, done.stderr


def _parsed_settings(*argv: str) -> Settings:
    """Settings after flake8 parsed the command line and its config files (in-process)."""
    from flake8.options.parse_args import parse_args

    parse_args([*argv, "tasks.py"])
    return Plugin.settings


FLAKE8_SECTION = """\
[flake8]
abr-project-root = ./src
abr-django-version = 4.1
abr-extra-knowledge = ./knowledge/jobs.yaml
abr-enable = ABR106
abr-docs-url = https://lint.example.org/{code}
"""


# flake8 config files ----------------------------------------------------------
@pytest.mark.parametrize("filename", [".flake8", "setup.cfg", "tox.ini"])
def test_flake8_config_file_in_process(project, filename):
    (project / filename).write_text(FLAKE8_SECTION, encoding="utf-8")
    settings = _parsed_settings()
    assert settings.project_root == str(project / "src")
    assert settings.django_version == (4, 1)
    assert settings.extra_knowledge == (str(project / "knowledge" / "jobs.yaml"),)
    assert settings.enable == frozenset({"ABR106"})
    assert settings.doc_url("ABR106") == "https://lint.example.org/ABR106"
    assert settings.enabled("ABR106")


@pytest.mark.parametrize("filename", [".flake8", "setup.cfg", "tox.ini"])
def test_flake8_config_file_end_to_end(project, filename):
    found, out, err = _flake8(project)
    assert found == [ABR105] and err == ""
    (project / filename).write_text(FLAKE8_SECTION.replace("./src", "."), encoding="utf-8")
    found, out, err = _flake8(project)
    assert found == [ABR106_TASK, ABR106_JOB, ABR105], (out, err)
    assert "(docs: https://lint.example.org/ABR106)" in out
    assert err == ""


def test_command_line_beats_config_file(project):
    (project / "setup.cfg").write_text(FLAKE8_SECTION, encoding="utf-8")
    settings = _parsed_settings("--abr-django-version=5.0", "--abr-enable=ABR101")
    assert settings.django_version == (5, 0)
    assert settings.enable == frozenset({"ABR101"})


def test_defaults_without_any_config(project):
    settings = _parsed_settings()
    assert settings == Settings()
    assert settings.doc_url("ABR101") == DOCS_BASE_URL + "ABR101.md"


# pyproject.toml ---------------------------------------------------------------
PYPROJECT = """\
[project]
name = "someproject"

[tool.async-bridge]
project-root = "src"
django-version = "4.2"
extra-knowledge = ["knowledge/jobs.yaml"]
enable = ["ABR106"]
docs-url = "https://lint.example.org/rules/"
"""


def test_pyproject_in_process(project):
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    settings = _parsed_settings()
    assert settings.project_root == str(project / "src")
    assert settings.django_version == (4, 2)
    assert settings.extra_knowledge == (str(project / "knowledge" / "jobs.yaml"),)
    assert settings.enable == frozenset({"ABR106"})
    assert settings.doc_url("ABR105") == "https://lint.example.org/rules/ABR105.md"


def test_pyproject_end_to_end(project):
    (project / "pyproject.toml").write_text(PYPROJECT.replace('"src"', '"."'), encoding="utf-8")
    found, out, err = _flake8(project)
    assert found == [ABR106_TASK, ABR106_JOB, ABR105], (out, err)
    assert "(docs: https://lint.example.org/rules/ABR106.md)" in out
    assert err == ""


def test_pyproject_is_found_at_the_project_root(project):
    """``--abr-project-root`` names where pyproject.toml is; paths in it are relative to it."""
    root = project / "src"
    (root / "pyproject.toml").write_text(
        '[tool.async-bridge]\nenable = "ABR106"\nextra-knowledge = "../knowledge/jobs.yaml"\n',
        encoding="utf-8")
    found, _, err = _flake8(project)
    assert found == [ABR105]  # not in the current directory: not read
    found, out, err = _flake8(project, "--abr-project-root=./src")
    assert found == [ABR106_TASK, ABR106_JOB, ABR105], (out, err)
    assert err == ""


def test_pyproject_without_our_section_is_fine(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.other]\na = 1\n', encoding="utf-8")
    found, _, err = _flake8(project)
    assert found == [ABR105] and err == ""


def test_flake8_config_wins_over_pyproject(project):
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (project / "tox.ini").write_text("[flake8]\nabr-django-version = 5.0\nabr-enable = ABR101\n",
                                     encoding="utf-8")
    settings = _parsed_settings()
    assert settings.django_version == (5, 0)
    assert settings.enable == frozenset({"ABR101"})
    # keys flake8 does not set still come from pyproject.toml
    assert settings.project_root == str(project / "src")
    assert settings.doc_url("ABR101") == "https://lint.example.org/rules/ABR101.md"


# bad input: one line naming the key, findings still reported --------------------------------
@pytest.mark.parametrize("table, key_text, expect", [
    ('colour = "red"', "unknown key 'colour'", [ABR105]),
    ('abr-enable = ["ABR106"]', "unknown key 'abr-enable' (did you mean 'enable'?)", [ABR105]),
    ('django-version = "four"', "django-version: expected a version like 4.2, got 'four'", [ABR105]),
    ("django-version = 4.10", "django-version: expected a version string like \"4.2\"", [ABR105]),
    ('enable = ["ABR106", "ABR999"]', "enable: unknown rule code 'ABR999'", [ABR106_TASK, ABR105]),
    ("enable = 106", "enable: expected a list of strings, got 106", [ABR105]),
    ('project-root = "no/such/dir"', "project-root: ", [ABR105]),
    ('extra-knowledge = ["missing.yaml"]', "extra-knowledge: no such file: ", [ABR105]),
    ("docs-url = 3", "docs-url: expected a URL string", [ABR105]),
])
def test_pyproject_bad_values(project, table, key_text, expect):
    (project / "pyproject.toml").write_text(f"[tool.async-bridge]\n{table}\n", encoding="utf-8")
    found, out, err = _flake8(project)
    assert found == expect, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("flake8-async-bridge: ") and str(project / "pyproject.toml") in lines[0]
    assert key_text in lines[0], lines[0]


def test_pyproject_invalid_toml(project):
    (project / "pyproject.toml").write_text("[tool.async-bridge\nenable = [\n", encoding="utf-8")
    found, out, err = _flake8(project)
    assert found == [ABR105]
    [line] = err.splitlines()
    assert line.startswith("flake8-async-bridge: ") and "invalid TOML" in line


def test_pyproject_section_not_a_table(project):
    (project / "pyproject.toml").write_text('[tool]\nasync-bridge = "yes"\n', encoding="utf-8")
    found, out, err = _flake8(project)
    assert found == [ABR105]
    [line] = err.splitlines()
    assert "[tool.async-bridge] must be a table" in line


@pytest.mark.parametrize("option, key_text", [
    ("--abr-django-version=x.y", "--abr-django-version: expected a version like 4.2, got 'x.y'"),
    ("--abr-enable=ABR999", "--abr-enable: unknown rule code 'ABR999'"),
    ("--abr-project-root=./nowhere", "--abr-project-root: "),
    ("--abr-extra-knowledge=./nowhere.yaml", "--abr-extra-knowledge: no such file: "),
])
def test_flake8_bad_values(project, option, key_text):
    found, out, err = _flake8(project, option)
    assert found == [ABR105]
    [line] = err.splitlines()
    assert line.startswith("flake8-async-bridge: ") and key_text in line, line


def test_flake8_config_file_bad_value(project):
    (project / ".flake8").write_text("[flake8]\nabr-django-version = latest\n", encoding="utf-8")
    found, out, err = _flake8(project)
    assert found == [ABR105]
    [line] = err.splitlines()
    assert "--abr-django-version: expected a version like 4.2, got 'latest'" in line


def test_broken_user_knowledge_yaml(project):
    (project / "knowledge" / "jobs.yaml").write_text("celery_task_decorators: [unclosed\n", encoding="utf-8")
    found, out, err = _flake8(project, "--abr-extra-knowledge=./knowledge/jobs.yaml")
    assert found == [ABR105]
    [line] = err.splitlines()
    assert line.startswith("flake8-async-bridge: --abr-extra-knowledge: ") and "invalid YAML" in line


# units ------------------------------------------------------------------------
def test_rule_doc_url_forms():
    assert rule_doc_url("ABR101") == DOCS_BASE_URL + "ABR101.md"
    assert rule_doc_url("ABR101", "https://x.example/docs") == "https://x.example/docs/ABR101.md"
    assert rule_doc_url("ABR101", "https://x.example/{code}.html") == "https://x.example/ABR101.html"
    assert rule_doc_url("ABR101", "none") is None
    assert rule_doc_url("ABR101", "") is None
    assert Settings(docs_url="none").with_doc_link("ABR101 text", "ABR101") == "ABR101 text"
    assert Settings().with_doc_link("ABR101 text", "ABR101") == f"ABR101 text (docs: {DOCS_BASE_URL}ABR101.md)"


def test_resolve_settings_accepts_strings_and_lists(tmp_path):
    settings = resolve_settings(enable="abr106, ABR101", django_version="5", cwd=tmp_path)
    assert settings.enable == frozenset({"ABR101", "ABR106"})
    assert settings.django_version == (5, 0)
    assert resolve_settings(cwd=tmp_path) == Settings()


def test_settings_api_unchanged():
    """Other modules build Settings(...) by keyword and read these attributes."""
    settings = Settings(project_root=None, django_version=(4, 2), extra_knowledge=(), enable=frozenset())
    assert settings.enabled("ABR101") and not settings.enabled("ABR106")
    assert settings.knowledge.rules["ABR101"].code == "ABR101"
    assert settings.index is not None
    assert settings.django_version == (4, 2) and settings.project_root is None


def test_tomli_is_required_on_python_310():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "tomli>=1.1; python_version < \\\"3.11\\\"" in text or "tomli>=1.1; python_version < '3.11'" in text


# one reader for flake8's config: check and fix see what flake8 sees -------------------
FLAKE8_LAYOUTS = {
    "flake8 file": {".flake8": FLAKE8_SECTION},
    "setup.cfg": {"setup.cfg": FLAKE8_SECTION},
    "tox.ini, setup.cfg without a [flake8] section": {"setup.cfg": "[metadata]\nname = x\n", "tox.ini": FLAKE8_SECTION},
    "setup.cfg first": {"setup.cfg": FLAKE8_SECTION, ".flake8": "[flake8]\nabr-django-version = 5.0\n"},
    "underscored keys, bare paths": {"tox.ini": "[flake8]\nabr_django_version = 4.0\nabr_extra_knowledge = "
                                                "knowledge/jobs.yaml\nABR-ENABLE = abr106\n"},
    "with pyproject.toml underneath": {"setup.cfg": "[flake8]\nabr-enable = ABR106\n", "pyproject.toml": PYPROJECT},
    "in the parent folder": {"../tox.ini": "[flake8]\nabr-django-version = 3.2\nabr-docs-url = none\n"},
}


@pytest.mark.parametrize("layout", FLAKE8_LAYOUTS, ids=list(FLAKE8_LAYOUTS))
def test_check_reads_flake8_config_as_flake8_does(project, layout, monkeypatch):
    from async_bridge.config import resolve

    cwd = project
    if layout == "in the parent folder":  # flake8 looks upward from the current directory
        cwd = project / "inner"
        cwd.mkdir()
        (cwd / "tasks.py").write_text(TASKS, encoding="utf-8")
    for name, text in FLAKE8_LAYOUTS[layout].items():
        (cwd / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(cwd)
    flake8_settings = _parsed_settings()
    ours = resolve(None, read_flake8_config=True, cwd=cwd)
    assert ours.problems == []
    assert ours.settings == flake8_settings
    assert ours.settings != Settings()


def test_unknown_abr_key_in_flake8_config_is_reported(project):
    from async_bridge.config import resolve

    (project / "setup.cfg").write_text("[flake8]\nabr-djagno-version = 4.2\nmax-line-length = 99\n",
                                       encoding="utf-8")
    ours = resolve(None, read_flake8_config=True, cwd=project)
    [problem] = ours.problems
    assert problem.startswith(f"{project / 'setup.cfg'} [flake8]: unknown key 'abr-djagno-version'; known keys: ")


# issue 15: configuration messages once per run, the filesystem root, invalid TOML ------
WORKERS = "import multiprocessing, sys; multiprocessing.set_start_method({method!r}); " \
          "from flake8.main.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_configuration_messages_print_once_with_parallel_workers(project, method):
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    for index in range(6):
        (project / f"tasks{index}.py").write_text(TASKS, encoding="utf-8")
    (project / "knowledge" / "broken.yaml").write_text("celery_task_decorators: [unclosed\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[tool.async-bridge]\ncolour = "red"\nextra-knowledge = ["knowledge/broken.yaml"]\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", WORKERS.format(method=method), "-j3", "--select=ABR", "."],
                          cwd=project, capture_output=True, text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if k != "ABR_DEBUG"})
    assert done.returncode == 1 and len(done.stdout.splitlines()) == 7, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    # one line each, whichever is read first
    assert sum("unknown key 'colour'" in line for line in lines) == 1, lines
    assert sum("extra-knowledge: " in line and "invalid YAML" in line for line in lines) == 1, lines


@pytest.mark.parametrize("where", ["command line", "config file"])
def test_filesystem_root_as_project_root_is_rejected(project, where):
    if where == "command line":
        found, out, err = _flake8(project, "--abr-project-root=/")
    else:
        (project / "setup.cfg").write_text("[flake8]\nabr-project-root = /\n", encoding="utf-8")
        found, out, err = _flake8(project)
    assert found == [ABR105]
    assert err == ("flake8-async-bridge: --abr-project-root: the filesystem root (or an empty path) cannot be "
                   "the project root; ignoring it\n")


def test_flake8_takes_its_folder_as_the_root_unless_told(project):
    """SPEC.md: flake8's project root is the folder it runs in, or --abr-project-root
    (there pyproject.toml is read); `async-bridge check` looks upward itself."""
    (project / "pyproject.toml").write_text(PYPROJECT.replace('"src"', '"."'), encoding="utf-8")
    inner = project / "inner"
    inner.mkdir()
    (inner / "tasks.py").write_text(TASKS, encoding="utf-8")
    found, out, err = _flake8(inner)
    assert found == [ABR105], (out, err)  # the root's [tool.async-bridge] enable = ABR106 is not read
    found, out, err = _flake8(inner, f"--abr-project-root={project}")
    assert found == [ABR106_TASK, ABR106_JOB, ABR105], (out, err)
    assert err == ""


@pytest.mark.parametrize("command", ["check", "fix"])
def test_invalid_toml_for_our_commands(project, command):
    (project / "pyproject.toml").write_text("[tool.async-bridge\nenable = [\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "async_bridge.cli", command, "tasks.py"], cwd=project,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr and done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"async-bridge {command}: {project / 'pyproject.toml'}: invalid TOML (")
    if command == "check":  # linting goes on: the finding is reported
        assert "tasks.py:18:5: ABR105 " in done.stdout
    else:  # fixing with settings the user did not write could rewrite to the wrong API
        assert done.stderr.splitlines()[-1] == "async-bridge fix: fix the configuration first; no file changed"
        assert (project / "tasks.py").read_text(encoding="utf-8") == TASKS
