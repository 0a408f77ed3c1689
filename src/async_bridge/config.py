"""Settings shared by the flake8 plugin and the CLI."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field

from . import knowledge as knowledge_mod
from .index.project import ProjectIndex


@dataclass(frozen=True)
class Settings:
    project_root: str | None = None
    django_version: tuple[int, int] | None = None
    extra_knowledge: tuple[str, ...] = ()
    enable: frozenset[str] = field(default_factory=frozenset)

    @property
    def knowledge(self) -> knowledge_mod.Knowledge:
        return load_knowledge(self.extra_knowledge)

    @property
    def index(self) -> ProjectIndex:
        return project_index(self.project_root, self.extra_knowledge)

    def enabled(self, code: str) -> bool:
        rule = self.knowledge.rules.get(code)
        if rule is None:
            return False
        return rule.default_on or code in self.enable


def warn(message: str) -> None:
    print(f"flake8-async-bridge: {message}", file=sys.stderr)


@functools.lru_cache(maxsize=None)
def load_knowledge(extra: tuple[str, ...]) -> knowledge_mod.Knowledge:
    """Builtin + user knowledge; a broken user file is reported once and skipped."""
    try:
        return knowledge_mod.with_extra(extra)
    except knowledge_mod.KnowledgeError as exc:
        warn(f"--abr-extra-knowledge: {exc}; using the built-in knowledge only")
        return knowledge_mod.builtin()


@functools.lru_cache(maxsize=8)
def project_index(root: str | None, extra: tuple[str, ...]) -> ProjectIndex:
    index = ProjectIndex(root, load_knowledge(extra))
    if root and not index.resolver.exists:
        warn(f"--abr-project-root {root!r} is not a directory; cross-module facts are unknown")
    return index


def parse_django_version(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    parts = str(value).strip().split(".")
    try:
        major = int(parts[0])
        minor = int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        raise ValueError(f"--abr-django-version: expected a version like 4.2, got {value!r}") from None
    return (major, minor)


def parse_codes(values) -> frozenset[str]:
    if not values:
        return frozenset()
    if isinstance(values, str):
        values = values.split(",")
    return frozenset(v.strip().upper() for v in values if v and v.strip())
