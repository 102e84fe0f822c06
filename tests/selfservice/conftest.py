"""Fixtures of the self-service tests: record and media storage in a temporary directory."""

from __future__ import annotations

from tests.interviews.factories import queue_fixture, storage_fixture  # noqa: F401 - fixtures
