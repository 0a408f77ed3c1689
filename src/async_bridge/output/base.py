"""What every output format reads: the findings in a stable order, with their rules and source."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from ..checks.base import Finding, Related
from ..config import Settings
from ..knowledge import RuleMeta
from ..sources import SourceError, read_source, split_lines


def display_path(path: str) -> str:
    """Relative to the current directory when under it (``shop/tasks.py``), else absolute."""
    if path == "-":
        return path
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive (Windows)
        return Path(absolute).as_posix()
    if relative == ".." or relative.startswith(".." + os.sep):
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


class SourceLines:
    """Source lines of reported files, read on first use (``preloaded``: standard input)."""

    def __init__(self, preloaded: Mapping[str, str] | None = None) -> None:
        self._lines: dict[str, list[str] | None] = {
            os.path.abspath(name): split_lines(text) for name, text in (preloaded or {}).items()
        }

    def line(self, path: str, number: int) -> str | None:
        key = os.path.abspath(path)
        if key not in self._lines:
            try:
                self._lines[key] = split_lines(read_source(Path(path))[0])
            except SourceError:
                self._lines[key] = None
        lines = self._lines[key]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def char_column(line: str | None, byte_col: int) -> int:
    """The 0-based character index of a 0-based UTF-8 byte offset (``ast`` columns)."""
    if line is None or line.isascii():
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def display_width(text: str) -> int:
    """Terminal cells: wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def strip_code(message: str, code: str) -> str:
    """``ABR101 text`` -> ``text`` (the engine's messages start with their code)."""
    return message[len(code) + 1:] if message.startswith(code + " ") else message


@dataclass
class Item:
    path: str  # as displayed
    finding: Finding

    @property
    def code(self) -> str:
        return self.finding.code


@dataclass
class Report:
    """Everything a format prints: findings (sorted), files that failed, rules, options."""

    items: list[Item]
    errors: list[tuple[str, str]]  # (displayed path, one-line reason)
    settings: Settings
    rules: Mapping[str, RuleMeta]
    sources: SourceLines
    root: Path  # the project root (SARIF's %SRCROOT%)
    fixable: frozenset[str] = frozenset()
    show_why: bool = False
    files: int = 0  # files checked
    version: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def rule(self, code: str) -> RuleMeta | None:
        return self.rules.get(code)

    def message(self, item: Item) -> str:
        """The one-line message, without its code."""
        return strip_code(item.finding.message, item.code)

    def why(self, item: Item) -> str | None:
        """The rule's why, when --show-why asks for it."""
        rule = self.rule(item.code)
        return rule.why if self.show_why and rule is not None and rule.why else None

    def text(self, item: Item) -> str:
        """The message without its code; with --show-why, the rule's why after it."""
        why = self.why(item)
        return f"{self.message(item)} Why: {why}" if why else self.message(item)

    def url(self, code: str) -> str | None:
        return self.settings.doc_url(code)

    def related(self, item: Item) -> Iterator[tuple[str, Related]]:
        for place in item.finding.related:
            yield display_path(place.path), place
