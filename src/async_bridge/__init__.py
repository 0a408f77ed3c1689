"""flake8-async-bridge: lint the async/sync bridges of Django, Celery and asyncio code."""

__version__ = "0.1.0"
