"""A long fuzzing run of the engine: generated programs and mutated real files.

    python scripts/fuzz.py [--seconds 600] [--examples N] [--seed 1] [--only generated,mutated]
                           [--corpus ~/.cache/abr-corpus] [--failures fuzz-failures]

Every example runs every rule with the project index on and ``ABR_DEBUG=1`` (an internal
error raises, with its traceback). The sources come, in rounds, from the generators of
``tests/fuzz_programs.py`` (two Django-shaped modules, one calling the other, in a small
project; deeply nested programs), from hypothesmith (grammar and libcst programs), and,
when the corpus exists, from its real files mutated: statements deleted, duplicated or
swapped, functions made ``async`` or sync, bodies wrapped in an ``async def``, ``await``
inserted, an expression put where another was. The bar is no exception and no "internal error" line on stderr.

A failure is made small before it is saved under ``--failures``: hypothesis shrinks a
generated one, a mutated file loses every statement the failure does not need. A single
module is saved as ``<origin>-NNN.py`` (the traceback as comments at its end), a
generated pair as a folder ``<origin>-NNN/`` of the project's files. The run prints how
many examples it tried and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import io
import os
import random
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fuzz_programs import GENERATED, LINTED, deep_programs, django_projects, project_files  # noqa: E402

ORIGINS = ("generated", "deep", "grammar", "libcst", "mutated")  # where examples come from
MUTATIONS = ("delete", "duplicate", "swap", "make async", "make sync", "wrap in async def", "insert await",
             "transplant expression")


class InternalErrorReported(Exception):
    """The engine printed an internal-error warning instead of raising."""


# -- mutations of real files ----------------------------------------------------------------
def _statement_lists(tree: ast.AST) -> list[list[ast.stmt]]:
    """Every non-empty statement list of the tree (bodies, else branches, handlers, cases)."""
    found = []
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                found.append(value)
    return found


def mutate(source: str, rng: random.Random, edits: int = 1) -> tuple[str, list[str]]:
    """``source`` after ``edits`` random structural edits (unparsed), and their names."""
    tree = ast.parse(source)
    done: list[str] = []
    for _ in range(edits):
        lists = _statement_lists(tree)
        if not lists:
            break
        body = rng.choice(lists)
        kind = rng.choice(MUTATIONS)
        i, j = rng.randrange(len(body)), rng.randrange(len(body))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        if kind == "delete" and len(body) > 1:
            del body[i]
        elif kind == "duplicate":
            body.insert(i, body[j])
        elif kind == "swap":
            body[i], body[j] = body[j], body[i]
        elif kind in ("make async", "make sync") and functions:
            function = rng.choice(functions)
            function.__class__ = ast.AsyncFunctionDef if kind == "make async" else ast.FunctionDef
        elif kind == "wrap in async def":
            wrapper = ast.AsyncFunctionDef(name="_wrapped", args=ast.arguments(
                posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
                body=body[:], decorator_list=[], returns=None, type_comment=None)
            if sys.version_info >= (3, 12):
                wrapper.type_params = []
            body[:] = [wrapper]
        elif kind == "insert await" and calls:
            call = rng.choice(calls)
            tree = _Replace(call, ast.Await(call)).visit(tree)
        elif kind == "transplant expression":
            expressions = [n for n in ast.walk(tree) if isinstance(n, ast.expr)]
            if not expressions:
                continue
            tree = _Replace(rng.choice(expressions), copy.deepcopy(rng.choice(expressions))).visit(tree)
        else:
            continue
        done.append(kind)
    return ast.unparse(ast.fix_missing_locations(tree)), done


class _Replace(ast.NodeTransformer):
    """Puts ``new`` where the node ``old`` is (that very node, not an equal one)."""

    def __init__(self, old: ast.AST, new: ast.AST) -> None:
        self.old, self.new = old, new

    def visit(self, node: ast.AST) -> ast.AST:
        if node is self.old:
            return self.new
        return super().visit(node)


# -- making a failure small -----------------------------------------------------------------
def minimize(source: str, fails: Callable[[str], bool], budget_seconds: float = 120.0) -> str:
    """``source`` without every block of statements, then statement, that ``fails`` does
    not need (``fails(source)`` must hold). Ends within about ``budget_seconds``."""
    deadline = time.monotonic() + budget_seconds
    tree = ast.parse(source)
    best = source
    progress = True
    while progress and time.monotonic() < deadline:
        progress = False
        for body in _statement_lists(tree):
            size = max(1, len(body) // 2)
            while size >= 1 and time.monotonic() < deadline:
                start = len(body) - size
                while start >= 0 and time.monotonic() < deadline:
                    removed = body[start:start + size]
                    emptied = len(body) == len(removed)  # a body cannot be empty: ``pass`` stands in
                    body[start:start + size] = [ast.Pass()] if emptied else []
                    candidate = ast.unparse(tree)
                    if candidate != best and fails(candidate):
                        best, progress = candidate, True
                    else:
                        body[start:start + (1 if emptied else 0)] = removed
                    start -= size
                size //= 2
    return best


# -- the run --------------------------------------------------------------------------------
@dataclass
class Failure:
    origin: str
    modules: dict[str, str]  # relative path -> source (one entry for a single module)
    trace: str


@dataclass
class Fuzzer:
    failures_dir: Path
    deadline: float
    max_examples: int
    origins: tuple[str, ...] = ORIGINS
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    last: Failure | None = None  # the last failing example (hypothesis replays the smallest last)
    shrinking: bool = False  # a failure is being made smaller: its examples are not counted

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def done(self) -> bool:
        return time.monotonic() > self.deadline or bool(self.max_examples and self.total >= self.max_examples)

    def check(self, origin: str, root: Path, modules: dict[str, str], clear: bool) -> None:
        """Lint ``modules`` (relative to ``root``); raises what the engine raised or reported."""
        from async_bridge.config import Settings, project_index
        from async_bridge.engine import check_source
        from async_bridge.knowledge import builtin

        if not self.shrinking:
            self.counts[origin] = self.counts.get(origin, 0) + 1
        if clear:  # the project's files changed on disk (or another project is linted)
            project_index.cache_clear()
        settings = Settings(project_root=str(root), enable=frozenset(builtin().rules), no_cache=True)
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                for rel, source in modules.items():
                    check_source(source, str(root / rel), settings)
            reported = [line for line in stderr.getvalue().splitlines() if "internal error" in line]
            if reported:
                raise InternalErrorReported(reported[0])
        except Exception:
            self.last = Failure(origin, dict(modules), traceback.format_exc())
            self.shrinking = True
            raise

    def save(self, failure: Failure) -> Path:
        self.failures_dir.mkdir(parents=True, exist_ok=True)
        self.failures.append(failure)
        name = f"{failure.origin}-{len(self.failures):03d}"
        comments = "".join("# " + line + "\n" for line in failure.trace.splitlines())
        if len(failure.modules) == 1:
            saved = self.failures_dir / f"{name}.py"
            saved.write_text(next(iter(failure.modules.values())) + "\n\n" + comments, encoding="utf-8")
        else:
            saved = self.failures_dir / name
            for rel, source in failure.modules.items():
                (saved / rel).parent.mkdir(parents=True, exist_ok=True)
                (saved / rel).write_text(source, encoding="utf-8")
            (saved / "traceback.txt").write_text(failure.trace, encoding="utf-8")
        print(f"FAIL {failure.origin}: saved {saved} ({failure.trace.strip().splitlines()[-1]})", flush=True)
        return saved


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _signature(trace: str) -> tuple[str, str]:
    """What identifies a failure while it is made smaller: the error type and where it was raised."""
    lines = trace.strip().splitlines()
    frames = [line.strip() for line in lines if line.strip().startswith("File ")]
    return (lines[-1].split(":")[0] if lines else "", frames[-1] if frames else "")


def generated_rounds(fuzzer: Fuzzer, project: Path, seed: int, batch: int) -> None:
    """One batch of each hypothesis generator, failures shrunk and saved."""
    import hypothesmith
    from hypothesis import HealthCheck, assume, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import HypothesisException

    def lint_pair(modules: dict[str, str]) -> None:
        if fuzzer.done() and not fuzzer.shrinking:
            return
        assume(all(_parses(source) for source in modules.values()))
        for rel, source in modules.items():
            (project / rel).write_text(source, encoding="utf-8")
        fuzzer.check("generated", project, modules, clear=True)

    def lint_one(origin: str) -> Callable[[str], None]:
        def lint(source: str) -> None:
            if fuzzer.done() and not fuzzer.shrinking:
                return
            assume(_parses(source))
            (project / GENERATED).write_text("", encoding="utf-8")
            fuzzer.check(origin, project, {LINTED: source}, clear=True)
        return lint

    plans: list[tuple[str, Any, Callable[[Any], None], int]] = [
        ("generated", django_projects(), lint_pair, batch),
        ("deep", deep_programs(), lint_one("deep"), batch // 5),
        ("grammar", hypothesmith.from_grammar(), lint_one("grammar"), batch // 2),
        ("libcst", hypothesmith.from_node(), lint_one("libcst"), batch // 10),
    ]
    for origin, strategy, lint, examples in plans:
        if fuzzer.done():
            return
        if origin not in fuzzer.origins:
            continue
        run = hypothesis_seed(seed)(settings(
            max_examples=max(examples, 1), deadline=None, database=None, report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck))(given(strategy)(lint)))
        fuzzer.last = None
        try:
            run()
        except HypothesisException:  # no example parsed, a flaky failure, ...: the last failure stands
            if fuzzer.last is not None:
                fuzzer.save(fuzzer.last)
        except Exception:
            if fuzzer.last is None:
                raise  # not the engine: a bug of this script or of a generator
            fuzzer.save(fuzzer.last)  # hypothesis ran the smallest failing example last
        finally:
            fuzzer.shrinking = False


def corpus_files(corpus: Path) -> dict[Path, list[Path]]:
    """Package folder -> its Python files."""
    if not corpus.is_dir():
        return {}
    packages = {}
    for package in sorted(p for p in corpus.iterdir() if p.is_dir()):
        files = sorted(path for path in package.rglob("*.py") if path.is_file())
        if files:
            packages[package] = files
    return packages


def mutation_round(fuzzer: Fuzzer, packages: dict[Path, list[Path]], rng: random.Random, count: int) -> None:
    """``count`` mutated files of one package (weighted by its size), linted in that package."""
    package = rng.choices(list(packages), weights=[len(files) for files in packages.values()])[0]
    first = True
    for _ in range(count):
        if fuzzer.done():
            return
        path = rng.choice(packages[package])
        try:
            source, _ = mutate(path.read_text(encoding="utf-8"), rng, edits=rng.randint(1, 3))
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, OSError):
            continue
        if not _parses(source):
            continue
        rel = str(path.relative_to(package))
        try:
            fuzzer.check("mutated", package, {rel: source}, clear=first)
        except Exception:
            failure = fuzzer.last
            assert failure is not None
            wanted = _signature(failure.trace)

            def still_fails(candidate: str) -> bool:
                try:
                    fuzzer.check("mutated", package, {rel: candidate}, clear=False)
                except Exception:
                    return fuzzer.last is not None and _signature(fuzzer.last.trace) == wanted
                return False

            small = minimize(source, still_fails)
            fuzzer.save(failure if small == source or not still_fails(small) else fuzzer.last or failure)
            fuzzer.shrinking = False
        first = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="time limit (default 600)")
    parser.add_argument("--examples", type=int, default=0, help="stop after this many (0: only the time limit)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed makes the same examples")
    parser.add_argument("--corpus", type=Path, default=Path("~/.cache/abr-corpus").expanduser(),
                        help="real files to mutate, one package per folder (skipped when absent)")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"),
                        help="where each failure is saved, made small (default fuzz-failures/)")
    parser.add_argument("--batch", type=int, default=50, help="examples per generator round (default 50)")
    parser.add_argument("--only", default=",".join(ORIGINS),
                        help=f"the sources of examples, comma-separated (default {','.join(ORIGINS)})")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.examples < 0 or args.batch < 1:
        parser.error("--seconds must be positive, --examples not negative, --batch at least 1")
    origins = tuple(item.strip() for item in args.only.split(",") if item.strip())
    unknown = sorted(set(origins) - set(ORIGINS))
    if unknown or not origins:
        parser.error(f"--only: unknown source {', '.join(unknown) or '(none)'} (known: {', '.join(ORIGINS)})")

    rng = random.Random(args.seed)
    packages = corpus_files(args.corpus) if "mutated" in origins else {}
    if not packages and set(origins) <= {"mutated"}:
        parser.error(f"--only mutated needs a corpus; none at {args.corpus}")
    fuzzer = Fuzzer(args.failures, time.monotonic() + args.seconds, args.examples, origins)
    started = time.monotonic()
    with _debug_env(), warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix="abr-fuzz-") as tmp:
        warnings.simplefilter("ignore")  # SyntaxWarning of generated code such as ``1()``: parsed, never run
        project = Path(tmp)
        for rel, text in project_files().items():
            (project / rel).parent.mkdir(parents=True, exist_ok=True)
            (project / rel).write_text(text, encoding="utf-8")
        progress = started
        while not fuzzer.done():
            generated_rounds(fuzzer, project, rng.randrange(1 << 30), args.batch)
            if packages:
                mutation_round(fuzzer, packages, rng, args.batch // 2)
            if time.monotonic() - progress > 60:
                progress = time.monotonic()
                print(f"{progress - started:.0f} s: {_summary(fuzzer)}", flush=True)
    print(f"{_summary(fuzzer)} in {time.monotonic() - started:.0f} s"
          + ("" if packages or "mutated" not in origins else f" (no corpus at {args.corpus}: no mutated files)"))
    return 1 if fuzzer.failures else 0


def _summary(fuzzer: Fuzzer) -> str:
    kinds = ", ".join(f"{fuzzer.counts.get(kind, 0)} {kind}" for kind in fuzzer.origins)
    return f"{fuzzer.total} examples ({kinds}), {len(fuzzer.failures)} failures"


@contextlib.contextmanager
def _debug_env() -> Iterator[None]:
    """``ABR_DEBUG=1`` for the run (an internal error raises), restored after."""
    old = os.environ.get("ABR_DEBUG")
    os.environ["ABR_DEBUG"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["ABR_DEBUG"]
        else:
            os.environ["ABR_DEBUG"] = old


if __name__ == "__main__":
    sys.exit(main())
