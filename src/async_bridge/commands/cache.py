"""``async-bridge cache info`` and ``async-bridge cache clear``: the project cache.

The cache is found as the linter finds it: ``--cache-dir``, else ``cache-dir`` in
``[tool.async-bridge]``, else ``ABR_CACHE_DIR``, else ``.async_bridge_cache`` in the
project root (``--project-root``, else the current directory).

Exit codes: 0 done, 2 usage errors (a folder that is not this tool's cache).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Settings

PROG = "async-bridge cache"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cache", help="where the project cache is, how big; clear it",
                                   description="Show or clear the persistent project cache.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    for name, text in (("info", "where the cache is, its versions, records and size"),
                       ("clear", "delete the cache (it is rebuilt by the next run)")):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("--project-root", default=None, metavar="DIR",
                            help="the project (default: the current directory)")
        action.add_argument("--cache-dir", default=None, metavar="DIR",
                            help="the cache folder (default: as the linter finds it)")
        action.set_defaults(handler=run)
    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from ..config import resolve_settings
    from ..index import cache

    messages: list[str] = []
    settings = resolve_settings(project_root=args.project_root, cache_dir=args.cache_dir, report=messages.append)
    for message in messages:
        print(f"{PROG}: {message}", file=sys.stderr)
    root = Path(settings.project_root or Path.cwd()).resolve()
    base = Path(settings.cache_dir).expanduser().resolve() if settings.cache_dir else cache.default_location(root)
    if args.action == "clear":
        try:
            removed = cache.clear(base)
        except ValueError as exc:
            print(f"{PROG}: {exc}; nothing deleted", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"{PROG}: cannot delete {base}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"removed {base} ({removed} version{'s' if removed != 1 else ''})" if removed or base.exists()
              else f"no cache at {base}")
        return 0
    return _info(base, root, settings)


def _info(base: Path, root: Path, settings: "Settings") -> int:
    from ..index import cache

    off = settings.no_cache or cache.disabled_by_environment()
    state = "off (" + ("no-cache" if settings.no_cache else f"{cache.ENV_OFF}") + ")" if off else "on"
    print(f"cache: {base}")
    print(f"state: {state}")
    versions = cache.describe(base)
    if not versions:
        print("no records yet")
        return 0
    current = cache.CacheKey(root=str(root), knowledge=cache.knowledge_digest(settings.extra_knowledge)).name
    total = 0
    for v in versions:
        total += v.bytes
        mark = "  (this project, these settings)" if v.name == current else ""
        made_for = v.meta.get("root", "?")
        print(f"{v.name}: {v.files} records ({v.summaries} module summaries, {v.findings} file findings), "
              f"{_size(v.bytes)}, plugin {v.meta.get('plugin', '?')}, project {made_for}{mark}")
    print(f"total: {len(versions)} version{'s' if len(versions) != 1 else ''}, {_size(total)}")
    return 0


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.0f} B"
