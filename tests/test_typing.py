"""Typed contracts: the package type-checks with the project's mypy configuration
([tool.mypy]) with no error, and every typed fix hint (records.fix_hints) survives the
findings cache unchanged, while a damaged cached hint reads back as no hint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from textwrap import dedent
from typing import Any, get_args

import pytest

from async_bridge.config import Settings, project_index
from async_bridge.engine import check_source
from async_bridge.index import project_files
from async_bridge.records import fix_hints as h

ROOT = Path(__file__).resolve().parent.parent

# one hint of every kind, the optional field both unset and set
HINTS: list[h.FixHint] = [
    h.AwaitTwin("aget"), h.AwaitTwin("alogin", "django.contrib.auth"), h.AwaitCall(), h.PassCallable(),
    h.Parenthesize(2), h.AsyncFor("for"), h.AsyncFor("comprehension"), h.LoopRun("asyncio.run"),
    h.Replacement("(await request.auser())"),
]


@pytest.mark.slow
def test_mypy_reports_no_error(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is in the test extra: pip install -e '.[test]'")
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path),
                                str(ROOT / "src" / "async_bridge")])
    assert status == 0, out + err
    assert "Success: no issues found" in out



def test_every_type_ignore_names_its_error_and_a_reason() -> None:
    """``# type: ignore[code]  # why``, or the why on the comment line just above."""
    bare = []
    for path in sorted((ROOT / "src" / "async_bridge").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if "type: ignore" not in line:
                continue
            coded = re.search(r"# type: ignore\[[a-z-]+(, ?[a-z-]+)*\](.*)$", line)
            reason_after = coded is not None and re.match(r"\s+#\s*\S", coded.group(2)) is not None
            reason_above = number > 1 and lines[number - 2].strip().startswith("#")
            if not (coded and (reason_after or reason_above)):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "\n".join(bare)

def test_hints_cover_every_kind() -> None:
    assert {type(hint) for hint in HINTS} == set(get_args(h.FixHint))


@pytest.mark.parametrize("hint", HINTS, ids=repr)
def test_hint_round_trips_through_json(hint: h.FixHint) -> None:
    data = json.loads(json.dumps(h.hint_to_data(hint)))
    assert data[0] == type(hint).__name__
    back = h.hint_from_data(data)
    assert back == hint and type(back) is type(hint)


def test_no_hint_round_trips() -> None:
    assert h.hint_to_data(None) is None
    assert h.hint_from_data(None) is None


@pytest.mark.parametrize("damaged", [
    [], "AwaitCall", [3], {"kind": "AwaitCall"}, ["Nope"], ["__class__"], ["FixHint"],
    ["Parenthesize"],  # a field missing
    ["AwaitCall", 1], ["AwaitTwin", "aget", None, "extra"],  # a field too many
    ["Parenthesize", "1"], ["Parenthesize", True], ["Parenthesize", 1.0],  # not an int
    ["AwaitTwin", ["aget"]], ["AwaitTwin", None], ["AwaitTwin", "aget", 5],  # not text / text or null
    ["AsyncFor", "while"], ["AsyncFor", 1],  # not one of the two forms
    ["LoopRun", {}], ["Replacement", None],
], ids=repr)
def test_damaged_hint_reads_as_no_hint(damaged: Any) -> None:
    assert h.hint_from_data(damaged) is None


# a project whose checks attach a hint of every kind (ABR101 needs a coroutine that reaches DB work)
MODELS = """\
from django.db import models


class Order(models.Model):
    total = models.IntegerField()
"""
VIEWS = dedent("""\
    import asyncio

    from asgiref.sync import sync_to_async
    from celery import shared_task
    from django.shortcuts import get_object_or_404

    from shop.models import Order


    async def fetch(n):
        return n


    async def store(pk):
        await Order.objects.filter(pk=pk).aupdate(total=0)


    async def view(request, pk):
        order = Order.objects.get(pk=pk)
        page = get_object_or_404(Order, pk=pk)
        rows = [o for o in Order.objects.all()]
        user = request.user
        fetch(1)
        first = await fetch(2)[0]
        total = await sync_to_async(len(rows))
        return order, page, user, first, total


    @shared_task
    def job(pk):
        asyncio.run(store(pk))
""")
EXPECTED = [
    (19, "ABR201", h.AwaitTwin("aget")),
    (20, "ABR208", h.AwaitTwin("aget_object_or_404", "django.shortcuts")),
    (21, "ABR202", h.AsyncFor("comprehension")),
    (22, "ABR205", h.Replacement("(await request.auser())")),
    (23, "ABR401", h.AwaitCall()),
    (24, "ABR403", h.Parenthesize(1)),
    (25, "ABR206", h.PassCallable()),
    (31, "ABR101", h.LoopRun("asyncio.run")),
]


def test_cached_findings_give_the_fixers_the_same_hints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_files, "_RACY_NS", 0)  # files written just now: trust their stat
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "models.py").write_text(MODELS)
    views = tmp_path / "shop" / "views.py"
    views.write_text(VIEWS)

    def lint() -> tuple[list[tuple[int, str, h.FixHint | None]], int]:
        """A new process's findings (its own project index) and how many came from cached records."""
        project_index.cache_clear()
        settings = Settings(project_root=str(tmp_path), cache_dir=str(tmp_path / "cache"), django_version=(5, 1))
        found = [(f.line, f.code, f.fix) for f in check_source(VIEWS, str(views), settings)]
        settings.index.flush()
        return found, settings.index.stats["findings records used"]

    try:
        cold, cold_used = lint()
        warm, warm_used = lint()
    finally:
        project_index.cache_clear()
    assert sorted(cold, key=lambda item: item[0]) == EXPECTED
    assert (cold_used, warm_used) == (0, 1)  # the warm run read its findings from the cache
    assert warm == cold
    assert [type(hint) for _, _, hint in warm] == [type(hint) for _, _, hint in cold]
