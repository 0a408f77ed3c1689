"""Which project files mention a name: the compact postings a run builds, and the index
of mentions (index/mentions.py) answering from them, from a saved base and from a delta."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from async_bridge.config import Settings, project_index
from async_bridge.index import cache, project_files
from async_bridge.index.postings import SHARDS, Postings, shard_of


def _naive(files: dict[str, set[str]]) -> dict[str, set[str]]:
    inverted: dict[str, set[str]] = {}
    for rel, words in files.items():
        for word in words:
            inverted.setdefault(word, set()).add(rel)
    return inverted


def _random_files(seed: int) -> dict[str, set[str]]:
    rng = random.Random(seed)
    vocabulary = [f"w{n}_{rng.randrange(10**6)}" for n in range(300)] + ["get", "save", "sync_to_async"]
    return {f"pkg/m{n}.py": set(rng.sample(vocabulary, rng.randrange(0, 40))) for n in range(60)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_postings_answer_as_an_inverted_dict_would(seed: int) -> None:
    files = _random_files(seed)
    postings = Postings()
    for rel, words in files.items():
        postings.add([w.encode() for w in words], rel)
    inverted = _naive(files)
    for word in [*inverted, "never_seen"]:
        assert set(postings.get(word)) == inverted.get(word, set())
    merged: dict[str, set[str]] = {}
    for number, shard in postings.shards():
        for word, rels in shard.items():
            assert shard_of(word) == number
            merged[word] = set(rels)
    assert merged == inverted
    assert postings.words_of({"pkg/m3.py", "pkg/m7.py"}) == {rel: files[rel] for rel in ("pkg/m3.py", "pkg/m7.py")}


def test_a_file_noted_after_its_shard_was_decoded_is_found() -> None:
    postings = Postings()
    postings.add([b"get", b"alpha"], "a.py")
    assert postings.get("get") == ["a.py"]  # decodes get's shard
    postings.add([b"get"], "b.py")
    postings.add([b"alpha"], "c.py")
    assert sorted(postings.get("get")) == ["a.py", "b.py"]
    assert sorted(postings.get("alpha")) == ["a.py", "c.py"]
    assert postings.shard(shard_of("get"))["get"] == ["a.py", "b.py"]


def test_shards_are_the_on_disk_sharding() -> None:
    import zlib

    for name in ("get", "sync_to_async", "Order", "_private"):
        assert shard_of(name) == zlib.crc32(name.encode()) % SHARDS


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch):
    monkeypatch.setattr(project_files, "_RACY_NS", 0)
    monkeypatch.setattr(cache, "_warned", False)
    yield
    project_index.cache_clear()


def _project(tmp_path: Path, count: int) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    for n in range(count):
        (root / "app" / f"m{n}.py").write_text(f"from .helpers import helper_{n % 3}\n\ndef f{n}():\n    helper_{n % 3}()\n")
    (root / "app" / "helpers.py").write_text("def helper_0(): ...\ndef helper_1(): ...\ndef helper_2(): ...\n")
    return root


def _mentioning(root: Path, name: str, no_cache: bool = False) -> list[str]:
    project_index.cache_clear()  # a new process
    settings = Settings(project_root=str(root), cache_dir=str(root / ".cache"), no_cache=no_cache)
    settings.index.prepare()
    found = settings.index.mentions.files_mentioning(name)
    settings.index.flush()
    return found


def _expected(count: int, k: int) -> list[str]:
    return sorted([f"app/m{n}.py" for n in range(count) if n % 3 == k] + ["app/helpers.py"])


@pytest.mark.parametrize("count", [12, 250])  # a delta on top of a base, and a new base
def test_answers_hold_across_runs_and_edits(tmp_path: Path, count: int) -> None:
    root = _project(tmp_path, count)
    assert _mentioning(root, "helper_1") == _expected(count, 1)  # cold: indexed while scanning
    assert _mentioning(root, "helper_1") == _expected(count, 1)  # warm: from the saved base
    (root / "app" / "m1.py").write_text("def f1():\n    pass\n")
    (root / "app" / "m0.py").write_text("from .helpers import helper_1\nhelper_1()\n")
    expected = sorted({*_expected(count, 1), "app/m0.py"} - {"app/m1.py"})
    assert _mentioning(root, "helper_1") == expected  # the edited files, from the delta
    assert _mentioning(root, "helper_1") == expected
    assert _mentioning(root, "helper_1", no_cache=True) == expected  # no cache: every file read


def test_a_damaged_delta_is_read_as_far_as_it_makes_sense(tmp_path: Path) -> None:
    root = _project(tmp_path, 6)
    _mentioning(root, "helper_1")
    (root / "app" / "m1.py").write_text("def f1():\n    other()\n")
    _mentioning(root, "helper_1")  # saves a delta for m1.py
    [pointer] = list((root / ".cache").rglob("mentions/current.json"))
    data = json.loads(pointer.read_text())
    [(rel, (key, words))] = data["delta"].items()
    data["delta"][rel] = [key, [*words, "two words", "new\nline", "héllo"]]
    pointer.write_text(json.dumps(data))
    assert "app/m1.py" in _mentioning(root, "other")
    assert "app/m1.py" not in _mentioning(root, "helper_1")
    data["delta"][rel] = [key, [1, 2]]  # not words at all: the delta vouches for nothing
    pointer.write_text(json.dumps(data))
    assert "app/m1.py" in _mentioning(root, "other")
