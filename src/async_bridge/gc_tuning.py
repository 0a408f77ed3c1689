"""The garbage collector's settings for a lint run (flake8, ``check``, the server).

A run allocates millions of short-lived objects (every tree flake8 parses, every
analysis) and frees them by reference counting: the analysis holds no cycles
through trees (weak parent links). With CPython's default thresholds a young
collection runs every 700 allocations and promotes whatever is alive at that
moment (the tree being checked), so full collections come every few files and
each walks the project index: a third of a run's time on a large project, most
of it charged to flake8's own parsing. Freezing the setup and young collections
every 50,000 allocations take most of it back. Measured with `flake8 -j1` on
Django's db, admin and core (plain flake8: 7.2-7.5 s CPU, 32 MB), cold / warm
cache: default thresholds 11.1-12.0 s, 62 MB / 7.5-7.6 s, 41-42 MB; 50,000:
10.3-11.2 s, 63 MB / 7.6-7.9 s, 46 MB; 200,000 (mypy's setting): 10.1-11.0 s,
80 MB / 7.5-8.0 s, 69 MB. Beyond 50,000 garbage waits longer for no gain.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000
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
