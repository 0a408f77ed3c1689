"""``async-bridge check``: the flake8 plugin's findings without flake8, project-wide.

Settings come from the same path as flake8's (``config.resolve``): ``[tool.async-bridge]``
in ``pyproject.toml``, then the ``abr-*`` keys of flake8's config file, then these
flags. Files are found by ``discovery``, linted in a process pool by ``linting``
(``# noqa`` as flake8 applies it) and printed by an ``output`` format.

Exit codes: 0 no finding; 1 findings, files that could not be checked, or (``--diff``)
something to change; 2 bad usage or configuration (a configuration problem is
reported, the setting ignored, and the run still lints and reports).
"""

from __future__ import annotations

import argparse
import io
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, TextIO

from .. import __version__
from ..config import OPTIONS, ConfigError, Resolved, select_codes
from ..knowledge import KnowledgeError, RuleMeta, builtin
from .settings_flags import Usage, add_settings_flags, settings_for

if TYPE_CHECKING:
    from ..linting import FileResult
    from ..output import Report

PROG = "async-bridge check"
#: ``output.FORMATS`` keys (kept here so building the parser imports no formatter)
FORMAT_NAMES = ("full", "concise", "json", "sarif", "github", "gitlab")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="lint without flake8 (project-wide, in parallel; the flake8 plugin's findings)",
        description="Report the ABR findings of PATHs (files, or folders searched for *.py; default: the "
                    "current folder) exactly as `flake8 --select=ABR` reports them, with the same settings: "
                    "[tool.async-bridge] in pyproject.toml, then the abr-* keys of flake8's config, then "
                    "these flags. Exit codes: 0 clean, 1 findings, 2 bad usage or configuration.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    parser.add_argument("--select", metavar="CODES", action="append",
                        help="codes or prefixes to report (default: every rule that is on)")
    parser.add_argument("--ignore", metavar="CODES", action="append", help="codes or prefixes not to report")
    add_settings_flags(parser)
    parser.add_argument("--output-format", choices=FORMAT_NAMES, default="full",
                        help="full: with the source line and related places (default); concise: one line "
                             "per finding, as flake8 prints it; json; sarif (2.1.0); github (workflow "
                             "annotations); gitlab (Code Quality report)")
    parser.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE, not stdout")
    parser.add_argument("--show-why", action="store_true",
                        help="print each rule's why (the first paragraph of its page) after the message")
    parser.add_argument("--statistics", action="store_true", help="print how many findings of each rule, not each")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes (as `async-bridge fix`), "
                                                           "then report what is left")
    parser.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff (for `git apply`) and write nothing; exit 1 if any")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="read the file's text from standard input and report it as NAME (editors, pipes); "
                             "other modules are read from the project on disk")
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: the number of cores; 1: no pool)")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the resolved settings and the files they came from, then exit")
    parser.add_argument("--show-files", action="store_true", help="print the files that would be checked, then exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    parser.set_defaults(handler=run)


def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except Usage as exc:
        _error(str(exc))
        return 2


def _run(args: argparse.Namespace) -> int:
    from ..discovery import python_files
    from ..fixes import fixable_codes
    from ..linting import BrokenProcessPool, Job, check_bytes, check_paths

    if args.jobs is not None and args.jobs < 1:
        raise Usage("--jobs: expected a number of processes, 1 or more")
    if args.stdin_filename and args.paths:
        raise Usage("--stdin-filename reads standard input: give no PATH")
    cwd = Path.cwd()
    try:
        rules = builtin().rules
    except KnowledgeError as exc:
        raise Usage(f"cannot load the rule catalogue: {exc}") from None
    resolved = settings_for(args, cwd)
    for problem in resolved.problems:
        _error(problem)
    settings = resolved.settings
    try:
        codes = frozenset(select_codes(rules, args.select, args.ignore))
    except ConfigError as exc:
        raise Usage(f"--select/--ignore: {exc}") from None
    fixing = args.fix or args.diff
    job = Job(settings, codes, fix_codes=frozenset(codes & set(fixable_codes())) if fixing else frozenset(),
              write=args.fix and not args.diff)

    if args.show_settings:
        _show_settings(resolved, codes)
        return 2 if resolved.problems else 0

    stdin_text: dict[str, str] = {}
    data = b""
    if args.stdin_filename:
        data = sys.stdin.buffer.read()
        results = [check_bytes(data, args.stdin_filename, job)]
        files = 1
        from ..sources import SourceError, decode_source

        try:  # the text the findings point into, for the formats that show source lines
            stdin_text[args.stdin_filename] = results[0].fixed or decode_source(data)[0]
        except SourceError:
            pass
    else:
        found = python_files(args.paths or ["."], settings.exclude, settings.extend_exclude, settings.project_root)
        if found.missing:
            raise Usage(f"no such file or directory: {', '.join(found.missing)}")
        if args.show_files:
            from ..output import display_path

            for shown in sorted(display_path(str(path)) for path in found.files):
                print(shown)
            return 0
        files = len(found.files)
        try:
            results = check_paths([str(p) for p in found.files], job, jobs=args.jobs)
        except BrokenProcessPool as exc:
            _error(f"a worker process died ({exc or 'killed'}); no report")
            return 2

    report = _report(results, resolved, rules, codes, args, stdin_text, files)
    applied = _applied(results)
    code = 2 if resolved.problems else 0
    if args.diff:
        changed = _print_diffs(results)
        _summary(args, report, applied, changed=changed)
        return code or (1 if changed or report.errors else 0)
    if args.stdin_filename and args.fix:
        # the fixed text on stdout (else the input, byte for byte); the findings on stderr
        fixed = results[0].fixed
        sys.stdout.flush()
        sys.stdout.buffer.write(fixed.encode(results[0].encoding) if fixed is not None else data)
        sys.stdout.flush()
        _render(report, args, sys.stderr)
    else:
        _render(report, args, None)
    _summary(args, report, applied)
    if code:
        return code
    if args.exit_zero:
        return 0
    return 1 if report.items or report.errors else 0


def _report(results: list[FileResult], resolved: Resolved, rules: Mapping[str, RuleMeta], codes: frozenset[str],
            args: argparse.Namespace, stdin_text: dict[str, str], files: int) -> Report:
    from ..fixes import fixable_codes
    from ..output import Item, Report, SourceLines, display_path

    items: list[Item] = []
    errors: list[tuple[str, str]] = []
    for result in results:
        shown = display_path(result.path)
        items.extend(Item(shown, finding) for finding in result.findings)
        if result.error:
            errors.append((shown, result.error))
    items.sort(key=lambda item: (item.path, item.finding.line, item.finding.col, item.code))
    errors.sort()
    return Report(
        items=items, errors=errors, settings=resolved.settings, rules=rules,
        sources=SourceLines(stdin_text), root=resolved.project_root,
        fixable=frozenset(fixable_codes()) & codes, show_why=args.show_why, files=files, version=__version__,
    )


def _render(report: Report, args: argparse.Namespace, stream: TextIO | None) -> None:
    from ..output import FORMATS, render_statistics

    try:
        target = (open(args.output_file, "w", encoding="utf-8") if args.output_file and stream is None
                  else nullcontext(stream or sys.stdout))
        with target as out:
            if args.statistics:
                render_statistics(report, out, as_json=args.output_format == "json")
            else:
                FORMATS[args.output_format](report, out)
    except OSError as exc:
        raise Usage(f"--output-file: cannot write {args.output_file}: {exc.strerror or exc}") from None
    if args.output_format not in ("github", "sarif"):
        for path, reason in report.errors:
            print(f"{path}: {reason}", file=sys.stderr)


def _applied(results: list[FileResult]) -> dict[str, int]:
    total: dict[str, int] = {}
    for result in results:
        for code, count in result.applied.items():
            total[code] = total.get(code, 0) + count
    return total


def _print_diffs(results: list[FileResult]) -> int:
    from ..fixes.cli import unified_diff
    from ..output import display_path

    changed = 0
    for result in sorted(results, key=lambda r: display_path(r.path)):
        if result.changed:
            changed += 1
            assert result.source is not None and result.fixed is not None
            sys.stdout.write(unified_diff(display_path(result.path), result.source, result.fixed))
    return changed


def _summary(args: argparse.Namespace, report: Report, applied: dict[str, int], changed: int | None = None) -> None:
    if args.quiet or args.output_format not in ("full", "concise"):
        return
    lines = []
    if applied:
        verb = "would fix" if args.diff else "fixed"
        lines.append(f"{verb} {sum(applied.values())}: "
                     + ", ".join(f"{code} x{n}" for code, n in sorted(applied.items())))
    if changed is not None:
        lines.append(f"{changed} file(s) would change, {report.files} checked")
    elif report.items:
        files = len({item.path for item in report.items})
        fixable = sum(1 for item in report.items if item.code in report.fixable)
        hint = f"; {fixable} may be fixed with --fix" if fixable and not args.fix else ""
        lines.append(f"found {len(report.items)} finding(s) in {files} file(s), {report.files} checked{hint}")
    else:
        lines.append(f"no findings, {report.files} file(s) checked")
    if report.errors:
        lines.append(f"{len(report.errors)} file(s) could not be checked")
    print(f"{PROG}: " + "; ".join(lines), file=sys.stderr)


def _show_settings(resolved: Resolved, codes: frozenset[str]) -> None:
    settings = resolved.settings
    out = io.StringIO()
    out.write(f"project root: {resolved.project_root}\n")
    out.write("read: " + (", ".join(str(p) for p in resolved.files) or "no configuration file") + "\n")
    for option in OPTIONS:
        value = getattr(settings, option.attr)
        if isinstance(value, (frozenset, set)):
            value = sorted(value)
        out.write(f"{option.key}: {value!r}\n")
    out.write(f"reported codes: {', '.join(sorted(c for c in codes if settings.enabled(c)))}\n")
    sys.stdout.write(out.getvalue())


__all__ = ["FORMAT_NAMES", "register", "run"]
