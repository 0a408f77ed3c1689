"""The project index: facts about other modules of the project, computed on demand.

Every answer is yes / no / unknown (None); unknown is never reported. Each module
file is parsed at most once per process, and only when a question needs it.
"""

from __future__ import annotations

import ast
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis import contexts
from .resolver import ModuleResolver
from .summary import FunctionSummary, ModuleSummary, summarize

if TYPE_CHECKING:
    from ..analysis.module import ModuleAnalysis
    from ..knowledge import Knowledge

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 6


class ProjectIndex:
    def __init__(self, project_root: str | None, knowledge: "Knowledge") -> None:
        self._root = project_root
        self.resolver = ModuleResolver(project_root)
        self.knowledge = knowledge
        # resolved path -> text of an unsaved editor buffer, read instead of the file
        self.overlay: dict[str, str] = {}
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._pending: dict[str, "ModuleAnalysis"] = {}
        self._building: set[str] = set()
        self._memo: dict[tuple[str, str], object] = {}
        self._source_names: SourceNames | None = None
        self._models = None

    def forget(self, listing: bool = False) -> None:
        """Drop every fact learnt from file contents (a file or an overlay changed);
        with ``listing``, also which files exist (files were created or deleted)."""
        self._summaries.clear()
        self._pending.clear()
        self._memo.clear()
        self._source_names = None
        self._models = None
        if listing:
            self.resolver = ModuleResolver(self._root)

    @property
    def models(self):
        """Django model facts (index/models.py), built on first use."""
        if self._models is None:
            from .models import ModelIndex

            self._models = ModelIndex(self)
        return self._models

    # -- modules ------------------------------------------------------------
    def register(self, analysis: "ModuleAnalysis") -> None:
        """The module being checked: summarised from its analysis if someone asks.

        Only the current module is kept: holding every checked module's tree would
        grow a flake8 run's memory with the project; a module checked earlier is
        summarised from its file if a later question needs it.
        """
        self._pending.clear()
        if analysis.module and analysis.module not in self._summaries:
            self._pending[analysis.module] = analysis

    def summary(self, module: str) -> ModuleSummary | None:
        if module in self._summaries:
            return self._summaries[module]
        if module in self._building:
            return None  # import cycle: unknown for now
        self._building.add(module)
        try:
            pending = self._pending.pop(module, None)
            if pending is not None:
                result = summarize(pending)
            else:
                path = self.resolver.find(module)
                result = self._summarize_file(path) if path is not None else None
        finally:
            self._building.discard(module)
        self._summaries[module] = result
        return result

    def _summarize_file(self, path: Path) -> ModuleSummary | None:
        from ..analysis.module import ModuleAnalysis

        try:
            source = self.overlay.get(str(path))
            if source is None:
                if path.stat().st_size > MAX_FILE_BYTES:
                    return None
                with tokenize.open(path) as handle:
                    source = handle.read()
            tree = ast.parse(source, filename=str(path))
            analysis = ModuleAnalysis(tree, str(path), self.knowledge, self)
            return summarize(analysis)
        except (SyntaxError, ValueError, UnicodeError, OSError, RecursionError, MemoryError, LookupError):
            return None

    def _split(self, qualname: str) -> tuple[ModuleSummary, str] | None:
        """Split ``pkg.mod.Class.meth`` into the module summary and ``Class.meth``."""
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if self.resolver.find(module) is None and module not in self._pending and module not in self._summaries:
                continue
            summary = self.summary(module)
            if summary is not None:
                return summary, ".".join(parts[cut:])
        return None

    # -- functions and classes ----------------------------------------------
    def function(self, qualname: str, depth: int = 0) -> FunctionSummary | None:
        if depth > MAX_DEPTH:
            return None
        split = self._split(qualname)
        if split is None:
            return None
        summary, local = split
        found = summary.functions.get(local)
        if found is not None:
            return found
        head, _, rest = local.partition(".")
        if head in summary.names:  # re-exported: ``from .services import sync_orders``
            target = summary.names[head] + (f".{rest}" if rest else "")
            if target != qualname:
                return self.function(target, depth + 1)
        if rest and "." not in rest and head in summary.classes:
            method = self.find_method(f"{summary.module}.{head}", rest, depth + 1)
            if method and method != qualname:
                return self.function(method, depth + 1)
        return None

    def find_method(self, class_qualname: str, name: str, depth: int = 0) -> str | None:
        if depth > MAX_DEPTH:
            return None
        split = self._split(class_qualname)
        if split is None:
            return None
        summary, local = split
        if local not in summary.classes:
            if local in summary.names:
                return self.find_method(summary.names[local], name, depth + 1)
            return None
        if f"{local}.{name}" in summary.functions:
            return f"{summary.module}.{local}.{name}"
        for base in summary.classes[local]:
            found = self.find_method(base, name, depth + 1)
            if found:
                return found
        return None

    def class_derives(self, class_qualname: str, targets: frozenset[str], attr_targets: frozenset[str], depth: int = 0) -> bool:
        if depth > MAX_DEPTH:
            return False
        if depth == 0:
            key = ("derives", class_qualname, targets, attr_targets)
            if key not in self._memo:
                self._memo[key] = self.class_derives(class_qualname, targets, attr_targets, 1)
            return self._memo[key]
        split = self._split(class_qualname)
        if split is None:
            return False
        summary, local = split
        bases = summary.classes.get(local)
        if bases is None:
            if local in summary.names:
                target = summary.names[local]
                return target in targets or self.class_derives(target, targets, attr_targets, depth + 1)
            return False
        for base in bases:
            if base in targets:
                return True
            if base.startswith("<attr>:"):
                if base[7:] in attr_targets:
                    return True
            elif self.class_derives(base, targets, attr_targets, depth + 1):
                return True
        return False

    # -- transitive facts ------------------------------------------------------
    def is_async(self, qualname: str) -> bool | None:
        fn = self.function(qualname)
        return None if fn is None else fn.is_async

    def runner_param(self, qualname: str) -> int | None:
        if qualname.rsplit(".", 1)[-1] not in self.source_names().runner_candidates:
            return None  # no function of that name sits next to a loop API anywhere
        fn = self.function(qualname)
        return None if fn is None else fn.runner_param

    def source_names(self) -> "SourceNames":
        """Names gathered by one text scan of the project, to skip parses cheaply."""
        if self._source_names is None:
            self._source_names = SourceNames.scan(self._sources())
        return self._source_names

    def split(self, qualname: str) -> tuple[ModuleSummary, str] | None:
        return self._split(qualname)

    def db_site(self, qualname: str) -> tuple[str, int] | None | bool:
        """(function, line) of database work the function does itself or through project
        callees; False when it provably does none; None when the function is unknown."""
        fn = self.function(qualname)
        if fn is None:
            return None
        return self._reach(fn, "db", lambda f: f.db_line is not None, line=lambda f: f.db_line) or False

    def sync_orm_site(self, qualname: str, through_async: bool = True) -> tuple[str, int] | None:
        """(function, line) of a sync ORM query the function reaches, or None."""
        fn = self.function(qualname)
        if fn is None:
            return None
        key = "sync_orm" if through_async else "sync_orm_sync_only"
        return self._reach(fn, key, lambda f: f.sync_orm_line is not None, lambda f: f.sync_orm_line, through_async)

    def _reach(self, start: FunctionSummary, key: str, has, line, through_async: bool = True):
        """Breadth-first over project calls; returns (qualname, line) of a hit or None."""
        memo_key = (key, start.qualname)
        if memo_key in self._memo:
            return self._memo[memo_key]
        seen = {start.qualname}
        queue = [start]
        hit = None
        while queue and hit is None and len(seen) < 500:
            fn = queue.pop(0)
            if has(fn):
                hit = (fn.qualname, line(fn))
                break
            for callee in fn.calls:
                if callee in seen:
                    continue
                seen.add(callee)
                target = self.function(callee)
                if target is None or (target.is_async and not through_async and target is not start):
                    continue
                queue.append(target)
        self._memo[memo_key] = hit
        return hit

    # -- who calls a function ---------------------------------------------------
    def reached_from_worker(self, qualname: str, _seen: set[str] | None = None, _depth: int = 0) -> str | None:
        """The worker-context function (qualified) that reaches ``qualname`` through
        sync project calls, searching the whole project; None when none does."""
        memo_key = ("worker", qualname)
        if memo_key in self._memo:
            return self._memo[memo_key]
        seen = _seen if _seen is not None else set()
        seen.add(qualname)
        result = None
        if _depth <= 4:
            short = qualname.rsplit(".", 1)[-1]
            for summary in self._modules_mentioning(short):
                for fn in summary.functions.values():
                    if qualname not in fn.calls or fn.qualname in seen:
                        continue
                    if fn.context in contexts.WORKER_CONTEXTS:
                        result = fn.qualname
                    elif not fn.is_async and fn.context not in contexts.EXEMPT_CONTEXTS:
                        result = self.reached_from_worker(fn.qualname, seen, _depth + 1)
                    if result:
                        break
                if result:
                    break
        self._memo[memo_key] = result
        return result

    def _sources(self):
        """(path, bytes) of every project file, an overlay's text in place of the file's."""
        for path, data in self.resolver.python_sources(MAX_FILE_BYTES):
            text = self.overlay.get(str(path)) if self.overlay else None
            yield path, data if text is None else text.encode("utf-8")

    def _modules_mentioning(self, name: str):
        needle = name.encode()
        pattern = re.compile(rb"\b" + re.escape(needle) + rb"\b")
        for path, data in self._sources():
            if needle not in data or not pattern.search(data):
                continue
            module, _ = self.resolver.module_of(str(path))
            if module is None:
                continue
            summary = self.summary(module)
            if summary is not None and Path(summary.path).resolve() == path.resolve():
                yield summary



