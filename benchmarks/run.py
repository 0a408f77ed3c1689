"""Performance benchmark of flake8-async-bridge on the real-world corpus.

    python benchmarks/run.py --corpus ~/.cache/abr-corpus [--fraction 0.25] [--repeat 3] [--write docs/performance.md]

Measures, on the same files:
  * ``ast.parse`` of every file (the floor) and the engine's own time
    (``async_bridge.engine.check_tree`` on the parsed trees: analysis, project index,
    every rule), in this process, from this checkout;
  * ``flake8 -j1`` wall time and peak RSS without and with the plugin (two
    virtualenvs, same flake8 version; the plugin installed as a wheel), runs
    interleaved, median of ``--repeat``; ``--select=ABR`` alone; ``-j2``;
  * the peer (flake8-async) on a small async-heavy subset, against plain flake8 and
    this plugin on the same subset;
  * ``async-bridge fix --check`` throughput when the command exists;
  * scaling: the engine and flake8 at 25%, 50% and 100% of the selected files.
Long runs: wrap in ``nice -n 10``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import engine_bench  # noqa: E402
import envs as envs_mod  # noqa: E402

PEER_PACKAGES = ("asgiref", "channels", "channels-redis", "daphne", "adrf", "django-async-extensions")
GOALS = {
    "engine": 1.0,  # engine time / ast.parse
    "flake8_added": 0.10,  # plugin's added share of flake8 -j1 wall time
    "memory": 1.2,  # peak RSS with the plugin / flake8 alone
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Flake8Runs:
    """Interleaved, measured flake8 invocations over one list of files.

    flake8 runs once per corpus package, in the package folder (so the plugin's
    project root is that package, as in a real project and in evaluate.py); a
    variant's time is the sum over packages, its memory the largest peak.
    """

    def __init__(self, corpus: Path, files: list[Path]) -> None:
        self.corpus = corpus
        self.groups: dict[Path, list[str]] = {}
        for f in files:
            root = engine_bench.package_root(corpus, str(f))
            self.groups.setdefault(root, []).append(str(f.relative_to(root)))

    def command(self, env: envs_mod.Env, jobs: int, extra: tuple[str, ...] = ()) -> list[tuple[Path, list[str]]]:
        return [(root, [str(env.flake8), "--isolated", f"-j{jobs}", *extra, *paths])
                for root, paths in self.groups.items()]

    def run(self, variants: dict[str, list], repeat: int) -> dict[str, dict]:
        samples: dict[str, list[dict]] = {name: [] for name in variants}
        for i in range(repeat):
            for name, jobs in variants.items():
                result = common.measure_jobs(jobs)
                if result["rc"] not in (0, 1):
                    raise RuntimeError(f"{name} failed (rc {result['rc']}): {result['stderr']}")
                samples[name].append(result)
                log(f"  [{i + 1}/{repeat}] {name}: {result['wall']:.2f}s, {result['maxrss_kb'] / 1024:.0f} MiB")
        return {
            name: {
                "wall": common.median([r["wall"] for r in runs]),
                "cpu": common.median([r["user"] + r["sys"] for r in runs]),
                "rss_mb": common.median([r["maxrss_kb"] for r in runs]) / 1024,
                "walls": [round(r["wall"], 2) for r in runs],
                "stderr": runs[-1]["stderr"],
            }
            for name, runs in samples.items()
        }


def fix_throughput(env: envs_mod.Env, corpus: Path, files: list[Path], repeat: int) -> dict | None:
    script = env.bin / "async-bridge"
    if not script.is_file():
        return None
    probe = subprocess.run([str(script), "fix", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if probe.returncode != 0 or "--check" not in probe.stdout:
        return None
    runs = Flake8Runs(corpus, files)
    jobs = [(root, [str(script), "fix", "--check", *paths]) for root, paths in runs.groups.items()]
    walls = []
    for _ in range(repeat):
        result = common.measure_jobs(jobs)
        if result["rc"] not in (0, 1):
            return {"error": f"rc {result['rc']}: {result['stderr'].strip().splitlines()[-1:]}"}
        walls.append(result["wall"])
    wall = common.median(walls)
    return {"wall": wall, "files_per_s": len(files) / wall if wall else float("nan")}


def measure_all(args) -> dict:
    corpus = args.corpus.expanduser().resolve()
    all_files = common.corpus_files(corpus)
    files = common.sample(all_files, args.fraction, corpus)
    lines = sum(common.count_lines(f) for f in files)
    report: dict = {"machine": common.machine_info(), "fraction": args.fraction, "repeat": args.repeat,
                    "files": len(files), "lines": lines, "corpus_files": len(all_files)}
    log(f"{len(files)} files, {lines} lines ({args.fraction:.0%} of {len(all_files)} files)")

    log("engine vs ast.parse (in process) ...")
    report["engine"] = engine_bench.engine_timing(files, corpus, args.repeat)

    flake8_version = args.flake8_version or envs_mod.flake8_version_default()
    log(f"preparing virtualenvs (flake8 {flake8_version}) ...")
    envs = envs_mod.prepare(flake8_version, with_peer=not args.no_peer, log=log)
    report["versions"] = {
        "flake8": flake8_version,
        "flake8-async-bridge": envs["plugin"].version_of("flake8-async-bridge"),
    }
    if "peer" in envs:
        report["versions"][envs_mod.PEER] = envs["peer"].version_of(envs_mod.PEER)

    runs = Flake8Runs(corpus, files)
    log("flake8 -j1, plain vs plugin ...")
    report["j1"] = runs.run({
        "plain": runs.command(envs["plain"], 1),
        "plugin": runs.command(envs["plugin"], 1),
        "abr_only": runs.command(envs["plugin"], 1, ("--select=ABR",)),
    }, args.repeat)
    if not args.no_j2:
        log("flake8 -j2, plain vs plugin ...")
        report["j2"] = runs.run({
            "plain": runs.command(envs["plain"], 2),
            "plugin": runs.command(envs["plugin"], 2),
        }, args.extra_repeat)

    if "peer" in envs:
        peer_files = common.corpus_files(corpus, list(args.peer_packages))
        peer_runs = Flake8Runs(corpus, peer_files)
        log(f"peer subset: {len(peer_files)} files ...")
        report["peer"] = peer_runs.run({
            "plain": peer_runs.command(envs["plain"], 1),
            "plugin": peer_runs.command(envs["plugin"], 1),
            "peer": peer_runs.command(envs["peer"], 1),
        }, args.repeat)
        report["peer"]["files"] = len(peer_files)
        report["peer"]["lines"] = sum(common.count_lines(f) for f in peer_files)
        report["peer"]["packages"] = list(args.peer_packages)

    log("async-bridge fix --check ...")
    report["fix"] = fix_throughput(envs["plugin"], corpus, files, args.extra_repeat)

    if not args.no_scaling:
        report["scaling"] = []
        for share in (0.25, 0.5, 1.0):
            subset = common.sample(files, share, corpus) if share < 1.0 else files
            log(f"scaling: {share:.0%} ({len(subset)} files) ...")
            if share < 1.0:
                eng = engine_bench.engine_timing(subset, corpus, args.extra_repeat)
                sub_runs = Flake8Runs(corpus, subset)
                fl = sub_runs.run({
                    "plain": sub_runs.command(envs["plain"], 1),
                    "plugin": sub_runs.command(envs["plugin"], 1),
                }, args.extra_repeat)
            else:
                eng, fl = report["engine"], report["j1"]
            report["scaling"].append({
                "share": share, "files": len(subset), "lines": sum(common.count_lines(f) for f in subset),
                "parse": eng["parse"], "engine": eng["engine"],
                "plain": fl["plain"]["wall"], "plugin": fl["plugin"]["wall"],
                "plain_cpu": fl["plain"].get("cpu"), "plugin_cpu": fl["plugin"].get("cpu"),
                "plain_rss": fl["plain"]["rss_mb"], "plugin_rss": fl["plugin"]["rss_mb"],
            })
    return report


# -- rendering ------------------------------------------------------------------------

def _ok(flag: bool) -> str:
    return "met" if flag else "**not met**"


def render(report: dict, command: str) -> str:
    m = report["machine"]
    v = report.get("versions", {})
    eng = report["engine"]
    j1 = report["j1"]
    engine_ratio = eng["engine"] / eng["parse"]
    added = j1["plugin"]["wall"] / j1["plain"]["wall"] - 1
    added_cpu = j1["plugin"]["cpu"] / j1["plain"]["cpu"] - 1 if j1["plain"].get("cpu") else float("nan")
    mem_ratio = j1["plugin"]["rss_mb"] / j1["plain"]["rss_mb"]
    out = [
        "# Performance",
        "",
        "Generated by `benchmarks/run.py`; do not edit by hand. Regenerate with",
        "`benchmarks/regenerate.sh` (fresh corpus, both documents) or:",
        "",
        f"    {command}",
        "",
        f"Measured {m['date']} on {m['cpu']}, {m['nproc']} CPUs, {m['ram']} RAM ({m['os']}), "
        f"Python {m['python']}, flake8 {v.get('flake8')}, flake8-async-bridge {v.get('flake8-async-bridge')}"
        + (f", flake8-async {v['flake8-async']}" if v.get("flake8-async") else "") + ".",
        f"Corpus: {report['files']} files, {report['lines']:,} lines "
        f"({report['fraction']:.0%} of the {report['corpus_files']} files of `shared/corpus`). "
        f"Times are wall-clock medians of {report['repeat']} interleaved runs unless noted; "
        "peak memory is the maximum resident set size of the flake8 process.",
        "",
        "## Summary",
        "",
        "| measure | value | goal | |",
        "| --- | --- | --- | --- |",
        f"| `ast.parse` of every file (the floor) | {eng['parse']:.2f} s | | |",
        f"| engine: analysis + index + all rules (`check_tree`) | {eng['engine']:.2f} s = {engine_ratio:.2f}x the parse "
        f"| <= {GOALS['engine']:.1f}x | {_ok(engine_ratio <= GOALS['engine'])} |",
        f"| `flake8 -j1` alone | {j1['plain']['wall']:.1f} s wall, {j1['plain'].get('cpu', 0):.1f} s CPU, "
        f"{j1['plain']['rss_mb']:.0f} MiB | | |",
        f"| `flake8 -j1` with the plugin | {j1['plugin']['wall']:.1f} s wall, {j1['plugin'].get('cpu', 0):.1f} s CPU, "
        f"{j1['plugin']['rss_mb']:.0f} MiB | | |",
        f"| time the plugin adds to `flake8 -j1`: wall | {added:+.1%} | < {GOALS['flake8_added']:.0%} "
        f"| {_ok(added < GOALS['flake8_added'])} |",
        f"| time the plugin adds to `flake8 -j1`: CPU (user + sys, less sensitive to a busy machine) "
        f"| {added_cpu:+.1%} | < {GOALS['flake8_added']:.0%} | {_ok(added_cpu < GOALS['flake8_added'])} |",
        f"| peak memory with the plugin / without | {mem_ratio:.2f}x | <= {GOALS['memory']:.1f}x "
        f"| {_ok(mem_ratio <= GOALS['memory'])} |",
        f"| `flake8 -j1 --select=ABR` (flake8 still runs every installed checker and filters afterwards, "
        f"so this costs about what the full run costs) "
        f"| {j1['abr_only']['wall']:.1f} s wall, {j1['abr_only'].get('cpu', 0):.1f} s CPU, "
        f"{j1['abr_only']['rss_mb']:.0f} MiB | | |",
    ]
    if "j2" in report:
        j2 = report["j2"]
        added2 = j2["plugin"]["wall"] / j2["plain"]["wall"] - 1
        out.append(
            f"| `flake8 -j2` alone / with the plugin | {j2['plain']['wall']:.1f} s / {j2['plugin']['wall']:.1f} s "
            f"({added2:+.1%}); peak of one process {j2['plain']['rss_mb']:.0f} / {j2['plugin']['rss_mb']:.0f} MiB | | |"
        )
    if "peer" in report:
        p = report["peer"]
        ours = p["plugin"]["wall"] - p["plain"]["wall"]
        theirs = p["peer"]["wall"] - p["plain"]["wall"]
        out.append(
            f"| cost added on the peer subset: this plugin / flake8-async | {ours:+.2f} s / {theirs:+.2f} s "
            f"| less than flake8-async | {_ok(ours < theirs)} |"
        )
    fix = report.get("fix")
    if fix is None:
        out.append("| `async-bridge fix --check` throughput | n/a (no `fix --check` command in this build) | | |")
    elif "error" in fix:
        out.append(f"| `async-bridge fix --check` throughput | failed: {fix['error']} | | |")
    else:
        out.append(f"| `async-bridge fix --check` throughput | {fix['files_per_s']:.0f} files/s "
                   f"({fix['wall']:.1f} s for {report['files']} files, median of {report.get('extra_repeat', 1)}) | | |")
    out += [
        "",
        "## flake8 runs",
        "",
        "Default flake8 checks in both environments (so the difference is the plugin's cost), "
        "`--isolated`, run once per corpus package in its folder (the package is the project: the plugin's "
        "project root); times are summed over the packages, memory is the largest peak of one run.",
        "",
        "| run | wall (median) | wall of each run | CPU (median) | peak RSS |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, label in (("plain", "flake8 -j1"), ("plugin", "flake8 -j1 + plugin"), ("abr_only", "flake8 -j1 --select=ABR")):
        r = j1[key]
        out.append(f"| {label} | {r['wall']:.2f} s | {r['walls']} | {r.get('cpu', 0):.2f} s | {r['rss_mb']:.0f} MiB |")
    if "j2" in report:
        for key, label in (("plain", "flake8 -j2"), ("plugin", "flake8 -j2 + plugin")):
            r = report["j2"][key]
            out.append(f"| {label} | {r['wall']:.2f} s | {r['walls']} | {r.get('cpu', 0):.2f} s (all processes) "
                       f"| {r['rss_mb']:.0f} MiB (largest process) |")
    if "peer" in report:
        p = report["peer"]
        out += [
            "",
            "## Peer: flake8-async",
            "",
            f"flake8-async parses with libcst while checking, so it is measured on a small async-heavy subset: "
            f"{', '.join(p['packages'])} ({p['files']} files, {p['lines']:,} lines), `flake8 -j1`, default checks.",
            "",
            "| run | wall (median) | added to flake8 | CPU (median) | peak RSS |",
            "| --- | --- | --- | --- | --- |",
        ]
        base = p["plain"]["wall"]
        for key, label in (("plain", "flake8 alone"), ("plugin", "flake8 + flake8-async-bridge"), ("peer", "flake8 + flake8-async")):
            r = p[key]
            out.append(f"| {label} | {r['wall']:.2f} s | {r['wall'] / base - 1:+.0%} | {r.get('cpu', 0):.2f} s "
                       f"| {r['rss_mb']:.0f} MiB |")
    if report.get("scaling"):
        out += [
            "",
            "## Scaling",
            "",
            "Nested samples of the measured files (the smaller sample is inside the larger). "
            "Linear behaviour shows as a steady time per 1,000 lines. The engine's index parses other modules "
            "once per process, so its share can only shrink as more of the project is checked. "
            "Smaller samples: one run each unless `--extra-repeat` says otherwise.",
            "",
            "| share | files | lines | ast.parse | engine | engine / parse | flake8 -j1 | + plugin | added (wall) "
            "| added (CPU) | ms per 1k lines (+ plugin) | peak RSS alone / + plugin |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for s in report["scaling"]:
            out.append(
                f"| {s['share']:.0%} | {s['files']} | {s['lines']:,} | {s['parse']:.2f} s | {s['engine']:.2f} s "
                f"| {s['engine'] / s['parse']:.2f}x | {s['plain']:.1f} s | {s['plugin']:.1f} s "
                f"| {s['plugin'] / s['plain'] - 1:+.1%} "
                f"| {(s['plugin_cpu'] / s['plain_cpu'] - 1) if s.get('plain_cpu') else float('nan'):+.1%} "
                f"| {1000 * s['plugin'] / s['lines'] * 1000:.0f} "
                f"| {s['plain_rss']:.0f} / {s['plugin_rss']:.0f} MiB |"
            )
    out += [
        "",
        "## How it is measured",
        "",
        "- Engine: every file is read once; each pass parses every file (timed, the floor) and hands the fresh tree "
        "to `check_tree` with every rule enabled (timed). Each corpus package is its own project (the project "
        "root of the index); each pass starts with an empty project index, as a new flake8 process does, and the "
        "index's parsing of other modules counts as engine time.",
        "- flake8: each run is started under a small Python parent whose `getrusage(RUSAGE_CHILDREN)` gives the "
        "peak RSS of that run alone; runs of the variants alternate, so load changes hit them alike.",
        "- Virtualenvs are cached under `~/.cache/abr-bench/venvs` (`ABR_BENCH_CACHE`); the plugin is reinstalled "
        "from the checkout (`pip install .`) on every run.",
        "- The machine is shared; the numbers are medians, compare ratios rather than absolute times.",
        "",
    ]
    return "\n".join(out)


def print_summary(report: dict) -> None:
    eng, j1 = report["engine"], report["j1"]
    rows = [
        ("files / lines", f"{report['files']} / {report['lines']}"),
        ("ast.parse (floor)", f"{eng['parse']:.2f}s"),
        ("engine (check_tree)", f"{eng['engine']:.2f}s = {eng['engine'] / eng['parse']:.2f}x parse"),
        ("flake8 -j1", f"{j1['plain']['wall']:.2f}s {j1['plain']['rss_mb']:.0f}MiB"),
        ("flake8 -j1 + plugin", f"{j1['plugin']['wall']:.2f}s {j1['plugin']['rss_mb']:.0f}MiB "
                                f"({j1['plugin']['wall'] / j1['plain']['wall'] - 1:+.1%} wall, "
                                f"{j1['plugin']['cpu'] / j1['plain']['cpu'] - 1:+.1%} CPU)"),
        ("flake8 -j1 --select=ABR", f"{j1['abr_only']['wall']:.2f}s {j1['abr_only']['rss_mb']:.0f}MiB"),
    ]
    if "j2" in report:
        rows.append(("flake8 -j2 / + plugin", f"{report['j2']['plain']['wall']:.2f}s / {report['j2']['plugin']['wall']:.2f}s"))
    if "peer" in report:
        p = report["peer"]
        rows.append((f"peer subset ({p['files']} files)",
                     f"plain {p['plain']['wall']:.2f}s, plugin {p['plugin']['wall']:.2f}s, flake8-async {p['peer']['wall']:.2f}s"))
    fix = report.get("fix")
    rows.append(("fix --check", "n/a" if fix is None else fix.get("error") or f"{fix['files_per_s']:.0f} files/s"))
    for s in report.get("scaling", []):
        rows.append((f"scaling {s['share']:.0%}", f"{s['files']} files: engine {s['engine']:.2f}s parse {s['parse']:.2f}s "
                                                  f"flake8 {s['plain']:.1f}s/{s['plugin']:.1f}s "
                                                  f"rss {s['plain_rss']:.0f}/{s['plugin_rss']:.0f}MiB"))
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark flake8-async-bridge on the corpus.")
    parser.add_argument("--corpus", type=Path, default=common.DEFAULT_CORPUS)
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the corpus files (deterministic sample)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the main measures (median)")
    parser.add_argument("--extra-repeat", type=int, default=1, help="runs of -j2, fix and the smaller scaling samples")
    parser.add_argument("--write", type=Path, help="write the Markdown report here (e.g. docs/performance.md)")
    parser.add_argument("--json", type=Path, help="also dump the raw numbers as JSON")
    parser.add_argument("--flake8-version", help="flake8 version of all environments (default: the one installed here)")
    parser.add_argument("--peer-packages", type=lambda s: tuple(s.split(",")), default=PEER_PACKAGES)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-j2", action="store_true")
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args(argv)
    started = time.time()
    report = measure_all(args)
    report["extra_repeat"] = args.extra_repeat
    print_summary(report)
    if args.json:
        import json

        args.json.write_text(json.dumps(report, indent=1, default=str))
    if args.write:
        shown = ["python", "benchmarks/run.py", "--corpus", "~/.cache/abr-corpus"]
        if args.fraction != 1.0:
            shown += ["--fraction", str(args.fraction)]
        shown += ["--repeat", str(args.repeat)]
        if args.extra_repeat != 1:
            shown += ["--extra-repeat", str(args.extra_repeat)]
        shown += ["--write", str(args.write)]
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(render(report, " ".join(shown)), encoding="utf-8")
        log(f"wrote {args.write}")
    log(f"done in {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
