"""Beyond the project root: models and functions of installed packages are known like
project ones (SPEC.md, "What the analysis knows about values")."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from helpers import settings_for

from async_bridge.engine import check_tree
from async_bridge.index import resolver

SHARED_MODELS = """\
from django.db import models


class Ledger(models.Model):
    total = models.IntegerField()


def ledger_total(pk):
    return Ledger.objects.get(pk=pk).total
"""

APP = """\
from companylib.models import Ledger, ledger_total


async def report(pk):
    ledger_total(pk)
    for ledger in Ledger.objects.all():
        print(ledger)
"""


def test_a_company_library_installed_in_the_environment(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "env" / "site-packages"
    (site / "companylib").mkdir(parents=True)
    (site / "companylib" / "__init__.py").write_text("", encoding="utf-8")
    (site / "companylib" / "models.py").write_text(SHARED_MODELS, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    app = project / "views.py"
    app.write_text(APP, encoding="utf-8")
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    resolver.installed_roots.cache_clear()
    try:
        found = check_tree(ast.parse(APP), str(app), settings_for(project))
    finally:
        resolver.installed_roots.cache_clear()
    assert [(f.line, f.col, f.code) for f in found] == [(5, 4, "ABR201"), (6, 4, "ABR202")]
    assert found[0].related[-1].path == str(site / "companylib" / "models.py")


def test_the_standard_library_is_never_searched() -> None:
    assert all("site-packages" in str(p) or not (p / "asyncio").is_dir() for p in resolver.installed_roots())
