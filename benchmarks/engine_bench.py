"""In-process timing of the engine against ``ast.parse`` (the floor), and profiling.

    python benchmarks/engine_bench.py --corpus ~/.cache/abr-corpus --fraction 0.1 [--profile out.prof]

Each file is read once up front; then, per pass, every file is parsed (timed: the
floor) and the fresh tree handed to ``async_bridge.engine.check_tree`` (timed: the
engine, analysis plus every enabled rule, plus whatever the project index parses of
other modules on demand). Each pass starts with an empty project index, as a new
flake8 process would. Each package folder of the corpus is its own project root
(``--abr-project-root``), as in evaluate.py.
"""

from __future__ import annotations

import argparse
import ast
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.ensure_importable()


def load_sources(files: list[Path]) -> list[tuple[str, bytes]]:
    return [(str(f), f.read_bytes()) for f in files]


def all_codes() -> frozenset[str]:
    from async_bridge.knowledge import builtin

    return frozenset(builtin().rules)


def package_root(corpus: Path, filename: str) -> Path:
    """The package folder a corpus file belongs to: the project root flake8 gets."""
    rel = Path(filename).relative_to(corpus)
    return corpus / rel.parts[0]


def engine_pass(sources: list[tuple[str, bytes]], corpus: Path, enable: frozenset[str] | None = None) -> dict:
    """One pass; every rule enabled (the opt-in ones too) unless ``enable`` says otherwise.

    Each package folder of the corpus is its own project (``--abr-project-root``), as
    in a real run and in evaluate.py.
    """
    from async_bridge.config import Settings, project_index
    from async_bridge.engine import check_tree

    project_index.cache_clear()
    codes = all_codes() if enable is None else enable
    by_root: dict[Path, Settings] = {}
    parse_total = 0.0
    engine_total = 0.0
    findings = 0
    errors = 0
    clock = time.process_time  # CPU time of this process: steady while other work shares the machine
    for name, data in sources:
        root = package_root(corpus, name)
        settings = by_root.get(root)
        if settings is None:
            # no persistent cache: every pass is a cold process, the engine's own cost
            settings = by_root[root] = Settings(project_root=str(root), enable=codes, no_cache=True)
            settings.knowledge  # YAML loads once per process, outside the timed region
        text = data.decode("utf-8", "replace")  # flake8 hands the plugin the decoded lines too
        t0 = clock()
        try:
            tree = ast.parse(data, filename=name)
        except (SyntaxError, ValueError):
            errors += 1
            continue
        t1 = clock()
        result = check_tree(tree, name, settings, text)
        t2 = clock()
        parse_total += t1 - t0
        engine_total += t2 - t1
        findings += len(result)
        del tree
    return {"parse": parse_total, "engine": engine_total, "findings": findings, "syntax_errors": errors}


def engine_timing(files: list[Path], root: Path, repeat: int = 3) -> dict:
    """Median over ``repeat`` passes of the parse floor and the engine time."""
    from async_bridge.gc_tuning import tune_collector

    sources = load_sources(files)
    engine_pass(sources[: min(20, len(sources))], root)  # warm imports and YAML
    tune_collector()  # the collector settings of a real run (the flake8 plugin sets them)
    runs = []
    for _ in range(repeat):
        gc.collect()
        runs.append(engine_pass(sources, root))
    return {
        "parse": common.median([r["parse"] for r in runs]),
        "engine": common.median([r["engine"] for r in runs]),
        "findings": runs[-1]["findings"],
        "syntax_errors": runs[-1]["syntax_errors"],
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=common.DEFAULT_CORPUS)
    parser.add_argument("--fraction", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--package", action="append", help="only these corpus packages (by name)")
    parser.add_argument("--profile", metavar="OUT", help="write cProfile stats of one engine pass to OUT")
    parser.add_argument("--top", type=int, default=35, help="rows of the profile to print")
    args = parser.parse_args(argv)
    corpus = args.corpus.expanduser()
    files = common.sample(common.corpus_files(corpus, args.package), args.fraction, corpus)
    if args.profile:
        import cProfile
        import pstats

        from async_bridge.gc_tuning import tune_collector

        sources = load_sources(files)
        engine_pass(sources[:20], corpus)
        tune_collector()
        profiler = cProfile.Profile()
        profiler.enable()
        result = engine_pass(sources, corpus)
        profiler.disable()
        profiler.dump_stats(args.profile)
        print(f"{len(files)} files; under the profiler: parse {result['parse']:.2f}s engine {result['engine']:.2f}s")
        stats = pstats.Stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.top)
        return 0
    timing = engine_timing(files, corpus, args.repeat)
    ratio = timing["engine"] / timing["parse"] if timing["parse"] else float("nan")
    print(f"{len(files)} files: ast.parse {timing['parse']:.2f}s, engine {timing['engine']:.2f}s "
          f"({ratio:.2f}x the parse), {timing['findings']} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
