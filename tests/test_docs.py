"""Generated rule docs: docs/rules/*.md and the README table must match rules/*.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from async_bridge import docs
from async_bridge.cli import main
from async_bridge.knowledge import RuleMeta, builtin

REPO = Path(__file__).resolve().parents[1]
RULES = builtin().rules
README_ROW = re.compile(r"^\| \[(ABR\d{3})\]\(docs/rules/\1\.md\) \| ([a-z0-9-]+) \| (on|off) \| ")


def test_generated_docs_are_current() -> None:
    plan = docs.plan(RULES, REPO)
    assert not plan.problems, plan.problems
    stale = [str(p.relative_to(REPO)) for p in plan.stale()]
    assert not stale, f"stale generated docs {stale}: run `async-bridge docs`"


def test_readme_table_lists_exactly_the_rules() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert docs.README_START in readme and docs.README_END in readme
    table = readme[readme.index(docs.README_START):readme.index(docs.README_END)]
    rows = {m.group(1): (m.group(2), m.group(3)) for m in map(README_ROW.match, table.splitlines()) if m}
    expected = {code: (rule.name, "on" if rule.default_on else "off") for code, rule in RULES.items()}
    assert rows == expected


def test_every_rule_has_a_page() -> None:
    pages = {p.stem for p in (REPO / "docs" / "rules").glob("ABR*.md")}
    assert pages == set(RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_page_sections(code: str) -> None:
    rule = RULES[code]
    page = docs.render_rule(rule)
    assert f"# {code}: {rule.name}\n" in page
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix"):
        assert f"\n{heading}\n" in page, heading
    assert page.index("## Example") < page.index("## Use instead")
    for kind in ("bad", "good"):
        for example in rule.examples.get(kind) or []:
            assert example["code"].rstrip() in page  # markers and all, as written
    assert ("Default: **on**" if rule.default_on else f"--abr-enable={code}") in page


def _rule(**overrides) -> RuleMeta:
    values = dict(
        code="ABR999", name="made-up", default_on=False, summary="A summary | with a pipe.",
        message="{thing} is wrong.", rationale="Because.", fixable=True,
        fix={"available": True, "since_django": "4.2", "description": "`x()` -> `await ax()`."},
        examples={"bad": [{"title": "bad one", "code": "x()  # error: ABR999\n", "file": "views.py",
                           "files": {"shop/models.py": "class M: ...\n"}}],
                  "good": [{"title": "good one", "code": "await ax()\n"}]},
        raw={},
    )
    values.update(overrides)
    return RuleMeta(**values)


def test_render_fix_version_files_and_table_escaping() -> None:
    page = docs.render_rule(_rule())
    assert "Automatic fix: **yes (Django 4.2+)**" in page
    assert "`async-bridge fix` (targeting Django 4.2 or newer): `x()` -> `await ax()`." in page
    assert "`views.py`:" in page and "`shop/models.py`:" in page and "class M: ..." in page
    assert "x()  # error: ABR999" in page
    assert "switch it on with `--abr-enable=ABR999`" in page
    table = docs.rules_table([_rule()], "")
    assert "A summary \\| with a pipe." in table
    unfixable = docs.render_rule(_rule(fixable=False, fix={"available": False}))
    assert "Automatic fix: **no**" in unfixable and "No automatic fix" in unfixable


def _checkout(tmp_path: Path) -> Path:
    (tmp_path / "README.md").write_text(f"# x\n\n{docs.README_START}\nold table\n{docs.README_END}\n\nrest\n",
                                        encoding="utf-8")
    return tmp_path


def test_docs_command_writes_then_check_passes(tmp_path: Path, capsys) -> None:
    root = _checkout(tmp_path)
    stale_page = root / "docs" / "rules" / "ABR998.md"
    stale_page.parent.mkdir(parents=True)
    stale_page.write_text("a rule that no longer exists\n", encoding="utf-8")
    assert main(["docs", "--check", "--root", str(root)]) == 1
    assert "stale: docs/rules/ABR101.md" in capsys.readouterr().out
    assert main(["docs", "--root", str(root)]) == 0
    assert not stale_page.exists()
    assert (root / "docs" / "rules" / "README.md").is_file()
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "old table" not in readme and "[ABR101](docs/rules/ABR101.md)" in readme and readme.endswith("rest\n")
    capsys.readouterr()
    assert main(["docs", "--check", "--root", str(root)]) == 0
    # an edited page is stale again
    page = root / "docs" / "rules" / "ABR101.md"
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert main(["docs", "--check", "--root", str(root)]) == 1


def test_docs_check_fails_without_readme_markers(tmp_path: Path, capsys) -> None:
    (tmp_path / "README.md").write_text("# no table here\n", encoding="utf-8")
    assert main(["docs", "--root", str(tmp_path)]) == 1
    assert main(["docs", "--check", "--root", str(tmp_path)]) == 1
    assert "no rules table markers" in capsys.readouterr().err


# the rule map of CONTRIBUTING.md ------------------------------------------------------------------

MAP_ROW = re.compile(r"^\| (ABR\d{3}) \| ([a-z0-9-]+) \| (.+) \| (.+) \|$")
PLACE = re.compile(r"`([\w/]+)\.py` `(\w+)`")


def _map_rows(text: str) -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in text.splitlines():
        match = MAP_ROW.match(line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3), match.group(4))
    return rows


def _defined(package: str, cell: str) -> list[object]:
    """The objects a map cell cites, imported from the module file it names."""
    import importlib

    found = []
    for path, name in PLACE.findall(cell):
        assert (REPO / "src" / "async_bridge" / package / f"{path}.py").is_file(), cell
        module = importlib.import_module(f"async_bridge.{package}.{path.replace('/', '.')}")
        found.append(getattr(module, name))
    return found


def test_rule_map_cites_the_registered_check_and_fixer_of_each_code() -> None:
    from async_bridge.fixes import fixable_codes, load_all

    rows = _map_rows(docs.rule_map(RULES.values()))
    assert set(rows) == set(RULES)
    fixers = load_all()
    for code, (name, check_cell, fixer_cell) in rows.items():
        assert name == RULES[code].name
        classes = _defined("checks", check_cell)
        assert classes and all(code in cls.codes for cls in classes), (code, check_cell)
        if code in fixable_codes():
            assert _defined("fixes", fixer_cell) == [fixers[code]], (code, fixer_cell)
        else:
            assert fixer_cell == "none", code
    # rows read by hand from the code, so a map that agrees with itself but not with it fails
    assert rows["ABR206"] == ("eager-sync-to-async", "`eager_bridge.py` `EagerSyncToAsync`", "`abr206.py` `fix`")
    assert rows["ABR201"][1:] == rows["ABR203"][1:] == ("`orm_calls.py` `SyncOrmInAsync`", "`abr2_twins.py` `fix`")
    assert rows["ABR104"][2] == "none"


def test_rule_map_marks_a_code_no_check_reports() -> None:
    assert docs.rule_map([_rule()]).splitlines()[-1] == "| ABR999 | made-up | **none** | none |"


def test_contributing_holds_the_rule_map() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert text.count(docs.MAP_START) == 1 and text.count(docs.MAP_END) == 1
    assert set(_map_rows(text[text.index(docs.MAP_START):text.index(docs.MAP_END)])) == set(RULES)


CONTRIBUTING = "# Contributing\n\nbefore the map\n\n{start}\n{body}\n{end}\n\nafter the map\n"


def test_docs_check_fails_on_a_stale_rule_map(tmp_path: Path, capsys) -> None:
    root = _checkout(tmp_path)
    contributing = root / "CONTRIBUTING.md"
    contributing.write_text(CONTRIBUTING.format(start=docs.MAP_START, body="| ABR101 | old row |", end=docs.MAP_END),
                            encoding="utf-8")
    assert main(["docs", "--root", str(root)]) == 0
    written = contributing.read_text(encoding="utf-8")
    assert "old row" not in written and "before the map" in written and written.endswith("after the map\n")
    assert docs.rule_map(RULES.values()) in written
    capsys.readouterr()
    assert main(["docs", "--check", "--root", str(root)]) == 0
    # a hand edit inside the markers is stale; only that file is reported
    contributing.write_text(written.replace("`abr206.py` `fix`", "none"), encoding="utf-8")
    assert main(["docs", "--check", "--root", str(root)]) == 1
    assert capsys.readouterr().out == "stale: CONTRIBUTING.md\n"
    assert contributing.read_text(encoding="utf-8") != written  # --check writes nothing


def test_docs_reports_a_contributing_without_rule_map_markers(tmp_path: Path, capsys) -> None:
    root = _checkout(tmp_path)
    (root / "CONTRIBUTING.md").write_text("# Contributing\n\nno map here\n", encoding="utf-8")
    assert main(["docs", "--root", str(root)]) == 1
    assert main(["docs", "--check", "--root", str(root)]) == 1
    assert "CONTRIBUTING.md: no rule map markers" in capsys.readouterr().err
    assert (root / "CONTRIBUTING.md").read_text(encoding="utf-8") == "# Contributing\n\nno map here\n"


def test_architecture_cites_only_files_that_exist() -> None:
    """docs/architecture.md names real files: a path from the repository or the package,
    a bare file name somewhere in the package (placeholders such as ABRnnn aside)."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = REPO / "src" / "async_bridge"
    cited = set(re.findall(r"[\w./-]+\.(?:py|md|toml|yaml)\b", text))
    assert "index/cache.py" in cited and "commands/cache.py" in cited  # the reader sees the table
    missing = []
    for path in sorted(cited):
        if re.search(r"ABR(nnn|999)", path):
            continue
        if "/" in path:
            found = (REPO / path).exists() or (package / path).exists()
        else:
            found = (REPO / path).exists() or any(package.rglob(path))
        if not found:
            missing.append(path)
    assert not missing, f"docs/architecture.md cites files that do not exist: {missing}"
