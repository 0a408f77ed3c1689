"""One settings path: flake8, ``async-bridge check`` and ``async-bridge fix`` read the same settings.

Each place a setting can be written (``[tool.async-bridge]`` in pyproject.toml, the
``[flake8]`` section of setup.cfg / tox.ini / .flake8, the command line) is tried
with each command, on a project where every setting shows:

- ``django-version = 4.0``: the ABR201 message suggests ``sync_to_async`` (``aget()``
  needs 4.1), and ``fix`` must not rewrite to ``aget()`` (issue 12's bug: it did);
- ``enable = ABR106`` and ``extra-knowledge`` (``@job`` is a Celery task decorator):
  ABR106 fires in ``jobs.py`` only with both.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

VIEWS = dedent('''\
    from shop.models import Order


    async def show(request, pk):
        order = Order.objects.get(pk=pk)
        return order
''')
JOBS = dedent('''\
    import asyncio

    from myco.jobs import job
    from vendor_sdk import sync_everything


    @job
    def hourly():
        asyncio.run(sync_everything())
''')
KNOWLEDGE = "celery_task_decorators:\n  - myco.jobs.job\n"
ABR201 = ("views.py", 5, 13, "ABR201")
ABR106 = ("jobs.py", 9, 5, "ABR106")
OLD_DJANGO = "`aget()` needs Django 4.1"

PLACES = {
    "pyproject.toml": ("pyproject.toml", '[tool.async-bridge]\ndjango-version = "4.0"\nenable = ["ABR106"]\n'
                                         'extra-knowledge = ["knowledge/jobs.yaml"]\n'),
    "setup.cfg": ("setup.cfg", "[flake8]\nabr-django-version = 4.0\nabr-enable = ABR106\n"
                               "abr-extra-knowledge = ./knowledge/jobs.yaml\n"),
    "tox.ini": ("tox.ini", "[flake8]\nabr-django-version = 4.0\nabr-enable = ABR106\n"
                           "abr-extra-knowledge = ./knowledge/jobs.yaml\n"),
    ".flake8": (".flake8", "[flake8]\nabr-django-version = 4.0\nabr-enable = ABR106\n"
                           "abr-extra-knowledge = ./knowledge/jobs.yaml\n"),
    "command line": None,
}
FLAKE8_FLAGS = ("--abr-django-version=4.0", "--abr-enable=ABR106", "--abr-extra-knowledge=knowledge/jobs.yaml")
OUR_FLAGS = ("--django-version", "4.0", "--enable", "ABR106", "--extra-knowledge", "knowledge/jobs.yaml")
SCRIPTS = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}


@pytest.fixture
def project(tmp_path):
    files = {"pyproject.toml": '[project]\nname = "shop"\n', "views.py": VIEWS, "jobs.py": JOBS,
             "knowledge/jobs.yaml": KNOWLEDGE, "shop/__init__.py": "",
             "shop/models.py": "from django.db import models\n\n\nclass Order(models.Model):\n    pass\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def run(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(SCRIPTS / argv[0]), *argv[1:]], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=ENV, stdin=subprocess.DEVNULL)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def findings(stdout: str) -> list[tuple[str, int, int, str]]:
    found = []
    for line in stdout.splitlines():
        path, row, col, rest = line.split(":", 3)
        found.append((path.removeprefix("./"), int(row), int(col), rest.split()[0]))
    return sorted(found)


def configure(project: Path, place: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write the settings in ``place``; the flags to pass to flake8 and to our commands."""
    if PLACES[place] is None:
        return FLAKE8_FLAGS, OUR_FLAGS
    name, text = PLACES[place]
    path = project / name
    path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + text, encoding="utf-8")
    return (), ()


@pytest.mark.parametrize("place", PLACES)
def test_flake8(project, place):
    flags, _ = configure(project, place)
    done = run(project, "flake8", "--select=ABR", *flags, ".")
    assert findings(done.stdout) == [ABR106, ABR201] and done.stderr == ""
    assert OLD_DJANGO in done.stdout


