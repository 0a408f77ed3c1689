"""Reading Python files and honouring ``# noqa``: shared by ``check``, ``fix`` and the server.

flake8 reads files and applies ``# noqa`` itself; every other entry point goes through
here, so the three commands agree on what a file says and what is suppressed.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .checks.base import Finding


class SourceError(Exception):
    """A file that cannot be read or decoded; the message is one line."""


# ``# noqa``, ``# noqa: ABR101``, ``# noqa:ABR2,E501`` (codes are prefixes, as in flake8)
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode_source(data: bytes) -> tuple[str, str]:
    """(text, encoding) honouring a PEP 263 cookie and a UTF-8 BOM; newlines untouched."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot decode: {exc}") from None


def read_source(path: Path) -> tuple[str, str]:
    """(text, encoding) of a Python file; SourceError with a one-line reason."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    return decode_source(data)


def split_lines(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def noqa_codes(line: str) -> frozenset[str] | None:
    """None: no noqa; empty: bare ``# noqa``; else the (upper-case) codes it names."""
    match = NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return frozenset()
    return frozenset(c.upper() for c in re.split(r"[,\s]+", codes) if c)


def suppressed(finding: "Finding", lines: list[str]) -> bool:
    """A ``# noqa`` for this code on any line of the flagged node."""
    last = finding.end_line or finding.line
    for number in range(finding.line, last + 1):
        if not 1 <= number <= len(lines):
            continue
        codes = noqa_codes(lines[number - 1])
        if codes is None:
            continue
        if not codes or any(finding.code.startswith(code) for code in codes):
            return True
    return False


# What flake8 reports ---------------------------------------------------------------
# ``suppressed`` above is deliberately broad (``fix`` leaves a node alone when any of
# its lines says noqa). Reporting must match flake8 7 exactly, so ``check`` and the
# server show what flake8 shows: the comment is looked for in the reported line's
# token run (a multi-line string or a backslash continuation joins lines), spelled
# ``# noqa`` with one space; codes compare case-sensitively, as prefixes; a line that
# starts with ``# flake8: noqa`` (or ``=``) exempts the whole file.
_FLAKE8_NOQA = re.compile(r"# noqa(?::\s?(?P<codes>(?:[A-Z]+[0-9]+[,\s]*)+))?", re.IGNORECASE)
_FLAKE8_FILE_NOQA = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_CODE_SEPARATOR = re.compile(r"[,\s]")


def file_exempt(lines: list[str]) -> bool:
    """A ``# flake8: noqa`` line: flake8 skips the file."""
    return any(_FLAKE8_FILE_NOQA.match(line) for line in lines)


def _token_runs(lines: list[str]) -> dict[int, str]:
    """Line number -> the text of the lines its tokens span up to the next line break token."""
    runs: dict[int, str] = {}
    first, last = len(lines) + 2, -1
    readline = iter(line + "\n" for line in lines).__next__
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, token.start[0]), max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                text = "".join(line + "\n" for line in lines[first - 1:last])
                runs.update(dict.fromkeys(range(first, last + 1), text))
                first, last = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError, StopIteration):
        return {}
    return runs


def reported(findings: list["Finding"], text: str) -> list["Finding"]:
    """The findings flake8 would print for ``text``: its ``# noqa`` rules, to the letter."""
    if not findings or "noqa" not in text.lower():
        return findings
    lines = split_lines(text)
    if file_exempt(lines):
        return []
    runs = _token_runs(lines)
    kept = []
    for finding in findings:
        line = runs.get(finding.line)
        if line is None:
            line = lines[finding.line - 1] if 1 <= finding.line <= len(lines) else ""
        match = _FLAKE8_NOQA.search(line)
        if match is not None:
            codes = match.group("codes")
            if codes is None:
                continue
            named = tuple(code for code in _CODE_SEPARATOR.split(codes) if code)
            if finding.code.startswith(named):
                continue
        kept.append(finding)
    return kept
