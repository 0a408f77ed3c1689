"""Performance benchmark of flake8-async-bridge on the real-world corpus.

    python benchmarks/run.py --corpus ~/.cache/abr-corpus [--fraction 0.25] [--repeat 3] [--write docs/performance.md]

Measures, on the same files:
  * ``ast.parse`` of every file (the floor) and the engine's own time
    (``async_bridge.engine.check_tree`` on the parsed trees: analysis, project index,
    every rule, no persistent cache), in this process, from this checkout;
  * flake8 without and with the plugin (two virtualenvs, same flake8 version; the
    plugin installed as a wheel), the plugin cold (empty project cache) and warm (the
    cache the cold run left): ``-j1``, flake8's default jobs, and default jobs with
    ``forkserver`` workers; on the selected files and on the async-heavy subset; runs
    interleaved, medians of ``--repeat``, CPU time (user + sys) and peak RSS;
  * one file as an editor lints it, the project root holding the whole corpus
    (``cache_bench.editor``);
  * the peer (flake8-async) on a small async-heavy subset, against plain flake8 and
    this plugin on the same subset;
  * ``async-bridge fix --check`` throughput when the command exists;
  * scaling: the engine and flake8 at 25%, 50% and 100% of the selected files.
Long runs: wrap in ``nice -n 10``. The project caches live under the benchmark cache
folder (``ABR_BENCH_CACHE``), never in the corpus.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cache_bench  # noqa: E402
import commands_bench  # noqa: E402
import common  # noqa: E402
import engine_bench  # noqa: E402
import envs as envs_mod  # noqa: E402

PEER_PACKAGES = ("asgiref", "channels", "channels-redis", "daphne", "adrf", "django-async-extensions")
# the async-heavy subset of issue 11's table
ASYNC_PACKAGES = ("channels", "asgiref", "daphne", "adrf", "django-ninja", "strawberry-graphql-django", "celery",
                  "djangorestframework")
GOALS = {
    "engine": 1.0,  # engine time / ast.parse
    "flake8_added": 0.10,  # plugin's added share of flake8 -j1 wall time
    "cold": 1.10,  # flake8 + plugin, empty cache / flake8 alone
    "warm": 1.05,  # flake8 + plugin, warm cache / flake8 alone
    "editor": 1.20,  # one file, warm cache / flake8 alone
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

    def tuned(self, env: envs_mod.Env, jobs: int) -> list[tuple[Path, list[str]]]:
        """Plain flake8 with the collector settings the plugin gives its process
        (``async_bridge/gc_tuning.py``): what the plugin's own work costs, apart from
        what those settings save flake8's other checks."""
        from async_bridge.gc_tuning import OLDER_THRESHOLDS, YOUNG_THRESHOLD

        start = (f"import gc, sys; gc.freeze(); gc.set_threshold({YOUNG_THRESHOLD}, *{tuple(OLDER_THRESHOLDS)}); "
                 "from flake8.main.cli import main; sys.argv[0] = 'flake8'; raise SystemExit(main())")
        return [(root, [str(env.python), "-c", start, "--isolated", f"-j{jobs}", *paths])
                for root, paths in self.groups.items()]

    def cold(self, env: envs_mod.Env, jobs: int, extra: tuple[str, ...] = ()) -> tuple:
        """The plugin with an empty project cache (cleared before each run)."""
        folder = common.CACHE_DIR / "abr-cache" / "runs"
        return (lambda: cache_bench.clear(folder)), self.command(env, jobs, (f"--abr-cache-dir={folder}", *extra))

    def run(self, variants: dict[str, list | tuple], repeat: int) -> dict[str, dict]:
        samples: dict[str, list[dict]] = {name: [] for name in variants}
        for i in range(repeat):
            for name, jobs in variants.items():
                if isinstance(jobs, tuple):
                    prepare, jobs = jobs
                    prepare()
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
    """``async-bridge fix --check`` over the files, cold (empty cache) then warm."""
    script = env.bin / "async-bridge"
    if not script.is_file():
        return None
    probe = subprocess.run([str(script), "fix", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if probe.returncode != 0 or "--check" not in probe.stdout:
        return None
    runs = Flake8Runs(corpus, files)
    jobs = [(root, [str(script), "fix", "--check", *paths]) for root, paths in runs.groups.items()]
    walls: dict[str, list[float]] = {"cold": [], "warm": []}
    for _ in range(repeat):
        cache_bench.clear(Path(os.environ[common.CACHE_ENV]))
        for name in walls:
            result = common.measure_jobs(jobs)
            if result["rc"] not in (0, 1):
                return {"error": f"rc {result['rc']}: {result['stderr'].strip().splitlines()[-1:]}"}
            walls[name].append(result["wall"])
    wall, warm = common.median(walls["cold"]), common.median(walls["warm"])
    return {"wall": wall, "files_per_s": len(files) / wall if wall else float("nan"),
            "warm_wall": warm, "warm_files_per_s": len(files) / warm if warm else float("nan")}


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
    envs = envs_mod.prepare(flake8_version, with_peer=not args.no_peer, log=log, with_ruff=not args.no_check)
    report["versions"] = {
        "flake8": flake8_version,
        "flake8-async-bridge": envs["plugin"].version_of("flake8-async-bridge"),
    }
    if "peer" in envs:
        report["versions"][envs_mod.PEER] = envs["peer"].version_of(envs_mod.PEER)
    if "ruff" in envs:
        report["versions"]["ruff"] = envs["ruff"].version_of("ruff")

    runs = Flake8Runs(corpus, files)
    cache_root = common.CACHE_DIR / "abr-cache"
    log("flake8 -j1, plain vs plugin (cold) vs plugin (warm) ...")
    cache = {"j1": cache_bench.run_set(envs, corpus, files, cache_bench.VARIANTS["j1"], args.repeat, cache_root, log)}
    report["j1"] = {"plain": cache["j1"]["plain"], "plugin": cache["j1"]["cold"], "warm": cache["j1"]["warm"]}
    log("flake8 -j1 alone, with the plugin's collector settings ...")
    report["j1"]["tuned"] = runs.run({"tuned": runs.tuned(envs["plain"], 1)}, args.extra_repeat)["tuned"]
    log("flake8 -j1 --select=ABR (cold) ...")
    report["j1"]["abr_only"] = runs.run({"abr_only": runs.cold(envs["plugin"], 1, ("--select=ABR",))},
                                        args.extra_repeat)["abr_only"]
    if not args.no_j2:
        for key in ("jobs", "forkserver"):
            log(f"flake8 {key}, plain vs plugin (cold) vs plugin (warm) ...")
            cache[key] = cache_bench.run_set(envs, corpus, files, cache_bench.VARIANTS[key], args.repeat,
                                             cache_root, log)
        report["j2"] = {"plain": cache["jobs"]["plain"], "plugin": cache["jobs"]["cold"]}
    report["cache"] = {"files": len(files), "lines": lines, "runs": cache}

    if not args.no_async:
        async_files = common.corpus_files(corpus, list(ASYNC_PACKAGES))
        log(f"async subset: {len(async_files)} files ...")
        subset = {}
        for key in ("j1", "jobs", "forkserver") if not args.no_j2 else ("j1",):
            subset[key] = cache_bench.run_set(envs, corpus, async_files, cache_bench.VARIANTS[key], args.repeat,
                                              cache_root, log)
        report["async"] = {"files": len(async_files), "lines": sum(common.count_lines(f) for f in async_files),
                           "packages": list(ASYNC_PACKAGES), "runs": subset}

    if not args.no_check:
        log("async-bridge check cold / warm vs flake8 alone vs ruff --select ASYNC ...")
        report["check"] = commands_bench.run(envs, corpus, files, args.repeat, cache_root, log)

    if not args.no_editor:
        log("one file in an editor, the whole corpus as the project root ...")
        report["editor"] = cache_bench.editor(envs, corpus, args.editor_repeat, log)

    if "peer" in envs:
        peer_files = common.corpus_files(corpus, list(args.peer_packages))
        peer_runs = Flake8Runs(corpus, peer_files)
        log(f"peer subset: {len(peer_files)} files ...")
        report["peer"] = peer_runs.run({
            "plain": peer_runs.command(envs["plain"], 1),
            "plugin": peer_runs.cold(envs["plugin"], 1),
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
                    "plugin": sub_runs.cold(envs["plugin"], 1),
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


def _ratio(run: dict, base: dict, key: str = "cpu") -> float:
    return run[key] / base[key] if base.get(key) else float("nan")


_HOW = {"j1": "`flake8 -j1`", "jobs": "flake8's default jobs", "forkserver": "default jobs, `forkserver` workers"}


def _cache_rows(title: str, runs: dict) -> list[str]:
    """Rows of one file set: plain / cold / warm for each way of running flake8."""
    out = []
    for key, variant in runs.items():
        plain, cold, warm = variant["plain"], variant["cold"], variant["warm"]
        rc, rw = _ratio(cold, plain), _ratio(warm, plain)
        out.append(
            f"| {title}, {_HOW[key]} | {plain['cpu']:.1f} s CPU ({plain['wall']:.1f} s wall) "
            f"| {cold['cpu']:.1f} s ({cold['wall']:.1f} s) | {warm['cpu']:.1f} s ({warm['wall']:.1f} s) "
            f"| {rc:.2f}x {_ok(rc < GOALS['cold'])} | {rw:.2f}x {_ok(rw < GOALS['warm'])} "
            f"| {plain['rss_mb']:.0f} / {cold['rss_mb']:.0f} / {warm['rss_mb']:.0f} MiB |"
        )
    return out


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
        + (f", flake8-async {v['flake8-async']}" if v.get("flake8-async") else "")
        + (f", ruff {v['ruff']}" if v.get("ruff") else "") + ".",
        f"Corpus: {report['files']} files, {report['lines']:,} lines "
        f"({report['fraction']:.0%} of the {report['corpus_files']} files of `shared/corpus`). "
        f"Times are medians of {report['repeat']} interleaved runs unless noted; the machine is shared, so ratios "
        "are taken on CPU time (user + sys of flake8 and its workers), less sensitive to other load than wall time; "
        "peak memory is the maximum resident set size of one process. *Cold*: the project cache is empty; "
        "*warm*: the cache a cold run left, nothing changed since.",
        "",
    ]
    if "cache" in report:
        out += [
            "## flake8 with the project cache",
            "",
            "Each corpus package is its own project (flake8 runs in its folder). Ratios are against plain flake8 "
            "in the same interleaved runs.",
            "",
            f"| files, how flake8 runs | flake8 alone | + plugin, cold | + plugin, warm | cold ratio "
            f"(< {GOALS['cold']:.2f}x) | warm ratio (< {GOALS['warm']:.2f}x) | peak RSS alone / cold / warm |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        out += _cache_rows(f"{report['cache']['files']} files (the corpus sample)", report["cache"]["runs"])
        if "async" in report:
            a = report["async"]
            out += _cache_rows(f"async subset, {a['files']} files", a["runs"])
            out += ["", f"The async subset: {', '.join(a['packages'])} ({a['lines']:,} lines)."]
        out.append("")
    if "editor" in report:
        e = report["editor"]
        plain = e["plain"]
        rows = [("flake8 alone", plain), ("+ plugin, cold (empty cache)", e["cold"]),
                ("+ plugin, warm, file unchanged", e["warm"]), ("+ plugin, warm, the file just edited", e["edited"])]
        out += [
            "## One file, as an editor lints it",
            "",
            f"`flake8 {e['file']}` with the project root holding the whole corpus ({e['root_files']:,} Python "
            f"files), a new process each time as an editor's flake8 integration runs it; medians of "
            f"{len(plain['cpus'])} runs (cold: {len(e['cold']['cpus'])}).",
            "",
            "| run | CPU | wall | ratio (CPU) | peak RSS |",
            "| --- | --- | --- | --- | --- |",
        ]
        for label, r in rows:
            ratio = _ratio(r, plain)
            goal = f" {_ok(ratio < GOALS['editor'])} (< {GOALS['editor']:.2f}x)" if "warm" in label else ""
            out.append(f"| {label} | {r['cpu']:.3f} s | {r['wall']:.3f} s | {ratio:.2f}x{goal} | {r['rss_mb']:.0f} MiB |")
        out.append("")
    if "check" in report:
        out += commands_bench.render(report["check"], _ratio)
    out += [
        "## Summary",
        "",
        "| measure | value | goal | |",
        "| --- | --- | --- | --- |",
        f"| `ast.parse` of every file (the floor) | {eng['parse']:.2f} s | | |",
        f"| engine: analysis + index + all rules (`check_tree`, no cache) | {eng['engine']:.2f} s = {engine_ratio:.2f}x "
        f"the parse | <= {GOALS['engine']:.1f}x | {_ok(engine_ratio <= GOALS['engine'])} |",
        f"| `flake8 -j1` alone | {j1['plain']['wall']:.1f} s wall, {j1['plain'].get('cpu', 0):.1f} s CPU, "
        f"{j1['plain']['rss_mb']:.0f} MiB | | |",
        f"| `flake8 -j1` with the plugin, cold | {j1['plugin']['wall']:.1f} s wall, "
        f"{j1['plugin'].get('cpu', 0):.1f} s CPU, {j1['plugin']['rss_mb']:.0f} MiB | | |",
    ]
    if "tuned" in j1:
        own = _ratio(j1["plugin"], j1["tuned"])
        out.append(f"| `flake8 -j1` alone, with the collector settings the plugin sets (gc_tuning.py) | "
                   f"{j1['tuned']['wall']:.1f} s wall, {j1['tuned'].get('cpu', 0):.1f} s CPU, "
                   f"{j1['tuned']['rss_mb']:.0f} MiB: the plugin, cold, is {own:.2f}x this (its own work) | | |")
    if "warm" in j1:
        out.append(f"| `flake8 -j1` with the plugin, warm | {j1['warm']['wall']:.1f} s wall, "
                   f"{j1['warm'].get('cpu', 0):.1f} s CPU, {j1['warm']['rss_mb']:.0f} MiB | | |")
    out += [
        f"| time the plugin adds to `flake8 -j1`, cold: wall | {added:+.1%} | < {GOALS['flake8_added']:.0%} "
        f"| {_ok(added < GOALS['flake8_added'])} |",
        f"| time the plugin adds to `flake8 -j1`, cold: CPU | {added_cpu:+.1%} | < {GOALS['flake8_added']:.0%} "
        f"| {_ok(added_cpu < GOALS['flake8_added'])} |",
        f"| peak memory with the plugin (cold) / without | {mem_ratio:.2f}x | <= {GOALS['memory']:.1f}x "
        f"| {_ok(mem_ratio <= GOALS['memory'])} |",
    ]
    if "warm" in j1:
        warm_mem = j1["warm"]["rss_mb"] / j1["plain"]["rss_mb"]
        out.append(f"| peak memory with the plugin (warm) / without | {warm_mem:.2f}x | <= {GOALS['memory']:.1f}x "
                   f"| {_ok(warm_mem <= GOALS['memory'])} |")
    if "abr_only" in j1:
        out.append(
            f"| `flake8 -j1 --select=ABR`, cold (flake8 still runs every installed checker and filters afterwards) "
            f"| {j1['abr_only']['wall']:.1f} s wall, {j1['abr_only'].get('cpu', 0):.1f} s CPU, "
            f"{j1['abr_only']['rss_mb']:.0f} MiB | | |")
    if "j2" in report:
        j2 = report["j2"]
        added2 = j2["plugin"]["cpu"] / j2["plain"]["cpu"] - 1 if j2["plain"].get("cpu") else float("nan")
        out.append(
            f"| flake8's default jobs alone / with the plugin (cold) | {j2['plain']['wall']:.1f} s / "
            f"{j2['plugin']['wall']:.1f} s wall ({added2:+.1%} CPU) | | |"
        )
    if "peer" in report:
        p = report["peer"]
        ours = p["plugin"]["wall"] - p["plain"]["wall"]
        theirs = p["peer"]["wall"] - p["plain"]["wall"]
        out.append(
            f"| cost added on the peer subset: this plugin (cold) / flake8-async | {ours:+.2f} s / {theirs:+.2f} s "
            f"| less than flake8-async | {_ok(ours < theirs)} |"
        )
    fix = report.get("fix")
    if fix is None:
        out.append("| `async-bridge fix --check` throughput | n/a (no `fix --check` command in this build) | | |")
    elif "error" in fix:
        out.append(f"| `async-bridge fix --check` throughput | failed: {fix['error']} | | |")
    else:
        warm = (f"; warm {fix['warm_files_per_s']:.0f} files/s ({fix['warm_wall']:.1f} s)"
                if "warm_wall" in fix else "")
        out.append(f"| `async-bridge fix --check` throughput | cold {fix['files_per_s']:.0f} files/s "
                   f"({fix['wall']:.1f} s for {report['files']} files){warm}, median of {report.get('extra_repeat', 1)} "
                   "| | |")
    if "peer" in report:
        p = report["peer"]
        out += [
            "",
            "## Peer: flake8-async",
            "",
            f"flake8-async parses with libcst while checking, so it is measured on a small async-heavy subset: "
            f"{', '.join(p['packages'])} ({p['files']} files, {p['lines']:,} lines), `flake8 -j1`, default checks; "
            "this plugin cold.",
            "",
            "| run | wall (median) | added to flake8 | CPU (median) | peak RSS |",
            "| --- | --- | --- | --- | --- |",
        ]
        base = p["plain"]["wall"]
        for key, label in (("plain", "flake8 alone"), ("plugin", "flake8 + flake8-async-bridge"),
                           ("peer", "flake8 + flake8-async")):
            r = p[key]
            out.append(f"| {label} | {r['wall']:.2f} s | {r['wall'] / base - 1:+.0%} | {r.get('cpu', 0):.2f} s "
                       f"| {r['rss_mb']:.0f} MiB |")
    if report.get("scaling"):
        out += [
            "",
            "## Scaling",
            "",
            "Nested samples of the measured files (the smaller sample is inside the larger); the plugin cold. "
            "Linear behaviour shows as a steady time per 1,000 lines. Smaller samples: one run each unless "
            "`--extra-repeat` says otherwise.",
            "",
            "| share | files | lines | ast.parse | engine | engine / parse | flake8 -j1 | + plugin | added (wall) "
            "| added (CPU) | ms per 1k lines (+ plugin) | peak RSS alone / + plugin |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for sc in report["scaling"]:
            out.append(
                f"| {sc['share']:.0%} | {sc['files']} | {sc['lines']:,} | {sc['parse']:.2f} s | {sc['engine']:.2f} s "
                f"| {sc['engine'] / sc['parse']:.2f}x | {sc['plain']:.1f} s | {sc['plugin']:.1f} s "
                f"| {sc['plugin'] / sc['plain'] - 1:+.1%} "
                f"| {(sc['plugin_cpu'] / sc['plain_cpu'] - 1) if sc.get('plain_cpu') else float('nan'):+.1%} "
                f"| {1000 * sc['plugin'] / sc['lines'] * 1000:.0f} "
                f"| {sc['plain_rss']:.0f} / {sc['plugin_rss']:.0f} MiB |"
            )
    out += [
        "",
        "## How it is measured",
        "",
        "- Engine: every file is read once; each pass parses every file (timed, the floor) and hands the fresh tree "
        "to `check_tree` with every rule enabled (timed). Each corpus package is its own project (the project "
        "root of the index); each pass starts with an empty project index and no persistent cache, as a cold "
        "process, and the index's parsing of other modules counts as engine time.",
        "- flake8: each run is started under a small Python parent whose `getrusage(RUSAGE_CHILDREN)` gives the "
        "CPU time and peak RSS of that run alone; runs of the variants alternate (plain, cold, warm), so load "
        "changes hit them alike. Cold runs start from an empty cache folder; warm runs use the one the cold run "
        "of the same round left.",
        "- `forkserver`: flake8 started through `multiprocessing.set_start_method('forkserver')` "
        "(`cache_bench.FORKSERVER`), so each worker is a fresh interpreter that imports the plugin and reads "
        "its options again.",
        "- Virtualenvs are cached under `~/.cache/abr-bench/venvs` (`ABR_BENCH_CACHE`); the plugin is reinstalled "
        "from the checkout (`pip install .`) on every run. Project caches live under the same folder, never in "
        "the corpus.",
        "",
    ]
    return "\n".join(out)


def print_summary(report: dict) -> None:
    eng = report["engine"]
    rows = [
        ("files / lines", f"{report['files']} / {report['lines']}"),
        ("ast.parse (floor)", f"{eng['parse']:.2f}s"),
        ("engine (check_tree)", f"{eng['engine']:.2f}s = {eng['engine'] / eng['parse']:.2f}x parse"),
    ]
    for title, section in (("sample", report.get("cache")), ("async", report.get("async"))):
        for key, r in (section or {}).get("runs", {}).items():
            rows.append((f"{title} {key}", f"plain {r['plain']['cpu']:.1f}s cold {r['cold']['cpu']:.1f}s "
                                           f"({_ratio(r['cold'], r['plain']):.2f}x) warm {r['warm']['cpu']:.1f}s "
                                           f"({_ratio(r['warm'], r['plain']):.2f}x) CPU"))
    if "editor" in report:
        e = report["editor"]
        rows.append(("editor one file", ", ".join(f"{k} {e[k]['cpu']:.3f}s ({_ratio(e[k], e['plain']):.2f}x)"
                                                  for k in ("plain", "cold", "warm", "edited"))))
    if "check" in report:
        c = report["check"]
        rows.append(("async-bridge check", ", ".join(f"{k} {c[k]['cpu']:.1f}s ({_ratio(c[k], c['plain']):.2f}x)"
                                                     for k in ("plain", "cold", "warm", "ruff") if k in c)))
    if "peer" in report:
        p = report["peer"]
        rows.append((f"peer subset ({p['files']} files)",
                     f"plain {p['plain']['wall']:.2f}s, plugin {p['plugin']['wall']:.2f}s, flake8-async {p['peer']['wall']:.2f}s"))
    fix = report.get("fix")
    rows.append(("fix --check", "n/a" if fix is None else fix.get("error") or f"{fix['files_per_s']:.0f} files/s"))
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
    parser.add_argument("--no-async", action="store_true", help="skip the async-subset rows")
    parser.add_argument("--no-editor", action="store_true", help="skip the one-file editor rows")
    parser.add_argument("--no-check", action="store_true", help="skip the async-bridge check and ruff rows")
    parser.add_argument("--editor-repeat", type=int, default=15, help="runs of each editor measure (median)")
    args = parser.parse_args(argv)
    # every run this script starts keeps its project cache here, never in the corpus
    os.environ[common.CACHE_ENV] = str(common.CACHE_DIR / "abr-cache" / "other")
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
        shown += [flag for flag in ("--no-scaling", "--no-peer", "--no-j2", "--no-async", "--no-editor",
                                                "--no-check")
                  if getattr(args, flag[2:].replace("-", "_"))]
        shown += ["--write", str(args.write)]
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(render(report, " ".join(shown)), encoding="utf-8")
        log(f"wrote {args.write}")
    log(f"done in {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
