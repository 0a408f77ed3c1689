"""Shared test helpers: lint sources with the engine and read inline expectations.

A fixture line that must fire carries ``# error: CODE`` (several: comma-separated).
``CODE@N`` also pins the column, 1-based as flake8 prints it. Lines without a
marker must stay silent.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from async_bridge.config import Settings, project_index
from async_bridge.engine import check_tree
from async_bridge.knowledge import builtin

MARKER = re.compile(r"#\s*error:\s*(?P<codes>ABR\d{3}(?:@\d+)?(?:\s*,\s*ABR\d{3}(?:@\d+)?)*)")


def all_codes() -> frozenset[str]:
    return frozenset(builtin().rules)


def settings_for(root: Path | str, **overrides) -> Settings:
    values = dict(project_root=str(root), enable=all_codes())
    values.update(overrides)
    project_index.cache_clear()
    return Settings(**values)


def lint_file(path: Path, settings: Settings) -> list[tuple[int, int, str]]:
    """(line, 1-based column, code) of every finding in one file, checked as flake8 does
    (with its text: only the checks anchored in it run)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    return [(f.line, f.col + 1, f.code) for f in check_tree(tree, str(path), settings, source)]


def lint_messages(path: Path, settings: Settings) -> list[str]:
    """The message of every finding in one file (without the doc link)."""
    source = path.read_text(encoding="utf-8")
    return [f.message for f in check_tree(ast.parse(source, filename=str(path)), str(path), settings)]


def expectations(source: str) -> list[tuple[int, int | None, str]]:
    found = []
    for lineno, line in enumerate(source.splitlines(), start=1):
        match = MARKER.search(line)
        if not match:
            continue
        for item in match.group("codes").split(","):
            code, _, col = item.strip().partition("@")
            found.append((lineno, int(col) if col else None, code))
    return found


def assert_findings_match(path: Path, findings: list[tuple[int, int, str]], source: str) -> None:
    expected = expectations(source)
    got = sorted(findings)
    # columns are compared where the marker pins one
    unmatched = list(got)
    missing = []
    for line, col, code in expected:
        for item in unmatched:
            if item[0] == line and item[2] == code and (col is None or item[1] == col):
                unmatched.remove(item)
                break
        else:
            missing.append((line, col, code))
    problems = []
    if missing:
        problems.append("expected but not reported: " + ", ".join(f"{l}:{c or '?'} {k}" for l, c, k in missing))
    if unmatched:
        problems.append("reported but not expected: " + ", ".join(f"{l}:{c} {k}" for l, c, k in unmatched))
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


# A small Django project's files (``shop/``), shared by the cache and warm-path tests: a
# view that forgets to await ``fetch_orders`` (ABR401 at line 5).
SHOP_MODELS = """\
from django.db import models


class Order(models.Model):
    total = models.IntegerField()
"""
SHOP_VIEWS = """\
from shop.services import fetch_orders


async def dashboard(request):
    fetch_orders()
    return None
"""


def edit_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (same length) and put the mtime back: only the content and
    ctime tell the edit (a stat check alone would miss it)."""
    assert len(old) == len(new)
    before = path.stat()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
