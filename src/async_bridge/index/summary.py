"""Per-module summaries: plain data the project index keeps about other modules."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..analysis import facts
from . import models

if TYPE_CHECKING:
    from ..analysis.module import ModuleAnalysis


@dataclass
class FunctionSummary:
    qualname: str  # fully qualified
    is_async: bool
    context: str
    line: int
    calls: tuple[str, ...]  # fully qualified callees that resolved
    db_line: int | None  # first database work in its own body (ORM, a-twins, thread bridges)
    sync_orm_line: int | None  # first sync ORM query in its own body
    runner_param: int | None  # runs this parameter on a new event loop
    awaitable: bool = False  # calling it gives an awaitable (facts.returns_awaitable)


@dataclass
class ModuleSummary:
    module: str | None
    path: str
    functions: dict[str, FunctionSummary] = field(default_factory=dict)  # by local qualname
    classes: dict[str, list[str]] = field(default_factory=dict)  # local qualname -> bases
    names: dict[str, str] = field(default_factory=dict)  # imported names (re-exports)
    model_fields: dict[str, tuple] = field(default_factory=dict)  # class -> models.RawField (relations)


def summarize(analysis: "ModuleAnalysis") -> ModuleSummary:
    summary = ModuleSummary(module=analysis.module, path=analysis.filename)
    summary.names = dict(analysis.imports.names)
    for qualname, cls in analysis.classes.items():
        summary.classes[qualname] = list(cls.bases)
    summary.model_fields = models.extract_fields(analysis)
    for fn in analysis.functions:
        if fn.is_lambda:
            continue
        db_line, sync_line = facts.function_does_db(analysis, fn)
        callees = []
        for call in fn.calls:
            if isinstance(call.func, (ast.Name, ast.Attribute)):
                target = analysis.resolve_callable(call.func, fn)
                if target is not None:
                    callees.append(target)
        summary.functions[fn.qualname] = FunctionSummary(
            qualname=analysis.full_name(fn.qualname),
            is_async=fn.is_async,
            context=fn.context,
            line=fn.node.lineno,
            calls=tuple(dict.fromkeys(callees)),
            db_line=db_line,
            sync_orm_line=sync_line,
            runner_param=facts.runner_param(analysis, fn),
            awaitable=facts.returns_awaitable(analysis, fn),
        )
    return summary
