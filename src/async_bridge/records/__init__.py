"""Plain records both the per-module analysis and the project index use.

``values``: what an expression is (``Kind``, ``Value``). ``summaries``: what the index
keeps about a module (functions, classes, globals), serialisable for the on-disk
cache. ``project``: the questions the analysis may ask about other modules (a
Protocol the index implements), so ``analysis`` never imports ``index``. ``fix_hints``:
what a check tells the fixer of its finding (``Finding.fix``).
"""
