"""Fixtures of the pipeline, scorecard and rule tests: record storage in a temporary directory,
and the workflow tasks queued after commits, recorded to run like the worker would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.records.storage import override_storage
from hireflow.workflow import tasks as workflow_tasks
from tests.workflow.rules_helpers import Worker


@pytest.fixture(autouse=True)
def regional(tmp_path: Path) -> Iterator[RegionalStorage]:
    storage = RegionalStorage({r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu")})
    with override_storage(storage):
        yield storage


@pytest.fixture
def worker(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    recorded = Worker(db)
    for task in (
        workflow_tasks.evaluate_rules,
        workflow_tasks.start_next_round,
        workflow_tasks.sweep_stale_stages,
    ):

        def fake(args=(), kwargs=None, _name=task.name, **_options):
            recorded.sent.append((_name, tuple(args or ())))

        monkeypatch.setattr(task, "apply_async", fake)
    yield recorded
