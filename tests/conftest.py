"""Shared pytest setup. Append; do not overwrite (several areas register here)."""

pytest_plugins = ["tests.conftest_stores", "tests.conftest_site"]
