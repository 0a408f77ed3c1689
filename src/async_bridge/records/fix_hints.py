"""What a check tells the fixer of its finding (``Finding.fix``): one record per kind of fix.

A check attaches a hint only when it knows the rewrite is right in principle (the
targeted Django has the twin, the loop is ``asyncio.run``); the fixer then checks the
code's shape with libcst and may still leave the finding for manual work. No hint
(None): nothing to rewrite automatically.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any, Literal, Union


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


_KINDS: dict[str, type] = {cls.__name__: cls for cls in (AwaitTwin, AwaitCall, PassCallable, Parenthesize, AsyncFor,
                                                         LoopRun, Replacement)}


def hint_to_data(hint: FixHint | None) -> list[Any] | None:
    """A hint as JSON-ready data (the findings cache): its kind, then its fields."""
    return None if hint is None else [type(hint).__name__, *astuple(hint)]


def hint_from_data(data: Any) -> FixHint | None:
    """The hint ``hint_to_data`` wrote; None for no hint, and for anything unexpected."""
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        return None
    kind = _KINDS.get(data[0])
    try:
        return kind(*data[1:]) if kind is not None else None
    except TypeError:
        return None
