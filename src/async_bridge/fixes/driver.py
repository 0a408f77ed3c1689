"""Run the checks, apply the fixers at the reported positions, repeat until stable.

``fix_source`` is the pure core (text in, text out); ``fix_file`` adds reading
(encoding cookie and BOM kept) and the safe write (``writing``).
"""

from __future__ import annotations

import ast
import os
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import libcst as cst

from ..checks.base import Finding
from ..config import Settings
from ..engine import check_tree
from ..sources import SourceError, noqa_codes, read_source, reported, split_lines, suppressed  # noqa: F401 (re-exported)
from . import Fixer, fixable_codes, load_all
from .base import Edit, FixContext, apply_edits
from .writing import WriteRefused, replace_file, write_blocker

MAX_PASSES = 4

class FixError(Exception):
    """A file that cannot be fixed (unreadable, syntax error, a fixer producing bad code)."""


@dataclass
class FixResult:
    source: str
    fixed: str
    applied: Counter = field(default_factory=Counter)
    remaining: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.source


def fix_source(source: str, filename: str, settings: Settings, codes: Iterable[str]) -> FixResult:
    """Fix ``codes`` in ``source`` (raises FixError when it does not parse)."""
    fixable = fixable_codes()
    fixers = {code: func for code, func in load_all().items() if code in fixable}
    wanted = frozenset(codes)
    result = FixResult(source=source, fixed=source)
    current = source
    findings = _check(current, filename, settings)
    for _ in range(MAX_PASSES):
        lines = split_lines(current)
        # what flake8 reports (its noqa, `# flake8: noqa`), less any node with a noqa on a line of it
        todo = [
            f for f in reported(findings, current)
            if f.code in wanted and f.code in fixers and not suppressed(f, lines)
        ]
        if not todo:
            break
        try:
            ctx = FixContext(current, settings.knowledge)
            edits = _plan(ctx, fixers, todo)
            new, done = apply_edits(ctx, edits) if edits else (current, [])
        except Exception as exc:  # libcst's parser and metadata raise more than ParserSyntaxError
            if os.environ.get("ABR_DEBUG"):
                raise
            raise FixError(_failure(exc)) from None
        if not edits or not done or new == current:
            break
        try:
            ast.parse(new, filename=filename)
        except SyntaxError as exc:
            raise FixError(f"a fix produced code that does not parse ({exc.msg}, line {exc.lineno}); "
                           "file left unchanged") from None
        result.applied.update(edit.code for edit in done)
        current = new
        findings = _check(current, filename, settings)
    result.fixed = current
    result.remaining = [f for f in reported(findings, current) if f.code in wanted]
    return result


def _plan(ctx: FixContext, fixers: dict[str, Fixer], todo: list[Finding]) -> list[Edit]:
    """One edit per node: the rest waits for the next pass."""
    edits: list[Edit] = []
    targets: set[int] = set()
    # last first: of two loops made in one block, the later one is wrapped first, so
    # the earlier one's try/finally then encloses it
    for finding in reversed(todo):
        edit = fixers[finding.code](ctx, finding)
        if edit is None or id(edit.target) in targets:
            continue  # manual work, or a second edit of one node: next pass
        targets.add(id(edit.target))
        edits.append(edit)
    return edits


def _failure(exc: Exception, where: str = "a fix") -> str:
    """One line saying why libcst, a fixer or a check gave up on a file."""
    if isinstance(exc, cst.ParserSyntaxError):
        return f"libcst cannot parse it ({exc.message}, line {exc.raw_line}); file left unchanged"
    detail = (str(exc).strip().splitlines() or [""])[0][:80]
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and f"{os.sep}libcst{os.sep}" in frames[-1].filename:
        return f"libcst cannot handle it ({what}); file left unchanged"
    return f"internal error in {where} ({what}); file left unchanged, ABR_DEBUG=1 shows where"


def _check(source: str, filename: str, settings: Settings) -> list[Finding]:
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        where = f", line {exc.lineno}" if exc.lineno else ""
        raise FixError(f"syntax error{where}: {exc.msg}") from None
    except ValueError as exc:  # null bytes (Python < 3.12)
        raise FixError(f"not parseable: {exc}") from None
    except (RecursionError, MemoryError):
        raise FixError("too deeply nested for Python's parser") from None
    try:
        return check_tree(tree, filename, settings)
    except (RecursionError, MemoryError):
        raise FixError("too deeply nested to check") from None
    except Exception as exc:
        if os.environ.get("ABR_DEBUG"):
            raise
        raise FixError(_failure(exc, "the checks")) from None


# files ---------------------------------------------------------------------------
def fix_file(path: Path, settings: Settings, codes: Iterable[str], write: bool) -> tuple[FixResult, str]:
    """Fix one file; write it only when ``write`` and something changed.

    FixError (one-line reason, file untouched) when it cannot be read or parsed, or
    when it needs a change but must be left alone (``writing.write_blocker``: the same
    answer with and without ``write``, so ``--check`` predicts what a run would do).
    """
    try:
        text, encoding = read_source(path)
    except SourceError as exc:
        raise FixError(str(exc)) from None
    result = fix_source(text, str(path), settings, codes)
    if not result.changed:
        return result, encoding
    reason = write_blocker(path, Path(settings.project_root or os.curdir))
    if reason is not None:
        raise FixError(reason)
    if write:
        try:
            replace_file(path, result.fixed.encode(encoding))
        except WriteRefused as exc:
            raise FixError(str(exc)) from None
        except OSError as exc:
            raise FixError(f"cannot write: {exc.strerror or exc}; file left unchanged") from None
    return result, encoding
