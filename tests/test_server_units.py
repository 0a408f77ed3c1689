"""The language server's pieces without a client: diagnostics (with the chain of
related places), columns in each encoding, edits, ``# noqa`` placement, options."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from lsprotocol import types

from async_bridge.checks.base import Finding, Related
from async_bridge.config import Settings
from async_bridge.server.diagnostics import to_diagnostic
from async_bridge.server.documents import Projects, normalise_options, project_root
from async_bridge.server.edits import noqa_edit, text_edits
from async_bridge.server.positions import UTF8, UTF16, UTF32, client_column

from server_client import apply_edits


def finding(line: int, col: int, end_line: int, end_col: int, code: str = "ABR101", **kw: object) -> Finding:
    return Finding(line=line, col=col, code=code, message=f"{code} m", end_line=end_line, end_col=end_col, **kw)  # type: ignore[arg-type]


def rng(a: int, b: int, c: int, d: int) -> types.Range:
    return types.Range(start=types.Position(line=a, character=b), end=types.Position(line=c, character=d))


# -- diagnostics -----------------------------------------------------------------------
def test_related_places_become_clickable_related_information(tmp_path: Path) -> None:
    services = tmp_path / "services.py"
    services.write_text("def sync_orders(shop_id):\n    return fetch(shop_id)\n")
    clients = tmp_path / "clients.py"  # an open buffer that differs from the file on disk
    clients.write_text("# stale\n")
    projects = Projects(report=print)
    projects.overlay[str(clients.resolve())] = "async def fetch(shop_id):\n    await Order.objects.aget(pk=shop_id)\n"
    tasks_lines = ["import asyncio", "asyncio.run(sync_orders(1))"]
    chain = (
        Related(str(services), 2, 11, "the helper calls `clients.fetch`"),
        Related(str(clients), 2, 10, "reaches `Order.objects.aget()`"),
    )
    diagnostic = to_diagnostic(finding(2, 0, 2, 27, related=chain), tasks_lines, UTF16, Settings(), projects.lines_of)
    assert diagnostic.related_information == [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=services.as_uri(), range=rng(1, 11, 1, 16)),
            message="the helper calls `clients.fetch`",
        ),
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=clients.as_uri(), range=rng(1, 10, 1, 28)),
            message="reaches `Order.objects.aget()`",
        ),
    ]
    # an unreadable place still links to its file, as an empty range
    gone = to_diagnostic(finding(2, 0, 2, 27, related=(Related(str(tmp_path / "gone.py"), 3, 4, "x"),)),
                         tasks_lines, UTF16, Settings(), projects.lines_of)
    assert gone.related_information is not None
    assert gone.related_information[0].location.range == rng(0, 0, 0, 0)


def test_diagnostic_fields_and_columns_in_the_clients_encoding() -> None:
    lines = ["x = 'é𝄞'; asyncio.run(main())"]  # é: 2 UTF-8 bytes, 1 UTF-16 unit; 𝄞: 4 bytes, 2 units
    start = len("x = 'é𝄞'; ".encode())
    end = len(lines[0].encode())
    made = {enc: to_diagnostic(finding(1, start, 1, end), lines, enc, Settings(docs_url="none"), lambda p: None)
            for enc in (UTF8, UTF16, UTF32)}
    assert made[UTF8].range == rng(0, 14, 0, 33)
    assert made[UTF16].range == rng(0, 11, 0, 30)
    assert made[UTF32].range == rng(0, 10, 0, 29)
    assert made[UTF16].code == "ABR101" and made[UTF16].message == "m" and made[UTF16].source == "async-bridge"
    assert made[UTF16].code_description is None  # docs-url = none: no link
    assert client_column("ab", 9, UTF16) == 2  # past the end: clamped


# -- edits ---------------------------------------------------------------------------------
@pytest.mark.parametrize("old, new", [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("a\nb\nc\n", "x\na\nb\nc\ny\n"),
    ("a\nb", "a\nb\nc"),
    ("a\r\nb\r\n", "a\r\nz\r\nb\r\n"),
    ("import asyncio\n\nx = 1\n", "x = 1\n"),
    ("", "x\n"),
    ("é𝄞\nq", "é𝄞\nQ"),
])
def test_text_edits_rewrite_only_the_changed_lines(old: str, new: str) -> None:
    assert apply_edits(old, text_edits(old, new, UTF16)) == new


def test_one_changed_line_is_one_small_edit() -> None:
    assert text_edits("a\nb\nc\n", "a\nB\nc\n", UTF16) == [types.TextEdit(range=rng(1, 0, 2, 0), new_text="B\n")]
    assert text_edits("a\nb", "a\nB", UTF16) == [types.TextEdit(range=rng(1, 0, 1, 1), new_text="B")]


def test_no_edits_for_the_same_text() -> None:
    assert text_edits("a\nb\n", "a\nb\n", UTF16) == []


# -- # noqa --------------------------------------------------------------------------------
def noqa(source: str, found: Finding) -> str | None:
    text = textwrap.dedent(source)
    edit = noqa_edit(text, found, UTF16)
    return None if edit is None else apply_edits(text, [edit])


def test_noqa_goes_at_the_end_of_the_line_replacing_trailing_blanks() -> None:
    assert noqa("run(main())   \nx = 1\n", finding(1, 0, 1, 11)) == "run(main())  # noqa: ABR101\nx = 1\n"


def test_noqa_is_added_to_the_codes_of_an_existing_one() -> None:
    assert noqa("run(main())  # noqa:E501 long line\n", finding(1, 0, 1, 11)) == \
        "run(main())  # noqa:E501, ABR101 long line\n"
    assert noqa("run(main())  # type: ignore  # noqa: E501,W291\n", finding(1, 0, 1, 11)) == \
        "run(main())  # type: ignore  # noqa: E501,W291, ABR101\n"


def test_noqa_after_another_comment() -> None:
    assert noqa("run(main())  # legacy\n", finding(1, 0, 1, 11)) == "run(main())  # legacy  # noqa: ABR101\n"


def test_noqa_goes_after_a_multiline_string_the_line_runs_into() -> None:
    source = 'run(main("""\nbody\n"""))\nx = 1\n'
    assert noqa(source, finding(1, 0, 3, 4)) == 'run(main("""\nbody\n"""))  # noqa: ABR101\nx = 1\n'
    # ... and not at all when that line is outside the flagged lines (check would not see it)
    assert noqa('run(main()); s = """\nbody\n"""\n', finding(1, 0, 1, 10)) is None


def test_noqa_goes_after_a_backslash_continuation() -> None:
    source = "x = run(main()) + \\\n    1\n"
    assert noqa(source, finding(1, 4, 2, 5)) == "x = run(main()) + \\\n    1  # noqa: ABR101\n"


def test_noqa_inside_brackets_stays_on_the_flagged_line() -> None:
    source = "total = sum([\n    run(main()),\n])\n"
    assert noqa(source, finding(2, 4, 2, 15)) == "total = sum([\n    run(main()),  # noqa: ABR101\n])\n"


def test_no_noqa_action_where_flake8_could_not_read_it() -> None:
    assert noqa("run(main())  # noqa: see below\n", finding(1, 0, 1, 11)) is None


# -- options and projects ----------------------------------------------------------------
def test_options_take_pyproject_names_snake_and_camel_case() -> None:
    options, problems = normalise_options({"django-version": "4.2", "extraKnowledge": ["k.yaml"], "enable": "ABR106"})
    assert options == {"django_version": "4.2", "extra_knowledge": ["k.yaml"], "enable": "ABR106"}
    assert problems == []
    options, problems = normalise_options({"async-bridge": {"docs_url": "none"}, "python": {}})
    assert options == {"docs_url": "none"} and problems == []
    options, problems = normalise_options({"djangoversion": "4.2"})
    assert options == {}
    assert len(problems) == 1 and problems[0].startswith("unknown setting 'djangoversion' ignored; known settings: ")
    assert normalise_options(["x"]) == ({}, ["settings must be an object, got ['x']; ignored"])


def test_project_root_is_the_nearest_marked_folder_else_the_workspace_folder(tmp_path: Path) -> None:
    (tmp_path / "backend" / "shop").mkdir(parents=True)
    (tmp_path / "backend" / "manage.py").write_text("")
    (tmp_path / "tools").mkdir()
    assert project_root(tmp_path / "backend" / "shop" / "tasks.py", [tmp_path]) == tmp_path / "backend"
    # the editor opened a package of the project as its workspace folder
    assert project_root(tmp_path / "backend" / "shop" / "tasks.py", [tmp_path / "backend" / "shop"]) == tmp_path / "backend"
    assert project_root(tmp_path / "tools" / "x.py", [tmp_path]) == tmp_path
    assert project_root(tmp_path / "tools" / "x.py", []) == tmp_path / "tools"


# -- the command -------------------------------------------------------------------------
def test_server_command_without_pygls_says_what_to_install(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from async_bridge.cli import main

    for name in [n for n in sys.modules if n == "async_bridge.server.app" or n.split(".")[0] == "pygls"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pygls", None)
    assert main(["server"]) == 2
    assert capsys.readouterr().err == (
        "async-bridge: the server needs pygls and lsprotocol (pygls is missing): "
        "pip install 'flake8-async-bridge[server]'\n"
    )
