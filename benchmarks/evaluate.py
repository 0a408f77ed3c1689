"""Evaluation on the real-world corpus: every finding, with its triage verdict.

    python benchmarks/evaluate.py --corpus ~/.cache/abr-corpus [--write docs/evaluation.md] [--check]

Runs ``flake8 --select=ABR --abr-enable=ABR106`` in each package folder of the
corpus (``--abr-project-root`` = that folder), collects every finding, merges the
verdicts of ``benchmarks/triage.yaml`` (keyed by package, package-relative path,
line and code) and writes docs/evaluation.md: the corpus manifest, per rule the
findings per package, each finding with its verdict and reason, the false-positive
share per rule and overall, untriaged findings listed loudly, and the "what changed
because of it" notes of triage.yaml.

``--check`` exits 1 when a finding is untriaged or a rule is under 95% precision.
flake8 is the one of the interpreter running this script (``--flake8`` to change it);
it must have this plugin installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

PRECISION_GOAL = 0.95
TRIAGE = Path(__file__).resolve().parent / "triage.yaml"
APPLICATIONS = Path(__file__).resolve().parent / "applications.md"
FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"
VERDICTS = ("tp", "fp")


@dataclass(frozen=True)
class Finding:
    package: str
    path: str  # relative to the package folder, with /
    line: int
    col: int
    code: str
    message: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.package, self.path, self.line, self.code)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def flake8_command(spec: str | None) -> list[str]:
    return shlex.split(spec) if spec else [sys.executable, "-m", "flake8"]


def check_plugin(flake8: list[str]) -> str:
    out = subprocess.run([*flake8, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if "flake8-async-bridge" not in out.stdout:
        raise SystemExit(f"{' '.join(flake8)} does not load flake8-async-bridge:\n{out.stdout}")
    return "flake8 " + " ".join(out.stdout.split())


def run_package(flake8: list[str], folder: Path, package: str, jobs: int) -> tuple[list[Finding], str]:
    # --abr-no-cache: findings never depend on the cache, and the corpus folders stay as fetched
    cmd = [*flake8, "--isolated", f"-j{jobs}", "--select=ABR", "--abr-enable=ABR106", "--abr-no-cache",
           "--abr-project-root", ".", f"--format={FORMAT}", "."]
    proc = subprocess.run(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"flake8 failed in {folder} (rc {proc.returncode}):\n{proc.stderr[-3000:]}")
    findings = []
    for row in proc.stdout.splitlines():
        parts = row.split("\t", 4)
        if len(parts) != 5:
            continue
        path, line, col, code, text = parts
        path = os.path.normpath(path).replace(os.sep, "/")
        findings.append(Finding(package, path, int(line), int(col), code, text))
    return findings, proc.stderr


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
            key = (str(item["package"]), str(item["path"]), int(item["line"]), str(item["code"]))
        except (KeyError, TypeError, ValueError):
            problems.append(f"entry {i + 1}: needs package, path, line and code")
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


def triage_entries(findings: list[Finding]) -> str:
    """YAML entries (verdict left empty) for findings, to paste into triage.yaml."""
    out = []
    for f in findings:
        out += [
            f"  - package: {f.package}",
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


def failures(summary: dict) -> list[str]:
    out = []
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


def render(corpus: Path, findings: list[Finding], verdicts: dict, changes: str, problems: list[str],
           meta: dict, rule_names: dict[str, str]) -> str:
    packages = common.read_manifest(corpus)
    summary = summarise(findings, verdicts, sorted(rule_names))
    by_pkg = Counter(f.package for f in findings)
    untriaged = [f for f in findings if f.key not in verdicts]
    current = {f.key for f in findings}
    stale = sorted(k for k in verdicts if k not in current)
    out = [
        "# Evaluation on real code",
        "",
        "Generated by `benchmarks/evaluate.py` from the findings of this build and the verdicts in "
        "`benchmarks/triage.yaml`; do not edit by hand. Regenerate with `benchmarks/regenerate.sh` or:",
        "",
        "    python benchmarks/evaluate.py --corpus ~/.cache/abr-corpus --write docs/evaluation.md",
        "",
        f"Run {meta['date']} with {meta['flake8']}. Each package folder is linted on its own, "
        "`flake8 --select=ABR --abr-enable=ABR106 --abr-project-root=.` (every rule, the opt-in ABR106 too).",
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
    fails = failures(summary)
    out += [
        "## Result",
        "",
        f"- Findings: {len(findings)} ({summary['tp']} true positives, {summary['fp']} false positives, "
        f"{summary['untriaged']} untriaged).",
        f"- False-positive share over triaged findings: **{_pct(summary['fp_share'])}** "
        f"(goal: under {1 - PRECISION_GOAL:.0%} per rule and overall).",
        f"- Check: {'**failing**: ' + '; '.join(fails) if fails else 'passing'}.",
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
        f"| **total** | | {sum(p.files for p in packages):,} | {sum(p.lines for p in packages):,} | {len(findings)} |",
        "",
        "## Per rule",
        "",
        "| rule | name | findings | true | false | untriaged | precision | FP share |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for code, row in summary["rules"].items():
        fp_share = None if row["precision"] is None else 1 - row["precision"]
        out.append(
            f"| {code} | {rule_names.get(code, '')} | {row['findings']} | {row['tp']} | {row['fp']} "
            f"| {row['untriaged']} | {_pct(row['precision'])} | {_pct(fp_share)} |"
        )
    out.append("")
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[f.code].append(f)
    for code in sorted(grouped):
        items = grouped[code]
        counts = Counter(f.package for f in items)
        out += [
            f"### {code} {rule_names.get(code, '')}",
            "",
            "Per package: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) + ".",
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
    if untriaged:
        out += [
            "## Untriaged findings",
            "",
            "Each needs an entry in `benchmarks/triage.yaml`:",
            "",
            "```yaml",
            triage_entries(untriaged),
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
    if APPLICATIONS.is_file():
        # hand-kept: real applications are fetched snapshots, not part of the corpus
        out += [APPLICATIONS.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(out)


def rule_names() -> dict[str, str]:
    common.ensure_importable()
    from async_bridge.knowledge import builtin

    return {code: getattr(rule, "name", "") for code, rule in builtin().rules.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate flake8-async-bridge on the corpus.")
    parser.add_argument("--corpus", type=Path, default=common.DEFAULT_CORPUS)
    parser.add_argument("--triage", type=Path, default=TRIAGE)
    parser.add_argument("--write", type=Path, help="write the Markdown report here (e.g. docs/evaluation.md)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 if a finding is untriaged or a rule is under {PRECISION_GOAL:.0%} precision")
    parser.add_argument("--flake8", help="flake8 command (default: this interpreter's `-m flake8`)")
    parser.add_argument("--jobs", type=int, default=1, help="flake8 -j per package (default 1)")
    parser.add_argument("--package", action="append", help="only these packages (by name)")
    parser.add_argument("--save-findings", type=Path, help="dump the findings as JSON")
    parser.add_argument("--findings", type=Path, help="use findings dumped by --save-findings instead of running flake8")
    args = parser.parse_args(argv)
    corpus = args.corpus.expanduser().resolve()
    meta = common.machine_info()
    if args.findings:
        data = json.loads(args.findings.read_text())
        findings = [Finding(**item) for item in data["findings"]]
        meta["flake8"] = data.get("flake8", "flake8")
    else:
        flake8 = flake8_command(args.flake8)
        meta["flake8"] = check_plugin(flake8)
        log(f"linting {corpus} with {meta['flake8']}")
        findings, warnings = collect(corpus, flake8, args.jobs, args.package)
        for name, text in warnings.items():
            log(f"stderr from {name}:\n{text[:2000]}")
    if args.save_findings:
        args.save_findings.write_text(json.dumps(
            {"flake8": meta["flake8"], "findings": [asdict(f) for f in findings]}, indent=1))
    verdicts, changes, problems = load_triage(args.triage)
    names = rule_names()
    summary = summarise(findings, verdicts, sorted(names))
    for code, row in summary["rules"].items():
        if row["findings"]:
            print(f"{code}: {row['findings']} findings, {row['tp']} tp, {row['fp']} fp, "
                  f"{row['untriaged']} untriaged, precision {_pct(row['precision'])}")
    print(f"total: {len(findings)} findings, FP share {_pct(summary['fp_share'])}, {summary['untriaged']} untriaged")
    for problem in problems:
        print(f"triage.yaml: {problem}")
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(render(corpus, findings, verdicts, changes, problems, meta, names), encoding="utf-8")
        log(f"wrote {args.write}")
    if args.check:
        fails = failures(summary) + [f"triage.yaml: {p}" for p in problems]
        for item in fails:
            print(f"check failed: {item}")
        untriaged = [f for f in findings if f.key not in verdicts]
        for f in untriaged[:50]:
            print(f"untriaged: {f.code} {f.package} {f.path}:{f.line}:{f.col} {f.message[:100]}")
        return 1 if fails else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
