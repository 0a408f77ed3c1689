"""Writing a fixed file without damaging it, its links, its mode or its owner.

A file is replaced through a temporary file in its own directory
(``.<name>.<8 hex digits>.abr-fix``), flushed to disk, given the original's mode
and owner, then renamed over the original: a reader (or a run killed at any
moment) sees the old text or the new one, never a mix or a truncated file. A
temporary left by a killed run is removed by the next run that writes in that
directory.

Some files are reported and left alone instead (:func:`write_blocker`): files not
writable by the user or marked read-only (no owner write bit; root could write
them, but the mark says "do not"), files with more than one hard link (a rename
would give the path a new inode and leave the other links on the old text; fixing
the shared text in place could be cut short by a kill, so such files are fixed by
hand), symlinks whose target lies outside the project, and anything that is not a
regular file.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import stat
from pathlib import Path
from typing import Iterator

TEMP_SUFFIX = ".abr-fix"
_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + "$")


class WriteRefused(Exception):
    """A file left alone; the message is the one-line reason."""


class Interrupted(BaseException):
    """A catchable termination signal arrived (SIGTERM, SIGHUP) while fixing."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def escapes_project(path: Path, root: Path) -> str | None:
    """The real target of ``path`` when a symlink leads it out of the project, else None.

    A path named inside the project (as given, or under the project's real directory)
    whose real location is outside it; a file named outside the project on purpose
    is not a symlink escape.
    """
    given = os.path.abspath(path)
    real = os.path.realpath(path)
    root_given, root_real = os.path.abspath(root), os.path.realpath(root)
    named_inside = _inside(given, root_given) or _inside(given, root_real)
    if named_inside and not _inside(real, root_real):
        return real
    return None


def write_blocker(path: Path, root: Path) -> str | None:
    """Why ``path`` must be left alone rather than rewritten (None: it may be written)."""
    target = escapes_project(path, root)
    if target is not None:
        return f"a symlink to {target}, outside the project root; left alone"
    real = os.path.realpath(path)
    try:
        info = os.stat(real)
    except OSError as exc:
        return f"cannot stat it: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file; left alone"
    if not info.st_mode & stat.S_IWUSR:
        return "marked read-only (no write permission bit); left alone"
    if not os.access(real, os.W_OK):
        return "not writable (permission denied); left alone"
    if info.st_nlink > 1:
        return f"hard-linked ({info.st_nlink} links): replacing it would split them; left alone"
    if not os.access(os.path.dirname(real), os.W_OK | os.X_OK):
        return "its directory is not writable (the fix writes a temporary file there); left alone"
    return None


def _create_temporary(directory: str, name: str) -> tuple[int, str]:
    for _ in range(100):
        candidate = os.path.join(directory, f".{name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            return os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


def replace_file(path: Path, data: bytes) -> None:
    """Replace the real file behind ``path`` with ``data`` atomically, keeping mode and owner.

    WriteRefused when the owner cannot be kept; OSError when writing fails. The
    original is untouched and no temporary is left behind in both cases.
    """
    real = os.path.realpath(path)
    info = os.stat(real)
    directory, name = os.path.split(real)
    fd, temporary = _create_temporary(directory, name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        made = os.stat(temporary)
        if (made.st_uid, made.st_gid) != (info.st_uid, info.st_gid):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except PermissionError:
                raise WriteRefused(
                    f"owned by uid {info.st_uid} gid {info.st_gid}: rewriting it would change its owner; left alone"
                ) from None
        os.chmod(temporary, stat.S_IMODE(info.st_mode))  # after chown, which may clear set-id bits
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete ``.<name>.<hex>.abr-fix`` files a killed run left in ``directory``."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if _TEMP_NAME.match(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """SIGTERM / SIGHUP raise :class:`Interrupted` inside the block, so temporaries are removed."""
    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            previous[signum] = signal.signal(signum, interrupt)
        except ValueError:  # not the main thread: leave the signals alone
            continue
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
