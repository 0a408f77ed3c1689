"""The settings flags ``check`` and ``fix`` share, resolved through ``config.resolve``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Iterable

from ..config import OPTIONS, ConfigError, Resolved, command_line_layer, resolve


class Usage(Exception):
    """A bad flag or argument: one line, exit code 2."""


def add_settings_flags(parser: argparse.ArgumentParser, skip: Iterable[str] = ()) -> None:
    """``--project-root``, ``--django-version``, ... (``config.OPTIONS``) and ``--isolated``."""
    skipped = set(skip)
    for option in OPTIONS:
        if option.key not in skipped:
            if option.is_flag:
                parser.add_argument(option.flag, dest=f"opt_{option.attr}", action="store_true", default=None,
                                    help=option.help)
            else:
                parser.add_argument(option.flag, dest=f"opt_{option.attr}", metavar=option.metavar,
                                    action="append" if option.is_list else "store", help=option.help)
    parser.add_argument("--isolated", action="store_true",
                        help="read no configuration file (pyproject.toml, flake8's config)")


def flag_values(args: argparse.Namespace) -> dict[str, Any]:
    """The settings flags as given (None: not given; lists joined with commas, as flake8 spells them)."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value = getattr(args, f"opt_{option.attr}", None)
        if value is not None and option.is_list:
            value = ",".join(value)
        values[option.key] = value
    return values


def settings_for(args: argparse.Namespace, cwd: Path) -> Resolved:
    """The settings of a command: a bad flag raises Usage; problems in configuration
    files are returned in ``Resolved.problems`` for the command to report."""
    values = flag_values(args)
    for option in OPTIONS:
        if values[option.key] is not None:
            try:
                option.check(values[option.key], cwd)
            except ConfigError as exc:
                raise Usage(f"{option.flag}: {exc}") from None
    return resolve(command_line_layer(values, cwd), read_flake8_config=True, cwd=cwd,
                   isolated=getattr(args, "isolated", False))
