"""What a fixer sees (``FixContext``) and returns (``Edit``), and how edits are applied.

A fixer is ``func(ctx, finding) -> Edit | None``. It finds its node with
``ctx.node_at(finding, type)`` (the libcst node whose range is the finding's
``ast`` range), checks the shape and the hints, and returns an ``Edit``: the
original node to replace and a function from that node's *updated* version (inner
edits already applied) to its replacement. Returning None, or raising ``Decline``
from ``apply``, leaves the finding for manual work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Mapping, TypeVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import (
    Assignment,
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from ..checks.base import Finding
from ..knowledge import Knowledge, builtin

_LINE = re.compile(r"\r\n|\r|\n")

NodeT = TypeVar("NodeT", bound=cst.CSTNode)

# an import binding: (module, obj, asname); obj None for ``import module [as asname]``
Binding = tuple[str, str | None, str | None]


class Decline(Exception):
    """Raised by ``Edit.apply`` when the updated node is not what the plan expected."""


@dataclass
class Edit(Generic[NodeT]):
    """Replace ``target`` with ``apply(updated)``, ``updated`` being ``target`` with the
    inner edits applied (the same node type; the replacement may be another one)."""

    code: str
    target: NodeT
    apply: Callable[[NodeT], cst.CSTNode]
    # (module, name) pairs to import with ``from module import name``; (module, None): ``import module``
    imports: list[tuple[str, str | None]] = field(default_factory=list)
    # import bindings to drop if nothing uses them any more
    drop_if_unused: list[Binding] = field(default_factory=list)


class FixContext:
    """One parsed module with positions, parents and (on demand) scopes; the knowledge
    the checks used (the built-in one unless given)."""

    def __init__(self, source: str, knowledge: Knowledge | None = None) -> None:
        self.source = source
        self.knowledge = knowledge if knowledge is not None else builtin()
        self.wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        self.parents = self.wrapper.resolve(ParentNodeProvider)
        self._lines = _LINE.split(source)
        self._by_range: dict[tuple[int, int, int, int], list[cst.CSTNode]] = {}
        for node, rng in self.positions.items():
            key = (rng.start.line, rng.start.column, rng.end.line, rng.end.column)
            self._by_range.setdefault(key, []).append(node)
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None
        self._expr_contexts: Mapping[cst.CSTNode, ExpressionContext] | None = None
        self._bound_names: frozenset[str] | None = None

    # positions ----------------------------------------------------------------
    def _char_col(self, line: int, byte_col: int) -> int:
        if not 1 <= line <= len(self._lines):
            return byte_col
        text = self._lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def nodes_at(self, finding: Finding) -> list[cst.CSTNode]:
        if finding.end_line is None or finding.end_col is None:
            return []
        key = (
            finding.line, self._char_col(finding.line, finding.col),
            finding.end_line, self._char_col(finding.end_line, finding.end_col),
        )
        return list(self._by_range.get(key, ()))

    def node_at(self, finding: Finding, kind: type[NodeT]) -> NodeT | None:
        """The one node of type ``kind`` at the finding's exact range, else None."""
        found = [n for n in self.nodes_at(finding) if isinstance(n, kind)]
        return found[0] if len(found) == 1 else None

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # metadata on demand -------------------------------------------------------
    @property
    def scopes(self) -> Mapping[cst.CSTNode, Scope | None]:
        if self._scopes is None:
            self._scopes = self.wrapper.resolve(ScopeProvider)
        return self._scopes

    @property
    def expr_contexts(self) -> Mapping[cst.CSTNode, ExpressionContext]:
        if self._expr_contexts is None:
            self._expr_contexts = self.wrapper.resolve(ExpressionContextProvider)
        return self._expr_contexts

    def qualified_names(self, node: cst.CSTNode) -> frozenset[str]:
        """What ``node`` names through the module's imports (``aio.run`` -> ``asyncio.run``)."""
        scope = self.scopes.get(node)  # what libcst's QualifiedNameProvider asks too
        if scope is None:
            return frozenset()
        return frozenset(q.name for q in scope.get_qualified_names_for(node))

    def bound_names(self) -> frozenset[str]:
        """Every name bound in any scope of the module."""
        if self._bound_names is None:
            self._bound_names = frozenset(
                assignment.name
                for scope in set(self.scopes.values()) if scope is not None
                for assignment in scope.assignments
            )
        return self._bound_names

    # where ``await`` / ``async for`` may go -------------------------------------
    def await_allowed(self, node: cst.CSTNode, comprehensions_allowed: int = 1) -> bool:
        """True when ``node`` runs directly in an ``async def`` body.

        Not inside a lambda, a nested sync def (nor its defaults, decorators or
        annotations), a class body or a generator expression; at most
        ``comprehensions_allowed`` list/set/dict comprehensions in between (Python
        3.10 rejects an async comprehension nested in another comprehension).
        """
        comprehensions = 0
        child, parent = node, self.parent(node)
        while parent is not None:
            if isinstance(parent, (cst.Lambda, cst.ClassDef, cst.GeneratorExp)):
                return False
            if isinstance(parent, (cst.ListComp, cst.SetComp, cst.DictComp)):
                comprehensions += 1
                if comprehensions > comprehensions_allowed:
                    return False
            if isinstance(parent, cst.FunctionDef):
                return parent.asynchronous is not None and child is parent.body
            child, parent = parent, self.parent(parent)
        return False

    def needs_parens_for_await(self, node: cst.CSTNode) -> bool:
        """Whether ``await <node>`` must be parenthesised where ``node`` stands.

        ``await`` binds looser than attribute access, subscription and calls only.
        """
        parent = self.parent(node)
        if isinstance(parent, (cst.Attribute, cst.Subscript)):
            return parent.value is node
        if isinstance(parent, cst.Call):
            return parent.func is node
        return isinstance(parent, cst.Await)

    # names and imports --------------------------------------------------------
    def import_binding(self, node: cst.CSTNode, name: str) -> Binding | None:
        """How ``name`` is bound where ``node`` stands: the single import alias.

        Returns (module, obj, asname) for ``import module [as asname]`` (obj None)
        or ``from module import obj [as asname]``, None when the name is not bound
        by exactly one absolute import (local def, assignment, relative import,
        several bindings, unknown).
        """
        scope = self.scopes.get(node)
        if scope is None:
            return None
        assignments = list(scope[name]) if name in scope else []
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return None  # several bindings, or a builtin
        stmt = assignments[0].node
        if isinstance(stmt, cst.Import):
            for alias in stmt.names:
                bound = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
                if bound == name:
                    return alias.evaluated_name, None, alias.evaluated_alias
            return None
        if isinstance(stmt, cst.ImportFrom):
            if stmt.relative or stmt.module is None or isinstance(stmt.names, cst.ImportStar):
                return None
            module = self.code(stmt.module)
            for alias in stmt.names:
                bound = alias.evaluated_alias or alias.evaluated_name
                if bound == name:
                    return module, alias.evaluated_name, alias.evaluated_alias
        return None

    def name_is_free(self, node: cst.CSTNode, name: str) -> bool:
        """``name`` is not bound anywhere visible from ``node`` (nor a builtin we shadow)."""
        scope = self.scopes.get(node)
        if scope is None:
            return False
        if name in scope:
            return False
        # a name bound in any scope of the module (even one not visible here) would make
        # a new module-level import confusing; keep it simple and refuse.
        return name not in self.bound_names()

    def module_attribute(self, node: cst.CSTNode, module: str, name: str) -> tuple[str, bool] | None:
        """How to spell ``module.name`` where ``node`` stands, and whether ``import module`` is needed.

        The module's own import first (``import asyncio as aio`` -> ``aio.name``), then
        ``from module import name [as alias]``, then a new ``import module`` when that
        name is free; None when nothing fits (the name means something else here).
        """
        for stmt in self._imports():
            if isinstance(stmt, cst.Import):
                for alias in stmt.names:
                    dotted, asname = alias.evaluated_name, alias.evaluated_alias
                    if asname is not None:
                        spelling, bound = (asname if dotted == module else None), asname
                    else:  # ``import asyncio`` or ``import asyncio.events`` bind ``asyncio``
                        covers = dotted == module or dotted.startswith(module + ".")
                        spelling, bound = (module if covers else None), dotted.split(".")[0]
                    if spelling is not None and self.import_binding(node, bound) == (dotted, None, asname):
                        return f"{spelling}.{name}", False
        for stmt in self._imports():
            if isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar):
                for alias in stmt.names:
                    if alias.evaluated_name != name:
                        continue
                    bound = alias.evaluated_alias or name
                    if self.import_binding(node, bound) == (module, name, alias.evaluated_alias):
                        return bound, False
        root = module.split(".")[0]
        if "." not in module and self.name_is_free(node, root):
            return f"{module}.{name}", True
        return None

    def _imports(self) -> list[cst.Import | cst.ImportFrom]:
        return [n for n in self.positions if isinstance(n, (cst.Import, cst.ImportFrom))]


