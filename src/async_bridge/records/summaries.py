"""What the project index keeps about a module: plain data, serialisable for the cache.

Every fact here is computed by the analysis (``analysis/summarize.py``) with the same
semantic model the rules use, so an answer about a function is the same whether the
function sits in the module being checked or in another one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from . import constants
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
    is_property: bool = False  # a ``@property`` / ``cached_property`` getter: reading the attribute calls it

    def to_data(self) -> list[Any]:
        return [*self[:5], list(self.decorators), *([True] if self.is_property else [])]

    @classmethod
    def from_data(cls, data: Any) -> "FunctionShape":
        return cls(bool(data[0]), bool(data[1]), bool(data[2]), bool(data[3]), data[4], tuple(data[5]),
                   len(data) > 6 and bool(data[6]))


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
    # the arguments whose value is a known constant or the caller's own parameter, as
    # ``"slot=key"`` strings (``records.constants``)
    arguments: tuple[str, ...] = ()

    def to_data(self) -> list[Any]:
        return list(self) if self.arguments else list(self[:5])

    @classmethod
    def from_data(cls, data: Any) -> "Edge":
        callee, line, col, *rest = data
        positional = int(rest[0]) if rest else -1
        keywords = tuple(str(k) for k in rest[1]) if len(rest) > 1 and rest[1] is not None else None
        arguments = tuple(str(a) for a in rest[2]) if len(rest) > 2 else ()
        return cls(str(callee), int(line), int(col), positional, keywords, arguments)


class ParamGuard(NamedTuple):
    """One condition on a parameter: it is true (``def f(item=None): if item:``; a call
    that leaves it out or passes a false constant fails it), or it equals one of some
    constants (``if kind == KINDS.X:``, ``case KINDS.X:``; a call passing another
    constant, or leaving out one whose default is another, fails it)."""

    name: str
    position: int  # among the arguments a caller writes (``self`` not counted); -1: keyword-only
    equals: tuple[str, ...] = ()  # the constant keys it must equal; empty: it must be true
    default: str | None = None  # the constant key of its default, when one is known

    def omitted_by(self, positional: int, keywords: tuple[str, ...] | None) -> bool:
        """Whether a call with these arguments leaves the parameter at its default."""
        if positional < 0 or keywords is None:
            return False  # ``*args`` / ``**kwargs``: it may be given
        return (self.position < 0 or self.position >= positional) and self.name not in keywords

    def fails_for(self, positional: int, keywords: tuple[str, ...] | None,
                  slots: constants.Slots | None = None, resolve: constants.Resolver | None = None) -> bool:
        """Whether a call (its argument counts, and the constants it passes by slot) is
        known to fail the condition. ``resolve`` turns a project name into a literal key."""
        given = constants.argument(slots, self.name, self.position) if slots else None
        if given is None and self.omitted_by(positional, keywords):
            if not self.equals:
                return True  # left at its false default
            given = self.default
        if given is None:
            return False

        def literal(key: str) -> str | None:
            if key.startswith(constants.LITERAL):
                return key
            return resolve(key[len(constants.NAME):]) if resolve is not None and key.startswith(constants.NAME) else None

        value = literal(given)
        if value is None:
            return False
        if not self.equals:
            return constants.falsy(value)
        wanted = [literal(key) for key in self.equals]
        return all(w is not None and constants.differ(value, w) for w in wanted)


class Guard(NamedTuple):
    """What every database site and project call of a function waits for: each waits for
    all the conditions of one alternative, so a call failing some condition of every
    alternative runs none of them."""

    alternatives: tuple[tuple[ParamGuard, ...], ...]

    def skipped_by(self, positional: int, keywords: tuple[str, ...] | None,
                   slots: constants.Slots | None = None, resolve: constants.Resolver | None = None) -> bool:
        return all(any(c.fails_for(positional, keywords, slots, resolve) for c in alternative)
                   for alternative in self.alternatives)

    def to_data(self) -> list[Any]:
        return [[list(c) for c in alternative] for alternative in self.alternatives]

    @classmethod
    def from_data(cls, data: Any) -> "Guard":
        def condition(item: Any) -> ParamGuard:
            name, position, equals, default = item
            return ParamGuard(str(name), int(position), tuple(str(k) for k in equals),
                              str(default) if default is not None else None)

        return cls(tuple(tuple(condition(c) for c in alternative) for alternative in data))


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
    guard: Guard | None = None  # what its database work and project calls wait for

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "qualname": self.qualname, "path": self.path, "is_async": self.is_async,
            "context": self.context, "line": self.line, "col": self.col,
        }
        if self.calls:
            data["calls"] = [e.to_data() for e in self.calls]
        if self.enters:
            data["enters"] = [e.to_data() for e in self.enters]
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
            data["evaluates"] = [e.to_data() for e in self.evaluates]
        if self.param_reads:
            data["param_reads"] = [list(r) for r in self.param_reads]
        if self.guard is not None:
            data["guard"] = self.guard.to_data()
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
            guard=Guard.from_data(data["guard"]) if data.get("guard") else None,
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
    # names bound once to a literal, module-level (``PAGE = 20``) or in a class body
    # (``SEARCH_TYPES.OPINION``), by local qualname: their literal key (``records.constants``)
    constants: Mapping[str, str] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {
            "module": self.module, "path": self.path,
            "functions": {k: f.to_data() for k, f in self.functions.items()},
            "classes": {k: c.to_data() for k, c in self.classes.items()},
            "names": dict(self.names),
            "globals": {k: v.to_data() for k, v in self.globals.items()},
            "shapes": {k: v.to_data() for k, v in self.shapes.items()},
            "assigned": sorted(self.assigned),
            "call_names": {k: sorted(v) for k, v in self.call_names.items()},
            "constants": dict(self.constants),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ModuleSummary":
        return cls(
            module=data["module"], path=data["path"],
            functions={k: FunctionSummary.from_data(f) for k, f in data["functions"].items()},
            classes={k: ClassSummary.from_data(c) for k, c in data["classes"].items()},
            names=dict(data["names"]),
            globals={k: Value.from_data(v) for k, v in data["globals"].items()},
            shapes={k: FunctionShape.from_data(v) for k, v in data.get("shapes", {}).items()},
            assigned=frozenset(data.get("assigned", ())),
            call_names={k: frozenset(v) for k, v in data.get("call_names", {}).items()},
            returns={k: Value.from_data(f["returns"]) for k, f in data["functions"].items() if "returns" in f},
            edges={k: tuple(Edge.from_data(e) for e in f.get("calls", ())) for k, f in data["functions"].items()},
            contexts={k: f["context"] for k, f in data["functions"].items()},
            constants={str(k): str(v) for k, v in data.get("constants", {}).items()},
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
