"""``async-bridge check`` (no flake8) next to plain flake8 and ``ruff check --select ASYNC``.

The rows issue 12 asks for: the whole selected file set, each corpus package its own
project (the command runs in its folder, as flake8 does in ``cache_bench``), cold
(empty project cache) and warm; interleaved runs, CPU time of each run alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import cache_bench
import common


def check_command(env, paths: list[str], cache_dir: Path) -> list[str]:
    return [str(env.bin / "async-bridge"), "check", "--isolated", "--project-root", ".", f"--cache-dir={cache_dir}",
            "--exit-zero", "-q", "--output-format", "concise", *paths]


def ruff_command(ruff: str, paths: list[str]) -> list[str]:
    return [ruff, "check", "--isolated", "--no-cache", "--select", "ASYNC", "--exit-zero", "--quiet", *paths]


def run(envs: dict, corpus: Path, files: list[Path], repeat: int, cache_root: Path,
        log: Callable[[str], None]) -> dict:
    """plain flake8 (default jobs) / check cold / check warm / ruff ASYNC, interleaved."""
    by_root = cache_bench.groups(corpus, files)
    cache_dir = cache_root / "check"
    ruff = envs["ruff"].bin / "ruff" if "ruff" in envs else None
    names = ["plain", "cold", "warm"] + (["ruff"] if ruff is not None else [])
    samples: dict[str, list[dict]] = {name: [] for name in names}
    for i in range(repeat):
        for name in names:
            if name == "cold":
                cache_bench.clear(cache_dir)
            if name == "plain":
                jobs = [(root, [str(envs["plain"].flake8), "--isolated", *paths]) for root, paths in by_root.items()]
            elif name == "ruff":
                jobs = [(root, ruff_command(str(ruff), paths)) for root, paths in by_root.items()]
            else:
                jobs = [(root, check_command(envs["plugin"], paths, cache_dir)) for root, paths in by_root.items()]
            result = common.measure_jobs(jobs)
            if result["rc"] not in (0, 1):
                raise RuntimeError(f"check bench {name} failed (rc {result['rc']}): {result['stderr'][-500:]}")
            samples[name].append(result)
            log(f"  [{i + 1}/{repeat}] check bench {name}: {result['wall']:.2f}s wall, "
                f"{result['user'] + result['sys']:.2f}s CPU, {result['maxrss_kb'] / 1024:.0f} MiB")
    shutil.rmtree(cache_dir, ignore_errors=True)
    return {"files": len(files), **{name: cache_bench.summarise(runs) for name, runs in samples.items()}}


def render(section: dict, ratio: Callable[[dict, dict], float]) -> list[str]:
    plain = section["plain"]
    rows = [("flake8 alone (default jobs)", plain), ("`async-bridge check`, cold (empty cache)", section["cold"]),
            ("`async-bridge check`, warm", section["warm"])]
    if "ruff" in section:
        rows.append(("`ruff check --select ASYNC`", section["ruff"]))
    out = [
        "## `async-bridge check`, without flake8",
        "",
        f"The same {section['files']} files, each corpus package its own project, the command run in its folder "
        "(default jobs); ruff's `ASYNC` rules (flake8-async's, reimplemented) on the same files for scale.",
        "",
        "| run | CPU | wall | CPU ratio to flake8 alone | peak RSS |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, r in rows:
        out.append(f"| {label} | {r['cpu']:.1f} s | {r['wall']:.1f} s | {ratio(r, plain):.2f}x | {r['rss_mb']:.0f} MiB |")
    out.append("")
    return out
