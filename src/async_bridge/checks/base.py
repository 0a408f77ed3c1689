"""What a check is: a small class that subscribes to node types and yields findings."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator

from ..records.summaries import Reach, Step

if TYPE_CHECKING:
    from ..analysis.module import ModuleAnalysis
    from ..analysis.scopes import FunctionInfo
    from ..config import Settings

REGISTRY: list[type["Check"]] = []


@dataclass(frozen=True)
class Related:
    """A place that explains a finding: the helper it reaches, the query at the end."""

    path: str  # the file, as the finding's file is named (absolute for other modules)
    line: int
    col: int  # 0-based, like Finding.col
    note: str  # one short line: "reaches `Order.objects.get()`"


@dataclass(frozen=True)
class Finding:
    line: int
    col: int
    code: str
    message: str
    end_line: int | None = None
    end_col: int | None = None
    fix: dict = field(default_factory=dict, compare=False, hash=False)
    # the chain of places behind a cross-function finding, in order (caller -> cause)
    related: tuple[Related, ...] = field(default=(), compare=False, hash=False)

    def sort_key(self) -> tuple[int, int, str]:
        return (self.line, self.col, self.code)


def register(cls: type["Check"]) -> type["Check"]:
    """Class decorator: make a check known to the engine."""
    REGISTRY.append(cls)
    return cls


class Check:
    """Base of every check.

    ``codes``: the rule codes it can report. ``nodes``: the node types it wants;
    ``visit(node, scope)`` is called for each, in source order, with the scope
    (function, lambda or module) the node runs in. ``finish()`` runs once after.
    """

    codes: ClassVar[tuple[str, ...]] = ()
    nodes: ClassVar[tuple[type, ...]] = ()
    # Where the nodes must run for the check to care: "async" (an ``async def``
    # body), "sync" (anything else), "module" (import time), or None (anywhere).
    # The dispatcher filters once per node type, so a check is not even called
    # for the (many) nodes it would discard on its first line.
    scopes: ClassVar[str | None] = None

    def __init__(self, analysis: "ModuleAnalysis", settings: "Settings") -> None:
        self.analysis = analysis
        self.settings = settings
        self.knowledge = analysis.knowledge

    def visit(self, node: Any, scope: "FunctionInfo") -> Iterable[Finding]:
        """``node`` is one of ``nodes`` (each check narrows the type it declares)."""
        return ()

    def finish(self) -> Iterable[Finding]:
        return ()

    # helpers ------------------------------------------------------------------
    def finding(self, code: str, node: ast.AST, fix: dict | None = None, related: "Reach | tuple[Related, ...]" = (),
                **values: object) -> Finding:
        rule = self.knowledge.rules[code]
        return Finding(
            line=node.lineno,  # type: ignore[attr-defined]
            col=node.col_offset,  # type: ignore[attr-defined]
            code=code,
            message=rule.format(**values),
            end_line=getattr(node, "end_lineno", None),
            end_col=getattr(node, "end_col_offset", None),
            fix=fix or {},
            related=tuple(_related(item) for item in related),
        )


def _related(item: "Related | Step") -> Related:
    if isinstance(item, Related):
        return item
    return Related(item.path, item.line, item.col, item.what)


_SCOPE_TESTS = {
    "async": lambda scope: scope.is_async,
    "sync": lambda scope: not scope.is_async,
    "module": lambda scope: scope.is_module,
}


def run_checks(checks: list[Check], analysis: "ModuleAnalysis") -> Iterator[Finding]:
    filtered: dict[tuple[type, str], list] = {}
    for check in checks:
        where = check.scopes
        for kind in check.nodes:
            items: list[tuple[ast.AST, FunctionInfo]] = analysis.nodes(kind)
            if where is not None and items:
                key = (kind, where)
                if key not in filtered:
                    test = _SCOPE_TESTS[where]
                    filtered[key] = [item for item in items if test(item[1])]
                items = filtered[key]
            visit = check.visit
            for node, scope in items:
                yield from visit(node, scope)
        yield from check.finish()
