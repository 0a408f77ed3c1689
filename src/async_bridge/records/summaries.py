"""What the project index keeps about a module: plain data, serialisable for the cache.

Every fact here is computed by the analysis (``analysis/summarize.py``) with the same
semantic model the rules use, so an answer about a function is the same whether the
function sits in the module being checked or in another one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from .values import Value


class Site(NamedTuple):
    """Where something happens in a function's own body, and what it is."""

    line: int
    col: int
    what: str  # short source-like text: "`Order.objects.get()`"


class FunctionShape(NamedTuple):
    """What a function is, known as soon as its module is parsed (cheap): enough to tell
    what calling it gives, before anyone asks what its body does."""

    is_async: bool
    awaitable: bool  # calling it gives an awaitable
    runs_body: bool  # calling it runs its body (False: generator, context manager)
    threaded: bool  # a bridge decorates it
    runner_param: int | None  # runs this parameter on a new event loop
    decorators: tuple[str, ...] = ()  # decorators from other modules, judged on demand


class Edge(NamedTuple):
    """A call from one function to another, at a position of the caller."""

    callee: str  # qualified name
    line: int
    col: int
    # the arguments the call gives (``ParamGuard.omitted_by``): how many positional ones
    # (-1: unknown, ``*args``) and the keywords whose value is not a falsy constant
    # (None: unknown, ``**kwargs``)
    positional: int = -1
    keywords: tuple[str, ...] | None = None

    @classmethod
    def from_data(cls, data: Any) -> "Edge":
        callee, line, col, *rest = data
        positional = int(rest[0]) if rest else -1
        keywords = tuple(str(k) for k in rest[1]) if len(rest) > 1 and rest[1] is not None else None
        return cls(str(callee), int(line), int(col), positional, keywords)


class ParamGuard(NamedTuple):
    """A parameter every database site and project call of a function waits for:
    ``def f(item=None): if item: ...``. A call that leaves it out runs none of them."""

    name: str
    position: int  # among the arguments a caller writes (``self`` not counted); -1: keyword-only

    def omitted_by(self, positional: int, keywords: tuple[str, ...] | None) -> bool:
        """Whether a call with these arguments leaves the parameter at its falsy default."""
        if positional < 0 or keywords is None:
            return False  # ``*args`` / ``**kwargs``: it may be given
        return (self.position < 0 or self.position >= positional) and self.name not in keywords


@dataclass(frozen=True)
class RawField:
    """``name = callee(target, related_name=...)`` in a class body, unresolved."""

    name: str
    callee: str  # qualified name of the field class
    target: str | None  # qualified model name, LABEL + "app.Model", or None (unknown)
    related_name: str | None
    line: int


# A relation target given as ``"app_label.Model"`` is stored as ``LABEL + "app_label.Model"``.
LABEL = "label:"
# A base class written as ``something.Name`` on an object the analysis cannot resolve.
UNRESOLVED_ATTR = "<attr>:"


@dataclass
class FunctionSummary:
    qualname: str  # fully qualified
    path: str  # its file
    is_async: bool
    context: str  # analysis.contexts
    line: int
    col: int = 0
    calls: tuple[Edge, ...] = ()  # project callees whose body runs when called here
    enters: tuple[Edge, ...] = ()  # deferred bodies run here: ``with cm():``, ``for x in gen():``
    db: Site | None = None  # first database work of its own body (sync ORM, a-twins, thread bridges)
    sync_db: Site | None = None  # first sync database work of its own body
    loop_run: Site | None = None  # runs a coroutine to completion in its own (sync) body
    runner_param: int | None = None  # runs this parameter on a new event loop
    awaitable: bool = False  # calling it gives an awaitable
    runs_body: bool = True  # calling it runs its body (False: generator, context manager)
    threaded: bool = False  # a bridge decorates it: its body runs in a worker thread
    returns: Value | None = None  # what calling it gives, when known (may be a reference)
    decorators: tuple[str, ...] = ()  # decorators from other modules whose effect is judged on demand
    evaluates: tuple[Edge, ...] = ()  # iterates/tests what these callees return (a QuerySet: sync DB work)
    param_reads: tuple[tuple[int, str], ...] = ()  # (argument position, attribute) read on a parameter
    guard: ParamGuard | None = None  # its database work and project calls all wait for this parameter

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "qualname": self.qualname, "path": self.path, "is_async": self.is_async,
            "context": self.context, "line": self.line, "col": self.col,
        }
        if self.calls:
            data["calls"] = [list(e) for e in self.calls]
        if self.enters:
            data["enters"] = [list(e) for e in self.enters]
        for name in ("db", "sync_db", "loop_run"):
            site = getattr(self, name)
            if site is not None:
                data[name] = list(site)
        if self.runner_param is not None:
            data["runner_param"] = self.runner_param
        for name in ("awaitable", "threaded"):
            if getattr(self, name):
                data[name] = True
        if not self.runs_body:
            data["runs_body"] = False
        if self.returns is not None:
            data["returns"] = self.returns.to_data()
        if self.decorators:
            data["decorators"] = list(self.decorators)
        if self.evaluates:
            data["evaluates"] = [list(e) for e in self.evaluates]
        if self.param_reads:
            data["param_reads"] = [list(r) for r in self.param_reads]
        if self.guard is not None:
            data["guard"] = list(self.guard)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "FunctionSummary":
        def site(name: str) -> Site | None:
            value = data.get(name)
            return Site(*value) if value is not None else None

        returns = data.get("returns")
        return cls(
            qualname=data["qualname"], path=data["path"], is_async=data["is_async"],
            context=data["context"], line=data["line"], col=data.get("col", 0),
            calls=tuple(Edge.from_data(e) for e in data.get("calls", ())),
            enters=tuple(Edge.from_data(e) for e in data.get("enters", ())),
            db=site("db"), sync_db=site("sync_db"), loop_run=site("loop_run"),
            runner_param=data.get("runner_param"),
            awaitable=data.get("awaitable", False), threaded=data.get("threaded", False),
            runs_body=data.get("runs_body", True),
            returns=Value.from_data(returns) if returns is not None else None,
            decorators=tuple(data.get("decorators", ())),
            evaluates=tuple(Edge.from_data(e) for e in data.get("evaluates", ())),
            param_reads=tuple((int(i), str(a)) for i, a in data.get("param_reads", ())),
            guard=ParamGuard(str(data["guard"][0]), int(data["guard"][1])) if data.get("guard") else None,
        )


