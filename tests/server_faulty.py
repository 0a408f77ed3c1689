"""``async-bridge server`` whose check fails on files named ``boom.py``: the test of how
the server reports an internal error (tests/test_server.py runs this file)."""

from __future__ import annotations

import sys
from typing import Any

from async_bridge.server import documents
from async_bridge.server.app import serve

_real_check = documents.check_source


def _failing_check(text: str, filename: str, *args: Any, **kwargs: Any) -> Any:
    if filename.endswith("boom.py"):
        raise RuntimeError("injected failure")
    return _real_check(text, filename, *args, **kwargs)


documents.check_source = _failing_check  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(serve())
