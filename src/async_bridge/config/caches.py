"""Per-process caches behind ``Settings``: the knowledge and the project index."""

from __future__ import annotations

import functools

from .. import knowledge as knowledge_mod
from ..index.project import ProjectIndex
from .report import warn


@functools.lru_cache(maxsize=None)
def load_knowledge(extra: tuple[str, ...]) -> knowledge_mod.Knowledge:
    """Builtin + user knowledge; each problem in a user file is reported once, its bad part skipped."""
    try:
        knowledge = knowledge_mod.with_extra(extra)
    except knowledge_mod.KnowledgeError as exc:
        warn(f"--abr-extra-knowledge: {exc}; using the built-in knowledge only")
        return knowledge_mod.builtin()
    for problem in knowledge.problems:
        warn(f"--abr-extra-knowledge: {problem}")
    return knowledge


@functools.lru_cache(maxsize=8)
def project_index(root: str | None, extra: tuple[str, ...]) -> ProjectIndex:
    index = ProjectIndex(root, load_knowledge(extra))
    if root and not index.resolver.exists:
        warn(f"--abr-project-root {root!r} is not a directory; cross-module facts are unknown")
    return index
