"""What a check tells the fixer of its finding (``Finding.fix``): one record per kind of fix.

A check attaches a hint only when it knows the rewrite is right in principle (the
targeted Django has the twin, the loop is ``asyncio.run``); the fixer then checks the
code's shape with libcst and may still leave the finding for manual work. No hint
(None): nothing to rewrite automatically.
"""

from __future__ import annotations

import types
from dataclasses import astuple, dataclass, fields
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints


@dataclass(frozen=True)
class AwaitTwin:
    """ABR201 / ABR203 / ABR208: ``x.get()`` -> ``await x.aget()``, ``login()`` -> ``await alogin()``."""

    twin: str  # the async twin's name, ``aget``
    module: str | None = None  # for a function twin: the module to import it from


@dataclass(frozen=True)
class AwaitCall:
    """ABR401: a discarded coroutine call in ``async def`` -> ``await`` it."""


@dataclass(frozen=True)
class PassCallable:
    """ABR206: ``sync_to_async(f(a))`` -> ``sync_to_async(f)(a)``."""


@dataclass(frozen=True)
class Parenthesize:
    """ABR403: ``await f()[0]`` -> ``(await f())[0]``."""

    depth: int  # steps down the awaited chain to the awaitable call (``f()``: 1)


@dataclass(frozen=True)
class AsyncFor:
    """ABR202: a QuerySet iterated by ``for`` or a comprehension -> ``async for``."""

    form: Literal["for", "comprehension"]


@dataclass(frozen=True)
class LoopRun:
    """ABR101: a coroutine run on a new event loop from sync code."""

    how: str  # ``asyncio.run``, ``run_until_complete`` or the runner's name


@dataclass(frozen=True)
class Replacement:
    """ABR205: ``request.user`` -> this expression (``(await request.auser())``)."""

    text: str


FixHint = Union[AwaitTwin, AwaitCall, PassCallable, Parenthesize, AsyncFor, LoopRun, Replacement]


# the cache's name for each kind of hint (the class name), from the union above
_KINDS: dict[str, type] = {cls.__name__: cls for cls in get_args(FixHint)}
# each kind's field types, in field order, as its class declares them
_FIELD_TYPES: dict[str, tuple[Any, ...]] = {
    name: tuple(get_type_hints(cls)[f.name] for f in fields(cls)) for name, cls in _KINDS.items()
}


def hint_to_data(hint: FixHint | None) -> list[Any] | None:
    """A hint as JSON-ready data (the findings cache): its kind, then its fields."""
    return None if hint is None else [type(hint).__name__, *astuple(hint)]


def hint_from_data(data: Any) -> FixHint | None:
    """The hint ``hint_to_data`` wrote; None for no hint, and for anything unexpected
    (an unknown kind, a field missing, extra or of another type than its class declares)."""
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        return None
    kind, values = _KINDS.get(data[0]), data[1:]
    declared = _FIELD_TYPES.get(data[0], ())
    if kind is None or len(values) > len(declared):
        return None
    if not all(_fits(value, annotation) for value, annotation in zip(values, declared)):
        return None
    try:
        hint: FixHint = kind(*values)  # TypeError: a field without a default is missing
    except TypeError:
        return None
    return hint


def _fits(value: Any, annotation: Any) -> bool:
    """Whether JSON-decoded ``value`` is of the field type ``annotation`` (str, int, None,
    a union of them or a Literal of strings); ``bool`` is not taken for ``int``."""
    origin = get_origin(annotation)
    if origin is Literal:
        return any(type(value) is type(option) and value == option for option in get_args(annotation))
    if origin is Union or origin is types.UnionType:
        return any(_fits(value, option) for option in get_args(annotation))
    if annotation is type(None):
        return value is None
    return type(value) is annotation
