"""Generated programs for fuzzing the engine (``tests/test_fuzz.py``, ``scripts/fuzz.py``).

``django_projects()`` draws two modules of the shapes the analysis reasons about: sync and
async functions nested in each other and in classes, bridges (``sync_to_async``,
``async_to_sync``, ``database_sync_to_async``) as calls and decorators, task decorators,
``contextmanager``, Django ORM chains, asyncio event loops, comprehensions, walrus,
``match``, try/finally, lambdas, star arguments, star-subscripts (3.11+), ``except*``
(3.11+), ``type`` statements and type parameters (3.12+). One module is written into the
project as ``app/generated.py`` and the other (``app/tasks.py``) imports and calls it; both
import ``app.tasks`` (a cycle, and a self-import), so the project index answers
cross-module questions about generated code too. Names are shadowed and rebound now and
then (``sync_to_async = helper``, ``asyncio = None``). ``deep_programs()`` nests one
construct tens of levels deep. Every expression is an atom (a name, a call, or something
in brackets), so any composition parses: what reaches the engine is a real program. The
strategies taking a place are built once per place (``lru_cache``): hypothesis validates
each new strategy object, which otherwise costs more than drawing from it.
"""

from __future__ import annotations

import functools
import sys
import textwrap
from dataclasses import dataclass, replace

from hypothesis import strategies as st

STAR_SUBSCRIPTS = sys.version_info >= (3, 11)  # x[*a], except*
TYPE_PARAMS = sys.version_info >= (3, 12)  # type X = ..., def f[T]()

GENERATED = "app/generated.py"  # the generated module the linted one imports
LINTED = "app/tasks.py"

NAMES = ("item", "qs", "loop", "order", "user", "rows", "client", "task", "x", "result", "request", "self")
ATTRIBUTES = ("pk", "id", "customer", "name", "objects", "user", "lines", "state", "session", "loop")
FUNCTION_NAMES = ("helper", "ahelper", "handle", "fetch_order", "process", "run", "main", "get", "receive", "save")
MODELS = ("Order", "Customer", "User", "generated.Order")
QUERY_METHODS = ("filter", "exclude", "select_related", "prefetch_related", "order_by", "all", "only", "values",
                 "annotate", "using", "distinct")
TERMINALS = ("first", "last", "get", "count", "exists", "update", "delete", "create", "get_or_create", "iterator",
             "in_bulk", "afirst", "aget", "acount", "aexists", "aupdate", "adelete", "acreate", "aiterator",
             "values_list", "earliest", "latest", "bulk_create", "aggregate")
CALLABLES = (
    "sync_to_async", "async_to_sync", "database_sync_to_async", "asyncio.run", "asyncio.new_event_loop",
    "asyncio.get_event_loop", "asyncio.set_event_loop", "asyncio.get_running_loop", "asyncio.gather",
    "asyncio.create_task", "asyncio.ensure_future", "asyncio.sleep", "asyncio.to_thread", "asyncio.wait_for",
    "asyncio.Lock", "asyncio.Queue", "loop.run_until_complete", "loop.close", "loop.run_in_executor",
    "services.refresh", "services.fetch", "services.run_async", "services.Base", "generated.helper",
    "generated.ahelper", "generated.process", "tasks.helper", "tasks.ahelper", "helper", "ahelper", "fetch_order", "process", "self.helper",
    "self.ahelper", "super().save", "list", "sorted", "len", "bool", "tuple", "print", "next", "cache.get",
    "cache.set", "get_object_or_404", "authenticate", "login", "transaction.atomic", "transaction.on_commit",
    "os.environ.setdefault", "time.sleep", "requests.get", "httpx.AsyncClient", "order.save",
    "order.refresh_from_db", "order.lines.add", "task.delay", "task.apply_async", "signal.send", "functools.partial",
)
DECORATORS = (
    "sync_to_async", "sync_to_async(thread_sensitive=False)", "async_to_sync", "database_sync_to_async",
    "shared_task", "shared_task(bind=True)", "app.task", "contextmanager", "asynccontextmanager", "staticmethod",
    "classmethod", "property", "functools.lru_cache(maxsize=None)", "functools.wraps(helper)", "transaction.atomic",
    "login_required", "receiver(post_save, sender=Order)", "cached_property",
)
BASES = ("", "(Order)", "(models.Model)", "(View)", "(AsyncWebsocketConsumer)", "(BaseCommand)", "(services.Base)",
         "(object)", "(Task)", "(admin.ModelAdmin)", "(MiddlewareMixin)")

