"""``blake2b`` from Python's own module: ``hashlib`` would load OpenSSL first, a cost every
editor lint would pay (``test_a_cold_check_does_not_load_openssl``)."""

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without its own blake2
    from hashlib import blake2b

__all__ = ["blake2b"]
