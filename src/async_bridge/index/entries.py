"""The cached records of one module: its summary, and a checked file's findings.

A summary record holds the module's structure (computed whenever the file is parsed)
and the facts computed so far: a fact is computed when a question needs it, from a
parse of the module, and written back, so a fact asked once is never computed again
while the file and the answers it depends on stay the same. Each record carries the
questions its facts asked the project (``recording``) and the project generation it
was last known valid in.

Records are plain JSON. Anything unexpected in one (another format, a damaged file, a
foreign file) makes it absent, never an error.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping

from ..records.summaries import ClassSummary, Edge, FunctionShape, FunctionSummary, ModuleSummary, RawField
from ..records.values import Value
import json

from . import findings_lookup
from .cache import CacheStore, digest
from .recording import Recorder

FORMAT = 7  # 7: a function shape tells a property getter
# the per-function facts a summary record fills in as questions need them
FUNCTION_PARTS = ("functions", "returns", "edges", "contexts")


def record_id(*parts: Any) -> str:
    return digest(repr(parts).encode())


def questions_name(key: str) -> str:
    """The questions of a record live in their own file, named by their content: a record
    used as it is (the project unchanged) never reads them."""
    return f"questions/{key[:2]}/{key}.json"


def save(store: CacheStore, name: str, record: dict[str, Any], recorder: Recorder) -> bool:
    """Write a record and, first, the questions it refers to."""
    try:
        questions = recorder.to_data()
        key = digest(json.dumps(questions, separators=(",", ":")).encode())
    except (TypeError, ValueError, KeyError):
        return False  # its saved questions are gone or damaged: the record is not rewritten
    record["questions"] = key
    if not store.exists(questions_name(key)) and not store.write(questions_name(key), questions):
        return False
    return store.write(name, record)


def recorder_of(store: CacheStore, data: Any) -> Recorder:
    key = data["questions"]
    if not isinstance(key, str):
        raise ValueError("questions")
    return Recorder(load=lambda: store.read(questions_name(key)))


def summary_name(rel: str, module: str, content: str) -> str:
    key = record_id("summary", rel, module, content)
    return f"summaries/{key[:2]}/{key}.json"


def _text(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


class StoredSummary:
    """A module's summary record, in memory: what was loaded, plus the facts computed
    since (``dirty`` until written).

    The structure and each fact are kept as JSON text, decoded when asked: a string is
    one object the garbage collector never visits, where the decoded lists and dicts of
    a large project would be visited by every full collection of a long run."""

    def __init__(self, name: str, rel: str, module: str, content: str, structure: str,
                 recorder: Recorder, generation: str | None = None) -> None:
        self.name = name
        self.rel = rel
        self.module = module
        self.content = content
        self.structure = structure  # JSON text
        # local qualname -> JSON text of the fact (None: computed, nothing known)
        self.functions: dict[str, str | None] = {}
        self.returns: dict[str, str | None] = {}
        self.edges: dict[str, str | None] = {}
        self.contexts: dict[str, str | None] = {}
        self.globals: dict[str, str | None] = {}
        self.attributes: dict[str, str | None] = {}  # class -> JSON text of {attr: data}
        self.recorder = recorder
        self.generation = generation
        self.dirty = False
        self.writable = True  # False: built from text that is not the file's content

    # -- the record ----------------------------------------------------------------------
    def to_data(self, generation: str | None) -> dict[str, Any]:
        return {
            "format": FORMAT, "rel": self.rel, "module": self.module, "content": self.content,
            "generation": generation, "structure": self.structure,
            **{part: getattr(self, part) for part in (*FUNCTION_PARTS, "globals", "attributes")},
        }

    @classmethod
    def from_data(cls, store: CacheStore, name: str, data: Any, rel: str, module: str,
                  content: str) -> "StoredSummary | None":
        """The record if it is one of ours for exactly this file content, else None."""
        try:
            if data.get("format") != FORMAT or (data["rel"], data["module"], data["content"]) != (rel, module, content):
                return None
            structure = data["structure"]
            if not isinstance(structure, str):
                return None
            _check_structure(json.loads(structure))
            stored = cls(name, rel, module, content, structure, recorder_of(store, data), data.get("generation"))
            for attr in (*FUNCTION_PARTS, "globals", "attributes"):
                value = data[attr]
                if not isinstance(value, dict) or not all(v is None or isinstance(v, str) for v in value.values()):
                    return None
                setattr(stored, attr, value)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return stored

    @classmethod
    def from_live(cls, name: str, rel: str, module: str, content: str, live: ModuleSummary,
                  recorder: Recorder) -> "StoredSummary":
        structure = {
            "module": live.module, "path": live.path,
            "names": dict(live.names), "assigned": sorted(live.assigned),
            "shapes": {q: shape.to_data() for q, shape in live.shapes.items()},
            "call_names": {k: sorted(v) for k, v in live.call_names.items()},
            "classes": {q: {"bases": list(c.bases), "methods": list(c.methods),
                            "fields": [list(f.__dict__.values()) for f in c.fields]}
                        for q, c in live.classes.items()},
            "constants": dict(live.constants),
        }
        return cls(name, rel, module, content, _text(structure), recorder)

    # -- the summary the index uses --------------------------------------------------------
    def summary(self, live: Callable[[], ModuleSummary | None], known: ModuleSummary | None = None) -> ModuleSummary:
        """The module's summary: stored facts, and facts computed from ``live`` (a parse of
        the module) when a question needs one not stored yet. ``known``: the live summary
        this record was just made from, whose structure is used as it is."""
        if known is not None:
            return self._with_structure(live, known.module, known.path, known.names, known.assigned, known.shapes,
                                        known.call_names,
                                        {q: (c.bases, c.methods, c.fields) for q, c in known.classes.items()},
                                        known.constants)
        s = json.loads(self.structure)
        return self._with_structure(
            live, s["module"], s["path"], s["names"], frozenset(s["assigned"]),
            {q: FunctionShape.from_data(v) for q, v in s["shapes"].items()},
            {k: frozenset(v) for k, v in s["call_names"].items()},
            {q: (tuple(c["bases"]), tuple(c["methods"]), tuple(RawField(*f) for f in c["fields"]))
             for q, c in s["classes"].items()},
            {str(k): str(v) for k, v in s["constants"].items()},
        )

    def _with_structure(self, live: Callable[[], ModuleSummary | None], module: str | None, path: str,
                        names: Mapping[str, str], assigned: frozenset[str], shapes: Mapping[str, FunctionShape],
                        call_names: Mapping[str, frozenset[str]],
                        classes_of: Mapping[str, tuple[tuple[str, ...], tuple[str, ...], tuple[RawField, ...]]],
                        constants: Mapping[str, str]) -> ModuleSummary:
        classes = {
            q: ClassSummary(
                bases=bases, methods=methods,
                attributes=_Facts(self, "attributes", q, _attributes_of(live, q), decode=_attributes),
                fields=fields,
            )
            for q, (bases, methods, fields) in classes_of.items()
        }
        defs = list(shapes)

        def facts(part: str, decode: Callable[[Any], Any], encode: Callable[[Any], Any] = _encode) -> "_FactMap":
            return _FactMap(self, part, defs, lambda q: _live_fact(live, part, q), decode, encode)

        return ModuleSummary(
            module=module, path=path,
            functions=facts("functions", FunctionSummary.from_data),
            shapes=shapes,
            returns=facts("returns", Value.from_data),
            edges=facts("edges", lambda data: tuple(Edge.from_data(e) for e in data), lambda edges: [e.to_data() for e in edges]),
            contexts=facts("contexts", str, str),
            classes=classes,
            names=names,
            globals=_FactMap(self, "globals", sorted(assigned), lambda n: _live_fact(live, "globals", n), Value.from_data),
            assigned=assigned,
            call_names=call_names,
            constants=constants,
        )


def _check_structure(s: Any) -> None:
    if not isinstance(s, dict):
        raise ValueError("structure")
    for key, kind in (("names", dict), ("shapes", dict), ("assigned", list), ("call_names", dict), ("classes", dict),
                       ("constants", dict)):
        if not isinstance(s[key], kind):
            raise ValueError(key)
    if not isinstance(s["path"], str):
        raise ValueError("path")


def _live_fact(live: Callable[[], ModuleSummary | None], part: str, key: str) -> Any:
    summary = live()
    return getattr(summary, part).get(key) if summary is not None else None


def _attributes_of(live: Callable[[], ModuleSummary | None], cls: str) -> Callable[[], dict[str, Value]]:
    def compute() -> dict[str, Value]:
        summary = live()
        found = summary.classes.get(cls) if summary is not None else None
        return dict(found.attributes) if found is not None else {}

    return compute


def _attributes(data: Any) -> dict[str, Value]:
    return {k: Value.from_data(v) for k, v in data.items()}


def _encode(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: v.to_data() for k, v in value.items()}
    return value.to_data()


class _FactMap(Mapping[str, Any]):
    """Facts by name: decoded from the record, or computed and added to it."""

    def __init__(self, stored: StoredSummary, part: str, keys: list[str], compute: Callable[[str], Any],
                 decode: Callable[[Any], Any], encode: Callable[[Any], Any] = _encode) -> None:
        self._stored = stored
        self._part = part
        self._keys = dict.fromkeys(keys)
        self._compute = compute
        self._decode = decode
        self._encode = encode
        self._done: dict[str, Any] = {}
        self._busy: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if key not in self._done:
            if key not in self._keys or key in self._busy:
                raise KeyError(key)
            saved: dict[str, Any] = getattr(self._stored, self._part)
            if key in saved:
                data = saved[key]
                value = self._decode(json.loads(data)) if data is not None else None
            else:
                self._busy.add(key)
                try:
                    value = self._compute(key)
                finally:
                    self._busy.discard(key)
                saved[key] = None if value is None else _text(self._encode(value))
                self._stored.dirty = True
            self._done[key] = value
        value = self._done[key]
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return (key for key in list(self._keys) if self.get(key) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Facts(Mapping[str, Value]):
    """A class's attributes: all at once, from the record or computed."""

    def __init__(self, stored: StoredSummary, part: str, key: str, compute: Callable[[], dict[str, Value]],
                 decode: Callable[[Any], dict[str, Value]]) -> None:
        self._stored = stored
        self._part = part
        self._key = key
        self._compute = compute
        self._decode = decode
        self._data: dict[str, Value] | None = None

    def _load(self) -> dict[str, Value]:
        if self._data is None:
            saved: dict[str, Any] = getattr(self._stored, self._part)
            if self._key in saved:
                text = saved[self._key]
                self._data = self._decode(json.loads(text)) if text is not None else {}
            else:
                self._data = {}  # while computing: asked again, nothing (a cycle)
                self._data = self._compute()
                saved[self._key] = _text(_encode(self._data))
                self._stored.dirty = True
        return self._data

    def __getitem__(self, key: str) -> Value:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class StoredFindings:
    """A checked file's findings (as plain data), which checks ran (None: all) and the
    questions they asked; named and read cheaply by ``findings_lookup``."""

    def __init__(self, name: str, findings: list | None, generation: str | None, recorder: Recorder,
                 checks: list[str] | None = None) -> None:
        self.name = name
        self.findings = findings
        self.generation = generation
        self.recorder = recorder
        self.checks = checks

    def to_data(self, generation: str | None) -> dict[str, Any]:
        return {"format": findings_lookup.FORMAT, "generation": generation, "findings": self.findings,
                "checks": self.checks}

    @classmethod
    def from_data(cls, store: CacheStore, name: str, data: Any) -> "StoredFindings | None":
        record = findings_lookup.valid_data(data)
        if record is None:
            return None
        try:
            checks = record.get("checks")
            if checks is not None and not (isinstance(checks, list) and all(isinstance(c, str) for c in checks)):
                return None
            return cls(name, record["findings"], record.get("generation"), recorder_of(store, record), checks)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
