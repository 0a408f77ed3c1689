"""``async-bridge fix``: the subcommand (the console script calls ``register``).

Importing this module is cheap and does not import libcst; the handler does.

Exit codes: 0 done (or nothing to change), 1 ``--check``/``--diff --check`` found
something to change or a file had to be skipped (unreadable, syntax error, left alone:
see ``writing``), 2 usage errors (unknown code, bad version), configuration problems
(no file is changed then) or a PATH that does not exist (reported, the other paths
still processed), 128+N killed by signal N (SIGINT, SIGTERM, SIGHUP: temporaries
removed, every file old or new). Settings and files come from the same path as
``async-bridge check``'s (``commands.settings_flags``, ``discovery``).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from . import fixable_codes

PROG = "async-bridge fix"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fix",
        help="rewrite safely fixable findings in place (libcst)",
        description=(
            f"Apply the safe automatic fixes ({', '.join(fixable_codes())}) to PATHs (files, or "
            "directories searched for *.py). Formatting and comments are kept; a line with `# noqa` "
            "(bare or naming the code) is never touched; findings a fix cannot handle safely are "
            "listed for manual work. Summary on stderr."
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
    for missing in found.missing:  # reported; the other paths are still processed
        print(f"{missing}: skipped: no such file or directory", file=sys.stderr)
    bad_paths = len(found.missing)

    from .driver import FixError, fix_file
    from .writing import Interrupted, remove_stale_temporaries, signals_interrupt

    write = not (args.diff or args.check)
    started = time.perf_counter()
    applied: Counter = Counter()
    manual: Counter = Counter()
    files = changed = skipped = 0
    cleaned: set[str] = set()
    try:
        with signals_interrupt():
            for path in found.files:
                files += 1
                name = display_path(path)
                if write:
                    folder = os.path.dirname(os.path.realpath(path))
                    if folder not in cleaned:
                        cleaned.add(folder)
                        for stale in remove_stale_temporaries(Path(folder)):
                            print(f"{display_path(stale)}: removed a temporary file left by an interrupted run",
                                  file=sys.stderr)
                try:
                    result, _ = fix_file(path, settings, codes, write=write)
                except FixError as exc:
                    skipped += 1
                    print(f"{name}: skipped: {exc}", file=sys.stderr)
                    continue
                applied.update(result.applied)
                for finding in result.remaining:
                    manual[finding.code] += 1
                    rule = knowledge.rules.get(finding.code)
                    label = f"{finding.code} {rule.name}" if rule else finding.code
                    fixable = " (fix not safe here)" if finding.code in fixable_codes() else ""
                    print(f"{name}:{finding.line}:{finding.col + 1}: {label}{fixable}", file=sys.stderr)
                if result.changed:
                    changed += 1
                    if args.diff:
                        sys.stdout.write(unified_diff(name, result.source, result.fixed))
    except (Interrupted, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        print(f"{PROG}: interrupted ({signal.Signals(signum).name}) after {files} file(s); "
              "every file holds its old or its new text", file=sys.stderr)
        return 128 + int(signum)
    elapsed = time.perf_counter() - started
    verb = "changed" if write else "would change"
    print(f"{PROG}: {files} file(s) checked in {elapsed:.1f}s, {changed} {verb}"
          + (f", {skipped} skipped" if skipped else "")
          + (f", {bad_paths} path argument(s) unusable" if bad_paths else ""), file=sys.stderr)
    if applied:
        counts = ", ".join(f"{code} x{n}" for code, n in sorted(applied.items()))
        print(("  fixed:  " if write else "  fixable: ") + counts, file=sys.stderr)
    if manual:
        print("  manual: " + ", ".join(f"{code} x{n}" for code, n in sorted(manual.items())), file=sys.stderr)
    if bad_paths:
        return 2
    if args.check and changed:
        return 1
    return 1 if skipped else 0
