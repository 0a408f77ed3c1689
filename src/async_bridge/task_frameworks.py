"""Background-task frameworks as the knowledge describes them (``task_frameworks``).

Each entry of ``rules/knowledge/workers.yaml`` (and of a user's extra knowledge file)
says how a function becomes a task of that framework and whether the framework runs an
``async def`` task itself. This module only reads and checks that data; recognising
tasks in code is ``analysis/workers.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

KEY = "task_frameworks"

# Fields holding lists of names, and what each means (also the error messages' wording).
NAME_FIELDS = (
    "decorators",  # qualified decorators: ``@d`` / ``@d(...)``
    "app_factories",  # ``app = Factory(...)``: the object is an app of this framework
    "app_objects",  # qualified names that are an app themselves (``huey.contrib.djhuey.HUEY``)
    "app_decorators",  # ``@<app>.name`` / ``@<app>.name(...)`` on a known app
    "bases",  # classes whose subclasses' ``task_method`` is the task body
    "app_bases",  # ``class T(<obj>.Name)``: a base reached as an attribute of that name
    "enqueue_functions",  # qualified functions whose first argument (or ``func=``) is run as a task
    "queue_factories",  # calls that return a queue object
    "queue_methods",  # methods of such a queue that enqueue their first argument
    "delayed_queue_methods",  # ... their second one, after a time (``enqueue_in(delay, f)``)
    "packages",  # top-level packages: a module importing one uses this framework
)

# The knowledge keys of earlier releases, still read from user files: all Celery.
LEGACY_CELERY_KEYS = {
    "celery_task_decorators": "decorators",
    "celery_task_decorator_attributes": "app_decorators",
    "celery_task_bases": "bases",
    "celery_task_base_attributes": "app_bases",
    "celery_app_factories": "app_factories",
}


class FrameworkError(ValueError):
    """A ``task_frameworks`` entry of the wrong shape; the message is one line."""


@dataclass(frozen=True)
class TaskFramework:
    id: str
    label: str  # one of its tasks, as messages name it: "Celery task", "dramatiq actor"
    runs_async: bool  # the framework awaits an ``async def`` declared by decorator or enqueue
    runs_async_method: bool  # ... and an ``async def`` task method of a subclass
    task_method: str | None  # the method of a ``bases`` subclass that is the task body
    decorators: frozenset[str] = frozenset()
    app_factories: frozenset[str] = frozenset()
    app_objects: frozenset[str] = frozenset()
    app_decorators: frozenset[str] = frozenset()
    bases: frozenset[str] = frozenset()
    app_bases: frozenset[str] = frozenset()
    enqueue_functions: frozenset[str] = frozenset()
    queue_factories: frozenset[str] = frozenset()
    queue_methods: frozenset[str] = frozenset()
    delayed_queue_methods: frozenset[str] = frozenset()
    packages: frozenset[str] = frozenset()

    @property
    def has_apps(self) -> bool:
        return bool(self.app_decorators and (self.app_factories or self.app_objects))


def check(value: Any, origin: str) -> None:
    """Raise FrameworkError when ``value`` (the ``task_frameworks`` mapping) is malformed."""
    if not isinstance(value, dict):
        raise FrameworkError(f"{origin}: '{KEY}' must map framework names to their description")
    for name, entry in value.items():
        where = f"{origin}: {KEY}.{name}"
        if not isinstance(entry, dict):
            raise FrameworkError(f"{where} must be a mapping")
        for field_name, field_value in entry.items():
            if field_name in NAME_FIELDS:
                if not isinstance(field_value, list) or not all(isinstance(v, str) for v in field_value):
                    raise FrameworkError(f"{where}.{field_name} must be a list of names")
            elif field_name in ("runs_async", "runs_async_method"):
                if not isinstance(field_value, bool):
                    raise FrameworkError(f"{where}.{field_name} must be true or false")
            elif field_name in ("label", "task_method"):
                if not isinstance(field_value, str):
                    raise FrameworkError(f"{where}.{field_name} must be a string")
            else:
                raise FrameworkError(f"{where}: unknown field '{field_name}'")


def parse(lists: Mapping[str, Any], builtin: Mapping[str, Any] | None = None) -> tuple[TaskFramework, ...]:
    """The frameworks of a knowledge's ``lists``.

    A user entry named like a built-in one extends it (its lists are added, its scalars
    win), so ``task_frameworks: {celery: {decorators: [myco.tenant_task]}}`` adds a
    decorator instead of replacing Celery. The legacy ``celery_task_*`` keys add to
    Celery. Entries of the wrong shape are skipped (``check`` reports them at load).
    """
    raw: dict[str, dict[str, Any]] = {}
    for source in (builtin or {}).get(KEY) or {}, lists.get(KEY) or {}:
        if not isinstance(source, dict):
            continue
        for name, entry in source.items():
            if isinstance(entry, dict):
                raw[name] = _extend(raw.get(name, {}), entry)
    legacy = {field_name: lists[key] for key, field_name in LEGACY_CELERY_KEYS.items() if key in lists}
    if legacy and "celery" in raw:
        raw["celery"] = _extend(raw["celery"], {k: sorted(v) for k, v in legacy.items()})
    return tuple(_framework(name, entry) for name, entry in raw.items())


def _extend(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for field_name, value in extra.items():
        old = merged.get(field_name)
        lists = (list, frozenset, set)
        if field_name in NAME_FIELDS and isinstance(old, lists) and isinstance(value, lists):
            merged[field_name] = [*old, *value]
        else:
            merged[field_name] = value
    return merged


def _names(entry: Mapping[str, Any], field_name: str) -> frozenset[str]:
    value = entry.get(field_name)
    if isinstance(value, (list, frozenset, set)):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def _framework(name: str, entry: Mapping[str, Any]) -> TaskFramework:
    runs_async = entry.get("runs_async") is True
    runs_async_method = entry.get("runs_async_method")
    label = entry.get("label")
    task_method = entry.get("task_method")
    return TaskFramework(
        id=name,
        label=label if isinstance(label, str) and label else "background task",
        runs_async=runs_async,
        runs_async_method=runs_async_method if isinstance(runs_async_method, bool) else runs_async,
        task_method=task_method if isinstance(task_method, str) and task_method else None,
        **{field_name: _names(entry, field_name) for field_name in NAME_FIELDS},
    )