@dataclass
class ClassSummary:
    bases: tuple[str, ...]  # qualified names (UNRESOLVED_ATTR + name when unresolvable)
    methods: tuple[str, ...] = ()
    attributes: Mapping[str, Value] = field(default_factory=dict)  # class body and ``self.x`` values of known kind
    fields: tuple[RawField, ...] = ()  # relation-like field assignments of the class body

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"bases": list(self.bases)}
        if self.methods:
            data["methods"] = list(self.methods)
        if self.attributes:
            data["attributes"] = {k: v.to_data() for k, v in self.attributes.items()}
        if self.fields:
            data["fields"] = [list(f.__dict__.values()) for f in self.fields]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ClassSummary":
        return cls(
            bases=tuple(data["bases"]),
            methods=tuple(data.get("methods", ())),
            attributes={k: Value.from_data(v) for k, v in data.get("attributes", {}).items()},
            fields=tuple(RawField(*f) for f in data.get("fields", ())),
        )


@dataclass
class ModuleSummary:
    module: str | None
    path: str
    functions: Mapping[str, FunctionSummary] = field(default_factory=dict)  # by local qualname
    classes: Mapping[str, ClassSummary] = field(default_factory=dict)  # by local qualname
    names: Mapping[str, str] = field(default_factory=dict)  # imported names -> qualified (re-exports)
    globals: Mapping[str, Value] = field(default_factory=dict)  # module-level names of known kind
    shapes: Mapping[str, FunctionShape] = field(default_factory=dict)  # every function, by local qualname
    assigned: frozenset[str] = frozenset()  # module-level names bound by assignments
    call_names: Mapping[str, frozenset[str]] = field(default_factory=dict)  # function -> names it calls
    # what each function returns (also in ``functions``; apart, so asking it does not summarise bodies)
    returns: Mapping[str, Value] = field(default_factory=dict)
    # each function's call edges and execution context (also in ``functions``; apart, so a
    # "who calls this helper" question does not summarise whole bodies)
    edges: Mapping[str, tuple[Edge, ...]] = field(default_factory=dict)
    contexts: Mapping[str, str] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {
            "module": self.module, "path": self.path,
            "functions": {k: f.to_data() for k, f in self.functions.items()},
            "classes": {k: c.to_data() for k, c in self.classes.items()},
            "names": dict(self.names),
            "globals": {k: v.to_data() for k, v in self.globals.items()},
            "shapes": {k: list(v[:5]) + [list(v.decorators)] for k, v in self.shapes.items()},
            "assigned": sorted(self.assigned),
            "call_names": {k: sorted(v) for k, v in self.call_names.items()},
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ModuleSummary":
        return cls(
            module=data["module"], path=data["path"],
            functions={k: FunctionSummary.from_data(f) for k, f in data["functions"].items()},
            classes={k: ClassSummary.from_data(c) for k, c in data["classes"].items()},
            names=dict(data["names"]),
            globals={k: Value.from_data(v) for k, v in data["globals"].items()},
            shapes={k: FunctionShape(v[0], v[1], v[2], v[3], v[4], tuple(v[5])) for k, v in data.get("shapes", {}).items()},
            assigned=frozenset(data.get("assigned", ())),
            call_names={k: frozenset(v) for k, v in data.get("call_names", {}).items()},
            returns={k: Value.from_data(f["returns"]) for k, f in data["functions"].items() if "returns" in f},
            edges={k: tuple(Edge.from_data(e) for e in f.get("calls", ())) for k, f in data["functions"].items()},
            contexts={k: f["context"] for k, f in data["functions"].items()},
        )


@dataclass(frozen=True)
class Relation:
    """A forward relation field of a model, resolved."""

    name: str
    kind: str  # FK, O2O or M2M
    target: str | None  # qualified name of the related model, None when unknown
    related_name: str | None
    owner: str  # qualified name of the model declaring it


FK = "fk"
O2O = "o2o"
M2M = "m2m"


class Step(NamedTuple):
    """One place on the way from a call to the reason it is reported."""

    function: str  # qualified name of the function the place is in
    path: str
    line: int
    col: int
    what: str  # "calls `sync_orders()`", "`Order.objects.get()`"


Reach = tuple[Step, ...]  # from the first call to the site, in order
