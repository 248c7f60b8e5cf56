"""Fixtures of the notifications tests: a submitted application, from the services tests."""

from nokor.services.tests.conftest import catalogue, residence, submitted  # noqa: F401
