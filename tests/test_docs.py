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
