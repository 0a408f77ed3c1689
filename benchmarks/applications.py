"""Lint the real Django applications pinned in benchmarks/applications.tsv.

    python benchmarks/applications.py [--mirror /work/.mirror] [--workdir ~/.cache/abr-apps]
                                      [--app NAME ...] [--save-findings apps.json]

For each application: find its git repository (a bare copy under ``--mirror``, as
``<owner>+<name>/repo`` or ``<owner>+<name>``, else a bare clone from GitHub into the
work dir), export the pinned commit with ``git archive`` into the work dir, and run
``flake8 --select=ABR --abr-enable=ABR106 --abr-project-root=.`` in the application's
project root, as evaluate.py does for each corpus package. Finding paths are relative
to the repository root. ``evaluate.py --applications`` folds the result into
docs/evaluation.md; the verdicts live in triage.yaml like the corpus ones.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

PINS = Path(__file__).resolve().parent / "applications.tsv"
DEFAULT_MIRROR = Path("/work/.mirror")
DEFAULT_WORKDIR = common.CACHE_DIR.parent / "abr-apps"
EXPORT_MARK = ".abr-export"


@dataclass(frozen=True)
class Application:
    name: str
    repo: str  # GitHub owner/name
    commit: str
    root: str  # the project root inside the repository ("." for the top)
    features: str

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}"


def read_pins(path: Path = PINS) -> list[Application]:
    """Applications of a pins file: tab-separated, '#' comments, a ``name`` header row."""
    apps: list[Application] = []
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not row.strip() or row.startswith("#") or row.startswith("name\t"):
            continue
        parts = row.split("\t")
        if len(parts) != 5 or not all(p.strip() for p in parts[:4]):
            raise SystemExit(f"{path}:{number}: needs 5 tab-separated fields (name, repo, commit, root, features)")
        name, repo, commit, root, features = (p.strip() for p in parts)
        if "/" not in repo or len(commit) != 40:
            raise SystemExit(f"{path}:{number}: repo must be owner/name and commit 40 hex digits")
        apps.append(Application(name, repo, commit, root.strip("/") or ".", features))
    names = [a.name for a in apps]
    if len(names) != len(set(names)):
        raise SystemExit(f"{path}: an application name is used twice")
    return apps


def _git(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def has_commit(gitdir: Path, commit: str) -> bool:
    return _git(["--git-dir", str(gitdir), "cat-file", "-e", f"{commit}^{{commit}}"]).returncode == 0


def find_repository(app: Application, mirror: Path | None, workdir: Path, commit: str | None = None) -> Path:
    """The git directory holding ``commit`` (default: the pinned one) of the application:
    the mirror's, or a bare clone from GitHub made in the work dir."""
    commit = commit or app.commit
    folder = app.repo.replace("/", "+")
    if mirror is not None:
        for candidate in (mirror / folder / "repo", mirror / folder):
            if candidate.is_dir() and has_commit(candidate, commit):
                return candidate
    clone = workdir / "git" / f"{folder}.git"
    if not clone.is_dir():
        common.log(f"  cloning {app.url} ...")
        proc = _git(["clone", "--quiet", "--bare", f"{app.url}.git", str(clone)])
        if proc.returncode:
            raise SystemExit(f"{app.name}: cannot clone {app.url}: {proc.stderr.strip()[-500:]}")
    if not has_commit(clone, commit):
        _git(["--git-dir", str(clone), "fetch", "--quiet", "origin", commit])
    if not has_commit(clone, commit):
        raise SystemExit(f"{app.name}: commit {commit} is not in {app.url}")
    return clone


def python_blobs(gitdir: Path, commit: str, root: str) -> tuple[list[str], list[str]]:
    """(.py paths under ``root`` at ``commit`` whose content is here, those whose content is not).

    Fetched snapshots leave out files of 4 MiB and more, so a blob can be missing.
    """
    where = [] if root == "." else ["--", root]
    listing = _git(["--git-dir", str(gitdir), "ls-tree", "-r", "-z", commit, *where])
    if listing.returncode:
        raise SystemExit(f"cannot list {commit} of {gitdir}: {listing.stderr.strip()[-500:]}")
    blobs: dict[str, str] = {}
    for entry in listing.stdout.split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob" and path.endswith(".py"):
            blobs[path] = fields[2]
    check = subprocess.run(["git", "--git-dir", str(gitdir), "cat-file", "--batch-check"],
                           input="\n".join(blobs.values()) + "\n", stdout=subprocess.PIPE, text=True)
    missing_shas = {line.split()[0] for line in check.stdout.splitlines() if line.endswith(" missing")}
    present = sorted(p for p, sha in blobs.items() if sha not in missing_shas)
    missing = sorted(p for p, sha in blobs.items() if sha in missing_shas)
    return present, missing


