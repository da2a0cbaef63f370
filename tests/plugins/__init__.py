"""Fixtures shared across test folders, registered by tests/conftest.py's `pytest_plugins`."""
