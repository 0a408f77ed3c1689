"""Where a rule's documentation page lives."""

from __future__ import annotations

#: Where the rule pages (docs/rules/ABRnnn.md) are published. Every finding's
#: message ends with a link built from it; ``--abr-docs-url`` (or ``docs-url`` in
#: ``[tool.async-bridge]``) overrides it, ``none`` drops the link.
DOCS_BASE_URL = "https://github.com/flake8-async-bridge/flake8-async-bridge/blob/main/docs/rules/"

_NO_LINK = ("", "none", "off", "false", "no")


def rule_doc_url(code: str, base: str | None = None) -> str | None:
    """The documentation page of rule ``code``.

    ``base`` is a URL prefix (``.../docs/rules/`` -> ``.../docs/rules/ABR101.md``) or
    a template containing ``{code}``; None means :data:`DOCS_BASE_URL`; ``none``
    (or an empty string) means no link.
    """
    if base is None:
        base = DOCS_BASE_URL
    base = base.strip()
    if base.lower() in _NO_LINK:
        return None
    if "{code}" in base:
        return base.replace("{code}", code)
    return f"{base.rstrip('/')}/{code}.md"
