"""The output formats of ``async-bridge check``, on hand-made findings.

``Finding.related`` (the chain of places behind a cross-function finding) is
rendered by every format that can show it: under the finding in ``full``, a list
in ``json``, ``relatedLocations`` and a ``codeFlows`` thread flow in SARIF.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from async_bridge.checks.base import Finding, Related
from async_bridge.config import DOCS_BASE_URL, Settings
from async_bridge.knowledge import builtin
from async_bridge.output import FORMATS, Item, Report, SourceLines, display_path, render_statistics
from async_bridge.output.structured import sarif_document

TASKS = '''\
from celery import shared_task

from shop.services import sync_orders


@shared_task
def refresh(shop_id):
    asyncio.run(sync_orders(shop_id))  # the bug
'''
SERVICES = '''\
async def sync_orders(shop_id):
\tawait fetch(shop_id)


async def fetch(shop_id):
    return Order.objects.get(pk=shop_id)
'''

RULES = builtin().rules


def message(code: str, text: str) -> str:
    return f"{code} {text}"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "tasks.py").write_text(TASKS, encoding="utf-8")
    (tmp_path / "shop" / "services.py").write_text(SERVICES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def chain_finding(project: Path) -> Finding:
    services = str(project / "shop" / "services.py")
    return Finding(
        line=8, col=4, code="ABR101", message=message("ABR101", "asyncio.run() in Celery task 'refresh'"),
        end_line=8, end_col=37,
        related=(
            Related(services, 1, 0, "the coroutine `sync_orders`"),
            Related(services, 2, 7, "awaits `fetch`"),
            Related(services, 6, 11, "reaches `Order.objects.get()`"),
        ),
    )


def make_report(project: Path, findings: list[tuple[str, Finding]], **kwargs) -> Report:
    items = [Item(path, finding) for path, finding in findings]
    return Report(items=items, errors=kwargs.pop("errors", []), settings=kwargs.pop("settings", Settings()),
                  rules=RULES, sources=SourceLines(kwargs.pop("preloaded", None)), root=project,
                  fixable=frozenset({"ABR101", "ABR201"}), files=2, version="9.9", **kwargs)


def render(fmt: str, report: Report) -> str:
    out = io.StringIO()
    FORMATS[fmt](report, out)
    return out.getvalue()


def test_full_shows_the_line_a_caret_and_the_chain(project):
    report = make_report(project, [("shop/tasks.py", chain_finding(project))])
    assert render("full", report) == (
        "shop/tasks.py:8:5: ABR101 asyncio.run() in Celery task 'refresh'\n"
        "   |\n"
        " 8 |     asyncio.run(sync_orders(shop_id))  # the bug\n"
        "   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "   = related:\n"
        "     1. shop/services.py:1:1: the coroutine `sync_orders`\n"
        "     2. shop/services.py:2:8: awaits `fetch`\n"
        "     3. shop/services.py:6:12: reaches `Order.objects.get()`\n"
        f"   = docs: {DOCS_BASE_URL}ABR101.md\n"
    )


def test_full_with_show_why_and_without_links(project):
    report = make_report(project, [("shop/tasks.py", chain_finding(project))], show_why=True,
                         settings=Settings(docs_url="none"))
    text = render("full", report)
    assert f"   = why: {RULES['ABR101'].why}\n" in text
    assert "docs:" not in text
    assert text.splitlines()[0] == "shop/tasks.py:8:5: ABR101 asyncio.run() in Celery task 'refresh'"


def test_full_caret_after_tabs_and_wide_characters(project):
    (project / "wide.py").write_text("x = 1\n\tv = '\u540d\u524d'; f(v)\n", encoding="utf-8")
    # ast columns count UTF-8 bytes: the call f(v) starts at byte 1 + 4 + 8 + 2 = 15
    finding = Finding(2, 15, "ABR401", message("ABR401", "discarded"), end_line=2, end_col=19)
    text = render("full", make_report(project, [("wide.py", finding)]))
    lines = text.splitlines()
    assert lines[0] == "wide.py:2:16: ABR401 discarded"  # the column flake8 prints
    assert lines[2] == " 2 |     v = '\u540d\u524d'; f(v)"
    # the tab is 4 cells, "v = '" 5, each ideograph 2, "'; " 3: f( starts at cell 16
    assert lines[3] == " " * 3 + "| " + " " * 16 + "^^^^"


def test_full_multiline_node_underlines_up_to_the_comment(project):
    finding = Finding(1, 0, "ABR201", message("ABR201", "x"), end_line=3, end_col=1)
    (project / "multi.py").write_text("call(  # noqa-free comment\n    1,\n)\n", encoding="utf-8")
    lines = render("full", make_report(project, [("multi.py", finding)])).splitlines()
    assert lines[3] == "   | " + "^" * len("call(")


def test_full_without_source_keeps_the_message(project):
    finding = Finding(3, 0, "ABR201", message("ABR201", "gone"))
    text = render("full", make_report(project, [("deleted.py", finding)]))
    assert text == f"deleted.py:3:1: ABR201 gone\n   = docs: {DOCS_BASE_URL}ABR201.md\n"


def test_concise_is_flake8s_line(project):
    report = make_report(project, [("shop/tasks.py", chain_finding(project))])
    assert render("concise", report) == (
        f"shop/tasks.py:8:5: ABR101 asyncio.run() in Celery task 'refresh' (docs: {DOCS_BASE_URL}ABR101.md)\n")
    report.show_why = True
    assert f"'refresh' Why: {RULES['ABR101'].why} (docs: " in render("concise", report)


def test_json_includes_the_chain(project):
    report = make_report(project, [("shop/tasks.py", chain_finding(project))])
    [data] = json.loads(render("json", report))
    assert data == {
        "path": "shop/tasks.py", "line": 8, "column": 5, "end_line": 8, "end_column": 38,
        "code": "ABR101", "name": "event-loop-in-worker",
        "message": "asyncio.run() in Celery task 'refresh'",
        "url": f"{DOCS_BASE_URL}ABR101.md", "fixable": True,
        "related": [
            {"path": "shop/services.py", "line": 1, "column": 1, "note": "the coroutine `sync_orders`"},
            {"path": "shop/services.py", "line": 2, "column": 8, "note": "awaits `fetch`"},
            {"path": "shop/services.py", "line": 6, "column": 12, "note": "reaches `Order.objects.get()`"},
        ],
    }
    report.show_why = True
    assert json.loads(render("json", report))[0]["why"] == RULES["ABR101"].why


def test_sarif_related_locations_and_code_flow(project):
    report = make_report(project, [("shop/tasks.py", chain_finding(project))])
    document = json.loads(render("sarif", report))
    assert document["version"] == "2.1.0" and document["$schema"].endswith("sarif-2.1.0.json")
    [run] = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "async-bridge" and driver["version"] == "9.9"
    assert [rule["id"] for rule in driver["rules"]] == sorted(RULES)
    rule = driver["rules"][sorted(RULES).index("ABR101")]
    assert rule["helpUri"] == f"{DOCS_BASE_URL}ABR101.md"
    assert rule["name"] == "event-loop-in-worker"
    assert rule["fullDescription"]["text"] == RULES["ABR101"].why
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    [result] = run["results"]
    assert result["ruleId"] == "ABR101" and result["ruleIndex"] == sorted(RULES).index("ABR101")
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "shop/tasks.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8, "startColumn": 5, "endLine": 8, "endColumn": 38},
    }
    related = result["relatedLocations"]
    assert [(r["id"], r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in related] == [
        (1, 1, "the coroutine `sync_orders`"), (2, 2, "awaits `fetch`"), (3, 6, "reaches `Order.objects.get()`")]
    assert all(r["physicalLocation"]["artifactLocation"]["uri"] == "shop/services.py" for r in related)
    [flow] = result["codeFlows"]
    steps = flow["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [8, 1, 2, 6]
    assert [s["nestingLevel"] for s in steps] == [0, 1, 2, 3]
    assert steps[0]["location"]["message"]["text"] == "asyncio.run() in Celery task 'refresh'"


def test_sarif_columns_are_code_points_and_errors_are_notifications(project):
    (project / "wide.py").write_text("v = '\u540d'; f(v)\n", encoding="utf-8")
    finding = Finding(1, 11, "ABR401", message("ABR401", "discarded"), end_line=1, end_col=15)
    report = make_report(project, [("wide.py", finding)], errors=[("broken.py", "syntax error, line 1: x")])
    [run] = sarif_document(report)["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    # f(v) is at UTF-8 bytes 11-15, code points 9-13 (0-based): 1-based 10 and 14
    assert (region["startColumn"], region["endColumn"]) == (10, 14)
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "broken.py: syntax error, line 1: x"


def test_sarif_without_related_has_no_code_flow(project):
    finding = Finding(8, 4, "ABR101", message("ABR101", "x"))
    [result] = sarif_document(make_report(project, [("shop/tasks.py", finding)]))["runs"][0]["results"]
    assert "relatedLocations" not in result and "codeFlows" not in result
    assert "endLine" not in result["locations"][0]["physicalLocation"]["region"]


def test_github_annotations_escape_their_text(project):
    finding = Finding(8, 4, "ABR101", message("ABR101", "100% wrong,\nreally: yes"), end_line=8, end_col=37)
    report = make_report(project, [("shop/a,b.py", finding)], settings=Settings(docs_url="none"),
                         errors=[("bad.py", "syntax error, line 2: x")])
    assert render("github", report) == (
        "::error title=ABR101 event-loop-in-worker,file=shop/a%2Cb.py,line=8,col=5,endLine=8,endColumn=38"
        "::ABR101 100%25 wrong,%0Areally: yes\n"
        "::error title=async-bridge,file=bad.py::syntax error, line 2: x\n"
    )


def test_gitlab_code_quality_report(project):
    first = chain_finding(project)
    twin = Finding(8, 4, "ABR101", first.message, end_line=8, end_col=37)
    report = make_report(project, [("shop/tasks.py", first), ("shop/tasks.py", twin)])
    issues = json.loads(render("gitlab", report))
    assert [issue["check_name"] for issue in issues] == ["ABR101", "ABR101"]
    assert issues[0]["location"] == {"path": "shop/tasks.py", "lines": {"begin": 8, "end": 8}}
    assert issues[0]["severity"] == "major" and issues[0]["type"] == "issue"
    assert issues[0]["description"] == "ABR101 asyncio.run() in Celery task 'refresh'"
    assert len({issue["fingerprint"] for issue in issues}) == 2  # unique, even on one line
    # the fingerprint follows the code, not its line number
    (project / "shop" / "tasks.py").write_text("\n\n" + TASKS, encoding="utf-8")
    moved = Finding(10, 4, "ABR101", first.message, end_line=10, end_col=37)
    again = json.loads(render("gitlab", make_report(project, [("shop/tasks.py", moved)])))
    assert again[0]["fingerprint"] == issues[0]["fingerprint"]


def test_statistics(project):
    findings = [("a.py", Finding(1, 0, "ABR201", "ABR201 x")), ("b.py", Finding(2, 0, "ABR201", "ABR201 y")),
                ("b.py", Finding(3, 0, "ABR402", "ABR402 z"))]
    report = make_report(project, findings)
    out = io.StringIO()
    render_statistics(report, out)
    assert out.getvalue() == "2  ABR201  [*] sync-orm-call-in-async\n1  ABR402      loop-bound-object-at-import\n"
    out = io.StringIO()
    render_statistics(report, out, as_json=True)
    assert json.loads(out.getvalue())[0] == {"code": "ABR201", "name": "sync-orm-call-in-async", "count": 2,
                                             "fixable": True}


def test_display_path(project, tmp_path_factory):
    assert display_path(str(project / "shop" / "tasks.py")) == "shop/tasks.py"
    assert display_path("./shop/tasks.py") == "shop/tasks.py"
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "x.py"
    assert display_path(str(elsewhere)) == elsewhere.as_posix()
    assert display_path("-") == "-"


def test_format_names_match_the_parser():
    from async_bridge.commands.check import FORMAT_NAMES

    assert sorted(FORMAT_NAMES) == sorted(FORMATS)


def test_why_is_the_first_paragraph_of_the_rationale():
    for rule in RULES.values():
        assert rule.why and "\n" not in rule.why
        assert rule.rationale.strip().startswith(rule.why.split()[0])
    rationale = RULES["ABR101"].rationale
    if "\n\n" in rationale.strip():
        assert len(RULES["ABR101"].why) < len(" ".join(rationale.split()))
