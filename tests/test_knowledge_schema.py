"""Knowledge files are checked against the schema the built-in knowledge defines.

A bad entry in a user file is one line naming the file and the key, and only that
entry is dropped: the file's good entries and the built-in knowledge stay, so no
finding is lost. Unknown keys are warned about (with a did-you-mean), large files
and YAML bombs are refused before they cost anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from flake8_subprocess import flake8
from helpers import lint_file, settings_for

from async_bridge import knowledge as knowledge_mod
from async_bridge.knowledge import MAX_KNOWLEDGE_BYTES, Knowledge, KnowledgeError, Shape, builtin, with_extra

SRC = Path(knowledge_mod.__file__).parent


def load(tmp_path: Path, text: str | bytes, name: str = "extra.yaml") -> Knowledge:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with_extra.cache_clear()
    return with_extra((str(path),))


# the schema comes from the built-in files --------------------------------------------------

def test_every_key_the_code_reads_is_in_the_built_in_schema() -> None:
    read = set()
    for path in SRC.rglob("*.py"):
        read |= set(re.findall(r"\.(?:names|mapping)\(\s*\"([a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    assert len(read) > 40
    assert sorted(read - set(builtin().schema)) == []


def test_shapes_are_derived_from_the_built_in_values() -> None:
    schema = builtin().schema
    assert schema["runner_functions"] == Shape("names")  # an empty built-in list is still a list
    assert schema["queryset_db_methods"] == Shape("twins", frozenset({"twin", "since"}))
    assert schema["django_sync_functions"] == Shape("twins", frozenset({"twin", "since", "module", "why"}))
    assert schema["request_user_twin"] == Shape("twin", frozenset({"twin", "since"}))
    assert schema["abr207_texts"] == Shape("texts")
    assert schema["task_frameworks"] == Shape("tables")
    assert builtin().problems == ()


def test_built_in_knowledge_that_contradicts_itself_is_an_error() -> None:
    knowledge = Knowledge()
    knowledge_mod._add_builtin(knowledge, {"loop_bound_types": ["a.B"]}, "one.yaml")
    with pytest.raises(KnowledgeError, match=r"two.yaml: 'loop_bound_types' is a mapping of name -> text here"):
        knowledge_mod._add_builtin(knowledge, {"loop_bound_types": {"x": "y"}}, "two.yaml")
    with pytest.raises(KnowledgeError, match=r"three.yaml: 'request_user_twin': since must be"):
        knowledge_mod._add_builtin(knowledge, {"request_user_twin": {"twin": "auser", "since": "5"}}, "three.yaml")


# bad entries: one line each, only they are dropped ------------------------------------------

GOOD_ENTRY = "  frobnicate: {twin: afrobnicate, since: \"5.2\"}\n"


@pytest.mark.parametrize(("entry", "problem"), [
    ("get: {twin: aget, since: banana}",
     "'queryset_db_methods' entry 'get': since must be a Django version like \"4.1\", got 'banana'; dropped"),
    ("get: {twin: aget, since: yes}",
     "'queryset_db_methods' entry 'get': since must be a quoted version like \"4.1\", got the boolean True; dropped"),
    ("get: {twin: aget, since: \"x.y\"}",
     "'queryset_db_methods' entry 'get': since must be a Django version like \"4.1\", got 'x.y'; dropped"),
    ("get: {twin: aget, since: 4.1}",
     "'queryset_db_methods' entry 'get': since must be a quoted version like \"4.1\", got the number 4.1; dropped"),
    ("get: 5",
     "'queryset_db_methods' entry 'get': expected a mapping {twin: NAME, since: \"X.Y\"}, got 5; dropped"),
    ("get: {twin: 5}",
     "'queryset_db_methods' entry 'get': twin must be a non-empty string, got 5; dropped"),
    ("get: {since: \"4.1\"}",
     "'queryset_db_methods' entry 'get': twin must be a method or function name, got None; dropped"),
    ("get: {twin: \"a get\", since: \"4.1\"}",
     "'queryset_db_methods' entry 'get': twin must be a method or function name, got 'a get'; dropped"),
    ("get: {twin: aget, sinse: \"4.1\"}",
     "'queryset_db_methods' entry 'get': unknown field 'sinse' (did you mean 'since'?); dropped"),
    ("3: {twin: athree}",
     "'queryset_db_methods': key 3 is not a name; dropped"),
], ids=["banana", "yes", "x.y", "number", "get-5", "twin-number", "no-twin", "twin-spaces", "misspelt-field",
        "number-key"])
def test_bad_twin_entry(tmp_path: Path, entry: str, problem: str) -> None:
    knowledge = load(tmp_path, f"queryset_db_methods:\n  {entry}\n{GOOD_ENTRY}")
    assert knowledge.problems == (f"{tmp_path / 'extra.yaml'}: {problem}",)
    methods = knowledge.mapping("queryset_db_methods")
    assert methods["get"] == {"twin": "aget", "since": "4.1"}  # the built-in entry stands
    assert methods["frobnicate"] == {"twin": "afrobnicate", "since": "5.2"}  # the file's good entry is used


@pytest.mark.parametrize(("text", "problem"), [
    ("queryset_db_methods: 5\n",
     "'queryset_db_methods' must be a mapping of name -> {twin: NAME, since: \"X.Y\"}, got 5; ignored"),
    ("queryset_db_methods: [get]\n",
     "'queryset_db_methods' must be a mapping of name -> {twin: NAME, since: \"X.Y\"}, got ['get']; ignored"),
    ("loop_bound_types: {a: b}\n",
     "'loop_bound_types' must be a list of strings, got {'a': 'b'}; ignored"),
    ("loop_bound_types: gqlkit.Client\n",
     "'loop_bound_types' must be a list of strings, got 'gqlkit.Client'; ignored"),
    ("request_user_twin: {twin: auser, since: five}\n",
     "'request_user_twin': since must be a Django version like \"4.1\", got 'five'; ignored"),
    ("abr207_texts: {with: [not, text]}\n",
     "'abr207_texts' entry 'with': expected a text, got ['not', 'text']; dropped"),
    ("- a\n- list\n",
     "expected a mapping of knowledge keys, got ['a', 'list']; file ignored"),
], ids=["number-for-mapping", "list-for-mapping", "mapping-for-list", "text-for-list", "single-twin", "text",
        "not-a-mapping"])
def test_wrong_shape(tmp_path: Path, text: str, problem: str) -> None:
    knowledge = load(tmp_path, text)
    assert knowledge.problems == (f"{tmp_path / 'extra.yaml'}: {problem}",)
    assert knowledge.lists == builtin().lists


def test_bad_items_in_a_list_are_dropped_the_rest_kept(tmp_path: Path) -> None:
    knowledge = load(tmp_path, "loop_bound_types: [gqlkit.Client, 3, '', {a: b}, ' sdk.Pool ']\n")
    path = tmp_path / "extra.yaml"
    assert knowledge.problems == (
        f"{path}: 'loop_bound_types': item 3 is not a name; dropped",
        f"{path}: 'loop_bound_types': item '' is not a name; dropped",
        f"{path}: 'loop_bound_types': item {{'a': 'b'}} is not a name; dropped",
    )
    assert knowledge.names("loop_bound_types") == builtin().names("loop_bound_types") | {"gqlkit.Client", "sdk.Pool"}


def test_unknown_keys_are_warned_once_with_a_suggestion(tmp_path: Path) -> None:
    knowledge = load(tmp_path, "loop_bound_type: [a.B]\nrunner_function: [x.run]\nzebra: 1\nrunner_functions: [x.run]\n")
    path = tmp_path / "extra.yaml"
    assert knowledge.problems == (
        f"{path}: unknown key 'loop_bound_type' (did you mean 'loop_bound_types'?); ignored",
        f"{path}: unknown key 'runner_function' (did you mean 'runner_functions'?); ignored",
        f"{path}: unknown key 'zebra'; ignored",
    )
    assert knowledge.names("runner_functions") == {"x.run"}


def test_problem_lines_are_capped_per_file(tmp_path: Path) -> None:
    knowledge = load(tmp_path, "loop_bound_types: [" + ", ".join(str(n) for n in range(25)) + "]\n")
    assert len(knowledge.problems) == 11
    assert knowledge.problems[-1] == f"{tmp_path / 'extra.yaml'}: 15 more problem(s) not shown"


def test_an_empty_key_or_file_adds_nothing(tmp_path: Path) -> None:
    assert load(tmp_path, "runner_functions:\n").problems == ()
    assert load(tmp_path, "# nothing yet\n").problems == ()
    assert load(tmp_path, "").lists == builtin().lists


# files that must not be read, or not expanded -----------------------------------------------

def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    real_open = Path.open

    def guarded_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        assert self != path, "the oversized file was opened"
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", guarded_open)
    with_extra.cache_clear()
    knowledge = with_extra((str(path),))
    assert knowledge.problems == (
        f"{path}: 104,857,600 bytes, over the {MAX_KNOWLEDGE_BYTES:,}-byte limit for a knowledge file; file ignored",
    )
    assert knowledge.lists == builtin().lists


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    lines.append(f"loop_bound_types: *lol{levels}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text", [
    billion_laughs(),
    "loop_bound_types: &a [x, *a]\n",  # a list that contains itself
    "runner_functions: &r [a.run]\nloop_bound_types: *r\n",  # a harmless alias is refused all the same
], ids=["billion-laughs", "self-reference", "plain-alias"])
def test_yaml_aliases_are_refused_without_expanding(tmp_path: Path, text: str) -> None:
    knowledge = load(tmp_path, text)
    assert knowledge.problems == (
        f"{tmp_path / 'extra.yaml'}: anchors and aliases (&name / *name) are not supported in knowledge files; "
        "file ignored",
    )
    assert knowledge.lists == builtin().lists


@pytest.mark.parametrize("text", [
    "loop_bound_types: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "".join("  " * depth + f"k{depth}:\n" for depth in range(900)),
], ids=["flow", "block"])
def test_deeply_nested_yaml_is_one_line(tmp_path: Path, text: str) -> None:
    knowledge = load(tmp_path, text)
    assert len(knowledge.problems) == 1, knowledge.problems
    assert knowledge.problems[0].startswith(f"{tmp_path / 'extra.yaml'}: ")
    assert knowledge.lists == builtin().lists


@pytest.mark.parametrize(("content", "problem"), [
    (b"loop_bound_types: [caf\xe9]\n", "cannot read: 'utf-8' codec can't decode"),
    ("loop_bound_types: !!python/object:os.system [x]\n", "line 1: invalid YAML"),
    ("loop_bound_types: [a\n  bad: : yaml\n", "invalid YAML"),
    ("? [a, b]\n: c\n", "invalid YAML"),  # a list as a mapping key
], ids=["latin-1", "python-tag", "broken", "unhashable-key"])
def test_unusable_files_are_one_line(tmp_path: Path, content: str | bytes, problem: str) -> None:
    knowledge = load(tmp_path, content)
    assert len(knowledge.problems) == 1
    line = knowledge.problems[0]
    assert line.startswith(f"{tmp_path / 'extra.yaml'}: ") and problem in line and line.endswith("; file ignored")
    assert "\n" not in line


def test_one_bad_file_does_not_cost_the_others(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("loop_bound_types: [a\n", encoding="utf-8")
    (tmp_path / "good.yaml").write_text("loop_bound_types: [gqlkit.Client]\n", encoding="utf-8")
    with_extra.cache_clear()
    knowledge = with_extra((str(tmp_path / "bad.yaml"), str(tmp_path / "missing.yaml"), str(tmp_path / "good.yaml")))
    assert [line.split(": ")[0] for line in knowledge.problems] == [
        str(tmp_path / "bad.yaml"), str(tmp_path / "missing.yaml")]
    assert "gqlkit.Client" in knowledge.names("loop_bound_types")


# what users see: findings kept, one line each, no traceback ---------------------------------

MODELS = dedent('''\
    from django.db import models


    class Order(models.Model):
        total = models.IntegerField()
''')
VIEWS = dedent('''\
    from shop.models import Order


    async def order_total(pk):
        order = Order.objects.get(pk=pk)
        Order.objects.filter(pk=pk).frobnicate()
        return order.total
''')
BAD_TWINS = dedent('''\
    queryset_db_methods:
      get: {twin: aget, since: banana}
      frobnicate: {twin: afrobnicate, since: "5.2"}
''')


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shop/models.py").write_text(MODELS, encoding="utf-8")
    (tmp_path / "shop/views.py").write_text(VIEWS, encoding="utf-8")
    (tmp_path / "knowledge.yaml").write_text(BAD_TWINS, encoding="utf-8")
    return tmp_path


def test_engine_keeps_the_built_in_twin_and_uses_the_good_entry(shop: Path) -> None:
    settings = settings_for(shop, extra_knowledge=(str(shop / "knowledge.yaml"),), django_version=(4, 2))
    assert lint_file(shop / "shop/views.py", settings) == [(5, 13, "ABR201"), (6, 5, "ABR201")]


def test_flake8_reports_the_findings_and_one_line_per_problem(shop: Path) -> None:
    run = flake8(shop, "--select=ABR", "--abr-extra-knowledge=knowledge.yaml", "--abr-django-version=4.2", "shop")
    assert run.stderr.splitlines() == [
        f"flake8-async-bridge: --abr-extra-knowledge: {shop / 'knowledge.yaml'}: 'queryset_db_methods' entry 'get': "
        "since must be a Django version like \"4.1\", got 'banana'; dropped"
    ]
    assert run.findings() == [("shop/views.py", 5, 13, "ABR201"), ("shop/views.py", 6, 5, "ABR201")]
    assert run.returncode == 1


def test_fix_does_not_die_on_bad_knowledge(shop: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}
    proc = subprocess.run(
        [sys.executable, "-m", "async_bridge.cli", "fix", "--check", "--extra-knowledge", "knowledge.yaml",
         "--django-version", "4.2", "--project-root", ".", "shop"],
        cwd=shop, capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("flake8-async-bridge: --abr-extra-knowledge: ") and first.endswith(
        f"{shop / 'knowledge.yaml'}: 'queryset_db_methods' entry 'get': "
        "since must be a Django version like \"4.1\", got 'banana'; dropped"
    ), first
    assert "ABR201" in proc.stdout + proc.stderr
    assert proc.returncode == 1  # the files would change
