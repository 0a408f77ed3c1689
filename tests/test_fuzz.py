"""Fuzzing: generated programs through the engine, every rule on, the project index on.

The bar is no exception and no internal-error warning. ``ABR_DEBUG`` is unset here, so a
check that raises takes the production path (isolated, reported through
``warn_internal_error`` on stderr); each example reads stderr and fails on such a line,
and hypothesis shrinks the program. Bounded for CI (a few hundred examples in seconds,
derandomised); ``scripts/fuzz.py`` runs the same generators for longer and mutates real
files too.
"""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from async_bridge.checks import Finding  # noqa: E402
from async_bridge.engine import check_source  # noqa: E402

from fuzz_programs import GENERATED, HEADER, LINTED, deep_programs, django_projects, project_files  # noqa: E402
from helpers import settings_for  # noqa: E402

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    for rel, text in project_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


Lint = Callable[[dict[str, str]], "list[Finding]"]


@pytest.fixture
def engine(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Lint]:
    """Lint modules of the fuzz project; fails on an exception or an internal-error warning."""
    monkeypatch.delenv("ABR_DEBUG", raising=False)  # a failing check is reported, not raised

    def lint(modules: dict[str, str]) -> list[Finding]:
        for source in modules.values():
            assume(parses(source))  # what this Python cannot parse is no engine input
        for rel, source in modules.items():  # on disk first: the index reads the others
            (project / rel).write_text(source, encoding="utf-8")
        capsys.readouterr()
        findings: list[Finding] = []
        for rel, source in modules.items():
            findings += check_source(source, str(project / rel), settings_for(project, no_cache=True))
        errors = [line for line in capsys.readouterr().err.splitlines() if "internal error" in line]
        assert not errors, "\n".join(errors)
        return findings

    yield lint
    (project / GENERATED).write_text("", encoding="utf-8")


