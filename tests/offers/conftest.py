"""Fixtures of the offer tests: record storage in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.records.storage import override_storage


@pytest.fixture(autouse=True)
def regional(tmp_path: Path) -> Iterator[RegionalStorage]:
    storage = RegionalStorage({r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu")})
    with override_storage(storage):
        yield storage
