"""Fixers on hand-made findings: odd hints and node shapes are left alone, positions map exactly."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from async_bridge.checks.base import Finding
from async_bridge.records.fix_hints import AsyncFor, AwaitCall, AwaitTwin, FixHint, LoopRun, Parenthesize, Replacement
from async_bridge.fixes import load_all
from async_bridge.fixes.base import FixContext, apply_edits


def finding_for(source: str, code: str, node_type: type, text: str, fix: FixHint | None) -> Finding:
    """A finding on the first ``node_type`` node whose source is ``text``."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, node_type) and ast.get_source_segment(source, node) == text:
            return Finding(node.lineno, node.col_offset, code, "", node.end_lineno, node.end_col_offset, fix)
    raise AssertionError(f"no {node_type.__name__} {text!r}")


def fixed(source: str, finding: Finding) -> str:
    ctx = FixContext(source)
    edit = load_all()[finding.code](ctx, finding)
    if edit is None:
        return source
    new, done = apply_edits(ctx, [edit])
    ast.parse(new)
    return new if done else source


ASYNC = "async def f(qs, request, cache):\n    {}\n"


@pytest.mark.parametrize("body,code,node_type,text,fix,expected", [
    # the expected rewrites
    ("x = qs.get(pk=1).name", "ABR201", ast.Call, "qs.get(pk=1)", AwaitTwin("aget"),
     "x = (await qs.aget(pk=1)).name"),
    ("x = -qs.count() ** 2", "ABR201", ast.Call, "qs.count()", AwaitTwin("acount"),
     "x = -await qs.acount() ** 2"),
    ("x = f'{qs.count()}'", "ABR201", ast.Call, "qs.count()", AwaitTwin("acount"),
     "x = f'{await qs.acount()}'"),
    ("x = (qs.first())", "ABR201", ast.Call, "qs.first()", AwaitTwin("afirst"),
     "x = (await qs.afirst())"),
    ("x = qs.first()()", "ABR201", ast.Call, "qs.first()", AwaitTwin("afirst"),
     "x = (await qs.afirst())()"),
    ("x = request.user.pk", "ABR205", ast.Attribute, "request.user", Replacement("(await request.auser())"),
     "x = (await request.auser()).pk"),
    # hints or shapes the fixers do not trust
    ("x = qs.get(pk=1)", "ABR201", ast.Call, "qs.get(pk=1)", AwaitTwin("fetch"), None),
    ("x = qs.get(pk=1)", "ABR201", ast.Call, "qs.get(pk=1)", None, None),
    ("x = qs.get(pk=1)", "ABR201", ast.Call, "qs.get(pk=1)", AwaitCall(), None),
    ("x = qs.iterator()", "ABR201", ast.Call, "qs.iterator()", AwaitTwin("aiterator"), None),
    ("x = lambda: qs.get(pk=1)", "ABR201", ast.Call, "qs.get(pk=1)", AwaitTwin("aget"), None),
    ("def g(a=qs.count()): pass", "ABR201", ast.Call, "qs.count()", AwaitTwin("acount"), None),
    ("class C: n = qs.count()", "ABR201", ast.Call, "qs.count()", AwaitTwin("acount"), None),
    ("x = request.user", "ABR205", ast.Attribute, "request.user", Replacement("(await other.auser())"), None),
    ("x = request.user", "ABR205", ast.Attribute, "request.user", Replacement("await request.auser()"), None),
    ("x = request.user", "ABR205", ast.Attribute, "request.user", Replacement("(await request.auser("), None),
    ("request.user = None", "ABR205", ast.Attribute, "request.user", Replacement("(await request.auser())"), None),
    ("x = [o for o in qs]", "ABR202", ast.Name, "qs", AsyncFor("comprehension"),
     "x = [o async for o in qs]"),
    ("x = [o for o in qs]", "ABR202", ast.Name, "qs", None, None),
    ("x = [o for o in qs]", "ABR202", ast.Name, "qs", AsyncFor("for"), None),
    ("x = list(o for o in qs)", "ABR202", ast.Name, "qs", AsyncFor("comprehension"), None),
    ("notify(1)", "ABR401", ast.Call, "notify(1)", None, None),
    ("x = notify(1)", "ABR401", ast.Call, "notify(1)", AwaitCall(), None),
    ("x = await g()[0]", "ABR403", ast.Await, "await g()[0]", Parenthesize(1),
     "x = (await g())[0]"),
    ("x = await g()[0]", "ABR403", ast.Await, "await g()[0]", AwaitCall(), None),
    ("x = await g()[0]", "ABR403", ast.Await, "await g()[0]", Parenthesize(2), None),
])
def test_fixer_shapes(body, code, node_type, text, fix, expected):
    source = ASYNC.format(body)
    result = fixed(source, finding_for(source, code, node_type, text, fix))
    assert result == (ASYNC.format(expected) if expected is not None else source)


def test_finding_without_end_position_is_left_alone():
    source = ASYNC.format("x = qs.get(pk=1)")
    finding = Finding(2, 8, "ABR201", "", None, None, AwaitTwin("aget"))
    assert fixed(source, finding) == source


def test_finding_whose_range_matches_no_node_is_left_alone():
    source = ASYNC.format("x = qs.get(pk=1)")
    finding = Finding(2, 9, "ABR201", "", 2, 20, AwaitTwin("aget"))
    assert fixed(source, finding) == source


def test_sync_def_takes_no_await():
    source = "def f(qs):\n    return qs.get(pk=1)\n"
    finding = finding_for(source, "ABR201", ast.Call, "qs.get(pk=1)", AwaitTwin("aget"))
    assert fixed(source, finding) == source


def test_async_def_nested_in_sync_def_takes_await():
    source = "def outer(qs):\n    async def inner():\n        return qs.get(pk=1)\n    return inner\n"
    finding = finding_for(source, "ABR201", ast.Call, "qs.get(pk=1)", AwaitTwin("aget"))
    assert "return await qs.aget(pk=1)" in fixed(source, finding)


def test_abr101_needs_the_asyncio_run_hint():
    source = "import asyncio\n\ndef task():\n    asyncio.run(work(1))\n"
    call = finding_for(source, "ABR101", ast.Call, "asyncio.run(work(1))", LoopRun("run_until_complete"))
    assert fixed(source, call) == source
    call = finding_for(source, "ABR101", ast.Call, "asyncio.run(work(1))", LoopRun("asyncio.run"))
    assert fixed(source, call) == (
        "from asgiref.sync import async_to_sync\n\ndef task():\n    async_to_sync(work)(1)\n"
    )


def test_import_binding_of_a_builtin_is_none():
    # a builtin's binding has no statement node: not an import, and no crash
    source = "import asyncio\n\nasync def f():\n    print(asyncio.run)\n"
    ctx = FixContext(source)
    call = next(node for node in ctx.positions if isinstance(node, cst.Call))
    assert ctx.import_binding(call, "print") is None
    assert ctx.import_binding(call, "asyncio") == ("asyncio", None, None)
    assert ctx.qualified_names(call.func) == {"builtins.print"}
