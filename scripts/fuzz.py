"""A long fuzzing run of the engine: generated programs and mutated real files.

    python scripts/fuzz.py [--seconds 600] [--examples N] [--seed 1] [--corpus ~/.cache/abr-corpus]
                           [--failures fuzz-failures/]

Each example runs every rule with the project index on (a small project the generated
module imports from, or the corpus package a mutated file belongs to) and
``ABR_DEBUG=1``, so an internal error raises. Sources come in turn from the Django-shaped
generator of ``tests/fuzz_programs.py``, from hypothesmith's grammar, and from real corpus
files mutated (statements deleted, duplicated or swapped, bodies made ``async``,
``await`` inserted). Each failure is saved as a file (the source, then the traceback as
comments) under ``--failures``; the run prints how many examples it tried and exits 1 on
any failure.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fuzz_programs import django_programs, project_files  # noqa: E402


def mutate(source: str, rng: random.Random) -> str:
    """One random structural edit of a real module (unparsed back to text)."""
    tree = ast.parse(source)
    bodies = [node for node in ast.walk(tree) if isinstance(getattr(node, "body", None), list) and node.body]
    if not bodies:
        return source
    owner = rng.choice(bodies)
    body = owner.body
    kind = rng.randrange(5)
    i = rng.randrange(len(body))
    if kind == 0 and len(body) > 1:
        del body[i]
    elif kind == 1:
        body.insert(i, body[rng.randrange(len(body))])
    elif kind == 2 and len(body) > 1:
        j = rng.randrange(len(body))
        body[i], body[j] = body[j], body[i]
    elif kind == 3 and isinstance(owner, ast.FunctionDef):
        owner.__class__ = ast.AsyncFunctionDef
    else:
        calls = [node for node in ast.walk(owner) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
        if calls:
            target = rng.choice(calls)
            target.value = ast.Await(target.value)
    return ast.unparse(ast.fix_missing_locations(tree))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--examples", type=int, default=0, help="stop after this many (0: only the time limit)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=Path("~/.cache/abr-corpus").expanduser())
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args(argv)

    os.environ["ABR_DEBUG"] = "1"
    warnings.simplefilter("ignore", SyntaxWarning)  # generated code such as ``1()``: parsed, not run
    from hypothesis import HealthCheck, given, settings
    import hypothesmith

    from async_bridge.config import Settings, project_index
    from async_bridge.engine import check_source
    from async_bridge.knowledge import builtin

    rng = random.Random(args.seed)
    every_rule = frozenset(builtin().rules)
    corpus_files = sorted(args.corpus.rglob("*.py")) if args.corpus.is_dir() else []
    project = Path(tempfile.mkdtemp(prefix="abr-fuzz-"))
    for rel, text in project_files().items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    deadline = time.monotonic() + args.seconds
    counts = {"generated": 0, "grammar": 0, "mutated": 0}
    failures: list[Path] = []

    def run(source: str, root: Path, filename: Path, origin: str) -> None:
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        counts[origin] += 1
        project_index.cache_clear()
        settings = Settings(project_root=str(root), enable=every_rule, no_cache=True)
        try:
            check_source(source, str(filename), settings)
        except Exception:
            args.failures.mkdir(parents=True, exist_ok=True)
            saved = args.failures / f"{origin}-{len(failures) + 1:03d}.py"
            trace = "".join("# " + line + "\n" for line in traceback.format_exc().splitlines())
            saved.write_text(source + "\n" + trace, encoding="utf-8")
            failures.append(saved)
            print(f"FAIL {origin}: {saved} ({traceback.format_exc().splitlines()[-1]})", flush=True)

    def done() -> bool:
        total = sum(counts.values())
        return time.monotonic() > deadline or bool(args.examples and total >= args.examples)

    batch = settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    while not done():
        round_seed = rng.randrange(1 << 30)

        @batch
        @given(source=django_programs())
        def generated(source: str) -> None:
            if not done():
                run(source, project, project / "app" / "tasks.py", "generated")

        @batch
        @given(source=hypothesmith.from_grammar())
        def grammar(source: str) -> None:
            if not done():
                run(source, project, project / "app" / "tasks.py", "grammar")

        for test in (generated, grammar):
            test._hypothesis_internal_use_seed = round_seed  # type: ignore[attr-defined]
            test()
        for _ in range(25 if corpus_files else 0):
            if done():
                break
            path = rng.choice(corpus_files)
            try:
                source = mutate(path.read_text(encoding="utf-8"), rng)
            except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
                continue
            package = path.relative_to(args.corpus).parts[0]
            run(source, args.corpus / package, path, "mutated")
    total = sum(counts.values())
    print(f"{total} examples ({', '.join(f'{n} {k}' for k, n in counts.items())}), {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
