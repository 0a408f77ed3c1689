"""``async-bridge server`` end to end: a real LSP client (pytest-lsp) drives the server
process over stdio through a small Django project."""

from __future__ import annotations

import dataclasses
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from async_bridge.config import DOCS_BASE_URL, resolve_settings
from async_bridge.engine import check_source
from async_bridge.knowledge import builtin

from server_client import (
    CONFIG,
    SERVICES_WITHOUT_DB,
    apply_edits,
    edits_of,
    next_diagnostics,
    open_document,
    published_for,
    server_process,
    recording_client,
    replace_document,
    summary,
    wait_until,
    write_project,
)

pytestmark = pytest.mark.asyncio

TASKS_FINDINGS = [("ABR101", (10, 4, 10, 37)), ("ABR201", (14, 11, 14, 32))]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "shopproject")


def initialize_params(root: Path, options: object = None, client: str = "visual-studio-code") -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(client),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    )


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, project: Path):
    await lsp_client.initialize_session(initialize_params(project))
    yield
    await lsp_client.shutdown_session()


async def test_capabilities_and_clean_exit(tmp_path: Path) -> None:
    async with server_process() as client:
        result = await client.initialize_session(initialize_params(write_project(tmp_path)))
        caps = result.capabilities
        assert result.server_info is not None and result.server_info.name == "async-bridge"
        assert caps.hover_provider
        assert isinstance(caps.code_action_provider, types.CodeActionOptions)
        assert set(caps.code_action_provider.code_action_kinds or ()) == {"quickfix", "source.fixAll.async-bridge"}
        assert caps.code_action_provider.resolve_provider is True
        # files changed outside the editor (a checkout) are watched where the client can
        await wait_until(lambda: client.registrations, "a capability registration")  # type: ignore[attr-defined]
        [registration] = client.registrations  # type: ignore[attr-defined]
        assert registration.method == "workspace/didChangeWatchedFiles"
        patterns = [w["globPattern"] for w in registration.register_options["watchers"]]
        assert patterns == ["**/*.py", "**/pyproject.toml", "**/setup.cfg", "**/tox.ini", "**/.flake8"]
        await client.shutdown_session()
        assert client._server is not None and client._server.returncode == 0


async def test_diagnostics_on_open(client: LanguageClient, project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    uri = open_document(client, tasks)
    diagnostics = await next_diagnostics(client, uri, 0, version=1)
    assert summary(diagnostics) == TASKS_FINDINGS
    settings = dataclasses.replace(resolve_settings(cwd=project), project_root=str(project))
    expected = check_source(tasks.read_text(), str(tasks), settings)
    assert any(d.related_information for d in diagnostics)  # the ABR101 chain to the query
    for diagnostic, finding in zip(diagnostics, expected):
        assert diagnostic.source == "async-bridge"
        assert diagnostic.severity == types.DiagnosticSeverity.Warning
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == f"{DOCS_BASE_URL}{finding.code}.md"
        assert diagnostic.message == finding.message.removeprefix(f"{finding.code} ")
        related = diagnostic.related_information or []
        assert [(Path(r.location.uri.removeprefix("file://")).name, r.location.range.start.line + 1, r.message)
                for r in related] == [(Path(r.path).name, r.line, r.note) for r in finding.related]


async def test_change_is_checked_from_the_buffer_once_typing_pauses(client: LanguageClient, project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    text = tasks.read_text()
    uri = open_document(client, tasks)
    await next_diagnostics(client, uri, 0, version=1)
    seen = len(published_for(client, uri))
    # five quick incremental edits: two lines added at the top, one character at a time
    for index, char in enumerate("#\n#\n"):
        at = types.Position(line=index // 2, character=index % 2)
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=index + 2),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=char)],
        ))
    diagnostics = await next_diagnostics(client, uri, seen)
    assert [p.version for p in published_for(client, uri)[seen:]] == [5]  # debounced: one check
    assert summary(diagnostics) == [(code, (a + 2, b, c + 2, d)) for code, (a, b, c, d) in TASKS_FINDINGS]
    assert tasks.read_text() == text  # the lines moved in the buffer only

    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert summary(await next_diagnostics(client, uri, seen + 1)) == summary(diagnostics)


