"""Proof that the text gate drops no finding: every file checked with and without it.

    python benchmarks/gate_check.py --corpus ~/.cache/abr-corpus --trees ~/.cache/abr-apps/trees [--jobs 2]

``check_tree`` given a file's text runs only the checks anchored in it
(``async_bridge/analysis/relevance.py``); given no text, every enabled check. Each
corpus package and each exported application tree is its own project root, every rule
is enabled (the opt-in ones too) and the cache is off. Prints each difference and
exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import ast
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.ensure_importable()


def check_root(root: str) -> tuple[str, int, int, list[str]]:
    """(root, files, findings, differences) of one project root."""
    from async_bridge.config import Settings
    from async_bridge.engine import check_tree
    from async_bridge.gc_tuning import tune_collector
    from engine_bench import all_codes

    tune_collector()
    settings = Settings(project_root=root, enable=all_codes(), no_cache=True)
    files = 0
    total = 0
    differences = []
    for path in common.python_files(Path(root)):
        try:
            text = path.read_bytes().decode("utf-8")
            gated_tree = ast.parse(text, filename=str(path))
            full_tree = ast.parse(text, filename=str(path))
        except (SyntaxError, ValueError, UnicodeDecodeError):
            continue
        files += 1
        gated = {(f.line, f.col, f.code) for f in check_tree(gated_tree, str(path), settings, text)}
        full = {(f.line, f.col, f.code) for f in check_tree(full_tree, str(path), settings)}
        total += len(full)
        for line, col, code in sorted(full - gated):
            differences.append(f"{path}:{line}:{col + 1}: {code} only without the gate")
        for line, col, code in sorted(gated - full):
            differences.append(f"{path}:{line}:{col + 1}: {code} only with the gate")
    return root, files, total, differences


def roots(corpus: Path | None, trees: Path | None) -> list[str]:
    found: list[str] = []
    for base in (corpus, trees):
        if base is not None and base.is_dir():
            found.extend(str(p) for p in sorted(base.iterdir()) if p.is_dir() and not p.name.startswith("."))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=common.DEFAULT_CORPUS)
    parser.add_argument("--trees", type=Path, help="exported application trees (benchmarks/applications.py)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    all_roots = roots(args.corpus.expanduser(), args.trees.expanduser() if args.trees else None)
    files = findings = 0
    differences: list[str] = []
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        for root, n, total, diff in pool.map(check_root, all_roots):
            files += n
            findings += total
            differences.extend(diff)
            print(f"{Path(root).name}: {n} files, {total} findings, {len(diff)} differences", flush=True)
    for line in differences:
        print(line)
    print(f"{len(all_roots)} roots, {files} files, {findings} findings without the gate, "
          f"{len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
