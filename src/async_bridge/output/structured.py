"""Machine-readable formats: ``json``, ``sarif`` (2.1.0), ``github`` and ``gitlab``.

Columns are 1-based. In ``json``, ``github`` and ``gitlab`` they are the ones flake8
prints (``ast`` counts UTF-8 bytes); SARIF declares ``unicodeCodePoints`` and
converts, so viewers underline the right characters on non-ASCII lines.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from ..checks.base import Related
from .base import Item, Report, char_column

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/flake8-async-bridge/flake8-async-bridge"


# json ------------------------------------------------------------------------------
def _related_json(path: str, place: Related) -> dict[str, Any]:
    return {"path": path, "line": place.line, "column": place.col + 1, "note": place.note}


def json_item(report: Report, item: Item) -> dict[str, Any]:
    finding = item.finding
    rule = report.rule(item.code)
    data: dict[str, Any] = {
        "path": item.path,
        "line": finding.line,
        "column": finding.col + 1,
        "end_line": finding.end_line,
        "end_column": finding.end_col + 1 if finding.end_col is not None else None,
        "code": item.code,
        "name": rule.name if rule else None,
        "message": report.message(item),
        "url": report.url(item.code),
        "fixable": item.code in report.fixable,
        "related": [_related_json(path, place) for path, place in report.related(item)],
    }
    why = report.why(item)
    if why:
        data["why"] = why
    return data


def render_json(report: Report, out: TextIO) -> None:
    json.dump([json_item(report, item) for item in report.items], out, indent=2, ensure_ascii=False)
    out.write("\n")


# sarif -----------------------------------------------------------------------------
def _uri(path: str) -> str:
    return path.replace("%", "%25").replace(" ", "%20").replace("#", "%23")


def _artifact(report: Report, path: str) -> dict[str, Any]:
    """Relative to the project root (``%SRCROOT%``) when under it, else a ``file:`` URI."""
    absolute = Path(os.path.abspath(path))
    try:
        return {"uri": _uri(absolute.relative_to(report.root.absolute()).as_posix()), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": absolute.as_uri()}


def _sarif_location(report: Report, path: str, line: int, col: int, end_line: int | None = None,
                    end_col: int | None = None, note: str | None = None) -> dict[str, Any]:
    text = report.sources.line(path, line)
    region: dict[str, Any] = {"startLine": line, "startColumn": char_column(text, col) + 1}
    if end_line is not None and end_col is not None:
        end_text = text if end_line == line else report.sources.line(path, end_line)
        region["endLine"] = end_line
        region["endColumn"] = char_column(end_text, end_col) + 1
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": _artifact(report, path), "region": region}}
    if note:
        location["message"] = {"text": note}
    return location


def _sarif_rule(report: Report, code: str) -> dict[str, Any]:
    rule = report.rule(code)
    data: dict[str, Any] = {"id": code}
    if rule is not None:
        data.update(
            name=rule.name,
            shortDescription={"text": " ".join(rule.summary.split())},
            fullDescription={"text": rule.why or " ".join(rule.summary.split())},
            defaultConfiguration={"level": "error", "enabled": rule.default_on},
            properties={"tags": ["async", "django"], "fixable": code in report.fixable},
        )
    url = report.url(code)
    if url:
        data["helpUri"] = url
        data["help"] = {"text": f"{rule.why if rule else code} See {url}",
                        "markdown": f"{rule.why if rule else code}\n\n[{code} documentation]({url})"}
    return data


def sarif_document(report: Report) -> dict[str, Any]:
    codes = sorted(report.rules)
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for item in report.items:
        finding = item.finding
        result: dict[str, Any] = {
            "ruleId": item.code,
            "ruleIndex": index.get(item.code, -1),
            "level": "error",
            "message": {"text": f"{item.code} {report.message(item)}"},
            "locations": [_sarif_location(report, item.path, finding.line, finding.col,
                                          finding.end_line, finding.end_col)],
        }
        related = list(report.related(item))
        if related:
            result["relatedLocations"] = [
                {"id": number, **_sarif_location(report, path, place.line, place.col, note=place.note)}
                for number, (path, place) in enumerate(related, start=1)
            ]
            steps = [_sarif_location(report, item.path, finding.line, finding.col, note=report.message(item))]
            steps += [_sarif_location(report, path, place.line, place.col, note=place.note) for path, place in related]
            result["codeFlows"] = [{"threadFlows": [{"locations": [
                {"location": step, "nestingLevel": level} for level, step in enumerate(steps)
            ]}]}]
        results.append(result)
    notifications = [
        {"level": "error", "message": {"text": f"{path}: {reason}"},
         "locations": [{"physicalLocation": {"artifactLocation": _artifact(report, path)}}]}
        for path, reason in report.errors
    ]
    root_uri = report.root.absolute().as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "async-bridge",
                "fullName": "flake8-async-bridge (async-bridge check)",
                "version": report.version,
                "semanticVersion": report.version,
                "informationUri": INFORMATION_URI,
                "rules": [_sarif_rule(report, code) for code in codes],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": not report.errors,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }


def render_sarif(report: Report, out: TextIO) -> None:
    json.dump(sarif_document(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


# github ----------------------------------------------------------------------------
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, out: TextIO) -> None:
    """Workflow commands: one ``::error`` annotation per finding (and per unreadable file)."""
    for item in report.items:
        finding = item.finding
        rule = report.rule(item.code)
        title = f"{item.code} {rule.name}" if rule else item.code
        props = [f"title={_escape_property(title)}", f"file={_escape_property(item.path)}",
                 f"line={finding.line}", f"col={finding.col + 1}"]
        if finding.end_line is not None and finding.end_col is not None:
            props += [f"endLine={finding.end_line}", f"endColumn={finding.end_col + 1}"]
        message = report.settings.with_doc_link(f"{item.code} {report.text(item)}", item.code)
        out.write(f"::error {','.join(props)}::{_escape_data(message)}\n")
    for path, reason in report.errors:
        out.write(f"::error title=async-bridge,file={_escape_property(path)}::{_escape_data(reason)}\n")


# gitlab ----------------------------------------------------------------------------
def render_gitlab(report: Report, out: TextIO) -> None:
    """A GitLab Code Quality report (the Code Climate subset GitLab reads)."""
    import hashlib  # here only: importing it loads OpenSSL (3.5 MB) into every run

    issues = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for item in report.items:
        finding = item.finding
        line_text = (report.sources.line(item.path, finding.line) or "").strip()
        key = (item.path, item.code, line_text)
        seen[key] += 1  # the n-th identical line: stable when code above it moves
        digest = hashlib.sha256("\0".join((*key, str(seen[key]))).encode("utf-8")).hexdigest()
        issues.append({
            "type": "issue",
            "check_name": item.code,
            "description": f"{item.code} {report.text(item)}",
            "content": {"body": report.url(item.code) or ""},
            "categories": ["Bug Risk"],
            "severity": "major",
            "fingerprint": digest,
            "location": {"path": item.path, "lines": {"begin": finding.line, "end": finding.end_line or finding.line}},
        })
    json.dump(issues, out, indent=2, ensure_ascii=False)
    out.write("\n")


__all__ = ["json_item", "render_github", "render_gitlab", "render_json", "render_sarif",
           "sarif_document"]
