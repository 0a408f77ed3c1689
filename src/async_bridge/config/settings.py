"""The settings record every entry point hands to the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import discovery
from .caches import load_knowledge, project_index
from .doc_urls import rule_doc_url

if TYPE_CHECKING:  # both loaded when first used (an editor lint from the cache uses neither)
    from .. import knowledge as knowledge_mod
    from ..index.project import ProjectIndex


@dataclass(frozen=True)
class Settings:
    project_root: str | None = None  # None: the current directory
    django_version: tuple[int, int] | None = None  # None: from the project's pins
    extra_knowledge: tuple[str, ...] = ()
    enable: frozenset[str] = field(default_factory=frozenset)
    docs_url: str | None = None  # None: DOCS_BASE_URL
    # file patterns (see ``discovery``): ``exclude`` None keeps the default folders
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    cache_dir: str | None = None  # None: <project root>/.async_bridge_cache
    no_cache: bool = False

    @property
    def knowledge(self) -> "knowledge_mod.Knowledge":
        return load_knowledge(self.extra_knowledge)

    @property
    def index(self) -> "ProjectIndex":
        return project_index(self.project_root, self.extra_knowledge, self.cache_dir, self.no_cache)

    def enabled(self, code: str) -> bool:
        rule = self.knowledge.rules.get(code)
        if rule is None:
            return False
        return rule.default_on or code in self.enable

    def doc_url(self, code: str) -> str | None:
        return rule_doc_url(code, self.docs_url)

    def with_doc_link(self, message: str, code: str) -> str:
        """``message`` followed by `` (docs: URL)`` for rule ``code`` (unchanged without a URL)."""
        url = self.doc_url(code)
        return f"{message} (docs: {url})" if url else message

    @property
    def user_excludes(self) -> tuple[str, ...]:
        """The patterns the user wrote (``exclude`` and ``extend-exclude``)."""
        return (*(self.exclude or ()), *self.extend_exclude)

    def excluded(self, filename: str) -> bool:
        """Whether the user's patterns exclude this file (also when it is named explicitly)."""
        patterns = self.user_excludes
        return bool(patterns) and discovery.matches(filename, patterns, self.project_root)
