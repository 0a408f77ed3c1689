"""The built-in YAML, parsed once and read back as JSON (``compiled_knowledge``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from async_bridge import compiled_knowledge


@pytest.fixture(autouse=True)
def writing(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def _files(tmp_path: Path) -> list[Path]:
    (tmp_path / "a.yaml").write_text("names: [x, y]\n")
    (tmp_path / "b.yaml").write_text("twin: {get: aget}\n")
    return [tmp_path / "a.yaml", tmp_path / "b.yaml"]


class Parser:
    def __init__(self) -> None:
        self.parsed: list[str] = []

    def __call__(self, path: Path, text: str):
        self.parsed.append(path.name)
        import yaml

        return yaml.safe_load(text)


def test_parsed_once_then_read_back(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    first, second = Parser(), Parser()
    assert compiled_knowledge.documents(paths, first) == [{"names": ["x", "y"]}, {"twin": {"get": "aget"}}]
    assert first.parsed == ["a.yaml", "b.yaml"]
    assert compiled_knowledge.documents(paths, second) == [{"names": ["x", "y"]}, {"twin": {"get": "aget"}}]
    assert second.parsed == []
    assert len(list((tmp_path / "__pycache__").glob("knowledge-*.json"))) == 1


def test_an_edited_file_is_parsed_again(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    compiled_knowledge.documents(paths, Parser())
    paths[0].write_text("names: [z]\n")
    again = Parser()
    assert compiled_knowledge.documents(paths, again)[0] == {"names": ["z"]}
    assert again.parsed == ["a.yaml", "b.yaml"]


@pytest.mark.parametrize("damage", ["", "{", "[]", '{"names": ["a.yaml"], "documents": []}', "\xff"])
def test_a_damaged_compiled_file_is_parsed_again_and_replaced(tmp_path: Path, damage: str) -> None:
    paths = _files(tmp_path)
    compiled_knowledge.documents(paths, Parser())
    [saved] = (tmp_path / "__pycache__").glob("knowledge-*.json")
    saved.write_text(damage, encoding="latin-1")
    again = Parser()
    assert compiled_knowledge.documents(paths, again) == [{"names": ["x", "y"]}, {"twin": {"get": "aget"}}]
    assert again.parsed == ["a.yaml", "b.yaml"]
    assert json.loads(saved.read_text())["names"] == ["a.yaml", "b.yaml"]


def test_what_json_cannot_give_back_is_never_saved(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("1: one\n")  # an int key: JSON would make it "1"
    parser = Parser()
    assert compiled_knowledge.documents([tmp_path / "a.yaml"], parser) == [{1: "one"}]
    assert not list(tmp_path.rglob("knowledge-*.json"))


def test_nothing_written_without_bytecode_or_a_writable_folder(tmp_path: Path, monkeypatch) -> None:
    paths = _files(tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert compiled_knowledge.documents(paths, Parser())[0] == {"names": ["x", "y"]}
    assert not (tmp_path / "__pycache__").exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "__pycache__").write_text("a file where the folder would be")
    assert compiled_knowledge.documents(paths, Parser())[1] == {"twin": {"get": "aget"}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["__pycache__", "a.yaml", "b.yaml"]  # no temporary left


def test_a_second_process_loads_the_rules_without_pyyaml() -> None:
    code = ("import sys; from async_bridge import knowledge; k = knowledge.builtin(); "
            "print(len(k.rules), 'yaml' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    count = first.stdout.split()[0]
    assert int(count) > 20
    assert second.stdout.split() == [count, "False"]
