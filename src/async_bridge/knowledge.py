"""The rule catalogue and knowledge lists, loaded from YAML once per process.

Rule files (``rules/ABRnnn.yaml``) carry metadata, message, rationale and examples;
an optional ``knowledge:`` mapping inside a rule file and the files under
``rules/knowledge/`` carry named lists (qualified names, method names) or mappings
(method -> twin). Users extend them with ``--abr-extra-knowledge FILE.yaml``.

The built-in files are the schema: each key's shape (see :class:`Shape`) is the one
its built-in value has, so a new key is a YAML edit only. A user file is checked
against it when loaded: a bad entry is dropped, an unknown key ignored, a file too
large or not usable skipped, each reported as one line in ``Knowledge.problems``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import task_frameworks
from .rule_files import rules_dir


class KnowledgeError(Exception):
    """A knowledge or rule file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class RuleMeta:
    code: str
    name: str
    default_on: bool
    summary: str
    message: str
    rationale: str
    fixable: bool
    fix: dict
    examples: dict
    raw: dict

    def format(self, **values: Any) -> str:
        return f"{self.code} " + self.message.format(**values).strip()

    @property
    def why(self) -> str:
        """The first paragraph of the rationale, on one line (``check --show-why``)."""
        first = re.split(r"\n\s*\n", self.rationale.strip(), maxsplit=1)[0]
        return " ".join(first.split())


#: a knowledge file larger than this is refused before it is read
MAX_KNOWLEDGE_BYTES = 1_000_000
#: at most this many problem lines per knowledge file, then a count of the rest
MAX_PROBLEMS_PER_FILE = 10

_VERSION = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True)
class Shape:
    """What one knowledge key holds, as the built-in knowledge shows it.

    ``names``: a list of strings. ``texts``: a mapping of name -> text. ``twins``: a
    mapping of name -> twin entry. ``twin``: one twin entry. A twin entry is a mapping
    with ``twin`` (a name), optionally ``since`` (the Django version, "X.Y") and the
    other string ``fields`` the built-in entries of that key use.
    """

    kind: str
    fields: frozenset[str] = frozenset()

    def describe(self) -> str:
        entry = "{" + ", ".join(_field_example(name) for name in sorted(self.fields, key=_field_order)) + "}"
        return {
            "names": "a list of strings",
            "texts": "a mapping of name -> text",
            "twins": f"a mapping of name -> {entry}",
            "twin": f"a mapping {entry}",
            "tables": "a mapping of name -> mapping",
        }[self.kind]


def _field_order(name: str) -> tuple[int, str]:
    return ({"twin": 0, "since": 1}.get(name, 2), name)


def _field_example(name: str) -> str:
    return {"twin": "twin: NAME", "since": 'since: "X.Y"'}.get(name, f"{name}: TEXT")


def _is_twin_entry(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("twin"), str)


def shape_of(value: Any) -> Shape | None:
    """The shape a built-in value has (None: none the loader knows)."""
    if isinstance(value, list):
        return Shape("names")
    if not isinstance(value, dict):
        return None
    if _is_twin_entry(value):
        return Shape("twin", frozenset(value))
    if value and all(_is_twin_entry(item) for item in value.values()):
        return Shape("twins", frozenset(name for item in value.values() for name in item))
    if all(isinstance(item, str) for item in value.values()):
        return Shape("texts")
    if all(isinstance(item, dict) for item in value.values()):
        return Shape("tables")  # name -> a structure of its own (task frameworks, model relations)
    return None


def _unite(first: Shape, second: Shape) -> Shape | None:
    if first.kind != second.kind:
        return None
    return Shape(first.kind, first.fields | second.fields)


