"""Which background-task framework runs a function (SPEC.md, "Execution contexts").

A function is a task when one of these resolves to a framework of the
``task_frameworks`` knowledge (``task_frameworks.py``), imports and aliases followed:

- a decorator: ``@shared_task``, ``@dramatiq.actor(...)``, ``@db_task()``, ``@job``;
- a decorator on a known application object: ``@app.task`` where ``app = Celery(...)``,
  ``@huey.periodic_task(...)`` where ``huey = RedisHuey(...)`` (in this module, or
  assigned so in the project module it is imported from);
- the task method of a subclass: ``run`` of a ``celery.Task``, ``perform`` of a
  ``dramatiq.GenericActor``;
- an enqueue call naming it: ``async_task(f)``, ``async_task("app.tasks.f")``,
  ``django_rq.get_queue().enqueue(f)``.

A bare name (``task``, ``job``, ``actor``) or a method of an unknown object is never
enough: unknown stays silent.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .. import task_frameworks
from ..knowledge import builtin
from ..task_frameworks import TaskFramework
from .owner import owner
from .imports import ImportMap
from .scopes import ClassInfo, FunctionInfo

if TYPE_CHECKING:
    from ..knowledge import Knowledge
    from .module import ModuleAnalysis

# How a declaration reaches the function: its form decides whether an ``async def`` runs.
DECORATOR = "decorator"
METHOD = "method"
ENQUEUE = "enqueue"


@dataclass(frozen=True)
class TaskDeclaration:
    framework: TaskFramework
    form: str  # DECORATOR, METHOD or ENQUEUE
    how: str  # as a message shows it: "@shared_task", "run() of a Task subclass", "async_task(...)"
    node: ast.AST  # the decorator, the def, or the enqueue call

    @property
    def runs_async(self) -> bool:
        """Whether the framework awaits an ``async def`` declared this way."""
        fw = self.framework
        return fw.runs_async_method if self.form == METHOD else fw.runs_async


@dataclass(frozen=True)
class Enqueue:
    """A call that hands a function to a framework's worker."""

    framework: TaskFramework
    call: ast.Call
    target: str  # the function's qualified name (a dotted-path string as written)
    how: str  # "async_task(...)"


def frameworks(knowledge: "Knowledge") -> tuple[TaskFramework, ...]:
    """The task frameworks of ``knowledge`` (built-in entries extended by the user's)."""
    lists = knowledge.lists
    hit = _FRAMEWORKS.get(id(lists))
    if hit is not None and hit[0] is lists:
        return hit[1]
    parsed = task_frameworks.parse(lists, builtin().lists)
    _FRAMEWORKS[id(lists)] = (lists, parsed)
    return parsed


# id of a knowledge's lists -> (those lists, kept so the id stays theirs; its frameworks)
_FRAMEWORKS: dict[int, tuple[dict[str, Any], tuple[TaskFramework, ...]]] = {}


def decorator_target(dec: ast.expr) -> ast.expr:
    """``@foo(...)`` -> ``foo``; ``@foo`` -> ``foo``."""
    return dec.func if isinstance(dec, ast.Call) else dec


