"""Scheduling test fixtures: tasks are recorded instead of sent to a broker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from hireflow.notifications import tasks as notification_tasks
from hireflow.scheduling import tasks as scheduling_tasks


@dataclass
class Queue:
    """Celery messages the code under test enqueued (task name, args)."""

    sent: list[tuple[str, tuple]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]


@pytest.fixture(autouse=True)
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    recorded = Queue()
    for task in (
        scheduling_tasks.send_invitation_batch,
        scheduling_tasks.provide_meeting,
        scheduling_tasks.cancel_meeting,
        notification_tasks.deliver_messages,
    ):

        def fake(args=(), kwargs=None, _name=task.name, **_options):
            recorded.sent.append((_name, tuple(args or ())))

        monkeypatch.setattr(task, "apply_async", fake)
    yield recorded


@pytest.fixture
def make_org_fixture(session):
    from tests.conftest import make_org

    return lambda: make_org(session)
