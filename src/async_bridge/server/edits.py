"""Quick fixes and ``# noqa`` suppressions as LSP text edits.

The rewrites are the ``async-bridge fix`` fixers: ``fix_one`` applies the fixer of a
single finding (the driver's ``fix_source`` fixes a whole file and is used as is for
"fix all"). An edit replaces only the lines that changed, so the editor keeps the
cursor and marks everywhere else.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
from typing import TYPE_CHECKING

from lsprotocol import types

from ..checks.base import Finding
from ..config import Settings
from ..sources import noqa_codes, split_lines
from .positions import char_position, document_end

if TYPE_CHECKING:  # libcst is imported when a fix is asked for, never to check
    from ..fixes.base import FixContext

_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# the codes of an existing ``# noqa: X1, Y2`` as flake8 reads them (letters then digits)
_NOQA_CODES = re.compile(r"#\s*noqa:\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.IGNORECASE)


def fix_context(text: str) -> "FixContext | None":
    """The libcst view of ``text`` the fixers work on (None when libcst cannot parse it)."""
    import libcst as cst

    from ..fixes.base import FixContext

    try:
        return FixContext(text)
    except cst.ParserSyntaxError:
        return None


def fix_one(ctx: "FixContext", filename: str, finding: Finding) -> str | None:
    """The text with the fixer of ``finding`` applied there; None when its code has no
    fixer, the fixer leaves it for manual work, or the result would not parse."""
    from ..fixes import load_all
    from ..fixes.base import apply_edits

    fixer = load_all().get(finding.code)
    if fixer is None:
        return None
    edit = fixer(ctx, finding)
    if edit is None:
        return None
    new, done = apply_edits(ctx, [edit])
    if not done or new == ctx.source:
        return None
    try:
        ast.parse(new, filename=filename)
    except (SyntaxError, ValueError):
        return None
    return new


def fix_all(text: str, filename: str, settings: Settings) -> str | None:
    """The text with every fixable finding fixed (the ``async-bridge fix`` driver);
    None when nothing changes or the file cannot be fixed."""
    from ..fixes import load_all
    from ..fixes.driver import FixError, fix_source

    try:
        result = fix_source(text, filename, settings, tuple(load_all()))
    except FixError:
        return None
    return result.fixed if result.changed else None


def text_edits(old: str, new: str, encoding: str) -> list[types.TextEdit]:
    """Edits turning ``old`` into ``new``: one per run of changed lines."""
    before, after = _LINE_WITH_END.findall(old), _LINE_WITH_END.findall(new)
    lines = split_lines(old)
    end_of_document = document_end(lines, encoding)

    def at(index: int) -> types.Position:
        return types.Position(line=index, character=0) if index < len(before) else end_of_document

    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [
        types.TextEdit(range=types.Range(start=at(i1), end=at(i2)), new_text="".join(after[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def noqa_edit(text: str, finding: Finding, encoding: str) -> types.TextEdit | None:
    """Suppress ``finding`` with ``# noqa: CODE`` (added to an existing ``# noqa: ...``).

    The comment goes where flake8 reads it for the finding's line: at the end of the
    line, or of the last line of a string or backslash continuation that line runs
    into. None when that place is outside the flagged lines, or the line's comment
    cannot take one more code.
    """
    line = _comment_line(text, finding.line)
    last = finding.end_line or finding.line
    if line is None or not finding.line <= line <= last:
        return None
    lines = split_lines(text)
    content = lines[line - 1]
    codes = noqa_codes(content)
    if codes is None:
        start = len(content.rstrip())
        return types.TextEdit(
            range=types.Range(
                start=char_position(lines, line - 1, start, encoding),
                end=char_position(lines, line - 1, len(content), encoding),
            ),
            new_text=f"  # noqa: {finding.code}",
        )
    match = _NOQA_CODES.search(content)
    if not codes or match is None:
        return None  # a bare ``# noqa`` (nothing to add) or one flake8 would not read
    at = char_position(lines, line - 1, match.end("codes"), encoding)
    return types.TextEdit(range=types.Range(start=at, end=at), new_text=f", {finding.code}")


def _comment_line(text: str, line: int) -> int | None:
    """The last physical line of the token group holding ``line`` (flake8's ``# noqa``
    line mapping: a multi-line string or a backslash continuation is one group)."""
    first, last = None, None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first = token.start[0] if first is None else min(first, token.start[0])
            last = token.end[0] if last is None else max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                if first <= line <= last:
                    return last
                first, last = None, None
    except (tokenize.TokenError, SyntaxError):
        return None
    return line if first is not None and last is not None and first <= line <= last else None
