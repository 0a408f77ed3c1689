"""The project index: facts about other modules of the project, computed on demand.

Implements ``records.project.Project`` for the analysis. Every answer is known or
unknown; unknown is never reported. A module is parsed at most once per process,
and only when a question needs it; the module being checked is summarised from
its own analysis (no re-parse). Import cycles answer unknown for the module being
built.
"""

from __future__ import annotations

import ast
import time
from collections import Counter, OrderedDict, deque
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, NamedTuple

from ..records.summaries import (
    UNRESOLVED_ATTR, ClassSummary, Edge, FunctionShape, FunctionSummary, ModuleSummary, Reach, Site, Step,
)
from ..records import constants
from ..records.values import REFERENCES, Kind, Value
from .cache import CacheStore, digest, text_digest
from . import findings_lookup
from .entries import StoredFindings, StoredSummary, save, summary_name
from .mentions import MentionIndex
from .models import ModelIndex
from .project_files import ProjectFiles
from .recording import Recorder, RecordingProject
from .resolver import MAX_FILE_BYTES, ModuleResolver
from .source_names import SourceNames

if TYPE_CHECKING:
    from ..analysis.module import ModuleAnalysis
    from ..knowledge import Knowledge

# The analysis is imported when a module is first parsed, not with the index: a run whose
# answers all come from the cache never loads it.

MAX_DEPTH = 6  # re-export / base-class hops
MAX_REACH = 500  # functions visited by one reach question
RECENT_ANALYSES = 4  # parsed modules kept to answer further facts about them
FLUSH_SECONDS = 1.0  # the cache is written at most this often during a run (and at exit)
_PARSE_ERRORS = (SyntaxError, ValueError, UnicodeError, OSError, RecursionError, MemoryError, LookupError)


