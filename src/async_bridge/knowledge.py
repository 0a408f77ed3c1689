"""The rule catalogue and knowledge lists, loaded from YAML once per process.

Rule files (``rules/ABRnnn.yaml``) carry metadata, message, rationale and examples;
an optional ``knowledge:`` mapping inside a rule file and the files under
``rules/knowledge/`` carry named lists (qualified names, method names) or mappings
(method -> twin). Users extend them with ``--abr-extra-knowledge FILE.yaml``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import task_frameworks


class KnowledgeError(Exception):
    """A knowledge or rule file that cannot be used; the message is one line."""


def rules_dir() -> Path:
    """Installed wheels carry ``async_bridge/rules``; a checkout has ``<repo>/rules``."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    if packaged.is_dir():
        return packaged
    return here.parents[1] / "rules"


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


@dataclass
class Knowledge:
    rules: dict[str, RuleMeta] = field(default_factory=dict)
    lists: dict[str, Any] = field(default_factory=dict)

    def names(self, key: str) -> frozenset[str]:
        value = self.lists.get(key, ())
        return value if isinstance(value, frozenset) else frozenset(value)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.lists.get(key, {})
        return value if isinstance(value, dict) else {}

    def merged(self, extra: dict[str, Any], origin: str) -> "Knowledge":
        lists = dict(self.lists)
        _merge_lists(lists, extra, origin)
        return Knowledge(rules=self.rules, lists=lists)


# libyaml's safe loader when PyYAML has it: the knowledge loads in every flake8
# process (each -j worker), and the pure-Python loader costs ~0.2 s there.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KnowledgeError(f"{path}: {where}invalid YAML ({problem})") from None


def _merge_lists(lists: dict[str, Any], extra: Any, origin: str) -> None:
    if extra is None:
        return
    if not isinstance(extra, dict):
        raise KnowledgeError(f"{origin}: expected a mapping of knowledge keys to lists")
    for key, value in extra.items():
        if not isinstance(key, str):
            raise KnowledgeError(f"{origin}: key {key!r} is not a string")
        current = lists.get(key)
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                raise KnowledgeError(f"{origin}: '{key}' must be a list of strings")
            if current is not None and not isinstance(current, frozenset):
                raise KnowledgeError(f"{origin}: '{key}' must be a mapping, not a list")
            lists[key] = frozenset(current or ()) | frozenset(value)
        elif isinstance(value, dict):
            if key == task_frameworks.KEY:
                try:
                    task_frameworks.check(value, origin)
                except task_frameworks.FrameworkError as exc:
                    raise KnowledgeError(str(exc)) from None
            if current is not None and not isinstance(current, dict):
                raise KnowledgeError(f"{origin}: '{key}' must be a list, not a mapping")
            lists[key] = {**(current or {}), **value}
        else:
            raise KnowledgeError(f"{origin}: '{key}' must be a list or a mapping")


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
    base = rules_dir()
    knowledge = Knowledge()
    for path in sorted(base.glob("ABR*.yaml")):
        data = _read_yaml(path)
        rule = _rule_from(data, path)
        knowledge.rules[rule.code] = rule
        _merge_lists(knowledge.lists, data.get("knowledge"), str(path))
    for path in sorted((base / "knowledge").glob("*.yaml")):
        _merge_lists(knowledge.lists, _read_yaml(path), str(path))
    return knowledge


@functools.lru_cache(maxsize=None)
def with_extra(paths: tuple[str, ...]) -> Knowledge:
    """Builtin knowledge plus the user's files; raises KnowledgeError on a bad file."""
    knowledge = builtin()
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise KnowledgeError(f"{name}: no such knowledge file")
        knowledge = knowledge.merged(_read_yaml(path), name)
    return knowledge
