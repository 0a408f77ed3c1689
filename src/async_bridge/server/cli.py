"""The ``async-bridge server`` subcommand; pygls is imported only when it runs."""

from __future__ import annotations

import argparse
import sys

INSTALL_HINT = "pip install 'flake8-async-bridge[server]'"


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "server", help="run the language server (LSP over stdio) for editors: live diagnostics and quick fixes",
    )
    parser.add_argument("--stdio", action="store_true",
                        help="talk LSP over standard input and output (the default and only transport)")
    parser.set_defaults(handler=_cmd_server)


def _cmd_server(args: argparse.Namespace) -> int:
    try:
        from .app import serve
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing in ("pygls", "lsprotocol", "cattrs", "attrs"):
            print(f"async-bridge: the server needs pygls and lsprotocol ({missing} is missing): "
                  f"{INSTALL_HINT}", file=sys.stderr)
            return 2
        raise
    return serve()
