"""The language server: LSP handlers over the engine, the fixers and the project index.

Every handler is guarded: an internal error becomes one ``window/logMessage`` (with
its traceback) and the request gets an empty answer; nothing is raised to pygls,
which would pop an error up in the editor. A buffer that does not parse keeps the
diagnostics it last had.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from ..gc_tuning import tune_collector
from .. import __version__
from ..checks.base import Finding
from ..fixes import fixable_codes
from ..sources import SourceError, read_source
from . import SOURCE
from .diagnostics import hover_markdown
from .documents import CONFIG_FILES, LintResult, Projects, lint, normalise_options, our_section, resolved
from .edits import fix_all, fix_context, fix_one, noqa_edit, text_edits
from .positions import contains, encoding_name, overlaps

#: seconds without typing before a changed buffer is checked again
DEBOUNCE_SECONDS = 0.3
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{SOURCE}"
WATCHED = ("**/*.py", "**/pyproject.toml", "**/setup.cfg", "**/tox.ini", "**/.flake8")
PYTHON_SUFFIXES = (".py", ".pyi")

logger = logging.getLogger(__name__)
T = TypeVar("T")


def capability(root: object, dotted: str) -> Any:
    """A client capability by attribute path (None where any part is missing)."""
    for part in dotted.split("."):
        root = getattr(root, part, None)
        if root is None:
            return None
    return root


class AsyncBridgeServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.projects = Projects(report=self.warn)
        self.init_options: dict[str, Any] = {}
        self.config_options: dict[str, Any] = {}
        self.results: dict[str, LintResult] = {}
        self.debounce = DEBOUNCE_SECONDS
        self.document_changes = False
        self.lazy_edits = False
        self._dirty: dict[str, None] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Future[None] | None = None
        self._fixes: tuple[str, int | None, Any, dict[Finding, str | None]] | None = None

    # -- messages to the client ---------------------------------------------------
    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no client to tell (closed pipe): the log is all we have
            logger.warning("%s", message)

    def warn(self, message: str) -> None:
        self.log(f"{SOURCE}: {message}", types.MessageType.Warning)

    def internal_error(self, what: str, exc: BaseException) -> None:
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.log(f"{SOURCE}: internal error {what}: {type(exc).__name__}: {exc}\n{trace}", types.MessageType.Error)

    @property
    def encoding(self) -> str:
        return encoding_name(self.workspace.position_encoding)

    # -- lifecycle -------------------------------------------------------------------
    def on_initialize(self, params: types.InitializeParams) -> None:
        folders = [f.uri for f in params.workspace_folders or ()]
        if not folders and (params.root_uri or params.root_path):
            folders = [params.root_uri or params.root_path or ""]
        self.projects.folders = [resolved(to_fs_path(uri) or uri) for uri in folders if uri]
        self.init_options = self._options(params.initialization_options, strict=True)
        self.projects.options = dict(self.init_options)
        caps = params.capabilities
        self.document_changes = bool(capability(caps, "workspace.workspace_edit.document_changes"))
        properties = capability(caps, "text_document.code_action.resolve_support.properties") or ()
        self.lazy_edits = "edit" in properties

    def on_initialized(self) -> None:
        caps = self.client_capabilities
        if not capability(caps, "workspace.did_change_watched_files.dynamic_registration"):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        registration = types.Registration(
            id=f"{SOURCE}-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        self.client_register_capability(types.RegistrationParams(registrations=[registration]))

    def _options(self, raw: object, strict: bool) -> dict[str, Any]:
        """Our settings in ``raw``; without ``strict`` (a client's whole configuration),
        a flat object is ours only when every key is one of our settings."""
        section = our_section(raw)
        options, problems = normalise_options(raw if section is None else section)
        if problems and not strict and section is None:
            return {}
        for problem in problems:
            self.warn(problem)
        return options

    # -- documents ----------------------------------------------------------------------
    def path_of(self, uri: str) -> str | None:
        path = to_fs_path(uri)
        return path if path and path.endswith(PYTHON_SUFFIXES) else None

    def open_uris(self) -> list[str]:
        return [uri for uri in self.workspace.text_documents if self.path_of(uri)]

    def did_open(self, uri: str) -> None:
        path = self.path_of(uri)
        if path is None:
            return
        text = self.workspace.get_text_document(uri).source
        key = str(resolved(path))
        differs = _disk_text(key) != text
        self.projects.overlay[key] = text
        if differs:
            self.projects.forget()  # before checking: the index may hold the file's old text
        self.lint_now(uri)
        if differs:
            self.schedule(None, others=True, exclude=uri)

    def did_change(self, uri: str) -> None:
        path = self.path_of(uri)
        if path is None:
            return
        self.projects.overlay[str(resolved(path))] = self.workspace.get_text_document(uri).source
        self.projects.forget()
        self.schedule(uri, others=True)

    def did_save(self, uri: str) -> None:
        path = to_fs_path(uri) or ""
        if Path(path).name in CONFIG_FILES:
            self.projects.forget()
            self.projects.reset()
            self.schedule(None, others=True, delay=0)
            return
        if self.path_of(uri) is not None:
            self.schedule(uri, others=False, delay=0)

    def did_close(self, uri: str) -> None:
        path = self.path_of(uri)
        if path is None:
            return
        key = str(resolved(path))
        text = self.projects.overlay.pop(key, None)
        self.results.pop(uri, None)
        self._dirty.pop(uri, None)
        self.publish(uri, [], None)
        if text is not None and _disk_text(key) != text:
            self.projects.forget()
            self.schedule(None, others=True)

    def files_changed(self, changes: list[types.FileEvent]) -> None:
        config = listing = python = False
        for change in changes:
            path = to_fs_path(change.uri) or ""
            if Path(path).name in CONFIG_FILES:
                config = True
            elif path.endswith(PYTHON_SUFFIXES):
                if change.type != types.FileChangeType.Changed:
                    listing = True
                elif str(resolved(path)) not in self.projects.overlay:
                    python = True  # an open file's buffer already says what it holds
        if config or listing or python:
            self.projects.forget(listing)
            if config:
                self.projects.reset()
            self.schedule(None, others=True)

    def folders_changed(self) -> None:
        uris = [folder.uri for folder in self.workspace.folders.values()]
        self.projects.folders = [resolved(to_fs_path(uri) or uri) for uri in uris]
        self.projects.reset()
        self.schedule(None, others=True, delay=0)

    def configuration_changed(self, settings: object) -> None:
        self.config_options = self._options(settings, strict=False)
        self.projects.options = {**self.init_options, **self.config_options}
        self.projects.forget()
        self.projects.reset()
        self.schedule(None, others=True, delay=0)

    # -- checking ----------------------------------------------------------------------------
    def lint_now(self, uri: str) -> LintResult | None:
        """Check an open buffer and publish; None (last diagnostics kept) when it does not
        parse or something failed (logged)."""
        path = self.path_of(uri)
        if path is None or uri not in self.workspace.text_documents:
            return None
        document = self.workspace.get_text_document(uri)
        text = document.source
        try:
            if "\0" in text:
                raise SyntaxError("source contains a null byte")
            settings = self.projects.settings_for(resolved(path))
            result = lint(text, path, document.version, settings, self.encoding, self.projects.lines_of)
        except SyntaxError:
            if uri not in self.results:
                self.publish(uri, [], document.version)
            return None
        except Exception as exc:
            self.internal_error(f"while checking {path}", exc)
            return None
        self.results[uri] = result
        self.publish(uri, result.diagnostics, document.version)
        return result

    def current(self, uri: str) -> LintResult | None:
        """The findings of the buffer as it is now (checked now if a check is pending)."""
        if uri not in self.workspace.text_documents:
            return None
        document = self.workspace.get_text_document(uri)
        result = self.results.get(uri)
        if result is not None and result.version == document.version and result.text == document.source:
            return result
        self._dirty.pop(uri, None)
        return self.lint_now(uri)

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def schedule(self, first: str | None, others: bool, delay: float | None = None,
                 exclude: str | None = None) -> None:
        """Check ``first`` (then, with ``others``, every other open buffer) after ``delay``
        seconds without a further change (default: the debounce)."""
        order = [first] if first else []
        order += [uri for uri in self._dirty if uri != first]
        if others:
            order += [uri for uri in self.open_uris() if uri not in order and uri != exclude]
        self._dirty = dict.fromkeys(order)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(
            self.debounce if delay is None else delay, self._start_flush)

    def _start_flush(self) -> None:
        self._timer = None
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        try:
            while self._dirty and self._timer is None:  # a newer change waits for its own debounce
                uri = next(iter(self._dirty))
                del self._dirty[uri]
                self.lint_now(uri)
                await asyncio.sleep(0)  # let incoming changes in between two files
        except Exception as exc:
            self.internal_error("while checking the open files", exc)

    # -- hover ------------------------------------------------------------------------------
    def hover(self, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        result = self.current(uri)
        if result is None:
            return None
        hits = [d for d in result.diagnostics if contains(d.range, params.position)]
        if not hits:
            return None
        settings = self.projects.settings_for(resolved(self.path_of(uri) or ""))
        rules = settings.knowledge.rules
        codes = list(dict.fromkeys(str(d.code) for d in hits))
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=hover_markdown([rules[c] for c in codes if c in rules], settings),
            ),
            range=hits[0].range,
        )

    # -- code actions -------------------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        result = self.current(uri)
        if result is None:
            return None
        only = params.context.only

        def wanted(kind: str) -> bool:
            return not only or any(kind == o or kind.startswith(f"{o}.") for o in map(_kind, only))

        hits = [(f, d) for f, d in zip(result.findings, result.diagnostics) if overlaps(d.range, params.range)]
        actions: list[types.CodeAction] = []
        if wanted(_kind(types.CodeActionKind.QuickFix)):
            actions += self._fix_actions(uri, result, hits)
            actions += self._noqa_actions(uri, result, hits)
        fixable = [f for f in result.findings if f.code in fixable_codes()]
        asked = bool(only) or any(f.code in fixable_codes() for f, _ in hits)
        if fixable and asked and wanted(FIX_ALL):
            action = types.CodeAction(
                title=f"Fix all {SOURCE} findings in this file",
                kind=FIX_ALL,
                data={"uri": uri, "version": result.version},
            )
            if not self.lazy_edits:
                action = self.resolve_fix_all(action)
            if action.edit is not None or self.lazy_edits:
                actions.append(action)
        return actions

    def _fix_actions(self, uri: str, result: LintResult, hits: list[tuple[Finding, types.Diagnostic]]) -> list[types.CodeAction]:
        actions = []
        for finding, diagnostic in hits:
            if finding.code not in fixable_codes():
                continue
            fixed = self._fixed(uri, result, finding)
            if fixed is None:
                continue
            rule = self.projects.settings_for(resolved(self.path_of(uri) or "")).knowledge.rules.get(finding.code)
            actions.append(types.CodeAction(
                title=f"Fix {finding.code} ({rule.name})" if rule else f"Fix {finding.code}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=self.workspace_edit(uri, result.version, text_edits(result.text, fixed, self.encoding)),
            ))
        return actions

    def _fixed(self, uri: str, result: LintResult, finding: Finding) -> str | None:
        """The buffer with ``finding`` fixed; libcst's view kept per buffer version."""
        if self._fixes is None or self._fixes[:2] != (uri, result.version) or self._fixes[2] is None:
            self._fixes = (uri, result.version, fix_context(result.text), {})
        _, _, ctx, done = self._fixes
        if ctx is None:
            return None
        if finding not in done:
            done[finding] = fix_one(ctx, self.path_of(uri) or uri, finding)
        return done[finding]

    def _noqa_actions(self, uri: str, result: LintResult, hits: list[tuple[Finding, types.Diagnostic]]) -> list[types.CodeAction]:
        actions, seen = [], set()
        for finding, diagnostic in hits:
            edit = noqa_edit(result.text, finding, self.encoding)
            key = (finding.code, edit.range.start.line if edit else None)
            if edit is None or key in seen:
                continue
            seen.add(key)
            actions.append(types.CodeAction(
                title=f"Suppress {finding.code} with # noqa: {finding.code}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=self.workspace_edit(uri, result.version, [edit]),
            ))
        return actions

    def resolve_fix_all(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        if not isinstance(uri, str):
            return action
        result = self.current(uri)
        path = self.path_of(uri)
        if result is None or path is None or result.version != data.get("version"):
            return action  # the buffer moved on: no edit rather than a wrong one
        settings = self.projects.settings_for(resolved(path))
        try:
            fixed = fix_all(result.text, path, settings)
        finally:
            self.projects.forget()  # the driver's checks saw the rewritten text
        if fixed is not None:
            action.edit = self.workspace_edit(uri, result.version, text_edits(result.text, fixed, self.encoding))
        return action

    def workspace_edit(self, uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        if self.document_changes:
            document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
            change = types.TextDocumentEdit(text_document=document, edits=list(edits))
            return types.WorkspaceEdit(document_changes=[change])
        return types.WorkspaceEdit(changes={uri: list(edits)})


def _kind(kind: object) -> str:
    return str(kind.value) if isinstance(kind, enum.Enum) else str(kind)


def _disk_text(path: str) -> str | None:
    try:
        return read_source(Path(path))[0]
    except SourceError:
        return None


def guarded(what: str, default: Any = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Run a handler; an exception is logged to the client and ``default`` answered."""

    def decorate(handler: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(handler)
        def run(ls: AsyncBridgeServer, *args: Any) -> Any:
            try:
                return handler(ls, *args)
            except Exception as exc:
                ls.internal_error(what, exc)
                return default

        return run

    return decorate


def build_server() -> AsyncBridgeServer:
    server = AsyncBridgeServer()

    @server.feature(types.INITIALIZE)
    @guarded("on initialize")
    def initialize(ls: AsyncBridgeServer, params: types.InitializeParams) -> None:
        ls.on_initialize(params)

    @server.feature(types.INITIALIZED)
    @guarded("on initialized")
    def initialized(ls: AsyncBridgeServer, params: types.InitializedParams) -> None:
        ls.on_initialized()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded("on open")
    def did_open(ls: AsyncBridgeServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.did_open(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded("on change")
    def did_change(ls: AsyncBridgeServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.did_change(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded("on save")
    def did_save(ls: AsyncBridgeServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.did_save(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded("on close")
    def did_close(ls: AsyncBridgeServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.did_close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded("on file changes")
    def did_change_watched_files(ls: AsyncBridgeServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.files_changed(list(params.changes))

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    @guarded("on workspace folder changes")
    def did_change_workspace_folders(ls: AsyncBridgeServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.folders_changed()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @guarded("on configuration change")
    def did_change_configuration(ls: AsyncBridgeServer, params: types.DidChangeConfigurationParams) -> None:
        ls.configuration_changed(params.settings)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded("on hover")
    def hover(ls: AsyncBridgeServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True,
        ),
    )
    @guarded("computing code actions")
    def code_action(ls: AsyncBridgeServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: AsyncBridgeServer, action: types.CodeAction) -> types.CodeAction:
        try:
            return ls.resolve_fix_all(action)
        except Exception as exc:
            ls.internal_error("fixing the file", exc)
            return action

    return server


def serve() -> int:
    """Run over stdio until the client says exit."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the protocol stream
    server = build_server()
    tune_collector()
    server.start_io(stdin, stdout)
    return 0
