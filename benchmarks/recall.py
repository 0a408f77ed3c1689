"""Recall on real history: do the rules report bugs the applications really fixed?

    python benchmarks/recall.py [--history benchmarks/history.yaml] [--mirror /work/.mirror]
                                [--workdir ~/.cache/abr-apps] [--save recall.json]

Each entry of ``history.yaml`` pins a bug the application fixed: the bug-side commit
(the parent of the fix), the file and line where the bug was, and the rule that should
report it there. For every distinct bug-side commit this exports the application's
project root (as pinned in applications.tsv) and lints it like applications.py does;
an entry is *found* when that rule reports that file at that line. The result, per
entry and per rule, goes into docs/evaluation.md ("Recall on real history").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import applications  # noqa: E402
import common  # noqa: E402

HISTORY = Path(__file__).resolve().parent / "history.yaml"
FIELDS = ("app", "repo", "bug_commit", "fix_commit", "path", "line", "code", "what", "shape")


@dataclass(frozen=True)
class Entry:
    app: str
    repo: str
    bug_commit: str
    fix_commit: str
    path: str  # relative to the repository root
    line: int
    code: str
    what: str
    shape: str


def load_history(path: Path) -> list[Entry]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = []
    for i, item in enumerate(data.get("entries") or [], 1):
        missing = [f for f in FIELDS if not str((item or {}).get(f, "")).strip()]
        if missing:
            raise SystemExit(f"{path}: entry {i} lacks {', '.join(missing)}")
        try:
            entries.append(Entry(**{f: (int(item[f]) if f == "line" else str(item[f]).strip()) for f in FIELDS}))
        except ValueError:
            raise SystemExit(f"{path}: entry {i}: line must be a number") from None
    return entries


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    found: bool
    at_line: list[str]  # codes reported at that file and line (any rule)
    in_file: list[str]  # "CODE@line" reported for the entry's rule elsewhere in that file
    unparsable: bool = False  # this interpreter cannot parse the file: nothing in it was checked


def match(entry: Entry, findings: list[common.Finding], unparsable: bool = False) -> Outcome:
    at_line = sorted({f.code for f in findings if f.path == entry.path and f.line == entry.line})
    in_file = [f"{f.code}@{f.line}" for f in findings
               if f.path == entry.path and f.code == entry.code and f.line != entry.line]
    return Outcome(entry, entry.code in at_line, at_line, in_file, unparsable)


def evaluate(entries: list[Entry], apps: dict[str, applications.Application], mirror: Path | None,
             workdir: Path, flake8: list[str], jobs: int) -> list[Outcome]:
    linted: dict[tuple[str, str], applications.AppRun] = {}
    outcomes = []
    for entry in entries:
        app = apps.get(entry.app)
        if app is None:
            raise SystemExit(f"history entry for {entry.app!r}: no such application in applications.tsv")
        key = (entry.app, entry.bug_commit)
        if key not in linted:
            common.log(f"  {entry.app} @ {entry.bug_commit[:12]} ...")
            gitdir = applications.find_repository(app, mirror, workdir, entry.bug_commit)
            linted[key] = applications.lint_commit(app, entry.bug_commit, gitdir, workdir, flake8, jobs)
        run = linted[key]
        outcomes.append(match(entry, run.findings, entry.path in run.unparsable))
    return outcomes


def per_rule_counts(outcomes: list[dict]) -> dict[str, tuple[int, int]]:
    """code -> (found, looked at), from dumped outcomes."""
    looked = Counter(o["code"] for o in outcomes)
    found = Counter(o["code"] for o in outcomes if o["found"])
    return {code: (found[code], looked[code]) for code in sorted(looked)}


def dump(outcomes: list[Outcome], flake8: str) -> dict:
    return {
        "flake8": flake8,
        "outcomes": [{**asdict(o.entry), "found": o.found, "at_line": o.at_line, "in_file": o.in_file,
                      "unparsable": o.unparsable}
                     for o in outcomes],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lint the bug-side commits of history.yaml.")
    parser.add_argument("--history", type=Path, default=HISTORY)
    parser.add_argument("--pins", type=Path, default=applications.PINS)
    parser.add_argument("--mirror", type=Path, default=applications.DEFAULT_MIRROR)
    parser.add_argument("--workdir", type=Path, default=applications.DEFAULT_WORKDIR)
    parser.add_argument("--app", action="append", help="only the entries of these applications")
    parser.add_argument("--flake8", help="flake8 command (default: this interpreter's `-m flake8`)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--save", type=Path, help="write the outcomes as JSON (evaluate.py --recall-results)")
    args = parser.parse_args(argv)
    flake8 = common.flake8_command(args.flake8)
    version = common.check_plugin(flake8)
    entries = [e for e in load_history(args.history) if not args.app or e.app in args.app]
    apps = {a.name: a for a in applications.read_pins(args.pins)}
    outcomes = evaluate(entries, apps, args.mirror.expanduser(), args.workdir.expanduser(), flake8, args.jobs)
    for o in outcomes:
        e = o.entry
        status = "found" if o.found else "MISSED"
        extra = "" if o.found else f" (at line: {','.join(o.at_line) or '-'}; {e.code} elsewhere: {','.join(o.in_file) or '-'})"
        print(f"{status}\t{e.code}\t{e.app}\t{e.path}:{e.line}\t{e.bug_commit[:12]}{extra}")
    for code, (found, looked) in per_rule_counts(dump(outcomes, version)["outcomes"]).items():
        print(f"{code}: {found}/{looked} found")
    print(f"total: {sum(o.found for o in outcomes)}/{len(outcomes)} found")
    if args.save:
        args.save.write_text(json.dumps(dump(outcomes, version), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
