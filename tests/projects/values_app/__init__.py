"""A project whose root is itself a package (linted from here, it imports itself as values_app)."""
from .services import sync_orders as refresh_all  # noqa: F401 (re-exported under another name)