class TaskRecognizer:
    """Answers "is this a task, of which framework" for one module."""

    def __init__(self, analysis: "ModuleAnalysis") -> None:
        self.a = owner(analysis)
        self.frameworks = frameworks(analysis.knowledge)
        self._by_decorator = {name: fw for fw in self.frameworks for name in fw.decorators}
        self._app_attrs = frozenset(name for fw in self.frameworks for name in fw.app_decorators)

    # -- decorators ------------------------------------------------------------
    def decorator_declaration(self, node: ast.AST) -> TaskDeclaration | None:
        """The decorator of ``node`` that makes it a task, or None."""
        for dec in getattr(node, "decorator_list", ()):
            target = decorator_target(dec)
            fw = self._by_decorator.get(self.a.qualify(target) or "")
            if fw is None and isinstance(target, ast.Attribute) and target.attr in self._app_attrs:
                app = self.app_framework(target.value)
                if app is not None and target.attr in app.app_decorators:
                    fw = app
            if fw is not None:
                return TaskDeclaration(fw, DECORATOR, "@" + ast.unparse(target), dec)
        return None

    def app_framework(self, owner: ast.expr) -> TaskFramework | None:
        """The framework whose application object ``owner`` is known to be, or None."""
        qual = self.a.qualify(owner)
        for fw in self.frameworks:
            if qual in fw.app_objects:
                return fw
        if isinstance(owner, ast.Name):
            value = self._module_values.get(owner.id)
            if value is not None:
                return self._made_by_factory(value)
            imported = self.a.imports.get(owner.id)
            if imported and "." in imported:
                module, name = imported.rsplit(".", 1)
                found = _assigned_in_module(self.a, module, name, self.frameworks)
                if found is not None:
                    return found
        return self._celery_by_name(qual)

    def _made_by_factory(self, value: ast.expr) -> TaskFramework | None:
        if isinstance(value, ast.Call):
            made_by = self.a.qualify(value.func)
            for fw in self.frameworks:
                if made_by in fw.app_factories:
                    return fw
        elif isinstance(value, (ast.Name, ast.Attribute)):
            qual = self.a.qualify(value)
            for fw in self.frameworks:
                if qual in fw.app_objects:
                    return fw
        return None

    def _celery_by_name(self, qual: str | None) -> TaskFramework | None:
        """Celery's app is usually imported from the project (``from proj.celery import
        app``, ``celery_app``) where it cannot always be followed: a ``celery`` part in
        its name, or a module that imports Celery and no other task framework, says so."""
        celery = next((fw for fw in self.frameworks if fw.id == "celery"), None)
        if celery is None:
            return None
        if qual and any("celery" in part.lower() for part in qual.split(".")):
            return celery
        if self._imports_only(celery):
            return celery
        return None

    def _imports_only(self, fw: TaskFramework) -> bool:
        tops = {m.split(".", 1)[0] for m in self.a.imports.modules}
        if not tops & fw.packages:
            return False
        others = {p for other in self.frameworks if other is not fw for p in other.packages}
        others |= self.a.knowledge.names("coroutine_task_queues")
        others |= self.a.knowledge.names("non_celery_task_frameworks")  # earlier releases' key
        return not any(top in others or top.split("_", 1)[0] in others for top in tops)

    @cached_property
    def _module_values(self) -> dict[str, ast.expr]:
        """Module-level ``name = value`` (the last one wins)."""
        values: dict[str, ast.expr] = {}
        for node in _module_statements(self.a.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        values[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                values[node.target.id] = node.value
        return values

    # -- classes -------------------------------------------------------------
    def class_framework(self, cls: ClassInfo, method: str) -> TaskFramework | None:
        """The framework whose task method ``method`` is in ``cls``, or None."""
        for fw in self.frameworks:
            if fw.task_method == method and (fw.bases or fw.app_bases):
                if self.a.class_derives(cls, fw.bases, fw.app_bases):
                    return fw
        return None

    def method_declaration(self, fn: FunctionInfo) -> TaskDeclaration | None:
        cls = fn.cls
        if cls is None or fn.node is None or cls.methods.get(fn.name) is not fn:
            return None
        fw = self.class_framework(cls, fn.name)
        if fw is None:
            return None
        base = min(fw.bases, default="Task").rsplit(".", 1)[-1]
        return TaskDeclaration(fw, METHOD, f"{base}.{fn.name}", fn.node)

    # -- enqueue calls ---------------------------------------------------------
    @cached_property
    def enqueues(self) -> list[Enqueue]:
        """Every call of this module that hands a function to a worker."""
        wanted = self._enqueue_names
        if not wanted or not self._uses_enqueue_framework():
            return []
        found = []
        for scope in (self.a.module_scope, *self.a.functions):
            for call in scope.calls:
                func = call.func
                short = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if short in wanted:
                    enqueue = self._enqueue(call, scope)
                    if enqueue is not None:
                        found.append(enqueue)
        return found

    @cached_property
    def enqueued_here(self) -> dict[str, TaskDeclaration]:
        """Functions of this module (local qualname) that an enqueue call of this module names."""
        prefix = f"{self.a.module}." if self.a.module else ""
        result: dict[str, TaskDeclaration] = {}
        for enqueue in self.enqueues:
            if prefix and enqueue.target.startswith(prefix):
                local = enqueue.target[len(prefix):]
                result.setdefault(local, TaskDeclaration(enqueue.framework, ENQUEUE, enqueue.how, enqueue.call))
        return result

    @cached_property
    def _enqueue_names(self) -> frozenset[str]:
        names = {name.rsplit(".", 1)[-1] for fw in self.frameworks for name in fw.enqueue_functions}
        names.update(m for fw in self.frameworks if fw.queue_factories
                     for m in fw.queue_methods | fw.delayed_queue_methods)
        return frozenset(names)

    def _uses_enqueue_framework(self) -> bool:
        tops = {m.split(".", 1)[0] for m in self.a.imports.modules}
        return any(tops & _enqueue_packages(fw) for fw in self.frameworks)

    def _enqueue(self, call: ast.Call, scope: FunctionInfo) -> Enqueue | None:
        found = self._enqueue_framework(call, scope)
        if found is None:
            return None
        fw, position = found
        target_expr = _enqueued_argument(call, position)
        if isinstance(target_expr, ast.Constant):
            target = target_expr.value if isinstance(target_expr.value, str) else None
        elif isinstance(target_expr, (ast.Name, ast.Attribute)):
            target = self.a.resolve_callable(target_expr, scope)
        else:
            target = None
        if not target or not _DOTTED.fullmatch(target):
            return None
        return Enqueue(fw, call, target, f"{ast.unparse(call.func)}(...)")

    def _enqueue_framework(self, call: ast.Call, scope: FunctionInfo) -> tuple[TaskFramework, int] | None:
        """The framework an enqueue call belongs to, and the position of the function it hands over."""
        qual = self.a.qualify(call.func)
        for fw in self.frameworks:
            if qual in fw.enqueue_functions:
                return fw, 0
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        queue = func.value
        if isinstance(queue, ast.Name):
            queue = _bound_value(self.a, queue.id, scope) or queue
        if isinstance(queue, ast.Call):
            made_by = self.a.qualify(queue.func)
            for fw in self.frameworks:
                if made_by in fw.queue_factories and func.attr in fw.queue_methods | fw.delayed_queue_methods:
                    return fw, _position(fw, func.attr)
        return None


def _enqueue_packages(fw: TaskFramework) -> frozenset[str]:
    """Top-level packages a module imports when it may enqueue tasks of ``fw``."""
    names = fw.enqueue_functions | fw.queue_factories
    if not names:
        return frozenset()
    return fw.packages | {name.split(".", 1)[0] for name in names}


_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def _enqueued_argument(call: ast.Call, position: int = 0) -> ast.expr | None:
    """The function an enqueue call hands over: its positional argument ``position``, or ``func=``."""
    for keyword in call.keywords:
        if keyword.arg == "func":
            return keyword.value
    args = call.args[:position + 1]
    if len(args) == position + 1 and not any(isinstance(a, ast.Starred) for a in args):
        return args[position]
    return None


def _position(fw: TaskFramework, method: str) -> int:
    return 1 if method in fw.delayed_queue_methods else 0


def _bound_value(analysis: "ModuleAnalysis", name: str, scope: FunctionInfo) -> ast.expr | None:
    """The value ``name`` is bound to by a single ``name = value`` in ``scope`` or, when
    ``scope`` never assigns it, at module level; None when unknown or bound twice."""
    for where in (scope, analysis.module_scope):
        values = [
            node.value for node, node_scope in analysis.nodes(ast.Assign)
            if node_scope is where and isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ]
        if values:
            return values[0] if len(values) == 1 else None
    return None


def _module_statements(tree: ast.AST) -> Iterator[ast.stmt]:
    """Module-level statements, looking into ``if``/``try`` blocks (``if settings.X:``)."""
    stack = list(reversed(getattr(tree, "body", [])))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If):
            stack.extend(reversed(node.body + node.orelse))
        elif isinstance(node, ast.Try):
            stack.extend(reversed(node.body + node.orelse + node.finalbody
                                  + [s for h in node.handlers for s in h.body]))


# -- the project module an application object is imported from -------------------

_ASSIGNED: dict[tuple[str, int, str], str | None] = {}


def _assigned_in_module(analysis: "ModuleAnalysis", module: str, name: str,
                        known: tuple[TaskFramework, ...]) -> TaskFramework | None:
    """The framework whose factory ``name`` is assigned from in project module ``module``
    (``app = Celery("proj")`` in ``proj/celery.py``), by a text search of that file."""
    path = _module_path(analysis, module)
    if path is None:
        return None
    try:
        key = (str(path), path.stat().st_mtime_ns, name)  # an edited file is read again
    except OSError:
        return None
    if key not in _ASSIGNED:
        _ASSIGNED[key] = _factory_assigned(path, name, known)
    found = _ASSIGNED[key]
    return next((fw for fw in known if fw.id == found), None)


def _factory_assigned(path: Path, name: str, known: tuple[TaskFramework, ...]) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    assigned = re.compile(rf"^[ \t]*{re.escape(name)}[ \t]*(?::[^=\n]*)?=[ \t]*([\w.]+)[ \t]*\(", re.M)
    matches = {m.group(1).rsplit(".", 1)[-1] for m in assigned.finditer(text)}
    found = {fw.id for fw in known for factory in fw.app_factories if factory.rsplit(".", 1)[-1] in matches}
    return found.pop() if len(found) == 1 else None


def _module_path(analysis: "ModuleAnalysis", module: str) -> Path | None:
    found = analysis.project.module_path(module)
    return Path(found) if found is not None else None


# -- who enqueues a function from another module (asked only for a finding's candidate) --

_PARSED: dict[tuple[str, int], tuple[str | None, ast.Module | None, ImportMap | None]] = {}


def enqueued_elsewhere(analysis: "ModuleAnalysis", qualname: str) -> tuple[TaskFramework, str, str, int] | None:
    """(framework, enqueuing file, its module, line) of a call in another project module
    that hands ``qualname`` to a worker: ``async_task(send_report)`` after ``from
    app.tasks import send_report``, or ``async_task("app.tasks.send_report")``."""
    known = [fw for fw in frameworks(analysis.knowledge) if fw.enqueue_functions or fw.queue_factories]
    if not known:
        return None
    calls = {name.rsplit(".", 1)[-1] for fw in known
             for name in fw.enqueue_functions | fw.queue_methods | fw.delayed_queue_methods}
    markers = re.compile(rb"\b(?:" + b"|".join(re.escape(c.encode()) for c in sorted(calls)) + rb")\s*\(")
    short = qualname.rsplit(".", 1)[-1].encode()
    word = re.compile(rb"\b" + re.escape(short) + rb"\b")
    own = analysis.filename
    project = analysis.project
    for path, data in project.sources(qualname.rsplit(".", 1)[-1], calls):  # files naming it and a call
        if short not in data or not markers.search(data) or not word.search(data):
            continue
        if _same_file(path, own):
            continue
        hit = _enqueue_in_file(project, path, data, qualname, known)
        if hit is not None:
            fw, module, line = hit
            return fw, str(path), module or str(path), line
    return None




def _same_file(path: Path, filename: str) -> bool:
    try:
        return path.resolve() == Path(filename).resolve()
    except OSError:
        return False


def _enqueue_in_file(resolver: Any, path: Path, data: bytes, qualname: str,
                     known: list[TaskFramework]) -> tuple[TaskFramework, str | None, int] | None:
    key = (str(path), hash(data))  # an edited file is parsed again
    if key not in _PARSED:
        module, is_package = resolver.module_of(str(path))
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            _PARSED[key] = (module, None, None)
        else:
            imports = ImportMap(module, is_package)
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    imports.add(node)
            _PARSED[key] = (module, tree, imports)
    module, parsed, imported = _PARSED[key]
    if parsed is None or imported is None:
        return None
    tree, imports = parsed, imported
    defs = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def qualify(expr: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        head = imports.get(expr.id)
        if head is None:
            head = f"{module}.{expr.id}" if module and expr.id in defs else expr.id
        return ".".join([head, *reversed(parts)])

    queues = {
        t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
        for t in n.targets if isinstance(t, ast.Name)
        and any(qualify(n.value.func) in fw.queue_factories for fw in known)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        func_qual = qualify(func)
        for fw in known:
            if func_qual in fw.enqueue_functions:
                position = 0
            elif isinstance(func, ast.Attribute) and func.attr in fw.queue_methods | fw.delayed_queue_methods and (
                    (isinstance(func.value, ast.Call) and qualify(func.value.func) in fw.queue_factories)
                    or (isinstance(func.value, ast.Name) and func.value.id in queues)):
                position = _position(fw, func.attr)
            else:
                continue
            target = _enqueued_argument(node, position)
            named = target.value if isinstance(target, ast.Constant) else qualify(target) if target else None
            if named == qualname:
                return fw, module, node.lineno
    return None
