"""Execution context of every function body (SPEC.md, "Execution contexts")."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .scopes import ClassInfo, FunctionInfo

if TYPE_CHECKING:
    from .module import ModuleAnalysis

ASYNC = "async"
CELERY_TASK = "celery_task"
DJANGO_VIEW = "django_view"
SIGNAL_RECEIVER = "signal_receiver"
MIDDLEWARE = "middleware"
MANAGEMENT_COMMAND = "management_command"
SCRIPT = "script"
TEST = "test"
PLAIN = "plain"

WORKER_CONTEXTS = frozenset({CELERY_TASK, DJANGO_VIEW, SIGNAL_RECEIVER, MIDDLEWARE})
EXEMPT_CONTEXTS = frozenset({MANAGEMENT_COMMAND, SCRIPT, TEST})

DESCRIPTIONS = {
    ASYNC: "async function",
    CELERY_TASK: "Celery task",
    DJANGO_VIEW: "Django view",
    SIGNAL_RECEIVER: "signal receiver",
    MIDDLEWARE: "middleware",
    MANAGEMENT_COMMAND: "management command",
    SCRIPT: "script",
    TEST: "test",
    PLAIN: "function",
}


def is_test_path(filename: str) -> bool:
    parts = filename.replace("\\", "/").split("/")
    base = parts[-1]
    return (
        "tests" in parts[:-1]
        or base.startswith("test_")
        or base.endswith("_test.py")
        or base == "conftest.py"
        or base == "tests.py"
    )


def is_views_module(filename: str) -> bool:
    parts = filename.replace("\\", "/").split("/")
    return parts[-1].startswith("views") or (len(parts) > 1 and parts[-2] == "views")


def decorator_target(dec: ast.expr) -> ast.expr:
    """``@foo(...)`` -> ``foo``; ``@foo`` -> ``foo``."""
    return dec.func if isinstance(dec, ast.Call) else dec


def celery_task_decorator(analysis: "ModuleAnalysis", node: ast.AST) -> ast.expr | None:
    """The decorator of ``node`` that declares a Celery task (``@shared_task``,
    ``@app.task(...)``, ``@periodic_task``, any alias), or None."""
    k = analysis.knowledge
    names, attrs = k.names("celery_task_decorators"), k.names("celery_task_decorator_attributes")
    for dec in getattr(node, "decorator_list", ()):
        target = decorator_target(dec)
        if analysis.qualify(target) in names or (isinstance(target, ast.Attribute) and target.attr in attrs):
            return dec
    return None


def is_celery_task_class(analysis: "ModuleAnalysis", cls: ClassInfo) -> bool:
    """A class deriving from ``celery.Task`` / ``<app>.Task`` (through project classes)."""
    k = analysis.knowledge
    return analysis.class_derives(cls, k.names("celery_task_bases"), k.names("celery_task_base_attributes"))


class ContextResolver:
    def __init__(self, analysis: "ModuleAnalysis") -> None:
        self.a = analysis
        k = analysis.knowledge
        self.task_decorators = k.names("celery_task_decorators")
        self.task_attrs = k.names("celery_task_decorator_attributes")
        self.view_decorators = k.names("view_decorators")
        self.receiver_decorators = k.names("signal_receiver_decorators")
        self.views_module = is_views_module(analysis.filename)
        self.commands_path = _is_commands_path(analysis.filename)
        self.connected = self._connected_receivers()

    def _connected_receivers(self) -> set[str]:
        names: set[str] = set()
        for call in self.a.walk.module_scope.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "connect" and call.args:
                target = call.args[0]
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, ast.Attribute):
                    names.add(target.attr)
        return names

    def context_of(self, fn: FunctionInfo) -> str:
        if fn.is_async:
            return ASYNC
        if self.a.is_test_file:
            return TEST
        if fn.is_lambda:
            return self.a.script_or_plain
        if celery_task_decorator(self.a, fn.node) is not None:
            return CELERY_TASK
        cls = fn.cls
        if cls is not None:
            context = self._method_context(fn, cls)
            if context:
                return context
        for dec in fn.node.decorator_list:
            qual = self.a.qualify(decorator_target(dec))
            if qual in self.view_decorators:
                return DJANGO_VIEW
            if qual in self.receiver_decorators:
                return SIGNAL_RECEIVER
        if cls is None and fn.parent is None and fn.name in self.connected:
            return SIGNAL_RECEIVER
        params = fn.params()
        if self.views_module and params[:1] == ["request"] and cls is None:
            return DJANGO_VIEW
        return self.a.script_or_plain

    def _commands_cross_module(self, cls: ClassInfo) -> bool:
        """Follow a class's bases into other modules to find BaseCommand only where a
        command can be: Django loads commands from ``<app>/management/commands/``, and
        a shared base is recognisable by its name (``...Command``). Elsewhere only
        this module's classes are followed, which keeps the index from parsing the
        base modules of every class in the project."""
        if self.commands_path:
            return True
        return any(base.rsplit(".", 1)[-1].endswith("Command") for base in cls.bases)

    def _method_context(self, fn: FunctionInfo, cls: ClassInfo) -> str | None:
        a, k = self.a, self.a.knowledge
        name = fn.name
        if name == "run" and is_celery_task_class(a, cls):
            return CELERY_TASK
        if a.class_derives(cls, k.names("management_command_bases"), cross_module=self._commands_cross_module(cls)):
            return MANAGEMENT_COMMAND
        if name in k.names("view_handler_methods") and a.class_derives(cls, k.names("view_bases")):
            return DJANGO_VIEW
        if (name == "__call__" or name.startswith("process_")) and _takes_get_response(cls):
            return MIDDLEWARE
        return None


def _is_commands_path(filename: str) -> bool:
    return "management" in filename.replace("\\", "/").split("/")


def _takes_get_response(cls: ClassInfo) -> bool:
    init = cls.methods.get("__init__")
    return init is not None and "get_response" in init.params()
