"""The built-in YAML files, parsed once per install and kept as JSON, as Python keeps bytecode.

Every new process needs the built-in knowledge (a cold flake8 run and each of its
spawned workers, an editor lint of a just-edited file, ``async-bridge check``), and
importing PyYAML and parsing the files costs about 30 ms there. The parsed documents
are saved next to the files (``__pycache__/knowledge-<digest>.json``, where Python
writes bytecode) under a digest of the files' names and bytes, and read back with
``json``. A file that is missing, damaged or of other files is ignored and written
again; a folder that cannot be written (or ``PYTHONDONTWRITEBYTECODE``) parses the YAML
every time, as before.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from .records.blake import blake2b

FORMAT = 1


def documents(paths: Sequence[Path], parse: Callable[[Path, str], Any]) -> list[Any]:
    """The parsed document of each file of ``paths`` (``parse(path, text)`` when not saved)."""
    if not paths:
        return []
    contents = [path.read_bytes() for path in paths]
    hasher = blake2b(digest_size=12)
    hasher.update(f"{FORMAT}\0".encode())
    for path, data in zip(paths, contents):
        hasher.update(path.name.encode() + b"\0" + data + b"\0")
    names = [path.name for path in paths]
    saved = paths[0].parent / "__pycache__" / f"knowledge-{hasher.hexdigest()}.json"
    found = _read(saved, names)
    if found is not None:
        return found
    parsed = [parse(path, data.decode("utf-8")) for path, data in zip(paths, contents)]
    if not sys.dont_write_bytecode:
        _write(saved, names, parsed)
    return parsed


def _read(saved: Path, names: list[str]) -> list[Any] | None:
    try:
        record = json.loads(saved.read_bytes())
        if record["names"] == names and isinstance(record["documents"], list) and len(record["documents"]) == len(names):
            return record["documents"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        pass
    return None


def _write(saved: Path, names: list[str], parsed: list[Any]) -> None:
    """Saved only when JSON gives back exactly what YAML gave (plain strings, numbers,
    lists and string-keyed mappings), atomically; any failure leaves nothing behind."""
    temporary = saved.with_name(f".{saved.name}.{os.getpid()}.tmp")
    try:
        text = json.dumps({"names": names, "documents": parsed}, ensure_ascii=False, allow_nan=False)
        if json.loads(text)["documents"] != parsed:
            return
        saved.parent.mkdir(exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, saved)
    except (OSError, TypeError, ValueError, RecursionError):
        try:
            temporary.unlink()
        except OSError:
            pass