class ProjectIndex:
    def __init__(self, project_root: str | None, knowledge: "Knowledge", store: CacheStore | None = None) -> None:
        self._root = project_root
        self.store = store  # the persistent cache (None: off)
        # resolved path -> text of an unsaved editor buffer, read instead of the file
        self._overlay: dict[str, str] = {}
        self.resolver = ModuleResolver(project_root)
        self.files = ProjectFiles(self.resolver, store, self._overlay)
        self.mentions = self._mentions()
        self._files_ready = False
        self._stored: dict[str, StoredSummary] = {}  # module -> its summary record this process
        self._recorders: dict[str, Recorder] = {}  # module -> the questions its analyses asked
        self._parsed: dict[str, str] = {}  # module -> digest of the text its analysis parsed
        self._live: dict[str, ModuleSummary | None] = {}  # module -> summary from a parse, for missing facts
        self.stats: Counter[str] = Counter()  # parses, records used (tests count them)
        self.parse_counts: Counter[str] = Counter()  # module -> times parsed
        self._flushed = time.monotonic()
        self.knowledge = knowledge
        self.models = ModelIndex(self)
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._recent: OrderedDict[str, "ModuleAnalysis"] = OrderedDict()
        self._functions: dict[str, FunctionSummary | None] = {}
        self._pending: dict[str, "ModuleAnalysis"] = {}
        self._building: set[str] = set()
        self._reach_memo: dict[tuple[str, ...] | tuple[str, str, frozenset[str]], object] = {}
        self._derives_memo: dict[tuple, bool] = {}
        self._source_names: SourceNames | None = None

    def _mentions(self) -> MentionIndex:
        """The index of mentions, fed with every file the text scan reads (so a file is
        read once for both)."""
        mentions = MentionIndex(self.files, self.store)
        # with a cache, the text scan's read of a file also indexes its words (a file is read
        # once); without one, the words are read when a reverse question first needs them
        self.files.on_read = mentions.note if self.store is not None else None
        self.files.files_with = mentions.files_mentioning_any
        return mentions

    @property
    def overlay(self) -> dict[str, str]:
        return self._overlay

    @overlay.setter
    def overlay(self, texts: dict[str, str]) -> None:
        self._overlay = texts
        self.files.overlay = texts

    def forget(self, listing: bool = False) -> None:
        """Drop every fact learnt from file contents (a file or an overlay changed);
        with ``listing``, also which files exist (files were created or deleted)."""
        self.flush()
        self._files_ready = False
        self._stored.clear()
        self._recorders.clear()
        self._parsed.clear()
        self._live.clear()
        self.mentions = self._mentions()
        self._summaries.clear()
        self._pending.clear()
        self._recent.clear()
        self._functions.clear()
        self._reach_memo.clear()
        self._derives_memo.clear()
        self._source_names = None
        self.models = ModelIndex(self)
        if listing:
            self.resolver = ModuleResolver(self._root)
            self.files.resolver = self.resolver
            self.resolver.known_files = self.files.known_files

    # -- Project protocol: files --------------------------------------------
    def module_of(self, filename: str) -> tuple[str | None, bool]:
        return self.resolver.module_of(filename)

    def relative(self, filename: str) -> str:
        return self.resolver.relative(filename)

    def module_path(self, module: str) -> str | None:
        path = self.resolver.find(module)
        return str(path) if path is not None else None

    def source_names(self) -> SourceNames:
        """Names gathered by a text scan of the project (cached per file), to skip look-ups cheaply."""
        if self._source_names is None:
            self.prepare()
            self._source_names = self.files.names
        return self._source_names

    def prepare(self) -> None:
        """Validate the project's files against the cache (once per process, and again
        after ``forget``): a flake8 main process does it before its workers start."""
        if not self._files_ready:
            self.files.refresh()
            self._files_ready = True
            if self.store is not None:
                # what a cold scan indexed goes to disk now, before any module is analysed:
                # the words of every file never sit in memory next to the analyses
                self.mentions.flush()

    def recording(self) -> RecordingProject:
        """The project as a checked module's analysis sees it, its questions recorded."""
        return RecordingProject(self, Recorder())

    # -- modules ------------------------------------------------------------
    def register(self, analysis: ModuleAnalysis) -> None:
        """The module being checked: its summary is answered from its analysis, part by
        part, if someone asks.

        Only the current module is kept: holding every checked module's tree would
        grow a flake8 run's memory with the project; a module checked earlier is
        summarised from its file if a later question needs it.
        """
        for module in self._pending:
            self._summaries.pop(module, None)  # its live summary holds the tree: forget it
        self._pending.clear()
        if analysis.module and analysis.module not in self._summaries:
            self._pending[analysis.module] = analysis

    def release(self, analysis: "ModuleAnalysis") -> None:
        """The module's check is over: its tree goes back to its owner (flake8 frees it)."""
        if analysis.module and self._pending.get(analysis.module) is analysis:
            del self._pending[analysis.module]
            self._summaries.pop(analysis.module, None)

    def summary(self, module: str) -> ModuleSummary | None:
        """What the index knows about a module: its structure at once, its facts
        (functions, globals, class attributes) computed on first use."""
        if module in self._summaries:
            return self._summaries[module]
        if module in self._building:
            return None  # import cycle: unknown for now
        self._building.add(module)
        try:
            pending = self._pending.get(module)
            if pending is not None:
                from ..analysis.summarize import live_summary

                result: ModuleSummary | None = live_summary(pending)
            else:
                result = self._file_summary(module)
        finally:
            self._building.discard(module)
        self._summaries[module] = result
        return result

    def _file_summary(self, module: str) -> ModuleSummary | None:
        """A module's summary from its cached record when that still holds, else from a
        parse (and then recorded, facts included as they are computed)."""
        path = self.resolver.find(module)
        if path is None:
            return None
        rel, content = self._content_key(path)
        name = summary_name(rel, module, content) if content is not None and self.store is not None else None
        if name is not None:
            stored = StoredSummary.from_data(self.store, name, self.store.read(name), rel, module, content)  # type: ignore[union-attr,arg-type]  # `name` is set only when there is a store
            if stored is not None and self._holds(stored.generation, stored.recorder):
                self.stats["summary records used"] += 1
                self._stored[module] = stored
                self._recorders[module] = stored.recorder
                return stored.summary(lambda: self._live_summary(module))
        live = self._live_summary(module)
        if live is None or name is None or content is None:
            return live
        stored = StoredSummary.from_live(name, rel, module, content, live, self._recorder(module))
        stored.writable = self._parsed.get(module) == content and rel not in self.files.overlaid
        stored.dirty = True
        self._stored[module] = stored
        return stored.summary(lambda: live, known=live)

    def _live_summary(self, module: str) -> ModuleSummary | None:
        """The summary of a parse of the module (facts computed on first use)."""
        if module not in self._live:
            from ..analysis.summarize import live_summary

            analysis = self._load(module)
            self._live[module] = (live_summary(analysis, reload=lambda: self._load(module))
                                  if analysis is not None else None)
        return self._live[module]

    def _content_key(self, path: Path | str) -> tuple[str, str | None]:
        """(path relative to the project root, its content digest) of a project file; the
        digest is None for a file the cache does not know (outside the root, too big)
        and when the cache is off."""
        rel = self.files.relative(path)
        if self.store is None:
            return rel, None
        self.prepare()
        return rel, self.files.digest_of(rel)

    # -- a checked file's findings ---------------------------------------------------------
    def findings_record(self, filename: str, text: str, settings: str,
                        checks: list[str] | None = None) -> StoredFindings | None:
        """The cached findings of a file checked before with this text, settings and
        ``checks`` (None: all; the record; its answers are not checked yet), or None."""
        if self.store is None:
            return None
        rel = findings_lookup.relative(self.resolver.root, filename)
        if rel is None:
            return None  # outside the project
        self.prepare()
        # the module name is not in the key: the analysis asks it (a recorded question), and
        # a new ``__init__.py`` changes the project's generation
        name = findings_lookup.findings_name(rel, text_digest(text), settings)
        record = StoredFindings.from_data(self.store, name, self.store.read(name))
        if record is None or record.checks != checks:
            # another set of checks ran: its questions say nothing of these (rewritten after this run)
            return StoredFindings(name, None, None, Recorder(), checks)
        return record

    def findings_hold(self, record: StoredFindings, deep: bool) -> bool:
        """Whether a findings record holds: at once when the project is unchanged since it
        was written; with ``deep`` (the file's analysis registered) by asking again."""
        if record.findings is None:
            return False
        current = self.files.generation
        if current is not None and record.generation == current:
            self.stats["findings records used"] += 1
            return True
        if not deep:
            return False
        self.stats["records checked"] += 1
        if record.recorder.holds(self):
            self.stats["findings records used"] += 1
            record.generation = None  # valid now: written again with this generation
            self._save_findings(record)
            return True
        return False

    def save_findings(self, record: StoredFindings, findings: list, recorder: Recorder) -> None:
        record.findings = findings
        record.recorder = recorder
        self._save_findings(record)

    def _save_findings(self, record: StoredFindings) -> None:
        if self.store is None or self.files.overlaid:
            return  # an unsaved buffer may be in the answers: nothing is recorded
        save(self.store, record.name, record.to_data(self.files.generation), record.recorder)
        self.flush_now_and_then()

    def flush_now_and_then(self) -> None:
        """Flush at most every second (and at exit): records are written as a run goes."""
        now = time.monotonic()
        if now - self._flushed >= FLUSH_SECONDS:
            self._flushed = now
            self.flush()

    def _holds(self, generation: str | None, recorder: Recorder) -> bool:
        """Whether a record's answers still hold: the project is unchanged since it was
        valid, or every question it asked gets the same answer now."""
        current = self.files.generation
        if current is not None and generation == current:
            return True
        self.stats["records checked"] += 1
        return recorder.holds(self)

    def _recorder(self, module: str) -> Recorder:
        recorder = self._recorders.get(module)
        if recorder is None:
            recorder = self._recorders[module] = Recorder()
        return recorder

    def flush(self) -> None:
        """Write what this process learnt to the cache (records of modules whose facts
        grew or were found valid again, and newly indexed files)."""
        if self.store is None or not self.store.writable:
            return
        generation = self.files.generation
        for stored in list(self._stored.values()):
            if stored.dirty and stored.writable:
                save(self.store, stored.name, stored.to_data(generation), stored.recorder)
                stored.dirty = False
        self.mentions.flush()

    def _load(self, module: str) -> ModuleAnalysis | None:
        """A shallow analysis of a module's file, kept among the most recent few (a fact
        asked after it left them parses the file again)."""
        recent = self._recent
        if module in recent:
            recent.move_to_end(module)
            return recent[module]
        analysis = self._analyse(module)
        if analysis is not None:
            recent[module] = analysis
            if len(recent) > RECENT_ANALYSES:
                recent.popitem(last=False)
        return analysis

    def _analyse(self, module: str) -> ModuleAnalysis | None:
        """A shallow analysis of a module's file (None: not found, too big, unparsable)."""
        path = self.resolver.find(module)
        if path is None:
            return None
        try:
            text = self.overlay.get(str(path))
            if text is not None:
                source = text.encode("utf-8")
            else:
                if path.stat().st_size > MAX_FILE_BYTES:
                    return None
                source = path.read_bytes()
            self.stats["parses"] += 1
            self.parse_counts[module] += 1
            self._parsed[module] = digest(source)
            tree = ast.parse(source, filename=str(path))
            project = RecordingProject(self, self._recorder(module))
            from ..analysis.module import ModuleAnalysis

            return ModuleAnalysis(tree, str(path), self.knowledge, project, deep=False)
        except _PARSE_ERRORS:
            return None

    def has_module(self, module: str) -> bool:
        """Whether the project has a module or package of that name (at a source root)."""
        return self.resolver.find(module) is not None

    def _known(self, module: str) -> bool:
        return module in self._summaries or module in self._pending or self.has_module(module)

    def split(self, qualname: str) -> tuple[ModuleSummary, str] | None:
        """Split ``pkg.mod.Class.meth`` into the module's summary (or shape) and ``Class.meth``."""
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if not self._known(module):
                continue
            summary = self.summary(module)
            if summary is not None:
                return summary, ".".join(parts[cut:])
        return None

    def _follow(self, qualname: str, pick: Callable[[ModuleSummary, str], object], depth: int = 0) -> object:
        """``pick(summary, local)`` for the module defining ``qualname``, following
        re-exports (``from .services import sync_orders``) to where it is defined."""
        if depth > MAX_DEPTH:
            return None
        split = self.split(qualname)
        if split is None:
            return None
        summary, local = split
        found = pick(summary, local)
        if found is not None:
            return found
        head, _, rest = local.partition(".")
        if head in summary.names:
            target = summary.names[head] + (f".{rest}" if rest else "")
            if target != qualname:
                return self._follow(target, pick, depth + 1)
        return None

    # -- functions and classes ----------------------------------------------
    def has_function(self, qualname: str) -> bool:
        def pick(summary: ModuleSummary, local: str) -> bool | None:
            return True if local in summary.shapes else None

        return self._follow(qualname, pick) is True

    def has_global(self, qualname: str) -> bool:
        def pick(summary: ModuleSummary, local: str) -> bool | None:
            return True if local in summary.assigned else None

        return self._follow(qualname, pick) is True

    def function_shape(self, qualname: str) -> FunctionShape | None:
        """What a function is (awaitable? runs its body? threaded? a runner?), cheaply."""
        def pick(summary: ModuleSummary, local: str) -> tuple[str, FunctionShape] | None:
            found = summary.shapes.get(local)
            return (f"{_prefix(summary)}{local}", found) if found is not None else None

        found = self._follow(qualname, pick)
        if not isinstance(found, tuple):
            return None
        own, shape = found
        if shape.decorators and not shape.is_async and self._threading_decorator(shape.decorators):
            shape = shape._replace(threaded=True, awaitable=True, decorators=())
        return shape

    def is_getter(self, qualname: str) -> bool:
        """Whether a function is a ``@property`` / ``cached_property`` getter (reading the
        attribute calls it)."""
        shape = self.function_shape(qualname)
        return shape is not None and shape.is_property

    def function_returns(self, qualname: str) -> Value | None:
        """What calling a function gives (awaiting it, for a coroutine function), when known."""
        def pick(summary: ModuleSummary, local: str) -> tuple[Value | None] | None:
            return (summary.returns.get(local),) if local in summary.shapes else None

        found = self._follow(qualname, pick)
        return found[0] if isinstance(found, tuple) else None

    def function(self, qualname: str) -> FunctionSummary | None:
        if qualname in self._functions:
            return self._functions[qualname]
        self._functions[qualname] = None  # cycle guard

        def pick(summary: ModuleSummary, local: str) -> FunctionSummary | None:
            found = summary.functions.get(local)
            if found is not None:
                return found
            head, _, rest = local.rpartition(".")
            if head and "." not in rest and head in summary.classes:
                method = self.find_method(f"{_prefix(summary)}{head}", rest)
                if method and method != qualname:
                    return self.function(method)
            return None

        result = self._follow(qualname, pick) if self.has_function(qualname) or "." in qualname else None
        if isinstance(result, FunctionSummary) and result.decorators:
            result = self._judge_decorators(result)
        found = result if isinstance(result, FunctionSummary) else None
        self._functions[qualname] = found
        return found

    def _judge_decorators(self, fn: FunctionSummary) -> FunctionSummary:
        """Decorators from other modules: one that returns a thread bridge (``def db(f):
        return sync_to_async(f)``) makes the function awaitable and threaded."""
        if not fn.is_async and self._threading_decorator(fn.decorators):
            return replace(fn, threaded=True, awaitable=True, decorators=())
        return fn

    def _threading_decorator(self, decorators: tuple[str, ...]) -> bool:
        for decorator in decorators:
            made = self.resolve(Value(Kind.RESULT_OF, function=decorator))
            if made is not None and made.kind is Kind.THREADED:
                return True
        return False

    def class_summary(self, qualname: str) -> tuple[str, ClassSummary] | None:
        def pick(summary: ModuleSummary, local: str) -> tuple[str, ClassSummary] | None:
            found = summary.classes.get(local)
            return (f"{_prefix(summary)}{local}", found) if found is not None else None

        result = self._follow(qualname, pick)
        return result if isinstance(result, tuple) else None

    def class_attribute(self, qualname: str, attr: str, depth: int = 0) -> Value | None:
        """An attribute of a class (its body or ``self.x`` in its methods), through its bases."""
        if depth > MAX_DEPTH:
            return None

        def pick(summary: ModuleSummary, local: str) -> tuple[ModuleSummary, str] | None:
            return (summary, local) if local in summary.classes else None

        found = self._follow(qualname, pick)
        if not isinstance(found, tuple):
            return None
        summary, local = found
        cls = summary.classes[local]
        value = cls.attributes.get(attr)
        if value is not None:
            return value
        for base in cls.bases:
            if not base.startswith(UNRESOLVED_ATTR):
                value = self.class_attribute(base, attr, depth + 1)
                if value is not None:
                    return value
        return None

    def global_value(self, qualname: str) -> Value | None:
        def pick(summary: ModuleSummary, local: str) -> Value | None:
            return summary.globals.get(local)

        result = self._follow(qualname, pick)
        return result if isinstance(result, Value) else None

    def constant(self, qualname: str) -> str | None:
        def pick(summary: ModuleSummary, local: str) -> str | None:
            return summary.constants.get(local)

        result = self._follow(qualname, pick)
        return result if isinstance(result, str) else None

    def resolve(self, value: Value | None, depth: int = 0) -> Value | None:
        """Follow references into other modules (``Kind.RESULT_OF`` and kin) to a value."""
        if value is None or value.kind not in REFERENCES:
            return value
        if depth > MAX_DEPTH:
            return None
        name = value.function or ""
        if value.kind is Kind.GLOBAL_OF:
            return self.resolve(self.global_value(name), depth + 1)
        if value.kind is Kind.ATTRIBUTE_OF:
            return self.resolve(self.class_attribute(value.cls or "", name), depth + 1)
        shape = self.function_shape(name)
        if shape is None:
            return None
        if value.kind is Kind.RESULT_OF:
            if shape.awaitable:
                return Value(Kind.AWAITABLE, function=name)
            if not shape.runs_body:
                return Value(Kind.ASYNC_ITERATOR if shape.is_async else Kind.DEFERRED, function=name)
        return self.resolve(self.function_returns(name), depth + 1)

    def find_method(self, class_qualname: str, name: str, depth: int = 0) -> str | None:
        if depth > MAX_DEPTH:
            return None
        found = self.class_summary(class_qualname)
        if found is None:
            return None
        own, summary = found
        if name in summary.methods:
            return f"{own}.{name}"
        for base in summary.bases:
            if base.startswith(UNRESOLVED_ATTR):
                continue
            method = self.find_method(base, name, depth + 1)
            if method:
                return method
        return None

    def class_derives(self, class_qualname: str, targets: frozenset[str], attr_targets: frozenset[str],
                      depth: int = 0) -> bool:
        key = (class_qualname, targets, attr_targets)
        if depth == 0 and key in self._derives_memo:
            return self._derives_memo[key]
        result = False
        if depth <= MAX_DEPTH:
            found = self.class_summary(class_qualname)
            if found is not None:
                for base in found[1].bases:
                    if base in targets:
                        result = True
                    elif base.startswith(UNRESOLVED_ATTR):
                        result = base[len(UNRESOLVED_ATTR):] in attr_targets
                    else:
                        result = self.class_derives(base, targets, attr_targets, depth + 1)
                    if result:
                        break
        if depth == 0:
            self._derives_memo[key] = result
        return result

    # -- transitive facts ------------------------------------------------------
    def runner_param(self, qualname: str) -> int | None:
        if qualname.rsplit(".", 1)[-1] not in self.source_names().runner_candidates:
            return None  # no function of that name sits next to a loop API anywhere
        shape = self.function_shape(qualname)
        return None if shape is None else shape.runner_param

    def db_reach(self, qualname: str) -> Reach | None | bool:
        fn = self.function(qualname)
        if fn is None:
            return None
        return self._reach(fn, "db", lambda f: f.db, through_async=True) or False

    def sync_db_reach(self, qualname: str, through_async: bool = True,
                      arguments: frozenset[str] = frozenset()) -> Reach | None:
        fn = self.function(qualname)
        if fn is None:
            return None
        key = "sync_db" if through_async else "sync_db_sync_only"
        return self._reach(fn, key, self._sync_site, through_async, arguments)

    def _sync_site(self, fn: FunctionSummary) -> Site | None:
        """Sync database work of a function's own body, including evaluating what
        another module's function returns when that is a QuerySet."""
        if fn.sync_db is not None:
            return fn.sync_db
        for edge in fn.evaluates:
            made = self.resolve(Value(Kind.RESULT_OF, function=edge.callee))
            if made is not None and made.kind is Kind.QUERYSET:
                return Site(edge.line, edge.col, f"a QuerySet from `{edge.callee.rsplit('.', 1)[-1]}()`")
        return None

    def _reach(self, start: FunctionSummary, key: str, site_of: Callable[[FunctionSummary], Site | None],
               through_async: bool, arguments: frozenset[str] = frozenset()) -> Reach | None:
        """Breadth-first over project calls: the path to the first function with a site.

        Each function is entered once, with the constants its first caller gave it
        (``records.constants``): a callee whose work waits for another value is skipped."""
        memo_key = (key, start.qualname, arguments) if arguments else (key, start.qualname)
        if memo_key in self._reach_memo:
            return self._reach_memo[memo_key]  # type: ignore[return-value]  # one memo for both questions, told apart by `key`
        came_from: dict[str, tuple[FunctionSummary, Edge] | None] = {start.qualname: None}
        given: dict[str, constants.Slots] = {start.qualname: constants.decode(arguments)}
        queue: deque[FunctionSummary] = deque([start])
        result: Reach | None = None
        while queue and len(came_from) < MAX_REACH:
            fn = queue.popleft()
            site = site_of(fn)
            if site is not None:
                result = _path(came_from, fn, site, self.is_getter)
                break
            for edge, entered in _edges(fn):
                if edge.callee in came_from:
                    continue
                target = self.function(edge.callee)
                if target is None or target.threaded and key != "db":
                    continue
                if not entered and not target.runs_body:
                    continue  # calling a generator / context manager runs nothing
                slots = constants.passed_on(constants.decode(edge.arguments), given.get(fn.qualname, {}))
                if target.guard is not None and target.guard.skipped_by(edge.positional, edge.keywords, slots,
                                                                        self.constant):
                    continue  # its work waits for an argument this call leaves out, or another value
                if target.is_async and not through_async:
                    continue
                came_from[edge.callee] = (fn, edge)
                came_from[target.qualname] = (fn, edge)
                given[target.qualname] = slots
                queue.append(target)
        self._reach_memo[memo_key] = result
        return result

    # -- who calls a function ---------------------------------------------------
    def reached_from_worker(self, qualname: str) -> str | None:
        """A worker-context function that reaches ``qualname`` through sync project calls."""
        from ..analysis import contexts

        return self._reached_from(qualname, "worker", lambda f: f.context in contexts.WORKER_CONTEXTS)

    def reached_from_async(self, qualname: str) -> str | None:
        """An ``async def`` that calls ``qualname`` directly or through sync project calls."""
        return self._reached_from(qualname, "async", lambda f: f.is_async)

    def _reached_from(self, qualname: str, key: str, is_origin: Callable[["Caller"], bool]) -> str | None:
        from ..analysis import contexts

        memo_key = (key, qualname)
        if memo_key in self._reach_memo:
            return self._reach_memo[memo_key]  # type: ignore[return-value]  # one memo for both questions, told apart by `key`
        self._reach_memo[memo_key] = None  # cycle guard
        seen = {qualname}
        frontier = [qualname]
        result = None
        for _depth in range(5):
            following = []
            for target in frontier:
                for caller in self.callers(target):
                    if caller.qualname in seen:
                        continue
                    seen.add(caller.qualname)
                    if is_origin(caller):
                        result = caller.qualname
                        break
                    if not caller.is_async and not caller.threaded and caller.context not in contexts.EXEMPT_CONTEXTS:
                        following.append(caller.qualname)
                if result:
                    break
            if result or not following:
                break
            frontier = following
        self._reach_memo[memo_key] = result
        return result

    def callers(self, qualname: str) -> Iterator["Caller"]:
        """Project functions whose body calls ``qualname`` (sync calls that run it)."""
        from ..analysis import contexts

        short = qualname.rsplit(".", 1)[-1]
        for summary in self._modules_mentioning(short):
            for local, called in summary.call_names.items():
                if short not in called:
                    continue  # its calls cannot resolve to ``qualname``: no need to look closer
                edges = summary.edges.get(local, ())
                if any(edge.callee == qualname for edge in edges):
                    shape = summary.shapes[local]
                    yield Caller(f"{_prefix(summary)}{local}", shape.is_async, shape.threaded,
                                 summary.contexts.get(local, contexts.PLAIN))

    def sources(self, mentioning: str | None = None, with_any: Iterable[str] = ()) -> Iterator[tuple[Path, bytes]]:
        """(path, bytes) of every project file, or of those whose text has ``mentioning`` as
        a word (and one of ``with_any``, if given), an overlay's text in place of the file's."""
        for _rel, _key, item in self.sources_with_keys(mentioning, with_any):
            yield item

    def sources_with_keys(self, mentioning: str | None = None,
                          with_any: Iterable[str] = ()) -> Iterator[tuple[str, str | None, tuple[Path, bytes]]]:
        """``sources`` with each file's relative path and content digest."""
        for rel in self._source_rels(mentioning, frozenset(with_any)):
            path = self.files.paths[rel]
            data = self.files.read(path)
            if data is not None:
                yield rel, self.files.digest_of(rel), (Path(path), data)

    def source_listing(self, mentioning: str | None, with_any: frozenset[str], count: int) -> list[list[str | None]]:
        """The (relative path, digest) of the files ``sources`` gives: all, or the first ``count``."""
        rels = self._source_rels(mentioning, with_any)
        return [[rel, self.files.digest_of(rel)] for rel in (rels if count < 0 else rels[:count])]

    def _source_rels(self, mentioning: str | None, with_any: frozenset[str] = frozenset()) -> list[str]:
        self.prepare()
        rels = self.mentions.files_mentioning(mentioning) if mentioning else sorted(self.files.paths)
        if with_any:
            others = self.mentions.files_mentioning_any(with_any)
            rels = [rel for rel in rels if rel in others]
        return rels

    def _modules_mentioning(self, name: str) -> Iterator[ModuleSummary]:
        """Summaries of the project modules whose text has ``name`` as a word (from the
        index of mentions: no file is read unless it changed)."""
        self.prepare()
        for rel in self.mentions.files_mentioning(name):
            path = self.files.paths.get(rel)
            if path is None:
                continue
            module, _ = self.resolver.module_of(path)
            if module is None:
                continue
            summary = self.summary(module)
            if summary is not None and (summary.path == path or Path(summary.path).resolve() == Path(path).resolve()):
                yield summary


class Caller(NamedTuple):
    qualname: str
    is_async: bool
    threaded: bool
    context: str


def _prefix(summary: ModuleSummary) -> str:
    return f"{summary.module}." if summary.module else ""


def _edges(fn: FunctionSummary) -> Iterator[tuple[Edge, bool]]:
    entered = {edge.callee for edge in fn.enters}
    for edge in fn.calls:
        yield edge, edge.callee in entered


def _path(came_from: dict[str, tuple[FunctionSummary, Edge] | None], end: FunctionSummary, site: Site,
          is_getter: Callable[[str], bool]) -> Reach:
    steps = [Step(end.qualname, end.path, site.line, site.col, site.what)]
    current = came_from.get(end.qualname)
    while current is not None:
        caller, edge = current
        callee = edge.callee.rsplit(".", 1)[-1]
        how = f"reads `{callee}`" if is_getter(edge.callee) else f"calls `{callee}()`"
        steps.append(Step(caller.qualname, caller.path, edge.line, edge.col, how))
        current = came_from.get(caller.qualname)
    steps.reverse()
    return tuple(steps)