HEADER = """\
import asyncio
import functools
import os
import time
from contextlib import asynccontextmanager, contextmanager
from functools import cached_property

import httpx
import requests
from asgiref.sync import async_to_sync, sync_to_async
from celery import Celery, Task, shared_task
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib import admin
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver, Signal
from django.shortcuts import get_object_or_404
from django.utils.deprecation import MiddlewareMixin
from django.views import View

from app import services, tasks
from app.models import Customer, Order

app = Celery()
signal = Signal()
"""
CALLER_HEADER = HEADER + """\
from app import generated
from app.generated import *
"""


def project_files() -> dict[str, str]:
    """The fixed modules of the fuzzed project (paths relative to its root)."""
    return {
        "pyproject.toml": '[project]\nname = "fuzzed"\ndependencies = ["django>=4.2"]\n',
        "app/__init__.py": "",
        GENERATED: "",
        "app/models.py": textwrap.dedent("""\
            from django.db import models


            class Customer(models.Model):
                name = models.CharField(max_length=10)


            class Order(models.Model):
                customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
                owner = models.OneToOneField("auth.User", on_delete=models.CASCADE)

                def total(self):
                    return sum(line.price for line in self.lines.all())
            """),
        "app/services.py": textwrap.dedent("""\
            import asyncio

            from asgiref.sync import sync_to_async

            from app.models import Order


            class Base:
                def helper(self):
                    return Order.objects.first()


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


@dataclass(frozen=True)
class Where:
    """Where generated code goes: what is legal and likely there."""

    is_async: bool = False  # directly in an ``async def`` body
    in_function: bool = False
    in_class: bool = False  # directly in a class body
    in_loop: bool = False
    depth: int = 0  # statement nesting


MODULE = Where()
names = st.sampled_from(NAMES)


def _atom(text: str) -> str:
    """``text`` usable as the base of ``.attr``, ``(...)`` or ``[...]``."""
    return text if text[-1] in ")]}" or text.replace(".", "").replace("_", "").isalpha() else f"({text})"


@st.composite
def literals(draw: st.DrawFn) -> str:
    value = draw(st.one_of(st.integers(0, 300), st.text("ab", max_size=3), st.none(), st.booleans(),
                           st.just(1.5), st.just(b"x")))
    return repr(value)


@functools.lru_cache(maxsize=None)
@st.composite
def orm_chains(draw: st.DrawFn, where: Where, depth: int) -> str:
    """``Model.objects.filter(...).first()`` and friends, sometimes on a relation or a queryset name."""
    base = draw(st.sampled_from([f"{m}.objects" for m in MODELS] + ["order.lines", "qs", "user.order_set"]))
    parts = [base]
    for method in draw(st.lists(st.sampled_from(QUERY_METHODS), max_size=3)):
        args = draw(arguments(where, depth + 1, keywords=("pk", "customer__name", "state")))
        parts.append(f"{method}({args})")
    ending = draw(st.integers(0, 3))
    if ending == 1:
        args = draw(arguments(where, depth + 1, keywords=("pk", "defaults")))
        parts.append(f"{draw(st.sampled_from(TERMINALS))}({args})")
    chain = ".".join(parts)
    if ending == 2:
        chain += draw(st.sampled_from(["[0]", "[:5]", "[1:]", ".pk"]))
    return chain


@functools.lru_cache(maxsize=None)
@st.composite
def arguments(draw: st.DrawFn, where: Where, depth: int, keywords: tuple[str, ...] = ("pk", "thread_sensitive")) -> str:
    items = draw(st.lists(expressions(where, depth), max_size=2 if depth < 3 else 1))
    if items and draw(st.integers(0, 4)) == 0:
        items[-1] = "*" + items[-1]
    if draw(st.integers(0, 2)) == 0:
        items.append(f"{draw(st.sampled_from(keywords))}={draw(expressions(where, depth + 1))}")
    if draw(st.integers(0, 6)) == 0:
        items.append(f"**{draw(names)}")
    return ", ".join(items)


@functools.lru_cache(maxsize=None)
@st.composite
def bridges(draw: st.DrawFn, where: Where, depth: int) -> str:
    """The async/sync bridges, called the right way and the wrong ways."""
    bridge = draw(st.sampled_from(["sync_to_async", "database_sync_to_async", "async_to_sync",
                                   "sync_to_async", "asyncio.to_thread"]))
    known = FUNCTION_NAMES + ("Order.objects.get", "order.save", "generated.helper", "services.refresh", "self.helper")
    target = draw(st.one_of(st.sampled_from(known), expressions(where, depth + 1)))
    shape = draw(st.integers(0, 3))
    if shape == 0:  # sync_to_async(f)(x)
        return f"{bridge}({target})({draw(arguments(where, depth + 1))})"
    if shape == 1:  # sync_to_async(f(x)): eager
        return f"{bridge}({_atom(target)}({draw(arguments(where, depth + 1))}))"
    if shape == 2:  # sync_to_async(lambda: ...)()
        return f"{bridge}(lambda: {draw(expressions(where, depth + 1))})()"
    return f"{bridge}({target}, thread_sensitive={draw(st.booleans())})"


@functools.lru_cache(maxsize=None)
@st.composite
def comprehensions(draw: st.DrawFn, where: Where, depth: int) -> str:
    element = draw(expressions(where, depth + 1))
    clauses = []
    for _ in range(draw(st.integers(1, 2))):
        head = "async for" if where.is_async and draw(st.integers(0, 2)) == 0 else "for"
        target = draw(st.sampled_from([draw(names), f"{draw(names)}, {draw(names)}", f"({draw(names)}, *rest)"]))
        clauses.append(f"{head} {target} in {draw(expressions(where, depth + 1))}")
        if draw(st.booleans()):
            clauses.append(f"if ({draw(names)} := {draw(expressions(where, depth + 1))})")
    body = " ".join(clauses)
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return f"[{element} {body}]"
    if kind == 1:
        return f"{{{element} {body}}}"
    if kind == 2:
        return f"{{{draw(names)}: {element} {body}}}"
    return f"({element} {body})"


@functools.lru_cache(maxsize=None)
@st.composite
def expressions(draw: st.DrawFn, where: Where, depth: int = 0) -> str:
    """One expression, always an atom (a name, a literal, a call, or in brackets)."""
    kind = draw(st.integers(0, 18 if depth < 2 else 2))
    if kind == 0:
        return draw(names)
    if kind == 1:
        return draw(literals())
    if kind == 2:
        return f"{_atom(draw(expressions(where, depth + 1)))}.{draw(st.sampled_from(ATTRIBUTES))}"
    if kind in (3, 4):
        return f"{draw(st.sampled_from(CALLABLES))}({draw(arguments(where, depth + 1))})"
    if kind in (5, 6):
        return draw(orm_chains(where, depth))
    if kind == 7:
        return draw(bridges(where, depth))
    if kind == 8:
        index = draw(st.sampled_from(["0", "-1", "1:", ":2", "::2", "'k'", "x", "x, y"]
                                     + (["*x", "*x, 0", "0, *rows"] if STAR_SUBSCRIPTS else [])))
        return f"{_atom(draw(expressions(where, depth + 1)))}[{index}]"
    if kind == 9:
        return draw(comprehensions(where, depth))
    if kind == 10:
        return f"({draw(names)} := {draw(expressions(where, depth + 1))})"
    if kind == 11:
        params = draw(st.sampled_from(["", "x", "x, *args", "x=None, **kw"]))
        inner = replace(where, is_async=False, in_function=True)  # a lambda body is sync
        return f"(lambda {params}: {draw(expressions(inner, depth + 1))})"
    if kind == 12:
        branches = draw(expressions(where, depth + 1)), draw(names), draw(expressions(where, depth + 1))
        return "({} if {} else {})".format(*branches)
    if kind == 13 and (where.is_async or draw(st.integers(0, 9)) == 0):  # ast accepts a misplaced await
        return f"(await {draw(expressions(where, depth + 1))})"
    if kind == 14:
        op = draw(st.sampled_from(["+", "and", "or", "in", "not in", "is", "==", "|", "@"]))
        return f"({draw(expressions(where, depth + 1))} {op} {draw(expressions(where, depth + 1))})"
    if kind == 15:  # no quotes inside: before 3.12 an f-string cannot nest one
        inner = draw(st.sampled_from(["order.customer.name", "request.user", "x", "Order.objects.count()"]))
        return f'f"{{{inner}!r}} {{{draw(names)}:>{{{draw(names)}}}}}"'
    if kind == 16:
        items = draw(st.lists(expressions(where, depth + 1), max_size=3))
        if items and draw(st.booleans()):
            items[0] = "*" + items[0]
        if not items or draw(st.booleans()):
            return f"[{', '.join(items)}]"
        return f"({', '.join(items)},)"
    if kind == 17:
        return f"{{**{draw(names)}, 'k': {draw(expressions(where, depth + 1))}}}"
    if kind == 18:
        return draw(st.sampled_from(["self.request.user", "request.user.is_authenticated", "request.session['k']",
                                     "order.customer.name", "os.environ", "super()", "self.scope['user']"]))
    return draw(names)


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@functools.lru_cache(maxsize=None)
@st.composite
def blocks(draw: st.DrawFn, where: Where) -> list[str]:
    """An indented, non-empty body."""
    lines: list[str] = []
    for statement in draw(st.lists(statements(where), min_size=1, max_size=3 if where.depth < 2 else 1)):
        lines.extend(statement)
    return _indent(lines)


def _deeper(where: Where, **changes: bool) -> Where:
    return replace(where, depth=where.depth + 1, **changes)


@functools.lru_cache(maxsize=None)
@st.composite
def loop_lifecycles(draw: st.DrawFn, where: Where) -> list[str]:
    """``new_event_loop`` / ``set_event_loop`` / ``run_until_complete`` / ``close``, some of them missing."""
    coroutine = draw(st.sampled_from(["services.fetch(1)", "ahelper()", "generated.ahelper(x)", "main()"]))
    lines = ["loop = asyncio.new_event_loop()"]
    if draw(st.booleans()):
        lines.append("asyncio.set_event_loop(loop)")
    run = f"result = loop.run_until_complete({coroutine})"
    close = ["loop.close()"] if draw(st.integers(0, 3)) else []
    if draw(st.booleans()):
        close += ["asyncio.set_event_loop(None)"]
    if draw(st.booleans()):
        return lines + ["try:", f"    {run}", "finally:", *_indent(close or ["pass"])]
    return lines + [run, *close]


# Idioms the rules look for, with holes: {n} a name, {m} a model, {e} an expression.
ASYNC_IDIOMS = (
    ("{n} = await {m}.objects.aget(pk={e})", "{n}.customer.name", "{n}.save()"),
    ("{n} = await {m}.objects.select_related('customer').afirst()", "return {n}.customer"),
    ("return await {m}.objects.filter(pk={e})",),
    ("async for {n} in {m}.objects.filter(pk={e}).aiterator():", "    {n}.delete()"),
    ("{n} = await services.fetch({e})[0]",),
    ("{n} = await generated.ahelper({e}).pk",),
    ("for {n} in {m}.objects.all():", "    print({n}.customer)"),
    ("order.customer", "order.lines.add({e})"),
    ("if request.user.is_authenticated:", "    {n} = request.session['k']"),
    ("generated.ahelper({e})",),
    ("async def {n}_view(order: {m}):", "    return order.customer.name"),
)
SYNC_IDIOMS = (
    ("return {m}.objects.filter(pk={e})",),
    ("return asyncio.run(generated.ahelper({e}))",),
    ("{n} = async_to_sync(services.fetch)({e})",),
    ("loop = asyncio.new_event_loop()", "return loop.run_until_complete(services.fetch({e}))"),
    ("os.environ['DJANGO_ALLOW_ASYNC_UNSAFE'] = 'true'",),
    ("{n} = sync_to_async({m}.objects.get)(pk={e})",),
    ("async def {n}_view(order: {m}):", "    return order.customer.name"),
)


@functools.lru_cache(maxsize=None)
@st.composite
def scenarios(draw: st.DrawFn, where: Where) -> list[str]:
    """A few lines of a pattern the rules know, its names and values drawn."""
    idiom = draw(st.sampled_from(ASYNC_IDIOMS if where.is_async else SYNC_IDIOMS))
    holes = {"n": draw(names), "m": draw(st.sampled_from(MODELS)), "e": draw(expressions(where, 1))}
    lines = [line.format(**holes) for line in idiom]
    if not where.in_function:
        lines = [line.replace("return ", "result = ", 1) if line.startswith("return ") else line for line in lines]
    return lines


@functools.lru_cache(maxsize=None)
@st.composite
def match_statements(draw: st.DrawFn, where: Where) -> list[str]:
    lines = [f"match {draw(expressions(where))}:"]
    for _ in range(draw(st.integers(1, 3))):
        pattern = draw(st.sampled_from([
            "{'k': item, **rest}", "[x, *rows]", "Order(pk=x)", "Order(customer=Customer(name=name))", "1 | 2",
            "str() as x", "(order, _)", "None", "services.Base()", "{'type': 'websocket.receive', 'text': x}",
        ]))
        guard = f" if {draw(expressions(where))}" if draw(st.integers(0, 3)) == 0 else ""
        lines += [f"    case {pattern}{guard}:", *_indent(draw(blocks(_deeper(where))))]
    lines += ["    case _:", "        pass"]
    return lines


@functools.lru_cache(maxsize=None)
@st.composite
def functions(draw: st.DrawFn, where: Where) -> list[str]:
    is_async = draw(st.booleans())
    decorators = [f"@{d}" for d in draw(st.lists(st.sampled_from(DECORATORS), max_size=2))]
    params = draw(st.lists(st.sampled_from(NAMES[:-1]), max_size=3, unique=True))
    if where.in_class or draw(st.integers(0, 5)) == 0:
        params.insert(0, "self")
    if params and draw(st.booleans()):
        params[-1] += draw(st.sampled_from(["=None", ": Order", ": 'Order'", ": HttpRequest = None"]))
    if draw(st.integers(0, 2)) == 0:
        params.append(draw(st.sampled_from(["*args", "**kwargs", "*, pk", "*args, **kwargs"])))
    name = draw(st.sampled_from(FUNCTION_NAMES))
    generic = "[T]" if TYPE_PARAMS and draw(st.integers(0, 5)) == 0 else ""
    returns = draw(st.sampled_from(["", "", " -> Order", " -> None", " -> 'QuerySet[Order]'"]))
    head = f"{'async ' if is_async else ''}def {name}{generic}({', '.join(params)}){returns}:"
    inner = Where(is_async=is_async, in_function=True, depth=where.depth + 1)
    return [*decorators, head, *draw(blocks(inner))]


@functools.lru_cache(maxsize=None)
@st.composite
def classes(draw: st.DrawFn, where: Where) -> list[str]:
    generic = "[T]" if TYPE_PARAMS and draw(st.integers(0, 5)) == 0 else ""
    name = draw(st.sampled_from(["Consumer", "OrderView", "Command", "Order", "Meta", "Handler"]))
    head = f"class {name}{generic}{draw(st.sampled_from(BASES))}:"
    inner = Where(in_class=True, depth=where.depth + 1)
    body: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            body += [f"{draw(names)} = {draw(expressions(inner))}"]
        elif kind == 1 and where.depth < 3:
            body += draw(classes(inner))
        else:
            body += draw(functions(inner))
    return [head, *_indent(body)]


@functools.lru_cache(maxsize=None)
@st.composite
def statements(draw: st.DrawFn, where: Where) -> list[str]:
    """One statement (possibly compound, then with its body)."""
    compound = where.depth < 3
    kind = draw(st.integers(0, 25 if compound else 9))
    expr = draw(expressions(where))
    if kind in (0, 1):
        target = draw(st.sampled_from([draw(names), f"{draw(names)}, *{draw(names)}", "self.result",
                                       f"{draw(names)}[0]", "os.environ['DJANGO_ALLOW_ASYNC_UNSAFE']"]))
        return [f"{target} = {expr}"]
    if kind in (2, 3):
        return [expr]
    if kind == 4:
        if where.in_function:
            template = draw(st.sampled_from(["return {}", "yield {}", "return *{}, x", "return",
                                             "yield {}" if where.is_async else "yield from {}"]))
            return [template.format(expr)]
        return [f"{draw(names)}: Order = {expr}"]
    if kind == 5:
        return [f"{draw(names)} {draw(st.sampled_from(['+=', '|=', '-=']))} {expr}"]
    if kind == 6:
        return [draw(st.sampled_from(["pass", "del x", "raise", f"assert {expr}", "global task",
                                      "break" if where.in_loop else "pass",
                                      "nonlocal x" if where.in_function and where.depth > 1 else "pass",
                                      "from app.models import Order", "import asyncio", "asyncio = None",
                                      "sync_to_async = helper", "Order = services.Base", "del sync_to_async",
                                      "from app.generated import helper as sync_to_async"]))]
    if kind == 7:
        return [f"{draw(names)} = lambda {draw(names)}: {expr}"]
    if kind == 8:
        return [f"{draw(names)} = {draw(bridges(where, 0))}"]
    if kind == 9:
        return draw(scenarios(where))
    deeper = _deeper(where)
    if kind in (10, 25):
        head = "async for" if where.is_async and draw(st.booleans()) else "for"
        target = draw(st.sampled_from([draw(names), f"{draw(names)}, *{draw(names)}"]))
        body = draw(blocks(_deeper(where, in_loop=True)))
        tail = ["else:", *draw(blocks(deeper))] if draw(st.integers(0, 4)) == 0 else []
        return [f"{head} {target} in {expr}:", *body, *tail]
    if kind in (11, 12):
        lines = [f"if {expr}:", *draw(blocks(deeper))]
        if draw(st.booleans()):
            lines += [f"elif {draw(expressions(where))}:", *draw(blocks(deeper))]
        if draw(st.booleans()):
            lines += ["else:", *draw(blocks(deeper))]
        return lines
    if kind == 13:
        head = "async with" if where.is_async and draw(st.booleans()) else "with"
        items = [f"{expr} as {draw(names)}"]
        if draw(st.integers(0, 3)) == 0:
            items.append("transaction.atomic()")
        return [f"{head} {', '.join(items)}:", *draw(blocks(deeper))]
    if kind in (14, 15):
        star = "*" if STAR_SUBSCRIPTS and draw(st.integers(0, 4)) == 0 else ""
        caught = draw(st.sampled_from(["Exception", "(KeyError, Order.DoesNotExist)"]))
        lines = ["try:", *draw(blocks(deeper)), f"except{star} {caught} as exc:", *draw(blocks(deeper))]
        if not star and draw(st.integers(0, 2)) == 0:
            lines += ["else:", *draw(blocks(deeper))]
        if draw(st.booleans()):
            lines += ["finally:", *draw(blocks(deeper))]
        return lines
    if kind == 16:
        return draw(match_statements(where))
    if kind in (17, 18, 19):
        return draw(functions(where))
    if kind == 20:
        return draw(classes(where))
    if kind == 21:
        return [f"while {expr}:", *draw(blocks(_deeper(where, in_loop=True))), "    break"]
    if kind == 22:
        return draw(loop_lifecycles(where))
    if kind == 23 and TYPE_PARAMS:
        return [f"type {draw(st.sampled_from(['Rows', 'Alias[T]', 'Maybe[T: Order]']))} = {expr}"]
    return ["with transaction.atomic():", *draw(blocks(deeper))]


@st.composite
def modules(draw: st.DrawFn, header: str = HEADER) -> str:
    parts = [header]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.integers(0, 5))
        if kind <= 2:
            parts.append("\n".join(draw(functions(MODULE))))
        elif kind == 3:
            parts.append("\n".join(draw(classes(MODULE))))
        else:
            parts.append("\n".join(draw(statements(MODULE))))
    return "\n\n\n".join(parts) + "\n"


@st.composite
def django_projects(draw: st.DrawFn) -> dict[str, str]:
    """Two generated modules: ``GENERATED`` on disk in the project, ``LINTED`` calling into it."""
    return {GENERATED: draw(modules()), LINTED: draw(modules(CALLER_HEADER))}


def django_programs() -> st.SearchStrategy[str]:
    """One generated module (it imports ``app.generated`` as the project's file has it)."""
    return modules(CALLER_HEADER)


NESTERS = (
    "def f{i}(x):", "async def f{i}(x):", "class C{i}:", "if x:", "for x in qs:", "async for x in qs:",
    "with transaction.atomic():", "async with client:", "try:", "while x:", "@sync_to_async\ndef f{i}():",
    "@shared_task\nasync def f{i}():", "match x:\n    case [y, *z]:",
)
EXPRESSION_NESTERS = ("sync_to_async({})", "(lambda: {})", "[{} for x in qs]", "(await {})", "f({})",
                      "({}).filter()", "({} if x else qs)", "async_to_sync({})()", "[{}][0]")


@st.composite
def deep_programs(draw: st.DrawFn) -> str:
    """One construct (or a mix) nested tens of levels deep, around an ORM call, a bridge or a loop."""
    levels = draw(st.integers(10, 45))
    mixed = draw(st.booleans())
    chosen = draw(st.sampled_from(NESTERS))
    lines: list[str] = [HEADER]
    indent = ""
    for i in range(levels):
        nester = draw(st.sampled_from(NESTERS)) if mixed else chosen
        for line in nester.format(i=i).splitlines():
            lines.append(indent + line.strip())
            if line.endswith(":"):
                indent += "    "
    leaf = draw(st.sampled_from(["Order.objects.get(pk=1).customer.name", "sync_to_async(helper(x))",
                                 "asyncio.run(services.fetch(1))", "loop.run_until_complete(ahelper())"]))
    wrap = draw(st.sampled_from(EXPRESSION_NESTERS))
    for _ in range(draw(st.integers(0, 40))):
        leaf = wrap.format(leaf)
    lines.append(indent + f"result = {leaf}")
    program = "\n".join(lines) + "\n"
    return _close_trys(program)


def _close_trys(program: str) -> str:
    """Give every ``try:`` without a handler a ``finally: pass`` after its body."""
    lines = program.splitlines()
    out: list[str] = []
    pending: list[str] = []  # the indent of each open try, innermost last
    for line in lines:
        indent = line[: len(line) - len(line.lstrip())]
        while pending and len(indent) <= len(pending[-1]):
            out += [pending[-1] + "finally:", pending[-1] + "    pass"]
            pending.pop()
        out.append(line)
        if line.strip() == "try:":
            pending.append(indent)
    while pending:
        out += [pending[-1] + "finally:", pending[-1] + "    pass"]
        pending.pop()
    return "\n".join(out) + "\n"
