"""Lint (and optionally fix) many files, in a process pool; one result per file.

Each worker gets the resolved ``Settings`` once (its initializer), never re-reads
the configuration, and keeps its own project index, as flake8's ``-j`` workers do.
Everything sent across is plain picklable data, so the pool works under the
``fork``, ``forkserver`` and ``spawn`` start methods alike. A file that cannot be
read, decoded or parsed is one line in its result; the other files go on.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .checks.base import Finding
from .config import Settings
from .engine import check_source
from .gc_tuning import tune_collector
from .sources import SourceError, decode_source, read_source


@dataclass(frozen=True)
class Job:
    """What every file gets: the settings, the selected codes and what to do with fixes."""

    settings: Settings
    codes: frozenset[str]  # reported codes (--select / --ignore applied)
    fix_codes: frozenset[str] = frozenset()  # codes to fix (empty: no fixing)
    write: bool = False  # write fixed files (--fix), else only compute the fix (--diff)


@dataclass
class FileResult:
    path: str  # as discovered (or the --stdin-filename)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # one line: why the file was not (fully) checked
    source: str | None = None  # set when a fix changed the text
    fixed: str | None = None
    encoding: str = "utf-8"  # of the file (a fixed text is written back in it)
    applied: dict[str, int] = field(default_factory=dict)  # code -> fixes applied

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.source


def _lint(text: str, filename: str, job: Job) -> list[Finding]:
    return [f for f in check_source(text, filename, job.settings) if f.code in job.codes]


def _parse_problem(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        return f"syntax error, line {exc.lineno}: {exc.msg}"
    if isinstance(exc, SyntaxError):  # null bytes (3.11 and earlier say so with a SyntaxError)
        return f"cannot parse: {exc.msg}"
    if isinstance(exc, (RecursionError, MemoryError)):
        return "too deeply nested to parse"
    return f"cannot parse: {exc}"


def check_text(text: str, filename: str, job: Job, encoding: str = "utf-8") -> FileResult:
    """Lint (and fix, when the job says so) one file's text."""
    result = FileResult(filename, encoding=encoding)
    try:
        findings = _lint(text, filename, job)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        result.error = _parse_problem(exc)
        return result
    except Exception as exc:  # an engine bug must not stop the run nor hide other files
        if os.environ.get("ABR_DEBUG"):
            raise
        result.error = f"internal error, file skipped ({type(exc).__name__}: {exc})"
        return result
    result.findings = findings
    if job.fix_codes and any(f.code in job.fix_codes for f in findings):
        _fix(text, filename, job, encoding, result)
    return result


def _fix(text: str, filename: str, job: Job, encoding: str, result: FileResult) -> None:
    from .fixes.driver import FixError, fix_source  # libcst: only when fixing
    from .fixes.writing import WriteRefused, replace_file, write_blocker

    try:
        fixed = fix_source(text, filename, job.settings, sorted(job.fix_codes))
    except FixError as exc:
        result.error = f"not fixed: {exc}"
        return
    except Exception as exc:  # a fixer bug leaves the file as it was
        if os.environ.get("ABR_DEBUG"):
            raise
        result.error = f"not fixed: internal error ({type(exc).__name__}: {exc})"
        return
    if not fixed.changed:
        return
    result.source, result.fixed, result.applied = text, fixed.fixed, dict(fixed.applied)
    if job.write and filename != "-":
        reason = write_blocker(Path(filename), Path(job.settings.project_root or os.curdir))
        try:
            if reason is not None:
                raise WriteRefused(reason)
            replace_file(Path(filename), fixed.fixed.encode(encoding))
        except (WriteRefused, OSError) as exc:
            why = str(exc) if isinstance(exc, WriteRefused) else f"cannot write: {exc.strerror or exc}"
            result.error = f"not fixed: {why}"
            result.source = result.fixed = None
            result.applied = {}
            return
    try:
        result.findings = _lint(fixed.fixed, filename, job)
    except Exception as exc:  # the fixer checked that the new text parses
        if os.environ.get("ABR_DEBUG"):
            raise
        result.error = f"internal error after fixing ({type(exc).__name__}: {exc})"


def check_path(path: str, job: Job) -> FileResult:
    try:
        text, encoding = read_source(Path(path))
    except SourceError as exc:
        return FileResult(path, error=str(exc))
    return check_text(text, path, job, encoding)


def check_bytes(data: bytes, filename: str, job: Job) -> FileResult:
    """Standard input: lint the bytes under ``filename``; never writes."""
    try:
        text, encoding = decode_source(data)
    except SourceError as exc:
        return FileResult(filename, error=str(exc))
    return check_text(text, filename, Job(job.settings, job.codes, job.fix_codes, write=False), encoding)


# the pool ---------------------------------------------------------------------------
_job: Job | None = None


def _init_worker(job: Job) -> None:
    global _job
    _job = job
    tune_collector()


def _check_in_worker(path: str) -> FileResult:
    assert _job is not None, "worker not initialised"
    return check_path(path, _job)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def check_paths(
    paths: Iterable[str],
    job: Job,
    jobs: int | None = None,
    context: multiprocessing.context.BaseContext | None = None,
) -> list[FileResult]:
    """One result per path, in the order given; ``jobs`` processes (default: the cores).

    ``context``: the multiprocessing context (default: the platform's start method).
    Raises ``BrokenProcessPool`` when a worker dies (killed, out of memory).
    """
    paths = list(paths)
    tune_collector()
    jobs = default_jobs() if jobs is None else jobs
    workers = max(1, min(jobs, len(paths)))
    if workers == 1:
        return [check_path(path, job) for path in paths]
    chunk = max(1, min(16, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(workers, mp_context=context or multiprocessing.get_context(),
                             initializer=_init_worker, initargs=(job,)) as pool:
        return list(pool.map(_check_in_worker, paths, chunksize=chunk))


__all__ = ["BrokenProcessPool", "FileResult", "Job", "check_bytes", "check_path", "check_paths", "check_text",
           "default_jobs"]
