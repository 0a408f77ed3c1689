"""Django version detection from pins, and the version-dependent suggestions of ABR205/ABR208."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import settings_for

from async_bridge import django_version
from async_bridge.config import Settings
from async_bridge.engine import check_tree
from async_bridge.records.fix_hints import AwaitTwin, Replacement


def _detect(tmp_path: Path, files: dict[str, str]) -> tuple[int, int] | None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    django_version.detect.cache_clear()
    return django_version.detect(str(tmp_path))


@pytest.mark.parametrize(
    "files,expected",
    [
        ({"requirements.txt": "celery==5.3\nDjango==4.2.7\n"}, (4, 2)),
        ({"requirements.txt": "django>=5.0,<5.2  # web\n"}, (5, 0)),
        ({"requirements.txt": "Django[argon2]~=4.1.0 ; python_version >= '3.8'\n"}, (4, 1)),
        ({"requirements.txt": "-r base.txt\ndjango-environ>=0.11\ndjango-filter==23.5\n"}, None),
        ({"requirements.txt": "Django<5\n"}, None),
        ({"requirements/base.txt": "Django==5.1.2\n"}, (5, 1)),
        ({"requirements-dev.in": "django>=4.0\n"}, (4, 0)),
        ({"pyproject.toml": '[project]\nname = "shop"\ndependencies = ["celery>=5", "Django>=4.2", "httpx"]\n'}, (4, 2)),
        ({"pyproject.toml": '[project]\ndependencies = [\n    "Django >= 5.0",\n    "django-stubs==5.0.2",\n]\n'}, (5, 0)),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\ndjango = "^4.2"\n'}, (4, 2)),
        ({"pyproject.toml": '[tool.poetry.dependencies]\nDjango = {version = "~5.0", extras = ["argon2"]}\n'}, (5, 0)),
        ({"pyproject.toml": '[tool.poetry.dependencies]\ndjango = "4.1.*"\ndjango-stubs = "^5.1"\n'}, (4, 1)),
        ({"pyproject.toml": '[project]\nname = "django-shop"\ndescription = "Django >= 4 shop"\n'}, None),
        ({"setup.cfg": "[options]\ninstall_requires =\n    asgiref>=3.7\n    Django>=4.2\n"}, (4, 2)),
        ({"setup.cfg": "[options]\ninstall_requires = Django>=3.2\n"}, (3, 2)),
        ({"setup.py": 'setup(name="x", install_requires=["Django>=4.1", "celery"])\n'}, (4, 1)),
        ({"Pipfile": '[packages]\ndjango = "==5.0.3"\n'}, (5, 0)),
        # the lowest of several pins wins: a suggestion must work on every supported version
        ({"pyproject.toml": 'dependencies = ["Django>=4.2"]\n', "requirements-dev.txt": "Django==5.1\n"}, (4, 2)),
        ({}, None),
    ],
)
def test_detect(tmp_path: Path, files: dict[str, str], expected) -> None:
    assert _detect(tmp_path, files) == expected


@pytest.mark.parametrize(
    "spec,expected",
    [(">=4.2,<5", (4, 2)), ("==4.2.7", (4, 2)), ("^5.0", (5, 0)), ("<5", None), ("*", None), (">=4.0,>=4.2", (4, 2))],
)
def test_lower_bound(spec: str, expected) -> None:
    assert django_version.lower_bound(spec) == expected


def test_explicit_version_wins_over_pins(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("Django==4.2\n", encoding="utf-8")
    django_version.detect.cache_clear()
    assert django_version.target(Settings(project_root=str(tmp_path), django_version=(5, 1))) == (5, 1)
    assert django_version.target(Settings(project_root=str(tmp_path))) == (4, 2)
    assert not django_version.has_twin(Settings(project_root=str(tmp_path)), "5.0")
    assert django_version.has_twin(Settings(project_root=str(tmp_path)), "4.1")
    assert django_version.has_twin(Settings(project_root=str(tmp_path)), None)


def test_unknown_version_assumes_twins_exist(tmp_path: Path) -> None:
    django_version.detect.cache_clear()
    assert django_version.has_twin(Settings(project_root=str(tmp_path)), "5.0")


SOURCE = '''\
from django.contrib.auth import login
from django.core.cache import cache
from django.db.models.signals import post_save
from django.shortcuts import get_object_or_404


async def view(request, pk):
    name = request.user.get_username()
    theme = request.session["theme"]
    obj = get_object_or_404(Thing, pk=pk)
    login(request, obj.owner)
    cache.set("k", pk)
    post_save.send(sender=Thing)
'''


def _findings(tmp_path: Path, version):
    path = tmp_path / "views.py"
    path.write_text(SOURCE, encoding="utf-8")
    django_version.detect.cache_clear()
    settings = settings_for(tmp_path, django_version=version)
    return {(f.line, f.code): f for f in check_tree(ast.parse(SOURCE), str(path), settings)}


def test_messages_on_django_5(tmp_path: Path) -> None:
    found = _findings(tmp_path, (5, 1))
    user, session = found[(8, "ABR205")], found[(9, "ABR205")]
    assert "await request.auser()" in user.message and user.fix == Replacement("(await request.auser())")
    assert "request.session.aget(key)" in session.message and session.fix is None
    shortcut = found[(10, "ABR208")]
    assert "await aget_object_or_404(...)" in shortcut.message
    assert shortcut.fix == AwaitTwin("aget_object_or_404", "django.shortcuts")
    assert "await alogin(...)" in found[(11, "ABR208")].message
    assert "await cache.aset(...)" in found[(12, "ABR208")].message and found[(12, "ABR208")].fix == AwaitTwin("aset")
    assert "await post_save.asend(...)" in found[(13, "ABR208")].message


def test_messages_on_django_4_2(tmp_path: Path) -> None:
    found = _findings(tmp_path, (4, 2))
    user, session = found[(8, "ABR205")], found[(9, "ABR205")]
    assert "await request.auser()" not in user.message
    assert "sync_to_async(get_user)(request)" in user.message and user.fix is None
    assert "sync_to_async(request.session.get)(key)" in session.message
    shortcut = found[(10, "ABR208")]
    assert "`sync_to_async(get_object_or_404)` (the twin needs Django 5.0)" in shortcut.message and shortcut.fix is None
    assert "sync_to_async(login)" in found[(11, "ABR208")].message
    # the cache twins exist since 4.0
    assert "await cache.aset(...)" in found[(12, "ABR208")].message and found[(12, "ABR208")].fix == AwaitTwin("aset")
    assert "sync_to_async(post_save.send)" in found[(13, "ABR208")].message


def test_message_follows_detected_pin(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("Django>=4.2,<5\n", encoding="utf-8")
    found = _findings(tmp_path, None)
    assert "sync_to_async(get_object_or_404)" in found[(10, "ABR208")].message
    (tmp_path / "requirements.txt").write_text("Django>=5.0\n", encoding="utf-8")
    found = _findings(tmp_path, None)
    assert "aget_object_or_404" in found[(10, "ABR208")].message and found[(10, "ABR208")].fix == AwaitTwin("aget_object_or_404", "django.shortcuts")


def test_findings_do_not_depend_on_version(tmp_path: Path) -> None:
    old = {key for key in _findings(tmp_path, (3, 2))}
    new = {key for key in _findings(tmp_path, (5, 2))}
    assert old == new and len(old) == 6