_DEF = re.compile(rb"\bdef\s+(\w+)")
_ASYNC_DEF = re.compile(rb"\basync\s+def\s+(\w+)")
_BRIDGED_DEF = re.compile(
    rb"@\s*(?:[\w.]+\.)?(?:database_)?sync_to_async\b[^\n]*\n(?:[ \t]*@[^\n]*\n)*[ \t]*def\s+(\w+)"
)


@dataclass(frozen=True)
class SourceNames:
    """Function names found by a text scan of every project file (no parsing).

    ``awaitable``: ``async def`` names and ``@sync_to_async`` defs. ``runner_candidates``:
    every def in a file that mentions a loop-running API; a runner is one of them.
    """

    awaitable: frozenset[str]
    runner_candidates: frozenset[str]

    @classmethod
    def scan(cls, sources) -> "SourceNames":
        awaitable: set[bytes] = set()
        runners: set[bytes] = set()
        for _path, data in sources:
            if b"async" in data:
                awaitable.update(_ASYNC_DEF.findall(data))
                if b"sync_to_async" in data:
                    awaitable.update(_BRIDGED_DEF.findall(data))
            if b"run_until_complete" in data or (b"asyncio" in data and b"run(" in data):
                runners.update(_DEF.findall(data))
        decode = lambda names: frozenset(n.decode("ascii", "replace") for n in names)  # noqa: E731
        return cls(awaitable=decode(awaitable), runner_candidates=decode(runners))
