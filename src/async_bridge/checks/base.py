"""What a check is: a small class that subscribes to node types and yields findings."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator

from ..debug_mode import debugging
from ..records.fix_hints import FixHint
from ..records.summaries import Reach, Step

if TYPE_CHECKING:
    from ..analysis.module import ModuleAnalysis
    from ..analysis.relevance import Anchors
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
    fix: FixHint | None = field(default=None, compare=False, hash=False)  # for the code's fixer
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

    @classmethod
    def anchors(cls, words: "Anchors") -> frozenset[str] | None:
        """Words one of which a module's text must hold for this check to find anything
        there (analysis/relevance.py); None: every module. A check of async code needs
        ``async``; the others name their own group."""
        return words.async_code if cls.scopes == "async" else None

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
    def finding(self, code: str, node: ast.AST, fix: FixHint | None = None, related: "Reach | tuple[Related, ...]" = (),
                **values: object) -> Finding:
        rule = self.knowledge.rules[code]
        return Finding(
            line=node.lineno,  # type: ignore[attr-defined]  # a node with a position
            col=node.col_offset,  # type: ignore[attr-defined]  # a node with a position
            code=code,
            message=rule.format(**values),
            end_line=getattr(node, "end_lineno", None),
            end_col=getattr(node, "end_col_offset", None),
            fix=fix,
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


@dataclass(frozen=True)
class InternalError:
    """An exception inside the plugin while checking one file: a bug, reported as one line."""

    filename: str
    where: str  # "the check SomeCheck (ABR201, ABR203)", "the analysis"
    node: ast.AST | None  # the node being looked at, when known
    error: Exception
    consequence: str  # "its findings in this file are dropped", "file skipped"

    def message(self) -> str:
        place = self.filename
        line = getattr(self.node, "lineno", None)  # a ``comprehension`` or ``arguments`` has none
        if line is not None:
            place += f":{line}:{getattr(self.node, 'col_offset', 0) + 1}"
        detail = " ".join(str(self.error).split())
        if len(detail) > 80:
            detail = detail[:77] + "..."
        error = type(self.error).__name__ + (f": {detail}" if detail else "")
        return (f"{place}: internal error in {self.where}, {self.consequence}: {error} "
                "(ABR_DEBUG=1 gives a traceback to report)")


def node_in_traceback(tb: TracebackType | None) -> ast.AST | None:
    """The innermost AST node with a position among the locals of a traceback's frames."""
    found = None
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            if isinstance(value, ast.AST) and hasattr(value, "lineno"):
                found = value
                break
        tb = tb.tb_next
    return found


def warn_internal_error(error: InternalError) -> None:
    from ..config import warn  # config imports the index, which may import checks

    warn(error.message())


def run_checks(
    checks: list[Check],
    analysis: "ModuleAnalysis",
    report: Callable[[InternalError], None] = warn_internal_error,
) -> Iterator[Finding]:
    """Every check over the nodes it subscribes to, then its ``finish()``.

    A check that raises loses its own findings for this module, reported through
    ``report`` (naming the check, its codes and the node); the other checks' findings
    stand. With ``ABR_DEBUG`` set the exception propagates instead.
    """
    debug = debugging()
    filtered: dict[tuple[type, str], list] = {}
    for check in checks:
        found: list[Finding] = []
        node: ast.AST | None = None
        try:
            where = check.scopes
            visit = check.visit
            for kind in check.nodes:
                items: list[tuple[ast.AST, FunctionInfo]] = analysis.nodes(kind)
                if where is not None and items:
                    key = (kind, where)
                    if key not in filtered:
                        test = _SCOPE_TESTS[where]
                        filtered[key] = [item for item in items if test(item[1])]
                    items = filtered[key]
                for node, scope in items:
                    found.extend(visit(node, scope))
            node = None
            found.extend(check.finish())
        except Exception as exc:
            if debug:
                raise
            name = type(check).__name__
            report(InternalError(
                filename=analysis.filename,
                where=f"the check {name} ({', '.join(check.codes)})",
                node=node if hasattr(node, "lineno") else node_in_traceback(exc.__traceback__),
                error=exc,
                consequence="its findings in this file are dropped",
            ))
            continue
        yield from found
