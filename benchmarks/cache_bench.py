"""flake8 with the plugin cold and warm (the persistent project cache), as users run it.

Used by ``run.py``. Every measure interleaves, per repetition: plain flake8, the plugin
with an empty cache (cold), then the plugin again (warm: the cache the cold run left,
nothing changed). Variants: ``-j1``, flake8's default jobs, and the default jobs with
workers started by ``forkserver`` (Python 3.14's default on Linux) through a small
wrapper. CPU time is user + sys of the run and every process it waited for.

The editor row lints one file in a private copy of the whole corpus (the project root
holds every package, as an editor opened on a large tree would): plain flake8, the
plugin cold, warm with the file unchanged, and warm after an edit of that file (its
own findings are computed again; what it asks about other modules comes from the cache).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import common

# flake8 with workers started by the forkserver; the server is stopped (and waited for) at
# the end so the CPU time of the workers it reaped counts in the run's
FORKSERVER = (
    "import multiprocessing, sys\n"
    "from multiprocessing import forkserver\n"
    "from flake8.main.cli import main\n"
    "multiprocessing.set_start_method('forkserver', force=True)\n"
    "try:\n"
    "    code = main()\n"
    "finally:\n"
    "    forkserver._forkserver._stop()\n"
    "sys.exit(code)\n"
)
EDITOR_FILE = "channels-4.3.2/channels/generic/websocket.py"


@dataclass(frozen=True)
class Variant:
    jobs: str | None  # "1", or None for flake8's default
    forkserver: bool = False

    @property
    def key(self) -> str:
        return ("forkserver" if self.forkserver else "default" if self.jobs is None else f"j{self.jobs}")


VARIANTS = {"j1": Variant("1"), "jobs": Variant(None), "forkserver": Variant(None, forkserver=True)}


def groups(corpus: Path, files: list[Path]) -> dict[Path, list[str]]:
    """Files by corpus package folder: flake8 runs once per package, in its folder."""
    import engine_bench

    found: dict[Path, list[str]] = {}
    for f in files:
        root = engine_bench.package_root(corpus, str(f))
        found.setdefault(root, []).append(str(f.relative_to(root)))
    return found


def command(env, variant: Variant, paths: list[str], cache_dir: Path | None) -> list[str]:
    head = [str(env.python), "-c", FORKSERVER] if variant.forkserver else [str(env.flake8)]
    jobs = [f"-j{variant.jobs}"] if variant.jobs else []
    cache = [f"--abr-cache-dir={cache_dir}"] if cache_dir is not None else []
    return [*head, "--isolated", *jobs, *cache, *paths]


def clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def run_set(envs: dict, corpus: Path, files: list[Path], variant: Variant, repeat: int, cache_root: Path,
            log: Callable[[str], None]) -> dict:
    """plain / cold / warm for one file set and one way of running flake8."""
    by_root = groups(corpus, files)
    cache_dir = cache_root / variant.key
    samples: dict[str, list[dict]] = {"plain": [], "cold": [], "warm": []}
    for i in range(repeat):
        for name in samples:
            if name == "cold":
                clear(cache_dir)
            env = envs["plain"] if name == "plain" else envs["plugin"]
            jobs = [(root, command(env, variant, paths, None if name == "plain" else cache_dir))
                    for root, paths in by_root.items()]
            result = common.measure_jobs(jobs)
            if result["rc"] not in (0, 1):
                raise RuntimeError(f"{variant.key} {name} failed (rc {result['rc']}): {result['stderr']}")
            if name != "plain" and result["stderr"].strip():
                raise RuntimeError(f"{variant.key} {name} printed: {result['stderr'][-500:]}")
            samples[name].append(result)
            log(f"  [{i + 1}/{repeat}] {variant.key} {name}: {result['wall']:.2f}s wall, "
                f"{result['user'] + result['sys']:.2f}s CPU, {result['maxrss_kb'] / 1024:.0f} MiB")
    clear(cache_dir)
    return {name: summarise(runs) for name, runs in samples.items()}


def summarise(runs: list[dict]) -> dict:
    return {
        "wall": common.median([r["wall"] for r in runs]),
        "cpu": common.median([r["user"] + r["sys"] for r in runs]),
        "rss_mb": common.median([r["maxrss_kb"] for r in runs]) / 1024,
        "walls": [round(r["wall"], 2) for r in runs],
        "cpus": [round(r["user"] + r["sys"], 2) for r in runs],
    }


# -- one file in an editor ---------------------------------------------------------------------

def editor_corpus(corpus: Path, log: Callable[[str], None]) -> Path:
    """A private copy of the corpus (the editor rows edit a file of it)."""
    copy = common.CACHE_DIR / "editor-corpus"
    marker = copy / ".copied-from"
    if not marker.is_file() or marker.read_text() != str(corpus):
        log(f"copying the corpus to {copy} (once) ...")
        clear(copy)
        shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        marker.write_text(str(corpus))
    return copy


def editor(envs: dict, corpus: Path, repeat: int, log: Callable[[str], None], file: str = EDITOR_FILE) -> dict:
    """Lint one file with the whole corpus as the project root, as an editor does on save."""
    root = editor_corpus(corpus, log)
    target = root / file
    original = target.read_bytes()
    cache_dir = common.CACHE_DIR / "abr-cache" / "editor"
    plain = [str(envs["plain"].flake8), "--isolated", file]
    plugin = [str(envs["plugin"].flake8), "--isolated", f"--abr-cache-dir={cache_dir}", file]
    samples: dict[str, list[dict]] = {"plain": [], "cold": [], "warm": [], "edited": []}
    try:
        clear(cache_dir)
        common.measure(plugin, root)  # the cache of the project: the warm runs start from it
        for i in range(repeat):
            samples["plain"].append(common.measure(plain, root))
            samples["warm"].append(common.measure(plugin, root))
            target.write_bytes(original + f"\n# edit {i} {time.time()}\n".encode())
            samples["edited"].append(common.measure(plugin, root))
            target.write_bytes(original)
            common.measure(plugin, root)  # back to the original text: warm again
            if i < max(3, repeat // 3):  # cold runs are long: fewer of them
                clear(cache_dir)
                samples["cold"].append(common.measure(plugin, root))
            log(f"  editor [{i + 1}/{repeat}] " + ", ".join(
                f"{k} {v[-1]['user'] + v[-1]['sys']:.2f}s" for k, v in samples.items() if v))
    finally:
        target.write_bytes(original)
    files = len(common.python_files(root))
    return {"file": file, "root_files": files, **{k: summarise(v) for k, v in samples.items()}}
