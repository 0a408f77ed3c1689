"""Smoke test of the benchmark and evaluation scripts on a tiny generated corpus.

No timing assertions: only that the scripts run, agree with each other and with
the triage file, and render their documents.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"

LEAKY = '''\
import asyncio


async def work():
    return 1


def run_once():
    loop = asyncio.new_event_loop()
    result = loop.run_until_complete(work())
    loop.close()
    return result
'''

CLEAN = '''\
import asyncio


def run_safely(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()
'''


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        yield {name: importlib.import_module(name) for name in ("common", "engine_bench", "evaluate", "run")}
    finally:
        sys.path.remove(str(BENCH))
        for name in ("common", "engine_bench", "evaluate", "run", "envs"):
            sys.modules.pop(name, None)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    rows = ["name\tversion\tpy_files\tlines"]
    for name, files in {
        "alpha": {"alpha/__init__.py": "", "alpha/jobs.py": LEAKY, "alpha/util.py": CLEAN},
        "beta": {"beta/__init__.py": "", "beta/plain.py": "X = 1\n" * 20, "tests/test_beta.py": LEAKY},
    }.items():
        folder = root / f"{name}-1.0"
        for rel, text in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        lines = sum(text.count("\n") for text in files.values())
        rows.append(f"{name}\t1.0\t{len(files)}\t{lines}")
    (root / "MANIFEST.tsv").write_text("\n".join(rows) + "\n")
    return root


def test_sample_is_deterministic_and_nested(bench, corpus):
    common = bench["common"]
    files = common.corpus_files(corpus)
    assert len(files) == 6
    half = common.sample(files, 0.5, corpus)
    assert half == common.sample(files, 0.5, corpus)
    assert len(half) == 3
    assert set(common.sample(files, 0.25, corpus)) <= set(half)
    assert common.sample(files, 1.0, corpus) == files


def test_engine_timing_reports_parse_engine_and_findings(bench, corpus):
    common = bench["common"]
    timing = bench["engine_bench"].engine_timing(common.corpus_files(corpus), corpus, repeat=2)
    assert timing["parse"] > 0 and timing["engine"] > 0
    assert len(timing["runs"]) == 2
    assert timing["findings"] >= 2  # the two leaky loops, whatever else the rules add


def test_measure_reports_wall_and_peak_memory(bench, tmp_path):
    result = bench["common"].measure([sys.executable, "-c", "x = bytearray(30_000_000)"], tmp_path)
    assert result["rc"] == 0
    assert result["wall"] > 0
    assert result["maxrss_kb"] > 25_000


def _evaluate(corpus: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCH / "evaluate.py"), "--corpus", str(corpus), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300,
    )


def _triage(findings: list[dict], verdict_of) -> str:
    lines = ["findings:"]
    for f in findings:
        lines += [
            f"  - package: {f['package']}", f"    path: {f['path']}", f"    line: {f['line']}",
            f"    code: {f['code']}", f"    verdict: {verdict_of(f)}", "    reason: \"smoke test\"",
        ]
    lines.append("changes: |\n  smoke-test note")
    return "\n".join(lines) + "\n"


def test_evaluate_merges_triage_and_checks(corpus, tmp_path):
    dumped = tmp_path / "findings.json"
    empty = tmp_path / "empty.yaml"
    empty.write_text("findings: []\n")
    doc = tmp_path / "evaluation.md"
    first = _evaluate(corpus, "--triage", str(empty), "--save-findings", str(dumped), "--write", str(doc), "--check")
    assert first.returncode == 1, first.stdout + first.stderr
    findings = json.loads(dumped.read_text())["findings"]
    leaks = {(f["package"], f["path"], f["line"]) for f in findings if f["code"] == "ABR102"}
    assert leaks == {("alpha", "alpha/jobs.py", 9), ("beta", "tests/test_beta.py", 9)}
    text = doc.read_text()
    assert "UNTRIAGED" in text and "| alpha | 1.0 |" in text

    good = tmp_path / "good.yaml"
    good.write_text(_triage(findings, lambda f: "tp"))
    second = _evaluate(corpus, "--triage", str(good), "--findings", str(dumped), "--write", str(doc), "--check")
    assert second.returncode == 0, second.stdout + second.stderr
    text = doc.read_text()
    assert "UNTRIAGED" not in text and "smoke-test note" in text and "Check: passing" in text

    bad = tmp_path / "bad.yaml"
    bad.write_text(_triage(findings, lambda f: "fp" if f["path"] == "alpha/jobs.py" else "tp"))
    third = _evaluate(corpus, "--triage", str(bad), "--findings", str(dumped), "--check")
    assert third.returncode == 1
    assert "precision" in third.stdout


def test_performance_report_renders(bench):
    flake = {"wall": 10.0, "rss_mb": 80.0, "walls": [10.0], "stderr": ""}
    report = {
        "machine": {"date": "2026-01-01", "cpu": "cpu", "nproc": "2", "ram": "1 GiB", "os": "Linux", "python": "3.11"},
        "versions": {"flake8": "7.0", "flake8-async-bridge": "0.1", "flake8-async": "1.0"},
        "fraction": 1.0, "repeat": 3, "extra_repeat": 1, "files": 6, "lines": 60, "corpus_files": 6,
        "engine": {"parse": 1.0, "engine": 0.8},
        "j1": {"plain": flake, "plugin": dict(flake, wall=10.5, rss_mb=85.0), "abr_only": dict(flake, wall=3.0)},
        "j2": {"plain": dict(flake, wall=6.0), "plugin": dict(flake, wall=6.3)},
        "peer": {"plain": flake, "plugin": dict(flake, wall=10.4), "peer": dict(flake, wall=140.0),
                 "files": 3, "lines": 30, "packages": ["alpha"]},
        "fix": None,
        "scaling": [{"share": s, "files": 2, "lines": 20, "parse": s, "engine": s, "plain": 10 * s,
                     "plugin": 10.5 * s, "plain_rss": 80.0, "plugin_rss": 85.0} for s in (0.25, 0.5, 1.0)],
    }
    text = bench["run"].render(report, "python benchmarks/run.py")
    assert "0.80x the parse" in text and "+5.0%" in text and "## Scaling" in text and "flake8-async" in text

    def run(cpu: float, rss: float = 80.0) -> dict:
        return {"wall": cpu, "cpu": cpu, "rss_mb": rss, "walls": [cpu], "cpus": [cpu]}

    trio = {"plain": run(10.0), "cold": run(10.8, 88.0), "warm": run(10.2)}
    report["cache"] = {"files": 6, "lines": 60, "runs": {"j1": trio, "jobs": trio, "forkserver": trio}}
    report["async"] = {"files": 3, "lines": 30, "packages": ["alpha"], "runs": {"j1": trio}}
    report["editor"] = {"file": "alpha/jobs.py", "root_files": 6, "plain": run(0.2), "cold": run(1.0),
                        "warm": run(0.22), "edited": run(0.3)}
    report["j1"]["warm"] = run(10.2)
    report["check"] = {"files": 6, "plain": run(4.0), "cold": run(5.0), "warm": run(1.0), "ruff": run(0.5)}
    text = bench["run"].render(report, "python benchmarks/run.py")
    assert "| `async-bridge check`, warm | 1.0 s | 1.0 s | 0.25x | 80 MiB |" in text
    assert "| `ruff check --select ASYNC` | 0.5 s | 0.5 s | 0.12x | 80 MiB |" in text
    assert "| 6 files (the corpus sample), `flake8 -j1` | 10.0 s CPU (10.0 s wall) | 10.8 s (10.8 s) " in text
    assert "| 1.08x met | 1.02x met | 80 / 88 / 80 MiB |" in text
    assert "async subset, 3 files, `flake8 -j1`" in text and "`forkserver` workers" in text
    assert "| + plugin, warm, file unchanged | 0.220 s | 0.220 s | 1.10x met (< 1.20x) | 80 MiB |" in text
    assert "| + plugin, cold (empty cache) | 1.000 s | 1.000 s | 5.00x | 80 MiB |" in text

# -- applications.py and recall.py on a tiny generated git repository ----------------------

def _git(git_dir: Path, work_tree: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", f"--git-dir={git_dir}", f"--work-tree={work_tree}", *args], env=env,
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


@pytest.fixture()
def app_repo(tmp_path: Path) -> dict:
    """A bare repository laid out like a fetched mirror, with two commits; the project root is
    ``proj``; the second commit has a .py file whose content the repository lacks."""
    mirror = tmp_path / "mirror"
    git_dir = mirror / "example+tiny" / "repo"
    src = tmp_path / "src"
    (src / "proj" / "tiny").mkdir(parents=True)
    (src / "docs").mkdir()
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
    (src / "proj" / "tiny" / "__init__.py").write_text("")
    (src / "proj" / "tiny" / "jobs.py").write_text(LEAKY)
    (src / "docs" / "outside.py").write_text(LEAKY)  # outside the project root: never linted
    _git(git_dir, src, "add", "-A")
    _git(git_dir, src, "commit", "-q", "-m", "bug")
    bug = _git(git_dir, src, "rev-parse", "HEAD")
    (src / "proj" / "tiny" / "jobs.py").write_text(CLEAN)
    (src / "proj" / "tiny" / "huge.py").write_text("BIG = 1\n")
    _git(git_dir, src, "add", "-A")
    _git(git_dir, src, "commit", "-q", "-m", "fix")
    fix = _git(git_dir, src, "rev-parse", "HEAD")
    huge = _git(git_dir, src, "rev-parse", "HEAD:proj/tiny/huge.py")
    (git_dir / "objects" / huge[:2] / huge[2:]).unlink()  # as a fetched snapshot leaves out big files
    pins = tmp_path / "applications.tsv"
    pins.write_text("# comment\nname\trepo\tcommit\troot\tfeatures\n"
                    f"tiny\texample/tiny\t{fix}\tproj\tCelery tasks | asyncio\n")
    return {"mirror": mirror, "pins": pins, "bug": bug, "fix": fix, "workdir": tmp_path / "work"}


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / script), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)


def test_applications_exports_the_pinned_commit_and_lints_its_project_root(app_repo, tmp_path):
    saved = tmp_path / "apps.json"
    common = ["--pins", str(app_repo["pins"]), "--mirror", str(app_repo["mirror"]), "--workdir", str(app_repo["workdir"])]
    proc = _run("applications.py", *common, "--save-findings", str(saved))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(saved.read_text())
    (app,) = data["applications"]
    assert (app["name"], app["commit"], app["root"]) == ("tiny", app_repo["fix"], "proj")
    assert app["missing"] == ["proj/tiny/huge.py"]
    assert app["files"] == 2  # __init__.py and jobs.py: docs/ is outside the root, huge.py has no content
    assert data["findings"] == []  # the pinned commit is the fixed one
    assert "left out" in proc.stderr and "proj/tiny/huge.py" in proc.stderr
    tree = app_repo["workdir"] / "trees" / f"tiny-{app_repo['fix'][:12]}"
    assert (tree / "proj" / "tiny" / "jobs.py").read_text() == CLEAN
    assert not (tree / "docs").exists()

    bad_pins = tmp_path / "bad.tsv"
    bad_pins.write_text("tiny\texample/tiny\tnot-a-commit\tproj\tx\n")
    bad = _run("applications.py", "--pins", str(bad_pins), "--mirror", str(app_repo["mirror"]))
    assert bad.returncode != 0 and "40 hex digits" in bad.stderr and "Traceback" not in bad.stderr


def test_recall_finds_the_bug_at_its_line_and_reports_a_miss(app_repo, tmp_path):
    history = tmp_path / "history.yaml"
    entry = ("  - app: tiny\n    repo: example/tiny\n    bug_commit: {bug}\n    fix_commit: {fix}\n"
             "    path: proj/tiny/jobs.py\n    line: {line}\n    code: ABR102\n    shape: \"loop closed on success only\"\n"
             "    what: \"run_once leaks its loop when work raises\"\n")
    history.write_text("entries:\n" + entry.format(bug=app_repo["bug"], fix=app_repo["fix"], line=9)
                       + entry.format(bug=app_repo["bug"], fix=app_repo["fix"], line=10))
    saved = tmp_path / "recall.json"
    proc = _run("recall.py", "--history", str(history), "--pins", str(app_repo["pins"]),
                "--mirror", str(app_repo["mirror"]), "--workdir", str(app_repo["workdir"]), "--save", str(saved))
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(saved.read_text())["outcomes"]
    assert [(o["line"], o["found"]) for o in outcomes] == [(9, True), (10, False)]
    assert outcomes[1]["in_file"] == ["ABR102@9"]
    assert "ABR102: 1/2 found" in proc.stdout


def test_evaluate_folds_in_applications_and_recall(app_repo, corpus, tmp_path):
    apps_json = tmp_path / "apps.json"
    apps_json.write_text(json.dumps({
        "flake8": "flake8",
        "applications": [{"name": "tiny", "repo": "example/tiny", "commit": app_repo["bug"], "root": "proj",
                          "features": "Celery", "files": 2, "lines": 13, "missing": []}],
        "findings": [{"package": "tiny", "path": "proj/tiny/jobs.py", "line": 9, "col": 12, "code": "ABR102",
                      "message": "loop leaks"}],
    }))
    recall_json = tmp_path / "recall.json"
    recall_json.write_text(json.dumps({"flake8": "flake8", "outcomes": [
        {"app": "tiny", "repo": "example/tiny", "bug_commit": app_repo["bug"], "fix_commit": app_repo["fix"],
         "path": "proj/tiny/jobs.py", "line": 9, "code": "ABR102", "what": "leak", "shape": "unclosed loop",
         "found": True, "at_line": ["ABR102"], "in_file": []},
        {"app": "tiny", "repo": "example/tiny", "bug_commit": app_repo["bug"], "fix_commit": app_repo["fix"],
         "path": "proj/tiny/jobs.py", "line": 3, "code": "ABR201", "what": "query", "shape": "ORM in async",
         "found": False, "at_line": [], "in_file": []},
    ]}))
    corpus_json = tmp_path / "corpus.json"
    first = _evaluate(corpus, "--triage", str(tmp_path / "none.yaml"), "--save-findings", str(corpus_json))
    corpus_findings = json.loads(corpus_json.read_text())["findings"]
    triage = tmp_path / "triage.yaml"
    triage.write_text(_triage(corpus_findings, lambda f: "tp").replace("changes: |", (
        "  - application: tiny\n    path: proj/tiny/jobs.py\n    line: 9\n    code: ABR102\n"
        "    verdict: fp\n    reason: \"smoke\"\nchanges: |")))
    doc = tmp_path / "evaluation.md"
    args = ["--triage", str(triage), "--findings", str(corpus_json), "--app-findings", str(apps_json),
            "--recall-results", str(recall_json), "--write", str(doc), "--check"]
    proc = _evaluate(corpus, *args)
    assert first.returncode == 0, first.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr  # 1 FP among 3 ABR102 findings
    assert "ABR102: precision 66.7% is under 95%" in proc.stdout
    text = doc.read_text()
    assert "## Applications" in text and "| tiny | [example/tiny]" in text and "Celery" in text
    assert "tiny `proj/tiny/jobs.py:9:12` | FP | smoke |" in text
    assert "## Recall on real history" in text and "Found **1 of 2**" in text
    assert "| ABR102 | 1 | 1 |" in text and "| ABR201 | 0 | 1 |" in text and "**missed**" in text
    assert "| ABR102 | unclosed-event-loop | 2 | 1 | 2 | 1 | 0 |" in text

    triage.write_text(triage.read_text().replace("verdict: fp", "verdict: tp"))
    assert _evaluate(corpus, *args).returncode == 0


@pytest.mark.parametrize("script", ["evaluate.py", "run.py", "applications.py", "recall.py", "engine_bench.py"])
def test_every_benchmark_script_prints_its_help(script: str) -> None:
    """argparse formats help lazily: a stray % in a help text only breaks ``--help``."""
    proc = _run(script, "--help")
    assert proc.returncode == 0 and "usage:" in proc.stdout, proc.stderr
