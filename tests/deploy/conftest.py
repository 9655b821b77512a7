"""Fixtures of the deploy tests: ``start`` (listening servers) and ``zeo``."""

from servers import start, zeo  # noqa: F401  (fixtures, found by name)