def parses(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # generated code such as ``1()``: parsed, never run
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


def test_django_shaped_programs(engine: Lint) -> None:
    """Two generated modules, one calling the other; the run must also reach the rules."""
    fired: Counter[str] = Counter()

    @FUZZ
    @given(modules=django_projects())
    def run(modules: dict[str, str]) -> None:
        fired.update(finding.code for finding in engine(modules))

    run()
    # a run that only hit parse errors or never a finding would prove nothing
    assert len(fired) >= 12, f"the generated programs reach too few rules: {sorted(fired)}"


@pytest.mark.parametrize(("strategy", "examples"), [
    pytest.param(deep_programs, 40, id="deeply-nested"),
    pytest.param(hypothesmith.from_grammar, 50, id="grammar"),
    # hypothesmith's libcst-built programs are slower to generate: fewer of them
    pytest.param(hypothesmith.from_node, 15, id="node"),
])
def test_generated_programs(engine: Lint, strategy, examples: int) -> None:
    @settings(FUZZ, max_examples=examples)
    @given(source=strategy())
    def run(source: str) -> None:
        engine({LINTED: source})

    run()


def test_an_internal_error_fails_the_fuzz_run(engine: Lint, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar is real: a check that raises (reported, not raised) fails the example."""
    from async_bridge.checks.coroutines import AwaitBindsAfterSubscript

    def broken(self, node, scope):
        raise RuntimeError("boom")

    @settings(FUZZ, max_examples=1)
    @given(st.just("async def f():\n    await g()\n"))
    def run(source: str) -> None:
        engine({LINTED: source})

    monkeypatch.setattr(AwaitBindsAfterSubscript, "visit", broken)
    expected = r"internal error in the check AwaitBindsAfterSubscript.*RuntimeError: boom"
    with pytest.raises(AssertionError, match=expected):
        run()


def test_programs_this_python_cannot_parse_are_skipped(engine: Lint) -> None:
    @settings(FUZZ, max_examples=5)
    @given(st.just("def f(:\n"))
    def run(source: str) -> None:
        engine({LINTED: source})

    with pytest.raises(hypothesis.errors.Unsatisfiable):
        run()


# -- scripts/fuzz.py: the long run ------------------------------------------------------------
def _fuzz_script():
    import importlib.util
    import sys

    if "fuzz_script" not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "scripts" / "fuzz.py"
        spec = importlib.util.spec_from_file_location("fuzz_script", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["fuzz_script"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["fuzz_script"]


AWAITS = "".join(f"async def f{i}(x):\n    y = x + {i}\n    await g{i}(y)\n\n\n" for i in range(6))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus of one package whose every function awaits."""
    package = tmp_path / "corpus" / "pkg-1.0" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "views.py").write_text(AWAITS, encoding="utf-8")
    return tmp_path / "corpus"


def test_fuzz_script_reports_the_examples_it_tried(corpus: Path, tmp_path: Path, capsys) -> None:
    code = _fuzz_script().main(["--examples", "14", "--batch", "5", "--corpus", str(corpus), "--only",
                                "generated,deep,mutated", "--failures", str(tmp_path / "failures")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "14 examples (10 generated, 2 deep, 2 mutated), 0 failures in " in out
    assert not (tmp_path / "failures").exists()


def test_fuzz_script_saves_each_failure_small_and_exits_1(corpus: Path, tmp_path: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted bug: a check raises on assignments to ``y`` (in the corpus) or ``result``
    (around which every deep program nests)."""
    from async_bridge.checks.unsafe_guard import AsyncUnsafeGuardDisabled

    def broken(self, node, scope):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("y", "result") for t in node.targets):
            raise RuntimeError("planted")
        return ()

    monkeypatch.setattr(AsyncUnsafeGuardDisabled, "visit", broken)
    monkeypatch.setattr(AsyncUnsafeGuardDisabled, "anchors", classmethod(lambda cls, words: None))  # every module
    failures = tmp_path / "failures"
    code = _fuzz_script().main(["--examples", "3", "--batch", "5", "--seed", "3", "--corpus", str(corpus),
                                "--failures", str(failures), "--only", "deep,mutated"])
    out = capsys.readouterr().out
    assert code == 1
    saved = sorted(failures.iterdir())
    assert saved and f", {len(saved)} failures in " in out
    mutated = [path for path in saved if path.name.startswith("mutated-")]
    assert mutated, out
    for path in mutated:  # the assignment alone, in one statement of each body around it
        text = path.read_text(encoding="utf-8")
        assert "RuntimeError: planted" in text
        tree = ast.parse(text)
        assert [n.targets[0].id for n in ast.walk(tree) if isinstance(n, ast.Assign)] == ["y"], text
        assert not any(isinstance(node, ast.Await) for node in ast.walk(tree)), text
        assert all(len(node.body) == 1 for node in ast.walk(tree) if hasattr(node, "body")), text
    deep = [path for path in saved if path.name.startswith("deep-")]
    assert deep, out
    for path in deep:  # shrunk by hypothesis: the least nesting the generator makes, around a plain leaf
        program = path.read_text(encoding="utf-8").split("\n\n# Traceback")[0]
        assert "RuntimeError: planted" in path.read_text(encoding="utf-8")
        lines = program.splitlines()[len(HEADER.splitlines()):]
        assert len([line for line in lines if line.strip().startswith("def ")]) == 10, program
        assert lines[-1].strip() == "result = Order.objects.get(pk=1).customer.name", program


def test_minimize_keeps_only_what_the_failure_needs() -> None:
    source = ("import os\nx = 1\n\n\nclass A:\n    y = 2\n\n    def m(self):\n        if x:\n            z = 3\n"
              "            boom(z)\n        return 4\n\n\ndef other():\n    pass\n")
    small = _fuzz_script().minimize(source, lambda text: "boom(" in text)
    assert small == "class A:\n\n    def m(self):\n        if x:\n            boom(z)"


def test_mutations_give_parseable_different_programs() -> None:
    import random

    script = _fuzz_script()
    rng = random.Random(5)
    kinds = set()
    for _ in range(60):
        mutated, done = script.mutate(AWAITS, rng, edits=2)
        ast.parse(mutated)
        kinds.update(done)
    assert kinds == set(script.MUTATIONS)
