"""Check one parsed module: analysis once, then every enabled check over its nodes."""

from __future__ import annotations

import ast
from typing import Any

from typing import TYPE_CHECKING

from .checks import Check, Finding, load_all
from .checks.base import Related, debugging, run_checks
from .config import Settings
from .analysis.relevance import Anchors, words_of
from .index.recording import Recorder, RecordingProject
from .records.fix_hints import hint_from_data, hint_to_data
from .sources import reported
from .warm_path import findings_key

if TYPE_CHECKING:
    from .analysis.module import ModuleAnalysis


def enabled_checks(settings: Settings) -> list[type[Check]]:
    found = _ENABLED.get(settings)
    if found is None:
        if len(_ENABLED) > 16:
            _ENABLED.clear()
        found = _ENABLED[settings] = [cls for cls in load_all() if any(settings.enabled(code) for code in cls.codes)]
    return found


_ENABLED: dict[Settings, list[type[Check]]] = {}  # per settings (frozen, hashable): computed once


def relevant_checks(settings: Settings, text: str | None) -> list[type[Check]]:
    """The enabled checks that can find something in a module of this text (all of them
    when the text is not known): see analysis/relevance.py."""
    classes = enabled_checks(settings)
    if text is None:
        return classes
    try:
        anchors = _anchors(settings)
    except Exception:
        if debugging():
            raise
        return classes  # the project's names cannot be had: every check runs (and reports the problem)
    words = words_of(text, anchors.ascii_only)
    return [cls for cls in classes if (need := cls.anchors(anchors)) is None or not need.isdisjoint(words)]


def _anchors(settings: Settings) -> Anchors:
    """The anchor words under the settings' knowledge and the project's current text scan."""
    gate = settings.index.source_names()
    key = (id(settings.knowledge), id(gate))
    found = _ANCHORS.get(key)
    if found is None or found.gate is not gate or found.k is not settings.knowledge:
        if len(_ANCHORS) > 16:
            _ANCHORS.clear()
        found = _ANCHORS[key] = Anchors(settings.knowledge, gate, settings.index.has_module)
    return found


_ANCHORS: dict[tuple[int, int], Anchors] = {}  # per knowledge and project scan


def analyse(tree: ast.AST, filename: str, settings: Settings,
            project: RecordingProject | None = None,
            classes: list[type[Check]] | None = None) -> tuple["ModuleAnalysis", list[Check]]:
    """The module's analysis and its checks (``classes``, by default every enabled one);
    ``project`` records the questions they ask."""
    from .analysis.module import ModuleAnalysis  # not needed when the findings come from the cache

    if classes is None:
        classes = enabled_checks(settings)
    wanted = {kind for cls in classes for kind in cls.nodes}
    index = settings.index
    analysis = ModuleAnalysis(tree, filename, settings.knowledge, project or index.recording(), wanted)
    index.register(analysis)
    return analysis, [cls(analysis, settings) for cls in classes]


def check_tree(tree: ast.AST, filename: str, settings: Settings, text: str | None = None) -> list[Finding]:
    """The findings of one parsed module. With its ``text``, only the checks anchored in
    it run (none: no analysis at all), and the findings come from the cache when the
    file, the settings, the checks run and every answer they got are the same. Every
    record written (an empty one when no check is anchored) is one ``warm_path`` can use."""
    classes = relevant_checks(settings, text)
    index = settings.index
    # a check left out asked nothing, so its record could not notice the project's new
    # names anchoring it: a record is used only by the same checks
    ran = None if len(classes) == len(enabled_checks(settings)) else [code for cls in classes for code in cls.codes]
    record = index.findings_record(filename, text, findings_key(settings), ran) if text is not None else None
    if not classes:
        if record is not None and (record.findings != [] or record.generation != index.files.generation):
            # nothing to check, remembered: the next lint of this text comes from the warm path
            index.save_findings(record, [], Recorder())
        return []
    if record is not None and index.findings_hold(record, deep=False):
        cached = _cached(record.findings)
        if cached is not None:
            return cached
    project = index.recording()
    analysis, checks = analyse(tree, filename, settings, project, classes)
    try:
        if record is not None and index.findings_hold(record, deep=True):
            cached = _cached(record.findings)
            if cached is not None:
                return cached
        findings = sorted({f for f in run_checks(checks, analysis) if settings.enabled(f.code)},
                          key=Finding.sort_key)
    finally:
        index.release(analysis)
    if record is not None:
        index.save_findings(record, findings_to_data(findings), project.recorder)
    return findings


def findings_to_data(findings: list[Finding]) -> list[list[Any]]:
    return [[f.line, f.col, f.code, f.message, f.end_line, f.end_col, hint_to_data(f.fix),
             [[r.path, r.line, r.col, r.note] for r in f.related]] for f in findings]


def _cached(data: Any) -> list[Finding] | None:
    """Findings from a cache record (None when it is not a list of findings)."""
    try:
        return [
            Finding(int(line), int(col), str(code), str(message), end_line, end_col, hint_from_data(fix),
                    tuple(Related(str(p), int(a), int(b), str(n)) for p, a, b, n in related))
            for line, col, code, message, end_line, end_col, fix, related in data
        ]
    except (TypeError, ValueError):
        return None


def check_source(text: str, filename: str, settings: Settings, respect_noqa: bool = True) -> list[Finding]:
    """Parse and check ``text`` (for entry points other than flake8, which parses and
    applies ``# noqa`` itself: ``respect_noqa`` applies it as flake8 does, file-level
    ``# flake8: noqa`` included). Raises SyntaxError / ValueError as ``ast.parse`` does."""
    tree = ast.parse(text, filename=filename)
    findings = check_tree(tree, filename, settings, text)
    return reported(findings, text) if respect_noqa else findings