class _Problems:
    """The one-line problems found in one file, capped at MAX_PROBLEMS_PER_FILE."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.lines: list[str] = []
        self.count = 0

    def add(self, text: str) -> None:
        self.count += 1
        if self.count <= MAX_PROBLEMS_PER_FILE:
            self.lines.append(f"{self.origin}: {text}")

    def summary(self) -> list[str]:
        hidden = self.count - len(self.lines)
        return self.lines + ([f"{self.origin}: {hidden} more problem(s) not shown"] if hidden else [])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _entry_problem(entry: Any, shape: Shape) -> str | None:
    """Why ``entry`` is not a usable twin entry of ``shape`` (None: it is)."""
    if not isinstance(entry, dict):
        return f"expected {Shape('twin', shape.fields).describe()}, got {_short(entry)}"
    for name, value in entry.items():
        if name not in shape.fields:
            return f"unknown field {_short(name)}{did_you_mean(name, shape.fields)}"
        if name == "since":
            if isinstance(value, (bool, int, float)):  # unquoted 4.1, or yes / no (YAML booleans)
                kind = "boolean" if isinstance(value, bool) else "number"
                return f'since must be a quoted version like "4.1", got the {kind} {value!r}'
            if not isinstance(value, str) or not _VERSION.match(value):
                return f'since must be a Django version like "4.1", got {_short(value)}'
        elif not isinstance(value, str) or not value.strip():
            return f"{name} must be a non-empty string, got {_short(value)}"
    twin = entry.get("twin")
    if not isinstance(twin, str) or not twin.isidentifier():
        return f"twin must be a method or function name, got {_short(twin)}"
    return None


def _checked(key: str, value: Any, shape: Shape, problems: _Problems) -> Any:
    """``value`` without its bad items (each reported); None when nothing is usable."""
    where = f"'{key}'"
    if value is None:
        return None  # `key:` with nothing under it adds nothing
    if shape.kind == "names":
        if not isinstance(value, list):
            problems.add(f"{where} must be {shape.describe()}, got {_short(value)}; ignored")
            return None
        good = [item for item in value if isinstance(item, str) and item.strip()]
        for item in value:
            if not (isinstance(item, str) and item.strip()):
                problems.add(f"{where}: item {_short(item)} is not a name; dropped")
        return [item.strip() for item in good]
    if not isinstance(value, dict):
        problems.add(f"{where} must be {shape.describe()}, got {_short(value)}; ignored")
        return None
    if shape.kind == "twin":
        problem = _entry_problem(value, shape)
        if problem:
            problems.add(f"{where}: {problem}; ignored")
            return None
        return value
    checked = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name.strip():
            problems.add(f"{where}: key {_short(name)} is not a name; dropped")
            continue
        if shape.kind == "texts":
            problem = None if isinstance(item, str) else f"expected a text, got {_short(item)}"
        elif shape.kind == "tables":
            problem = None if isinstance(item, dict) else f"expected a mapping, got {_short(item)}"
        else:
            problem = _entry_problem(item, shape)
        if problem:
            problems.add(f"{where} entry '{name}': {problem}; dropped")
            continue
        checked[name] = item
    if key == task_frameworks.KEY and checked:
        try:
            task_frameworks.check(checked, problems.origin)
        except task_frameworks.FrameworkError as exc:
            problems.add(f"{where}: {exc}; ignored")
            return None
    return checked


def did_you_mean(word: str, choices: Any) -> str:
    import difflib  # only when a user's file has a mistake

    close = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _shared_container(data: Any) -> bool:
    """Whether a list or mapping occurs twice (a YAML alias): checked without expanding."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, dict)):
            if id(item) in seen:
                return True
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
            if isinstance(item, dict):
                stack.extend(key for key in item if isinstance(key, (list, dict)))
    return False


@dataclass
class Knowledge:
    rules: dict[str, RuleMeta] = field(default_factory=dict)
    lists: dict[str, Any] = field(default_factory=dict)
    #: key -> shape, derived from the built-in knowledge files
    schema: dict[str, Shape] = field(default_factory=dict)
    #: one line per problem met in the user's knowledge files (their bad parts were dropped)
    problems: tuple[str, ...] = ()

    def names(self, key: str) -> frozenset[str]:
        value = self.lists.get(key, ())
        return value if isinstance(value, frozenset) else frozenset(value)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.lists.get(key, {})
        return value if isinstance(value, dict) else {}

    def merged(self, extra: Any, origin: str) -> "Knowledge":
        """This knowledge plus the user's ``extra`` (a file's data), checked against the schema.

        Never raises: what does not fit is dropped and reported in ``problems``.
        """
        problems = _Problems(origin)
        lists = dict(self.lists)
        if not isinstance(extra, dict):
            if extra is not None:
                problems.add(f"expected a mapping of knowledge keys, got {_short(extra)}; file ignored")
        elif _shared_container(extra):
            problems.add("anchors and aliases (&name / *name) are not supported in knowledge files; file ignored")
        else:
            warned: set[str] = set()
            for key, value in extra.items():
                shape = self.schema.get(key) if isinstance(key, str) else None
                if shape is None:
                    if str(key) not in warned:
                        warned.add(str(key))
                        problems.add(f"unknown key {_short(key)}{did_you_mean(str(key), self.schema)}; ignored")
                    continue
                checked = _checked(key, value, shape, problems)
                if checked is not None:
                    _merge_value(lists, key, checked, shape)
        return Knowledge(self.rules, lists, self.schema, self.problems + tuple(problems.summary()))