async def test_quick_fix_rewrites_the_finding(client: LanguageClient, project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    text = tasks.read_text()
    uri = open_document(client, tasks)
    diagnostics = await next_diagnostics(client, uri, 0, version=1)
    abr101 = diagnostics[0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=10, character=8), end=types.Position(line=10, character=8)),
        context=types.CodeActionContext(diagnostics=[abr101]),
    ))
    assert actions is not None
    titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
    assert titles == [
        "Fix ABR101 (event-loop-in-worker)",
        "Suppress ABR101 with # noqa: ABR101",
        "Fix all async-bridge findings in this file",
    ]
    fix = actions[0]
    assert isinstance(fix, types.CodeAction)
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert [d.code for d in fix.diagnostics or ()] == ["ABR101"]
    fixed = apply_edits(text, edits_of(fix.edit, uri))
    assert fixed == textwrap.dedent("""\
        from celery import shared_task

        from .models import Order
        from .services import sync_orders
        from asgiref.sync import async_to_sync


        @shared_task
        def refresh(shop_id):
            async_to_sync(sync_orders)(shop_id)


        async def first_order():
            return Order.objects.first()
    """)

    # the fixed buffer no longer has the finding; the other one stays, on its new line
    replace_document(client, uri, 2, fixed)
    assert summary(await next_diagnostics(client, uri, 1, version=2)) == [("ABR201", (13, 11, 13, 32))]


async def test_noqa_action_suppresses_and_appends_to_an_existing_noqa(client: LanguageClient, project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    text = tasks.read_text().replace("    return Order.objects.first()", "    return Order.objects.first()  # noqa: E501")
    uri = open_document(client, tasks, text=text)
    diagnostics = await next_diagnostics(client, uri, 0, version=1)
    assert summary(diagnostics) == TASKS_FINDINGS

    async def noqa_for(diagnostic: types.Diagnostic) -> types.CodeAction:
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
        ))
        found = [a for a in actions or () if isinstance(a, types.CodeAction) and a.title.startswith("Suppress")]
        assert len(found) == 1 and found[0].kind == types.CodeActionKind.QuickFix
        return found[0]

    suppressed = apply_edits(text, edits_of((await noqa_for(diagnostics[0])).edit, uri))
    assert suppressed == text.replace("    asyncio.run(sync_orders(shop_id))",
                                      "    asyncio.run(sync_orders(shop_id))  # noqa: ABR101")
    suppressed = apply_edits(suppressed, edits_of((await noqa_for(diagnostics[1])).edit, uri))
    assert suppressed.endswith("    return Order.objects.first()  # noqa: E501, ABR201\n")
    replace_document(client, uri, 2, suppressed)
    assert await next_diagnostics(client, uri, 1, version=2) == []


async def test_fix_all_in_the_file(client: LanguageClient, project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    text = tasks.read_text()
    uri = open_document(client, tasks)
    await next_diagnostics(client, uri, 0, version=1)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
    ))
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction)
    assert action.kind == "source.fixAll.async-bridge" and action.edit is None  # VS Code resolves lazily
    resolved = await client.code_action_resolve_async(action)
    fixed = apply_edits(text, edits_of(resolved.edit, uri))
    assert "asyncio" not in fixed
    assert "    async_to_sync(sync_orders)(shop_id)\n" in fixed
    assert fixed.endswith("    return await Order.objects.afirst()\n")
    replace_document(client, uri, 2, fixed)
    assert await next_diagnostics(client, uri, 1, version=2) == []


