"""``async-bridge fix``: the subcommand (the console script calls ``register``).

Importing this module is cheap and does not import libcst; the handler does.

Exit codes: 0 done (or nothing to change), 1 ``--check``/``--diff --check`` found
something to change or a file had to be skipped (unreadable, syntax error, left
alone: see ``writing``), 2 usage errors (unknown code, bad version, a PATH that does
not exist: reported, the other paths still processed), 128+N killed by signal N
(SIGINT, SIGTERM, SIGHUP: temporaries removed, every file old or new).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import signal
import stat
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
    parser.add_argument("--django-version", default=None, metavar="X.Y",
                        help="Django version the twins must exist in (default: from the project's pins)")
    parser.add_argument("--project-root", default=None, metavar="DIR",
                        help="directory project imports resolve from (default: the current directory)")
    parser.add_argument("--extra-knowledge", action="append", default=[], metavar="FILE",
                        help="extra knowledge YAML, as for flake8's --abr-extra-knowledge (repeatable)")
    parser.set_defaults(handler=run)


def _split(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip().upper() for part in value.replace(" ", ",").split(",") if part.strip()]


def selected_codes(known: list[str], select: str | None, ignore: str | None) -> list[str]:
    """Codes chosen by --select/--ignore (prefixes, as in flake8); ValueError on unknown ones."""
    chosen, dropped = _split(select), _split(ignore)
    for item in (*chosen, *dropped):
        if not any(code.startswith(item) for code in known):
            raise ValueError(f"unknown code or prefix {item!r}")
    return [
        code for code in known
        if (not chosen or any(code.startswith(p) for p in chosen)) and not any(code.startswith(p) for p in dropped)
    ]


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
    from ..config import Settings, parse_codes, parse_django_version
    from ..knowledge import KnowledgeError, builtin, with_extra

    try:
        knowledge = with_extra(tuple(args.extra_knowledge)) if args.extra_knowledge else builtin()
        codes = selected_codes(sorted(knowledge.rules), args.select, args.ignore)
        django_version = parse_django_version(args.django_version, option="--django-version")
    except (ValueError, KnowledgeError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    if args.project_root and not Path(args.project_root).is_dir():
        print(f"{PROG}: --project-root {args.project_root!r} is not a directory", file=sys.stderr)
        return 2

    from .driver import FixError, fix_file, iter_python_files
    from .writing import Interrupted, remove_stale_temporaries, signals_interrupt

    explicit = parse_codes([c for c in _split(args.select) if c in knowledge.rules])
    settings = Settings(
        project_root=args.project_root,
        django_version=django_version,
        extra_knowledge=tuple(args.extra_knowledge),
        enable=explicit,
    )
    paths, bad_paths = usable_paths(args.paths)
    write = not (args.diff or args.check)
    started = time.perf_counter()
    applied: Counter = Counter()
    manual: Counter = Counter()
    files = changed = skipped = 0
    cleaned: set[str] = set()
    try:
        with signals_interrupt():
            for path in iter_python_files(paths):
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


def usable_paths(paths: list[Path]) -> tuple[list[Path], int]:
    """The PATH arguments that exist as files or directories; the others are reported."""
    usable: list[Path] = []
    bad = 0
    for path in paths:
        try:
            info = os.stat(path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
        else:
            if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
                usable.append(path)
                continue
            reason = "not a file or directory"
        bad += 1
        print(f"{display_path(path)}: skipped: {reason.lower()}", file=sys.stderr)
    return usable, bad