def _merge_value(lists: dict[str, Any], key: str, value: Any, shape: Shape) -> None:
    current = lists.get(key)
    if shape.kind == "names":
        lists[key] = frozenset(current or ()) | frozenset(value)
    elif shape.kind == "twin":
        lists[key] = value
    else:
        lists[key] = {**(current or {}), **value}


def _read_yaml(path: Path, limit: int | None = None) -> Any:
    """The YAML data of ``path``; a file over ``limit`` bytes is refused before reading."""
    try:
        if limit is not None:
            size = path.stat().st_size
            if size > limit:
                raise KnowledgeError(f"{path}: {size:,} bytes, over the {limit:,}-byte limit "
                                     "for a knowledge file")
            with path.open("rb") as handle:
                raw = handle.read(limit + 1)  # it may have grown since
            if len(raw) > limit:
                raise KnowledgeError(f"{path}: over the {limit:,}-byte limit for a knowledge file")
            text = raw.decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from None
    return _parse_yaml(path, text)


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml  # imported when a file is parsed: the built-in ones usually come compiled

    # libyaml's safe loader when PyYAML has it (the pure-Python one is ten times slower)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KnowledgeError(f"{path}: {where}invalid YAML ({problem})") from None
    except RecursionError:
        raise KnowledgeError(f"{path}: nested too deeply to be knowledge") from None


def _add_builtin(knowledge: Knowledge, data: Any, origin: str) -> None:
    """Built-in knowledge defines the schema; it must be consistent with itself."""
    if data is None:
        return
    if not isinstance(data, dict):
        raise KnowledgeError(f"{origin}: expected a mapping of knowledge keys")
    for key, value in data.items():
        shape = shape_of(value)
        if not isinstance(key, str) or shape is None:
            raise KnowledgeError(f"{origin}: {_short(key)} is none of the knowledge shapes")
        known = knowledge.schema.get(key)
        if known is not None:
            united = _unite(known, shape)
            if united is None:
                raise KnowledgeError(f"{origin}: '{key}' is {shape.describe()} here, {known.describe()} elsewhere")
            shape = united
        problems = _Problems(origin)
        checked = _checked(key, value, shape, problems)
        if problems.count:
            raise KnowledgeError(problems.summary()[0])
        knowledge.schema[key] = shape
        _merge_value(knowledge.lists, key, checked, shape)


_RULE_KEYS = ("code", "name", "default", "summary", "message", "rationale")


def _rule_from(data: Any, path: Path) -> RuleMeta:
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: a rule file must be a mapping")
    missing = [key for key in _RULE_KEYS if key not in data]
    if missing:
        raise KnowledgeError(f"{path}: missing {', '.join(missing)}")
    fix = data.get("fix") or {}
    return RuleMeta(
        code=data["code"],
        name=data["name"],
        default_on=data["default"] == "on",
        summary=data["summary"].strip(),
        message=" ".join(data["message"].split()),
        rationale=data["rationale"].strip(),
        fixable=bool(fix.get("available")),
        fix=fix,
        examples=data.get("examples") or {},
        raw=data,
    )


@functools.lru_cache(maxsize=None)
def builtin() -> Knowledge:
    """The knowledge shipped with the package."""
    from .compiled_knowledge import documents

    base = rules_dir()
    knowledge = Knowledge()
    rule_paths = sorted(base.glob("ABR*.yaml"))
    list_paths = sorted((base / "knowledge").glob("*.yaml"))
    try:
        rule_data = documents(rule_paths, _parse_yaml)
        list_data = documents(list_paths, _parse_yaml)
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{base}: cannot read the built-in rules: {exc}") from None
    for path, data in zip(rule_paths, rule_data):
        rule = _rule_from(data, path)
        knowledge.rules[rule.code] = rule
        _add_builtin(knowledge, data.get("knowledge"), str(path))
    for path, data in zip(list_paths, list_data):
        _add_builtin(knowledge, data, str(path))
    return knowledge


@functools.lru_cache(maxsize=None)
def with_extra(paths: tuple[str, ...]) -> Knowledge:
    """Built-in knowledge plus the user's files, checked against the built-in schema.

    Never raises for a user file: a file that cannot be used at all (missing, too
    large, not YAML, aliases) is skipped, a bad entry is dropped, an unknown key is
    ignored; each is one line in ``problems``. The built-in knowledge always stays.
    """
    knowledge = builtin()
    for name in paths:
        path = Path(name)
        try:
            if not path.is_file():
                raise KnowledgeError(f"{name}: no such knowledge file")
            data = _read_yaml(path, limit=MAX_KNOWLEDGE_BYTES)
        except KnowledgeError as exc:
            knowledge = replace(knowledge, problems=knowledge.problems + (f"{exc}; file ignored",))
            continue
        knowledge = knowledge.merged(data, name)
    return knowledge
