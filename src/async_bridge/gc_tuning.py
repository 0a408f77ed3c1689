"""The garbage collector's settings for a lint run (flake8, ``check``, the server).

A run allocates millions of short-lived objects (every tree flake8 parses, every
analysis) and frees them by reference counting: the analysis holds no cycles
through trees (weak parent links). With CPython's default thresholds a young
collection runs every 700 allocations and promotes whatever is alive at that
moment (the tree being checked), so full collections come every few files and
each walks the project index: a third of a run's time on a large project, most
of it charged to flake8's own parsing. Young collections every 200,000 allocations
(mypy's setting) take most of it back, for garbage that waits longer: flake8 with
the plugin on 570 Django files peaked at 68 MB with the default or 50,000, 90 MB
with 200,000.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 200_000
OLDER_THRESHOLDS = (30, 30)

_tuned = False


def tune_collector() -> None:
    """Freeze what is alive now (the setup, the knowledge, the project's names: shared
    copy-on-write by forked workers) and collect less often; once per process, and
    never lowering thresholds someone else raised."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.freeze()
    young, *older = gc.get_threshold()
    if 0 < young < YOUNG_THRESHOLD:  # 0: collection switched off, left so
        gc.set_threshold(YOUNG_THRESHOLD, *(max(a, b) for a, b in zip(older, OLDER_THRESHOLDS)))
