"""Helpers for the language-server tests: a small Django project, a recording LSP client
(pytest-lsp's, which also checks our answers against the client's capabilities), and
applying the edits the server returns."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import textwrap
from pathlib import Path
from typing import AsyncIterator, Callable

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, make_test_lsp_client

SERVER = [sys.executable, "-m", "async_bridge.cli", "server"]
TIMEOUT = 30.0

PROJECT = {
    "pyproject.toml": """
        [tool.async-bridge]
        django-version = "5.0"
    """,
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models


        class Order(models.Model):
            status = models.CharField(max_length=10)
    """,
    "shop/services.py": """
        from .models import Order


        async def sync_orders(shop_id):
            await Order.objects.filter(shop=shop_id).aupdate(status="synced")
    """,
    "shop/tasks.py": """
        import asyncio

        from celery import shared_task

        from .models import Order
        from .services import sync_orders


        @shared_task
        def refresh(shop_id):
            asyncio.run(sync_orders(shop_id))


        async def first_order():
            return Order.objects.first()
    """,
}
# services.sync_orders with no database work: tasks.py's ABR101 must go away
SERVICES_WITHOUT_DB = textwrap.dedent("""\
    async def sync_orders(shop_id):
        return shop_id
""")


def write_project(root: Path, files: dict[str, str] = PROJECT) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def recording_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics in order and the
    capabilities the server registers."""
    client = make_test_lsp_client()
    published: list[types.PublishDiagnosticsParams] = []
    method = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
    store = client.protocol.fm.features[method]

    def record(params: types.PublishDiagnosticsParams) -> None:
        published.append(params)
        store(params)

    client.protocol.fm.features[method] = record
    client.published = published  # type: ignore[attr-defined]
    registrations: list[types.Registration] = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    client.registrations = registrations  # type: ignore[attr-defined]
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=recording_client)


@contextlib.asynccontextmanager
async def server_process(config: ClientServerConfig = CONFIG) -> AsyncIterator[LanguageClient]:
    """A server of our own for one test; killed if the test fails before it exits."""
    client = await config.start()
    try:
        yield client
    finally:
        process = client._server
        if process is not None and process.returncode is None:
            process.kill()
        await client.stop()


async def wait_until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def published_for(client: LanguageClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    return [p for p in client.published if p.uri == uri]  # type: ignore[attr-defined]


async def next_diagnostics(client: LanguageClient, uri: str, after: int, version: int | None = None) -> list[types.Diagnostic]:
    """The first diagnostics published for ``uri`` after the ``after`` earlier ones
    (of ``version`` when given)."""

    def found() -> list[types.PublishDiagnosticsParams]:
        return [p for p in published_for(client, uri)[after:] if version is None or p.version == version]

    await wait_until(found, f"diagnostics of {uri} (version {version})")
    return list(found()[0].diagnostics)


def summary(diagnostics: list[types.Diagnostic]) -> list[tuple[str, tuple[int, int, int, int]]]:
    """(code, (start line, start col, end line, end col)), 0-based as LSP counts."""
    return [
        (str(d.code), (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character))
        for d in diagnostics
    ]


def open_document(client: LanguageClient, path: Path, version: int = 1, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=version,
            text=path.read_text(encoding="utf-8") if text is None else text,
        )
    ))
    return uri


def replace_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    ))


def edits_of(edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
    assert edit is not None
    if edit.document_changes:
        return [e for change in edit.document_changes
                if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
                for e in change.edits]  # type: ignore[misc]
    return list((edit.changes or {}).get(uri, []))


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with LSP edits applied (positions in UTF-16 code units)."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character or char in "\r\n":
                return starts[position.line] + index
            units += 2 if ord(char) > 0xFFFF else 1
        return starts[position.line] + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