def export(gitdir: Path, commit: str, root: str, dest: Path) -> tuple[Path, list[str]]:
    """``dest`` holding the Python files of ``root`` at ``commit`` (``git archive``), and the
    paths left out because the repository lacks their content. Kept when already exported."""
    mark = dest / EXPORT_MARK
    if mark.is_file():
        lines = mark.read_text().splitlines()
        if lines and lines[0] == commit:
            return dest, lines[1:]
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    present, missing = python_blobs(gitdir, commit, root)
    if present:
        archive = subprocess.Popen(["git", "--git-dir", str(gitdir), "archive", "--format=tar", commit, "--", *present],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        untar = subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, stderr=subprocess.PIPE)
        assert archive.stdout is not None and archive.stderr is not None
        archive.stdout.close()
        err = archive.stderr.read().decode("utf-8", "replace")
        if archive.wait() or untar.returncode:
            raise SystemExit(f"cannot export {commit} of {gitdir}: {err.strip()[-500:]}"
                             f"{untar.stderr.decode('utf-8', 'replace').strip()[-500:]}")
    mark.write_text("\n".join([commit, *missing]) + "\n")
    return dest, missing


@dataclass
class AppRun:
    app: Application
    files: int
    lines: int
    findings: list[common.Finding]
    stderr: str
    missing: list[str]  # .py files the repository has no content for (left out)
    unparsable: list[str]  # .py files this interpreter cannot parse (flake8 checks nothing in them)


def lint_commit(app: Application, commit: str, gitdir: Path, workdir: Path, flake8: list[str],
                jobs: int) -> AppRun:
    """Export ``commit`` of the application and lint its project root."""
    tree, missing = export(gitdir, commit, app.root, workdir / "trees" / f"{app.name}-{commit[:12]}")
    root = tree / app.root
    if not root.is_dir():
        raise SystemExit(f"{app.name}: project root {app.root!r} has no Python file at {commit[:12]}")
    files = common.python_files(root)
    findings, stderr = common.lint_folder(flake8, root, app.name, jobs, prefix=app.root)
    unparsable = [f.relative_to(tree).as_posix() for f in files if not common.parses(f)]
    return AppRun(app, len(files), sum(common.count_lines(f) for f in files), findings, stderr, missing, unparsable)


def collect(apps: list[Application], mirror: Path | None, workdir: Path, flake8: list[str],
            jobs: int) -> list[AppRun]:
    runs = []
    for app in apps:
        common.log(f"  {app.name} ({app.repo} @ {app.commit[:12]}, root {app.root}) ...")
        gitdir = find_repository(app, mirror, workdir)
        runs.append(lint_commit(app, app.commit, gitdir, workdir, flake8, jobs))
    return runs


def dump(runs: list[AppRun], flake8: str) -> dict:
    return {
        "flake8": flake8,
        "applications": [
            {**asdict(run.app), "files": run.files, "lines": run.lines, "missing": run.missing,
             "unparsable": run.unparsable} for run in runs
        ],
        "findings": [asdict(f) for run in runs for f in run.findings],
    }


def select(apps: list[Application], names: list[str] | None) -> list[Application]:
    if not names:
        return apps
    unknown = set(names) - {a.name for a in apps}
    if unknown:
        raise SystemExit(f"unknown application(s): {', '.join(sorted(unknown))}")
    return [a for a in apps if a.name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lint the pinned real Django applications.")
    parser.add_argument("--pins", type=Path, default=PINS)
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR,
                        help="folder of fetched bare repositories (<owner>+<name>[/repo]); clones from GitHub otherwise")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="where commits are exported")
    parser.add_argument("--app", action="append", help="only these applications (by name)")
    parser.add_argument("--flake8", help="flake8 command (default: this interpreter's `-m flake8`)")
    parser.add_argument("--jobs", type=int, default=1, help="flake8 -j per application (default 1)")
    parser.add_argument("--save-findings", type=Path, help="write the applications and findings as JSON")
    args = parser.parse_args(argv)
    flake8 = common.flake8_command(args.flake8)
    version = common.check_plugin(flake8)
    apps = select(read_pins(args.pins), args.app)
    runs = collect(apps, args.mirror.expanduser(), args.workdir.expanduser(), flake8, args.jobs)
    for run in runs:
        if run.missing:
            common.log(f"{run.app.name}: left out (no content in the repository): {', '.join(run.missing)}")
        if run.stderr.strip():
            common.log(f"stderr from {run.app.name}:\n{run.stderr.strip()[:2000]}")
        for f in run.findings:
            print(f"{f.package}\t{f.path}:{f.line}:{f.col}\t{f.code}\t{f.message}")
    print(f"{sum(len(r.findings) for r in runs)} findings in {len(runs)} applications", file=sys.stderr)
    if args.save_findings:
        args.save_findings.write_text(json.dumps(dump(runs, version), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
