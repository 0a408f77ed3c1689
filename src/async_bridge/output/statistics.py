"""``--statistics``: how many findings of each rule, most frequent first."""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO

from .base import Report


def counts(report: Report) -> list[tuple[str, int]]:
    counter = Counter(item.code for item in report.items)
    return sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))


def render_statistics(report: Report, out: TextIO, as_json: bool = False) -> None:
    rows = counts(report)
    if as_json:
        data = [{"code": code, "name": rule.name if (rule := report.rule(code)) else None, "count": count,
                 "fixable": code in report.fixable} for code, count in rows]
        json.dump(data, out, indent=2)
        out.write("\n")
        return
    width = max((len(str(count)) for _, count in rows), default=1)
    for code, count in rows:
        rule = report.rule(code)
        mark = "[*]" if code in report.fixable else "   "
        out.write(f"{count:>{width}}  {code}  {mark} {rule.name if rule else ''}".rstrip() + "\n")
