"""Evaluation on real code: every finding, with its triage verdict, and recall on real history.

    python benchmarks/evaluate.py --corpus ~/.cache/abr-corpus [--applications] [--recall]
                                  [--write docs/evaluation.md] [--check]

Runs ``flake8 --select=ABR --abr-enable=ABR106`` in each package folder of the
corpus (``--abr-project-root`` = that folder), collects every finding, merges the
verdicts of ``benchmarks/triage.yaml`` (keyed by package, package-relative path,
line and code) and writes docs/evaluation.md: the corpus manifest, per rule the
findings per package, each finding with its verdict and reason, the false-positive
share per rule and overall, untriaged findings listed loudly, and the "what changed
because of it" notes of triage.yaml.

``--applications`` also lints the real Django applications of applications.tsv
(applications.py; ``--app-findings`` reads a run it saved instead), and their findings
are triaged in the same file (``application:`` instead of ``package:``, path relative to
the repository root). ``--recall`` lints the bug-side commits of history.yaml
(recall.py; ``--recall-results`` reads a saved run) for the "Recall on real history"
section.

``--check`` exits 1 when a finding is untriaged or a rule is under 95% precision,
corpus and applications together. flake8 is the one of the interpreter running this script (``--flake8`` to change it);
it must have this plugin installed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import applications  # noqa: E402
import common  # noqa: E402
import recall  # noqa: E402

PRECISION_GOAL = 0.95
TRIAGE = Path(__file__).resolve().parent / "triage.yaml"
VERDICTS = ("tp", "fp")


Finding = common.Finding
log = common.log
flake8_command = common.flake8_command
check_plugin = common.check_plugin


def run_package(flake8: list[str], folder: Path, package: str, jobs: int) -> tuple[list[Finding], str]:
    return common.lint_folder(flake8, folder, package, jobs)


def collect(corpus: Path, flake8: list[str], jobs: int, only: list[str] | None) -> tuple[list[Finding], dict[str, str]]:
    findings: list[Finding] = []
    warnings: dict[str, str] = {}
    for pkg in common.read_manifest(corpus):
        if only and pkg.name not in only:
            continue
        log(f"  {pkg.name} {pkg.version} ({pkg.files} files) ...")
        found, stderr = run_package(flake8, corpus / pkg.folder, pkg.name, jobs)
        findings.extend(found)
        if stderr.strip():
            warnings[pkg.name] = stderr.strip()
    findings.sort(key=lambda f: (f.code, f.package, f.path, f.line, f.col))
    return findings, warnings


# -- triage -----------------------------------------------------------------------------

def load_triage(path: Path) -> tuple[dict[tuple, dict], str, list[str]]:
    """(verdicts by key, the "what changed" text, problems found in the file)."""
    import yaml

    if not path.is_file():
        return {}, "", [f"{path} does not exist"]
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems: list[str] = []
    verdicts: dict[tuple, dict] = {}
    for i, item in enumerate(data.get("findings") or []):
        try:
            owner = item["package"] if "package" in item else item["application"]
            key = (str(owner), str(item["path"]), int(item["line"]), str(item["code"]))
        except (KeyError, TypeError, ValueError):
            problems.append(f"entry {i + 1}: needs package (or application), path, line and code")
            continue
        verdict = str(item.get("verdict", "")).lower()
        if verdict not in VERDICTS:
            problems.append(f"{key}: verdict must be one of {VERDICTS}, got {item.get('verdict')!r}")
            continue
        if not str(item.get("reason", "")).strip():
            problems.append(f"{key}: a verdict needs a one-line reason")
        if key in verdicts:
            problems.append(f"{key}: triaged twice")
        verdicts[key] = {"verdict": verdict, "reason": " ".join(str(item.get("reason", "")).split())}
    return verdicts, str(data.get("changes") or "").strip(), problems


def triage_entries(findings: list[Finding], apps: set[str]) -> str:
    """YAML entries (verdict left empty) for findings, to paste into triage.yaml."""
    out = []
    for f in findings:
        out += [
            f"  - {'application' if f.package in apps else 'package'}: {f.package}",
            f"    path: {f.path}",
            f"    line: {f.line}",
            f"    code: {f.code}",
            "    verdict:   # tp or fp",
            "    reason: \"\"",
        ]
    return "\n".join(out)


# -- report -------------------------------------------------------------------------------

def summarise(findings: list[Finding], verdicts: dict[tuple, dict], codes: list[str]) -> dict:
    per_rule: dict[str, Counter] = {code: Counter() for code in codes}
    for f in findings:
        v = verdicts.get(f.key)
        per_rule.setdefault(f.code, Counter())[v["verdict"] if v else "untriaged"] += 1
    rows = {}
    for code, counts in sorted(per_rule.items()):
        judged = counts["tp"] + counts["fp"]
        rows[code] = {
            "findings": sum(counts.values()), "tp": counts["tp"], "fp": counts["fp"],
            "untriaged": counts["untriaged"],
            "precision": counts["tp"] / judged if judged else None,
        }
    total_tp = sum(r["tp"] for r in rows.values())
    total_fp = sum(r["fp"] for r in rows.values())
    judged = total_tp + total_fp
    return {
        "rules": rows,
        "tp": total_tp, "fp": total_fp,
        "untriaged": sum(r["untriaged"] for r in rows.values()),
        "fp_share": total_fp / judged if judged else None,
    }


#: what the plugin's one-line internal-error warnings contain (async_bridge.checks.base.InternalError)
PLUGIN_PREFIX = "flake8-async-bridge: "
INTERNAL_ERROR = ": internal error in "


def internal_errors(stderr: str) -> list[str]:
    """The plugin's internal-error warnings among a flake8 run's stderr lines."""
    return [line for line in stderr.splitlines() if line.startswith(PLUGIN_PREFIX) and INTERNAL_ERROR in line]


def failures(summary: dict, internal: list[str] | tuple[str, ...] = ()) -> list[str]:
    out = []
    if internal:
        out.append(f"{len(internal)} internal error(s) in the flake8 runs (each one is a bug)")
    if summary["untriaged"]:
        out.append(f"{summary['untriaged']} untriaged finding(s)")
    for code, row in summary["rules"].items():
        if row["precision"] is not None and row["precision"] < PRECISION_GOAL:
            out.append(f"{code}: precision {row['precision']:.1%} is under {PRECISION_GOAL:.0%}")
    return out


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _finding_table(findings: list[Finding], verdicts: dict, rule_names: dict[str, str], level: str,
                   label: str) -> list[str]:
    """Per rule: the findings, each with its verdict and reason."""
    out: list[str] = []
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[f.code].append(f)
    for code in sorted(grouped):
        items = grouped[code]
        counts = Counter(f.package for f in items)
        out += [
            f"{level} {code} {rule_names.get(code, '')}",
            "",
            f"Per {label}: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) + ".",
            "",
            "| where | verdict | reason |",
            "| --- | --- | --- |",
        ]
        for f in items:
            v = verdicts.get(f.key)
            verdict = v["verdict"].upper() if v else "**UNTRIAGED**"
            reason = _cell(v["reason"]) if v else _cell(f.message[:160])
            out.append(f"| {f.package} `{f.path}:{f.line}:{f.col}` | {verdict} | {reason} |")
        out.append("")
    return out


def _applications_section(apps: list[dict], app_findings: list[Finding], verdicts: dict,
                          rule_names: dict[str, str]) -> list[str]:
    by_app = Counter(f.package for f in app_findings)
    out = [
        "## Applications",
        "",
        "Real Django applications with async code, Channels, Celery or another task worker, pinned in "
        "`benchmarks/applications.tsv` and linted by `benchmarks/applications.py` (each pinned commit exported "
        "with `git archive`; the project root, where `manage.py` or the top package is, is the folder linted "
        "and `--abr-project-root`). Paths are relative to the repository root.",
        "",
        "| application | repository @ commit | root | files | lines | findings | async / worker features |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for app in apps:
        link = f"[{app['repo']}](https://github.com/{app['repo']}/tree/{app['commit']}) @ `{app['commit'][:12]}`"
        out.append(f"| {app['name']} | {link} | `{app['root']}` | {app['files']:,} | {app['lines']:,} "
                   f"| {by_app.get(app['name'], 0)} | {_cell(app['features'])} |")
    out += [
        f"| **total** | | | {sum(a['files'] for a in apps):,} | {sum(a['lines'] for a in apps):,} "
        f"| {len(app_findings)} | |",
        "",
    ]
    left_out = [(a["name"], path) for a in apps for path in a.get("missing", [])]
    if left_out:
        out += ["Left out (the fetched repository has no content for these files, 4 MiB and more): "
                + ", ".join(f"{name} `{path}`" for name, path in left_out) + ".", ""]
    unparsable = [(a["name"], path) for a in apps for path in a.get("unparsable", [])]
    if unparsable:
        out += [f"Not checked: {len(unparsable)} file(s) this Python ({platform.python_version()}) cannot parse "
                "(flake8 reports E999; newer syntax, Python 2, templates): "
                + ", ".join(f"{name} `{path}`" for name, path in unparsable) + ".", ""]
    out += _finding_table(app_findings, verdicts, rule_names, "###", "application")
    return out


def _recall_section(outcomes: list[dict]) -> list[str]:
    looked = Counter(o["code"] for o in outcomes)
    found = Counter(o["code"] for o in outcomes if o["found"])
    apps = sorted({o["app"] for o in outcomes})
    out = [
        "## Recall on real history",
        "",
        "Bugs the applications fixed, from their git history (`benchmarks/history.yaml`): each is pinned at its "
        "bug-side commit (the fix's parent), file, line and the rule that should report it. "
        "`benchmarks/recall.py` exports each bug-side commit, lints the project root as pinned in "
        "applications.tsv, and counts an entry found when that rule reports that line. "
        "Why the missed ones are missed: `benchmarks/notes/missed.md`.",
        "",
        f"Found **{sum(found.values())} of {len(outcomes)}** bugs in {len(apps)} applications.",
        "",
        "| rule | found | looked at |",
        "| --- | ---: | ---: |",
    ]
    for code in sorted(looked):
        out.append(f"| {code} | {found[code]} | {looked[code]} |")
    out += [
        "",
        "| rule | application | bug at (bug-side commit) | fix | shape | what | result |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for o in sorted(outcomes, key=lambda o: (o["code"], o["app"], o["path"], o["line"])):
        blob = f"https://github.com/{o['repo']}/blob/{o['bug_commit']}/{o['path']}#L{o['line']}"
        where = f"[`{o['path']}:{o['line']}`]({blob}) @ `{o['bug_commit'][:10]}`"
        fix = f"[`{o['fix_commit'][:10]}`](https://github.com/{o['repo']}/commit/{o['fix_commit']})"
        if o["found"]:
            result = "found"
        else:
            result = "**missed**"
            if o.get("unparsable"):
                result += f" (Python {platform.python_version()} cannot parse the file)"
            if o["at_line"]:
                result += f" (that line: {', '.join(o['at_line'])})"
        out.append(f"| {o['code']} | {o['app']} | {where} | {fix} | {_cell(o['shape'])} | {_cell(o['what'])} "
                   f"| {result} |")
    out.append("")
    return out


def render(corpus: Path, findings: list[Finding], verdicts: dict, changes: str, problems: list[str],
           meta: dict, rule_names: dict[str, str], apps: list[dict] | None = None,
           recall_outcomes: list[dict] | None = None, internal: list[str] | tuple[str, ...] = ()) -> str:
    packages = common.read_manifest(corpus)
    app_names = {a["name"] for a in apps or []}
    corpus_findings = [f for f in findings if f.package not in app_names]
    app_findings = [f for f in findings if f.package in app_names]
    summary = summarise(findings, verdicts, sorted(rule_names))
    per_rule_corpus = Counter(f.code for f in corpus_findings)
    per_rule_apps = Counter(f.code for f in app_findings)
    by_pkg = Counter(f.package for f in corpus_findings)
    untriaged = [f for f in findings if f.key not in verdicts]
    current = {f.key for f in findings}
    linted = {p.name for p in packages} | app_names
    stale = sorted(k for k in verdicts if k not in current and k[0] in linted)
    command = "python benchmarks/evaluate.py --corpus ~/.cache/abr-corpus"
    if apps is not None:
        command += " --applications"
    if recall_outcomes is not None:
        command += " --recall"
    out = [
        "# Evaluation on real code",
        "",
        "Generated by `benchmarks/evaluate.py` from the findings of this build and the verdicts in "
        "`benchmarks/triage.yaml`; do not edit by hand. Regenerate with `benchmarks/regenerate.sh` or:",
        "",
        f"    {command} --write docs/evaluation.md",
        "",
        f"Run {meta['date']} with {meta['flake8']}. Each package folder (and each application's project root) "
        "is linted on its own, `flake8 --select=ABR --abr-enable=ABR106 --abr-project-root=.` "
        "(every rule, the opt-in ABR106 too).",
        "",
    ]
    if untriaged:
        out += [
            f"> **WARNING: {len(untriaged)} finding(s) are not triaged.** Add a verdict for each to "
            "`benchmarks/triage.yaml` (they are listed under \"Untriaged findings\"); "
            "`evaluate.py --check` fails until then.",
            "",
        ]
    for problem in problems:
        out.append(f"> **triage.yaml: {problem}**")
    if problems:
        out.append("")
    fails = failures(summary, internal)
    scope = "the corpus and the applications" if apps is not None else "the corpus"
    out += [
        "## Result",
        "",
        f"- Findings on {scope}: {len(findings)} ({summary['tp']} true positives, {summary['fp']} false positives, "
        f"{summary['untriaged']} untriaged).",
        f"- False-positive share over triaged findings: **{_pct(summary['fp_share'])}** "
        f"(goal: under {1 - PRECISION_GOAL:.0%} per rule and overall).",
        f"- Internal errors in the flake8 runs: {len(internal)}"
        + ("".join(f"\n  - `{_cell(line)}`" for line in internal) if internal else "."),
        f"- Check: {'**failing**: ' + '; '.join(fails) if fails else 'passing'}.",
    ]
    if recall_outcomes is not None:
        found = sum(1 for o in recall_outcomes if o["found"])
        out.append(f"- Recall on real history: {found} of {len(recall_outcomes)} fixed bugs reported at their line "
                   "(see \"Recall on real history\").")
    out += [
        "",
        "## Per rule",
        "",
        "Corpus and applications together.",
        "",
        "| rule | name | corpus | applications | true | false | untriaged | precision | FP share |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for code, row in summary["rules"].items():
        fp_share = None if row["precision"] is None else 1 - row["precision"]
        out.append(
            f"| {code} | {rule_names.get(code, '')} | {per_rule_corpus.get(code, 0)} | {per_rule_apps.get(code, 0)} "
            f"| {row['tp']} | {row['fp']} | {row['untriaged']} | {_pct(row['precision'])} | {_pct(fp_share)} |"
        )
    out += [
        "",
        "## Corpus",
        "",
        "Pinned releases from `shared/corpus/pins.tsv` (sdists, so the packages' own test suites are included).",
        "",
        "| package | version | files | lines | findings |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for pkg in packages:
        out.append(f"| {pkg.name} | {pkg.version} | {pkg.files:,} | {pkg.lines:,} | {by_pkg.get(pkg.name, 0)} |")
    out += [
        f"| **total** | | {sum(p.files for p in packages):,} | {sum(p.lines for p in packages):,} "
        f"| {len(corpus_findings)} |",
        "",
    ]
    out += _finding_table(corpus_findings, verdicts, rule_names, "###", "package")
    if apps is not None:
        out += _applications_section(apps, app_findings, verdicts, rule_names)
    if recall_outcomes is not None:
        out += _recall_section(recall_outcomes)
    if untriaged:
        out += [
            "## Untriaged findings",
            "",
            "Each needs an entry in `benchmarks/triage.yaml`:",
            "",
            "```yaml",
            triage_entries(untriaged, app_names),
            "```",
            "",
        ]
    if stale:
        out += [
            "## Verdicts for findings no longer reported",
            "",
            "Kept in triage.yaml as history (a rule fix removed them, or lines moved):",
            "",
        ]
        for key in stale:
            v = verdicts[key]
            out.append(f"- {key[3]} {key[0]} `{key[1]}:{key[2]}`: {v['verdict'].upper()}, {v['reason']}")
        out.append("")
    out += [
        "## What changed because of it",
        "",
        changes or "_Nothing recorded yet (the `changes` text of benchmarks/triage.yaml)._",
        "",
    ]
    return "\n".join(out)


def rule_names() -> dict[str, str]:
    common.ensure_importable()
    from async_bridge.knowledge import builtin

    return {code: getattr(rule, "name", "") for code, rule in builtin().rules.items()}


def load_applications(args: argparse.Namespace, flake8: list[str] | None) -> tuple[list[dict], list[Finding]] | None:
    """The applications linted and their findings: saved by applications.py, or run here."""
    if args.app_findings:
        data = json.loads(args.app_findings.read_text())
        return data["applications"], [Finding(**item) for item in data["findings"]]
    if not args.applications:
        return None
    assert flake8 is not None
    log("linting the applications of applications.tsv")
    runs = applications.collect(applications.read_pins(args.pins), args.mirror.expanduser(),
                                args.workdir.expanduser(), flake8, args.jobs)
    data = applications.dump(runs, "")
    return data["applications"], [f for run in runs for f in run.findings]


def load_recall(args: argparse.Namespace, flake8: list[str] | None) -> list[dict] | None:
    if args.recall_results:
        return list(json.loads(args.recall_results.read_text())["outcomes"])
    if not args.recall:
        return None
    assert flake8 is not None
    log("linting the bug-side commits of history.yaml")
    apps = {a.name: a for a in applications.read_pins(args.pins)}
    outcomes = recall.evaluate(recall.load_history(args.history), apps, args.mirror.expanduser(),
                               args.workdir.expanduser(), flake8, args.jobs)
    return list(recall.dump(outcomes, "")["outcomes"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate flake8-async-bridge on the corpus and real applications.")
    parser.add_argument("--corpus", type=Path, default=common.DEFAULT_CORPUS)
    parser.add_argument("--triage", type=Path, default=TRIAGE)
    parser.add_argument("--write", type=Path, help="write the Markdown report here (e.g. docs/evaluation.md)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 if a finding is untriaged or a rule is under {PRECISION_GOAL * 100:.0f}%% precision")
    parser.add_argument("--flake8", help="flake8 command (default: this interpreter's `-m flake8`)")
    parser.add_argument("--jobs", type=int, default=1, help="flake8 -j per package (default 1)")
    parser.add_argument("--package", action="append", help="only these packages (by name)")
    parser.add_argument("--save-findings", type=Path, help="dump the corpus findings as JSON")
    parser.add_argument("--findings", type=Path, help="use findings dumped by --save-findings instead of running flake8")
    apps_group = parser.add_argument_group("applications and recall")
    apps_group.add_argument("--applications", action="store_true", help="also lint the applications of applications.tsv")
    apps_group.add_argument("--app-findings", type=Path, help="use a run saved by applications.py --save-findings")
    apps_group.add_argument("--recall", action="store_true", help="also lint the bug-side commits of history.yaml")
    apps_group.add_argument("--recall-results", type=Path, help="use a run saved by recall.py --save")
    apps_group.add_argument("--pins", type=Path, default=applications.PINS)
    apps_group.add_argument("--history", type=Path, default=recall.HISTORY)
    apps_group.add_argument("--mirror", type=Path, default=applications.DEFAULT_MIRROR,
                            help="folder of fetched bare repositories (else cloned from GitHub)")
    apps_group.add_argument("--workdir", type=Path, default=applications.DEFAULT_WORKDIR,
                            help="where application commits are exported")
    args = parser.parse_args(argv)
    corpus = args.corpus.expanduser().resolve()
    meta = common.machine_info()
    flake8: list[str] | None = None
    if args.findings:
        data = json.loads(args.findings.read_text())
        findings = [Finding(**item) for item in data["findings"]]
        meta["flake8"] = data.get("flake8", "flake8")
        internal = list(data.get("internal_errors", []))
    else:
        flake8 = flake8_command(args.flake8)
        meta["flake8"] = check_plugin(flake8)
        log(f"linting {corpus} with {meta['flake8']}")
        findings, warnings = collect(corpus, flake8, args.jobs, args.package)
        internal = [f"{name}: {line}" for name, text in warnings.items() for line in internal_errors(text)]
        for name, text in warnings.items():
            log(f"stderr from {name}:\n{text[:2000]}")
    if args.save_findings:
        args.save_findings.write_text(json.dumps(
            {"flake8": meta["flake8"], "findings": [asdict(f) for f in findings], "internal_errors": internal},
            indent=1))
    if (args.applications or args.recall) and flake8 is None:
        flake8 = flake8_command(args.flake8)
        check_plugin(flake8)
    loaded = load_applications(args, flake8)
    apps: list[dict] | None = None
    if loaded is not None:
        apps, app_findings = loaded
        clash = {a["name"] for a in apps} & {f.package for f in findings}
        clash |= {a["name"] for a in apps} & {p.name for p in common.read_manifest(corpus)}
        if clash:
            raise SystemExit(f"application name(s) also name a corpus package: {', '.join(sorted(clash))}")
        findings = findings + sorted(app_findings, key=lambda f: (f.code, f.package, f.path, f.line, f.col))
    recall_outcomes = load_recall(args, flake8)
    verdicts, changes, problems = load_triage(args.triage)
    names = rule_names()
    summary = summarise(findings, verdicts, sorted(names))
    for code, row in summary["rules"].items():
        if row["findings"]:
            print(f"{code}: {row['findings']} findings, {row['tp']} tp, {row['fp']} fp, "
                  f"{row['untriaged']} untriaged, precision {_pct(row['precision'])}")
    print(f"total: {len(findings)} findings, FP share {_pct(summary['fp_share'])}, {summary['untriaged']} untriaged, "
          f"{len(internal)} internal error(s)")
    for line in internal:
        print(f"internal error: {line}")
    if recall_outcomes is not None:
        for code, (found, looked) in recall.per_rule_counts(recall_outcomes).items():
            print(f"recall {code}: {found}/{looked}")
    for problem in problems:
        print(f"triage.yaml: {problem}")
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(render(corpus, findings, verdicts, changes, problems, meta, names, apps, recall_outcomes,
                                     internal), encoding="utf-8")
        log(f"wrote {args.write}")
    if args.check:
        fails = failures(summary, internal) + [f"triage.yaml: {p}" for p in problems]
        for item in fails:
            print(f"check failed: {item}")
        untriaged = [f for f in findings if f.key not in verdicts]
        for f in untriaged[:50]:
            print(f"untriaged: {f.code} {f.package} {f.path}:{f.line}:{f.col} {f.message[:100]}")
        return 1 if fails else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
