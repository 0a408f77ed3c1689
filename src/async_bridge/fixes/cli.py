"""``async-bridge fix``: the subcommand (the console script calls ``register``).

Importing this module is cheap and does not import libcst; the handler does.

Exit codes: 0 done (or nothing to change), 1 ``--check``/``--diff --check`` found
something to change or a file had to be skipped (unreadable, syntax error), 2 usage
errors (unknown code, bad version, missing path) and configuration problems (no file is
changed then). Settings and files come from the same path as ``async-bridge check``'s
(``commands.settings_flags``, ``discovery``).
"""

from __future__ import annotations

import argparse
import difflib
import re
import os
import sys
import time
from collections import Counter
from pathlib import Path

PROG = "async-bridge fix"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fix",
        help="rewrite safely fixable findings in place (libcst)",
        description=(
            "Apply the safe automatic fixes (ABR101, ABR102, ABR201, ABR202, ABR203, ABR205, ABR206, "
            "ABR208, ABR401, ABR403) to PATHs (files, or directories searched for *.py). Formatting and "
            "comments are kept; a line with `# noqa` (bare or naming the code) is never touched; "
            "findings a fix cannot handle safely are listed for manual work. Summary on stderr."
        ),
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="files, or directories (recursing into *.py, skipping VCS folders and venvs)")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff (a/ b/ paths, for `git apply`) instead of writing")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a fix would change a file")
    parser.add_argument("--select", default=None, metavar="CODES",
                        help="comma-separated codes or prefixes to fix (default: every fixable code)")
    parser.add_argument("--ignore", default=None, metavar="CODES",
                        help="comma-separated codes or prefixes not to fix")
    # the settings flags of `async-bridge check`, read through the same settings path
    from ..commands.settings_flags import add_settings_flags

    add_settings_flags(parser, skip=("docs-url",))
    parser.set_defaults(handler=run)


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    if rel.startswith(".."):
        rel = str(path).lstrip("/")
    return Path(rel).as_posix()


def unified_diff(name: str, before: str, after: str) -> str:
    """``git apply`` / ``patch -p1`` compatible, including a missing final newline."""
    old, new = _lines(before), _lines(after)
    out = []
    for line in difflib.unified_diff(old, new, fromfile=f"a/{name}", tofile=f"b/{name}"):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
        elif line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines as git sees them: split after each \\n only."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def run(args: argparse.Namespace) -> int:
    from ..commands.settings_flags import Usage, settings_for
    from ..config import ConfigError, select_codes
    from ..discovery import python_files
    from ..knowledge import KnowledgeError, builtin

    try:
        knowledge = builtin()
        codes = select_codes(knowledge.rules, args.select, args.ignore)
        resolved = settings_for(args, Path.cwd())
    except (ConfigError, KnowledgeError, Usage) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    if resolved.problems:  # fixing with settings other than the user's could write wrong code
        for problem in resolved.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        print(f"{PROG}: fix the configuration first; no file changed", file=sys.stderr)
        return 2
    settings = resolved.settings
    found = python_files(args.paths, settings.exclude, settings.extend_exclude, settings.project_root)
    if found.missing:
        print(f"{PROG}: no such file or directory: {', '.join(found.missing)}", file=sys.stderr)
        return 2

    from . import FIXABLE_CODES
    from .driver import FixError, fix_file

    write = not (args.diff or args.check)
    started = time.perf_counter()
    applied: Counter = Counter()
    manual: Counter = Counter()
    files = changed = skipped = 0
    for path in found.files:
        files += 1
        name = display_path(path)
        try:
            result, _ = fix_file(path, settings, codes, write=write)
        except FixError as exc:
            skipped += 1
            print(f"{name}: skipped: {exc}", file=sys.stderr)
            continue
        except OSError as exc:
            skipped += 1
            print(f"{name}: skipped: cannot write: {exc.strerror or exc}", file=sys.stderr)
            continue
        applied.update(result.applied)
        for finding in result.remaining:
            manual[finding.code] += 1
            rule = knowledge.rules.get(finding.code)
            label = f"{finding.code} {rule.name}" if rule else finding.code
            fixable = " (fix not safe here)" if finding.code in FIXABLE_CODES else ""
            print(f"{name}:{finding.line}:{finding.col + 1}: {label}{fixable}", file=sys.stderr)
        if result.changed:
            changed += 1
            if args.diff:
                sys.stdout.write(unified_diff(name, result.source, result.fixed))
    elapsed = time.perf_counter() - started
    verb = "changed" if write else "would change"
    print(f"{PROG}: {files} file(s) checked in {elapsed:.1f}s, {changed} {verb}"
          + (f", {skipped} skipped" if skipped else ""), file=sys.stderr)
    if applied:
        counts = ", ".join(f"{code} x{n}" for code, n in sorted(applied.items()))
        print(("  fixed:  " if write else "  fixable: ") + counts, file=sys.stderr)
    if manual:
        print("  manual: " + ", ".join(f"{code} x{n}" for code, n in sorted(manual.items())), file=sys.stderr)
    if args.check and changed:
        return 1
    return 1 if skipped else 0
