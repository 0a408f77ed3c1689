"""Per-process caches behind ``Settings``: the knowledge and the project index.

The knowledge (YAML) and the index (with the analysis it may load) are imported when
first needed: an editor lint whose findings come from the cache needs neither.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ..index import cache
from .report import warn

if TYPE_CHECKING:
    from ..index.project import ProjectIndex
    from ..knowledge import Knowledge


@functools.lru_cache(maxsize=None)
def load_knowledge(extra: tuple[str, ...]) -> "Knowledge":
    """Builtin + user knowledge; each problem in a user file is reported once, its bad part skipped."""
    from .. import knowledge as knowledge_mod

    try:
        knowledge = knowledge_mod.with_extra(extra)
    except knowledge_mod.KnowledgeError as exc:
        warn(f"--abr-extra-knowledge: {exc}; using the built-in knowledge only")
        return knowledge_mod.builtin()
    for problem in knowledge.problems:
        warn(f"--abr-extra-knowledge: {problem}")
    return knowledge


def project_store(root: str | None, extra: tuple[str, ...], cache_dir: str | None = None,
                  no_cache: bool = False) -> tuple[Path, cache.CacheStore | None]:
    """The project's resolved root and its cache (None: off, or the root is not a folder)."""
    resolver_root = Path(root) if root else Path.cwd()
    try:
        resolver_root = resolver_root.resolve()
    except OSError:
        resolver_root = resolver_root.absolute()
    store = cache.open_store(resolver_root, extra, cache_dir, enabled=not no_cache and resolver_root.is_dir())
    return resolver_root, store


@functools.lru_cache(maxsize=8)
def project_index(root: str | None, extra: tuple[str, ...], cache_dir: str | None = None,
                  no_cache: bool = False) -> "ProjectIndex":
    from ..index.project import ProjectIndex

    knowledge = load_knowledge(extra)
    _root, store = project_store(root, extra, cache_dir, no_cache)
    index = ProjectIndex(root, knowledge, store)
    if root and not index.resolver.exists:
        warn(f"--abr-project-root {root!r} is not a directory; cross-module facts are unknown")
    cache.flush_at_exit(index)
    return index
