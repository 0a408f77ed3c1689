"""The questions the per-module analysis asks about the rest of the project.

The project index (``async_bridge.index``) answers them; the analysis only sees this
Protocol, so the layering stays one-way (index -> analysis -> records). Every answer
is known / not known: None (or False where stated) is never reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Protocol

from .summaries import ClassSummary, FunctionShape, FunctionSummary, Reach, Relation
from .values import Value


class Models(Protocol):
    def is_model(self, qualname: str | None) -> bool | None:
        """True: a Django model class; False: a project class that is not; None: unknown."""

    def fields(self, model: str | None) -> dict[str, Relation]:
        """Relation fields of a model, inherited ones included."""

    def related_manager(self, model: str | None, attr: str) -> tuple[bool, str | None]:
        """Whether ``instance.<attr>`` is a related manager, and the model it manages."""

    def manager(self, model: str, attr: str) -> Value | None:
        """``Model.<attr>`` when it is a manager (default or custom), else None."""

    def by_label(self, label: str) -> str | None:
        """The project class of an ``"app_label.ClassName"`` label, if found."""


class SourceGate(Protocol):
    """Names found by a cheap text scan of the project: a look-up that cannot succeed is skipped."""

    @property
    def awaitable(self) -> frozenset[str]: ...

    @property
    def runner_candidates(self) -> frozenset[str]: ...

    @property
    def bridge_candidates(self) -> frozenset[str]: ...

    @property
    def properties(self) -> frozenset[str]: ...


class Project(Protocol):
    @property
    def models(self) -> Models: ...

    def module_of(self, filename: str) -> tuple[str | None, bool]:
        """(dotted module name, is a package ``__init__``); name None outside any source root."""

    def relative(self, filename: str) -> str:
        """The path relative to the project root when under it."""

    def module_path(self, module: str) -> str | None:
        """The file of a module of the project (or an installed package), if found."""

    def function(self, qualname: str) -> FunctionSummary | None:
        """What the index knows about a function (semantic: may analyse its module)."""

    def function_shape(self, qualname: str) -> FunctionShape | None:
        """What a function is, cheaply (awaitable, runs its body, threaded, a runner)."""

    def is_getter(self, qualname: str) -> bool:
        """A ``@property`` / ``cached_property`` getter: reading the attribute calls it."""

    def has_function(self, qualname: str) -> bool:
        """A def of that name exists (structural: cheap)."""

    def has_global(self, qualname: str) -> bool:
        """A module-level assignment of that name exists (structural: cheap)."""

    def resolve(self, value: Value | None) -> Value | None:
        """A value with references into other modules (``Kind.RESULT_OF``, ...) resolved."""

    def class_summary(self, qualname: str) -> tuple[str, ClassSummary] | None:
        """(the class's own qualified name, its summary), following re-exports."""

    def find_method(self, class_qualname: str, name: str) -> str | None: ...

    def class_derives(self, class_qualname: str, targets: frozenset[str], attr_targets: frozenset[str]) -> bool: ...

    def global_value(self, qualname: str) -> Value | None:
        """What a module-level name of another module is, when known."""

    def constant(self, qualname: str) -> str | None:
        """The literal key (``records.constants``) of a project name bound once to a literal."""

    def source_names(self) -> SourceGate: ...

    def sources(self, mentioning: str | None = None, with_any: Iterable[str] = ()) -> Iterator[tuple[Path, bytes]]:
        """(path, bytes) of every project file, or of those whose text has ``mentioning`` as
        a word, and one of ``with_any`` if given (an editor's unsaved text in place of the file's)."""

    def runner_param(self, qualname: str) -> int | None: ...

    def db_reach(self, qualname: str) -> Reach | None | bool:
        """The way to database work (any kind) the function does; False: provably none; None: unknown."""

    def sync_db_reach(self, qualname: str, through_async: bool = True,
                      arguments: frozenset[str] = frozenset()) -> Reach | None:
        """The way to sync database work the function does, itself or through callees;
        ``arguments``: the constants a call gives it (``"slot=key"``, ``records.constants``),
        which skip callees whose work waits for another value."""

    def reached_from_worker(self, qualname: str) -> str | None:
        """A worker-context function that reaches ``qualname`` through sync calls."""

    def reached_from_async(self, qualname: str) -> str | None:
        """An ``async def`` that calls ``qualname`` directly or through sync functions."""
