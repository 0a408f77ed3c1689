"""Messages are one line a person reads in a terminal or an editor squiggle (SPEC.md, "Rules")."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from helpers import lint_messages, settings_for
from test_fixtures import required_python

HERE = Path(__file__).parent
LIMIT = 120  # "about 120 characters": the user's names count as one letter, their code as 20 at most
QUOTED_NAME = re.compile(r"'[^'\n]*'")
CODE_SPAN = re.compile(r"`[^`\n]{20,}`")


def test_every_fixture_message_is_one_short_line() -> None:
    roots = [(HERE / "fixtures", sorted((HERE / "fixtures").glob("*.py")))]
    roots += [(p, sorted(p.rglob("*.py"))) for p in sorted((HERE / "projects").iterdir()) if p.is_dir()]
    roots.append((HERE.parent / "examples", sorted((HERE.parent / "examples").rglob("*.py"))))
    seen = 0
    too_long = []
    for root, files in roots:
        settings = settings_for(root)
        for path in files:
            if required_python(path.read_text(encoding="utf-8")) > sys.version_info[:2]:
                continue  # its syntax needs a newer Python
            for message in lint_messages(path, settings):
                seen += 1
                fixed_text = CODE_SPAN.sub("`" + "x" * 18 + "`", QUOTED_NAME.sub("'f'", message))
                if "\n" in message or len(fixed_text) > LIMIT:
                    too_long.append(f"{path.name}: ({len(message)}) {message}")
    assert seen > 100
    assert not too_long, "\n".join(too_long)
