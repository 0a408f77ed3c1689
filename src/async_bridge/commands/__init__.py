"""Subcommands of the ``async-bridge`` console script that live in their own modules."""