@pytest.mark.parametrize("place", PLACES)
def test_check(project, place):
    flake8_flags, flags = configure(project, place)
    done = run(project, "async-bridge", "check", "--output-format", "concise", "-q", *flags)
    assert (done.returncode, done.stderr) == (1, "")
    assert findings(done.stdout) == [ABR106, ABR201]
    assert OLD_DJANGO in done.stdout
    # the very lines flake8 prints
    reference = run(project, "flake8", "--select=ABR", *flake8_flags, ".")
    assert sorted(done.stdout.splitlines()) == sorted(line.removeprefix("./") for line in reference.stdout.splitlines())


@pytest.mark.parametrize("place", PLACES)
def test_fix(project, place):
    _, flags = configure(project, place)
    done = run(project, "async-bridge", "fix", "--diff", *flags, ".")
    assert done.returncode == 0, done.stderr
    assert "aget(" not in done.stdout  # Django 4.0 has no aget()
    assert "views.py:5:13: ABR201 sync-orm-call-in-async (fix not safe here)" in done.stderr
    assert "jobs.py:9:5: ABR106 event-loop-in-worker-unverified" in done.stderr  # enabled, with the knowledge


def test_without_settings_every_command_targets_a_newer_django(project):
    """The control: with no settings, ABR106 is off and fix rewrites to aget()."""
    assert findings(run(project, "flake8", "--select=ABR", ".").stdout) == [ABR201]
    assert findings(run(project, "async-bridge", "check", "--output-format", "concise", "-q").stdout) == [ABR201]
    done = run(project, "async-bridge", "fix", "--diff", ".")
    assert "+    order = await Order.objects.aget(pk=pk)\n" in done.stdout


@pytest.mark.parametrize("command", ["flake8", "check", "fix"])
def test_precedence_command_line_then_flake8_config_then_pyproject(project, command):
    (project / "pyproject.toml").write_text('[tool.async-bridge]\ndjango-version = "5.0"\nenable = ["ABR106"]\n'
                                            'extra-knowledge = ["knowledge/jobs.yaml"]\n', encoding="utf-8")
    (project / "tox.ini").write_text("[flake8]\nabr-django-version = 4.0\n", encoding="utf-8")
    version_flag = {"flake8": ("--abr-django-version=4.1",), "check": ("--django-version", "4.1"),
                    "fix": ("--django-version", "4.1")}[command]
    for flags, old in (((), True), (version_flag, False)):
        if command == "fix":
            done = run(project, "async-bridge", "fix", "--diff", *flags, ".")
            assert ("aget(" not in done.stdout) is old  # tox.ini's 4.0 beats pyproject's 5.0; the flag beats both
            assert "jobs.py:9:5: ABR106" in done.stderr  # pyproject.toml's keys flake8's config does not set
            continue
        argv = (("flake8", "--select=ABR", *flags, ".") if command == "flake8"
                else ("async-bridge", "check", "--output-format", "concise", "-q", *flags))
        done = run(project, *argv)
        assert findings(done.stdout) == [ABR106, ABR201]
        assert (OLD_DJANGO in done.stdout) is old


def test_excludes_apply_to_every_command(project):
    (project / "pyproject.toml").write_text('[tool.async-bridge]\nextend-exclude = ["views.py"]\n'
                                            'enable = ["ABR106"]\nextra-knowledge = ["knowledge/jobs.yaml"]\n',
                                            encoding="utf-8")
    # flake8 walks and names the file itself: the plugin stays silent on it
    assert findings(run(project, "flake8", "--select=ABR", ".").stdout) == [ABR106]
    assert findings(run(project, "flake8", "--select=ABR", "views.py", "jobs.py").stdout) == [ABR106]
    done = run(project, "async-bridge", "check", "--output-format", "concise", "-q", "views.py", "jobs.py")
    assert findings(done.stdout) == [ABR106]
    done = run(project, "async-bridge", "fix", "--diff", ".")
    assert done.stdout == "" and "views.py" not in done.stderr
    assert "async-bridge fix: 3 file(s) checked" in done.stderr  # jobs.py, shop/__init__.py, shop/models.py