async def test_editing_a_helper_updates_the_open_caller(client: LanguageClient, project: Path) -> None:
    tasks_uri = open_document(client, project / "shop" / "tasks.py")
    assert summary(await next_diagnostics(client, tasks_uri, 0, version=1)) == TASKS_FINDINGS
    services = project / "shop" / "services.py"
    original = services.read_text()
    services_uri = open_document(client, services)
    await next_diagnostics(client, services_uri, 0, version=1)

    # unsaved buffer: the helper no longer touches the database
    seen = len(published_for(client, tasks_uri))
    replace_document(client, services_uri, 2, SERVICES_WITHOUT_DB)
    assert summary(await next_diagnostics(client, tasks_uri, seen)) == TASKS_FINDINGS[1:]
    # and back
    seen = len(published_for(client, tasks_uri))
    replace_document(client, services_uri, 3, original)
    assert summary(await next_diagnostics(client, tasks_uri, seen)) == TASKS_FINDINGS

    # closed, then changed on disk (a checkout): the watched-files event brings it in
    closed = len(published_for(client, services_uri))
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=services_uri)))
    assert await next_diagnostics(client, services_uri, closed) == []  # a closed file shows nothing
    services.write_text(SERVICES_WITHOUT_DB)
    seen = len(published_for(client, tasks_uri))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=services_uri, type=types.FileChangeType.Changed)]))
    assert summary(await next_diagnostics(client, tasks_uri, seen)) == TASKS_FINDINGS[1:]


async def test_hover_explains_the_rule(client: LanguageClient, project: Path) -> None:
    uri = open_document(client, project / "shop" / "tasks.py")
    diagnostics = await next_diagnostics(client, uri, 0, version=1)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=10, character=20)))
    assert hover is not None and hover.range == diagnostics[0].range
    assert isinstance(hover.contents, types.MarkupContent) and hover.contents.kind == types.MarkupKind.Markdown
    rule = builtin().rules["ABR101"]
    why = " ".join(rule.rationale.strip().split("\n\n")[0].split())
    assert hover.contents.value == (
        f"**ABR101** `event-loop-in-worker`\n\n{why}\n\n[ABR101 documentation]({DOCS_BASE_URL}ABR101.md)"
    )
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=9, character=4)))
    assert nothing is None


async def test_syntax_error_keeps_the_last_diagnostics(client: LanguageClient, project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    text = tasks.read_text()
    uri = open_document(client, tasks)
    await next_diagnostics(client, uri, 0, version=1)
    replace_document(client, uri, 2, text + "def broken(:\n")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=10, character=20)))
    assert hover is None  # a request on the broken buffer answers, with nothing
    replace_document(client, uri, 3, text.replace("asyncio.run(sync_orders(shop_id))", "sync_orders"))
    assert summary(await next_diagnostics(client, uri, 1)) == TASKS_FINDINGS[1:]
    assert [p.version for p in published_for(client, uri)] == [1, 3]  # nothing for the broken one
    assert not [m for m in client.log_messages if m.type == types.MessageType.Error]

    # a buffer that never parsed gets an empty list, once
    broken = open_document(client, project / "shop" / "broken.py", text="def f(:\n")
    assert await next_diagnostics(client, broken, 0, version=1) == []


async def test_settings_from_pyproject_and_initialization_options(tmp_path: Path) -> None:
    root = write_project(tmp_path / "old")
    (root / "pyproject.toml").write_text('[tool.async-bridge]\ndjango-version = "4.0"\n')
    tasks = root / "shop" / "tasks.py"

    async def abr201_actions(options: object) -> tuple[str, list[str]]:
        async with server_process() as client:
            await client.initialize_session(initialize_params(root, options))
            uri = open_document(client, tasks)
            diagnostics = await next_diagnostics(client, uri, 0, version=1)
            assert summary(diagnostics) == TASKS_FINDINGS
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostics[1].range,
                context=types.CodeActionContext(diagnostics=[diagnostics[1]], only=[types.CodeActionKind.QuickFix]),
            ))
            await client.shutdown_session()
            return diagnostics[1].message, [a.title for a in actions or () if isinstance(a, types.CodeAction)]

    def engine_message(**options: object) -> str:
        settings = dataclasses.replace(resolve_settings(cwd=root, **options), project_root=str(root))  # type: ignore[arg-type]
        finding = check_source(tasks.read_text(), str(tasks), settings)[1]
        return finding.message.removeprefix("ABR201 ")

    # pyproject.toml says Django 4.0: no aget-style twin to rewrite to, so no fix
    message, titles = await abr201_actions(None)
    assert message == engine_message()
    assert titles == ["Suppress ABR201 with # noqa: ABR201"]
    # the editor's options win over pyproject.toml, as flake8's flags do
    message, titles = await abr201_actions({"django-version": "5.0"})
    assert message == engine_message(django_version="5.0") != engine_message()
    assert titles == ["Fix ABR201 (sync-orm-call-in-async)", "Suppress ABR201 with # noqa: ABR201"]


