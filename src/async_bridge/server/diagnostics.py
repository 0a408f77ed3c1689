"""Findings as LSP diagnostics (code, rule link, the chain behind it) and rule hovers."""

from __future__ import annotations

import re
from typing import Callable

from lsprotocol import types
from pygls.uris import from_fs_path

from ..checks.base import Finding, Related
from ..config import Settings
from ..knowledge import RuleMeta
from . import SOURCE
from .positions import char_index, char_position, position

LinesOf = Callable[[str], "list[str] | None"]
_NAME = re.compile(r"[\w.]+")


def to_diagnostic(
    finding: Finding, lines: list[str], encoding: str, settings: Settings, lines_of: LinesOf,
) -> types.Diagnostic:
    """``finding`` of a document split into ``lines``; ``lines_of(path)`` gives the lines
    of the files its related places are in (None when unreadable)."""
    start = position(lines, finding.line, finding.col, encoding)
    if finding.end_line is not None and finding.end_col is not None:
        end = position(lines, finding.end_line, finding.end_col, encoding)
    else:
        end = start
    url = settings.doc_url(finding.code)
    related = [_related(place, encoding, lines_of) for place in finding.related]
    return types.Diagnostic(
        range=types.Range(start=start, end=end),
        message=_plain_message(finding),
        severity=types.DiagnosticSeverity.Warning,
        code=finding.code,
        code_description=types.CodeDescription(href=url) if url else None,
        source=SOURCE,
        related_information=related or None,
    )


def _plain_message(finding: Finding) -> str:
    """The message without its leading code (editors show the code beside it)."""
    prefix = f"{finding.code} "
    return finding.message[len(prefix):] if finding.message.startswith(prefix) else finding.message


def _related(place: Related, encoding: str, lines_of: LinesOf) -> types.DiagnosticRelatedInformation:
    """A clickable place; its range covers the (dotted) name that starts there."""
    lines = lines_of(place.path) or []
    start = position(lines, place.line, place.col, encoding)
    end = start
    if 0 <= start.line < len(lines):
        text = lines[start.line]
        char = char_index(text, place.col)
        match = _NAME.match(text, char)
        if match:
            end = char_position(lines, start.line, match.end(), encoding)
    return types.DiagnosticRelatedInformation(
        location=types.Location(uri=from_fs_path(place.path) or place.path, range=types.Range(start=start, end=end)),
        message=place.note,
    )


def why(rule: RuleMeta) -> str:
    """The first paragraph of a rule's rationale, on one line."""
    paragraph = rule.rationale.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def hover_markdown(rules: list[RuleMeta], settings: Settings) -> str:
    """Why each rule flagged here matters, with a link to its page."""
    parts = []
    for rule in rules:
        url = settings.doc_url(rule.code)
        link = f"\n\n[{rule.code} documentation]({url})" if url else ""
        parts.append(f"**{rule.code}** `{rule.name}`\n\n{why(rule)}{link}")
    return "\n\n---\n\n".join(parts)
