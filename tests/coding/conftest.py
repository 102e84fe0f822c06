"""Coding tests share one sandbox runner per session (its caches hold generated inputs and
reference timings, as a worker's do)."""

from __future__ import annotations

import pytest

from hireflow.coding.runner import CodeRunner


@pytest.fixture(scope="session")
def runner() -> CodeRunner:
    # A missing bubblewrap or libseccomp fails here, loudly: scripts/test.sh installs both.
    return CodeRunner()
