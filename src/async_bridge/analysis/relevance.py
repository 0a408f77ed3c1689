"""Which checks a module can give findings for, from its text alone: a gate before the walk.

Every finding has a cause the module's own text names: an ``async def`` or ``await``,
a loop API, a bridge, a runner, an awaitable, a loop-bound type, the async-unsafe
variable. Names reach a module only as words of its text: an import keeps the
original name (``from asyncio import run as go`` holds ``run`` and ``asyncio``),
an attribute call names its method. A library's function that the analysis knows by
its qualified name alone (``asyncio.run``, ``asyncio.sleep``) is anchored by the
library's name, which every import of it holds, rather than by a leaf as common as
``run`` or ``sleep``; a module of the project keeps its leaf (a relative import need
not name the package). So a check whose anchor words the text lacks
has nothing to find there, and a module no enabled check anchors to is never
walked: most files of a Django project (models, forms, admin, migrations) cost a
word scan instead of an analysis.

Each check declares its anchors (``Check.anchors``) from the groups below; the
project's own names come from the text scan of every file the index keeps (its
``async def``s, bridge aliases and runner candidates), the rest from the knowledge.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterable

from ..records.words import ascii_words
from .vocabulary import vocabulary

if TYPE_CHECKING:
    from ..knowledge import Knowledge
    from ..records.project import SourceGate

_WORD = re.compile(r"[^\W\d]\w*")


def words_of(text: str, ascii_only: bool = False) -> frozenset[str]:
    """Every identifier-like word of a module's text (keywords, names, words in strings);
    with ``ascii_only``, its ASCII runs (for matching ASCII anchors only: twice as fast)."""
    if ascii_only:
        return ascii_words(text.encode("utf-8", "surrogatepass"))
    return frozenset(_WORD.findall(text))


def _leaves(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.rsplit(".", 1)[-1] for name in names)


def _imported_words(names: Iterable[str], local: Callable[[str], bool]) -> frozenset[str]:
    """A word every module that imports one of ``names`` holds, for names the analysis
    recognises by their qualified name only (never through a project alias): a
    library's top-level package; the leaf for a module of the project (``local``)."""
    words = set()
    for name in names:
        top, _, rest = name.partition(".")
        words.add(name.rsplit(".", 1)[-1] if not rest or local(top) else top)
    return frozenset(words)


def _never_local(module: str) -> bool:
    return False


class Anchors:
    """The anchor words of a project under a knowledge, grouped by what they anchor."""

    async_code = frozenset({"async"})  # an ``async def`` (``async for``/``with`` live in one)
    awaits = frozenset({"await"})

    def __init__(self, knowledge: "Knowledge", gate: "SourceGate",
                 local: Callable[[str], bool] = _never_local) -> None:
        self.k = knowledge
        self.v = vocabulary(knowledge)
        self.gate = gate
        self.local = local  # whether a top-level package is the project's own

    @cached_property
    def ascii_only(self) -> bool:
        """Every anchor word is ASCII (the project names nearly always are)."""
        groups = (self.loops, self.awaitables, self.loop_bound_types, self.unsafe_env, self.async_iterators)
        return all(word.isascii() for group in groups for word in group)

    @cached_property
    def bridges(self) -> frozenset[str]:
        """``sync_to_async`` and kin, and the project's aliases, subclasses and factories of them."""
        return _leaves(self.v.bridges) | self.gate.bridge_candidates

    @cached_property
    def loop_runs(self) -> frozenset[str]:
        """What runs a coroutine from sync code: ``asyncio.run``, a loop's
        ``run_until_complete``, ``async_to_sync``, the project's runner candidates."""
        k = self.k
        named = (*k.names("runner_functions"), *k.names("async_to_sync"))  # resolved through values too
        return (_leaves(named) | _imported_words(k.names("new_loop_runners"), self.local)
                | {"asyncio", "run_until_complete"} | self.gate.runner_candidates)

    @cached_property
    def loops(self) -> frozenset[str]:
        """Event loops made, fetched, installed or run."""
        k = self.k
        named = (*k.names("loop_factories"), *k.names("loop_getters"), *k.names("running_loop_getters"),
                 *k.names("set_event_loop"))
        return _imported_words(named, self.local) | self.loop_runs

    @cached_property
    def awaitables(self) -> frozenset[str]:
        """Calls that may give an awaitable: a project ``async def`` (or bridged def), a
        bridge, an ORM / cache / signal twin, a known async API."""
        v = self.v
        twins = v.queryset_twins | v.instance_twins | v.related_twins | v.cache_twins | v.signal_twins
        return (self.async_code | self.bridges | twins | _imported_words(v.async_apis, self.local) | {"auser"}
                | self.gate.awaitable)

    @cached_property
    def loop_bound_types(self) -> frozenset[str]:
        return _imported_words(self.k.names("loop_bound_types"), self.local)

    @cached_property
    def unsafe_env(self) -> frozenset[str]:
        return self.k.names("async_unsafe_env_var")

    async_iterators = frozenset({"await", "aiterator"})  # ``await qs``; ``for x in qs.aiterator()``
