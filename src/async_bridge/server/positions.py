"""Columns in the client's position encoding.

``ast`` columns are UTF-8 byte offsets; LSP columns count code units of the encoding
agreed at initialisation (UTF-16 unless the client offers another).
"""

from __future__ import annotations

from lsprotocol import types

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def encoding_name(kind: object) -> str:
    """``utf-8`` / ``utf-16`` / ``utf-32`` for a negotiated ``PositionEncodingKind``."""
    value = kind.value if isinstance(kind, types.PositionEncodingKind) else str(kind or "")
    return value.lower() if value.lower() in (UTF8, UTF32) else UTF16


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in code units of ``encoding``."""
    if text.isascii() or encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def char_index(line: str, byte_col: int) -> int:
    """The character index of UTF-8 byte offset ``byte_col`` in ``line``."""
    if line.isascii():
        return min(byte_col, len(line))
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def client_column(line: str, byte_col: int, encoding: str) -> int:
    """An ``ast`` column (UTF-8 bytes) of ``line`` as a client column."""
    if encoding == UTF8 or line.isascii():
        return min(byte_col, len(line.encode("utf-8")))
    return units(line[:char_index(line, byte_col)], encoding)


def position(lines: list[str], line: int, byte_col: int, encoding: str) -> types.Position:
    """The client position of 1-based ``line`` and ``ast`` column ``byte_col``."""
    index = min(max(line - 1, 0), max(len(lines) - 1, 0))
    text = lines[index] if lines else ""
    return types.Position(line=index, character=client_column(text, max(byte_col, 0), encoding))


def char_position(lines: list[str], index: int, char: int, encoding: str) -> types.Position:
    """The client position of 0-based line ``index`` and character ``char``."""
    text = lines[index] if 0 <= index < len(lines) else ""
    return types.Position(line=index, character=units(text[:char], encoding))


def document_end(lines: list[str], encoding: str) -> types.Position:
    """The position just past the last character of a document split into ``lines``."""
    if not lines:
        return types.Position(line=0, character=0)
    return types.Position(line=len(lines) - 1, character=units(lines[-1], encoding))


def before(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) < (b.line, b.character)


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges share a position (an empty range touching the other counts)."""
    return not before(a.end, b.start) and not before(b.end, a.start)


def contains(rng: types.Range, pos: types.Position) -> bool:
    return not before(pos, rng.start) and not before(rng.end, pos)
