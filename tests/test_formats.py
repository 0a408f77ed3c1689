"""CI output formats: flake8's default and the formatter plugins of the ``formats`` extra.

Each format must carry, for every finding, the ABR code, the line (and column
where the format has one), the message and the link to the rule's page.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from async_bridge.config import DOCS_BASE_URL, rule_doc_url

REPO = Path(__file__).resolve().parents[1]

SOURCE = '''\
import asyncio


async def refresh():
    asyncio.run(fetch())


async def fetch():
    return 1


def start():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(fetch())
'''
# (line, 1-based column, code)
EXPECTED = [(5, 5, "ABR105"), (13, 12, "ABR102")]


def _flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--select=ABR", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def _need_format(name: str, module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is missing: install the 'test' (or 'formats') extra")
        pytest.skip(f"--format={name} needs {module} (the 'formats' extra)")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "service.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def _url(code: str) -> str:
    return rule_doc_url(code)


def _assert_message(code: str, text: str) -> None:
    assert _url(code) in text, text
    # readable: the message proper comes first, the link closes it
    assert text.rstrip().endswith(f"(docs: {_url(code)})"), text
    assert len(text.split("(docs:")[0].strip()) > 40, text


def test_links_point_at_the_rule_pages():
    """Each link names the page ``async-bridge docs`` generates for that rule."""
    from async_bridge import docs
    from async_bridge.knowledge import builtin

    rules = builtin().rules
    generated = {path.relative_to(REPO).as_posix() for path in docs.plan(rules, REPO).write}
    for code in rules:
        url = _url(code)
        assert url.startswith(DOCS_BASE_URL), url
        page = url[len(DOCS_BASE_URL):]
        assert f"docs/rules/{page}" in generated, f"{url} does not name a generated page"
    assert DOCS_BASE_URL.endswith("/blob/main/docs/rules/")


def test_default_format(project):
    done = _flake8(project, "service.py")
    assert done.returncode == 1, done.stderr
    found = []
    for line in done.stdout.splitlines():
        match = re.match(r"^service\.py:(\d+):(\d+): (ABR\d{3}) (.*)$", line)
        assert match, line
        found.append((int(match[1]), int(match[2]), match[3]))
        _assert_message(match[3], match[4])
    assert found == EXPECTED


@pytest.mark.parametrize("fmt", ["json", "json-pretty"])
def test_json(project, fmt):
    _need_format(fmt, "flake8_json_reporter")
    done = _flake8(project, f"--format={fmt}", "service.py")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    [(filename, violations)] = data.items()
    assert filename.endswith("service.py")
    found = []
    for item in violations:
        found.append((item["line_number"], item["column_number"], item["code"]))
        _assert_message(item["code"], item["text"])
    assert found == EXPECTED


def test_codeclimate(project):
    _need_format("codeclimate", "flake8_json_reporter")
    done = _flake8(project, "--format=codeclimate", "service.py")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    issues = [issue for items in data.values() for issue in items]
    found = []
    for issue in issues:
        found.append((issue["location"]["positions"]["begin"]["line"],
                      issue["location"]["positions"]["begin"]["column"], issue["check_name"]))
        _assert_message(issue["check_name"], issue["description"])
    assert found == EXPECTED


def test_sarif(project):
    _need_format("sarif", "flake8_sarif_reporter")
    done = _flake8(project, "--format=sarif", "service.py")
    assert done.returncode == 1, done.stderr
    sarif = json.loads(done.stdout)
    assert sarif["version"] == "2.1.0"
    [run] = sarif["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    found = []
    for result in run["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uri"].endswith("service.py")
        found.append((region["startLine"], region["startColumn"], result["ruleId"]))
        assert result["ruleId"] in rules
        # flake8-sarif has no helpUri: the link travels in the message text
        help_uri = rules[result["ruleId"]].get("helpUri")
        assert help_uri in (None, _url(result["ruleId"]))
        _assert_message(result["ruleId"], result["message"]["text"])
    assert found == EXPECTED


def test_github_annotations(project):
    _need_format("github", "flake8_github_annotations")
    done = _flake8(project, "--format=github", "service.py")
    assert done.returncode == 1, done.stderr
    found = []
    for line in done.stdout.splitlines():
        match = re.match(r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=(ABR\d{3})::(.*)$", line)
        assert match, line
        assert match[2].endswith("service.py")
        found.append((int(match[3]), int(match[4]), match[5]))
        _assert_message(match[5], match[6])
        # workflow-command data must not contain raw newlines or a '%' GitHub would unescape
        assert "%" not in match[6]
    assert found == EXPECTED


def test_docs_url_can_be_overridden_or_dropped(project):
    done = _flake8(project, "--abr-docs-url=https://lint.example.org/abr/{code}.html", "service.py")
    assert "(docs: https://lint.example.org/abr/ABR105.html)" in done.stdout
    assert DOCS_BASE_URL not in done.stdout
    done = _flake8(project, "--abr-docs-url=https://mirror.example.org/rules", "service.py")
    assert "(docs: https://mirror.example.org/rules/ABR102.md)" in done.stdout
    done = _flake8(project, "--abr-docs-url=none", "service.py")
    assert done.returncode == 1
    assert "(docs:" not in done.stdout and "ABR105" in done.stdout
