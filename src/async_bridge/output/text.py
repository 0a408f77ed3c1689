"""The terminal formats: ``concise`` (flake8's own line) and ``full`` (with the source)."""

from __future__ import annotations

import io
import tokenize
from typing import TextIO

from .base import Item, Report, char_column, display_width


def concise_line(report: Report, item: Item) -> str:
    """``path:line:col: CODE message (docs: URL)``: exactly what flake8 prints."""
    finding = item.finding
    message = f"{item.code} {report.text(item)}"
    return f"{item.path}:{finding.line}:{finding.col + 1}: {report.settings.with_doc_link(message, item.code)}"


def render_concise(report: Report, out: TextIO) -> None:
    for item in report.items:
        out.write(concise_line(report, item) + "\n")


def _code_end(line: str) -> int:
    """Where the code of ``line`` ends: before a trailing comment and blanks."""
    end = len(line.rstrip())
    if "#" not in line:
        return end
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                return len(line[:token.start[1]].rstrip())
    except (tokenize.TokenError, SyntaxError):
        pass  # a line that opens a bracket: the comment, if any, was already seen
    return end


def _snippet(report: Report, item: Item) -> list[str]:
    """The reported line with a caret line under the flagged code."""
    finding = item.finding
    line = report.sources.line(item.path, finding.line)
    if line is None:
        return []
    start = char_column(line, finding.col)
    if finding.end_line == finding.line and finding.end_col is not None:
        end = char_column(line, finding.end_col)
    else:  # the node goes on below: underline this line's part of it
        end = _code_end(line)
    end = max(end, start + 1)
    number = str(finding.line)
    gutter = " " * len(number)
    shown = line.expandtabs(4)
    # the caret's offset in terminal cells, tabs expanded the same way
    lead = display_width(line[:start].expandtabs(4))
    width = max(1, display_width(line[:end].expandtabs(4)) - lead)
    return [
        f" {gutter} |",
        f" {number} | {shown}",
        f" {gutter} | {' ' * lead}{'^' * width}",
    ]


def render_full(report: Report, out: TextIO) -> None:
    for index, item in enumerate(report.items):
        if index:
            out.write("\n")
        finding = item.finding
        out.write(f"{item.path}:{finding.line}:{finding.col + 1}: {item.code} {report.message(item)}\n")
        snippet = _snippet(report, item)
        for line in snippet:
            out.write(line + "\n")
        pad = " " * (len(str(finding.line)) + 1)
        why = report.why(item)
        if why:
            out.write(f"{pad} = why: {why}\n")
        related = list(report.related(item))
        if related:
            out.write(f"{pad} = related:\n")
            for number, (path, place) in enumerate(related, start=1):
                out.write(f"{pad}   {number}. {path}:{place.line}:{place.col + 1}: {place.note}\n")
        url = report.url(item.code)
        if url:
            out.write(f"{pad} = docs: {url}\n")
