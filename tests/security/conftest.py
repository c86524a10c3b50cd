"""Fixtures for the issue-12 probe findings: the trainee registry's app and clients."""

from tests.identity.conftest import app, client  # noqa: F401  (fixtures reused)