async def test_unknown_option_is_logged_and_opt_in_rules_follow_enable(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p")
    (root / "shop" / "jobs.py").write_text(textwrap.dedent("""\
        import asyncio

        from celery import shared_task
        from partner_sdk import push


        @shared_task
        def send(order_id):
            asyncio.run(push(order_id))
    """))
    async with server_process() as client:
        await client.initialize_session(initialize_params(root, {"enable": ["ABR106"], "djangoVersoin": "5.0"}))
        uri = open_document(client, root / "shop" / "jobs.py")
        assert summary(await next_diagnostics(client, uri, 0, version=1)) == [("ABR106", (8, 4, 8, 31))]
        await wait_until(lambda: client.log_messages, "a log message")
        assert any(m.type == types.MessageType.Warning and "unknown setting 'djangoVersoin'" in m.message
                   for m in client.log_messages)
        await client.shutdown_session()


async def test_internal_error_is_logged_not_raised(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p")
    (root / "shop" / "boom.py").write_text("import asyncio\n")
    faulty = ClientServerConfig(server_command=[sys.executable, str(Path(__file__).with_name("server_faulty.py"))],
                                client_factory=recording_client)
    async with server_process(faulty) as client:
        await client.initialize_session(initialize_params(root))
        boom = open_document(client, root / "shop" / "boom.py")
        await wait_until(lambda: client.log_messages, "a log message")
        [message] = client.log_messages
        assert message.type == types.MessageType.Error
        assert message.message.startswith(
            f"async-bridge: internal error while checking {root / 'shop' / 'boom.py'}: RuntimeError: injected failure\n")
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=boom), position=types.Position(line=0, character=0)))
        assert hover is None
        # the server goes on serving other files; nothing popped up in the editor
        uri = open_document(client, root / "shop" / "tasks.py")
        assert summary(await next_diagnostics(client, uri, 0, version=1)) == TASKS_FINDINGS
        assert published_for(client, boom) == [] and client.messages == []
        await client.shutdown_session()


async def test_fix_all_for_a_client_without_resolve_or_document_changes(project: Path) -> None:
    async with server_process() as client:
        params = initialize_params(project)
        params.capabilities = types.ClientCapabilities()  # a bare client: edits come whole, as `changes`
        await client.initialize_session(params)
        tasks = project / "shop" / "tasks.py"
        uri = open_document(client, tasks)
        await next_diagnostics(client, uri, 0, version=1)
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=14, character=20), end=types.Position(line=14, character=20)),
            context=types.CodeActionContext(diagnostics=[]),
        ))
        assert [a.title for a in actions or () if isinstance(a, types.CodeAction)] == [
            "Fix ABR201 (sync-orm-call-in-async)",
            "Suppress ABR201 with # noqa: ABR201",
            "Fix all async-bridge findings in this file",
        ]
        fix_all = actions[-1]
        assert isinstance(fix_all, types.CodeAction) and fix_all.edit is not None
        assert fix_all.edit.document_changes is None and fix_all.edit.changes is not None
        fixed = apply_edits(tasks.read_text(), edits_of(fix_all.edit, uri))
        assert "asyncio" not in fixed and fixed.endswith("    return await Order.objects.afirst()\n")
        await client.shutdown_session()


async def test_config_file_change_applies_to_open_files(client: LanguageClient, project: Path) -> None:
    tasks = project / "shop" / "tasks.py"
    uri = open_document(client, tasks)
    before = await next_diagnostics(client, uri, 0, version=1)
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.async-bridge]\ndjango-version = "4.0"\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]))
    after = await next_diagnostics(client, uri, 1)
    settings = dataclasses.replace(resolve_settings(cwd=project), project_root=str(project))
    assert settings.django_version == (4, 0)
    assert [d.message for d in after] == [
        f.message.removeprefix(f"{f.code} ") for f in check_source(tasks.read_text(), str(tasks), settings)]
    assert summary(after) == TASKS_FINDINGS and after[1].message != before[1].message
