"""Generated programs for fuzzing the engine (``tests/test_fuzz.py``, ``scripts/fuzz.py``).

``django_programs()`` builds modules from the shapes the analysis reasons about: async and
sync functions nested in each other and in classes, bridges and task decorators, ORM
chains, event loops, comprehensions, walrus, ``match``, try/finally, lambdas, star
arguments and subscripts, each filled with names drawn from a small pool so that
bindings, calls and returns meet. ``project_files()`` is the rest of the project the
generated module imports from, so cross-module questions are asked too.
"""

from __future__ import annotations

import sys
import textwrap

from hypothesis import strategies as st

NAMES = ("item", "qs", "loop", "order", "user", "rows", "client", "task", "x", "result")
CALLABLES = (
    "Order.objects.get", "Order.objects.filter", "Order.objects.all().first", "order.save", "order.customer",
    "sync_to_async", "async_to_sync", "asyncio.run", "asyncio.new_event_loop", "asyncio.get_event_loop",
    "loop.run_until_complete", "loop.close", "services.refresh", "services.fetch", "services.run_async",
    "database_sync_to_async", "list", "sorted", "len", "print", "helper", "ahelper", "cache.get", "request.user",
)
DECORATORS = ("shared_task", "sync_to_async", "async_to_sync", "database_sync_to_async", "contextmanager",
              "staticmethod", "classmethod", "property", "functools.lru_cache")

HEADER = """\
import asyncio
import functools
from contextlib import contextmanager

from asgiref.sync import async_to_sync, sync_to_async
from celery import shared_task
from channels.db import database_sync_to_async
from django.core.cache import cache

from app import services
from app.models import Order
"""


def project_files() -> dict[str, str]:
    """The modules the generated one imports (paths relative to the project root)."""
    return {
        "app/__init__.py": "",
        "app/models.py": textwrap.dedent("""\
            from django.db import models


            class Customer(models.Model):
                name = models.CharField(max_length=10)


            class Order(models.Model):
                customer = models.ForeignKey(Customer, on_delete=models.CASCADE)

                def total(self):
                    return sum(line.price for line in self.lines.all())
            """),
        "app/services.py": textwrap.dedent("""\
            import asyncio

            from asgiref.sync import sync_to_async

            from app.models import Order


            def refresh(pk, order=None):
                if order:
                    order.save()
                return Order.objects.filter(pk=pk).update(state="x")


            async def fetch(pk):
                return await sync_to_async(Order.objects.get)(pk=pk)


            def run_async(coro):
                return asyncio.run(coro)
            """),
    }


names = st.sampled_from(NAMES)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 9 if depth < 3 else 3))
    if kind == 0:
        return draw(names)
    if kind == 1:
        return repr(draw(st.one_of(st.integers(-3, 300), st.text("ab", max_size=3), st.none(), st.booleans())))
    if kind in (2, 3):
        func = draw(st.sampled_from(CALLABLES))
        args = draw(st.lists(expressions(depth + 1), max_size=2))
        star = draw(st.sampled_from(["", "*", "**"])) if args else ""
        if star:
            args[-1] = f"{star}{args[-1]}"
        call = f"{func}({', '.join(args)})"
        return f"await {call}" if draw(st.booleans()) and depth == 0 else call
    if kind == 4:
        return f"{draw(expressions(depth + 1))}.{draw(st.sampled_from(['pk', 'customer', 'objects', 'id', 'user']))}"
    if kind == 5:
        inner = draw(expressions(depth + 1))
        return f"[{draw(names)} for {draw(names)} in {inner} if {draw(names)}]"
    if kind == 6:
        return f"({draw(names)} := {draw(expressions(depth + 1))})"
    if kind == 7:
        return f"{draw(expressions(depth + 1))}[{draw(st.sampled_from(['0', '1:', '*x', ':2', 'x']))}]"
    if kind == 8:
        return f"lambda {draw(names)}: {draw(expressions(depth + 1))}"
    return f"{draw(expressions(depth + 1))} if {draw(names)} else {draw(expressions(depth + 1))}"


@st.composite
def statements(draw: st.DrawFn, depth: int, in_async: bool) -> list[str]:
    kind = draw(st.integers(0, 11 if depth < 3 else 4))
    expr = draw(expressions())
    if not in_async:
        expr = expr.replace("await ", "")
    if kind in (0, 1):
        return [f"{draw(names)} = {expr}"]
    if kind == 2:
        return [expr]
    if kind == 3:
        return [f"return {expr}"]
    if kind == 4:
        return [f"{draw(names)}, *{draw(names)} = {expr}"]
    body = draw(blocks(depth + 1, in_async))
    if kind == 5:
        head = "async for" if in_async and draw(st.booleans()) else "for"
        return [f"{head} {draw(names)} in {expr}:", *body]
    if kind == 6:
        other = draw(blocks(depth + 1, in_async))
        return [f"if {expr}:", *body, "else:", *other]
    if kind == 7:
        head = "async with" if in_async and draw(st.booleans()) else "with"
        return [f"{head} {expr} as {draw(names)}:", *body]
    if kind == 8:
        final = draw(blocks(depth + 1, in_async))
        return ["try:", *body, "except Exception:", "    pass", "finally:", *final]
    if kind == 9:
        return [f"match {expr}:", f"    case {{'k': {draw(names)}}}:", *("    " + line for line in body),
                "    case _:", "        pass"]
    if kind == 10:
        return draw(functions(depth + 1))
    return [f"while {expr}:", *body, "    break"]


@st.composite
def blocks(draw: st.DrawFn, depth: int, in_async: bool) -> list[str]:
    lines: list[str] = []
    for stmt in draw(st.lists(statements(depth, in_async), min_size=1, max_size=4)):
        lines.extend(stmt)
    return ["    " + line for line in lines]


@st.composite
def functions(draw: st.DrawFn, depth: int = 0) -> list[str]:
    is_async = draw(st.booleans())
    decorators = [f"@{d}" for d in draw(st.lists(st.sampled_from(DECORATORS), max_size=2))]
    params = draw(st.lists(names, max_size=3, unique=True))
    if params and draw(st.booleans()):
        params[-1] += "=None"
    if draw(st.booleans()):
        params.append("*args")
    name = draw(st.sampled_from(["helper", "ahelper", "handle", "receive", "run", "main", "refresh"]))
    head = f"{'async ' if is_async else ''}def {name}({', '.join(params)}):"
    return [*decorators, head, *draw(blocks(depth + 1, is_async))]


@st.composite
def django_programs(draw: st.DrawFn) -> str:
    parts = [HEADER]
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 3)) == 0:
            methods = [line for _ in range(draw(st.integers(1, 3))) for line in draw(functions(1))]
            base = draw(st.sampled_from(["", "(Order)", "(object)", "(services.Base)"]))
            parts.append("\n".join([f"class Consumer{base}:", *("    " + line for line in methods)]))
        else:
            parts.append("\n".join(draw(functions())))
    if sys.version_info >= (3, 12) and draw(st.booleans()):
        parts.append("type Alias[T] = list[T]")
    return "\n\n\n".join(parts) + "\n"
