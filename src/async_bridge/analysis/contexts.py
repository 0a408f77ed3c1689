"""Execution context of every function body (SPEC.md, "Execution contexts")."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from ..knowledge import builtin
from .owner import owner
from .scopes import ClassInfo, FunctionInfo
from .workers import TaskRecognizer, decorator_target, frameworks

if TYPE_CHECKING:
    from ..knowledge import Knowledge
    from .module import ModuleAnalysis

ASYNC = "async"
DJANGO_VIEW = "django_view"
SIGNAL_RECEIVER = "signal_receiver"
MIDDLEWARE = "middleware"
MANAGEMENT_COMMAND = "management_command"
SCRIPT = "script"
TEST = "test"
PLAIN = "plain"

# A background task: ``task:<framework>`` names the framework of ``task_frameworks``
# (rules/knowledge/workers.yaml, or the user's own); plain ``task`` when it is unknown.
TASK = "task"
_TASK_PREFIX = TASK + ":"


def task_context(framework: str) -> str:
    return _TASK_PREFIX + framework


def is_task(context: str) -> bool:
    return context == TASK or context.startswith(_TASK_PREFIX)


def task_framework_of(context: str) -> str | None:
    return context[len(_TASK_PREFIX):] if context.startswith(_TASK_PREFIX) else None


# Kept for code written before other frameworks had tasks (a fallback in main's ABR101).
CELERY_TASK = task_context("celery")


class _WorkerContexts:
    """The worker contexts: a background task of any framework, a Django view, a signal
    receiver, middleware. Task contexts are open-ended (users add frameworks), so this
    answers ``context in WORKER_CONTEXTS`` instead of listing them."""

    _FIXED = frozenset({DJANGO_VIEW, SIGNAL_RECEIVER, MIDDLEWARE})

    def __contains__(self, context: object) -> bool:
        return isinstance(context, str) and (context in self._FIXED or is_task(context))

    def __iter__(self) -> Iterator[str]:
        return iter((TASK, *sorted(self._FIXED)))


WORKER_CONTEXTS = _WorkerContexts()
EXEMPT_CONTEXTS = frozenset({MANAGEMENT_COMMAND, SCRIPT, TEST})

class _Descriptions(dict):
    """Context -> how a message names it; a task context of a built-in framework gives
    its label ("Celery task"), any other task context "background task". ``describe``
    also knows the labels of the user's own frameworks."""

    def __missing__(self, context: str) -> str:
        if not is_task(context):
            raise KeyError(context)
        return describe(context, builtin())


DESCRIPTIONS = _Descriptions({
    ASYNC: "async function",
    TASK: "background task",
    DJANGO_VIEW: "Django view",
    SIGNAL_RECEIVER: "signal receiver",
    MIDDLEWARE: "middleware",
    MANAGEMENT_COMMAND: "management command",
    SCRIPT: "script",
    TEST: "test",
    PLAIN: "function",
})


def describe(context: str, knowledge: "Knowledge | None" = None) -> str:
    """How a message names a function of this context: "Celery task", "dramatiq actor"."""
    framework = task_framework_of(context)
    if framework is not None:
        if knowledge is not None:
            for fw in frameworks(knowledge):
                if fw.id == framework:
                    return fw.label
        return DESCRIPTIONS[TASK]
    return DESCRIPTIONS.get(context, DESCRIPTIONS[PLAIN])


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


class ContextResolver:
    def __init__(self, analysis: "ModuleAnalysis") -> None:
        self.a = owner(analysis)
        k = analysis.knowledge
        self.tasks = TaskRecognizer(analysis)
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
        node = fn.node
        if fn.is_lambda or not isinstance(node, ast.FunctionDef):
            return self.a.script_or_plain
        declared = self.tasks.decorator_declaration(node)
        if declared is None and fn.parent is None and fn.cls is None:
            declared = self.tasks.enqueued_here.get(fn.qualname)
        if declared is not None:
            return task_context(declared.framework.id)
        cls = fn.cls
        if cls is not None:
            context = self._method_context(fn, cls)
            if context:
                return context
        for dec in node.decorator_list:
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
        if cls.methods.get(name) is fn:
            framework = self.tasks.class_framework(cls, name)
            if framework is not None:
                return task_context(framework.id)
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
