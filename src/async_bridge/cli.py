"""The ``async-bridge`` console script: check, list rules, explain one, regenerate the docs.

Subcommands are small ``register(subparsers)`` functions listed in ``COMMANDS``;
each adds its parser and sets ``handler`` (``handler(args) -> exit code``). The
small ones (``rules``, ``explain``, ``docs``) are here; a larger one has its module
in ``commands/`` (``check``, ``cache``). A command that belongs to a package is in
that package's ``cli`` module, listed in ``OPTIONAL_COMMANDS``: a module that exists
is imported and its ``register(subparsers)`` called, a missing one is skipped
(``async_bridge.fixes.cli`` adds ``fix``; libcst is imported there only, never on
the check path).

Exit codes: 0 fine, 1 stale docs (``docs --check``) or findings, 2 usage errors
(unknown rule code, unreadable rule files).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from . import docs as docs_mod
from .commands import cache as cache_command
from .commands import check as check_command
from .knowledge import KnowledgeError, RuleMeta, builtin, rules_dir

PROG = "async-bridge"


class UsageError(Exception):
    """A user mistake reported as one line, exit code 2."""


def _rules() -> dict[str, RuleMeta]:
    try:
        return builtin().rules
    except KnowledgeError as exc:
        raise UsageError(f"cannot load the rule catalogue: {exc}") from None


# rules ------------------------------------------------------------------------
def _register_rules(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("rules", help="list every rule: code, name, default, fixable")
    parser.set_defaults(handler=_cmd_rules)


def _cmd_rules(args: argparse.Namespace) -> int:
    rows = [("CODE", "NAME", "DEFAULT", "FIX", "SUMMARY")]
    for code, rule in sorted(_rules().items()):
        rows.append((code, rule.name, docs_mod.default_label(rule), docs_mod.fix_label(rule),
                     " ".join(rule.summary.split())))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join([*cells, row[4]]).rstrip())
    return 0


# explain ----------------------------------------------------------------------
def _register_explain(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("explain", help="print a rule's documentation (offline)")
    parser.add_argument("code", metavar="CODE", help="rule code, e.g. ABR101 (or its name)")
    parser.set_defaults(handler=_cmd_explain)


def find_rule(key: str) -> RuleMeta:
    rules = _rules()
    wanted = key.strip()
    rule = rules.get(wanted.upper())
    if rule is None:
        rule = next((r for r in rules.values() if r.name == wanted.lower()), None)
    if rule is None:
        raise UsageError(f"unknown rule {key!r}; `{PROG} rules` lists the {len(rules)} known codes")
    return rule


def _cmd_explain(args: argparse.Namespace) -> int:
    print(docs_mod.render_rule(find_rule(args.code), generated_note=False), end="")
    return 0


# docs -------------------------------------------------------------------------
def default_docs_root() -> Path:
    """The checkout the rules come from, else the current directory."""
    checkout = rules_dir().parent
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


def _register_docs(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "docs", help="regenerate docs/rules/*.md, the README rules table (from rules/*.yaml) and "
                     "the rule map of CONTRIBUTING.md (from the check and fixer registries)",
    )
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a generated file is stale")
    parser.add_argument("--root", type=Path, default=None,
                        help="checkout to write into (default: the one holding rules/)")
    parser.set_defaults(handler=_cmd_docs)


def _cmd_docs(args: argparse.Namespace) -> int:
    root = args.root or default_docs_root()
    plan = docs_mod.plan(_rules(), root)
    for problem in plan.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    if args.check:
        stale = plan.stale()
        for path in stale:
            print(f"stale: {_display(path, root)}")
        if stale or plan.problems:
            print(f"{PROG}: generated docs are out of date; run `{PROG} docs`", file=sys.stderr)
            return 1
        return 0
    for path in plan.apply():
        print(f"{'wrote' if path.exists() else 'deleted'}: {_display(path, root)}")
    return 1 if plan.problems else 0


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


# command table ----------------------------------------------------------------
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    check_command.register,
    _register_rules,
    _register_explain,
    _register_docs,
    cache_command.register,
]
# Modules exposing ``register(subparsers)``; skipped when not present.
OPTIONAL_COMMANDS: tuple[str, ...] = ("async_bridge.fixes.cli", "async_bridge.server.cli")


def _optional_registrars() -> list[Callable[[argparse._SubParsersAction], None]]:
    found = []
    for name in OPTIONAL_COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # only "that module is not there"; a broken import inside it must surface
            if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
                continue
            raise
        found.append(module.register)
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="flake8-async-bridge: async/sync bridge bugs in Django + Celery + asyncio code. "
                    "Lint with `async-bridge check` or through flake8 (`flake8 --select=ABR`): the same "
                    "findings, the same settings. This tool also fixes, lists and explains the rules.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in [*COMMANDS, *_optional_registrars()]:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `async-bridge explain X | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