# building blocks -------------------------------------------------------------------
def awaited(expr: cst.BaseExpression, parens: bool) -> cst.Await:
    """``await expr``, taking over ``expr``'s own parentheses (adding a pair if needed)."""
    lpar, rpar = list(expr.lpar), list(expr.rpar)
    if parens and not lpar:
        lpar, rpar = [cst.LeftParen()], [cst.RightParen()]
    return cst.Await(
        expression=expr.with_changes(lpar=[], rpar=[]),
        lpar=lpar, rpar=rpar,
        whitespace_after_await=cst.SimpleWhitespace(" "),
    )


def is_name_chain(expr: cst.BaseExpression) -> bool:
    """``name`` or ``a.b.c``: a callee worth rewriting (no calls, subscripts, ...)."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return isinstance(expr, cst.Name)


def is_primary_chain(expr: cst.BaseExpression) -> bool:
    """``a.b``, ``A().m``, ``self.clients[k].fetch``: names, attributes, calls, subscripts."""
    while isinstance(expr, (cst.Attribute, cst.Call, cst.Subscript)):
        expr = expr.func if isinstance(expr, cst.Call) else expr.value
    return isinstance(expr, cst.Name)


def twin_name(hint: str, original: str) -> str | None:
    """The hinted ``a``-twin if it is the plain ``a<original>`` identifier."""
    twin = hint.rsplit(".", 1)[-1]
    return twin if twin.isidentifier() and twin == f"a{original}" else None


# applying ------------------------------------------------------------------------
class _Applier(cst.CSTTransformer):
    """Applies each edit on leaving its target (no ``leave_*`` methods of its own)."""

    def __init__(self, edits: list[Edit[Any]]) -> None:
        super().__init__()
        self.edits = {id(edit.target): edit for edit in edits}
        self.done: list[Edit[Any]] = []

    # libcst types ``on_leave`` as returning the node's own type, yet a replacement of
    # another type (``Call`` -> ``Await``) is allowed and checked by libcst when it is set
    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode,
    ) -> cst.CSTNode:
        edit = self.edits.get(id(original_node))
        if edit is None or edit.target is not original_node:
            return updated_node
        try:
            replaced = edit.apply(updated_node)
        except Decline:
            return updated_node
        self.done.append(edit)
        return replaced


def apply_edits(ctx: FixContext, edits: list[Edit[Any]]) -> tuple[str, list[Edit[Any]]]:
    """The new source with ``edits`` applied (one per target), and the edits that took."""
    applier = _Applier(edits)
    module = ctx.module.visit(applier)
    done = applier.done
    imports = [imp for edit in done for imp in edit.imports]
    drops = [drop for edit in done for drop in edit.drop_if_unused]
    if imports or drops:
        context = CodemodContext()
        for module_name, name in dict.fromkeys(imports):
            AddImportsVisitor.add_needed_import(context, module_name, name)  # name None: ``import module``
        for module_name, obj, asname in dict.fromkeys(drops):
            RemoveImportsVisitor.remove_unused_import(context, module_name, obj, asname)
        if imports:
            module = AddImportsVisitor(context).transform_module(module)
        if drops:
            module = _strip_new_top_blank_lines(RemoveImportsVisitor(context).transform_module(module), ctx.module)
    return module.code, done


def _strip_new_top_blank_lines(module: cst.Module, original: cst.Module) -> cst.Module:
    """A removed first import leaves the blank lines that followed it at the top."""
    if not module.body or not original.body:
        return module
    first = module.body[0]
    had_blank = any(not line.comment for line in original.body[0].leading_lines)
    if had_blank or not first.leading_lines or any(line.comment for line in first.leading_lines):
        return module
    return module.with_changes(body=[first.with_changes(leading_lines=[]), *module.body[1:]])
