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
