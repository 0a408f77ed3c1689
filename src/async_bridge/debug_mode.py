"""``ABR_DEBUG=1``: internal errors propagate (a traceback) instead of being reported."""

from __future__ import annotations

import os


def debugging() -> bool:
    """``ABR_DEBUG=1``: internal errors propagate (a traceback) instead of being reported."""
    return bool(os.environ.get("ABR_DEBUG"))
