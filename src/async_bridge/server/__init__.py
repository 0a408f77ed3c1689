"""``async-bridge server``: the findings of the flake8 plugin in any LSP editor, live.

A language server over stdio (pygls and lsprotocol, the ``server`` extra): diagnostics
on open, on change (debounced, from the unsaved buffer) and on save, answers across
files from the open buffers and the workspace, quick fixes from the ``async-bridge
fix`` fixers, ``# noqa`` suppressions, and the rule's rationale on hover.

Modules: ``cli`` (the subcommand; imports pygls only when the server starts),
``app`` (the protocol handlers), ``documents`` (projects, settings, linting a
buffer), ``diagnostics`` (findings as LSP diagnostics and hovers), ``edits``
(quick fixes and ``# noqa`` as text edits), ``positions`` (columns in the
client's encoding).
"""

SOURCE = "async-bridge"
